"""The bundled example cases: the facts the docs and notebooks rely on, and a byte-stable build."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import crimegraph as cg

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SUSPECT = ("suspect", "arrested")


def _load(name: str) -> cg.Case:
    return cg.read_case(FIXTURES / f"{name}.json")


@pytest.fixture(scope="module")
def oil() -> cg.Case:
    return _load("counterfeit_oil")


@pytest.fixture(scope="module")
def liquor() -> cg.Case:
    return _load("fake_liquor")


@pytest.fixture(scope="module")
def build_fixtures() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("build_fixtures", FIXTURES / "build_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module


def _shipments(case: cg.Case) -> list[cg.Transaction]:
    return [t for t in case.transactions if t.kind == "shipment"]


def _agencies(case: cg.Case) -> list[str]:
    return [e.agency.lower() for e in case.evidence if e.agency]


# -- counterfeit_oil ----------------------------------------------------------------------------

def test_oil_persons_and_premises(oil: cg.Case) -> None:
    assert oil.id == "counterfeit-oil-2024"
    assert sum(p.status in SUSPECT for p in oil.persons) == 26
    leaders = [p for p in oil.persons if p.role == "leader"]
    assert len(leaders) == 1
    assert len(oil.warehouses) == 7
    production = [w.id for w in oil.warehouses if "production" in w.uses]
    assert len(production) >= 2
    assert "W-DEN-01" in production
    summary = cg.CaseGraph(oil).summary()
    assert summary.suspects == 26
    assert summary.production_sites == len(production)


def test_oil_products(oil: cg.Case) -> None:
    fakes = {p.id: p for p in oil.products if p.counterfeit}
    assert {"P-MOBIL-5W30", "P-MOBIL-0W40", "P-SHELL-HX7"} <= set(fakes)
    assert {p.brand for p in fakes.values()} == {"Mobil", "Shell"}
    assert all(p.unit in ("barrel", "bottle") and p.unit_price for p in fakes.values())
    assert any(p.counterfeit is False for p in oil.products)


def test_oil_shipments_and_payments(oil: cg.Case) -> None:
    shipments = _shipments(oil)
    assert len(shipments) >= 300
    carried = [t for t in shipments if t.carrier is not None]
    assert {t.carrier for t in carried} == {"ORG-LOGI"}
    assert oil.get("ORG-LOGI").kind == "logistics"  # type: ignore[attr-defined]
    assert len(carried) >= 100
    payments = [t for t in oil.transactions if t.kind == "payment"]
    assert payments and all(t.amount and t.amount > 0 and t.currency == "CNY" for t in payments)
    back_to_ring = [t for t in payments if t.source.startswith(("DIST-", "SHOP-"))]
    assert len(back_to_ring) >= 60
    assert {t.target for t in back_to_ring} <= {"ORG-FRONT-CO", "P-04"}
    # Sales are priced at quantity x the product's price for that level.
    prices = {p.id: p.attributes for p in oil.products}
    for t in shipments:
        level = t.attributes.get("price_level")
        if level in ("distributor", "shop"):
            assert t.amount == t.quantity * prices[t.product][f"price_{level}"]  # type: ignore[index,operator]


def test_oil_relationships(oil: cg.Case) -> None:
    kinds = {r.kind for r in oil.relationships}
    assert {"leads", "employs", "operates", "calls"} <= kinds
    assert len(oil.relationships) >= 60
    assert all(r.weight and r.weight > 0 for r in oil.relationships if r.kind == "calls")
    # The leader is the top of the "leads" hierarchy: nobody leads P-01.
    led = {r.target for r in oil.relationships if r.kind == "leads"}
    assert "P-01" not in led
    assert {r.target for r in oil.relationships if r.kind == "leads" and r.source == "P-01"} >= {
        "P-02", "P-03"}


def test_oil_evidence(oil: cg.Case) -> None:
    agencies = _agencies(oil)
    for role in ("police", "market regulator", "logistics", "e-commerce", "bank"):
        assert any(role in agency for agency in agencies), role
    kinds = {e.kind for e in oil.evidence}
    assert {"seizure", "wiretap", "inspection", "waybill", "platform_data", "bank_record",
            "asset_freeze"} <= kinds
    assert {e.reliability for e in oil.evidence} >= {"A", "B", "C", "D", "F"}
    summary = cg.CaseGraph(oil).summary()
    assert summary.frozen_funds["CNY"] > 1_000_000
    assert summary.frozen_funds["CNY"] == 1_236_500


def test_oil_shops_in_six_provinces(oil: cg.Case) -> None:
    shops = [o for o in oil.organizations if o.kind == "shop"]
    assert len({s.province for s in shops}) >= 6
    kinds = {o.kind for o in oil.organizations}
    assert {"distributor", "shop", "logistics", "online_store"} <= kinds
    chain = cg.trace_chain(cg.CaseGraph(oil), "W-DEN-01")
    reached = {oil.get(n).province for n in chain.endpoints  # type: ignore[attr-defined]
               if getattr(oil.get(n), "kind", None) == "shop"}
    assert len(reached) >= 6


def test_oil_anomalies(oil: cg.Case) -> None:
    shipments = _shipments(oil)
    first_in = min(t.timestamp for t in shipments if t.target == "W-WH-07")
    early = sorted(t.id for t in shipments if t.source == "W-WH-07" and t.timestamp < first_in)
    assert early == ["SHP-0023", "SHP-0045", "SHP-0067"]  # listed in fixtures/README.md
    chain = cg.trace_chain(cg.CaseGraph(oil), "W-DEN-01")
    assert not set(early) & set(chain.transactions)
    table = chain.unaccounted().set_index(["id", "product"])
    assert table.loc[("DIST-02", "P-MOBIL-0W40"), "unaccounted"] < 0  # an undiscovered supplier
    assert table.loc[("DIST-02", "P-MOBIL-0W40"), "lead"] == "unknown supplier"
    per_node = chain.unaccounted().groupby("id")["unaccounted"].sum()
    assert per_node["W-WH-06"] > 0  # unsold stock
    assert per_node["W-WH-06"] == max(per_node[w.id] for w in oil.warehouses
                                      if w.id in per_node.index)
    leads = chain.leads()
    assert leads.iloc[0]["id"] == "W-WH-06"  # the largest stock of one product left


# -- fake_liquor --------------------------------------------------------------------------------

def test_liquor_leader_and_people(liquor: cg.Case) -> None:
    assert liquor.id == "fake-liquor-zhou"
    zhou = liquor.get("P-ZHOU")
    assert isinstance(zhou, cg.Person)
    assert zhou.name == "周建国" and zhou.name.startswith("周")
    assert zhou.role == "leader" and zhou.status == "arrested"
    assert any(alias.startswith("Zhou") for alias in zhou.aliases)
    assert sum(p.status in SUSPECT for p in liquor.persons) == 9
    assert cg.CaseGraph(liquor).summary().suspects == 9
    led_by_zhou = [r.target for r in liquor.relationships
                   if r.kind == "leads" and r.source == "P-ZHOU"]
    assert len(led_by_zhou) == 2
    kinds = {r.kind for r in liquor.relationships}
    assert {"leads", "employs", "operates", "calls"} <= kinds


def test_liquor_dens(liquor: cg.Case) -> None:
    assert sorted(w.id for w in liquor.warehouses) == ["W-DEN-A", "W-DEN-B", "W-DEN-C"]
    uses = {u for w in liquor.warehouses for u in w.uses}
    assert {"production", "packaging"} <= uses
    assert uses & {"storage", "sales"}


def test_liquor_value_and_flows(liquor: cg.Case) -> None:
    shipments = _shipments(liquor)
    assert 80 <= len(shipments) <= 150
    total = sum(t.amount or 0.0 for t in shipments)
    assert total > 4_000_000
    assert cg.CaseGraph(liquor).summary().shipment_value == pytest.approx(total)
    assert any(t.kind == "payment" for t in liquor.transactions)
    assert len({o.province for o in liquor.organizations
                if o.kind in ("shop", "online_store")}) >= 4


def test_liquor_market_sweep(liquor: cg.Case) -> None:
    inspections = {e.id: e for e in liquor.evidence if e.kind == "inspection"}
    assert inspections
    assert all("market regulat" in (e.agency or "").lower() for e in inspections.values())
    shops = [o for o in liquor.organizations
             if o.kind in ("shop", "online_store") and set(o.evidence) & set(inspections)]
    assert len(shops) >= 5
    assert len({s.province for s in shops}) >= 3


# -- both ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["counterfeit_oil", "fake_liquor"])
def test_load_example_equals_file(name: str) -> None:
    assert cg.load_example(name) == _load(name)


@pytest.mark.parametrize("name", ["counterfeit_oil", "fake_liquor"])
def test_summary_and_time_order(name: str) -> None:
    case = _load(name)
    summary = cg.CaseGraph(case).summary()
    assert summary.counts["shipments"] == len(_shipments(case))
    producers = {"counterfeit_oil": {"W-DEN-01", "ORG-SUPPLIER"},
                 "fake_liquor": {"W-DEN-A", "ORG-SPIRIT", "ORG-RECYCLE"}}[name]
    allowed = {"SHP-0023", "SHP-0045", "SHP-0067"} if name == "counterfeit_oil" else set()
    first_in: dict[str, object] = {}
    for t in sorted(_shipments(case), key=lambda t: (t.timestamp, t.id)):
        if t.source not in producers and t.id not in allowed:
            arrived = first_in.get(t.source)
            assert arrived is not None and arrived < t.timestamp, t.id  # type: ignore[operator]
        first_in.setdefault(t.target, t.timestamp)


def test_every_bundled_example_has_one_builder(build_fixtures: ModuleType) -> None:
    assert sorted(build_fixtures.CASES) == sorted(cg.example_names())
    assert build_fixtures.CASES["fake_liquor"]().id == "fake-liquor-zhou"


def test_rebuild_is_byte_identical(tmp_path: Path, build_fixtures: ModuleType) -> None:
    written = build_fixtures.build(tmp_path)
    assert sorted(written) == ["counterfeit_oil", "fake_liquor"]
    for name, path in written.items():
        assert path == tmp_path / f"{name}.json"
        assert path.read_bytes() == (FIXTURES / f"{name}.json").read_bytes(), name

"""Tests of crimegraph.synth, the synthetic case generator (small cases only: n <= 5000)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import crimegraph as cg
from crimegraph.synth import generate_case, generate_case_data, synthetic_sizes

N = 5000

ID_PATTERNS = {
    "source": re.compile(r"^S\d{7}$"),
    "warehouse": re.compile(r"^W\d{7}$"),
    "distributor": re.compile(r"^D\d{7}$"),
    "shop": re.compile(r"^R\d{7}$"),
    "person": re.compile(r"^PER\d{7}$"),
    "product": re.compile(r"^PRD\d{4}$"),
    "transaction": re.compile(r"^T\d{9}$"),
    "relationship": re.compile(r"^L\d{8}$"),
}
CHAIN_HOPS = {("S", "W"), ("W", "D"), ("D", "R")}
LATERAL_HOPS = {("W", "W"), ("D", "D"), ("R", "D")}
LOCAL = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return generate_case_data(N, seed=7)


@pytest.fixture(scope="module")
def case(data: dict[str, Any]) -> cg.Case:
    return cg.Case.model_validate(data)


def tier(node_id: str) -> str:
    return "P" if node_id.startswith("PER") else node_id[0]


def shipments(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in data["transactions"] if t["kind"] == "shipment"]


# -- counts, determinism, validity -------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 7, 10, 50, 333, 1234, N])
def test_exact_transaction_count(n: int) -> None:
    data = generate_case_data(n, seed=1)
    txs = data["transactions"]
    assert len(txs) == n
    kinds = Counter(t["kind"] for t in txs)
    assert kinds["payment"] == n // 10
    assert kinds["shipment"] == n - n // 10
    assert len({t["id"] for t in txs}) == n


def test_mix_of_shipments_and_payments(data: dict[str, Any]) -> None:
    kinds = Counter(t["kind"] for t in data["transactions"])
    assert kinds == {"shipment": 4500, "payment": 500}


def test_deterministic() -> None:
    first = generate_case_data(800, seed=5)
    assert first == generate_case_data(800, seed=5)
    assert first != generate_case_data(800, seed=6)
    assert generate_case(300, seed=2) == generate_case(300, seed=2)


def test_raw_data_is_json(data: dict[str, Any]) -> None:
    # The raw form is exactly a parsed case file: it round-trips through JSON unchanged.
    assert json.loads(json.dumps(data)) == data
    stamp = data["transactions"][0]["timestamp"]
    assert re.fullmatch(r"2024-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", stamp)


def test_case_validates(case: cg.Case, data: dict[str, Any]) -> None:
    assert isinstance(case, cg.Case)
    assert len(case.transactions) == N
    assert len(case.persons) == len(data["persons"]) == synthetic_sizes(N)["persons"]
    assert case.timezone == "Asia/Shanghai"
    assert generate_case(N, seed=7) == case


def test_case_loads_into_a_case_graph(case: cg.Case) -> None:
    graph = cg.CaseGraph(case)
    table = graph.shipments()
    assert len(table) == 4500
    assert (table.quantity > 0).all()


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10, 22, 50])
def test_tiny_cases_work(n: int) -> None:
    case = generate_case(n, seed=3)
    assert len(case.transactions) == n
    sizes = synthetic_sizes(n)
    assert sizes["sources"] >= 2
    assert sum(w.uses == ["production"] for w in case.warehouses) == sizes["sources"]
    assert sum(t.kind == "payment" for t in case.transactions) == n // 10
    leaders = [p for p in case.persons if p.role == "leader"]
    assert len(leaders) == sizes["gangs"] >= 1


def test_tiny_case_of_fifty_is_sensible() -> None:
    data = generate_case_data(50)
    hops = Counter((tier(t["source"]), tier(t["target"])) for t in shipments(data))
    assert set(hops) >= CHAIN_HOPS  # every tier of the chain is there
    assert set(hops) <= CHAIN_HOPS | LATERAL_HOPS
    assert sum(1 for t in data["transactions"] if t["kind"] == "payment") == 5


def test_n_people_is_respected() -> None:
    data = generate_case_data(400, n_people=120)
    assert len(data["persons"]) == 120
    assert len(generate_case_data(400, n_people=2)["persons"]) == 2
    cg.Case.model_validate(generate_case_data(400, n_people=2))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"n_transactions": -1}, ValueError),
        ({"n_transactions": 10, "seed": -3}, ValueError),
        ({"n_transactions": 10, "n_people": 1}, ValueError),
        ({"n_transactions": 2.5}, TypeError),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        generate_case_data(**kwargs)


# -- ids and tiers --------------------------------------------------------------------------
def test_ids_follow_the_documented_patterns(data: dict[str, Any]) -> None:
    sizes = synthetic_sizes(N)
    sources = [w for w in data["warehouses"] if w["uses"] == ["production"]]
    storage = [w for w in data["warehouses"] if w["uses"] != ["production"]]
    distributors = [o for o in data["organizations"] if o["kind"] == "distributor"]
    shops = [o for o in data["organizations"] if o["kind"] == "shop"]
    groups = {
        "source": sources, "warehouse": storage, "distributor": distributors, "shop": shops,
        "person": data["persons"], "product": data["products"],
        "transaction": data["transactions"], "relationship": data["relationships"],
    }
    for name, records in groups.items():
        assert records, name
        assert all(ID_PATTERNS[name].match(r["id"]) for r in records), name
    assert len(sources) == sizes["sources"] == 15
    assert len(storage) == sizes["warehouses"]
    assert len(distributors) == sizes["distributors"]
    assert len(shops) == sizes["shops"]
    assert len(data["organizations"]) == len(distributors) + len(shops)
    assert all("storage" in w["uses"] for w in storage)
    assert 20 <= len(data["products"]) <= 50
    for product in data["products"]:
        assert product["brand"] and product["unit"] and product["unit_price"] > 0
    # Transaction ids follow the ledger (time) order.
    assert [t["id"] for t in data["transactions"]] == [f"T{i:09d}" for i in range(N)]


def test_sizes_at_scale() -> None:
    sizes = synthetic_sizes(1_000_000)
    assert sizes["sources"] == 300
    assert (sizes["warehouses"], sizes["distributors"], sizes["shops"]) == (2000, 10_000, 50_000)
    assert sizes["persons"] == 50_000
    assert sizes["products"] == 50
    assert synthetic_sizes(100_000)["sources"] == 300
    assert synthetic_sizes(99_999)["sources"] < 300


def test_busiest_source_is_s0000000(data: dict[str, Any]) -> None:
    out = Counter(t["source"] for t in shipments(data) if t["source"].startswith("S"))
    (top, top_count), (_, runner_up) = out.most_common(2)
    assert top == "S0000000"
    assert top_count > runner_up


@pytest.mark.parametrize("seed", range(12))
def test_busiest_source_is_s0000000_even_when_small(seed: int) -> None:
    data = generate_case_data(60, seed=seed)
    out = Counter(t["source"] for t in data["transactions"] if t["source"].startswith("S"))
    (top, top_count), *rest = out.most_common()
    assert top == "S0000000"
    assert all(count < top_count for _, count in rest)


def test_shipments_follow_the_tiers(data: dict[str, Any]) -> None:
    ships = shipments(data)
    hops = Counter((tier(t["source"]), tier(t["target"])) for t in ships)
    assert set(hops) <= CHAIN_HOPS | LATERAL_HOPS
    lateral = sum(hops[h] for h in LATERAL_HOPS)
    assert lateral == synthetic_sizes(N)["lateral"] == 225  # 5 % of the shipments
    assert all(hops[h] > 0 for h in CHAIN_HOPS | LATERAL_HOPS)
    # Fan-out: more deliveries to shops than to distributors than batches out of dens.
    assert hops[("D", "R")] > hops[("W", "D")] > hops[("S", "W")]


def test_returns_close_cycles(data: dict[str, Any]) -> None:
    delivered = {(t["source"], t["target"]) for t in shipments(data)}
    returns = [t for t in shipments(data) if tier(t["source"]) == "R"]
    assert returns
    assert all((t["target"], t["source"]) in delivered for t in returns)


def test_products_travel_along_chains(data: dict[str, Any]) -> None:
    # Whatever a warehouse or distributor ships, it received earlier (same product), for
    # all but the few hops recorded out of order.
    received: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in shipments(data):
        received[(t["target"], t["product"])].append(t["timestamp"])
    onward = [t for t in shipments(data) if tier(t["source"]) in ("W", "D")]
    assert all((t["source"], t["product"]) in received for t in onward)
    in_order = sum(
        min(received[(t["source"], t["product"])]) <= t["timestamp"] for t in onward
    )
    assert in_order / len(onward) > 0.95


def test_quantities_and_amounts(data: dict[str, Any]) -> None:
    prices = {p["id"]: p["unit_price"] for p in data["products"]}
    for t in shipments(data):
        assert t["quantity"] > 0 and isinstance(t["quantity"], int)
        level = t["amount"] / (t["quantity"] * prices[t["product"]])
        assert 0.2 < level < 0.8  # a tier's price level times the retail unit price
    payments = [t for t in data["transactions"] if t["kind"] == "payment"]
    assert all(t["amount"] > 0 and "product" not in t for t in payments)


def test_payments_go_upstream(data: dict[str, Any]) -> None:
    payments = [t for t in data["transactions"] if t["kind"] == "payment"]
    pairs = Counter((tier(t["source"]), tier(t["target"])) for t in payments)
    assert set(pairs) <= {("R", "D"), ("D", "P"), ("P", "P")}
    assert pairs[("R", "D")] > pairs[("D", "P")] > 0
    assert all(t["source"] != t["target"] for t in payments)


def test_regions(data: dict[str, Any]) -> None:
    province = {
        r["id"]: r["province"]
        for section in ("persons", "organizations", "warehouses")
        for r in data[section]
    }
    assert 5 <= len(set(province.values())) <= 10
    ships = shipments(data)
    local = sum(province[t["source"]] == province[t["target"]] for t in ships) / len(ships)
    assert 0.75 < local < 0.95


# -- social layer -----------------------------------------------------------------------------
def test_gangs_and_leaders(data: dict[str, Any]) -> None:
    persons = data["persons"]
    gangs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in persons:
        gangs[person["attributes"]["gang"]].append(person)
    assert len(gangs) == synthetic_sizes(N)["gangs"] == 10
    leads = defaultdict(set)
    for rel in data["relationships"]:
        if rel["kind"] == "leads":
            leads[rel["source"]].add(rel["target"])
    for members in gangs.values():
        assert 15 <= len(members) <= 40
        leaders = [p for p in members if p["role"] == "leader"]
        assert len(leaders) == 1
        # Every leader leads exactly the other members of the gang.
        others = {p["id"] for p in members} - {leaders[0]["id"]}
        assert leads[leaders[0]["id"]] == others
    statuses = Counter(p["status"] for p in persons)
    assert {"suspect", "arrested", "wanted", "unknown"} <= set(statuses)


def test_owners_and_operators(data: dict[str, Any]) -> None:
    owns: dict[str, list[str]] = defaultdict(list)
    operates: dict[str, list[str]] = defaultdict(list)
    for rel in data["relationships"]:
        if rel["kind"] == "owns":
            owns[rel["target"]].append(rel["source"])
        elif rel["kind"] == "operates":
            operates[rel["target"]].append(rel["source"])
    run = [w["id"] for w in data["warehouses"]]
    run += [o["id"] for o in data["organizations"] if o["kind"] == "distributor"]
    for entity in run:
        assert len(owns[entity]) == 1 and owns[entity][0].startswith("PER"), entity
        assert len(operates[entity]) == 1 and operates[entity][0].startswith("PER"), entity
    kinds = Counter(rel["kind"] for rel in data["relationships"])
    assert kinds["employs"] > 0


def test_calls(data: dict[str, Any]) -> None:
    gang = {p["id"]: p["attributes"]["gang"] for p in data["persons"]}
    calls = [rel for rel in data["relationships"] if rel["kind"] == "calls"]
    assert len(calls) == 4 * len(data["persons"])
    assert all(rel["weight"] >= 1 and rel["source"] != rel["target"] for rel in calls)
    inside = sum(gang[rel["source"]] == gang[rel["target"]] for rel in calls) / len(calls)
    assert 0.75 < inside < 0.9


def test_relationship_ids_are_sequential(data: dict[str, Any]) -> None:
    ids = [rel["id"] for rel in data["relationships"]]
    assert ids == [f"L{i:08d}" for i in range(len(ids))]


def test_evidence_is_light(data: dict[str, Any]) -> None:
    evidence = {e["id"] for e in data["evidence"]}
    assert 5 <= len(evidence) <= 20
    assert Counter(e["kind"] for e in data["evidence"])["waybill"] >= 1
    citing = [
        record
        for section in ("persons", "organizations", "warehouses", "transactions", "relationships")
        for record in data[section]
        if record.get("evidence")
    ]
    assert citing
    assert all(set(record["evidence"]) <= evidence for record in citing)
    assert len(citing) < 0.05 * N


# -- time -----------------------------------------------------------------------------------
def test_time_span_and_ledger_order(case: cg.Case, data: dict[str, Any]) -> None:
    stamps = [t["timestamp"] for t in data["transactions"]]
    assert stamps == sorted(stamps)
    times = [t.timestamp for t in case.transactions]
    assert times == sorted(times)
    start = datetime(2024, 1, 1, tzinfo=LOCAL)
    end = datetime(2025, 1, 1, tzinfo=LOCAL)
    assert start <= times[0] and times[-1] < end
    assert times[-1] - times[0] > timedelta(days=330)
    assert all(t.microsecond == 0 and t.utcoffset() == timedelta(hours=8) for t in times)


def test_some_hops_are_out_of_order(data: dict[str, Any]) -> None:
    # Goods leave a distributor before any delivery of that product reached it: rare, not never.
    first_in: dict[tuple[str, str], str] = {}
    for t in shipments(data):  # transactions are in time order
        first_in.setdefault((t["target"], t["product"]), t["timestamp"])
    early = [
        t for t in shipments(data)
        if tier(t["source"]) == "D" and t["timestamp"] < first_in[(t["source"], t["product"])]
    ]
    assert 0 < len(early) < 0.05 * len(shipments(data))

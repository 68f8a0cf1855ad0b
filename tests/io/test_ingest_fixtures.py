"""The raw exports of the counterfeit-oil case ingest back into the case's facts.

``fixtures/raw/`` holds the five exports the agencies would hand over for the bundled case
(built by ``fixtures/raw/build_raw.py``). Ingested, they give back, compared by content (ids
are derived from phones, addresses, names and reference numbers, not the case's ``P-01``):

- every person with a phone (20 of 29: the others have no phone in the case and appear in no
  export), with the same name, and one more: the bank holds the leader 王德胜's account as
  ``WANG DESHENG`` with a second mobile number, a person of its own until entity resolution
  joins the two;
- the five warehouses that ship or receive by waybill (the two dens never do: their goods move
  by the ring's own trucks, without waybills), and one more: the receiving depot writes
  W-WH-07's address with its province (``江苏省徐州市铜山区某物流中心B区``), a premises of its
  own until entity resolution joins the two;
- every shipment with a waybill number (385 of 733: the others, internal den transfers,
  supplier deliveries and the distributors' own deliveries, are in no export), with the same
  time, product, quantity, value, sender and receiver;
- every payment (97), with the same time, amount, payer and payee;
- the 20 ``calls`` relationships between people with phones, with the same number of calls
  (since/until become the first and last call; the case gives the whole period);
- 38 of the 45 organizations (7 shops buy only from distributors that deliver them without a
  waybill, and no inspection visited them), and three more: the front company without its
  legal form (``廊坊瑞通恒达商贸``, as two distributors' transfers name it), the shop 顺发汽车养护中心
  under its registered name with 有限公司 (the regulator's), two duplicates for entity
  resolution, and a relative's business inspected in the same premises under the same phone (a
  business of its own that entity resolution must not join).

The differences are the case's own knowledge that no export holds: names of premises (the
exports know addresses), roles, statuses, the kinds of organizations other than shops, stores
and carriers, relationships other than calls, and the police's evidence.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

import crimegraph as cg
from crimegraph.io.sources.parse import address_key, normalise_phone

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "fixtures" / "raw"
SOURCES = [(RAW / "waybills.csv", "waybills"),
           (RAW / "bank_statements.xlsx", "bank_statements"),
           (RAW / "orders.csv", "orders"),
           (RAW / "call_records.csv", "call_records"),
           (RAW / "inspections.xlsx", "inspections")]


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("build_raw", RAW / "build_raw.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_raw"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def case() -> cg.Case:
    return cg.load_example("counterfeit_oil")


@pytest.fixture(scope="module")
def ingested() -> cg.Ingested:
    return cg.ingest(SOURCES, strict=False, reliability="B", credibility=2,  # type: ignore[arg-type]
                     case_id="counterfeit-oil-ingested")


def test_build_raw_is_deterministic_and_committed(tmp_path: Path) -> None:
    rows = _builder().build(tmp_path)
    for name in rows:
        assert (tmp_path / name).read_bytes() == (RAW / name).read_bytes(), name


def test_every_bad_row_is_reported_and_the_counts_add_up(ingested: cg.Ingested) -> None:
    found = set(zip(ingested.problems["source"], ingested.problems["row"],
                    ingested.problems["column"]))
    assert found == {("waybills.csv", 63, "寄件时间"), ("waybills.csv", 253, "件数"),
                     ("bank_statements.xlsx", 103, "交易金额"),
                     ("call_records.csv", 503, "开始时间")}
    s = ingested.sources
    assert (s["rows_read"] == s["recorded"] + s["rejected"] + s["skipped"]).all()
    assert list(s["encoding"]) == ["gb18030", "xlsx", "utf-8-sig", "utf-8", "xlsx"]
    assert s.set_index("source").loc["waybills.csv", "skipped_because"] == (
        "blank row (1); cancelled waybill (运单状态 已取消) (1)")


def test_people_by_phone(case: cg.Case, ingested: cg.Ingested) -> None:
    expected = {normalise_phone(p.phones[0]): p.name for p in case.persons if p.phones}
    expected[BANK_PHONE] = "WANG DESHENG"  # the leader's bank account: a duplicate of P-01
    got = {p.phones[0]: p.name for p in ingested.case.persons}
    assert got == expected and len(got) == 21
    # The operator spells one subscriber differently: kept as an alias, reported as a conflict.
    keeper = ingested.case.get("tel:+8613800000124")
    assert keeper.aliases == ["谢保山"]  # type: ignore[attr-defined]
    (conflict,) = ingested.conflicts.itertuples(index=False)
    assert (conflict.record, conflict.field, conflict.kept, conflict.other) == (
        "tel:+8613800000124", "name", "谢宝山", "谢保山")


BANK_PHONE = "+8618600000101"
"""The second number the leader (P-01) reserved for his bank account."""
RECEIVED_AT = {"W-WH-07": "江苏省徐州市铜山区某物流中心B区"}
"""A premises whose address the receiving depot writes with the province."""
SHORT_NAME = "org:廊坊瑞通恒达商贸"
SHORT_NAME_PAYERS = {"DIST-09", "DIST-11"}
"""The distributors whose transfers name the front company without 有限公司."""


def _key(case: cg.Case, rid: str, *, bank: bool = False, receiving: bool = False,
         payer: str = "") -> str:
    """The id ingest derives for a case entity (addresses, names, phones); ``bank``: as the
    bank statements know it (``payer``: in a transfer from that payer); ``receiving``: as the
    waybills name a receiver."""
    if bank and rid == "P-01":
        return f"tel:{BANK_PHONE}"
    if bank and rid == "ORG-FRONT-CO" and payer in SHORT_NAME_PAYERS:
        return SHORT_NAME
    record = case.get(rid)
    if isinstance(record, cg.Warehouse):
        if receiving and rid in RECEIVED_AT:
            return f"addr:{RECEIVED_AT[rid]}"
        return f"addr:{address_key(record.address or '')}"
    if isinstance(record, cg.Person):
        return f"tel:{normalise_phone(record.phones[0])}"
    return f"org:{address_key(record.name)}"  # type: ignore[attr-defined]


def test_premises_by_address(case: cg.Case, ingested: cg.Ingested) -> None:
    waybilled = {end for t in case.transactions if t.kind == "shipment" and t.reference
                 for end in (t.source, t.target) if end.startswith("W-")}
    assert waybilled == {"W-WH-03", "W-WH-04", "W-WH-05", "W-WH-06", "W-WH-07"}
    expected = {case.get(w).address for w in waybilled}  # type: ignore[attr-defined]
    assert {w.address for w in ingested.case.warehouses} == expected | set(RECEIVED_AT.values())


def test_shipments_by_waybill(case: cg.Case, ingested: cg.Ingested) -> None:
    products = {p.id: p.name.removeprefix("假冒") for p in case.products}
    expected = [t for t in case.transactions if t.kind == "shipment" and t.reference]
    got = {t.reference: t for t in ingested.case.transactions if t.kind == "shipment"}
    assert len(expected) == len(got) == 385
    for t in expected:
        mine = got[t.reference]
        assert mine.timestamp == t.timestamp and mine.quantity == t.quantity
        assert mine.amount == t.amount
        assert ingested.case.get(mine.product).name == products[t.product]  # type: ignore
        assert (mine.source, mine.target) == (_key(case, t.source),
                                              _key(case, t.target, receiving=True))
        assert mine.carrier == "org:恒运物流有限公司"
    # An online-store order and its waybill are one shipment with both files as evidence.
    online = [t for t in got.values() if t.source == "org:车友汇润滑油专营店"]
    both = [t for t in online if len(t.evidence) == 2]
    assert len(both) == 12


def test_payments_by_reference(case: cg.Case, ingested: cg.Ingested) -> None:
    expected = [t for t in case.transactions if t.kind == "payment"]
    got = {t.reference: t for t in ingested.case.transactions if t.kind == "payment"}
    assert len(got) == len(expected) == 97
    for t in expected:
        mine = got[t.reference]
        assert (mine.timestamp, mine.amount) == (t.timestamp, t.amount)
        assert (mine.source, mine.target) == (
            _key(case, t.source, bank=True, payer=t.source),
            _key(case, t.target, bank=True, payer=t.source))
    short = [t for t in got.values() if t.target == SHORT_NAME]
    assert len(short) == 11 and {t.source for t in short} == {
        _key(case, d) for d in SHORT_NAME_PAYERS}


def test_calls_with_their_counts(case: cg.Case, ingested: cg.Ingested) -> None:
    phones = {p.id for p in case.persons if p.phones}
    expected = {(_key(case, r.source), _key(case, r.target)): r.weight
                for r in case.relationships
                if r.kind == "calls" and {r.source, r.target} <= phones}
    got = {(r.source, r.target): r.weight for r in ingested.case.relationships}
    assert got == expected and len(got) == 20
    for rel in ingested.case.relationships:
        assert rel.since is not None and rel.until is not None and rel.since <= rel.until


def test_organizations_by_name(case: cg.Case, ingested: cg.Ingested) -> None:
    names = {o.name for o in ingested.case.organizations}
    missing = {o.id for o in case.organizations if o.name not in names}
    assert missing == {"SHOP-01", "SHOP-04", "SHOP-07", "SHOP-09", "SHOP-16", "SHOP-24",
                       "SHOP-26"}
    assert names - {o.name for o in case.organizations} == {
        "廊坊瑞通恒达商贸", "顺发汽车养护中心有限公司", "宋氏润滑油经营部"}
    registered = ingested.case.get("org:顺发汽车养护中心有限公司")
    sign = ingested.case.get("org:顺发汽车养护中心")
    assert registered.address == sign.address  # type: ignore[attr-defined]
    relative = ingested.case.get("org:宋氏润滑油经营部")
    assert relative.address == ingested.case.get("org:宋都汽配商行").address  # type: ignore
    assert relative.registration_id != ingested.case.get(  # type: ignore[attr-defined]
        "org:宋都汽配商行").registration_id  # type: ignore[attr-defined]
    inspected = ingested.case.get("org:宋都汽配商行")
    assert inspected.kind == "shop"  # type: ignore[attr-defined]
    (first,) = [e for e in inspected.evidence if e.startswith("insp:")]
    inspection = ingested.case.get(first)
    assert (inspection.kind, inspection.reference) == (  # type: ignore[attr-defined]
        "inspection", "SJ-20240314-01")


def test_every_record_carries_its_sources_and_grading(ingested: cg.Ingested) -> None:
    evidence = {e.id: e for e in ingested.case.evidence}
    files = {k: e for k, e in evidence.items() if k.startswith("src:")}
    assert {e.reference for e in files.values()} == {p.name for p, _ in SOURCES}
    # (besides each file's record, one per inspection, graded as its file)
    assert {k for k in evidence if k not in files} == {
        k for k in evidence if k.startswith("insp:")}
    assert {(e.reliability, e.credibility) for e in evidence.values()} == {("B", 2)}
    for record in ingested.case.records():
        if isinstance(record, cg.Evidence):
            continue
        assert record.evidence and set(record.evidence) <= set(evidence), record.id
        assert record.attributes["rows"], record.id
    keeper = ingested.case.get("tel:+8613800000120")
    assert keeper.evidence == ["src:waybills.csv", "src:call_records.csv"]
    assert keeper.attributes["rows"].startswith("waybills.csv:2-")
    rows = ingested.provenance[ingested.provenance["record"] == "wb:HY1691050864"]
    assert list(zip(rows["source"], rows["row"])) == [("waybills.csv", 2)]


def test_ingested_case_is_analysable(ingested: cg.Ingested) -> None:
    chain = cg.trace_chain(ingested.case, "addr:廊坊市某物流园C区17号库")
    assert len(chain.transactions) > 100

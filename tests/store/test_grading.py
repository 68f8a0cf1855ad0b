"""cg.graded: the view of a case that evidence at or above an Admiralty grade supports.

Kept and dropped ids are checked exactly on a hand-built case and on the bundled examples;
every analysis answers on the view as on the same facts entered by hand; both stores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx
import pandas as pd
import pytest

import crimegraph as cg
from crimegraph.model.case import SECTIONS

Make = Callable[[cg.Case], cg.CaseGraph]


def ev(eid: str, reliability: str | None, credibility: int | None, **more: Any) -> cg.Evidence:
    return cg.Evidence(id=eid, name=f"Evidence {eid}", reliability=reliability,
                       credibility=credibility, **more)


def ship(tid: str, source: str, target: str, day: str, evidence: list[str],
         **more: Any) -> cg.Transaction:
    return cg.Transaction(id=tid, kind="shipment", source=source, target=target,
                          timestamp=f"2024-03-{day}", product="OIL", quantity=10,
                          evidence=evidence, **more)


def pay(tid: str, source: str, target: str, evidence: list[str]) -> cg.Transaction:
    return cg.Transaction(id=tid, kind="payment", source=source, target=target,
                          timestamp="2024-03-09", amount=500, evidence=evidence)


def tie(rid: str, kind: str, source: str, target: str, evidence: list[str]) -> cg.Relationship:
    return cg.Relationship(id=rid, kind=kind, source=source, target=target, evidence=evidence)


EVIDENCE = [
    ev("E-A1", "A", 1, evidence=["E-C2"]),  # evidence may cite evidence
    ev("E-B2", "B", 2),
    ev("E-B2-GIN", "B", 2, kind="seizure", product="GIN", quantity=40),
    ev("E-B3", "B", 3),
    ev("E-C2", "C", 2),
    ev("E-F6", "F", 6),             # cannot be judged: no grade
    ev("E-NONE", None, None),        # not graded
    ev("E-A-NONE", "A", None),       # source graded, information not
]


def small_case() -> cg.Case:
    """Every rule once: weak, ungraded, F/6, unsourced records; carriers; products."""
    return cg.Case(
        id="graded-small", title="Small ring",
        persons=[
            cg.Person(id="BOSS", name="Boss", evidence=["E-B2", "E-C2"]),
            cg.Person(id="AIDE", name="Aide", evidence=["E-NONE"]),
            cg.Person(id="DRIVER", name="Driver"),
        ],
        organizations=[
            cg.Organization(id="SHOP1", name="Shop 1", kind="shop", evidence=["E-C2"]),
            cg.Organization(id="SHOP2", name="Shop 2", kind="shop", evidence=["E-F6"]),
            cg.Organization(id="SHOP3", name="Shop 3", kind="shop"),
            cg.Organization(id="LOGI", name="Logistics", kind="logistics"),
        ],
        warehouses=[
            cg.Warehouse(id="DEN", name="Den", uses=["production"], evidence=["E-A1"]),
            cg.Warehouse(id="WH", name="Warehouse", uses=["storage"]),
        ],
        products=[
            cg.Product(id="OIL", name="Fake oil"),
            cg.Product(id="GIN", name="Fake gin"),
            cg.Product(id="WINE", name="Fake wine", evidence=["E-A1"]),
            cg.Product(id="BEER", name="Beer"),
        ],
        transactions=[
            ship("T1", "DEN", "WH", "01", ["E-A1"], carrier="LOGI"),
            ship("T2", "WH", "SHOP1", "02", ["E-B2"]),
            ship("T3", "WH", "SHOP2", "03", ["E-F6"]),
            ship("T4", "WH", "SHOP3", "04", []),
            pay("T5", "SHOP1", "BOSS", ["E-B3", "E-NONE"]),
            pay("T6", "SHOP1", "DEN", ["E-A-NONE"]),
        ],
        relationships=[
            tie("R1", "leads", "BOSS", "AIDE", ["E-B2"]),
            tie("R2", "calls", "BOSS", "DRIVER", ["E-C2"]),
            tie("R3", "calls", "AIDE", "DRIVER", []),
        ],
        evidence=EVIDENCE,
    )


def kept_ids(graph: cg.CaseGraph) -> set[str]:
    return {record.id for record in graph.case.records()}


ALL_IDS = {r.id for r in small_case().records()}


@pytest.mark.parametrize(("reliability", "credibility", "unsupported", "dropped"), [
    ("B", 2, "drop", {"SHOP2", "SHOP3", "DRIVER", "BEER", "T3", "T4", "T5", "T6", "R2", "R3",
                      "E-B3", "E-C2", "E-F6", "E-NONE", "E-A-NONE"}),
    ("B", 2, "keep", {"SHOP2", "T3", "T5", "T6", "R2", "E-B3", "E-C2", "E-F6", "E-NONE",
                      "E-A-NONE"}),
    ("A", 1, "drop", {"SHOP1", "SHOP2", "SHOP3", "BOSS", "AIDE", "DRIVER", "T2", "T3", "T4",
                      "T5", "T6", "R1", "R2", "R3", "E-B2", "E-B2-GIN", "E-B3", "E-C2", "E-F6",
                      "E-NONE", "E-A-NONE", "GIN", "BEER"}),
    ("B", 3, "drop", {"SHOP2", "SHOP3", "DRIVER", "BEER", "T3", "T4", "T6", "R2", "R3",
                      "E-C2", "E-F6", "E-NONE", "E-A-NONE"}),
    ("C", 2, "drop", {"SHOP2", "SHOP3", "BEER", "T3", "T4", "T5", "T6", "R3", "E-B3", "E-F6",
                      "E-NONE", "E-A-NONE"}),
    # E and 5 accept every judged grade, never F, 6 or none.
    ("E", 5, "drop", {"SHOP2", "SHOP3", "BEER", "T3", "T4", "T6", "R3", "E-F6", "E-NONE",
                      "E-A-NONE"}),
    # No requirement on information credibility: the A source of E-A-NONE now counts.
    ("A", None, "drop", {"SHOP2", "SHOP3", "BOSS", "AIDE", "DRIVER", "T2", "T3", "T4",
                         "T5", "R1", "R2", "R3", "E-B2", "E-B2-GIN", "E-B3", "E-C2", "E-F6",
                         "E-NONE", "GIN", "BEER"}),
    # No requirement at all: only records citing no evidence go.
    (None, None, "drop", {"SHOP3", "BEER", "T4", "R3"}),
    (None, None, "keep", set()),
])
def test_kept_and_dropped_ids(make_graph: Make, reliability: Any, credibility: Any,
                              unsupported: Any, dropped: set[str]) -> None:
    view = cg.graded(make_graph(small_case()), reliability=reliability,
                     credibility=credibility, unsupported=unsupported)
    assert ALL_IDS - kept_ids(view) == dropped
    assert isinstance(view, cg.CaseGraph) and isinstance(view.store, cg.NetworkXStore)


def test_kept_records_cite_only_evidence_at_the_grade() -> None:
    view = cg.graded(small_case())  # B, 2
    case = view.case
    assert case.get("BOSS").evidence == ["E-B2"]      # the C2 source is gone
    assert case.get("SHOP1").evidence == []           # kept as the receiver of T2 (B2)
    assert case.get("AIDE").evidence == []            # kept as the one R1 (B2) leads
    assert case.get("E-A1").evidence == []            # evidence citing weak evidence, too
    assert case.get("T1").carrier == "LOGI" and "LOGI" in view  # the carrier comes along
    assert case.get("T2") == small_case().get("T2")   # otherwise records are unchanged
    assert isinstance(case.get("E-B2-GIN"), cg.Evidence) and "GIN" in view  # seized product


def expected_b2() -> cg.Case:
    """The small case at A–B, 1–2 (unsourced records dropped), entered by hand."""
    base = small_case()
    return cg.Case(
        id="by-hand", title="Small ring, by hand",
        persons=[base.get("BOSS").model_copy(update={"evidence": ["E-B2"]}),
                 cg.Person(id="AIDE", name="Aide")],
        organizations=[cg.Organization(id="SHOP1", name="Shop 1", kind="shop"),
                       cg.Organization(id="LOGI", name="Logistics", kind="logistics")],
        warehouses=[base.get("DEN"), base.get("WH")],
        products=[base.get("OIL"), base.get("GIN"), base.get("WINE")],
        transactions=[base.get("T1"), base.get("T2")],
        relationships=[base.get("R1")],
        evidence=[ev("E-A1", "A", 1), ev("E-B2", "B", 2),
                  ev("E-B2-GIN", "B", 2, kind="seizure", product="GIN", quantity=40)],
    )


def test_the_view_is_the_case_entered_by_hand(make_graph: Make) -> None:
    view = cg.graded(make_graph(small_case()))
    by_hand = expected_b2()
    for section in SECTIONS:
        assert getattr(view.case, section) == getattr(by_hand, section), section


def _plain(value: Any) -> Any:
    """Analysis results as comparable plain data."""
    if isinstance(value, pd.DataFrame):
        return value.reset_index(drop=True).astype(object).where(value.notna(), None) \
            .to_dict("split")
    if isinstance(value, nx.Graph):
        return (sorted((n, repr(sorted(d.items()))) for n, d in value.nodes(data=True)),
                sorted((*sorted((u, v)), repr(sorted(d.items())))
                       for u, v, d in value.edges(data=True)))
    return value


def answers(graph: cg.CaseGraph, start: str) -> dict[str, Any]:
    """What every analysis says about a case graph."""
    chain = cg.trace_chain(graph, start)
    groups = cg.find_groups(graph, seed=0)
    disruption = cg.simulate_disruption(graph, "betweenness")
    cut = cg.cut_chain(graph)
    found = {
        "trace_chain": (chain.nodes, chain.transactions, chain.tiers, chain.sources,
                        chain.endpoints, chain.to_dataframe(), chain.total_quantity),
        "find_sources": cg.find_sources(graph),
        "key_players": cg.key_players(graph, "betweenness", k=None),
        "find_brokers": cg.find_brokers(graph),
        "find_groups": (groups.groups, groups.modularity),
        "infer_hierarchy": cg.infer_hierarchy(graph),
        "simulate_disruption": (disruption.removed, disruption.curve),
        "cut_chain": (cut.nodes, cut.quantity, cut.table),
        "social_network": cg.social_network(graph, include_transactions=True),
    }
    return {name: _plain(value) if not isinstance(value, tuple) else tuple(map(_plain, value))
            for name, value in found.items()}


def _same(one: dict[str, Any], other: dict[str, Any]) -> None:
    assert one.keys() == other.keys()
    for name in one:
        left, right = one[name], other[name]
        if name == "find_groups":  # modularity: NaN when there are no ties
            assert left[0] == right[0] and repr(left[1]) == repr(right[1]), name
        else:
            assert repr(left) == repr(right), name


def test_every_analysis_answers_on_the_view_as_on_the_case_by_hand(make_graph: Make) -> None:
    view = cg.graded(make_graph(small_case()))
    _same(answers(view, "DEN"), answers(make_graph(expected_b2()), "DEN"))
    # ...and on a Case as well as on a CaseGraph.
    assert kept_ids(cg.graded(small_case())) == kept_ids(view)


# -- the bundled examples ---------------------------------------------------------------------

def by_hand(case: cg.Case, reliability: str, credibility: int, unsupported: str) -> cg.Case:
    """The graded case, written out rule by rule from the documentation."""
    letters = "ABCDE"[: "ABCDE".index(reliability) + 1]
    good = {e.id for e in case.evidence
            if e.reliability in letters and e.credibility in range(1, credibility + 1)}

    def ok(record: Any) -> bool:
        if not record.evidence:
            return unsupported == "keep"
        return bool(good.intersection(record.evidence))

    def cite(record: Any) -> Any:
        return record.model_copy(update={"evidence": [e for e in record.evidence if e in good]})

    txs = [cite(t) for t in case.transactions if ok(t)]
    rels = [cite(r) for r in case.relationships if ok(r)]
    ends = {t.source for t in txs} | {t.target for t in txs} | {r.source for r in rels} \
        | {r.target for r in rels} | {t.carrier for t in txs if t.carrier}
    evidence = [cite(e) for e in case.evidence if e.id in good]
    named = {t.product for t in txs} | {e.product for e in evidence if e.product}
    return cg.Case(
        id="by-hand", timezone=case.timezone,
        persons=[cite(p) for p in case.persons if ok(p) or p.id in ends],
        organizations=[cite(o) for o in case.organizations if ok(o) or o.id in ends],
        warehouses=[cite(w) for w in case.warehouses if ok(w) or w.id in ends],
        products=[cite(p) for p in case.products if ok(p) or p.id in named],
        transactions=txs, relationships=rels, evidence=evidence,
    )


OIL_B2_WEAK = {  # what rests only on sources below A–B, 1–2 in counterfeit_oil
    "EV-INSP-10", "EV-INSP-11", "EV-TIP-01", "EV-TIP-02", "EV-WIRETAP-03", "EV-WITNESS-01",
    "EV-WITNESS-03",
    "P-27",  # owner of den W-DEN-01 only by a C3 witness, and tied by nothing stronger
    "REL-020", "REL-021", "REL-022", "REL-023", "REL-024", "REL-025",  # P-03 leads: B3 wiretap
    "REL-036", "REL-037", "REL-038", "REL-056", "REL-057",             # C3 witness
    "REL-065", "REL-066", "REL-067", "REL-068", "REL-069", "REL-070", "REL-071", "REL-072",
    "REL-073", "REL-074", "REL-075",
}
LIQUOR_B2_WEAK = {
    "EV-PLATFORM-02", "EV-TIP-01", "EV-WITNESS-01", "EV-WITNESS-02",
    "REL-022", "REL-026", "REL-027", "REL-032", "SHP-0002", "SHP-0031", "SHP-0067", "SHP-0113",
}


@pytest.mark.parametrize(("example", "reliability", "credibility", "dropped"), [
    ("counterfeit_oil", "B", 2, OIL_B2_WEAK),
    ("counterfeit_oil", "C", 3, {"EV-TIP-01", "EV-TIP-02"}),  # F6 and D4 tips, cited by nothing
    ("counterfeit_oil", "E", 5, {"EV-TIP-01"}),               # F6: never a grade
    ("fake_liquor", "B", 2, LIQUOR_B2_WEAK),
    ("fake_liquor", "C", 3, {"EV-TIP-01"}),                    # E3 tip
    ("fake_liquor", "E", 5, set()),
])
def test_examples_keeping_unsourced_records(example: str, reliability: Any, credibility: Any,
                                            dropped: set[str]) -> None:
    case = cg.load_example(example)
    view = cg.graded(case, reliability=reliability, credibility=credibility,
                     unsupported="keep")
    assert {r.id for r in case.records()} - kept_ids(view) == dropped


@pytest.mark.parametrize(("example", "reliability", "credibility", "counts"), [
    # persons, organizations, warehouses, products, transactions, relationships, evidence
    ("counterfeit_oil", "B", 2, (28, 38, 7, 5, 601, 62, 31)),
    ("counterfeit_oil", "A", 1, (28, 18, 4, 5, 120, 49, 12)),
    ("fake_liquor", "B", 2, (11, 19, 3, 7, 144, 42, 20)),
    ("fake_liquor", "A", 1, (11, 17, 3, 7, 72, 31, 9)),
])
def test_examples_dropping_unsourced_records(example: str, reliability: Any, credibility: Any,
                                             counts: tuple[int, ...]) -> None:
    case = cg.load_example(example)
    view = cg.graded(case, reliability=reliability, credibility=credibility).case
    assert tuple(len(getattr(view, s)) for s in SECTIONS) == counts
    expected = by_hand(case, reliability, credibility, "drop")
    for section in SECTIONS:
        assert getattr(view, section) == getattr(expected, section), section


def test_fake_liquor_at_a1_keeps_the_shipments_a_bank_record_proves() -> None:
    view = cg.graded(cg.load_example("fake_liquor"), reliability="A", credibility=1).case
    assert [t.id for t in view.transactions if t.kind == "shipment"] == [
        "SHP-0001", "SHP-0030", "SHP-0066", "SHP-0112"]
    assert all(t.evidence == ["EV-BANK-01"] for t in view.transactions if t.kind == "shipment")


def test_counterfeit_oil_view_cites_the_strong_sources_only() -> None:
    case = cg.graded(cg.load_example("counterfeit_oil")).case
    assert case.get("W-DEN-01").evidence == ["EV-SEIZE-01", "EV-SURV-01"]
    assert case.get("P-03").evidence == ["EV-WIRETAP-01", "EV-FREEZE-02"]
    assert case.get("ORG-LOGI").evidence == ["EV-WAYBILL-01"]


def test_every_analysis_on_an_example_view(make_graph: Make) -> None:
    case = cg.load_example("counterfeit_oil")
    view = cg.graded(make_graph(case), reliability="B", credibility=2)
    _same(answers(view, "W-DEN-01"),
          answers(make_graph(by_hand(case, "B", 2, "drop")), "W-DEN-01"))
    # The salesmen's orders from P-03 rest on a B3 wiretap: at A–B, 1–2 they are gone.
    full = cg.infer_hierarchy(case).set_index("id")
    graded = cg.infer_hierarchy(view).set_index("id")
    assert full.loc["P-16", "superior"] == "P-03" and graded.loc["P-16", "superior"] != "P-03"


# -- stores, descriptions, arguments ----------------------------------------------------------

def test_a_stored_case_read_back_is_graded_the_same(make_graph: Make) -> None:
    graph = make_graph(small_case())
    if isinstance(graph.store, cg.Neo4jStore):
        graph = cg.CaseGraph.open(graph.store, graph.case_id)  # the case comes from the database
    view = graph.graded(reliability="B", credibility=2)
    assert kept_ids(view) == kept_ids(cg.graded(small_case()))
    assert isinstance(view.store, cg.NetworkXStore)  # an in-memory view, whatever the input


def test_the_view_can_be_kept_in_a_store_of_its_own(
    make_graph: Make, new_store: Callable[[], cg.Store],
) -> None:
    graph = make_graph(small_case())
    store = new_store()
    view = cg.graded(graph, store=store)
    assert view.store is store and view.case_id == "graded-small-graded-B2"
    assert view.case_id != graph.case_id  # the stored case and its view do not collide
    assert set(view.to_networkx().nodes) == {"BOSS", "AIDE", "SHOP1", "LOGI", "DEN", "WH"}
    _same(answers(view, "DEN"), answers(make_graph(expected_b2()), "DEN"))


def test_the_view_says_its_grade(make_graph: Make) -> None:
    graph = make_graph(small_case())
    assert graph.grade is None
    view = cg.graded(graph)
    assert view.grade == cg.Grade("B", 2, "drop")
    assert view.grade.label == "A–B, 1–2"
    assert view.describe().endswith("graded: evidence A–B, 1–2 only")
    assert "evidence A–B, 1–2 only" in repr(view)
    summary = view.summary()
    assert summary.title == "Small ring (evidence A–B, 1–2 only)"
    assert "evidence A–B, 1–2 only" in str(summary)
    keep = cg.graded(graph, reliability="A", credibility=1, unsupported="keep")
    assert keep.case_id == "graded-small-graded-A1-keep"
    assert str(keep.grade) == "evidence A, 1 only; records citing no evidence kept"
    assert cg.Grade("C", None).label == "A–C, any credibility"
    assert cg.Grade(None, 3).label == "any reliability, 1–3"
    assert str(cg.Grade(None, None)) == "evidence of any grade only"
    assert cg.graded(graph, reliability=None, credibility=None).case_id.endswith("-graded-xx")


def test_the_input_is_left_as_it_is(make_graph: Make) -> None:
    graph = make_graph(small_case())
    cg.graded(graph, reliability="A", credibility=1)
    assert kept_ids(graph) == ALL_IDS and graph.grade is None
    assert graph.case.get("BOSS").evidence == ["E-B2", "E-C2"]


@pytest.mark.parametrize(("arguments", "message"), [
    ({"reliability": "G"}, r"reliability='G' .* 'A', 'B', 'C', 'D', 'E'"),
    ({"reliability": "F"}, r"'A', 'B', 'C', 'D', 'E' .* F means the source cannot be judged"),
    ({"reliability": "b"}, r"reliability='b' .* 'A', 'B', 'C', 'D', 'E'"),
    ({"credibility": 0}, r"credibility=0 .* 1, 2, 3, 4, 5"),
    ({"credibility": 6}, r"1, 2, 3, 4, 5 .* 6 means the information cannot be judged"),
    ({"credibility": True}, r"credibility=True .* 1, 2, 3, 4, 5"),
    ({"credibility": 2.0}, r"credibility=2.0 .* 1, 2, 3, 4, 5"),
    ({"credibility": "2"}, r"credibility='2' .* 1, 2, 3, 4, 5"),
    ({"unsupported": "ignore"}, r"unsupported='ignore' is not one of 'drop', 'keep'"),
])
def test_bad_grades_name_the_allowed_values(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cg.graded(small_case(), **arguments)
    with pytest.raises(ValueError, match=message):
        cg.Grade(**arguments)


def test_bad_input_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected a crimegraph.CaseGraph or crimegraph.Case"):
        cg.graded({"id": "x"})  # type: ignore[arg-type]

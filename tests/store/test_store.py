"""The store interface, run once per store kind through ``make_graph``."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest

import crimegraph as cg
from crimegraph.analysis import flows
from crimegraph.model._time import from_epoch_us
from crimegraph.store.adjacency import adjacency
from crimegraph.store.base import FlowCandidates, FlowQuery, FlowWalk, SettledWalk

Make = Callable[[cg.Case], cg.CaseGraph]


def ring() -> cg.Case:
    return cg.Case.model_validate({
        "id": "ring",
        "title": "Small ring",
        "persons": [
            {"id": "BOSS", "name": "周老板", "role": "leader", "status": "arrested",
             "province": "Hebei"},
            {"id": "DRV", "name": "Driver Wu", "role": "driver", "status": "suspect",
             "province": "Hebei"},
            {"id": "WIT", "name": "Witness Ma", "status": "witness", "province": "Henan"},
        ],
        "organizations": [
            {"id": "SHOP", "name": "Auto parts shop", "kind": "shop", "province": "Shandong"},
            {"id": "LOG", "name": "Fast Freight", "kind": "logistics"},
        ],
        "warehouses": [{"id": "DEN", "name": "Den", "uses": ["production", "storage"],
                        "province": "Hebei"}],
        "products": [{"id": "OIL", "name": "Fake 5W-30", "unit": "barrel"}],
        "evidence": [
            {"id": "E-FRZ", "name": "Freeze order", "kind": "asset_freeze", "agency": "Police",
             "amount": 1200000},
            {"id": "E-WB", "name": "Waybills", "kind": "waybill", "agency": "Fast Freight"},
        ],
        "transactions": [
            {"id": "T1", "kind": "shipment", "source": "DEN", "target": "SHOP",
             "timestamp": "2024-03-01", "product": "OIL", "quantity": 20, "amount": 8000,
             "carrier": "LOG", "evidence": ["E-WB"]},
            {"id": "T2", "kind": "payment", "source": "SHOP", "target": "BOSS",
             "timestamp": "2024-03-04", "amount": 8000},
        ],
        "relationships": [
            {"id": "R1", "kind": "leads", "source": "BOSS", "target": "DRV"},
            {"id": "R2", "kind": "operates", "source": "DRV", "target": "DEN"},
            {"id": "R3", "kind": "calls", "source": "DRV", "target": "BOSS", "weight": 41},
        ],
    })


def test_get_and_missing_ids(make_graph: Make) -> None:
    g = make_graph(ring())
    assert g.get("BOSS").name == "周老板"
    assert isinstance(g.get("T1"), cg.Transaction)
    assert isinstance(g.get("E-FRZ"), cg.Evidence)
    assert "DEN" in g and "NOPE" not in g
    with pytest.raises(cg.EntityNotFound, match="'BOS'.*did you mean 'BOSS'"):
        g.get("BOS")


def test_mistyped_ids_are_matched_against_aliases_and_products(make_graph: Make) -> None:
    data = ring().model_dump(exclude_defaults=True)
    data["persons"][0]["aliases"] = ["老周", "Big Zhou"]
    case = cg.Case.model_validate(data)
    g = make_graph(case)
    with pytest.raises(cg.EntityNotFound, match=r"did you mean 'BOSS' \(周老板\)"):
        g.get("老周")  # an alias, not an id
    with pytest.raises(cg.EntityNotFound, match=r"did you mean 'OIL'"):
        g.get("Fake 5W-30")  # a product's name
    assert g.store.name_index().names == case.name_index().names


def test_neighbors_by_kind_and_direction(make_graph: Make) -> None:
    g = make_graph(ring())
    assert g.neighbors("DRV") == ["BOSS", "DEN"]
    assert g.neighbors("DRV", direction="in") == ["BOSS"]
    assert g.neighbors("DRV", kind="operates") == ["DEN"]
    assert g.neighbors("BOSS", kind=["calls", "payment"], direction="in") == ["DRV", "SHOP"]
    assert g.neighbors("DEN", kind="shipment", direction="out") == ["SHOP"]
    with pytest.raises(cg.EntityNotFound):
        g.neighbors("NOPE")


def test_links_and_transactions_around_nodes(make_graph: Make) -> None:
    g = make_graph(ring())
    assert [r.id for r in g.links(nodes=["DRV"])] == ["R1", "R2", "R3"]
    assert [r.id for r in g.links(nodes=["DRV"], direction="out")] == ["R2", "R3"]
    assert [r.id for r in g.links(kinds=["leads"])] == ["R1"]
    assert [t.id for t in g.transactions(nodes=["SHOP"])] == ["T1", "T2"]
    assert [t.id for t in g.transactions(kind="payment")] == ["T2"]
    assert [t.id for t in g.transactions(nodes=["SHOP"], direction="in")] == ["T1"]


def test_link_queries_read_a_generator_once_and_answer_in_full(make_graph: Make) -> None:
    g = make_graph(ring())
    assert [t.id for t in g.transactions(nodes=(n for n in ["SHOP"]))] == ["T1", "T2"]
    assert [r.id for r in g.links(nodes=iter(["DRV"]), direction="out")] == ["R2", "R3"]
    assert [r.id for r in g.links(kinds=(k for k in ["leads"]))] == ["R1"]
    assert g.neighbors("BOSS", kind=iter(["calls", "payment"]), direction="in") == ["DRV", "SHOP"]
    with pytest.raises(cg.errors.WrongArgumentType, match="nodes=5 must be a collection"):
        g.transactions(nodes=5)  # type: ignore[arg-type]


def test_require_and_subgraph_refuse_one_id_as_a_string(make_graph: Make) -> None:
    g = make_graph(ring())
    assert g.require(iter(["DEN", "SHOP", "DEN"])) == ["DEN", "SHOP"]
    with pytest.raises(cg.errors.WrongArgumentType, match=r"ids='DEN'.*write \['DEN'\]"):
        g.require("DEN")
    with pytest.raises(cg.errors.WrongArgumentType, match=r"ids='SHOP'"):
        g.subgraph("SHOP")


def test_a_graph_never_answers_from_a_case_loaded_into_its_store_since(
    make_graph: Make,
) -> None:
    first = make_graph(ring())
    other = ring().model_dump(exclude_defaults=True)
    other.update(id="other-ring", title="Another ring")
    other["persons"][0]["name"] = "Boss Two"
    second = cg.CaseGraph(cg.Case.model_validate(other), store=first.store)  # shared store
    assert second.get("BOSS").name == "Boss Two"
    # the first graph would otherwise answer from the second case while saying its own id
    with pytest.raises(cg.StoreError, match=r"made for case 'ring', but its store was given "
                                            r"another case .*own store"):
        first.get("BOSS")
    with pytest.raises(cg.StoreError, match="made for case 'ring'"):
        cg.trace_chain(first, "DEN")
    assert first.case_id == "ring" and "other-ring" in repr(first)  # still says what it is
    first.reload(ring())  # the first graph takes the store back: now the second one refuses
    assert first.get("BOSS").name == "周老板"
    with pytest.raises(cg.StoreError, match="made for case 'other-ring'"):
        second.summary()


def test_a_case_changed_in_place_into_an_invalid_one_is_refused_naming_the_record(
    make_graph: Make,
) -> None:
    dangling = ring()
    dangling.transactions.append(
        dangling.transactions[1].model_copy(update={"id": "T-NEW", "target": "NOPE"}))
    with pytest.raises(cg.InvalidCase, match=r"transactions\[2\] \(id 'T-NEW'\) field "
                                             r"'target' = 'NOPE': unknown person"):
        make_graph(dangling)
    duplicate = ring()
    duplicate.transactions.append(duplicate.transactions[0])
    with pytest.raises(cg.InvalidCase, match=r"\(id 'T1'\) field 'id' = 'T1': duplicate id"):
        make_graph(duplicate)


def test_shipment_table_is_columnar_and_time_sorted(make_graph: Make) -> None:
    table = make_graph(ring()).shipments()
    assert len(table) == 1
    assert table.kind == "shipment"
    assert table.ids.tolist() == ["T1"]
    assert table.node_ids[table.source[0]] == "DEN"
    assert table.item_ids[table.item[0]] == "OIL"
    assert table.quantity.tolist() == [20.0]


def test_payment_table_is_the_same_kind_of_table(make_graph: Make) -> None:
    g = make_graph(ring())
    table = g.payments()
    assert table.kind == "payment" and g.flows("payment").ids.tolist() == ["T2"]
    assert table.node_ids[table.source[0]] == "SHOP"
    assert table.item_ids[table.item[0]] == "CNY"  # a payment's item is its currency
    assert np.isnan(table.quantity[0])
    assert table.amount.tolist() == [8000.0]
    with pytest.raises(ValueError, match="kind='goods' is not a flow kind"):
        g.flows("goods")  # type: ignore[arg-type]


def test_node_table(make_graph: Make) -> None:
    nodes = make_graph(ring()).nodes().set_index("id")
    assert list(nodes.columns) == list(cg.store.NODE_COLUMNS[1:])
    assert nodes.loc["BOSS", "type"] == "person" and nodes.loc["BOSS", "role"] == "leader"
    assert nodes.loc["DEN", "type"] == "premises" and nodes.loc["DEN", "uses"] == "production,storage"
    assert nodes.loc["SHOP", "kind"] == "shop"


def test_to_networkx(make_graph: Make) -> None:
    nxg = make_graph(ring()).to_networkx()
    assert isinstance(nxg, nx.MultiDiGraph)
    assert set(nxg.nodes) == {"BOSS", "DRV", "WIT", "SHOP", "LOG", "DEN"}
    assert nxg.nodes["BOSS"]["type"] == "person"
    assert nxg.edges["DEN", "SHOP", "T1"]["quantity"] == 20
    assert nxg.edges["DEN", "SHOP", "T1"]["kind"] == "shipment"
    assert nxg.edges["DRV", "BOSS", "R3"]["weight"] == 41
    assert nxg.edges["BOSS", "DRV", "R1"]["link"] == "relationship"


def test_subgraph_keeps_links_among_kept_nodes(make_graph: Make) -> None:
    sub = make_graph(ring()).subgraph(["DEN", "SHOP"])
    case = sub.case
    assert [t.id for t in case.transactions] == ["T1"]
    assert {o.id for o in case.organizations} == {"SHOP", "LOG"}  # the carrier comes along
    assert [e.id for e in case.evidence] == ["E-WB"]
    with pytest.raises(cg.EntityNotFound):
        make_graph(ring()).subgraph(["DEN", "NOPE"])


def test_subgraph_of_a_case_with_the_longest_id(make_graph: Make) -> None:
    long_id = "c" * 200  # the longest id a case may have
    sub = make_graph(cg.Case.model_validate({**ring().model_dump(), "id": long_id})
                     ).subgraph(["DEN", "SHOP"])
    assert len(sub.case_id) == 200 and sub.case_id.endswith("c-subgraph")
    assert [t.id for t in sub.case.transactions] == ["T1"]


def test_summary_never_adds_currencies_together(make_graph: Make) -> None:
    case = ring()
    extra = case.transactions[0].model_copy(update={"id": "T-USD", "amount": 500.0,
                                                   "currency": "USD"})
    s = make_graph(cg.Case.model_validate(
        {**case.model_dump(), "transactions": [*case.model_dump()["transactions"],
                                               extra.model_dump()]})).summary()
    assert s.shipment_values == {"CNY": 8000.0, "USD": 500.0}
    assert s.shipment_value == 8000  # the case currency alone
    assert "8,000.00 CNY, 500.00 USD" in str(s)


def test_summary_of_shipments_of_unknown_value_is_no_total(make_graph: Make) -> None:
    data = ring().model_dump(exclude_defaults=True)
    data["transactions"][0].pop("amount")
    s = make_graph(cg.Case.model_validate(data)).summary()
    assert s.shipment_values == {} and s.shipment_value == 0
    assert s == cg.store.summarize(cg.Case.model_validate(data))  # as the case itself says
    assert "Shipment value  -" in str(s)


def test_summary_never_adds_goods_of_different_units(make_graph: Make) -> None:
    data = ring().model_dump(exclude_defaults=True)
    data["products"] += [{"id": "CAP", "name": "Bottle caps", "unit": "box"},
                         {"id": "LBL", "name": "Labels"}]  # no unit given
    data["transactions"] += [
        {**data["transactions"][0], "id": f"T-{product}", "product": product, "quantity": qty}
        for product, qty in (("CAP", 2.5), ("LBL", 300))]
    s = make_graph(cg.Case.model_validate(data)).summary()
    assert s.shipped == {"CAP": 2.5, "LBL": 300.0, "OIL": 20.0}
    assert s.shipped_by_unit == {"barrel": 20.0, "box": 2.5, "units": 300.0}
    assert "Goods shipped   20 barrel, 2.5 box, 300 units" in str(s)
    assert "322" not in str(s)  # barrels, boxes and labels are never added up


def test_summary(make_graph: Make) -> None:
    s = make_graph(ring()).summary()
    assert s.counts["persons"] == 3 and s.suspects == 2
    # The witness is named after the suspects, never counted among them.
    assert "Persons         3 (2 suspects: arrested 1, suspect 1; also witness 1)" in str(s)
    assert s.counts["shipments"] == 1 and s.counts["payments"] == 1
    assert s.provinces == ["Hebei", "Henan", "Shandong"]
    assert s.frozen_funds == {"CNY": 1200000.0}
    assert s.shipment_value == 8000 and s.payments == {"CNY": 8000.0}
    assert s.first_transaction is not None and s.first_transaction.isoformat().startswith("2024-03-01")
    assert s.production_sites == 1
    text = str(s)
    assert "Funds frozen" in text and "1,200,000.00 CNY" in text
    assert "<table>" in s._repr_html_()


def test_describe(make_graph: Make) -> None:
    g = make_graph(ring())
    assert "ring" in g.describe()
    assert g.case_id == "ring"


def test_case_graph_rejects_non_cases() -> None:
    with pytest.raises(TypeError, match="needs a crimegraph.Case"):
        cg.CaseGraph({"id": "x"})  # type: ignore[arg-type]


def test_subgraph_of_an_example_stays_valid(make_graph: Make) -> None:
    case = cg.load_example("counterfeit_oil")
    keep = [n.id for n in case.nodes if n.id != "W-DEN-02"]
    sub = make_graph(case).subgraph(keep).case
    assert "EV-FORENSIC-01" in {e.id for e in sub.evidence}  # cited by the products
    assert not any(t.source == "W-DEN-02" or t.target == "W-DEN-02" for t in sub.transactions)


def test_memory_store_has_no_stored_cases_to_open() -> None:
    with pytest.raises(TypeError, match="keeps no stored cases to open"):
        cg.CaseGraph.open(cg.NetworkXStore(), "ring")


def test_adjacency_runs_put_dead_ends_last_in_time_order() -> None:
    rows = [  # (id, source, target, time, product, quantity, amount)
        ("T1", "DEN", "SHOP1", 30, "OIL", 1.0, None),
        ("T2", "DEN", "WH", 10, "OIL", 1.0, None),
        ("T3", "DEN", "SHOP2", 20, "OIL", 1.0, None),
        ("T4", "WH", "SHOP1", 40, "OIL", 1.0, None),
        ("T5", "DEN", "WH", 50, "OIL", 1.0, None),
    ]
    table = cg.FlowTable.from_rows(rows)
    offsets, split, neighbor, ranks, frame_times, order = adjacency(table, "downstream")
    den, wh = table.node_index["DEN"], table.node_index["WH"]
    run = slice(offsets[den], offsets[den + 1])
    # DEN ships on to WH (which ships on) first, then to the dead ends SHOP1/SHOP2, each by time.
    assert table.ids[order[run]].tolist() == ["T2", "T5", "T3", "T1"]
    assert split[den] - offsets[den] == 2
    assert split[wh] == offsets[wh]  # WH's only shipment goes to a dead end
    assert frame_times[ranks[run]].tolist() == [10, 50, 20, 30]
    assert [table.node_ids[v] for v in neighbor[run]] == ["WH", "WH", "SHOP2", "SHOP1"]
    # Upstream: incoming shipments newest first, on negated times; DEN receives nothing.
    offsets, split, neighbor, ranks, frame_times, order = adjacency(table, "upstream")
    shop1 = table.node_index["SHOP1"]
    run = slice(offsets[shop1], offsets[shop1 + 1])
    assert table.ids[order[run]].tolist() == ["T4", "T1"]  # WH ships on upstream; DEN is a dead end
    assert split[shop1] - offsets[shop1] == 1
    assert frame_times[ranks[run]].tolist() == [-40, -30]


class _Answers(cg.NetworkXStore):
    """An in-memory store answering the walk hook the two other ways a store may."""

    def __init__(self, case: cg.Case, answer: str) -> None:
        self.answer = answer
        super().__init__(case)

    def walk_flows(self, query: FlowQuery) -> FlowWalk | FlowCandidates | None:
        table = self.flows(query.kind)  # type: ignore[arg-type]
        if self.answer == "settled":
            walked = flows.walk(table, query)
            return SettledWalk(table, walked.edges, walked.levels)
        # Candidates: every flow (a superset of the walk's), and the lists when unfiltered.
        built = None if query.filtered else adjacency(table, query.direction)
        return FlowCandidates(table, built)


@pytest.mark.parametrize("answer", ["settled", "candidates"])
@pytest.mark.filterwarnings("ignore:.*no goods in this case:UserWarning")
def test_every_answer_of_the_walk_hook_gives_the_same_walk(answer: str) -> None:
    from crimegraph import synth

    case = synth.generate_case(3000, seed=7)
    plain = cg.CaseGraph(case)
    helped = cg.CaseGraph(case, store=_Answers(case, answer))
    for kind, trace in (("shipment", cg.trace_chain), ("payment", cg.trace_money)):
        table = plain.store.flows(kind)  # type: ignore[arg-type]
        senders = np.bincount(table.source, minlength=len(table.node_ids))
        busy = [table.node_ids[i] for i in np.argsort(-senders, kind="stable")[:2]]
        middle = from_epoch_us(int(table.time[len(table) // 2])).isoformat()
        calls: list[dict[str, object]] = [
            dict(start=busy), dict(start=busy[0], until=middle), dict(start=busy[0], max_hops=2),
            dict(start=busy[1], direction="upstream", since=middle),
        ]
        reached = 0
        for call in calls:
            want = trace(plain, **call)  # type: ignore[operator]
            got = trace(helped, **call)  # type: ignore[operator]
            assert got.transactions == want.transactions, (kind, call)
            assert got.tiers == want.tiers, (kind, call)
            reached += len(want)
        assert reached > 20, kind


def test_candidate_flows_still_have_their_start_checked() -> None:
    graph = cg.CaseGraph(ring(), store=_Answers(ring(), "candidates"))
    with pytest.raises(ValueError, match="start 'OIL' is a product, not a person"):
        cg.trace_chain(graph, "OIL")
    with pytest.raises(cg.EntityNotFound, match="NOBODY"):
        cg.trace_money(graph, "NOBODY")

"""cut_chain: chokepoints known by construction, the source-side choice, unavoidable ends,
and the cut size against networkx's minimum_node_cut and a brute-force search."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import networkx as nx
import pytest

import crimegraph as cg

from ..conftest import goods_case, shipment

Make = Callable[[cg.Case], cg.CaseGraph]


def two_den_chain(case_id: str = "two-dens") -> cg.Case:
    case = goods_case("DEN1 DEN2 WH SHOP1 SHOP2", [
        shipment("T1", "DEN1", "WH", "03-01", 100),
        shipment("T2", "DEN2", "WH", "03-01", 60),
        shipment("T3", "WH", "SHOP1", "03-02", 90),
        shipment("T4", "WH", "SHOP2", "03-02", 50),
        shipment("T5", "WH", "SHOP2", "03-03", 10),
    ])
    return case.model_copy(update={"id": case_id})


def test_the_chokepoint_warehouse(make_graph: Make) -> None:
    cut = cg.cut_chain(make_graph(two_den_chain()))
    assert cut.nodes == ["WH"]
    assert cut.quantity == 160.0  # received 160, shipped 150
    assert cut.table.to_dict("records") == [
        {"id": "WH", "name": "Org WH", "quantity_through": 160.0}]
    assert cut.sources == ["DEN1", "DEN2"] and cut.targets == ["SHOP1", "SHOP2"]
    assert len(cut) == 1 and "carrying 160" in repr(cut)


def test_parallel_routes_need_every_route_cut(make_graph: Make) -> None:
    g = make_graph(goods_case("DEN WH1 WH2 SHOP", [
        shipment("T1", "DEN", "WH1", "03-01", 30), shipment("T2", "DEN", "WH2", "03-01", 70),
        shipment("T3", "WH1", "SHOP", "03-02", 30), shipment("T4", "WH2", "SHOP", "03-02", 70),
        shipment("T5", "WH1", "WH2", "03-02", 5),
    ]))
    cut = cg.cut_chain(g)
    assert cut.nodes == ["WH1", "WH2"]
    assert cut.table["id"].tolist() == ["WH2", "WH1"]  # by quantity through
    assert cut.table["quantity_through"].tolist() == [75.0, 35.0]
    assert cut.quantity == 100.0  # in from DEN 100, out to SHOP 100; WH1->WH2 is inside


def test_the_cut_nearest_the_sources_is_chosen(make_graph: Make) -> None:
    g = make_graph(goods_case("DEN A B SHOP", [
        shipment("T1", "DEN", "A", "03-01", 10), shipment("T2", "A", "B", "03-02", 10),
        shipment("T3", "B", "SHOP", "03-03", 10),
    ]))
    assert cg.cut_chain(g).nodes == ["A"]  # B would do too; A stops the goods earlier
    assert cg.cut_chain(g, sources="A").nodes == ["B"]
    assert cg.cut_chain(g, sources=["DEN"], targets=["B"]).nodes == ["A"]


def test_a_direct_shipment_forces_cutting_its_source(make_graph: Make) -> None:
    g = make_graph(goods_case("DEN1 DEN2 WH SHOP1 SHOP2", [
        shipment("T1", "DEN1", "WH", "03-01", 10), shipment("T2", "WH", "SHOP1", "03-02", 6),
        shipment("T3", "WH", "SHOP2", "03-02", 4), shipment("T4", "DEN2", "SHOP2", "03-02", 3),
    ]))
    cut = cg.cut_chain(g)
    # DEN2 -> SHOP2 can only be stopped at one of its ends: the source side is chosen.
    assert cut.nodes == ["DEN2", "WH"]
    assert cut.quantity == 13.0  # 10 in (from DEN1); 6 + 4 + 3 out


def test_one_end_beats_an_end_plus_a_warehouse(make_graph: Make) -> None:
    g = make_graph(goods_case("DEN1 DEN2 WH SHOP", [
        shipment("T1", "DEN1", "WH", "03-01", 10), shipment("T2", "WH", "SHOP", "03-02", 10),
        shipment("T3", "DEN2", "SHOP", "03-02", 4),
    ]))
    assert cg.cut_chain(g).nodes == ["SHOP"]  # the only buyer: closing it stops everything


def test_already_separated_gives_an_empty_cut(make_graph: Make) -> None:
    g = make_graph(goods_case("DEN WH SHOP OTHER", [
        shipment("T1", "DEN", "WH", "03-01", 10), shipment("T2", "OTHER", "SHOP", "03-02", 10),
    ]))
    cut = cg.cut_chain(g, sources="DEN", targets="SHOP")
    assert cut.nodes == [] and cut.quantity == 0.0 and cut.table.empty


def random_chain(seed: int) -> tuple[cg.Case, nx.DiGraph]:
    rng = random.Random(seed)
    layers = [["S0", "S1"], ["A0", "A1", "A2"], ["B0", "B1", "B2"], ["E0", "E1", "E2"]]
    arcs = set()
    for upper, lower in itertools.pairwise(layers):
        for node in upper:
            for target in rng.sample(lower, rng.randint(1, 2)):
                arcs.add((node, target))
    for _ in range(3):  # lateral transfers
        layer = rng.choice(layers[1:3])
        a, b = rng.sample(layer, 2)
        arcs.add((a, b))
    ships = [shipment(f"T{i:02d}", a, b, "03-01", rng.randint(1, 20))
             for i, (a, b) in enumerate(sorted(arcs))]
    nodes = " ".join(sorted({n for arc in arcs for n in arc}))
    case = goods_case(nodes, ships).model_copy(update={"id": f"random-{seed}"})
    return case, nx.DiGraph(sorted(arcs))


@pytest.mark.parametrize("seed", range(6))
def test_smallest_cut_agrees_with_networkx_and_brute_force(make_graph: Make, seed: int) -> None:
    case, arcs = random_chain(seed)
    cut = cg.cut_chain(make_graph(case))
    sources = sorted(cg.find_sources(case)["id"])
    ends = sorted(n for n in arcs if arcs.out_degree(n) == 0)
    # networkx on the super-source / super-sink graph (no source ships straight to an end).
    with_ends = arcs.copy()
    with_ends.add_edges_from(("TOP", s) for s in sources)
    with_ends.add_edges_from((e, "BOTTOM") for e in ends)
    middle = [n for n in arcs if n not in sources and n not in ends]
    reference = nx.minimum_node_cut(with_ends, "TOP", "BOTTOM")
    if reference & (set(sources) | set(ends)):  # networkx may cut an end; we never need to
        reference = min(
            (set(c) for k in range(len(middle) + 1) for c in itertools.combinations(middle, k)
             if not _connects(arcs, sources, ends, set(c))), key=len)
    assert len(cut.nodes) == len(reference)
    assert not set(cut.nodes) & (set(sources) | set(ends))
    assert not _connects(arcs, sources, ends, set(cut.nodes))
    smallest = next(k for k in range(len(middle) + 1)
                    if any(not _connects(arcs, sources, ends, set(c))
                           for c in itertools.combinations(middle, k)))
    assert len(cut.nodes) == smallest


def _connects(arcs: nx.DiGraph, sources: list[str], ends: list[str], removed: set[str]) -> bool:
    kept = arcs.subgraph(n for n in arcs if n not in removed)
    return any(nx.has_path(kept, s, e) for s in sources if s in kept for e in ends if e in kept)


def test_same_cut_whatever_the_record_order(make_graph: Make) -> None:
    case, _ = random_chain(2)
    backwards = cg.Case.model_validate({**case.model_dump(), "id": "backwards",
                                        "transactions": case.model_dump()["transactions"][::-1]})
    first, second = cg.cut_chain(make_graph(case)), cg.cut_chain(make_graph(backwards))
    assert first.nodes == second.nodes and first.table.equals(second.table)


@pytest.mark.parametrize("name, den", [("counterfeit_oil", "W-DEN-02"),
                                       ("fake_liquor", "W-DEN-B")])
def test_bundled_cases_are_cut_at_their_packaging_den(make_graph: Make, name: str,
                                                      den: str) -> None:
    case = cg.load_example(name)
    if not case.transactions:
        pytest.skip(f"the {name} example is still a placeholder")
    # fixtures/README.md: every product passes from the production den through this den.
    cut = cg.cut_chain(make_graph(case))
    assert cut.nodes == [den]
    assert cut.table["quantity_through"].tolist() == [cut.quantity]


def test_errors_name_the_value(make_graph: Make) -> None:
    g = make_graph(two_den_chain())
    with pytest.raises(ValueError, match="'WH' is both a source and a target"):
        cg.cut_chain(g, sources=["DEN1", "WH"], targets=["WH"])
    with pytest.raises(ValueError, match="sources is an empty list"):
        cg.cut_chain(g, sources=[])
    with pytest.raises(ValueError, match="targets is an empty list"):
        cg.cut_chain(g, targets=[])
    with pytest.raises(cg.EntityNotFound, match="'SHOP9'"):
        cg.cut_chain(g, targets=["SHOP9"])
    no_goods = make_graph(goods_case("A B", []).model_copy(update={"id": "no-goods"}))
    with pytest.raises(ValueError, match="there are no sources"):
        cg.cut_chain(no_goods)
    loop = make_graph(goods_case("A B", [shipment("T1", "A", "B", "03-01"),
                                         shipment("T2", "B", "A", "03-02")])
                      .model_copy(update={"id": "loop"}))
    with pytest.raises(ValueError, match="there are no targets"):
        cg.cut_chain(loop, sources="A")

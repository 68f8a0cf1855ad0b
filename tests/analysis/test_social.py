"""social_network and network_to_igraph: tie weights, kinds, node sets, determinism."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import networkx as nx
import pytest

import crimegraph as cg

Make = Callable[[cg.Case], cg.CaseGraph]


def people_case(
    ties: Iterable[Sequence[Any]], *, persons: Iterable[str] = (), case_id: str = "people",
    roles: dict[str, str] | None = None, provinces: dict[str, str] | None = None,
    organizations: Iterable[str] = (), transactions: Iterable[cg.Transaction] = (),
) -> cg.Case:
    """Persons tied by ``(source, target[, kind[, weight]])``; kind defaults to "calls"."""
    rels = []
    names: dict[str, None] = dict.fromkeys(persons)
    orgs = list(organizations)
    for i, tie in enumerate(ties):
        source, target = tie[0], tie[1]
        kind = tie[2] if len(tie) > 2 else "calls"
        weight = tie[3] if len(tie) > 3 else None
        rels.append(cg.Relationship(id=f"R{i:03d}", kind=kind, source=source, target=target,
                                    weight=weight))
        for node in (source, target):
            if node not in orgs:
                names.setdefault(node)
    roles = roles or {}
    provinces = provinces or {}
    return cg.Case(
        id=case_id,
        persons=[cg.Person(id=p, name=f"Name {p}", role=roles.get(p),
                           province=provinces.get(p)) for p in names],
        organizations=[cg.Organization(id=o, name=f"Org {o}", province=provinces.get(o))
                       for o in orgs],
        products=[cg.Product(id="OIL", name="Fake oil")],
        relationships=rels,
        transactions=list(transactions),
    )


def test_tie_strength_sums_relationship_weights(make_graph: Make) -> None:
    g = make_graph(people_case([
        ("BOSS", "A", "leads"), ("A", "BOSS", "calls", 12), ("A", "B", "calls", 3),
        ("B", "A", "meets"), ("A", "A2", "same_as"),
    ], persons=["LONER"]))
    net = cg.social_network(g)
    assert sorted(net.nodes) == ["A", "A2", "B", "BOSS", "LONER"]
    assert sorted(net.edges(data="weight")) == [("A", "B", 4.0), ("A", "BOSS", 13.0)]
    assert net.edges["A", "BOSS"]["kinds"] == "calls,leads"
    assert net.edges["A", "BOSS"]["count"] == 2
    assert net.edges["A", "B"]["distance"] == 0.25
    assert net.nodes["BOSS"] == {"name": "Name BOSS", "type": "person", "province": None,
                                 "role": None, "status": "unknown"}
    assert net.degree("LONER") == 0


def test_kinds_filter_and_errors(make_graph: Make) -> None:
    g = make_graph(people_case([("BOSS", "A", "leads"), ("A", "B", "calls", 3),
                                ("A", "B2", "same_as")]))
    assert sorted(cg.social_network(g, kinds="calls").edges) == [("A", "B")]
    assert sorted(cg.social_network(g, kinds=["leads", "same_as"]).edges) == [
        ("A", "B2"), ("A", "BOSS")]
    with pytest.raises(ValueError, match="kinds='phones' is not a relationship kind"):
        cg.social_network(g, kinds=["calls", "phones"])
    with pytest.raises(ValueError, match=r"'shipment' is a transaction kind.*include_transactions"):
        cg.social_network(g, kinds="shipment")
    with pytest.raises(ValueError, match="kinds is an empty list"):
        cg.social_network(g, kinds=[])


def test_transactions_organizations_and_people_only(make_graph: Make) -> None:
    def ship(tid: str, s: str, t: str) -> cg.Transaction:
        return cg.Transaction(id=tid, kind="shipment", source=s, target=t,
                              timestamp="2024-03-01", product="OIL", quantity=5)

    pay = cg.Transaction(id="PAY1", kind="payment", source="SHOP", target="A",
                         timestamp="2024-03-02", amount=100)
    g = make_graph(people_case(
        [("A", "DEN", "owns"), ("A", "B")],
        organizations=["DEN", "SHOP", "IDLE"],
        transactions=[ship("T1", "DEN", "SHOP"), ship("T2", "DEN", "SHOP"), pay],
    ))
    plain = cg.social_network(g)
    assert sorted(plain.nodes) == ["A", "B", "DEN"]  # SHOP and IDLE have no tie
    assert plain.nodes["DEN"]["type"] == "organization"
    full = cg.social_network(g, include_transactions=True)
    assert sorted(full.nodes) == ["A", "B", "DEN", "SHOP"]
    assert full.edges["DEN", "SHOP"]["weight"] == 2.0
    assert full.edges["DEN", "SHOP"]["kinds"] == "shipment"
    assert full.edges["A", "SHOP"]["kinds"] == "payment"
    assert full.edges["A", "DEN"]["weight"] == 1.0
    people = cg.social_network(g, include_transactions=True, people_only=True)
    assert sorted(people.nodes) == ["A", "B"] and sorted(people.edges) == [("A", "B")]


def test_zero_weight_ties_are_left_out(make_graph: Make) -> None:
    g = make_graph(people_case([("A", "B", "calls", 0), ("B", "C", "calls", 2)]))
    assert sorted(cg.social_network(g).edges) == [("B", "C")]
    assert sorted(cg.social_network(g).nodes) == ["A", "B", "C"]


def test_same_network_whatever_the_record_order(make_graph: Make) -> None:
    ties = [("C", "A", "calls", 0.1), ("A", "C", "calls", 0.2), ("B", "A", "leads"),
            ("C", "D", "family"), ("A", "C", "meets", 0.3)]
    first = cg.social_network(make_graph(people_case(ties, case_id="order-1")))
    second = cg.social_network(make_graph(people_case(ties[::-1], case_id="order-2")))
    assert list(first.nodes) == list(second.nodes) == ["A", "B", "C", "D"]
    assert list(first.edges(data=True)) == list(second.edges(data=True))
    assert first.edges["A", "C"]["weight"] == pytest.approx(0.6)


def test_network_to_igraph_keeps_sorted_ids_and_weights(make_graph: Make) -> None:
    net = cg.social_network(make_graph(people_case([("Z", "A", "calls", 4), ("M", "Z")])))
    ig = cg.network_to_igraph(net)
    assert ig.vs["name"] == ["A", "M", "Z"]
    assert sorted(ig.get_edgelist()) == [(0, 2), (1, 2)]
    weights = {tuple(ig.vs[e.tuple]["name"]): e["weight"] for e in ig.es}
    assert weights == {("A", "Z"): 4.0, ("M", "Z"): 1.0}
    assert sorted(ig.es["distance"]) == [0.25, 1.0]
    with pytest.raises(ValueError, match=r"undirected simple networkx.Graph.*DiGraph"):
        cg.network_to_igraph(nx.DiGraph([("A", "B")]))


def test_accepts_a_bare_case() -> None:
    net = cg.social_network(people_case([("A", "B")]))
    assert sorted(net.edges) == [("A", "B")] and net.graph["case_id"] == "people"


def test_a_callers_network_with_bad_weights_or_ids_is_refused_by_name() -> None:
    def net(weight: object) -> nx.Graph:
        g = nx.Graph()
        g.add_edge("A", "B", weight=2)
        g.add_edge("B", "C", weight=weight)
        return g

    for weight in (-1, float("nan"), float("inf")):
        with pytest.raises(cg.InvalidArgument, match=rf"tie 'B'-'C' has weight={weight!r}"):
            cg.key_players(net(weight), "betweenness", weighted=True)
    with pytest.raises(cg.WrongArgumentType, match="tie 'B'-'C' has weight='many'"):
        cg.network_to_igraph(net("many"))
    assert cg.network_to_igraph(net(0)).get_edgelist() == [(0, 1)]  # 0: no tie
    assert cg.network_to_igraph(net(None)).es["weight"] == [2.0, 1.0]  # missing: 1
    mixed = nx.Graph([("A", "B"), (1, 2)])
    with pytest.raises(cg.WrongArgumentType, match=r"int such as 1, str such as 'A'"):
        cg.find_groups(mixed, seed=0)

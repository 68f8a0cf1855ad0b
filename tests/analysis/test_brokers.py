"""find_brokers: each Gould-Fernandez role on a hand-built flow, a brute-force reference,
and Burt's measures as networkx computes them."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest

import crimegraph as cg
from crimegraph.analysis.brokers import BROKER_ROLES, brokerage_roles

from ..conftest import goods_case, shipment
from .test_social import people_case

Make = Callable[[cg.Case], cg.CaseGraph]


def flows_case(case_id: str = "brokers") -> cg.Case:
    """One two-path per role, each carried by a different kind of flow."""
    provinces = {
        "C1": "P1", "C2": "P1", "C3": "P1",   # coordinator C2 (shipments)
        "G1": "P2", "G2": "P1", "G3": "P1",   # gatekeeper G2 (payments)
        "R1": "P1", "R2": "P1", "R3": "P2",   # representative R2 (leads)
        "K1": "P1", "K2": "P2", "K3": "P1",   # consultant K2 (supplies)
        "L1": "P1", "L2": "P2", "L3": "P3",   # liaison L2 (employs)
        "T1": "P1", "T2": "P2", "T3": "P3",   # T1 also supplies T3 directly: no brokerage
        "U2": "P1", "U3": "P2",               # U1 has no province: not counted
        "X1": "P1", "X2": "P2", "X3": "P3",   # calls are not flows by default
    }

    def ship(tid: str, s: str, t: str) -> cg.Transaction:
        return cg.Transaction(id=tid, kind="shipment", source=s, target=t,
                              timestamp="2024-03-01", product="OIL", quantity=10)

    def pay(tid: str, s: str, t: str) -> cg.Transaction:
        return cg.Transaction(id=tid, kind="payment", source=s, target=t,
                              timestamp="2024-03-01", amount=10)

    return people_case(
        [("R1", "R2", "leads"), ("R2", "R3", "leads"),
         ("K1", "K2", "supplies"), ("K2", "K3", "supplies"),
         ("L1", "L2", "employs"), ("L2", "L3", "employs"),
         ("T1", "T2", "supplies"), ("T2", "T3", "supplies"), ("T1", "T3", "supplies"),
         ("U1", "U2", "supplies"), ("U2", "U3", "supplies"),
         ("X1", "X2", "calls"), ("X2", "X3", "calls")],
        persons=["C1", "C2", "C3", "G1", "G2", "G3"], provinces=provinces, case_id=case_id,
        transactions=[ship("S1", "C1", "C2"), ship("S2", "C1", "C2"), ship("S3", "C2", "C3"),
                      pay("M1", "G1", "G2"), pay("M2", "G2", "G3")],
    )


def test_each_role_on_its_own_two_path(make_graph: Make) -> None:
    table = cg.find_brokers(make_graph(flows_case()))
    assert table.columns.tolist() == ["id", "name", "group", *BROKER_ROLES, "total",
                                      "constraint", "effective_size"]
    counted = table[table["total"] > 0].set_index("id")
    assert counted.index.tolist() == ["C2", "G2", "K2", "L2", "R2"]  # ties by id
    roles = counted[list(BROKER_ROLES)]
    assert roles.to_dict("index") == {
        "C2": {"coordinator": 1, "gatekeeper": 0, "representative": 0, "consultant": 0,
               "liaison": 0},
        "G2": {"coordinator": 0, "gatekeeper": 1, "representative": 0, "consultant": 0,
               "liaison": 0},
        "K2": {"coordinator": 0, "gatekeeper": 0, "representative": 0, "consultant": 1,
               "liaison": 0},
        "L2": {"coordinator": 0, "gatekeeper": 0, "representative": 0, "consultant": 0,
               "liaison": 1},
        "R2": {"coordinator": 0, "gatekeeper": 0, "representative": 1, "consultant": 0,
               "liaison": 0},
    }
    assert table.set_index("id").loc[["T2", "U2", "X2"], "total"].tolist() == [0, 0, 0]
    assert table.set_index("id").loc["U1", "group"] is None
    assert table["total"].iloc[0] == 1 and table["id"].iloc[0] == "C2"


def test_flows_option_and_other_groupings(make_graph: Make) -> None:
    g = make_graph(flows_case())
    with_calls = cg.find_brokers(g, flows=["calls"]).set_index("id")
    assert with_calls.loc["X2", "liaison"] == 1 and with_calls["total"].sum() == 1
    by_letter = {node: node[0] for node in ("R1", "R2", "R3", "X1", "X2", "X3")}
    mapped = cg.find_brokers(g, by=by_letter).set_index("id")
    assert mapped.loc["R2", "coordinator"] == 1 and mapped.loc["C2", "total"] == 0
    by_type = cg.find_brokers(g, by="type").set_index("id")  # all persons: all coordinators
    assert by_type["coordinator"].sum() == 6 and by_type["total"].sum() == 6
    assert by_type.loc["U2", "coordinator"] == 1  # U1 is a person too
    groups = cg.find_groups(g)
    by_groups = cg.find_brokers(g, by=groups).set_index("id")
    assert by_groups.loc["C2", "group"] == groups.group_of("C2")


def test_burt_measures_match_networkx(make_graph: Make) -> None:
    # A broker between two cliques: low constraint, large effective size.
    ties = [("A1", "A2"), ("A1", "A3"), ("A2", "A3"), ("B1", "B2"), ("B1", "B3"),
            ("B2", "B3"), ("HUB", "A1"), ("HUB", "B1"), ("HUB", "A2", "calls", 3)]
    g = make_graph(people_case(ties, persons=["LONER"]))
    network = cg.social_network(g)
    for weighted in (False, True):
        table = cg.find_brokers(g, weighted=weighted).set_index("id")
        weight = "weight" if weighted else None
        constraint = nx.constraint(network, weight=weight)
        effective = nx.effective_size(network, weight=weight)
        for node in ("A1", "A3", "HUB", "B2"):
            assert table.loc[node, "constraint"] == pytest.approx(constraint[node])
            assert table.loc[node, "effective_size"] == pytest.approx(effective[node])
    plain = cg.find_brokers(g).set_index("id")
    assert plain.loc["HUB", "effective_size"] == pytest.approx(3 - 2 * 1 / 3)
    assert math.isnan(plain.loc["LONER", "constraint"])


def reference_roles(arcs: set[tuple[int, int]], groups: list[int], n: int) -> np.ndarray:
    """Every a -> b -> c with a != c and no arc a -> c, classified by the definition."""
    counts = np.zeros((n, 5), dtype=np.int64)
    for a, b, c in itertools.permutations(range(n), 3):
        if (a, b) not in arcs or (b, c) not in arcs or (a, c) in arcs:
            continue
        ga, gb, gc = groups[a], groups[b], groups[c]
        if min(ga, gb, gc) < 0:
            continue
        if ga == gb == gc:
            counts[b, 0] += 1
        elif ga != gb and gc == gb:
            counts[b, 1] += 1
        elif ga == gb and gc != gb:
            counts[b, 2] += 1
        elif ga == gc:
            counts[b, 3] += 1
        else:
            counts[b, 4] += 1
    return counts


@pytest.mark.parametrize("seed", range(5))
def test_role_counts_match_a_brute_force_reference(seed: int) -> None:
    rng = random.Random(seed)
    n = 12
    arcs = {(a, b) for a in range(n) for b in range(n) if a != b and rng.random() < 0.25}
    groups = [rng.choice([-1, 0, 1, 2]) for _ in range(n)]
    ordered = sorted(arcs)
    src = np.array([a for a, _ in ordered], dtype=np.int64)
    dst = np.array([b for _, b in ordered], dtype=np.int64)
    ours = brokerage_roles(src, dst, np.array(groups, dtype=np.int64), n)
    assert np.array_equal(ours, reference_roles(arcs, groups, n))
    assert ours.sum() > 0


def test_errors_name_the_value(make_graph: Make) -> None:
    g = make_graph(flows_case())
    with pytest.raises(ValueError, match=r"by='county' is not a node attribute.*province"):
        cg.find_brokers(g, by="county")
    with pytest.raises(ValueError, match="flows='bribes' is not a kind of link"):
        cg.find_brokers(g, flows=["shipment", "bribes"])
    with pytest.raises(ValueError, match="flows is an empty list"):
        cg.find_brokers(g, flows=[])
    with pytest.raises(TypeError, match="got int"):
        cg.find_brokers(g, by=3)  # type: ignore[arg-type]


def test_a_case_of_firms_and_shipments_without_any_ties(make_graph: Make) -> None:
    # No persons and no relationships: the social network is empty, the flows are not.
    g = make_graph(goods_case("DEN WH SHOP", [shipment("T1", "DEN", "WH", "03-01"),
                                              shipment("T2", "WH", "SHOP", "03-02")]))
    brokers = cg.find_brokers(g)
    assert brokers["id"].tolist() == ["WH", "DEN", "SHOP"]
    assert brokers["liaison"].tolist() == [1, 0, 0]
    assert brokers["constraint"].isna().all() and brokers["effective_size"].isna().all()
    empty = cg.find_brokers(cg.Case(id="empty"))
    assert empty.empty and empty.columns.tolist()[-2:] == ["constraint", "effective_size"]

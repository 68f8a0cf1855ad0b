"""find_groups: known communities, numbering, seeding, modularity as networkx computes it."""

from __future__ import annotations

import random
from collections.abc import Callable

import networkx as nx
import pytest

import crimegraph as cg

from .test_players import two_cliques
from .test_social import people_case

Make = Callable[[cg.Case], cg.CaseGraph]


def clique(prefix: str, size: int, weight: float = 1) -> list[tuple[str, str, str, float]]:
    members = [f"{prefix}{i}" for i in range(size)]
    return [(a, b, "calls", weight) for i, a in enumerate(members) for b in members[i + 1:]]


@pytest.mark.parametrize("method", ["louvain", "label_propagation", "greedy_modularity"])
def test_two_cliques_and_a_bridge(make_graph: Make, method: str) -> None:
    g = make_graph(people_case(two_cliques(), case_id=f"cliques-{method}"))
    found = cg.find_groups(g, method)  # type: ignore[arg-type]
    assert found.as_sets() == [{"A1", "A2", "A3", "A4"}, {"B1", "B2", "B3", "B4"}]
    assert found.groups.columns.tolist() == ["id", "name", "group"]
    assert found.groups["group"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    # 13 ties; each clique has 6 inside and degree total 13.
    assert found.modularity == pytest.approx(2 * (6 / 13 - (13 / 26) ** 2))
    assert found.group_of("B3") == 1 and found.sizes == [4, 4]
    assert found.members(0) == ["A1", "A2", "A3", "A4"]


def test_groups_numbered_by_size_then_smallest_id(make_graph: Make) -> None:
    ties = [*clique("Z", 5), *clique("B", 3), *clique("A", 3), ("Z0", "B0"), ("Z1", "A0")]
    g = make_graph(people_case(ties, persons=["LONER"]))
    found = cg.find_groups(g)
    assert [sorted(s) for s in found.as_sets()] == [
        ["Z0", "Z1", "Z2", "Z3", "Z4"], ["A0", "A1", "A2"], ["B0", "B1", "B2"], ["LONER"]]
    assert found.sizes == [5, 3, 3, 1]
    with pytest.raises(ValueError, match=r"group=4 does not exist; groups are 0..3"):
        found.members(4)


def test_modularity_is_networkx_modularity(make_graph: Make) -> None:
    planted = nx.planted_partition_graph(4, 12, 0.6, 0.05, seed=2)
    rng = random.Random(2)
    ties = [(f"P{a:02d}", f"P{b:02d}", "calls", rng.randint(1, 9)) for a, b in planted.edges]
    g = make_graph(people_case(ties))
    network = cg.social_network(g)
    for weighted in (True, False):
        for resolution in (0.5, 1.0, 2.0):
            found = cg.find_groups(g, resolution=resolution, weighted=weighted)
            expected = nx.community.modularity(
                network, found.as_sets(), weight="weight" if weighted else None,
                resolution=resolution)
            assert found.modularity == pytest.approx(expected, rel=1e-12)
    # Ignoring the (random) call counts, Louvain recovers the four planted blocks of 12.
    blocks = cg.find_groups(g, weighted=False).as_sets()
    assert blocks == [{f"P{i:02d}" for i in range(start, start + 12)} for start in (0, 12, 24, 36)]


def test_louvain_is_as_good_as_networkx_louvain() -> None:
    network = nx.relabel_nodes(nx.planted_partition_graph(8, 30, 0.3, 0.02, seed=4),
                               lambda i: f"N{i:03d}")
    ours = cg.find_groups(network, seed=1)
    theirs = nx.community.louvain_communities(network, seed=1)
    reference = nx.community.modularity(network, theirs)
    assert ours.modularity == pytest.approx(reference, rel=0.02)


def test_same_seed_same_groups_and_random_state_untouched(make_graph: Make) -> None:
    planted = nx.planted_partition_graph(5, 10, 0.4, 0.08, seed=9)
    g = make_graph(people_case([(f"P{a:02d}", f"P{b:02d}") for a, b in planted.edges]))
    random.seed(123)
    expected_draw = random.random()
    random.seed(123)
    first = cg.find_groups(g, seed=3)
    assert random.random() == expected_draw
    for _ in range(3):
        again = cg.find_groups(g, seed=3)
        assert again.groups.equals(first.groups) and again.modularity == first.modularity
    lpa = cg.find_groups(g, "label_propagation", seed=3)
    assert cg.find_groups(g, "label_propagation", seed=3).groups.equals(lpa.groups)


def test_greedy_modularity_matches_networkx(make_graph: Make) -> None:
    planted = nx.planted_partition_graph(3, 8, 0.5, 0.1, seed=5)
    g = make_graph(people_case([(f"P{a:02d}", f"P{b:02d}") for a, b in planted.edges]))
    ours = cg.find_groups(g, "greedy_modularity", weighted=False)
    theirs = nx.community.greedy_modularity_communities(cg.social_network(g))
    assert sorted(map(sorted, ours.as_sets())) == sorted(map(sorted, theirs))


def test_network_without_ties_and_errors(make_graph: Make) -> None:
    g = make_graph(people_case([], persons=["B", "A"]))
    found = cg.find_groups(g)
    assert found.as_sets() == [{"A"}, {"B"}]
    assert found.modularity != found.modularity  # NaN: modularity needs ties
    with pytest.raises(ValueError, match="method='leiden' is unknown"):
        cg.find_groups(g, "leiden")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="resolution=0 must be a number greater than 0"):
        cg.find_groups(g, resolution=0)
    assert "2 groups" in repr(found)

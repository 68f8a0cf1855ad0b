"""key_players: hand-computed values, agreement with networkx, sampling, determinism."""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest

import crimegraph as cg
from crimegraph.analysis.players import DEFAULT_SAMPLE, MEASURES

from .test_social import people_case

Make = Callable[[cg.Case], cg.CaseGraph]

# networkx 3.5 made sampled betweenness unbiased (sources scaled apart); we follow it.
NX_SCALES_SOURCES_APART = "sampled_nodes" in inspect.signature(
    nx.algorithms.centrality.betweenness._rescale).parameters


def two_cliques() -> list[tuple[str, str]]:
    """Two 4-cliques joined by the bridge A1-B1."""
    ties = []
    for side in "AB":
        members = [f"{side}{i}" for i in range(1, 5)]
        ties += [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
    return [*ties, ("A1", "B1")]


def test_star_degree_and_ranks(make_graph: Make) -> None:
    g = make_graph(people_case([("HUB", leaf) for leaf in ("E", "B", "D", "C")]))
    top = cg.key_players(g, "degree", k=3)
    assert top.columns.tolist() == ["id", "name", "score", "rank"]
    assert top["id"].tolist() == ["HUB", "B", "C"]  # leaves tie: by id
    assert top["score"].tolist() == [1.0, 0.25, 0.25]
    assert top["rank"].tolist() == [1, 2, 3]
    assert top["name"].iloc[0] == "Name HUB"
    assert len(cg.key_players(g, "degree", k=None)) == 5


def test_bridge_between_cliques_has_the_betweenness(make_graph: Make) -> None:
    g = make_graph(people_case(two_cliques()))
    top = cg.key_players(g, "betweenness", k=3)
    # 3 x 4 pairs cross A1 out of 7 * 6 / 2 pairs.
    assert top["id"].tolist() == ["A1", "B1", "A2"]
    assert top["score"].tolist() == pytest.approx([12 / 21, 12 / 21, 0.0])
    assert top.attrs["sample"] is None
    closeness = cg.key_players(g, "closeness", k=2)
    assert closeness["id"].tolist() == ["A1", "B1"]
    assert closeness["score"].iloc[0] == pytest.approx(7 / (3 + 1 + 2 * 3))


def test_weighted_strong_ties_are_short(make_graph: Make) -> None:
    # Square A-B-C-D-A: A-B and B-C strong (4 calls), A-D and D-C weak (1 call).
    g = make_graph(people_case([("A", "B", "calls", 4), ("B", "C", "calls", 4),
                                ("C", "D", "calls", 1), ("D", "A", "calls", 1)]))
    plain = cg.key_players(g, "betweenness", k=None).set_index("id")["score"].to_dict()
    assert plain == pytest.approx({"A": 1 / 6, "B": 1 / 6, "C": 1 / 6, "D": 1 / 6})
    strong = cg.key_players(g, "betweenness", k=None, weighted=True)
    assert strong.set_index("id")["score"].to_dict() == pytest.approx(
        {"A": 1 / 6, "B": 1 / 3, "C": 1 / 6, "D": 0.0})
    strength = cg.key_players(g, "degree", k=2, weighted=True)
    assert strength["id"].tolist() == ["B", "A"]
    assert strength["score"].tolist() == pytest.approx([8 / 3, 5 / 3])


def random_case(seed: int, case_id: str) -> cg.Case:
    """A random call network with two components and an isolated person; weights 1-8."""
    rng = random.Random(seed)
    base = nx.gnm_random_graph(30, 60, seed=seed)
    extra = nx.cycle_graph(range(30, 36))
    ties = [(f"P{a:02d}", f"P{b:02d}", "calls", rng.choice([1, 2, 4, 8]))
            for a, b in [*base.edges, *extra.edges]]
    return people_case(ties, persons=["P99"], case_id=case_id)


def reference(network: nx.Graph, measure: str, weighted: bool) -> dict[str, float]:
    if measure == "degree":
        if not weighted:
            return dict(nx.degree_centrality(network))
        n = len(network)
        return {v: d / (n - 1) for v, d in network.degree(weight="weight")}
    if measure == "betweenness":
        return dict(nx.betweenness_centrality(network, weight="distance" if weighted else None))
    if measure == "closeness":
        return dict(nx.closeness_centrality(network, distance="distance" if weighted else None))
    if measure == "eigenvector":
        return dict(nx.eigenvector_centrality(network, weight="weight" if weighted else None,
                                              max_iter=10_000, tol=1e-12))
    return dict(nx.pagerank(network, alpha=0.85, weight="weight" if weighted else None,
                            tol=1e-13))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("measure", MEASURES)
def test_agrees_with_networkx(make_graph: Make, measure: str, weighted: bool) -> None:
    g = make_graph(random_case(7, f"random-{measure}-{weighted}"))
    network = cg.social_network(g)
    ours = cg.key_players(g, measure, k=None, weighted=weighted)
    theirs = reference(network, measure, weighted)
    assert sorted(ours["id"]) == sorted(theirs)
    assert np.allclose(ours["score"], [theirs[i] for i in ours["id"]], rtol=1e-6, atol=1e-9)
    assert ours["score"].round(12).is_monotonic_decreasing
    isolated = ours.loc[ours["id"] == "P99", "score"].iloc[0]
    if measure == "pagerank":  # only the random jump reaches an isolated person
        assert isolated == ours["score"].min()
    else:
        assert isolated == pytest.approx(0.0, abs=1e-12)


def test_eigenvector_on_equal_components_matches_networkx() -> None:
    network = nx.relabel_nodes(
        nx.disjoint_union_all([nx.complete_graph(4), nx.complete_graph(4), nx.path_graph(3)]),
        lambda i: f"N{i:02d}")
    ours = cg.key_players(network, "eigenvector", k=None).set_index("id")["score"]
    theirs = nx.eigenvector_centrality(network, max_iter=10_000, tol=1e-12)
    assert ours.to_dict() == pytest.approx(theirs, abs=1e-9)
    assert ours["N00"] == pytest.approx(ours["N04"])  # both cliques share the top eigenvalue
    assert ours["N08"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.skipif(not NX_SCALES_SOURCES_APART, reason="networkx < 3.5 scales samples alike")
@pytest.mark.parametrize("weighted", [False, True])
def test_sampled_betweenness_is_networkx_estimate(make_graph: Make, weighted: bool) -> None:
    g = make_graph(random_case(3, f"sampled-{weighted}"))
    network = cg.social_network(g)
    ours = cg.key_players(g, "betweenness", k=None, weighted=weighted, sample=9, seed=5)
    theirs = nx.betweenness_centrality(network, k=9, seed=5,
                                       weight="distance" if weighted else None)
    assert ours.attrs["sample"] == 9
    assert np.allclose(ours["score"], [theirs[i] for i in ours["id"]], rtol=1e-9, atol=1e-12)
    exact = cg.key_players(g, "betweenness", k=None, sample=len(network) + 10)
    assert exact.attrs["sample"] is None  # a sample of everyone is the exact value


def test_large_networks_get_a_sampled_betweenness() -> None:
    path = nx.relabel_nodes(nx.path_graph(5200), lambda i: f"N{i:05d}")
    top = cg.key_players(path, "betweenness", k=3)
    assert top.attrs["sample"] == DEFAULT_SAMPLE
    middle = int(top["id"].iloc[0][1:])
    assert 2000 < middle < 3200  # the middle of a path carries the most shortest paths
    assert top["score"].iloc[0] == pytest.approx(0.5, abs=0.1)  # exact: 0.5 at the centre


def test_deterministic_and_accepts_a_case(make_graph: Make) -> None:
    case = random_case(11, "deterministic")
    first = cg.key_players(make_graph(case), "pagerank", k=None)
    second = cg.key_players(case, "pagerank", k=None)
    assert first.equals(second)
    shuffled = cg.Case.model_validate({**case.model_dump(),
                                       "relationships": case.model_dump()["relationships"][::-1]})
    assert cg.key_players(shuffled, "betweenness", k=None, weighted=True).equals(
        cg.key_players(case, "betweenness", k=None, weighted=True))


def test_errors_name_the_value(make_graph: Make) -> None:
    g = make_graph(people_case([("A", "B")]))
    with pytest.raises(ValueError, match=r"measure='influence' is unknown.*pagerank"):
        cg.key_players(g, "influence")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k=0 must be a whole number"):
        cg.key_players(g, k=0)
    with pytest.raises(ValueError, match="sample=1 must be a whole number >= 2"):
        cg.key_players(g, "betweenness", sample=1)
    with pytest.raises(ValueError, match=r"undirected simple networkx.Graph"):
        cg.key_players(nx.MultiGraph([("A", "B")]))
    with pytest.raises(TypeError, match="got list"):
        cg.key_players([("A", "B")])  # type: ignore[arg-type]


def test_empty_network_gives_an_empty_table() -> None:
    table = cg.key_players(cg.Case(id="empty"), "closeness")
    assert table.empty and table.columns.tolist() == ["id", "name", "score", "rank"]


def test_synthetic_gang_leaders_have_the_most_ties(make_graph: Make) -> None:
    from crimegraph.synth import generate_case

    case = generate_case(600, 3, n_people=100)  # 4 gangs of 25, each leader leads 24
    leaders = sorted(p.id for p in case.persons if p.role == "leader")
    top = cg.key_players(make_graph(case), "degree", k=4)
    assert sorted(top["id"]) == leaders

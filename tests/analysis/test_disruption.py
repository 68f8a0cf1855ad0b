"""simulate_disruption: removal orders known by hand, curves, flow, each strategy's scores."""

from __future__ import annotations

import random
from collections.abc import Callable

import igraph
import matplotlib
import networkx as nx
import numpy as np
import pytest

import crimegraph as cg
from crimegraph.analysis.disruption import collective_influence, katz_scores

from .test_players import two_cliques
from .test_social import people_case

matplotlib.use("Agg")

Make = Callable[[cg.Case], cg.CaseGraph]


def supply_case(case_id: str = "supply", *, direct: float | None = None) -> cg.Case:
    """Two dens feed one chokepoint warehouse that supplies three shops; the warehouse's
    owner calls the dens' cooks."""
    ships = [("DEN1", "WH", 100), ("DEN2", "WH", 60), ("WH", "SHOP1", 90), ("WH", "SHOP2", 50),
             ("WH", "SHOP3", 20)]
    if direct is not None:
        ships.append(("DEN2", "SHOP3", direct))
    return people_case(
        [("OWNER", "WH", "owns"), ("COOK1", "DEN1", "operates"), ("COOK2", "DEN2", "operates"),
         ("OWNER", "COOK1"), ("OWNER", "COOK2")],
        organizations=["DEN1", "DEN2", "WH", "SHOP1", "SHOP2", "SHOP3"], case_id=case_id,
        transactions=[cg.Transaction(id=f"T{i}", kind="shipment", source=s, target=t,
                                     timestamp="2024-03-01", product="OIL", quantity=q)
                      for i, (s, t, q) in enumerate(ships)])


def test_star_falls_apart_when_its_hub_goes(make_graph: Make) -> None:
    g = make_graph(people_case([("HUB", leaf) for leaf in "ABCDE"]))
    run = cg.simulate_disruption(g, "degree")
    assert run.removed == ["HUB"]  # then 5 nodes remain: per_round=5 stops the run
    assert run.curve.columns.tolist() == ["removed", "lcc_fraction"]
    assert run.curve["removed"].tolist() == [0, 1]
    assert run.curve["lcc_fraction"].tolist() == [1.0, 1 / 6]
    assert run.strategy == "degree" and run.mode == "sequential" and run.network == "social"


def test_sequential_and_block_removal_of_bridged_cliques(make_graph: Make) -> None:
    g = make_graph(people_case(two_cliques()))
    seq = cg.simulate_disruption(g, "betweenness", per_round=2)
    # A1 and B1 tie on betweenness: A1 goes first by id. That cuts the bridge, every
    # betweenness left is 0, and the ties go by id.
    assert seq.removed == ["A1", "A2", "A3", "A4", "B1", "B2"]
    assert seq.curve["lcc_fraction"].tolist() == pytest.approx(
        [1, 4 / 8, 4 / 8, 4 / 8, 4 / 8, 3 / 8, 2 / 8])
    block = cg.simulate_disruption(g, "betweenness", "block", per_round=2)
    assert block.removed == ["A1", "B1", "A2", "A3", "A4", "B2"]
    assert block.curve["removed"].tolist() == [0, 2, 4, 6]
    assert block.curve["lcc_fraction"].tolist() == pytest.approx([1, 3 / 8, 3 / 8, 2 / 8])
    capped = cg.simulate_disruption(g, "degree", max_removed=3)
    assert capped.removed == ["A1", "B1", "A2"] and len(capped.curve) == 4


def test_flow_strategy_cuts_the_chokepoint(make_graph: Make) -> None:
    g = make_graph(supply_case(direct=5))
    run = cg.simulate_disruption(g, "flow", per_round=1)
    assert run.network == "goods"
    # WH handled 165; then DEN1's shipments all went to WH: DEN2 (5 to SHOP3) is next.
    assert run.removed[:2] == ["WH", "DEN2"]
    assert run.curve["flow_fraction"].tolist()[:3] == pytest.approx([1.0, 5 / 165, 0.0])
    assert run.curve["lcc_fraction"].tolist()[:3] == pytest.approx([1.0, 2 / 6, 1 / 6])


def test_flow_fraction_is_networkx_max_flow(make_graph: Make) -> None:
    rng = random.Random(4)
    dag = nx.gnp_random_graph(14, 0.3, seed=4, directed=True)
    arcs = [(a, b) for a, b in dag.edges if a < b]
    ships = [cg.Transaction(id=f"T{i:03d}", kind="shipment", source=f"N{a:02d}",
                            target=f"N{b:02d}", timestamp="2024-03-01", product="OIL",
                            quantity=rng.randint(1, 50)) for i, (a, b) in enumerate(arcs)]
    nodes = sorted({f"N{x:02d}" for arc in arcs for x in arc})
    case = cg.Case(id="maxflow", organizations=[cg.Organization(id=n, name=n) for n in nodes],
                   products=[cg.Product(id="OIL", name="Oil")], transactions=ships)
    g = make_graph(case)
    run = cg.simulate_disruption(g, "degree", network="goods", per_round=3)

    def max_flow(removed: list[str]) -> float:
        net = nx.DiGraph()
        for t in ships:
            if t.source not in removed and t.target not in removed:
                net.add_edge(t.source, t.target, capacity=t.quantity)
        for s in cg.find_sources(g)["id"]:
            if s not in removed and s in net:
                net.add_edge("SRC", s)
        received = {t.target for t in ships}
        sent = {t.source for t in ships}
        for e in sorted(received - sent):
            if e not in removed and e in net:
                net.add_edge(e, "SINK")
        if "SRC" not in net or "SINK" not in net:
            return 0.0
        return float(nx.maximum_flow_value(net, "SRC", "SINK"))

    initial = max_flow([])
    assert initial > 0
    expected = [max_flow(run.removed[:k]) / initial for k in run.curve["removed"]]
    assert run.curve["flow_fraction"].tolist() == pytest.approx(expected)
    assert expected[-1] < 1.0


def test_people_removed_from_the_social_network_keep_the_goods_flowing(make_graph: Make
                                                                       ) -> None:
    run = cg.simulate_disruption(make_graph(supply_case()), "degree", per_round=1)
    # OWNER is tied to WH, COOK1 and COOK2; then every tie is a pair: ties go by id.
    assert run.removed == ["OWNER", "COOK1", "COOK2", "DEN1", "DEN2"]
    assert run.curve["lcc_fraction"].tolist() == pytest.approx([1, 2 / 6, 2 / 6, 1 / 6,
                                                                1 / 6, 1 / 6])
    # Arresting people seizes no goods; closing DEN1 stops its 100 of the 160.
    assert run.curve["flow_fraction"].tolist() == pytest.approx([1, 1, 1, 1, 60 / 160, 0])


def test_katz_scores_are_networkx_katz() -> None:
    network = nx.relabel_nodes(nx.gnm_random_graph(25, 50, seed=1), lambda i: f"N{i:02d}")
    for u, v in network.edges:
        network.edges[u, v]["weight"] = 1 + (hash((u, v)) % 3)
    g = cg.network_to_igraph(network)
    for weighted in (False, True):
        weight = "weight" if weighted else None
        lam = max(np.linalg.eigvalsh(nx.to_numpy_array(network, nodelist=g.vs["name"],
                                                       weight=weight)))
        theirs = nx.katz_centrality_numpy(network, alpha=0.5 / lam, beta=1.0,
                                          normalized=False, weight=weight)
        ours = katz_scores(g, weighted)
        assert np.allclose(ours, [theirs[n] for n in g.vs["name"]], rtol=1e-9)


def test_collective_influence_by_its_definition() -> None:
    network = nx.gnm_random_graph(30, 45, seed=6)
    g = igraph.Graph(n=30, edges=list(network.edges))
    degree = dict(network.degree)
    expected = []
    for i in range(30):
        ring = [j for j, d in nx.single_source_shortest_path_length(network, i, cutoff=2).items()
                if d == 2]
        expected.append((degree[i] - 1) * sum(degree[j] - 1 for j in ring) if degree[i] else 0)
    assert collective_influence(g).tolist() == pytest.approx(expected)
    # Path a-b-c-d-e: b has d two steps away (k_d - 1 = 1); c has the leaves a and e (0).
    path = igraph.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3), (3, 4)])
    assert collective_influence(path).tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("strategy", ["degree", "betweenness", "katz", "collective_influence"])
def test_every_strategy_is_deterministic(make_graph: Make, strategy: str) -> None:
    planted = nx.planted_partition_graph(3, 8, 0.6, 0.1, seed=8)
    g = make_graph(people_case([(f"P{a:02d}", f"P{b:02d}") for a, b in planted.edges],
                               case_id=f"det-{strategy}"))
    first = cg.simulate_disruption(g, strategy, "block", per_round=3)  # type: ignore[arg-type]
    again = cg.simulate_disruption(g, strategy, "block", per_round=3)  # type: ignore[arg-type]
    assert first.removed == again.removed and first.curve.equals(again.curve)
    assert len(first.removed) == 21 and len(set(first.removed)) == 21
    assert first.curve["lcc_fraction"].iloc[-1] < 0.5
    assert 0 < first.robustness < 1


def test_plot_and_repr(make_graph: Make) -> None:
    run = cg.simulate_disruption(make_graph(supply_case()), "flow")
    drawn = run.plot()
    assert any(list(line.get_ydata()) == run.curve["flow_fraction"].tolist()
               for line in drawn.get_lines())
    assert any(list(line.get_ydata()) == run.curve["lcc_fraction"].tolist()
               for line in drawn.get_lines())
    assert "flow (sequential, goods network)" in repr(run)
    assert run.removed_until(0.5) == 1


def test_accepts_a_networkx_graph() -> None:
    run = cg.simulate_disruption(nx.relabel_nodes(nx.star_graph(5), str), "degree")
    assert run.removed == ["0"] and "flow_fraction" not in run.curve


def test_errors_name_the_value(make_graph: Make) -> None:
    g = make_graph(people_case([("A", "B")]))
    with pytest.raises(ValueError, match="strategy='random' is unknown"):
        cg.simulate_disruption(g, "random")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode='parallel' is unknown"):
        cg.simulate_disruption(g, mode="parallel")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="per_round=0 must be a whole number"):
        cg.simulate_disruption(g, per_round=0)
    with pytest.raises(ValueError, match="max_removed=0 must be a whole number"):
        cg.simulate_disruption(g, max_removed=0)
    with pytest.raises(ValueError, match=r"weighted=True does not apply.*collective_influence"):
        cg.simulate_disruption(g, "collective_influence", weighted=True)
    with pytest.raises(ValueError, match=r"needs network='goods' \(got network='social'\)"):
        cg.simulate_disruption(g, "flow", network="social")
    with pytest.raises(ValueError, match="strategy='flow' needs shipments"):
        cg.simulate_disruption(g, "flow")
    with pytest.raises(ValueError, match="network='goods' needs shipments"):
        cg.simulate_disruption(g, "degree", network="goods")
    with pytest.raises(ValueError, match="network='trade' is unknown"):
        cg.simulate_disruption(g, network="trade")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no nodes to remove"):
        cg.simulate_disruption(cg.Case(id="empty"))

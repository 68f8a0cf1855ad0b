"""Benchmark: key players and groups on a 50,000-person network, against plain networkx.

Times ``key_players(measure="betweenness")`` (the sampled estimate at this size) against
``networkx.betweenness_centrality(k=...)`` with the same k and seed, and ``find_groups``
(igraph's Louvain) against ``networkx.community.louvain_communities(seed=...)``, all on the
same social network in the same run. Prints the times, the speed-ups (target: 10x or more)
and whether the results agree: the sampled betweenness must equal networkx's estimate (same
sources) and Louvain's modularity must be within 2 % of networkx's. Times are reported,
never asserted; disagreeing results make the exit status 1.

Usage::

    python benchmarks/bench_analysis.py                  # 50,000 people
    python benchmarks/bench_analysis.py --people 500     # a quick smoke run (CI)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx
import numpy as np

import crimegraph as cg
from crimegraph.analysis.players import DEFAULT_SAMPLE

T = TypeVar("T")


def timed(function: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """The result of ``function()`` and its best wall time in seconds over ``repeat`` runs."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return result, best


def build_network(people: int, transactions: int, seed: int) -> tuple[nx.Graph, str]:
    """The social network of a synthetic case (or, without crimegraph.synth, the same call
    structure built directly: gangs of 25, about 4 calls per person, 80 % inside a gang)."""
    try:
        from crimegraph.synth import generate_case
    except ImportError:
        return _call_graph(people, seed), "direct call graph (crimegraph.synth unavailable)"
    case = generate_case(transactions, seed, n_people=people)
    return cg.social_network(case), (f"crimegraph.synth.generate_case({transactions}, "
                                     f"{seed}, n_people={people})")


def _call_graph(people: int, seed: int) -> nx.Graph:
    rng = np.random.default_rng(seed)
    gang = np.arange(people) // 25
    caller = rng.integers(0, people, size=4 * people)
    inside = rng.random(4 * people) < 0.8
    start = gang[caller] * 25
    size = np.minimum(25, people - start)
    callee = np.where(inside, start + rng.integers(0, 1 << 30, size=caller.size) % size,
                      rng.integers(0, people, size=caller.size))
    weight = rng.integers(1, 30, size=caller.size)
    network = nx.Graph()
    network.add_nodes_from((f"PER{i:07d}", {"name": f"Person {i}"}) for i in range(people))
    for a, b, w in zip(caller.tolist(), callee.tolist(), weight.tolist(), strict=True):
        if a == b:
            continue
        u, v = f"PER{a:07d}", f"PER{b:07d}"
        if network.has_edge(u, v):
            network.edges[u, v]["weight"] += w
        else:
            network.add_edge(u, v, weight=float(w))
    return network


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000, help="persons (default 50,000)")
    parser.add_argument("--transactions", type=int, default=None,
                        help="transactions of the synthetic case (default: people / 2)")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE,
                        help=f"betweenness source nodes k (default {DEFAULT_SAMPLE})")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    transactions = args.transactions or max(200, args.people // 2)

    network, origin = build_network(args.people, transactions, args.seed)
    n = network.number_of_nodes()
    k = min(args.sample, n)
    print(f"network: {origin}")
    print(f"         {n:,} nodes, {network.number_of_edges():,} ties; betweenness k = {k}")

    # Warm up: the first call imports igraph (and its plotting support); not algorithm time.
    warm_up = nx.path_graph(["A", "B", "C"])
    cg.key_players(warm_up, "betweenness")
    cg.find_groups(warm_up)

    ours_b, t_ours_b = timed(lambda: cg.key_players(network, "betweenness", k=None,
                                                    sample=k, seed=args.seed))
    theirs_b, t_nx_b = timed(lambda: nx.betweenness_centrality(network, k=k, seed=args.seed))
    ours_g, t_ours_g = timed(lambda: cg.find_groups(network, seed=args.seed), repeat=3)
    theirs_g, t_nx_g = timed(lambda: nx.community.louvain_communities(network, seed=args.seed))
    q_nx = nx.community.modularity(network, theirs_g)

    # Agreement.
    reference = np.array([theirs_b[node] for node in ours_b["id"]])
    gap = float(np.max(np.abs(ours_b["score"].to_numpy() - reference)))
    top_ours = set(ours_b["id"].head(10))
    top_nx = {node for node, _ in sorted(theirs_b.items(), key=lambda x: (-x[1], x[0]))[:10]}
    overlap = len(top_ours & top_nx)
    q_ours = ours_g.modularity
    q_gap = abs(q_ours - q_nx) / abs(q_nx) if q_nx else 0.0
    betweenness_ok = gap <= 1e-9 * max(1.0, float(reference.max(initial=0.0))) and overlap >= 9
    groups_ok = q_gap <= 0.02

    def verdict(ratio: float) -> str:
        return "meets the 10x target" if ratio >= 10 else "below the 10x target"

    rows = [
        ("betweenness (sampled)", t_ours_b, t_nx_b),
        ("groups (Louvain)", t_ours_g, t_nx_g),
    ]
    print()
    print(f"{'':24}{'crimegraph':>12}{'networkx':>12}{'speed-up':>10}")
    for label, ours, theirs in rows:
        ratio = theirs / ours if ours > 0 else float("inf")
        print(f"{label:24}{ours:>11.2f}s{theirs:>11.2f}s{ratio:>9.1f}x  {verdict(ratio)}")
    print()
    print(f"betweenness: top-10 overlap {overlap}/10, largest difference {gap:.2e} "
          f"({'agrees' if betweenness_ok else 'DISAGREES'})")
    print(f"groups:      modularity {q_ours:.4f} ({len(ours_g)} groups) vs networkx "
          f"{q_nx:.4f} ({len(theirs_g)} groups), {100 * q_gap:.2f}% apart "
          f"({'agrees' if groups_ok else 'DISAGREES'})")
    return 0 if betweenness_ok and groups_ok else 1


if __name__ == "__main__":
    sys.exit(main())

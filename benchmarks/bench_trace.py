"""Speed of loading a case and of trace_chain, as ratios to baselines measured in the same run.

Usage::

    python benchmarks/bench_trace.py                 # 1,000,000 transactions (about 3 minutes)
    python benchmarks/bench_trace.py --n 20000       # a quick smoke run

Figures printed:

* load: ``Case.model_validate`` + ``CaseGraph`` (validation + store build) against the naive way,
  ``TypeAdapter(list[Transaction]).validate_python`` + ``networkx.MultiDiGraph.add_edges_from``
  with attribute dicts; each measured in fresh subprocesses (alternating, the fastest of
  ``--load-repeat`` runs), with its peak memory per transaction.
* trace: ``trace_chain`` downstream from the busiest source, time-respecting, against a plain
  pure-Python time-respecting traversal of a networkx graph (the baseline) and against
  ``scipy.sparse.csgraph.breadth_first_order`` over the same shipments (a C BFS, prebuilt CSR).

Targets: load >= 3x faster than naive; trace >= 10x faster than the baseline and within 3x of
the C BFS. The script prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple


def rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Timing(NamedTuple):
    wall: float
    """Median wall-clock seconds per call."""
    cpu: float
    """Median processor seconds per call (this process only: less disturbed by others)."""


def median_time(run: Callable[[], Any], repeat: int, *, least: float = 0.02
                ) -> tuple[Timing, Any]:
    """Median seconds per call over ``repeat`` rounds; in a round, a fast call repeats until
    it lasts ``least`` seconds (sub-millisecond calls stay well above the clocks' resolution)."""
    start = time.perf_counter()
    result = run()
    number = max(1, min(10_000, int(least / max(time.perf_counter() - start, 1e-9))))
    walls, cpus = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(number):
            result = run()
        walls.append((time.perf_counter() - start) / number)
        cpus.append((time.process_time() - start_cpu) / number)
    return Timing(statistics.median(walls), statistics.median(cpus)), result


# -- load, each way in its own process so that peak memory is its own -----------------------

def child_load(n: int, way: str) -> dict[str, float]:
    from crimegraph import synth

    data = synth.generate_case_data(n, seed=1)
    gc.collect()
    base = rss_kib("VmRSS")
    start, start_cpu = time.perf_counter(), time.process_time()
    if way == "crimegraph":
        import crimegraph as cg

        graph = cg.CaseGraph(cg.Case.model_validate(data))
        assert len(graph.shipments()) > 0
    else:
        import networkx as nx
        from pydantic import TypeAdapter

        import crimegraph as cg

        txs = TypeAdapter(list[cg.Transaction]).validate_python(data["transactions"])
        graph = nx.MultiDiGraph()
        graph.add_edges_from(
            (t.source, t.target, t.id, t.model_dump(exclude={"source", "target", "id"}))
            for t in txs
        )
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak = rss_kib("VmHWM")
    return {"seconds": seconds, "cpu": cpu, "bytes_per_tx": (peak - base) * 1024 / n}


def measure_load(n: int, repeat: int) -> dict[str, dict[str, float]]:
    """Each way ``repeat`` times, alternating; the fastest run of each (its peak memory too).

    The minimum is the figure least disturbed by whatever else the machine is doing.
    """
    results: dict[str, dict[str, float]] = {}
    for round_ in range(repeat):
        ways = ("crimegraph", "naive") if round_ % 2 == 0 else ("naive", "crimegraph")
        for way in ways:
            out = subprocess.run(
                [sys.executable, __file__, "--child-load", way, "--n", str(n)],
                check=True, capture_output=True, text=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            if way not in results or result["seconds"] < results[way]["seconds"]:
                results[way] = result
    return results


# -- trace --------------------------------------------------------------------------------

def python_baseline(adjacency: dict[str, list[tuple[float, str]]], start: str) -> set[str]:
    """Earliest-arrival traversal in plain Python over a networkx graph's adjacency."""
    arrival = {start: float("-inf")}
    heap = [(float("-inf"), start)]
    while heap:
        when, node = heapq.heappop(heap)
        if when > arrival.get(node, float("inf")):
            continue
        for ts, target in adjacency.get(node, ()):
            if ts >= when and ts < arrival.get(target, float("inf")):
                arrival[target] = ts
                heapq.heappush(heap, (ts, target))
    return set(arrival)


def measure_trace(n: int, repeat: int) -> dict[str, Any]:
    import networkx as nx
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    import crimegraph as cg
    from crimegraph import synth

    graph = cg.CaseGraph(synth.generate_case(n, seed=1))
    table = graph.shipments()
    busiest = int(np.bincount(table.source).argmax())
    start = table.node_ids[busiest]

    cg.trace_chain(graph, start)  # compile (cached on disk afterwards)
    ours, chain = median_time(lambda: cg.trace_chain(graph, start), repeat)
    full, _ = median_time(
        lambda: (lambda c: (c.transactions, c.tiers))(cg.trace_chain(graph, start)), repeat
    )

    # The baseline walks a networkx graph of the same shipments (float epoch seconds).
    nxg = nx.MultiDiGraph()
    times = (table.time / 1e6).tolist()
    nxg.add_edges_from(
        (table.node_ids[s], table.node_ids[t], {"ts": ts})
        for s, t, ts in zip(table.source.tolist(), table.target.tolist(), times)
    )

    def baseline() -> set[str]:
        adjacency: dict[str, list[tuple[float, str]]] = {}
        for node, nbrs in nxg.adj.items():
            adjacency[node] = [(d["ts"], v) for v, keys in nbrs.items() for d in keys.values()]
        return python_baseline(adjacency, start)

    base, reached = median_time(baseline, max(1, repeat // 2))
    assert reached == set(chain.nodes), "baseline and trace_chain disagree"

    size = len(table.node_ids)
    matrix = csr_matrix(
        (np.ones(len(table)), (table.source, table.target)), shape=(size, size)
    )
    matrix.sum_duplicates()
    bfs, order = median_time(
        lambda: breadth_first_order(matrix, busiest, directed=True, return_predecessors=False),
        repeat,
    )
    return {
        "start": start, "shipments_out": int((table.source == busiest).sum()),
        "chain_nodes": len(chain.nodes), "chain_shipments": chain.shipment_count,
        "bfs_reached": len(order), "ours": ours, "ours_materialized": full,
        "baseline": base, "scipy_bfs": bfs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="transactions")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each trace")
    parser.add_argument("--load-repeat", type=int, default=2,
                        help="fresh-process loads of each way (the fastest counts)")
    parser.add_argument("--child-load", choices=["crimegraph", "naive"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_load:
        print(json.dumps(child_load(args.n, args.child_load)))
        return

    print(f"crimegraph benchmark: {args.n:,} transactions")
    load = measure_load(args.n, args.load_repeat)
    ours, naive = load["crimegraph"], load["naive"]
    print(f"\nload (validation + store build), each in a fresh process, "
          f"fastest of {args.load_repeat}:")
    for name, result in (("crimegraph", ours), ("naive", naive)):
        print(f"  {name:<10}  {result['seconds']:8.2f} s wall {result['cpu']:8.2f} s processor"
              f"   peak {result['bytes_per_tx']:6.0f} B/transaction")
    print("  (naive: TypeAdapter(list[Transaction]) + MultiDiGraph.add_edges_from)")
    print(f"  speed-up    {naive['seconds'] / ours['seconds']:8.1f} x wall "
          f"{naive['cpu'] / ours['cpu']:6.1f} x processor   (target >= 3x)")

    trace = measure_trace(args.n, args.repeat)
    print(f"\ntrace_chain downstream from the busiest source {trace['start']} "
          f"({trace['shipments_out']:,} shipments out; chain: {trace['chain_nodes']:,} nodes, "
          f"{trace['chain_shipments']:,} shipments):")
    print("                                        wall    processor")
    for name, key in (("trace_chain", "ours"),
                      ("... plus .transactions, .tiers", "ours_materialized"),
                      ("pure-Python baseline (networkx)", "baseline"),
                      ("scipy breadth_first_order (C)", "scipy_bfs")):
        print(f"  {name:<32} {trace[key].wall * 1e3:9.3f} ms {trace[key].cpu * 1e3:9.3f} ms")
    print(f"  (the C BFS reaches {trace['bfs_reached']:,} nodes, ignoring time)")
    ours, base, bfs = trace["ours"], trace["baseline"], trace["scipy_bfs"]
    print(f"  vs baseline  {base.wall / ours.wall:7.1f} x faster (wall), "
          f"{base.cpu / ours.cpu:.1f} x (processor)   (target >= 10x)")
    print(f"  vs C BFS     {ours.wall / bfs.wall:7.2f} x its time (wall), "
          f"{ours.cpu / bfs.cpu:.2f} x (processor)   (target <= 3x)")

if __name__ == "__main__":
    main()

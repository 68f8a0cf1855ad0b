"""Speed of trace_money, as a ratio to scipy's C breadth-first search over the same payments.

Usage::

    python benchmarks/bench_money.py                 # 1,000,000 transactions (100,000 payments)
    python benchmarks/bench_money.py --n 20000       # a quick smoke run

Figures printed: ``trace_money`` (reach, time-respecting) downstream from the payer whose
money can reach the most accounts and upstream to the busiest payee, warm (compiled, the
walk's per-node lists built), against ``scipy.sparse.csgraph.breadth_first_order`` over
the same payments (a C BFS over a prebuilt CSR matrix, which ignores time). Target: within
3x of the C BFS. The script prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any, NamedTuple


class Timing(NamedTuple):
    wall: float
    """Median wall-clock seconds per call."""
    cpu: float
    """Median processor seconds per call (this process only: less disturbed by others)."""


def compare(runs: dict[str, Callable[[], Any]], repeat: int, *, least: float = 0.02
            ) -> tuple[dict[str, Timing], dict[str, Any]]:
    """Median seconds per call of each run, over ``repeat`` rounds that take the runs in
    turn (so that all see the same machine load). In a round, a fast call repeats until it
    lasts ``least`` seconds, which keeps sub-millisecond calls well above the clocks'
    resolution."""
    results = {name: run() for name, run in runs.items()}  # warm
    number = {}
    for name, run in runs.items():
        start = time.perf_counter()
        run()
        number[name] = max(1, min(10_000, int(least / max(time.perf_counter() - start, 1e-9))))
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(number[name]):
                results[name] = run()
            walls[name].append((time.perf_counter() - start) / number[name])
            cpus[name].append((time.process_time() - start_cpu) / number[name])
    timings = {name: Timing(statistics.median(walls[name]), statistics.median(cpus[name]))
               for name in runs}
    return timings, results


def memory_per_trace(run: Callable[[], Any], count: int) -> tuple[float, float]:
    """Peak traced memory over ``count`` calls, and what is still held after them (bytes)."""
    import gc
    import tracemalloc

    run()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(count):
        run()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base, current - base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="transactions")
    parser.add_argument("--repeat", type=int, default=9, help="timed rounds of each trace")
    parser.add_argument("--traces", type=int, default=1000,
                        help="traces for the memory figure")
    args = parser.parse_args()

    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    import crimegraph as cg
    from crimegraph import synth

    print(f"trace_money benchmark: {args.n:,} transactions")
    graph = cg.CaseGraph(synth.generate_case(args.n, seed=1))
    table = graph.payments()
    size = len(table.node_ids)
    print(f"  {len(table):,} payments among {size:,} accounts")
    forward = csr_matrix((np.ones(len(table)), (table.source, table.target)),
                         shape=(size, size))
    forward.sum_duplicates()
    backward = forward.T.tocsr()
    # Money flows up the ring (shops pay distributors, who pay the leaders): the busiest
    # payer reaches few accounts. Start where the money can go furthest: the payer, among
    # the 300 busiest, from whom the C BFS reaches most accounts; upstream, the busiest payee.
    busiest = np.argsort(-np.bincount(table.source, minlength=size), kind="stable")[:300]
    reach = [len(breadth_first_order(forward, int(u), directed=True,
                                     return_predecessors=False)) for u in busiest]
    payer = int(busiest[int(np.argmax(reach))])
    payee = int(np.bincount(table.target, minlength=size).argmax())
    for direction, node, matrix in (("downstream", payer, forward),
                                    ("upstream", payee, backward)):
        start = table.node_ids[node]
        cg.trace_money(graph, start, direction=direction)  # compile, build the lists
        timings, results = compare({
            "trace_money": lambda: cg.trace_money(
                graph, start, direction=direction),  # noqa: B023
            "  with .tiers": lambda: cg.trace_money(
                graph, start, direction=direction).tiers,  # noqa: B023
            "scipy C BFS": lambda: breadth_first_order(
                matrix, node, directed=True, return_predecessors=False),  # noqa: B023
        }, args.repeat)
        trail, order = results["trace_money"], results["scipy C BFS"]
        ours, full, bfs = (timings[name] for name in timings)
        print(f"\ntrace_money {direction} from {start} (trail: {len(trail.tiers):,} accounts, "
              f"{trail.payment_count:,} payments; C BFS reaches {len(order):,} accounts, "
              "ignoring time):")
        print("                          wall     processor")
        for name, timing in timings.items():
            print(f"  {name:<16} {timing.wall * 1e3:9.3f} ms {timing.cpu * 1e3:9.3f} ms")
        print(f"  ratio            {ours.wall / bfs.wall:9.2f} x  {ours.cpu / bfs.cpu:9.2f} x"
              "   the C BFS (target <= 3x)")
        print(f"  with .tiers      {full.wall / bfs.wall:9.2f} x  {full.cpu / bfs.cpu:9.2f} x")
        peak, held = memory_per_trace(
            lambda: cg.trace_money(graph, start, direction=direction).tiers,  # noqa: B023
            args.traces)
        print(f"  memory over {args.traces:,} traces (with .tiers): peak {peak / 1024:,.0f} KiB, "
              f"still held after them {held / 1024:,.1f} KiB")


if __name__ == "__main__":
    main()

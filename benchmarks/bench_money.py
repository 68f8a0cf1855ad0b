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
from typing import Any


def median_time(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="transactions")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs of each trace")
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
        ours, trail = median_time(
            lambda: cg.trace_money(graph, start, direction=direction),  # noqa: B023
            args.repeat)
        full, _ = median_time(
            lambda: cg.trace_money(graph, start, direction=direction).tiers,  # noqa: B023
            args.repeat)
        bfs, order = median_time(
            lambda: breadth_first_order(matrix, node, directed=True,  # noqa: B023
                                        return_predecessors=False), args.repeat)
        print(f"\ntrace_money {direction} from {start} (trail: {len(trail.tiers):,} accounts, "
              f"{trail.payment_count:,} payments; C BFS reaches {len(order):,} accounts, "
              "ignoring time):")
        print(f"  trace_money      {ours * 1e3:9.2f} ms   (with tiers: {full * 1e3:.2f} ms)")
        print(f"  scipy C BFS      {bfs * 1e3:9.2f} ms")
        print(f"  ratio            {ours / bfs:9.2f} x the C BFS  (target <= 3x); "
              f"with tiers {full / bfs:.2f} x")


if __name__ == "__main__":
    main()

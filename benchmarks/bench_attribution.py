"""Speed of proportional money attribution, as a ratio to a pure-Python run of the same rule.

Usage::

    python benchmarks/bench_attribution.py               # synth.generate_case(1_000_000)'s payments
    python benchmarks/bench_attribution.py --n 20000     # a quick smoke run

The payments are those of ``synth.generate_case_data(n)`` (the data ``synth.generate_case(n)``
validates; about one transaction in ten is a payment), as the columns a store hands the
analysis: payer and payee indices, times in microseconds, amounts, sorted by time. The start is
the account that pays out the most.

Figures printed: the compiled kernel (warm: compiled or loaded from numba's cache before the
clock starts) against a pure-Python implementation of the same rule (lists and a heap, the
same algorithm, no numpy in the loop), both on the same payments in the same run, and a check
that both give the same answer. Target: the kernel at least 20x faster. The script prints
figures and never fails on time.
"""

from __future__ import annotations

import argparse
import heapq
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np


def median_time(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def payments(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    from crimegraph import synth

    data = synth.generate_case_data(n, seed=1)
    rows = [t for t in data["transactions"] if t["kind"] == "payment"]
    nodes: dict[str, int] = {}
    src = np.array([nodes.setdefault(t["source"], len(nodes)) for t in rows], dtype=np.int32)
    dst = np.array([nodes.setdefault(t["target"], len(nodes)) for t in rows], dtype=np.int32)
    when = np.array([int(datetime.fromisoformat(t["timestamp"]).timestamp() * 1_000_000)
                     for t in rows], dtype=np.int64)
    money = np.array([float(t["amount"]) for t in rows], dtype=np.float64)
    order = np.argsort(when, kind="stable")
    return src[order], dst[order], when[order], money[order], len(nodes)


def pure_python(source: list[int], target: list[int], when: list[int], amount: list[float],
                starts: list[int], n_nodes: int) -> tuple[list[float], list[float]]:
    """The rule of ``crimegraph.analysis._attribution``, in plain Python."""
    n = len(source)
    carried = [0.0] * n
    attributed = [0.0] * n_nodes
    start_money = [0.0] * n_nodes
    other_money = [0.0] * n_nodes
    is_start = [False] * n_nodes
    for s in starts:
        is_start[s] = True

    def pay(e: int) -> None:
        u, v, a = source[e], target[e], amount[e]
        if is_start[u]:
            c = a
        else:
            s, o = start_money[u], other_money[u]
            held = s + o
            if held <= 0.0:
                c = 0.0
            elif a >= held:
                c = s
                start_money[u] = other_money[u] = 0.0
            else:
                c = min(a * (s / held), s)
                start_money[u] = max(s - c, 0.0)
                other_money[u] = max(o - (a - c), 0.0)
        carried[e] = c
        start_money[v] += c
        other_money[v] += a - c
        attributed[v] += c

    begin = 0
    while begin < n:
        end = begin + 1
        while end < n and when[end] == when[begin]:
            end += 1
        if end - begin == 1:
            pay(begin)
            begin = end
            continue
        pending: dict[int, int] = {}
        out: dict[int, list[int]] = {}
        for e in range(begin, end):
            if source[e] != target[e]:
                pending[target[e]] = pending.get(target[e], 0) + 1
            out.setdefault(source[e], []).append(e)
        heap = [e for e in range(begin, end) if not pending.get(source[e])]
        heapq.heapify(heap)
        released = set(heap)
        done: set[int] = set()
        first_left = begin
        while len(done) < end - begin:
            if heap:
                e = heapq.heappop(heap)
            else:
                while first_left in done:
                    first_left += 1
                e = first_left
            if e in done:
                continue
            pay(e)
            done.add(e)
            v = target[e]
            if source[e] != v:
                pending[v] -= 1
                if pending[v] == 0:
                    for f in out.get(v, ()):
                        if f not in done and f not in released:
                            heapq.heappush(heap, f)
                            released.add(f)
        begin = end
    return carried, attributed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="transactions in the case")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the kernel")
    args = parser.parse_args()

    from crimegraph.analysis._attribution import proportional

    t0 = time.perf_counter()
    src, dst, when, money, n_nodes = payments(args.n)
    print(f"payments of synth.generate_case({args.n:,}): {len(src):,} between "
          f"{n_nodes:,} accounts ({len(np.unique(when)):,} distinct times), "
          f"built in {time.perf_counter() - t0:.1f} s")
    paid_out = np.bincount(src, weights=money, minlength=n_nodes)
    starts = np.array([int(np.argmax(paid_out))], dtype=np.int32)

    proportional(src[:10], dst[:10], when[:10], money[:10], starts, n_nodes)  # compile / load
    kernel_s, (carried, attributed) = median_time(
        lambda: proportional(src, dst, when, money, starts, n_nodes), args.repeat)
    lists = (src.tolist(), dst.tolist(), when.tolist(), money.tolist(), starts.tolist())
    python_s, (py_carried, py_attributed) = median_time(
        lambda: pure_python(*lists, n_nodes), 1)
    same = bool(np.allclose(carried, py_carried) and np.allclose(attributed, py_attributed))
    reached = int(np.count_nonzero(attributed > 0))
    print(f"start: the account paying out most; start money reaches {reached:,} accounts, "
          f"{float(attributed.sum()):,.0f} received in all")
    print(f"kernel (warm):   {kernel_s * 1000:9.1f} ms")
    print(f"pure Python:     {python_s * 1000:9.1f} ms")
    print(f"same answer: {same}")
    print(f"speed-up: the kernel is {python_s / kernel_s:.1f}x the pure-Python run "
          "(target >= 20x)")

    up_s, _ = median_time(
        lambda: proportional(src, dst, when, money, starts, n_nodes, upstream=True),
        args.repeat)
    print(f"upstream (warm): {up_s * 1000:9.1f} ms")


if __name__ == "__main__":
    main()

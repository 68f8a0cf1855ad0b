"""Loading into Neo4j and tracing there, against the in-memory store in the same run.

Usage::

    python benchmarks/bench_neo4j.py               # 100,000 transactions
    python benchmarks/bench_neo4j.py --n 5000      # a quick smoke run

Uses the server named by ``CRIMEGRAPH_NEO4J_URI``, or starts the project's test server
(``tests/neo4j_launcher.py``; needs Java 17 and Maven). Figures printed:

* load: transactions per second written over Bolt (batched UNWIND), after the constraints
  are created and the server has been warmed up, as a long-running server is, by loading
  and tracing other cases of the same size (those first loads' rates, and how the warm-up
  traces sped up as the server's JIT compiled them, are printed too);
* trace: ``trace_chain`` downstream from the busiest source on both stores, as the call alone
  and with its results read (``.transactions``, ``.tiers``), and the ratio Neo4j / memory
  (medians of ``--repeat`` runs, the two stores interleaved). The Neo4j trace runs in the
  server-side procedure ``crimegraph.trace`` when the server has crimegraph's plugin (the
  project's test server does), and its time inside the server is printed; the level-by-level
  trace (without the plugin) is timed too, for reference.

Targets: >= 20,000 transactions/s; the trace within 5x of the in-memory store. Never fails on
time; it does fail if the two stores disagree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="transactions")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--warm-up-loads", type=int, default=3,
                        help="loads of other cases of the same size before timing")
    parser.add_argument("--warm-up", type=int, default=60,
                        help="traces after each warm-up load (the server's JIT compiles the "
                             "trace procedure and the read paths over the first hundred or so)")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="sessions writing links")
    args = parser.parse_args()

    import numpy as np

    import crimegraph as cg
    from crimegraph import synth
    from crimegraph.store.base import FlowQuery

    server = None
    uri = os.environ.get("CRIMEGRAPH_NEO4J_URI")
    if not uri:
        sys.path.insert(0, str(ROOT / "tests"))
        import neo4j_launcher

        missing = neo4j_launcher.java_tools_missing()
        if missing:
            raise SystemExit(f"no Neo4j: {missing}; set CRIMEGRAPH_NEO4J_URI")
        server = neo4j_launcher.Neo4jServer().start(timeout=300)
        uri = server.uri
    try:
        case = synth.generate_case(args.n, seed=1)
        memory = cg.CaseGraph(case)
        store = cg.Neo4jStore(uri, database="neo4j", batch_size=args.batch_size,
                              workers=args.workers)
        store._ensure_schema()  # one-time per database, not part of a load
        # Warm the server up as a long-running one would be (its JIT compiles the hot paths
        # during the first large loads and traces): load a case of the same size, trace in
        # it a few times, delete it. The figures below are the steady-state ones.
        warm_rates = []
        warm_traces: list[float] = []
        for seed in range(2, 2 + args.warm_up_loads):
            warm_up = synth.generate_case(args.n, seed=seed)
            start = time.perf_counter()
            warm_graph = cg.CaseGraph(warm_up, store=store)
            warm_rates.append(args.n / (time.perf_counter() - start))
            warm_table = cg.CaseGraph(warm_up).shipments()
            warm_start = warm_table.node_ids[int(np.bincount(warm_table.source).argmax())]
            for _ in range(args.warm_up):
                begin = time.perf_counter()
                chain = cg.trace_chain(warm_graph, warm_start)
                chain.transactions, chain.tiers  # noqa: B018 - read like the timed runs
                warm_traces.append(time.perf_counter() - begin)
            store.delete_case(warm_up.id)
            del warm_graph, warm_table
        start = time.perf_counter()
        remote = cg.CaseGraph(case, store=store)
        load = time.perf_counter() - start
        print(f"crimegraph Neo4j benchmark: {args.n:,} transactions, {store.describe()}")
        print("\nwarm-up loads of other cases of that size (the server's first large loads): "
              + ", ".join(f"{rate:,.0f}" for rate in warm_rates) + " transactions/s")
        if warm_traces:
            tenth = max(1, len(warm_traces) // 10)
            print(f"warm-up traces ({len(warm_traces)}, from those cases' busiest sources): "
                  f"first {tenth} took {statistics.median(warm_traces[:tenth]) * 1e3:.1f} ms "
                  f"(median), last {tenth} {statistics.median(warm_traces[-tenth:]) * 1e3:.1f} ms")
        print(f"load into Neo4j: {load:.2f} s = {args.n / load:,.0f} transactions/s "
              "(target >= 20,000/s)")

        table = memory.shipments()
        busiest = table.node_ids[int(np.bincount(table.source).argmax())]
        def read(graph: cg.CaseGraph) -> tuple[list[str], dict[str, int]]:
            chain = cg.trace_chain(graph, busiest)
            return chain.transactions, chain.tiers

        levels = cg.Neo4jStore(uri, database="neo4j", server_trace=False)
        by_levels = cg.CaseGraph.open(levels, case.id)
        for graph in (memory, remote, by_levels):  # warm all (compiled kernels, query plans)
            read(graph)
        # Interleaved, so that both stores see the same machine (it is shared and noisy).
        times: dict[str, list[float]] = {"mem_call": [], "neo_call": [], "mem_read": [],
                                         "neo_read": [], "lvl_read": []}
        # Processor time (seconds) spent in this process and in the server, per key.
        cpu: dict[str, list[float]] = {key: [0.0, 0.0] for key in times}
        server_pid = None if server is None else server.pid
        results = {}

        def timed(key: str, run: Any) -> None:
            here, there = time.process_time(), _process_seconds(server_pid)
            start = time.perf_counter()
            results[key] = run()
            times[key].append(time.perf_counter() - start)
            cpu[key][0] += time.process_time() - here
            cpu[key][1] += _process_seconds(server_pid) - there

        for _ in range(args.repeat):
            for key, run in (("mem_call", lambda: cg.trace_chain(memory, busiest)),
                             ("neo_call", lambda: cg.trace_chain(remote, busiest)),
                             ("mem_read", lambda: read(memory)),
                             ("neo_read", lambda: read(remote))):
                timed(key, run)
        for _ in range(args.repeat):  # the reference, apart: its many queries churn the server
            timed("lvl_read", lambda: read(by_levels))
        mem_call, neo_call, mem_read, neo_read = (
            statistics.median(times[key])
            for key in ("mem_call", "neo_call", "mem_read", "neo_read")
        )
        lvl_read = statistics.median(times["lvl_read"])
        mem_chain = results["mem_call"]
        if not results["mem_read"] == results["neo_read"] == results["lvl_read"]:
            raise SystemExit("the stores disagree on the trace")
        server_side = store.traces_in_server
        inside = []
        if server_side:
            from crimegraph.store.neo4j import cypher

            for _ in range(args.repeat):
                row = store._read(cypher.SERVER_TRACE, ck=store.ck, kind="shipment",
                                  ids=[busiest], starts=[busiest], upstream=False, items=None,
                                  since=None, until=None, min_amount=None)[0]
                inside.append((row["micros"], row["readMicros"]))
        from crimegraph.store.neo4j import trace as neo4j_trace

        fetched = neo4j_trace.reach(store, FlowQuery("shipment", (busiest,))).table
        print(f"\ntrace_chain from {busiest} ({mem_chain.shipment_count:,} chain shipments, "
              f"{len(mem_chain.tiers):,} nodes; Neo4j fetched {len(fetched):,} "
              f"of {len(table):,} shipments):")
        print(f"  call only       memory {mem_call * 1e3:8.1f} ms   neo4j {neo_call * 1e3:8.1f} ms"
              f"   ratio {neo_call / mem_call:6.1f}x")
        print(f"  call + results  memory {mem_read * 1e3:8.1f} ms   neo4j {neo_read * 1e3:8.1f} ms"
              f"   ratio {neo_read / mem_read:6.1f}x   (target <= 5x)")
        if server_side:
            total_us = statistics.median(t for t, _ in inside)
            read_us = statistics.median(r for _, r in inside)
            print(f"  the Neo4j trace ran in the server-side procedure crimegraph.trace: "
                  f"{total_us / 1e3:.1f} ms inside the server, of which {read_us / 1e3:.1f} ms "
                  "reading places")
        else:
            print("  the server has no crimegraph.trace procedure: the Neo4j trace ran level by "
                  "level")
        print(f"  level by level (no procedure), call + results: {lvl_read * 1e3:.1f} ms = "
              f"{lvl_read / mem_read:.1f}x memory")
        mem_cpu = cpu["mem_read"][0] / args.repeat
        for key, label in (("neo_read", "neo4j"), ("lvl_read", "level by level")):
            client, inside_cpu = (seconds / args.repeat for seconds in cpu[key])
            server_text = (f" + server {inside_cpu * 1e3:.1f} ms" if server_pid is not None
                           else " (server not measured: not started here)")
            print(f"  processor time per call + results, {label}: client {client * 1e3:.1f} ms"
                  f"{server_text} = {(client + inside_cpu) / mem_cpu:.1f}x memory "
                  f"({mem_cpu * 1e3:.1f} ms)")
        levels.close()
        store.delete_case(case.id)
        store.close()
    finally:
        if server is not None:
            server.stop()


def _process_seconds(pid: int | None) -> float:
    """Processor time (user + system, seconds) a process has used so far; 0 if unknown."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()

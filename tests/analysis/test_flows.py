"""The walk's working memory: traces from several threads at once give the sequential answers,
and repeated traces neither leave state behind nor hold on to memory."""

from __future__ import annotations

import gc
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import crimegraph as cg
from crimegraph import synth
from crimegraph.analysis import flows
from crimegraph.store.base import FlowQuery

# Some busy places only receive goods: their downstream chain is empty, with a hint.
pytestmark = pytest.mark.filterwarnings("ignore:.*no goods in this case:UserWarning")

Call = tuple[str, dict[str, Any]]


@pytest.fixture(scope="module")
def ring() -> cg.CaseGraph:
    # Many people without flows: a trace reaches a small part of a large case.
    return cg.CaseGraph(synth.generate_case(6000, seed=11, n_people=20_000))


def busiest(table: cg.FlowTable, ends: np.ndarray, count: int) -> list[str]:
    """The ``count`` nodes at this end (``source``/``target``) of the most flows."""
    degree = np.bincount(ends, minlength=len(table.node_ids))
    return [table.node_ids[i] for i in np.argsort(-degree, kind="stable")[:count]]


def calls(g: cg.CaseGraph) -> list[Call]:
    """Goods and money traces both ways from busy places, with and without filters."""
    goods, money = g.shipments(), g.payments()
    product = goods.item_ids[int(np.bincount(goods.item).argmax())]
    found: list[Call] = []
    for start in busiest(goods, goods.source, 6):
        found += [("chain", dict(start=start)),
                  ("chain", dict(start=start, product=product)),
                  ("chain", dict(start=start, until="2024-06-30"))]
    for start in busiest(goods, goods.target, 4):
        found.append(("chain", dict(start=start, direction="upstream")))
    for start in busiest(money, money.source, 6):
        found += [("money", dict(start=start)),
                  ("money", dict(start=start, min_amount=float(np.median(money.amount))))]
    for start in busiest(money, money.target, 4):
        found.append(("money", dict(start=start, direction="upstream")))
    return found


def answer(g: cg.CaseGraph, call: Call) -> tuple[Any, ...]:
    """What a trace found: its flows, tiers, sources and endpoints, and its size."""
    what, options = call
    found = (cg.trace_chain(g, **options) if what == "chain"
             else cg.trace_money(g, **options))
    return found.transactions, found.tiers, found.sources, found.endpoints, len(found)


def test_traces_from_several_threads_give_the_sequential_answers(ring: cg.CaseGraph) -> None:
    todo = calls(ring)
    want = [answer(ring, call) for call in todo]
    assert sum(len(w[0]) for w in want) > 500  # the traces are not all empty
    assert len({len(w[1]) for w in want}) > 5  # nor all alike
    # Every call eight times over, in an order that mixes goods and money, both directions.
    rounds = [i for _ in range(8) for i in np.random.default_rng(3).permutation(len(todo))]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda i: answer(ring, todo[i]), rounds))
    for i, result in zip(rounds, got):
        assert result == want[i], todo[i]


def test_a_trace_leaves_nothing_behind_for_the_next(ring: cg.CaseGraph) -> None:
    # The same traces in another order, and each again right after a different one.
    todo = calls(ring)
    want = [answer(ring, call) for call in todo]
    for i in reversed(range(len(todo))):
        assert answer(ring, todo[i]) == want[i], todo[i]
        assert answer(ring, todo[(i * 7) % len(todo)]) == want[(i * 7) % len(todo)]


def test_repeated_traces_hold_no_memory(ring: cg.CaseGraph) -> None:
    money = ring.payments()
    start = busiest(money, money.source, 1)[0]

    def trace() -> None:
        cg.trace_money(ring, start).tiers  # noqa: B018

    trace()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            trace()
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 16 * 1024, f"{after - before} bytes kept after 1,000 traces"
    # A trace allocates for what it reaches, not one array per node of the case.
    assert peak - before < 2 * len(money.node_ids), f"peak {peak - before} bytes"


def test_walks_running_at_once_keep_their_working_memory_apart(ring: cg.CaseGraph) -> None:
    # The compiled walk runs without the interpreter lock: walks from several threads
    # overlap, and each needs working memory of its own.
    queries = []
    for kind in ("shipment", "payment"):
        table = ring.flows(kind)
        for start in busiest(table, table.source, 8):
            queries.append((table, FlowQuery(kind, (start,), "downstream", None, None, None,
                                             None, True, None)))
        for start in busiest(table, table.target, 8):
            queries.append((table, FlowQuery(kind, (start,), "upstream", None, None, None,
                                             None, True, None)))

    def run(i: int) -> tuple[list[int], list[int], list[int]]:
        table, query = queries[i % len(queries)]
        walked = flows.walk(table, query)
        index, hops = walked.reached()
        return walked.edges.tolist(), index.tolist(), hops.tolist()

    want = [run(i) for i in range(len(queries))]
    assert sum(len(w[0]) for w in want) > 1000
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(run, range(200 * len(queries))))
    wrong = [i for i, result in enumerate(got) if result != want[i % len(queries)]]
    assert not wrong, f"{len(wrong)} of {len(got)} walks differ from the sequential ones"

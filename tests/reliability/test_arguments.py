"""Both stores answer bad arguments the same way: an error naming what is allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import crimegraph as cg


@pytest.fixture
def graph(make_graph: Callable[[cg.Case], cg.CaseGraph]) -> cg.CaseGraph:
    return make_graph(cg.load_example("fake_liquor"))


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda g: g.transactions(kind="Shipment"), ValueError,
     r"kind='Shipment' is not a transaction kind; use 'shipment' or 'payment'"),
    (lambda g: g.transactions(kind="shipments", nodes=["W-DEN-A"]), ValueError,
     r"kind='shipments'"),
    (lambda g: g.transactions(direction="x"), ValueError,
     r"direction='x' is not one of 'in', 'out', 'both'"),
    (lambda g: g.links(direction="x"), ValueError, r"direction='x' is not one of"),
    (lambda g: g.links(direction="upstream", nodes=["W-DEN-A"]), ValueError,
     r"direction='upstream'"),
    (lambda g: g.links(kinds=["Calls"]), ValueError, r"unknown link kind\(s\) 'Calls'; known"),
    (lambda g: g.links(kinds="calls"), TypeError, r"kinds=\['calls'\]"),
    (lambda g: g.links(kinds=["shipment"]), ValueError, r"unknown link kind\(s\) 'shipment'"),
    (lambda g: g.transactions(nodes="W-DEN-A"), TypeError, r"nodes=\['W-DEN-A'\]"),
    (lambda g: g.neighbors("W-DEN-A", direction="down"), ValueError, r"direction='down'"),
    (lambda g: g.neighbors("W-DEN-A", kind="ships"), ValueError, r"'ships'"),
], ids=["kind", "kind-around", "tx-direction", "link-direction", "link-direction-around",
        "link-kind", "kinds-string", "link-kind-transaction", "nodes-string",
        "neighbors-direction", "neighbors-kind"])
def test_bad_arguments_raise_the_same_error_on_every_store(
    graph: cg.CaseGraph, call: Callable[[cg.CaseGraph], object], error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        call(graph)


def test_good_arguments_still_filter(graph: cg.CaseGraph) -> None:
    shipments = graph.transactions(kind="shipment")
    assert shipments and {t.kind for t in shipments} == {"shipment"}
    assert {r.kind for r in graph.links(kinds=["calls"])} == {"calls"}
    assert graph.neighbors("W-DEN-A", kind="shipment", direction="out")

"""Shared fixtures: small hand-built cases, and one ``store`` fixture per store kind.

Tests that take ``make_graph`` run once per store (``memory`` and ``neo4j``); the Neo4j run
uses the server given by ``CRIMEGRAPH_NEO4J_URI`` or one started by ``tests/neo4j_launcher.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import crimegraph as cg

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

STORE_KINDS = ["memory"]


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_graph(store_kind: str) -> Iterator[Callable[[cg.Case], cg.CaseGraph]]:
    """Build a CaseGraph of a case on the store under test."""
    graphs: list[cg.CaseGraph] = []

    def build(case: cg.Case) -> cg.CaseGraph:
        graph = cg.CaseGraph(case)
        graphs.append(graph)
        return graph

    yield build
    for graph in graphs:
        graph.close()


def shipment(tid: str, source: str, target: str, day: str, qty: float = 10,
             product: str = "OIL", amount: float | None = None) -> cg.Transaction:
    """A shipment on a day (``"03-01"`` means 2024-03-01, local time)."""
    stamp = day if len(day) > 5 else f"2024-{day}"
    return cg.Transaction(id=tid, kind="shipment", source=source, target=target,
                          timestamp=stamp, product=product, quantity=qty, amount=amount)


def goods_case(nodes: str, shipments: list[cg.Transaction],
               products: tuple[str, ...] = ("OIL",)) -> cg.Case:
    """A case with organizations named by the space-separated ``nodes`` and these shipments."""
    return cg.Case(
        id="hand-built",
        organizations=[cg.Organization(id=n, name=f"Org {n}", province=f"Prov-{n}")
                       for n in nodes.split()],
        products=[cg.Product(id=p, name=f"Product {p}") for p in products],
        transactions=shipments,
    )

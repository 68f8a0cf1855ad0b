"""Stores hold a case; :class:`CaseGraph` puts one case in one store for the analyses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model.projection import case_to_networkx
from .base import NODE_COLUMNS, FlowCandidates, FlowQuery, FlowTable, FlowWalk, Store
from .graph import CaseGraph, as_case_graph, graded
from .memory import NetworkXStore
from .summary import CaseSummary, summarize

if TYPE_CHECKING:
    from .neo4j import Neo4jStore

__all__ = [
    "NODE_COLUMNS",
    "CaseGraph",
    "CaseSummary",
    "FlowCandidates",
    "FlowQuery",
    "FlowTable",
    "FlowWalk",
    "Neo4jStore",
    "NetworkXStore",
    "Store",
    "as_case_graph",
    "case_to_networkx",
    "graded",
    "summarize",
]


def __getattr__(name: str) -> Any:
    # The Neo4j store (and the neo4j driver) load only when asked for.
    if name == "Neo4jStore":
        from .neo4j import Neo4jStore

        return Neo4jStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

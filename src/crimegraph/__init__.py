"""crimegraph: graph-based analysis of criminal networks for investigative analysts.

``import crimegraph as cg`` gives the analyst API: the case model (``cg.Person``,
``cg.Transaction``, ``cg.Case``...), case files (``cg.read_case``), the case graph over an
in-memory or Neo4j store (``cg.CaseGraph``) and the analyses (``cg.trace_chain``...).
"""

from __future__ import annotations

from typing import Any

from .analysis import Chain, find_sources, trace_chain
from .errors import (
    CaseFileError,
    CrimeGraphError,
    EntityNotFound,
    InvalidCase,
    Problem,
    StoreError,
    StoreUnavailable,
)
from .io import example_names, load_example, read_case, write_case
from .io.examples import example_path
from .model import (
    Case,
    Entity,
    Evidence,
    Organization,
    Person,
    Product,
    Record,
    Relationship,
    Transaction,
    Warehouse,
)

from .store import CaseGraph, CaseSummary, NetworkXStore, ShipmentTable, Store

__version__ = "0.1.0"

__all__ = [
    "Chain",
    "find_sources",
    "trace_chain",
    "Case",
    "CaseGraph",
    "CaseSummary",
    "Neo4jStore",
    "NetworkXStore",
    "ShipmentTable",
    "Store",
    "example_names",
    "example_path",
    "load_example",
    "read_case",
    "write_case",
    "CaseFileError",
    "CrimeGraphError",
    "Entity",
    "EntityNotFound",
    "Evidence",
    "InvalidCase",
    "Organization",
    "Person",
    "Problem",
    "Product",
    "Record",
    "Relationship",
    "StoreError",
    "StoreUnavailable",
    "Transaction",
    "Warehouse",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # neo4j and matplotlib are imported only when their features are used.
    if name == "Neo4jStore":
        from .store.neo4j import Neo4jStore

        return Neo4jStore
    raise AttributeError(f"module 'crimegraph' has no attribute {name!r}")

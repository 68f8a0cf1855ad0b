"""crimegraph: graph-based analysis of criminal networks for investigative analysts.

``import crimegraph as cg`` gives the analyst API: the case model (``cg.Person``,
``cg.Transaction``, ``cg.Case``...), case files (``cg.read_case``), the case graph over an
in-memory or Neo4j store (``cg.CaseGraph``) and the analyses (``cg.trace_chain``...).
"""

from __future__ import annotations

from typing import Any

from .analysis import (
    Chain,
    ChainCut,
    Disruption,
    Groups,
    cut_chain,
    find_brokers,
    find_groups,
    find_sources,
    infer_hierarchy,
    key_players,
    network_to_igraph,
    simulate_disruption,
    social_network,
    trace_chain,
)
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
    SUPPORTED_TIME_RANGE,
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
from .plot import (
    MissingCJKFontWarning,
    plot_chain,
    plot_disruption,
    plot_network,
    plot_org_chart,
    plot_timeline,
    use_cjk_font,
)
from .store import CaseGraph, CaseSummary, NetworkXStore, ShipmentTable, Store

__version__ = "0.1.0"

__all__ = [
    "SUPPORTED_TIME_RANGE",
    "Case",
    "CaseFileError",
    "CaseGraph",
    "CaseSummary",
    "Chain",
    "ChainCut",
    "CrimeGraphError",
    "Disruption",
    "Entity",
    "EntityNotFound",
    "Evidence",
    "Groups",
    "InvalidCase",
    "MissingCJKFontWarning",
    "Neo4jStore",
    "NetworkXStore",
    "Organization",
    "Person",
    "Problem",
    "Product",
    "Record",
    "Relationship",
    "ShipmentTable",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Transaction",
    "Warehouse",
    "__version__",
    "cut_chain",
    "example_names",
    "example_path",
    "find_brokers",
    "find_groups",
    "find_sources",
    "infer_hierarchy",
    "key_players",
    "load_example",
    "network_to_igraph",
    "plot_chain",
    "plot_disruption",
    "plot_network",
    "plot_org_chart",
    "plot_timeline",
    "read_case",
    "simulate_disruption",
    "social_network",
    "trace_chain",
    "use_cjk_font",
    "write_case",
]


def __getattr__(name: str) -> Any:
    # neo4j and matplotlib are imported only when their features are used.
    if name == "Neo4jStore":
        from .store.neo4j import Neo4jStore

        return Neo4jStore
    raise AttributeError(f"module 'crimegraph' has no attribute {name!r}")

"""crimegraph: graph-based analysis of criminal networks for investigative analysts.

``import crimegraph as cg`` gives the analyst API: the case model (``cg.Person``,
``cg.Transaction``, ``cg.Case``...), case files (``cg.read_case``), the case graph over an
in-memory or Neo4j store (``cg.CaseGraph``) and the analyses (``cg.trace_chain``...).

``import crimegraph`` itself loads nothing heavy: each name is imported from its module on first
use (the analyses load numpy and numba, the figures matplotlib, ``cg.Neo4jStore`` the neo4j
driver), so the command line answers at once and a notebook pays only for what it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers and the API reference
    from .analysis import (
        Chain,
        ChainCut,
        Disruption,
        Groups,
        Matches,
        MoneyTrail,
        ResolvedGraph,
        cut_chain,
        find_brokers,
        find_groups,
        find_matches,
        find_sources,
        infer_hierarchy,
        key_players,
        network_to_igraph,
        proceeds,
        reconcile,
        resolve,
        simulate_disruption,
        social_network,
        trace_chain,
        trace_money,
    )
    from .errors import (
        CaseFileError,
        CrimeGraphError,
        EntityNotFound,
        InvalidArgument,
        InvalidCase,
        InvalidSource,
        MappingError,
        MissingExtra,
        Problem,
        SourceProblem,
        StoreError,
        StoreUnavailable,
        WrongArgumentType,
    )
    from .io import example_names, load_example, read_case, write_case
    from .io.examples import example_path
    from .io.export import (
        from_followthemoney,
        read_workbook,
        to_followthemoney,
        write_anx,
        write_gexf,
        write_graphml,
        write_workbook,
    )
    from .io.sources import Ingested, Mapping, ingest, load_mapping, mapping_names
    from .model import (
        SUPPORTED_TIME_RANGE,
        Case,
        Entity,
        Evidence,
        Grade,
        Organization,
        Person,
        Product,
        Record,
        RedactionProfile,
        Relationship,
        Transaction,
        Warehouse,
        redact,
    )
    from .plot import (
        MissingCJKFontWarning,
        plot_chain,
        plot_disruption,
        plot_money,
        plot_network,
        plot_org_chart,
        plot_reconcile,
        plot_timeline,
        use_cjk_font,
    )
    from .report import case_report
    from .store import CaseGraph, CaseSummary, FlowTable, NetworkXStore, Store, graded
    from .store.neo4j import Neo4jStore

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
    "FlowTable",
    "Grade",
    "Groups",
    "Ingested",
    "InvalidArgument",
    "InvalidCase",
    "InvalidSource",
    "Mapping",
    "MappingError",
    "Matches",
    "MissingCJKFontWarning",
    "MissingExtra",
    "MoneyTrail",
    "Neo4jStore",
    "NetworkXStore",
    "Organization",
    "Person",
    "Problem",
    "Product",
    "Record",
    "RedactionProfile",
    "Relationship",
    "ResolvedGraph",
    "SourceProblem",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Transaction",
    "Warehouse",
    "WrongArgumentType",
    "__version__",
    "case_report",
    "cut_chain",
    "example_names",
    "example_path",
    "find_brokers",
    "find_groups",
    "find_matches",
    "find_sources",
    "from_followthemoney",
    "graded",
    "infer_hierarchy",
    "ingest",
    "key_players",
    "load_example",
    "load_mapping",
    "mapping_names",
    "network_to_igraph",
    "plot_chain",
    "plot_disruption",
    "plot_money",
    "plot_network",
    "plot_org_chart",
    "plot_reconcile",
    "plot_timeline",
    "proceeds",
    "read_case",
    "read_workbook",
    "reconcile",
    "redact",
    "resolve",
    "simulate_disruption",
    "social_network",
    "to_followthemoney",
    "trace_chain",
    "trace_money",
    "use_cjk_font",
    "write_anx",
    "write_case",
    "write_gexf",
    "write_graphml",
    "write_workbook",
]


_EXPORTS: dict[str, str] = {
    "SUPPORTED_TIME_RANGE": "model",
    "Case": "model",
    "CaseFileError": "errors",
    "CaseGraph": "store",
    "CaseSummary": "store",
    "Chain": "analysis",
    "ChainCut": "analysis",
    "CrimeGraphError": "errors",
    "Disruption": "analysis",
    "Entity": "model",
    "EntityNotFound": "errors",
    "Evidence": "model",
    "FlowTable": "store",
    "Grade": "model",
    "Groups": "analysis",
    "Ingested": "io.sources",
    "InvalidArgument": "errors",
    "InvalidCase": "errors",
    "InvalidSource": "errors",
    "Mapping": "io.sources",
    "MappingError": "errors",
    "Matches": "analysis",
    "MissingCJKFontWarning": "plot",
    "MoneyTrail": "analysis",
    "Neo4jStore": "store.neo4j",
    "NetworkXStore": "store",
    "Organization": "model",
    "Person": "model",
    "Problem": "errors",
    "Product": "model",
    "Record": "model",
    "RedactionProfile": "model",
    "Relationship": "model",
    "ResolvedGraph": "analysis",
    "SourceProblem": "errors",
    "Store": "store",
    "StoreError": "errors",
    "StoreUnavailable": "errors",
    "Transaction": "model",
    "Warehouse": "model",
    "WrongArgumentType": "errors",
    "case_report": "report",
    "cut_chain": "analysis",
    "example_names": "io",
    "example_path": "io.examples",
    "find_brokers": "analysis",
    "find_groups": "analysis",
    "find_matches": "analysis",
    "find_sources": "analysis",
    "graded": "store",
    "infer_hierarchy": "analysis",
    "ingest": "io.sources",
    "key_players": "analysis",
    "load_example": "io",
    "load_mapping": "io.sources",
    "mapping_names": "io.sources",
    "network_to_igraph": "analysis",
    "plot_chain": "plot",
    "plot_disruption": "plot",
    "plot_money": "plot",
    "plot_network": "plot",
    "plot_org_chart": "plot",
    "plot_reconcile": "plot",
    "proceeds": "analysis",
    "reconcile": "analysis",
    "redact": "model",
    "resolve": "analysis",
    "plot_timeline": "plot",
    "read_case": "io",
    "simulate_disruption": "analysis",
    "social_network": "analysis",
    "trace_chain": "analysis",
    "trace_money": "analysis",
    "use_cjk_font": "plot",
    "write_case": "io",
    "write_graphml": "io.export",
    "write_gexf": "io.export",
    "write_workbook": "io.export",
    "read_workbook": "io.export",
    "to_followthemoney": "io.export",
    "from_followthemoney": "io.export",
    "write_anx": "io.export",
    "MissingExtra": "errors",
}

# Subpackages reachable as attributes (``cg.store.case_to_networkx``), as when they were imported
# eagerly.
_SUBMODULES = ("analysis", "errors", "io", "model", "plot", "report", "store")


def __getattr__(name: str) -> Any:
    """Import an exported name (or a subpackage) on first use and keep it."""
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'crimegraph' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))

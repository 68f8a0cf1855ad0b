"""GraphML: the case, a chain, a money trail or the social network for yEd, Cytoscape, Gephi
and igraph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...model.redact import RedactionProfile
from ._source import select

__all__ = ["write_graphml"]


def write_graphml(data: object, path: str | Path, *,
                  redact: str | RedactionProfile | None = "internal") -> Path:
    """Write a case, chain, money trail or social network as GraphML, with flat typed attributes.

    Nodes are persons, organizations and premises (``type``, ``label``, every non-empty field;
    a chain's and a trail's places also ``tier``); edges are shipments, payments and
    relationships keyed by record id (``link``, ``label`` = kind, ``timestamp``, ``quantity``,
    ``amount``...). Lists are joined with ``"; "``, times are ISO 8601 text with their UTC
    offset, free-form attributes become ``attr_<key>``, ``grade`` is the best evidence grade
    (``"B2"``). Every attribute has one declared type (string, long, double, boolean), which
    yEd, Cytoscape, Gephi, networkx and igraph read.

    Parameters
    ----------
    data : Case, CaseGraph, Chain, MoneyTrail or networkx graph
        What to write. A networkx graph (``cg.social_network(g)``) is written as it is.
    path : str or Path
        The file to write (``.graphml``).
    redact : {"internal", "prosecution", "public"} or RedactionProfile
        Who the file is for (see :func:`crimegraph.redact`). A chain or trail keeps the
        places and transactions the profile keeps.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import crimegraph as cg, networkx as nx, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "liquor.graphml"
    >>> _ = cg.write_graphml(cg.load_example("fake_liquor"), path, redact="public")
    >>> nx.read_graphml(path).nodes["P-ZHOU"]["label"]
    '周某某'
    """
    import networkx as nx

    graph: Any = select(data, redact, function="write_graphml").graph()
    graph.graph = {k: v for k, v in graph.graph.items() if isinstance(v, (str, int, float))}
    out = Path(path)
    nx.write_graphml(graph, out, named_key_ids=True, edge_id_from_attribute=None)
    return out

"""GraphML: the case, a chain, a money trail or the social network for yEd, Cytoscape, Gephi
and igraph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...model.redact import RedactionProfile
from ._source import select
from ._xml import write_xml, xml_safe_graph

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
    yEd, Cytoscape, Gephi, networkx and igraph read. A character XML cannot hold (a control
    character such as a pasted vertical tab, U+FFFE, U+FFFF) is written as U+FFFD; a carriage
    return is kept (written as ``&#13;``).

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
    import io

    import networkx as nx

    graph: Any = xml_safe_graph(select(data, redact, function="write_graphml").graph(),
                                function="write_graphml")
    graph.graph = {k: v for k, v in graph.graph.items() if isinstance(v, (str, int, float))}
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, named_key_ids=True, edge_id_from_attribute=None)
    return write_xml(buffer.getvalue(), path)

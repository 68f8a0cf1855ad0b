"""GEXF 1.3 for Gephi: typed attributes, and time intervals so the timeline plays the flows."""

from __future__ import annotations

import datetime as _dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ...model.redact import RedactionProfile
from ._source import select
from ._xml import write_xml, xml_safe_graph

__all__ = ["GEXF_NAMESPACE", "TRANSACTION_SHOWN_FOR", "write_gexf"]

GEXF_NAMESPACE = "http://gexf.net/1.3"
TRANSACTION_SHOWN_FOR = _dt.timedelta(days=1)
"""How long a shipment or payment stays on Gephi's timeline after its time."""

_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def write_gexf(data: object, path: str | Path, *,
               redact: str | RedactionProfile | None = "internal") -> Path:
    """Write a case, chain, money trail or social network as GEXF 1.3 for Gephi.

    The same nodes, edges and flat typed attributes as :func:`crimegraph.write_graphml`, plus
    time: the graph is dynamic, by day (``timeformat="date"``, the local dates of the case); every
    shipment and payment is an edge that lives from its day for :data:`TRANSACTION_SHOWN_FOR`
    (one day), and every relationship from its ``since`` to its ``until`` day (open when not
    known), so Gephi's timeline plays the goods and the money as they moved. The exact time
    stays in the ``timestamp`` attribute. Places are always shown. Edge ``weight`` is the
    quantity of a shipment, the amount of a payment and the weight of a relationship (1 when it
    has none), which Gephi uses for line width.

    Parameters
    ----------
    data : Case, CaseGraph, Chain, MoneyTrail or networkx graph
    path : str or Path
        The file to write (``.gexf``).
    redact : {"internal", "prosecution", "public"} or RedactionProfile
        Who the file is for (see :func:`crimegraph.redact`).

    Returns
    -------
    Path
        The file written.
    """
    graph: Any = xml_safe_graph(select(data, redact, function="write_gexf").graph(),
                                function="write_gexf")
    root = ET.Element("gexf", {"xmlns": GEXF_NAMESPACE, "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "crimegraph"
    title = graph.graph.get("title")
    if title:
        ET.SubElement(meta, "description").text = str(title)
    dynamic = any("timestamp" in d or "since" in d for *_, d in graph.edges(data=True))
    attrs = {"defaultedgetype": "directed" if graph.is_directed() else "undirected"}
    if dynamic:
        attrs.update(mode="dynamic", timeformat="date")
    element = ET.SubElement(root, "graph", attrs)
    node_rows = [(str(n), dict(d)) for n, d in graph.nodes(data=True)]
    edge_rows: list[tuple[str, str, str, dict[str, Any]]] = []
    edge: Any
    for index, edge in enumerate(graph.edges(keys=True, data=True) if graph.is_multigraph()
                                 else graph.edges(data=True)):
        u, v, *key = edge[:-1]
        edge_id = str(key[0]) if key else f"e{index}"
        edge_rows.append((edge_id, str(u), str(v), dict(edge[-1])))
    node_keys = _declare(element, "node", [d for _, d in node_rows], skip={"label"})
    edge_keys = _declare(element, "edge", [d for *_, d in edge_rows], skip={"label"})
    nodes = ET.SubElement(element, "nodes")
    for node_id, node_data in node_rows:
        node = ET.SubElement(nodes, "node", {"id": node_id,
                                             "label": str(node_data.get("label", node_id))})
        _values(node, node_data, node_keys)
    edges = ET.SubElement(element, "edges")
    for edge_id, u, v, edge_data in edge_rows:
        attrs = {"id": edge_id, "source": u, "target": v}
        if "label" in edge_data:
            attrs["label"] = str(edge_data["label"])
        weight = _weight(edge_data)
        if weight is not None:
            attrs["weight"] = repr(weight)
        attrs.update(_interval(edge_data))
        _values(ET.SubElement(edges, "edge", attrs), edge_data, edge_keys)
    ET.indent(root)
    return write_xml(ET.tostring(root, encoding="utf-8", xml_declaration=True), path)


def _declare(graph: ET.Element, kind: str, rows: list[dict[str, Any]],
             skip: set[str]) -> dict[str, str]:
    """Declare every attribute once with its type; key -> attribute id."""
    types: dict[str, str] = {}
    for row in rows:
        for key, value in row.items():
            if key not in skip:
                types.setdefault(key, _TYPES.get(type(value), "string"))
    block = ET.SubElement(graph, "attributes", {"class": kind, "mode": "static"})
    ids = {}
    for index, (key, kind_name) in enumerate(types.items()):
        ids[key] = f"{kind[0]}{index}"
        ET.SubElement(block, "attribute", {"id": ids[key], "title": key, "type": kind_name})
    return ids


def _values(parent: ET.Element, data: dict[str, Any], ids: dict[str, str]) -> None:
    present = [(k, v) for k, v in data.items() if k in ids and v is not None]
    if not present:
        return
    block = ET.SubElement(parent, "attvalues")
    for key, value in present:
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        ET.SubElement(block, "attvalue", {"for": ids[key], "value": text})


def _weight(data: dict[str, Any]) -> float | None:
    if data.get("link") == "transaction":
        value = data.get("quantity") if data.get("kind") == "shipment" else data.get("amount")
        return float(value) if isinstance(value, (int, float)) else None
    if data.get("link") == "relationship":
        value = data.get("weight", 1.0)
        return float(value) if isinstance(value, (int, float)) else 1.0
    value = data.get("weight")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _interval(data: dict[str, Any]) -> dict[str, str]:
    if isinstance(data.get("timestamp"), str):
        start = _dt.datetime.fromisoformat(data["timestamp"]).date()
        return {"start": start.isoformat(), "end": (start + TRANSACTION_SHOWN_FOR).isoformat()}
    out = {}
    for key, attr in (("since", "start"), ("until", "end")):
        if isinstance(data.get(key), str):
            out[attr] = data[key][:10]
    return out

"""i2 Analyst's Notebook: the chart exchange XML (ANX) that Analyst's Notebook opens directly.

Entities are chart icons by type (persons, organizations by kind, premises by use); shipments,
payments and relationships are links with their date and time, an arrow in the direction the
goods or money moved, a label ("120 barrel Fake oil", "75,000 CNY", "calls") and the Admiralty
grade of their best evidence on the chart's two grading scales (source reliability A-F as grade one,
information credibility 1-6 as grade two). Link strength follows the grade: confirmed for
information graded 1-2, unconfirmed for 3-4, tentative otherwise. Every other field is an
attribute of the item (text, number or flag).

Opening it: in Analyst's Notebook, File > Open, choose "Analyst's Notebook Exchange (*.anx)"
as the file type and the file; the chart opens with every item placed at the origin, so run
a layout (Layout > Peacock or Grouped) and, for the timeline, Layout > Grouped by Time or
the Timeline view.
"""

from __future__ import annotations

import datetime as _dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ...model.redact import RedactionProfile
from ._source import select
from ._xml import write_xml, xml_safe_graph

__all__ = ["ANX_ICONS", "write_anx"]

ANX_ICONS: dict[str, str] = {
    "person": "Person",
    "organization": "Organisation",
    "organization:shop": "Shop",
    "organization:online_store": "Computer",
    "organization:bank": "Bank",
    "organization:logistics": "Lorry",
    "organization:factory": "Factory",
    "premises": "Warehouse",
    "premises:production": "Factory",
    "premises:sales": "Shop",
}
"""The i2 standard icon for each entity type (``type:kind`` or ``type:first use``).

An Analyst's Notebook whose icon set lacks one shows its generic icon instead."""

RELIABILITY = ("A", "B", "C", "D", "E", "F")
CREDIBILITY = ("1", "2", "3", "4", "5", "6")
_GRADE_ONE = ("A - Completely reliable", "B - Usually reliable", "C - Fairly reliable",
              "D - Not usually reliable", "E - Unreliable", "F - Reliability cannot be judged")
_GRADE_TWO = ("1 - Confirmed", "2 - Probably true", "3 - Possibly true", "4 - Doubtfully true",
              "5 - Improbable", "6 - Truth cannot be judged")
_ATT_TYPES = {bool: "AttFlag", int: "AttNumber", float: "AttNumber", str: "AttText"}
_SKIP = {"label", "type", "notes", "grade", "timestamp"}


def write_anx(data: object, path: str | Path, *,
              redact: str | RedactionProfile | None = "internal") -> Path:
    """Write a case, chain or money trail as an i2 Analyst's Notebook chart (``.anx``).

    See :mod:`crimegraph.io.export.anx` for what the chart holds and how to open it.

    Parameters
    ----------
    data : Case, CaseGraph, Chain, MoneyTrail or networkx graph
    path : str or Path
        The file to write (``.anx``).
    redact : {"internal", "prosecution", "public"} or RedactionProfile
        Who the chart is for (see :func:`crimegraph.redact`).

    Returns
    -------
    Path
        The file written.
    """
    selection = select(data, redact, function="write_anx")
    graph: Any = xml_safe_graph(selection.graph(), function="write_anx")
    products = {p.id: p for p in selection.case.products} if selection.case else {}
    chart = ET.Element("Chart", {
        "IdReferenceLinking": "false", "Rigorous": "true", "UseLocalTimeZone": "true",
        "LabelRule": "LabelRuleMerge", "BlankLinkLabels": "false", "TimeBarVisible": "true",
    })
    for tag, texts in (("GradeOne", _GRADE_ONE), ("GradeTwo", _GRADE_TWO)):
        strings = ET.SubElement(ET.SubElement(chart, tag), "StringCollection")
        for text in texts:
            ET.SubElement(strings, "String", {"Text": text})
    strengths = ET.SubElement(chart, "StrengthCollection")
    for name, dots in (("Confirmed", "DotStyleSolid"), ("Unconfirmed", "DotStyleDashed"),
                       ("Tentative", "DotStyleDotted")):
        ET.SubElement(strengths, "Strength", {"Name": name, "DotStyle": dots})

    node_rows: list[tuple[str, dict[str, Any]]] = list(graph.nodes(data=True))
    edge_rows: list[tuple[str, str, str, dict[str, Any]]]
    if graph.is_multigraph():
        edge_rows = [(u, v, str(k), d) for u, v, k, d in graph.edges(keys=True, data=True)]
    else:
        edge_rows = [(u, v, f"link-{i}", d) for i, (u, v, d) in enumerate(graph.edges(data=True))]
    icons = {n: _icon(d) for n, d in node_rows}
    types = ET.SubElement(chart, "EntityTypeCollection")
    for icon in sorted(set(icons.values())):
        ET.SubElement(types, "EntityType", {"Name": icon, "IconFile": icon})
    link_types = ET.SubElement(chart, "LinkTypeCollection")
    for label in sorted({str(d.get("label", "Link")) for *_, d in edge_rows}):
        ET.SubElement(link_types, "LinkType", {"Name": label})
    classes: dict[str, str] = {}
    for _, data in node_rows:
        _classes(classes, data)
    for *_, data in edge_rows:
        _classes(classes, data)
    class_block = ET.SubElement(chart, "AttributeClassCollection")
    for name, att_type in classes.items():
        ET.SubElement(class_block, "AttributeClass", {
            "Name": name, "Type": att_type, "ShowValue": "true",
            "ShowClassName": "true" if att_type != "AttFlag" else "false"})

    items = ET.SubElement(chart, "ChartItemCollection")
    for node, data in node_rows:
        item = ET.SubElement(items, "ChartItem", _item_attrs(str(data.get("label", node)), data))
        _attributes(item, data, classes)
        end = ET.SubElement(item, "End", {"X": "0", "Y": "0", "Z": "0"})
        entity = ET.SubElement(end, "Entity", {"EntityId": str(node), "Identity": str(node),
                                                "LabelIsIdentity": "false"})
        icon_element = ET.SubElement(entity, "Icon", {"TextX": "0", "TextY": "16"})
        ET.SubElement(icon_element, "IconStyle", {"Type": icons[node]})
    for u, v, key, data in edge_rows:
        attrs = _item_attrs(_link_label(data, products), data)
        attrs["Id"] = key
        item = ET.SubElement(items, "ChartItem", attrs)
        _attributes(item, data, classes)
        link_element = ET.SubElement(item, "Link", {"End1Id": str(u), "End2Id": str(v),
                                            "LabelPos": "50", "LabelSegment": "0"})
        ET.SubElement(link_element, "LinkStyle", {
            "ArrowStyle": "ArrowOnHead" if graph.is_directed() else "ArrowNone",
            "Type": str(data.get("label", "Link")), "Strength": _strength(data),
            "LineWidth": "1"})
    ET.indent(chart)
    return write_xml(ET.tostring(chart, encoding="utf-8", xml_declaration=True), path)


def _icon(data: dict[str, Any]) -> str:
    kind = data.get("type", "")
    detail = data.get("kind") or str(data.get("uses", "")).split(";")[0].strip()
    return ANX_ICONS.get(f"{kind}:{detail}") or ANX_ICONS.get(str(kind), "Person")


def _item_attrs(label: str, data: dict[str, Any]) -> dict[str, str]:
    attrs = {"Label": label, "Description": str(data.get("notes", "")),
             "DateSet": "false", "TimeSet": "false", "Ordered": "false",
             "GradeOneIndex": "-1", "GradeTwoIndex": "-1", "GradeThreeIndex": "-1"}
    grade = data.get("grade")
    if isinstance(grade, str) and len(grade) == 2:
        attrs["GradeOneIndex"] = str(RELIABILITY.index(grade[0]))
        attrs["GradeTwoIndex"] = str(CREDIBILITY.index(grade[1]))
    moment = data.get("timestamp") or data.get("since")
    if isinstance(moment, str):
        local = _dt.datetime.fromisoformat(moment).replace(tzinfo=None)
        attrs.update(DateTime=local.isoformat(), DateSet="true", TimeSet="true")
        attrs["Ordered"] = "true" if data.get("timestamp") else "false"
    return attrs


def _link_label(data: dict[str, Any], products: dict[str, Any]) -> str:
    if data.get("kind") == "shipment" and isinstance(data.get("quantity"), (int, float)):
        product = products.get(str(data.get("product")))
        what = (f"{product.unit or ''} {product.name}" if product is not None
                else str(data.get("product", "")))
        return f"{data['quantity']:,g} {what.strip()}".strip()
    if data.get("kind") == "payment" and isinstance(data.get("amount"), (int, float)):
        return f"{data['amount']:,.0f} {data.get('currency', '')}".strip()
    return str(data.get("label", ""))


def _strength(data: dict[str, Any]) -> str:
    grade = data.get("grade")
    if isinstance(grade, str) and len(grade) == 2:
        return {"1": "Confirmed", "2": "Confirmed", "3": "Unconfirmed",
                "4": "Unconfirmed"}.get(grade[1], "Tentative")
    return "Tentative"


def _classes(classes: dict[str, str], data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key not in _SKIP:
            classes.setdefault(key, _ATT_TYPES.get(type(value), "AttText"))


def _attributes(item: ET.Element, data: dict[str, Any], classes: dict[str, str]) -> None:
    present = [(k, v) for k, v in data.items() if k in classes and v is not None]
    if not present:
        return
    block = ET.SubElement(item, "AttributeCollection")
    for key, value in present:
        if classes[key] == "AttFlag":
            text = "true" if value else "false"
        elif classes[key] == "AttNumber":
            text = repr(float(value))
        else:
            text = str(value)
        ET.SubElement(block, "Attribute", {"AttributeClass": key, "Value": text})

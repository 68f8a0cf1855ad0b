"""The neutral graph projection of a case: the one every store and exporter starts from.

Persons, organizations and premises become nodes (with their fields as attributes and a
``type`` in the analyst's word, from :mod:`crimegraph.model.registry`); transactions and
relationships become edges keyed by record id.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .entities import Evidence, Record
from .links import Relationship, Transaction
from .registry import record_type

if TYPE_CHECKING:
    import networkx as nx

    from .case import Case
    from .entities import Entity

__all__ = [
    "FLAT_LIST_SEPARATOR", "case_to_networkx", "entity_type", "flat_attributes", "flat_graph",
    "grade_of", "node_attributes",
]

def entity_type(entity: Entity) -> str:
    """What analysts call the entity's kind: ``"person"``, ``"organization"``, ``"premises"``,
    ``"product"`` or ``"evidence record"``."""
    return record_type(entity).word


def node_attributes(entity: Entity) -> dict[str, Any]:
    """The node attributes of an entity: its fields, minus empty ones, plus ``type``."""
    data = entity.model_dump(exclude_defaults=True, exclude={"id"})
    data["type"] = entity_type(entity)
    data.setdefault("name", entity.name)
    return data


def case_to_networkx(case: Case) -> nx.MultiDiGraph:
    """A ``networkx.MultiDiGraph`` of the case.

    Nodes are persons, organizations and premises (attribute ``type`` says which, plus every
    non-empty field). Edges are keyed by record id: transactions carry ``link="transaction"``
    and ``kind`` "shipment" or "payment"; relationships carry ``link="relationship"`` and their
    kind ("leads", "calls"...). Timestamps are aware datetimes.

    Examples
    --------
    >>> import crimegraph as cg
    >>> g = cg.model.case_to_networkx(cg.load_example("fake_liquor"))
    >>> g.nodes["P-ZHOU"]["role"]
    'leader'
    """
    import networkx as nx

    graph = nx.MultiDiGraph(case_id=case.id, title=case.title)
    for entity in case.nodes:
        graph.add_node(entity.id, **node_attributes(entity))
    for tx in case.transactions:
        attrs = tx.model_dump(exclude_defaults=True, exclude={"id", "source", "target"})
        attrs["link"] = "transaction"
        attrs["currency"] = tx.currency
        graph.add_edge(tx.source, tx.target, key=tx.id, **attrs)
    for rel in case.relationships:
        attrs = rel.model_dump(exclude_defaults=True, exclude={"id", "source", "target"})
        attrs["link"] = "relationship"
        graph.add_edge(rel.source, rel.target, key=rel.id, **attrs)
    return graph


FLAT_LIST_SEPARATOR = "; "
"""How list fields (aliases, phones, evidence ids, uses) are joined in flat attributes."""


def grade_of(record: Record, evidence: Mapping[str, Evidence]) -> str | None:
    """The best Admiralty grade among the evidence a record cites (``"B2"``), or None."""
    grades = []
    for ref in record.evidence:
        ev = evidence.get(ref)
        if ev is not None and ev.reliability is not None and ev.credibility is not None:
            grades.append(f"{ev.reliability}{ev.credibility}")
    return min(grades) if grades else None


def flat_attributes(record: Record, evidence: Mapping[str, Evidence] | None = None,
                    ) -> dict[str, str | int | float | bool]:
    """A record's fields as flat scalar attributes, for file formats that hold only scalars.

    Empty fields are left out; lists are joined with ``"; "``; times are ISO 8601 text with
    their UTC offset; the free-form ``attributes`` become ``attr_<key>``; ``grade`` is the best
    evidence grade (``"B2"``) when ``evidence`` (id -> record) is given; the id is left out.
    """
    out: dict[str, str | int | float | bool] = {}
    for name, value in record:
        if name in ("id", "attributes") or value is None or value == []:
            continue
        if isinstance(value, (_dt.datetime, _dt.date)):
            out[name] = value.isoformat()
        elif isinstance(value, list):
            out[name] = FLAT_LIST_SEPARATOR.join(str(v) for v in value)
        elif isinstance(value, (str, int, float, bool)):
            out[name] = value
        else:
            out[name] = str(value)
    for key, value in record.attributes.items():
        if value is not None:
            out[f"attr_{key}"] = value
    if evidence is not None:
        grade = grade_of(record, evidence)
        if grade is not None:
            out["grade"] = grade
    return out


def flat_graph(case: Case, *, nodes: Iterable[str] | None = None,
               links: Iterable[str] | None = None,
               node_extra: Mapping[str, Mapping[str, Any]] | None = None) -> nx.MultiDiGraph:
    """The case (or part of it) as a graph whose attributes are all flat scalars.

    What GraphML, GEXF and the i2 exchange format are written from. Nodes are persons,
    organizations and premises with ``type`` (person, organization, premises), ``label`` (the
    name) and :func:`flat_attributes`; edges are keyed by record id and carry ``link``
    ("transaction" or "relationship"), ``label`` (the kind) and :func:`flat_attributes`.
    Every attribute key has one value type across the graph (mixed integers and floats
    become floats; any other mix becomes text), as GraphML requires.

    Parameters
    ----------
    case : Case
    nodes, links : iterable of str, optional
        Only these node ids and link ids (a traced chain's); every one when omitted. The ends
        of the links kept are kept as nodes.
    node_extra : mapping, optional
        Further attributes per node id (a chain's ``tier``).
    """
    import networkx as nx

    evidence = {e.id: e for e in case.evidence}
    wanted_links = None if links is None else set(links)
    graph = nx.MultiDiGraph(case_id=case.id, title=case.title)
    every: list[Transaction | Relationship] = [*case.transactions, *case.relationships]
    kept_links = [
        r for r in every
        if wanted_links is None or r.id in wanted_links
    ]
    wanted_nodes: set[str] | None = None
    if nodes is not None:
        wanted_nodes = set(nodes)
        wanted_nodes.update(end for r in kept_links for end in (r.source, r.target))
    for entity in case.nodes:
        if wanted_nodes is not None and entity.id not in wanted_nodes:
            continue
        attrs: dict[str, Any] = {"type": entity_type(entity), "label": entity.name}
        attrs.update(flat_attributes(entity, evidence))
        attrs.update((node_extra or {}).get(entity.id, {}))
        graph.add_node(entity.id, **attrs)
    for link in kept_links:
        attrs = {"link": "transaction" if isinstance(link, Transaction) else "relationship",
                 "label": link.kind}
        attrs.update(flat_attributes(link, evidence))
        del attrs["source"], attrs["target"]
        graph.add_edge(link.source, link.target, key=link.id, **attrs)
    _one_type_per_key(graph.nodes.values())
    _one_type_per_key(data for _, _, data in graph.edges(data=True))
    return graph


def _one_type_per_key(items: Iterable[dict[str, Any]]) -> None:
    rows = list(items)
    kinds: dict[str, set[type]] = {}
    for row in rows:
        for key, value in row.items():
            kinds.setdefault(key, set()).add(type(value))
    for key, types in kinds.items():
        if len(types) == 1:
            continue
        cast: type = float if types <= {int, float} else str
        for row in rows:
            if key in row:
                row[key] = cast(row[key])

"""The neutral graph projection of a case: the one every store and exporter starts from.

Persons, organizations and premises become nodes (with their fields as attributes and a
``type`` in the analyst's word, from :mod:`crimegraph.model.registry`); transactions and
relationships become edges keyed by record id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import record_type

if TYPE_CHECKING:
    import networkx as nx

    from .case import Case
    from .entities import Entity

__all__ = ["case_to_networkx", "entity_type", "node_attributes"]

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

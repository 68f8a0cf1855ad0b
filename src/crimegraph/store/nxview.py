"""The neutral NetworkX projection of a case, for analysts who want plain networkx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from ..model import Case, Entity

__all__ = ["case_to_networkx", "entity_type", "node_attributes"]

_TYPE_NAMES = {"Person": "person", "Organization": "organization", "Warehouse": "premises"}


def entity_type(entity: Entity) -> str:
    """``"person"``, ``"organization"`` or ``"premises"``."""
    return _TYPE_NAMES.get(type(entity).__name__, type(entity).__name__.lower())


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
    >>> g = cg.store.case_to_networkx(cg.load_example("fake_liquor"))
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

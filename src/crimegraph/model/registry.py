"""The record types of a case, in one place: class, case-file section, label, analyst's word.

Everything that needs to know the kinds of records (validation, both stores, the graph
projection, exporters, messages) reads this registry instead of keeping its own list, so that
the names stay in step. One thing has several names on purpose: the class and the Neo4j label
are ``Warehouse`` and the case file's section is ``warehouses``, but analysts read "premises"
(a warehouse, a den, a production site or a shop floor).

Examples
--------
>>> import crimegraph as cg
>>> from crimegraph.model.registry import record_type
>>> premises = record_type("warehouses")
>>> premises.label, premises.word, premises.article, premises.node
('Warehouse', 'premises', 'a premises', True)
>>> record_type(cg.Person) is record_type("Person") is record_type("persons")
True
>>> [t.section for t in cg.model.RECORD_TYPES if t.node]
['persons', 'organizations', 'warehouses']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidArgument
from .entities import Evidence, Organization, Person, Product, Record, Warehouse
from .links import Relationship, Transaction

__all__ = ["NODE_SECTIONS", "NODE_TYPES", "RECORD_TYPES", "SECTIONS", "RecordType", "record_type"]


@dataclass(frozen=True)
class RecordType:
    """One kind of record of a case.

    Attributes
    ----------
    cls : type
        The model class (:class:`~crimegraph.Person`...).
    section : str
        The case's list of these records, and the case file's key (``"warehouses"``).
    label : str
        The type name and Neo4j node label (``"Warehouse"``).
    word : str
        What analysts call one of them, in messages, tables and figures (``"premises"``).
    article : str
        The word with its article (``"a premises"``, ``"an organization"``).
    node : bool
        Whether goods, money and ties connect these records: persons, organizations and
        premises are the nodes of the case graph; products, evidence and the links are not.
    link : bool
        Whether the records are links (transactions and relationships) between nodes.
    """

    cls: type[Record]
    section: str
    label: str
    word: str
    article: str
    node: bool = False
    link: bool = False


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(Person, "persons", "Person", "person", "a person", node=True),
    RecordType(Organization, "organizations", "Organization", "organization",
               "an organization", node=True),
    RecordType(Warehouse, "warehouses", "Warehouse", "premises", "a premises", node=True),
    RecordType(Product, "products", "Product", "product", "a product"),
    RecordType(Transaction, "transactions", "Transaction", "transaction", "a transaction",
               link=True),
    RecordType(Relationship, "relationships", "Relationship", "relationship",
               "a relationship", link=True),
    RecordType(Evidence, "evidence", "Evidence", "evidence record", "an evidence record"),
)
"""Every record type, in case-file order."""

SECTIONS: tuple[str, ...] = tuple(t.section for t in RECORD_TYPES)
"""The case's sections, in case-file order."""

NODE_TYPES: tuple[RecordType, ...] = tuple(t for t in RECORD_TYPES if t.node)
"""Persons, organizations and premises: the nodes goods, money and ties connect."""

NODE_SECTIONS: tuple[str, ...] = tuple(t.section for t in NODE_TYPES)
"""The sections of :data:`NODE_TYPES`."""

_BY_KEY: dict[object, RecordType] = {
    **{t.section: t for t in RECORD_TYPES},
    **{t.label: t for t in RECORD_TYPES},
    **{t.cls: t for t in RECORD_TYPES},
}


def record_type(key: str | type[Record] | Record) -> RecordType:
    """The record type of a section (``"warehouses"``), label (``"Warehouse"``), class or
    record; :class:`~crimegraph.InvalidArgument` naming the known ones otherwise."""
    found = _BY_KEY.get(key if isinstance(key, (str, type)) else type(key))
    if found is None:
        raise InvalidArgument(
            f"{key!r} is not a record type; known: "
            + ", ".join(f"{t.label} ({t.section})" for t in RECORD_TYPES))
    return found

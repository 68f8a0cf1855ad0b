"""The :class:`Case`: one validated bundle of entities, links and evidence."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from .._gc import gc_paused
from ..errors import EntityNotFound, InvalidCase, NameIndex, Problem
from ._checks import find_problems, problems_from_validation_error
from ._json import parse_case_json
from ._time import DEFAULT_TIMEZONE, get_timezone, localize
from .entities import (
    AttributeValue,
    Entity,
    EntityId,
    Evidence,
    Organization,
    Person,
    Product,
    Record,
    Warehouse,
)
from .links import UNTIL_BEFORE_SINCE, Relationship, Transaction
from .registry import SECTIONS

__all__ = ["Case"]

_FREEZE_AT = 50_000

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "id", "kind", "source", "target", "timestamp", "product", "quantity", "amount", "carrier",
    "evidence",
)
"""The transaction fields the case's checks read as columns, in one pass."""


_LINK_COLUMNS = ("id", "source", "target", "evidence", "since", "until")


def _read_link_columns(relationships: list[Relationship]) -> dict[str, tuple[Any, ...]]:
    """The fields the case's checks read of every relationship, in one pass."""
    if not relationships:
        return {name: () for name in _LINK_COLUMNS}
    rows = map(attrgetter(*_LINK_COLUMNS), relationships)
    return dict(zip(_LINK_COLUMNS, zip(*rows)))


def _read_columns(transactions: list[Transaction]) -> dict[str, tuple[Any, ...]]:
    """The fields in :data:`TRANSACTION_COLUMNS` of every transaction, in one pass."""
    if not transactions:
        return {name: () for name in TRANSACTION_COLUMNS}
    rows = map(attrgetter(*TRANSACTION_COLUMNS), transactions)
    return dict(zip(TRANSACTION_COLUMNS, zip(*rows)))


class Case(BaseModel):
    """All the facts of one investigation, validated together.

    Building a case checks every record and every reference between records. A case that
    has problems is rejected whole with :class:`~crimegraph.InvalidCase`, whose message lists
    *every* problem (record, field, value, why) so nothing is lost silently.

    Naive timestamps are read as local time in :attr:`timezone`, and bare dates as local
    midnight, so the same file always means the same instants. Every date and time must fall
    in :data:`~crimegraph.model.SUPPORTED_TIME_RANGE` (1900-01-01 to 2199-12-31).

    A case and its records are immutable (assigning a field raises); make changed copies with
    ``record.model_copy(update={...})``. The lists of a case can still be changed in place:
    :func:`~crimegraph.write_case` checks the case again before writing it.

    Parameters
    ----------
    id, title : str
        The case identifier and a human title.
    persons, organizations, warehouses, products, transactions, relationships, evidence : list
        The records of the case; every list is optional.
    timezone : str
        IANA time zone of the case's local time (default ``"Asia/Shanghai"``).

    Raises
    ------
    InvalidCase
        On duplicate ids, dangling references (unknown source, target, product, carrier or
        evidence id), a shipment without product or with quantity <= 0, a payment without a
        positive amount, a transaction whose source is its target, a relationship whose
        ``until`` is before its ``since``, a time outside the supported range, NaN or infinity
        or a boolean in a number, a blank name, an invisible character in an id or reference,
        and every field-level type error. The message shows the first 20 problems and counts
        the rest by kind; :attr:`~crimegraph.InvalidCase.problems` holds them all.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     id="demo", title="Two shops",
    ...     organizations=[cg.Organization(id="A", name="Den"),
    ...                    cg.Organization(id="B", name="Shop")],
    ...     products=[cg.Product(id="P", name="Fake oil")],
    ...     transactions=[cg.Transaction(id="T1", kind="shipment", source="A", target="B",
    ...                                  timestamp="2024-03-01", product="P", quantity=10)],
    ... )
    >>> case.transactions[0].timestamp.isoformat()
    '2024-03-01T00:00:00+08:00'
    >>> cg.Case(id="bad", transactions=[{"id": "T1", "kind": "payment", "source": "X",
    ...         "target": "Y", "timestamp": "2024-03-01"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crimegraph.errors.InvalidCase: case rejected: 3 problems found; nothing was loaded
      - transactions[0] (id 'T1') field 'source' = 'X': unknown person, ... id; ...
    ...
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: EntityId = "case"
    title: str = ""
    description: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    """IANA time zone in which naive timestamps are read."""
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    """The case's reporting currency."""
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    persons: list[Person] = Field(default_factory=list)
    organizations: list[Organization] = Field(default_factory=list)
    warehouses: list[Warehouse] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    transactions: list[Transaction] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)

    _index: dict[str, Record] | None = PrivateAttr(default=None)
    _names: NameIndex | None = PrivateAttr(default=None)

    def __init__(self, /, **data: Any) -> None:
        with gc_paused():
            try:
                super().__init__(**data)
            except ValidationError as exc:
                problems = problems_from_validation_error(exc, data) + find_problems(data)
                raise InvalidCase(_dedupe(problems)) from None
            # One pass reads the transactions' fields; the reference check and the time zone
            # fix-up both use these columns.
            columns = _read_columns(self.transactions)
            links = _read_link_columns(self.relationships)
            fine = self._references_look_fine(columns, links)
            problems = [] if fine else find_problems(self)
            if problems:
                raise InvalidCase(_dedupe(problems))
            self._localize_times(columns, links)
            problems = _ties_ending_before_they_begin(self.relationships, links)
            if problems:
                raise InvalidCase(problems)
            if len(self.transactions) + len(self.relationships) >= _FREEZE_AT:
                # Move the new records out of the cyclic collector's sight: otherwise its next
                # runs rescan millions of objects that can never form cycles. They are still
                # freed by reference counting when the case is dropped.
                gc.freeze()

    def __eq__(self, other: object) -> bool:
        """Cases are equal when their fields are (cached lookups do not count)."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def model_validate(
        cls, obj: Any, *, strict: bool | None = None, from_attributes: bool | None = None,
        context: Any | None = None, **_: Any,
    ) -> Case:
        """Validate a mapping (e.g. a parsed case file); raises :class:`InvalidCase`."""
        if isinstance(obj, cls):
            return obj
        if not isinstance(obj, Mapping):
            raise InvalidCase([Problem(
                "case", None, None, "(case)", type(obj).__name__,
                "a case must be a JSON object with lists such as 'persons' and 'transactions'",
            )])
        return cls(**{str(key): value for key, value in obj.items()})

    @classmethod
    def model_validate_json(
        cls, json_data: str | bytes | bytearray, *, strict: bool | None = None,
        context: Any | None = None, **_: Any,
    ) -> Case:
        """Validate the JSON text of a case file.

        Raises :class:`~crimegraph.CaseFileError` if the text is no readable JSON (see
        :func:`~crimegraph.read_case`) and :class:`InvalidCase` if the case has problems.
        """
        return cls.model_validate(parse_case_json(json_data))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        get_timezone(value)
        return value

    def _references_look_fine(self, columns: dict[str, tuple[Any, ...]],
                              links: dict[str, tuple[Any, ...]]) -> bool:
        """A fast set-based check for the common case; find_problems explains failures.

        ``columns``/``links``: the transactions' and relationships' fields, as columns.
        """
        read = {"transactions": columns, "relationships": links}
        ids: set[str] = set()
        total = 0
        get_id = attrgetter("id")
        for section in SECTIONS:
            ids.update(read[section]["id"] if section in read
                       else map(get_id, getattr(self, section)))
            total += len(getattr(self, section))
        if len(ids) != total:
            return False
        nodes = set(map(get_id, self.persons))
        nodes.update(map(get_id, self.organizations))
        nodes.update(map(get_id, self.warehouses))
        products = set(map(get_id, self.products))
        evidence = set(map(get_id, self.evidence))
        ends = (columns["source"], columns["target"], links["source"], links["target"])
        if not all(nodes.issuperset(end) for end in ends):
            return False
        used_products = set(columns["product"])
        used_products.update(map(attrgetter("product"), self.evidence))
        used_products.discard(None)
        if not products.issuperset(used_products):
            return False
        carriers = set(columns["carrier"])
        carriers.discard(None)
        if not nodes.issuperset(carriers):
            return False
        get_evidence = attrgetter("evidence")
        for section in SECTIONS:
            refs_of = (read[section]["evidence"] if section in read
                       else map(get_evidence, getattr(self, section)))
            for refs in refs_of:
                if refs and not evidence.issuperset(refs):
                    return False
        return True

    def _localize_times(self, columns: dict[str, tuple[Any, ...]],
                        links: dict[str, tuple[Any, ...]]) -> None:
        """Read naive times in the case's time zone (``columns`` are kept in step)."""
        tz = get_timezone(self.timezone)
        txs = self.transactions
        stamps = columns["timestamp"]
        naive = [i for i, ts in enumerate(stamps) if type(ts) is not datetime or ts.tzinfo is None]
        if naive:
            fixed = list(stamps)
            for position in naive:
                tx = txs[position]
                txs[position] = tx.model_copy(update={"timestamp": localize(tx.timestamp, tz)})
                fixed[position] = txs[position].timestamp
            columns["timestamp"] = tuple(fixed)
        rels = self.relationships
        for position, times in enumerate(zip(links["since"], links["until"])):
            if times == (None, None):
                continue
            update: dict[str, datetime] = {}
            for name, value in zip(("since", "until"), times):
                if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                    update[name] = localize(value, tz)
            if update:
                rels[position] = rels[position].model_copy(update=update)

    # -- lookups ---------------------------------------------------------------------------
    def records(self) -> Iterator[Record]:
        """Every record of the case, section by section."""
        for section in SECTIONS:
            yield from getattr(self, section)

    @property
    def nodes(self) -> list[Entity]:
        """Persons, organizations and premises: the entities goods, money and ties connect."""
        return [*self.persons, *self.organizations, *self.warehouses]

    def record_index(self) -> dict[str, Record]:
        """Map from every record id to its record (built once, on first use)."""
        if self._index is None:
            self._index = {record.id: record for record in self.records()}
        return self._index

    def get(self, record_id: str) -> Record:
        """The record with this id (entity, transaction, relationship or evidence).

        Raises
        ------
        EntityNotFound
            If no record has the id; the message suggests close matches.
        """
        index = self.record_index()
        try:
            return index[record_id]
        except KeyError:
            raise EntityNotFound(record_id, index, where=f"case {self.id!r}",
                                 names=self.name_index()) from None

    def name_index(self) -> NameIndex:
        """The names and aliases of every person, organization, premises and product, for
        suggestions when an id is mistyped (built once, on first use)."""
        if self._names is None:
            names: dict[str, list[str]] = {p.id: [p.name, *p.aliases] for p in self.persons}
            for section in (self.organizations, self.warehouses, self.products):
                names.update((record.id, [record.name]) for record in section)
            self._names = NameIndex(names)
        return self._names

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and record_id in self.record_index()

    def __str__(self) -> str:
        return self.__repr__()

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{section}={len(getattr(self, section))}" for section in SECTIONS
            if getattr(self, section)
        )
        return f"Case(id={self.id!r}, title={self.title!r}, {counts})"


def _ties_ending_before_they_begin(
    relationships: list[Relationship], links: dict[str, tuple[Any, ...]]
) -> list[Problem]:
    """Relationships whose ``until`` is before ``since``, compared as (localized) instants.

    A lone record compares the two only when both are naive or both aware; this catches the
    mixed ones once the case's time zone is known. ``links`` holds the columns as read.
    """
    problems: list[Problem] = []
    for position, (since, until) in enumerate(zip(links["since"], links["until"])):
        if since is None or until is None:
            continue
        rel = relationships[position]
        if rel.until is not None and rel.since is not None and rel.until < rel.since:
            problems.append(Problem(
                "relationships", position, rel.id, "until", until,
                UNTIL_BEFORE_SINCE.format(since=rel.since.isoformat()),
            ))
    return problems


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Drop repeats and order problems as they appear in the case file."""
    seen: set[tuple[Any, ...]] = set()
    unique: list[Problem] = []
    for problem in problems:
        key = (problem.section, problem.index, problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    order = {section: rank for rank, section in enumerate(SECTIONS)}
    return sorted(unique, key=lambda p: (order.get(p.section, -1), p.index or 0))

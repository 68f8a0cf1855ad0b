"""The store interface that every analysis is written against, and the flows table.

A store holds one case. Two implementations exist: :class:`~crimegraph.NetworkXStore`
(in memory, the default) and :class:`~crimegraph.Neo4jStore`. The interface is small on purpose:
lookups by id, the links and transactions around a set of nodes, the flows (shipments and
payments alike) as columnar tables, and whole-case exports. Algorithms use nothing else, so
they give the same answers on both stores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import EntityNotFound, InvalidArgument, NameIndex, WrongArgumentType
from ..model import Case, Record, Relationship, Transaction
from ..model.links import RELATIONSHIP_KINDS, TRANSACTION_KINDS

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from .adjacency import Adjacency
    from .summary import CaseSummary

__all__ = [
    "DIRECTIONS", "FLOW_KINDS", "NODE_COLUMNS", "Direction", "FlowCandidates", "FlowKind",
    "FlowQuery", "FlowTable", "FlowWalk", "SettledWalk", "Store", "TraceDirection",
]

Direction = Literal["in", "out", "both"]
DIRECTIONS: tuple[str, ...] = ("in", "out", "both")


def check_link_query(
    *, nodes: object = None, direction: object = "both", kind: object = None,
    kinds: object = None, allowed_kinds: Collection[str] = (),
) -> tuple[list[str] | None, list[str] | None]:
    """Reject arguments of a link query that no store could answer, naming what is allowed.

    Every store calls this first, so both answer bad arguments with the same ``ValueError``
    (or ``TypeError``) instead of an empty or unfiltered result.

    Returns ``nodes`` and ``kinds`` as lists (None stays None), for the store to use instead
    of the arguments: a generator can be read only once, and reading it here to check it
    would otherwise leave the query nothing to answer.
    """
    if isinstance(nodes, str):
        raise WrongArgumentType(f"nodes={nodes!r} must be a collection of ids, not one id as a "
                                f"string; write nodes=[{nodes!r}]")
    if direction not in DIRECTIONS:
        raise InvalidArgument(f"direction={direction!r} is not one of "
                              + ", ".join(repr(d) for d in DIRECTIONS))
    if kind is not None and kind not in TRANSACTION_KINDS:
        raise InvalidArgument(f"kind={kind!r} is not a transaction kind; use "
                              + " or ".join(repr(k) for k in TRANSACTION_KINDS)
                              + " (or None for both)")
    kind_list: list[str] | None = None
    if kinds is not None:
        if isinstance(kinds, str):
            raise WrongArgumentType(f"kinds={kinds!r} must be a collection of kinds, not one "
                                    f"kind as a string; write kinds=[{kinds!r}]")
        kind_list = _listed(kinds, "kinds")
        unknown = [k for k in kind_list if k not in allowed_kinds]
        if unknown:
            raise InvalidArgument(f"unknown link kind(s) {', '.join(map(repr, unknown))}; known "
                                  "kinds: " + ", ".join(allowed_kinds))
    return (None if nodes is None else _listed(nodes, "nodes")), kind_list


def _listed(values: object, name: str) -> list[str]:
    """``values`` (any iterable, read once) as a list, or a clear error naming ``name``."""
    if not isinstance(values, Iterable):
        raise WrongArgumentType(f"{name}={values!r} must be a collection, not "
                                f"{type(values).__name__}")
    return list(values)

def check_flow_kind(kind: object) -> None:
    """Reject a flow kind that is neither goods nor money, naming the allowed ones."""
    if kind not in ("shipment", "payment"):
        raise InvalidArgument(f"kind={kind!r} is not a flow kind; use 'shipment' (goods) or "
                              "'payment' (money)")


NODE_COLUMNS: tuple[str, ...] = (
    "id", "type", "name", "province", "city", "role", "status", "kind", "uses",
)
"""Columns of :meth:`Store.node_table`."""


FlowKind = Literal["shipment", "payment"]
"""What a flow moves: goods (``"shipment"``) or money (``"payment"``)."""
FLOW_KINDS: tuple[str, ...] = ("shipment", "payment")

TraceDirection = Literal["downstream", "upstream"]


@dataclass(frozen=True, eq=False)
class FlowTable:
    """Flows of one kind (goods or money) as parallel arrays, sorted by time (ties keep
    case-file order).

    Shipments and payments share this one table: both move something from ``source`` to
    ``target`` at ``time``. A shipment's item is its product; a payment's is its currency.

    Attributes
    ----------
    kind : {"shipment", "payment"}
        What the flows move: goods or money.
    node_ids : list of str
        Node ids; ``source`` and ``target`` index into this list.
    item_ids : list of str
        Products (shipments) or currencies (payments); ``item`` indexes into this list.
    ids : numpy.ndarray of object
        Transaction id of each flow.
    source, target : numpy.ndarray of int32
        Sender and receiver of each flow (indices into ``node_ids``).
    time : numpy.ndarray of int64
        When each flow left, in microseconds since the Unix epoch (UTC).
    item : numpy.ndarray of int32
        What each flow carried: its product or currency (index into ``item_ids``).
    quantity, amount : numpy.ndarray of float64
        Goods carried and money moved or the goods' value (NaN when unknown).

    Examples
    --------
    >>> import crimegraph as cg
    >>> payments = cg.CaseGraph(cg.load_example("fake_liquor")).flows("payment")
    >>> payments.kind, payments.item_ids
    ('payment', ['CNY'])
    """

    kind: str
    node_ids: list[str]
    item_ids: list[str]
    ids: np.ndarray
    source: np.ndarray
    target: np.ndarray
    time: np.ndarray
    item: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray
    _node_pos: dict[str, int] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def node_index(self) -> dict[str, int]:
        """Map from node id to its position in :attr:`node_ids`."""
        if not self._node_pos and self.node_ids:
            self._node_pos.update({node: pos for pos, node in enumerate(self.node_ids)})
        return self._node_pos

    def select(self, mask: np.ndarray) -> FlowTable:
        """The flows where ``mask`` is true (or at these positions), with the same nodes and
        items."""
        return FlowTable(
            self.kind, self.node_ids, self.item_ids, self.ids[mask], self.source[mask],
            self.target[mask], self.time[mask], self.item[mask], self.quantity[mask],
            self.amount[mask], self._node_pos,
        )

    def mask(
        self, *, items: Collection[str] | None = None, since_us: int | None = None,
        until_us: int | None = None, min_amount: float | None = None,
    ) -> np.ndarray:
        """Boolean mask of flows of these items (products or currencies) within
        ``since_us..until_us`` and of at least ``min_amount``."""
        keep = np.ones(len(self), dtype=bool)
        if items is not None:
            chosen = set(items)
            wanted = [pos for pos, item in enumerate(self.item_ids) if item in chosen]
            keep &= np.isin(self.item, np.asarray(wanted, dtype=np.int32))
        if since_us is not None:
            keep &= self.time >= since_us
        if until_us is not None:
            keep &= self.time <= until_us
        if min_amount is not None:
            keep &= self.amount >= min_amount  # an unknown amount (NaN) is never enough
        return keep

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[str, str, str, int, str, float | None, float | None]],
        node_ids: Sequence[str] | None = None, item_ids: Sequence[str] | None = None, *,
        kind: str = "shipment",
    ) -> FlowTable:
        """Build a table from ``(id, source, target, time_us, item, quantity, amount)`` rows.

        Rows are sorted by time (stable). ``node_ids`` and ``item_ids`` fix the order of
        nodes and items; otherwise they are numbered in order of first appearance.
        """
        rows = list(rows)
        nodes: list[str] = list(node_ids) if node_ids is not None else []
        node_pos = {node: pos for pos, node in enumerate(nodes)}
        items: list[str] = list(item_ids) if item_ids is not None else []
        item_pos = {item: pos for pos, item in enumerate(items)}

        def number(ref: str, known: dict[str, int], names: list[str]) -> int:
            pos = known.get(ref)
            if pos is None:
                pos = known[ref] = len(names)
                names.append(ref)
            return pos

        n = len(rows)
        ids = np.empty(n, dtype=object)
        src = np.empty(n, dtype=np.int32)
        dst = np.empty(n, dtype=np.int32)
        when = np.empty(n, dtype=np.int64)
        item = np.empty(n, dtype=np.int32)
        qty = np.empty(n, dtype=np.float64)
        amt = np.empty(n, dtype=np.float64)
        for i, (tid, s, t, ts, p, q, a) in enumerate(rows):
            ids[i] = tid
            src[i] = number(s, node_pos, nodes)
            dst[i] = number(t, node_pos, nodes)
            when[i] = ts
            item[i] = number(p, item_pos, items)
            qty[i] = np.nan if q is None else q
            amt[i] = np.nan if a is None else a
        order = np.argsort(when, kind="stable")
        return cls(kind, nodes, items, ids[order], src[order], dst[order], when[order],
                   item[order], qty[order], amt[order], node_pos)

    @classmethod
    def empty(cls, kind: str, node_ids: list[str], item_ids: list[str],
              node_pos: dict[str, int] | None = None) -> FlowTable:
        """A table of no flows over these nodes and items."""
        none = np.empty(0, dtype=np.int32)
        return cls(kind, list(node_ids), list(item_ids), np.empty(0, dtype=object), none, none,
                   np.empty(0, dtype=np.int64), none, np.empty(0), np.empty(0),
                   dict(node_pos or {}))


@dataclass(frozen=True)
class FlowQuery:
    """What a walk over flows is asked: the flow kind, the starts, the direction and filters.

    Attributes
    ----------
    kind : {"shipment", "payment"}
        Follow goods or money.
    starts : tuple of str
        Node ids the walk starts from (distinct, in the caller's order).
    direction : {"downstream", "upstream"}
        Forward from the starts, or backward to what fed them.
    items : tuple of str, optional
        Only flows of these products (goods) or currencies (money).
    since_us, until_us : int, optional
        Only flows within this window (microseconds since the epoch, inclusive).
    min_amount : float, optional
        Only flows of at least this amount.
    time_respecting : bool
        Whether a flow can only pass on what arrived at or before its time.
    max_hops : int, optional
        Follow at most this many flows from the starts.
    """

    kind: str
    starts: tuple[str, ...]
    direction: str = "downstream"
    items: tuple[str, ...] | None = None
    since_us: int | None = None
    until_us: int | None = None
    min_amount: float | None = None
    time_respecting: bool = True
    max_hops: int | None = None

    @property
    def upstream(self) -> bool:
        return self.direction == "upstream"

    @property
    def filtered(self) -> bool:
        """Whether any flow is left out by items, window or amount."""
        return (self.items is not None or self.since_us is not None
                or self.until_us is not None or self.min_amount is not None)


class FlowWalk:
    """What a walk over flows found: the flows it used and how far each node is from a start.

    This is the contract between :mod:`crimegraph.analysis.flows` (the walk, run on a
    :class:`FlowTable` by compiled kernels) and a store's accelerator
    (:meth:`Store.walk_flows`): an accelerator returns, for the same :class:`FlowQuery`,
    exactly the flows and hop distances the kernel would.

    Attributes
    ----------
    table : FlowTable
        The flows the walk ran over (a store's accelerator may return the walk's flows only).
    count : int
        Number of flows the walk used.
    kinds : dict of str to str, optional
        Type name ("Person", "Product", ...) of each start and item id the store found among
        the case's records; None when the store did not look them up (the caller checks them).
    """

    table: FlowTable
    count: int
    kinds: dict[str, str] | None = None

    @property
    def edges(self) -> np.ndarray:
        """Table positions of the flows the walk used, in table (time) order."""
        raise NotImplementedError

    @property
    def levels(self) -> np.ndarray:
        """Hop distance of every table node from the starts over those flows (-1: unreached)."""
        raise NotImplementedError

    @property
    def start_index(self) -> np.ndarray:
        """Table positions of the start nodes that have flows (tier 0)."""
        return np.flatnonzero(self.levels == 0).astype(np.int32)

    def reached(self) -> tuple[np.ndarray, np.ndarray]:
        """Table positions of the nodes the walk reached, ascending, and their hop
        distances: the entries of :attr:`levels` that are not -1 (a walk may know them
        without an array over every node)."""
        levels = self.levels
        found = np.flatnonzero(levels >= 0)
        return found, levels[found]

    def transaction_ids(self) -> list[str]:
        """Ids of the flows the walk used, in time order."""
        return self.table.ids[self.edges].tolist()  # type: ignore[no-any-return]


class SettledWalk(FlowWalk):
    """A walk whose flows and hop distances are known, e.g. computed where the data lives.

    Parameters
    ----------
    table : FlowTable
        The flows the walk ran over.
    edges : numpy.ndarray of int64, optional
        Positions of the flows it used, in time order (None: every flow of ``table``).
    levels : numpy.ndarray of int32
        Hop distance of every table node from the starts (-1: unreached).
    kinds : dict of str to str, optional
        See :class:`FlowWalk`.
    ids : list of str, optional
        The used flows' ids, when the store has them at hand as a list.
    """

    def __init__(self, table: FlowTable, edges: np.ndarray | None, levels: np.ndarray,
                 kinds: dict[str, str] | None = None, ids: list[str] | None = None) -> None:
        self.table = table
        self._edges = np.arange(len(table), dtype=np.int64) if edges is None else edges
        self._levels = levels
        self.count = len(self._edges)
        self.kinds = kinds
        self._ids = ids

    @property
    def edges(self) -> np.ndarray:
        return self._edges

    @property
    def levels(self) -> np.ndarray:
        return self._levels

    def transaction_ids(self) -> list[str]:
        return self._ids if self._ids is not None else super().transaction_ids()


@dataclass(frozen=True, eq=False)
class FlowCandidates:
    """Flows a store read for a walk, for :mod:`crimegraph.analysis.flows` to walk over.

    The other answer a store's accelerator may give (:meth:`Store.walk_flows`): instead of
    the walk, the part of the case the walk can reach. ``table`` holds every flow of the
    query's kind that the walk over the whole :meth:`Store.flows` table would use (a flow
    reachable from the starts through flows that pass the query's filters) and perhaps more;
    its nodes are at least the ends of those flows. Walking it gives exactly the walk over
    the whole table.

    Attributes
    ----------
    table : FlowTable
        The candidate flows, sorted by time (ties in case-file order).
    adjacency : Adjacency, optional
        The table's per-node lists in the query's direction, in walk order (see
        :func:`crimegraph.store.adjacency.adjacency`), when the store read them so; None:
        built from the table when the walk needs them.
    """

    table: FlowTable
    adjacency: Adjacency | None = None


class Store(ABC):
    """What a case store offers the analyses. Implementations: NetworkXStore, Neo4jStore."""

    #: A short name of the implementation ("memory", "neo4j").
    kind: str = "abstract"

    @abstractmethod
    def load(self, case: Case) -> None:
        """Store ``case`` (replacing a stored case with the same id)."""

    @property
    @abstractmethod
    def case_id(self) -> str:
        """Id of the case this store currently holds."""

    @property
    def timezone(self) -> str:
        """IANA time zone of the stored case (naive times in queries are read in it)."""
        return self.to_case().timezone

    @abstractmethod
    def describe(self) -> str:
        """A one-line description of the store and its case (never a password)."""

    def held(self) -> object:
        """What the store holds now, as a token that changes whenever it is given another case
        or another version of one (by :meth:`load` or :meth:`open_case`).

        A :class:`~crimegraph.CaseGraph` keeps the token of the case it was made for, so that
        it never answers from a case that another graph sharing the store loaded since. The
        default is the case id; the built-in stores say which version, too.
        """
        return self.case_id

    def open_case(self, case_id: str) -> None:
        """Point the store at a case it already keeps; stores that keep none refuse."""
        raise WrongArgumentType(
            f"{self.describe()} keeps no stored cases to open; load one with CaseGraph(case)"
        )

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the in-memory store has nothing to release."""

    # -- records --------------------------------------------------------------------------
    @abstractmethod
    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        """The records with these ids (missing ids are simply absent from the result)."""

    def get(self, record_id: str) -> Record:
        """The record with this id; raises :class:`EntityNotFound` with close matches."""
        found = self.get_many([record_id])
        if record_id not in found:
            raise self.not_found(record_id)
        return found[record_id]

    def name_index(self) -> NameIndex:
        """The names records are known by, for suggestions: the name of every person,
        organization and premises (stores that hold them also give aliases and products)."""
        table = self.node_table()
        return NameIndex({rid: [name] for rid, name in zip(table["id"], table["name"])
                          if name})

    def not_found(self, record_id: str) -> EntityNotFound:
        """The error for an id the case lacks, suggesting ids that look like it (any letter
        case) and ids whose name or alias it is, each with its name."""
        return EntityNotFound(record_id, self.ids(), where=self.describe(),
                              names=self.name_index())

    @abstractmethod
    def ids(self) -> list[str]:
        """Every record id of the case."""

    @abstractmethod
    def node_table(self) -> pd.DataFrame:
        """Persons, organizations and premises, one row each, columns :data:`NODE_COLUMNS`."""

    # -- links ----------------------------------------------------------------------------
    @abstractmethod
    def flows(self, kind: FlowKind) -> FlowTable:
        """Every shipment (``"shipment"``) or payment (``"payment"``) of the case as a
        time-sorted :class:`FlowTable`."""

    def walk_flows(self, query: FlowQuery) -> FlowWalk | FlowCandidates | None:
        """Help with the walk of :mod:`crimegraph.analysis.flows` for ``query``: the walk
        itself, the flows it can reach, or None.

        The one hook a store may accelerate walks with (goods and money alike). A store may
        answer with

        - a :class:`FlowWalk` (e.g. a :class:`SettledWalk` computed where the data lives):
          exactly what the compiled walk over :meth:`flows` would give, the same flows in the
          same order with the same hop distances;
        - :class:`FlowCandidates`: a table holding at least every flow that walk would use
          (e.g. the part of the case reachable from the starts); the walk then runs over it,
          in ``analysis/``;
        - None (the default): the walk runs over the whole :meth:`flows` table.

        The store test suite checks that every answer gives the same walk, for both flow
        kinds. The start and item ids are not checked first: a store that looks them up says
        what they are in :attr:`FlowWalk.kinds`; otherwise the caller checks them.
        """
        return None

    @abstractmethod
    def transactions(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kind: Literal["shipment", "payment"] | None = None,
    ) -> list[Transaction]:
        """Transactions touching ``nodes`` (all when None), in time order."""

    @abstractmethod
    def links(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kinds: Collection[str] | None = None,
    ) -> list[Relationship]:
        """Relationships touching ``nodes`` (all when None), optionally of some kinds."""

    def neighbors(
        self, node: str, *, kinds: Collection[str] | None = None, direction: Direction = "both",
    ) -> list[str]:
        """Ids linked to ``node`` by relationships or transactions of ``kinds``, sorted.

        ``kinds`` mixes relationship kinds ("calls", "leads"...) and transaction kinds
        ("shipment", "payment"); None means every kind.
        """
        _, kinds = check_link_query(direction=direction, kinds=kinds,
                                    allowed_kinds=(*RELATIONSHIP_KINDS, *TRANSACTION_KINDS))
        self.get(node)
        wanted = None if kinds is None else set(kinds)
        found: set[str] = set()
        pairs: list[tuple[str, str, str]] = [
            (r.kind, r.source, r.target) for r in self.links(nodes=[node], direction=direction)
        ]
        pairs += [
            (t.kind, t.source, t.target)
            for t in self.transactions(nodes=[node], direction=direction)
        ]
        for kind, source, target in pairs:
            if wanted is not None and kind not in wanted:
                continue
            if source == node and direction in ("out", "both"):
                found.add(target)
            if target == node and direction in ("in", "both"):
                found.add(source)
        return sorted(found)

    # -- whole case -----------------------------------------------------------------------
    @abstractmethod
    def to_case(self) -> Case:
        """The whole stored case as a :class:`Case`."""

    def summary(self) -> CaseSummary:
        """Counts, provinces, dates and totals of the stored case (a store may aggregate)."""
        from .summary import summarize

        return summarize(self.to_case())

    def to_networkx(self) -> nx.MultiDiGraph:
        """The case as a ``networkx.MultiDiGraph`` (see
        :func:`crimegraph.model.case_to_networkx`)."""
        from ..model.projection import case_to_networkx

        return case_to_networkx(self.to_case())

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""The store interface that every analysis is written against, and the shipment table.

A store holds one case. Two implementations exist: :class:`~crimegraph.NetworkXStore`
(in memory, the default) and :class:`~crimegraph.Neo4jStore`. The interface is small on purpose:
lookups by id, the links and transactions around a set of nodes, the shipments as a columnar
table, and whole-case exports. Algorithms use nothing else, so they give the same answers on
both stores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import EntityNotFound, NameIndex
from ..model import Case, Record, Relationship, Transaction
from ..model.links import RELATIONSHIP_KINDS, TRANSACTION_KINDS

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from .summary import CaseSummary

__all__ = ["DIRECTIONS", "NODE_COLUMNS", "Direction", "ShipmentTable", "Store", "TracedChain"]

Direction = Literal["in", "out", "both"]
DIRECTIONS: tuple[str, ...] = ("in", "out", "both")


def check_link_query(
    *, nodes: object = None, direction: object = "both", kind: object = None,
    kinds: object = None, allowed_kinds: Collection[str] = (),
) -> None:
    """Reject arguments of a link query that no store could answer, naming what is allowed.

    Every store calls this first, so both answer bad arguments with the same ``ValueError``
    (or ``TypeError``) instead of an empty or unfiltered result.
    """
    if isinstance(nodes, str):
        raise TypeError(f"nodes={nodes!r} must be a collection of ids, not one id as a "
                        f"string; write nodes=[{nodes!r}]")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction={direction!r} is not one of "
                         + ", ".join(repr(d) for d in DIRECTIONS))
    if kind is not None and kind not in TRANSACTION_KINDS:
        raise ValueError(f"kind={kind!r} is not a transaction kind; use "
                         + " or ".join(repr(k) for k in TRANSACTION_KINDS) + " (or None for both)")
    if kinds is not None:
        if isinstance(kinds, str):
            raise TypeError(f"kinds={kinds!r} must be a collection of kinds, not one kind as a "
                            f"string; write kinds=[{kinds!r}]")
        unknown = [k for k in kinds if k not in allowed_kinds]  # type: ignore[attr-defined]
        if unknown:
            raise ValueError(f"unknown link kind(s) {', '.join(map(repr, unknown))}; known "
                             "kinds: " + ", ".join(allowed_kinds))

NODE_COLUMNS: tuple[str, ...] = (
    "id", "type", "name", "province", "city", "role", "status", "kind", "uses",
)
"""Columns of :meth:`Store.node_table`."""


@dataclass(frozen=True, eq=False)
class ShipmentTable:
    """Shipments as parallel arrays, sorted by time (ties keep case-file order).

    Attributes
    ----------
    node_ids : list of str
        Node ids; ``source`` and ``target`` index into this list.
    product_ids : list of str
        Product ids; ``product`` indexes into this list.
    ids : numpy.ndarray of object
        Transaction id of each shipment.
    source, target : numpy.ndarray of int32
        Sender and receiver of each shipment (indices into ``node_ids``).
    time : numpy.ndarray of int64
        When each shipment left, in microseconds since the Unix epoch (UTC).
    product : numpy.ndarray of int32
        What each shipment carried (index into ``product_ids``).
    quantity, amount : numpy.ndarray of float64
        Goods carried, and their value (NaN when unknown).
    """

    node_ids: list[str]
    product_ids: list[str]
    ids: np.ndarray
    source: np.ndarray
    target: np.ndarray
    time: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray
    _node_pos: dict[str, int] = field(default_factory=dict, repr=False)
    _adjacency: dict[str, tuple[np.ndarray, ...]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def node_index(self) -> dict[str, int]:
        """Map from node id to its position in :attr:`node_ids`."""
        if not self._node_pos and self.node_ids:
            self._node_pos.update({node: pos for pos, node in enumerate(self.node_ids)})
        return self._node_pos

    def adjacency(self, direction: Literal["downstream", "upstream"]) -> tuple[np.ndarray, ...]:
        """Each node's shipments in trace order, built once and cached.

        Downstream: every node's outgoing shipments by time. Upstream: every node's incoming
        shipments by time, newest first, in a time frame that runs backwards (so that tracing
        upstream is tracing downstream on the reversed network). Times are dense ranks
        (int32) of the frame's distinct times, listed in ``frame_times``.

        Each node's list holds two runs, each in time order: first the shipments to nodes
        that have shipments of their own in this direction, then (from ``split[u]``) those
        to dead ends, which cannot carry goods further.

        Returns ``(offsets, split, neighbor, ranks, frame_times, order)``; ``order`` maps
        positions back to the table.
        """
        cached = self._adjacency.get(direction)
        if cached is not None:
            return cached
        n, n_nodes = len(self), len(self.node_ids)
        if direction == "downstream":
            owner_all, neighbor_all, times_all = self.source, self.target, self.time
            # Rows are in time order; sorting by (owner, dead end) keeps time order in runs.
            row_order = np.arange(n, dtype=np.int64)
        else:
            owner_all, neighbor_all, times_all = self.target, self.source, -self.time
            row_order = np.arange(n - 1, -1, -1, dtype=np.int64)
        degree = np.bincount(owner_all, minlength=n_nodes)
        dead = degree[neighbor_all[row_order]] == 0
        key = owner_all[row_order].astype(np.int64) * 2 + dead
        order = row_order[np.argsort(key, kind="stable")]
        owner, neighbor, times = owner_all[order], neighbor_all[order], times_all[order]
        frame_times, ranks = np.unique(times, return_inverse=True)
        offsets = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(degree, out=offsets[1:])
        live = np.bincount(owner, weights=degree[neighbor] > 0, minlength=n_nodes)
        split = offsets[:-1] + live.astype(np.int64)
        built = (offsets, split, neighbor.astype(np.int32), ranks.astype(np.int32).reshape(-1),
                 frame_times.astype(np.int64), order.astype(np.int64))
        self._adjacency[direction] = built
        return built

    def select(self, mask: np.ndarray) -> ShipmentTable:
        """The shipments where ``mask`` is true, with the same node and product indices."""
        return ShipmentTable(
            self.node_ids, self.product_ids, self.ids[mask], self.source[mask],
            self.target[mask], self.time[mask], self.product[mask], self.quantity[mask],
            self.amount[mask], self._node_pos,
        )

    def mask(
        self, *, products: Collection[str] | None = None, since_us: int | None = None,
        until_us: int | None = None,
    ) -> np.ndarray:
        """Boolean mask of shipments of these products within ``since_us..until_us``."""
        keep = np.ones(len(self), dtype=bool)
        if products is not None:
            wanted = [pos for pos, pid in enumerate(self.product_ids) if pid in set(products)]
            keep &= np.isin(self.product, np.asarray(wanted, dtype=np.int32))
        if since_us is not None:
            keep &= self.time >= since_us
        if until_us is not None:
            keep &= self.time <= until_us
        return keep

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[str, str, str, int, str, float, float | None]],
        node_ids: Sequence[str] | None = None, product_ids: Sequence[str] | None = None,
    ) -> ShipmentTable:
        """Build a table from ``(id, source, target, time_us, product, quantity, amount)`` rows.

        Rows are sorted by time (stable). ``node_ids`` and ``product_ids`` fix the order of
        nodes and products; otherwise they are numbered in order of first appearance.
        """
        rows = list(rows)
        nodes: list[str] = list(node_ids) if node_ids is not None else []
        node_pos = {node: pos for pos, node in enumerate(nodes)}
        products: list[str] = list(product_ids) if product_ids is not None else []
        product_pos = {pid: pos for pos, pid in enumerate(products)}

        def node(ref: str) -> int:
            pos = node_pos.get(ref)
            if pos is None:
                pos = node_pos[ref] = len(nodes)
                nodes.append(ref)
            return pos

        def product(ref: str) -> int:
            pos = product_pos.get(ref)
            if pos is None:
                pos = product_pos[ref] = len(products)
                products.append(ref)
            return pos

        n = len(rows)
        ids = np.empty(n, dtype=object)
        src = np.empty(n, dtype=np.int32)
        dst = np.empty(n, dtype=np.int32)
        when = np.empty(n, dtype=np.int64)
        prod = np.empty(n, dtype=np.int32)
        qty = np.empty(n, dtype=np.float64)
        amt = np.empty(n, dtype=np.float64)
        for i, (tid, s, t, ts, p, q, a) in enumerate(rows):
            ids[i] = tid
            src[i] = node(s)
            dst[i] = node(t)
            when[i] = ts
            prod[i] = product(p)
            qty[i] = q
            amt[i] = np.nan if a is None else a
        order = np.argsort(when, kind="stable")
        return cls(nodes, products, ids[order], src[order], dst[order], when[order],
                   prod[order], qty[order], amt[order], node_pos)


@dataclass(frozen=True)
class TracedChain:
    """A chain traced by the store itself (see :meth:`Store.traced_chain`).

    Attributes
    ----------
    table : ShipmentTable
        The chain shipments only, in time order, and the chain nodes.
    levels : numpy.ndarray of int32
        Each table node's hop distance from the start.
    kinds : dict of str to str
        Type name ("Person", "Product", ...) of each start and product id found among the
        case's entities.
    transactions : list of str, optional
        The table's shipment ids as a list, when the store has one at hand.
    """

    table: ShipmentTable
    levels: np.ndarray
    kinds: dict[str, str]
    transactions: list[str] | None = None


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

    def open_case(self, case_id: str) -> None:
        """Point the store at a case it already keeps; stores that keep none refuse."""
        raise TypeError(
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
    def shipments(self) -> ShipmentTable:
        """Every shipment of the case as a time-sorted :class:`ShipmentTable`."""

    def chain_candidates(
        self, start: Sequence[str], *, direction: Literal["downstream", "upstream"],
        products: Collection[str] | None, since_us: int | None, until_us: int | None,
        max_hops: int | None,
    ) -> ShipmentTable:
        """Shipments that a trace from ``start`` may use: a superset of the chain.

        The default returns the whole shipment table (the trace filters it without copying);
        a remote store returns only the matching shipments reachable from ``start`` so that
        a trace does not pull the whole database.
        """
        return self.shipments()

    def traced_chain(
        self, start: Sequence[str], *, direction: Literal["downstream", "upstream"],
        products: Collection[str] | None, since_us: int | None, until_us: int | None,
    ) -> TracedChain | None:
        """A time-respecting trace computed where the data lives, or None.

        A store that can run :func:`~crimegraph.trace_chain`'s default trace (time-respecting,
        no hop limit) itself returns the chain (see :class:`TracedChain`). None (the default)
        makes the trace run here, on :meth:`chain_candidates`. The ids are not checked
        first: the caller checks them against :attr:`TracedChain.kinds`.
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
        check_link_query(direction=direction, kinds=kinds,
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

"""The flows engine: one time-respecting walk over goods and money alike.

Shipments move goods and payments move money; a store gives either as a :class:`FlowTable`.
:func:`walk` follows the flows of one table from a start set, and serves
:func:`~crimegraph.trace_chain` (goods) and :func:`~crimegraph.trace_money` (money) alike.

The time rule: what a node received can only be passed on afterwards. Downstream from the
starts S, a node is reached at the earliest time something from S could be there (the starts
at ``since``, or the beginning of time). A flow u->v at time t belongs to the walk when u is
reached at or before t (the same timestamp counts), t lies within ``since..until`` and the
flow passes the filters (item, amount); v is then reached no later than t. Upstream is the
mirror image: a node is reached at the latest time it could still have fed the starts.
``time_respecting=False`` gives plain reachability; ``max_hops`` limits the flows followed
from a start.

A store may help where its data lives (:meth:`Store.walk_flows`): either it runs the walk
and returns exactly what :func:`walk` returns over :meth:`Store.flows`, or it returns the flows
the walk can reach (:class:`~crimegraph.store.base.FlowCandidates`) and :func:`walk` runs here
over them (the store tests check both). Each node's flows in walk order
(:func:`~crimegraph.store.adjacency.adjacency`) belong to the table, in ``store/``: the Neo4j
store writes its lists in that order when loading.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from ..errors import InvalidArgument, WrongArgumentType
from ..model import Organization
from ..model._time import get_timezone, localize, to_epoch_us
from ..model.registry import NODE_TYPES, record_type
from ..store.adjacency import Adjacency, adjacency
from ..store.base import FlowCandidates, FlowQuery, FlowTable, FlowWalk, SettledWalk
from ..store.graph import CaseGraph
from . import _kernels as k

__all__ = [
    "Adjacency", "WalkResult", "adjacency", "as_id_list", "as_us", "run_walk", "walk",
]

TimeLike = datetime | date | str
PLACES = tuple(t.label for t in NODE_TYPES)
"""Type names of the records flows connect (persons, organizations, premises)."""
_PLACE_WORDS = ", ".join(t.word for t in NODE_TYPES[:-1]) + " or " + NODE_TYPES[-1].word
"""The records flows connect, as analysts say it: "person, organization or premises"."""


def as_us(value: TimeLike | None, tz_name: str, name: str, *, end: bool = False
          ) -> int | None:
    """A date, datetime or ISO string as microseconds since the epoch (naive: in ``tz_name``).

    A bare date (``date`` or ``"2024-03-31"``) names a whole day: its first instant, or with
    ``end=True`` (the end of a window, which is inclusive) its last microsecond, so that
    ``until="2024-03-31"`` keeps the afternoon of the 31st.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidArgument(
                f"{name}={value!r} is not an ISO date or datetime (e.g. '2024-03-01')"
            ) from None
        # A string without a time of day ("2024-03-31", "20240331") names a date.
        value = moment.date() if not any(sep in value for sep in "T t:") else moment
    if not isinstance(value, (datetime, date)):
        raise WrongArgumentType(f"{name} must be a date, datetime or ISO string, got {value!r}")
    tz = get_timezone(tz_name)
    if end and not isinstance(value, datetime):
        return to_epoch_us(localize(value + timedelta(days=1), tz)) - 1
    return to_epoch_us(localize(value, tz))


def as_id_list(value: str | Iterable[str], name: str) -> list[str]:
    """One id or several, as a list without repeats (order kept)."""
    items = [value] if isinstance(value, str) else list(value)
    if not items:
        raise InvalidArgument(f"{name} is an empty list; give at least one id (or None for all)")
    for item in items:
        if not isinstance(item, str):
            raise WrongArgumentType(f"{name} must hold string ids, got {item!r}")
    return list(dict.fromkeys(items))


# -- the walk ------------------------------------------------------------------------------

class _Scratch:
    """Per-node working arrays for walks over one adjacency, clean between walks.

    A walk writes only the entries of the nodes it reaches and resets them before it
    returns (see :func:`~crimegraph.analysis._jit.trace_adjacency`), so a small trace in a
    large case costs what it reaches, not one fresh array per node of the case.
    """

    __slots__ = ("arrival", "first", "first_dead", "level", "queue", "queued", "slot",
                 "touched")

    def __init__(self, a: Adjacency) -> None:
        n_nodes = len(a.split)
        self.arrival = np.full(n_nodes, 2**31 - 1, dtype=np.int32)
        self.first = a.split.copy()
        self.first_dead = a.offsets[1:].copy()
        self.queued = np.zeros(n_nodes, dtype=np.bool_)
        self.queue = np.empty(n_nodes, dtype=np.int32)
        self.touched = np.empty(n_nodes, dtype=np.int32)
        self.slot = np.full(n_nodes, -1, dtype=np.int32)
        self.level = np.full(n_nodes, -1, dtype=np.int32)


class _ScratchPool:
    """Scratch arrays of one adjacency, one set for each walk running at the same time.

    A walk takes a set and gives it back clean when it is done; walks running at once (the
    kernels release the GIL, so threads do run them in parallel) each take a set of their
    own. ``list.pop`` and ``list.append`` are atomic, so no lock is needed. A walk that fails
    halfway keeps its set, which may not be clean, out of the pool.
    """

    def __init__(self, a: Adjacency) -> None:
        self.adjacency = a
        self._free: list[_Scratch] = []

    @contextmanager
    def borrowed(self) -> Iterator[_Scratch]:
        try:
            scratch = self._free.pop()
        except IndexError:
            scratch = _Scratch(self.adjacency)
        yield scratch
        self._free.append(scratch)


_POOLS: weakref.WeakKeyDictionary[FlowTable, dict[str, _ScratchPool]] = (
    weakref.WeakKeyDictionary()
)


def _scratch_pool(table: FlowTable, direction: str, a: Adjacency) -> _ScratchPool:
    """The scratch pool kept with ``table``'s adjacency ``a`` (for as long as the table)."""
    pools = _POOLS.get(table)
    if pools is None:
        pools = _POOLS.setdefault(table, {})
    pool = pools.get(direction)
    if pool is None or pool.adjacency is not a:
        pool = pools[direction] = _ScratchPool(a)
    return pool


class _Settle(NamedTuple):
    """What the label-correcting kernel leaves: enough to read the walk's flows and tiers."""

    adjacency: Adjacency
    pool: _ScratchPool
    keep: np.ndarray
    use_keep: bool
    hi: np.int32
    nodes: np.ndarray
    """The nodes reached that have flows of their own in the walk's direction."""
    first: np.ndarray
    """Per node of ``nodes``: where its walk flows to nodes that pass things on begin."""
    first_dead: np.ndarray
    """Per node of ``nodes``: where its walk flows to dead ends begin."""


class KernelWalk(FlowWalk):
    """A walk over a whole table by the compiled kernel; its flows and tiers are read off the
    per-node lists when first asked for (a trace's size is known at once)."""

    def __init__(self, table: FlowTable, start_index: np.ndarray, count: int,
                 settle: _Settle | None = None, edges: np.ndarray | None = None,
                 levels: np.ndarray | None = None) -> None:
        self.table = table
        self.count = count
        self.kinds = None
        self._start_index = start_index
        self._settle = settle
        self._edges = edges
        self._levels = levels
        self._reached: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def start_index(self) -> np.ndarray:
        return self._start_index

    @property
    def edges(self) -> np.ndarray:
        if self._edges is None:
            assert self._settle is not None
            s = self._settle
            found = k.chain_positions(
                s.adjacency.offsets, s.adjacency.split, s.adjacency.ranks, s.adjacency.order,
                s.keep, s.use_keep, s.hi, s.nodes, s.first, s.first_dead,
            )
            found.sort()
            self._edges = found
        return self._edges

    def reached(self) -> tuple[np.ndarray, np.ndarray]:
        if self._reached is None:
            if self._settle is None:
                self._reached = super().reached()
            else:
                s = self._settle
                a = s.adjacency
                with s.pool.borrowed() as scratch:
                    visited, hops = k.chain_tiers(
                        a.offsets, a.split, a.neighbor, a.ranks, a.order, s.keep, s.use_keep,
                        s.hi, s.nodes, s.first, s.first_dead, self._start_index, scratch.slot,
                        scratch.level, scratch.queue,
                    )
                order = np.argsort(visited)
                self._reached = visited[order], hops[order]
        return self._reached

    @property
    def levels(self) -> np.ndarray:
        if self._levels is None:
            index, hops = self.reached()
            levels = np.full(len(self.table.node_ids), -1, dtype=np.int32)
            levels[index] = hops
            self._levels = levels
        return self._levels


_NO_MASK = np.ones(1, dtype=np.bool_)
"""The ``keep`` argument of a walk without per-flow filters (never written)."""


def walk(table: FlowTable, query: FlowQuery, *, built: Adjacency | None = None) -> KernelWalk:
    """Walk the flows of ``table`` as ``query`` asks (see the module's time rule).

    ``built``: the table's adjacency in the query's direction, when the caller has it.
    One pass over the per-node lists computes a time-respecting walk (a compiled,
    label-correcting search over per-node scratch arrays kept with the adjacency: it costs
    what it reaches, not the size of the case); hop-limited and plain walks are passes over
    the time-sorted flows.
    """
    pos = table.node_index
    start_idx = np.array([pos[s] for s in query.starts if s in pos], dtype=np.int32)
    upstream = query.upstream
    if query.items is not None or query.min_amount is not None:
        keep = table.mask(items=query.items, min_amount=query.min_amount)
        use_keep = True
    else:
        keep = _NO_MASK
        use_keep = False
    since_us, until_us = query.since_us, query.until_us
    if query.time_respecting and query.max_hops is None:
        a = built if built is not None else adjacency(table, query.direction)
        # The window in the walk's time frame (upstream runs on negated times), as ranks.
        low, high = (until_us, since_us) if upstream else (since_us, until_us)
        sign = -1 if upstream else 1
        lo = 0 if low is None else int(np.searchsorted(a.frame_times, sign * low, "left"))
        hi = (2**31 - 1 if high is None
              else int(np.searchsorted(a.frame_times, sign * high, "right")) - 1)
        pool = _scratch_pool(table, query.direction, a)
        with pool.borrowed() as scratch:
            nodes, first, first_dead, count = k.trace_adjacency(
                a.offsets, a.split, a.neighbor, a.ranks, a.order, keep, use_keep,
                np.int32(lo), np.int32(hi), start_idx, scratch.arrival, scratch.first,
                scratch.first_dead, scratch.queued, scratch.queue, scratch.touched,
            )
        settle = _Settle(a, pool, keep, use_keep, np.int32(hi), nodes, first, first_dead)
        return KernelWalk(table, start_idx, int(count), settle=settle)
    edges, levels = _walk_stream(table, start_idx, query, keep=keep, use_keep=use_keep)
    return KernelWalk(table, start_idx, len(edges), edges=edges, levels=levels)


def _walk_stream(table: FlowTable, start_idx: np.ndarray, query: FlowQuery, *,
                 keep: np.ndarray, use_keep: bool) -> tuple[np.ndarray, np.ndarray]:
    """Hop-limited or plain walks: passes over the time-sorted flows."""
    n_nodes = len(table.node_ids)
    upstream, since_us, until_us = query.upstream, query.since_us, query.until_us
    lo, hi = 0, len(table)
    if since_us is not None:
        lo = int(np.searchsorted(table.time, since_us, side="left"))
    if until_us is not None:
        hi = int(np.searchsorted(table.time, until_us, side="right"))
    hi = max(hi, lo)
    src, dst, when = table.source[lo:hi], table.target[lo:hi], table.time[lo:hi]
    keep = keep[lo:hi] if use_keep else keep
    # Upstream is downstream on the reversed network with time running backwards.
    if upstream:
        src, dst, when = dst[::-1], src[::-1], -when[::-1]
        keep = keep[::-1] if use_keep else keep
    bound = until_us if upstream else since_us
    max_hops = query.max_hops
    if query.time_respecting:
        arrival = np.full(n_nodes, k.NO_TIME, dtype=np.int64)
        arrival[start_idx] = k.EVER if bound is None else (-bound if upstream else bound)
        mask = k.hop_limited_arrival(src, dst, when, keep, use_keep, arrival, max_hops)
    else:
        usable = keep if use_keep else np.ones(src.shape[0], dtype=np.bool_)
        limit = -1 if max_hops is None else max_hops - 1
        reach = k.bfs_levels(src, dst, usable, n_nodes, start_idx, limit)
        mask = (reach[src] >= 0) & usable
    chain = np.flatnonzero(mask)
    levels = k.bfs_levels(src, dst, mask, n_nodes, start_idx, -1)
    edges = (hi - 1) - chain[::-1] if upstream else chain + lo
    return edges, levels


def settle(walked: FlowWalk, *, kinds: dict[str, str] | None = None) -> SettledWalk:
    """The walk's flows only, as a table of their own (what a store's accelerator returns)."""
    edges = walked.edges
    table = walked.table.select(edges)
    return SettledWalk(table, None, walked.levels, kinds)


# -- running a walk on a case --------------------------------------------------------------

def _valid_ids(kinds: dict[str, str], starts: Sequence[str], products: Sequence[str]) -> bool:
    """Whether every start is a place and every product a product (by type name)."""
    return (all(kinds.get(s) in PLACES for s in starts)
            and all(kinds.get(p) == "Product" for p in products))


def check_ids(g: CaseGraph, starts: Sequence[str], products: Sequence[str], *,
              holds: str) -> None:
    """Raise the error an analyst needs when a start or product id is wrong.

    ``holds``: what the starts should hold ("goods", "money"), for the message.
    """
    records = g.store.get_many([*starts, *products])
    for sid in starts:
        if sid not in records:
            raise g.store.not_found(sid)
        kind = record_type(records[sid])
        if not kind.node:
            raise InvalidArgument(
                f"start {sid!r} is {kind.article}, not a {_PLACE_WORDS}; "
                f"start from where {holds} are"
            )
    for pid in products:
        if pid not in records:
            raise g.store.not_found(pid)
        kind = record_type(records[pid])
        if kind.label != "Product":
            raise InvalidArgument(f"product {pid!r} is {kind.article}, not a product")


def run_walk(g: CaseGraph, query: FlowQuery, *, holds: str) -> FlowWalk:
    """The walk ``query`` asks for on the case in ``g``: done by the store where it can, else
    here, over the candidate flows the store read or over its whole flows table. Start (and
    product) ids are checked either way."""
    products = list(query.items or ()) if query.kind == "shipment" else []
    answer = g.store.walk_flows(query)
    if (isinstance(answer, FlowWalk) and answer.kinds is not None
            and _valid_ids(answer.kinds, query.starts, products)):
        return answer
    check_ids(g, query.starts, products, holds=holds)
    if isinstance(answer, FlowWalk):
        return answer
    if isinstance(answer, FlowCandidates):
        return walk(answer.table, query, built=answer.adjacency)
    return walk(g.store.flows(query.kind), query)  # type: ignore[arg-type]


class WalkResult:
    """What a chain of goods and a trail of money share: the part of the network a walk
    reached, its nodes by hop distance, and where the flows begin and end.

    Attributes
    ----------
    start : list of str
        The start ids.
    direction : str
        "downstream" or "upstream".
    """

    graph: CaseGraph
    start: list[str]
    direction: str
    _walk: FlowWalk
    _table: FlowTable
    _upstream: bool

    @property
    def _edges(self) -> np.ndarray:
        """Table positions of the walk's flows, in table (time) order."""
        return self._walk.edges

    @property
    def _start_idx(self) -> np.ndarray:
        return self._walk.start_index

    @cached_property
    def tiers(self) -> dict[str, int]:
        """Hop distance from the start inside the walk, for every node reached."""
        node_ids = self._table.node_ids
        reached, levels = self._walk.reached()
        by_level: dict[int, list[str]] = {}
        for level, index in zip(levels.tolist(), reached.tolist()):
            by_level.setdefault(level, []).append(node_ids[index])
        by_level.setdefault(0, [])
        known = set(node_ids[i] for i in reached.tolist())
        # A start without flows is still part of its walk.
        by_level[0] += [s for s in dict.fromkeys(self.start) if s not in known]
        # Sorting names level by level is far faster than sorting (level, name) pairs.
        return {node: level for level in sorted(by_level) for node in sorted(by_level[level])}

    @property
    def nodes(self) -> list[str]:
        """Node ids reached, ordered by tier, then id."""
        return list(self.tiers)

    @cached_property
    def transactions(self) -> list[str]:
        """Ids of the flows followed, in time order (ties in case-file order)."""
        return self._walk.transaction_ids()

    def _nodes_without(self, ends: np.ndarray) -> list[str]:
        """Nodes reached that are never at this end (``source``/``target``) of a flow
        followed."""
        pos = self._table.node_index
        touched = set(ends[self._edges].tolist())
        return [n for n in self.nodes if n not in pos or pos[n] not in touched]

    @property
    def sources(self) -> list[str]:
        """Nodes that receive no flow followed: where the traced goods or money originate."""
        return self._nodes_without(self._table.target)

    @property
    def endpoints(self) -> list[str]:
        """Nodes that send no flow followed: where the traced goods or money end up."""
        return self._nodes_without(self._table.source)

    def __len__(self) -> int:
        return self._walk.count

    @cached_property
    def _entities(self) -> dict[str, Any]:
        return self.graph.store.get_many(self.nodes)

    @property
    def provinces(self) -> list[str]:
        """Provinces of the nodes reached (those with a known province), sorted."""
        return sorted({e.province for e in self._entities.values() if getattr(e, "province", None)})

    def _kind(self, node: str) -> str:
        """The word for what a node is: premises, person, or an organization's kind."""
        entity = self._entities.get(node)
        if entity is None:
            return "unknown"
        if isinstance(entity, Organization) and entity.kind:
            return entity.kind
        return record_type(entity).word

    def _name(self, node: str) -> str:
        entity = self._entities.get(node)
        return entity.name if entity is not None else node

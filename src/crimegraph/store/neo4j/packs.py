"""Packed flow lists: how a Neo4j store keeps each place's shipments and payments, and reads
them back.

Each place with flows carries, per flow kind and direction, its flows as fixed-size records
(:data:`ADJACENCY_DTYPE`) already in walk order (see
:func:`crimegraph.store.adjacency.adjacency`), their ids, and the ids of the dead ends they lead
to. A walk reads these lists level by level (see ``Neo4jStore.walk_flows``); this module turns
what it read into a :class:`FlowTable` with its adjacency built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np

from ...errors import StoreError
from ..adjacency import Adjacency, adjacency
from ..base import FlowTable

__all__ = [
    "ADJACENCY_DTYPE", "Level", "Reach", "pack_rows", "table_from_parts", "walked_table",
]

ADJACENCY_DTYPE = np.dtype([
    ("pos", "<i4"), ("pidx", "<i4"), ("other", "<i8"), ("ts", "<i8"), ("qty", "<f8"),
    ("amt", "<f8"),
])
"""Packed flow columns stored per place (``out_blob``/``in_blob`` for shipments,
``pay_out_blob``/``pay_in_blob`` for payments).

``pos`` is the flow's position in the case's time-sorted table of its kind, ``pidx`` its item
(product or currency, by position), ``other`` the place at the far end, by its position among
the case's places (its ``nidx``: with the generation ``ck``, the key a walk reads it by).
Each place's list is already in walk order (see :func:`crimegraph.store.adjacency.adjacency`):
first (``*_live`` of them) the flows to places that pass flows on, by time, then those to dead
ends, by time, whose ids are listed in ``*_names``. ``*_hops`` lists the element ids of the
live run's far ends, each once, in the order they first occur in the run: the server-side
walk jumps to a far end by its element id and checks its ``(ck, nidx)`` there (an element id
can name another node after a delete), falling back to the key."""
# The records are also read as rows of five 64-bit words (see table_from_parts).
_OFFSETS: dict[str, Any] = dict(ADJACENCY_DTYPE.fields or {})
assert [_OFFSETS[f][1] for f in ("pos", "pidx", "other", "ts", "qty", "amt")] == [
    0, 4, 8, 16, 24, 32] and ADJACENCY_DTYPE.itemsize == 40


_WIDTHS = {"i2": "<i2", "i4": "<i4", "i8": "<i8", "s4": "<i4", "f4": "<f4", "f8": "<f8"}
"""Column kinds in the server-side trace's ``columns`` layout (``s4``: int32 seconds after
``timeBase``)."""


def walked_table(found: Any, kind: str, item_ids: list[str]
                 ) -> tuple[FlowTable, np.ndarray, list[str]]:
    """The walk's flow table, its nodes' tiers and its flows' ids (as a list), from the
    server-side walk's row (``crimegraph.trace``).

    The flows come in time order as little-endian columns one after the other (source,
    target, product, time, quantity, amount), each as narrow as its values allow; ``columns``
    names their widths (see the procedure's documentation in ``tools/neo4j``).
    """
    raw = found["shipments"]
    names = _unlines([found["nodes"]])
    ids = _unlines([found["ids"]])
    levels = np.frombuffer(found["levels"], dtype="<i4").astype(np.int32)
    n = len(ids)
    kinds = str(found["columns"]).split()
    widths = [np.dtype(_WIDTHS[kind]) for kind in kinds]
    if (len(levels) != len(names) or len(kinds) != 6
            or len(raw) != n * sum(width.itemsize for width in widths)):
        raise StoreError("the server-side trace (crimegraph.trace) returned lists of different "
                         "lengths; is its plugin the one built with this crimegraph?")
    columns: list[np.ndarray] = []
    offset = 0
    for kind, width in zip(kinds, widths):
        column = np.frombuffer(raw, dtype=width, count=n, offset=offset)
        offset += n * width.itemsize
        if kind == "s4":
            column = column.astype(np.int64) * 1_000_000 + int(found["timeBase"])
        columns.append(column)
    source, target, product, time, quantity, amount = columns
    table = FlowTable(
        kind, names, list(item_ids), np.fromiter(ids, dtype=object, count=n),
        source.astype(np.int32, copy=False), target.astype(np.int32, copy=False),
        time.astype(np.int64, copy=False), product.astype(np.int32, copy=False),
        quantity.astype(np.float64, copy=False), amount.astype(np.float64, copy=False),
    )
    return table, levels, ids


def _lines(texts: Iterable[str]) -> bytes:
    """Ids in UTF-8, each ended by a newline (an id never holds one: ids are a single line of
    text; a newline byte never occurs inside another character's UTF-8 bytes).

    Ended rather than separated, so that the lists of many places join with ``b"".join``.
    """
    return "".join(text + "\n" for text in texts).encode()


def _unlines(texts: list[bytes]) -> list[str]:
    """The ids in the :func:`_lines` texts, in order."""
    joined = (texts[0] if len(texts) == 1 else b"".join(texts)).decode()
    if not joined:
        return []
    ids = joined.split("\n")
    ids.pop()  # the empty text after the last newline
    return ids


def pack_rows(tables: list[FlowTable], sides: dict[str, tuple[str, str]],
              element_ids: list[str]) -> list[dict[str, Any]]:
    """Per place with flows: its position (``nidx``) and its packed lists, in walk order.

    The tables' nodes are the case's places in order, so a node's position is its ``nidx``.

    For each table and direction (``sides[table.kind]``: the property prefixes downstream and
    upstream, e.g. ``out_*`` and ``in_*``): ``blob`` holds the flows as ``ADJACENCY_DTYPE``
    records, ``ids`` their ids, ``live`` how many lead to places that pass flows on (those
    come first), ``names`` the ids of the dead ends the rest lead to, and ``hops`` the
    element ids (``element_ids``, by ``nidx``) of the live run's far ends, each once, in the
    order they first occur.
    """
    rows: dict[int, dict[str, Any]] = {}
    empty = {f"{prefix}_{name}": value for table in tables for prefix in sides[table.kind]
             for name, value in (("blob", b""), ("ids", b""), ("live", 0), ("names", b""),
                                 ("hops", b""))}
    for table in tables:
        node_ids = table.node_ids
        for direction, prefix in zip(("downstream", "upstream"), sides[table.kind]):
            _pack_direction(table, node_ids, element_ids, prefix, rows, empty,
                            adjacency(table, direction))
    return [rows[node] for node in sorted(rows)]


def _pack_direction(table: FlowTable, node_ids: list[str], element_ids: list[str],
                    prefix: str, rows: dict[int, dict[str, Any]], empty: dict[str, Any],
                    built: Adjacency) -> None:
    """Add one table's packed lists in one direction to ``rows``."""
    offsets, split, neighbor, _, _, order = built
    packed = np.empty(len(order), dtype=ADJACENCY_DTYPE)
    packed["pos"], packed["other"] = order, neighbor
    packed["ts"], packed["pidx"] = table.time[order], table.item[order]
    packed["qty"], packed["amt"] = table.quantity[order], table.amount[order]
    ids = table.ids[order].tolist()
    far = neighbor.tolist()
    bounds, cut = offsets.tolist(), split.tolist()
    for node in np.flatnonzero(np.diff(offsets)).tolist():
        begin, middle, end = bounds[node], cut[node], bounds[node + 1]
        row = rows.setdefault(node, {"nidx": node, "props": dict(empty)})["props"]
        row[f"{prefix}_blob"] = packed[begin:end].tobytes()
        row[f"{prefix}_ids"] = _lines(ids[begin:end])
        row[f"{prefix}_live"] = middle - begin
        row[f"{prefix}_names"] = _lines(node_ids[v] for v in far[middle:end])
        row[f"{prefix}_hops"] = _lines(element_ids[v] for v in dict.fromkeys(far[begin:middle]))


class Level:
    """One level of a trace's walk: the places read, their packed lists, parsed."""

    def __init__(self, found: Any) -> None:
        blobs = found["blob"]
        self.nids: list[int] = list(found["nid"])
        self.names: list[str] = list(found["id"])
        self.counts = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
        self.counts //= ADJACENCY_DTYPE.itemsize
        self.live = np.asarray(found["live"], dtype=np.int64)
        self.raw = b"".join(blobs)
        self.edges = np.frombuffer(self.raw, dtype=ADJACENCY_DTYPE)
        begins = np.repeat(np.cumsum(self.counts) - self.counts, self.counts)
        self.ahead = (np.arange(len(self.edges)) - begins) < np.repeat(self.live, self.counts)
        self._id_texts: list[bytes] = found["ids"]
        self._dead_texts: list[bytes] = found["names"]
        self.ids: np.ndarray | None = None
        self.dead_names: list[str] = []

    def digest(self) -> None:
        """Turn the id lists into strings (done while the server works on the next level)."""
        if self.ids is not None:
            return
        texts = _unlines(self._id_texts)
        self.ids = np.fromiter(texts, dtype=object, count=len(texts))
        if not self.ahead.all():
            self.dead_names = _unlines(self._dead_texts)


class Reach:
    """The places a trace has read so far, level by level."""

    def __init__(self, keep: Callable[[np.ndarray], np.ndarray] | None) -> None:
        self.keep = keep
        self.seen: set[int] = set()
        self.levels: list[Level] = []

    def add(self, found: Any) -> list[int]:
        """Take one level's places; returns the next level's places (their ``nidx``).

        Only places that ship on are read; the dead ends are named by the lists that lead
        to them (see :meth:`table`).
        """
        import pandas as pd

        level = Level(found)
        self.levels.append(level)
        self.seen.update(level.nids)
        if not len(level.edges):
            return []
        ahead = level.ahead if self.keep is None else level.ahead & self.keep(level.edges)
        seen = self.seen
        return [nid for nid in pd.unique(level.edges["other"][ahead]).tolist()
                if nid not in seen]

    def digest(self) -> None:
        for level in self.levels:
            level.digest()

    def table(self, kind: str, item_ids: list[str], *, direction: str, complete: bool
              ) -> tuple[FlowTable, Adjacency | None]:
        """The flow table of every place read, and its adjacency when ``complete`` (see
        :func:`table_from_parts`)."""
        import pandas as pd

        self.digest()
        levels = self.levels
        raw = b"".join(level.raw for level in levels)
        edges = np.frombuffer(raw, dtype=ADJACENCY_DTYPE)
        ahead = np.concatenate([level.ahead for level in levels])
        nids = np.fromiter(chain.from_iterable(level.nids for level in levels), dtype=np.int64)
        # The dead ends, each named by the first list that leads to it.
        dead_names = list(chain.from_iterable(level.dead_names for level in levels))
        dead_other = edges["other"][~ahead]
        first = np.flatnonzero(~pd.Series(dead_other).duplicated().to_numpy())
        first = first[~np.isin(dead_other[first], nids)]  # a start may be a dead end
        names = list(chain.from_iterable(level.names for level in levels))
        names += [dead_names[i] for i in first.tolist()]
        return table_from_parts(
            kind, np.concatenate([nids, dead_other[first]]), names, raw,
            np.concatenate([level.counts for level in levels]),
            np.concatenate([level.live for level in levels]),
            np.concatenate([level.ids for level in levels if level.ids is not None]),
            item_ids, direction=direction, complete=complete, keep=self.keep,
        )


def table_from_parts(
    kind: str, nids: np.ndarray, names: list[str], raw: bytes, counts: np.ndarray,
    live: np.ndarray, ids: np.ndarray, item_ids: list[str], *, direction: str,
    complete: bool, keep: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[FlowTable, Adjacency | None]:
    """The flow table of the places read, from their packed lists, and (when ``complete``)
    its adjacency in ``direction`` (an :class:`~crimegraph.store.adjacency.Adjacency`).

    ``nids``/``names``: the places read, then the dead ends; ``raw`` the places' packed
    shipments one after the other (``counts`` and ``live`` per place read, ``ids`` per
    shipment). ``complete``: every node at the far end of a shipment is known (an
    unfiltered, unlimited walk); then each list is used as it is, in walk order, and the
    table's adjacency comes with it. Otherwise shipments to unknown nodes are
    dropped, and so are those ``keep`` (given the packed shipments) rejects.
    """
    import pandas as pd

    from ._assemble import assemble  # numba: loaded on the first Neo4j trace

    downstream = direction == "downstream"
    edges = np.frombuffer(raw, dtype=ADJACENCY_DTYPE)
    # The same records as rows of five 64-bit words: gathers of plain integers are far
    # faster than of structured records.
    words = np.frombuffer(raw, dtype=np.int64).reshape(-1, 5)
    counts = np.concatenate([counts, np.zeros(len(nids) - len(counts), dtype=np.int64)])
    # Far ends as positions among the known nodes (-1: not known), by a hash lookup.
    other = pd.Index(nids).get_indexer(words[:, 1]).astype(np.int32)
    owner = np.repeat(np.arange(len(nids), dtype=np.int32), counts)
    if not complete:
        chosen = other >= 0
        if keep is not None:
            chosen &= keep(edges)
        if not chosen.all():
            words, ids, owner, other = words[chosen], ids[chosen], owner[chosen], other[chosen]
    # Table order is time order: the shipments' positions in the case's table, ascending.
    words = np.ascontiguousarray(words)
    (source, target, time, product, quantity, amount, order, ranks, frame_times,
     by_time) = assemble(words, words[:, 3].view(np.float64), words[:, 4].view(np.float64),
                         owner, other, downstream)
    table = FlowTable(kind, list(names), list(item_ids), ids[by_time], source, target, time,
                      product, quantity, amount)
    built = None
    if complete:
        # The lists came in walk order: this is the table's adjacency, with times as dense
        # ranks in the walk's time frame.
        offsets = np.zeros(len(nids) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        split = offsets[:-1].copy()
        split[:len(live)] += live
        built = Adjacency(offsets, split, other, ranks, frame_times, order)
    return table, built

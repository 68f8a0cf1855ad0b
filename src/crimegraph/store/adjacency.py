"""Each node's flows in walk order: the per-node lists a walk over a flows table follows.

The order is a property of the table alone (numpy only, no walk): the in-memory walk reads it,
and the Neo4j store writes each place's lists in it when loading, so that the server-side
procedure and the level-by-level reads follow the same lists the in-memory walk does.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from .base import FlowTable

__all__ = ["Adjacency", "adjacency"]


class Adjacency(NamedTuple):
    """Each node's flows in walk order (see :func:`adjacency`)."""

    offsets: np.ndarray
    """int64, one more than nodes: node u's flows are ``offsets[u]:offsets[u + 1]``."""
    split: np.ndarray
    """int64 per node: where u's flows to dead ends begin."""
    neighbor: np.ndarray
    """int32 per flow: the node at the far end."""
    ranks: np.ndarray
    """int32 per flow: its time as a dense rank in the walk's time frame."""
    frame_times: np.ndarray
    """int64: the frame's distinct times, ascending (negated times upstream)."""
    order: np.ndarray
    """int64 per flow: its position in the table."""


_BUILT: weakref.WeakKeyDictionary[FlowTable, dict[str, Adjacency]] = (
    weakref.WeakKeyDictionary()
)


def adjacency(table: FlowTable, direction: str) -> Adjacency:
    """Each node's flows in walk order, built once per table and direction.

    Downstream: every node's outgoing flows by time. Upstream: every node's incoming flows
    by time, newest first, in a time frame that runs backwards (so that walking upstream is
    walking downstream on the reversed network). Times are dense ranks (int32) of the frame's
    distinct times, listed in ``frame_times``.

    Each node's list holds two runs, each in time order: first the flows to nodes that have
    flows of their own in this direction, then (from ``split[u]``) those to dead ends, which
    cannot pass anything on.

    Examples
    --------
    >>> from crimegraph.store.base import FlowTable
    >>> table = FlowTable.from_rows([
    ...     ("T1", "A", "B", 2, "OIL", 1.0, None), ("T2", "A", "C", 1, "OIL", 1.0, None),
    ...     ("T3", "B", "D", 3, "OIL", 1.0, None)])
    >>> built = adjacency(table, "downstream")
    >>> [table.ids[i] for i in built.order]   # A's flow to B (who ships on) before C
    ['T1', 'T2', 'T3']
    >>> built.offsets.tolist(), built.split.tolist()  # A: flows 0-1, to dead ends from 1
    ([0, 2, 3, 3, 3], [1, 2, 3, 3])
    """
    built = _BUILT.setdefault(table, {})
    cached = built.get(direction)
    if cached is not None:
        return cached
    n, n_nodes = len(table), len(table.node_ids)
    if direction == "downstream":
        owner_all, neighbor_all, times_all = table.source, table.target, table.time
        # Rows are in time order; sorting by (owner, dead end) keeps time order in runs.
        row_order = np.arange(n, dtype=np.int64)
    else:
        owner_all, neighbor_all, times_all = table.target, table.source, -table.time
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
    result = Adjacency(offsets, split, neighbor.astype(np.int32),
                       ranks.astype(np.int32).reshape(-1), frame_times.astype(np.int64),
                       order.astype(np.int64))
    built[direction] = result
    return result

"""Compiled inner loops of the supply-chain trace (numba, cached on disk after the first call).

Every kernel takes shipments as parallel arrays sorted by time. Times are int64 microseconds;
``NO_TIME`` marks "not reached" and ``EVER`` "reached since the beginning of time".
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["EVER", "NO_TIME", "earliest_arrival", "hop_limited_arrival", "bfs_levels", "flows"]

NO_TIME = np.int64(2**62)
EVER = np.int64(-(2**62))


@njit(cache=True, nogil=True)
def earliest_arrival(src, dst, t, keep, use_keep, arrival):  # type: ignore[no-untyped-def]
    """Mark shipments whose sender holds goods by their time; update ``arrival`` in place.

    One pass over the time-sorted shipments: a shipment u->v at t belongs to the chain when
    ``arrival[u] <= t``; v is then reached no later than t. Shipments with the same timestamp
    form a group that is repeated until nothing changes, so same-time onward shipments count
    whatever their order in the file.
    """
    n = src.shape[0]
    in_chain = np.zeros(n, dtype=np.bool_)
    i = 0
    while i < n:
        ti = t[i]
        j = i + 1
        while j < n and t[j] == ti:
            j += 1
        changed = True
        while changed:
            changed = False
            for e in range(i, j):
                if in_chain[e] or (use_keep and not keep[e]):
                    continue
                if arrival[src[e]] <= ti:
                    in_chain[e] = True
                    v = dst[e]
                    if arrival[v] > ti:
                        arrival[v] = ti
                        if j - i > 1:
                            changed = True
        i = j
    return in_chain


@njit(cache=True, nogil=True)
def hop_limited_arrival(src, dst, t, keep, use_keep, arrival, max_hops):  # type: ignore[no-untyped-def]
    """Like :func:`earliest_arrival`, but goods may travel at most ``max_hops`` shipments.

    Round r computes the earliest arrival over paths of at most r shipments (a Bellman-Ford
    pass per hop); a shipment is in the chain when its sender is reached within
    ``max_hops - 1`` hops by its time.
    """
    n = src.shape[0]
    current = arrival.copy()
    for _ in range(max_hops - 1):
        nxt = current.copy()
        for e in range(n):
            if use_keep and not keep[e]:
                continue
            if current[src[e]] <= t[e] and nxt[dst[e]] > t[e]:
                nxt[dst[e]] = t[e]
        current = nxt
    in_chain = np.zeros(n, dtype=np.bool_)
    for e in range(n):
        if use_keep and not keep[e]:
            continue
        if current[src[e]] <= t[e]:
            in_chain[e] = True
            if arrival[dst[e]] > t[e]:
                arrival[dst[e]] = t[e]
    return in_chain


@njit(cache=True, nogil=True)
def bfs_levels(src, dst, use, n_nodes, starts, max_level):  # type: ignore[no-untyped-def]
    """Hop distance from ``starts`` over the shipments where ``use`` is true (-1: unreached).

    ``max_level < 0`` means no limit.
    """
    n = src.shape[0]
    offsets = np.zeros(n_nodes + 1, dtype=np.int64)
    for e in range(n):
        if use[e]:
            offsets[src[e] + 1] += 1
    for k in range(n_nodes):
        offsets[k + 1] += offsets[k]
    fill = offsets[:-1].copy()
    adjacency = np.empty(offsets[n_nodes], dtype=np.int32)
    for e in range(n):
        if use[e]:
            u = src[e]
            adjacency[fill[u]] = dst[e]
            fill[u] += 1
    level = np.full(n_nodes, -1, dtype=np.int32)
    queue = np.empty(n_nodes, dtype=np.int32)
    head = 0
    tail = 0
    for s in starts:
        if level[s] < 0:
            level[s] = 0
            queue[tail] = s
            tail += 1
    while head < tail:
        u = queue[head]
        head += 1
        if max_level >= 0 and level[u] >= max_level:
            continue
        for k in range(offsets[u], offsets[u + 1]):
            v = adjacency[k]
            if level[v] < 0:
                level[v] = level[u] + 1
                queue[tail] = v
                tail += 1
    return level


@njit(cache=True, nogil=True)
def flows(src, dst, quantity, amount, in_chain, is_start, n_nodes, upstream):  # type: ignore[no-untyped-def]
    """Inflow and outflow per node over chain shipments, and the chain totals.

    Returns ``(inflow, outflow, boundary_quantity, total_amount, count)`` where
    ``boundary_quantity`` is the quantity on chain shipments leaving a start node
    (entering one when ``upstream``).
    """
    inflow = np.zeros(n_nodes, dtype=np.float64)
    outflow = np.zeros(n_nodes, dtype=np.float64)
    boundary = 0.0
    total_amount = 0.0
    count = 0
    for e in range(src.shape[0]):
        if not in_chain[e]:
            continue
        q = quantity[e]
        outflow[src[e]] += q
        inflow[dst[e]] += q
        if (is_start[dst[e]] if upstream else is_start[src[e]]):
            boundary += q
        a = amount[e]
        if a == a:  # not NaN
            total_amount += a
        count += 1
    return inflow, outflow, boundary, total_amount, count

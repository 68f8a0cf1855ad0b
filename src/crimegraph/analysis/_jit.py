"""Compiled inner loops of the supply-chain trace (numba).

Imported only through :mod:`crimegraph.analysis._kernels` on the first trace, so ``import
crimegraph`` does not load numba. ``cache=True``: the first trace compiles the kernels and
writes them to numba's on-disk cache; later processes load them from there instead of compiling
(see ``docs/guide/tracing.md``, "The compiled kernels", for where the cache lives).

Every kernel takes shipments as parallel arrays sorted by time (see ``_kernels``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "bfs_levels", "chain_positions", "chain_tiers", "hop_limited_arrival", "trace_adjacency",
]


@njit(cache=True, nogil=True)
def hop_limited_arrival(src, dst, t, keep, use_keep, arrival, max_hops):
    """Earliest arrivals (as in :func:`trace_adjacency`) when goods or money may travel at
    most ``max_hops`` flows.

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
    return in_chain


@njit(cache=True, nogil=True)
def _bfs_start(starts, n_nodes):
    """Levels (0 for the starts, -1 elsewhere), a queue holding the starts, and its length."""
    level = np.full(n_nodes, -1, dtype=np.int32)
    queue = np.empty(n_nodes, dtype=np.int32)
    tail = 0
    for s in starts:
        if level[s] < 0:
            level[s] = 0
            queue[tail] = s
            tail += 1
    return level, queue, tail


@njit(cache=True, nogil=True)
def bfs_levels(src, dst, use, n_nodes, starts, max_level):
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
    level, queue, tail = _bfs_start(starts, n_nodes)
    head = 0
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
def _first_at_or_after(times, begin, end, value):
    """Position of the first ``times[k] >= value`` in the sorted slice ``begin:end``."""
    while begin < end:
        middle = (begin + end) // 2
        if times[middle] < value:
            begin = middle + 1
        else:
            end = middle
    return begin


@njit(cache=True, nogil=True)
def trace_adjacency(offsets, split, neighbor, times, order, keep, use_keep, lo, hi, starts,
                    arrival, first, first_dead, queued, queue, touched):
    """Earliest arrivals over per-node shipment lists sorted by time: the chain, implicitly.

    ``offsets``/``neighbor``/``times`` describe each node's outgoing shipments (in the
    traversal's direction and time frame); ``order`` maps them back to table positions. Each
    node's list has two runs, each sorted by time: ``offsets[u]:split[u]`` goes to nodes that
    ship goods on, ``split[u]:offsets[u+1]`` to dead ends (nodes with no shipments of their
    own in this direction). Shipments outside ``lo..hi`` (or not in ``keep``) are ignored.

    Label-correcting: a node whose arrival drops looks only at the shipments that just became
    usable, so every shipment is examined at most once. A dead end's arrival time cannot
    extend the chain, so its shipments are never examined one by one: the chain's shipments
    into dead ends are whole runs, found by one binary search per node. A node's chain
    shipments are, in each run, those from ``first[u]`` (``first_dead[u]``) up to ``hi``;
    :func:`chain_tiers` and :func:`chain_positions` read them from there.

    Times are int32 ranks here; ``lo``/``hi`` are ranks too.

    ``arrival``, ``first``, ``first_dead``, ``queued``, ``queue`` and ``touched`` are
    per-node scratch arrays, given clean (arrival ``2**31 - 1``, ``first`` equal to ``split``,
    ``first_dead`` to ``offsets[1:]``, ``queued`` false) and left clean: the walk writes only
    the entries of the nodes it reaches, lists them in ``touched`` and resets them before it
    returns, so its cost follows the part of the case it reaches, not the case's size.

    Returns ``(nodes, node_first, node_first_dead, count)``: the nodes with shipments of
    their own that the goods reach (dead ends are found with the tiers), each one's first
    chain shipment in each run, and the number of chain shipments.
    """
    never = np.int32(2**31 - 1)
    n_nodes = arrival.shape[0]
    unbounded = hi >= never - 1 and not use_keep
    head = 0
    size = 0
    count = 0
    reached = 0
    for s in starts:
        if not queued[s]:
            if arrival[s] == never:
                touched[reached] = s
                reached += 1
            arrival[s] = lo
            queued[s] = True
            queue[(head + size) % n_nodes] = s
            size += 1
    while size > 0:
        u = queue[head]
        head += 1
        if head == n_nodes:
            head = 0
        size -= 1
        queued[u] = False
        au = arrival[u]
        # Dead ends first: the run of usable shipments only grows towards earlier times.
        stop = first_dead[u]
        begin = split[u]
        if begin < stop and times[begin] < au:
            begin = _first_at_or_after(times, begin, stop, au)
        if unbounded:
            count += stop - begin
        else:
            for k in range(begin, stop):
                if times[k] > hi:
                    break
                if use_keep and not keep[order[k]]:
                    continue
                count += 1
        first_dead[u] = begin
        stop = first[u]
        begin = offsets[u]
        if begin < stop and times[begin] < au:  # skip the search when all are usable
            begin = _first_at_or_after(times, begin, stop, au)
        if unbounded:  # the common case, without per-shipment filters
            count += stop - begin
            for k in range(begin, stop):
                tk = times[k]
                v = neighbor[k]
                av = arrival[v]
                if av > tk:
                    if av == never:
                        touched[reached] = v
                        reached += 1
                    arrival[v] = tk
                    if not queued[v]:
                        queued[v] = True
                        tail = head + size
                        if tail >= n_nodes:
                            tail -= n_nodes
                        queue[tail] = v
                        size += 1
        else:
            for k in range(begin, stop):
                tk = times[k]
                if tk > hi:
                    break
                if use_keep and not keep[order[k]]:
                    continue
                count += 1
                v = neighbor[k]
                av = arrival[v]
                if av > tk:
                    if av == never:
                        touched[reached] = v
                        reached += 1
                    arrival[v] = tk
                    if not queued[v]:
                        queued[v] = True
                        tail = head + size
                        if tail >= n_nodes:
                            tail -= n_nodes
                        queue[tail] = v
                        size += 1
        first[u] = begin
    nodes = touched[:reached].copy()
    node_first = np.empty(reached, dtype=np.int64)
    node_first_dead = np.empty(reached, dtype=np.int64)
    for i in range(reached):
        u = nodes[i]
        node_first[i] = first[u]
        node_first_dead[i] = first_dead[u]
        arrival[u] = never
        first[u] = split[u]
        first_dead[u] = offsets[u + 1]
    return nodes, node_first, node_first_dead, count


@njit(cache=True, nogil=True)
def chain_tiers(offsets, split, neighbor, times, order, keep, use_keep, hi, nodes, node_first,
                node_first_dead, starts, slot, level, queue):
    """Hop distance from ``starts`` over the chain found by :func:`trace_adjacency`.

    ``nodes``, ``node_first`` and ``node_first_dead`` are its answer. ``slot`` (-1), ``level``
    (-1) and ``queue`` are per-node scratch arrays, given clean and left clean.

    Returns ``(visited, levels)``: the nodes in the chain (dead ends too) in breadth-first
    order, and their hop distances.
    """
    for i in range(nodes.shape[0]):
        slot[nodes[i]] = i
    tail = 0
    for s in starts:
        if level[s] < 0:
            level[s] = 0
            queue[tail] = s
            tail += 1
    head = 0
    while head < tail:
        u = queue[head]
        head += 1
        i = slot[u]
        if i < 0:  # no chain shipments of its own (a dead end)
            continue
        next_level = level[u] + 1
        for run in range(2):
            begin = node_first[i] if run == 0 else node_first_dead[i]
            end = split[u] if run == 0 else offsets[u + 1]
            for k in range(begin, end):
                if times[k] > hi:
                    break
                v = neighbor[k]
                if level[v] < 0:
                    if use_keep and not keep[order[k]]:
                        continue
                    level[v] = next_level
                    queue[tail] = v
                    tail += 1
    visited = queue[:tail].copy()
    levels = np.empty(tail, dtype=np.int32)
    for j in range(tail):
        v = visited[j]
        levels[j] = level[v]
        level[v] = -1
    for i in range(nodes.shape[0]):
        slot[nodes[i]] = -1
    return visited, levels


@njit(cache=True, nogil=True)
def chain_positions(offsets, split, times, order, keep, use_keep, hi, nodes, node_first,
                    node_first_dead):
    """Table positions of the chain shipments sent by ``nodes`` (the answer of
    :func:`trace_adjacency`), in no particular order."""
    size = 0
    for i in range(nodes.shape[0]):
        u = nodes[i]
        size += (split[u] - node_first[i]) + (offsets[u + 1] - node_first_dead[i])
    out = np.empty(size, dtype=np.int64)
    count = 0
    for i in range(nodes.shape[0]):
        u = nodes[i]
        for run in range(2):
            begin = node_first[i] if run == 0 else node_first_dead[i]
            end = split[u] if run == 0 else offsets[u + 1]
            for k in range(begin, end):
                if times[k] > hi:
                    break
                if use_keep and not keep[order[k]]:
                    continue
                out[count] = order[k]
                count += 1
    if count == size:
        return out
    return out[:count].copy()

"""Compiled assembly of a shipment table from the packed lists a Neo4j trace reads.

One pass over the records replaces a dozen numpy passes (each a gather over the whole set).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["assemble"]


@njit(cache=True, nogil=True)
def assemble(words, quantity_bits, amount_bits, owner, other, downstream):
    """Time-ordered columns and trace-order ranks of packed shipment records.

    ``words``: the records as rows of 64-bit words (position | product << 32, far end, time,
    quantity bits, amount bits); ``quantity_bits``/``amount_bits``: those columns as floats;
    ``owner``/``other``: each record's place and far end (as positions among the nodes).

    Returns ``(source, target, time, product, quantity, amount, order, ranks, frame_times,
    by_time)``: the table's columns in time order (the records' positions in the case's
    table, ascending), each record's row in that table, each record's time as a dense rank
    in the trace's time frame (backwards upstream) with the frame's times, and the records
    in time order (the inverse of ``order``).
    """
    n = words.shape[0]
    span = 0
    for k in range(n):
        p = words[k, 0] & 0xFFFFFFFF
        if p + 1 > span:
            span = p + 1
    by_time = np.empty(n, dtype=np.int64)
    if span <= 8 * n + 1024:  # a scatter over the positions beats a sort
        slots = np.full(span, -1, dtype=np.int64)
        for k in range(n):
            slots[words[k, 0] & 0xFFFFFFFF] = k
        j = 0
        for p in range(span):
            if slots[p] >= 0:
                by_time[j] = slots[p]
                j += 1
    else:
        pos = np.empty(n, dtype=np.int64)
        for k in range(n):
            pos[k] = words[k, 0] & 0xFFFFFFFF
        by_time[:] = np.argsort(pos)
    source = np.empty(n, dtype=np.int32)
    target = np.empty(n, dtype=np.int32)
    time = np.empty(n, dtype=np.int64)
    product = np.empty(n, dtype=np.int32)
    quantity = np.empty(n, dtype=np.float64)
    amount = np.empty(n, dtype=np.float64)
    order = np.empty(n, dtype=np.int64)
    rank_of_row = np.empty(n, dtype=np.int64)
    distinct = np.empty(n, dtype=np.int64)
    count = 0
    for j in range(n):
        k = by_time[j]
        order[k] = j
        if downstream:
            source[j] = owner[k]
            target[j] = other[k]
        else:
            source[j] = other[k]
            target[j] = owner[k]
        t = words[k, 2]
        time[j] = t
        product[j] = words[k, 0] >> 32
        quantity[j] = quantity_bits[k]
        amount[j] = amount_bits[k]
        if count == 0 or t > distinct[count - 1]:
            distinct[count] = t
            count += 1
        rank_of_row[j] = count - 1
    ranks = np.empty(n, dtype=np.int32)
    if downstream:
        for k in range(n):
            ranks[k] = rank_of_row[order[k]]
        frame_times = distinct[:count].copy()
    else:  # time runs backwards upstream
        for k in range(n):
            ranks[k] = count - 1 - rank_of_row[order[k]]
        frame_times = np.empty(count, dtype=np.int64)
        for i in range(count):
            frame_times[i] = -distinct[count - 1 - i]
    return source, target, time, product, quantity, amount, order, ranks, frame_times, by_time

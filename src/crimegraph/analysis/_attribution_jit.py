"""Compiled inner loop of proportional money attribution (numba).

Imported only through :func:`crimegraph.analysis._attribution.proportional` on first use, so
``import crimegraph`` does not load numba; ``cache=True`` keeps the compiled kernel on disk.
The rule itself is documented in :mod:`crimegraph.analysis._attribution`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["attribute_downstream"]


@njit(cache=True, nogil=True)
def _pay(e, payer, payee, amount, is_start, start_money, other_money, carried, attributed):
    """Process payment ``e``: take the payer's current share, hand it to the payee."""
    a = amount[e]
    if is_start[payer]:
        c = a
    else:
        s = start_money[payer]
        o = other_money[payer]
        held = s + o
        if held <= 0.0:
            c = 0.0
        elif a >= held:  # the excess over the known balance is money of unknown origin
            c = s
            start_money[payer] = 0.0
            other_money[payer] = 0.0
        else:
            c = a * (s / held)
            if c > s:
                c = s
            s -= c
            o -= a - c
            start_money[payer] = s if s > 0.0 else 0.0
            other_money[payer] = o if o > 0.0 else 0.0
    carried[e] = c
    start_money[payee] += c
    other_money[payee] += a - c
    attributed[payee] += c


@njit(cache=True, nogil=True)
def _heap_push(heap, size, value):
    heap[size] = value
    k = size
    while k > 0:
        parent = (k - 1) // 2
        if heap[parent] <= heap[k]:
            break
        heap[parent], heap[k] = heap[k], heap[parent]
        k = parent
    return size + 1


@njit(cache=True, nogil=True)
def _heap_pop(heap, size):
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    k = 0
    while True:
        left = 2 * k + 1
        if left >= size:
            break
        small = left
        if left + 1 < size and heap[left + 1] < heap[left]:
            small = left + 1
        if heap[k] <= heap[small]:
            break
        heap[k], heap[small] = heap[small], heap[k]
        k = small
    return top, size


@njit(cache=True, nogil=True)
def attribute_downstream(source, target, time, amount, starts, n_nodes):
    """Proportional attribution over payments sorted by time (ties in case-file order).

    Returns ``(carried, attributed)``; see :func:`crimegraph.analysis._attribution.proportional`.
    """
    n = source.shape[0]
    carried = np.zeros(n, dtype=np.float64)
    attributed = np.zeros(n_nodes, dtype=np.float64)
    start_money = np.zeros(n_nodes, dtype=np.float64)
    other_money = np.zeros(n_nodes, dtype=np.float64)
    is_start = np.zeros(n_nodes, dtype=np.bool_)
    for s in starts:
        is_start[s] = True
    # Scratch space for timestamps shared by several payments.
    pending = np.zeros(n_nodes, dtype=np.int64)  # unprocessed payments into a node, this time
    begin = 0
    while begin < n:
        end = begin + 1
        while end < n and time[end] == time[begin]:
            end += 1
        if end - begin == 1:
            _pay(begin, source[begin], target[begin], amount, is_start, start_money,
                 other_money, carried, attributed)
            begin = end
            continue
        # Several payments at one time: a payment out of a node waits for the payments into
        # it at this time; among the payments ready to go, case-file order decides; when
        # every remaining payment waits (a cycle), the first remaining one goes.
        k = end - begin
        for e in range(begin, end):
            if source[e] != target[e]:
                pending[target[e]] += 1
        by_payer = np.argsort(source[begin:end], kind="mergesort")  # stable: file order
        payers = source[begin:end][by_payer]
        heap = np.empty(k, dtype=np.int64)
        size = 0
        done = np.zeros(k, dtype=np.bool_)
        released = np.zeros(k, dtype=np.bool_)  # payment pushed on the heap already
        for j in range(k):
            e = begin + j
            if pending[source[e]] == 0:
                size = _heap_push(heap, size, j)
                released[j] = True
        first_left = 0
        remaining = k
        while remaining > 0:
            if size > 0:
                j, size = _heap_pop(heap, size)
            else:
                while done[first_left]:
                    first_left += 1
                j = first_left
            if done[j]:
                continue
            e = begin + j
            _pay(e, source[e], target[e], amount, is_start, start_money, other_money,
                 carried, attributed)
            done[j] = True
            remaining -= 1
            v = target[e]
            if source[e] != v:
                pending[v] -= 1
                if pending[v] == 0:  # v has everything it receives now: release its payments
                    lo = np.searchsorted(payers, v, side="left")
                    hi = np.searchsorted(payers, v, side="right")
                    for m in range(lo, hi):
                        jj = by_payer[m]
                        if not done[jj] and not released[jj]:
                            size = _heap_push(heap, size, jj)
                            released[jj] = True
        for e in range(begin, end):
            pending[target[e]] = 0
        begin = end
    return carried, attributed

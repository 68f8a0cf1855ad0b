"""Proportional attribution: how much of one party's money reached each account.

The rule (downstream, from the start set S):

* Payments are processed in time order. Every account holds a balance split into money
  "from the start" and "other" money; both begin at zero.
* A start's own payments are wholly "from the start" (a start is the origin of the money
  being followed, so its balance is never consulted).
* Any other account's payment carries the payer's current share: an account holding ``s``
  from the start and ``o`` other pays ``amount * s / (s + o)`` from the start and the rest
  from other money, and both parts leave its balance.
* Paying more than the known balance empties it: the whole known balance goes, and the excess
  is "other" money of unknown origin (cash, an account the case does not know). Balances
  never go negative; an account with nothing known pays only other money.
* The payee adds both parts to its balance; ``attributed[v]`` sums the start money ``v``
  received (money coming back to a start counts too: a round trip).

**Payments at the same time.** Money can be passed on at the moment it arrives, so within one
timestamp a payment out of an account waits for every payment into that account at that
timestamp ("incoming before outgoing"). Among the payments of one timestamp, the next one
processed is the first in case-file order whose payer has no unprocessed payment coming in at
that timestamp; when every remaining payment's payer still awaits one (the payments of that
timestamp form a cycle), the first remaining payment in case-file order goes next. A payment
from an account to itself never waits for itself.

**Upstream** is the mirror image: the same rule over the reversed payments (each payment's
payer and payee swapped, rows read from the last to the first, so time runs backwards and
the cycle fallback takes the last remaining payment in case-file order). The start now is the
destination of the money: ``carried[i]`` is the part of payment ``i`` that went on to reach the
start, and ``attributed[v]`` is how much of the money that reached the start ``v`` paid out,
whether it was ``v``'s own (an outlet's takings) or passed through ``v``. Because time runs
backwards, money is matched to the latest payments into an account first (what an account
pays on is taken from what it received before), pro rata where an account is mixed.

The kernel is compiled with numba on first use (and cached on disk, like the trace kernels).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from ..errors import InvalidArgument

__all__ = ["proportional"]


def _kernel() -> Any:
    return importlib.import_module(".analysis._attribution_jit", "crimegraph").attribute_downstream


def proportional(
    source: np.ndarray, target: np.ndarray, time: np.ndarray, amount: np.ndarray,
    starts: np.ndarray, n_nodes: int, *, upstream: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Split every payment into the part that is the start's money, and total it per account.

    Parameters
    ----------
    source, target : numpy.ndarray of int32
        Payer and payee of each payment (node indices below ``n_nodes``).
    time : numpy.ndarray of int64
        When each payment was made (microseconds); rows sorted by time, ties in case-file order.
    amount : numpy.ndarray of float64
        Amount of each payment (non-negative).
    starts : numpy.ndarray of int32
        The start accounts.
    n_nodes : int
        Number of accounts.
    upstream : bool, default False
        Follow the money back from the starts (the mirror image; see the module notes).

    Returns
    -------
    carried : numpy.ndarray of float64
        ``carried[i]``: the part of payment ``i`` that is the start's money (upstream: that
        went on to reach the start).
    attributed : numpy.ndarray of float64
        ``attributed[v]``: the start's money account ``v`` received (upstream: the money that
        reached the start which ``v`` paid out).

    Examples
    --------
    A start pays 100 to account 1, which already held 100 of other money from account 2 and
    passes 50 on to account 3: half of that 50 is the start's money.

    >>> import numpy as np
    >>> carried, attributed = proportional(
    ...     np.array([2, 0, 1], dtype=np.int32), np.array([1, 1, 3], dtype=np.int32),
    ...     np.array([1, 2, 3], dtype=np.int64), np.array([100.0, 100.0, 50.0]),
    ...     np.array([0], dtype=np.int32), 4)
    >>> carried.tolist(), attributed.tolist()
    ([0.0, 100.0, 25.0], [0.0, 100.0, 0.0, 25.0])
    """
    src = np.ascontiguousarray(source, dtype=np.int32)
    dst = np.ascontiguousarray(target, dtype=np.int32)
    when = np.ascontiguousarray(time, dtype=np.int64)
    money = np.ascontiguousarray(amount, dtype=np.float64)
    begin = np.ascontiguousarray(starts, dtype=np.int32)
    n = src.shape[0]
    if not (dst.shape[0] == when.shape[0] == money.shape[0] == n):
        raise InvalidArgument(
            f"source, target, time and amount must have one row per payment; got lengths "
            f"{n}, {dst.shape[0]}, {when.shape[0]} and {money.shape[0]}")
    if n_nodes < 0:
        raise InvalidArgument(f"n_nodes={n_nodes} must be 0 or more")
    for name, column in (("source", src), ("target", dst), ("starts", begin)):
        if column.size and (column.min() < 0 or column.max() >= n_nodes):
            raise InvalidArgument(f"{name} holds a node index outside 0..{n_nodes - 1}")
    if n and bool(np.any(np.diff(when) < 0)):
        raise InvalidArgument("payments must be sorted by time (ties in case-file order)")
    if upstream:
        # Mirror image: swap payer and payee and read the rows backwards (time negated).
        carried, attributed = _kernel()(dst[::-1].copy(), src[::-1].copy(),
                                        (-when[::-1]).copy(), money[::-1].copy(), begin,
                                        int(n_nodes))
        return carried[::-1].copy(), attributed
    carried, attributed = _kernel()(src, dst, when, money, begin, int(n_nodes))
    return carried, attributed

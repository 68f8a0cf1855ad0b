"""Proportional money attribution: the compiled kernel against a slow, plain reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimegraph.analysis._attribution import proportional


def reference(
    source: list[int], target: list[int], time: list[int], amount: list[float],
    starts: list[int], n_nodes: int, *, upstream: bool = False,
) -> tuple[list[float], list[float]]:
    """The rule read literally: one timestamp at a time, the first ready payment next."""
    rows = list(range(len(source)))
    payer, payee, when = list(source), list(target), list(time)
    if upstream:  # the mirror image: swapped ends, rows read backwards
        rows = rows[::-1]
        payer, payee = list(target), list(source)
        when = [-t for t in time]
    start_money = [0.0] * n_nodes
    other_money = [0.0] * n_nodes
    carried = [0.0] * len(source)
    attributed = [0.0] * n_nodes
    position = 0
    while position < len(rows):
        group = [rows[position]]
        position += 1
        while position < len(rows) and when[rows[position]] == when[group[0]]:
            group.append(rows[position])
            position += 1
        left = list(group)  # in processing-file order
        while left:
            def waits(row: int, left: list[int] = left) -> bool:
                return any(payee[other] == payer[row] and payer[other] != payee[other]
                           for other in left)
            ready = [row for row in left if not waits(row)]
            row = ready[0] if ready else left[0]
            left.remove(row)
            u, v, a = payer[row], payee[row], amount[row]
            if u in starts:
                c = a
            else:
                held = start_money[u] + other_money[u]
                if held <= 0:
                    c = 0.0
                elif a >= held:
                    c = start_money[u]
                    start_money[u] = other_money[u] = 0.0
                else:
                    c = a * start_money[u] / held
                    start_money[u] = max(0.0, start_money[u] - c)
                    other_money[u] = max(0.0, other_money[u] - (a - c))
            carried[row] = c
            start_money[v] += c
            other_money[v] += a - c
            attributed[v] += c
    return carried, attributed


def run(rows: list[tuple[int, int, int, float]], starts: list[int], n_nodes: int,
        **kwargs: Any) -> tuple[list[float], list[float]]:
    src = np.array([r[0] for r in rows], dtype=np.int32)
    dst = np.array([r[1] for r in rows], dtype=np.int32)
    when = np.array([r[2] for r in rows], dtype=np.int64)
    money = np.array([r[3] for r in rows], dtype=np.float64)
    carried, attributed = proportional(src, dst, when, money,
                                       np.array(starts, dtype=np.int32), n_nodes, **kwargs)
    assert carried.dtype == np.float64 and attributed.dtype == np.float64
    return carried.tolist(), attributed.tolist()


# -- each rule, by hand -----------------------------------------------------------------------

def test_start_pays_wholly_its_own_money_and_mixed_account_pays_pro_rata() -> None:
    # 0 is the start; 2 pays 300 of other money into 1, the start 100; 1 pays 200 on.
    rows = [(2, 1, 1, 300.0), (0, 1, 2, 100.0), (1, 3, 3, 200.0)]
    carried, attributed = run(rows, [0], 4)
    assert carried == [0.0, 100.0, 50.0]
    assert attributed == [0.0, 100.0, 0.0, 50.0]


def test_balance_split_shrinks_with_each_payment() -> None:
    # 1 holds 100 start + 100 other; it pays 50 then 150: a quarter each time... then all.
    rows = [(0, 1, 1, 100.0), (2, 1, 2, 100.0), (1, 3, 3, 50.0), (1, 4, 4, 150.0)]
    carried, attributed = run(rows, [0], 5)
    assert carried == [100.0, 0.0, 25.0, 75.0]
    assert attributed[3] == 25.0 and attributed[4] == 75.0


def test_overpayment_takes_the_whole_known_balance_and_the_rest_is_unknown_money() -> None:
    # 1 received 100 from the start, then pays 250: all 100 of the start's money goes, the
    # other 150 is of unknown origin; 1 is left with nothing (not -150).
    rows = [(0, 1, 1, 100.0), (1, 2, 2, 250.0), (3, 1, 3, 40.0), (1, 2, 4, 40.0)]
    carried, attributed = run(rows, [0], 4)
    assert carried == [100.0, 100.0, 0.0, 0.0]
    assert attributed[2] == 100.0


def test_payment_from_an_empty_account_carries_nothing() -> None:
    carried, _ = run([(1, 2, 1, 10.0), (0, 1, 2, 5.0)], [0], 3)
    assert carried == [0.0, 5.0]  # 1 paid before the start's money arrived


def test_same_time_chain_waits_for_incoming_whatever_the_file_order() -> None:
    # At t=5 the file lists 2 -> 3 first, then 1 -> 2, then 0 -> 1: money passed on the
    # moment it arrives, so all three carry the start's 60.
    rows = [(2, 3, 5, 60.0), (1, 2, 5, 60.0), (0, 1, 5, 60.0)]
    carried, attributed = run(rows, [0], 4)
    assert carried == [60.0, 60.0, 60.0]
    assert attributed == [0.0, 60.0, 60.0, 60.0]


def test_same_time_payment_waits_for_every_incoming_payment() -> None:
    # 1 gets 100 start money and 100 other money at t=1, and pays 100 on at t=1 too: the
    # outgoing payment waits for both incoming ones, so it is half start money.
    rows = [(1, 3, 1, 100.0), (0, 1, 1, 100.0), (2, 1, 1, 100.0)]
    carried, _ = run(rows, [0], 4)
    assert carried[0] == 50.0 and carried[1] == 100.0 and carried[2] == 0.0


def test_same_time_cycle_falls_back_to_file_order() -> None:
    # 1 -> 2 and 2 -> 1 at the same time each wait for the other: the first in the file goes
    # first. 1 holds 80 of start money from t=1.
    rows = [(0, 1, 1, 80.0), (1, 2, 2, 40.0), (2, 1, 2, 40.0)]
    carried, _ = run(rows, [0], 3)
    assert carried == [80.0, 40.0, 40.0]
    rows = [(0, 1, 1, 80.0), (2, 1, 2, 40.0), (1, 2, 2, 40.0)]
    carried, _ = run(rows, [0], 3)
    # 2 paid first, from an empty account; then 1 holds 80 start and 40 other money.
    assert carried == pytest.approx([80.0, 0.0, 40.0 * 80.0 / 120.0])


def test_later_time_is_never_waited_for() -> None:
    rows = [(1, 2, 1, 50.0), (0, 1, 2, 50.0)]
    carried, _ = run(rows, [0], 3)
    assert carried == [0.0, 50.0]


def test_round_trip_to_the_start_counts_as_attributed() -> None:
    carried, attributed = run([(0, 1, 1, 70.0), (1, 0, 2, 70.0)], [0], 2)
    assert carried == [70.0, 70.0]
    assert attributed == [70.0, 70.0]


def test_upstream_shares_what_reached_the_start() -> None:
    # Outlets 1 and 2 pay the lieutenant 3 (300 and 100); 3 pays the leader 0 only 200.
    # 3 had paid 4 earlier (t=0), which cannot be money that reached the leader.
    rows = [(3, 4, 0, 500.0), (1, 3, 1, 300.0), (2, 3, 2, 100.0), (3, 0, 3, 200.0)]
    carried, attributed = run(rows, [0], 5, upstream=True)
    # Backwards in time: 3's 200 to the leader is matched to the latest money in first:
    # all of 2's 100, then 100 of 1's 300.
    assert carried == [0.0, 100.0, 100.0, 200.0]
    assert attributed == [0.0, 100.0, 100.0, 200.0, 0.0]


def test_upstream_money_paid_on_elsewhere_shares_pro_rata() -> None:
    # After 2's 100 arrived, 3 paid 200 to the leader and 500 elsewhere: 2/7 of 2's money
    # went on to the leader.
    rows = [(2, 3, 1, 100.0), (3, 0, 2, 200.0), (3, 4, 3, 500.0)]
    carried, _ = run(rows, [0], 5, upstream=True)
    assert carried == pytest.approx([100.0 * 200.0 / 700.0, 200.0, 0.0])


def test_upstream_is_downstream_on_the_mirrored_payments() -> None:
    rows = [(4, 1, 0, 50.0), (1, 3, 1, 300.0), (2, 3, 1, 100.0), (3, 0, 1, 200.0)]
    up = run(rows, [0], 5, upstream=True)
    mirrored = [(t, s, -when, a) for s, t, when, a in reversed(rows)]
    down_carried, down_attributed = run(mirrored, [0], 5)
    assert up[0] == down_carried[::-1]
    assert up[1] == down_attributed


def test_rejects_unsorted_rows_and_bad_indices() -> None:
    with pytest.raises(ValueError, match="sorted by time"):
        run([(0, 1, 2, 1.0), (1, 2, 1, 1.0)], [0], 3)
    with pytest.raises(ValueError, match=r"target holds a node index outside 0\.\.2"):
        run([(0, 3, 1, 1.0)], [0], 3)
    with pytest.raises(ValueError, match="one row per payment"):
        proportional(np.zeros(2, np.int32), np.zeros(1, np.int32), np.zeros(2, np.int64),
                     np.zeros(2), np.zeros(1, np.int32), 3)


def test_no_payments() -> None:
    assert run([], [0], 2) == ([], [0.0, 0.0])


# -- kernel == reference on random payment sets -----------------------------------------------

payment_sets = st.integers(min_value=2, max_value=7).flatmap(
    lambda n_nodes: st.tuples(
        st.just(n_nodes),
        st.lists(st.tuples(st.integers(0, n_nodes - 1), st.integers(0, n_nodes - 1),
                           st.integers(0, 6),
                           st.sampled_from([0.0, 1.0, 2.5, 10.0, 40.0, 100.0, 333.0])),
                 max_size=40),
        st.lists(st.integers(0, n_nodes - 1), min_size=1, max_size=2, unique=True),
    )
)


@settings(max_examples=300, deadline=None)
@given(payment_sets, st.booleans())
def test_kernel_matches_reference(case: tuple[int, list[tuple[int, int, int, float]],
                                              list[int]], upstream: bool) -> None:
    n_nodes, rows, starts = case
    rows = sorted(rows, key=lambda r: r[2])  # stable: the drawn order is the file order
    got = run(rows, starts, n_nodes, upstream=upstream)
    want = reference([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                     [r[3] for r in rows], starts, n_nodes, upstream=upstream)
    assert got[0] == pytest.approx(want[0], abs=1e-9)
    assert got[1] == pytest.approx(want[1], abs=1e-9)
    # Nothing carries more than it moves, and start money never appears from nowhere.
    assert all(0.0 <= c <= r[3] + 1e-9 for c, r in zip(got[0], rows))

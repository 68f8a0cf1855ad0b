"""Following the money: where the payments from this account went, where this money came from.

The trace is the goods trace's walk (:mod:`crimegraph.analysis.flows`) over payments instead
of shipments, with the same time rule: money can only be passed on after it arrived (the same
timestamp counts). Downstream from a start set S, a node is reached at the earliest time money
from S could be there; a payment u->v at time t belongs to the trail when u is reached at or
before t, t lies within ``since..until``, its currency and amount pass the filters; v is then
reached no later than t. Upstream is the mirror image: a node is reached at the latest time it
could still have paid into the start.

``attribution="reach"`` (the default) says who the money could have reached. With
``attribution="proportional"`` the trail also says how much of the start's money reached each
node, pro rata through accounts that mix it with other money.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InvalidArgument, WrongArgumentType
from ..model import Case
from ..model._time import from_epoch_us, get_timezone
from ..store.base import FlowQuery, FlowWalk
from ..store.graph import CaseGraph, as_case_graph
from ._attribution import proportional
from .flows import TimeLike, WalkResult, as_id_list, as_us, run_walk

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["ATTRIBUTIONS", "MoneyTrail", "trace_money"]

ATTRIBUTIONS = ("reach", "proportional")
"""What a money trail says of each node: who the money reached, or how much of it."""

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def trace_money(
    graph: CaseGraph | Case,
    start: str | Sequence[str],
    *,
    direction: Literal["downstream", "upstream"] = "downstream",
    since: TimeLike | None = None,
    until: TimeLike | None = None,
    currency: str | Sequence[str] | None = None,
    min_amount: float | None = None,
    time_respecting: bool = True,
    max_hops: int | None = None,
    attribution: Literal["reach", "proportional"] = "reach",
) -> MoneyTrail:
    """Follow the money paid on from ``start`` (downstream) or paid into it (upstream).

    Parameters
    ----------
    graph : CaseGraph or Case
        The case; a bare :class:`~crimegraph.Case` is wrapped in an in-memory graph.
    start : str or list of str
        Id(s) of the person, organization or premises whose money to follow.
    direction : {"downstream", "upstream"}
        Where the start's money went, or where the start's money came from.
    since, until : date, datetime or ISO string, optional
        Only payments within this window (inclusive). Naive values are read in the case's
        time zone. Downstream, start nodes hold money from ``since``.
    currency : str or list of str, optional
        Only payments in these currencies (ISO codes such as ``"CNY"``); every currency when
        None.
    min_amount : float, optional
        Only payments of at least this amount (small transfers are often noise).
    time_respecting : bool
        When False, plain reachability over the matching payments (ignores time order).
    max_hops : int, optional
        Follow at most this many payments from the start.
    attribution : {"reach", "proportional"}
        ``"reach"``: who the money could have reached. ``"proportional"``: also how much of
        the start's money reached each node, pro rata through mixed accounts (see
        :meth:`MoneyTrail.balance`); needs the trail's payments in one currency.

    Returns
    -------
    MoneyTrail
        Nodes, payments, tiers, sources, endpoints, totals and each node's balance.

    Raises
    ------
    EntityNotFound
        If a start id is not in the case (the message suggests close matches).
    ValueError
        If ``direction`` or ``attribution`` is not one of its values, a list is empty,
        ``max_hops < 1``, ``min_amount`` is negative, a currency is not a three-letter code,
        a start id is not a person, organization or premises, or proportional attribution
        meets a trail whose payments are in several currencies.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     organizations=[cg.Organization(id=i, name=i) for i in ("SHOP", "DIST", "BOSS")],
    ...     transactions=[
    ...         cg.Transaction(id="M1", kind="payment", source="SHOP", target="DIST",
    ...                        timestamp="2024-03-02", amount=5000),
    ...         cg.Transaction(id="M0", kind="payment", source="DIST", target="BOSS",
    ...                        timestamp="2024-03-01", amount=900),
    ...         cg.Transaction(id="M2", kind="payment", source="DIST", target="BOSS",
    ...                        timestamp="2024-03-05", amount=4000),
    ...     ])
    >>> trail = cg.trace_money(case, "SHOP")
    >>> trail.transactions      # M0 was paid before the shop's money arrived
    ['M1', 'M2']
    >>> trail.tiers
    {'SHOP': 0, 'DIST': 1, 'BOSS': 2}
    >>> trail.balance()[["id", "received", "paid_on", "retained"]].values.tolist()
    [['BOSS', 4000.0, 0.0, 4000.0], ['DIST', 5000.0, 4000.0, 1000.0],
     ['SHOP', 0.0, 5000.0, -5000.0]]
    """
    g = as_case_graph(graph)
    if direction not in ("downstream", "upstream"):
        raise InvalidArgument(
            f"direction={direction!r} is not allowed; use 'downstream' or 'upstream'"
        )
    if attribution not in ATTRIBUTIONS:
        raise InvalidArgument(f"attribution={attribution!r} is not allowed; use 'reach' or "
                              "'proportional'")
    if max_hops is not None and (not isinstance(max_hops, int) or isinstance(max_hops, bool)
                                 or max_hops < 1):
        raise InvalidArgument(f"max_hops={max_hops!r} must be a whole number >= 1 (or None)")
    if min_amount is not None:
        if (isinstance(min_amount, bool) or not isinstance(min_amount, (int, float))
                or math.isnan(min_amount) or min_amount < 0):
            raise InvalidArgument(f"min_amount={min_amount!r} must be a number >= 0 (or None)")
        min_amount = float(min_amount)
    currencies = None if currency is None else as_id_list(currency, "currency")
    for code in currencies or []:
        if not _CURRENCY.match(code):
            raise InvalidArgument(f"currency={code!r} is not a three-letter ISO currency code "
                                  "such as 'CNY' or 'USD'")
    starts = as_id_list(start, "start")
    tz_name = g.store.timezone
    since_us = as_us(since, tz_name, "since")
    until_us = as_us(until, tz_name, "until", end=True)
    if since_us is not None and until_us is not None and since_us > until_us:
        raise InvalidArgument(f"since={since!r} is after until={until!r}")
    query = FlowQuery("payment", tuple(starts), direction,
                      None if currencies is None else tuple(currencies), since_us, until_us,
                      min_amount, time_respecting, max_hops)
    trail = MoneyTrail._walked(g, run_walk(g, query, holds="money"), query, attribution)
    if attribution == "proportional":
        trail._attribute()
    return trail


class MoneyTrail(WalkResult):
    """The result of :func:`trace_money`: the part of the payment network the money reached.

    Attributes
    ----------
    start : list of str
        The start ids.
    direction : str
        "downstream" or "upstream".
    currency : list of str or None
        The currencies followed (None: every currency).
    min_amount : float or None
        The smallest payment followed.
    attribution : str
        "reach" or "proportional".
    payment_count : int
        Number of payments in the trail.
    """

    currency: list[str] | None
    since_us: int | None
    until_us: int | None
    min_amount: float | None
    time_respecting: bool
    max_hops: int | None
    attribution: str
    payment_count: int
    _query: FlowQuery
    _carried: dict[str, float] | None
    _attributed: dict[str, float] | None

    def __init__(self) -> None:  # pragma: no cover - built by trace_money only
        raise WrongArgumentType("a MoneyTrail is made by crimegraph.trace_money(...)")

    @classmethod
    def _walked(cls, graph: CaseGraph, walked: FlowWalk, query: FlowQuery,
                attribution: str) -> MoneyTrail:
        self = cls.__new__(cls)
        self.graph = graph
        self.start = list(query.starts)
        self.direction = query.direction
        self.currency = None if query.items is None else list(query.items)
        self.since_us, self.until_us = query.since_us, query.until_us
        self.min_amount = query.min_amount
        self.time_respecting = query.time_respecting
        self.max_hops = query.max_hops
        self.attribution = attribution
        self._walk = walked
        self._table = walked.table
        self._upstream = query.upstream
        self.payment_count = walked.count
        self._query = query
        self._carried = self._attributed = None
        return self

    def _attribute(self) -> None:
        """Split every node's money into the start's and other (see :meth:`balance`).

        Balances take every payment of the case in the trail's currency, whatever
        ``since``, ``until``, ``min_amount``, ``max_hops`` and ``time_respecting``: those
        choose which payments the trail follows, not what money sits in an account, and
        money from outside the trail dilutes the start's share in a mixed account. The money
        followed is what the start paid on the trail's terms: a payment the start made
        before ``since``, after ``until`` or below ``min_amount`` (upstream: one it received
        so) is other money.
        """
        q = self._query
        table = self.graph.store.flows("payment")
        used = self.currencies
        if len(used) > 1:
            raise InvalidArgument(
                "attribution='proportional' needs payments in one currency, but these are in "
                + ", ".join(used) + "; choose one with currency=...")
        rows = np.flatnonzero(table.mask(items=used))
        n_nodes = len(table.node_ids)
        pos = table.node_index
        starts = np.array([pos[s] for s in self.start if s in pos], dtype=np.int32)
        source, target = table.source[rows].copy(), table.target[rows].copy()
        on_terms = table.mask(since_us=q.since_us, until_us=q.until_us,
                              min_amount=q.min_amount)[rows]
        # An extra account, "outside", stands for the start wherever it pays (upstream:
        # receives) off the trail's terms: it holds nothing of the start's money.
        start_end = target if self._upstream else source
        start_end[np.isin(start_end, starts) & ~on_terms] = n_nodes
        carried, _ = proportional(source, target, table.time[rows], table.amount[rows],
                                  starts, n_nodes + 1, upstream=self._upstream)
        ids = table.ids[rows].tolist()
        self._carried = dict(zip(ids, np.asarray(carried, dtype=np.float64).tolist()))
        # What each node got (upstream: paid in) of the start's money, on the trail's own
        # payments, summed in table order so that every store gives the same sums.
        t = self._table
        near = t.source if self._upstream else t.target
        attributed: dict[str, float] = {}
        for e in self._edges.tolist():
            node = t.node_ids[near[e]]
            attributed[node] = attributed.get(node, 0.0) + self._carried.get(t.ids[e], 0.0)
        self._attributed = attributed

    # -- totals -----------------------------------------------------------------------------
    @cached_property
    def totals(self) -> dict[str, float]:
        """Money on the trail's payments that left the start (arrived at it, upstream), per
        currency."""
        t, edges = self._table, self._edges
        ends = t.target[edges] if self._upstream else t.source[edges]
        chosen = edges[np.isin(ends, self._start_idx)]
        sums = np.bincount(t.item[chosen], weights=t.amount[chosen],
                           minlength=len(t.item_ids))
        return {t.item_ids[i]: float(sums[i]) for i in np.unique(t.item[chosen]).tolist()}

    @property
    def total_amount(self) -> float:
        """Money on the trail's payments that left the start (arrived at it, upstream).

        Raises ``ValueError`` when those payments are in several currencies (see
        :attr:`totals`, or trace one ``currency``).
        """
        totals = self.totals
        if len(totals) > 1:
            raise InvalidArgument("the trail's payments at the start are in several currencies ("
                                  + ", ".join(totals) + "); read trail.totals, or trace with "
                                  "currency=...")
        return next(iter(totals.values()), 0.0)

    @property
    def currencies(self) -> list[str]:
        """Currencies of the trail's payments, sorted."""
        t = self._table
        return sorted(t.item_ids[i] for i in np.unique(t.item[self._edges]).tolist())

    # -- balances ---------------------------------------------------------------------------
    @cached_property
    def _balances(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Keys ``node * n_currencies + currency`` seen on the trail, with the money in and
        out per key (summed in table order: every store gives the same totals)."""
        t, edges = self._table, self._edges
        n_items = max(len(t.item_ids), 1)
        item = t.item[edges].astype(np.int64)
        key_in = t.target[edges].astype(np.int64) * n_items + item
        key_out = t.source[edges].astype(np.int64) * n_items + item
        keys = np.unique(np.concatenate([key_in, key_out]))
        amount = t.amount[edges]
        received = np.bincount(np.searchsorted(keys, key_in), weights=amount,
                               minlength=len(keys))
        paid = np.bincount(np.searchsorted(keys, key_out), weights=amount, minlength=len(keys))
        return keys, received, paid

    def balance(self) -> pd.DataFrame:
        """Each node's money on the trail: received, paid on, and retained.

        One row per node and currency (amounts never add across currencies). ``retained``
        is what the node received on the trail's payments minus what it paid on: large
        retained sums mark the beneficiaries and the points where money left the banks
        (cash-outs). The start pays out (downstream) or receives (upstream), so its
        retained sum is negative (positive). Rows are sorted by retained money, largest
        first, then by id.

        With ``attribution="proportional"``, ``attributed`` says how much of the start's
        money reached the node, by this rule: payments are taken in time order (at equal
        times, incoming before outgoing); every node's balance is split into money from the
        start and other money; the start's own payments are wholly its money; each payment
        carries the payer's current share of the start's money; paying more than the known
        balance pays the excess from other money of unknown origin; balances never go
        negative. Upstream is the mirror image (how much of the start's received money each
        node paid in).

        The balances take every payment of the case in the trail's currency, whatever
        ``since``, ``until``, ``min_amount``, ``max_hops`` and ``time_respecting``: those
        choose the payments the trail follows, not the money an account holds. The money
        followed is what the start paid on the trail's terms: what it paid before ``since``,
        after ``until`` or below ``min_amount`` (upstream: received so) counts as other
        money. ``attributed`` sums ``carried`` over the trail's payments into the node
        (upstream: out of it).

        Returns
        -------
        pandas.DataFrame
            Columns ``id``, ``name``, ``kind`` (premises, person, or the organization's
            kind), ``tier``, ``currency``, ``received``, ``paid_on``, ``retained``, and
            ``attributed`` with proportional attribution.
        """
        import pandas as pd

        t = self._table
        keys, received, paid = self._balances
        n_items = max(len(t.item_ids), 1)
        tiers = self.tiers
        scale = max(float(np.abs(received).max(initial=0.0)), 1.0)
        rows: list[dict[str, Any]] = []
        for i, key in enumerate(keys.tolist()):
            node = t.node_ids[key // n_items]
            kept = float(received[i] - paid[i])
            if abs(kept) <= 1e-9 * scale:
                kept = 0.0
            row = {"id": node, "name": self._name(node), "kind": self._kind(node),
                   "tier": tiers[node], "currency": t.item_ids[key % n_items],
                   "received": float(received[i]), "paid_on": float(paid[i]),
                   "retained": kept}
            if self._attributed is not None:
                row["attributed"] = self._attributed.get(node, 0.0)
            rows.append(row)
        columns = ["id", "name", "kind", "tier", "currency", "received", "paid_on", "retained"]
        if self._attributed is not None:
            columns.append("attributed")
        frame = pd.DataFrame(rows, columns=columns)
        frame = frame.sort_values(["retained", "id", "currency"],
                                  ascending=[False, True, True], ignore_index=True)
        return frame

    # -- exports ----------------------------------------------------------------------------
    def to_dataframe(self) -> pd.DataFrame:
        """One row per trail payment, in time order (ties in case-file order).

        Columns: ``id``, ``time`` (local, aware), ``tier`` (hop of the payment: 1 for those
        touching the start), ``source``, ``source_name``, ``target``, ``target_name``,
        ``currency``, ``amount``, and ``carried`` (the start's money in the payment) with
        proportional attribution.
        """
        import pandas as pd

        t = self._table
        tz = get_timezone(self.graph.store.timezone)
        tiers = self.tiers
        upstream = self._upstream
        rows = []
        for e in self._edges.tolist():
            source, target = t.node_ids[t.source[e]], t.node_ids[t.target[e]]
            near = target if upstream else source
            row = {
                "id": t.ids[e],
                "time": from_epoch_us(int(t.time[e]), tz),
                "tier": tiers[near] + 1,
                "source": source, "source_name": self._name(source),
                "target": target, "target_name": self._name(target),
                "currency": t.item_ids[t.item[e]],
                "amount": float(t.amount[e]),
            }
            if self._carried is not None:
                row["carried"] = self._carried.get(t.ids[e], 0.0)
            rows.append(row)
        columns = ["id", "time", "tier", "source", "source_name", "target", "target_name",
                   "currency", "amount"]
        if self._carried is not None:
            columns.append("carried")
        return pd.DataFrame(rows, columns=columns)

    def to_networkx(self) -> nx.MultiDiGraph:
        """The trail as a ``networkx.MultiDiGraph``: node attributes ``tier``, ``name``,
        ``province`` and ``retained`` (summed over currencies), edges keyed by payment id."""
        import networkx as nx

        graph = nx.MultiDiGraph(direction=self.direction, start=list(self.start))
        kept = self.balance().groupby("id")["retained"].sum().to_dict()
        for node, tier in self.tiers.items():
            entity = self._entities.get(node)
            graph.add_node(node, tier=tier, name=self._name(node),
                           province=getattr(entity, "province", None),
                           retained=float(kept.get(node, 0.0)))
        for row in self.to_dataframe().itertuples(index=False):
            graph.add_edge(row.source, row.target, key=row.id, amount=row.amount,
                           currency=row.currency, time=row.time)
        return graph

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the trail from payers to beneficiaries (see :func:`crimegraph.plot_money`)."""
        from ..plot import plot_money

        return plot_money(self, ax=ax, **kwargs)

    # -- display ----------------------------------------------------------------------------
    def _money_text(self) -> str:
        totals = self.totals
        if not totals:
            return "0"
        return ", ".join(f"{amount:,.2f} {code}" for code, amount in totals.items())

    def _headline(self) -> str:
        what = "all currencies" if self.currency is None else ", ".join(self.currency)
        return (f"{self.direction} money trail from {', '.join(self.start)} ({what}): "
                f"{len(self.tiers)} nodes, {self.payment_count} payments, "
                f"{max(self.tiers.values(), default=0)} tiers")

    def __repr__(self) -> str:
        return f"<MoneyTrail {self._headline()}>"

    def _repr_html_(self) -> str:
        kept = self.balance() if self.payment_count else None
        top = ""
        if kept is not None:
            best = kept[(kept["retained"] > 0) & ~kept["id"].isin(self.start)].head(3)
            top = ", ".join(f"{row.id} ({row.retained:,.0f} {row.currency})"
                            for row in best.itertuples(index=False))
        way = "left the start" if self.direction == "downstream" else "reached the start"
        rows = [
            ("Start", ", ".join(self.start)),
            ("Direction", self.direction),
            ("Attribution", self.attribution),
            ("Nodes / payments", f"{len(self.tiers)} / {self.payment_count}"),
            ("Tiers", str(max(self.tiers.values(), default=0))),
            ("Sources", ", ".join(self.sources[:8]) + (" ..." if len(self.sources) > 8 else "")),
            ("Endpoints", f"{len(self.endpoints)}"),
            ("Provinces", ", ".join(self.provinces)),
            (f"Money that {way}", self._money_text()),
            ("Largest retained", top or "none"),
        ]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(a)}</th>"
                       f"<td style='text-align:left'>{html.escape(b)}</td></tr>" for a, b in rows)
        return f"<table>{body}</table>"

"""Supply-chain tracing: where did the goods from this den go, where did this shop's come from.

The trace is time-respecting: goods can only leave a place after they arrived. Downstream from
a start set S, a node is reached at the earliest time goods from S could be there (start nodes
at ``since``, or the beginning of time). A shipment u->v at time t belongs to the chain when u
is reached at or before t (the same timestamp counts), t lies within ``since..until`` and the
product matches; v is then reached no later than t. Upstream is the mirror image: a node is
reached at the latest time it could still have fed the start. Only shipments carry goods:
payments never extend a chain (:func:`~crimegraph.trace_money` follows them). The walk itself
is the flows engine's (:mod:`crimegraph.analysis.flows`), shared with the money trace.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InvalidArgument, WrongArgumentType
from ..model import Case, Organization, Product, Warehouse
from ..model._time import from_epoch_us, get_timezone
from ..store.base import FlowQuery, FlowWalk
from ..store.graph import CaseGraph, as_case_graph
from .flows import TimeLike, WalkResult, as_id_list, as_us, run_walk
from .sources import find_sources as find_sources  # its home before it had its own module

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "INPUT_SUPPLIER", "LEAD_STOCK", "LEAD_SUPPLIER", "PRODUCER", "RETAIL_KINDS", "Chain",
    "trace_chain",
]

LEAD_STOCK = "stock left or unknown buyer"
"""Lead: goods arrived and were not passed on to anyone the case knows (downstream)."""
LEAD_SUPPLIER = "unknown supplier"
"""Lead: goods passed on that the node's known inflow cannot explain."""
PRODUCER = "producer"
"""Not a lead: the node makes the goods it passes on more than it receives."""
INPUT_SUPPLIER = "input supplier"
"""Not a lead: the node passes on more of a genuine input (``counterfeit=False``, such as
base oil or empty bottles) than it receives; genuine goods are bought in the open."""
RETAIL_KINDS = frozenset({"shop", "online_store", "market"})
"""Organization kinds that sell to the public: retail end points of a chain."""

Directions = ("downstream", "upstream")


def trace_chain(
    graph: CaseGraph | Case,
    start: str | Sequence[str],
    *,
    direction: Literal["downstream", "upstream"] = "downstream",
    product: str | Sequence[str] | None = None,
    since: TimeLike | None = None,
    until: TimeLike | None = None,
    time_respecting: bool = True,
    max_hops: int | None = None,
) -> Chain:
    """Trace where goods went from ``start`` (downstream) or where they came from (upstream).

    Parameters
    ----------
    graph : CaseGraph or Case
        The case; a bare :class:`~crimegraph.Case` is wrapped in an in-memory graph.
    start : str or list of str
        Id(s) of the den, warehouse, distributor or shop to start from.
    direction : {"downstream", "upstream"}
        Follow goods forward from the start, or backward to their sources.
    product : str or list of str, optional
        Only shipments of these products (all goods when None).
    since, until : date, datetime or ISO string, optional
        Only shipments within this window (inclusive; a date alone covers the whole day, so
        ``until="2024-03-31"`` keeps shipments on the afternoon of the 31st). Naive values
        are read in the case's time zone. Downstream, start nodes hold goods from ``since``.
    time_respecting : bool
        When False, plain reachability over the matching shipments (ignores time order).
    max_hops : int, optional
        Follow at most this many shipments from the start.

    Returns
    -------
    Chain
        Nodes, shipments, tiers, sources, endpoints, totals and unaccounted quantities.

    Raises
    ------
    EntityNotFound
        If a start or product id is not in the case (the message suggests close matches).
    ValueError
        If ``direction`` is not "downstream" or "upstream", a list is empty, ``max_hops < 1``,
        or a start id is not a person, organization or premises.

    Notes
    -----
    One pass over shipments sorted by time computes the whole trace (a compiled kernel);
    shipments with the same timestamp are repeated until stable, so same-day onward
    shipments count whatever their order. Tiers are hop distances from the start inside
    the chain.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     organizations=[cg.Organization(id=i, name=i) for i in ("DEN", "WH", "SHOP")],
    ...     products=[cg.Product(id="OIL", name="Fake oil")],
    ...     transactions=[
    ...         cg.Transaction(id="T1", kind="shipment", source="DEN", target="WH",
    ...                        timestamp="2024-03-02", product="OIL", quantity=100),
    ...         cg.Transaction(id="T0", kind="shipment", source="WH", target="SHOP",
    ...                        timestamp="2024-03-01", product="OIL", quantity=40),
    ...         cg.Transaction(id="T2", kind="shipment", source="WH", target="SHOP",
    ...                        timestamp="2024-03-05", product="OIL", quantity=60),
    ...     ])
    >>> chain = cg.trace_chain(case, "DEN")
    >>> chain.transactions      # T0 left the warehouse before the den's oil arrived
    ['T1', 'T2']
    >>> chain.tiers
    {'DEN': 0, 'WH': 1, 'SHOP': 2}
    >>> chain.unaccounted()[["id", "unaccounted", "lead"]].values.tolist()
    [['WH', 40.0, 'stock left or unknown buyer'], ['SHOP', 60.0, 'stock left or unknown buyer']]
    """
    g = as_case_graph(graph)
    if direction not in Directions:
        raise InvalidArgument(
            f"direction={direction!r} is not allowed; use 'downstream' or 'upstream'"
        )
    if max_hops is not None and (isinstance(max_hops, bool) or not isinstance(max_hops, int)
                                 or max_hops < 1):
        raise InvalidArgument(f"max_hops={max_hops!r} must be a whole number >= 1 (or None)")
    starts = as_id_list(start, "start")
    products = None if product is None else as_id_list(product, "product")
    tz_name = g.store.timezone
    since_us = as_us(since, tz_name, "since")
    until_us = as_us(until, tz_name, "until", end=True)
    if since_us is not None and until_us is not None and since_us > until_us:
        raise InvalidArgument(f"since={since!r} is after until={until!r}")
    query = FlowQuery("shipment", tuple(starts), direction,
                      None if products is None else tuple(products), since_us, until_us,
                      None, time_respecting, max_hops)
    chain = Chain._walked(g, run_walk(g, query, holds="goods"), query)
    if not chain.shipment_count:
        _warn_if_no_goods(g, starts, direction)
    return chain


_CONTROL_KINDS = ("owns", "operates", "rents", "leads")
"""Ties from a person or organization to what it controls: places, firms, subordinates."""


def _warn_if_no_goods(g: CaseGraph, starts: list[str], direction: str) -> None:
    """Warn when an empty chain comes from starts that hold no goods at all.

    A person rarely ships or receives goods in a case; the premises and firms they own or
    operate do, or those of the people they lead. The warning names the nearest of those
    that move goods, so the analyst can trace from them instead. (A shop traced downstream
    holds goods and ends the chain: its empty chain is an answer, not a mistake.)
    """
    way: Literal["out", "in"] = "out" if direction == "downstream" else "in"
    if g.store.transactions(nodes=starts, direction="both", kind="shipment"):
        return  # the starts do hold goods; the direction, filters or window left nothing
    seen, level = set(starts), list(starts)
    found: list[str] = []
    while level and not found:
        ties = g.store.links(nodes=level, direction="out", kinds=_CONTROL_KINDS)
        level = sorted({tie.target for tie in ties} - seen)
        seen.update(level)
        if level:
            found = sorted({t.source if way == "out" else t.target for t in
                            g.store.transactions(nodes=level, direction=way, kind="shipment")}
                           & set(level))
    records = g.store.get_many([*starts, *found])
    named = ", ".join(f"{sid} ({getattr(records.get(sid), 'name', sid)})" for sid in starts)
    verb = "ship or receive" if len(starts) > 1 else "ships or receives"
    message = f"{named} {verb} no goods in this case, so the {direction} chain is empty"
    if found:
        message += ("; trace from the places under their control (owned, operated, rented "
                    "or run by people they lead) instead: " + ", ".join(
                        f"{p} ({getattr(records.get(p), 'name', p)})" for p in found))
    warnings.warn(message, stacklevel=3)


class Chain(WalkResult):
    """The result of :func:`trace_chain`: the part of the goods network the trace reached.

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
    product: list[str] | None
    since_us: int | None
    until_us: int | None
    time_respecting: bool
    max_hops: int | None
    shipment_count: int
    """Number of shipments in the chain."""

    def __init__(self) -> None:  # pragma: no cover - built by trace_chain only
        raise WrongArgumentType("a Chain is made by crimegraph.trace_chain(...)")

    @classmethod
    def _walked(cls, graph: CaseGraph, walked: FlowWalk, query: FlowQuery) -> Chain:
        """The chain of a walk over shipments."""
        self = cls.__new__(cls)
        self.graph = graph
        self.start = list(query.starts)
        self.direction = query.direction
        self.product = None if query.items is None else list(query.items)
        self.since_us, self.until_us = query.since_us, query.until_us
        self.time_respecting = query.time_respecting
        self.max_hops = query.max_hops
        self._walk = walked
        self._table = walked.table
        self._upstream = query.upstream
        self.shipment_count = walked.count
        return self

    @cached_property
    def _totals(self) -> tuple[float, float]:
        # Summed in table order, so that every store gives the same floating-point totals.
        t, edges = self._table, self._edges
        ends = t.target[edges] if self._upstream else t.source[edges]
        qty = t.quantity[edges]
        amounts = t.amount[edges]
        return (float(qty[np.isin(ends, self._start_idx)].sum()),
                float(amounts[~np.isnan(amounts)].sum()))

    @property
    def total_quantity(self) -> float:
        """Goods on the chain shipments that left the start (arrived at it, upstream).

        A plain sum over every product, whatever its unit: when the start ships products
        in different units (barrels and bottles), :attr:`total_quantities` gives the
        quantity per unit.
        """
        return self._totals[0]

    @cached_property
    def total_quantities(self) -> dict[str, float]:
        """:attr:`total_quantity` per unit of the products (``"barrel"``, ``"bottle"``...;
        ``"unknown unit"`` for products without one), sorted by unit."""
        t, edges = self._table, self._edges
        ends = t.target[edges] if self._upstream else t.source[edges]
        at_start = np.isin(ends, self._start_idx)
        items, qty = t.item[edges][at_start].tolist(), t.quantity[edges][at_start].tolist()
        records = self.graph.store.get_many(t.item_ids)
        units = [getattr(records.get(pid), "unit", None) or "unknown unit"
                 for pid in t.item_ids]
        totals: dict[str, float] = {}
        for item, quantity in zip(items, qty, strict=True):  # in table order, as above
            totals[units[item]] = totals.get(units[item], 0.0) + quantity
        return dict(sorted(totals.items()))

    @property
    def total_amount(self) -> float:
        """Value of all chain shipments with a known amount (turnover along the chain).

        NaN when those shipments are valued in more than one currency: amounts in different
        currencies are never added; :attr:`total_amounts` gives the value per currency.
        """
        if len(self.total_amounts) > 1:
            return float("nan")
        return self._totals[1]

    @property
    def quantity_text(self) -> str:
        """:attr:`total_quantities` in words, e.g. ``"32,828 barrels, 25,584 bottles"``."""
        parts = []
        for unit, value in self.total_quantities.items():
            if unit == "unknown unit":
                parts.append(f"{value:,.0f} units")  # the products state no unit
            elif value == 1 or unit.endswith("s") or not unit.isascii() or " " in unit:
                parts.append(f"{value:,.0f} {unit}")
            else:
                parts.append(f"{value:,.0f} {unit}s")
        return ", ".join(parts) or "0 units"

    @property
    def amount_text(self) -> str:
        """:attr:`total_amounts` in words, e.g. ``"6,353,696.00 CNY, 500.00 USD"``."""
        return ", ".join(f"{value:,.2f} {currency}"
                         for currency, value in self.total_amounts.items()) or "no value known"

    @cached_property
    def total_amounts(self) -> dict[str, float]:
        """Value of the chain shipments with a known amount, per currency (sorted by code)."""
        amounts = self._table.amount[self._edges]
        currencies = self._currencies
        totals: dict[str, float] = {}
        for amount, currency in zip(amounts.tolist(), currencies, strict=True):
            if currency is not None:  # summed in table order, as every total here
                totals[currency] = totals.get(currency, 0.0) + amount
        return dict(sorted(totals.items()))

    @cached_property
    def _currencies(self) -> list[str | None]:
        """Currency of each chain shipment with a known amount (None without one), in the
        order of ``_edges``."""
        t, edges = self._table, self._edges
        ids = t.ids[edges].tolist()
        valued = [tid for tid, amount in zip(ids, t.amount[edges].tolist(), strict=True)
                  if not np.isnan(amount)]
        records = self.graph.store.get_many(valued)
        wanted = set(valued)
        return [getattr(records.get(tid), "currency", None) if tid in wanted else None
                for tid in ids]

    @cached_property
    def _balances(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Keys ``node * n_products + product`` seen on chain shipments, with the quantities
        in and out per key (summed in table order: every store gives the same totals)."""
        t, edges = self._table, self._edges
        n_products = max(len(t.item_ids), 1)
        product = t.item[edges].astype(np.int64)
        key_in = t.target[edges].astype(np.int64) * n_products + product
        key_out = t.source[edges].astype(np.int64) * n_products + product
        keys = np.unique(np.concatenate([key_in, key_out]))
        qty = t.quantity[edges]
        inflow = np.bincount(np.searchsorted(keys, key_in), weights=qty, minlength=len(keys))
        outflow = np.bincount(np.searchsorted(keys, key_out), weights=qty, minlength=len(keys))
        return keys, inflow, outflow

    def unaccounted(self) -> pd.DataFrame:
        """Each chain node's balance per product over chain shipments, and what it means.

        One row per chain node (but the start) and product; quantities never add across
        products. ``unaccounted`` is inflow minus outflow over the chain's shipments; the
        ``lead`` column says what a balance tells the investigator, which depends on the
        trace's direction:

        - downstream, positive: ``"stock left or unknown buyer"`` (goods arrived and were
          not passed on to anyone the case knows);
        - negative, in either direction: ``"unknown supplier"`` (goods passed on, toward
          the shops downstream or toward the target upstream, that the node's known inflow
          cannot explain), or ``"producer"`` when the node makes goods: production premises,
          factories, and places that receive genuine inputs (products marked
          ``counterfeit=False``, such as base oil or empty bottles) and ship another product,
          or ``"input supplier"`` when the product itself is such a genuine input;
        - upstream, positive: no lead (None). Upstream the chain holds only what could feed
          the target: the rest of a node's goods went to buyers outside this chain.

        Rows are sorted by tier, id and product. :meth:`leads` keeps the rows that are leads.

        Returns
        -------
        pandas.DataFrame
            Columns ``id``, ``name``, ``kind`` (premises, person, or the organization's kind
            such as ``distributor`` or ``shop``), ``tier``, ``product``, ``inflow``,
            ``outflow``, ``unaccounted``, ``lead``.
        """
        import pandas as pd

        t = self._table
        keys, inflow, outflow = self._balances
        n_products = max(len(t.item_ids), 1)
        tiers, starts = self.tiers, set(self.start)
        balance = inflow - outflow
        scale = max(float(np.abs(inflow).max(initial=0.0)), 1.0)
        rows: list[dict[str, Any]] = []
        short: list[int] = []
        for i, key in enumerate(keys.tolist()):
            node = t.node_ids[key // n_products]
            if node in starts:
                continue
            value = float(balance[i])
            if abs(value) <= 1e-9 * scale:
                value = 0.0
            lead = None
            if value < 0:
                lead = LEAD_SUPPLIER
                short.append(len(rows))
            elif value > 0 and not self._upstream:
                lead = LEAD_STOCK
            rows.append({"id": node, "name": self._name(node), "kind": self._kind(node),
                         "tier": tiers[node], "product": t.item_ids[key % n_products],
                         "inflow": float(inflow[i]), "outflow": float(outflow[i]),
                         "unaccounted": value, "lead": lead})
        pairs = {(rows[r]["id"], rows[r]["product"]) for r in short}
        makers, genuine = self._producers(pairs)
        for r in short:
            if rows[r]["product"] in genuine:
                rows[r]["lead"] = INPUT_SUPPLIER
            elif (rows[r]["id"], rows[r]["product"]) in makers:
                rows[r]["lead"] = PRODUCER
        columns = ["id", "name", "kind", "tier", "product", "inflow", "outflow", "unaccounted",
                   "lead"]
        out = pd.DataFrame(rows, columns=columns)
        out["lead"] = pd.Series([row["lead"] for row in rows], dtype=object)  # None, not NaN
        return out.sort_values(["tier", "id", "product"], ignore_index=True)

    def leads(self) -> pd.DataFrame:
        """The balances of :meth:`unaccounted` that are leads, most worth following first.

        Stock left or unknown buyers (downstream) and unknown suppliers (either direction),
        per node and product. Premises, distributors, people and other organizations come
        before retail end points (shops, online stores, markets), whose stock is sold to the
        public rather than hidden; within each group the largest quantities come first.

        Returns
        -------
        pandas.DataFrame
            The columns of :meth:`unaccounted` plus ``retail`` (a shop, online store or
            market) and ``rank``.

        Examples
        --------
        >>> import crimegraph as cg
        >>> chain = cg.trace_chain(cg.load_example("fake_liquor"), "W-DEN-A")
        >>> leads = chain.leads()
        >>> leads[["id", "kind", "product", "unaccounted"]].head(2).values.tolist()
        [['W-DEN-C', 'premises', 'P-JW-BLACK', 2262.0],
         ['W-DEN-C', 'premises', 'P-PENFOLDS-389', 2232.0]]
        >>> leads["retail"].is_monotonic_increasing   # retail end points come last
        True
        """
        frame = self.unaccounted()
        frame = frame[frame["lead"].isin([LEAD_STOCK, LEAD_SUPPLIER])].copy()
        frame["retail"] = frame["kind"].isin(RETAIL_KINDS)
        frame["size"] = frame["unaccounted"].abs()
        frame = frame.sort_values(["retail", "size", "id", "product"],
                                  ascending=[True, False, True, True], ignore_index=True)
        frame = frame.drop(columns="size")
        frame["rank"] = np.arange(1, len(frame) + 1)
        return frame

    def _producers(self, pairs: set[tuple[str, str]]
                   ) -> tuple[set[tuple[str, str]], set[str]]:
        """Which (node, product) pairs are made by the node rather than bought, and which of
        the products are genuine inputs (``counterfeit=False``).

        Production premises and factories make what they ship; so does a place that
        receives genuine inputs and ships another product.
        """
        if not pairs:
            return set(), set()
        nodes = sorted({node for node, _ in pairs})
        makes: set[str] = set()
        for node in nodes:
            entity = self._entities.get(node)
            if (isinstance(entity, Warehouse) and "production" in entity.uses) or (
                    isinstance(entity, Organization) and entity.kind == "factory"):
                makes.add(node)
        inputs: dict[str, set[str]] = {}
        received = self.graph.store.transactions(nodes=nodes, direction="in", kind="shipment")
        wanted = {tx.product for tx in received if tx.product} | {p for _, p in pairs}
        products = self.graph.store.get_many(wanted)
        genuine = {pid for pid, record in products.items()
                   if isinstance(record, Product) and record.counterfeit is False}
        for tx in received:
            if tx.product in genuine:
                inputs.setdefault(tx.target, set()).add(tx.product)
        makers = {(node, product) for node, product in pairs
                  if node in makes or inputs.get(node, set()) - {product}}
        return makers, genuine

    # -- exports ----------------------------------------------------------------------------
    def to_dataframe(self) -> pd.DataFrame:
        """One row per chain shipment, in time order (ties in case-file order).

        Columns: ``id``, ``time`` (local, aware), ``tier`` (hop of the shipment: 1 for those
        touching the start), ``source``, ``source_name``, ``target``, ``target_name``,
        ``product``, ``product_name``, ``quantity``, ``amount``, ``currency`` (of the
        amount; None without one).
        """
        import pandas as pd

        t = self._table
        edges = self._edges
        tz = get_timezone(self.graph.store.timezone)
        product_ids = t.item_ids
        names = {pid: getattr(r, "name", pid) for pid, r in
                 self.graph.store.get_many(product_ids).items()}
        tiers = self.tiers
        upstream = self.direction == "upstream"
        rows = []
        for e, currency in zip(edges.tolist(), self._currencies, strict=True):
            source, target = t.node_ids[t.source[e]], t.node_ids[t.target[e]]
            near = target if upstream else source
            amount = float(t.amount[e])
            pid = product_ids[t.item[e]]
            rows.append({
                "id": t.ids[e],
                "time": from_epoch_us(int(t.time[e]), tz),
                "tier": tiers[near] + 1,
                "source": source, "source_name": self._name(source),
                "target": target, "target_name": self._name(target),
                "product": pid, "product_name": names.get(pid, pid),
                "quantity": float(t.quantity[e]),
                "amount": None if np.isnan(amount) else amount,
                "currency": currency,
            })
        columns = ["id", "time", "tier", "source", "source_name", "target", "target_name",
                   "product", "product_name", "quantity", "amount", "currency"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["currency"] = pd.Series([row["currency"] for row in rows], dtype=object)
        return frame

    def tier_totals(self) -> pd.DataFrame:
        """Shipments, quantity and value per tier (hop) of the chain.

        ``amount`` is NaN for a tier whose shipments all lack a value (internal transfers),
        and for a tier whose values are in more than one currency (never added across
        currencies: ``to_dataframe()`` has each shipment's ``currency``).
        """
        frame = self.to_dataframe()
        frame["amount"] = frame["amount"].astype(float)
        grouped = frame.groupby("tier").agg(
            shipments=("id", "count"), quantity=("quantity", "sum"),
            amount=("amount", lambda values: values.sum(min_count=1)),
            currencies=("currency", "nunique"),
        )
        grouped.loc[grouped["currencies"] > 1, "amount"] = float("nan")
        return grouped.drop(columns="currencies").reset_index()

    def to_networkx(self) -> nx.MultiDiGraph:
        """The chain as a ``networkx.MultiDiGraph``: node attribute ``tier``, edges keyed by id."""
        import networkx as nx

        graph = nx.MultiDiGraph(direction=self.direction, start=list(self.start))
        for node, tier in self.tiers.items():
            entity = self._entities.get(node)
            graph.add_node(node, tier=tier, name=self._name(node),
                           province=getattr(entity, "province", None))
        for row in self.to_dataframe().itertuples(index=False):
            graph.add_edge(row.source, row.target, key=row.id, product=row.product,
                           quantity=row.quantity, amount=row.amount, currency=row.currency,
                           time=row.time)
        return graph

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the chain left to right by tier (see :func:`crimegraph.plot_chain`)."""
        from ..plot import plot_chain

        return plot_chain(self, ax=ax, **kwargs)

    # -- display ----------------------------------------------------------------------------
    def _headline(self) -> str:
        what = "all goods" if self.product is None else ", ".join(self.product)
        return (f"{self.direction} chain from {', '.join(self.start)} ({what}): "
                f"{len(self.tiers)} nodes, {self.shipment_count} shipments, "
                f"{max(self.tiers.values(), default=0)} tiers")

    def __repr__(self) -> str:
        return f"<Chain {self._headline()}>"

    def _repr_html_(self) -> str:
        rows = [
            ("Start", ", ".join(self.start)),
            ("Direction", self.direction),
            ("Nodes / shipments", f"{len(self.tiers)} / {self.shipment_count}"),
            ("Tiers", str(max(self.tiers.values(), default=0))),
            ("Sources", ", ".join(self.sources[:8]) + (" ..." if len(self.sources) > 8 else "")),
            ("Endpoints", f"{len(self.endpoints)}"),
            ("Provinces", ", ".join(self.provinces)),
            ("Quantity at start", self.quantity_text),
            ("Value along chain", self.amount_text),
        ]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(a)}</th>"
                       f"<td style='text-align:left'>{html.escape(b)}</td></tr>" for a, b in rows)
        return f"<table>{body}</table>"


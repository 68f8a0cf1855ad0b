"""Goods against money: did each buyer pay for the goods it received?

For every seller → buyer pair with shipments, :func:`reconcile` sets the value of the goods
against the money the buyer paid the seller within a window after the goods. What stays
unpaid, and money that no goods explain, are leads: goods paid in cash, accounts the case does
not know, undisclosed supplies, advance payments or kickbacks.

The same is done "per person": each person stands together with the organizations and premises
tied to them by ``owns`` or ``operates`` links, so that a shop paying the lieutenant for goods
shipped from the den she operates counts as paid.

Money is counted in one currency (see :func:`money_currency`): amounts in different currencies
are never added. Payments in other currencies are listed apart, not matched to goods.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..errors import InvalidArgument, WrongArgumentType
from ..model import Case, Person, Product, Transaction
from ..store.graph import CaseGraph, as_case_graph

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONTROL_KINDS", "PAIR_COLUMNS", "RING_STATUSES", "Reconciliation", "control_parties",
    "money_currency", "reconcile", "ring_members",
]

_CURRENCY = re.compile(r"^[A-Z]{3}$")

CONTROL_KINDS: tuple[str, ...] = ("owns", "operates")
"""Relationship kinds that put an organization or premises in a person's hands."""

RING_STATUSES: tuple[str, ...] = ("suspect", "arrested", "wanted")
"""Person statuses that make a person a member of the ring (witnesses and victims are not)."""

PAIR_COLUMNS: tuple[str, ...] = (
    "within_ring", "seller", "seller_name", "buyer", "buyer_name", "shipments", "goods_value",
    "estimated_value", "payments", "paid", "gap", "unpaid_shipments", "unpaid_value",
    "payments_without_goods", "money_without_goods", "first", "last",
)
"""Columns of :attr:`Reconciliation.pairs` and :attr:`Reconciliation.persons`."""


def _window(window: object) -> timedelta:
    if isinstance(window, timedelta):
        span = window
    elif isinstance(window, str):
        import pandas as pd

        if re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*", window):
            # pandas would read a bare number as nanoseconds.
            raise InvalidArgument(f"window={window!r} needs a unit; write e.g. "
                                  f"'{window.strip()}D' for days, or '8W' or '36h'")
        try:
            span = pd.Timedelta(window).to_pytimedelta()
        except ValueError:
            raise InvalidArgument(f"window={window!r} is not a time span; write e.g. '60D', "
                                  "'8W' or '36h'") from None
    else:
        raise WrongArgumentType(f"window must be a string such as '60D' or a timedelta, "
                                f"got {window!r}")
    if span <= timedelta(0):
        raise InvalidArgument(f"window={window!r} must be longer than zero")
    return span


def money_currency(graph: CaseGraph | Case, currency: str | None,
                   used: Iterable[str]) -> str:
    """The one currency a money analysis counts in.

    ``currency`` when given; otherwise the only currency in ``used`` (the currencies of the
    money the analysis reads) when there is one, else the case's currency
    (:attr:`Case.currency <crimegraph.Case.currency>`). Amounts in different currencies are
    never added: the analyses count the chosen one and list the others apart.

    Raises
    ------
    WrongArgumentType, InvalidArgument
        If ``currency`` is not a three-letter ISO code such as ``"CNY"``.
    """
    if currency is not None:
        if not isinstance(currency, str):
            raise WrongArgumentType(f"currency must be a three-letter code such as 'CNY', "
                                    f"got {currency!r}")
        if not _CURRENCY.match(currency):
            raise InvalidArgument(f"currency={currency!r} is not a three-letter ISO currency "
                                  "code such as 'CNY' or 'USD'")
        return currency
    codes = set(used)
    if len(codes) == 1:
        return codes.pop()
    return as_case_graph(graph).case.currency


def control_parties(graph: CaseGraph | Case) -> dict[str, list[str]]:
    """Who stands behind whom: persons with the organizations and premises they own or operate.

    Records joined by ``owns`` or ``operates`` links (in either direction, through any number
    of them) form one party; two people who operate the same den are one party. A party is
    named by its persons' ids, sorted and joined with ", " (by its records' ids when it has
    no person). Records without such links are not listed: each stands for itself.

    Returns
    -------
    dict of str to list of str
        Party name -> its records (persons first, then the rest, each sorted).
    """
    from networkx.utils import UnionFind

    g = as_case_graph(graph)
    joined = UnionFind()
    for link in g.links(kinds=CONTROL_KINDS):
        joined.union(link.source, link.target)
    members = list(joined.to_sets())
    records = g.store.get_many([node for nodes in members for node in nodes])
    parties: dict[str, list[str]] = {}
    for nodes in members:
        persons = sorted(n for n in nodes if isinstance(records.get(n), Person))
        others = sorted(n for n in nodes if n not in persons)
        parties[", ".join(persons or others)] = persons + others
    return dict(sorted(parties.items()))


def ring_members(graph: CaseGraph | Case) -> set[str]:
    """The ring's people and the organizations and premises in their hands.

    Persons whose status is one of :data:`RING_STATUSES`, and every record tied to one of them
    by an ``owns`` or ``operates`` link (either way round).
    """
    g = as_case_graph(graph)
    table = g.nodes()
    ring = {str(i) for i, kind, status in zip(table["id"], table["type"], table["status"])
            if kind == "person" and status in RING_STATUSES}
    for link in g.links(nodes=sorted(ring), kinds=CONTROL_KINDS):
        if link.source in ring or link.target in ring:
            ring.update((link.source, link.target))
    return ring


@dataclass(frozen=True, eq=False)
class Reconciliation:
    """Goods against money per trading pair, from :func:`reconcile`.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per seller → buyer pair (records as they are in the case), columns
        :data:`PAIR_COLUMNS`: trade with the outside first (``within_ring`` False), each
        part largest gap first. ``within_ring``: seller and buyer both belong to the ring
        (see :func:`ring_members`), mostly transfers between its own premises that nobody
        pays for. ``goods_value``: what the goods were worth
        (``estimated_value`` of it from unit prices); ``paid``: money from the buyer to the
        seller matched to the goods; ``gap``: ``goods_value - paid``; ``unpaid_shipments``
        and ``unpaid_value``: shipments no money was matched to; ``payments_without_goods``
        and ``money_without_goods``: payments (and parts of payments) that no goods within the
        window before them explain.
    persons : pandas.DataFrame
        The same with sellers and buyers replaced by their parties (see
        :func:`control_parties`); trade within one party is left out.
    shipments : pandas.DataFrame
        Every shipment with its value and the money matched to it (``status`` "paid",
        "part paid", "unpaid" or "no value"), for the pair view.
    payments : pandas.DataFrame
        Every payment between a pair, with the part matched to goods (``status`` "for goods",
        "part without goods" or "without goods").
    parties : dict of str to list of str
        The parties of the person view.
    window : datetime.timedelta
        How long after the goods a payment still counts as paying for them.
    currency : str
        The currency goods and money are counted in (see :func:`reconcile`).
    other_currencies : pandas.DataFrame
        Payments in any other currency, left out of the matching: ``id``, ``payer``,
        ``payee``, ``time``, ``amount``, ``currency``.
    """

    pairs: pd.DataFrame
    persons: pd.DataFrame
    shipments: pd.DataFrame
    payments: pd.DataFrame
    parties: dict[str, list[str]] = field(repr=False)
    window: timedelta
    currency: str
    other_currencies: pd.DataFrame = field(repr=False)

    def unpaid(self) -> pd.DataFrame:
        """Shipments that no payment was matched to (cash, or money the case does not know)."""
        return self.shipments[self.shipments["status"] == "unpaid"].reset_index(drop=True)

    def without_goods(self) -> pd.DataFrame:
        """Payments no goods explain, wholly or in part."""
        rows = self.payments[self.payments["status"] != "for goods"]
        return rows.reset_index(drop=True)

    @property
    def total_gap(self) -> float:
        """Goods value not matched by payments, over all pairs."""
        return float(self.pairs["gap"].sum())

    def to_dataframe(self) -> pd.DataFrame:
        """The pair table (:attr:`pairs`)."""
        return self.pairs

    def __repr__(self) -> str:
        other = ""
        if len(self.other_currencies):
            codes = ", ".join(sorted(set(self.other_currencies["currency"])))
            other = f", {len(self.other_currencies)} payments in {codes} left out"
        return (f"Reconciliation({len(self.pairs)} pairs, gap {self.total_gap:,.0f} "
                f"{self.currency}, {len(self.unpaid())} unpaid shipments, "
                f"{len(self.without_goods())} payments without goods, window "
                f"{_span(self.window)}{other})")


def _span(window: timedelta) -> str:
    """A window in words: "60 days", "36 hours", "1 day 12 hours"."""
    days, rest = window.days, window.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in (
        (days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second")) if n]
    return " ".join(parts) or "0 seconds"


def reconcile(graph: CaseGraph | Case, *, window: str | timedelta = "60D",
              currency: str | None = None) -> Reconciliation:
    """Set the goods each buyer received against the money it paid the seller.

    For each seller → buyer pair with shipments, payments buyer → seller are matched to the
    pair's goods: each payment, in time order, pays the oldest goods not yet paid that left
    at most ``window`` before it (at the same moment counts); what it cannot place is money
    without goods. A shipment is worth its ``amount``, else its quantity times the product's
    ``unit_price``, else its quantity times the median amount per unit of the product's
    priced shipments; otherwise its value is unknown (status "no value", left out of the
    sums).

    Goods and money are counted in one currency: only payments in it are matched, and a
    shipment's ``amount`` counts only when it is in it (otherwise the shipment is valued from
    prices as if it had none; unit prices are in the case's currency and count only when
    it is the one counted in). Payments in other
    currencies are never added to these sums: :attr:`Reconciliation.other_currencies` lists
    them.

    Parameters
    ----------
    graph : CaseGraph or Case
    window : str or datetime.timedelta, default "60D"
        How long after the goods a payment still pays for them ("60D", "8W", "36h"...).
    currency : str, optional
        The currency to count in. By default the only currency of the case's payments and
        valued shipments when they share one, else the case's currency
        (:func:`money_currency`).

    Returns
    -------
    Reconciliation
        The pair table, the same per person, and the shipments and payments behind them.

    Raises
    ------
    ValueError, TypeError
        If ``window`` is not a positive time span, or ``currency`` not a three-letter code.

    Examples
    --------
    >>> import crimegraph as cg
    >>> result = cg.reconcile(cg.load_example("fake_liquor"))
    >>> "P-CHEN" in set(result.without_goods()["payee"])  # a deposit, no goods delivered
    True
    >>> row = result.persons.set_index(["seller", "buyer"]).loc[("P-LU, P-ZHENG", "SHOP-01")]
    >>> bool(row["paid"] > 0)
    True
    """
    span = _window(window)
    g = as_case_graph(graph)
    shipments = g.transactions(kind="shipment")
    every_payment = g.transactions(kind="payment")
    code = money_currency(g, currency, [
        *(p.currency for p in every_payment if p.amount is not None),
        *(s.currency for s in shipments if s.amount is not None)])
    payments = [p for p in every_payment if p.currency == code]
    other = [p for p in every_payment if p.currency != code]
    values, estimated = _values(g, shipments, code)
    parties = control_parties(g)
    party_of = {node: name for name, nodes in parties.items() for node in nodes}
    names = _names(g)
    ring = ring_members(g)
    in_ring = {**{node: node in ring for node in names},
               **{name: any(n in ring for n in nodes) for name, nodes in parties.items()}}
    pair_rows, ship_rows, pay_rows = _match(shipments, payments, values, estimated, span,
                                            lambda node: node)
    person_rows, _, _ = _match(shipments, payments, values, estimated, span,
                               lambda node: party_of.get(node, node))
    return Reconciliation(
        pairs=_pair_frame(pair_rows, names, in_ring),
        persons=_pair_frame(person_rows, {**names, **_party_names(parties, names)}, in_ring),
        shipments=_frame(ship_rows, ("id", "seller", "buyer", "time", "product", "quantity",
                                     "value", "estimated", "paid", "status")),
        payments=_frame(pay_rows, ("id", "payer", "payee", "time", "amount", "for_goods",
                                   "without_goods", "status")),
        parties=parties, window=span, currency=code,
        other_currencies=_frame([
            {"id": p.id, "payer": p.source, "payee": p.target, "time": p.timestamp,
             "amount": float(p.amount) if p.amount is not None else float("nan"),
             "currency": p.currency} for p in other],
            ("id", "payer", "payee", "time", "amount", "currency")),
    )


def _party_names(parties: dict[str, list[str]], names: dict[str, str]) -> dict[str, str]:
    """A party's name: its persons' names (as its label lists their ids)."""
    return {label: ", ".join(names.get(p, p) for p in label.split(", "))
            for label in parties}


def _names(g: CaseGraph) -> dict[str, str]:
    table = g.nodes()
    return {str(i): str(n) for i, n in zip(table["id"], table["name"]) if isinstance(n, str)}


def _values(g: CaseGraph, shipments: Sequence[Transaction], currency: str
            ) -> tuple[dict[str, float | None], set[str]]:
    """Value of each shipment, and the ids whose value is estimated from prices (an amount
    in another currency than ``currency`` is not used, nor a unit price, which is in the
    case's currency, when ``currency`` is another)."""
    priced = currency == g.case.currency
    product_ids = sorted({s.product for s in shipments if s.product is not None})
    products = g.store.get_many(product_ids)
    per_unit: dict[str, list[float]] = defaultdict(list)
    for s in shipments:
        if (s.product is not None and s.amount is not None and s.quantity
                and s.currency == currency):
            per_unit[s.product].append(float(s.amount) / float(s.quantity))
    price: dict[str, float] = {}
    for pid in product_ids:
        record = products.get(pid)
        if priced and isinstance(record, Product) and record.unit_price is not None:
            price[pid] = float(record.unit_price)
        elif per_unit.get(pid):
            price[pid] = statistics.median(per_unit[pid])
    values: dict[str, float | None] = {}
    estimated: set[str] = set()
    for s in shipments:
        if s.amount is not None and s.currency == currency:
            values[s.id] = float(s.amount)
        elif s.product in price and s.quantity is not None:
            values[s.id] = float(s.quantity) * price[s.product]
            estimated.add(s.id)
        else:
            values[s.id] = None
    return values, estimated


@dataclass
class _Pair:
    shipments: list[Transaction] = field(default_factory=list)
    payments: list[Transaction] = field(default_factory=list)


def _match(shipments: Iterable[Transaction], payments: Iterable[Transaction],
           values: dict[str, float | None], estimated: set[str], span: timedelta,
           key: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Match payments to goods per (seller, buyer) under ``key`` (record -> party)."""
    pairs: dict[tuple[str, str], _Pair] = defaultdict(_Pair)
    for s in shipments:
        seller, buyer = key(s.source), key(s.target)
        if seller != buyer:
            pairs[(seller, buyer)].shipments.append(s)
    for p in payments:
        payer, payee = key(p.source), key(p.target)
        if payer != payee and p.amount is not None:
            pairs[(payee, payer)].payments.append(p)
    rows: list[dict[str, Any]] = []
    ship_rows: list[dict[str, Any]] = []
    pay_rows: list[dict[str, Any]] = []
    for (seller, buyer), pair in pairs.items():
        owed = [values[s.id] or 0.0 for s in pair.shipments]
        paid = [0.0] * len(pair.shipments)
        oldest = 0  # goods before this one are paid in full or out of every later window
        unplaced: list[float] = []
        for p in pair.payments:
            left = float(p.amount or 0.0)
            k = oldest
            while left > 0 and k < len(pair.shipments):
                s = pair.shipments[k]
                if s.timestamp > p.timestamp:
                    break
                due = owed[k] - paid[k]
                if due > 0 and s.timestamp + span >= p.timestamp:
                    take = min(due, left)
                    paid[k] += take
                    left -= take
                k += 1
            while oldest < len(pair.shipments) and (
                    owed[oldest] - paid[oldest] <= 0
                    or pair.shipments[oldest].timestamp + span < p.timestamp):
                oldest += 1
            unplaced.append(left)
            amount = float(p.amount or 0.0)
            pay_rows.append({
                "id": p.id, "payer": p.source, "payee": p.target, "time": p.timestamp,
                "amount": amount, "for_goods": amount - left, "without_goods": left,
                "status": "for goods" if left <= 1e-9 else
                "without goods" if left >= amount - 1e-9 else "part without goods",
            })
        unpaid = [k for k, s in enumerate(pair.shipments) if paid[k] <= 0 and
                  values[s.id] is not None and owed[k] > 0]
        for k, s in enumerate(pair.shipments):
            value = values[s.id]
            ship_rows.append({
                "id": s.id, "seller": s.source, "buyer": s.target, "time": s.timestamp,
                "product": s.product, "quantity": s.quantity, "value": value,
                "estimated": s.id in estimated, "paid": paid[k],
                "status": "no value" if value is None or value <= 0 else
                "unpaid" if paid[k] <= 0 else
                "paid" if paid[k] >= value - 1e-6 else "part paid",
            })
        goods = sum(owed)
        times = [t.timestamp for t in (*pair.shipments, *pair.payments)]
        rows.append({
            "seller": seller, "buyer": buyer, "shipments": len(pair.shipments),
            "goods_value": goods,
            "estimated_value": sum(values[s.id] or 0.0 for s in pair.shipments
                                   if s.id in estimated),
            "payments": len(pair.payments), "paid": sum(paid), "gap": goods - sum(paid),
            "unpaid_shipments": len(unpaid), "unpaid_value": sum(owed[k] for k in unpaid),
            "payments_without_goods": sum(1 for p, left in zip(pair.payments, unplaced)
                                          if left >= float(p.amount or 0.0) - 1e-9
                                          and float(p.amount or 0.0) > 0),
            "money_without_goods": sum(unplaced),
            "first": min(times), "last": max(times),
        })
    return rows, ship_rows, pay_rows


def _pair_frame(rows: list[dict[str, Any]], names: dict[str, str], in_ring: dict[str, bool]
                ) -> pd.DataFrame:
    import pandas as pd

    for row in rows:
        row["within_ring"] = in_ring.get(row["seller"], False) and in_ring.get(row["buyer"],
                                                                              False)
        row["seller_name"] = names.get(row["seller"], row["seller"])
        row["buyer_name"] = names.get(row["buyer"], row["buyer"])
    frame = pd.DataFrame(rows, columns=list(PAIR_COLUMNS))
    frame = frame.sort_values(["within_ring", "gap", "money_without_goods", "seller", "buyer"],
                              ascending=[True, False, False, True, True], kind="stable")
    return frame.reset_index(drop=True)


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.sort_values(["time", "id"], kind="stable").reset_index(drop=True)

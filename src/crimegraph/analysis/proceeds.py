"""Proceeds: who received and kept the ring's money, how much is secured, where to freeze next.

Money is what the case's payments show. A person's sphere is the person with the
organizations and premises tied to them by ``owns`` or ``operates`` links; what a sphere
received is the money paid into it from outside, what it retained is that minus what it paid
out (internal payments, such as a front company paying its owner, cancel out).

Frozen and seized money comes from :class:`~crimegraph.Evidence` of kind ``asset_freeze`` or
``seizure`` with an ``amount``. Such evidence attaches to the records that cite it in their
``evidence`` lists (the account holders); an amount cited by several accounts is split among
them in proportion to the money each retained (equally when none retained any). A seizure
that names a ``product`` is a seizure of goods: its amount is the goods' value, reported as
``goods_seized`` and not counted as secured money; a seizure without a product (cash) is.

Everything is counted in one currency (see :func:`~crimegraph.analysis.reconcile.money_currency`):
payments, freezes and seizures in other currencies are never added to it; they are tallied
apart in :attr:`Proceeds.other_currencies`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import Case, Evidence, Record, Transaction
from ..store.graph import CaseGraph, as_case_graph
from .reconcile import CONTROL_KINDS, money_currency, ring_members

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PERSON_COLUMNS", "Proceeds", "proceeds"]

PERSON_COLUMNS: tuple[str, ...] = (
    "person", "name", "role", "status", "in_ring", "businesses", "received_direct",
    "received_via_businesses", "received", "retained_direct", "retained_via_businesses",
    "retained", "frozen", "seized", "secured", "unsecured", "share_secured",
)
"""Columns of :attr:`Proceeds.persons`."""

SECURING_KINDS: tuple[str, ...] = ("asset_freeze", "seizure")


@dataclass(frozen=True, eq=False)
class Proceeds:
    """Money per person and account, and what is frozen or seized, from :func:`proceeds`.

    Attributes
    ----------
    persons : pandas.DataFrame
        One row per person with money (columns :data:`PERSON_COLUMNS`), most retained first.
        ``*_direct``: the person's own accounts; ``*_via_businesses``: the organizations and
        premises in their hands (``businesses``). A business held by several people counts
        in full for each, so the column sums may exceed the ring's total.
    accounts : pandas.DataFrame
        One row per record that received or paid money: ``account``, ``name``, ``type``,
        ``holders`` (the persons behind it), ``in_ring``, ``received``, ``paid``,
        ``retained``, ``frozen``, ``seized``, ``secured``, ``unsecured``; largest
        unsecured balance first.
    secured : pandas.DataFrame
        One row per freeze or seizure with an amount: ``evidence``, ``kind``, ``amount``,
        ``currency``, ``counted_as`` ("frozen", "seized" or "goods seized"; "other currency"
        or "goods seized, other currency" when not in :attr:`currency`, counted nowhere),
        ``accounts``.
    total_received : float
        Money the ring's accounts received from outside the ring (its gross takings).
    total_retained : float
        That minus what the ring paid outside (suppliers, freight): its estimated proceeds.
    total_secured : float
        Money frozen or seized (cash) in the ring's accounts.
    goods_seized : float
        Value of the goods seized (not money, not counted as secured).
    currency : str
        The currency every amount above is in.
    other_currencies : pandas.DataFrame
        Money in other currencies, never added to the sums above: one row per currency with
        ``currency``, ``payments`` (how many), ``paid`` (their sum), ``secured`` (freezes and
        cash seizures) and ``goods_seized``; most payments first. Count it with
        ``proceeds(graph, currency=...)``.
    """

    persons: pd.DataFrame
    accounts: pd.DataFrame
    secured: pd.DataFrame
    total_received: float
    total_retained: float
    total_secured: float
    goods_seized: float
    currency: str
    other_currencies: pd.DataFrame

    @property
    def share_secured(self) -> float:
        """Secured money as a share of the ring's estimated proceeds (0 when it kept none)."""
        if self.total_retained <= 0:
            return 0.0
        return self.total_secured / self.total_retained

    def where_to_freeze(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` ring accounts holding the most money that is not yet frozen or seized."""
        rows = self.accounts[self.accounts["in_ring"] & (self.accounts["unsecured"] > 0)]
        return rows.head(n).reset_index(drop=True)

    def to_dataframe(self) -> pd.DataFrame:
        """The person table (:attr:`persons`)."""
        return self.persons

    def __repr__(self) -> str:
        other = ""
        if len(self.other_currencies):
            other = ("; not counted: money in "
                     + ", ".join(self.other_currencies["currency"].astype(str)))
        return (f"Proceeds({self.currency}: received {self.total_received:,.0f}, retained "
                f"{self.total_retained:,.0f}, secured {self.total_secured:,.0f} "
                f"({self.share_secured:.0%}), goods seized {self.goods_seized:,.0f}{other})")


def proceeds(graph: CaseGraph | Case, *, currency: str | None = None) -> Proceeds:
    """Who received and kept the money, and how much of it is frozen or seized.

    Parameters
    ----------
    graph : CaseGraph or Case
    currency : str, optional
        The currency to count in (payments, freezes and seizures in others are tallied apart
        in :attr:`Proceeds.other_currencies`). By default the only currency of the case's
        payments when they share one, else the case's currency.

    Returns
    -------
    Proceeds
        Per person and per account, the ring's totals, and the freezes and seizures.

    Raises
    ------
    ValueError, TypeError
        If ``currency`` is not a three-letter code such as ``"CNY"``.

    Examples
    --------
    >>> import crimegraph as cg
    >>> result = cg.proceeds(cg.load_example("counterfeit_oil"))
    >>> result.total_secured
    1236500.0
    >>> bool(0 < result.share_secured < 1)
    True
    >>> result.where_to_freeze(1)["account"].tolist()  # the bookkeeper's accounts
    ['P-04']
    """
    import pandas as pd

    g = as_case_graph(graph)
    table = g.nodes()
    names = dict(zip(table["id"].astype(str), table["name"]))
    types = dict(zip(table["id"].astype(str), table["type"]))
    ring = ring_members(g)

    received: dict[str, float] = defaultdict(float)
    paid: dict[str, float] = defaultdict(float)
    every_payment = [p for p in g.transactions(kind="payment") if p.amount is not None]
    code = money_currency(g, currency, (p.currency for p in every_payment))
    payments = [p for p in every_payment if p.currency == code]
    into: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for p in payments:
        received[p.target] += float(p.amount or 0.0)
        paid[p.source] += float(p.amount or 0.0)
        into[p.target].append((p.source, float(p.amount or 0.0)))
    accounts = sorted(set(received) | set(paid))
    net = {a: received[a] - paid[a] for a in accounts}

    holders: dict[str, set[str]] = defaultdict(set)
    businesses: dict[str, set[str]] = defaultdict(set)
    for link in g.links(kinds=CONTROL_KINDS):
        for person, other in ((link.source, link.target), (link.target, link.source)):
            if types.get(person) == "person" and types.get(other) != "person":
                holders[other].add(person)
                businesses[person].add(other)

    frozen, seized, secured_rows, goods_seized = _securing(g, names, net, code)
    # Each freeze or cash seizure counts once, in full, when it sits with the ring; one that
    # no account cites cannot be placed, but the money is secured all the same.
    total_secured = sum(float(row["amount"]) for row in secured_rows
                        if row["counted_as"] in ("frozen", "seized")
                        and (not row["accounts"] or ring.intersection(row["accounts"])))

    account_rows = []
    for a in sorted(set(accounts) | set(frozen) | set(seized)):
        secured = frozen.get(a, 0.0) + seized.get(a, 0.0)
        kept = net.get(a, 0.0)
        account_rows.append({
            "account": a, "name": names.get(a, a), "type": types.get(a, "unknown"),
            "holders": sorted(holders.get(a, ())) or ([a] if types.get(a) == "person" else []),
            "in_ring": a in ring, "received": received.get(a, 0.0), "paid": paid.get(a, 0.0),
            "retained": kept, "frozen": frozen.get(a, 0.0), "seized": seized.get(a, 0.0),
            "secured": secured, "unsecured": max(kept - secured, 0.0),
        })
    account_frame = pd.DataFrame(account_rows, columns=[
        "account", "name", "type", "holders", "in_ring", "received", "paid", "retained",
        "frozen", "seized", "secured", "unsecured"])
    account_frame = account_frame.sort_values(["unsecured", "account"], ascending=[False, True],
                                              kind="stable").reset_index(drop=True)

    person_rows = []
    people = table[table["type"] == "person"]
    for pid, name, role, status in zip(people["id"], people["name"], people["role"],
                                       people["status"]):
        pid = str(pid)
        own = sorted(businesses.get(pid, ()))
        sphere = {pid, *own}
        if not any(a in received or a in paid for a in sphere):
            continue
        inside = sum(amount for payer, amount in into.get(pid, ()) if payer not in sphere)
        via = sum(amount for b in own for payer, amount in into.get(b, ())
                  if payer not in sphere)
        kept_own = net.get(pid, 0.0)
        kept_via = sum(net.get(b, 0.0) for b in own)
        froz = sum(frozen.get(a, 0.0) for a in sphere)
        seiz = sum(seized.get(a, 0.0) for a in sphere)
        kept = kept_own + kept_via
        person_rows.append({
            "person": pid, "name": name, "role": role if isinstance(role, str) else None,
            "status": status, "in_ring": pid in ring, "businesses": own,
            "received_direct": inside, "received_via_businesses": via,
            "received": inside + via, "retained_direct": kept_own,
            "retained_via_businesses": kept_via, "retained": kept, "frozen": froz,
            "seized": seiz, "secured": froz + seiz,
            "unsecured": max(kept - froz - seiz, 0.0),
            "share_secured": (froz + seiz) / kept if kept > 0 else 0.0,
        })
    person_frame = pd.DataFrame(person_rows, columns=list(PERSON_COLUMNS))
    person_frame = person_frame.sort_values(["retained", "person"], ascending=[False, True],
                                            kind="stable").reset_index(drop=True)

    total_received = sum(float(p.amount or 0.0) for p in payments
                         if p.target in ring and p.source not in ring)
    total_paid_out = sum(float(p.amount or 0.0) for p in payments
                         if p.source in ring and p.target not in ring)
    return Proceeds(
        persons=person_frame, accounts=account_frame,
        secured=pd.DataFrame(secured_rows, columns=["evidence", "kind", "amount", "currency",
                                                    "counted_as", "accounts"]),
        total_received=total_received, total_retained=total_received - total_paid_out,
        total_secured=total_secured, goods_seized=goods_seized, currency=code,
        other_currencies=_other_currencies(every_payment, secured_rows, code),
    )


def _other_currencies(payments: list[Transaction], secured_rows: list[dict[str, Any]],
                      currency: str) -> pd.DataFrame:
    """Money in currencies other than ``currency``, one row per currency."""
    import pandas as pd

    rows: dict[str, dict[str, Any]] = {}

    def row(code: str) -> dict[str, Any]:
        return rows.setdefault(code, {"currency": code, "payments": 0, "paid": 0.0,
                                      "secured": 0.0, "goods_seized": 0.0})

    for p in payments:
        if p.currency != currency:
            entry = row(p.currency)
            entry["payments"] += 1
            entry["paid"] += float(p.amount or 0.0)
    for record in secured_rows:
        if record["currency"] != currency:
            entry = row(str(record["currency"]))
            goods = record["counted_as"] == "goods seized, other currency"
            what = "goods_seized" if goods else "secured"
            entry[what] += float(record["amount"])
    frame = pd.DataFrame(list(rows.values()),
                         columns=["currency", "payments", "paid", "secured", "goods_seized"])
    return frame.sort_values(["payments", "currency"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def _securing(g: CaseGraph, names: dict[str, str], net: dict[str, float], currency: str
              ) -> tuple[dict[str, float], dict[str, float], list[dict[str, Any]], float]:
    """Frozen and seized money per account, one row per freeze or seizure, goods seized.

    A freeze or seizure in another currency than ``currency`` is listed (``counted_as``
    "other currency", or "goods seized, other currency") and counted nowhere."""
    entities = g.store.get_many(sorted(names))
    cited_by: dict[str, list[str]] = defaultdict(list)
    for rid, record in entities.items():
        for ref in record.evidence:
            cited_by[ref].append(rid)
    known = set(names)
    known.update(t.id for t in g.transactions())
    known.update(r.id for r in g.links())
    others: dict[str, Record] = g.store.get_many(sorted(set(g.store.ids()) - known))
    frozen: dict[str, float] = defaultdict(float)
    seized: dict[str, float] = defaultdict(float)
    rows: list[dict[str, Any]] = []
    goods = 0.0
    for eid in sorted(others):
        record = others[eid]
        if not (isinstance(record, Evidence) and record.kind in SECURING_KINDS
                and record.amount is not None):
            continue
        amount = float(record.amount)
        holders = sorted(cited_by.get(eid, ()))
        goods_seizure = record.kind == "seizure" and record.product is not None
        if record.currency != currency:
            rows.append({"evidence": eid, "kind": record.kind, "amount": amount,
                         "currency": record.currency,
                         "counted_as": "goods seized, other currency" if goods_seizure
                         else "other currency", "accounts": holders})
            continue
        if goods_seizure:
            goods += amount
            rows.append({"evidence": eid, "kind": record.kind, "amount": amount,
                         "currency": record.currency, "counted_as": "goods seized",
                         "accounts": holders})
            continue
        target = frozen if record.kind == "asset_freeze" else seized
        weights = [max(net.get(h, 0.0), 0.0) for h in holders]
        total = sum(weights)
        for holder, weight in zip(holders, weights):
            share = weight / total if total > 0 else 1.0 / len(holders)
            target[holder] += amount * share
        rows.append({"evidence": eid, "kind": record.kind, "amount": amount,
                     "currency": record.currency,
                     "counted_as": "frozen" if record.kind == "asset_freeze" else "seized",
                     "accounts": holders})
    return dict(frozen), dict(seized), rows, goods

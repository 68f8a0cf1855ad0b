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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import Case, Evidence, Record
from ..store.graph import CaseGraph, as_case_graph
from .reconcile import CONTROL_KINDS, ring_members

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
        ``counted_as`` ("frozen", "seized" or "goods seized"), ``accounts``.
    total_received : float
        Money the ring's accounts received from outside the ring (its gross takings).
    total_retained : float
        That minus what the ring paid outside (suppliers, freight): its estimated proceeds.
    total_secured : float
        Money frozen or seized (cash) in the ring's accounts.
    goods_seized : float
        Value of the goods seized (not money, not counted as secured).
    """

    persons: pd.DataFrame
    accounts: pd.DataFrame
    secured: pd.DataFrame
    total_received: float
    total_retained: float
    total_secured: float
    goods_seized: float

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
        return (f"Proceeds(received {self.total_received:,.0f}, retained "
                f"{self.total_retained:,.0f}, secured {self.total_secured:,.0f} "
                f"({self.share_secured:.0%}), goods seized {self.goods_seized:,.0f})")


def proceeds(graph: CaseGraph | Case) -> Proceeds:
    """Who received and kept the money, and how much of it is frozen or seized.

    Parameters
    ----------
    graph : CaseGraph or Case

    Returns
    -------
    Proceeds
        Per person and per account, the ring's totals, and the freezes and seizures.

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
    payments = [p for p in g.transactions(kind="payment") if p.amount is not None]
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

    frozen, seized, secured_rows, goods_seized = _securing(g, names, net)
    # Each freeze or cash seizure counts once, in full, when it sits with the ring; one that
    # no account cites cannot be placed, but the money is secured all the same.
    total_secured = sum(float(row["amount"]) for row in secured_rows
                        if row["counted_as"] != "goods seized"
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
        secured=pd.DataFrame(secured_rows, columns=["evidence", "kind", "amount", "counted_as",
                                                    "accounts"]),
        total_received=total_received, total_retained=total_received - total_paid_out,
        total_secured=total_secured, goods_seized=goods_seized,
    )


def _securing(g: CaseGraph, names: dict[str, str], net: dict[str, float]
              ) -> tuple[dict[str, float], dict[str, float], list[dict[str, Any]], float]:
    """Frozen and seized money per account, one row per freeze or seizure, goods seized."""
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
        if record.kind == "seizure" and record.product is not None:
            goods += amount
            rows.append({"evidence": eid, "kind": record.kind, "amount": amount,
                         "counted_as": "goods seized", "accounts": holders})
            continue
        target = frozen if record.kind == "asset_freeze" else seized
        weights = [max(net.get(h, 0.0), 0.0) for h in holders]
        total = sum(weights)
        for holder, weight in zip(holders, weights):
            share = weight / total if total > 0 else 1.0 / len(holders)
            target[holder] += amount * share
        rows.append({"evidence": eid, "kind": record.kind, "amount": amount,
                     "counted_as": "frozen" if record.kind == "asset_freeze" else "seized",
                     "accounts": holders})
    return dict(frozen), dict(seized), rows, goods

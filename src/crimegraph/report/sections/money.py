"""Money: where the payments went, goods set against money, and the proceeds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...analysis import proceeds, reconcile, trace_money
from ...plot import plot_money, plot_reconcile
from ..blocks import Note, Section, figure_from_axes
from ..support import Support
from ._tables import frame_table

__all__ = ["money_entries", "money_section"]

TOP = 10
"""Rows shown in the money tables."""


def money_entries(support: Support, currency: str | None = None) -> list[str]:
    """Accounts that pay but receive no payment: where money enters the case (in ``currency``
    only, when given)."""
    payers: dict[str, None] = {}
    payees: set[str] = set()
    for t in support.case.transactions:
        if t.kind == "payment" and currency in (None, t.currency):
            payers.setdefault(t.source)
            payees.add(t.target)
    return [account for account in payers if account not in payees]


def payment_currencies(support: Support) -> list[str]:
    """The currencies of the case's payments, most payments first (ties: the case's currency
    first, then by code)."""
    counts: dict[str, int] = {}
    for t in support.case.transactions:
        if t.kind == "payment":
            counts[t.currency] = counts.get(t.currency, 0) + 1
    home = support.case.currency
    return sorted(counts, key=lambda code: (-counts[code], code != home, code))


def money_section(support: Support) -> Section:
    """The money trail from where money enters, reconciliation, and who kept the proceeds.

    Amounts in different currencies are never added: with payments in several currencies,
    the trail is followed in each currency apart (most payments first), and goods against
    money and the proceeds are counted in one currency (see :func:`~crimegraph.reconcile`),
    the others named.
    """
    section = Section(
        "money", "Money",
        "Payments followed from the accounts where money enters the case (those that pay "
        "but receive nothing, usually the buyers), the goods each buyer received set "
        "against what it paid, and who received and kept the proceeds.")
    currencies = payment_currencies(support)
    if not currencies:
        section.blocks.append(Note("This case records no payments, so there is no money to "
                                   "follow.", empty=True))
        return section
    if len(currencies) > 1:
        section.blocks.append(Note(
            f"The payments are in {len(currencies)} currencies ({', '.join(currencies)}). "
            "Amounts in different currencies are never added: the money trail is followed in "
            "each currency apart, most payments first."))
    for code in currencies:
        _trail_blocks(section, support, code, several=len(currencies) > 1)
    _reconcile_blocks(section, support)
    _proceeds_blocks(section, support)
    return section


def _trail_blocks(section: Section, support: Support, code: str, *, several: bool) -> None:
    """The trail of the payments in one currency from the accounts where that money enters."""
    entries = money_entries(support, code)
    suffix = f" ({code})" if several else ""
    if not entries:
        section.blocks.append(Note(
            f"Every account that pays in {code} also receives payments in {code} (the money "
            "goes round in a circle), so no trail start is chosen; see the proceeds below."))
        return
    trail = trace_money(support.graph, entries, currency=code, attribution="proportional")
    call = (f"trace_money(graph, <{len(entries)} accounts that pay but receive nothing in "
            f"{code}>, currency={code!r}, attribution='proportional')")
    section.blocks.append(Note(
        f"The {code} trail from {len(entries)} paying account(s) "
        f"({', '.join(entries[:8])}{', …' if len(entries) > 8 else ''}): "
        f"{len(trail.nodes)} accounts, {len(trail.transactions)} payments, "
        f"{trail.total_amount:,.2f} {code} paid out by them."))
    section.blocks.append(figure_from_axes(
        plot_money(trail), title=f"The money trail{suffix}",
        alt=f"Payments in {code} from the paying accounts to the accounts that kept the money",
        made_from=f"{call}, drawn by plot_money: payers left, beneficiaries right, "
                  "line widths the money paid, orange boxes the money kept.",
        evidence=support.of([*trail.transactions, *trail.nodes])))
    balance = trail.balance().head(TOP)
    section.blocks.append(frame_table(
        balance, {"id": "Id", "name": "Name", "currency": "Currency",
                  "received": "Received", "paid_on": "Paid on", "retained": "Retained",
                  "attributed": "From the payers"},
        title=f"Who kept the money on the trail{suffix}",
        made_from=f"{call}.balance(), first {TOP} by money retained.",
        decimals={"received": 2, "paid_on": 2, "retained": 2, "attributed": 2},
        evidence=lambda row: support.of([str(row["id"])])))


def _left_out(frame: Any, amount: str) -> str:
    """Payments in other currencies in words, one currency at a time (never added up):
    "2 payment(s) in USD (1,500.00 USD)"."""
    counts = frame.groupby("currency", sort=True)[amount].agg(["count", "sum"])
    return "; ".join(f"{int(row['count'])} payment(s) in {other} ({row['sum']:,.2f} {other})"
                     for other, row in counts.iterrows())


def _reconcile_blocks(section: Section, support: Support) -> None:
    g = support.graph
    if not any(t.kind == "shipment" for t in support.case.transactions):
        section.blocks.append(Note("No shipments: there are no goods to set against the "
                                   "payments."))
        return
    result = reconcile(g)
    code = result.currency
    if len(result.other_currencies):
        section.blocks.append(Note(
            f"Goods against money is counted in {code}; payments in other currencies are "
            f"not matched to goods: {_left_out(result.other_currencies, 'amount')}."))
    persons = result.persons[~result.persons["within_ring"]]
    persons = persons[(persons["goods_value"] > 0) | (persons["money_without_goods"] > 0)]
    shipments = result.shipments
    payments = result.payments

    def backing(row: Mapping[str, Any]) -> list[str]:
        seller, buyer = str(row["seller"]), str(row["buyer"])
        sellers = result.parties.get(seller, [seller])
        buyers = result.parties.get(buyer, [buyer])
        ids = shipments[shipments["seller"].isin(sellers) & shipments["buyer"].isin(buyers)]
        paid = payments[payments["payer"].isin(buyers) & payments["payee"].isin(sellers)]
        return support.of([*ids["id"], *paid["id"]])

    table = frame_table(
        persons.sort_values(["gap", "seller", "buyer"], ascending=[False, True, True])
        .head(TOP),
        {"seller_name": "Seller", "buyer_name": "Buyer", "goods_value": "Goods",
         "paid": "Paid", "gap": "Gap", "unpaid_shipments": "Unpaid shipments",
         "money_without_goods": "Money without goods"},
        title=f"Goods against money ({code}), largest gaps first",
        made_from=f"reconcile(graph, window={_days(result.window)}).persons, counted in "
                  f"{code}: sellers and buyers "
                  f"as parties (people with the businesses they own or operate), trade within "
                  f"the ring left out; first {TOP} by gap.",
        decimals={"goods_value": 2, "paid": 2, "gap": 2, "money_without_goods": 2},
        evidence=backing)
    if table.rows:
        section.blocks.append(figure_from_axes(
            plot_reconcile(result), title=f"Goods against money ({code})",
            alt="Per buyer: value of goods received and money paid",
            made_from=f"plot_reconcile(reconcile(graph, window={_days(result.window)})): per "
                      "seller and buyer, the goods' value against the money paid.",
            evidence=table.evidence))
        section.blocks.append(table)


def _proceeds_blocks(section: Section, support: Support) -> None:
    result = proceeds(support.graph)
    persons = result.persons[result.persons["received"] != 0].head(TOP)
    code = result.currency
    other = result.other_currencies
    left_out = ""
    if len(other):
        parts = []
        for row in other.itertuples(index=False):
            money = [f"{int(row.payments)} payment(s) in {row.currency} "
                     f"({row.paid:,.2f} {row.currency})"] if row.payments else []
            money += [f"{value:,.2f} {row.currency} {what}" for value, what in (
                (row.secured, "secured"), (row.goods_seized, "of goods seized")) if value]
            parts.append(", ".join(money))
        left_out = (" Not counted (other currencies, never added): " + "; ".join(parts)
                    + "; count them with proceeds(graph, currency=...).")
    section.blocks.append(Note(
        f"Proceeds ({code}): {result.total_received:,.2f} {code} received by the "
        f"people of the case and their businesses, {result.total_retained:,.2f} {code} kept, "
        f"{result.total_secured:,.2f} {code} secured (frozen or seized, "
        f"{result.share_secured:.0%})." + left_out))
    if not persons.empty:
        section.blocks.append(frame_table(
            persons, {"person": "Id", "name": "Name", "status": "Status",
                      "received": "Received", "retained": "Retained", "frozen": "Frozen",
                      "unsecured": "Not secured"},
            title=f"Who profited ({code})",
            made_from=f"proceeds(graph).persons, first {TOP}: money received and kept by "
                      "each person directly and through the businesses they own or operate.",
            decimals={"received": 2, "retained": 2, "frozen": 2, "unsecured": 2},
            evidence=lambda row: support.of([str(row["person"])])))
    if not result.secured.empty:
        section.blocks.append(frame_table(
            result.secured, {"evidence": "Evidence", "kind": "Kind", "amount": "Amount",
                             "counted_as": "Counted as", "accounts": "Accounts"},
            title="Frozen and seized",
            made_from="proceeds(graph).secured: asset freezes and seizures recorded as "
                      "evidence.",
            decimals={"amount": 2},
            evidence=lambda row: [str(row["evidence"])]))


def _days(window: object) -> str:
    """A reconciliation window as the ``"60D"`` form ``reconcile`` accepts."""
    days = getattr(window, "days", None)
    seconds = getattr(window, "seconds", 0)
    if isinstance(days, int) and not seconds:
        return f"'{days}D'"
    return repr(window)

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


def money_entries(support: Support) -> list[str]:
    """Accounts that pay but receive no payment: where money enters the case."""
    payers: dict[str, None] = {}
    payees: set[str] = set()
    for t in support.case.transactions:
        if t.kind == "payment":
            payers.setdefault(t.source)
            payees.add(t.target)
    return [account for account in payers if account not in payees]


def money_section(support: Support) -> Section:
    """The money trail from where money enters, reconciliation, and who kept the proceeds."""
    g = support.graph
    section = Section(
        "money", "Money",
        "Payments followed from the accounts where money enters the case (those that pay "
        "but receive nothing, usually the buyers), the goods each buyer received set "
        "against what it paid, and who received and kept the proceeds.")
    payments = [t for t in support.case.transactions if t.kind == "payment"]
    if not payments:
        section.blocks.append(Note("This case records no payments, so there is no money to "
                                   "follow.", empty=True))
        return section
    entries = money_entries(support)
    if entries:
        trail = trace_money(g, entries, attribution="proportional")
        call = (f"trace_money(graph, <{len(entries)} accounts that pay but receive nothing>, "
                "attribution='proportional')")
        section.blocks.append(Note(
            f"The trail from {len(entries)} paying account(s) "
            f"({', '.join(entries[:8])}{', …' if len(entries) > 8 else ''}): "
            f"{len(trail.nodes)} accounts, {len(trail.transactions)} payments, "
            f"{trail.total_amount:,.2f} {support.case.currency} paid out by them."))
        section.blocks.append(figure_from_axes(
            plot_money(trail), title="The money trail",
            alt="Payments from the paying accounts to the accounts that kept the money",
            made_from=f"{call}, drawn by plot_money: payers left, beneficiaries right, "
                      "line widths the money paid, orange boxes the money kept.",
            evidence=support.of([*trail.transactions, *trail.nodes])))
        balance = trail.balance().head(TOP)
        section.blocks.append(frame_table(
            balance, {"id": "Id", "name": "Name", "currency": "Currency",
                      "received": "Received", "paid_on": "Paid on", "retained": "Retained",
                      "attributed": "From the payers"},
            title="Who kept the money on the trail",
            made_from=f"{call}.balance(), first {TOP} by money retained.",
            decimals={"received": 2, "paid_on": 2, "retained": 2, "attributed": 2},
            evidence=lambda row: support.of([str(row["id"])])))
    else:
        section.blocks.append(Note("Every paying account also receives payments (the money "
                                   "goes round in a circle), so no trail start is chosen; "
                                   "see the proceeds below."))
    _reconcile_blocks(section, support)
    _proceeds_blocks(section, support)
    return section


def _reconcile_blocks(section: Section, support: Support) -> None:
    g = support.graph
    if not any(t.kind == "shipment" for t in support.case.transactions):
        section.blocks.append(Note("No shipments: there are no goods to set against the "
                                   "payments."))
        return
    result = reconcile(g)
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
        title="Goods against money, largest gaps first",
        made_from=f"reconcile(graph, window={_days(result.window)}).persons: sellers and buyers "
                  f"as parties (people with the businesses they own or operate), trade within "
                  f"the ring left out; first {TOP} by gap.",
        decimals={"goods_value": 2, "paid": 2, "gap": 2, "money_without_goods": 2},
        evidence=backing)
    if table.rows:
        section.blocks.append(figure_from_axes(
            plot_reconcile(result), title="Goods against money",
            alt="Per buyer: value of goods received and money paid",
            made_from=f"plot_reconcile(reconcile(graph, window={_days(result.window)})): per "
                      "seller and buyer, the goods' value against the money paid.",
            evidence=table.evidence))
        section.blocks.append(table)


def _proceeds_blocks(section: Section, support: Support) -> None:
    result = proceeds(support.graph)
    persons = result.persons[result.persons["received"] != 0].head(TOP)
    section.blocks.append(Note(
        f"Proceeds ({support.case.currency}): {result.total_received:,.2f} received by the "
        f"people of the case and their businesses, {result.total_retained:,.2f} kept, "
        f"{result.total_secured:,.2f} secured (frozen or seized, "
        f"{result.share_secured:.0%})."))
    if not persons.empty:
        section.blocks.append(frame_table(
            persons, {"person": "Id", "name": "Name", "status": "Status",
                      "received": "Received", "retained": "Retained", "frozen": "Frozen",
                      "unsecured": "Not secured"},
            title="Who profited",
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

"""Transactions (shipments and payments) and relationships: the links of a case.

A :class:`Transaction` is a full record that is also an edge: goods move from ``source`` to
``target`` on a shipment, money moves from ``source`` to ``target`` on a payment. A
:class:`Relationship` is a tie between two entities (owns, employs, leads, calls...).

Timestamps accept dates and datetimes, with or without a UTC offset. Naive values stay naive on
a lone record; inside a :class:`~crimegraph.Case` they are read as the case's local time.

Examples
--------
>>> import crimegraph as cg
>>> t = cg.Transaction(id="T-1", kind="shipment", source="W-DEN-01", target="SHOP-17",
...                    timestamp="2024-03-01", product="P-MOBIL-5W30", quantity=120)
>>> t.currency, t.quantity
('CNY', 120.0)
>>> cg.Relationship(id="R-1", kind="calls", source="P-01", target="P-02", weight=37).weight
37.0
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from .entities import Record, Ref

__all__ = [
    "RELATIONSHIP_KINDS",
    "TRANSACTION_KINDS",
    "Relationship",
    "RelationshipKind",
    "Transaction",
    "TransactionKind",
]

TransactionKind = Literal["shipment", "payment"]
TRANSACTION_KINDS: tuple[str, ...] = TransactionKind.__args__  # type: ignore[attr-defined]

RelationshipKind = Literal[
    "owns", "operates", "employs", "leads", "family", "associate", "calls", "meets",
    "messages", "supplies", "rents", "transports", "shares_address", "same_as",
]
RELATIONSHIP_KINDS: tuple[str, ...] = RelationshipKind.__args__  # type: ignore[attr-defined]


_EDITS = [0]
"""How many times a field of any transaction was assigned after it was built."""


def transaction_edits() -> int:
    """A counter that changes whenever a field of a built transaction is assigned."""
    return _EDITS[0]


class Transaction(Record):
    """A shipment of goods or a payment of money from ``source`` to ``target`` at ``timestamp``.

    A shipment needs ``product`` and a positive ``quantity`` (``amount`` is its value, when
    known); a payment needs a positive ``amount`` in ``currency``.
    """

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        _EDITS[0] += 1  # columns read from transactions before this are stale

    kind: TransactionKind
    source: Ref
    target: Ref
    timestamp: _dt.datetime
    """When the goods or money moved; a bare date means local midnight."""
    product: Ref | None = None
    quantity: float | None = None
    amount: float | None = None
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    carrier: Ref | None = None
    """The logistics firm that carried a shipment, when known."""
    reference: str | None = None
    """Waybill, order or bank reference number."""

    @model_validator(mode="after")
    def _kind_rules(self) -> Transaction:
        # Fast path for the common, valid records (this runs once per transaction).
        if self.kind == "shipment":
            quantity, amount = self.quantity, self.amount
            if self.product and quantity is not None and quantity > 0 and (
                amount is None or amount >= 0
            ):
                return self
        elif self.amount is not None and self.amount > 0 and (
            self.quantity is None or self.quantity >= 0
        ):
            return self
        for field, message in transaction_rule_violations(
            self.kind, self.product, self.quantity, self.amount
        ):
            raise PydanticCustomError(
                "transaction_rule", "{field}: {message}", {"field": field, "message": message}
            )
        return self


def transaction_rule_violations(
    kind: object, product: object, quantity: object, amount: object
) -> list[tuple[str, str]]:
    """Every (field, message) that breaks the shipment/payment rules, for raw or parsed values."""
    found: list[tuple[str, str]] = []
    qty, amt = _as_float(quantity), _as_float(amount)
    if kind == "shipment":
        if product is None or product == "":
            found.append(("product", "a shipment must name the product it carried"))
        if quantity is None or (qty is not None and qty <= 0):
            found.append(("quantity", "a shipment needs a quantity greater than 0"))
        if amt is not None and amt < 0:
            found.append(("amount", "the value of a shipment cannot be negative"))
    elif kind == "payment":
        if amount is None or (amt is not None and amt <= 0):
            found.append(("amount", "a payment needs an amount greater than 0"))
        if qty is not None and qty < 0:
            found.append(("quantity", "a quantity cannot be negative"))
    return found


def _as_float(value: object) -> float | None:
    """The number in ``value`` (a number or numeric text), or None if it holds none."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


class Relationship(Record):
    """A tie between two entities: ``source`` owns, operates, employs, leads, calls... ``target``.

    ``weight`` is the tie strength (for example the number of calls); ``since`` and ``until``
    bound when the tie was observed.
    """

    kind: RelationshipKind
    source: Ref
    target: Ref
    weight: float | None = Field(default=None, ge=0)
    since: _dt.datetime | None = None
    until: _dt.datetime | None = None

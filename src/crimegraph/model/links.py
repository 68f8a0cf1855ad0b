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
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ._time import Moment
from .entities import Number, Record, Ref

__all__ = [
    "DECISION_ATTRIBUTES",
    "DECISION_KINDS",
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
    "messages", "supplies", "rents", "transports", "shares_address", "same_as", "not_same_as",
]
RELATIONSHIP_KINDS: tuple[str, ...] = RelationshipKind.__args__  # type: ignore[attr-defined]

DECISION_KINDS: tuple[str, ...] = ("same_as", "not_same_as")
"""Relationship kinds that record an identity decision: two records are one actor
(``same_as``) or two (``not_same_as``). They are no ties between actors."""

DECISION_ATTRIBUTES: tuple[str, ...] = ("decided_by", "decided_at", "reason")
"""Attributes of a decision link: who decided, when (ISO date or date and time) and why."""


class Transaction(Record):
    """A shipment of goods or a payment of money from ``source`` to ``target`` at ``timestamp``.

    A shipment needs ``product`` and a positive ``quantity`` (``amount`` is its value, when
    known); a payment needs a positive ``amount`` in ``currency``. ``source`` and ``target``
    differ: goods or money that stay put are no transaction.
    """

    kind: TransactionKind
    source: Ref
    target: Ref
    timestamp: Moment
    """When the goods or money moved; a bare date means local midnight."""
    product: Ref | None = None
    quantity: Number | None = None
    amount: Number | None = None
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    carrier: Ref | None = None
    """The logistics firm that carried a shipment, when known."""
    reference: str | None = None
    """Waybill, order or bank reference number."""

    def model_post_init(self, context: Any, /) -> None:
        """The kind rules, checked once when the transaction is made.

        A post-init hook rather than an "after" model validator: pydantic runs those again
        each time a made transaction is passed into a :class:`Case`, and a frozen record
        cannot have changed since.
        """
        self._kind_rules()

    def _kind_rules(self) -> Transaction:
        # Fast path for the common, valid records.
        if self.source == self.target:
            pass
        elif self.kind == "shipment":
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
            self.kind, self.product, self.quantity, self.amount, self.source, self.target
        ):
            raise PydanticCustomError(
                "transaction_rule", "{field}: {message}", {"field": field, "message": message}
            )
        return self


SELF_LOOP_MESSAGE = (
    "the target is the same as its source; goods or money that do not move between two "
    "records are no transaction"
)


def transaction_rule_violations(
    kind: object, product: object, quantity: object, amount: object,
    source: object = None, target: object = None,
) -> list[tuple[str, str]]:
    """Every (field, message) that breaks the shipment/payment rules, for raw or parsed values."""
    found: list[tuple[str, str]] = []
    if isinstance(source, str) and source == target:
        found.append(("target", SELF_LOOP_MESSAGE))
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
    except (ValueError, OverflowError):  # not a number, or an integer beyond any float
        return None


UNTIL_BEFORE_SINCE = "'until' is before 'since' ({since}); a tie cannot end before it begins"


class Relationship(Record):
    """A tie between two entities: ``source`` owns, operates, employs, leads, calls... ``target``.

    ``weight`` is the tie strength (for example the number of calls); ``since`` and ``until``
    bound when the tie was observed.
    """

    kind: RelationshipKind
    source: Ref
    target: Ref
    weight: Number | None = Field(default=None, ge=0)
    since: Moment | None = None
    until: Moment | None = None
    """Not before ``since`` (compared as instants once the case's time zone is known)."""

    @field_validator("until")
    @classmethod
    def _not_before_since(cls, until: _dt.datetime | None,
                          info: ValidationInfo) -> _dt.datetime | None:
        since = info.data.get("since")
        if (until is not None and since is not None
                and (since.tzinfo is None) == (until.tzinfo is None) and until < since):
            raise PydanticCustomError(
                "time_order", UNTIL_BEFORE_SINCE, {"since": since.isoformat()}
            )
        return until


    @model_validator(mode="after")
    def _decision_attributes(self) -> Relationship:
        """Who decided and when, on a ``same_as`` / ``not_same_as`` link, must be readable."""
        if self.kind not in DECISION_KINDS:
            return self
        attributes = self.attributes
        who = attributes.get("decided_by")
        if who is not None and (not isinstance(who, str) or not who.strip()):
            raise PydanticCustomError(
                "decision", "attributes.decided_by = {value}: name the analyst or the rule "
                "that decided, as text", {"value": repr(who)})
        when = attributes.get("decided_at")
        if when is not None:
            try:
                _dt.datetime.fromisoformat(str(when))
            except ValueError:
                raise PydanticCustomError(
                    "decision", "attributes.decided_at = {value} is no ISO date or date and "
                    "time (e.g. '2024-05-01T09:30:00+08:00')", {"value": repr(when)}) from None
        if self.kind == "not_same_as" and (who is None or when is None):
            raise PydanticCustomError(
                "decision", "a not_same_as link records a decision: it needs the attributes "
                "decided_by and decided_at", {})
        return self

"""The one-screen summary of a case: who, where, when, how much."""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ..model import Case, Evidence
from ..model._time import from_epoch_us, get_timezone, to_epoch_us
from ..model.registry import RECORD_TYPES, record_type

__all__ = ["COUNT_KEYS", "SUSPECT_STATUSES", "CaseSummary", "summarize"]

COUNT_KEYS: tuple[str, ...] = tuple(
    key for t in RECORD_TYPES
    for key in (("shipments", "payments") if t.section == "transactions" else (t.section,))
)
"""Keys of :attr:`CaseSummary.counts`: each section of the case (from the record-type
registry), with transactions counted as shipments and payments."""

SUSPECT_STATUSES = frozenset({"suspect", "arrested", "wanted"})
"""Person statuses counted as suspects."""


@dataclass(frozen=True)
class CaseSummary:
    """Counts by entity type, provinces, date range and totals of one case.

    Print it for a text report; in a notebook it shows as a table.
    """

    case_id: str
    title: str
    counts: dict[str, int]
    suspects: int
    statuses: dict[str, int]
    production_sites: int
    provinces: list[str]
    first_transaction: datetime | None
    last_transaction: datetime | None
    shipped: dict[str, float] = field(default_factory=dict)
    """Goods shipped, by product id."""
    shipped_by_unit: dict[str, float] = field(default_factory=dict)
    """Goods shipped, by the products' unit (``"units"`` for products that name none): the
    quantities of barrels and bottles are never added together."""
    shipment_value: float = 0.0
    """Total value of the shipments with a known amount in the case currency."""
    shipment_values: dict[str, float] = field(default_factory=dict)
    """Value of the shipments with a known amount, by currency (never summed across)."""
    payments: dict[str, float] = field(default_factory=dict)
    """Payments by currency."""
    frozen_funds: dict[str, float] = field(default_factory=dict)
    """Funds frozen (evidence of kind ``asset_freeze``), by currency."""
    seized_value: dict[str, float] = field(default_factory=dict)
    """Value of goods or cash seized (evidence of kind ``seizure``), by currency."""
    agencies: list[str] = field(default_factory=list)
    currency: str = "CNY"

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain data."""
        return asdict(self)

    def _persons_line(self) -> str:
        """E.g. ``29 (26 suspects: arrested 20, suspect 6; also witness 3)``."""
        suspects = [f"{k} {v}" for k, v in sorted(self.statuses.items())
                    if k in SUSPECT_STATUSES and v]
        others = [f"{k} {v}" for k, v in sorted(self.statuses.items())
                  if k not in SUSPECT_STATUSES and v]
        noun = "suspect" if self.suspects == 1 else "suspects"
        text = f"{self.counts.get('persons', 0)} ({self.suspects} {noun}"
        text += f": {', '.join(suspects)}" if suspects else ""
        text += f"; also {', '.join(others)}" if others else ""
        return text + ")"

    def rows(self) -> list[tuple[str, str]]:
        """The summary as (label, text) pairs, in the order it prints."""
        return self._lines()

    def _lines(self) -> list[tuple[str, str]]:
        c = self.counts
        period = "-"
        if self.first_transaction and self.last_transaction:
            period = f"{self.first_transaction:%Y-%m-%d} to {self.last_transaction:%Y-%m-%d}"
        money = _money
        return [
            ("Case", f"{self.case_id} - {self.title}" if self.title else self.case_id),
            ("Persons", self._persons_line()),
            ("Organizations", str(c.get("organizations", 0))),
            (_PREMISES, f"{c.get('warehouses', 0)} ({self.production_sites} production "
                         f"site{'' if self.production_sites == 1 else 's'})"),
            ("Products", str(c.get("products", 0))),
            ("Shipments", str(c.get("shipments", 0))),
            ("Payments", str(c.get("payments", 0))),
            ("Relationships", str(c.get("relationships", 0))),
            ("Evidence", f"{c.get('evidence', 0)} from {len(self.agencies)} agencies"),
            ("Provinces", f"{len(self.provinces)}: " + ", ".join(self.provinces)),
            ("Period", period),
            ("Goods shipped", _quantities(self.shipped_by_unit)),
            ("Shipment value", money(self.shipment_values)),
            ("Payments total", money(self.payments)),
            ("Funds frozen", money(self.frozen_funds)),
            ("Seized value", money(self.seized_value)),
        ]

    def __str__(self) -> str:
        lines = self._lines()
        width = max(len(label) for label, _ in lines)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
            for label, value in self._lines()
        )
        return f"<table>{rows}</table>"


_PREMISES = record_type("warehouses").word.capitalize()


def _quantities(by_unit: dict[str, float]) -> str:
    """E.g. ``180,000 barrel, 2.5 tonne``; ``0 units`` when nothing was shipped."""
    shown = [f"{value:,.2f}".rstrip("0").rstrip(".") + f" {unit}"
             for unit, value in sorted(by_unit.items()) if value]
    return ", ".join(shown) if shown else "0 units"


def _money(amounts: dict[str, float]) -> str:
    shown = [f"{value:,.2f} {currency}" for currency, value in sorted(amounts.items()) if value]
    return ", ".join(shown) if shown else "-"


def summarize(case: Case) -> CaseSummary:
    """Compute the :class:`CaseSummary` of a case.

    Examples
    --------
    >>> import crimegraph as cg
    >>> s = cg.store.summarize(cg.load_example("fake_liquor"))
    >>> s.suspects
    9
    """
    shipped: dict[str, float] = defaultdict(float)
    paid: dict[str, float] = defaultdict(float)
    value: dict[str, float] = defaultdict(float)
    counts = {"shipments": 0, "payments": 0}
    for t in case.transactions:
        if t.kind == "shipment":
            counts["shipments"] += 1
            shipped[t.product or "?"] += t.quantity or 0.0
            if t.amount is not None:
                value[t.currency] += t.amount
        else:
            counts["payments"] += 1
            paid[t.currency] += t.amount or 0.0
    times = [to_epoch_us(t.timestamp) for t in case.transactions]
    return build_summary(
        case, counts={key: counts[key] if key in counts else len(getattr(case, key))
                      for key in COUNT_KEYS},
        statuses=Counter(p.status for p in case.persons),
        production_sites=sum(1 for w in case.warehouses if "production" in w.uses),
        provinces={n.province for n in case.nodes if n.province},
        first_us=min(times) if times else None, last_us=max(times) if times else None,
        shipped=shipped, shipment_value=value, payments=paid, evidence=case.evidence,
        units={p.id: p.unit for p in case.products},
    )


def build_summary(
    case: Case, *, counts: dict[str, int], statuses: Counter[str], production_sites: int,
    provinces: Iterable[str], first_us: int | None, last_us: int | None,
    shipped: dict[str, float], shipment_value: dict[str, float], payments: dict[str, float],
    evidence: Iterable[Evidence], units: dict[str, str | None],
) -> CaseSummary:
    """A :class:`CaseSummary` from figures a store has aggregated (money rounded to cents;
    ``shipment_value`` and ``payments`` by currency; ``units``: each product's unit).

    ``case`` only needs its case-level fields (id, title, time zone, currency).
    """
    frozen: dict[str, float] = defaultdict(float)
    seized: dict[str, float] = defaultdict(float)
    agencies: set[str] = set()
    for ev in evidence:
        if ev.agency:
            agencies.add(ev.agency)
        if ev.amount is None:
            continue
        if ev.kind == "asset_freeze":
            frozen[ev.currency] += ev.amount
        elif ev.kind == "seizure":
            seized[ev.currency] += ev.amount
    by_unit: dict[str, float] = defaultdict(float)
    for product, quantity in shipped.items():
        by_unit[units.get(product) or "units"] += quantity
    tz = get_timezone(case.timezone)

    def money(values: dict[str, float]) -> dict[str, float]:
        return {key: round(value, 2) for key, value in sorted(values.items())}

    return CaseSummary(
        case_id=case.id,
        title=case.title,
        counts=counts,
        suspects=sum(statuses[s] for s in SUSPECT_STATUSES),
        statuses=dict(sorted(statuses.items())),
        production_sites=production_sites,
        provinces=sorted(set(provinces)),
        first_transaction=None if first_us is None else from_epoch_us(first_us, tz),
        last_transaction=None if last_us is None else from_epoch_us(last_us, tz),
        shipped={key: round(value, 6) for key, value in sorted(shipped.items())},
        shipped_by_unit={key: round(value, 6) for key, value in sorted(by_unit.items())},
        shipment_value=round(shipment_value.get(case.currency, 0.0), 2),
        shipment_values=money(shipment_value),
        payments=money(payments),
        frozen_funds=money(frozen),
        seized_value=money(seized),
        agencies=sorted(agencies),
        currency=case.currency,
    )

"""The case summary, aggregated in the database: counts, statuses, totals and time span come
back as a few grouped rows, and only the evidence records themselves are pulled."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from ...model import Case, Evidence, Product
from ...model.registry import NODE_SECTIONS
from ..summary import COUNT_KEYS, CaseSummary, build_summary
from . import cypher

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["summarize"]


def summarize(store: Connection) -> CaseSummary:
    """The case summary, aggregated in the database (no records are pulled but evidence and
    products)."""
    ck = store.ck
    with store._errors(f"summarizing case {store._case_id!r}"):
        info, nodes, txs, rels, evidence, products = store._read_case(
            (cypher.CASE_INFO, {"id": store._case_id}),
            (cypher.SUMMARY_NODES, {"ck": ck}),
            (cypher.SUMMARY_TRANSACTIONS, {"ck": ck}),
            (cypher.SUMMARY_RELATIONSHIPS, {"ck": ck}),
            (cypher.EVIDENCE_RECORDS, {"ck": ck}),
            (cypher.PRODUCT_RECORDS, {"ck": ck}))
    counts = dict.fromkeys(COUNT_KEYS, 0)
    statuses: Counter[str] = Counter()
    provinces: set[str] = set()
    production = 0
    for row in nodes:
        counts[row["section"]] += row["n"]
        if row["section"] == "persons":
            statuses[row["status"]] += row["n"]
        if row["province"] and row["section"] in NODE_SECTIONS:
            provinces.add(row["province"])
        if row["section"] == "warehouses" and "production" in (row["uses"] or "").split(","):
            production += row["n"]
    shipped: dict[str, float] = {}
    paid: dict[str, float] = {}
    value: dict[str, float] = {}
    firsts, lasts = [], []
    for row in txs:
        counts["shipments" if row["kind"] == "shipment" else "payments"] += row["n"]
        firsts.append(row["first"])
        lasts.append(row["last"])
        if row["kind"] == "shipment":
            shipped[row["product"]] = shipped.get(row["product"], 0.0) + row["quantity"]
            if row["priced"]:  # shipments of unknown value give no total (as in memory)
                value[row["currency"]] = value.get(row["currency"], 0.0) + row["amount"]
        else:
            paid[row["currency"]] = paid.get(row["currency"], 0.0) + (row["amount"] or 0.0)
    counts["relationships"] = rels[0]["n"] if rels else 0
    return build_summary(
        Case.model_validate(json.loads(info[0]["record"])), counts=counts,
        statuses=statuses, production_sites=production, provinces=provinces,
        first_us=min(firsts) if firsts else None, last_us=max(lasts) if lasts else None,
        shipped=shipped, shipment_value=value, payments=paid,
        evidence=[Evidence.model_validate_json(row["record"]) for row in evidence],
        units={p.id: p.unit for p in
               (Product.model_validate_json(row["record"]) for row in products)},
    )

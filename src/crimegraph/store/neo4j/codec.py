"""Records <-> Neo4j properties: the rows the loader writes, and records rebuilt from what a
query returns.

Nodes keep their record's JSON (lossless) beside properties for Cypher users and indexes. A
plain link (see :func:`is_plain`) is stored as its properties alone; any other also carries
its JSON. See :mod:`crimegraph.store.neo4j.cypher` for the layout.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from operator import attrgetter
from typing import Any

from ...model import Record, Relationship, Transaction
from ...model._time import from_epoch_us, to_epoch_us
from ...model.projection import entity_type
from ...model.registry import NODE_SECTIONS, RECORD_TYPES, record_type
from . import cypher

__all__ = ["is_plain", "link_columns", "link_data", "node_row", "parse", "parse_link"]

_MODELS: dict[str, type[Record]] = {t.section: t.cls for t in RECORD_TYPES}


def parse(section: str, record: str) -> Record:
    return _MODELS[section].model_validate_json(record)


_PLAIN_FIELDS = {
    "transactions": ("id", "product", "quantity", "amount", "currency", "carrier"),
    "relationships": ("id", "weight"),
}
_PLAIN_TIMES = {"transactions": (("ts", "timestamp"),),
                "relationships": (("since", "since"), ("until", "until"))}


def link_data(row: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    """A link's fields from a row of a query returning :data:`cypher.LINK_FIELDS`."""
    if row["record"] is not None:
        return dict(json.loads(row["record"]))
    plain, section = row["plain"], row["section"]
    props = plain["props"]
    data = {"source": plain["source"], "target": plain["target"], "kind": plain["kind"]}
    for name in _PLAIN_FIELDS[section]:
        if props.get(name) is not None:
            data[name] = props[name]
    for prop, name in _PLAIN_TIMES[section]:
        if props.get(prop) is not None:
            data[name] = from_epoch_us(props[prop], tz)
    return data


def parse_link(row: dict[str, Any], tz: tzinfo) -> Record:
    if row["record"] is not None:
        return parse(row["section"], row["record"])
    return _MODELS[row["section"]].model_validate(link_data(row, tz))


def is_plain(record: Transaction | Relationship, tz: tzinfo) -> bool:
    """Whether the link's properties say all there is to it (see :data:`cypher.LINK_FIELDS`)."""
    if record.notes is not None or record.evidence or record.attributes:
        return False
    if isinstance(record, Transaction):
        if record.reference is not None:
            return False
        times = [record.timestamp]
    else:
        times = [t for t in (record.since, record.until) if t is not None]
    return all(_rebuilds(t, tz) for t in times)


def _rebuilds(moment: datetime, tz: tzinfo) -> bool:
    """Whether ``moment`` comes back unchanged from its epoch microseconds in ``tz``.

    Not when its offset is another one than the zone's at that instant, nor for a wall time
    the zone skips (a daylight-saving gap), nor for an offset with seconds (old local mean
    times, which an ISO text cannot carry).
    """
    offset = moment.utcoffset()
    back = from_epoch_us(to_epoch_us(moment), tz)
    return (offset is not None and offset == back.utcoffset()
            and back.replace(tzinfo=None) == moment.replace(tzinfo=None)
            and offset.seconds % 60 == 0 and offset.microseconds == 0)


def node_row(record: Record, section: str, seq: int, ck: str, case_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ck": ck, "case_id": case_id, "id": record.id, "seq": seq, "section": section,
        "record": record.model_dump_json(exclude_defaults=True),
        "name": getattr(record, "name", None),
        "evidence": list(record.evidence),
    }
    if section in NODE_SECTIONS:
        row["type"] = entity_type(record)  # type: ignore[arg-type]
        for name in ("province", "city", "role", "status", "kind"):
            value = getattr(record, name, None)
            if value is not None:
                row[name] = value
        uses = getattr(record, "uses", None)
        if uses:
            row["uses"] = ",".join(uses)
    else:
        row["type"] = record_type(section).label.lower()
        kind = getattr(record, "kind", None)
        if kind is not None:
            row["kind"] = kind
    return {key: value for key, value in row.items() if value is not None}


def link_columns(records: list[Any], section: str, tz: tzinfo) -> dict[str, list[Any]]:
    """One batch of links as parameter columns (see :func:`cypher.create_links`).

    A plain link (see :func:`is_plain`) is its properties; any other also carries its JSON.
    """
    ids, sources, targets = zip(*map(attrgetter("id", "source", "target"), records))
    columns: dict[str, list[Any]] = {
        "id": list(ids), "source": list(sources), "target": list(targets),
        "record": [None if is_plain(record, tz)
                   else record.model_dump_json(exclude_defaults=True) for record in records],
    }
    names = cypher.LINK_COLUMNS[section]
    if section == "transactions":
        stamps, *rest = zip(*map(attrgetter("timestamp", *names[1:]), records))
        columns["ts"] = list(map(to_epoch_us, stamps))
        columns.update(zip(names[1:], map(list, rest)))
        columns["currency"] = [None if c == "CNY" else c for c in columns["currency"]]
    else:
        weights, since, until = zip(*map(attrgetter(*names), records))
        columns["weight"] = list(weights)
        columns["since"] = [None if t is None else to_epoch_us(t) for t in since]
        columns["until"] = [None if t is None else to_epoch_us(t) for t in until]
    return columns

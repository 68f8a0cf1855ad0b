"""Transactions and relationships built straight from columns, checked column by column.

An export of a million waybills makes a million shipments. Handing each to Pydantic as a dict
costs a dict per row to build and a validation per row to run. Here the records of a section
stay as columns (one list per field, ``None`` where blank) from the merge to the case: every
column is checked at once against the rules the model would apply (:func:`links_valid`), and
when all hold, each record is made directly from its row of values (:func:`build_links`).
When any value would break a rule, the caller validates record by record instead, so that the
model names the value and the row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from types import GetSetDescriptorType, MemberDescriptorType
from typing import Any

import numpy as np
import pandas as pd

from ...model.entities import INT64_RANGE, Record
from ...model.links import RELATIONSHIP_KINDS, TRANSACTION_KINDS, Relationship, Transaction

__all__ = ["Links", "build_links", "columns_valid", "dicts_valid", "links_valid", "plain_values"]

_MAX_ID = 200
_CURRENCY = re.compile(r"[A-Z]{3}")
_FIRST_YEAR, _LAST_YEAR = 1900, 2199
_ATTRIBUTE_TYPES = frozenset({str, int, float, bool, type(None)})


@dataclass
class Links:
    """The transactions or relationships of one section, as columns.

    Each list has one value per record, ``None`` where the record has no value. ``fields`` are
    the model's fields (in the order the mapping gave them), ``attributes`` the attribute
    columns (a record's ``attributes`` holds its values that are not None, then ``rows``), and
    ``evidence`` the one evidence id of each record.
    """

    ids: list[Any]
    fields: dict[str, list[Any]]
    attributes: dict[str, list[Any]]
    rows: list[str]
    evidence: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def dicts(self) -> list[dict[str, Any]]:
        """The records as dicts of their values (the form Pydantic validates)."""
        out: list[dict[str, Any]] = []
        names, columns = list(self.fields), list(self.fields.values())
        attr_names, attr_columns = list(self.attributes), list(self.attributes.values())
        for position, rid in enumerate(self.ids):
            record: dict[str, Any] = {name: column[position]
                                      for name, column in zip(names, columns)
                                      if column[position] is not None}
            record["id"] = rid
            attributes = {name: column[position]
                          for name, column in zip(attr_names, attr_columns)
                          if column[position] is not None}
            attributes["rows"] = self.rows[position]
            record["attributes"] = attributes
            record["evidence"] = [self.evidence[position]]
            out.append(record)
        return out

    def take(self, keep: np.ndarray) -> Links:
        """The records where ``keep`` is True."""
        where = np.flatnonzero(keep)

        def pick(values: list[Any]) -> list[Any]:
            return np.asarray(values, dtype=object)[where].tolist() if len(values) else []

        return Links(pick(self.ids), {k: pick(v) for k, v in self.fields.items()},
                     {k: pick(v) for k, v in self.attributes.items()}, pick(self.rows),
                     pick(self.evidence))

    def refers_to(self, ids: set[str]) -> np.ndarray:
        """True for records whose source, target, product or carrier is one of ``ids``."""
        hit = np.zeros(len(self), dtype=bool)
        for name in ("source", "target", "product", "carrier"):
            if name in self.fields:
                hit |= pd.Series(self.fields[name], dtype=object).isin(ids).to_numpy(dtype=bool)
        return hit


def plain_values(values: np.ndarray) -> list[Any]:
    """Values as a list of plain Python objects (numpy scalars made plain, times as ISO
    text), for attributes; None stays None."""
    out: list[Any] = values.tolist()
    if set(map(type, out)) <= _ATTRIBUTE_TYPES:
        return out
    return [plain(value) for value in out]


def plain(value: Any) -> Any:
    """An attribute value the model accepts (numpy scalars and times made plain)."""
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# -- checks, column by column -----------------------------------------------------------------
def _present(values: Sequence[Any]) -> Sequence[Any]:
    """The values that are not None (``values`` itself when none is: no copy)."""
    if isinstance(values, list) and None not in values:  # (a C loop)
        return values
    return [value for value in values if value is not None]


def _texts(values: Sequence[Any], *, required: bool, ident: bool = False) -> bool:
    """Ids and references: text of 1-200 visible characters (no control, format, private-use,
    surrogate or separator character; an id also no space at either end)."""
    present = _present(values)
    if len(present) != len(values) and required:
        return False
    if not present:
        return True
    if not set(map(type, present)) <= {str}:
        return False
    if not ident:  # references repeat: each is looked at once (ids are one per record)
        distinct = set(present)
        if len(distinct) < len(present) // 2:
            present = list(distinct)
    lengths = list(map(len, present))
    if min(lengths) < 1 or max(lengths) > _MAX_ID:
        return False
    if not "".join(present).isprintable():
        return False
    if not ident:
        return True
    # A space at either end of an id: the ids are printable (no line break), so in the joined
    # text it is a space next to a line break or at an end of the text.
    joined = "\n".join(present)
    return not (joined.startswith(" ") or joined.endswith(" ") or " \n" in joined
                or "\n " in joined)


def _moments(values: Sequence[Any], *, required: bool) -> bool:
    """Datetimes whose year is in the supported range."""
    present = _present(values)
    if len(present) != len(values) and required:
        return False
    if not present:
        return True
    if not set(map(type, present)) <= {datetime}:
        return False
    years: list[int] = list(map(attrgetter("year"), present))
    return min(years) >= _FIRST_YEAR and max(years) <= _LAST_YEAR


def _numbers(values: Sequence[Any]) -> np.ndarray | None:
    """Finite floats (NaN where None) or None if any value is something else."""
    present = _present(values)
    if present and not set(map(type, present)) <= {float}:
        return None
    numbers = np.array(values, dtype=float)  # None -> NaN
    if np.isfinite(numbers).sum() != len(present):
        return None
    return numbers


def _optional_texts(values: Sequence[Any]) -> bool:
    return set(map(type, values)) <= {str, type(None)}


def _attributes_ok(values: Sequence[Any]) -> bool:
    """Attribute values: text, a 64-bit integer, a finite float, a boolean or None."""
    types = set(map(type, values))
    if not types <= _ATTRIBUTE_TYPES:
        return False
    if float in types and not all(math.isfinite(v) for v in values if type(v) is float):
        return False
    low, high = INT64_RANGE
    return int not in types or all(low <= v <= high for v in values if type(v) is int)


def links_valid(model: type[Record], links: Links) -> bool:
    """True when every record would pass the model's validation (types, finite numbers, ids,
    kinds, times in range, the shipment/payment rules, ties that end after they begin)."""
    n = len(links)
    if not all(len(column) == n for column in (links.rows, links.evidence,
                                               *links.fields.values(),
                                               *links.attributes.values())):
        return False
    return columns_valid(model, links.ids, links.fields, [*links.attributes.values(),
                                                          links.rows],
                         list(dict.fromkeys(links.evidence)))


def dicts_valid(model: type[Record], items: list[dict[str, Any]]) -> bool:
    """:func:`links_valid` for records given as dicts (the merged ones)."""
    names: dict[str, None] = {}
    for record in items:
        names.update(dict.fromkeys(record))
        if any(value is None for value in record.values()):
            return False
    if items and "id" not in names:
        return False
    attributes = [record.get("attributes", {}) for record in items]
    evidence = [record.get("evidence", []) for record in items]
    if not (set(map(type, attributes)) <= {dict} and set(map(type, evidence)) <= {list}):
        return False
    fields = {name: [record.get(name) for record in items] for name in names
              if name not in ("id", "attributes", "evidence")}
    values = [value for attrs in attributes for value in attrs.values()]
    refs = list(dict.fromkeys(ref for refs in evidence for ref in refs))
    if not all(type(key) is str for attrs in attributes for key in attrs):
        return False
    return columns_valid(model, [record.get("id") for record in items], fields, [values], refs)


def columns_valid(model: type[Record], ids: Sequence[Any], fields: dict[str, list[Any]],
                  attributes: Sequence[Sequence[Any]], evidence: Sequence[Any]) -> bool:
    """The checks of :func:`links_valid`: ``fields`` are columns of one value per record,
    ``attributes`` columns of attribute values and ``evidence`` the evidence ids used."""
    kinds: tuple[str, ...]
    refs: tuple[str, ...]
    required: tuple[str, ...]
    times: tuple[str, ...]
    numbers: tuple[str, ...]
    texts: tuple[str, ...]
    if model is Transaction:
        kinds, refs = TRANSACTION_KINDS, ("source", "target", "product", "carrier")
        required = ("kind", "source", "target", "timestamp")
        times, numbers, texts = ("timestamp",), ("quantity", "amount"), ("reference", "notes")
    elif model is Relationship:
        kinds, refs = RELATIONSHIP_KINDS, ("source", "target")
        required = ("kind", "source", "target")
        times, numbers, texts = ("since", "until"), ("weight",), ("notes",)
    else:
        return False
    known = {"kind", "currency", *refs, *times, *numbers, *texts}
    if not set(fields) <= known or not all(name in fields for name in required):
        return False
    n = len(ids)
    if not _texts(ids, required=True, ident=True):
        return False
    if not (set(map(type, fields["kind"])) <= {str} and set(fields["kind"]) <= set(kinds)):
        return False
    for name in refs:
        if name in fields and not _texts(fields[name], required=name in required):
            return False
    for name in times:
        if name in fields and not _moments(fields[name], required=name in required):
            return False
    for name in texts:
        if name in fields and not _optional_texts(fields[name]):
            return False
    if "currency" in fields:
        currencies = fields["currency"]
        if not (set(map(type, currencies)) <= {str}
                and all(_CURRENCY.fullmatch(c) for c in set(currencies))):
            return False
    if not _texts(evidence, required=True):
        return False
    if not all(_attributes_ok(column) for column in attributes):
        return False
    nan = np.full(n, np.nan)
    parsed: dict[str, np.ndarray] = {}
    for name in numbers:
        if name in fields:
            got = _numbers(fields[name])
            if got is None:
                return False
            parsed[name] = got
    if model is Transaction:
        source = np.asarray(fields["source"], dtype=object)
        if (source == np.asarray(fields["target"], dtype=object)).any():
            return False
        return _transaction_rules(np.asarray(fields["kind"], dtype=object),
                                  fields.get("product"), parsed.get("quantity", nan),
                                  parsed.get("amount", nan))
    weight = parsed.get("weight", nan)
    if (weight < 0).any():
        return False
    since, until = fields.get("since"), fields.get("until")
    if since is None or until is None:
        return True
    return not any(u < s for s, u in zip(since, until)
                   if s is not None and u is not None and (s.tzinfo is None) == (u.tzinfo is None))


def _transaction_rules(kind: np.ndarray, product: list[Any] | None, quantity: np.ndarray,
                       amount: np.ndarray) -> bool:
    """A shipment names its product and has a quantity > 0 and a value >= 0 (if any); a
    payment has an amount > 0 and a quantity >= 0 (if any). NaN stands for a blank."""
    with np.errstate(invalid="ignore"):
        shipment = kind == "shipment"
        if shipment.any():
            if product is None or (None in product and any(
                    p is None for p in np.asarray(product, dtype=object)[shipment])):
                return False
            if not (quantity[shipment] > 0).all() or (amount[shipment] < 0).any():
                return False
        payment = ~shipment
        if payment.any() and (not (amount[payment] > 0).all()
                              or (quantity[payment] < 0).any()):
            return False
    return True


# -- building ---------------------------------------------------------------------------------
def build_links(model: type[Record], links: Links) -> list[Any]:
    """The records of ``links`` made without validating them again (as ``model_construct``
    does): call only when :func:`links_valid` holds.

    Records that leave the same fields blank share one ``__pydantic_fields_set__`` (records are
    frozen: nothing changes it in place, and a copy gets its own).
    """
    n = len(links)
    if n == 0:
        return []
    field_names = list(links.fields)
    columns = list(links.fields.values())
    attr_names = list(links.attributes)
    # Which fields each record sets: one code per pattern of blanks.
    code = np.zeros(n, dtype=np.int64)
    optional: list[int] = []
    for position, column in enumerate(columns):
        if None not in column:
            continue
        blank = np.asarray(column, dtype=object) == None  # noqa: E711 - elementwise
        if blank.any():
            code |= blank.astype(np.int64) << len(optional)
            optional.append(position)
    always = {"id", "attributes", "evidence"}
    sets: dict[int, set[str]] = {}
    for value in np.unique(code).tolist():
        blanks = {field_names[optional[bit]] for bit in range(len(optional)) if value >> bit & 1}
        sets[value] = always | (set(field_names) - blanks)
    make = _maker(model, field_names, attr_names, sets)
    return list(map(make, links.ids, *columns, *links.attributes.values(), links.rows,
                    links.evidence, code.tolist()))


def _maker(model: type[Record], field_names: list[str], attr_names: list[str],
           sets: dict[int, set[str]]) -> Callable[..., Any]:
    """A function making one record from its row of values (generated once per call, so that
    each record costs one call: the field names are fixed for the whole section)."""
    args = ["rid", *(f"f{i}" for i in range(len(field_names))),
            *(f"a{i}" for i in range(len(attr_names))), "rows", "ev", "code"]
    lines = [f"def make({', '.join(args)}):", "    attributes = {}"]
    for i in range(len(attr_names)):
        lines.append(f"    if a{i} is not None: attributes[ATTR[{i}]] = a{i}")
    lines.append("    attributes['rows'] = rows")
    namespace: dict[str, Any] = {"ATTR": tuple(attr_names), "SETS": sets, "MODEL": model,
                                 "new": model.__new__}
    for slot in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__",
                 "__pydantic_private__"):
        namespace["set" + slot] = _slot_setter(model, slot)
    items: list[str] = []
    for name, info in model.model_fields.items():
        if name == "id":
            value = "rid"
        elif name == "attributes":
            value = "attributes"
        elif name == "evidence":
            value = "[ev]"
        elif name in field_names:
            value = f"f{field_names.index(name)}"
            if info.default is not None and not info.is_required():
                namespace[f"D_{name}"] = info.default
                value = f"({value} if {value} is not None else D_{name})"
        elif info.default_factory is not None:
            namespace[f"F_{name}"] = info.default_factory
            value = f"F_{name}()"
        else:
            namespace[f"D_{name}"] = info.default
            value = f"D_{name}"
        items.append(f"{name!r}: {value}")
    lines += ["    record = new(MODEL)",
              f"    set__dict__(record, {{{', '.join(items)}}})",
              "    set__pydantic_fields_set__(record, SETS[code])",
              "    set__pydantic_extra__(record, None)",
              "    set__pydantic_private__(record, None)",
              "    return record"]
    exec("\n".join(lines), namespace)  # field names and constants only, never data
    return namespace["make"]  # type: ignore[no-any-return]


def _slot_setter(model: type[Record], name: str) -> Callable[[Any, Any], None]:
    """What ``object.__setattr__(record, name, value)`` does, without looking the slot up each
    time: the descriptor of the slot (or of ``__dict__``) that the model's classes define."""
    for klass in model.__mro__:
        descriptor = klass.__dict__.get(name)
        if isinstance(descriptor, (MemberDescriptorType, GetSetDescriptorType)):
            return descriptor.__set__

    def set_(record: Any, value: Any) -> None:
        object.__setattr__(record, name, value)

    return set_

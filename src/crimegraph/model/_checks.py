"""Case-wide checks that find every problem at once.

The checks run on raw input (dicts from a JSON file, possibly malformed) as well as on validated
models, so that a case with a type error in one record and a dangling reference in another gets
one error naming both.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ..errors import Problem
from .entities import INVISIBLE_CATEGORIES
from .links import transaction_rule_violations
from .registry import NODE_SECTIONS, RECORD_TYPES, SECTIONS

__all__ = ["find_problems", "id_flaw", "problems_from_validation_error"]

_SINGULAR = {t.section: t.article for t in RECORD_TYPES}


def _get(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _items(data: Any, section: str) -> Sequence[Any]:
    value = _get(data, section)
    if isinstance(value, (list, tuple)):
        return value
    return ()


def _record_id(item: Any) -> str | None:
    value = _get(item, "id")
    return value if isinstance(value, str) else None


def find_problems(data: Any) -> list[Problem]:
    """Every duplicate id, dangling reference and shipment/payment rule broken in ``data``.

    ``data`` is a mapping shaped like a case file or a :class:`~crimegraph.Case`. Values that
    are of the wrong type are skipped here: field validation reports them.
    """
    problems: list[Problem] = []
    owner: dict[str, tuple[str, int]] = {}
    for section in SECTIONS:
        for index, item in enumerate(_items(data, section)):
            rid = _record_id(item)
            if rid is None:
                continue
            if rid in owner:
                first_section, first_index = owner[rid]
                problems.append(Problem(
                    section, index, rid, "id", rid,
                    f"duplicate id; already used by {first_section}[{first_index}]",
                ))
            else:
                owner[rid] = (section, index)

    def kind_of(ref: str) -> str | None:
        hit = owner.get(ref)
        return hit[0] if hit else None

    def check_ref(
        section: str, index: int, rid: str | None, field: str, ref: Any,
        allowed: Iterable[str], what: str,
    ) -> None:
        if not isinstance(ref, str):
            return
        found = kind_of(ref)
        flaw = id_flaw(ref) if found is None else None
        allowed = tuple(allowed)
        if found in allowed:
            return
        if flaw is not None:
            message = f"unknown {what} id: it {flaw}"
        elif found is None:
            message = f"unknown {what} id; no record of the case has this id"
        else:
            article = "an" if what[0] in "aeiou" else "a"
            message = f"{ref!r} is {_SINGULAR[found]}, not {article} {what}"
        problems.append(Problem(section, index, rid, field, ref, message))

    node_what = "person, organization or premises"
    for index, tx in enumerate(_items(data, "transactions")):
        rid = _record_id(tx)
        for field in ("source", "target"):
            check_ref("transactions", index, rid, field, _get(tx, field), NODE_SECTIONS, node_what)
        product = _get(tx, "product")
        if product is not None:
            check_ref("transactions", index, rid, "product", product, ("products",), "product")
        carrier = _get(tx, "carrier")
        if carrier is not None:
            check_ref("transactions", index, rid, "carrier", carrier, NODE_SECTIONS, node_what)
        for field, message in transaction_rule_violations(
            _get(tx, "kind"), product, _get(tx, "quantity"), _get(tx, "amount"),
            _get(tx, "source"), _get(tx, "target"),
        ):
            problems.append(Problem("transactions", index, rid, field, _get(tx, field), message))

    for index, rel in enumerate(_items(data, "relationships")):
        rid = _record_id(rel)
        for field in ("source", "target"):
            check_ref(
                "relationships", index, rid, field, _get(rel, field), NODE_SECTIONS, node_what
            )

    for index, ev in enumerate(_items(data, "evidence")):
        product = _get(ev, "product")
        if product is not None:
            check_ref("evidence", index, _record_id(ev), "product", product, ("products",),
                      "product")

    for section in SECTIONS:
        for index, item in enumerate(_items(data, section)):
            refs = _get(item, "evidence")
            if not isinstance(refs, (list, tuple)):
                continue
            rid = _record_id(item)
            for position, ref in enumerate(refs):
                check_ref(section, index, rid, f"evidence.{position}", ref, ("evidence",),
                          "evidence")
    return problems


def id_flaw(text: str) -> str | None:
    """Why ``text`` is no valid id (an invisible character, edge white space), or None."""
    for char in text:
        category = unicodedata.category(char)
        if category in INVISIBLE_CATEGORIES:
            name = unicodedata.name(char, "")
            label = f"U+{ord(char):04X}" + (f" ({name})" if name else "")
            kind = _CATEGORY_WORDS[category]
            return (f"contains {label}, {kind}; ids and references must be visible text, "
                    "or ids that look alike would differ")
    if text and (text[0].isspace() or text[-1].isspace()):
        return "has white space at its start or end; ids and references must not"
    return None


_CATEGORY_WORDS = {
    "Cc": "a control character", "Cf": "an invisible format character",
    "Co": "a private-use character", "Cs": "a lone surrogate (not Unicode text)",
    "Zl": "a line separator", "Zp": "a paragraph separator",
}
_ATTRIBUTE_MESSAGE = (
    "an attribute value must be text, a finite number (integers within 64 bits), true, false "
    "or null"
)
_ID_FIELDS = frozenset({"id", "source", "target", "product", "carrier", "evidence"})


def _friendly(error: Any, field: str) -> str:
    """Pydantic's message, reworded where it would not tell an analyst what is wrong."""
    kind, value = error["type"], error.get("input")
    head = field.split(".")[0]
    if kind in ("string_pattern_mismatch", "string_unicode") and isinstance(value, str):
        if head in _ID_FIELDS:
            flaw = id_flaw(value)
            if flaw:
                return flaw
        if kind == "string_unicode" or any("\ud800" <= c <= "\udfff" for c in value):
            return "not Unicode text (a lone surrogate)"
        if head in ("name", "aliases"):
            return "a name must not be empty or only white space"
    if kind == "string_too_short" and head in ("name", "aliases"):
        return "a name must not be empty or only white space"
    if kind == "finite_number":
        return "not a finite number; NaN and infinity are not allowed"
    if kind == "float_type" and isinstance(value, int) and not isinstance(value, bool):
        return "a number too large for any store"
    if kind in ("float_type", "int_type") and isinstance(value, (bool, str)):
        return "must be a JSON number, not " + ("a boolean" if isinstance(value, bool)
                                                 else "text")
    return str(error["msg"])


def problems_from_validation_error(exc: ValidationError, data: Any) -> list[Problem]:
    """Turn Pydantic's field errors into :class:`Problem` records that name the record id."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        if error["type"] == "transaction_rule":
            continue  # reported by find_problems with the field name
        loc = error["loc"]
        if len(loc) >= 3 and loc[-3] == "attributes":
            # One value failed every member of the attribute union: one problem, not four.
            loc = loc[:-1]
            error = {**error, "msg": _ATTRIBUTE_MESSAGE, "type": "attribute_value"}
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            section, index = loc[0], loc[1]
            items = _items(data, section)
            rid = _record_id(items[index]) if index < len(items) else None
            field = ".".join(str(part) for part in loc[2:]) or "(record)"
        else:
            section, index, rid = "case", None, None
            field = ".".join(str(part) for part in loc) or "(case)"
        message = _friendly(error, field)
        value = error.get("input")
        if error["type"] == "extra_forbidden":
            message = "unknown field; check its spelling against the model"
        elif error["type"] == "missing":
            message, value = "required field is missing", None
        problems.append(Problem(section, index, rid, field, value, message))
    return problems

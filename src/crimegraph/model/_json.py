"""Strict reading of case-file JSON: every way the text can be wrong becomes a CaseFileError.

Python's ``json`` module accepts ``NaN`` and ``Infinity`` (the model then rejects them by
record and field), silently keeps the last of repeated keys, and raises ``RecursionError`` or
a bare ``ValueError`` on some inputs. :func:`parse_case_json` turns each of these into a
:class:`~crimegraph.CaseFileError` that says where the text is wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import CaseFileError

__all__ = ["decode_case_bytes", "parse_case_json"]

_BOM = "\ufeff"
_DEPTH_SHOWN = 100
"""Nesting reported as too deep in messages (a case file needs about six levels)."""


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


class _Repeated(dict[str, Any]):
    """An object of the text that repeats ``key`` (used only to find where, after a failure)."""

    key = ""


def _mark_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Repeated(obj)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every object and list in ``value`` with its path, depth first, in file order."""
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        yield where, item
        if isinstance(item, dict):
            children = [((*where, k), v) for k, v in item.items()
                        if isinstance(v, (dict, list))]
        elif isinstance(item, list):
            children = [((*where, i), v) for i, v in enumerate(item)
                        if isinstance(v, (dict, list))]
        else:
            continue
        stack.extend(reversed(children))


def _describe(path: tuple[Any, ...], root: Any) -> str:
    """``transactions[3] (id 'T-4') field 'attributes'`` for a path into the parsed case."""
    if not path:
        return "the case object (top level)"
    text = str(path[0])
    rest = path[1:]
    if rest and isinstance(rest[0], int):
        text += f"[{rest[0]}]"
        record = root[path[0]][rest[0]]
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            text += f" (id {record['id']!r})"
        rest = rest[1:]
    else:
        text = f"case field {text!r}"
    if rest:
        text += " field " + repr(".".join(str(part) for part in rest))
    return text


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _locate_repeated_key(text: str, key: str, origin: str) -> str:
    try:
        data = json.loads(text, object_pairs_hook=_mark_repeated_keys)
    except (ValueError, RecursionError):  # the text is also wrong further on
        data = None
    for path, item in _paths(data):
        if isinstance(item, _Repeated):
            where = _describe(path, data)
            key = item.key
            record_id = item.get("id")
            line = ""
            if isinstance(record_id, str):
                found = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(record_id)), text)
                if found:
                    line = " (record at line {}, column {})".format(
                        *_line_col(text, found.start()))
            return (f"{origin}: key {key!r} appears twice in {where}{line}: a JSON object must "
                    "not repeat a key (the second value would silently replace the first)")
    return (f"{origin}: key {key!r} appears twice in one object: a JSON object must not repeat "
            "a key")


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _locate_deep_nesting(text: str, origin: str) -> str:
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > _DEPTH_SHOWN:
                line, col = _line_col(text, token.start())
                return (f"{origin}: JSON nested more than {_DEPTH_SHOWN} levels deep at line "
                        f"{line}, column {col}; a case file needs only a few levels")
        elif char in "]}":
            depth -= 1
    return f"{origin}: JSON nested too deeply to read"


def _locate_long_integer(text: str, origin: str, exc: ValueError) -> str:
    found = re.search(r"-?\d{1000,}", text)
    if found is None:
        return f"{origin}: cannot read the JSON: {exc}"
    line, col = _line_col(text, found.start())
    digits = len(found.group().lstrip("-"))
    return (f"{origin}: an integer of {digits:,} digits at line {line}, column {col} is too "
            "long to read; no field of a case holds such a number")


def decode_case_bytes(raw: bytes | bytearray, origin: str) -> str:
    """The text of a case file's bytes: UTF-8, with or without a byte-order mark."""
    try:
        return bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseFileError(
            f"{origin}: not UTF-8 text: byte {exc.start} (0x{raw[exc.start]:02X}) cannot be "
            f"decoded ({exc.reason}); save the case file as UTF-8"
        ) from None


def parse_case_json(source: str | bytes | bytearray, origin: str = "case JSON") -> Any:
    """The parsed JSON value of a case file's text (a leading byte-order mark is allowed).

    Raises
    ------
    CaseFileError
        On malformed JSON (with line and column), a key repeated in one object (naming the
        key and the record), nesting too deep, or an integer too long for Python to read.
    """
    text = decode_case_bytes(source, origin) if not isinstance(source, str) else source
    if text.startswith(_BOM):
        text = text[1:]
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as exc:
        raise CaseFileError(
            f"{origin}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except _DuplicateKey as exc:
        message = _locate_repeated_key(text, exc.key, origin)
    except RecursionError:
        message = _locate_deep_nesting(text, origin)
    except ValueError as exc:  # Python's limit on the digits of an integer
        message = _locate_long_integer(text, origin, exc)
    raise CaseFileError(message)

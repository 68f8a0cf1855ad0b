"""The case as an Excel workbook: one sheet per record type, every field, a lossless round trip.

Layout: a ``case`` sheet (the case's own fields, one per row), then one sheet per record type
(``persons``, ``organizations``, ``warehouses``, ``products``, ``transactions``,
``relationships``, ``evidence``) with one row per record and one column per field, in the
model's order. Cells hold:

- text as text cells, always (ids, phone numbers, references and long digit strings stay text,
  and text starting with ``=`` is never read as a formula);
- numbers as numbers, true/false as booleans (the rare number that needs 17 significant digits,
  more than an Excel file keeps, as exact text);
- lists (aliases, phones, evidence ids, uses) and the free-form ``attributes`` as JSON text;
- times as ISO 8601 text with their UTC offset (``2024-03-02T11:57:00+08:00``), days as
  ``2024-06-29``;
- nothing for an empty field.

A hidden sheet ``_schema`` names the format and its version and every column's field and
encoding; a hidden sheet ``_cells`` lists the few cells that need it: empty text (which Excel
cannot tell from an empty cell), text with characters an Excel file cannot hold and numbers it
would round (both kept as JSON text), and text longer than a cell holds (32,767 characters).
Such long text is split: the cell shows its first part and its ``_cells`` row (encoding
``long``, or ``json long``) holds the rest, in order, in the columns after the encoding. A
workbook with such a cell says version 2 in ``_schema`` (so that a crimegraph that cannot put
the parts together refuses it rather than cutting the text); every other workbook says version
1. :func:`read_workbook` reads all of it back into an equal case.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import CaseFileError
from ...model import Case
from ...model.redact import RedactionProfile
from ...model.registry import RECORD_TYPES
from ._source import select

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["WORKBOOK_FORMAT", "WORKBOOK_VERSION", "read_workbook", "write_workbook"]

WORKBOOK_FORMAT = "crimegraph-workbook"
WORKBOOK_VERSION = 2
"""The newest version written; a workbook without long text is written as version 1."""
_READABLE_VERSIONS = (1, 2)
_PART = 16_383  # characters per cell part: within Excel's 32,767 even in UTF-16 surrogate pairs
_CASE_FIELDS = ("id", "title", "description", "timezone", "currency", "attributes")
_JSON_FIELDS = frozenset({"aliases", "phones", "evidence", "uses", "attributes"})
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]")  # and \r, which XML reads as \n


def write_workbook(data: object, path: str | Path, *,
                   redact: str | RedactionProfile | None = "internal") -> Path:
    """Write a case as an Excel workbook, one sheet per record type, every field.

    The workbook is lossless: ``cg.read_workbook(cg.write_workbook(case, path)) == case``.
    See :mod:`crimegraph.io.export.workbook` for how each kind of value is kept.

    Parameters
    ----------
    data : Case or CaseGraph
    path : str or Path
        The file to write (``.xlsx``).
    redact : {"internal", "prosecution", "public"} or RedactionProfile
        Who the workbook is for (see :func:`crimegraph.redact`).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import crimegraph as cg, tempfile, pathlib
    >>> case = cg.load_example("fake_liquor")
    >>> path = cg.write_workbook(case, pathlib.Path(tempfile.mkdtemp()) / "liquor.xlsx")
    >>> cg.read_workbook(path) == case
    True
    """
    from openpyxl import Workbook

    case = select(data, redact, cases_only=True, function="write_workbook").case
    assert case is not None
    book = Workbook()
    special: list[tuple[str, ...]] = []
    meta = book.active
    assert meta is not None
    meta.title = "case"
    meta.append(["field", "value"])
    for name in _CASE_FIELDS:
        meta.append([name])
        _put(meta, meta.max_row, 2, name, getattr(case, name), special)
    schema: list[list[Any]] = [["format", WORKBOOK_FORMAT], ["version", 1],
                               ["sheet", "column", "field", "encoding"]]
    for name in _CASE_FIELDS:
        schema.append(["case", "value", name, _encoding(name)])
    for record_type in RECORD_TYPES:
        sheet = book.create_sheet(record_type.section)
        fields = list(record_type.cls.model_fields)
        sheet.append(fields)
        for name in fields:
            schema.append([record_type.section, name, name, _encoding(name)])
        for row, record in enumerate(getattr(case, record_type.section), start=2):
            for column, name in enumerate(fields, start=1):
                _put(sheet, row, column, name, getattr(record, name), special)
        sheet.freeze_panes = "B2"
    if any(len(entry) > 3 for entry in special):
        schema[1][1] = WORKBOOK_VERSION  # long text split over parts
    hidden = book.create_sheet("_schema")
    for line in schema:
        hidden.append(line)
    hidden.sheet_state = "hidden"
    cells = book.create_sheet("_cells")
    cells.append(["sheet", "cell", "encoding", "continued"])
    for entry in special:
        cells.append(list(entry))
    cells.sheet_state = "hidden"
    out = Path(path)
    book.save(out)
    return out


def _encoding(name: str) -> str:
    return "json" if name in _JSON_FIELDS else "value"


def _put(sheet: Worksheet, row: int, column: int, name: str, value: Any,
         special: list[tuple[str, ...]]) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if name in _JSON_FIELDS:
        if not value:
            return  # an empty list or mapping: the field's default
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (_dt.datetime, _dt.date)):
        value = value.isoformat()
    if isinstance(value, str):
        if value == "":
            special.append((sheet.title, cell.coordinate, "empty"))
            return
        encoding = []
        if _ILLEGAL.search(value):
            encoding.append("json")
            value = json.dumps(value)
        parts: list[str] = []
        if len(value) > _PART:
            # openpyxl would silently cut the text at 32,767 characters: keep it in parts.
            encoding.append("long")
            value, parts = value[:_PART], [value[i:i + _PART]
                                           for i in range(_PART, len(value), _PART)]
        if encoding:
            special.append((sheet.title, cell.coordinate, " ".join(encoding), *parts))
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        # Excel files keep at most 16 significant digits: keep the rare longer one exactly.
        special.append((sheet.title, cell.coordinate, "json"))
        cell.value = json.dumps(value)
        cell.data_type = "s"
        return
    cell.value = value


def read_workbook(path: str | Path) -> Case:
    """Read a workbook written by :func:`write_workbook` back into a validated case.

    Raises
    ------
    CaseFileError
        If the file is no such workbook (missing sheets, wrong format or version, a column
        that is no field, a JSON cell that does not parse); the message names sheet and cell.
    InvalidCase
        If the records do not make a valid case (edited by hand, say); it names every problem.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    file = Path(path)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError) as exc:
        raise CaseFileError(f"{file}: not a readable Excel workbook ({exc})") from exc
    try:
        names = set(book.sheetnames)
        missing = [s for s in ("case", "_schema", *(t.section for t in RECORD_TYPES))
                   if s not in names]
        if missing:
            raise CaseFileError(
                f"{file}: not a crimegraph workbook; sheets missing: {', '.join(missing)} "
                "(write one with cg.write_workbook)")
        head = {row[0]: row[1] for row in book["_schema"].iter_rows(max_row=2, values_only=True)}
        if (head.get("format") != WORKBOOK_FORMAT
                or head.get("version") not in _READABLE_VERSIONS):
            raise CaseFileError(
                f"{file}: sheet '_schema' says format {head.get('format')!r} version "
                f"{head.get('version')!r}; this crimegraph reads {WORKBOOK_FORMAT!r} "
                f"versions {', '.join(map(str, _READABLE_VERSIONS))}")
        special: dict[tuple[str, str], tuple[str, ...]] = {}
        if "_cells" in names:
            for entry in book["_cells"].iter_rows(min_row=2, values_only=True):
                if len(entry) < 3 or entry[0] is None:
                    continue
                sheet_name, coordinate, encoding, *parts = entry
                special[(str(sheet_name), str(coordinate))] = (
                    str(encoding), *(str(p) for p in parts if p is not None))
        data: dict[str, Any] = {}
        for number, row in enumerate(book["case"].iter_rows(min_row=2, values_only=True),
                                     start=2):
            name = row[0]
            if name not in _CASE_FIELDS:
                raise CaseFileError(f"{file}: sheet 'case' cell A{number}: {name!r} is no "
                                    "field of a case; known: " + ", ".join(_CASE_FIELDS))
            value = _get(file, "case", f"B{number}", row[1] if len(row) > 1 else None,
                         str(name), special)
            if value is not None:
                data[str(name)] = value
        for record_type in RECORD_TYPES:
            data[record_type.section] = _records(file, book[record_type.section],
                                                 record_type.cls.model_fields, special)
    finally:
        book.close()
    return Case.model_validate(data)


def _records(file: Path, sheet: Any, fields: dict[str, Any],
             special: dict[tuple[str, str], tuple[str, ...]]) -> list[dict[str, Any]]:
    from openpyxl.utils import get_column_letter

    rows = sheet.iter_rows(values_only=True)
    names = next(rows, None)
    if names is None:
        return []
    letters = [get_column_letter(i) for i in range(1, len(names) + 1)]
    for letter, name in zip(letters, names):
        if name is not None and name not in fields:
            raise CaseFileError(
                f"{file}: sheet {sheet.title!r} cell {letter}1: column {name!r} is no "
                f"field of these records; known: {', '.join(fields)}")
    records = []
    for number, row in enumerate(rows, start=2):
        record: dict[str, Any] = {}
        for letter, name, raw in zip(letters, names, row):
            if name is None:
                continue
            value = _get(file, sheet.title, f"{letter}{number}", raw, str(name), special)
            if value is not None:
                record[str(name)] = value
        if record:
            records.append(record)
    return records


def _get(file: Path, sheet: str, coordinate: str, value: Any, name: str,
         special: dict[tuple[str, str], tuple[str, ...]]) -> Any:
    encoding, *parts = special.get((sheet, coordinate), ("",))
    flags = encoding.split()
    if "empty" in flags:
        return ""
    if value is None:
        return None
    if "long" in flags:
        value = str(value) + "".join(parts)
    if "json" in flags or (name in _JSON_FIELDS and isinstance(value, str)):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise CaseFileError(
                f"{file}: sheet {sheet!r} cell {coordinate} (field {name!r}): "
                f"{_quote(value)} is not JSON ({exc.msg}); lists are written like "
                '["a", "b"]') from exc
    return value


def _quote(value: Any, limit: int = 80) -> str:
    """A repr of at most about ``limit`` characters: an error never repeats a whole cell."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(value)):,} characters)"

"""The case as an Excel workbook: one sheet per record type, every field, a lossless round trip.

Layout: a ``case`` sheet (the case's own fields, one per row), then one sheet per record type
(``persons``, ``organizations``, ``warehouses``, ``products``, ``transactions``,
``relationships``, ``evidence``) with one row per record and one column per field, in the
model's order. Cells hold:

- text as text cells, always (ids, phone numbers, references and long digit strings stay text,
  and text starting with ``=`` is never read as a formula);
- numbers as numbers, true/false as booleans;
- lists (aliases, phones, evidence ids, uses) and the free-form ``attributes`` as JSON text;
- times as ISO 8601 text with their UTC offset (``2024-03-02T11:57:00+08:00``), days as
  ``2024-06-29``;
- nothing for an empty field.

A hidden sheet ``_schema`` names the format and its version and every column's field and
encoding; a hidden sheet ``_cells`` lists the few cells that need it: empty text (which Excel
cannot tell from an empty cell) and text with characters an Excel file cannot hold (kept as
JSON). :func:`read_workbook` reads all of it back into an equal case.
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
WORKBOOK_VERSION = 1
_CASE_FIELDS = ("id", "title", "description", "timezone", "currency", "attributes")
_JSON_FIELDS = frozenset({"aliases", "phones", "evidence", "uses", "attributes"})
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
    special: list[tuple[str, str, str]] = []
    meta = book.active
    assert meta is not None
    meta.title = "case"
    meta.append(["field", "value"])
    for name in _CASE_FIELDS:
        meta.append([name])
        _put(meta, meta.max_row, 2, name, getattr(case, name), special)
    schema: list[list[Any]] = [["format", WORKBOOK_FORMAT], ["version", WORKBOOK_VERSION],
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
    hidden = book.create_sheet("_schema")
    for line in schema:
        hidden.append(line)
    hidden.sheet_state = "hidden"
    cells = book.create_sheet("_cells")
    cells.append(["sheet", "cell", "encoding"])
    for entry in special:
        cells.append(list(entry))
    cells.sheet_state = "hidden"
    out = Path(path)
    book.save(out)
    return out


def _encoding(name: str) -> str:
    return "json" if name in _JSON_FIELDS else "value"


def _put(sheet: Worksheet, row: int, column: int, name: str, value: Any,
         special: list[tuple[str, str, str]]) -> None:
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
        if _ILLEGAL.search(value):
            special.append((sheet.title, cell.coordinate, "json"))
            value = json.dumps(value)
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
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
        if head.get("format") != WORKBOOK_FORMAT or head.get("version") != WORKBOOK_VERSION:
            raise CaseFileError(
                f"{file}: sheet '_schema' says format {head.get('format')!r} version "
                f"{head.get('version')!r}; this crimegraph reads {WORKBOOK_FORMAT!r} "
                f"version {WORKBOOK_VERSION}")
        special: dict[tuple[str, str], str] = {}
        if "_cells" in names:
            for sheet_name, coordinate, encoding in book["_cells"].iter_rows(
                    min_row=2, values_only=True):
                special[(str(sheet_name), str(coordinate))] = str(encoding)
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
             special: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
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
         special: dict[tuple[str, str], str]) -> Any:
    encoding = special.get((sheet, coordinate))
    if encoding == "empty":
        return ""
    if value is None:
        return None
    if encoding == "json" or (name in _JSON_FIELDS and isinstance(value, str)):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise CaseFileError(
                f"{file}: sheet {sheet!r} cell {coordinate} (field {name!r}): {value!r} "
                f"is not JSON ({exc.msg}); lists are written like [\"a\", \"b\"]") from exc
    return value

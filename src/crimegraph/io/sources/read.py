"""Reading agency exports: CSV (streamed in chunks) and Excel, with the text encoding detected.

Every cell is read as text (``""`` for a blank cell: no NaN ever reaches the parsers). Bytes
that are not valid in the file's encoding are kept as escapes (``surrogateescape``) so that the
row holding them is rejected by name instead of the whole file failing; lines with too many
cells are reported with their line number.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .parse import PLACEHOLDERS

__all__ = ["EXCEL_SUFFIXES", "Chunk", "SourceFile", "detect_encoding", "file_digest",
           "source_files"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_SAMPLE = 1 << 16
_UNDECODED = re.compile("[\udc80-\udcff]")
_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")
_PLACEHOLDER_TEXTS = sorted(PLACEHOLDERS)
_UNNAMED = re.compile(r"^Unnamed: \d+$")  # pandas' name for a header cell that is blank
_ERRORS = "crimegraph.undecodable"
_undecodable_seen = [0]


def _keep_undecodable(exc: UnicodeError) -> tuple[str | bytes, int]:
    """``surrogateescape``, counting its calls: a file whose reading never called it holds no
    undecodable byte, and its rows need no search for one."""
    _undecodable_seen[0] += 1
    return _SURROGATEESCAPE(exc)


_SURROGATEESCAPE = codecs.lookup_error("surrogateescape")
codecs.register_error(_ERRORS, _keep_undecodable)


def detect_encoding(head: bytes) -> str:
    """``utf-8-sig``, ``utf-16``, ``utf-8`` or ``gb18030``, judged from a file's first bytes:
    the byte-order mark, else the first of UTF-8 and GB18030 that reads them all, else (a file
    that mixes encodings) the one that reads the header line and the most other lines (UTF-8
    when they tie)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in _CANDIDATES:
        if _decodes(head, encoding, final=False):
            return encoding
    # Neither reads every line: a file that mixes encodings. The one that reads the header and
    # the most lines is the file's; the rows with bytes it cannot read are reported one by one.
    lines = head.split(b"\n")
    if len(lines) > 1 and len(head) >= _SAMPLE:
        lines.pop()  # (cut short by the end of the sample)
    scores = [(_decodes(lines[0], encoding), sum(_decodes(line, encoding) for line in lines))
              for encoding in _CANDIDATES]
    return _CANDIDATES[scores.index(max(scores))]


_CANDIDATES = ("utf-8", "gb18030")


def _decodes(data: bytes, encoding: str, final: bool = True) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex (kept on the file's evidence record)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Chunk:
    """Rows of a file as text, with their spreadsheet row numbers (header = row 1)."""

    frame: pd.DataFrame
    rows: np.ndarray
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    """Lines that could not be split into the header's cells: (row number, reason)."""
    undecodable: bool = True
    """False when no byte read so far failed to decode: no cell holds an escaped byte."""


@dataclass
class SourceFile:
    """One export file to read."""

    path: Path
    name: str
    encoding: str | None = None
    sheet: str | int = 0
    size: int = 0
    excel: bool = False
    sep: str = ","
    headerless: list[str] = field(default_factory=list)
    """Columns without a header text (a line that ends in a separator makes one): not part
    of the header; a value in one rejects its row (see :meth:`chunks`)."""

    def open(self) -> list[str]:
        """Check the file and read its header; returns the header cells."""
        self.size = self.path.stat().st_size
        self.excel = self.path.suffix.lower() in EXCEL_SUFFIXES
        if self.size == 0:
            raise EmptyFile("the file is empty (0 bytes): no header row and no rows")
        if self.excel:
            self.encoding = "xlsx"
            frame = self._read_excel()
            if frame.columns.size == 0:
                raise EmptyFile("the sheet is empty: no header row and no rows")
            names = [str(c) for c in frame.columns]
            self.headerless = [c for c in names if _UNNAMED.match(c)]
            return [c for c in names if c not in self.headerless]
        with self.path.open("rb") as handle:
            head = handle.read(_SAMPLE)
        if self.encoding is None:
            self.encoding = detect_encoding(head)
        text = head.decode(self.encoding, errors="surrogateescape")
        first = text.lstrip("\ufeff").split("\n", 1)[0]
        if not first.strip():
            raise EmptyFile("the file holds no header row (only white space)")
        self.sep = "\t" if first.count("\t") > first.count(",") else ","
        try:
            # The header cells as data first (object cells): pandas may keep column names in
            # a string type that refuses the escapes of undecodable bytes.
            cells = pd.read_csv(self.path, nrows=1, header=None, **self._csv_options())
        except pd.errors.EmptyDataError:
            raise EmptyFile("the file holds no header row") from None
        if any(_UNDECODED.search(str(cell)) for cell in cells.iloc[0].tolist()):
            guess = detect_encoding(head)
            hint = (f"; it reads as {guess}: give encoding={guess!r} or leave the encoding to "
                    "be detected" if guess != self.encoding else "")
            raise EmptyFile(f"the header is not {self.encoding} text{hint}; no row of the "
                            "file was read")
        frame = pd.read_csv(self.path, nrows=0, **self._csv_options())
        names = [str(c) for c in frame.columns]
        blank = [not str(cell).strip() for cell in cells.iloc[0].tolist()]
        self.headerless = [name for name, empty in zip(names, blank) if empty]
        return [name for name in names if name not in self.headerless]

    def _csv_options(self) -> dict[str, object]:
        return {"sep": self.sep, "dtype": object, "keep_default_na": False, "na_filter": False,
                "encoding": self.encoding, "encoding_errors": _ERRORS,
                "skip_blank_lines": False, "on_bad_lines": "warn", "engine": "c"}

    def _read_excel(self) -> pd.DataFrame:
        try:
            return pd.read_excel(self.path, sheet_name=self.sheet, engine="calamine", dtype=str,
                                 na_filter=False, header=0)
        except ValueError as exc:
            raise EmptyFile(f"cannot read the sheet {self.sheet!r}: {exc}") from None
        except Exception as exc:  # a damaged or mislabelled workbook
            raise EmptyFile(f"not a readable Excel workbook: {exc}") from None

    def chunks(self, size: int, progress: bool = False) -> Iterator[Chunk]:
        """The file's rows, ``size`` at a time (CSV is streamed; a workbook is read whole)."""
        from tqdm import tqdm

        bar = tqdm(total=self.size, unit="B", unit_scale=True, desc=self.name, leave=False,
                   disable=not progress, file=sys.stderr)
        try:
            if self.excel:
                frame = self._read_excel()
                for start in range(0, len(frame), size):
                    part = frame.iloc[start:start + size]
                    rows = np.arange(start + 2, start + 2 + len(part))
                    yield self._without_headerless(Chunk(_blank_placeholders(part), rows))
                bar.update(self.size)
                return
            for chunk in self._csv_chunks(size, bar):
                chunk.frame = _blank_placeholders(chunk.frame)
                yield self._without_headerless(chunk)
        finally:
            bar.close()

    def _without_headerless(self, chunk: Chunk) -> Chunk:
        """``chunk`` without the :attr:`headerless` columns; a row with a value in one of them
        is taken out and given as a bad line (its value has no column to go to)."""
        names = [c for c in self.headerless if c in chunk.frame.columns]
        if not names:
            return chunk
        frame = chunk.frame
        filled = np.zeros(len(frame), dtype=bool)
        first = np.full(len(frame), -1, dtype=np.int64)
        for name in names:
            cells = frame[name].astype(str).str.strip().to_numpy(dtype=object) != ""
            first = np.where(filled | ~cells, first, list(frame.columns).index(name))
            filled |= cells
        bad = [(int(row), f"a value in column {position + 1}, which has no header")
               for row, position in zip(chunk.rows[filled], first[filled])]
        frame = frame.loc[~filled].drop(columns=names)
        return Chunk(frame, chunk.rows[~filled], sorted(chunk.bad_lines + bad),
                     chunk.undecodable)

    def _csv_chunks(self, size: int, bar: object) -> Iterator[Chunk]:
        next_row = 2
        bad_rows: set[int] = set()
        seen_before = _undecodable_seen[0]
        with self.path.open("rb") as handle:
            reader = pd.read_csv(handle, chunksize=size, **self._csv_options())
            done = 0
            while True:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", pd.errors.ParserWarning)
                    try:
                        frame = next(reader)
                    except StopIteration:
                        frame = None
                bad: list[tuple[int, str]] = []
                for warning in caught:
                    for line in str(warning.message).splitlines():
                        found = _BAD_LINE.match(line.strip())
                        if found:
                            bad.append((int(found.group(1)), found.group(2)))
                bad_rows.update(row for row, _ in bad)
                if frame is None:
                    if bad:
                        yield Chunk(pd.DataFrame(columns=[]), np.arange(0), bad)
                    break
                ahead = sorted(row for row in bad_rows if row >= next_row)
                if not ahead or ahead[0] >= next_row + len(frame):
                    rows = np.arange(next_row, next_row + len(frame), dtype=np.int64)
                    next_row += len(frame)
                else:  # number the rows around the lines that were skipped
                    rows = np.empty(len(frame), dtype=np.int64)
                    for position in range(len(frame)):
                        while next_row in bad_rows:
                            next_row += 1
                        rows[position] = next_row
                        next_row += 1
                position_now = handle.tell()
                bar.update(position_now - done)  # type: ignore[attr-defined]
                done = position_now
                # Any escaped byte so far (in this file or, read at the same time, another):
                # the rows are searched for one.
                undecodable = _undecodable_seen[0] != seen_before
                yield Chunk(_fill_missing_cells(frame), rows, bad, undecodable)


def _blank_placeholders(frame: pd.DataFrame) -> pd.DataFrame:
    """``""`` in the cells that hold a placeholder for a missing value (``NULL``, ``NaN``,
    ``N/A``...: :data:`~crimegraph.io.sources.parse.PLACEHOLDERS`), so that every check after
    reading takes them for the blank cells they stand for; ``frame`` itself when none does."""
    out = frame
    for name in frame.columns:
        try:  # every placeholder has an N, n or -: a column without any holds none
            text = "".join(frame[name].tolist())
            if "N" not in text and "n" not in text and "-" not in text:
                continue
        except TypeError:  # not all text
            pass
        found = frame[name].isin(_PLACEHOLDER_TEXTS).to_numpy(dtype=bool)
        if found.any():
            if out is frame:
                out = frame.copy()
            out[name] = frame[name].mask(found, "")
    return out


def _fill_missing_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``""`` in the cells a short line left out (the parser gives NaN there, if anything).

    A cell can only be missing at the end of a short line: when the last column has none, no
    column has, and the frame is handed on as it is rather than copied to fill nothing."""
    if len(frame.columns) and frame.iloc[:, -1].isna().any():
        return frame.fillna("")
    return frame


def source_files(path: Path, encoding: str | None = None, sheet: str | int | None = None,
                 name: str | None = None) -> list[SourceFile]:
    """The parts of one export to read, each a :class:`SourceFile`: the file itself, or, for a
    workbook whose sheet is not named (``sheet=None``), every sheet with something in it.

    A workbook with one such sheet is named as the file (``name``, default the file's name:
    ``export.xlsx``); one with several gives a part per sheet, named ``export.xlsx[sheet]``
    and numbered from its own header row, so that every row of every sheet is read (or
    reported), not only the first sheet's. Sheets without any cell are left out. A workbook
    that cannot be listed is handed on whole, for :meth:`SourceFile.open` to say what is wrong
    with it.
    """
    name = path.name if name is None else name
    if sheet is not None or path.suffix.lower() not in EXCEL_SUFFIXES:
        return [SourceFile(path, name, encoding, 0 if sheet is None else sheet)]
    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            sheets = [one for one in book.sheet_names
                      if not pd.read_excel(book, sheet_name=one, header=None, nrows=1,
                                           dtype=str).empty]
    except Exception:  # a missing, damaged or mislabelled workbook: open() names the trouble
        return [SourceFile(path, name, encoding, 0)]
    if len(sheets) <= 1:
        return [SourceFile(path, name, encoding, sheets[0] if sheets else 0)]
    return [SourceFile(path, f"{name}[{one}]", encoding, one) for one in sheets]


class EmptyFile(Exception):
    """A file with no header (empty, blank, or no readable sheet)."""

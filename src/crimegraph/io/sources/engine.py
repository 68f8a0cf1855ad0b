"""The ingest engine: agency exports in, one validated case out, every problem reported.

Rows are read in chunks and parsed column by column (see :mod:`.parse`). Each row makes the
records its mapping describes; records that share an id (one sender in a thousand waybills,
one payment in two banks' statements) are merged, keeping every source of each fact and
reporting conflicting values instead of overwriting them.
"""

from __future__ import annotations

import math
import os
import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Union

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from ..._gc import gc_paused
from ...errors import InvalidArgument, InvalidCase, InvalidSource, SourceProblem, WrongArgumentType
from ...model import Case, Evidence
from ...model._checks import _friendly
from ...model._time import DEFAULT_TIMEZONE, get_timezone
from ...model.entities import Record
from ...model.registry import RECORD_TYPES
from .links import Links, build_links, dicts_valid, links_valid, plain_values
from .links import plain as _plain
from .mapping import LIST_FIELDS, Mapping, RecordSpec, load_mapping, template_columns
from .parse import Parsed, address_key, distinct_map, empty_cells, id_keys, parse_column
from .read import EmptyFile, SourceFile, file_digest, source_files

__all__ = ["Ingested", "ingest", "problems_frame"]

PathLike = Union[str, "os.PathLike[str]"]
MappingLike = Union[str, "os.PathLike[str]", AbstractMapping[str, Any], Mapping]

PROBLEM_COLUMNS = ("source", "row", "column", "value", "message")
CONFLICT_COLUMNS = ("record", "type", "field", "kept", "other", "kept_from", "other_from",
                    "resolution")
_UNDECODED = re.compile("[\udc80-\udcff]")
_SECTION = {"person": "persons", "organization": "organizations", "warehouse": "warehouses",
            "product": "products", "shipment": "transactions", "payment": "transactions",
            "relationship": "relationships", "evidence": "evidence"}
_ORDER = tuple(t.section for t in RECORD_TYPES)
"""The sections a mapping can fill, in case-file order (besides the evidence records a
mapping makes, such as one per inspection, the ingest makes one per file)."""
_MODEL: dict[str, type[Record]] = {t.section: t.cls for t in RECORD_TYPES if t.section in _ORDER}
_LINK_SECTIONS = tuple(t.section for t in RECORD_TYPES if t.link)
_ROWS_SHOWN = 20
"""Row ranges listed per file in a record's ``attributes["rows"]`` (all are on
:attr:`Ingested.provenance`)."""
_STAGE_AS_COLUMNS = True
"""Transactions are staged as columns of lists (:class:`_Columns`), not as DataFrames."""
_DISTINCT_BY_CODES = True
"""A chunk's repeated entities are found from their values' codes before any frame is made
(:func:`_first_rows`), not by ``drop_duplicates`` on a frame of every row."""


def problems_frame(problems: Iterable[SourceProblem]) -> pd.DataFrame:
    """Problems as a DataFrame with columns source, row, column, value, message."""
    items = list(problems)
    frame = pd.DataFrame(
        {"source": [p.source for p in items],
         "row": pd.array([p.row for p in items], dtype="Int64"),
         "column": [p.column for p in items],
         "value": [p.value for p in items],
         "message": [p.message for p in items]},
        columns=list(PROBLEM_COLUMNS),
    )
    return frame.astype({"source": object, "column": object, "value": object,
                         "message": object})


# -- per-source bookkeeping ------------------------------------------------------------------
@dataclass
class _Source:
    file: SourceFile
    mapping: Mapping
    index: int
    agency: str | None
    reliability: str | None
    credibility: int | None
    evidence_id: str = ""
    columns: dict[str, str | None] = field(default_factory=dict)
    read: int = 0
    rejected: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    opened: bool = False

    @property
    def name(self) -> str:
        return self.file.name


class _Problems:
    """Problems gathered column-wise (a million bad rows cost arrays, not objects)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, source: str, row: int | None, column: str | None, value: Any,
            message: str) -> None:
        self.parts.append(pd.DataFrame({"source": [source], "row": [row], "column": [column],
                                        "value": [value], "message": [message]}))

    def add_many(self, source: str, rows: np.ndarray, column: str | None,
                 values: Any, messages: Any) -> None:
        if len(rows) == 0:
            return
        self.parts.append(pd.DataFrame({
            "source": source, "row": rows, "column": column,
            "value": np.asarray(values, dtype=object),
            "message": np.asarray(messages, dtype=object) if not isinstance(messages, str)
            else messages,
        }))

    def frame(self) -> pd.DataFrame:
        parts = [p for p in self.parts if len(p)]
        if not parts:
            return problems_frame([])
        frame = pd.concat(parts, ignore_index=True)
        frame["row"] = frame["row"].astype("Int64")
        return frame.astype({c: object for c in ("source", "column", "value", "message")})

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)


# -- the result ------------------------------------------------------------------------------
@dataclass
class Ingested:
    """What :func:`ingest` made of the exports: the case, and an account of every row.

    Attributes
    ----------
    case : Case
        The validated case (merged into ``into``'s records when one was given).
    problems : pandas.DataFrame
        Every problem, in every file: ``source``, ``row`` (as a spreadsheet shows it; the
        header is row 1; empty for a problem with the whole file), ``column``, ``value``,
        ``message``. Empty when all went well. A record the model refuses when the case is
        built is named once per row it was made from (``column``: the file's column the field
        was made from; the message names the field), and so is every link that refers to
        it. ``source`` is the file's name, or the end of its path that tells it from another
        file of the same name.
    conflicts : pandas.DataFrame
        Values that disagreed between rows or files for one record (two names for one phone,
        two amounts for one waybill): ``record``, ``type``, ``field``, the value ``kept``
        (the first seen) and the ``other``, where each came from, and the ``resolution``.
    sources : pandas.DataFrame
        One row per file: ``source``, ``mapping``, ``evidence`` (the id of the file's
        Evidence record), ``encoding``, ``rows_read`` = ``recorded`` + ``rejected`` +
        ``skipped``, and ``skipped_because`` (the filter, with counts).
    provenance : pandas.DataFrame
        Every (``record``, ``source``, ``row``) that made or confirmed a record. Each record
        also names its files and rows in ``attributes["rows"]`` and its files' Evidence ids in
        ``evidence``.
    """

    case: Case
    problems: pd.DataFrame
    conflicts: pd.DataFrame
    sources: pd.DataFrame
    provenance: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        """Records of the case per kind (persons, ..., shipments, payments, evidence)."""
        case = self.case
        kinds = Counter(t.kind for t in case.transactions)
        return {"persons": len(case.persons), "organizations": len(case.organizations),
                "premises": len(case.warehouses), "products": len(case.products),
                "shipments": kinds["shipment"], "payments": kinds["payment"],
                "relationships": len(case.relationships), "evidence": len(case.evidence)}

    def summary(self) -> str:
        """A one-screen account: rows per file, records per kind, problems and conflicts."""
        lines = [f"{'source':<28} {'read':>9} {'recorded':>9} {'rejected':>9} {'skipped':>8}"]
        for row in self.sources.itertuples(index=False):
            lines.append(f"{_clip(str(row.source), 28):<28} {row.rows_read:>9,} "
                         f"{row.recorded:>9,} {row.rejected:>9,} {row.skipped:>8,}")
            if row.skipped_because:
                lines.append(f"{'':<4}skipped: {row.skipped_because}")
        lines.append("records: " + ", ".join(f"{n:,} {kind}" for kind, n in self.counts.items()
                                             if n))
        lines.append(f"problems: {len(self.problems):,}"
                     + (" (see .problems)" if len(self.problems) else ""))
        conflicts = self.conflicts
        text = f"conflicts: {len(conflicts):,}"
        if len(conflicts):
            by_field = Counter(f"{t} {f}" for t, f in zip(conflicts["type"], conflicts["field"]))
            text += " (" + ", ".join(f"{n} {k}" for k, n in by_field.most_common(6)) + ")"
        lines.append(text)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Ingested({self.case!r})\n{self.summary()}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]


# -- the entry point -------------------------------------------------------------------------
def ingest(
    sources: PathLike | Sequence[PathLike | tuple[PathLike, MappingLike]],
    mapping: MappingLike | None = None,
    *,
    agency: str | None = None,
    reliability: str | None = None,
    credibility: int | None = None,
    strict: bool = True,
    into: Case | Ingested | None = None,
    encoding: str | None = None,
    timezone: str | None = None,
    case_id: str = "ingested",
    title: str = "",
    chunk_size: int = 200_000,
    progress: bool = False,
) -> Ingested:
    """Load agency exports (CSV or Excel) into a validated case, reporting every bad row.

    Parameters
    ----------
    sources : path, or list of paths or of (path, mapping) pairs
        The export files. A pair gives that file its own mapping.
    mapping : str, path, dict or Mapping, optional
        How the files' columns become records: a shipped mapping's name (see
        :func:`mapping_names`), a TOML file, or a dict of the same shape. Needed unless every
        source is a pair.
    agency : str, optional
        Who supplied the files (defaults to the mapping's ``agency``).
    reliability, credibility : optional
        The Admiralty grading of these sources (``"A"``..``"F"``, 1..6), kept on each file's
        :class:`~crimegraph.Evidence` record, which every record made from the file lists in
        its ``evidence``. (A file that gives no record gets no Evidence record.) A file read
        again into a case keeps its earlier record: a differing grade or agency is reported on
        ``.conflicts``, a missing one filled in.
    strict : bool
        True (default): raise :class:`~crimegraph.InvalidSource` naming every problem of
        these files, and load nothing. False: load the good rows and return the problems with
        them.
    into : Case or Ingested, optional
        A case to add to: records with the same id are merged (lists joined, conflicting values
        reported, a value set in the case kept even when it equals the model's default,
        counted relationships summed), and its problems and sources carry over when it is an
        :class:`Ingested` (a strict ingest judges only the new files).
    encoding : str, optional
        The files' text encoding; detected (UTF-8, UTF-8 with BOM, GB18030) when not given.
    timezone : str, optional
        Time zone of times written without an offset (default: ``into``'s or
        ``"Asia/Shanghai"``).
    case_id, title : str
        Of a new case (ignored with ``into``).
    chunk_size : int
        Rows parsed at a time: a CSV file is streamed, so memory stays bounded by the chunk
        and the records made, whatever the file's size.
    progress : bool
        Show a progress bar per file on standard error.

    Returns
    -------
    Ingested
        ``.case``, ``.problems``, ``.conflicts``, ``.sources`` (rows read, recorded, rejected
        and skipped per file) and ``.provenance``.

    Raises
    ------
    InvalidSource
        With ``strict=True``, when any file, row or value has a problem, or the model refuses
        a record made from the rows. A required column missing from a file is reported before
        any row is read.
    InvalidArgument, WrongArgumentType
        When ``reliability``, ``credibility`` or ``agency`` is no grade or text (before any
        file is read).
    MappingError
        When a mapping is unknown or inconsistent.
    """
    if chunk_size < 1:
        raise InvalidArgument(f"chunk_size must be at least 1, not {chunk_size}")
    _check_grading(agency, reliability, credibility)
    with gc_paused():  # millions of values and records, none in a reference cycle
        return _ingest(sources, mapping, agency, reliability, credibility, strict, into,
                       encoding, timezone, case_id, title, chunk_size, progress)


def _ingest(sources: Any, mapping: MappingLike | None, agency: str | None,
            reliability: str | None, credibility: int | None, strict: bool,
            into: Case | Ingested | None, encoding: str | None, timezone: str | None,
            case_id: str, title: str, chunk_size: int, progress: bool) -> Ingested:
    previous = into if isinstance(into, Ingested) else None
    base = into.case if isinstance(into, Ingested) else into
    tz_name = timezone or (base.timezone if base is not None else DEFAULT_TIMEZONE)
    tz = get_timezone(tz_name)
    pairs = _pairs(sources, mapping)
    problems = _Problems()  # this call's: strict judges these alone
    taken = {record.id for record in base.records()} if base is not None else set()
    offset = len(previous.sources) if previous is not None else 0
    srcs: list[_Source] = []
    names = _source_names([path for path, _ in pairs], _earlier_files(base))
    for (path, spec), name in zip(pairs, names):  # (a workbook may give one per sheet)
        for file in source_files(Path(path), encoding or spec.encoding, spec.sheet, name):
            srcs.append(_Source(file, spec, len(srcs) + offset, agency or spec.agency,
                                reliability, credibility))
    # First every header, so a missing column is named before any row is read.
    for src in srcs:
        _open(src, problems)
    if strict and len(problems):
        raise InvalidSource(_problem_list(problems.frame()))
    stage = _Stage()
    for src in srcs:
        if src.opened:
            _read_source(src, stage, problems, tz, chunk_size, progress)
    evidence, filled, regraded = _source_evidence(srcs, taken, base, stage.recorded)
    records, conflicts, provenance = stage.merge(srcs, evidence, base, problems)
    if regraded:
        conflicts = pd.concat([conflicts, pd.DataFrame(regraded, columns=list(CONFLICT_COLUMNS))],
                              ignore_index=True)
    problem_frame = problems.frame()
    if strict and len(problem_frame):
        raise InvalidSource(_problem_list(problem_frame))
    built, dropped = _build_sections(records)
    provenance = _account_dropped(dropped, provenance, srcs, stage, problems)
    if strict and dropped:
        raise InvalidSource(_problem_list(problems.frame()))
    case = _make_case(built, evidence, filled, base, tz_name, case_id, title)
    if previous is not None and len(previous.problems):
        problems.parts.insert(0, previous.problems)
    problem_frame = problems.frame()
    sources_frame = _sources_frame(srcs, stage)
    if previous is not None:
        sources_frame = pd.concat([previous.sources, sources_frame], ignore_index=True)
        conflicts = pd.concat([previous.conflicts, conflicts], ignore_index=True)
        provenance = pd.concat([previous.provenance, provenance], ignore_index=True)
    return Ingested(case, problem_frame, conflicts, sources_frame, provenance)


_RELIABILITY = ("A", "B", "C", "D", "E", "F")
_CREDIBILITY = (1, 2, 3, 4, 5, 6)


def _check_grading(agency: Any, reliability: Any, credibility: Any) -> None:
    """Refuse a wrong grade before any file is read."""
    if agency is not None and not isinstance(agency, str):
        raise WrongArgumentType(f"agency must be text, not {type(agency).__name__} {agency!r}")
    if reliability is not None:
        if not isinstance(reliability, str):
            raise WrongArgumentType(f"reliability must be one of the letters A-F, not "
                                    f"{type(reliability).__name__} {reliability!r}")
        if reliability not in _RELIABILITY:
            hint = (f" (the grades are capital letters: {reliability.upper()!r})"
                    if reliability.upper() in _RELIABILITY else "")
            raise InvalidArgument(f"reliability must be one of A, B, C, D, E, F (the source's "
                                  f"reliability), not {reliability!r}{hint}")
    if credibility is not None:
        if isinstance(credibility, bool) or not isinstance(credibility, int):
            raise WrongArgumentType(f"credibility must be a whole number 1-6, not "
                                    f"{type(credibility).__name__} {credibility!r}")
        if credibility not in _CREDIBILITY:
            raise InvalidArgument(f"credibility must be one of 1, 2, 3, 4, 5, 6 (the "
                                  f"information's credibility), not {credibility!r}")


def _pairs(sources: Any, mapping: Any) -> list[tuple[Path, Mapping]]:
    items = [sources] if isinstance(sources, (str, os.PathLike, tuple)) else list(sources)
    default = load_mapping(mapping) if mapping is not None else None
    pairs: list[tuple[Path, Mapping]] = []
    for item in items:
        if isinstance(item, tuple):
            path, own = item
            pairs.append((Path(path), load_mapping(own)))
        elif default is None:
            raise WrongArgumentType(
                f"no mapping for {item}: pass mapping=, or (path, mapping) pairs")
        else:
            pairs.append((Path(item), default))
    if not pairs:
        raise InvalidArgument("no source files given")
    return pairs


def _earlier_files(base: Case | None) -> dict[str, str]:
    """The files a case was ingested from: name -> SHA-256 (from their evidence records)."""
    if base is None:
        return {}
    return {str(e.reference): str(e.attributes.get("sha256")) for e in base.evidence
            if e.id.startswith("src:") and e.reference and "sha256" in e.attributes}


def _source_names(paths: list[Path], earlier: AbstractMapping[str, str] | None = None
                  ) -> list[str]:
    """How problems, provenance and evidence name each file: its file name, or, where two
    different files share one (``bankA/statements.csv``, ``bankB/statements.csv``), the
    shortest end of their paths that tells them apart. A file named as one the case was
    ingested from (``earlier``: name -> SHA-256) but of other content is named by its folder
    too."""
    full = [Path(os.path.abspath(p)).parts for p in paths]
    names = [parts[-1] for parts in full]
    for i, parts in enumerate(full):
        known = (earlier or {}).get(names[i])
        if known is not None and len(parts) > 1 and file_digest(paths[i]) != known:
            depth = 2
            while depth < len(parts) and "/".join(parts[-depth:]) in (earlier or {}):
                depth += 1
            names[i] = "/".join(parts[-depth:]).lstrip("/")
    clash = Counter(names)
    for name in [n for n, count in clash.items() if count > 1]:
        group = [i for i, n in enumerate(names) if n == name]
        distinct = {full[i] for i in group}
        depth = 1
        while depth < max(len(full[i]) for i in group):
            if len({full[i][-depth:] for i in group}) == len(distinct):
                break
            depth += 1
        for i in group:
            names[i] = "/".join(full[i][-depth:]).lstrip("/") or names[i]
    return names


def _problem_list(frame: pd.DataFrame) -> list[SourceProblem]:
    return [SourceProblem(s, None if pd.isna(r) else int(r), c, v, m)
            for s, r, c, v, m in zip(frame["source"], frame["row"], frame["column"],
                                     frame["value"], frame["message"])]


# -- opening: headers ------------------------------------------------------------------------
def _header_key(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).replace("\ufeff", "").split())


def _open(src: _Source, problems: _Problems) -> None:
    name = src.name
    try:
        header = src.file.open()
    except FileNotFoundError:
        problems.add(name, None, None, str(src.file.path), "file not found")
        return
    except EmptyFile as exc:
        problems.add(name, None, None, None, str(exc))
        return
    except (OSError, UnicodeError, ValueError) as exc:
        problems.add(name, None, None, None, f"cannot read the file: {exc}")
        return
    by_key = {_header_key(h): h for h in header}
    used: set[str] = set()
    missing = []
    for column, spec in src.mapping.columns.items():
        found = next((by_key[k] for k in map(_header_key, spec.header) if k in by_key), None)
        src.columns[column] = found
        if found is None and spec.required:
            missing.append((column, spec))
        if found is not None:
            used.add(found)
    for column, spec in missing:
        problems.add(name, None, spec.header[0], None,
                     f"required column missing (the mapping {src.mapping.name!r} reads "
                     f"{column!r} from {' or '.join(map(repr, spec.header))}); the file has "
                     f"{', '.join(map(repr, header))}; no row of the file was read")
    ignored = {_header_key(h) for h in src.mapping.ignore}
    for h in header:
        if h not in used and _header_key(h) not in ignored:
            problems.add(name, None, h, None,
                         f"column not in the mapping {src.mapping.name!r}: its values are not "
                         "loaded (add it to the mapping's columns, or to its 'ignore' list)")
    src.opened = not missing


# -- reading rows ----------------------------------------------------------------------------
class _Columns:
    """Staged transactions as columns of Python lists (one value per row, None where blank),
    gathered chunk by chunk: a million waybills make a million transactions, which are neither
    deduplicated nor merged unless their ids repeat, so they need no DataFrame on the way."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {}
        self.srcs: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.size = 0

    def add(self, data: dict[str, list[Any]], src: int, rows: np.ndarray) -> None:
        count = len(rows)
        for name, values in data.items():
            column = self.columns.get(name)
            if column is None:  # a column the rows before lacked: blank there
                column = self.columns[name] = [None] * self.size
            column.extend(values)
        for name, column in self.columns.items():
            if name not in data:
                column.extend([None] * count)
        self.srcs.append(np.full(count, src, dtype=np.int64))
        self.rows.append(np.asarray(rows, dtype=np.int64))
        self.size += count

    def __len__(self) -> int:
        return self.size

    def src_row(self) -> tuple[np.ndarray, np.ndarray]:
        """The file number and row of every staged record."""
        empty = np.zeros(0, dtype=np.int64)
        return (np.concatenate(self.srcs) if self.srcs else empty,
                np.concatenate(self.rows) if self.rows else empty)

    def frame(self) -> pd.DataFrame:
        """The staged rows as the DataFrame the general merge reads (object columns)."""
        srcs, rows = self.src_row()
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in self.columns.items()})
        frame["_src"] = srcs
        frame["_row"] = rows
        return frame


class _Stage:
    """Staged record rows per section, and provenance, gathered chunk by chunk."""

    def __init__(self) -> None:
        self.frames: dict[str, list[pd.DataFrame]] = {s: [] for s in _ORDER}
        self.columns: dict[str, _Columns] = {}
        """Sections staged as columns (transactions), see :class:`_Columns`."""
        self.prov: dict[str, list[tuple[np.ndarray, int, np.ndarray]]] = {s: [] for s in _ORDER}
        self.counts: dict[str, list[str]] = {}
        self.recorded: Counter[int] = Counter()

    def provenance(self, section: str) -> pd.DataFrame:
        """Every (record id, file number, row) staged for ``section``."""
        parts = self.prov[section]
        if not parts:
            return pd.DataFrame({"id": [], "_src": [], "_row": []})
        ids = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
        return pd.DataFrame({  # (fresh arrays: neither copied nor consolidated)
            "id": pd.Series(ids, dtype=object, copy=False),
            "_src": np.concatenate([np.full(len(p[2]), p[1], dtype=np.int64) for p in parts]),
            "_row": np.concatenate([p[2] for p in parts])}, copy=False)

    def merge(self, srcs: list[_Source], evidence: list[Evidence], base: Case | None,
              problems: _Problems) -> tuple[dict[str, list[dict[str, Any]] | Links],
                                            pd.DataFrame, pd.DataFrame]:
        names = {src.index: src.name for src in srcs}
        ev_of = {src.index: src.evidence_id for src in srcs}
        records: dict[str, list[dict[str, Any]] | Links] = {}
        conflicts: list[dict[str, Any]] = []
        provs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for section in _ORDER:
            frames = [f for f in self.frames[section] if len(f)]
            prov = self.provenance(section)
            staged = self.columns.get(section)
            counted = set(self.counts.get(section, []))
            if staged is not None and len(staged):
                links = _links_of_columns(staged, names, ev_of, counted)
                if links is not None:
                    records[section] = links
                else:
                    records[section] = _merge_section(section, staged.frame(), prov, names,
                                                      ev_of, counted, conflicts)
            elif not frames:
                records[section] = []
                continue
            else:
                frame = pd.concat(frames, ignore_index=True)
                records[section] = _merge_section(section, frame, prov, names, ev_of,
                                                  counted, conflicts)
            provs.append((prov["id"].to_numpy(dtype=object),
                          prov["_src"].to_numpy(dtype=np.int64), prov["_row"].to_numpy()))
        if base is not None:
            as_dicts = {k: v.dicts() if isinstance(v, Links) else v for k, v in records.items()}
            counts = {k: set(v) for k, v in self.counts.items()}
            records = dict(_merge_into(base, as_dicts, conflicts, counts))
        conflict_frame = pd.DataFrame(conflicts, columns=list(CONFLICT_COLUMNS))
        if provs:  # one frame made from the sections' arrays (object columns: pandas would
            # infer its string dtype, slow to build and read)
            source_names = np.array([names.get(i) for i in range(max(names) + 1)], dtype=object)
            provenance = pd.DataFrame({
                "record": pd.Series(np.concatenate([p[0] for p in provs]), dtype=object,
                                    copy=False),
                "source": pd.Series(source_names[np.concatenate([p[1] for p in provs])],
                                    dtype=object, copy=False),
                "row": np.concatenate([p[2] for p in provs])}, copy=False)
        else:
            provenance = pd.DataFrame(columns=["record", "source", "row"])
        return records, conflict_frame, provenance


def _read_source(src: _Source, stage: _Stage, problems: _Problems, tz: Any,
                 chunk_size: int, progress: bool) -> None:
    for chunk in src.file.chunks(chunk_size, progress):
        for row, reason in chunk.bad_lines:
            problems.add(src.name, row, None, None,
                         f"the line does not fit the header ({reason}); check for an unquoted "
                         "separator or a line break inside a cell")
            src.read += 1
            src.rejected += 1
        if len(chunk.frame):
            _process_chunk(src, chunk.frame, chunk.rows, stage, problems, tz,
                           chunk.undecodable)
    if src.read == 0:
        problems.add(src.name, None, None, None, "the file has a header but no rows")


def _stripped(cells: pd.Series) -> pd.Series:
    """Cells without white space at either end (one C call per cell: ``str.strip``)."""
    try:
        return pd.Series(list(map(str.strip, cells.tolist())), index=cells.index, dtype=object)
    except TypeError:  # not all text
        return distinct_map(cells, lambda s: s.str.strip())


def _blank(values: pd.Series) -> np.ndarray:
    """True where a value is blank as pandas sees it (None, NaN, NaT, NA)."""
    array = values.to_numpy()
    if array.dtype == object:
        # In C: None is None, and NaN and NaT are the values that differ from themselves.
        # (pandas' own test looks at each value in turn; NA, which answers neither, and any
        # value that answers with something else than True or False go to it.)
        try:
            with np.errstate(invalid="ignore"):
                same = array == None  # noqa: E711 - elementwise
                differ = array != array
        except (TypeError, ValueError):
            differ = None
        if (isinstance(same, np.ndarray) and isinstance(differ, np.ndarray)
                and same.dtype == bool and differ.dtype == bool):
            return np.asarray(same | differ)
    return np.array(values.isna().to_numpy(), dtype=bool)


class _Blanks:
    """:func:`_blank`, remembered per column of one chunk: a record's id, its fields and its
    checks ask about the same columns again and again. (The columns are kept alive with their
    masks, so an id is never reused, and none is changed in place after it is asked about.)"""

    def __init__(self) -> None:
        self._known: dict[int, tuple[pd.Series, np.ndarray]] = {}

    def __call__(self, values: pd.Series) -> np.ndarray:
        known = self._known.get(id(values))
        if known is not None and known[0] is values:
            return known[1]
        mask = _blank(values)
        self._known[id(values)] = (values, mask)
        return mask

    def remember(self, values: pd.Series, mask: np.ndarray) -> None:
        """Record a column whose blanks are known already."""
        self._known[id(values)] = (values, mask)


def _process_chunk(src: _Source, raw: pd.DataFrame, rows: np.ndarray, stage: _Stage,
                   problems: _Problems, tz: Any, check_bytes: bool = True) -> None:
    m = src.mapping
    n = len(raw)
    src.read += n
    raw = raw.astype(object)
    raw.index = pd.RangeIndex(n)
    header_of = src.columns
    stripped = {h: _stripped(raw[h]) for h in raw.columns}
    # Cells as stripped text; a column the file lacks is blank.
    text: dict[str, pd.Series] = {}
    for column in m.columns:
        header = header_of.get(column)
        text[column] = (stripped[header] if header is not None
                        else pd.Series("", index=raw.index, dtype=object))
    rejected = np.zeros(n, dtype=bool)
    # Bytes that the file's encoding cannot decode (kept as lone surrogates): one problem per
    # row, naming the first such cell. (The reader tells when the file had none at all.)
    for header in raw.columns if check_bytes else ():
        if not _UNDECODED.search("".join(raw[header])):
            continue
        undecodable = raw[header].str.contains("[\udc80-\udcff]", regex=True).to_numpy(
            dtype=bool) & ~rejected
        if undecodable.any():
            where = np.flatnonzero(undecodable)
            problems.add_many(
                src.name, rows[where], header,
                [v.encode("utf-8", "surrogateescape").decode("latin-1")
                 for v in raw[header].to_numpy()[where]],
                f"bytes that are not {src.file.encoding} text; the file may mix encodings "
                "(give encoding=)")
            rejected |= undecodable
    garbled = rejected.copy()
    # Blank rows, then the mapping's filters.
    all_blank = np.ones(n, dtype=bool)
    for header in raw.columns:
        all_blank &= empty_cells(stripped[header])
        if not all_blank.any():
            break
    skipped = all_blank & ~rejected
    if skipped.any():
        src.skipped["blank row"] += int(skipped.sum())
    for rule in m.skip:
        cells = text[rule.column]
        hit = (cells == "") if rule.blank else cells.isin(rule.equals or [])
        hit = hit.to_numpy(dtype=bool) & ~skipped & ~rejected
        if hit.any():
            src.skipped[rule.describe()] += int(hit.sum())
            skipped |= hit
    live = ~skipped
    # Parse every column; a bad cell rejects its row.
    parsed: dict[str, Parsed] = {}
    for column, spec in m.columns.items():
        result = parse_column(spec.parse, text[column], spec, tz)
        parsed[column] = result
        header = header_of.get(column) or spec.header[0]
        bad = result.bad & live & ~garbled
        if bad.any():
            where = np.flatnonzero(bad)
            why = result.why if isinstance(result.why, str) else result.why.to_numpy()[where]
            problems.add_many(src.name, rows[where], header, text[column].to_numpy()[where], why)
            rejected |= bad
        if spec.required:
            blank = empty_cells(text[column]) & live & ~garbled
            if blank.any():
                where = np.flatnonzero(blank)
                problems.add_many(src.name, rows[where], header, None,
                                  "required value is blank")
                rejected |= blank
    values: dict[str, pd.Series] = {}
    for column, result in parsed.items():
        values[column] = result.values
        for name, extra in (result.extra or {}).items():
            values[f"{column}.{name}"] = extra
    # Each record: which rows make it, its id and its field values.
    made: dict[str, tuple[np.ndarray, pd.Series, dict[str, pd.Series]]] = {}
    blanks = _Blanks()
    for rec in m.records:
        active = live.copy()
        for column in rec.when:
            active &= ~blanks(values[column])
        for column in rec.unless:
            active &= blanks(values[column])
        ids = _render(rec.id, values, n, active, blanks)
        has_id = active & ~blanks(ids)
        fields: dict[str, pd.Series] = {}
        for name, source in rec.fields.items():
            fields[name] = _field(source, values, made, blanks)
        if not rec.when and not rec.unless:
            missing = live & ~rejected & blanks(ids)
            if missing.any():
                cols = template_columns(rec.id)
                where = np.flatnonzero(missing)
                problems.add_many(
                    src.name, rows[where], None, None,
                    f"cannot make the {rec.type} {rec.name!r}: its id needs "
                    + " and ".join(repr(header_of.get(c) or m.columns[c].header[0])
                                   for c in cols) + ", blank here")
                rejected |= missing
        _check_record(rec, has_id & ~rejected, fields, src, rows, problems, rejected, m,
                      blanks)
        made[rec.name] = (has_id, ids, fields)
    keep = live & ~rejected
    src.rejected += int((rejected & live).sum() + (rejected & ~live).sum())
    # (rows rejected for undecodable bytes are never 'skipped')
    stage.recorded[src.index] += int(keep.sum())
    for rspec in m.records:
        has_id, ids, fields = made[rspec.name]
        mask = has_id & keep
        if not mask.any():
            continue
        section = _SECTION[rspec.type]
        data: dict[str, Any] = {"id": ids[mask].to_numpy(dtype=object)}
        for name, series in fields.items():
            data[name] = series[mask].to_numpy(dtype=object)
        for name, constant in rspec.set.items():
            data[name] = [constant] * int(mask.sum())
        if rspec.type in ("shipment", "payment"):
            data["kind"] = rspec.type
            data.setdefault("currency", m.currency)
        if rspec.type == "evidence":
            _evidence_fields(data, src, int(mask.sum()))
        count = int(mask.sum())
        if rspec.count_into:
            stage.counts.setdefault(section, []).append(rspec.count_into)
        stage.prov[section].append((data["id"], src.index, rows[mask]))
        if section == "transactions" and _STAGE_AS_COLUMNS:
            # (fields hold None where blank already; attributes may hold NaN or NaT)
            for name, column in rspec.attributes.items():
                data[f"attr:{name}"] = _cells(values[column][mask], None)
            stage.columns.setdefault(section, _Columns()).add(
                {k: [v] * count if isinstance(v, str) else
                 (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in data.items()},
                src.index, rows[mask])
            continue
        for name, column in rspec.attributes.items():
            data[f"attr:{name}"] = values[column][mask].to_numpy(dtype=object)
        if rspec.count_into:
            # each row is one event (a call): two calls in one minute differ by their
            # duration, or any other cell; only rows equal in every mapped cell are one
            data[_CONTENT] = _row_texts(text, mask)
        row_of = rows[mask]
        first = None
        if section != "transactions" and _DISTINCT_BY_CODES:
            # Entities repeat row after row: keep one row per distinct content (with its
            # first row), found before any frame is made; every row stays in the provenance.
            content = _content_columns(rspec)
            first = _first_rows([data[k] for k in (content if content is not None
                                                   else list(data))], count)
            if first is not None:
                data = {k: v[first] if isinstance(v, np.ndarray) else
                        ([v] * len(first) if isinstance(v, str) else [v[i] for i in first])
                        for k, v in data.items()}
                row_of, count = row_of[first], len(first)
        # object columns: pandas would turn datetimes into Timestamps otherwise
        frame = pd.DataFrame({k: pd.Series([v] * count if isinstance(v, str) else v,
                                           dtype=object) for k, v in data.items()})
        frame["_src"] = src.index
        frame["_row"] = row_of
        if section != "transactions" and first is None:  # (a repeated waybill merges later)
            frame = _distinct(frame, _content_columns(rspec))
        stage.frames[section].append(frame)


def _evidence_fields(data: dict[str, Any], src: _Source, count: int) -> None:
    """An evidence record a mapping makes (an inspection) takes its file's agency and grading
    unless the mapping gives them, and its ``date`` is a day."""
    for name in ("agency", "reliability", "credibility"):
        value = getattr(src, name)
        if value is not None and name not in data:
            data[name] = [value] * count
    if "date" in data:
        data["date"] = np.array([v.date() if isinstance(v, datetime) else v
                                 for v in data["date"]], dtype=object)


def _first_rows(columns: list[Any], count: int) -> np.ndarray | None:
    """The positions, in order, of the first row of each distinct combination of the columns'
    values, as :meth:`pandas.DataFrame.drop_duplicates` keeps them (it compares the codes of
    :func:`pandas.factorize`, blanks all alike, as here); None when a value cannot be hashed."""
    key = np.zeros(count, dtype=np.int64)
    for column in columns:
        try:
            codes, uniques = pd.factorize(column if isinstance(column, np.ndarray)
                                          else pd.Series(column, dtype=object))
        except TypeError:  # unhashable values (lists given as constants)
            return None
        key, _ = pd.factorize(key * (len(uniques) + 1) + (codes + 1))  # stays below count
    _, first = np.unique(key, return_index=True)
    return np.sort(first)


def _distinct(frame: pd.DataFrame, content: list[str] | None = None) -> pd.DataFrame:
    """One row per distinct content (the first), judged on ``content`` (default: every
    column but ``_row``)."""
    if content is None:
        content = [c for c in frame.columns if c != "_row"]
    try:
        return frame.drop_duplicates(subset=content, keep="first")
    except TypeError:  # unhashable values (lists given as constants)
        return frame


def _content_columns(spec: RecordSpec) -> list[str] | None:
    """The columns of one chunk's staged rows of ``spec`` that decide the rest: the others
    hold constants (the file, ``set`` values) or repeat a column already in (two fields read
    from one column; an id made from columns that are fields). None when a constant cannot be
    compared (a list): then every column is compared, as before."""
    try:
        hash(tuple(spec.set.values()))
    except TypeError:
        return None
    content: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for name, source in spec.fields.items():
        key = (source,) if isinstance(source, str) else tuple(source)
        if key not in seen:
            seen.add(key)
            content.append(name)
    for name, column in spec.attributes.items():
        if (column,) not in seen:
            seen.add((column,))
            content.append(f"attr:{name}")
    if not all((column,) in seen for column in template_columns(spec.id)):
        content.insert(0, "id")
    if spec.count_into:
        content.append(_CONTENT)
    return content or ["id"]


_CONTENT = "_content"
"""The staged column that holds a counted record's whole row (see :func:`_row_texts`)."""


def _row_texts(text: dict[str, pd.Series], mask: np.ndarray) -> np.ndarray:
    """Each masked row's mapped cells as one text, for telling apart rows that make the same
    counted record (two calls between two phones in the same minute)."""
    columns = [text[c][mask].astype(str) for c in sorted(text)]
    if not columns:
        return np.zeros(int(mask.sum()), dtype=object)
    joined = columns[0]
    for column in columns[1:]:
        joined = joined + "\x1f" + column
    out: np.ndarray = joined.to_numpy(dtype=object)
    return out


def _render(template: str, values: dict[str, pd.Series], n: int,
            where: np.ndarray | None = None, blanks: _Blanks | None = None) -> pd.Series:
    """The ids of a template, row by row; None where an inserted value is blank (and, given
    ``where``, in the rows where it is False: no record is made there)."""
    blank_of = blanks if blanks is not None else _blank
    if where is not None and not where.all():
        out = pd.Series(None, index=pd.RangeIndex(n), dtype=object)
        if where.any():
            rows = np.flatnonzero(where)
            part = {c: values[c].iloc[rows].reset_index(drop=True)
                    for c in template_columns(template)}
            out.iloc[rows] = _render(template, part, len(rows)).to_numpy(dtype=object)
        return out
    result: pd.Series | None = None
    blank = np.zeros(n, dtype=bool)
    pieces: list[Any] = []
    parts = list(string.Formatter().parse(template))
    # "org:{company}": the literal is added to each distinct key, not to every row
    alone = len(template_columns(template)) == 1
    for number, (literal, column, _, _) in enumerate(parts):
        if literal and not alone:
            pieces.append(literal)
        if column is not None:
            series = values[column]
            empty = blank_of(series)
            blank |= empty
            as_text = series.astype(object).where(~empty, "")
            if not set(map(type, as_text.tolist())) <= {str}:
                as_text = as_text.astype(str).astype(object)
            if alone:
                after = parts[number + 1][0] if number + 1 < len(parts) else ""
                pieces.append(id_keys(as_text, literal, after))
            else:
                pieces.append(id_keys(as_text))
    for piece in pieces:
        if isinstance(piece, str):
            result = piece if result is None else result + piece
        else:
            result = piece if result is None else result + piece
    if result is None or isinstance(result, str):
        result = pd.Series([result] * n, dtype=object)
    out = result.astype(object)
    out[blank] = None
    return out


def _field(source: str | list[str], values: dict[str, pd.Series],
           made: dict[str, tuple[np.ndarray, pd.Series, dict[str, pd.Series]]],
           blanks: _Blanks) -> pd.Series:
    """A field's values: a column, another record's id (``@name``), or the first of a list."""
    choices = [source] if isinstance(source, str) else source
    out: pd.Series | None = None
    out_blank = np.zeros(0, dtype=bool)
    for choice in choices:
        if choice.startswith("@"):
            has_id, ids, _ = made[choice[1:]]
            empty = ~has_id | blanks(ids)
            series = ids.where(~empty, None).astype(object)
        else:
            empty = blanks(values[choice])
            series = values[choice].astype(object)
        series = series.where(~empty, None)
        if out is None:
            out, out_blank = series, empty
        else:
            out, out_blank = out.where(~out_blank, series), out_blank & empty
    assert out is not None
    blanks.remember(out, out_blank)
    return out


def _check_record(spec: RecordSpec, rows_with: np.ndarray, fields: dict[str, pd.Series],
                  src: _Source, rows: np.ndarray, problems: _Problems, rejected: np.ndarray,
                  m: Mapping, blanks: _Blanks) -> None:
    """Reject rows whose link would break the model's rules (reported per row, not per record)."""
    if spec.type not in ("shipment", "payment", "relationship"):
        return

    def flag(mask: np.ndarray, column: str | None, value: pd.Series | None, message: str) -> None:
        mask = mask & rows_with & ~rejected
        if mask.any():
            where = np.flatnonzero(mask)
            shown = None if value is None else value.to_numpy(dtype=object)[where]
            problems.add_many(src.name, rows[where], column, shown, message)
            rejected[:] |= mask

    def header(field_name: str) -> str | None:
        source = spec.fields.get(field_name)
        first = source if isinstance(source, str) else (source[0] if source else None)
        if first is None or first.startswith("@"):
            ref = None if first is None else next(
                (r for r in m.records if r.name == first[1:]), None)
            if ref is not None:
                cols = template_columns(ref.id)
                if cols:
                    return src.columns.get(cols[0]) or m.columns[cols[0]].header[0]
            return field_name
        return src.columns.get(first) or m.columns[first].header[0]

    needed = {"shipment": ("source", "target", "timestamp", "product"),
              "payment": ("source", "target", "timestamp"),
              "relationship": ("source", "target")}[spec.type]
    for name in needed:
        if name in fields:
            flag(blanks(fields[name]), header(name), None,
                 f"no {name} for the {spec.type}: the cells it is made from are blank")
    if "source" in fields and "target" in fields:
        same = (fields["source"] == fields["target"]).to_numpy(dtype=bool) & ~blanks(
            fields["source"])
        flag(same, header("target"), fields["target"],
             f"the {spec.type}'s source and target are the same record; goods or money that "
             "do not move are no transaction")
    if spec.type == "shipment" and "quantity" in fields:
        qty = pd.to_numeric(fields["quantity"], errors="coerce").to_numpy(dtype=float)
        flag(blanks(fields["quantity"]) | ~(qty > 0), header("quantity"), fields["quantity"],
             "a shipment needs a quantity greater than 0")
    if spec.type == "payment" and "amount" in fields:
        amt = pd.to_numeric(fields["amount"], errors="coerce").to_numpy(dtype=float)
        flag(blanks(fields["amount"]) | ~(amt > 0), header("amount"), fields["amount"],
             "a payment needs an amount greater than 0")
    for name in ("amount", "weight"):
        if name in fields and not (spec.type == "payment" and name == "amount"):
            num = pd.to_numeric(fields[name], errors="coerce").to_numpy(dtype=float)
            flag(num < 0, header(name), fields[name], f"{name} cannot be negative")


# -- merging ---------------------------------------------------------------------------------
def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _ranges(rows: np.ndarray) -> str:
    rows = np.unique(rows)
    if len(rows) == 0:
        return ""
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts = np.concatenate(([rows[0]], rows[breaks + 1]))
    ends = np.concatenate((rows[breaks], [rows[-1]]))
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in zip(starts, ends)]
    if len(parts) > _ROWS_SHOWN:
        rest = int(sum(b - a + 1 for a, b in zip(starts[_ROWS_SHOWN:], ends[_ROWS_SHOWN:])))
        parts = [*parts[:_ROWS_SHOWN], f"… +{rest:,} rows"]
    return ",".join(parts)


def _rows_text(prov: pd.DataFrame, names: dict[int, str]) -> tuple[dict[str, str],
                                                                  dict[str, list[int]]]:
    """Per record id: ``"file.csv:2-5,17;other.xlsx:3"`` and the sources it came from."""
    ids = prov["id"].to_numpy(dtype=object)
    srcs = prov["_src"].to_numpy(dtype=np.int64)
    rows = prov["_row"].to_numpy(dtype=np.int64)
    codes, uniques = pd.factorize(ids)
    if len(uniques) == len(ids):
        text = [f"{names[s]}:{r}" for s, r in zip(srcs.tolist(), rows.tolist())]
        return dict(zip(ids, text)), {i: [s] for i, s in zip(ids, srcs.tolist())}
    # Sort by (record, file, row) once; ranges of consecutive rows are found with numpy.
    low = int(rows.min())
    span_src, span_row = int(srcs.max()) + 1, int(rows.max()) - low + 1
    if srcs.min() >= 0 and len(uniques) * span_src * span_row < 2**62:
        # one number per (record, file, row): equal numbers are equal triples
        order = np.argsort((codes * span_src + srcs) * span_row + (rows - low))
    else:
        order = np.lexsort((rows, srcs, codes))
    codes, srcs, rows = codes[order], srcs[order], rows[order]
    group = np.concatenate(([True], (codes[1:] != codes[:-1]) | (srcs[1:] != srcs[:-1])))
    fresh = group | np.concatenate(([True], rows[1:] != rows[:-1] + 1))
    same_row = np.concatenate(([False], (rows[1:] == rows[:-1]) & ~group[1:]))
    fresh &= ~same_row
    keep = ~same_row
    codes, srcs, rows, group, fresh = (codes[keep], srcs[keep], rows[keep], group[keep],
                                       fresh[keep])
    starts = np.flatnonzero(fresh)
    ends = np.concatenate((starts[1:], [len(rows)])) - 1
    range_group = np.cumsum(group)[starts] - 1
    group_starts = np.flatnonzero(group)
    group_code, group_src = codes[group_starts], srcs[group_starts]
    bounds = np.searchsorted(range_group, np.arange(len(group_starts) + 1))
    # Only the first ranges of each (record, file) are written out; the rows of the others
    # are counted (from the rows in the ranges before each one).
    lo, hi = bounds[:-1], bounds[1:]
    shown = np.minimum(hi, lo + _ROWS_SHOWN)
    before = np.concatenate(([0], np.cumsum(rows[ends] - rows[starts] + 1)))
    rests = (before[hi] - before[shown]).tolist()
    counts = shown - lo
    offsets = np.concatenate(([0], np.cumsum(counts)))
    picked = np.repeat(lo - offsets[:-1], counts) + np.arange(offsets[-1])
    first, last = rows[starts][picked].tolist(), rows[ends][picked].tolist()
    offsets_list = offsets.tolist()
    rows_of: dict[str, list[str]] = {}
    srcs_of: dict[str, list[int]] = {}
    for g, rest in enumerate(rests):
        a0, a1 = offsets_list[g], offsets_list[g + 1]
        parts = [str(a) if a == b else f"{a}-{b}" for a, b in zip(first[a0:a1], last[a0:a1])]
        if rest:
            parts.append(f"… +{rest:,} rows")
        rid = uniques[group_code[g]]
        src = int(group_src[g])
        rows_of.setdefault(rid, []).append(f"{names[src]}:{','.join(parts)}")
        srcs_of.setdefault(rid, []).append(src)
    return {k: ";".join(v) for k, v in rows_of.items()}, srcs_of


def _merge_section(section: str, frame: pd.DataFrame, prov: pd.DataFrame,
                   names: dict[int, str], ev_of: dict[int, str], counted: set[str],
                   conflicts: list[dict[str, Any]]) -> list[dict[str, Any]] | Links:
    if section != "transactions":
        frame = _distinct(frame)  # rows repeated across chunks and files count once
    fields = [c for c in frame.columns if c not in ("id", "_src", "_row", _CONTENT)]
    if (section in _LINK_SECTIONS and not counted and not any(c in LIST_FIELDS for c in fields)
            and frame["id"].is_unique and (len(prov) == len(frame) or prov["id"].is_unique)):
        return _links_of(frame, fields, names, ev_of)
    rows_text, srcs_of = _rows_text(prov, names)
    dup = frame["id"].duplicated(keep=False).to_numpy()
    out: list[dict[str, Any]] = []
    single = frame[~dup]
    plain = [c for c in fields if not c.startswith("attr:") and c not in LIST_FIELDS]
    attrs = [c for c in fields if c.startswith("attr:")]
    lists = [c for c in fields if c in LIST_FIELDS]
    def cells(c: str) -> list[Any]:
        column = single[c]
        values = np.array(column.to_numpy(dtype=object), dtype=object)
        values[column.isna().to_numpy(dtype=bool)] = None
        return [_plain(v) for v in values] if c in attrs else values.tolist()

    plain_values = [cells(c) for c in plain]
    attr_values = [cells(c) for c in attrs]
    list_values = [cells(c) for c in lists]
    attr_names = [c[5:] for c in attrs]
    ids = single["id"].to_numpy(dtype=object).tolist()
    for position, (rid, *cells_of) in enumerate(zip(ids, *plain_values)):
        record: dict[str, Any] = {k: v for k, v in zip(plain, cells_of) if v is not None}
        record["id"] = rid
        record["attributes"] = {k: v[position] for k, v in zip(attr_names, attr_values)
                                if v[position] is not None}
        for c, values in zip(lists, list_values):
            value = values[position]
            if value is not None:
                record[c] = value if isinstance(value, list) else [value]
        out.append(record)
    if dup.any():
        multi = frame[dup]
        where = [f"{names[s]}:{r}" for s, r in zip(multi["_src"].to_numpy(),
                                                   multi["_row"].to_numpy())]
        multi = multi.assign(_where=where)
        for rid, group in multi.groupby("id", sort=False):
            record = {"id": rid}
            kept_from: dict[str, str] = {}
            for c in fields:
                for value, place in zip(group[c].to_numpy(dtype=object), group["_where"]):
                    if not _is_null(value):
                        _merge_value(record, c, value, place, kept_from, section, conflicts,
                                     counted)
            out.append(record)
    sizes = frame.groupby("id", sort=False).size() if counted else None
    for record in out:
        rid = record["id"]
        record.setdefault("attributes", {})["rows"] = rows_text[rid]
        record["evidence"] = list(dict.fromkeys([*record.get("evidence", []),
                                                 *(ev_of[s] for s in srcs_of[rid])]))
        if sizes is not None:
            for c in counted:
                record[c] = float(sizes[rid])
    return out


def _cells(frame: pd.DataFrame | pd.Series, column: str | None) -> np.ndarray:
    """A column's values as objects, None where blank (None, NaN, NaT)."""
    series = frame if column is None else frame[column]
    values = np.array(series.to_numpy(dtype=object), dtype=object)
    values[series.isna().to_numpy(dtype=bool)] = None
    return values


_NEVER_NULL = frozenset({str, type(None), datetime, int, bool, list, dict})
"""Types of which no value is a blank but None (pandas takes NaN, NaT and NA for blanks)."""


def _nulls_to_none(values: list[Any]) -> list[Any]:
    """``values`` with every blank (NaN, NaT, NA) made None, as :func:`_cells` makes them."""
    if set(map(type, values)) <= _NEVER_NULL:
        return values
    out: list[Any] = _cells(pd.Series(values, dtype=object), None).tolist()
    return out


def _links_of_columns(staged: _Columns, names: dict[int, str], ev_of: dict[int, str],
                      counted: set[str]) -> Links | None:
    """:func:`_links_of` straight from staged columns, when :func:`_merge_section` would take
    that path (ids unique, nothing counted, no list field); None when it would not."""
    columns = staged.columns
    fields = [c for c in columns if c != "id"]
    if counted or any(c in LIST_FIELDS for c in fields):
        return None
    ids = columns["id"]
    if not pd.Index(ids, dtype=object).is_unique:
        return None
    srcs, rows = staged.src_row()
    where: list[str] = []
    evidence: list[str] = []
    bounds = np.flatnonzero(np.diff(srcs)) + 1
    for start, end in zip([0, *bounds.tolist()], [*bounds.tolist(), len(srcs)]):
        src = int(srcs[start])
        where.extend(map(f"{names[src]}:".__add__, map(str, rows[start:end].tolist())))
        evidence.extend([ev_of[src]] * (end - start))
    return Links(
        ids=list(ids),
        fields={c: _nulls_to_none(columns[c]) for c in fields if not c.startswith("attr:")},
        attributes={c[5:]: plain_values(np.fromiter(_nulls_to_none(columns[c]), dtype=object,
                                                    count=len(ids)))
                    for c in fields if c.startswith("attr:")},
        rows=where, evidence=evidence)


def _links_of(frame: pd.DataFrame, fields: list[str], names: dict[int, str],
              ev_of: dict[int, str]) -> Links:
    """Transactions or relationships, one per row of ``frame`` (their ids are unique and each
    came from one row of one file), as columns."""
    srcs = frame["_src"].to_numpy(dtype=np.int64)
    rows = frame["_row"].to_numpy(dtype=np.int64)
    where = np.empty(len(frame), dtype=object)
    evidence = np.empty(len(frame), dtype=object)
    for src in np.unique(srcs).tolist():
        mine = srcs == src
        where[mine] = f"{names[src]}:" + rows[mine].astype(str).astype(object)
        evidence[mine] = ev_of[src]
    return Links(
        ids=frame["id"].to_numpy(dtype=object).tolist(),
        fields={c: _cells(frame, c).tolist() for c in fields if not c.startswith("attr:")},
        attributes={c[5:]: plain_values(_cells(frame, c)) for c in fields
                    if c.startswith("attr:")},
        rows=where.tolist(), evidence=evidence.tolist())


def _put(record: dict[str, Any], column: str, value: Any) -> None:
    if column.startswith("attr:"):
        record.setdefault("attributes", {})[column[5:]] = _plain(value)
    elif column in LIST_FIELDS:
        items = value if isinstance(value, list) else [value]
        record.setdefault(column, [])
        for item in items:
            if item not in record[column]:
                record[column].append(item)
    else:
        record[column] = value


def _merge_value(record: dict[str, Any], column: str, value: Any, place: str,
                 kept_from: dict[str, str], section: str, conflicts: list[dict[str, Any]],
                 counted: set[str]) -> None:
    if column in LIST_FIELDS:
        _put(record, column, value)
        return
    if section == "relationships" and counted and column in ("since", "until"):
        current = record.get(column)
        if current is None or (value < current if column == "since" else value > current):
            record[column] = value
        return
    key = column[5:] if column.startswith("attr:") else column
    holder = record.setdefault("attributes", {}) if column.startswith("attr:") else record
    value = _plain(value) if column.startswith("attr:") else value
    if key not in holder:
        holder[key] = value
        kept_from[column] = place
        return
    if _same(holder[key], value):
        return
    resolution = "first kept"
    if column == "name":
        aliases = record.setdefault("aliases", [])
        if value not in aliases:
            aliases.append(value)
        resolution = "first kept; the other added to aliases"
    if not any(c["record"] == record["id"] and c["field"] == key and c["other"] == value
               for c in conflicts[-20:]):
        conflicts.append({"record": record["id"], "type": section, "field": key,
                          "kept": holder[key], "other": value,
                          "kept_from": kept_from.get(column, ""), "other_from": place,
                          "resolution": resolution})


def _same(a: Any, b: Any) -> bool:
    """Equal values; texts that differ only in white space or full-width forms are equal."""
    if isinstance(a, str) and isinstance(b, str):
        return a == b or address_key(a) == address_key(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _merge_into(base: Case, records: dict[str, list[dict[str, Any]]],
                conflicts: list[dict[str, Any]],
                counts: dict[str, set[str]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The base case's records with the new ones merged in by id.

    A value the base record holds counts whenever it was set, even to the model's default
    (an organization set to ``kind="company"`` is not overwritten by ``"logistics"``: that is
    a conflict). Counted records (calls) add up: the weights are summed and since/until
    widened, as if all the files had been read at once; a record whose files are all among
    the base record's evidence already (the same file read again) adds nothing.
    """
    merged: dict[str, list[dict[str, Any]]] = {}
    for section in _ORDER:
        old = [{k: v for k, v in r.model_dump(exclude_unset=True).items() if v is not None}
               for r in getattr(base, section)]
        by_id = {r["id"]: r for r in old}
        counted = (counts or {}).get(section, set())
        fresh = []
        touched: list[dict[str, Any]] = []
        for record in records.get(section, []):
            existing = by_id.get(record["id"])
            if existing is None:
                fresh.append(record)
                continue
            touched.append(existing)
            kept_from = {c: "(case)" for c in existing}
            where = record.get("attributes", {}).get("rows", "")
            again = set(record.get("evidence", [])) <= set(existing.get("evidence", []))
            for column, value in record.items():
                if column == "id":
                    continue
                if counted and (column in counted or column in ("since", "until")):
                    if again:
                        continue
                    if column in counted and existing.get(column) is not None:
                        existing[column] = existing[column] + value
                        continue
                    _merge_value(existing, column, value, where, kept_from, section,
                                 conflicts, counted)
                    continue
                if column == "evidence":
                    existing["evidence"] = list(dict.fromkeys([*existing.get("evidence", []),
                                                               *value]))
                elif column == "attributes":
                    attrs = existing.setdefault("attributes", {})
                    for key, item in value.items():
                        if key == "rows" and "rows" in attrs:
                            parts = [*str(attrs["rows"]).split(";"), *str(item).split(";")]
                            attrs["rows"] = ";".join(dict.fromkeys(parts))
                        else:
                            _merge_value(existing, f"attr:{key}", item, where, kept_from,
                                         section, conflicts, set())
                elif column in LIST_FIELDS:
                    for item in value:
                        _put(existing, column, item)
                else:
                    _merge_value(existing, column, value, where, kept_from, section,
                                 conflicts, set())
        # (the base's evidence records stay as they are, but those a mapping made again)
        merged[section] = (touched if section == "evidence" else old) + fresh
    return merged


# -- the evidence records and the case ---------------------------------------------------------
def _source_evidence(srcs: list[_Source], taken: set[str], base: Case | None,
                     recorded: Counter[int]
                     ) -> tuple[list[Evidence], dict[str, Evidence], list[dict[str, Any]]]:
    """Each file's Evidence record; the base case's evidence records a file read again fills
    in (a grade or agency they lacked); and the grades and agencies that differ from those of
    the file's earlier reading (reported as conflicts: the earlier record is kept).

    A file that gave no record (a header and no rows, or every row rejected) gets none:
    nothing in the case would cite it (its problems still say what happened)."""
    out: list[Evidence] = []
    known = {e.id: e for e in base.evidence} if base is not None else {}
    filled: dict[str, Evidence] = {}
    conflicts: list[dict[str, Any]] = []
    used = set(taken)
    for src in srcs:
        if not src.opened or not recorded[src.index]:
            continue
        digest = file_digest(src.file.path)
        candidate = f"src:{src.name}"
        number = 1
        while candidate in used:
            same = known.get(candidate)
            if same is not None and same.attributes.get("sha256") == digest:
                break  # the same file again: its records join the same evidence
            number += 1
            candidate = f"src:{src.name}#{number}"
        src.evidence_id = candidate
        if candidate in known:
            _regraded(filled.get(candidate, known[candidate]), src, filled, conflicts)
            continue
        used.add(candidate)
        out.append(Evidence(
            id=candidate, name=f"{src.mapping.title}: {src.name}", kind=src.mapping.evidence_kind,
            agency=src.agency, reference=src.name, reliability=src.reliability,
            credibility=src.credibility,
            attributes={"mapping": src.mapping.name, "sha256": digest,
                        "encoding": src.file.encoding, "rows_read": src.read},
        ))
    return out, filled, conflicts


def _regraded(earlier: Evidence, src: _Source, filled: dict[str, Evidence],
              conflicts: list[dict[str, Any]]) -> None:
    """A file read again: fill in what its evidence record lacked, report what differs."""
    given = {"agency": src.agency, "reliability": src.reliability,
             "credibility": src.credibility}
    blanks = {k: v for k, v in given.items() if v is not None and getattr(earlier, k) is None}
    if blanks:
        filled[earlier.id] = earlier.model_copy(update=blanks)
    for name, value in given.items():
        old = getattr(earlier, name)
        if value is not None and old is not None and old != value:
            conflicts.append({"record": earlier.id, "type": "evidence", "field": name,
                              "kept": old, "other": value, "kept_from": "(case)",
                              "other_from": src.name,
                              "resolution": "first kept (the file was read before with this "
                                            "grade; change it on the evidence record)"})


@dataclass
class _Dropped:
    """A record the model rejected when the case was built, and why (per field)."""

    section: str
    id: str
    reasons: list[tuple[str | None, Any, str]]


def _build_sections(records: dict[str, list[dict[str, Any]] | Links]
                    ) -> tuple[dict[str, list[Any]], list[_Dropped]]:
    """The model's records of every section, and those it rejected: a record whose values
    break the model's rules (an id longer than 200 characters, a character no id may hold),
    and every link that refers to a rejected record."""
    built: dict[str, list[Any]] = {}
    dropped: list[_Dropped] = []
    gone: set[str] = set()
    for section in _ORDER:
        got = records.get(section, [])
        if isinstance(got, Links):
            if gone:
                hit = got.refers_to(gone)
                if hit.any():
                    for position in np.flatnonzero(hit).tolist():
                        record = {name: got.fields[name][position]
                                  for name in _REFERENCES if name in got.fields}
                        dropped.append(_dependant(section, got.ids[position], record, gone))
                    got = got.take(~hit)
            # Every value was parsed and checked column by column (types, finite and positive
            # numbers, times, ids); when the model's rules all hold for every column, the
            # records are built without a second validation.
            if links_valid(_MODEL[section], got):
                built[section] = build_links(_MODEL[section], got)
                continue
            got = got.dicts()
        items = []
        for record in got:
            if _refers_to(record, gone):
                dropped.append(_dependant(section, record["id"], record, gone))
            else:
                items.append(record)
        if section in _LINK_SECTIONS and dicts_valid(_MODEL[section], items):
            built[section] = _construct(_MODEL[section], items)
            continue
        adapter = TypeAdapter(list[_MODEL[section]])  # type: ignore[valid-type]
        try:
            built[section] = adapter.validate_python(items)
        except ValidationError as exc:
            bad: dict[int, list[tuple[str | None, Any, str]]] = {}
            for error in exc.errors(include_url=False):
                loc = error["loc"]
                if loc and isinstance(loc[0], int):
                    column = ".".join(str(p) for p in loc[1:]) or None
                    bad.setdefault(loc[0], []).append(
                        (column, error.get("input"), _in_words(error, column or "record")))
            for position, reasons in bad.items():
                rid = items[position]["id"]
                gone.add(rid)
                dropped.append(_Dropped(section, rid, reasons))
            keep = [r for i, r in enumerate(items) if i not in bad]
            built[section] = adapter.validate_python(keep)
    return built, dropped


_REFERENCES = ("source", "target", "product", "carrier")


def _dependant(section: str, rid: str, record: AbstractMapping[str, Any],
               gone: set[str]) -> _Dropped:
    """A link dropped because a record it refers to was rejected."""
    reasons: list[tuple[str | None, Any, str]] = [
        (name, record[name], f"its {name} {record[name]!r} was rejected (see the problem "
                             "of that record); the link cannot be kept without it")
        for name in _REFERENCES if record.get(name) in gone]
    return _Dropped(section, rid, reasons)


def _in_words(error: Any, field: str) -> str:
    """Pydantic's message about ``field``, said in an analyst's words."""
    kind, value = error["type"], error.get("input")
    if kind == "string_too_long" and isinstance(value, str):
        limit = (error.get("ctx") or {}).get("max_length")
        return (f"the {field} is {len(value)} characters long; "
                f"at most {limit} are allowed")
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        worded = _friendly(error, field)
        if worded.startswith(("contains ", "has ")):  # (a flaw of an id or reference)
            return f"the {field} {worded}"
        if worded != str(error["msg"]):
            return f"{field}: {worded}"
        if field.split(".")[0] == "currency":
            return f"the currency {value!r} is no three-letter currency code (CNY, USD)"
        if field.split(".")[0] in ("id", *_REFERENCES):
            return (f"the {field} holds characters it may not hold (white space at its start "
                    "or end, or an invisible or control character)")
        return f"the {field} {value!r} is not in a form the model accepts"
    return f"{field}: {_friendly(error, field)}"


def _account_dropped(dropped: list[_Dropped], provenance: pd.DataFrame, srcs: list[_Source],
                     stage: _Stage, problems: _Problems) -> pd.DataFrame:
    """Report every rejected record once per source row it was made from, count those rows
    rejected (not recorded), and return the provenance without the rejected records."""
    if not dropped:
        return provenance
    by_name = {src.name: src for src in srcs}
    ids = {d.id for d in dropped}
    mine = provenance[provenance["record"].isin(ids)]
    rows_of: dict[str, list[tuple[str, int | None]]] = {}
    for rid, source, row in zip(mine["record"], mine["source"], mine["row"]):
        rows_of.setdefault(rid, []).append((source, int(row)))
    rejected_rows: set[tuple[str, int]] = set()
    for item in dropped:
        word = _SECTION_WORD[item.section]
        places = rows_of.get(item.id) or [("(case)", None)]
        for source, row in places:
            if row is not None:
                rejected_rows.add((source, row))
            src = by_name.get(source)
            for column, value, message in item.reasons:
                header = (_header_of(src, item.section, item.id, column) if src is not None
                          else column)
                problems.add(source, row, header, value,
                             f"{word} {item.id!r} rejected: {message}")
    for source, _ in rejected_rows:
        src = by_name.get(source)
        if src is not None:
            src.rejected += 1
            stage.recorded[src.index] -= 1
    kept = provenance[~provenance["record"].isin(ids)]
    return kept.reset_index(drop=True)


def _header_of(src: _Source, section: str, rid: str, field_name: str | None) -> str | None:
    """The file's column a record's field was made from (the first, for an id made from
    several), found through the mapping's records whose id template fits (the first whose
    column the file has: where two fit, as a sender's and a receiver's company, it may name
    the other); else the field's name."""
    m = src.mapping
    if field_name is None:
        return None

    def first_column(template: str) -> str | None:
        cols = template_columns(template)
        return cols[0] if cols else None

    fallback: str | None = None  # (a column of the mapping that this file lacks)
    for spec in m.records:
        literal = next(iter(string.Formatter().parse(spec.id)), ("", None))[0] or ""
        if _SECTION[spec.type] != section or not rid.startswith(literal):
            continue
        column: str | None = None
        if field_name == "id":
            column = first_column(spec.id)
        else:
            source = spec.fields.get(field_name)
            choice = source if isinstance(source, str) else (source[0] if source else None)
            if choice is not None and choice.startswith("@"):
                ref = next((r for r in m.records if r.name == choice[1:]), None)
                column = first_column(ref.id) if ref is not None else None
            else:
                column = choice
        if column is not None and column in m.columns:
            if src.columns.get(column) is not None:
                return src.columns[column]
            fallback = fallback or m.columns[column].header[0]
    return fallback or field_name


def _make_case(built: dict[str, list[Any]], evidence: list[Evidence],
               filled: dict[str, Evidence], base: Case | None, tz_name: str, case_id: str,
               title: str) -> Case:
    made = built.pop("evidence", [])
    again = {e.id for e in made}
    earlier = ([filled.get(e.id, e) for e in base.evidence if e.id not in again]
               if base is not None else [])
    evidence_all = [*earlier, *evidence, *made]
    try:
        return Case(
            id=base.id if base is not None else case_id,
            title=base.title if base is not None else title,
            description=base.description if base is not None else None,
            timezone=tz_name, currency=base.currency if base is not None else "CNY",
            attributes=dict(base.attributes) if base is not None else {},
            evidence=evidence_all, **built,
        )
    except InvalidCase as exc:
        raise InvalidSource([SourceProblem("(case)", None, p.field, p.value, str(p))
                             for p in exc.problems]) from None


_MISSING = object()


def _construct(model: type[Record], items: list[dict[str, Any]]) -> list[Any]:
    """Records built from checked values without validating them again (as
    ``model_construct`` does, with the defaults resolved once): call only when
    :func:`~.links.dicts_valid` holds."""
    defaults: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory
        elif not info.is_required():
            defaults[name] = info.default
    pairs = [(name, defaults.get(name, _MISSING)) for name in model.model_fields]
    missing_factories = list(factories)
    setattr_ = object.__setattr__
    out = []
    for record in items:
        get = record.get
        values = {name: get(name, default) for name, default in pairs}
        for name in missing_factories:
            if values[name] is _MISSING:
                values[name] = factories[name]()
        fields_set = set(record)
        instance = model.__new__(model)
        setattr_(instance, "__dict__", values)
        setattr_(instance, "__pydantic_fields_set__", fields_set)
        setattr_(instance, "__pydantic_extra__", None)
        setattr_(instance, "__pydantic_private__", None)
        out.append(instance)
    return out


_SECTION_WORD = {t.section: t.word for t in RECORD_TYPES}


def _refers_to(record: dict[str, Any], ids: set[str]) -> bool:
    if not ids:
        return False
    return any(record.get(name) in ids for name in _REFERENCES)


def _sources_frame(srcs: list[_Source], stage: _Stage) -> pd.DataFrame:
    rows = []
    for src in srcs:
        skipped = sum(src.skipped.values())
        rows.append({
            "source": src.name, "mapping": src.mapping.name, "evidence": src.evidence_id or None,
            "encoding": src.file.encoding, "rows_read": src.read,
            "recorded": stage.recorded[src.index], "rejected": src.rejected, "skipped": skipped,
            "skipped_because": "; ".join(f"{reason} ({n:,})"
                                         for reason, n in src.skipped.items()),
        })
    return pd.DataFrame(rows, columns=["source", "mapping", "evidence", "encoding", "rows_read",
                                       "recorded", "rejected", "skipped", "skipped_because"])

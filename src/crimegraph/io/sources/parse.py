"""Vectorised value parsers for agency exports: dates, amounts, quantities, phones, ids.

Each parser takes a column of stripped text (``""`` for a blank cell, never NaN) and returns
the parsed values with ``None``/NaN/NaT where the cell was blank, plus a mask of the cells that
could not be parsed and the reason. Work is done on whole columns with pandas string methods;
phones and national ids, which need a real parser or a checksum, are parsed once per distinct
value, not once per row.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

__all__ = [
    "PARSERS",
    "Parsed",
    "address_key",
    "distinct_map",
    "empty_cells",
    "id_keys",
    "identifier_key",
    "key_series",
    "normalise_address",
    "normalise_phone",
    "parse_column",
    "valid_national_id",
]


@dataclass
class Parsed:
    """The parsed values of one column, and which cells failed and why."""

    values: pd.Series
    bad: np.ndarray
    """True where a non-blank cell could not be parsed."""
    why: pd.Series | str
    """The reason, per cell or one for every failed cell."""
    extra: dict[str, pd.Series] | None = None
    """Further values read from the cell (the unit of a quantity)."""


# -- text ------------------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")


def empty_cells(col: pd.Series) -> np.ndarray:
    """True where a cell is ``""`` (numpy compares an object array with one text in C, many
    times faster than pandas compares a Series; a value that answers with neither True nor
    False, as NA does, leaves it to pandas)."""
    try:
        found = col.to_numpy(dtype=object) == ""
    except (TypeError, ValueError):
        found = None
    if isinstance(found, np.ndarray) and found.dtype == bool:
        return found
    return np.asarray((col == "").to_numpy(dtype=bool))


PLACEHOLDERS = frozenset({"NULL", "null", "Null", "NaN", "nan", "NAN", "None", "none", "NONE",
                          "N/A", "n/a", "#N/A", "-", "--"})
"""Cell texts that spreadsheet programs and database exports write for a missing value. The
reader makes them blank (``""``) in every column, so that the usual rules for blank cells apply
(they would otherwise name an organization ``NULL`` that every such row points at)."""

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
                        "\ufeff]")
"""Format characters that show as nothing (soft hyphen, zero-width spaces and joiners, word
joiner, direction marks, byte-order mark): in a name, address or id they can only be noise
pasted along with the text, so they are removed."""


def _without_invisible(col: pd.Series) -> pd.Series:
    """``col`` with the :data:`_INVISIBLE` characters removed (and the ends stripped again);
    the column itself when no cell holds one (one search of the joined text)."""
    try:
        found = _INVISIBLE.search("".join(col.tolist()))
    except TypeError:  # not all text
        found = _INVISIBLE.search("".join(map(str, col.tolist())))
    if not found:
        return col
    return col.str.replace(_INVISIBLE, "", regex=True).str.strip()


def _text(col: pd.Series, spec: Any) -> Parsed:
    visible = _without_invisible(col)
    values = visible.to_numpy(dtype=object).copy()
    values[empty_cells(visible)] = None  # (and a cell of invisible characters only)
    return Parsed(pd.Series(values, index=col.index, dtype=object, copy=False),
                  np.zeros(len(col), dtype=bool), "")


def normalise_address(text: str) -> str:
    """An address as written, with full-width forms folded (NFKC), invisible format characters
    removed and runs of spaces made one."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).strip()


_CJK_GAP = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")


def address_key(text: str) -> str:
    """The form of a value used inside a derived id: NFKC, invisible format characters (zero
    width space, soft hyphen...) removed, white space folded to one space between Latin letters
    or digits and dropped next to Chinese characters.

    >>> address_key("廊坊市某物流园 C 区 17 号库"), address_key("Mobil 1  5W-30　4L")
    ('廊坊市某物流园C区17号库', 'Mobil 1 5W-30 4L')
    >>> address_key("润通\u200b批发部")
    '润通批发部'
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _CJK_GAP.sub("", _SPACES.sub(" ", text).strip())


_ID_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def identifier_key(text: str) -> str:
    """A number that identifies something (a waybill, a transaction serial) as one text: NFKC,
    without white space, dashes or invisible format characters. Letters keep their case.

    >>> identifier_key("HY 1691 0508 64"), identifier_key("HY-1691-0508-64")
    ('HY1691050864', 'HY1691050864')
    """
    return _ID_NOISE.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))


def _plain_keys(col: pd.Series) -> bool:
    """True when every value is plain ASCII without spaces, its own key (waybill numbers,
    E.164 phones)."""
    values = col.tolist()
    if not set(map(type, values)) <= {str}:
        values = col.astype(str).tolist()
    # Every character printable ASCII but a space (\x21-\x7e), or a line break: asked of the
    # text in C, without a regular expression running over it.
    text = "".join(values)
    if not text.isascii() or " " in text:
        return False
    if "\n" in text:
        text = text.replace("\n", "")
    return text.isprintable()


def key_series(col: pd.Series) -> pd.Series:
    """:func:`address_key` of every value of a column of text."""
    if _plain_keys(col):
        return col
    text = col.str.normalize("NFKC").str.replace(_INVISIBLE, "", regex=True)
    text = text.str.replace(_SPACES, " ", regex=True).str.strip()
    return text.str.replace(_CJK_GAP, "", regex=True)


def id_keys(col: pd.Series, prefix: str = "", suffix: str = "") -> pd.Series:
    """:func:`key_series` between ``prefix`` and ``suffix``, worked out once per distinct value
    (a sender repeats in thousands of rows); a column of plain keys is used as it is, without
    looking for repeats."""
    if _plain_keys(col):
        return (prefix + col + suffix) if prefix or suffix else col
    if prefix or suffix:
        return distinct_map(col, lambda part: prefix + key_series(part) + suffix)
    return distinct_map(col, key_series)


def _address(col: pd.Series, spec: Any) -> Parsed:
    values = _without_invisible(col.str.normalize("NFKC"))
    values = values.str.replace(_SPACES, " ", regex=True).str.strip()
    blank = empty_cells(values)
    return Parsed(values.where(~blank, None).astype(object), np.zeros(len(col), dtype=bool), "")


def _identifier(col: pd.Series, spec: Any) -> Parsed:
    try:
        text = "".join(col.tolist())
    except TypeError:  # not all text
        text = "\n"
    if text.isascii() and text.isprintable() and " " not in text and "-" not in text:
        values = col  # (printable ASCII without spaces or dashes: its own identifier)
    else:
        values = _without_invisible(col.str.normalize("NFKC"))
        values = values.str.replace(_ID_NOISE, "", regex=True)
    out = values.to_numpy(dtype=object).copy()
    out[empty_cells(values)] = None
    return Parsed(pd.Series(out, index=col.index, dtype=object, copy=False),
                  np.zeros(len(col), dtype=bool), "")


# -- numbers ---------------------------------------------------------------------------------
_CURRENCY = re.compile(r"^(?:RMB|CNY|人民币|¥|￥)|(?:元|RMB|CNY|人民币)$", re.IGNORECASE)
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_AMOUNT = re.compile(rf"^(?P<n>{_NUMBER})(?P<wan>万)?$")
_NOT_FINITE = re.compile(r"^[+-]?(?:nan|inf|infinity)$", re.IGNORECASE)


def _number_text(col: pd.Series) -> pd.Series:
    """Thousands separators, spaces and full-width digits removed."""
    text = col.str.normalize("NFKC")
    return text.str.replace(r"[,\s，_']", "", regex=True)


def _to_float(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numbers from text matching :data:`_NUMBER` (with an optional 万); NaN elsewhere."""
    found = text.str.extract(_AMOUNT)
    numbers = pd.to_numeric(found["n"], errors="coerce").astype(float)
    wan = found["wan"].notna().to_numpy()
    numbers = numbers.where(~wan, numbers * 10_000)
    ok = np.isfinite(numbers.to_numpy(dtype=float))
    return numbers, ok


def _amount(col: pd.Series, spec: Any) -> Parsed:
    blank = empty_cells(col)
    text = _number_text(col).str.replace(_CURRENCY, "", regex=True)
    numbers, ok = _to_float(text)
    bad = ~blank & ~ok
    why = pd.Series(
        np.where(text.str.match(_NOT_FINITE).to_numpy(),
                 "not a finite number; NaN and infinity are not amounts",
                 "not an amount; write digits with an optional decimal point, thousands "
                 "separators, 元/¥/CNY or 万"),
        index=col.index,
    )
    values = numbers.where(~bad & ~blank, np.nan)
    return Parsed(values, bad, why)


_QUANTITY = re.compile(rf"^(?P<n>{_NUMBER})(?P<unit>[^\d.+-].*)?$")


def _quantity(col: pd.Series, spec: Any) -> Parsed:
    blank = empty_cells(col)
    text = _number_text(col)
    found = text.str.extract(_QUANTITY)
    numbers = pd.to_numeric(found["n"], errors="coerce").astype(float)
    units = found["unit"].where(found["unit"].notna() & (found["unit"] != ""), None)
    finite = np.isfinite(numbers.to_numpy(dtype=float))
    why = pd.Series("not a quantity; write a number with an optional unit (120, 120桶)",
                    index=col.index, dtype=object)
    bad = ~blank & ~finite
    allowed: Sequence[str] | None = getattr(spec, "units", None)
    if allowed is not None:
        unknown = (~blank & finite & units.notna() & ~units.isin(list(allowed))).to_numpy()
        why = why.where(~unknown, "unknown unit; the mapping accepts " + ", ".join(allowed))
        bad |= unknown
    values = numbers.where(~bad & ~blank, np.nan)
    return Parsed(values, bad, why, {"unit": units.where(~bad & ~blank, None).astype(object)})


def _number(col: pd.Series, spec: Any) -> Parsed:
    blank = empty_cells(col)
    numbers, ok = _to_float(_number_text(col))
    bad = ~blank & ~ok
    return Parsed(numbers.where(~bad & ~blank, np.nan), bad,
                  "not a finite number")


def _integer(col: pd.Series, spec: Any) -> Parsed:
    parsed = _number(col, spec)
    numbers = parsed.values.to_numpy(dtype=float)
    fraction = np.isfinite(numbers) & (numbers != np.round(numbers))
    parsed.bad = parsed.bad | fraction
    parsed.values = parsed.values.where(~fraction, np.nan)
    parsed.why = "not a whole number"
    return parsed


# -- dates and times -------------------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f",
                 "%Y%m%d %H:%M:%S", "%Y%m%d %H%M", "%Y%m%d %H%M%S", "%Y%m%d%H%M%S", "%Y%m%d")
DATE_HELP = ("not a date or time; the mapping reads 2024-03-05, 2024/3/5 14:22, 2024.3.5, "
             "2024年3月5日 14时22分, 20240305, ISO 8601 with an offset (a year or a month "
             "without its day is no date)")
IMPOSSIBLE_TIME = ("no such date or time: the month must be 1-12, the day one the month has, "
                   "the hour 0-23, minutes and seconds 0-59")
# A full date, a time, and a UTC offset (Z, +08:00, +0800, +08): the spellings read as an
# instant in the fallback; a value without an offset is never read there (it is local time).
_WITH_OFFSET = re.compile(r"^\d{4}-?\d{2}-?\d{2}[ T]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?"
                          r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


def _datetime_text(col: pd.Series) -> pd.Series:
    """One spelling for the usual ones: 2024年3月5日 14时22分 / 2024/3/5 14:22 -> 2024-3-5 14:22."""
    text = col.str.normalize("NFKC")
    text = text.str.replace(r"(\d)\s*[年/]\s*(?=\d)", r"\1-", regex=True)
    # A dot between date parts (2024.3.5), not the one before a fraction of a second (07.123)
    text = text.str.replace(r"(?<!:)(?<!:\d)(\d)\s*\.\s*(?=\d)", r"\1-", regex=True)
    text = text.str.replace(r"(\d)\s*月\s*(?=\d)", r"\1-", regex=True)
    text = text.str.replace(r"\s*[日号]\s*", " ", regex=True)
    text = text.str.replace(r"(\d)\s*[时点:]\s*(?=\d)", r"\1:", regex=True)
    text = text.str.replace(r"(\d)\s*分\s*(?=\d)", r"\1:", regex=True)
    text = text.str.replace(r"[分秒]$", "", regex=True)
    text = text.str.replace(r"(\d)T(\d)", r"\1 \2", regex=True)
    return text.str.strip()


_COMMON_TIME = re.compile(
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*[日号]?"
    r"(?:(?:\s+|T)(?P<hour>\d{1,2})\s*[:：时点]\s*(?P<minute>\d{1,2})"
    r"(?:\s*[:：分]\s*(?P<second>\d{1,2}))?\s*[分秒]?)?$")


_TIME_PARTS = ("year", "month", "day", "hour", "minute", "second")
_NO_TIME = ("",) * len(_TIME_PARTS)


_TIME_BLOCK = 1 << 14


def _time_numbers(col: pd.Series) -> pd.DataFrame:
    """The parts of :data:`_COMMON_TIME` in each value, as numbers (see :func:`_time_block`).

    Long columns are read in blocks of :data:`_TIME_BLOCK` values: the per-position arrays
    of a block stay in the processor's cache, and one long value widens only its own block."""
    if len(col) <= _TIME_BLOCK:
        return _time_block(col)
    return pd.concat([_time_block(col.iloc[start:start + _TIME_BLOCK])
                      for start in range(0, len(col), _TIME_BLOCK)])


def _time_block(col: pd.Series) -> pd.DataFrame:
    """The parts of :data:`_COMMON_TIME` in each value, as numbers; NaN where the value does
    not match, the part is absent or holds a digit that is not ASCII (as ``str.extract`` and
    ``to_numeric`` give).

    The values are grouped by *shape*: the value with every ASCII digit read as ``0``. Every
    element of the expression treats all ASCII digits alike, so all values of one shape match
    it the same way, with the same spans: the expression runs once per shape (an export has a
    handful), and the digits in the spans are read for all values at once with numpy."""
    values = col.tolist()
    if not values or not set(map(type, values)) <= {str}:
        return _time_numbers_by_pattern(col)
    n = len(values)
    chars = np.array(values, dtype=str)
    width = max(chars.dtype.itemsize // 4, 1)
    codes = chars.view(np.uint32).reshape(n, width).T.copy()  # one row per position
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    # Per position: the shape, a running number per run of ASCII digits (the number the run
    # makes up to there) and a hash of the shape and the length, position by position.
    shape = np.empty_like(codes)
    runs = np.empty((width, n))
    key = lengths.astype(np.uint64)
    run = np.zeros(n)
    with np.errstate(over="ignore"):
        for position in range(width):
            cell = codes[position]
            value = cell - np.uint32(48)  # (wraps round below "0")
            digit = value <= 9
            shape[position] = np.where(digit, np.uint32(48), cell)
            run = np.where(digit, run * 10 + value, 0.0)
            runs[position] = run
            key = key * np.uint64(1_000_003) + shape[position]
    group, _ = pd.factorize(key)
    first = np.empty(int(group.max()) + 1, dtype=np.int64)
    first[group[::-1]] = np.arange(n - 1, -1, -1)  # the first value of each shape
    # A value whose shape is not that of the first value with its hash goes to the expression.
    exemplar = first[group]
    agrees = lengths == lengths[exemplar]
    for position in range(width):
        agrees &= shape[position] == shape[position][exemplar]
    # Per shape: where each part ends, or 0 where it is absent or not in ASCII digits. A part
    # is a whole run of digits (the expression never has a digit next to one), so the running
    # number at its last digit is its value.
    ends = np.zeros((len(first), 6), dtype=np.int64)
    match = _COMMON_TIME.match
    for g, row in enumerate(first.tolist()):
        text = "".join(map(chr, shape[:lengths[row], row].tolist()))
        hit = match(text)
        if hit is None:
            continue
        for part in range(6):
            start, end = hit.span(part + 1)
            if start >= 0 and end > start and set(text[start:end]) == {"0"}:
                ends[g, part] = end
    end = ends[group]  # (n, 6)
    number = runs.reshape(-1)[(np.maximum(end, 1) - 1) * n + np.arange(n)[:, None]]
    number[end == 0] = np.nan
    if not agrees.all():
        others = np.flatnonzero(~agrees)
        number[others] = _time_numbers_by_pattern(col.iloc[others]).to_numpy(dtype=float)
    return pd.DataFrame(number, columns=list(_TIME_PARTS), index=col.index)


def _time_numbers_by_pattern(col: pd.Series) -> pd.DataFrame:
    """:func:`_time_numbers` with the regular expression, value by value."""
    match = _COMMON_TIME.match
    try:
        found = [hit.groups("") if (hit := match(value)) else _NO_TIME
                 for value in col.tolist()]
    except TypeError:  # not all text
        return col.str.extract(_COMMON_TIME).apply(pd.to_numeric, errors="coerce")
    if not found:
        return pd.DataFrame(np.zeros((0, 6)), columns=list(_TIME_PARTS), index=col.index)
    # A part that did not take part reads "" (one that did has one to four digits).
    chars = np.array(found, dtype="<U4").view(np.uint32).reshape(len(found), 6, 4)
    empty = chars == 0
    digit = chars - 48
    ascii_digits = ((digit <= 9) | empty).all(axis=2) & ~empty.all(axis=2)
    number = np.zeros((len(found), 6))
    for position in range(4):
        number = np.where(empty[:, :, position], number, number * 10 + digit[:, :, position])
    number[~ascii_digits] = np.nan
    return pd.DataFrame(number, columns=list(_TIME_PARTS), index=col.index)


def _common_times(col: pd.Series) -> pd.Series:
    """The usual spellings, read in one pass: NaT where a value is not one of them, or names
    a time that does not exist (see :func:`_clock_readings`)."""
    return _clock_readings(_time_numbers(col))[0]


def _clock_readings(numbers: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """The times that the parts in ``numbers`` name (hour, minute and second 0 where absent),
    and a mask of the parts that name no time: a month outside 1-12, a day the month does not
    have, an hour above 23, a minute or second above 59. Those are NaT, never carried into the
    next day or month."""
    parts = numbers.to_numpy(dtype=float)
    year, month, day = parts[:, 0], parts[:, 1], parts[:, 2]
    clock = np.nan_to_num(parts[:, 3:6], nan=0.0)
    found = ~np.isnan(parts[:, :3]).any(axis=1)
    with np.errstate(invalid="ignore"):
        month_ok = found & (month >= 1) & (month <= 12) & (year >= 1) & (year <= 9999)
        months = np.where(month_ok, (year - 1970) * 12 + month - 1, 0).astype(np.int64)
        first = months.astype("datetime64[M]").astype("datetime64[D]")
        length = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(
            np.int64)
        real = (month_ok & (day >= 1) & (day <= length) & (clock[:, 0] <= 23)
                & (clock[:, 1] <= 59) & (clock[:, 2] <= 59))
    seconds = (clock[:, 0] * 3600 + clock[:, 1] * 60 + clock[:, 2]).astype(np.int64)
    days = np.where(real, day - 1, 0).astype(np.int64)
    stamps = (first + days).astype("datetime64[us]") + (seconds * 1_000_000).astype(
        "timedelta64[us]")
    stamps[~real] = np.datetime64("NaT")
    return (pd.Series(stamps, index=numbers.index, dtype="datetime64[us]", copy=False),
            found & ~real)


def _datetime(col: pd.Series, spec: Any, tz: Any = None) -> Parsed:
    blank = empty_cells(col)
    result = pd.Series(pd.NaT, index=col.index, dtype="datetime64[us]")
    impossible = np.zeros(len(col), dtype=bool)
    if not getattr(spec, "formats", None):
        result, impossible = _clock_readings(_time_numbers(col))
    # A value of the usual spellings naming no real time is refused as it is: strptime would
    # read second 60 as the next minute.
    todo = ~blank & result.isna().to_numpy() & ~impossible
    text = _datetime_text(col[todo]).reindex(col.index, fill_value="") if todo.any() else col
    formats = [*(getattr(spec, "formats", None) or ()), *_DATE_FORMATS]
    for fmt in formats:
        if not todo.any():
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        hit = got.notna()
        if hit.any():
            result.loc[hit[hit].index] = got[hit].astype("datetime64[us]")
            todo &= ~result.notna().to_numpy()
    aware: pd.Series | None = None
    if todo.any():  # ISO 8601 with a UTC offset, read as that instant
        todo_offset = todo & text.str.match(_WITH_OFFSET).to_numpy(dtype=bool)
        if todo_offset.any():
            got = pd.to_datetime(text[todo_offset], format="ISO8601", errors="coerce", utc=True)
        else:
            got = pd.Series(pd.NaT, index=col.index[:0], dtype="datetime64[us, UTC]")
        hit = got.notna()
        if hit.any():
            aware = got[hit]
            todo[np.flatnonzero(todo_offset)[hit.to_numpy()]] = False
    years = result.dt.year.to_numpy(dtype=float, na_value=np.nan)
    out_of_range = (years < 1900) | (years > 2199)
    bad = todo | impossible | out_of_range
    why = pd.Series(DATE_HELP, index=col.index, dtype=object)
    why[out_of_range] = "outside the supported time range 1900-01-01 to 2199-12-31"
    why[impossible] = IMPOSSIBLE_TIME
    out = np.full(len(col), None, dtype=object)
    good = ~bad & ~blank & result.notna().to_numpy()
    if good.any():
        wall = result[good]
        local = wall
        if tz is not None:
            local = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
            gap = local.isna().to_numpy()
            if gap.any():
                idx = local.index[gap]
                bad[col.index.get_indexer(idx)] = True
                why[idx] = "a local time that does not exist or occurs twice (clock change)"
                local, wall = local[~gap], wall[~gap]
        out[col.index.get_indexer(local.index)] = _python_times(local, wall, tz)
    if aware is not None:
        zone = tz if tz is not None else _dt.timezone.utc
        out[col.index.get_indexer(aware.index)] = np.asarray(
            aware.dt.tz_convert(zone).dt.to_pydatetime())
    # Plain datetime objects (not pandas Timestamps), as the model keeps them.
    return Parsed(pd.Series(out, index=col.index, dtype=object, copy=False), bad & ~blank, why)


def _python_times(local: pd.Series, wall: pd.Series, tz: Any) -> np.ndarray:
    """``local`` (``wall`` read in ``tz``, neither ambiguous nor missing) as datetime objects.

    With no zone or a :class:`zoneinfo.ZoneInfo`, such a time is its wall clock reading with
    the zone attached (fold 0), which numpy makes in C much faster than pandas does. Exports
    repeat times (and spell one time several ways): each distinct time is made once, and the
    rows that hold it share that (immutable) object."""
    if tz is None or isinstance(tz, ZoneInfo):
        every = wall.to_numpy(dtype="datetime64[us]")
        codes, distinct = pd.factorize(every.view(np.int64))
        made = _clock_times(np.asarray(distinct).view("datetime64[us]"), tz)
        out = np.empty(len(every), dtype=object)
        out[:] = made[codes]
        return out
    return np.asarray(local.dt.to_pydatetime())


def _clock_times(clock: np.ndarray, tz: ZoneInfo | None) -> np.ndarray:
    """Each wall clock reading in ``clock`` as a datetime object, with ``tz`` attached."""
    out = np.empty(len(clock), dtype=object)
    if tz is None:
        out[:] = clock.tolist()
        return out
    months = clock.astype("datetime64[M]")
    days = clock.astype("datetime64[D]")
    day_us = (clock - days).astype(np.int64)
    parts = (months.astype(np.int64) // 12 + 1970, months.astype(np.int64) % 12 + 1,
             (days - months.astype("datetime64[D]")).astype(np.int64) + 1,
             day_us // 3_600_000_000, day_us // 60_000_000 % 60,
             day_us // 1_000_000 % 60, day_us % 1_000_000)
    out[:] = list(map(_dt.datetime, *(part.tolist() for part in parts), repeat(tz)))
    return out


# -- phones and national ids -----------------------------------------------------------------
def normalise_phone(text: str, region: str = "CN") -> str | None:
    """A phone number in E.164 (``+8613800138000``), or None if it is no valid number.

    ``138 0013 8000``, ``138-0013-8000``, ``+86-13800138000``, ``008613800138000`` and
    ``(+86)13800138000`` all give ``+8613800138000``; a land line keeps its area code
    (``0311-87654321`` gives ``+8631187654321``).
    """
    import phonenumbers

    text = text.strip()
    if re.fullmatch(r"\d+\.0", text):  # a number cell of a spreadsheet
        text = text[:-2]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _by_distinct(col: pd.Series, one: Callable[[str], str | None]) -> tuple[pd.Series, np.ndarray]:
    blank = empty_cells(col)
    codes, uniques = pd.factorize(col)
    parsed = np.array([one(str(u)) for u in uniques] + [None], dtype=object)
    values = pd.Series(parsed[codes], index=col.index, dtype=object, copy=False)
    bad = ~blank & values.isna().to_numpy()
    return values, bad


_PHONE_NOISE = re.compile(r"[\s\-()（）.]")


_CN_MOBILE_ABROAD = re.compile(r"^(?:\+86|0086)(?=1\d{10}$)")


@lru_cache(maxsize=1 << 16)
def _e164(text: str, region: str) -> str | None:
    """:func:`normalise_phone`, remembered: the same numbers come back chunk after chunk."""
    return normalise_phone(text, region)


def _phone(col: pd.Series, spec: Any) -> Parsed:
    region = getattr(spec, "region", None) or "CN"
    # One spelling per number first (138 0013 8000 and 138-0013-8000 are parsed once).
    canonical = col.str.replace(r"\.0$", "", regex=True).str.replace(_PHONE_NOISE, "",
                                                                       regex=True)
    if region == "CN":  # +86 138... and 138... are one number (a mobile: 1 and ten digits)
        canonical = canonical.str.replace(_CN_MOBILE_ABROAD, "", regex=True)
    values, bad = _by_distinct(canonical, lambda text: _e164(text, region))
    return Parsed(values, bad, f"not a valid phone number (region {region})")


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_national_id(text: str) -> str | None:
    """An 18-character resident identity number, upper-cased, if its check digit and birth
    date are right (ISO 7064 MOD 11-2, X for 10; characters 7-14 a real date); else None.

    >>> valid_national_id("11010519491231002x")
    '11010519491231002X'
    >>> valid_national_id("110105194912310021") is None
    True
    """
    value = text.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return None
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != value[17]:
        return None
    try:
        born = _dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    if born.year < 1900 or born > _dt.date.today():
        return None
    return value


def _national_id(col: pd.Series, spec: Any) -> Parsed:
    values, bad = _by_distinct(col, valid_national_id)
    return Parsed(values, bad, "not a valid 18-character national id (check digit or birth "
                               "date wrong)")


PARSERS: dict[str, Callable[..., Parsed]] = {
    "text": _text,
    "address": _address,
    "identifier": _identifier,
    "amount": _amount,
    "quantity": _quantity,
    "number": _number,
    "integer": _integer,
    "datetime": _datetime,
    "phone": _phone,
    "national_id": _national_id,
}


def parse_column(kind: str, col: pd.Series, spec: Any, tz: Any = None) -> Parsed:
    """Parse one column of stripped text with the parser named ``kind``.

    Exports repeat values (a sender in thousands of rows): the distinct values are parsed
    once each and the results spread back to the rows.
    """
    if kind in ("text", "identifier"):  # cheaper than finding the distinct values
        return PARSERS[kind](col, spec)
    codes, uniques = pd.factorize(col)
    few = len(uniques) < 0.7 * len(col)
    part = pd.Series(uniques, dtype=object) if few else col
    parsed = _datetime(part, spec, tz) if kind == "datetime" else PARSERS[kind](part, spec)
    if not few:
        return parsed
    values = parsed.values.to_numpy()
    # (fresh arrays, here and below: pandas would copy them otherwise)
    why = parsed.why if isinstance(parsed.why, str) else pd.Series(
        parsed.why.to_numpy(dtype=object)[codes], index=col.index, dtype=object, copy=False)
    extra = None if parsed.extra is None else {
        k: pd.Series(v.to_numpy(dtype=object)[codes], index=col.index, dtype=object,
                     copy=False)
        for k, v in parsed.extra.items()}
    return Parsed(pd.Series(values[codes], index=col.index, dtype=parsed.values.dtype,
                            copy=False),
                  parsed.bad[codes], why, extra)


def distinct_map(col: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``transform`` applied to the distinct values of ``col`` only, spread back to the rows."""
    codes, uniques = pd.factorize(col)
    if len(uniques) >= 0.7 * len(col):
        return transform(col)
    done = transform(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    return pd.Series(done[codes], index=col.index, dtype=object, copy=False)

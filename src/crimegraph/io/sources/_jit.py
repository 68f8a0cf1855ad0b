"""Compiled reading of the usual date and time spellings (numba).

Imported by :mod:`.parse` the first time a column of dates is read, so ``import crimegraph``
does not load numba. ``cache=True``: the first ingest compiles the kernel and writes it to
numba's on-disk cache; later processes load it from there.

The kernel reads a column of text (a numpy ``U`` array seen as code points) with the grammar
of :data:`crimegraph.io.sources.parse._COMMON_TIME`, but only for values made of ASCII digits,
a space, ``-/.:T`` and ``年月日号时点分秒：``. Any other value (full-width digits, other white
space, letters) is left to the regular expression, so that the two agree by construction.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["read_times"]

_NIAN, _YUE, _RI, _HAO = 0x5E74, 0x6708, 0x65E5, 0x53F7  # 年 月 日 号
_SHI, _DIAN, _FEN, _MIAO = 0x65F6, 0x70B9, 0x5206, 0x79D2  # 时 点 分 秒
_COLON_WIDE = 0xFF1A  # ：
_MARKS = (32, 45, 47, 46, 58, 84, _NIAN, _YUE, _RI, _HAO, _SHI, _DIAN, _FEN, _MIAO, _COLON_WIDE)
"""A space, ``-/.:T`` and the Chinese marks: with ASCII digits, the kernel's alphabet."""


@njit(cache=True, nogil=True)
def _known(c: int) -> bool:
    return 48 <= c <= 57 or c in _MARKS


@njit(cache=True, nogil=True)
def _spaces(row: np.ndarray, i: int, end: int) -> int:
    while i < end and row[i] == 32:
        i += 1
    return i


@njit(cache=True, nogil=True)
def _digits(row: np.ndarray, i: int, end: int) -> int:
    while i < end and 48 <= row[i] <= 57:
        i += 1
    return i


@njit(cache=True, nogil=True)
def _number(row: np.ndarray, i: int, j: int) -> float:
    value = 0.0
    for k in range(i, j):
        value = value * 10 + (row[k] - 48)
    return value


@njit(cache=True, nogil=True)
def read_times(chars: np.ndarray, lengths: np.ndarray, out: np.ndarray,
               known: np.ndarray) -> None:
    """Per value: ``known`` True and ``out`` its year, month, day, hour, minute and second
    (NaN for a part that is absent) when the value is in the kernel's alphabet; ``known``
    False when the regular expression must judge it. A known value that does not match the
    grammar has NaN in every part (as the regular expression gives)."""
    n = chars.shape[0]
    for r in range(n):
        row = chars[r]
        end = lengths[r]
        known[r] = True
        for k in range(6):
            out[r, k] = np.nan
        for k in range(end):
            if not _known(row[k]):
                known[r] = False
                break
        if not known[r]:
            continue
        # year: four digits
        i = _digits(row, 0, end)
        if i != 4:
            continue
        year = _number(row, 0, 4)
        i = _spaces(row, i, end)
        if i >= end or not (row[i] == 45 or row[i] == 47 or row[i] == 46 or row[i] == _NIAN):
            continue
        i = _spaces(row, i + 1, end)
        j = _digits(row, i, end)
        if j - i < 1 or j - i > 2:
            continue
        month = _number(row, i, j)
        i = _spaces(row, j, end)
        if i >= end or not (row[i] == 45 or row[i] == 47 or row[i] == 46 or row[i] == _YUE):
            continue
        i = _spaces(row, i + 1, end)
        j = _digits(row, i, end)
        if j - i < 1 or j - i > 2:
            continue
        day = _number(row, i, j)
        # \s*[日号]? then the end, or (\s+|T) and a time
        i = _spaces(row, j, end)
        gap = i > j
        marked = i < end and (row[i] == _RI or row[i] == _HAO)
        if marked:
            i += 1
        if i == end:
            out[r, 0], out[r, 1], out[r, 2] = year, month, day
            continue
        if row[i] == 84:  # T
            i += 1
        elif marked and row[i] == 32:
            i = _spaces(row, i, end)
        elif not (gap and not marked):
            continue
        j = _digits(row, i, end)
        if j - i < 1 or j - i > 2:
            continue
        hour = _number(row, i, j)
        i = _spaces(row, j, end)
        if i >= end or not (row[i] == 58 or row[i] == _COLON_WIDE or row[i] == _SHI
                            or row[i] == _DIAN):
            continue
        i = _spaces(row, i + 1, end)
        j = _digits(row, i, end)
        if j - i < 1 or j - i > 2:
            continue
        minute = _number(row, i, j)
        second = np.nan
        i = _spaces(row, j, end)
        # (?:\s*[:：分]\s*\d{1,2})? — 分 followed by digits is the separator of the seconds
        if i < end and (row[i] == 58 or row[i] == _COLON_WIDE or row[i] == _FEN):
            k = _spaces(row, i + 1, end)
            j = _digits(row, k, end)
            if 1 <= j - k <= 2:
                second = _number(row, k, j)
                i = _spaces(row, j, end)
            elif row[i] != _FEN or j - k > 2:
                continue
        # \s*[分秒]?$
        if i < end and (row[i] == _FEN or row[i] == _MIAO):
            i += 1
        if i != end:
            continue
        out[r, 0], out[r, 1], out[r, 2] = year, month, day
        out[r, 3], out[r, 4], out[r, 5] = hour, minute, second

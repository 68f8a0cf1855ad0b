"""Tables from analysis results (pandas DataFrames) for the report."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..blocks import Cell, Refs, Table, format_value, sorted_ids

__all__ = ["ID_COLUMNS", "frame_table"]

ID_COLUMNS = frozenset({"id", "person", "superior", "account"})
"""Columns of record ids, never broken across lines."""


def frame_table(
    frame: Any, columns: Mapping[str, str], *, title: str, made_from: str,
    evidence: Callable[[Mapping[str, Any]], Sequence[str]] | None = None,
    decimals: Mapping[str, int] | None = None, note: str | None = None,
) -> Table:
    """A report table of the rows of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : mapping of str to str
        Column of ``frame`` -> its heading in the report, in the order shown.
    evidence : callable, optional
        Row (a mapping of column to value) -> the evidence ids behind it, shown as a last
        column of links; the table's evidence is the union of the rows'.
    decimals : mapping of str to int, optional
        Decimals shown per column (numbers are shown without by default).
    """
    import pandas as pd

    decimals = decimals or {}
    headings = list(columns.values()) + (["Evidence"] if evidence is not None else [])
    numeric = [bool(column in frame and pd.api.types.is_numeric_dtype(frame[column])
                    and not pd.api.types.is_bool_dtype(frame[column])) for column in columns]
    numeric += [False] if evidence is not None else []
    keep_whole = [column in ID_COLUMNS for column in columns]
    keep_whole += [False] if evidence is not None else []
    rows: list[list[Cell]] = []
    every: set[str] = set()
    for record in frame.to_dict("records"):
        row: list[Cell] = [format_value(record.get(column), decimals=decimals.get(column, 0))
                           for column in columns]
        if evidence is not None:
            ids = sorted_ids(evidence(record))
            every.update(ids)
            row.append(Refs(tuple(ids)))
        rows.append(row)
    return Table(title=title, columns=headings, rows=rows, made_from=made_from,
                 evidence=sorted(every), note=note, numeric=numeric, ids=keep_whole)

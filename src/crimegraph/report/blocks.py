"""The pieces a report section is made of: figures, tables, notes, and evidence references.

Sections are plain data, built from analysis results; the template only lays them out. Every
figure and table carries ``made_from`` (the data and parameters that made it) and
``evidence`` (the evidence ids behind the facts it shows).
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Figure", "Note", "Refs", "Section", "Table", "figure_from_axes", "format_value"]


@dataclass(frozen=True)
class Refs:
    """Evidence ids in a table cell, shown as links into the evidence list."""

    ids: tuple[str, ...]


Cell = str | Refs


@dataclass
class Figure:
    """A figure embedded as an SVG data URI (no file or request outside the report)."""

    title: str
    uri: str
    width: float
    """Width in CSS pixels (the figure's size at 96 dots per inch)."""
    height: float
    alt: str
    made_from: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Table:
    """A table of analysis results; cells are text, or evidence references."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    made_from: str
    evidence: list[str] = field(default_factory=list)
    note: str | None = None
    numeric: list[bool] = field(default_factory=list)
    """Per column: right-aligned (numbers)."""
    ids: list[bool] = field(default_factory=list)
    """Per column: record ids, kept on one line."""
    anchors: list[str] = field(default_factory=list)
    """Per row: the HTML id links point to (the evidence list's rows)."""


@dataclass
class Note:
    """A paragraph of text; ``empty`` notes say that a section has nothing to show."""

    text: str
    empty: bool = False


Block = Figure | Table | Note


@dataclass
class Section:
    """One chapter of the report."""

    key: str
    title: str
    intro: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def figures(self) -> list[Figure]:
        return [block for block in self.blocks if isinstance(block, Figure)]

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


def format_value(value: Any, *, decimals: int = 0) -> str:
    """A cell's text: numbers with thousands separators, missing values as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.{decimals}f}"
    try:  # numpy and pandas scalars, pandas' missing values
        import pandas as pd

        if pd.isna(value):
            return "-"
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return format_value(value.item(), decimals=decimals)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(item) for item in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat())
    return str(value)


def sorted_ids(ids: Iterable[str]) -> list[str]:
    """Evidence ids without repeats, in a stable order."""
    return sorted(set(ids))


def figure_from_axes(ax: Any, *, title: str, alt: str, made_from: str,
                     evidence: Sequence[str] = ()) -> Figure:
    """Save the figure of ``ax`` as SVG (text drawn as outlines) and close it.

    Text becomes glyph outlines so that Chinese names look the same on every reader's
    machine, whatever fonts it has; the hash salt and the missing date keep the bytes the
    same from run to run.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    figure = ax.figure
    buffer = io.BytesIO()
    try:
        with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "crimegraph"}):
            figure.savefig(buffer, format="svg", bbox_inches="tight",
                           metadata={"Date": None})
    finally:
        plt.close(figure)
    svg = buffer.getvalue()
    width, height = _svg_size(svg)
    data = base64.b64encode(svg).decode("ascii")
    return Figure(title=title, uri=f"data:image/svg+xml;base64,{data}", width=width,
                  height=height, alt=alt, made_from=made_from, evidence=sorted_ids(evidence))


_SIZE = re.compile(rb'<svg[^>]*?width="([0-9.]+)pt"[^>]*?height="([0-9.]+)pt"')


def _svg_size(svg: bytes) -> tuple[float, float]:
    """Width and height in CSS pixels of a matplotlib SVG (its size is given in points)."""
    match = _SIZE.search(svg)
    if match is None:  # pragma: no cover - matplotlib always writes both
        return 960.0, 600.0
    return (round(float(match.group(1)) * 96 / 72, 1),
            round(float(match.group(2)) * 96 / 72, 1))

"""Colours, sizes and small drawing helpers shared by every crimegraph figure.

matplotlib is imported inside the helpers that need it, never at module level.

Statuses keep the same colour in every figure, so an analyst who learned "red = wanted" on the
org chart reads the network plot the same way. Categories without a fixed colour (provinces,
groups, strategies) get colours from :data:`CATEGORY_COLORS` in sorted order, so the same case
gives the same colours every time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from ..errors import InvalidArgument

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CATEGORY_COLORS",
    "DEFICIT_COLOR",
    "EDGE_COLOR",
    "INK",
    "MAX_FIGSIZE",
    "MIN_FONT",
    "MISSING_COLOR",
    "MUTED",
    "PAYMENT_COLOR",
    "SHIPMENT_COLOR",
    "STATUS_COLORS",
    "STATUS_ORDER",
    "SURPLUS_COLOR",
    "add_note",
    "axes_for",
    "category_colors",
    "check_labels",
    "darker",
    "ellipsize",
    "escape_text",
    "fit_font",
    "format_number",
    "label_text",
    "status_color",
    "text_color_on",
    "text_width_em",
]

STATUS_COLORS: dict[str, str] = {
    "wanted": "#d62728",     # still at large: the analyst's first concern
    "suspect": "#ff9f1c",
    "arrested": "#4e79a7",
    "released": "#9ecae1",
    "witness": "#59a14f",
    "victim": "#b07aa1",
    "unknown": "#c7c7c7",
}
"""Fill colour of a person's box or dot by ``Person.status``."""

STATUS_ORDER: tuple[str, ...] = tuple(STATUS_COLORS)
"""Legend order of the statuses (most urgent first)."""

CATEGORY_COLORS: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#2f4b7c", "#a0cbe8", "#d37295", "#b6992d", "#8cd17d", "#ffbe7d", "#499894",
    "#f1ce63", "#d4a6c8", "#86bcb6", "#79706e",
)
"""Colours for provinces, groups and strategies, handed out in sorted order: ten distinct hues
first (Tableau 10, with navy for its grey), then lighter and darker variants."""

MISSING_COLOR = "#d9d9d9"
"""Colour of nodes whose category is unknown (no province, no group)."""

INK = "#222222"
MUTED = "#6b6b6b"
EDGE_COLOR = "#8a8a8a"
SURPLUS_COLOR = "#e8590c"
"""Badge of a node that received more than it passed on (stock left or undiscovered buyers)."""
DEFICIT_COLOR = "#7048e8"
"""Badge of a node that passed on more than it received (an undiscovered supplier)."""
SHIPMENT_COLOR = "#4e79a7"
PAYMENT_COLOR = "#59a14f"

MAX_FIGSIZE: tuple[float, float] = (16.0, 10.0)
"""Largest figure a ``plot_*`` function makes (width, height in inches).

What does not fit is folded ("+12 more", "+20 members") rather than drawn too small, and a
note on the figure says so. The size of a landscape page or a large screen at 100 dpi."""

MIN_FONT = 6.0
"""No text of a figure drawn at its own size is smaller than this (points)."""

LabelText = Literal["name", "id", "both"]


def category_colors(values: Iterable[object]) -> dict[str, str]:
    """A colour for each distinct non-empty value, assigned in sorted order (deterministic).

    Values beyond the palette reuse it from the start; missing values (None, NaN, "") get no
    entry and are drawn in :data:`MISSING_COLOR` by the caller.

    Examples
    --------
    >>> category_colors(["Hebei", "Anhui", None, "Hebei"])
    {'Anhui': '#4e79a7', 'Hebei': '#f28e2b'}
    """
    distinct = sorted({str(v) for v in values if _present(v)}, key=_natural_key)
    return {v: CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i, v in enumerate(distinct)}


def darker(color: str, factor: float = 0.8) -> str:
    """``color`` ("#rrggbb") darkened: lines in a light province colour stay visible.

    Examples
    --------
    >>> darker("#a0cbe8")
    '#80a2ba'
    """
    value = color.lstrip("#")
    if len(value) != 6:
        return color
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def status_color(status: object, colors: Mapping[str, str] | None = None) -> str:
    """The fill colour of a person's status (unknown statuses get the 'unknown' grey)."""
    table = STATUS_COLORS if colors is None else colors
    if not _present(status):
        return table.get("unknown", MISSING_COLOR)
    return table.get(str(status), table.get("unknown", MISSING_COLOR))


def text_color_on(fill: str) -> str:
    """Black or white, whichever reads better on the ``fill`` colour ("#rrggbb")."""
    value = fill.lstrip("#")
    if len(value) != 6:
        return INK
    r, g, b = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return INK if luminance > 0.5 else "#ffffff"


def escape_text(text: object) -> str:
    """A label as literal text (a ``$`` in a name must not switch on math rendering)."""
    return str(text).replace("$", r"\$")


# Advance widths (in ems) of printable ASCII in DejaVu Sans, matplotlib's default font.
_ASCII_EM = (
    0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361,
    0.318, 0.337, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337,
    0.337, 0.838, 0.838, 0.838, 0.531, 1.0, 0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775,
    0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611,
    0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39, 0.337, 0.39, 0.838, 0.5, 0.5, 0.613, 0.635,
    0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612,
    0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337,
    0.636, 0.838,
)


def text_width_em(text: str, *, bold: bool = False) -> float:
    """Width of ``text`` in ems as drawn (DejaVu Sans, Chinese characters one em each).

    Lets layouts size boxes and columns without a renderer, so that they stay deterministic.

    Examples
    --------
    >>> text_width_em("周建国"), text_width_em("Zhou")
    (3.0, 2.565)
    """
    width = 0.0
    for ch in text:
        code = ord(ch)
        if 32 <= code < 127:
            width += _ASCII_EM[code - 32]
        elif code >= 0x2E80:  # CJK and full-width forms are square
            width += 1.0
        else:  # accented Latin, Greek...: about an average letter
            width += 0.65
    return round(width * (1.1 if bold else 1.0), 6)


def format_number(value: float, *, signed: bool = False) -> str:
    """A quantity or amount for a label: thousands separators, no needless decimals.

    Below 1, two significant digits, so that a small amount never reads as 0.

    Examples
    --------
    >>> format_number(1250.0), format_number(-20, signed=True), format_number(40, signed=True)
    ('1,250', '−20', '+40')
    >>> format_number(12.5), format_number(0.01), format_number(0.0125)
    ('12.5', '0.01', '0.013')
    """
    magnitude = abs(float(value))
    if magnitude >= 100 or magnitude == round(magnitude):
        text = f"{magnitude:,.0f}"
    elif magnitude >= 1:
        text = f"{magnitude:,.1f}"
    else:  # two significant digits: 0.01, not 0.0
        digits = min(12, 1 - math.floor(math.log10(magnitude)))
        text = f"{magnitude:.{digits}f}".rstrip("0").rstrip(".")
        if text == "0":  # too small for 12 decimals
            text = f"{magnitude:.2g}"
    if value < 0:
        return "\u2212" + text  # a real minus sign, not a hyphen
    return ("+" + text) if signed and value > 0 else text


def axes_for(ax: Axes | None, size: tuple[float, float]) -> tuple[Axes, float]:
    """The axes to draw on, and how much smaller than ``size`` (inches) it is.

    A new figure of ``size`` is made when ``ax`` is None (scale 1; a size beyond
    :data:`MAX_FIGSIZE` is shrunk to it, with the scale saying by how much). For the caller's axes,
    the scale is its size over ``size`` (at most 1), so fonts can shrink to fit.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        # Never larger than MAX_FIGSIZE: a layout that asks for more is drawn smaller.
        shrink = min(1.0, MAX_FIGSIZE[0] / max(size[0], 1e-9),
                     MAX_FIGSIZE[1] / max(size[1], 1e-9))
        _, new_ax = plt.subplots(figsize=(size[0] * shrink, size[1] * shrink),
                                 layout="constrained")
        return new_ax, shrink
    dpi = float(ax.figure.dpi) if ax.figure is not None else 100.0
    width, height = ax.bbox.width / dpi, ax.bbox.height / dpi
    scale = min(1.0, width / max(size[0], 1e-9), height / max(size[1], 1e-9))
    return ax, max(scale, 0.05)


def check_labels(labels: object) -> str:
    """``labels`` validated: ``"name"``, ``"id"`` or ``"both"`` (what a node's label says)."""
    if labels not in ("name", "id", "both"):
        raise InvalidArgument(f"labels={labels!r} must be 'name', 'id' or 'both'")
    return str(labels)


def label_text(name: object, node_id: object, labels: str = "name", *,
               sep: str = " \u00b7 ") -> str:
    """What a node's label says: its name, its id, or both (``"周建国 · P-ZHOU"``).

    A name that is missing or equal to the id is shown once.

    Examples
    --------
    >>> label_text("周建国", "P-ZHOU", "both"), label_text("P7", "P7", "both")
    ('周建国 · P-ZHOU', 'P7')
    """
    ident = str(node_id)
    shown = str(name) if _present(name) else ident
    if labels == "id" or shown == ident:
        return ident
    if labels == "both":
        return f"{shown}{sep}{ident}"
    return shown


def ellipsize(text: str, width_em: float) -> str:
    """``text`` cut with "…" to at most ``width_em`` ems (unchanged when it fits).

    Examples
    --------
    >>> ellipsize("Production den at Xinglong village", 8.0)
    'Production de…'
    """
    if text_width_em(text) <= width_em:
        return text
    room = width_em - text_width_em("\u2026")
    cut = ""
    for ch in text:
        if text_width_em(cut + ch) > room:
            break
        cut += ch
    return cut.rstrip() + "\u2026"


def fit_font(text: str, width_in: float, font: float, *, bold: bool = False,
             smallest: float = MIN_FONT) -> tuple[str, float]:
    """The text and font size that fit ``width_in`` inches: shrunk down to ``smallest``
    points, then cut with "…"."""
    need = text_width_em(text, bold=bold) * font / 72
    if need <= width_in:
        return text, font
    size = max(min(font, font * width_in / max(need, 1e-9)), min(smallest, font))
    room = width_in * 72 / size / (1.1 if bold else 1.0)
    return ellipsize(text, room), size


def add_note(ax: Axes, text: str, *, fontsize: float = 8.0) -> None:
    """A note in the figure's bottom left corner saying what was folded or left out.

    Its text artist has the gid ``"note"``.
    """
    ax.text(0.0, 0.0, escape_text(text), transform=ax.transAxes, ha="left", va="bottom",
            fontsize=max(fontsize, MIN_FONT), color=MUTED, fontstyle="italic", zorder=6,
            gid="note", bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#dddddd",
                              "lw": 0.6, "alpha": 0.9})


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and value != value:  # NaN from pandas
        return False
    return str(value) != ""


def _natural_key(value: str) -> tuple[object, ...]:
    # Group 2 sorts before group 10; plain strings sort as usual.
    parts: list[object] = []
    number = ""
    text = ""
    for ch in value:
        if ch.isdigit():
            if text:
                parts.append((1, text))
                text = ""
            number += ch
        else:
            if number:
                parts.append((0, int(number)))
                number = ""
            text += ch
    if number:
        parts.append((0, int(number)))
    if text:
        parts.append((1, text))
    return tuple(parts)


def wrap_title(text: str, width_em: float, *, max_lines: int = 3) -> str:
    """``text`` broken into lines of at most ``width_em`` ems, so a long title stays on the page.

    Each line of ``text`` is broken at a space where it runs too wide, into at most
    ``max_lines`` lines (the last then ends with "…"); a word wider than a whole line is cut
    with "…".

    Examples
    --------
    >>> print(wrap_title("Downstream from 兴隆村窝点 (W-DEN-01), all products", 20))
    Downstream from 兴隆村窝点
    (W-DEN-01), all products
    """
    import re

    out: list[str] = []
    for line in text.split("\n"):
        wrapped: list[str] = []
        current = ""
        for token in re.findall(r"[^ ]+ *", line):
            if current and text_width_em((current + token).rstrip()) > width_em:
                wrapped.append(current.rstrip())
                current = ""
            current += token
            if text_width_em(current.rstrip()) > width_em:
                current = ellipsize(current.rstrip(), width_em) + " "
        wrapped.append(current.rstrip())
        if len(wrapped) > max_lines:
            last = ellipsize(wrapped[max_lines - 1], width_em - 1.0)
            wrapped = [*wrapped[:max_lines - 1],
                       last if last.endswith("\u2026") else last + " \u2026"]
        out.extend(wrapped)
    return "\n".join(out)


def title_room_em(ax: Axes, fontsize: float, *, own_figure: bool) -> float:
    """How many ems of ``fontsize`` points a left-aligned title has: the figure's width on a
    figure of crimegraph's own, the Axes' width on the caller's."""
    dpi = float(ax.figure.dpi)
    inches = (ax.figure.bbox.width / dpi - 0.3 if own_figure else ax.bbox.width / dpi)
    return max(inches, 1.0) * 72 / max(fontsize, 1.0)

"""The supply chain: goods flowing left to right from the source to the shops."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InvalidArgument
from ..model.redact import RedactionProfile
from ._redact import redacted
from .fonts import cjk_context, drawable
from .layout import LayeredLayout, layered_layout
from .style import (
    DEFICIT_COLOR,
    INK,
    MAX_FIGSIZE,
    MIN_FONT,
    MISSING_COLOR,
    MUTED,
    SURPLUS_COLOR,
    add_note,
    axes_for,
    category_colors,
    darker,
    ellipsize,
    escape_text,
    fit_font,
    format_number,
    label_text,
    text_color_on,
    text_width_em,
    title_room_em,
    wrap_title,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.chain import Chain

__all__ = ["ChainDrawing", "chain_layout", "plot_chain"]

_BOX_HEIGHT = 2.3  # a box is this many font sizes tall
_GAP = 0.6  # between two places of a tier, in place heights
_SMALLEST_BOX_FONT = 6.5
_SMALLEST_SLOT = 0.085  # inches per layout unit in the dot drawing
_LEGEND_W = 2.4
_CHROME_H = 1.8  # inches of the figure's height taken by the title, tier names and note
_TALLEST = MAX_FIGSIZE[1] - _CHROME_H  # inches the places may take
_WIDEST_LABEL = 2.0  # inches: longer names of the dot drawing are cut with "…"
_MORE_PREFIX = "+more:"


@dataclass
class ChainDrawing:
    """What :func:`plot_chain` draws, before any drawing: nodes, flows and their places.

    Attributes
    ----------
    columns : dict
        Node id -> column (0 = leftmost: the source side).
    layout : LayeredLayout
        Order and positions of the nodes inside each column.
    names, provinces : dict
        Node id -> name, province (None when unknown).
    flows : dict
        ``(source, target)`` -> total quantity shipped along the chain.
    shipments : dict
        ``(source, target)`` -> number of shipments.
    throughput : dict
        Node id -> quantity received plus quantity sent.
    unaccounted : dict
        Node id -> its largest lead (see :meth:`crimegraph.Chain.leads`): inflow minus
        outflow of one product, positive for stock left or an unknown buyer (downstream),
        negative for an unknown supplier. Quantities never add across products.
    more_products : dict
        Node id -> how many more products it has leads on (not drawn in the badge).
    producers : list of str
        Nodes that make what they pass on (production premises, factories, places that
        receive genuine inputs): marked as producers, not as missing suppliers.
    start : list of str
        The chain's start ids.
    headers : dict
        Column -> its header ("start", "tier 1"...).
    folded : dict
        Id of a "+k more" place (``"+more:<column>"``) -> the places folded into it.
    """

    columns: dict[str, int]
    layout: LayeredLayout[str]
    names: dict[str, str]
    provinces: dict[str, str | None]
    flows: dict[tuple[str, str], float]
    shipments: dict[tuple[str, str], int]
    throughput: dict[str, float]
    unaccounted: dict[str, float]
    start: list[str]
    headers: dict[int, str]
    more_products: dict[str, int] = field(default_factory=dict)
    producers: list[str] = field(default_factory=list)
    folded: dict[str, list[str]] = field(default_factory=dict)
    """Id of a "+k more" place -> the ids of the places folded into it (one per tier)."""


def chain_layout(chain: Chain, *, max_per_tier: int | None = None) -> ChainDrawing:
    """Columns and crossing-reduced order of a chain's nodes, as :func:`plot_chain` draws them.

    Downstream chains run from the start (column 0) to the shops; upstream chains are turned
    around so that goods still flow left to right, ending at the start.

    Parameters
    ----------
    chain : Chain
        The result of :func:`crimegraph.trace_chain`.
    max_per_tier : int, optional
        Most places drawn in one tier: a tier with more keeps its ``max_per_tier - 1``
        busiest places (quantity received plus sent; the start always stays) and folds the
        others into one "+k more" place, whose lines carry their goods. None keeps all.

    Returns
    -------
    ChainDrawing
    """
    info: Any = chain  # start, direction: set by trace_chain
    nxg = chain.to_networkx()
    tiers: dict[str, int] = dict(chain.tiers)
    deepest = max(tiers.values(), default=0)
    upstream = info.direction == "upstream"
    columns = {n: (deepest - t if upstream else t) for n, t in tiers.items()}
    names = {n: str(nxg.nodes[n].get("name") or n) for n in tiers}
    provinces = {n: nxg.nodes[n].get("province") for n in tiers}

    flows: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], int] = {}
    for u, v, data in nxg.edges(data=True):
        flows[(u, v)] = flows.get((u, v), 0.0) + float(data.get("quantity") or 0.0)
        counts[(u, v)] = counts.get((u, v), 0) + 1
    flows = dict(sorted(flows.items()))
    throughput = dict.fromkeys(tiers, 0.0)
    for (u, v), q in flows.items():
        throughput[u] += q
        throughput[v] += q

    frame = chain.unaccounted()
    leads = chain.leads().sort_values("unaccounted", key=abs, ascending=False, kind="stable")
    unaccounted: dict[str, float] = {}
    more_products: dict[str, int] = {}
    for node, value in zip(leads["id"], leads["unaccounted"], strict=True):
        if node in unaccounted:
            more_products[node] = more_products.get(node, 0) + 1
        else:
            unaccounted[node] = float(value)
    producers = sorted(set(frame.loc[frame["lead"] == "producer", "id"]))

    folded: dict[str, list[str]] = {}
    if max_per_tier is not None:
        keep = max(int(max_per_tier), 2)
        starts = set(info.start)
        by_column: dict[int, list[str]] = {}
        for node, col in columns.items():
            by_column.setdefault(col, []).append(node)
        into: dict[str, str] = {}
        for col, members in sorted(by_column.items()):
            if len(members) <= keep:
                continue
            ranked = sorted(members, key=lambda n: (n not in starts, -throughput[n], n))
            rest = ranked[keep - 1:]
            more = f"{_MORE_PREFIX}{col}"
            folded[more] = sorted(rest)
            into.update(dict.fromkeys(rest, more))
        if folded:
            columns, names, provinces, flows, counts, throughput = _fold(
                folded, into, columns, names, provinces, flows, counts, throughput)
            # A folded place's leads would cancel out in the "+k more" box: not drawn.
            unaccounted = {n: x for n, x in unaccounted.items() if n not in into}
            more_products = {n: k for n, k in more_products.items() if n not in into}
            producers = [n for n in producers if n not in into]

    # Start with provinces together: trading partners are mostly in the same province;
    # "+k more" places at the end of their tier.
    initial = sorted(columns, key=lambda n: (columns[n], n in folded,
                                             provinces[n] or "\uffff", n))
    layers = {n: columns[n] for n in initial}
    top = max(flows.values(), default=1.0) or 1.0
    weights = {edge: 0.2 + q / top for edge, q in flows.items()}
    layout = layered_layout(layers, list(flows), weights=weights, gap=_GAP)

    headers = {}
    for col in sorted(set(columns.values())):
        tier = deepest - col if upstream else col
        headers[col] = "start" if tier == 0 else f"tier {tier}"
    return ChainDrawing(columns, layout, names, provinces, flows, counts, throughput,
                        unaccounted, list(info.start), headers, more_products, producers,
                        folded)


def _fold(folded: dict[str, list[str]], into: dict[str, str], columns: dict[str, int],
          names: dict[str, str], provinces: dict[str, str | None],
          flows: dict[tuple[str, str], float], counts: dict[tuple[str, str], int],
          throughput: dict[str, float]) -> tuple[Any, ...]:
    """The drawing's tables with the folded places merged into their "+k more" place."""
    new_columns = {n: c for n, c in columns.items() if n not in into}
    new_names = {n: x for n, x in names.items() if n not in into}
    new_provinces = {n: p for n, p in provinces.items() if n not in into}
    new_throughput = {n: q for n, q in throughput.items() if n not in into}
    for more, members in folded.items():
        new_columns[more] = columns[members[0]]
        where = {provinces[m] for m in members}
        single = next(iter(where)) if len(where) == 1 else None
        known = {p for p in where if p}
        new_names[more] = f"+{len(members)} more" + (
            f" in {single}" if single else
            f" in {len(known)} provinces" if len(known) > 1 else "")
        new_provinces[more] = single
        new_throughput[more] = sum(throughput[m] for m in members)
    new_flows: dict[tuple[str, str], float] = {}
    new_counts: dict[tuple[str, str], int] = {}
    for (u, v), q in flows.items():
        a, b = into.get(u, u), into.get(v, v)
        if a == b:  # trade inside a folded group
            continue
        new_flows[(a, b)] = new_flows.get((a, b), 0.0) + q
        new_counts[(a, b)] = new_counts.get((a, b), 0) + counts[(u, v)]
    return (new_columns, new_names, new_provinces, dict(sorted(new_flows.items())), new_counts,
            new_throughput)


def plot_chain(
    chain: Chain,
    *,
    ax: Axes | None = None,
    labels: Literal["name", "id", "both"] | Literal["auto", "all", "none"] | int = "name",
    max_labels: Literal["auto", "all"] | int = "auto",
    max_per_tier: int | None = None,
    show_unaccounted: bool = True,
    fontsize: float | None = None,
    title: str | None = None,
    legend: bool = True,
    redact: str | RedactionProfile | None = None,
) -> Axes:
    """Draw a traced supply chain left to right, from the source to the shops.

    Columns are the chain's tiers; lines are the goods shipped between two places, as wide
    as the quantity; places are coloured by province and labelled with their names. A badge
    such as "+40" marks a place that received 40 more than it passed on (stock left or
    undiscovered buyers), "−20" one that passed on 20 more than it received (an undiscovered
    supplier). The order inside each tier is chosen to avoid crossing lines. The title says
    the direction, the start, the product filter and the time window of the trace.

    The figure is at most 16 × 10 inches (:data:`crimegraph.plot.style.MAX_FIGSIZE`), with
    no text under 6 points. Chains whose fullest tier fits as named boxes (about 20 places)
    are drawn so; larger ones (up to about 60 places a tier) as dots, labelled as far as
    space allows. Beyond that, each tier keeps its busiest places (by quantity received plus
    sent) as boxes and folds the others into one "+k more" box that carries their goods
    ("+12 more in Hebei" when they share a province); a note in the corner says so.

    Parameters
    ----------
    chain : Chain
        The result of :func:`crimegraph.trace_chain`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the chain when omitted.
    labels : {"name", "id", "both"}
        What a place's label says: its name, its id (as in the chain's tables) or both
        ("宏达汽配 · SHOP-01"). A name the fonts cannot draw is replaced by the id. (The
        older values "auto", "all", "none" and counts are read as ``max_labels``.)
    max_labels : {"auto", "all"} or int
        Which places get a label in the dot drawing: as many as fit (``"auto"``), all, or
        the ``n`` places that moved the most goods (0 for none). Boxes always show labels.
    max_per_tier : int, optional
        Fold every tier to at most this many boxes (the busiest, then "+k more"). By default
        tiers are folded only when the chain would not fit the largest figure.
    show_unaccounted : bool
        Mark places whose inflow and outflow differ.
    fontsize : float, optional
        Size of the names in points (chosen from the chain's size when omitted).
    title : str, optional
        Title above the chain; ``""`` for none.
    legend : bool
        Show the legend (provinces, line widths, badges) right of the chain.

    redact : {"internal", "prosecution", "public"} or RedactionProfile, optional
        Who the figure is for (see :func:`crimegraph.redact`): the chain is traced again,
        with the same parameters, on the redacted case.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     organizations=[cg.Organization(id="DEN", name="鑫源油厂", province="河北"),
    ...                    cg.Organization(id="SHOP", name="宏达汽配", province="山东")],
    ...     products=[cg.Product(id="OIL", name="Fake oil")],
    ...     transactions=[cg.Transaction(id="T1", kind="shipment", source="DEN",
    ...                                  target="SHOP", timestamp="2024-03-01",
    ...                                  product="OIL", quantity=100)])
    >>> ax = cg.trace_chain(case, "DEN").plot()
    >>> sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("name:"))
    ['宏达汽配', '鑫源油厂']
    """
    chain = redacted(chain, redact, function="plot_chain")
    text_mode, max_labels = _label_options(labels, max_labels)
    if max_per_tier is not None and (isinstance(max_per_tier, bool) or int(max_per_tier) < 2):
        raise InvalidArgument(f"max_per_tier={max_per_tier!r} must be a count >= 2")
    drawing, dots = _fitted_layout(chain, max_per_tier)
    texts = [*drawing.names.values(), *(p for p in drawing.provinces.values() if p),
             title or ""]
    own_figure = ax is None
    with cjk_context(texts):
        shown = {n: drawable(name if n in drawing.folded
                             else label_text(name, n, text_mode), n)
                 for n, name in drawing.names.items()}
        d = replace(drawing, names=shown)
        colors = category_colors(p for n, p in d.provinces.items() if n not in d.folded)
        note = _note(d, dots)
        if dots:
            ax, geo = _draw_dots(ax, d, colors, max_labels, fontsize, title, legend)
            labelled = sum(1 for t in ax.texts if (t.get_gid() or "").startswith("name:"))
            if labelled < len(d.columns) and max_labels == "auto":
                note = (f"names shown for the {labelled} busiest of {len(d.columns)} places "
                        "(max_labels='all' for every name)")
        else:
            box_font = float(fontsize) if fontsize else min(9.0, _box_fit(d))
            ax, geo = _draw_boxes(ax, d, colors, max(box_font, MIN_FONT), title, legend,
                                  bool(note))
        if show_unaccounted:
            _badges(ax, d, geo)
        if title != "":
            title_font = max(geo.font * 1.25, 10.0 * geo.scale)
            text = escape_text(drawable(title)) if title else _headline(chain, d, text_mode)
            ax.set_title(wrap_title(text, title_room_em(ax, title_font, own_figure=own_figure)),
                         loc="left", fontsize=title_font)
        if legend:
            _legend(ax, d, geo, colors, show_unaccounted)
        if note:
            add_note(ax, note, fontsize=max(geo.font, 8.0 * geo.scale))
    return ax


def _label_options(labels: Any, max_labels: Any) -> tuple[str, Any]:
    """``labels`` and ``max_labels`` checked; the older count values of ``labels`` moved."""
    if labels in ("auto", "all") or (isinstance(labels, int) and not isinstance(labels, bool)):
        labels, max_labels = "name", labels
    elif labels == "none":
        labels, max_labels = "name", 0
    if labels not in ("name", "id", "both"):
        raise InvalidArgument(f"labels={labels!r} must be 'name', 'id' or 'both'")
    if max_labels not in ("auto", "all") and not (
        isinstance(max_labels, int) and not isinstance(max_labels, bool) and max_labels >= 0
    ):
        raise InvalidArgument(f"max_labels={max_labels!r} must be 'auto', 'all' or a count >= 0")
    return str(labels), max_labels


def _box_fit(d: ChainDrawing) -> float:
    """The largest box font (points) at which the fullest tier fits the figure's height."""
    return _TALLEST * 72 / (_BOX_HEIGHT * max(d.layout.extent, 1.0))


def _fitted_layout(chain: Chain, max_per_tier: int | None) -> tuple[ChainDrawing, bool]:
    """The drawing, folded as far as needed to fit the largest figure, and whether it is
    drawn as dots."""
    if max_per_tier is not None:
        return chain_layout(chain, max_per_tier=max_per_tier), False
    per_column: dict[int, int] = {}
    for tier in chain.tiers.values():
        per_column[tier] = per_column.get(tier, 0) + 1
    fullest = max(per_column.values(), default=1)
    extent = fullest * (1 + _GAP) - _GAP
    if _TALLEST * 72 / (_BOX_HEIGHT * extent) >= _SMALLEST_BOX_FONT:
        drawing = chain_layout(chain)
        if _box_fit(drawing) >= _SMALLEST_BOX_FONT:
            return drawing, False
        if drawing.layout.extent * _SMALLEST_SLOT <= _TALLEST:
            return drawing, True
    elif extent * _SMALLEST_SLOT <= _TALLEST * 0.85:  # room for the bends of long lines
        drawing = chain_layout(chain)
        if drawing.layout.extent * _SMALLEST_SLOT <= _TALLEST:
            return drawing, True
    # Fold: as many boxes per tier as fit at the smallest box font.
    room = _TALLEST * 72 / (_BOX_HEIGHT * _SMALLEST_BOX_FONT)  # layout units
    keep = max(2, int((room + _GAP) / (1 + _GAP)))
    while True:
        drawing = chain_layout(chain, max_per_tier=keep)
        if _box_fit(drawing) >= _SMALLEST_BOX_FONT or keep <= 4:
            return drawing, False
        keep = max(4, int(keep * 0.85))


def _note(d: ChainDrawing, dots: bool) -> str:
    if not d.folded:
        return ""
    hidden = sum(len(m) for m in d.folded.values())
    shown = len(d.columns) - len(d.folded)
    return (f"{shown} busiest places shown (by quantity moved); {hidden} others folded "
            "into \"+k more\" boxes, one per tier")


@dataclass
class _Geometry:
    """Inches per unit: where each node sits and how big it is."""

    pitch: float  # between column centres
    slot: float  # one node slot along a column
    half_w: float  # half a node's width (0 for dots)
    half_h: float
    font: float
    max_width: float  # widest line, points
    scale: float = 1.0  # the caller's axes over the size the chain wants
    label_end: dict[str, float] | None = None  # dots: points from the centre to the name's end

    def xy(self, column: float, position: float) -> tuple[float, float]:
        return column * self.pitch, -position * self.slot


def _draw_boxes(ax: Axes | None, d: ChainDrawing, colors: Mapping[str, str], font: float,
                title: str | None, legend: bool, note: bool) -> tuple[Axes, _Geometry]:
    from matplotlib.patches import FancyBboxPatch

    widest = max([text_width_em(n) for n in d.names.values()] + [4.0])
    box_w = min(max(widest * font / 72 + 0.24, 0.9), 1.9)
    box_h = font * _BOX_HEIGHT / 72
    n_cols = max(d.columns.values(), default=0) + 1
    legend_w = _LEGEND_W if legend else 0.0
    # Narrower gaps, then narrower boxes (names cut with "…"), to stay within the width.
    room = MAX_FIGSIZE[0] - 0.5 - legend_w
    gap = max(0.45, min(0.95, (room - n_cols * box_w) / max(n_cols - 1, 1)))
    box_w = max(0.9, min(box_w, (room - (n_cols - 1) * gap) / n_cols))
    pitch = box_w + gap
    extent = d.layout.extent
    tall = max(extent * box_h + 0.6, _legend_height(d, colors, font) if legend else 0.0, 1.6)
    tall += 0.3 if note else 0.0
    size = (n_cols * pitch - (pitch - box_w) + 0.5 + legend_w,
            tall + 0.3 + (0.55 if title != "" else 0.0))
    ax, scale = axes_for(ax, size)
    font *= scale
    geo = _Geometry(pitch, box_h, box_w / 2, box_h / 2, font, min(12.0, box_h * 72 * 0.55),
                    scale)
    _frame(ax, d, geo, n_cols, label_room=0.0, tall=tall)
    _edges(ax, d, geo, colors, ports=True)
    usable = box_w - 0.12
    smallest = MIN_FONT * scale
    for node, col in d.columns.items():
        x, y = geo.xy(col, d.layout.position[node])
        more = node in d.folded
        fill = colors.get(str(d.provinces[node]), MISSING_COLOR) if not more else "#f2f2f2"
        is_start = node in d.start
        ax.add_patch(FancyBboxPatch(
            (x - geo.half_w, y - geo.half_h), box_w, box_h,
            boxstyle=f"round,pad=0,rounding_size={min(0.06, box_h / 3)}", facecolor=fill,
            edgecolor=INK if is_start else (MUTED if more else "#555555"),
            linewidth=2.0 if is_start else 0.7, linestyle="--" if more else "-",
            zorder=3, gid=f"node:{node}",
        ))
        bold = is_start
        name, size_pt = fit_font(d.names[node], usable, font, bold=bold, smallest=smallest)
        ax.text(x, y, escape_text(name), ha="center", va="center", fontsize=size_pt,
                color=INK if more else text_color_on(fill), zorder=4, gid=f"name:{node}",
                fontweight="bold" if bold else "normal",
                fontstyle="italic" if more else "normal")
    return ax, geo


def _draw_dots(ax: Axes | None, d: ChainDrawing, colors: Mapping[str, str], labels: Any,
               fontsize: float | None, title: str | None, legend: bool
               ) -> tuple[Axes, _Geometry]:
    import numpy as np

    slot = max(_SMALLEST_SLOT, min(0.25, _TALLEST / max(d.layout.extent, 1.0)))
    font = fontsize or max(MIN_FONT, min(8.0, slot * 72 * 0.78))
    wanted = _labelled(d, labels, slot, font)
    cut = {n: ellipsize(d.names[n], _WIDEST_LABEL * 72 / font) for n in wanted}
    widest = max([text_width_em(t) for t in cut.values()] + [3.0])
    badged = bool(d.unaccounted or d.producers)
    label_w = widest * font / 72 + 0.15 + (0.5 if badged else 0.0)  # name + badge
    n_cols = max(d.columns.values(), default=0) + 1
    legend_w = _LEGEND_W if legend else 0.0
    room = MAX_FIGSIZE[0] - 0.8 - legend_w - label_w
    pitch = max(1.0, min(max(1.6, label_w + 0.9), room / max(n_cols - 1, 1)))
    tall = max(d.layout.extent * slot + 0.6, _legend_height(d, colors, font) if legend else 0.0,
               1.6) + 0.3
    size = (n_cols * pitch - pitch + label_w + 0.8 + legend_w,
            tall + 0.3 + (0.55 if title != "" else 0.0))
    ax, scale = axes_for(ax, size)
    font *= scale
    geo = _Geometry(pitch, slot, 0.0, 0.0, font, min(6.0, slot * 72 * 0.45), scale)
    geo.label_end = {}
    _frame(ax, d, geo, n_cols, label_room=label_w, tall=tall)
    _edges(ax, d, geo, colors, ports=False)

    nodes = list(d.columns)
    top = max(d.throughput.values(), default=1.0) or 1.0
    biggest = min(14.0, slot * 72 * 0.9)
    xy = np.array([geo.xy(d.columns[n], d.layout.position[n]) for n in nodes])
    sizes = [(3.0 + (biggest - 3.0) * (d.throughput[n] / top) ** 0.5) ** 2 for n in nodes]
    fills = [colors.get(str(d.provinces[n]), MISSING_COLOR) for n in nodes]
    edge = [INK if n in d.start else "white" for n in nodes]
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=fills, edgecolors=edge, linewidths=0.6,
               zorder=3, gid="nodes")
    radius = {n: (s ** 0.5) / 2 for n, s in zip(nodes, sizes, strict=True)}
    for node in nodes:
        geo.label_end[node] = radius[node] + 2.0
        if node not in wanted:
            continue
        geo.label_end[node] += 2.5 + text_width_em(cut[node]) * font + 2.0
        x, y = geo.xy(d.columns[node], d.layout.position[node])
        ax.annotate(escape_text(cut[node]), (x, y), xytext=(radius[node] + 2.5, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=font,
                    color=INK, zorder=4, gid=f"name:{node}",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                          "alpha": 0.75})
    return ax, geo


def _labelled(d: ChainDrawing, labels: Any, slot: float, font: float) -> set[str]:
    """The nodes that get a name in the dot drawing."""
    ranked = sorted(d.columns, key=lambda n: (-d.throughput[n], n))
    if labels == "all":
        return set(ranked)
    if isinstance(labels, int):
        return set(ranked[:labels])
    if slot * 72 >= font * 1.2:  # every name fits on its own line
        return set(ranked)
    # Otherwise the busiest places, skipping those whose line is taken by a neighbour.
    taken: dict[int, list[float]] = {}
    chosen: set[str] = set()
    need = font * 1.2 / 72 / slot  # slots a label needs
    for node in ranked:
        if len(chosen) >= 40:
            break
        col, pos = d.columns[node], d.layout.position[node]
        if all(abs(pos - p) >= need for p in taken.get(col, [])):
            taken.setdefault(col, []).append(pos)
            chosen.add(node)
    return chosen


def _legend_height(d: ChainDrawing, colors: Mapping[str, str], font: float) -> float:
    """Inches the legend needs: the figure is at least this tall so it is not cut off."""
    rows = 1 + len(colors) + (1 if any(p is None for n, p in d.provinces.items()
                                       if n not in d.folded) else 0)
    rows += 4 if d.flows else 0
    rows += (3 + bool(d.more_products) + bool(d.producers)) if (d.unaccounted or d.producers) else 0
    return rows * max(font * 0.9, 8.0) * 1.75 / 72 + 0.3


def _frame(ax: Axes, d: ChainDrawing, geo: _Geometry, n_cols: int, label_room: float,
           tall: float) -> None:
    ax.set_axis_off()
    extent = d.layout.extent
    left = -geo.half_w - 0.25
    right = (n_cols - 1) * geo.pitch + geo.half_w + label_room + 0.25
    ax.set_xlim(left, right)
    # The chain hangs from the top; a short chain leaves room below rather than being
    # stretched to the height of its legend.
    ax.set_ylim(min(-extent * geo.slot - 0.15, 0.45 - tall), 0.45)
    for col, header in d.headers.items():
        ax.text(col * geo.pitch, 0.3, header, ha="center", va="center", color=MUTED,
                fontsize=max(geo.font, 8.0 * geo.scale), fontstyle="italic",
                gid=f"tier:{col}")


def _edges(ax: Axes, d: ChainDrawing, geo: _Geometry, colors: Mapping[str, str],
           ports: bool) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    top = max(d.flows.values(), default=1.0) or 1.0
    min_w = 0.7

    def width(q: float) -> float:
        return min_w + (geo.max_width - min_w) * (q / top)

    # Where each line meets its box: spread over the box side, ordered like their far ends.
    out_port: dict[tuple[str, str], float] = {}
    in_port: dict[tuple[str, str], float] = {}
    if ports:
        outgoing: dict[str, list[tuple[float, str, tuple[str, str]]]] = {}
        incoming: dict[str, list[tuple[float, str, tuple[str, str]]]] = {}
        for u, v in d.flows:
            if d.columns[v] <= d.columns[u]:
                continue
            route = d.layout.routes[(u, v)]
            outgoing.setdefault(u, []).append((route[1][0], v, (u, v)))
            incoming.setdefault(v, []).append((route[-2][0], u, (u, v)))
        for side, table in ((out_port, outgoing), (in_port, incoming)):
            for ends in table.values():
                ends.sort()
                widths = [width(d.flows[e]) / 72 for _, _, e in ends]
                room = max(2 * geo.half_h * 0.8, 1e-9)
                total = sum(widths)
                squeeze = min(1.0, room / total) if total else 1.0
                cursor = -min(total * squeeze, room) / 2
                for (_, _, e), w in zip(ends, widths, strict=True):
                    side[e] = cursor + w * squeeze / 2  # inches below the centre
                    cursor += w * squeeze

    order = sorted(d.flows.items(), key=lambda item: (-item[1], item[0]))
    for (u, v), q in order:
        route = d.layout.routes[(u, v)]
        points = [geo.xy(d.columns[u], route[0][0])]
        points += [geo.xy(col, pos) for pos, col in route[1:-1]]
        points.append(geo.xy(d.columns[v], route[-1][0]))
        color = darker(colors.get(str(d.provinces[u]), MISSING_COLOR), 0.85)
        forward = d.columns[v] > d.columns[u]
        lw = width(q)
        if forward:
            (x0, y0), (x1, y1) = points[0], points[-1]
            points[0] = (x0 + geo.half_w, y0 - out_port.get((u, v), 0.0))
            points[-1] = (x1 - geo.half_w, y1 - in_port.get((u, v), 0.0))
            verts: list[tuple[float, float]] = [points[0]]
            codes = [Path.MOVETO]
            for (ax0, ay0), (ax1, ay1) in itertools.pairwise(points):
                dx = (ax1 - ax0) * 0.5
                verts += [(ax0 + dx, ay0), (ax1 - dx, ay1), (ax1, ay1)]
                codes += [Path.CURVE4] * 3
            patch = FancyArrowPatch(path=Path(verts, codes), arrowstyle="-", linewidth=lw,
                                    color=color, alpha=0.55, zorder=1, gid=f"flow:{u}->{v}",
                                    capstyle="butt")
        else:
            # Against the flow (returns) or inside a tier (transfers): a dashed arc.
            (x0, y0), (x1, y1) = points[0], points[-1]
            same = d.columns[u] == d.columns[v]
            start = (x0 + geo.half_w, y0) if same else (x0 - geo.half_w, y0)
            end = (x1 + geo.half_w, y1)
            patch = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8 + lw,
                                    connectionstyle=f"arc3,rad={-0.6 if same else 0.35}",
                                    linewidth=lw, linestyle="--", color=color, alpha=0.7,
                                    zorder=2, gid=f"flow:{u}->{v}", shrinkA=0, shrinkB=0)
        ax.add_patch(patch)


def _badges(ax: Axes, d: ChainDrawing, geo: _Geometry) -> None:
    badges = {node: (format_number(value, signed=True)
                     + (f" (+{d.more_products[node]})" if node in d.more_products else ""),
                     SURPLUS_COLOR if value > 0 else DEFICIT_COLOR, f"unaccounted:{node}")
              for node, value in d.unaccounted.items()}
    for node in d.producers:
        badges.setdefault(node, ("producer", MUTED, f"producer:{node}"))
    for node, (text, color, gid) in badges.items():
        if node not in d.columns:
            continue
        x, y = geo.xy(d.columns[node], d.layout.position[node])
        style = {"boxstyle": "round,pad=0.18", "fc": "white", "ec": color, "lw": 0.9}
        if geo.half_w:  # on the box's top right corner
            ax.text(x + geo.half_w, y + geo.half_h, text,
                    ha="center", va="center",
                    fontsize=max(geo.font * 0.72, MIN_FONT * geo.scale), color=color,
                    fontweight="bold", bbox=style, zorder=5, gid=gid)
        else:  # after the name
            after = (geo.label_end or {}).get(node, 4.0) + 2.0
            ax.annotate(text, (x, y), xytext=(after, 0),
                        textcoords="offset points", ha="left", va="center",
                        fontsize=max(geo.font * 0.8, MIN_FONT * geo.scale), color=color,
                        fontweight="bold",
                        bbox={**style, "boxstyle": "round,pad=0.1"}, zorder=5, gid=gid)


def _legend(ax: Axes, d: ChainDrawing, geo: _Geometry, colors: Mapping[str, str],
            badges: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    blank = Line2D([], [], linestyle="none")
    handles.append((blank, "Province"))
    handles += [(Patch(facecolor=c, edgecolor="#555555"), escape_text(drawable(p)))
                for p, c in colors.items()]
    if any(p is None for n, p in d.provinces.items() if n not in d.folded):
        handles.append((Patch(facecolor=MISSING_COLOR, edgecolor="#555555"), "unknown"))
    top = max(d.flows.values(), default=0.0)
    if top > 0:
        handles.append((blank, "Quantity shipped"))
        for q in _reference_quantities(top):
            lw = 0.7 + (geo.max_width - 0.7) * (q / top)
            handles.append((Line2D([], [], color=MUTED, linewidth=lw, alpha=0.7),
                            format_number(q)))
    if badges and (d.unaccounted or d.producers):
        values = d.unaccounted.values()
        handles.append((blank, "Leads (one product)"))
        if any(v > 0 for v in values):
            handles.append((Line2D([], [], linestyle="none", marker="s",
                                   markerfacecolor="white", markeredgecolor=SURPLUS_COLOR),
                            "+ stock left / unknown buyer"))
        if any(v < 0 for v in values):
            handles.append((Line2D([], [], linestyle="none", marker="s",
                                   markerfacecolor="white", markeredgecolor=DEFICIT_COLOR),
                            "\u2212 unknown supplier"))
        if d.more_products:
            handles.append((blank, "(+k): leads on k more products"))
        if d.producers:
            handles.append((Line2D([], [], linestyle="none", marker="s",
                                   markerfacecolor="white", markeredgecolor=MUTED),
                            "producer (makes the goods)"))
    leg = ax.legend([h for h, _ in handles], [label for _, label in handles],
                    loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                    fontsize=max(geo.font * 0.9, 8.0 * geo.scale), handlelength=2.2,
                    borderaxespad=0.2)
    headers = {"Province", "Quantity shipped", "Leads (one product)"}
    for text in leg.get_texts():
        if text.get_text() in headers:
            text.set_fontweight("bold")


def _reference_quantities(top: float) -> list[float]:
    """Two or three round quantities up to ``top`` for the line-width legend."""
    import math

    exponent = math.floor(math.log10(top))
    unit = 10.0 ** exponent
    leading = top / unit
    step = 5 if leading >= 5 else (2 if leading >= 2 else 1)
    big = step * unit
    values = [big, big / 2 if step != 5 else big / 5, big / 10 if step != 5 else big / 50]
    values = [v for v in values if v > 0]
    return sorted({round(v, 6) for v in values}, reverse=True)[:3]


def _headline(chain: Chain, d: ChainDrawing, labels: str = "name") -> str:
    """Two lines: what was traced (direction, start, products, time window), then its size.

    Ids are always given, as in the chain's tables: "Downstream from 兴隆村窝点 (W-DEN-01),
    product P-MOBIL-5W30 (假美孚机油)".
    """
    info: Any = chain  # set by trace_chain
    upstream = info.direction == "upstream"

    def named(ident: str, name: object) -> str:
        if labels == "id" or not name or str(name) == ident:
            return ident
        shown = drawable(name, ident)
        return ident if shown == ident else f"{shown} ({ident})"

    entities = info.graph.store.get_many([*info.start, *(info.product or [])])
    starts = ", ".join(named(s, getattr(entities.get(s), "name", None)) for s in d.start)
    products = list(info.product or [])
    if not products:
        what = "all products"
    else:
        what = ("product " if len(products) == 1 else "products ") + ", ".join(
            named(p, getattr(entities.get(p), "name", None)) for p in products)
    window = _window(info)
    first = (f"{'Upstream into' if upstream else 'Downstream from'} {starts}, {what}"
             + (f", {window}" if window else ""))
    places = len(d.columns) - len(d.folded) + sum(len(m) for m in d.folded.values())
    shipments = len(chain)
    total = escape_text(info.quantity_text)
    hops = getattr(info, "max_hops", None)
    return (f"{escape_text(first)}\n{places} place{'s' if places != 1 else ''}, "
            f"{shipments} shipment{'s' if shipments != 1 else ''}, {total} "
            f"{'arrived' if upstream else 'shipped'}"
            + (f", at most {hops} hop{'s' if hops != 1 else ''}" if hops else ""))


def _window(info: Any) -> str:
    """The trace's time window ("since 2024-03-01", "2024-03-01 to 2024-06-30") or ""."""
    from datetime import datetime, timezone, tzinfo
    from zoneinfo import ZoneInfo

    zone: tzinfo = timezone.utc
    with contextlib.suppress(Exception):  # the case's own time zone, as the tables show
        zone = ZoneInfo(info.graph.store.timezone)

    def day(us: int | None) -> str | None:
        if us is None:
            return None
        return datetime.fromtimestamp(us / 1e6, tz=zone).strftime("%Y-%m-%d")

    since, until = day(getattr(info, "since_us", None)), day(getattr(info, "until_us", None))
    if since and until:
        return f"{since} to {until}"
    if since:
        return f"since {since}"
    if until:
        return f"until {until}"
    return ""

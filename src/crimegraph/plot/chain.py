"""The supply chain: goods flowing left to right from the source to the shops."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .fonts import cjk_context
from .layout import LayeredLayout, layered_layout
from .style import (
    DEFICIT_COLOR,
    INK,
    MISSING_COLOR,
    MUTED,
    SURPLUS_COLOR,
    axes_for,
    category_colors,
    darker,
    escape_text,
    format_number,
    text_color_on,
    text_width_em,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.chain import Chain

__all__ = ["ChainDrawing", "chain_layout", "plot_chain"]

_BOX_HEIGHT = 2.5  # a box is this many font sizes tall
_TALLEST = 13.0  # inches: a chain taller than this in boxes at 6.5 pt is drawn as dots
_SMALLEST_BOX_FONT = 6.5


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
    more_products: dict[str, int]
    producers: list[str]


def chain_layout(chain: Chain) -> ChainDrawing:
    """Columns and crossing-reduced order of a chain's nodes, as :func:`plot_chain` draws them.

    Downstream chains run from the start (column 0) to the shops; upstream chains are turned
    around so that goods still flow left to right, ending at the start.

    Parameters
    ----------
    chain : Chain
        The result of :func:`crimegraph.trace_chain`.

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

    # Start with provinces together: trading partners are mostly in the same province.
    initial = sorted(tiers, key=lambda n: (columns[n], provinces[n] or "\uffff", n))
    layers = {n: columns[n] for n in initial}
    top = max(flows.values(), default=1.0) or 1.0
    weights = {edge: 0.2 + q / top for edge, q in flows.items()}
    layout = layered_layout(layers, list(flows), weights=weights, gap=0.6)

    headers = {}
    for col in sorted(set(columns.values())):
        tier = deepest - col if upstream else col
        headers[col] = "start" if tier == 0 else f"tier {tier}"
    return ChainDrawing(columns, layout, names, provinces, flows, counts, throughput,
                        unaccounted, list(info.start), headers, more_products, producers)


def plot_chain(
    chain: Chain,
    *,
    ax: Axes | None = None,
    labels: Literal["auto", "all", "none"] | int = "auto",
    show_unaccounted: bool = True,
    fontsize: float | None = None,
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """Draw a traced supply chain left to right, from the source to the shops.

    Columns are the chain's tiers; lines are the goods shipped between two places, as wide
    as the quantity; places are coloured by province and labelled with their names. A badge
    such as "+40" marks a place that received 40 more than it passed on (stock left or
    undiscovered buyers), "−20" one that passed on 20 more than it received (an undiscovered
    supplier). The order inside each tier is chosen to avoid crossing lines.

    Chains that fit a page as named boxes are drawn so (about 30 places in the fullest tier);
    larger ones (up to a few hundred places) as dots, labelled as far as space allows.

    Parameters
    ----------
    chain : Chain
        The result of :func:`crimegraph.trace_chain`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the chain when omitted.
    labels : {"auto", "all", "none"} or int
        Which places get a name in the dot drawing: as many as fit (``"auto"``), all, none,
        or the ``n`` places that moved the most goods. Boxes always show names.
    show_unaccounted : bool
        Mark places whose inflow and outflow differ.
    fontsize : float, optional
        Size of the names in points (chosen from the chain's size when omitted).
    title : str, optional
        Title above the chain; ``""`` for none.
    legend : bool
        Show the legend (provinces, line widths, badges) right of the chain.

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
    drawing = chain_layout(chain)
    if labels not in ("auto", "all", "none") and not (
        isinstance(labels, int) and not isinstance(labels, bool) and labels >= 0
    ):
        raise ValueError(f"labels={labels!r} must be 'auto', 'all', 'none' or a count >= 0")
    texts = [*drawing.names.values(), *(p for p in drawing.provinces.values() if p),
             title or ""]
    with cjk_context(texts):
        colors = category_colors(drawing.provinces.values())
        fitting = _TALLEST * 72 / (_BOX_HEIGHT * max(drawing.layout.extent, 1.0))
        box_font = float(fontsize) if fontsize else min(9.0, fitting)
        if box_font >= _SMALLEST_BOX_FONT:
            ax, geo = _draw_boxes(ax, drawing, colors, box_font, title, legend)
        else:
            ax, geo = _draw_dots(ax, drawing, colors, labels, fontsize, title, legend)
        if show_unaccounted:
            _badges(ax, drawing, geo)
        if title != "":
            ax.set_title(escape_text(title) if title else _headline(chain, drawing),
                         loc="left", fontsize=max(geo.font * 1.25, 10.0 * geo.scale))
        if legend:
            _legend(ax, drawing, geo, colors, show_unaccounted)
    return ax


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
                title: str | None, legend: bool) -> tuple[Axes, _Geometry]:
    from matplotlib.patches import FancyBboxPatch

    widest = max([text_width_em(n) for n in d.names.values()] + [4.0])
    box_w = min(max(widest * font / 72 + 0.24, 0.9), 1.9)
    box_h = font * _BOX_HEIGHT / 72
    n_cols = max(d.columns.values(), default=0) + 1
    pitch = box_w + 0.95
    extent = d.layout.extent
    tall = max(extent * box_h + 0.6, _legend_height(d, colors, font) if legend else 0.0, 1.6)
    size = (n_cols * pitch - (pitch - box_w) + 0.5 + (2.4 if legend else 0.0),
            tall + 0.3 + (0.4 if title != "" else 0.0))
    ax, scale = axes_for(ax, size)
    font *= scale
    geo = _Geometry(pitch, box_h, box_w / 2, box_h / 2, font, min(12.0, box_h * 72 * 0.55),
                    scale)
    _frame(ax, d, geo, n_cols, label_room=0.0, tall=tall)
    _edges(ax, d, geo, colors, ports=True)
    usable = box_w - 0.12
    for node, col in d.columns.items():
        x, y = geo.xy(col, d.layout.position[node])
        fill = colors.get(str(d.provinces[node]), MISSING_COLOR)
        is_start = node in d.start
        ax.add_patch(FancyBboxPatch(
            (x - geo.half_w, y - geo.half_h), box_w, box_h,
            boxstyle=f"round,pad=0,rounding_size={min(0.06, box_h / 3)}", facecolor=fill,
            edgecolor=INK if is_start else "#555555", linewidth=2.0 if is_start else 0.7,
            zorder=3, gid=f"node:{node}",
        ))
        name = d.names[node]
        fit = min(1.0, usable * 72 / max(text_width_em(name) * font, 1e-9))
        ax.text(x, y, escape_text(name), ha="center", va="center", fontsize=font * fit,
                color=text_color_on(fill), zorder=4, gid=f"name:{node}",
                fontweight="bold" if is_start else "normal")
    return ax, geo


def _draw_dots(ax: Axes | None, d: ChainDrawing, colors: Mapping[str, str], labels: Any,
               fontsize: float | None, title: str | None, legend: bool
               ) -> tuple[Axes, _Geometry]:
    import numpy as np

    slot = max(0.085, min(0.25, 11.0 / max(d.layout.extent, 1.0)))
    font = fontsize or max(5.0, min(8.0, slot * 72 * 0.78))
    wanted = _labelled(d, labels, slot, font)
    widest = max([text_width_em(d.names[n]) for n in wanted] + [3.0])
    badged = bool(d.unaccounted or d.producers)
    label_w = widest * font / 72 + 0.15 + (0.5 if badged else 0.0)  # name + badge
    n_cols = max(d.columns.values(), default=0) + 1
    pitch = max(1.6, label_w + 0.9)
    tall = max(d.layout.extent * slot + 0.6, _legend_height(d, colors, font) if legend else 0.0,
               1.6)
    size = (n_cols * pitch - pitch + label_w + 0.8 + (2.4 if legend else 0.0),
            tall + 0.3 + (0.4 if title != "" else 0.0))
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
        geo.label_end[node] += 2.5 + text_width_em(d.names[node]) * font + 2.0
        x, y = geo.xy(d.columns[node], d.layout.position[node])
        ax.annotate(escape_text(d.names[node]), (x, y), xytext=(radius[node] + 2.5, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=font,
                    color=INK, zorder=4, gid=f"name:{node}",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                          "alpha": 0.75})
    return ax, geo


def _labelled(d: ChainDrawing, labels: Any, slot: float, font: float) -> set[str]:
    """The nodes that get a name in the dot drawing."""
    ranked = sorted(d.columns, key=lambda n: (-d.throughput[n], n))
    if labels == "none":
        return set()
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
    rows = 1 + len(colors) + (1 if any(p is None for p in d.provinces.values()) else 0)
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
                    ha="center", va="center", fontsize=geo.font * 0.72, color=color,
                    fontweight="bold", bbox=style, zorder=5, gid=gid)
        else:  # after the name
            after = (geo.label_end or {}).get(node, 4.0) + 2.0
            ax.annotate(text, (x, y), xytext=(after, 0),
                        textcoords="offset points", ha="left", va="center",
                        fontsize=geo.font * 0.8, color=color, fontweight="bold",
                        bbox={**style, "boxstyle": "round,pad=0.1"}, zorder=5, gid=gid)


def _legend(ax: Axes, d: ChainDrawing, geo: _Geometry, colors: Mapping[str, str],
            badges: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    blank = Line2D([], [], linestyle="none")
    handles.append((blank, "Province"))
    handles += [(Patch(facecolor=c, edgecolor="#555555"), escape_text(p))
                for p, c in colors.items()]
    if any(p is None for p in d.provinces.values()):
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


def _headline(chain: Chain, d: ChainDrawing) -> str:
    info: Any = chain  # total_quantity, direction: set by trace_chain
    starts = ", ".join(d.names.get(s, s) for s in d.start)
    total = format_number(info.total_quantity)
    arrow = "from" if info.direction == "downstream" else "into"
    places, shipments = len(d.columns), len(chain)
    return (f"Goods {arrow} {starts}: {places} place{'s' if places != 1 else ''}, "
            f"{shipments} shipment{'s' if shipments != 1 else ''}, {total} units")

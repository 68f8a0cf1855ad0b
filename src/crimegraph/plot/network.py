"""The social network: who is tied to whom, the key players large, the groups in colour."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InvalidArgument
from ..model.redact import RedactionProfile, redaction_profile
from ._redact import redacted
from .fonts import cjk_context, drawable
from .layout import place_labels, spring_positions
from .style import (
    EDGE_COLOR,
    INK,
    MAX_FIGSIZE,
    MISSING_COLOR,
    STATUS_COLORS,
    STATUS_ORDER,
    add_note,
    axes_for,
    category_colors,
    ellipsize,
    escape_text,
    label_text,
    status_color,
    text_width_em,
)

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

    from ..model import Case
    from ..store.graph import CaseGraph

__all__ = ["network_positions", "plot_network"]

_AUTO_LABELS = 60  # "auto" names at most this many nodes
_SURE_LABELS = 10  # the most central nodes always get a name, placed further out if need be
_LEGEND_W = 1.2  # narrowest legend column, inches
_NAME_EM = 20.0  # a node's name is cut with "…" beyond this many ems
_LEGEND_EM = 26.0  # and a legend entry beyond this many


def network_positions(network: nx.Graph, *, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Where :func:`plot_network` puts each node of a social network (unit square).

    Parameters
    ----------
    network : networkx.Graph
        A :func:`crimegraph.social_network` (edge attribute ``weight``).
    seed : int
        Seed of the spring layout.

    Returns
    -------
    dict
        Node id -> ``(x, y)``.
    """
    ties = [(str(u), str(v), float(w if w is not None else 1.0))
            for u, v, w in network.edges(data="weight")]
    return spring_positions([str(n) for n in network.nodes], ties, seed=seed)


def plot_network(
    graph: CaseGraph | Case | None,
    *,
    color_by: str | None = "group",
    size_by: str | None = "degree",
    ax: Axes | None = None,
    seed: int = 0,
    network: nx.Graph | None = None,
    groups: Any = None,
    scores: Any = None,
    labels: Literal["name", "id", "both"] | Literal["auto", "all", "none"] | int = "name",
    max_labels: Literal["auto", "all"] | int = "auto",
    fontsize: float | None = None,
    title: str | None = None,
    legend: bool = True,
    redact: str | RedactionProfile | None = None,
) -> Axes:
    """Draw the social network: key players large, groups (or provinces, statuses) in colour.

    Positions come from a seeded spring layout (the same seed gives the same picture);
    lines are as thick as the tie is strong (number of calls, meetings...). Group legends
    say each group's size and its most central member ("group 2: 14 people, around 周建国").

    The figure is at most 16 × 10 inches (:data:`crimegraph.plot.style.MAX_FIGSIZE`) with
    no text under 6 points; in a large network only the most central nodes are named, and a
    note in the corner says how many.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case; may be None when ``network`` (and ``groups``/``scores`` if needed) is given.
    color_by : str or None
        ``"group"`` (groups from :func:`crimegraph.find_groups` with ``seed``), a node
        attribute such as ``"province"``, ``"status"``, ``"role"`` or ``"type"``, or None for
        one colour.
    size_by : str or None
        A :func:`crimegraph.key_players` measure (``"degree"``, ``"betweenness"``,
        ``"closeness"``, ``"eigenvector"``, ``"pagerank"``) or None for equal sizes.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    seed : int
        Seed of the layout and of the groups.
    network : networkx.Graph, optional
        The network to draw (default :func:`crimegraph.social_network` of ``graph``).
    groups : Groups or pandas.DataFrame, optional
        Precomputed groups (columns ``id`` and ``group``) instead of running find_groups.
    scores : pandas.DataFrame or mapping, optional
        Precomputed node sizes: a key_players table (``id``, ``score``) or ``{id: score}``.
    labels : {"name", "id", "both"}
        What a node's label says: the name, the id (as in the analysis tables) or both. A
        name the fonts cannot draw is replaced by the id. (The older values "auto", "all",
        "none" and counts are read as ``max_labels``.)
    max_labels : {"auto", "all"} or int
        Nodes to label: as many as fit without overlapping, largest (most central) nodes
        first, at most 60 (``"auto"``; the 10 largest always get theirs, further out with a
        leader line if need be); all; or the ``n`` largest nodes (0 for none).
    fontsize : float, optional
        Size of the names in points.
    title : str, optional
        Title; ``""`` for none.
    legend : bool
        Show the colour and size legend right of the network.

    redact : {"internal", "prosecution", "public"} or RedactionProfile, optional
        Who the figure is for (see :func:`crimegraph.redact`): drawn from the redacted case
        (not with ``network=``, ``groups=`` or ``scores=``, made before redaction).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``color_by`` is neither "group" nor a node attribute, or ``labels`` is not valid.

    Examples
    --------
    >>> import networkx as nx
    >>> import crimegraph.plot as cgp
    >>> net = nx.Graph()
    >>> net.add_node("P1", name="周建国", status="wanted")
    >>> net.add_node("P2", name="李强", status="arrested")
    >>> net.add_edge("P1", "P2", weight=12)
    >>> ax = cgp.plot_network(None, network=net, color_by="status", size_by=None)
    >>> sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("name:"))
    ['周建国', '李强']
    """
    if (network is not None or groups is not None or scores is not None) and \
            not redaction_profile(redact).is_identity:
        raise InvalidArgument(
            "plot_network: network=, groups= or scores= made before redaction may show "
            "withheld people; give the case graph alone with redact=, or compute them from "
            "cg.redact(graph, ...)")
    graph = redacted(graph, redact, function="plot_network")
    import numpy as np

    from .chain import _label_options

    text_mode, max_labels = _label_options(labels, max_labels)
    if network is None:
        if graph is None:
            raise InvalidArgument("give the case graph or a network (network=...)")
        from ..analysis import social_network

        network = social_network(graph)
    nodes = sorted(str(n) for n in network.nodes)
    attrs = {str(n): dict(data) for n, data in network.nodes(data=True)}
    names = {n: str(attrs[n].get("name") or n) for n in nodes}

    categories, color_title = _categories(graph, network, nodes, attrs, color_by, groups, seed)
    colors, items = _palette(categories, color_by)
    size_values = _scores(graph, network, nodes, size_by, scores)

    pos = network_positions(network, seed=seed)
    n = len(nodes)
    side = min(MAX_FIGSIZE[1] - 0.7, max(5.0, 3.2 + 0.9 * math.sqrt(max(n, 1))))
    font = float(fontsize) if fontsize else (8.5 if n <= 40 else 7.5 if n <= 120 else 6.5)
    texts = [*names.values(), *(label for label, _ in items), title or ""]
    with cjk_context(texts):
        # A very long name would crowd out the network: it is cut, its id (if shown) kept.
        shown = {v: drawable(label_text(ellipsize(names[v], _NAME_EM), v, text_mode), v)
                 for v in nodes}
        if color_by == "group":
            items = _group_items(items, categories, shown, size_values, network)
        items = [(ellipsize(label, _LEGEND_EM), color) for label, color in items]
        # The legend column as wide as its widest entry (headers are bold).
        widest = max([text_width_em(label) for label, _ in items[:20]]
                     + [text_width_em(f"Size: {size_by}", bold=True) + 1.5,
                        text_width_em(color_title.capitalize(), bold=True)], default=0.0)
        legend_w = max(_LEGEND_W, widest * max(font, 8.0) / 72 + 0.7) \
            if legend and (items or size_values) else 0.0
        # The figure takes the shape of the network, so no band of it stays empty.
        xs = [p[0] for p in pos.values()] or [0.0, 1.0]
        ys = [p[1] for p in pos.values()] or [0.0, 1.0]
        pad = 0.07
        width_units = max(xs) - min(xs) + 2 * pad
        height_units = max(ys) - min(ys) + 2 * pad
        inch = side / max(width_units, height_units)  # inches per unit
        own_figure = ax is None
        ax, scale = axes_for(ax, (max(width_units * inch, 3.0) + legend_w,
                                  max(height_units * inch, 3.0) + (0.4 if title != "" else 0)))
        font *= scale
        inch *= scale
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_ylim(min(ys) - pad, max(ys) + pad)

        # Ties: width by log strength, thin and light so nodes stay in front.
        ties = sorted((min(str(u), str(v)), max(str(u), str(v)),
                       float(w if w is not None else 1.0))
                      for u, v, w in network.edges(data="weight"))
        if ties:
            from matplotlib.collections import LineCollection

            strongest = max(math.log1p(max(w, 0.0)) for _, _, w in ties) or 1.0
            segments = [(pos[u], pos[v]) for u, v, _ in ties]
            widths = [0.5 + 3.0 * math.log1p(max(w, 0.0)) / strongest for _, _, w in ties]
            ax.add_collection(LineCollection(segments, linewidths=widths, colors=EDGE_COLOR,
                                             alpha=0.45, zorder=1, gid="ties"))

        # Nodes: area by score.
        top = max((v for v in size_values.values() if v > 0), default=0.0)
        # Marker diameters in points: smaller in crowded networks.
        small = (5.0 if n <= 600 else 3.5) * scale
        large = (26.0 if n <= 60 else 18.0 if n <= 600 else 12.0) * scale
        diameter = {}
        for node in nodes:
            share = (size_values.get(node, 0.0) / top) if top > 0 else 0.5
            diameter[node] = small + (large - small) * math.sqrt(max(share, 0.0))
        xy = np.array([pos[v] for v in nodes]) if nodes else np.zeros((0, 2))
        fills = [colors.get(categories.get(v), MISSING_COLOR) for v in nodes]
        ax.scatter(xy[:, 0], xy[:, 1], s=[diameter[v] ** 2 for v in nodes], c=fills,
                   edgecolors="white", linewidths=0.8, zorder=3, gid="nodes")

        named = _labels(ax, nodes, shown, pos, diameter, size_values, max_labels, font, inch)
        if legend:
            _legend(ax, items, color_title, size_by, size_values, top, small, large, font)
        if named < n and max_labels == "auto":
            by = f" (by {size_by})" if size_by else ""
            add_note(ax, f"names shown for the {named} most central of {n} nodes{by}; "
                     "max_labels='all' for every name", fontsize=max(font, 8.0 * scale))
        if title != "":
            what = f"coloured by {color_title}" if color_by else ""
            sized = f"size by {size_by}" if size_by else ""
            detail = ", ".join(x for x in (what, sized) if x)
            ax.set_title(escape_text(drawable(title)) if title else
                         f"Social network: {n} nodes, {len(ties)} ties"
                         + (f" ({detail})" if detail else ""),
                         loc="left", fontsize=max(font * 1.2, 10 * scale))
        from matplotlib.figure import Figure

        if own_figure and legend and isinstance(ax.figure, Figure):
            # One layout pass ahead: the first pass places the equal-aspect network before the
            # legend anchored to it has moved, so the legend would overhang the figure's edge.
            ax.figure.draw_without_rendering()
    return ax


def _categories(graph: Any, network: Any, nodes: list[str], attrs: Mapping[str, Mapping[str, Any]],
                color_by: str | None, groups: Any, seed: int) -> tuple[dict[str, str], str]:
    if color_by is None:
        return {}, ""
    if color_by == "group":
        table = groups
        if table is None:
            from ..analysis import find_groups

            table = find_groups(graph if graph is not None else network, seed=seed)
        frame = getattr(table, "groups", table)
        found = {str(i): int(g) for i, g in zip(frame["id"], frame["group"], strict=True)}
        sizes: dict[int, int] = {}
        for g in found.values():
            sizes[g] = sizes.get(g, 0) + 1
        # Loners (groups of one) share one grey: colours go to real groups.
        return ({v: (f"group {found[v]}" if sizes[found[v]] > 1 else "alone")
                 for v in nodes if v in found}, "group")
    values: dict[str, Any] = {}
    known_attr = any(color_by in a for a in attrs.values())
    if known_attr:
        values = {v: attrs[v].get(color_by) for v in nodes}
    elif graph is not None:
        table = graph.nodes() if hasattr(graph, "nodes") and callable(graph.nodes) else None
        if table is not None and color_by in table.columns:
            values = dict(zip(table["id"].astype(str), table[color_by], strict=True))
            known_attr = True
    if not known_attr:
        choices = sorted({k for a in attrs.values() for k in a} | {"group"})
        raise InvalidArgument(f"color_by={color_by!r} is not a node attribute; use one of "
                              f"{', '.join(map(repr, choices))}")
    return ({v: str(values[v]) for v in nodes if _present(values.get(v))},
            color_by.replace("_", " "))


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return str(value) not in ("", "nan", "<NA>", "None")


def _palette(categories: Mapping[str, str], color_by: str | None
             ) -> tuple[dict[str | None, str], list[tuple[str, str]]]:
    if not color_by:
        return {None: "#4e79a7", **dict.fromkeys(set(categories.values()), "#4e79a7")}, []
    present = set(categories.values())
    if color_by == "status":
        order = [s for s in STATUS_ORDER if s in present] + sorted(present - set(STATUS_ORDER))
        colors: dict[str | None, str] = {s: status_color(s) for s in order}
        items = [(s, colors[s]) for s in order]
    else:
        named = sorted(present - {"alone"})
        palette = category_colors(named)
        colors = {name: color for name, color in palette.items()}
        items = list(palette.items())
        if "alone" in present:
            colors["alone"] = MISSING_COLOR
            items.append(("alone", MISSING_COLOR))
    colors[None] = STATUS_COLORS["unknown"] if color_by == "status" else MISSING_COLOR
    return colors, items


def _scores(graph: Any, network: Any, nodes: list[str], size_by: str | None, scores: Any
            ) -> dict[str, float]:
    if size_by is None and scores is None:
        return {}
    table = scores
    if table is None:
        from ..analysis import key_players

        measure: Any = size_by  # key_players names the allowed measures in its message
        table = key_players(graph if graph is not None else network, measure=measure, k=None)
    if isinstance(table, Mapping):
        return {str(k): float(v) for k, v in table.items()}
    return {str(i): float(s) for i, s in zip(table["id"], table["score"], strict=True)}


def _labels(ax: Axes, nodes: list[str], names: Mapping[str, str],
            pos: Mapping[str, tuple[float, float]], diameter: Mapping[str, float],
            size_values: Mapping[str, float], labels: Any, font: float, inch: float) -> int:
    """Name the largest nodes first; returns how many got a name."""
    if labels == 0 or not nodes:
        return 0
    ranked = sorted(nodes, key=lambda v: (-size_values.get(v, 0.0), v))
    if isinstance(labels, int):
        ranked = ranked[:labels]
    elif labels == "auto":
        ranked = ranked[:_AUTO_LABELS]
    anchors = {v: (pos[v][0] * inch, pos[v][1] * inch) for v in nodes}
    sizes = {v: (text_width_em(names[v]) * font / 72 + 0.06, font * 1.25 / 72) for v in ranked}
    radii = {v: diameter[v] / 2 / 72 for v in nodes}
    spots = place_labels(anchors, sizes, radii, ranked, keep_all=labels != "auto",
                         far=_SURE_LABELS if size_values else 0)
    from matplotlib.patheffects import withStroke

    halo = [withStroke(linewidth=2.5, foreground="white")]  # readable across tie lines
    count = 0
    for v in ranked:
        if v not in spots:
            continue
        dx, dy, ha, va = spots[v]
        away = math.hypot(dx, dy) > radii[v] + 0.05  # placed further out: a leader line
        arrow = {"arrowstyle": "-", "color": "#555555", "lw": 0.6, "shrinkA": 0,
                 "shrinkB": diameter[v] / 2} if away else None
        ax.annotate(escape_text(names[v]), pos[v], xytext=(dx * 72, dy * 72),
                    textcoords="offset points", ha=ha, va=va, fontsize=font, color=INK,
                    zorder=4, gid=f"name:{v}", path_effects=halo, arrowprops=arrow)
        count += 1
    return count


def _group_items(items: list[tuple[str, str]], categories: Mapping[str, str],
                 shown: Mapping[str, str], size_values: Mapping[str, float], network: Any
                 ) -> list[tuple[str, str]]:
    """Group legend entries that say something: "group 2: 14 people, around 周建国"."""
    members: dict[str, list[str]] = {}
    for node, category in categories.items():
        members.setdefault(category, []).append(node)
    strength = {str(v): float(d) for v, d in network.degree(weight="weight")}

    def central(node: str) -> tuple[float, float, str]:
        return (-size_values.get(node, 0.0), -strength.get(node, 0.0), node)

    out: list[tuple[str, str]] = []
    for label, color in items:
        group = members.get(label, [])
        persons = all(network.nodes[v].get("type", "person") == "person" for v in group
                      if v in network)
        noun = ("person" if len(group) == 1 else "people") if persons else (
            "member" if len(group) == 1 else "members")
        count = f"{len(group)} {noun}"
        if label == "alone" or not group:
            out.append((f"{label}: {count}", color))
            continue
        best = min(group, key=central)
        out.append((f"{label}: {count}, around {ellipsize(shown.get(best, best), 10.0)}",
                    color))
    return out


def _legend(ax: Axes, items: list[tuple[str, str]], color_title: str, size_by: str | None,
            size_values: Mapping[str, float], top: float, small: float, large: float,
            font: float) -> None:
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    labels: list[str] = []
    blank = Line2D([], [], linestyle="none")
    if items:
        handles.append(blank)
        labels.append(color_title.capitalize())
        for label, color in items[:20]:
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=8,
                                  markerfacecolor=color, markeredgecolor="white"))
            labels.append(escape_text(label))
        if len(items) > 20:
            handles.append(blank)
            labels.append(f"... {len(items) - 20} more")
    if size_by and top > 0:
        handles.append(blank)
        labels.append(f"Size: {size_by}")
        for share in (1.0, 0.25):
            d = small + (large - small) * math.sqrt(share)
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=d,
                                  markerfacecolor="#bbbbbb", markeredgecolor="white"))
            labels.append(f"{top * share:.3g}")
    if not handles:
        return
    leg = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                    frameon=False, fontsize=max(font, 8.0), labelspacing=0.9,
                    borderaxespad=0.2)
    headers = {color_title.capitalize(), f"Size: {size_by}"}
    for text in leg.get_texts():
        if text.get_text() in headers:
            text.set_fontweight("bold")

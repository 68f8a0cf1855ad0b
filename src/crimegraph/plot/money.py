"""The money trail: payments flowing left to right from the payers to the beneficiaries."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..errors import InvalidArgument
from ..model.redact import RedactionProfile
from ._redact import redacted
from .fonts import cjk_context, drawable
from .layout import LayeredLayout, layered_layout
from .style import (
    INK,
    MIN_FONT,
    MISSING_COLOR,
    MUTED,
    PAYMENT_COLOR,
    SURPLUS_COLOR,
    add_note,
    axes_for,
    check_labels,
    darker,
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

    from ..analysis.money import MoneyTrail

__all__ = ["MoneyDrawing", "money_layout", "plot_money"]

START_COLOR = "#4e79a7"
"""Fill of the trail's start accounts."""
PASS_COLOR = "#eef2f7"
"""Fill of accounts that passed the money on."""

_MORE = "+more:"


@dataclass
class MoneyDrawing:
    """What :func:`plot_money` draws, before any drawing: accounts, payments, positions.

    Attributes
    ----------
    columns : dict
        Node id -> column (0 = leftmost: where the money comes from).
    layout : LayeredLayout
        Order and positions of the nodes inside each column.
    names : dict
        Node id -> name (a folded box: "+k more").
    flows : dict
        ``(source, target, currency)`` -> money paid along the trail.
    retained : dict
        Node id -> money received minus paid on along the trail, per currency.
    start : list of str
        The trail's start ids.
    folded : dict
        Folded box id -> the ids it stands for.
    """

    columns: dict[str, int]
    layout: LayeredLayout[str]
    names: dict[str, str]
    flows: dict[tuple[str, str, str], float]
    retained: dict[str, dict[str, float]]
    start: list[str]
    folded: dict[str, list[str]] = field(default_factory=dict)


def money_layout(trail: MoneyTrail, *, max_per_column: int = 12) -> MoneyDrawing:
    """Where :func:`plot_money` puts every account of the trail (no drawing).

    Payers are on the left and beneficiaries on the right: downstream trails run from the
    start by tier, upstream ones towards the start. A column with more than
    ``max_per_column`` accounts keeps the busiest (money in plus out) and folds the rest into
    one "+k more" box that carries their payments.
    """
    frame = trail.to_dataframe()
    tiers = trail.tiers
    deepest = max(tiers.values(), default=0)
    upstream = trail.direction == "upstream"
    columns = {n: (deepest - t if upstream else t) for n, t in tiers.items()}
    names = {n: trail._name(n) for n in tiers}
    busy: dict[str, float] = defaultdict(float)
    raw: dict[tuple[str, str, str], float] = defaultdict(float)
    for row in frame.itertuples(index=False):
        raw[(row.source, row.target, row.currency)] += row.amount
        busy[row.source] += row.amount
        busy[row.target] += row.amount
    # Fold crowded columns into one box each.
    into: dict[str, str] = {}
    folded: dict[str, list[str]] = {}
    by_column: dict[int, list[str]] = defaultdict(list)
    for node, column in columns.items():
        by_column[column].append(node)
    for column, nodes in by_column.items():
        if len(nodes) <= max_per_column:
            continue
        ranked = sorted(nodes, key=lambda n: (n not in trail.start, -busy[n], n))
        rest = ranked[max_per_column - 1:]
        box = f"{_MORE}{column}"
        folded[box] = sorted(rest)
        names[box] = f"+{len(rest)} more"
        columns[box] = column
        for node in rest:
            into[node] = box
    for node in into:
        del columns[node]
    flows: dict[tuple[str, str, str], float] = defaultdict(float)
    retained: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (u, v, code), amount in raw.items():
        a, b = into.get(u, u), into.get(v, v)
        retained[a][code] -= amount
        retained[b][code] += amount
        if a != b:
            flows[(a, b, code)] += amount
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for (u, v, _), amount in flows.items():
        weights[(u, v)] += amount
    ordered = dict(sorted(columns.items(), key=lambda item: (item[1], -busy.get(item[0], 0.0),
                                                            item[0])))
    layout = layered_layout(ordered, list(weights), weights=dict(weights), gap=0.6)
    return MoneyDrawing(columns, layout, {n: names[n] for n in columns}, dict(flows),
                        {n: dict(v) for n, v in retained.items()}, list(trail.start), folded)


def plot_money(
    trail: MoneyTrail,
    *,
    ax: Axes | None = None,
    labels: Literal["name", "id", "both"] = "name",
    max_per_column: int = 12,
    fontsize: float | None = None,
    title: str | None = None,
    legend: bool = True,
    redact: str | RedactionProfile | None = None,
) -> Axes:
    """Draw a money trail left to right, from the payers to the beneficiaries.

    Columns are the trail's tiers (downstream: the start on the left; upstream: the start on
    the right, with the accounts that fed it before). Lines are the money paid between two
    accounts, as wide as the amount (per currency) and labelled with it when there is room.
    Accounts that kept money (received more than they paid on: beneficiaries and cash-out
    points) are filled orange and say how much they kept; the start is blue. Names render in
    Chinese when a CJK font is installed (see :func:`crimegraph.use_cjk_font`).

    Parameters
    ----------
    trail : MoneyTrail
        The result of :func:`crimegraph.trace_money`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the trail when omitted.
    labels : {"name", "id", "both"}
        What an account's label says.
    max_per_column : int
        Most boxes in a column; the rest fold into one "+k more" box.
    fontsize : float, optional
        Size of the names in points (chosen from the trail's size when omitted).
    title : str, optional
        Title above the trail; ``""`` for none.
    legend : bool
        Explain the colours and line widths below the title.

    redact : {"internal", "prosecution", "public"} or RedactionProfile, optional
        Who the figure is for (see :func:`crimegraph.redact`): the trail is traced again,
        with the same parameters, on the redacted case.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     organizations=[cg.Organization(id="SHOP", name="宏达汽配"),
    ...                    cg.Organization(id="DIST", name="鑫源商贸")],
    ...     persons=[cg.Person(id="BOSS", name="周老板")],
    ...     transactions=[
    ...         cg.Transaction(id="M1", kind="payment", source="SHOP", target="DIST",
    ...                        timestamp="2024-03-01", amount=5000),
    ...         cg.Transaction(id="M2", kind="payment", source="DIST", target="BOSS",
    ...                        timestamp="2024-03-02", amount=4000)])
    >>> ax = cg.plot_money(cg.trace_money(case, "SHOP"))
    >>> sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("name:"))
    ['周老板', '宏达汽配', '鑫源商贸']
    """
    trail = redacted(trail, redact, function="plot_money")
    text_mode = check_labels(labels)
    if isinstance(max_per_column, bool) or int(max_per_column) < 2:
        raise InvalidArgument(f"max_per_column={max_per_column!r} must be a count >= 2")
    d = money_layout(trail, max_per_column=int(max_per_column))
    texts = [*d.names.values(), title or ""]
    n_cols = max(d.columns.values(), default=0) + 1
    tallest = max((len(col) for col in d.layout.order), default=1)
    with cjk_context(texts):
        shown = {n: drawable(name if n in d.folded else label_text(name, n, text_mode), n)
                 for n, name in d.names.items()}
        longest = max((text_width_em(text) for text in shown.values()), default=4.0)
        # A column fits its longest name (up to 3 inches) and a line as long again.
        col_w, row_h = min(max(2.3, 2 * longest * 9.0 / 72 + 0.8), 6.0), 0.75
        width = max(6.0, n_cols * col_w + 0.6)
        height = max(3.6, tallest * row_h + 1.8)
        own_figure = ax is None
        ax, scale = axes_for(ax, (width, height))
        font = max(float(fontsize) if fontsize else 9.0 * scale, MIN_FONT)
        span = max((max(d.layout.position.values(), default=0.0) + 0.5), 1.0)

        def xy(node: str) -> tuple[float, float]:
            return float(d.columns[node]), -d.layout.position[node] / span

        top: dict[str, float] = defaultdict(float)
        for (_, _, code), amount in d.flows.items():
            top[code] = max(top[code], amount)
        box_w = 0.5  # of a column, at most
        fitted = {node: fit_font(shown[node], box_w * col_w * scale, font, smallest=MIN_FONT)
                  for node in d.columns}
        # Half a box's width and height in points: lines end where they leave the box.
        half = {node: (text_width_em(text) * size / 2 + 0.35 * size + 2, 0.85 * size + 2)
                for node, (text, size) in fitted.items()}
        ax.set_xlim(-0.6, n_cols - 0.4)
        ax.set_ylim(-1.12, 0.12)
        points = ax.figure.dpi / 72.0

        def to_edge(node: str, dx: float, dy: float) -> float:
            """How far (points) a line from the box's centre runs inside the box."""
            w, h = half[node]
            return min(w / abs(dx) if dx else math.inf, h / abs(dy) if dy else math.inf)

        for (u, v, code), amount in sorted(d.flows.items(), key=lambda item: -item[1]):
            (x0, y0), (x1, y1) = xy(u), xy(v)
            share = amount / top[code] if top[code] else 0.0
            lw = (0.8 + 9.0 * share) * max(scale, 0.4)
            (px0, py0), (px1, py1) = ax.transData.transform([(x0, y0), (x1, y1)]) / points
            ex, ey = px1 - px0, py1 - py0
            # Payments inside one column bow out to the left instead of running through the
            # boxes between their ends; the line leaves each box along its tangent there.
            rad = 0.0 if x0 != x1 else (-0.3 if ey > 0 else 0.3)
            ox, oy = ex / 2 + rad * ey, ey / 2 - rad * ex  # arc3's control point, from u
            a_len, b_len = math.hypot(ox, oy) or 1.0, math.hypot(ex - ox, ey - oy) or 1.0
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=1,
                        arrowprops={"arrowstyle": "-|>", "color": PAYMENT_COLOR,
                                    "alpha": 0.55, "lw": lw,
                                    "connectionstyle": f"arc3,rad={rad}",
                                    "shrinkA": to_edge(u, ox / a_len, oy / a_len),
                                    "shrinkB": to_edge(v, (ex - ox) / b_len,
                                                       (ey - oy) / b_len) + 2,
                                    "mutation_scale": 8 + 6 * share},
                        gid=f"payment:{u}->{v}:{code}")
            if share >= 0.15 or len(d.flows) <= 12:
                ax.text((x0 + x1) / 2, (y0 + y1) / 2, f"{format_number(amount)} {code}",
                        ha="center", va="center", fontsize=max(font * 0.8, MIN_FONT),
                        color=darker(PAYMENT_COLOR, 0.6), zorder=3, gid="amount",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.85})
        starts = set(d.start)
        for node in d.columns:
            x, y = xy(node)
            kept = {c: a for c, a in d.retained.get(node, {}).items() if a > 1e-9}
            if node in starts:
                fill = START_COLOR
            elif kept:
                fill = SURPLUS_COLOR
            elif node in d.folded:
                fill = MISSING_COLOR
            else:
                fill = PASS_COLOR
            name, size = fitted[node]
            ax.text(x, y, escape_text(name), ha="center", va="center", fontsize=size,
                    color=text_color_on(fill), zorder=4, gid=f"name:{node}",
                    bbox={"boxstyle": "round,pad=0.35", "fc": fill, "ec": darker(fill, 0.7),
                          "lw": 0.8})
            if kept and node not in starts:
                words = ", ".join(f"{format_number(a)} {c}" for c, a in sorted(kept.items()))
                ax.annotate(escape_text(f"kept {words}"), (x, y), xytext=(0, -size * 1.3),
                            textcoords="offset points", ha="center", va="top",
                            fontsize=max(font * 0.8, MIN_FONT),
                            color=darker(SURPLUS_COLOR, 0.7), zorder=4, gid=f"kept:{node}",
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                                  "alpha": 0.85})
        ax.axis("off")
        if title != "":
            title_font = max(font * 1.25, 10.0 * scale)
            text = escape_text(drawable(title)) if title else _headline(trail, shown)
            ax.set_title(wrap_title(text, title_room_em(ax, title_font, own_figure=own_figure)),
                         loc="left", fontsize=title_font, color=INK)
        if legend:
            ax.text(1.0, 0.0, "blue: start · orange: kept money (beneficiary or cash-out) · "
                    "line width: amount paid", transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=max(font * 0.8, MIN_FONT), color=MUTED, gid="legend")
        if d.folded:
            hidden = sum(len(v) for v in d.folded.values())
            add_note(ax, f"{hidden} accounts folded into '+k more' boxes "
                     "(max_per_column= for more)", fontsize=max(font * 0.85, MIN_FONT))
    return ax


def _headline(trail: MoneyTrail, shown: dict[str, str]) -> str:
    who = ", ".join(shown.get(s, s) for s in trail.start[:3])
    if len(trail.start) > 3:
        who += f" and {len(trail.start) - 3} more"
    way = "Money paid on from" if trail.direction == "downstream" else "Money paid into"
    totals = ", ".join(f"{format_number(a)} {c}" for c, a in trail.totals.items())
    payments = f"{trail.payment_count} payment{'' if trail.payment_count == 1 else 's'}"
    accounts = f"{len(trail.tiers)} account{'' if len(trail.tiers) == 1 else 's'}"
    return (f"{way} {who}: {payments}, {accounts}"
            + (f", {totals} at the start" if totals else ""))

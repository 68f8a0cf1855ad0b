"""The org chart: who answers to whom, drawn top-down from the boss."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InvalidArgument
from ..model.redact import RedactionProfile, redaction_profile
from ._redact import redacted
from .fonts import cjk_context, drawable
from .layout import OrgChartLayout, org_chart_layout
from .style import (
    EDGE_COLOR,
    INK,
    MAX_FIGSIZE,
    MIN_FONT,
    MISSING_COLOR,
    MUTED,
    STATUS_COLORS,
    STATUS_ORDER,
    add_note,
    axes_for,
    category_colors,
    check_labels,
    escape_text,
    fit_font,
    format_number,
    label_text,
    status_color,
    text_color_on,
    text_width_em,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..model import Case
    from ..store.graph import CaseGraph

__all__ = ["hierarchy_layout", "plot_org_chart"]

_REQUIRED = ("id", "name", "level", "superior")


def plot_org_chart(
    graph: CaseGraph | Case | None,
    *,
    hierarchy: pd.DataFrame | None = None,
    ax: Axes | None = None,
    color_by: str = "status",
    labels: Literal["name", "id", "both"] = "name",
    stack_over: int | None = None,
    fontsize: float | None = None,
    title: str | None = None,
    legend: bool = True,
    redact: str | RedactionProfile | None = None,
) -> Axes:
    """Draw the ring's hierarchy as an org chart: the boss on top, subordinates below.

    Each person is a box with name and role, filled by status (wanted, suspect, arrested...);
    lines run from each superior to their direct subordinates. A superior with many
    subordinates who lead nobody gets them as an indented list, so 30 people fit a page.
    The order inside each level is chosen to avoid crossing lines (a layered layout, see
    :func:`crimegraph.plot.layout.org_chart_layout`).

    The figure is at most 16 × 10 inches (:data:`crimegraph.plot.style.MAX_FIGSIZE`) with
    no text under 6 points. A ring too large for that folds its teams: each superior keeps
    a few subordinates who lead nobody (wanted and suspects first) and the others become one
    "+k members" box, with their statuses counted; with very many teams, the smaller ones
    become one "+k more teams" box. A note in the corner says what was folded.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case; may be None when ``hierarchy`` is given.
    hierarchy : pandas.DataFrame, optional
        The result of :func:`crimegraph.infer_hierarchy` (columns ``id``, ``name``, ``level``,
        ``superior``, and optionally ``role`` and ``status``); computed from ``graph`` when
        omitted.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the chart when omitted.
    color_by : str
        ``"status"`` (fixed status colours) or another column of ``hierarchy`` (``"role"``).
    labels : {"name", "id", "both"}
        What a box's first line says: the name, the id (as in the hierarchy table) or both.
        A name the fonts cannot draw is replaced by the id.
    stack_over : int, optional
        List the subordinates of a superior in a column when there are more than this many
        (and they have no subordinates themselves). By default 4, or fewer when the chart
        would otherwise be more than 14 inches wide.
    fontsize : float, optional
        Size of the names in points (chosen from the chart size when omitted).
    title : str, optional
        Title above the chart; ``""`` for none.
    legend : bool
        Show the colour legend below the chart.

    redact : {"internal", "prosecution", "public"} or RedactionProfile, optional
        Who the figure is for (see :func:`crimegraph.redact`): drawn from the redacted case
        (not with ``hierarchy=``, made before redaction).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``hierarchy`` lacks a required column, or ``color_by`` is not one of its columns.

    Examples
    --------
    >>> import pandas as pd
    >>> import crimegraph.plot as cgp
    >>> people = pd.DataFrame({
    ...     "id": ["P1", "P2", "P3"], "name": ["周建国", "李强", "王芳"], "level": [0, 1, 1],
    ...     "superior": [None, "P1", "P1"], "role": ["leader", "driver", "bookkeeper"],
    ...     "status": ["wanted", "arrested", "suspect"]})
    >>> ax = cgp.plot_org_chart(None, hierarchy=people)
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() and t.get_gid().startswith("name:"))
    ['周建国', '李强', '王芳']
    """
    if hierarchy is not None and not redaction_profile(redact).is_identity:
        raise InvalidArgument(
            "plot_org_chart: a hierarchy= made before redaction may show withheld people; "
            "give the case graph alone with redact=, or infer the hierarchy from "
            "cg.redact(graph, ...)")
    graph = redacted(graph, redact, function="plot_org_chart")
    frame = _hierarchy_frame(graph, hierarchy)
    if color_by not in frame.columns and color_by != "status":  # no status: all unknown
        raise InvalidArgument(
            f"color_by={color_by!r} is not a column of the hierarchy; use one of "
            f"{', '.join(map(repr, frame.columns))}"
        )
    check_labels(labels)
    everyone = _people(frame)
    base = 9.0 if fontsize is None else float(fontsize)
    names = [p["name"] for p in everyone.values()]
    roles = [p["role"] for p in everyone.values() if p["role"]]
    with cjk_context([*names, *roles, title or ""]):
        people, layout, boxes, note = _fitted(everyone, labels, base, stack_over,
                                              legend=legend, title=title != "")
        real = {pid: p for pid, p in people.items() if not p.get("_folded")}
        colors, legend_items = _colors(real, color_by)
        colors.update({pid: _FOLDED_FILL for pid in people if pid not in real})
        size = _chart_size(layout, boxes, legend=legend, title=title != "", note=bool(note))
        ax, scale = axes_for(ax, size)
        font = base * scale
        _draw(ax, people, layout, colors, boxes.scaled(scale), 0.35 * scale if note else 0.0)
        if legend and legend_items:
            _legend(ax, [(drawable(label), c) for label, c in legend_items], color_by,
                    max(font, 8.0 * scale))
        if note:
            add_note(ax, note, fontsize=max(font * 0.9, 8.0 * scale))
        if title != "":
            placed = [p["level"] for p in everyone.values() if p["level"] is not None]
            levels = 1 + max(placed, default=-1)
            loose = len(everyone) - len(placed)
            ax.set_title(escape_text(drawable(title)) if title else
                         f"Hierarchy: {len(placed)} people in {levels} levels"
                         + (f", {loose} not placed" if loose else ""),
                         fontsize=font * 1.3, loc="left")
    return ax


_FOLDED_FILL = "#f2f2f2"
_KEEPS = (None, 8, 6, 4, 3, 2, 1, 0)  # subordinates kept per superior, most first


def _chart_size(layout: OrgChartLayout, boxes: _BoxText, *, legend: bool, title: bool,
                note: bool) -> tuple[float, float]:
    return (max(layout.width * boxes.width + 0.6, 4.0),
            layout.height * boxes.height + (0.6 if title else 0.2) + (0.5 if legend else 0)
            + (0.35 if note else 0))


def _fitted(everyone: dict[str, dict[str, Any]], labels: str, base: float,
            stack_over: int | None, *, legend: bool, title: bool
            ) -> tuple[dict[str, dict[str, Any]], OrgChartLayout, _BoxText, str]:
    """The people to draw (teams folded as far as needed to fit the largest figure), their
    layout, box size and the note saying what was folded ("" when nothing was)."""
    import pandas as pd

    def attempt(keep: int | None, teams: int | None
                ) -> tuple[dict[str, dict[str, Any]], OrgChartLayout, _BoxText, bool]:
        people = _fold(everyone, keep, teams) if keep is not None or teams is not None \
            else dict(everyone)
        for pid, p in people.items():
            p["label"] = p["name"] if p.get("_folded") else drawable(
                label_text(p["name"], pid, labels), pid)
        boxes = _box_text(people, base)
        layout = hierarchy_layout(pd.DataFrame(list(people.values())), stack_over=stack_over,
                                  box_size=(boxes.width, boxes.height))
        width, height = _chart_size(layout, boxes, legend=legend, title=title,
                                    note=keep is not None or teams is not None)
        return people, layout, boxes, width <= MAX_FIGSIZE[0] and height <= MAX_FIGSIZE[1]

    # Unfolded first; else the folding that shows the most people (more teams on ties).
    crowded = len(everyone) > 120  # more boxes than the largest figure holds: not tried
    if not crowded:
        result = attempt(None, None)
        if result[3]:
            return result[0], result[1], result[2], ""
    tops = sum(1 for p in everyone.values() if p["level"] == 0)
    team_counts: list[int | None] = [None]
    count = tops
    while count > 1 and len(team_counts) < 6:
        count = max(1, count * 2 // 3)
        team_counts.append(count)
    best: tuple[tuple[int, int], Any] | None = None
    fallback: Any = None
    for teams in team_counts:
        for keep in _KEEPS[1:]:
            result = attempt(keep, teams)
            fallback = result
            if result[3]:
                shown = sum(1 for p in result[0].values() if not p.get("_folded"))
                score = (shown, teams if teams is not None else tops)
                if best is None or score > best[0]:
                    best = (score, result)
                break
    chosen = best[1] if best is not None else fallback
    assert chosen is not None
    people, layout, boxes, _ = chosen
    shown = sum(1 for p in people.values() if not p.get("_folded"))
    note = "" if shown == len(everyone) else (
        f"{shown} of {len(everyone)} people shown; the others are folded into "
        "\"+k members\" boxes (wanted and suspects are kept first)")
    return people, layout, boxes, note


_URGENCY = {s: i for i, s in enumerate(STATUS_ORDER)}


def _fold(everyone: dict[str, dict[str, Any]], keep: int | None, teams: int | None
          ) -> dict[str, dict[str, Any]]:
    """People with large teams folded: each superior keeps ``keep`` subordinates who lead
    nobody; only the ``teams`` largest top-level teams stay (None: all)."""
    children: dict[str, list[str]] = {}
    for pid, p in everyone.items():
        if p["superior"] in everyone:
            children.setdefault(p["superior"], []).append(pid)

    def rank(pid: str) -> tuple[int, str]:
        return (_URGENCY.get(str(everyone[pid]["status"]), len(_URGENCY)), pid)

    def team(pid: str) -> list[str]:
        found, stack = [], [pid]
        while stack:
            node = stack.pop()
            if node in found:
                continue
            found.append(node)
            stack.extend(children.get(node, []))
        return found

    gone: set[str] = set()
    extra: dict[str, dict[str, Any]] = {}
    if teams is not None:
        tops = [pid for pid, p in everyone.items() if p["level"] == 0]
        tops.sort(key=lambda pid: (-len(team(pid)), rank(pid)))
        dropped = [m for top in tops[teams:] for m in team(top)]
        if dropped:
            gone.update(dropped)
            extra["+teams"] = _folded_box(
                "+teams", f"+{len(tops) - teams} more teams", 0, None,
                [everyone[m] for m in dropped])
    if keep is not None:
        for boss, subs in children.items():
            if boss in gone:
                continue
            leaves = sorted((c for c in subs if c not in children and c not in gone and
                             everyone[c]["level"] is not None), key=rank)
            if len(leaves) >= keep + 2:
                folded = leaves[keep:]
                gone.update(folded)
                level = everyone[folded[0]]["level"]
                extra[f"+members:{boss}"] = _folded_box(
                    f"+members:{boss}", f"+{len(folded)} members", level, boss,
                    [everyone[m] for m in folded])
        loose = sorted((pid for pid, p in everyone.items() if p["level"] is None), key=rank)
        most = max(2 * keep, 4)
        if len(loose) > most:
            folded = loose[most - 1:]
            gone.update(folded)
            extra["+unplaced"] = _folded_box("+unplaced", f"+{len(folded)} more", None, None,
                                             [everyone[m] for m in folded])
    people = {pid: dict(p) for pid, p in everyone.items() if pid not in gone}
    people.update(extra)
    return people


def _folded_box(pid: str, name: str, level: int | None, superior: str | None,
                members: list[dict[str, Any]]) -> dict[str, Any]:
    """A "+k members" box: its role line counts the statuses of the people in it."""
    counts: dict[str, int] = {}
    for m in members:
        key = str(m["status"]) if m["status"] is not None else "unknown"
        counts[key] = counts.get(key, 0) + 1
    order = sorted(counts, key=lambda s: (_URGENCY.get(s, len(_URGENCY)), s))
    role = ", ".join(f"{format_number(counts[s])} {s}" for s in order[:2])
    if len(order) > 2:
        role += ", \u2026"
    return {"id": pid, "name": name, "level": level, "superior": superior, "role": role,
            "status": None, "_folded": True}


_WIDEST = 14.0  # inches: wider charts stack subordinates sooner
_STACKINGS = ((4, 8), (4, 4), (3, 6), (2, 8), (2, 4), (1, 4))  # (stack_over, stack_rows)


def hierarchy_layout(hierarchy: pd.DataFrame, *, stack_over: int | None = None,
                     box_size: tuple[float, float] = (1.5, 0.45)) -> OrgChartLayout:
    """The box positions :func:`plot_org_chart` uses for a hierarchy table (no drawing).

    Parameters
    ----------
    hierarchy : pandas.DataFrame
        Columns ``id``, ``level``, ``superior`` (as from :func:`crimegraph.infer_hierarchy`).
    stack_over : int, optional
        See :func:`plot_org_chart`. When None, lists start above 4 subordinates; if the
        chart is then wider than 14 inches, the stacking that gives the smallest chart
        (its larger side, in inches) is used instead.
    box_size : (float, float)
        Width and height of a box in inches, to judge the chart's size.

    Returns
    -------
    OrgChartLayout
    """
    people = _people(hierarchy)
    levels = {pid: p["level"] for pid, p in people.items() if p["level"] is not None}
    superiors = {pid: p["superior"] for pid, p in people.items()}
    # People with no place in the hierarchy go in rows below it, as wide as its widest level.
    per_level: dict[int, int] = {}
    for level in levels.values():
        per_level[level] = per_level.get(level, 0) + 1
    row = max([4, *per_level.values()])
    below = max(levels.values(), default=-1) + 1
    unplaced = [pid for pid in people if pid not in levels]
    for i, pid in enumerate(unplaced):
        levels[pid] = below + i // row
    band = below if unplaced else None
    if stack_over is not None:
        return org_chart_layout(levels, superiors, stack_over=stack_over, below_all=band)
    box_w, box_h = box_size
    best: tuple[float, OrgChartLayout] | None = None
    for over, rows in _STACKINGS:
        layout = org_chart_layout(levels, superiors, stack_over=over, stack_rows=rows,
                                  below_all=band)
        width = layout.width * box_w
        if best is None and width <= _WIDEST:
            return layout
        extent = max(width, layout.height * box_h)
        if best is None or extent < best[0] - 1e-9:
            best = (extent, layout)
    assert best is not None
    return best[1]


def _hierarchy_frame(graph: Any, hierarchy: pd.DataFrame | None) -> pd.DataFrame:
    if hierarchy is None:
        if graph is None:
            raise InvalidArgument("give the case graph or a hierarchy table (hierarchy=...)")
        from ..analysis import infer_hierarchy

        hierarchy = infer_hierarchy(graph)
    missing = [c for c in _REQUIRED if c not in hierarchy.columns]
    if missing:
        raise InvalidArgument(
            f"the hierarchy table lacks column(s) {', '.join(map(repr, missing))}; expected "
            "the result of crimegraph.infer_hierarchy (id, name, level, superior, role, status)"
        )
    return hierarchy


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    return value


def _people(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows by id, sorted by level then id, with levels repaired from superiors if missing."""
    rows: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict("records"):
        pid = str(record["id"])
        superior = _clean(record.get("superior"))
        level = _clean(record.get("level"))
        rows[pid] = {
            "id": pid,
            "name": str(_clean(record.get("name")) or pid),
            "level": None if level is None else int(level),
            "superior": None if superior is None else str(superior),
            "role": _clean(record.get("role")),
            "status": _clean(record.get("status")),
            **{k: _clean(v) for k, v in record.items()
               if k not in ("id", "name", "level", "superior", "role", "status")},
        }
    leads = {p["superior"] for p in rows.values() if p["superior"] in rows}
    for pid in rows:
        # Without a level: one below the superior; the top if leading someone; else unplaced.
        seen: set[str] = set()
        p = rows[pid]
        while p["level"] is None and p["superior"] in rows and p["id"] not in seen:
            seen.add(p["id"])
            p = rows[p["superior"]]
        if rows[pid]["level"] is None and (seen or pid in leads):
            rows[pid]["level"] = (p["level"] or 0) + len(seen)
    # Folded "+k members" boxes come last in their level, so they end their team's list.
    return dict(sorted(rows.items(), key=lambda item: (item[1]["level"] is None,
                                                       item[1]["level"] or 0,
                                                       bool(item[1].get("_folded")), item[0])))


def _colors(people: Mapping[str, Mapping[str, Any]], color_by: str
            ) -> tuple[dict[str, str], list[tuple[str, str]]]:
    values = {pid: p.get(color_by) for pid, p in people.items()}
    if color_by == "status":
        colors = {pid: status_color(v) for pid, v in values.items()}
        present = {str(v) if v is not None else "unknown" for v in values.values()}
        known = [s for s in STATUS_ORDER if s in present]
        others = sorted(present - set(STATUS_ORDER))
        items = [(s, STATUS_COLORS[s]) for s in known] + [(s, status_color(s)) for s in others]
        return colors, items
    palette = category_colors(values.values())
    colors = {pid: palette.get(str(v), MISSING_COLOR) if v is not None else MISSING_COLOR
              for pid, v in values.items()}
    items = list(palette.items())
    if any(v is None for v in values.values()):
        items.append(("unknown", MISSING_COLOR))
    return colors, items


@dataclass(frozen=True)
class _BoxText:
    """Box size in inches and the text inside: name on top, role on one or two lines."""

    width: float
    height: float
    name_font: float
    role_font: float
    roles: dict[str, list[str]]
    unscaled_width: float = 0.0

    def scaled(self, scale: float) -> _BoxText:
        return _BoxText(self.width * scale, self.height * scale, self.name_font * scale,
                        self.role_font * scale, self.roles, self.unscaled_width or self.width)


def _box_text(people: Mapping[str, Mapping[str, Any]], font: float) -> _BoxText:
    """Boxes wide enough for the names and most roles; longer roles wrap onto two lines."""
    role_font = max(font * 0.82, min(font, MIN_FONT))
    name_w = max([text_width_em(p.get("label", p["name"]), bold=True) * font / 72
                  for p in people.values()] + [0.0])
    role_w = sorted(text_width_em(str(p["role"])) * role_font / 72
                    for p in people.values() if p["role"])
    typical = role_w[int(0.8 * (len(role_w) - 1))] if role_w else 0.0
    width = min(max(name_w, typical, 0.8) + 0.22, 1.8)
    usable = (width - 0.16) * 72 / role_font  # ems of role text per line
    roles = {pid: _wrap(drawable(p["role"]), usable) for pid, p in people.items() if p["role"]}
    lines = max((len(r) for r in roles.values()), default=0)
    height = (font * 1.3 + role_font * 1.2 * lines) / 72 + 0.14
    return _BoxText(width, height, font, role_font, roles)


def _wrap(text: str, width_em: float) -> list[str]:
    """The text on one line, or split into two lines as even as possible."""
    if text_width_em(text) <= width_em:
        return [text]
    words = text.split(" ")
    if len(words) > 1:
        cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    else:  # Chinese text has no spaces: cut between characters
        cuts = [(text[:i], text[i:]) for i in range(1, len(text))]
    first, second = min(cuts, key=lambda c: (max(text_width_em(c[0]), text_width_em(c[1])),
                                             c[0]))
    return [first, second]


def _draw(ax: Axes, people: Mapping[str, Mapping[str, Any]], layout: OrgChartLayout,
          colors: Mapping[str, str], text: _BoxText, room: float = 0.0) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch

    pad = 0.15
    box_w, box_h, font = text.width, text.height, text.name_font
    smallest = min(MIN_FONT * text.width / max(text.unscaled_width, 1e-9), MIN_FONT)
    ax.set_xlim(-pad, layout.width + pad)
    ax.set_ylim(layout.height + pad + room / text.height, -pad)  # room: inches for a note
    ax.set_axis_off()

    for (boss, sub), points in layout.connectors.items():
        xs, ys = zip(*points, strict=True)
        ax.add_line(Line2D(xs, ys, color=EDGE_COLOR, linewidth=1.2, zorder=1,
                           solid_joinstyle="miter", gid=f"link:{boss}->{sub}"))

    loose = [layout.boxes[pid][1] for pid, row in people.items() if row["level"] is None]
    leaders = {row["superior"] for row in people.values()}
    if loose:  # a band below the hierarchy for people it does not place
        band = min(loose) - 0.5
        ax.add_line(Line2D([-pad, layout.width + pad], [band - 0.6] * 2, color="#bbbbbb",
                           linewidth=0.8, linestyle=(0, (4, 3)), zorder=1, gid="unplaced"))
        ax.text(-pad + 0.02, band - 0.5, "Not placed: no command, money or goods ties to the "
                "others", ha="left", va="top", fontsize=max(font * 0.85, smallest), color=MUTED,
                fontstyle="italic", zorder=3)

    usable = box_w - 0.14  # inches available for text inside a box
    lines = max((len(r) for r in text.roles.values()), default=0)
    # Text lines from the top of the box, in box units (the box is 1 tall).
    inner = (text.name_font * 1.3 + text.role_font * 1.2 * lines) / 72
    top_pad = (box_h - inner) / 2
    name_y = (top_pad + text.name_font * 0.65 / 72) / box_h - 0.5
    role_y = (top_pad + (text.name_font * 1.3 + text.role_font * 0.6 * lines) / 72) / box_h - 0.5
    # Corners rounded by the same number of inches both ways, although units differ.
    radius = 0.05 / box_w
    for pid, (cx, cy) in layout.boxes.items():
        person = people[pid]
        fill = colors[pid]
        top = person["level"] == 0 and person["superior"] is None and pid in leaders
        folded = bool(person.get("_folded"))
        ax.add_patch(FancyBboxPatch(
            (cx - 0.5, cy - 0.5), 1.0, 1.0, boxstyle=f"round,pad=0,rounding_size={radius}",
            mutation_aspect=box_w / box_h, facecolor=fill,
            edgecolor=INK if top else (MUTED if folded else "#555555"),
            linewidth=2.0 if top else 0.8, linestyle="--" if folded else "-", zorder=2,
            gid=f"{'folded' if folded else 'person'}:{pid}",
        ))
        ink = text_color_on(fill)
        name, size = fit_font(person.get("label", person["name"]), usable, font, bold=True,
                              smallest=smallest)
        role = text.roles.get(pid, [])
        ax.text(cx, cy + (name_y if role else 0.0), escape_text(name), ha="center",
                va="center", fontsize=size, fontweight="bold", color=ink, zorder=3,
                gid=f"name:{pid}", fontstyle="italic" if folded else "normal")
        if role:
            widest = max(text_width_em(line) for line in role) * text.role_font
            fit = max(min(1.0, usable * 72 / max(widest, 1e-9)),
                      min(1.0, smallest / max(text.role_font, 1e-9)))
            cut = [fit_font(line, usable, text.role_font * fit, smallest=smallest)[0]
                   for line in role]
            ax.text(cx, cy + role_y, escape_text("\n".join(cut)), ha="center",
                    va="center", fontsize=text.role_font * fit, color=ink, zorder=3,
                    linespacing=1.1, gid=f"role:{pid}")


def _legend(ax: Axes, items: list[tuple[str, str]], color_by: str, font: float) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=color, edgecolor="#555555", label=escape_text(label))
               for label, color in items]
    ax.legend(handles=handles, title=color_by.replace("_", " "), loc="upper center",
              bbox_to_anchor=(0.5, 0.0), ncol=min(len(handles), 7), frameon=False,
              fontsize=font * 0.9, title_fontsize=font * 0.9)

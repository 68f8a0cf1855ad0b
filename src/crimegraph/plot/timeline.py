"""The timeline: shipments and payments over time, one lane per province or tier."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import InvalidArgument
from ..model.redact import RedactionProfile
from ._redact import redacted
from .fonts import apply_to_ticks, cjk_context, drawable
from .style import (
    MIN_FONT,
    MUTED,
    PAYMENT_COLOR,
    SHIPMENT_COLOR,
    axes_for,
    escape_text,
    format_number,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.chain import Chain
    from ..model import Case
    from ..store.graph import CaseGraph

__all__ = ["TimelineEvent", "plot_timeline", "timeline_events"]

_SMALLEST, _LARGEST = 12.0, 320.0  # marker areas, points squared
_MOST_LANES = 18  # more lanes fold the quietest into one "other" lane


@dataclass(frozen=True)
class TimelineEvent:
    """One shipment or payment on the timeline.

    Attributes
    ----------
    id : str
    kind : str
        "shipment" or "payment".
    time : datetime
        Local time of the case (naive).
    lane : str
        The lane it is drawn in (a province or a tier).
    size : float
        Quantity for shipments, amount for payments (0 when unknown).
    """

    id: str
    kind: str
    time: datetime
    lane: str
    size: float


def timeline_events(data: CaseGraph | Case | Chain, *, by: str | None = None
                    ) -> tuple[list[TimelineEvent], list[str]]:
    """The events :func:`plot_timeline` draws, and its lanes from top to bottom.

    Parameters
    ----------
    data : CaseGraph, Case or Chain
    by : {"province", "tier", "kind"}, optional
        Default "tier" for a chain, "province" for a case.

    Returns
    -------
    events : list of TimelineEvent
        In time order (ties by id).
    lanes : list of str
    """
    from ..analysis.chain import Chain
    from ..store.graph import as_case_graph

    if isinstance(data, Chain):
        by = by or "tier"
        if by not in ("tier", "province", "kind"):
            raise InvalidArgument(f"by={by!r} is not possible for a chain; use 'tier', 'province' "
                                  "or 'kind'")
        return _chain_events(data, by)
    by = by or "province"
    if by not in ("province", "kind"):
        hint = " (tiers exist for a traced chain: pass cg.trace_chain(...))" if by == "tier" \
            else ""
        raise InvalidArgument(f"by={by!r} is not possible for a case; use 'province' or "
                              f"'kind'{hint}")
    graph = as_case_graph(data)
    nodes = graph.store.node_table()
    province = {str(i): p for i, p in zip(nodes["id"], nodes["province"], strict=True)
                if _present(p)}
    tz = _zone(graph.store.timezone)
    events = []
    for tx in graph.store.transactions():
        lane = f"{tx.kind}s" if by == "kind" else str(province.get(tx.source, "unknown"))
        size = tx.quantity if tx.kind == "shipment" else tx.amount
        events.append(TimelineEvent(tx.id, tx.kind, _local(tx.timestamp, tz), lane,
                                    float(size or 0.0)))
    events.sort(key=lambda e: (e.time, e.id))
    return events, _lanes(events, by)


def _chain_events(chain: Chain, by: str) -> tuple[list[TimelineEvent], list[str]]:
    frame = chain.to_dataframe()
    province: dict[str, str] = {}
    if by == "province":
        nxg = chain.to_networkx()
        province = {str(n): str(p) for n, p in nxg.nodes(data="province") if _present(p)}
    events = []
    for row in frame.itertuples(index=False):
        if by == "tier":
            lane = f"tier {int(row.tier)}"
        elif by == "province":
            lane = province.get(str(row.source), "unknown")
        else:
            lane = "shipments"
        when = row.time.to_pydatetime() if hasattr(row.time, "to_pydatetime") else row.time
        events.append(TimelineEvent(str(row.id), "shipment", when.replace(tzinfo=None), lane,
                                    float(row.quantity or 0.0)))
    events.sort(key=lambda e: (e.time, e.id))
    return events, _lanes(events, by)


def _lanes(events: list[TimelineEvent], by: str) -> list[str]:
    names = {e.lane for e in events}
    if by == "tier":
        return sorted(names, key=lambda lane: int(lane.split()[-1]))
    if by == "kind":
        return [k for k in ("shipments", "payments") if k in names]
    # Busiest province on top; "unknown" last.
    counts: dict[str, int] = {}
    for e in events:
        counts[e.lane] = counts.get(e.lane, 0) + 1
    return sorted(names, key=lambda lane: (lane == "unknown", -counts[lane], lane))


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return str(value) not in ("", "nan", "<NA>")


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except Exception:  # an unknown zone name: keep times as recorded
        return None


def _local(when: datetime, tz: Any) -> datetime:
    # Matplotlib draws aware datetimes in UTC; analysts read the case's local dates.
    if when.tzinfo is not None and tz is not None:
        when = when.astimezone(tz)
    return when.replace(tzinfo=None)


def plot_timeline(
    data: CaseGraph | Case | Chain,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    fontsize: float | None = None,
    title: str | None = None,
    legend: bool = True,
    redact: str | RedactionProfile | None = None,
) -> Axes:
    """Draw shipments and payments over time, one lane per province (or per chain tier).

    Circles are shipments, sized by quantity; diamonds are payments, sized by amount. For a
    case, every shipment and payment is drawn in the lane of the sender's province; for a
    traced chain, its shipments in the lane of their tier (hop from the start).

    Parameters
    ----------
    data : CaseGraph, Case or Chain
    by : {"province", "tier", "kind"}, optional
        Lanes: the sender's province (default for a case), the tier (default for a chain,
        which has tiers), or one lane per kind.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    fontsize : float, optional
        Size of the lane names in points.
    title : str, optional
        Title; ``""`` for none.
    legend : bool
        Show the legend (kinds and marker sizes) right of the plot.

    redact : {"internal", "prosecution", "public"} or RedactionProfile, optional
        Who the figure is for (see :func:`crimegraph.redact`): drawn from the redacted case
        (a chain is traced again on it).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``by`` does not apply (``"tier"`` for a case).

    Examples
    --------
    >>> import crimegraph as cg
    >>> import crimegraph.plot as cgp
    >>> case = cg.Case(
    ...     organizations=[cg.Organization(id="DEN", name="窝点", province="河北"),
    ...                    cg.Organization(id="SHOP", name="汽配店", province="山东")],
    ...     products=[cg.Product(id="OIL", name="Fake oil")],
    ...     transactions=[
    ...         cg.Transaction(id="T1", kind="shipment", source="DEN", target="SHOP",
    ...                        timestamp="2024-03-01", product="OIL", quantity=100),
    ...         cg.Transaction(id="M1", kind="payment", source="SHOP", target="DEN",
    ...                        timestamp="2024-03-04", amount=4500)])
    >>> ax = cgp.plot_timeline(case)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['山东', '河北']
    """
    data = redacted(data, redact, function="plot_timeline")
    import matplotlib.dates as mdates
    import numpy as np

    events, lanes = timeline_events(data, by=by)
    note = ""
    if len(lanes) > _MOST_LANES:
        # Lanes come busiest first (provinces) or in tier order: the last ones fold.
        kept = lanes[:_MOST_LANES - 1]
        rest = set(lanes[_MOST_LANES - 1:])
        other = f"{len(rest)} others"
        events = [e if e.lane not in rest else TimelineEvent(e.id, e.kind, e.time, other,
                                                              e.size) for e in events]
        lanes = [*kept, other]
        note = f"the {len(rest)} quietest lanes are drawn together as \"{other}\""
    font = max(float(fontsize) if fontsize else 9.0, MIN_FONT)
    by_name = by or ("tier" if type(data).__name__ == "Chain" else "province")
    with cjk_context([*lanes, title or ""]):
        size = (11.0, max(2.6, 1.2 + 0.42 * max(len(lanes), 1)) + (0.3 if title != "" else 0))
        ax, scale = axes_for(ax, size)
        font *= scale
        row = {lane: i for i, lane in enumerate(lanes)}
        kinds = [k for k in ("shipment", "payment") if any(e.kind == k for e in events)]
        offset = {"shipment": 0.13, "payment": -0.13} if len(kinds) == 2 else {k: 0.0
                                                                                for k in kinds}
        largest = {k: max((e.size for e in events if e.kind == k), default=0.0) for k in kinds}
        for kind in kinds:
            chosen = [e for e in events if e.kind == kind]
            x = mdates.date2num([e.time for e in chosen])  # type: ignore[no-untyped-call]
            y = np.array([row[e.lane] + offset[kind] for e in chosen], dtype=float)
            areas = [_area(e.size, largest[kind]) * scale for e in chosen]
            ax.scatter(x, y, s=areas, marker="o" if kind == "shipment" else "D",
                       c=SHIPMENT_COLOR if kind == "shipment" else PAYMENT_COLOR, alpha=0.55,
                       edgecolors="white", linewidths=0.5, zorder=3, gid=f"{kind}s")

        ax.set_yticks(range(len(lanes)), [escape_text(drawable(lane)) for lane in lanes])
        ax.set_ylim(max(len(lanes), 1) - 0.5, -0.5)
        ax.tick_params(axis="both", labelsize=font)
        for i in range(len(lanes)):
            ax.axhline(i, color="#e6e6e6", linewidth=0.8, zorder=1)
        for spine in ("top", "right", "left"):
            ax.spines[spine].set_visible(False)
        ax.tick_params(axis="y", length=0)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(formatter)
        ax.grid(axis="x", color="#f0f0f0", zorder=0)
        ax.set_axisbelow(True)
        if events:
            ends = [events[0].time, events[-1].time]
            first, last = mdates.date2num(ends)  # type: ignore[no-untyped-call]
            margin = max((last - first) * 0.02, 0.5)
            ax.set_xlim(first - margin, last + margin)
        apply_to_ticks(ax)
        if legend and kinds:
            _legend(ax, kinds, largest, font, scale)
        if note:
            ax.text(1.01, 0.0, escape_text(note), transform=ax.transAxes, ha="left",
                    va="bottom", fontsize=max(font * 0.85, MIN_FONT * scale), color=MUTED,
                    fontstyle="italic", gid="note", wrap=True)
        if title != "":
            lanes_by = {"tier": "tier", "province": "sender's province",
                        "kind": "kind"}.get(by_name, by_name)
            what = " and ".join(f"{k}s" for k in kinds) or "no transactions"
            ax.set_title(escape_text(drawable(title)) if title else
                         f"{what.capitalize()} over time, by {lanes_by}",
                         loc="left", fontsize=max(font * 1.2, 10 * scale))
    return ax


def _area(value: float, largest: float) -> float:
    if largest <= 0:
        return (_SMALLEST + _LARGEST) / 4
    return _SMALLEST + (_LARGEST - _SMALLEST) * max(value, 0.0) / largest


def _legend(ax: Axes, kinds: list[str], largest: dict[str, float], font: float,
            scale: float) -> None:
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    labels: list[str] = []
    blank = Line2D([], [], linestyle="none")
    for kind in kinds:
        handles.append(blank)
        labels.append("Shipments (quantity)" if kind == "shipment" else "Payments (amount)")
        top = largest[kind]
        for share in (1.0, 0.5, 0.1):
            value = _round(top * share)
            if value <= 0:
                continue
            area = _area(value, top) * scale
            handles.append(Line2D([], [], linestyle="none",
                                  marker="o" if kind == "shipment" else "D",
                                  markersize=math.sqrt(area), alpha=0.55,
                                  markerfacecolor=SHIPMENT_COLOR if kind == "shipment"
                                  else PAYMENT_COLOR, markeredgecolor="white"))
            labels.append(format_number(value))
    leg = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    frameon=False, fontsize=max(font * 0.9, 8.0 * scale), labelspacing=1.0,
                    borderaxespad=0.2)
    for text in leg.get_texts():
        if text.get_text().startswith(("Shipments", "Payments")):
            text.set_fontweight("bold")
            text.set_color(MUTED)


def _round(value: float) -> float:
    """A round number near ``value`` (one or two significant digits)."""
    if value <= 0:
        return 0.0
    exponent = math.floor(math.log10(value))
    unit = 10.0 ** exponent
    lead = value / unit
    return (round(lead * 2) / 2 if lead < 3 else float(round(lead))) * unit

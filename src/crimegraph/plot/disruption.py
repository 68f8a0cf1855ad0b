"""Disruption curves: how fast each targeting strategy breaks the network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InvalidArgument
from ..model.redact import RedactionProfile
from ._redact import redacted_ids
from .fonts import apply_to_ticks, cjk_context, drawable
from .style import (
    CATEGORY_COLORS,
    INK,
    MIN_FONT,
    axes_for,
    check_labels,
    ellipsize,
    escape_text,
    label_text,
    text_width_em,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_disruption"]


def plot_disruption(
    results: Any,
    *,
    graph: Any = None,
    labels: Literal["name", "id", "both"] = "name",
    max_names: int = 8,
    ax: Axes | None = None,
    fontsize: float | None = None,
    title: str | None = None,
    legend: bool = True,
    redact: str | RedactionProfile | None = None,
) -> Axes:
    """Compare targeting strategies: what is left of the network as people are removed.

    Each strategy gets one colour; its solid line is the share of the largest connected
    group left, its dashed line the share of the goods that can still reach the market
    (when the case has shipments). The faster a curve drops, the better the strategy. The
    legend names, under each strategy, the first people (and places) it removes, in order.

    Parameters
    ----------
    results : Disruption, list of Disruption, or mapping of label -> Disruption
        Results of :func:`crimegraph.simulate_disruption` (anything with ``strategy``,
        ``mode`` and a ``curve`` table with columns ``removed``, ``lcc_fraction`` and
        optionally ``flow_fraction``). Labels default to "strategy (mode, network)".
    graph : CaseGraph or Case, optional
        The case, for the names of the people removed (ids without it).
    labels : {"name", "id", "both"}
        How the people removed are named: name, id (as in ``Disruption.removed``) or both.
    max_names : int
        Most people named per strategy; the legend says how many more were removed.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    fontsize : float, optional
        Size of the axis labels in points.
    title : str, optional
        Title; ``""`` for none.
    legend : bool
        Show the legend right of the plot.

    redact : {"internal", "prosecution", "public"} or RedactionProfile, optional
        Who the figure is for (see :func:`crimegraph.redact`): names come from the redacted
        ``graph``; withheld people are shown as "[withheld]".

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If no result is given, or a result's curve lacks ``removed`` or ``lcc_fraction``.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> import crimegraph.plot as cgp
    >>> run = SimpleNamespace(strategy="betweenness", mode="sequential", curve=pd.DataFrame(
    ...     {"removed": [0, 1, 2], "lcc_fraction": [1.0, 0.5, 0.2]}))
    >>> ax = cgp.plot_disruption(run)
    >>> [line.get_label() for line in ax.lines]
    ['betweenness (sequential)']
    """
    graph, kept_ids = redacted_ids(graph, redact)
    if kept_ids:
        results = _renamed(results, kept_ids)
    runs = _labelled(results)
    check_labels(labels)
    font = float(fontsize) if fontsize else 9.5
    names = _names(graph, runs)
    with cjk_context([label for label, _ in runs] + list(names.values()) + [title or ""]):
        ax, scale = axes_for(ax, (9.0 if legend else 7.0, 4.8))
        font *= scale
        has_flow = False
        most = 0
        for i, (label, run) in enumerate(runs):
            curve = run.curve
            color = CATEGORY_COLORS[i % len(CATEGORY_COLORS)]
            x = curve["removed"].to_numpy(dtype=float)
            most = max(most, int(x.max()) if len(x) else 0)
            marker = "o" if len(x) <= 40 else None
            # Earlier runs wider, so a run hidden under a later one still shows at its edges.
            width = max(1.3, 2.8 - 0.7 * i) if len(runs) > 1 else 2.0
            ax.plot(x, curve["lcc_fraction"].to_numpy(dtype=float), color=color,
                    linewidth=width, marker=marker, markersize=width + 1.5,
                    label=escape_text(drawable(label)), gid=f"lcc:{i}", zorder=3 + i)
            if "flow_fraction" in curve.columns and curve["flow_fraction"].notna().any():
                has_flow = True
                ax.plot(x, curve["flow_fraction"].to_numpy(dtype=float), color=color,
                        linewidth=width * 0.9, linestyle="--", label="_nolegend_",
                        gid=f"flow:{i}", zorder=3 + i)
        from matplotlib.ticker import MaxNLocator, PercentFormatter

        ax.set_ylim(-0.02, 1.04)
        ax.set_xlim(0, max(most, 1))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("people and places removed", fontsize=font)
        ax.set_ylabel("share left", fontsize=font)
        ax.tick_params(labelsize=font * 0.9)
        ax.grid(color="#eeeeee")
        ax.set_axisbelow(True)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        apply_to_ticks(ax)
        if legend:
            removed = [_removed_text(run, names, labels, max_names) for _, run in runs]
            _legend(ax, has_flow, max(font, MIN_FONT / 0.9 * scale), removed)
        if title != "":
            ax.set_title(escape_text(drawable(title)) if title else
                         "Disruption: what is left as key players are removed",
                         loc="left", fontsize=font * 1.15)
    return ax


def _labelled(results: Any) -> list[tuple[str, Any]]:
    if isinstance(results, Mapping):
        runs = [(str(k), v) for k, v in results.items()]
    elif isinstance(results, Sequence) and not isinstance(results, str):
        runs = [(_label(r), r) for r in results]
    else:
        runs = [(_label(results), results)]
    if not runs:
        raise InvalidArgument("no disruption result to plot; pass cg.simulate_disruption(...)")
    for label, run in runs:
        curve = getattr(run, "curve", None)
        columns = set(getattr(curve, "columns", ()))
        missing = [c for c in ("removed", "lcc_fraction") if c not in columns]
        if missing:
            raise InvalidArgument(
                f"result {label!r} has no curve with column(s) {', '.join(missing)}; pass "
                "results of cg.simulate_disruption"
            )
    return runs


def _label(run: Any) -> str:
    strategy = getattr(run, "strategy", None) or "strategy"
    details = [str(getattr(run, "mode", None) or "")]
    network = getattr(run, "network", None)
    if isinstance(network, str) and network:
        details.append(f"{network} network")
    details = [d for d in details if d]
    return f"{strategy} ({', '.join(details)})" if details else str(strategy)


def _renamed(results: Any, ids: dict[str, str]) -> Any:
    """The results with removed ids as the redacted case has them ("[withheld]" if gone)."""
    import copy

    def one(run: Any) -> Any:
        if not hasattr(run, "removed"):
            return run
        clone = copy.copy(run)
        clone.removed = [ids.get(str(i), "[withheld]") for i in run.removed]
        return clone

    if isinstance(results, dict):
        return {label: one(run) for label, run in results.items()}
    if isinstance(results, (list, tuple)):
        return [one(run) for run in results]
    return one(results)


def _names(graph: Any, runs: list[tuple[str, Any]]) -> dict[str, str]:
    """Names of the people and places removed, by id (empty without the case)."""
    if graph is None:
        return {}
    from ..store.graph import as_case_graph

    ids = list(dict.fromkeys(str(i) for _, run in runs for i in getattr(run, "removed", [])))
    found = as_case_graph(graph).store.get_many(ids)
    return {i: str(getattr(e, "name", None) or i) for i, e in found.items()}


def _removed_text(run: Any, names: dict[str, str], labels: str, most: int) -> list[str]:
    """Legend lines naming the first people removed: "removed: 1 周建国, 2 李强, ..."."""
    removed = [str(i) for i in getattr(run, "removed", [])]
    if not removed:
        # Say so: the run's curve is a single point that is easy to miss.
        return ["removed: nobody"] if hasattr(run, "removed") else []
    # A very long name is cut, so that the legend leaves room for the curves.
    shown = [drawable(label_text(ellipsize(names.get(i, i), 16.0), i, labels), i)
             for i in removed[:most]]
    words = [f"{k} {name}" for k, name in enumerate(shown, start=1)]
    rest = len(removed) - len(shown)
    if rest:
        words.append(f"+{rest} more")
    lines: list[str] = []
    line = "removed:"
    for word in words:
        if text_width_em(f"{line} {word},") > 30 and line != "removed:":
            lines.append(line + ",")
            line = "   " + word
        else:
            line = f"{line} {word}" if line == "removed:" else f"{line}, {word}"
    lines.append(line)
    return [escape_text(text) for text in lines]


def _legend(ax: Axes, has_flow: bool, font: float, removed: list[list[str]]) -> None:
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    blank = Line2D([], [], linestyle="none")
    rows_h: list[Any] = []
    rows_l: list[str] = []
    for i, (handle, label) in enumerate(zip(handles, labels, strict=True)):
        rows_h.append(handle)
        rows_l.append(label)
        for line in removed[i] if i < len(removed) else []:
            rows_h.append(blank)
            rows_l.append(line)
    rows_h.append(blank)
    rows_l.append("")
    rows_h.append(Line2D([], [], color=INK, linewidth=2.0))
    rows_l.append("largest connected group")
    if has_flow:
        rows_h.append(Line2D([], [], color=INK, linewidth=1.8, linestyle="--"))
        rows_l.append("goods still reaching the market")
    leg = ax.legend(rows_h, rows_l, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    frameon=False, fontsize=max(font * 0.9, 8.0))
    for text in leg.get_texts():
        if text.get_text().startswith(("removed:", "   ")):
            text.set_fontsize(max(font * 0.8, MIN_FONT))
            text.set_color("#555555")

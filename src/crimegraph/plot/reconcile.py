"""The reconcile figure: goods against money per trading pair, the largest gaps on top."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidArgument
from ..model.redact import RedactionProfile
from ._redact import reconcile_again
from .fonts import apply_to_ticks, cjk_context, drawable
from .style import (
    MUTED,
    PAYMENT_COLOR,
    SHIPMENT_COLOR,
    SURPLUS_COLOR,
    axes_for,
    ellipsize,
    escape_text,
    format_number,
    text_width_em,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.reconcile import Reconciliation

__all__ = ["plot_reconcile", "reconcile_bars"]

#: Widest seller or buyer name on a bar's label, in ems (16 Chinese characters).
NAME_EM = 16.0


def reconcile_bars(result: Reconciliation, *, by: str = "persons", top: int = 15,
                   within_ring: bool = False) -> list[dict[str, Any]]:
    """The rows :func:`plot_reconcile` draws, top bar first.

    Pairs with goods, largest gap first (then most money without goods); trade within the
    ring is left out unless ``within_ring``. Each row has ``label``, ``goods_value``,
    ``paid``, ``gap`` and ``money_without_goods``. A seller's or buyer's name longer than
    :data:`NAME_EM` ems is cut with "…" so that the bars keep their room.
    """
    if by not in ("persons", "pairs"):
        raise InvalidArgument(f"by={by!r} must be 'persons' or 'pairs'")
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise InvalidArgument(f"top={top!r} must be a positive whole number")
    frame = result.persons if by == "persons" else result.pairs
    # .loc with a boolean mask: plain [] on an empty frame's object-typed mask would be read
    # as a list of column names and drop every column.
    if not within_ring:
        frame = frame.loc[~frame["within_ring"].astype(bool)]
    frame = frame.loc[(frame["goods_value"] > 0) | (frame["money_without_goods"] > 0)]
    frame = frame.sort_values(["gap", "money_without_goods", "seller", "buyer"],
                              ascending=[False, False, True, True], kind="stable").head(top)
    rows = []
    for row in frame.itertuples(index=False):
        seller = ellipsize(drawable(row.seller_name, row.seller), NAME_EM)
        buyer = ellipsize(drawable(row.buyer_name, row.buyer), NAME_EM)
        rows.append({
            "label": f"{seller} \u2192 {buyer}", "goods_value": float(row.goods_value),
            "paid": float(row.paid), "gap": float(row.gap),
            "money_without_goods": float(row.money_without_goods),
        })
    return rows


def plot_reconcile(result: Reconciliation, *, by: str = "persons", top: int = 15,
                   within_ring: bool = False, title: str | None = None,
                   legend: bool = True, ax: Axes | None = None,
                   graph: Any = None, redact: str | RedactionProfile | None = None) -> Axes:
    """Draw goods against money per pair: what the goods were worth, what was paid, the gap.

    Parameters
    ----------
    result : Reconciliation
        From :func:`~crimegraph.reconcile`.
    by : {"persons", "pairs"}, default "persons"
        The person view (parties behind sellers and buyers) or the records as they are.
    top : int, default 15
        How many pairs to show, largest gap first.
    within_ring : bool, default False
        Also show trade between the ring's own members (mostly unpaid internal transfers).
    title : str, optional
        Replaces the default title; "" for none.
    legend : bool, default True
    ax : matplotlib Axes, optional

    redact : {"internal", "prosecution", "public"} or RedactionProfile, optional
        Who the figure is for (see :func:`crimegraph.redact`): the reconciliation is made
        again from the redacted ``graph`` (needed then).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import crimegraph as cg
    >>> ax = cg.plot_reconcile(cg.reconcile(cg.load_example("fake_liquor")))
    >>> ax.get_xlabel()
    'CNY'
    """
    result = reconcile_again(result, graph, redact)
    frame = result.persons if by == "persons" else result.pairs
    with cjk_context([*frame["seller_name"], *frame["buyer_name"], title or ""]):
        rows = reconcile_bars(result, by=by, top=top, within_ring=within_ring)
        labels = [r["label"] for r in rows]
        # Wide enough for the names, the bars, the title and the legend beside them.
        names_in = max([text_width_em(label) for label in labels] or [0.0]) * 9.0 / 72
        own_figure = ax is None
        ax, scale = axes_for(ax, (max(10.0, 7.5 + names_in), 1.2 + 0.42 * max(len(rows), 2)))
        font = max(6.0, 9.0 * scale)
        ys = list(range(len(rows)))[::-1]
        goods = [r["goods_value"] for r in rows]
        paid = [min(r["paid"], r["goods_value"]) for r in rows]
        extra = [r["money_without_goods"] for r in rows]
        ax.barh(ys, goods, height=0.7, color=SHIPMENT_COLOR, alpha=0.35,
                label="goods value")
        ax.barh(ys, paid, height=0.7, color=PAYMENT_COLOR, label="paid for the goods")
        ax.barh(ys, extra, left=goods, height=0.7, color=SURPLUS_COLOR, alpha=0.8,
                label="money without goods")
        right = max([g + e for g, e in zip(goods, extra)] or [1.0])
        notes = []
        for r in rows:
            note = ("no goods" if r["goods_value"] <= 0 else
                    f"gap {format_number(r['gap'])}" if r["gap"] > 0.5 else "paid")
            if r["money_without_goods"] > 0.5:
                note += f", +{format_number(r['money_without_goods'])} without goods"
            notes.append(note)
        # Room right of each bar for its note, which must not run into the legend: the axis
        # reaches far enough that the widest note (in inches of the drawn axes) fits.
        dpi = float(ax.figure.dpi)
        if own_figure:
            legend_in = 1.6 if rows and legend else 0.0
            axes_in = ax.figure.bbox.width / dpi - names_in * font / 9.0 - legend_in - 0.4
        else:
            axes_in = ax.bbox.width / dpi
        axes_in = max(axes_in, 1.0)
        limit = right * 1.35
        for r, note in zip(rows, notes):
            share = min((text_width_em(note) * font * 0.9 / 72 + 0.1) / axes_in, 0.75)
            limit = max(limit, (r["goods_value"] + r["money_without_goods"]) / (1 - share))
        for y, r, note in zip(ys, rows, notes):
            ax.text(r["goods_value"] + r["money_without_goods"] + limit * 0.005, y, note,
                    va="center", fontsize=font * 0.9, color=MUTED, gid="gap")
        ax.set_yticks(ys)
        ax.set_yticklabels(labels, fontsize=font)
        ax.set_xlim(0, limit)
        # Amounts in the tens of millions and more are counted in millions or billions, so
        # the ticks do not run into each other.
        unit, word = (1e9, " (billions)") if limit >= 1e10 else (
            (1e6, " (millions)") if limit >= 1e7 else (1.0, ""))
        ax.set_xlabel(f"{result.currency}{word}")
        ax.xaxis.set_major_formatter(_thousands(unit))
        ax.spines[["top", "right"]].set_visible(False)
        view = "persons behind the trade" if by == "persons" else "records as in the case"
        if title is None:
            title = (f"Goods against money ({view}, window {result.window.days} days): "
                     "largest gaps")
        ax.set_title(escape_text(title), loc="left", fontsize=font * 1.2)
        if rows and legend:
            # Beside the bars, never over them or their notes.
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=font * 0.9,
                      frameon=False)
        elif not rows:
            ax.text(0.5, 0.5, "no trade with the outside", transform=ax.transAxes,
                    ha="center", color=MUTED)
        apply_to_ticks(ax)
    return ax


def _thousands(unit: float = 1.0) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: format_number(value / unit))

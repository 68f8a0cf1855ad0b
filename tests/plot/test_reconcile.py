"""plot_reconcile: goods against money per pair, on empty cases and with very long names."""

from __future__ import annotations

from itertools import pairwise

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.reconcile import NAME_EM, reconcile_bars
from crimegraph.plot.style import text_width_em

LONG_CN = "河北省廊坊市某某县某某镇某某村某某某某某某汽车配件批发零售有限责任公司第三分公司"
LONG_EN = "Bartholomew Maximilian Featherstonehaugh-Cholmondeley Storage Depot Number Seven"


def long_names() -> cg.CaseGraph:
    """One seller and one buyer whose names are far longer than a bar label."""
    return cg.CaseGraph(cg.Case(
        id="C-LONG", title="long names",
        organizations=[cg.Organization(id="O-1", name=LONG_CN, kind="distributor"),
                       cg.Organization(id="O-2", name=LONG_EN, kind="shop")],
        products=[cg.Product(id="PR-1", name="机油")],
        transactions=[cg.Transaction(id="T-1", kind="shipment", source="O-1", target="O-2",
                                     product="PR-1", quantity=5, amount=900.0,
                                     timestamp="2024-01-01T10:00:00+08:00")]))


def test_empty_case_draws_an_empty_figure() -> None:
    for case in (cg.Case(id="C-E", title="empty"),
                 cg.Case(id="C-1", title="one", persons=[cg.Person(id="P-1", name="张三")])):
        result = cg.reconcile(cg.CaseGraph(case))
        assert reconcile_bars(result) == []
        ax = cgp.plot_reconcile(result)
        assert ax.get_yticks().tolist() == []
        assert "no trade with the outside" in [t.get_text() for t in ax.texts]


def test_long_names_are_cut_and_the_figure_keeps_them_inside() -> None:
    result = cg.reconcile(long_names())
    ax = cgp.plot_reconcile(result, by="pairs")
    (label,) = [t.get_text() for t in ax.get_yticklabels()]
    seller, buyer = label.split(" \u2192 ")
    assert seller.endswith("\u2026") and LONG_CN.startswith(seller[:-1])
    assert buyer.endswith("\u2026") and LONG_EN.startswith(buyer[:-1])
    assert text_width_em(seller) <= NAME_EM and text_width_em(buyer) <= NAME_EM

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    page = fig.bbox
    texts = [*ax.get_yticklabels(), ax.title, *ax.get_legend().get_texts()]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, text.get_text()
    # The legend stands beside the bars, not over them or their notes.
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= ax.get_window_extent(renderer).x1 - 1


def huge_amounts() -> cg.CaseGraph:
    """A shop pays ten trillion CNY for nothing; a den ships goods worth a trillion, unpaid."""
    ts = "2024-05-01T10:00:00+08:00"
    return cg.CaseGraph(cg.Case(
        id="C-HUGE", title="huge amounts",
        persons=[cg.Person(id="P-1", name="周建国")],
        organizations=[cg.Organization(id="O-1", name="宏达汽配", kind="shop"),
                       cg.Organization(id="O-2", name="兴隆村窝点", kind="factory")],
        products=[cg.Product(id="PR-1", name="机油")],
        transactions=[
            cg.Transaction(id="T-1", kind="payment", source="O-1", target="P-1", amount=1e13,
                           currency="CNY", timestamp=ts),
            cg.Transaction(id="T-2", kind="shipment", source="O-2", target="O-1",
                           product="PR-1", quantity=1e6, amount=1e12, timestamp=ts)]))


def test_huge_amounts_keep_ticks_and_notes_readable() -> None:
    ax = cgp.plot_reconcile(cg.reconcile(huge_amounts()), by="pairs")
    assert ax.get_xlabel() == "CNY (billions)"
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ticks = sorted((t.get_window_extent(renderer) for t in ax.get_xticklabels()
                    if t.get_text() and ax.get_xlim()[0] <= t.get_position()[0]
                    <= ax.get_xlim()[1]), key=lambda box: box.x0)
    assert len(ticks) >= 3
    assert all(a.x1 < b.x0 for a, b in pairwise(ticks))  # no tick runs into the next
    notes = [t for t in ax.texts if t.get_gid() == "gap"]
    assert {t.get_text() for t in notes} >= {"no goods, +10,000,000,000,000 without goods"}
    legend = ax.get_legend().get_window_extent(renderer)
    for note in notes:
        box = note.get_window_extent(renderer)
        assert box.x1 <= legend.x0 and box.x1 <= fig.bbox.x1, note.get_text()

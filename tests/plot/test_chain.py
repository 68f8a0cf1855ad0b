"""plot_chain: tiers left to right, widths by quantity, colours by province, badges."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.chain import chain_layout
from crimegraph.plot.style import MAX_FIGSIZE, MIN_FONT, category_colors
from crimegraph.synth import generate_case


def by_gid(artists, prefix: str) -> dict[str, object]:
    return {a.get_gid().split(":", 1)[1]: a for a in artists
            if (a.get_gid() or "").startswith(prefix + ":")}


def test_every_place_is_a_box_named_after_it(oil_chain) -> None:
    ax = cgp.plot_chain(oil_chain)
    names = {k: t.get_text() for k, t in by_gid(ax.texts, "name").items()}
    assert names["DEN"] == "兴隆村窝点"
    assert names["S6"] == "路路通养护中心"
    assert set(names) == set(oil_chain.nodes)
    assert set(by_gid(ax.patches, "node")) == set(oil_chain.nodes)


def test_one_line_per_trading_pair_as_wide_as_the_quantity(oil_chain) -> None:
    ax = cgp.plot_chain(oil_chain)
    flows = by_gid(ax.patches, "flow")
    pairs = {f"{s}->{t}" for s, t in
             oil_chain.to_dataframe()[["source", "target"]].itertuples(index=False)}
    assert set(flows) == pairs
    quantity = oil_chain.to_dataframe().groupby(["source", "target"])["quantity"].sum()
    ranked = sorted(pairs, key=lambda p: quantity[tuple(p.split("->"))])
    widths = [flows[p].get_linewidth() for p in ranked]
    assert widths == sorted(widths)
    assert flows["DEN->WH1"].get_linewidth() > flows["D3->S5"].get_linewidth()


def test_tiers_run_left_to_right(oil_chain) -> None:
    ax = cgp.plot_chain(oil_chain)
    boxes = by_gid(ax.patches, "node")

    def centre_x(node: str) -> float:
        box = boxes[node]
        return box.get_x() + box.get_width() / 2

    for node, tier in oil_chain.tiers.items():
        for other, other_tier in oil_chain.tiers.items():
            if tier < other_tier:
                assert centre_x(node) < centre_x(other)
    headers = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("tier:")]
    assert headers == ["start", "tier 1", "tier 2", "tier 3"]


def test_upstream_chains_end_at_the_start_on_the_right(oil_graph) -> None:
    chain = cg.trace_chain(oil_graph, "S3", direction="upstream")
    drawing = chain_layout(chain)
    assert drawing.columns["S3"] == max(drawing.columns.values())
    assert drawing.columns["DEN"] == 0
    ax = cgp.plot_chain(chain)
    assert "S3" in by_gid(ax.texts, "name")


def test_places_are_coloured_by_province_with_a_legend(oil_chain) -> None:
    ax = cgp.plot_chain(oil_chain)
    colors = category_colors(["河北", "山东", "河南"])
    boxes = by_gid(ax.patches, "node")
    assert to_hex(boxes["DEN"].get_facecolor()) == colors["河北"]
    assert to_hex(boxes["WH2"].get_facecolor()) == colors["山东"]
    assert to_hex(boxes["D3"].get_facecolor()) == colors["河南"]
    assert to_hex(boxes["S7"].get_facecolor()) == "#d9d9d9"  # no province
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"河北", "山东", "河南", "unknown", "Province", "Quantity shipped"} <= set(legend)


def test_unaccounted_quantities_get_badges(oil_chain) -> None:
    ax = cgp.plot_chain(oil_chain)
    badges = {k: t.get_text() for k, t in by_gid(ax.texts, "unaccounted").items()}
    expected = oil_chain.leads()["id"]
    assert badges["WH2"] == "+60"
    assert badges["D3"] == "+50"
    assert "D2" not in badges  # in balance
    assert set(badges) == set(expected)


def test_a_supplier_missing_from_the_records_shows_as_minus(oil_graph) -> None:
    case = oil_graph.case
    extra = cg.Transaction(id="T99", kind="shipment", source="D1", target="S1",
                           timestamp="2024-03-20", product="OIL", quantity=1300)
    chain = cg.trace_chain(case.model_copy(update={"transactions": [*case.transactions, extra]}),
                           "DEN")
    ax = cgp.plot_chain(chain)
    badge = by_gid(ax.texts, "unaccounted")["D1"]
    assert badge.get_text() == "\u22121,220"  # 300 in, 120 + 100 + 1,300 out


def test_badges_can_be_switched_off(oil_chain) -> None:
    ax = cgp.plot_chain(oil_chain, show_unaccounted=False, legend=False, title="")
    assert by_gid(ax.texts, "unaccounted") == {}
    assert ax.get_legend() is None
    assert ax.get_title(loc="left") == ""


def test_same_chain_same_picture(oil_chain) -> None:
    first = cgp.plot_chain(oil_chain)
    second = cgp.plot_chain(oil_chain)
    assert ([(p.get_gid(), p.get_x(), p.get_y()) for p in first.patches if hasattr(p, "get_x")]
            == [(p.get_gid(), p.get_x(), p.get_y()) for p in second.patches
                if hasattr(p, "get_x")])
    first.figure.canvas.draw()
    second.figure.canvas.draw()
    assert np.array_equal(np.asarray(first.figure.canvas.buffer_rgba()),
                          np.asarray(second.figure.canvas.buffer_rgba()))


def test_the_chain_draws_itself(oil_chain) -> None:
    ax = oil_chain.plot()
    assert "兴隆村窝点" in [t.get_text() for t in ax.texts]


def test_drawing_on_the_callers_axes(oil_chain) -> None:
    _, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    ax = cgp.plot_chain(oil_chain, ax=right)
    assert ax is right
    assert not left.texts
    names = by_gid(ax.texts, "name")
    own = by_gid(cgp.plot_chain(oil_chain).texts, "name")
    # A smaller axes gets smaller names.
    assert names["DEN"].get_fontsize() < own["DEN"].get_fontsize()


@pytest.fixture(scope="module")
def mid_chain() -> cg.Chain:
    return cg.trace_chain(generate_case(800, seed=2), "S0000000")


def test_fifty_places_become_labelled_dots(mid_chain) -> None:
    assert 40 <= len(mid_chain.nodes) <= 60
    ax = cgp.plot_chain(mid_chain)
    dots = [c for c in ax.collections if c.get_gid() == "nodes"]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == len(mid_chain.nodes)
    labels = by_gid(ax.texts, "name")
    assert 0 < len(labels) <= len(mid_chain.nodes)
    assert min(t.get_fontsize() for t in labels.values()) >= MIN_FONT
    # The busiest places are named first.
    throughput = chain_layout(mid_chain).throughput
    busiest = max(throughput, key=lambda n: (throughput[n], n))
    assert busiest in labels


def test_label_options_in_the_dot_drawing(mid_chain) -> None:
    assert by_gid(cgp.plot_chain(mid_chain, max_labels=0).texts, "name") == {}
    assert len(by_gid(cgp.plot_chain(mid_chain, max_labels=5).texts, "name")) == 5
    every = by_gid(cgp.plot_chain(mid_chain, max_labels="all").texts, "name")
    assert set(every) == set(mid_chain.nodes)
    # The older spellings still work.
    assert len(by_gid(cgp.plot_chain(mid_chain, labels=5).texts, "name")) == 5
    assert by_gid(cgp.plot_chain(mid_chain, labels="none").texts, "name") == {}


def test_bad_label_option_is_named(oil_chain) -> None:
    with pytest.raises(ValueError, match="labels='some'"):
        cgp.plot_chain(oil_chain, labels="some")
    with pytest.raises(ValueError, match="max_labels=-1"):
        cgp.plot_chain(oil_chain, max_labels=-1)
    with pytest.raises(ValueError, match="max_per_tier=1"):
        cgp.plot_chain(oil_chain, max_per_tier=1)


def test_the_bundled_counterfeit_oil_chain() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    chain = cg.trace_chain(graph, "W-DEN-01")
    ax = cgp.plot_chain(chain)
    names = by_gid(ax.texts, "name")
    assert set(names) == set(chain.nodes)
    assert names["W-DEN-01"].get_fontweight() == "bold"


def test_upstream_badges_show_only_leads_and_mark_producers() -> None:
    g = cg.load_example("counterfeit_oil")
    chain = cg.trace_chain(g, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
    ax = cgp.plot_chain(chain)
    # The warehouse's other barrels went to buyers outside this chain: no badge; the den
    # makes the oil: marked as a producer, not as a missing supplier.
    assert by_gid(ax.texts, "unaccounted") == {}
    assert by_gid(ax.texts, "producer")["W-DEN-01"].get_text() == "producer"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "producer (makes the goods)" in legend
    assert "+ stock left / unknown buyer" not in legend


def test_badges_count_one_product_and_say_how_many_more() -> None:
    chain = cg.trace_chain(cg.load_example("fake_liquor"), "W-DEN-A")
    ax = cgp.plot_chain(chain)
    badges = {k: t.get_text() for k, t in by_gid(ax.texts, "unaccounted").items()}
    leads = chain.leads()
    top = leads[leads["id"] == "W-DEN-C"]
    assert len(top) == 5  # five products left in stock at the sales depot
    assert badges["W-DEN-C"] == "+2,262 (+4)"  # the largest one, and four more products
    assert "(+k): leads on k more products" in [t.get_text()
                                                 for t in ax.get_legend().get_texts()]


def texts_of(ax) -> list:
    """Every visible text of the figure: names, badges, title, legend, note, ticks."""
    from matplotlib.text import Text

    return [t for t in ax.figure.findobj(Text) if t.get_text() and t.get_visible()]


def assert_readable(ax) -> None:
    ax.figure.canvas.draw()
    width, height = ax.figure.get_size_inches()
    assert width <= MAX_FIGSIZE[0] + 1e-6 and height <= MAX_FIGSIZE[1] + 1e-6
    small = [(t.get_text(), t.get_fontsize()) for t in texts_of(ax)
             if t.get_fontsize() < MIN_FONT - 1e-9]
    assert small == []


@pytest.fixture(scope="module")
def large_graph() -> cg.CaseGraph:
    return cg.CaseGraph(generate_case(5000))


def test_a_large_chain_keeps_its_busiest_places_and_folds_the_rest(large_graph) -> None:
    chain = cg.trace_chain(large_graph, "S0000000")
    assert len(chain.nodes) > 250
    ax = cgp.plot_chain(chain)
    assert_readable(ax)
    names = by_gid(ax.texts, "name")
    more = {k: t.get_text() for k, t in names.items() if k.startswith("+more:")}
    assert more and all(text.startswith("+") and " more" in text for text in more.values())
    drawn = set(names) - set(more)
    assert 20 <= len(drawn) <= 80
    # Each tier keeps its busiest places; every place is either drawn or folded.
    drawing = chain_layout(chain)
    folded = sum(int(text.split()[0][1:]) for text in more.values())
    assert len(drawn) + folded == len(chain.nodes)
    for tier_more in more:
        column = int(tier_more.split(":")[1])
        kept = [n for n in drawn if drawing.columns[n] == column]
        rest = [n for n in drawing.columns if drawing.columns[n] == column and n not in drawn]
        assert min(drawing.throughput[n] for n in kept) >= max(
            drawing.throughput[n] for n in rest)
    (note,) = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    assert "folded" in note and str(len(drawn)) in note
    # The folded places' goods still arrive: lines into the "+k more" boxes.
    assert any(key.endswith("->+more:3") for key in by_gid(ax.patches, "flow"))


def test_folding_on_request_names_the_province(oil_chain) -> None:
    ax = cgp.plot_chain(oil_chain, max_per_tier=3)
    names = {k: t.get_text() for k, t in by_gid(ax.texts, "name").items()}
    # Tier 2 (D1, D2, S5, S6) keeps D1 and D2; tier 3 keeps S3 and S4, the busiest shops.
    assert names["+more:2"] == "+2 more in 河南"
    assert names["+more:3"] == "+3 more"  # 河北 twice and one without a province
    assert {"S3", "S4", "D1", "D2"} <= set(names)
    assert not {"S1", "S2", "S5", "S6", "S7"} & set(names)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "unknown" not in legend  # S7, the one place without a province, is folded
    (note,) = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    assert "folded" in note


def test_titles_say_the_direction_the_start_and_the_product(oil_graph) -> None:
    down = cgp.plot_chain(cg.trace_chain(oil_graph, "DEN", product="OIL"))
    title = down.get_title(loc="left")
    assert title.startswith("Downstream from 兴隆村窝点 (DEN), product 假美孚机油 (OIL)")
    up = cgp.plot_chain(cg.trace_chain(oil_graph, "S3", direction="upstream",
                                       since="2024-03-01"), labels="id")
    title = up.get_title(loc="left")
    assert title.startswith("Upstream into S3, all products, since 2024-03-01")
    assert "units arrived" in title


def test_labels_show_ids_or_both(oil_chain) -> None:
    ids = {k: t.get_text() for k, t in by_gid(cgp.plot_chain(oil_chain, labels="id").texts,
                                               "name").items()}
    assert ids == {n: n for n in oil_chain.nodes}
    both = by_gid(cgp.plot_chain(oil_chain, labels="both").texts, "name")
    assert both["S1"].get_text() == "宏达汽配 \u00b7 S1"


def test_the_bundled_chains_stay_boxes_within_the_largest_figure() -> None:
    for example, start in (("counterfeit_oil", "W-DEN-01"), ("fake_liquor", "W-DEN-A")):
        graph = cg.CaseGraph(cg.load_example(example))
        chain = cg.trace_chain(graph, start)
        ax = cgp.plot_chain(chain)
        assert_readable(ax)
        assert set(by_gid(ax.patches, "node")) == set(chain.nodes)  # nothing folded
        assert not [t for t in ax.texts if t.get_gid() == "note"]


LONG_CN = "河北省廊坊市某某县某某镇某某村某某某某某某某某某某汽车配件批发零售有限责任公司第三分公司"


def long_name_graph() -> cg.CaseGraph:
    """Two places and two accounts with names far wider than a figure."""
    return cg.CaseGraph(cg.Case(
        id="C-LONG", title="long names",
        persons=[cg.Person(id="P-1", name=LONG_CN), cg.Person(id="P-2", name="王五")],
        warehouses=[cg.Warehouse(id="W-1", name=LONG_CN, province="Hebei"),
                    cg.Warehouse(id="W-2", name="Bartholomew Featherstonehaugh Depot Seven",
                                 province="Shandong")],
        products=[cg.Product(id="PR-1", name="假冒美孚一号 5W-30 全合成机油 4L " * 3)],
        transactions=[
            cg.Transaction(id="T-1", kind="shipment", source="W-1", target="W-2",
                           product="PR-1", quantity=5, timestamp="2024-01-01T10:00:00+08:00"),
            cg.Transaction(id="T-2", kind="payment", source="P-1", target="P-2", amount=100,
                           currency="CNY", timestamp="2024-01-02T10:00:00+08:00")]))


def title_overhang(ax) -> float:
    """How many pixels the title reaches past the figure's right edge."""
    fig = ax.figure
    fig.canvas.draw()
    box = ax.title.get_window_extent(fig.canvas.get_renderer())
    return box.x1 - fig.bbox.x1


@pytest.mark.parametrize("trace", ["chain", "chain product", "money"])
def test_a_long_title_is_wrapped_inside_the_figure(trace: str) -> None:
    graph = long_name_graph()
    if trace == "money":
        ax = cgp.plot_money(cg.trace_money(graph, "P-1"))
    else:
        product = "PR-1" if trace == "chain product" else None
        ax = cgp.plot_chain(cg.trace_chain(graph, "W-1", product=product))
    assert title_overhang(ax) <= 1
    title = ax.get_title(loc="left")
    assert LONG_CN in title.replace("\n", "")  # wrapped, not cut: the start's whole name
    if trace == "money":  # the money figure widens for long names; "1 payment", not "1 payments"
        assert ": 1 payment, 2 accounts" in title
    else:
        assert len(title.split("\n")) >= 3

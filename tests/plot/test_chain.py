"""plot_chain: tiers left to right, widths by quantity, colours by province, badges."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.chain import chain_layout
from crimegraph.plot.style import category_colors
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
def big_chain() -> cg.Chain:
    return cg.trace_chain(generate_case(1400, seed=2), "S0000000")


def test_a_hundred_places_become_labelled_dots(big_chain) -> None:
    assert 60 <= len(big_chain.nodes) <= 150
    ax = cgp.plot_chain(big_chain)
    dots = [c for c in ax.collections if c.get_gid() == "nodes"]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == len(big_chain.nodes)
    labels = by_gid(ax.texts, "name")
    assert 0 < len(labels) <= len(big_chain.nodes)
    sizes = {t.get_fontsize() for t in labels.values()}
    assert min(sizes) >= 5.0
    # The busiest places are named first.
    throughput = chain_layout(big_chain).throughput
    busiest = max(throughput, key=lambda n: (throughput[n], n))
    assert busiest in labels


def test_label_options_in_the_dot_drawing(big_chain) -> None:
    assert by_gid(cgp.plot_chain(big_chain, labels="none").texts, "name") == {}
    assert len(by_gid(cgp.plot_chain(big_chain, labels=5).texts, "name")) == 5
    every = by_gid(cgp.plot_chain(big_chain, labels="all").texts, "name")
    assert set(every) == set(big_chain.nodes)


def test_bad_label_option_is_named(oil_chain) -> None:
    with pytest.raises(ValueError, match="labels='some'"):
        cgp.plot_chain(oil_chain, labels="some")


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

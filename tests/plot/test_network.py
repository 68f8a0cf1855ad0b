"""plot_network: seeded spring layout, size by a key-player measure, colour by group."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.network import network_positions
from crimegraph.plot.style import MISSING_COLOR, STATUS_COLORS, category_colors


def ring() -> nx.Graph:
    """Two gangs of four tied by one call, plus a loner."""
    net = nx.Graph()
    people = {"A1": "周建国", "A2": "李强", "A3": "王芳", "A4": "张伟",
              "B1": "刘敏", "B2": "陈静", "B3": "杨磊", "B4": "赵洋", "L": "黄勇"}
    statuses = ["wanted", "arrested", "suspect", "arrested", "wanted", "suspect", "arrested",
                "witness", "unknown"]
    provinces = ["河北"] * 4 + ["山东"] * 4 + [None]
    for (pid, name), status, province in zip(people.items(), statuses, provinces, strict=True):
        net.add_node(pid, name=name, status=status, province=province, type="person")
    for gang in ("A", "B"):
        for i in range(1, 5):
            for j in range(i + 1, 5):
                net.add_edge(f"{gang}{i}", f"{gang}{j}", weight=float(i * j))
    net.add_edge("A1", "B1", weight=40.0)
    return net


GROUPS = pd.DataFrame({"id": ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "L"],
                       "group": [0, 0, 0, 0, 1, 1, 1, 1, 2]})
SCORES = pd.DataFrame({"id": ["A1", "B1", "A2", "B2", "A3", "B3", "A4", "B4", "L"],
                       "score": [0.9, 0.8, 0.5, 0.4, 0.3, 0.3, 0.2, 0.2, 0.0]})


def nodes_of(ax):
    (dots,) = [c for c in ax.collections if c.get_gid() == "nodes"]
    return dots


def test_nodes_sized_by_score_and_coloured_by_group() -> None:
    ax = cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES)
    dots = nodes_of(ax)
    order = sorted(ring().nodes)
    sizes = dict(zip(order, dots.get_sizes(), strict=True))
    assert sizes["A1"] > sizes["A2"] > sizes["A3"] > sizes["A4"] > sizes["L"]
    colors = dict(zip(order, (to_hex(c) for c in dots.get_facecolors()), strict=True))
    palette = category_colors(["group 0", "group 1"])
    assert colors["A2"] == palette["group 0"] and colors["B3"] == palette["group 1"]
    assert colors["L"] == MISSING_COLOR  # a group of one
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["Group", "group 0: 4 people, around 周建国",
                          "group 1: 4 people, around 刘敏", "alone: 1 person"]


def test_names_label_the_nodes() -> None:
    ax = cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES, labels="all")
    names = {t.get_gid()[5:]: t.get_text() for t in ax.texts
             if (t.get_gid() or "").startswith("name:")}
    assert names["A1"] == "周建国" and len(names) == 9
    few = cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES, max_labels=2)
    assert sorted(t.get_gid() for t in few.texts if t.get_gid()) == ["name:A1", "name:B1"]
    old = cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES, labels=2)
    assert sorted(t.get_gid() for t in old.texts if t.get_gid()) == ["name:A1", "name:B1"]
    both = cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES, labels="both",
                            max_labels="all")
    texts = {t.get_gid()[5:]: t.get_text() for t in both.texts
             if (t.get_gid() or "").startswith("name:")}
    assert texts["A1"] == "周建国 \u00b7 A1"
    ids = cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES, labels="id")
    assert {t.get_text() for t in ids.texts if (t.get_gid() or "").startswith("name:")} <= set(
        ring().nodes)


def test_ties_are_as_wide_as_they_are_strong() -> None:
    ax = cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES)
    (ties,) = [c for c in ax.collections if c.get_gid() == "ties"]
    widths = ties.get_linewidths()
    assert len(widths) == ring().number_of_edges()
    assert max(widths) == pytest.approx(3.5)  # the 40 calls between the gangs


def test_colour_by_status_or_province() -> None:
    ax = cgp.plot_network(None, network=ring(), color_by="status", scores=SCORES)
    colors = dict(zip(sorted(ring().nodes),
                      (to_hex(c) for c in nodes_of(ax).get_facecolors()), strict=True))
    assert colors["A1"] == STATUS_COLORS["wanted"] and colors["B4"] == STATUS_COLORS["witness"]
    ax = cgp.plot_network(None, network=ring(), color_by="province", size_by=None)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Province", "山东", "河北"]


def test_unknown_colour_column_is_named() -> None:
    with pytest.raises(ValueError, match="color_by='gang'"):
        cgp.plot_network(None, network=ring(), color_by="gang", size_by=None)
    with pytest.raises(ValueError, match="labels"):
        cgp.plot_network(None, network=ring(), color_by=None, size_by=None, labels="most")


def test_same_seed_same_picture_other_seed_other_picture() -> None:
    first = nodes_of(cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES))
    again = nodes_of(cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES))
    other = nodes_of(cgp.plot_network(None, network=ring(), groups=GROUPS, scores=SCORES,
                                      seed=5))
    assert np.array_equal(first.get_offsets(), again.get_offsets())
    assert not np.array_equal(first.get_offsets(), other.get_offsets())
    assert network_positions(ring(), seed=0) == network_positions(ring(), seed=0)


def test_the_bundled_counterfeit_oil_network() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    network = cg.social_network(graph)
    ax = cgp.plot_network(graph, size_by="betweenness")
    assert len(nodes_of(ax).get_offsets()) == network.number_of_nodes()
    groups = cg.find_groups(graph, seed=0)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sum(text.startswith("group ") for text in legend) == sum(
        size > 1 for size in groups.sizes)
    top = cg.key_players(graph, "betweenness", k=1)["id"].iloc[0]
    sizes = dict(zip(sorted(network.nodes), nodes_of(ax).get_sizes(), strict=True))
    assert max(sizes, key=sizes.get) == top


def test_a_large_network_names_its_most_central_nodes_first() -> None:
    from matplotlib.text import Text

    from crimegraph.plot.style import MAX_FIGSIZE, MIN_FONT
    from crimegraph.synth import generate_case

    graph = cg.CaseGraph(generate_case(5000))
    ax = cgp.plot_network(graph)
    ax.figure.canvas.draw()
    width, height = ax.figure.get_size_inches()
    assert width <= MAX_FIGSIZE[0] and height <= MAX_FIGSIZE[1]
    assert min(t.get_fontsize() for t in ax.figure.findobj(Text) if t.get_text()) >= MIN_FONT
    named = {t.get_gid()[5:] for t in ax.texts if (t.get_gid() or "").startswith("name:")}
    top = cg.key_players(graph, "degree", k=10)["id"].tolist()
    assert set(top) <= named  # the ten most central always keep their names
    assert 10 <= len(named) <= 60
    (note,) = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    assert f"names shown for the {len(named)} most central of" in note
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(text.startswith("group 0: ") and ", around " in text for text in legend)


def _inside_figure(ax) -> list[str]:
    """The texts of the figure that reach past its edges."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    legend = ax.get_legend()
    texts = [*ax.texts, ax.title, *(legend.get_texts() if legend else [])]
    out = []
    for text in texts:
        box = text.get_window_extent(renderer)
        if box.x0 < page.x0 - 1 or box.x1 > page.x1 + 1:
            out.append(text.get_text())
    return out


def test_legend_and_names_stay_inside_the_figure() -> None:
    for example in ("counterfeit_oil", "fake_liquor"):
        graph = cg.CaseGraph(cg.load_example(example))
        for color_by in ("group", "province"):
            assert _inside_figure(cgp.plot_network(graph, color_by=color_by)) == []


def test_very_long_names_are_cut_not_pushing_the_network_away() -> None:
    long_cn = "河北省廊坊市某某县某某镇某某村某某某某某某汽车配件批发零售有限责任公司第三分公司"
    net = nx.Graph()
    net.add_node("P-1", name=long_cn, type="person")
    net.add_node("P-2", name="Bartholomew Maximilian Featherstonehaugh-Cholmondeley III",
                 type="person")
    net.add_node("P-3", name="李四", type="person")
    net.add_edge("P-1", "P-2", weight=1.0)
    net.add_edge("P-1", "P-3", weight=1.0)
    groups = pd.DataFrame({"id": ["P-1", "P-2", "P-3"], "group": [0, 0, 0]})
    ax = cgp.plot_network(None, network=net, groups=groups, max_labels="all",
                          labels="both")
    assert _inside_figure(ax) == []
    names = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert names["name:P-1"].endswith(" · P-1")  # the id survives the cut
    assert names["name:P-1"].split("…")[0] in long_cn
    assert names["name:P-3"] == "李四 · P-3"
    (entry,) = [t.get_text() for t in ax.get_legend().get_texts() if "group 0" in t.get_text()]
    assert entry.startswith("group 0: 3 people, around 河北省") and entry.endswith("…")
    # The network keeps most of the figure's width.
    fig_w = ax.figure.bbox.width
    assert ax.get_window_extent().width > 0.5 * fig_w

"""plot_disruption: one colour per strategy, solid = largest group, dashed = goods flow."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.style import CATEGORY_COLORS

from .conftest import disruption_result


def lines_by_gid(ax) -> dict[str, object]:
    return {line.get_gid(): line for line in ax.lines if line.get_gid()}


def test_two_strategies_two_colours_solid_and_dashed() -> None:
    runs = [disruption_result("betweenness", "sequential", [1, 0.6, 0.2, 0.1], [1, 1, 0.5, 0]),
            disruption_result("degree", "block", [1, 0.8, 0.5, 0.3], [1, 0.9, 0.9, 0.2])]
    ax = cgp.plot_disruption(runs)
    lines = lines_by_gid(ax)
    assert set(lines) == {"lcc:0", "flow:0", "lcc:1", "flow:1"}
    assert to_hex(lines["lcc:0"].get_color()) == CATEGORY_COLORS[0]
    assert to_hex(lines["flow:1"].get_color()) == CATEGORY_COLORS[1]
    assert lines["lcc:0"].get_linestyle() == "-"
    assert lines["flow:0"].get_linestyle() == "--"
    assert list(lines["lcc:1"].get_ydata()) == [1, 0.8, 0.5, 0.3]
    assert list(lines["flow:0"].get_xdata()) == [0, 1, 2, 3]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["betweenness (sequential)", "removed: 1 N1, 2 N2, 3 N3",
                          "degree (block)", "removed: 1 N1, 2 N2, 3 N3"]
    assert "goods still reaching the market" in legend


def test_without_flow_only_solid_lines() -> None:
    ax = cgp.plot_disruption(disruption_result("katz", "sequential", [1, 0.5, 0.1]))
    assert set(lines_by_gid(ax)) == {"lcc:0"}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "goods still reaching the market" not in legend
    assert ax.get_ylim()[0] < 0 < 1 < ax.get_ylim()[1]


def test_labels_from_a_mapping() -> None:
    runs = {"arrest the brokers": disruption_result("betweenness", "sequential", [1, 0.2]),
            "arrest the busiest": disruption_result("degree", "sequential", [1, 0.7])}
    ax = cgp.plot_disruption(runs)
    assert [line.get_label() for line in ax.lines] == list(runs)


def test_results_without_a_curve_are_named() -> None:
    bad = disruption_result("degree", "sequential", [1, 0.5])
    bad.curve = pd.DataFrame({"removed": [0, 1]})
    with pytest.raises(ValueError, match="lcc_fraction"):
        cgp.plot_disruption(bad)
    with pytest.raises(ValueError, match="no disruption result"):
        cgp.plot_disruption([])


def test_real_simulations_and_their_plot_method() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    runs = [cg.simulate_disruption(graph, "betweenness", max_removed=5),
            cg.simulate_disruption(graph, "flow", max_removed=5)]
    ax = cgp.plot_disruption(runs)
    lines = lines_by_gid(ax)
    assert {"lcc:0", "lcc:1"} <= set(lines)
    assert list(lines["lcc:0"].get_ydata()) == runs[0].curve["lcc_fraction"].tolist()
    assert "flow (sequential, goods network)" in [line.get_label() for line in ax.lines]
    own = runs[0].plot()
    assert "lcc:0" in lines_by_gid(own)


def test_the_people_removed_are_named_in_order() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    run = cg.simulate_disruption(graph, "betweenness", max_removed=12)
    ax = cgp.plot_disruption(run, graph=graph, max_names=3)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    names = {p.id: p.name for p in graph.case.persons + graph.case.organizations
             + graph.case.warehouses}
    lines = [text for text in legend if text.startswith(("removed:", "   "))]
    joined = " ".join(lines)
    first = [names.get(i, i) for i in run.removed[:3]]
    assert joined.startswith(f"removed: 1 {first[0]}, 2 {first[1]}, 3 {first[2]}")
    assert joined.endswith(f"+{len(run.removed) - 3} more")
    ids = cgp.plot_disruption(run, labels="id", max_names=2)  # no case: ids
    legend = [t.get_text() for t in ids.get_legend().get_texts()]
    assert f"removed: 1 {run.removed[0]}, 2 {run.removed[1]}" in " ".join(legend)


def test_a_run_that_removed_nobody_says_so_and_long_names_are_cut() -> None:
    long_cn = "河北省廊坊市某某县某某镇某某村某某某某某某汽车配件批发零售有限责任公司第三分公司"
    hub = cg.Person(id="P-1", name=long_cn)
    spokes = [cg.Person(id=f"P-{i}", name=f"成员{i}") for i in range(2, 7)]
    case = cg.Case(id="C-STAR", title="star", persons=[hub, *spokes],
                   relationships=[cg.Relationship(id=f"R-{i}", kind="calls", source="P-1",
                                                  target=f"P-{i}") for i in range(2, 7)])
    graph = cg.CaseGraph(case)
    run = cg.simulate_disruption(graph, strategy="degree")
    assert run.removed[0] == "P-1"
    nobody = SimpleNamespace(strategy="degree", mode="sequential", removed=[],
                             curve=pd.DataFrame({"removed": [0], "lcc_fraction": [1.0]}))
    ax = cgp.plot_disruption([run, nobody], graph=graph)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "removed: nobody" in legend
    (first,) = [t for t in legend if t.startswith("removed: 1 ")]
    assert first.startswith("removed: 1 河北省廊坊市") and "\u2026" in first
    assert long_cn not in " ".join(legend)

"""What every figure function promises: Axes in, Axes out, titles, the same picture twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

import crimegraph as cg
import crimegraph.plot as cgp

from .conftest import disruption_result, hierarchy_frame


def figures(graph: cg.CaseGraph, chain: cg.Chain) -> dict[str, Callable[..., Axes]]:
    runs = [disruption_result("degree", "sequential", [1, 0.5, 0.2], [1, 0.4, 0.0])]
    return {
        "chain": lambda **kw: cgp.plot_chain(chain, **kw),
        "org_chart": lambda **kw: cgp.plot_org_chart(None, hierarchy=hierarchy_frame(12), **kw),
        "network": lambda **kw: cgp.plot_network(graph, **kw),
        "timeline": lambda **kw: cgp.plot_timeline(graph, **kw),
        "disruption": lambda **kw: cgp.plot_disruption(runs, **kw),
        "reconcile": lambda **kw: cgp.plot_reconcile(cg.reconcile(graph), **kw),
    }


@pytest.fixture(params=["chain", "org_chart", "network", "timeline", "disruption",
                        "reconcile"])
def figure(request: pytest.FixtureRequest, oil_graph, oil_chain) -> Callable[..., Axes]:
    return figures(oil_graph, oil_chain)[request.param]


def pixels(ax: Axes) -> Any:
    ax.figure.canvas.draw()
    return np.asarray(ax.figure.canvas.buffer_rgba()).copy()


def test_returns_its_own_axes(figure) -> None:
    ax = figure()
    assert isinstance(ax, Axes)
    assert ax.get_title(loc="left")  # a title that says what is shown


def test_draws_on_the_callers_axes(figure) -> None:
    _, mine = plt.subplots(figsize=(6, 4))
    assert figure(ax=mine) is mine
    assert len(plt.get_fignums()) == 1


def test_title_and_legend_can_be_left_out(figure) -> None:
    ax = figure(title="", legend=False)
    assert ax.get_title(loc="left") == ""
    assert ax.get_legend() is None


def test_own_title(figure) -> None:
    assert figure(title="案件 2024-17: $1 million").get_title(loc="left") == (
        "案件 2024-17: \\$1 million")


def test_same_input_same_picture(figure) -> None:
    assert np.array_equal(pixels(figure()), pixels(figure()))


def test_exports() -> None:
    assert set(cgp.__all__) == {"MissingCJKFontWarning", "plot_chain", "plot_disruption",
                                "plot_money", "plot_network", "plot_org_chart",
                                "plot_reconcile", "plot_timeline", "use_cjk_font"}

"""Render the figure gallery of the documentation from the bundled example cases.

Run from the project root::

    python docs/gallery/make_gallery.py            # writes docs/gallery/*.png

Each figure is one ``crimegraph.plot`` call on a bundled case; the same code appears in the
docs next to the picture. Rendering is deterministic (seeded layouts, fixed PNG metadata), so
the PNGs only change when the figures do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import crimegraph as cg
import crimegraph.plot as cgp

HERE = Path(__file__).resolve().parent
DPI = 110


def chain_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    chain = cg.trace_chain(graph, "W-DEN-01")
    cgp.plot_chain(chain)


def org_chart_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("fake_liquor"))
    cgp.plot_org_chart(graph)


def org_chart_30_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))  # 29 people
    cgp.plot_org_chart(graph)


def network_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    cgp.plot_network(graph, color_by="group", size_by="betweenness", seed=0)


def timeline_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    cgp.plot_timeline(graph, by="province")


def chain_timeline_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    cgp.plot_timeline(cg.trace_chain(graph, "W-DEN-01"), by="tier")


def disruption_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    runs = [cg.simulate_disruption(graph, "betweenness", "sequential", max_removed=25),
            cg.simulate_disruption(graph, "flow", "sequential", max_removed=25)]
    cgp.plot_disruption(runs, graph=graph)


def money_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("fake_liquor"))
    # The outlets den C supplies and the two wholesalers: the accounts that pay the lieutenant.
    payers = sorted({t.source for t in graph.case.transactions
                     if t.kind == "payment" and t.target == "P-ZHENG"} - {"P-HE"})
    cgp.plot_money(cg.trace_money(graph, payers))


def reconcile_figure() -> None:
    graph = cg.CaseGraph(cg.load_example("fake_liquor"))
    cgp.plot_reconcile(cg.reconcile(graph))


def large_chain_figure() -> None:
    from crimegraph.synth import generate_case

    graph = cg.CaseGraph(generate_case(5000))  # 300 places downstream of the busiest den
    cgp.plot_chain(cg.trace_chain(graph, "S0000000"))


def large_org_chart_figure() -> None:
    from crimegraph.synth import generate_case

    cgp.plot_org_chart(cg.CaseGraph(generate_case(5000)))  # 250 people in 10 gangs


FIGURES: dict[str, Callable[[], None]] = {
    "chain": chain_figure,
    "org_chart": org_chart_figure,
    "org_chart_30": org_chart_30_figure,
    "network": network_figure,
    "timeline": timeline_figure,
    "chain_timeline": chain_timeline_figure,
    "disruption": disruption_figure,
    "money": money_figure,
    "reconcile": reconcile_figure,
    "large_chain": large_chain_figure,
    "large_org_chart": large_org_chart_figure,
}


def main(names: list[str]) -> None:
    for name in names or list(FIGURES):
        plt.close("all")
        FIGURES[name]()
        path = HERE / f"{name}.png"
        plt.gcf().savefig(path, dpi=DPI, metadata={"Software": None})
        print(f"wrote {path.relative_to(HERE.parents[1])}")
    plt.close("all")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Every figure, drawn from the example cases and saved as PNG files."""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import crimegraph as cg

oil = cg.CaseGraph(cg.load_example("counterfeit_oil"))
liquor = cg.CaseGraph(cg.load_example("fake_liquor"))
chain = cg.trace_chain(oil, "W-DEN-01")

figures = {
    "chain": lambda: chain.plot(),                          # the same as cg.plot_chain(chain)
    "org_chart": lambda: cg.plot_org_chart(liquor),
    "network": lambda: cg.plot_network(oil, color_by="group", size_by="betweenness", seed=0),
    "timeline": lambda: cg.plot_timeline(oil, by="province"),
    "chain_timeline": lambda: cg.plot_timeline(chain, by="tier"),
    "disruption": lambda: cg.plot_disruption([
        cg.simulate_disruption(oil, "betweenness", max_removed=25),
        cg.simulate_disruption(oil, "flow", max_removed=25),
    ]),
}

with tempfile.TemporaryDirectory() as folder:
    for name, draw in figures.items():
        ax = draw()                                         # every plot function returns its Axes
        path = Path(folder) / f"{name}.png"
        ax.figure.savefig(path, dpi=150)
        plt.close(ax.figure)
        print(f"{name}.png", type(ax).__name__)

"""Figures for the analyst: supply chain, money trail, org chart, social network, timeline,
disruption, goods against money.

Every ``plot_*`` function takes ``ax=None`` (a new figure sized to the content) or the
caller's Axes, and returns the Axes. Positions are computed apart from drawing
(:mod:`crimegraph.plot.layout`) and are deterministic: the same case gives the same figure.
Chinese names render through a CJK fallback font (:mod:`crimegraph.plot.fonts`) that is
added only while a figure is drawn; :func:`use_cjk_font` adds it for the whole session.

matplotlib is imported when a figure is drawn, not when this package is imported.

Examples
--------
>>> import crimegraph as cg
>>> import crimegraph.plot as cgp
>>> graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
>>> ax = cgp.plot_chain(cg.trace_chain(graph, "W-DEN-01"))
>>> ax = cgp.plot_org_chart(graph)
"""

from __future__ import annotations

from .chain import plot_chain
from .disruption import plot_disruption
from .fonts import MissingCJKFontWarning, use_cjk_font
from .money import plot_money
from .network import plot_network
from .org import plot_org_chart
from .reconcile import plot_reconcile
from .timeline import plot_timeline

__all__ = [
    "MissingCJKFontWarning",
    "plot_chain",
    "plot_disruption",
    "plot_money",
    "plot_network",
    "plot_org_chart",
    "plot_reconcile",
    "plot_timeline",
    "use_cjk_font",
]

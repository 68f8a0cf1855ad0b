"""Node positions for crimegraph figures: pure computations, no matplotlib.

One concept per module:

* :mod:`.layered`: the Sugiyama-style layered layout (tiers of a chain, levels of a hierarchy)
  and its crossing reduction;
* :mod:`.org`: the org chart on top of it, stacking long lists of subordinates into columns;
* :mod:`.spring`: force-directed positions of a social network;
* :mod:`.labels`: label spots that overlap neither each other nor the nodes.

Everything here is deterministic: the same input gives the same positions.
"""

from __future__ import annotations

from .labels import place_labels
from .layered import LayeredLayout, count_crossings, layered_layout, place_in_order
from .org import OrgChartLayout, org_chart_layout
from .spring import spring_positions

__all__ = [
    "LayeredLayout",
    "OrgChartLayout",
    "count_crossings",
    "layered_layout",
    "org_chart_layout",
    "place_in_order",
    "place_labels",
    "spring_positions",
]

"""The org-chart layout: a hierarchy top-down, long lists of subordinates stacked in columns.

Built on :func:`~crimegraph.plot.layout.layered.layered_layout`, so that 30 people still fit a
page with few crossing connectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .layered import layered_layout

__all__ = ["OrgChartLayout", "org_chart_layout"]

@dataclass
class OrgChartLayout:
    """Box centres and connector lines of an org chart, in box units.

    A box is 1 wide and 1 tall; ``y`` grows downwards (row 0 on top).

    Attributes
    ----------
    boxes : dict
        Person id -> ``(x, y)`` centre of the person's box.
    connectors : dict
        ``(superior, subordinate)`` -> polyline ``[(x, y), ...]`` from the bottom of the
        superior's box to the subordinate's box.
    width, height : float
        Extent of the chart (boxes span ``0..width`` and ``0..height``).
    crossings : int
        Connector crossings left by the layered layout.
    """

    boxes: dict[str, tuple[float, float]]
    connectors: dict[tuple[str, str], list[tuple[float, float]]]
    width: float
    height: float
    crossings: int


@dataclass(frozen=True, order=True)
class _Stack:
    """Subordinates of one superior stacked in columns (one node of the layered layout)."""

    superior: str
    members: tuple[str, ...] = field(compare=False)
    columns: int = field(compare=False)
    rows: int = field(compare=False)


def org_chart_layout(
    levels: Mapping[str, int],
    superiors: Mapping[str, str | None],
    *,
    stack_over: int = 4,
    stack_rows: int = 8,
    h_gap: float = 0.2,
    v_gap: float = 0.9,
    stack_gap: float = 0.25,
    below_all: int | None = None,
) -> OrgChartLayout:
    """Lay out a hierarchy top-down: superiors above, subordinates below, few crossings.

    Parameters
    ----------
    levels : mapping
        Person id -> level (0 = top). The mapping's order breaks ties (pass it sorted).
    superiors : mapping
        Person id -> id of the direct superior, or None.
    stack_over : int
        A superior with more than this many subordinates who have no subordinates of their own
        gets them as a vertical list (an indented column) instead of a wide row.
    stack_rows : int
        Most people per column of such a list; longer lists wrap into more columns. Lists
        with deeper levels below them wrap at half this, since the next level starts below
        the tallest list.
    h_gap, v_gap : float
        Horizontal space between boxes and vertical space between levels (in box units).
    stack_gap : float
        Vertical space between boxes of a list.
    below_all : int, optional
        Levels from this one on start below everything above them (a separate band, e.g.
        for people the hierarchy does not place); other levels may start higher where the
        columns above them are free.

    Returns
    -------
    OrgChartLayout

    Examples
    --------
    >>> lay = org_chart_layout({"boss": 0, "a": 1, "b": 1}, {"a": "boss", "b": "boss"})
    >>> lay.boxes["boss"][0] == (lay.boxes["a"][0] + lay.boxes["b"][0]) / 2
    True
    >>> lay.boxes["a"][1] > lay.boxes["boss"][1]
    True
    """
    ids = list(levels)
    known = set(ids)
    sup = {p: s for p, s in superiors.items() if p in known and s in known and s != p}
    children: dict[str, list[str]] = {p: [] for p in ids}
    for person in ids:
        boss = sup.get(person)
        if boss is not None:
            children[boss].append(person)

    # Depth-first order from the top gives a crossing-free start for a tree.
    start: list[str] = []
    visited: set[str] = set()

    def visit(person: str) -> None:
        stack = [person]
        while stack:
            p = stack.pop()
            if p in visited:
                continue
            visited.add(p)
            start.append(p)
            stack.extend(reversed(children[p]))

    for person in sorted(ids, key=lambda p: (levels[p], ids.index(p))):
        if sup.get(person) is None:
            visit(person)
    for person in ids:  # people inside a cycle of superiors
        visit(person)

    # Long lists of people without subordinates become stacks.
    stacked: dict[str, _Stack] = {}
    deepest = max(levels.values(), default=0)
    for boss in start:
        leaves = [c for c in children[boss] if not children[c]
                  and levels[c] == levels[boss] + 1]
        if len(leaves) > stack_over:
            most = stack_rows if levels[boss] + 1 == deepest else max(2, stack_rows // 2)
            columns = -(-len(leaves) // most)
            rows = -(-len(leaves) // columns)
            block = _Stack(boss, tuple(leaves), columns, rows)
            for member in leaves:
                stacked[member] = block
    indent = 0.18
    layer_nodes: dict[Any, int] = {}
    node_size: dict[Any, float] = {}
    for person in start:
        if person in stacked:
            block = stacked[person]
            layer_nodes.setdefault(block, levels[person])
            node_size[block] = block.columns * (1 + indent) + (block.columns - 1) * h_gap
        else:
            layer_nodes[person] = levels[person]
            node_size[person] = 1.0
    edges: list[tuple[Any, Any]] = []
    for person in start:
        boss = sup.get(person)
        if boss is None:
            continue
        child: Any = stacked.get(person, person)
        if (boss, child) not in edges:
            edges.append((boss, child))
    lay = layered_layout(layer_nodes, edges, sizes=node_size, gap=h_gap, centre="span")

    # Each level is a row; a row starts below the boxes and lists of the rows above that
    # share its columns (lines from the superiors included), so a long list only pushes
    # down what lies under it.
    level_values = sorted(set(layer_nodes.values()))
    # Per level: (x0, x1, height) of each box or list, and (x0, x1) of each line reaching it.
    items: dict[int, list[tuple[float, float, float]]] = {lv: [] for lv in level_values}
    spans: dict[int, list[tuple[float, float]]] = {lv: [] for lv in level_values}
    for node, lv in layer_nodes.items():
        x, half = lay.position[node], node_size[node] / 2
        tall = node.rows * (1 + stack_gap) - stack_gap if isinstance(node, _Stack) else 1.0
        items[lv].append((x - half, x + half, tall))
        boss = node.superior if isinstance(node, _Stack) else sup.get(node)
        if boss is not None and boss in lay.position:
            spans[lv].append((min(x, lay.position[boss]), max(x, lay.position[boss])))
    for route in lay.routes.values():
        for bend_x, bend_level in route[1:-1]:  # lines passing through a level
            items[bend_level].append((bend_x - 0.1, bend_x + 0.1, 1.0))
    top: dict[int, float] = {}
    placed: list[tuple[float, float, float]] = []  # x0, x1, bottom
    for i, lv in enumerate(level_values):
        y = 0.0 if i == 0 else top[level_values[i - 1]] + 1.0 + v_gap
        if below_all is not None and lv >= below_all and placed:
            y = max(y, max(bottom for _, _, bottom in placed) + v_gap)
        ranges = [(x0, x1) for x0, x1, _ in items[lv]] + spans[lv]
        for x0, x1 in ranges:
            for a0, a1, bottom in placed:
                if x0 < a1 and a0 < x1:
                    y = max(y, bottom + v_gap)
        top[lv] = y
        placed += [(x0, x1, y + tall) for x0, x1, tall in items[lv]]
    height = max((bottom for _, _, bottom in placed), default=0.0)

    boxes: dict[str, tuple[float, float]] = {}
    for node, lv in layer_nodes.items():
        x = lay.position[node]
        if isinstance(node, _Stack):
            left = x - node_size[node] / 2
            for i, member in enumerate(node.members):
                col, row = divmod(i, node.rows)
                cx = left + col * (1 + indent + h_gap) + indent + 0.5
                cy = top[lv] + row * (1 + stack_gap) + 0.5
                boxes[member] = (cx, cy)
        else:
            boxes[node] = (x, top[lv] + 0.5)

    connectors: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for person in start:
        boss = sup.get(person)
        if boss is None:
            continue
        bx, by = boxes[boss]
        px, py = boxes[person]
        start_pt = (bx, by + 0.5)
        if person in stacked:
            spine = px - 0.5 - indent / 2
            bus = top[levels[person]] - v_gap / 2
            connectors[(boss, person)] = [start_pt, (bx, bus), (spine, bus), (spine, py),
                                          (px - 0.5, py)]
            continue
        found = lay.routes.get((boss, person))
        if found is None or levels[person] <= levels[boss]:
            connectors[(boss, person)] = [start_pt, (px, py - 0.5)]
            continue
        route = found
        points = [start_pt]
        x_now = bx
        for next_x, next_level in route[1:]:
            bus = top[next_level] - v_gap / 2
            points += [(x_now, bus), (next_x, bus)]
            x_now = next_x
        points.append((px, py - 0.5))
        connectors[(boss, person)] = _drop_repeats(points)

    if below_all is not None:
        # The separate band starts at the left edge of the chart above it.
        band = {p for p in boxes if levels[p] >= below_all}
        main_left = min((boxes[p][0] for p in boxes if p not in band), default=None)
        band_left = min((boxes[p][0] for p in band), default=None)
        if main_left is not None and band_left is not None:
            shift = main_left - band_left
            boxes.update({p: (boxes[p][0] + shift, boxes[p][1]) for p in band})
            connectors = {edge: [(x + shift, y) for x, y in line] if edge[1] in band else line
                          for edge, line in connectors.items()}
        left = min((x - 0.5 for x, _ in boxes.values()), default=0.0)
        if left != 0.0:
            boxes = {p: (x - left, y) for p, (x, y) in boxes.items()}
            connectors = {edge: [(x - left, y) for x, y in line]
                          for edge, line in connectors.items()}
    width = max((x + 0.5 for x, _ in boxes.values()), default=0.0)
    return OrgChartLayout(boxes, connectors, width, height, lay.crossings)


def _drop_repeats(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    for p in points:
        if not kept or abs(kept[-1][0] - p[0]) > 1e-9 or abs(kept[-1][1] - p[1]) > 1e-9:
            kept.append(p)
    return kept

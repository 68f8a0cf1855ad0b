"""Node positions for crimegraph figures: pure computations, no matplotlib.

:func:`layered_layout` is a Sugiyama-style layered layout: nodes sit in given layers (tiers of
a supply chain, levels of a hierarchy), edges spanning several layers get bend points, the
order inside each layer is chosen to reduce edge crossings (barycenter sweeps down and up,
then swaps of neighbours), and positions along each layer keep nodes apart while pulling each
node towards its neighbours. :func:`org_chart_layout` builds an org chart on top of it, stacking
long lists of subordinates into columns so that 30 people still fit a page.

Everything here is deterministic: the same input gives the same positions.

References
----------
.. [1] K. Sugiyama, S. Tagawa and M. Toda, "Methods for visual understanding of hierarchical
   system structures", IEEE Trans. Systems, Man, and Cybernetics 11(2), 1981.
.. [2] E. R. Gansner, E. Koutsofios, S. C. North and K.-P. Vo, "A technique for drawing
   directed graphs", IEEE Trans. Software Engineering 19(3), 1993.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from ..errors import InvalidArgument

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

Node = Hashable
Edge = tuple[Node, Node]
N = TypeVar("N", bound=Hashable)


@dataclass(frozen=True, order=True)
class _Bend:
    """A bend point of an edge that spans several layers (a "dummy node")."""

    edge: tuple[Any, Any] = field(compare=False)
    index: int
    key: str


@dataclass
class LayeredLayout(Generic[N]):
    """Positions of a layered layout.

    Attributes
    ----------
    order : list of list
        Per layer (in increasing layer value), the nodes from first to last; bend points of long
        edges are left out.
    position : dict
        Node -> centre along its layer; the layout starts at 0 (the outer edge of the first
        node) and nodes keep ``gap`` between their edges.
    layer : dict
        Node -> layer value as given.
    routes : dict
        ``(u, v)`` -> the points ``(position, layer)`` the edge passes through, from ``u`` to
        ``v``, both ends included (two points for an edge between neighbouring layers).
    crossings : int
        Edge crossings between neighbouring layers in the chosen order.
    """

    order: list[list[N]]
    position: dict[N, float]
    layer: dict[N, int]
    routes: dict[tuple[N, N], list[tuple[float, int]]]
    crossings: int

    size: dict[N, float] = field(default_factory=dict)
    """Node -> extent along the layer."""

    @property
    def extent(self) -> float:
        """Length along the layers that the nodes use (from 0)."""
        return max((p + self.size.get(n, 1.0) / 2 for n, p in self.position.items()),
                   default=0.0)


def layered_layout(
    layers: Mapping[N, int],
    edges: Iterable[tuple[N, N]],
    *,
    weights: Mapping[tuple[N, N], float] | None = None,
    sizes: Mapping[N, float] | None = None,
    gap: float = 1.0,
    bend_size: float = 0.3,
    sweeps: int = 24,
    straighten: int = 10,
    centre: str = "mean",
) -> LayeredLayout[N]:
    """Place nodes in layers with few edge crossings (a Sugiyama-style layout).

    Parameters
    ----------
    layers : mapping
        Node -> layer (any integers; layers are drawn in increasing order). The mapping's order
        is the starting order inside each layer, so pass a sensible one (for instance a
        depth-first order of a tree, which has no crossings to begin with).
    edges : iterable of (u, v)
        Links to draw. Edges against the layer order are laid out as if reversed; edges inside
        a layer and self-loops do not affect the layout (their route is the two end points).
    weights : mapping, optional
        ``(u, v)`` -> weight: heavier edges pull their ends closer together.
    sizes : mapping, optional
        Node -> extent along the layer (1 when omitted).
    gap : float
        Free space between neighbouring nodes of a layer.
    bend_size : float
        Extent of an edge's bend point (less than a node so long edges pack tightly).
    sweeps : int
        Most down-and-up barycenter sweeps for crossing reduction.
    straighten : int
        Rounds of position refinement (each round pulls nodes towards their neighbours in the
        layer above, then below).
    centre : {"mean", "span"}
        Where a node is pulled: to the weighted mean of its neighbours' positions, or to the
        middle of the span they cover (a parent centred over its first and last child, as in
        an org chart).

    Returns
    -------
    LayeredLayout

    Examples
    --------
    >>> lay = layered_layout({"boss": 0, "a": 1, "b": 1, "xb": 2, "xa": 2, "z": 2},
    ...                      [("boss", "a"), ("boss", "b"), ("a", "xa"), ("b", "xb"),
    ...                       ("boss", "z")])
    >>> lay.order  # xa moved under a: no crossings left
    [['boss'], ['a', 'b'], ['xa', 'xb', 'z']]
    >>> lay.crossings
    0
    >>> len(lay.routes[("boss", "z")])  # a bend point in layer 1
    3
    """
    layer_of = {node: int(level) for node, level in layers.items()}
    levels = sorted(set(layer_of.values()))
    rank = {level: i for i, level in enumerate(levels)}
    weights = weights or {}
    sizes = sizes or {}

    # Split long edges into unit steps through bend points; orient every edge downwards.
    order: list[list[Node]] = [[] for _ in levels]
    for node, level in layer_of.items():
        order[rank[level]].append(node)
    node_rank: dict[Node, int] = {n: rank[lv] for n, lv in layer_of.items()}
    steps: list[tuple[Node, Node, float]] = []  # (upper, lower, weight) between ranks r, r+1
    chains: dict[Edge, list[Node]] = {}
    seen: set[Edge] = set()
    for u, v in edges:
        if (u, v) in seen:
            continue
        seen.add((u, v))
        if u not in layer_of or v not in layer_of:
            missing = u if u not in layer_of else v
            raise InvalidArgument(f"edge ({u!r}, {v!r}) names {missing!r}, which has no layer")
        w = float(weights.get((u, v), 1.0))
        ru, rv = node_rank[u], node_rank[v]
        if ru == rv:
            chains[(u, v)] = [u, v]
            continue
        top, bottom = (u, v) if ru < rv else (v, u)
        rt, rb = min(ru, rv), max(ru, rv)
        path: list[Node] = [top]
        for i, r in enumerate(range(rt + 1, rb)):
            bend = _Bend((u, v), i, f"{u!r}->{v!r}")
            node_rank[bend] = r
            order[r].append(bend)
            path.append(bend)
        path.append(bottom)
        for a, b in itertools.pairwise(path):
            steps.append((a, b, w))
        chains[(u, v)] = path if ru < rv else path[::-1]

    # Bend points start next to their upper end (placed after the real nodes of the layer).
    _initial_bend_order(order, steps)

    ups: dict[Node, list[tuple[Node, float]]] = {}
    downs: dict[Node, list[tuple[Node, float]]] = {}
    for a, b, w in steps:
        downs.setdefault(a, []).append((b, w))
        ups.setdefault(b, []).append((a, w))

    order = _reduce_crossings(order, ups, downs, sweeps)
    crossings = _total_crossings(order, downs)

    given: Mapping[Any, float] = sizes
    size = {n: (bend_size if isinstance(n, _Bend) else float(given.get(n, 1.0)))
            for layer in order for n in layer}
    if centre not in ("mean", "span"):
        raise InvalidArgument(f"centre={centre!r} must be 'mean' or 'span'")
    position = _assign_positions(order, ups, downs, size, gap, straighten, centre == "span")

    routes = {
        edge: [(position[n], _layer_value(n, node_rank, levels)) for n in path]
        for edge, path in chains.items()
    }
    real_order: list[list[Any]] = [[n for n in layer if not isinstance(n, _Bend)]
                                   for layer in order]
    real_routes: dict[Any, list[tuple[float, int]]] = routes
    return LayeredLayout(real_order, {n: position[n] for n in layer_of}, dict(layer_of),
                         real_routes, crossings, {n: size[n] for n in layer_of})


def _layer_value(node: Node, node_rank: Mapping[Node, int], levels: Sequence[int]) -> int:
    return levels[node_rank[node]]


def _initial_bend_order(order: list[list[Node]], steps: list[tuple[Node, Node, float]]) -> None:
    # Place each bend point right after the node above it, so sweeps start from a sane order.
    above = {b: a for a, b, _ in steps if isinstance(b, _Bend)}
    for r in range(1, len(order)):
        upper = {n: i for i, n in enumerate(order[r - 1])}
        real = [n for n in order[r] if not isinstance(n, _Bend)]
        bends = sorted((n for n in order[r] if isinstance(n, _Bend)),
                       key=lambda b: (upper.get(above.get(b), 0), b))
        order[r] = real + bends


def count_crossings(upper_pos: Sequence[float], lower_pos: Sequence[float]) -> int:
    """Number of crossing pairs among edges between two layers.

    Parameters
    ----------
    upper_pos, lower_pos : sequence of float
        For each edge, the position of its upper and its lower end.

    Examples
    --------
    >>> count_crossings([0, 1], [1, 0]), count_crossings([0, 0, 1], [0, 1, 1])
    (1, 0)
    """
    a = np.asarray(upper_pos, dtype=float)
    b = np.asarray(lower_pos, dtype=float)
    if a.size < 2:
        return 0
    return int(((a[:, None] < a[None, :]) & (b[:, None] > b[None, :])).sum())


def _total_crossings(order: list[list[Node]], downs: Mapping[Node, list[tuple[Node, float]]]
                     ) -> int:
    total = 0
    for r in range(len(order) - 1):
        lower = {n: i for i, n in enumerate(order[r + 1])}
        pairs = [(i, lower[b]) for i, a in enumerate(order[r]) for b, _ in downs.get(a, ())]
        if pairs:
            total += count_crossings([p[0] for p in pairs], [p[1] for p in pairs])
    return total


def _reduce_crossings(
    order: list[list[Node]], ups: Mapping[Node, list[tuple[Node, float]]],
    downs: Mapping[Node, list[tuple[Node, float]]], sweeps: int,
) -> list[list[Node]]:
    best = [list(layer) for layer in order]
    best_count = _total_crossings(best, downs)
    current = [list(layer) for layer in order]
    stale = 0
    for sweep in range(sweeps):
        if best_count == 0:
            break
        downward = sweep % 2 == 0
        ranks = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
        for r in ranks:
            fixed = current[r - 1] if downward else current[r + 1]
            neighbours = ups if downward else downs
            current[r] = _by_barycenter(current[r], fixed, neighbours)
        _transpose(current, ups, downs)
        count = _total_crossings(current, downs)
        if count < best_count:
            best, best_count, stale = [list(layer) for layer in current], count, 0
        else:
            stale += 1
            if stale >= 4:
                break
    return best


def _by_barycenter(layer: list[Node], fixed: list[Node],
                   neighbours: Mapping[Node, list[tuple[Node, float]]]) -> list[Node]:
    where = {n: i for i, n in enumerate(fixed)}
    scale = (len(fixed) - 1) / max(len(layer) - 1, 1)
    keys = []
    for i, node in enumerate(layer):
        links = [(where[m], w) for m, w in neighbours.get(node, ()) if m in where]
        if links:
            total = sum(w for _, w in links)
            bary = sum(p * w for p, w in links) / total
        else:  # no neighbour on that side: keep its relative place
            bary = i * scale
        keys.append((bary, i))
    return [layer[i] for _, i in sorted(keys)]


def _transpose(order: list[list[Node]], ups: Mapping[Node, list[tuple[Node, float]]],
               downs: Mapping[Node, list[tuple[Node, float]]]) -> None:
    # Swap neighbours inside a layer while that removes crossings with the layers around it.
    for _ in range(4):
        improved = False
        for r, layer in enumerate(order):
            above = {n: i for i, n in enumerate(order[r - 1])} if r > 0 else {}
            below = {n: i for i, n in enumerate(order[r + 1])} if r + 1 < len(order) else {}
            for i in range(len(layer) - 1):
                u, v = layer[i], layer[i + 1]
                before = _pair_crossings(u, v, ups, above) + _pair_crossings(u, v, downs, below)
                after = _pair_crossings(v, u, ups, above) + _pair_crossings(v, u, downs, below)
                if after < before:
                    layer[i], layer[i + 1] = v, u
                    improved = True
        if not improved:
            return


def _pair_crossings(u: Node, v: Node, neighbours: Mapping[Node, list[tuple[Node, float]]],
                    where: Mapping[Node, int]) -> int:
    # Crossings between the edges of u and of v when u is left of v.
    pu = [where[m] for m, _ in neighbours.get(u, ()) if m in where]
    pv = [where[m] for m, _ in neighbours.get(v, ()) if m in where]
    return sum(1 for a in pu for b in pv if a > b)


def place_in_order(desired: Sequence[float], sizes: Sequence[float], gap: float,
                   weights: Sequence[float] | None = None) -> list[float]:
    """Positions closest to ``desired`` (least squares) that keep the order and spacing.

    Neighbours ``i`` and ``i + 1`` end up at least ``(sizes[i] + sizes[i+1]) / 2 + gap``
    apart. Solved exactly as an isotonic regression (pool adjacent violators).

    Examples
    --------
    >>> place_in_order([0.0, 0.0, 5.0], [1, 1, 1], gap=1.0)
    [-1.0, 1.0, 5.0]
    """
    n = len(desired)
    if n == 0:
        return []
    w = [1.0] * n if weights is None else [float(x) for x in weights]
    offset = [0.0] * n
    for i in range(1, n):
        offset[i] = offset[i - 1] + (sizes[i - 1] + sizes[i]) / 2 + gap
    target = [float(d) - o for d, o in zip(desired, offset, strict=True)]
    # Blocks of pooled values: [weighted mean, total weight, count].
    blocks: list[list[float]] = []
    for t, wt in zip(target, w, strict=True):
        blocks.append([t, wt, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    y: list[float] = []
    for mean, _, count in blocks:
        y.extend([mean] * int(count))
    return [yi + o for yi, o in zip(y, offset, strict=True)]


def _assign_positions(
    order: list[list[Node]], ups: Mapping[Node, list[tuple[Node, float]]],
    downs: Mapping[Node, list[tuple[Node, float]]], size: Mapping[Node, float], gap: float,
    rounds: int, span: bool,
) -> dict[Node, float]:
    def spacing(a: Node, b: Node) -> float:
        # Bend points may pass closer to each other than real nodes.
        both_bends = isinstance(a, _Bend) and isinstance(b, _Bend)
        return gap * (0.3 if both_bends else 1.0)

    pos: dict[Node, float] = {}
    for layer in order:  # packed and centred on 0
        xs = _packed(layer, size, spacing)
        shift = (xs[0] + xs[-1]) / 2 if xs else 0.0
        pos.update({n: x - shift for n, x in zip(layer, xs, strict=True)})

    def relax(r: int, neighbours: Mapping[Node, list[tuple[Node, float]]]) -> None:
        layer = order[r]
        if not layer:
            return
        desired, weight = [], []
        for node in layer:
            links = neighbours.get(node, ())
            if links and span:
                xs = [pos[m] for m, _ in links]
                desired.append((min(xs) + max(xs)) / 2)
                weight.append(len(links) + (2.0 if isinstance(node, _Bend) else 0.0))
            elif links:
                total = sum(w for _, w in links)
                desired.append(sum(pos[m] * w for m, w in links) / total)
                # Bend points weigh more so long edges run straight.
                weight.append(len(links) + (2.0 if isinstance(node, _Bend) else 0.0))
            else:
                desired.append(pos[node])
                weight.append(0.5)
        gaps = [spacing(a, b) for a, b in itertools.pairwise(layer)]
        placed = _place_with_gaps(desired, [size[n] for n in layer], gaps, weight)
        pos.update(zip(layer, placed, strict=True))

    for _ in range(rounds):
        for r in range(1, len(order)):
            relax(r, ups)
        for r in range(len(order) - 2, -1, -1):
            relax(r, downs)
    lowest = min((pos[n] - size[n] / 2 for n in pos), default=0.0)
    return {n: round(pos[n] - lowest, 9) for n in pos}


def _packed(layer: list[Node], size: Mapping[Node, float],
            spacing: Any) -> list[float]:
    xs: list[float] = []
    for i, node in enumerate(layer):
        if i == 0:
            xs.append(0.0)
        else:
            prev = layer[i - 1]
            xs.append(xs[-1] + (size[prev] + size[node]) / 2 + spacing(prev, node))
    return xs


def _place_with_gaps(desired: Sequence[float], sizes: Sequence[float], gaps: Sequence[float],
                     weights: Sequence[float]) -> list[float]:
    # place_in_order with a gap per neighbour pair: fold the gap differences into the sizes'
    # offsets by solving on shifted targets.
    n = len(desired)
    offset = [0.0] * n
    for i in range(1, n):
        offset[i] = offset[i - 1] + (sizes[i - 1] + sizes[i]) / 2 + gaps[i - 1]
    zero = [0.0] * n
    shifted = [d - o for d, o in zip(desired, offset, strict=True)]
    y = place_in_order(shifted, zero, 0.0, weights)
    return [yi + o for yi, o in zip(y, offset, strict=True)]


# -- org charts -----------------------------------------------------------------------------

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


# -- networks and labels ----------------------------------------------------------------------

def spring_positions(
    nodes: Iterable[str],
    ties: Iterable[tuple[str, str, float]],
    *,
    seed: int = 0,
    iterations: int = 200,
) -> dict[str, tuple[float, float]]:
    """Seeded force-directed positions (networkx ``spring_layout``) in the unit square.

    Nodes and ties are sorted first, so the positions do not depend on the order the network
    was built in. Tie strengths enter as ``log(1 + weight)``: 40 calls pull harder than 2, but
    not 20 times as hard.

    Parameters
    ----------
    nodes : iterable of str
    ties : iterable of (u, v, weight)
    seed : int
        Seed of the initial positions: the same seed gives the same picture.
    iterations : int
        Steps of the force simulation.

    Returns
    -------
    dict
        Node -> ``(x, y)`` with both coordinates in ``0..1``.

    Examples
    --------
    >>> pos = spring_positions(["a", "b", "c"], [("a", "b", 3.0), ("b", "c", 1.0)], seed=1)
    >>> pos == spring_positions(["c", "b", "a"], [("b", "c", 1.0), ("a", "b", 3.0)], seed=1)
    True
    """
    import math

    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(nodes)))
    merged: dict[tuple[str, str], float] = {}
    for u, v, w in ties:
        if u == v:
            continue
        key = (u, v) if u <= v else (v, u)
        merged[key] = merged.get(key, 0.0) + max(float(w), 0.0)
    for (u, v), w in sorted(merged.items()):
        graph.add_edge(u, v, strength=math.log1p(w) if w > 0 else 0.1)
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.5, 0.5)}
    if graph.number_of_nodes() >= _LARGE_NETWORK:
        raw = _igraph_positions(graph, seed)
    else:
        raw = nx.spring_layout(graph, seed=seed, weight="strength", iterations=iterations)
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-12)
    x0 = (max(xs) + min(xs)) / 2 - span / 2
    y0 = (max(ys) + min(ys)) / 2 - span / 2
    return {str(n): (round((float(p[0]) - x0) / span, 9), round((float(p[1]) - y0) / span, 9))
            for n, p in raw.items()}


_LARGE_NETWORK = 500
"""From this many nodes on, positions come from igraph's Fruchterman-Reingold (in C, a few
seconds for a thousand nodes) instead of networkx's, which takes about a minute there."""


def _igraph_positions(graph: Any, seed: int) -> dict[Any, tuple[float, float]]:
    """Seeded Fruchterman-Reingold positions from igraph, deterministic for a seed."""
    import random

    import igraph

    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges]
    weights = [float(w) for _, _, w in graph.edges(data="strength", default=1.0)]
    g = igraph.Graph(n=len(nodes), edges=edges)
    start = np.random.default_rng(seed).random((len(nodes), 2)).tolist()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = g.layout_fruchterman_reingold(seed=start, niter=500, grid=False,
                                               weights=weights or None).coords
    finally:
        igraph.set_random_number_generator(random)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, coords, strict=True)}


_LABEL_SPOTS = ("below", "above", "right", "left", "below right", "above right",
                "below left", "above left")


def place_labels(
    anchors: Mapping[str, tuple[float, float]],
    sizes: Mapping[str, tuple[float, float]],
    radii: Mapping[str, float],
    order: Sequence[str],
    *,
    keep_all: bool = False,
    margin: float = 0.02,
    far: int = 0,
    rings: int = 3,
) -> dict[str, tuple[float, float, str, str]]:
    """Spots for node labels that overlap neither each other nor the nodes (greedy).

    Labels are placed in ``order`` (most important first); each takes the first free spot
    around its node: below, above, right, left, then the diagonals.

    Parameters
    ----------
    anchors : mapping
        Node -> ``(x, y)`` centre, in inches.
    sizes : mapping
        Node -> ``(width, height)`` of its label, in inches.
    radii : mapping
        Node -> radius of its marker, in inches.
    order : sequence of str
        The nodes to label, most important first.
    keep_all : bool
        Give a node whose spots are all taken its first spot anyway (else it gets no label).
    margin : float
        Free space around labels, in inches.
    far : int
        The first ``far`` nodes of ``order`` (the most important) may also take spots
        further out, ``rings`` label heights beyond the node at most, when all spots next to
        it are taken; and they keep their first spot when even those are taken. Draw a
        leader line for labels placed away from their node.
    rings : int
        How many label heights further out those spots go.

    Returns
    -------
    dict
        Node -> ``(dx, dy, ha, va)``: the label's offset from the node centre in inches and
        its alignment, for the labelled nodes.

    Examples
    --------
    >>> spots = place_labels({"a": (0, 0), "b": (0, -0.3)}, {"a": (1, 0.2), "b": (1, 0.2)},
    ...                      {"a": 0.05, "b": 0.05}, ["a", "b"])
    >>> spots["a"][3], spots["b"][3]  # below a there is no room: b sits there
    ('bottom', 'top')
    """
    boxes: list[tuple[float, float, float, float]] = []
    discs = [(anchors[n][0], anchors[n][1], radii.get(n, 0.0)) for n in anchors]
    placed: dict[str, tuple[float, float, str, str]] = {}
    for index, node in enumerate(order):
        x, y = anchors[node]
        w, h = sizes[node]
        r = radii.get(node, 0.0) + margin
        first: tuple[tuple[float, float, str, str], tuple[float, float, float, float]] | None
        first = None
        chosen = None
        important = index < far
        reach = [r + i * (h + margin) for i in range(rings + 1 if important else 1)]
        for distance in reach:
            for spot in _LABEL_SPOTS:
                dx, dy, ha, va = _spot(spot, distance)
                box = _label_box(x + dx, y + dy, w, h, ha, va)
                if first is None:
                    first = ((dx, dy, ha, va), box)
                if _free(box, boxes, discs, margin):
                    chosen = ((dx, dy, ha, va), box)
                    break
            if chosen is not None:
                break
        if chosen is None and (keep_all or important):
            chosen = first
        if chosen is not None:
            placed[node] = chosen[0]
            boxes.append(chosen[1])
    return placed


def _spot(spot: str, r: float) -> tuple[float, float, str, str]:
    diagonal = r * 0.75
    return {
        "below": (0.0, -r, "center", "top"),
        "above": (0.0, r, "center", "bottom"),
        "right": (r, 0.0, "left", "center"),
        "left": (-r, 0.0, "right", "center"),
        "below right": (diagonal, -diagonal, "left", "top"),
        "above right": (diagonal, diagonal, "left", "bottom"),
        "below left": (-diagonal, -diagonal, "right", "top"),
        "above left": (-diagonal, diagonal, "right", "bottom"),
    }[spot]


def _label_box(x: float, y: float, w: float, h: float, ha: str, va: str
               ) -> tuple[float, float, float, float]:
    left = x - w / 2 if ha == "center" else (x if ha == "left" else x - w)
    bottom = y - h / 2 if va == "center" else (y if va == "bottom" else y - h)
    return left, bottom, left + w, bottom + h


def _free(box: tuple[float, float, float, float], boxes: list[tuple[float, float, float, float]],
          discs: list[tuple[float, float, float]], margin: float) -> bool:
    x0, y0, x1, y1 = box
    for a0, b0, a1, b1 in boxes:
        if x0 < a1 + margin and a0 < x1 + margin and y0 < b1 + margin and b0 < y1 + margin:
            return False
    for cx, cy, r in discs:
        nearest_x = min(max(cx, x0), x1)
        nearest_y = min(max(cy, y0), y1)
        if (nearest_x - cx) ** 2 + (nearest_y - cy) ** 2 < r * r:
            return False
    return True

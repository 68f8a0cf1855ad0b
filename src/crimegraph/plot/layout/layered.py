"""Sugiyama-style layered layout: nodes in given layers, few edge crossings.

:func:`layered_layout` places nodes in given layers (tiers of a supply chain, levels of a
hierarchy); edges spanning several layers get bend points, the order inside each layer is
chosen to reduce edge crossings (barycenter sweeps down and up, then swaps of neighbours), and
positions along each layer keep nodes apart while pulling each node towards its neighbours.

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

from ...errors import InvalidArgument

__all__ = ["LayeredLayout", "Node", "count_crossings", "layered_layout", "place_in_order"]

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

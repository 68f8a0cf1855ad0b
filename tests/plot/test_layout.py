"""Layouts: positions only, no drawing."""

from __future__ import annotations

import itertools
import random

import pytest

from crimegraph.plot.layout import (
    count_crossings,
    layered_layout,
    org_chart_layout,
    place_in_order,
    place_labels,
    spring_positions,
)


def crossings_of(lay, edges) -> int:
    """Crossings of the drawn layout, counted from scratch on the positions."""
    total = 0
    for (a, b), (c, d) in itertools.combinations(edges, 2):
        if lay.layer[a] != lay.layer[c] or lay.layer[b] != lay.layer[d]:
            continue
        if lay.layer[b] - lay.layer[a] != 1:
            continue
        if (lay.position[a] - lay.position[c]) * (lay.position[b] - lay.position[d]) < 0:
            total += 1
    return total


def test_barycenter_sweeps_untangle_a_crossed_start() -> None:
    # Shops listed against their distributors: 3 crossings in the given order.
    layers = {"den": 0, "d1": 1, "d2": 1, "d3": 1, "s3": 2, "s2": 2, "s1": 2}
    edges = [("den", "d1"), ("den", "d2"), ("den", "d3"), ("d1", "s1"), ("d2", "s2"),
             ("d3", "s3")]
    lay = layered_layout(layers, edges)
    assert lay.crossings == 0
    assert crossings_of(lay, edges) == 0
    assert lay.order[1] == ["d1", "d2", "d3"]
    assert lay.order[2] == ["s1", "s2", "s3"]


def test_crossing_reduction_beats_the_start_order_on_random_layered_graphs() -> None:
    rng = random.Random(7)
    for _ in range(20):
        layers = {f"n{layer}_{i}": layer for layer in range(4) for i in range(6)}
        edges = sorted({(f"n{layer}_{rng.randrange(6)}", f"n{layer + 1}_{rng.randrange(6)}")
                        for layer in range(3) for _ in range(8)})
        before = layered_layout(layers, edges, sweeps=0).crossings
        after = layered_layout(layers, edges).crossings
        assert after <= before
        lay = layered_layout(layers, edges)
        assert crossings_of(lay, edges) == lay.crossings


def test_long_edges_bend_through_the_layers_between() -> None:
    lay = layered_layout({"a": 0, "b": 1, "c": 3}, [("a", "b"), ("a", "c")])
    route = lay.routes[("a", "c")]
    assert [layer for _, layer in route] == [0, 1, 3]
    assert route[0][0] == lay.position["a"] and route[-1][0] == lay.position["c"]
    assert lay.routes[("a", "b")] == [(lay.position["a"], 0), (lay.position["b"], 1)]


def test_edges_against_the_layers_and_inside_a_layer_are_routed() -> None:
    lay = layered_layout({"a": 0, "b": 1, "c": 1}, [("b", "a"), ("b", "c"), ("a", "b")])
    assert [layer for _, layer in lay.routes[("b", "a")]] == [1, 0]
    assert len(lay.routes[("b", "c")]) == 2


def test_nodes_keep_their_spacing() -> None:
    layers = {f"x{i}": 0 for i in range(5)} | {"top": -1}
    edges = [("top", f"x{i}") for i in range(5)]
    lay = layered_layout(layers, edges, sizes={"x2": 3.0}, gap=0.5)
    xs = [lay.position[n] for n in lay.order[1]]
    sizes = [lay.size[n] for n in lay.order[1]]
    for i in range(4):
        assert xs[i + 1] - xs[i] >= (sizes[i] + sizes[i + 1]) / 2 + 0.5 - 1e-9
    assert min(lay.position[n] - lay.size[n] / 2 for n in layers) == pytest.approx(0.0)
    # The parent sits over the middle of its children.
    assert lay.position["top"] == pytest.approx((xs[0] + xs[-1]) / 2)


def test_layered_layout_is_deterministic() -> None:
    layers = {f"n{i}": i % 3 for i in range(12)}
    edges = [(f"n{i}", f"n{j}") for i in range(12) for j in range(12) if (i * j) % 5 == 1
             and layers[f"n{j}"] == layers[f"n{i}"] + 1]
    first = layered_layout(layers, edges)
    second = layered_layout(layers, edges)
    assert first.position == second.position and first.order == second.order


def test_unknown_node_in_an_edge_is_named() -> None:
    with pytest.raises(ValueError, match="'ghost'"):
        layered_layout({"a": 0}, [("a", "ghost")])


def test_count_crossings() -> None:
    assert count_crossings([0, 1, 2], [2, 1, 0]) == 3
    assert count_crossings([0, 0], [1, 0]) == 0  # shared end: no crossing


def test_place_in_order_is_the_closest_spaced_placement() -> None:
    assert place_in_order([0.0, 0.0, 0.0], [1, 1, 1], gap=1.0) == [-2.0, 0.0, 2.0]
    assert place_in_order([5.0, 0.0], [1, 1], gap=0.0) == [2.0, 3.0]
    assert place_in_order([0.0, 10.0], [1, 1], gap=1.0) == [0.0, 10.0]
    assert place_in_order([], [], gap=1.0) == []


def test_org_chart_boss_on_top_and_centred() -> None:
    levels = {"boss": 0, "a": 1, "b": 1, "c": 1, "a1": 2, "a2": 2}
    sup = {"a": "boss", "b": "boss", "c": "boss", "a1": "a", "a2": "a"}
    lay = org_chart_layout(levels, sup)
    ys = {p: y for p, (_, y) in lay.boxes.items()}
    assert ys["boss"] < ys["a"] == ys["b"] == ys["c"] < ys["a1"] == ys["a2"]
    xs = [lay.boxes[p][0] for p in ("a", "b", "c")]
    assert lay.boxes["boss"][0] == pytest.approx((min(xs) + max(xs)) / 2)
    assert lay.boxes["a"][0] == pytest.approx((lay.boxes["a1"][0] + lay.boxes["a2"][0]) / 2)
    assert set(lay.connectors) == {(s, p) for p, s in sup.items()}
    assert lay.crossings == 0
    # Connectors run from the bottom of the superior to the top of the subordinate.
    start, *_, end = lay.connectors[("boss", "b")]
    assert start == (lay.boxes["boss"][0], ys["boss"] + 0.5)
    assert end == (lay.boxes["b"][0], ys["b"] - 0.5)


def test_org_chart_stacks_long_lists_of_subordinates() -> None:
    levels = {"boss": 0, **{f"w{i}": 1 for i in range(10)}}
    sup = {f"w{i}": "boss" for i in range(10)}
    lay = org_chart_layout(levels, sup, stack_over=4, stack_rows=6)
    columns = sorted({round(x, 6) for p, (x, _) in lay.boxes.items() if p != "boss"})
    assert len(columns) == 2  # 10 people in 2 columns of at most 6
    assert lay.width < 4  # instead of 10 boxes side by side
    rows = sorted({round(y, 6) for p, (_, y) in lay.boxes.items() if p != "boss"})
    assert len(rows) == 5
    # No two boxes overlap.
    boxes = list(lay.boxes.values())
    for (x1, y1), (x2, y2) in itertools.combinations(boxes, 2):
        assert abs(x1 - x2) >= 1 - 1e-9 or abs(y1 - y2) >= 1 - 1e-9


def test_org_chart_without_stacking_keeps_a_row() -> None:
    levels = {"boss": 0, **{f"w{i}": 1 for i in range(6)}}
    sup = {f"w{i}": "boss" for i in range(6)}
    lay = org_chart_layout(levels, sup, stack_over=10)
    assert len({y for p, (_, y) in lay.boxes.items() if p != "boss"}) == 1


def test_spring_positions_are_seeded_and_order_free() -> None:
    nodes = [f"p{i}" for i in range(12)]
    ties = [(f"p{i}", f"p{(i * 5) % 12}", float(i + 1)) for i in range(12)]
    first = spring_positions(nodes, ties, seed=3)
    assert first == spring_positions(list(reversed(nodes)), list(reversed(ties)), seed=3)
    assert first != spring_positions(nodes, ties, seed=4)
    coords = [c for xy in first.values() for c in xy]
    assert min(coords) >= 0.0 and max(coords) <= 1.0
    assert spring_positions([], []) == {}
    assert spring_positions(["solo"], []) == {"solo": (0.5, 0.5)}


def test_place_labels_avoids_overlaps() -> None:
    anchors = {f"n{i}": (0.3 * (i % 4), 0.25 * (i // 4)) for i in range(12)}
    sizes = dict.fromkeys(anchors, (0.5, 0.12))
    radii = dict.fromkeys(anchors, 0.04)
    spots = place_labels(anchors, sizes, radii, sorted(anchors))
    assert spots  # most get a label
    boxes = []
    for node, (dx, dy, ha, va) in spots.items():
        x, y = anchors[node][0] + dx, anchors[node][1] + dy
        w, h = sizes[node]
        left = x - w / 2 if ha == "center" else (x if ha == "left" else x - w)
        bottom = y - h / 2 if va == "center" else (y if va == "bottom" else y - h)
        boxes.append((left, bottom, left + w, bottom + h))
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    every = place_labels(anchors, sizes, radii, sorted(anchors), keep_all=True)
    assert set(every) == set(anchors)

"""Label placement: spots beside nodes where labels overlap neither each other nor nodes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["place_labels"]

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

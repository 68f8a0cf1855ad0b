"""The analyst's identity decisions in a case: ``same_as`` clusters, the links that join two
records, and decisions that contradict each other.

A ``not_same_as`` link says two records are two actors. When ``same_as`` links join them
anyway (directly or through other records), the decisions contradict each other: neither
:meth:`Matches.accept` / :meth:`Matches.reject` writes such a state, and :func:`resolve`
refuses to merge it silently.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Iterable

from ...errors import InvalidArgument
from ...model import Relationship
from ...model.links import DECISION_KINDS

__all__ = ["check_decisions", "decision_id", "decisions_between", "same_as_clusters",
           "same_as_path"]

_LONGEST_ID = 200
"""The longest id a record may have (``model.entities.EntityId``)."""
_KEPT = 80
"""Characters of each record id kept in a shortened decision id."""


def decision_id(kind: str, left: str, right: str) -> str:
    """The id of the decision link on a pair: ``SAME-<left>-<right>`` or
    ``NOT-SAME-<left>-<right>``; when that is longer than an id may be (records with long ids,
    such as ingested addresses), both ids are cut short and a hash of the pair keeps it unique:
    ``SAME-<left…>-<right…>-<12 hex digits>``.

    Examples
    --------
    >>> decision_id("same_as", "P1", "P2")
    'SAME-P1-P2'
    >>> long = decision_id("not_same_as", "addr:" + "x" * 150, "addr:" + "y" * 150)
    >>> len(long) <= 200, long[:18], long[-13:-12]
    (True, 'NOT-SAME-addr:xxxx', '-')
    """
    prefix = "SAME" if kind == "same_as" else "NOT-SAME"
    full = f"{prefix}-{left}-{right}"
    if len(full) <= _LONGEST_ID:
        return full
    digest = hashlib.sha1(f"{left}\x00{right}".encode()).hexdigest()[:12]
    return f"{prefix}-{left[:_KEPT].rstrip()}-{right[:_KEPT].rstrip()}-{digest}"


def decisions_between(links: Iterable[Relationship]) -> dict[tuple[str, str], list[Relationship]]:
    """Per pair of record ids (in id order), the decision links between them."""
    found: dict[tuple[str, str], list[Relationship]] = defaultdict(list)
    for link in links:
        if link.kind in DECISION_KINDS:
            a, b = sorted((link.source, link.target))
            found[(a, b)].append(link)
    return dict(found)


def same_as_clusters(links: Iterable[Relationship]) -> dict[str, list[str]]:
    """Clusters of record ids joined by ``same_as`` links (union-find), two or more each, keyed
    by their smallest id."""
    from networkx.utils import UnionFind

    clusters = UnionFind()
    for link in links:
        if link.kind == "same_as":
            clusters.union(link.source, link.target)
    return {min(ids): sorted(ids) for ids in clusters.to_sets() if len(ids) > 1}


def same_as_path(links: Iterable[Relationship], start: str, end: str) -> list[Relationship]:
    """The fewest ``same_as`` links that join ``start`` to ``end`` (empty when none do)."""
    around: dict[str, list[tuple[str, Relationship]]] = defaultdict(list)
    for link in links:
        if link.kind == "same_as":
            around[link.source].append((link.target, link))
            around[link.target].append((link.source, link))
    came: dict[str, tuple[str, Relationship] | None] = {start: None}
    todo = deque([start])
    while todo:
        node = todo.popleft()
        if node == end:
            break
        for other, link in sorted(around[node], key=lambda x: (x[0], x[1].id)):
            if other not in came:
                came[other] = (node, link)
                todo.append(other)
    if end not in came or start == end:
        return []
    path: list[Relationship] = []
    node = end
    while (step := came[node]) is not None:
        node, link = step
        path.append(link)
    return path[::-1]


def _described(link: Relationship) -> str:
    said = [str(link.attributes[key]) for key in ("decided_by", "decided_at")
            if link.attributes.get(key) is not None]
    reason = link.attributes.get("reason")
    if reason is not None:
        said.append(repr(str(reason)))
    return f"{link.id!r} ({link.source} - {link.target}{', ' if said else ''}{', '.join(said)})"


def check_decisions(links: Iterable[Relationship]) -> None:
    """Raise when a ``not_same_as`` link joins two records that ``same_as`` links make one
    actor; the message names the rejected pair, its link and the ``same_as`` links that join
    the two records.

    Raises
    ------
    InvalidArgument
        On the first contradiction (in link id order).
    """
    links = list(links)
    clusters = same_as_clusters(links)
    cluster_of = {rid: root for root, ids in clusters.items() for rid in ids}
    for link in sorted(links, key=lambda r: r.id):
        if link.kind != "not_same_as":
            continue
        root = cluster_of.get(link.source)
        if root is None or root != cluster_of.get(link.target):
            continue
        path = same_as_path(links, link.source, link.target)
        raise InvalidArgument(
            f"records {link.source!r} and {link.target!r} were rejected as one actor "
            f"(not_same_as link {_described(link)}) but same_as links join them: "
            + "; ".join(_described(step) for step in path)
            + ". Remove the not_same_as link or one of these same_as links "
            "(matches.undo((left, right)) removes a decision), then resolve again")

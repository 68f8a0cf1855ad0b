"""Groups: the cells, gangs and crews of a network, found by community detection.

Groups are numbered 0, 1, 2... from the largest down (ties: the group holding the smaller
id first), so the same network and seed always give the same numbers.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import InvalidArgument
from ..model import Case
from ..store.graph import CaseGraph
from .social import Ties, resolve_ties

if TYPE_CHECKING:
    import igraph
    import networkx as nx
    import pandas as pd

__all__ = ["GROUP_METHODS", "Groups", "find_groups"]

Method = Literal["louvain", "label_propagation", "greedy_modularity"]
GROUP_METHODS: tuple[str, ...] = Method.__args__  # type: ignore[attr-defined]


class Groups:
    """The result of :func:`find_groups`.

    Attributes
    ----------
    groups : pandas.DataFrame
        Columns ``id``, ``name``, ``group``; sorted by group, then id.
    modularity : float
        Modularity of the partition (as ``networkx.community.modularity`` with the same
        weights and resolution); NaN when the network has no ties.
    method : str
    seed : int
    resolution : float
    """

    def __init__(self, groups: pd.DataFrame, modularity: float, *, method: str, seed: int,
                 resolution: float) -> None:
        self.groups = groups
        self.modularity = modularity
        self.method = method
        self.seed = seed
        self.resolution = resolution

    @property
    def sizes(self) -> list[int]:
        """Number of members of group 0, 1, 2..."""
        return [int(c) for c in np.bincount(self.groups["group"].to_numpy(dtype=np.int64))]

    def members(self, group: int) -> list[str]:
        """Ids of the members of one group, sorted."""
        if not 0 <= group < len(self):
            raise InvalidArgument(f"group={group!r} does not exist; groups are 0..{len(self) - 1}")
        return [str(node) for node in
                self.groups.loc[self.groups["group"] == group, "id"].tolist()]

    def group_of(self, node: str) -> int:
        """The group number of one node."""
        found = self.groups.loc[self.groups["id"] == node, "group"]
        if found.empty:
            raise KeyError(f"{node!r} is not a node of this network")
        return int(found.iloc[0])

    def as_sets(self) -> list[set[str]]:
        """The groups as sets of ids, group 0 first (the shape networkx's functions return)."""
        return [set(self.members(i)) for i in range(len(self))]

    def __len__(self) -> int:
        return len(self.sizes)

    def __repr__(self) -> str:
        return (f"<Groups {self.method} (seed {self.seed}): {len(self)} groups, sizes "
                f"{self.sizes[:8]}{'...' if len(self) > 8 else ''}, "
                f"modularity {self.modularity:.3f}>")


def find_groups(
    graph: CaseGraph | Case | nx.Graph,
    method: Method = "louvain",
    seed: int = 0,
    *,
    resolution: float = 1.0,
    weighted: bool = True,
) -> Groups:
    """Split the network into groups that are tied more among themselves than to others.

    Parameters
    ----------
    graph : CaseGraph, Case or networkx.Graph
        The case (its :func:`~crimegraph.social_network`) or a network of your own.
    method : {"louvain", "label_propagation", "greedy_modularity"}
        ``louvain``: multilevel modularity optimisation (igraph's, fast on large networks);
        ``label_propagation``: networkx's asynchronous label propagation;
        ``greedy_modularity``: networkx's Clauset-Newman-Moore agglomeration (deterministic,
        slow beyond a few thousand nodes).
    seed : int
        Seed of the random choices of louvain and label propagation: the same seed gives
        the same groups.
    resolution : float
        Above 1: more, smaller groups; below 1: fewer, larger ones (louvain and greedy
        modularity; label propagation ignores it but the modularity reported uses it).
    weighted : bool
        Use tie strength (edge ``weight``).

    Returns
    -------
    Groups
        ``.groups`` (id, name, group), ``.modularity``, ``.sizes``, ``.members(i)``.

    Raises
    ------
    ValueError
        If ``method`` is unknown or ``resolution`` is not a positive number.

    Notes
    -----
    igraph's Louvain draws from igraph's random number generator, which is Python's
    ``random`` module by default; it is set to ``random.Random(seed)`` for the call and
    then back to the ``random`` module, so seeding does not disturb the caller's own random
    state. Nodes without ties form groups of their own.

    Examples
    --------
    >>> import crimegraph as cg
    >>> calls = [("A1", "A2"), ("A1", "A3"), ("A2", "A3"), ("B1", "B2"), ("B1", "B3"),
    ...          ("B2", "B3"), ("A3", "B1")]
    >>> case = cg.Case(
    ...     persons=[cg.Person(id=p, name=p) for p in ("A1", "A2", "A3", "B1", "B2", "B3")],
    ...     relationships=[cg.Relationship(id=f"R{i}", kind="calls", source=a, target=b)
    ...                    for i, (a, b) in enumerate(calls)])
    >>> found = cg.find_groups(case)
    >>> found.members(0), found.members(1)
    (['A1', 'A2', 'A3'], ['B1', 'B2', 'B3'])
    >>> round(found.modularity, 4)
    0.3571
    """
    import pandas as pd

    if method not in GROUP_METHODS:
        raise InvalidArgument(
            f"method={method!r} is unknown; use one of {', '.join(GROUP_METHODS)}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, float)) \
            or not resolution > 0:
        raise InvalidArgument(f"resolution={resolution!r} must be a number greater than 0")
    ties = resolve_ties(graph)
    g = ties.to_igraph()
    n = g.vcount()
    weights = "weight" if weighted and g.ecount() else None
    if n == 0:
        membership = np.zeros(0, dtype=np.int64)
    elif method == "louvain":
        membership = louvain(g, seed=seed, resolution=float(resolution), weights=weights)
    else:
        membership = _networkx_groups(ties, method, seed=seed, resolution=float(resolution),
                                      weighted=weighted)
    membership = canonical_numbers(membership)
    if g.ecount() == 0:
        modularity = float("nan")
    else:
        modularity = float(g.modularity(membership.tolist(), weights=weights,
                                        resolution=float(resolution), directed=False))
    names = ties.nodes["name"].tolist()
    ids = ties.ids
    frame = pd.DataFrame({
        "id": ids,
        "name": [name if name is not None else node for node, name in zip(ids, names, strict=True)],
        "group": membership,
    })
    frame = frame.sort_values(["group", "id"], ignore_index=True)
    return Groups(frame, modularity, method=method, seed=seed, resolution=float(resolution))


def louvain(g: igraph.Graph, *, seed: int, resolution: float, weights: str | None) -> np.ndarray:
    """igraph's multilevel (Louvain) membership, drawn from ``random.Random(seed)``."""
    import igraph

    igraph.set_random_number_generator(random.Random(seed))
    try:
        clustering = g.community_multilevel(weights=weights, resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(clustering.membership, dtype=np.int64)


def _networkx_groups(ties: Ties, method: str, *, seed: int, resolution: float,
                     weighted: bool) -> np.ndarray:
    import networkx as nx

    network = ties.to_networkx()
    weight = "weight" if weighted else None
    if method == "label_propagation":
        found = nx.community.asyn_lpa_communities(network, weight=weight, seed=seed)
    else:
        found = nx.community.greedy_modularity_communities(
            network, weight=weight, resolution=resolution)
    position = {node: pos for pos, node in enumerate(ties.ids)}
    membership = np.zeros(len(position), dtype=np.int64)
    for number, members in enumerate(found):
        membership[[position[m] for m in members]] = number
    return membership


def canonical_numbers(membership: np.ndarray) -> np.ndarray:
    """Renumber groups 0.. by decreasing size, ties by their smallest member (position)."""
    membership = np.asarray(membership, dtype=np.int64)
    if membership.size == 0:
        return membership
    _, dense = np.unique(membership, return_inverse=True)
    sizes = np.bincount(dense)
    first = np.full(sizes.size, membership.size, dtype=np.int64)
    np.minimum.at(first, dense, np.arange(membership.size))
    order = np.lexsort((first, -sizes))
    renumber = np.empty_like(order)
    renumber[order] = np.arange(order.size)
    return renumber[dense]

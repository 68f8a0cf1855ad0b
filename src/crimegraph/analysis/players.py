"""Key players: who is central in the network, by degree, betweenness, closeness, eigenvector
or PageRank.

Scores are computed with igraph (compiled, fast on networks of 100,000 people) and normalised
exactly as networkx's functions of the same name by default, so a score reads the same as in
the networkx documentation and the tests check both agree.
"""

from __future__ import annotations

import random
import warnings
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import InvalidArgument
from ..model import Case
from ..store.graph import CaseGraph
from .social import Ties, rank_order, resolve_ties

if TYPE_CHECKING:
    import igraph
    import networkx as nx
    import pandas as pd

__all__ = ["DEFAULT_SAMPLE", "LARGE_NETWORK", "MEASURES", "centrality", "key_players"]

Measure = Literal["degree", "betweenness", "closeness", "eigenvector", "pagerank"]
MEASURES: tuple[str, ...] = Measure.__args__  # type: ignore[attr-defined]

LARGE_NETWORK = 5000
"""Above this many nodes, betweenness is estimated from a sample of source nodes."""

DEFAULT_SAMPLE = 500
"""Number of source nodes of the betweenness estimate on large networks (``sample=None``)."""


def key_players(
    graph: CaseGraph | Case | nx.Graph,
    measure: Measure = "degree",
    k: int | None = 10,
    weighted: bool = False,
    *,
    sample: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The ``k`` most central people and places of the network, by one centrality measure.

    Parameters
    ----------
    graph : CaseGraph, Case or networkx.Graph
        The case (its :func:`~crimegraph.social_network` is ranked) or a network of your own
        (for example ``social_network(case, kinds="calls")``).
    measure : {"degree", "betweenness", "closeness", "eigenvector", "pagerank"}
        ``degree``: share of the others one is tied to (who knows many); ``betweenness``:
        share of shortest paths one lies on (who bridges); ``closeness``: how few steps one
        needs to reach everyone (who hears first); ``eigenvector``: tied to those who are
        themselves central (who knows the important ones); ``pagerank``: the same with a
        random jump (damping 0.85), robust on sparse networks.
    k : int or None
        How many rows to return (None: every node).
    weighted : bool
        Use tie strength (edge ``weight``). For betweenness and closeness a stronger tie is a
        shorter one (distance = 1 / weight); degree becomes strength (the sum of tie weights,
        divided by n - 1 like degree); eigenvector and PageRank use the weight as-is.
    sample : int, optional
        Betweenness only: estimate from this many source nodes (drawn with ``seed``). By
        default the exact value, except on networks of more than :data:`LARGE_NETWORK`
        nodes, where :data:`DEFAULT_SAMPLE` sources are used.
    seed : int
        Seed of the source sample.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``score``, ``rank`` (1 = most central), sorted by score
        (highest first), ties by id. ``df.attrs["sample"]`` holds the number of betweenness
        sources used (None when exact).

    Raises
    ------
    ValueError
        If ``measure`` is unknown, or ``k`` or ``sample`` is not a whole number >= 1 (2 for
        ``sample``).

    Notes
    -----
    Normalisations match networkx's defaults, and the tests check the numbers agree:

    * degree: ``nx.degree_centrality``, degree / (n - 1);
    * betweenness: ``nx.betweenness_centrality(normalized=True)``, for n > 2 the number of
      shortest paths through the node over (n - 1)(n - 2) / 2 pairs. The sampled estimate
      follows ``nx.betweenness_centrality(k=sample, seed=seed)``: the same sources (when the
      network's nodes are listed in id order, as :func:`~crimegraph.social_network` lists
      them) and the same scaling (nodes that are sources are scaled by 1 / ((k - 1)(n - 2)),
      the others by 1 / (k (n - 2)), as in networkx 3.5+).
    * closeness: ``nx.closeness_centrality(wf_improved=True)``: (r - 1) / (sum of distances to
      the r - 1 reachable nodes), times (r - 1) / (n - 1) so small fragments do not score high;
    * eigenvector: ``nx.eigenvector_centrality``: unit Euclidean norm. On a disconnected
      network it concentrates on the component(s) with the largest leading eigenvalue; the
      others score 0 (what networkx's power iteration converges to);
    * pagerank: ``nx.pagerank(alpha=0.85)``; isolated nodes jump uniformly.

    Weighted shortest paths whose lengths differ only by rounding are counted as equally
    short by igraph (networkx compares exactly); with weights such as 1, 2, 4 both agree.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     persons=[cg.Person(id=p, name=p) for p in ("HUB", "A", "B", "C", "D")],
    ...     relationships=[cg.Relationship(id=f"R{i}", kind="calls", source="HUB", target=p)
    ...                    for i, p in enumerate("ABC")]
    ...     + [cg.Relationship(id="R9", kind="calls", source="C", target="D")])
    >>> cg.key_players(case, "betweenness", k=2)
         id name     score  rank
    0   HUB  HUB  0.833333     1
    1     C    C  0.500000     2
    >>> cg.key_players(case, "degree", k=3)["id"].tolist()
    ['HUB', 'C', 'A']
    """
    import pandas as pd

    if measure not in MEASURES:
        raise InvalidArgument(f"measure={measure!r} is unknown; use one of {', '.join(MEASURES)}")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        raise InvalidArgument(f"k={k!r} must be a whole number >= 1 (or None for every node)")
    ties = resolve_ties(graph)
    scores, used = centrality(ties, measure, weighted=weighted, sample=sample, seed=seed)
    order = rank_order(scores)
    if k is not None:
        order = order[:k]
    ids = ties.ids
    names = ties.nodes["name"].tolist()
    frame = pd.DataFrame({
        "id": [ids[i] for i in order.tolist()],
        "name": [names[i] if names[i] is not None else ids[i] for i in order.tolist()],
        "score": scores[order],
        "rank": np.arange(1, len(order) + 1),
    })
    frame.attrs["measure"] = measure
    frame.attrs["sample"] = used
    return frame


def centrality(
    ties: Ties, measure: str, *, weighted: bool = False, sample: int | None = None,
    seed: int = 0, graph: igraph.Graph | None = None,
) -> tuple[np.ndarray, int | None]:
    """Scores of every node (in ``ties`` order) and the betweenness sample size used."""
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int)
                               or sample < 2):
        raise InvalidArgument(f"sample={sample!r} must be a whole number >= 2 (or None)")
    g = ties.to_igraph() if graph is None else graph
    n = g.vcount()
    if n == 0:
        return np.zeros(0), None
    if measure == "degree":
        return degree_scores(g, weighted), None
    if measure == "betweenness":
        return betweenness_scores(g, weighted, sample=sample, seed=seed)
    if measure == "closeness":
        return closeness_scores(g, weighted), None
    if measure == "eigenvector":
        return eigenvector_scores(g, weighted), None
    if measure == "pagerank":
        weights = g.es["weight"] if weighted and g.ecount() else None
        return np.asarray(g.pagerank(damping=0.85, weights=weights), dtype=np.float64), None
    raise InvalidArgument(f"measure={measure!r} is unknown; use one of {', '.join(MEASURES)}")


def degree_scores(g: igraph.Graph, weighted: bool) -> np.ndarray:
    n = g.vcount()
    if n <= 1:
        return np.ones(n)  # networkx's convention for a single node
    if weighted and g.ecount():
        raw = np.asarray(g.strength(weights="weight"), dtype=np.float64)
    else:
        raw = np.asarray(g.degree(), dtype=np.float64)
    return np.asarray(raw / (n - 1), dtype=np.float64)


def betweenness_scores(
    g: igraph.Graph, weighted: bool, *, sample: int | None, seed: int,
) -> tuple[np.ndarray, int | None]:
    n = g.vcount()
    weights = g.es["distance"] if weighted and g.ecount() else None
    if sample is None and n > LARGE_NETWORK:
        sample = DEFAULT_SAMPLE
    if sample is not None and sample >= n:
        sample = None
    if sample is None:
        raw = np.asarray(g.betweenness(directed=False, weights=weights), dtype=np.float64)
        if n <= 2:
            return raw, None
        return raw * 2.0 / ((n - 1) * (n - 2)), None
    # The same draw as networkx's betweenness_centrality(k=sample, seed=seed) on a graph whose
    # nodes are listed in this order: random.sample picks positions, whatever the items.
    sources = random.Random(seed).sample(range(n), sample)
    # igraph counts each undirected path once per source; networkx counts it in both
    # directions before rescaling, hence the factor 2.
    raw = 2.0 * np.asarray(
        g.betweenness(directed=False, weights=weights, sources=sources), dtype=np.float64)
    scale = np.full(n, 1.0 / (sample * (n - 2)))
    scale[sources] = 1.0 / ((sample - 1) * (n - 2))
    return raw * scale, sample


def closeness_scores(g: igraph.Graph, weighted: bool) -> np.ndarray:
    n = g.vcount()
    if n <= 1:
        return np.zeros(n)
    weights = g.es["distance"] if weighted and g.ecount() else None
    raw = np.asarray(g.closeness(weights=weights, normalized=True), dtype=np.float64)
    raw = np.nan_to_num(raw, nan=0.0)  # isolated nodes reach no one
    membership = np.asarray(g.connected_components().membership)
    reachable = np.bincount(membership)[membership]  # r: own component size, self included
    return np.asarray(raw * (reachable - 1) / (n - 1), dtype=np.float64)


def eigenvector_scores(g: igraph.Graph, weighted: bool) -> np.ndarray:
    n = g.vcount()
    use_weights = weighted and g.ecount() > 0
    leading: list[tuple[float, np.ndarray, np.ndarray]] = []
    for members in g.connected_components():
        idx = np.asarray(members, dtype=np.int64)
        if len(members) == 1:
            leading.append((0.0, idx, np.ones(1)))
            continue
        sub = g.induced_subgraph(members)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            vec, value = sub.eigenvector_centrality(
                weights="weight" if use_weights else None, return_eigenvalue=True)
        vec = np.abs(np.asarray(vec, dtype=np.float64))
        leading.append((float(value), idx, vec / np.linalg.norm(vec)))
    top = max(value for value, _, _ in leading)
    scores = np.zeros(n)
    for value, idx, vec in leading:
        # networkx's power iteration from the all-ones vector converges to the projection of
        # that vector on the leading eigenspace: components tied for the top eigenvalue share
        # it in proportion to sum(vec); the rest vanish.
        if value >= top - 1e-9 * max(top, 1.0):
            scores[idx] = vec.sum() * vec
    return np.asarray(scores / np.linalg.norm(scores), dtype=np.float64)

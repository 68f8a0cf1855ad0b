"""Disruption: how fast the network falls apart when its members are arrested one by one.

:func:`simulate_disruption` removes nodes in the order a targeting strategy picks them and
records, after each removal, how much of the largest connected group is left and how much
of the goods can still reach the market.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import InvalidArgument
from ..model import Case
from ..store.graph import CaseGraph, as_case_graph
from .cut import GoodsNetwork, goods_network
from .players import betweenness_scores, degree_scores
from .social import Ties, case_ties, check_undirected, network_ties, rank_order
from .sources import find_sources

if TYPE_CHECKING:
    import igraph
    import networkx as nx
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "STRATEGIES",
    "Disruption",
    "collective_influence",
    "katz_scores",
    "simulate_disruption",
]

Strategy = Literal["degree", "betweenness", "katz", "collective_influence", "flow"]
STRATEGIES: tuple[str, ...] = Strategy.__args__  # type: ignore[attr-defined]

KATZ_FRACTION = 0.5
"""Katz attenuation as a fraction of 1 / (largest adjacency eigenvalue)."""


class Disruption:
    """The result of :func:`simulate_disruption`.

    Attributes
    ----------
    removed : list of str
        Ids in the order they were removed.
    curve : pandas.DataFrame
        One row before any removal and one after each removal (sequential) or round
        (block): ``removed`` (how many so far), ``lcc_fraction`` (size of the largest
        connected component over its initial size) and, when the case has shipments,
        ``flow_fraction`` (goods that can still flow from the sources to the endpoints, over
        the initial flow).
    strategy, mode, network : str
    """

    def __init__(self, removed: list[str], curve: pd.DataFrame, *, strategy: str, mode: str,
                 network: str) -> None:
        self.removed = removed
        self.curve = curve
        self.strategy = strategy
        self.mode = mode
        self.network = network

    @property
    def robustness(self) -> float:
        """Mean ``lcc_fraction`` over the curve: lower means the strategy breaks the
        network faster (Schneider et al.'s R)."""
        return float(self.curve["lcc_fraction"].mean())

    def removed_until(self, lcc_fraction: float) -> int | None:
        """How many removals it took to bring the largest component to this fraction or
        below (None if it never did)."""
        hit = self.curve.loc[self.curve["lcc_fraction"] <= lcc_fraction, "removed"]
        return None if hit.empty else int(hit.iloc[0])

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the curve (largest component, and goods flow when known) against removals,
        with :func:`crimegraph.plot_disruption` (``graph=``, ``redact=``... pass through).
        Returns the matplotlib Axes."""
        from ..plot import plot_disruption

        return plot_disruption(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        return (f"<Disruption {self.strategy} ({self.mode}, {self.network} network): "
                f"{len(self.removed)} removed, robustness {self.robustness:.3f}>")


def simulate_disruption(
    graph: CaseGraph | Case | nx.Graph,
    strategy: Strategy = "betweenness",
    mode: Literal["sequential", "block"] = "sequential",
    per_round: int = 5,
    weighted: bool = False,
    *,
    network: Literal["social", "goods"] | None = None,
    max_removed: int | None = None,
) -> Disruption:
    """Remove the most central nodes one after another and watch the network break up.

    Parameters
    ----------
    graph : CaseGraph, Case or networkx.Graph
        The case, or a network of your own (then there is no goods flow, and ``strategy``
        cannot be "flow").
    strategy : {"degree", "betweenness", "katz", "collective_influence", "flow"}
        Whom to remove next:

        * ``degree``: most ties (strength when weighted);
        * ``betweenness``: on most shortest paths (distance = 1 / weight when weighted;
          sampled as in :func:`~crimegraph.key_players` above 5,000 nodes);
        * ``katz``: Katz centrality x = sum_k alpha^k A^k 1 with alpha = 0.5 / (largest
          eigenvalue of the adjacency matrix A of the remaining network);
        * ``collective_influence``: CI_2(i) = (k_i - 1) * sum of (k_j - 1) over the nodes j
          exactly 2 steps from i (Morone and Makse, 2015); unweighted by definition;
        * ``flow``: the node handling the most goods among the remaining ones (the larger of
          the quantity it received and shipped, counting only shipments between remaining
          nodes): a cheap, explainable stand-in for the max-flow bottleneck; see
          :func:`~crimegraph.cut_chain` for the exact smallest cut.
    mode : {"sequential", "block"}
        ``sequential``: recompute the scores after every removal; ``block``: remove the top
        ``per_round`` at once, then recompute.
    per_round : int
        Nodes per round in block mode. Both modes stop when ``per_round`` or fewer nodes
        remain.
    weighted : bool
        Use tie strength (see ``strategy``); ignored by "flow", which weighs by quantity.
    network : {"social", "goods"}, optional
        Where nodes are removed and the largest component measured: the
        :func:`~crimegraph.social_network` or the goods network (who shipped to whom,
        undirected, weight = quantity). Default: "goods" for ``strategy="flow"``, else
        "social".
    max_removed : int, optional
        Stop after this many removals (sequential betweenness on a large network is costly).

    Returns
    -------
    Disruption
        ``.removed``, ``.curve``, ``.strategy``, ``.mode``, ``.plot()``.

    Raises
    ------
    ValueError
        On an unknown strategy, mode or network, ``per_round`` or ``max_removed`` below 1,
        ``weighted=True`` with collective influence, "flow" on the social network or on a
        network without shipments, or an empty network.

    Notes
    -----
    Ties between equal scores go to the smaller id, so runs are repeatable. The
    ``flow_fraction`` column is the maximum flow from the :func:`~crimegraph.find_sources`
    nodes to the endpoints (nodes that received goods and shipped none on) over the
    directed goods network whose arc capacities are the total quantity shipped per pair,
    after removing the removed nodes, over that flow before any removal. Removing a person
    of the social network changes it only if the person shipped goods.

    References
    ----------
    F. Morone and H. A. Makse, "Influence maximization in complex networks through optimal
    percolation", Nature 524 (2015) 65-68.

    Examples
    --------
    >>> import crimegraph as cg
    >>> ties = [("A1", "A2"), ("A1", "A3"), ("A2", "A3"), ("A3", "X"), ("X", "B1"),
    ...         ("B1", "B2"), ("B1", "B3"), ("B2", "B3")]
    >>> case = cg.Case(
    ...     persons=[cg.Person(id=p, name=p) for p in ("A1", "A2", "A3", "X", "B1", "B2", "B3")],
    ...     relationships=[cg.Relationship(id=f"R{i}", kind="calls", source=a, target=b)
    ...                    for i, (a, b) in enumerate(ties)])
    >>> run = cg.simulate_disruption(case, "betweenness")
    >>> run.removed[0]      # the bridge goes first; then ties (all 0) go by id
    'X'
    >>> run.curve["lcc_fraction"].round(3).tolist()[:3]
    [1.0, 0.429, 0.429]
    >>> cg.simulate_disruption(case, "degree", max_removed=2).removed
    ['A3', 'B1']
    """
    import pandas as pd

    if strategy not in STRATEGIES:
        raise InvalidArgument(
            f"strategy={strategy!r} is unknown; use one of {', '.join(STRATEGIES)}")
    if mode not in ("sequential", "block"):
        raise InvalidArgument(f"mode={mode!r} is unknown; use 'sequential' or 'block'")
    if isinstance(per_round, bool) or not isinstance(per_round, int) or per_round < 1:
        raise InvalidArgument(f"per_round={per_round!r} must be a whole number >= 1")
    if max_removed is not None and (isinstance(max_removed, bool)
                                    or not isinstance(max_removed, int) or max_removed < 1):
        raise InvalidArgument(f"max_removed={max_removed!r} must be a whole number >= 1 (or None)")
    if strategy == "collective_influence" and weighted:
        raise InvalidArgument("weighted=True does not apply to strategy='collective_influence', "
                              "which is defined on degrees; use weighted=False")
    if network is None:
        network = "goods" if strategy == "flow" else "social"
    if network not in ("social", "goods"):
        raise InvalidArgument(f"network={network!r} is unknown; use 'social' or 'goods'")
    if strategy == "flow" and network != "goods":
        raise InvalidArgument("strategy='flow' ranks by goods handled and needs network='goods' "
                              f"(got network={network!r})")

    if isinstance(graph, (CaseGraph, Case)):
        case_graph = as_case_graph(graph)
        shipped = goods_network(case_graph)
        ties = case_ties(case_graph) if network == "social" else _goods_ties(case_graph, shipped)
        g: CaseGraph | None = case_graph
        goods: GoodsNetwork | None = shipped
    else:
        check_undirected(graph)
        if network == "goods":
            raise InvalidArgument("network='goods' needs a CaseGraph or Case with shipments, not a "
                                  "networkx graph")
        g, goods = None, None
        ties = network_ties(graph)
    if goods is not None and not goods.ids:
        goods = None
    if strategy == "flow" and goods is None:
        raise InvalidArgument("strategy='flow' needs shipments, and this case has none")
    if network == "goods" and goods is None:
        raise InvalidArgument("network='goods' needs shipments, and this case has none")
    base = ties.to_igraph()
    n = base.vcount()
    if n == 0:
        raise InvalidArgument("the network has no nodes to remove")

    ids = ties.ids
    flow = None
    if goods is not None and g is not None:
        flow = _FlowMeter(goods, find_sources(g)["id"].tolist(), ids)
    initial_lcc = _largest_component(base)
    alive = np.ones(n, dtype=bool)
    removed: list[str] = []
    rows = [_row(0, 1.0 if initial_lcc else float("nan"), flow, alive)]
    step = 1 if mode == "sequential" else per_round
    limit = n if max_removed is None else max_removed
    current = base
    while int(alive.sum()) > per_round and len(removed) < limit:
        positions = np.flatnonzero(alive)
        scores = _scores(strategy, current, weighted, goods, ids, positions)
        take = min(step, limit - len(removed), positions.size)
        chosen = positions[rank_order(scores)[:take]]
        alive[chosen] = False
        removed.extend(ids[i] for i in chosen.tolist())
        current = base.induced_subgraph(np.flatnonzero(alive).tolist())
        rows.append(_row(len(removed), _largest_component(current) / initial_lcc
                         if initial_lcc else float("nan"), flow, alive))
    curve = pd.DataFrame(rows)
    return Disruption(removed, curve, strategy=strategy, mode=mode, network=network)


def _row(count: int, lcc: float, flow: _FlowMeter | None, alive: np.ndarray
         ) -> dict[str, float]:
    row: dict[str, float] = {"removed": count, "lcc_fraction": lcc}
    if flow is not None:
        row["flow_fraction"] = flow.fraction(alive)
    return row


def _largest_component(g: igraph.Graph) -> int:
    if g.vcount() == 0:
        return 0
    return int(max(g.connected_components().sizes()))


def _scores(strategy: str, g: igraph.Graph, weighted: bool, goods: GoodsNetwork | None,
            ids: list[str], positions: np.ndarray) -> np.ndarray:
    if strategy == "degree":
        return degree_scores(g, weighted)
    if strategy == "betweenness":
        return betweenness_scores(g, weighted, sample=None, seed=0)[0]
    if strategy == "katz":
        return katz_scores(g, weighted)
    if strategy == "collective_influence":
        return collective_influence(g)
    assert goods is not None  # checked by the caller
    index = goods.index
    goods_alive = np.zeros(len(goods.ids), dtype=bool)
    kept = [index[ids[i]] for i in positions.tolist() if ids[i] in index]
    goods_alive[kept] = True
    handled = goods.handled(goods_alive)
    return np.array([handled[index[ids[i]]] if ids[i] in index else 0.0
                     for i in positions.tolist()])


def katz_scores(g: igraph.Graph, weighted: bool) -> np.ndarray:
    """Katz centrality sum_k alpha^k A^k 1, alpha = 0.5 / largest eigenvalue of A."""
    import scipy.sparse as sp

    n = g.vcount()
    if g.ecount() == 0:
        return np.ones(n)
    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    weights = np.asarray(g.es["weight"], dtype=np.float64) if weighted else np.ones(len(edges))
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    adjacency = sp.csr_matrix((np.concatenate([weights, weights]), (rows, cols)), shape=(n, n))
    alpha = KATZ_FRACTION / _largest_eigenvalue(adjacency)
    x = np.ones(n)
    for _ in range(200):  # alpha * lambda = 0.5: the error halves each step
        nxt = 1.0 + alpha * (adjacency @ x)
        if np.max(np.abs(nxt - x)) <= 1e-13 * np.max(nxt):
            return np.asarray(nxt)
        x = nxt
    return x


def _largest_eigenvalue(adjacency: object) -> float:
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh

    matrix = sp.csr_matrix(adjacency)
    n = matrix.shape[0]
    if n <= 400:
        return float(np.linalg.eigvalsh(matrix.toarray())[-1])
    value = eigsh(matrix, k=1, which="LA", v0=np.ones(n), return_eigenvectors=False)
    return float(value[0])


def collective_influence(g: igraph.Graph, radius: int = 2) -> np.ndarray:
    """CI_l(i) = (k_i - 1) * sum over nodes j at distance exactly l of (k_j - 1)."""
    degree = np.asarray(g.degree(), dtype=np.float64)
    reduced = np.maximum(degree - 1.0, 0.0)
    frontier = g.neighborhood(order=radius, mindist=radius)
    sums = np.array([reduced[np.asarray(ring, dtype=np.int64)].sum() if ring else 0.0
                     for ring in frontier])
    return np.asarray(reduced * sums, dtype=np.float64)


def _goods_ties(g: CaseGraph, goods: GoodsNetwork) -> Ties:
    """The goods network as an undirected weighted network (weight = quantity both ways)."""
    import pandas as pd

    from .social import NODE_ATTRIBUTES

    table = g.store.node_table()
    table = table[table["id"].isin(goods.ids)][["id", *NODE_ATTRIBUTES]]
    nodes = table.sort_values("id", kind="stable").reset_index(drop=True)
    u = np.minimum(goods.src, goods.dst)
    v = np.maximum(goods.src, goods.dst)
    frame = pd.DataFrame({"u": u, "v": v, "w": goods.quantity})
    summed = frame.groupby(["u", "v"], sort=True)["w"].agg(["sum", "size"]).reset_index()
    return Ties(nodes=nodes, u=summed["u"].to_numpy(np.int64),
                v=summed["v"].to_numpy(np.int64), weight=summed["sum"].to_numpy(np.float64),
                kinds=["shipment"] * len(summed), count=summed["size"].to_numpy(np.int64))


class _FlowMeter:
    """Maximum flow from the sources to the endpoints of the goods network, as nodes go."""

    def __init__(self, goods: GoodsNetwork, sources: list[str], network_ids: list[str]
                 ) -> None:
        import igraph

        self.goods = goods
        index = goods.index
        n = len(goods.ids)
        self.top, self.bottom = n, n + 1
        big = float(goods.quantity.sum()) + 1.0
        starts = sorted(index[s] for s in sources if s in index)
        ends = sorted(index[t] for t in goods.endpoints())
        edges = list(zip(goods.src.tolist(), goods.dst.tolist(), strict=True))
        edges += [(self.top, s) for s in starts] + [(t, self.bottom) for t in ends]
        self.capacity = np.concatenate([goods.quantity, np.full(len(starts) + len(ends), big)])
        self.graph = igraph.Graph(n=n + 2, edges=edges, directed=True)
        ends_of = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        self.edge_src, self.edge_dst = ends_of[:, 0], ends_of[:, 1]
        # Which goods node each network node is (removing it there removes it here).
        self.map = np.array([index.get(node, -1) for node in network_ids], dtype=np.int64)
        self.initial = self._max_flow(np.ones(n, dtype=bool))

    def _max_flow(self, goods_alive: np.ndarray) -> float:
        if not goods_alive.any():
            return 0.0
        # Closing every arc at a removed node removes it, and the vertex ids stay stable.
        alive = np.concatenate([goods_alive, [True, True]])
        capacity = np.where(alive[self.edge_src] & alive[self.edge_dst], self.capacity, 0.0)
        return float(self.graph.maxflow_value(self.top, self.bottom,
                                              capacity=capacity.tolist()))

    def fraction(self, alive: np.ndarray) -> float:
        if self.initial <= 0:
            return float("nan")
        goods_alive = np.ones(len(self.goods.ids), dtype=bool)
        gone = self.map[~alive]
        goods_alive[gone[gone >= 0]] = False
        return self._max_flow(goods_alive) / self.initial

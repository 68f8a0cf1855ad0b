"""The social network: who is tied to whom, and how strongly.

Persons (and the organizations and premises they are tied to) become the nodes of an
undirected weighted graph; relationships (leads, employs, calls, family...) and, optionally,
transactions become its ties. This is the default view of :func:`~crimegraph.key_players`,
:func:`~crimegraph.find_groups`, :func:`~crimegraph.find_brokers` and
:func:`~crimegraph.simulate_disruption`.

The network is built in a fixed order (nodes by id, ties by their two ids), so the same case
gives the same graph, the same igraph vertex numbering and the same results on every store.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidArgument, WrongArgumentType
from ..model import Case
from ..model.links import DECISION_KINDS, RELATIONSHIP_KINDS
from ..store.graph import CaseGraph, as_case_graph

if TYPE_CHECKING:
    import igraph
    import networkx as nx
    import pandas as pd

__all__ = ["SOCIAL_KINDS", "network_to_igraph", "social_network"]

SOCIAL_KINDS: tuple[str, ...] = tuple(k for k in RELATIONSHIP_KINDS if k not in DECISION_KINDS)
"""Relationship kinds that make ties of the social network by default: every kind except
``same_as`` and ``not_same_as``, which say whether two records are one actor rather than two
actors who know each other."""

NODE_ATTRIBUTES: tuple[str, ...] = ("name", "type", "province", "role", "status")
"""Node attributes of :func:`social_network` graphs (columns of the store's node table)."""


@dataclass(frozen=True)
class Ties:
    """The social network as arrays: nodes sorted by id, ties ``u < v`` by node position."""

    nodes: pd.DataFrame
    """Columns ``id`` and :data:`NODE_ATTRIBUTES`, one row per node, sorted by id."""
    u: np.ndarray
    v: np.ndarray
    weight: np.ndarray
    kinds: list[str]
    """Comma-separated sorted kinds of each tie ("" for a caller's own networkx graph)."""
    count: np.ndarray
    """Number of relationships and transactions behind each tie (1 for a caller's graph)."""

    @property
    def ids(self) -> list[str]:
        return [str(node) for node in self.nodes["id"].tolist()]

    def to_networkx(self) -> nx.Graph:
        import networkx as nx

        network = nx.Graph()
        table = self.nodes.astype(object)
        records = table.where(table.notna(), None).to_dict("records")
        network.add_nodes_from(
            (row["id"], {attr: row.get(attr) for attr in NODE_ATTRIBUTES}) for row in records
        )
        ids = self.ids
        network.add_edges_from(
            (ids[a], ids[b], {"weight": w, "distance": 1.0 / w, "kinds": kinds, "count": c})
            for a, b, w, kinds, c in zip(self.u.tolist(), self.v.tolist(), self.weight.tolist(),
                                         self.kinds, self.count.tolist(), strict=True)
        )
        return network

    def to_igraph(self) -> igraph.Graph:
        import igraph

        edges = list(zip(self.u.tolist(), self.v.tolist(), strict=True))
        graph = igraph.Graph(n=len(self.nodes), edges=edges)
        graph.vs["name"] = self.ids
        graph.es["weight"] = self.weight.tolist()
        graph.es["distance"] = (1.0 / self.weight).tolist()
        return graph


def missing_to_none(value: Any) -> Any:
    """None for the missing values a DataFrame holds (NaN, NA), the value otherwise."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # lists and other non-scalars are kept as they are
        pass
    return value


def _check_kinds(kinds: str | Collection[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return SOCIAL_KINDS
    chosen = (kinds,) if isinstance(kinds, str) else tuple(dict.fromkeys(kinds))
    if not chosen:
        raise InvalidArgument("kinds is an empty list; give at least one relationship kind "
                              "(or None for every social kind)")
    for kind in chosen:
        if kind in ("shipment", "payment"):
            raise InvalidArgument(f"kinds={kind!r} is a transaction kind; pass "
                                  "include_transactions=True to add transactions as ties")
        if kind not in RELATIONSHIP_KINDS:
            raise InvalidArgument(f"kinds={kind!r} is not a relationship kind; use some of "
                                  f"{', '.join(RELATIONSHIP_KINDS)}")
    return chosen


def case_ties(
    graph: CaseGraph, kinds: str | Collection[str] | None = None, *,
    include_transactions: bool = False, people_only: bool = False,
) -> Ties:
    """The social network of a case graph as arrays (see :func:`social_network`)."""
    import pandas as pd

    chosen = _check_kinds(kinds)
    table = graph.store.node_table()
    table = table[["id", *NODE_ATTRIBUTES]]
    if people_only:
        table = table[table["type"] == "person"]
    allowed = set(table["id"].tolist())

    rows: list[tuple[str, str, float, str, str]] = []
    for rel in graph.store.links(kinds=chosen):
        weight = 1.0 if rel.weight is None else float(rel.weight)
        rows.append((rel.source, rel.target, weight, rel.kind, rel.id))
    if include_transactions:
        shipments = graph.store.flows("shipment")
        node_ids = shipments.node_ids
        rows.extend(
            (node_ids[s], node_ids[t], 1.0, "shipment", tid)
            for s, t, tid in zip(shipments.source.tolist(), shipments.target.tolist(),
                                 shipments.ids.tolist(), strict=True)
        )
        rows.extend((t.source, t.target, 1.0, "payment", t.id)
                    for t in graph.store.transactions(kind="payment"))
    frame = pd.DataFrame(rows, columns=["a", "b", "weight", "kind", "record"])
    frame = frame[frame["a"].isin(allowed) & frame["b"].isin(allowed) & (frame["a"] != frame["b"])]
    # Sum in record-id order so that floating-point totals do not depend on the store.
    frame = frame.sort_values("record", kind="stable")
    a = frame["a"].to_numpy(dtype=object)
    b = frame["b"].to_numpy(dtype=object)
    swap = b < a
    frame = frame.assign(a=np.where(swap, b, a), b=np.where(swap, a, b))
    grouped = frame.groupby(["a", "b"], sort=True)
    weights = grouped["weight"].sum()
    counts = grouped["weight"].size()
    kind_sets = (frame[["a", "b", "kind"]].drop_duplicates().sort_values(["a", "b", "kind"])
                 .groupby(["a", "b"], sort=True)["kind"].agg(",".join))
    edges = pd.DataFrame({"weight": weights, "count": counts, "kinds": kind_sets}).reset_index()
    # A tie whose recorded strengths add up to 0 carries no observed contact: leave it out.
    edges = edges[edges["weight"] > 0]

    tied = set(edges["a"].tolist()) | set(edges["b"].tolist())
    keep = (table["type"] == "person") | table["id"].isin(tied)
    nodes = table[keep].sort_values("id", kind="stable").reset_index(drop=True)
    position = {node: pos for pos, node in enumerate(nodes["id"].tolist())}
    u = np.fromiter((position[a] for a in edges["a"].tolist()), dtype=np.int64, count=len(edges))
    v = np.fromiter((position[b] for b in edges["b"].tolist()), dtype=np.int64, count=len(edges))
    order = np.lexsort((v, u))
    kinds_of = edges["kinds"].tolist()
    return Ties(
        nodes=nodes, u=u[order], v=v[order],
        weight=edges["weight"].to_numpy(dtype=np.float64)[order],
        kinds=[kinds_of[i] for i in order.tolist()],
        count=edges["count"].to_numpy(dtype=np.int64)[order],
    )


def network_ties(network: nx.Graph) -> Ties:
    """Arrays of a caller's own undirected ``networkx.Graph`` (missing weights count 1).

    Ties of weight 0 are left out (no observed strength), as in :func:`social_network`; a
    weight that is not a number, negative, NaN or infinite is refused, naming the tie.
    """
    import pandas as pd

    check_undirected(network)
    adjacency = network._adj  # the plain dict of dicts: far faster to walk than network.adj
    try:
        ids = sorted(adjacency)
    except TypeError:
        kinds: dict[str, Any] = {}
        for node in adjacency:
            kinds.setdefault(type(node).__name__, node)
        raise WrongArgumentType(
            "the network's node ids cannot be sorted together (ids of types "
            + ", ".join(f"{name} such as {node!r}" for name, node in sorted(kinds.items()))
            + "); give every node an id of one type, e.g. nx.relabel_nodes(g, str)") from None
    position = {node: pos for pos, node in enumerate(ids)}
    node_data = network.nodes
    data_rows = [node_data[node] for node in ids]
    columns: dict[str, list[Any]] = {"id": ids}
    for attr in NODE_ATTRIBUTES:
        columns[attr] = [data.get(attr) for data in data_rows]
    columns["name"] = [str(node) if name is None else name
                       for node, name in zip(ids, columns["name"], strict=True)]
    nodes = pd.DataFrame(columns)
    u: list[int] = []
    v: list[int] = []
    weights: list[Any] = []
    # Walk the adjacency directly: much faster than edge views on large graphs. Only the
    # weight is read: the analyses need nothing else from a caller's ties.
    for a, neighbours in adjacency.items():
        pa = position[a]
        for b, data in neighbours.items():
            pb = position[b]
            if pa < pb:  # each tie once; self-ties (pa == pb) are dropped
                u.append(pa)
                v.append(pb)
                weights.append(data.get("weight", 1.0))
    u_arr = np.array(u, dtype=np.int64)
    v_arr = np.array(v, dtype=np.int64)
    weight = _checked_weights(weights, ids, u_arr, v_arr)
    order = np.lexsort((v_arr, u_arr))
    order = order[weight[order] > 0]
    return Ties(
        nodes=nodes, u=u_arr[order], v=v_arr[order], weight=weight[order],
        kinds=[""] * order.size, count=np.ones(order.size, dtype=np.int64),
    )


def _checked_weights(weights: list[Any], ids: list[Any], u: np.ndarray, v: np.ndarray
                     ) -> np.ndarray:
    """Tie weights as floats (None counts 1); a bad one raises an error naming its tie."""
    values = [1.0 if w is None else w for w in weights]
    try:
        weight = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        for i, w in enumerate(values):
            try:
                float(w)
            except (TypeError, ValueError):
                raise WrongArgumentType(
                    f"tie {ids[u[i]]!r}-{ids[v[i]]!r} has weight={w!r}, which is not a number; "
                    "a tie's weight is its strength (e.g. number of calls)") from None
        raise  # pragma: no cover - every value converted one by one
    bad = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
    if bad.size:
        i = int(bad[0])
        raise InvalidArgument(
            f"tie {ids[u[i]]!r}-{ids[v[i]]!r} has weight={values[i]!r}; a tie's weight is its "
            "strength (e.g. number of calls) and must be a finite number >= 0 (0: no tie)")
    return weight


def check_undirected(network: Any) -> None:
    """Raise a clear error unless ``network`` is a simple undirected networkx graph."""
    import networkx as nx

    if not isinstance(network, nx.Graph):
        raise WrongArgumentType(f"expected a crimegraph.CaseGraph, crimegraph.Case or "
                                f"networkx.Graph, got {type(network).__name__}")
    if network.is_directed() or network.is_multigraph():
        raise InvalidArgument(
            f"expected an undirected simple networkx.Graph (such as social_network(case) "
            f"gives), got a {type(network).__name__}; convert it with nx.Graph(g.to_undirected())"
        )


def resolve_ties(graph: CaseGraph | Case | nx.Graph) -> Ties:
    """The default view of the analyses: the case's social network, or the caller's graph."""
    if isinstance(graph, (CaseGraph, Case)):
        return case_ties(as_case_graph(graph))
    return network_ties(graph)


def social_network(
    graph: CaseGraph | Case,
    kinds: str | Collection[str] | None = None,
    *,
    include_transactions: bool = False,
    people_only: bool = False,
) -> nx.Graph:
    """The social network of the case: who is tied to whom, weighted by tie strength.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store.
    kinds : str or list of str, optional
        Relationship kinds that make ties; default :data:`SOCIAL_KINDS` (every kind but
        ``same_as``: leads, employs, operates, owns, family, associate, calls, meets,
        messages, supplies, rents, transports, shares_address).
    include_transactions : bool
        Also tie the sender and receiver of every shipment and payment (1 per transaction).
    people_only : bool
        Keep persons only (ties to organizations and premises are dropped).

    Returns
    -------
    networkx.Graph
        Undirected. Nodes are ids with attributes ``name``, ``type`` ("person",
        "organization", "premises"), ``province``, ``role``, ``status``. Every person of the
        case is a node, even without ties; an organization or premises is a node when it has
        at least one tie. Edge attributes: ``weight`` (tie strength: the sum of the
        relationships' ``weight``, 1 for a relationship without one, so for ``calls`` the
        number of calls; plus 1 per transaction), ``distance`` (``1 / weight``, for
        shortest-path measures where a strong tie is a short one), ``kinds`` (the kinds
        behind the tie, comma-separated) and ``count`` (how many records).

    Raises
    ------
    ValueError
        If a kind is not a relationship kind (transaction kinds name
        ``include_transactions``), or ``kinds`` is empty.

    Notes
    -----
    Relationship direction is ignored here; :func:`~crimegraph.find_brokers` and
    :func:`~crimegraph.infer_hierarchy` read directions. Self-ties are dropped, and so are
    ties whose weights add up to 0 (recorded with no observed strength).

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     persons=[cg.Person(id=p, name=p.title()) for p in ("BOSS", "A", "B", "LONER")],
    ...     relationships=[
    ...         cg.Relationship(id="R1", kind="leads", source="BOSS", target="A"),
    ...         cg.Relationship(id="R2", kind="calls", source="A", target="BOSS", weight=12),
    ...         cg.Relationship(id="R3", kind="calls", source="A", target="B", weight=3),
    ...     ])
    >>> net = cg.social_network(case)
    >>> sorted(net.edges(data="weight"))
    [('A', 'B', 3.0), ('A', 'BOSS', 13.0)]
    >>> net.edges["A", "BOSS"]["kinds"], net.nodes["LONER"]["name"]
    ('calls,leads', 'Loner')
    >>> sorted(cg.social_network(case, kinds="leads").edges)
    [('A', 'BOSS')]
    """
    g = as_case_graph(graph)
    ties = case_ties(g, kinds, include_transactions=include_transactions,
                     people_only=people_only)
    network = ties.to_networkx()
    network.graph["case_id"] = g.case_id
    network.graph["kinds"] = list(_check_kinds(kinds))
    network.graph["include_transactions"] = include_transactions
    return network


def network_to_igraph(network: nx.Graph) -> igraph.Graph:
    """An ``igraph.Graph`` copy of a social network, vertices in sorted-id order.

    Vertex ``i`` is the ``i``-th smallest node id (attribute ``name``), so the numbering is
    the same every time; edge attributes ``weight`` and ``distance`` (``1 / weight``) come
    along (missing weights count 1).

    Parameters
    ----------
    network : networkx.Graph
        An undirected graph, such as :func:`social_network` gives.

    Returns
    -------
    igraph.Graph

    Raises
    ------
    ValueError
        If ``network`` is directed or a multigraph.

    Examples
    --------
    >>> import networkx as nx
    >>> import crimegraph as cg
    >>> ig = cg.network_to_igraph(nx.Graph([("B", "C"), ("A", "B")]))
    >>> ig.vs["name"], ig.get_edgelist()
    (['A', 'B', 'C'], [(0, 1), (1, 2)])
    """
    return network_ties(network).to_igraph()


def rank_order(scores: np.ndarray) -> np.ndarray:
    """Positions sorted by score (highest first), ties by position, which is id order.

    Scores are compared after rounding to 12 significant digits of the largest one, so that
    values equal but for floating-point noise count as ties and fall back to id order.
    """
    scores = np.asarray(scores, dtype=np.float64)
    finite = scores[np.isfinite(scores)]
    scale = float(np.max(np.abs(finite))) if finite.size else 1.0
    scale = scale if scale > 0 else 1.0
    rounded = np.round(scores / scale, 12)
    rounded = np.where(np.isnan(rounded), -np.inf, rounded)
    return np.lexsort((np.arange(len(scores)), -rounded))

"""Cutting the chain: the fewest people or premises whose removal stops the goods.

The goods network has an arc ``u -> v`` when ``u`` shipped to ``v``. :func:`cut_chain` finds
a smallest set of nodes that meets every path from the sources (production dens) to the
endpoints (shops, buyers): seize those and no goods can reach the market along known routes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidArgument, WrongArgumentType
from ..model import Case
from ..store.graph import CaseGraph, as_case_graph
from .social import missing_to_none
from .sources import find_sources

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ChainCut", "GoodsNetwork", "cut_chain", "goods_network"]


@dataclass(frozen=True)
class GoodsNetwork:
    """Shipped quantity per ordered pair of nodes, nodes sorted by id."""

    ids: list[str]
    src: np.ndarray
    dst: np.ndarray
    quantity: np.ndarray
    """Total quantity shipped from ``ids[src[i]]`` to ``ids[dst[i]]``."""

    @property
    def index(self) -> dict[str, int]:
        return {node: pos for pos, node in enumerate(self.ids)}

    def received(self, alive: np.ndarray | None = None) -> np.ndarray:
        keep = self._keep(alive)
        return np.bincount(self.dst[keep], weights=self.quantity[keep],
                           minlength=len(self.ids)).astype(np.float64)

    def sent(self, alive: np.ndarray | None = None) -> np.ndarray:
        keep = self._keep(alive)
        return np.bincount(self.src[keep], weights=self.quantity[keep],
                           minlength=len(self.ids)).astype(np.float64)

    def handled(self, alive: np.ndarray | None = None) -> np.ndarray:
        """Goods through each node: the larger of what it received and what it sent."""
        return np.asarray(np.maximum(self.received(alive), self.sent(alive)))

    def endpoints(self) -> list[str]:
        """Nodes that received goods and shipped none on: where the goods end up."""
        received = np.zeros(len(self.ids), dtype=bool)
        received[self.dst] = True
        sent = np.zeros(len(self.ids), dtype=bool)
        sent[self.src] = True
        return [self.ids[i] for i in np.flatnonzero(received & ~sent).tolist()]

    def _keep(self, alive: np.ndarray | None) -> np.ndarray:
        if alive is None:
            return np.ones(self.src.size, dtype=bool)
        return np.asarray(alive[self.src] & alive[self.dst], dtype=bool)


def goods_network(graph: CaseGraph) -> GoodsNetwork:
    """The case's shipments summed per ordered pair (self-shipments left out)."""
    table = graph.store.flows("shipment")
    node_ids = table.node_ids
    keep = table.source != table.target
    src_ids = [node_ids[i] for i in table.source[keep].tolist()]
    dst_ids = [node_ids[i] for i in table.target[keep].tolist()]
    ids = sorted(set(src_ids) | set(dst_ids))
    if not ids:
        empty = np.zeros(0, dtype=np.int64)
        return GoodsNetwork([], empty, empty, np.zeros(0))
    position = {node: pos for pos, node in enumerate(ids)}
    src = np.fromiter((position[s] for s in src_ids), dtype=np.int64, count=len(src_ids))
    dst = np.fromiter((position[t] for t in dst_ids), dtype=np.int64, count=len(dst_ids))
    quantity = table.quantity[keep]
    # Sum in transaction-id order so totals do not depend on the store's row order.
    order = np.argsort(table.ids[keep].astype(str), kind="stable")
    key = src[order] * len(ids) + dst[order]
    pairs, inverse = np.unique(key, return_inverse=True)
    totals = np.zeros(pairs.size)
    np.add.at(totals, inverse, quantity[order])
    return GoodsNetwork(ids, pairs // len(ids), pairs % len(ids), totals)


class ChainCut:
    """The result of :func:`cut_chain`.

    Attributes
    ----------
    nodes : list of str
        The cut: ids of the people and premises to remove, sorted.
    quantity : float
        Goods that went through the cut set: the larger of what entered it from outside and
        what left it to outside (shipments among its members are not counted).
    table : pandas.DataFrame
        One row per cut node: ``id``, ``name``, ``quantity_through`` (the larger of what the
        node received and shipped); sorted by quantity, then id.
    sources, targets : list of str
        What the cut separates.
    """

    def __init__(self, nodes: list[str], quantity: float, table: pd.DataFrame,
                 sources: list[str], targets: list[str]) -> None:
        self.nodes = nodes
        self.quantity = quantity
        self.table = table
        self.sources = sources
        self.targets = targets

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        def count(n: int, noun: str) -> str:
            return f"{n} {noun}{'' if n == 1 else 's'}"

        return (f"<ChainCut {count(len(self.nodes), 'node')} {self.nodes[:6]}"
                f"{'...' if len(self.nodes) > 6 else ''} carrying {self.quantity:,.0f} "
                f"between {count(len(self.sources), 'source')} and "
                f"{count(len(self.targets), 'endpoint')}>")


def cut_chain(
    graph: CaseGraph | Case,
    sources: str | Sequence[str] | None = None,
    targets: str | Sequence[str] | None = None,
) -> ChainCut:
    """The fewest people or premises whose removal stops goods from sources reaching targets.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store.
    sources : str or list of str, optional
        Where goods start; default every :func:`~crimegraph.find_sources` node.
    targets : str or list of str, optional
        Where goods must not arrive; default the endpoints: nodes that received shipments
        and shipped none on.

    Returns
    -------
    ChainCut
        ``.nodes`` (sorted ids), ``.quantity`` and ``.table`` (id, name, quantity_through).

    Raises
    ------
    EntityNotFound
        If a source or target id is not in the case.
    ValueError
        If the sources or targets are empty (e.g. a case without shipments), or an id is
        both a source and a target.

    Notes
    -----
    A minimum vertex cut on the directed goods network, through the usual construction:
    every node ``v`` is split into ``v_in -> v_out`` with capacity 1, shipments become
    arcs ``u_out -> v_in`` of unlimited capacity, a super-source feeds every source and
    every target drains into a super-sink; the maximum flow gives the cut. Sources and
    targets themselves get capacity n + 1, so the cut holds as few of them as possible --
    none unless a source shipped straight to a target -- and then as few other nodes as
    possible. Among several smallest cuts the one nearest the sources is returned (the nodes
    whose ``v_in`` the super-source can still reach in the residual network): it stops the
    goods earliest (of a source and a target, the source is cut), and it does not depend on
    the order in which shipments are stored. Shipment times are ignored here.

    Examples
    --------
    >>> import crimegraph as cg
    >>> ships = [("DEN1", "WH", 100), ("DEN2", "WH", 60), ("WH", "SHOP1", 90),
    ...          ("WH", "SHOP2", 50), ("DEN2", "SHOP2", 5)]
    >>> case = cg.Case(
    ...     organizations=[cg.Organization(id=n, name=n.title())
    ...                    for n in ("DEN1", "DEN2", "WH", "SHOP1", "SHOP2")],
    ...     products=[cg.Product(id="OIL", name="Fake oil")],
    ...     transactions=[cg.Transaction(id=f"T{i}", kind="shipment", source=s, target=t,
    ...                                  timestamp="2024-03-01", product="OIL", quantity=q)
    ...                   for i, (s, t, q) in enumerate(ships)])
    >>> cut = cg.cut_chain(case)
    >>> cut.nodes, cut.quantity
    (['DEN2', 'WH'], 145.0)
    >>> cg.cut_chain(case, sources="DEN1").nodes
    ['WH']
    """
    import networkx as nx
    import pandas as pd

    g = as_case_graph(graph)
    goods = goods_network(g)
    source_ids = (find_sources(g)["id"].tolist() if sources is None
                  else _checked(g, sources, "sources"))
    target_ids = goods.endpoints() if targets is None else _checked(g, targets, "targets")
    if not source_ids:
        raise InvalidArgument("there are no sources: the case has no node that ships goods it "
                              "never received; give sources=[...] explicitly")
    if not target_ids:
        raise InvalidArgument("there are no targets: every node that received goods also shipped "
                              "some on; give targets=[...] explicitly")
    both = sorted(set(source_ids) & set(target_ids))
    if both:
        raise InvalidArgument(f"{both[0]!r} is both a source and a target; a node cannot be cut "
                              "off from itself")
    source_ids, target_ids = sorted(set(source_ids)), sorted(set(target_ids))

    index = goods.index
    ends = {index[n] for n in (*source_ids, *target_ids) if n in index}
    n = len(goods.ids)
    protected = n + 1  # more than any cut of ordinary nodes: cut ends only when unavoidable
    flow_net = nx.DiGraph()
    for v in range(n):
        flow_net.add_edge((v, 0), (v, 1), capacity=protected if v in ends else 1)
    for u, v in zip(goods.src.tolist(), goods.dst.tolist(), strict=True):
        flow_net.add_edge((u, 1), (v, 0))  # no capacity attribute: unlimited
    top, bottom = (-1, 0), (-2, 0)
    flow_net.add_node(top)
    flow_net.add_node(bottom)
    for s in source_ids:
        if s in index:
            flow_net.add_edge(top, (index[s], 0))
    for t in target_ids:
        if t in index:
            flow_net.add_edge((index[t], 1), bottom)

    cut_positions: list[int] = []
    if flow_net.out_degree(top) and flow_net.in_degree(bottom):
        _, flow = nx.maximum_flow(flow_net, top, bottom)
        reached = _residual_reach(flow_net, flow, top)
        cut_positions = [v for v in range(n) if (v, 0) in reached and (v, 1) not in reached]

    cut_ids = sorted(goods.ids[v] for v in cut_positions)
    inside = np.zeros(n, dtype=bool)
    inside[cut_positions] = True
    crossing_in = goods.quantity[~inside[goods.src] & inside[goods.dst]].sum()
    crossing_out = goods.quantity[inside[goods.src] & ~inside[goods.dst]].sum()
    handled = goods.handled()
    entities = g.store.get_many(cut_ids)
    table = pd.DataFrame({
        "id": cut_ids,
        "name": [missing_to_none(getattr(entities.get(c), "name", None)) or c for c in cut_ids],
        "quantity_through": [float(handled[index[c]]) for c in cut_ids],
    })
    table = table.sort_values(["quantity_through", "id"], ascending=[False, True],
                              ignore_index=True)
    return ChainCut(cut_ids, float(max(crossing_in, crossing_out)), table,
                    source_ids, target_ids)


def _residual_reach(network: Any, flow: dict[Any, dict[Any, float]], start: Any) -> set[Any]:
    """Nodes the start reaches through arcs with spare capacity or backward along flow."""
    inf = float("inf")
    seen = {start}
    queue = deque([start])
    while queue:
        x = queue.popleft()
        for y, data in network.succ[x].items():
            if y not in seen and flow[x][y] < data.get("capacity", inf):
                seen.add(y)
                queue.append(y)
        for y in network.pred[x]:
            if y not in seen and flow[y][x] > 0:
                seen.add(y)
                queue.append(y)
    return seen


def _checked(graph: CaseGraph, ids: str | Iterable[str], name: str) -> list[str]:
    items = [ids] if isinstance(ids, str) else list(ids)
    if not items:
        raise InvalidArgument(f"{name} is an empty list; give at least one id (or None for the "
                              "default)")
    for item in items:
        if not isinstance(item, str):
            raise WrongArgumentType(f"{name} must hold string ids, got {item!r}")
    found = graph.store.get_many(items)
    for item in items:
        if item not in found:
            raise graph.store.not_found(item)
    return list(dict.fromkeys(items))

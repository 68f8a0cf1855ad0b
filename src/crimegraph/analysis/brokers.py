"""Brokers: who passes goods, money and orders between groups (provinces, gangs, kinds of
business), and who sits in a structural hole of the social network.

Gould and Fernandez (1989) classify every flow ``a -> b -> c`` that goes through a broker
``b`` by the groups of the three nodes; Burt's constraint and effective size (1992) say how
much a node's contacts are otherwise tied to each other.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from ..errors import InvalidArgument, WrongArgumentType
from ..model import Case
from ..model.links import RELATIONSHIP_KINDS
from ..store.base import NODE_COLUMNS
from ..store.graph import CaseGraph, as_case_graph
from .groups import Groups
from .social import missing_to_none

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BROKER_ROLES", "FLOW_KINDS", "brokerage_roles", "find_brokers"]

BROKER_ROLES: tuple[str, ...] = (
    "coordinator", "gatekeeper", "representative", "consultant", "liaison",
)
"""Gould-Fernandez roles, for a flow ``a -> b -> c`` through broker ``b`` in group B:
coordinator (A = B = C), gatekeeper (A != B, C = B: lets outsiders in), representative
(A = B, C != B: speaks for its group outside), consultant (A = C != B: serves another group),
liaison (A, B, C all different)."""

FLOW_KINDS: tuple[str, ...] = ("shipment", "payment", "leads", "employs", "supplies")
"""What flows by default: goods (shipments, sender to receiver), money (payments, payer to
payee), orders (``leads`` and ``employs``, from superior to subordinate) and supplies
(``supplies``, supplier to customer)."""

GroupBy = Union[str, Mapping[str, Hashable], "pd.Series", Groups]


def find_brokers(
    graph: CaseGraph | Case,
    by: GroupBy = "province",
    *,
    flows: Collection[str] = FLOW_KINDS,
    weighted: bool = False,
) -> pd.DataFrame:
    """Who brokers flows between groups, and who bridges structural holes.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store.
    by : str, mapping, pandas.Series or Groups
        The groups: a column of the node table (``"province"``, ``"city"``, ``"type"``,
        ``"kind"``, ``"role"``...), a mapping from id to group, or the result of
        :func:`~crimegraph.find_groups`.
    flows : collection of str
        Directed links that carry flows: ``"shipment"``, ``"payment"`` and relationship
        kinds. Default :data:`FLOW_KINDS`.
    weighted : bool
        Burt's measures with tie strength (edge ``weight``) instead of plain ties.

    Returns
    -------
    pandas.DataFrame
        One row per person, organization and premises: ``id``, ``name``, ``group``, the
        counts of the five roles (:data:`BROKER_ROLES`), ``total``, and ``constraint`` and
        ``effective_size`` on the :func:`~crimegraph.social_network` (NaN for nodes outside
        it or without ties). Sorted by ``total`` (highest first), ties by id.

    Raises
    ------
    ValueError
        If ``by`` is not a node-table column, or a flow kind is unknown.

    Notes
    -----
    The flow network has an arc ``a -> b`` when at least one link of ``flows`` goes from
    ``a`` to ``b`` (repeated links count once). A two-path ``a -> b -> c`` with ``a != c``
    counts for broker ``b`` only when there is no arc ``a -> c``: ``a`` needs ``b`` to
    reach ``c``, the standard definition. Two-paths through, from or to a node without a
    group (e.g. unknown province) are not counted. Low constraint and high effective size
    mark a node whose contacts do not know each other: a broker of the social network.

    References
    ----------
    R. V. Gould and R. M. Fernandez, "Structures of mediation: a formal approach to
    brokerage in transaction networks", Sociological Methodology 19 (1989) 89-126.
    R. S. Burt, Structural Holes, Harvard University Press, 1992.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     persons=[cg.Person(id="HB1", name="Supplier", province="Hebei"),
    ...              cg.Person(id="SD1", name="Broker", province="Shandong"),
    ...              cg.Person(id="HN1", name="Buyer", province="Henan")],
    ...     relationships=[
    ...         cg.Relationship(id="R1", kind="supplies", source="HB1", target="SD1"),
    ...         cg.Relationship(id="R2", kind="supplies", source="SD1", target="HN1")])
    >>> brokers = cg.find_brokers(case)
    >>> brokers[["id", "group", "liaison", "total"]].head(1).values.tolist()
    [['SD1', 'Shandong', 1, 1]]
    """
    import networkx as nx
    import pandas as pd

    g = as_case_graph(graph)
    nodes = g.store.node_table().sort_values("id", kind="stable").reset_index(drop=True)
    ids: list[str] = [str(i) for i in nodes["id"].tolist()]
    position = {node: pos for pos, node in enumerate(ids)}
    groups = _group_values(nodes, by)
    codes = _group_codes(groups)
    src, dst = _flow_arcs(g, flows, position)
    counts = brokerage_roles(src, dst, codes, len(ids))

    from .social import case_ties

    social = case_ties(g).to_networkx()
    weight = "weight" if weighted else None
    constraint: dict[Any, float] = {}
    effective: dict[Any, float] = {}
    if social.number_of_nodes():  # networkx refuses a network without nodes
        constraint = nx.constraint(social, weight=weight)
        effective = nx.effective_size(social, weight=weight)
    nan = float("nan")
    names = nodes["name"].tolist()
    frame = pd.DataFrame({
        "id": ids,
        "name": [name if missing_to_none(name) is not None else node
                 for node, name in zip(ids, names, strict=True)],
        "group": pd.Series([missing_to_none(value) for value in groups], dtype=object),
        **{role: counts[:, j] for j, role in enumerate(BROKER_ROLES)},
        "total": counts.sum(axis=1),
        "constraint": [float(constraint.get(node, nan)) for node in ids],
        "effective_size": [float(effective.get(node, nan)) for node in ids],
    })
    frame = frame.sort_values(["total", "id"], ascending=[False, True], ignore_index=True)
    return frame


def brokerage_roles(src: np.ndarray, dst: np.ndarray, groups: np.ndarray, n: int
                    ) -> np.ndarray:
    """Gould-Fernandez role counts per node, an ``(n, 5)`` int array (:data:`BROKER_ROLES`).

    ``src``/``dst`` are the arcs (node positions, no repeats, no self-loops); ``groups``
    holds a group code per node, -1 for none.
    """
    counts = np.zeros((n, len(BROKER_ROLES)), dtype=np.int64)
    if src.size == 0:
        return counts
    arc_keys = np.unique(src.astype(np.int64) * n + dst)
    known = groups >= 0
    order_in = np.argsort(dst, kind="stable")
    order_out = np.argsort(src, kind="stable")
    in_start = np.searchsorted(dst[order_in], np.arange(n + 1))
    out_start = np.searchsorted(src[order_out], np.arange(n + 1))
    for b in np.flatnonzero(known).tolist():
        preds = src[order_in[in_start[b]:in_start[b + 1]]]
        succs = dst[order_out[out_start[b]:out_start[b + 1]]]
        preds = preds[known[preds]]
        succs = succs[known[succs]]
        if preds.size == 0 or succs.size == 0:
            continue
        a = np.repeat(preds, succs.size)
        c = np.tile(succs, preds.size)
        keep = a != c
        keys = a[keep].astype(np.int64) * n + c[keep]
        found = np.searchsorted(arc_keys, keys)
        found = np.minimum(found, arc_keys.size - 1)
        direct = arc_keys[found] == keys
        ga = groups[a[keep][~direct]]
        gc = groups[c[keep][~direct]]
        gb = groups[b]
        counts[b, 0] = np.count_nonzero((ga == gb) & (gc == gb))
        counts[b, 1] = np.count_nonzero((ga != gb) & (gc == gb))
        counts[b, 2] = np.count_nonzero((ga == gb) & (gc != gb))
        counts[b, 3] = np.count_nonzero((ga == gc) & (ga != gb))
        counts[b, 4] = np.count_nonzero((ga != gb) & (gc != gb) & (ga != gc))
    return counts


def _group_values(nodes: pd.DataFrame, by: Any) -> list[Any]:
    import pandas as pd

    ids = nodes["id"].tolist()
    if isinstance(by, str):
        columns = [c for c in NODE_COLUMNS if c != "id"]
        if by not in columns:
            raise InvalidArgument(f"by={by!r} is not a node attribute; use one of "
                                  f"{', '.join(columns)}, a mapping from id to group, or the "
                                  "result of find_groups")
        return [missing_to_none(v) for v in nodes[by].tolist()]
    if isinstance(by, Groups):
        mapping: Mapping[Any, Any] = dict(zip(by.groups["id"], by.groups["group"], strict=True))
    elif isinstance(by, pd.Series):
        mapping = by.to_dict()
    elif isinstance(by, Mapping):
        mapping = by
    else:
        raise WrongArgumentType(f"by must be a column name, a mapping, a pandas Series or Groups, "
                                f"got {type(by).__name__}")
    return [missing_to_none(mapping.get(node)) for node in ids]


def _group_codes(values: list[Any]) -> np.ndarray:
    codes: dict[Any, int] = {}
    out = np.full(len(values), -1, dtype=np.int64)
    for pos, value in enumerate(values):
        if value is None:
            continue
        out[pos] = codes.setdefault(value, len(codes))
    return out


def _flow_arcs(graph: CaseGraph, flows: Collection[str], position: Mapping[str, int]
               ) -> tuple[np.ndarray, np.ndarray]:
    chosen = [flows] if isinstance(flows, str) else list(dict.fromkeys(flows))
    if not chosen:
        raise InvalidArgument("flows is an empty list; give at least one kind of link")
    allowed = ("shipment", "payment", *RELATIONSHIP_KINDS)
    for kind in chosen:
        if kind not in allowed:
            raise InvalidArgument(
                f"flows={kind!r} is not a kind of link; use 'shipment', 'payment' or a "
                f"relationship kind ({', '.join(RELATIONSHIP_KINDS)})")
    pairs: list[tuple[str, str]] = []
    if "shipment" in chosen:
        table = graph.store.flows("shipment")
        node_ids = table.node_ids
        pairs.extend((node_ids[s], node_ids[t]) for s, t in
                     set(zip(table.source.tolist(), table.target.tolist(), strict=True)))
    if "payment" in chosen:
        pairs.extend((t.source, t.target) for t in graph.store.transactions(kind="payment"))
    kinds = [k for k in chosen if k not in ("shipment", "payment")]
    if kinds:
        pairs.extend((r.source, r.target) for r in graph.store.links(kinds=kinds))
    arcs = {(position[a], position[b]) for a, b in pairs
            if a != b and a in position and b in position}
    ordered = sorted(arcs)
    src = np.array([a for a, _ in ordered], dtype=np.int64)
    dst = np.array([b for _, b in ordered], dtype=np.int64)
    return src, dst

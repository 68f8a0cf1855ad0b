"""The in-memory store: columnar, time-sorted flows beside a lazily built NetworkX graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._gc import gc_paused
from ..errors import InvalidCase, NameIndex, Problem, StoreError
from ..model import Case, Record, Relationship, Transaction
from ..model.links import RELATIONSHIP_KINDS
from ..model.projection import case_to_networkx, entity_type
from .base import (
    NODE_COLUMNS,
    Direction,
    FlowKind,
    FlowTable,
    Store,
    check_flow_kind,
    check_link_query,
)

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = ["NetworkXStore"]



class NetworkXStore(Store):
    """Holds a case in memory; the default store of :class:`~crimegraph.CaseGraph`.

    Shipments and payments are kept as time-sorted numpy columns (what traces read); the
    ``networkx.MultiDiGraph`` view is built on first use of :meth:`to_networkx` and cached.

    Parameters
    ----------
    case : Case, optional
        The case to hold; :meth:`load` can give it later.

    Examples
    --------
    >>> import crimegraph as cg
    >>> store = cg.NetworkXStore(cg.load_example("fake_liquor"))
    >>> store.describe()
    "in-memory NetworkX store holding case 'fake-liquor-zhou'"
    """

    kind = "memory"

    def __init__(self, case: Case | None = None) -> None:
        self._case: Case | None = None
        if case is not None:
            self.load(case)

    # -- loading --------------------------------------------------------------------------
    def load(self, case: Case) -> None:
        """Hold ``case`` (replacing whatever this store held) and index it.

        A case whose lists were changed in place into an invalid one since it was built is
        refused with :class:`~crimegraph.InvalidCase`; the store keeps what it held.
        """
        nodes = case.nodes
        node_ids = [entity.id for entity in nodes]
        node_pos = {node: pos for pos, node in enumerate(node_ids)}
        flows = build_flows(case, node_ids, node_pos)  # first: it checks the case
        self._case = case
        self._nodes, self._node_ids, self._node_pos = nodes, node_ids, node_pos
        self._products: dict[str, Record] = {p.id: p for p in case.products}
        self._flows = flows
        self._tx_by_node: dict[str, list[int]] | None = None
        self._links_by_node: dict[str, list[int]] | None = None
        self._nx: nx.MultiDiGraph | None = None
        self._nodes_frame: pd.DataFrame | None = None

    @property
    def case(self) -> Case:
        if self._case is None:
            raise StoreError("the in-memory store holds no case yet; call load(case) first")
        return self._case

    @property
    def case_id(self) -> str:
        return self.case.id

    def held(self) -> object:
        """The identity of the case object held (None when empty)."""
        return None if self._case is None else id(self._case)

    @property
    def timezone(self) -> str:
        return self.case.timezone

    def describe(self) -> str:
        if self._case is None:
            return "in-memory NetworkX store (empty)"
        return f"in-memory NetworkX store holding case {self._case.id!r}"

    # -- records --------------------------------------------------------------------------
    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        self.case  # noqa: B018 - raises when empty
        case = self.case
        found: dict[str, Record] = {}
        rest: list[str] = []
        nodes = self._nodes
        for rid in ids:
            pos = self._node_pos.get(rid)
            if pos is not None:
                found[rid] = nodes[pos]
            elif rid in self._products:
                found[rid] = self._products[rid]
            else:
                rest.append(rid)
        if rest:  # transactions, relationships, evidence: the full index, built on first use
            index = case.record_index()
            found.update((rid, index[rid]) for rid in rest if rid in index)
        return found

    def ids(self) -> list[str]:
        self.case  # noqa: B018
        return list(self.case.record_index())

    def name_index(self) -> NameIndex:
        """Names and aliases of every person, organization, premises and product."""
        return self.case.name_index()

    def node_table(self) -> pd.DataFrame:
        import pandas as pd

        if self._nodes_frame is None:
            rows = []
            for entity in self.case.nodes:
                rows.append({
                    "id": entity.id,
                    "type": entity_type(entity),
                    "name": entity.name,
                    "province": entity.province,
                    "city": entity.city,
                    "role": getattr(entity, "role", None),
                    "status": getattr(entity, "status", None),
                    "kind": getattr(entity, "kind", None),
                    "uses": ",".join(getattr(entity, "uses", []) or []) or None,
                })
            self._nodes_frame = pd.DataFrame(rows, columns=list(NODE_COLUMNS))
        return self._nodes_frame.copy()

    # -- links ----------------------------------------------------------------------------
    def flows(self, kind: FlowKind) -> FlowTable:
        check_flow_kind(kind)
        self.case  # noqa: B018
        return self._flows[kind]

    def transactions(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kind: Literal["shipment", "payment"] | None = None,
    ) -> list[Transaction]:
        nodes, _ = check_link_query(nodes=nodes, direction=direction, kind=kind)
        txs = self.case.transactions
        if nodes is None:
            chosen: Iterable[Transaction] = txs
        else:
            if self._tx_by_node is None:
                self._tx_by_node = _by_node((t.source, t.target) for t in txs)
            positions = sorted({p for n in nodes for p in self._tx_by_node.get(n, ())})
            wanted = set(nodes)
            chosen = [
                txs[p] for p in positions
                if _touches(txs[p].source, txs[p].target, wanted, direction)
            ]
        selected = [t for t in chosen if kind is None or t.kind == kind]
        return sorted(selected, key=lambda t: t.timestamp)

    def links(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kinds: Collection[str] | None = None,
    ) -> list[Relationship]:
        nodes, kinds = check_link_query(nodes=nodes, direction=direction, kinds=kinds,
                                        allowed_kinds=RELATIONSHIP_KINDS)
        rels = self.case.relationships
        if nodes is None:
            chosen: Iterable[Relationship] = rels
        else:
            if self._links_by_node is None:
                self._links_by_node = _by_node((r.source, r.target) for r in rels)
            positions = sorted({p for n in nodes for p in self._links_by_node.get(n, ())})
            wanted = set(nodes)
            chosen = [
                rels[p] for p in positions
                if _touches(rels[p].source, rels[p].target, wanted, direction)
            ]
        wanted_kinds = None if kinds is None else set(kinds)
        return [r for r in chosen if wanted_kinds is None or r.kind in wanted_kinds]

    # -- whole case -----------------------------------------------------------------------
    def to_case(self) -> Case:
        return self.case

    def to_networkx(self) -> nx.MultiDiGraph:
        if self._nx is None:
            self._nx = case_to_networkx(self.case)
        return self._nx


def _touches(source: str, target: str, nodes: set[str], direction: Direction) -> bool:
    if direction == "out":
        return source in nodes
    if direction == "in":
        return target in nodes
    return source in nodes or target in nodes


def _by_node(pairs: Iterable[tuple[str, str]]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for position, (source, target) in enumerate(pairs):
        index[source].append(position)
        if target != source:
            index[target].append(position)
    return dict(index)


FLOW_FIELDS = ("id", "kind", "source", "target", "timestamp", "product", "currency",
               "quantity", "amount")
"""The transaction fields a flows table is built from."""


def changed_case(case: Case) -> InvalidCase:
    """The error for a case whose lists were changed in place into an invalid case after it
    was checked (a case is checked when built; its records, not its lists, are immutable)."""
    from ..model._checks import find_problems

    problems = find_problems(case) or [Problem(
        "case", None, case.id, "(case)", case.id,
        "its lists were changed after the case was built; build it again with "
        "cg.Case.model_validate(case.model_dump()) to see every problem")]
    return InvalidCase(problems)


def currencies_of(case: Case) -> list[str]:
    """The currencies of the case's payments, sorted: the items of its payments table."""
    return sorted({tx.currency for tx in case.transactions if tx.kind == "payment"})


def build_flows(case: Case, node_ids: list[str], node_pos: dict[str, int]
                ) -> dict[str, FlowTable]:
    """The case's shipments and payments as :class:`FlowTable` s, each sorted by time.

    Each transaction field is read once, for all transactions, as a list (visiting a million
    records spread over the heap is the slow part; one list per field beats rows transposed
    and beats feeding numpy from the records directly), turned into a numpy column at C
    speed; the two kinds are then split by a numpy mask, with no second pass over the
    records or the lists.
    """
    txs = case.transactions
    n = len(txs)
    # The cyclic collector would rescan the heap again and again while the lists grow.
    with gc_paused():
        ids, kinds, sources, targets, stamps, products, currencies, quantities, amounts = (
            list(map(attrgetter(name), txs)) for name in FLOW_FIELDS)
    if len(node_pos) != len(node_ids) or len(set(ids)) != n:
        raise changed_case(case)  # a duplicate id appended to a list since the case was built
    shipment = np.fromiter(map("shipment".__eq__, kinds), dtype=bool, count=n)
    payment = ~shipment
    try:
        source = np.fromiter(map(node_pos.__getitem__, sources), dtype=np.int32, count=n)
        target = np.fromiter(map(node_pos.__getitem__, targets), dtype=np.int32, count=n)
    except KeyError:  # a link to no one, appended to a list since the case was built
        raise changed_case(case) from None
    # datetime.timestamp() is exact to the microsecond for these magnitudes (< 2**53 us).
    seconds = np.fromiter(map(datetime.timestamp, stamps), dtype=np.float64, count=n)
    when = np.rint(seconds * 1e6).astype(np.int64)
    quantity = np.array(quantities, dtype=np.float64)  # None becomes NaN
    amount = np.array(amounts, dtype=np.float64)
    id_array = np.array(ids, dtype=object)
    product_ids = [p.id for p in case.products]
    currency_ids = sorted(set(np.array(currencies, dtype=object)[payment].tolist()))
    tables: dict[str, FlowTable] = {}
    for kind, chosen, item_ids, refs in (
        ("shipment", shipment, product_ids, products),
        ("payment", payment, currency_ids, currencies),
    ):
        if not chosen.any():
            tables[kind] = FlowTable.empty(kind, node_ids, item_ids, node_pos)
            continue
        # Items by position; -1 on the other kind's rows (a payment need name no product).
        item_pos = {item: pos for pos, item in enumerate(item_ids)}
        item = np.fromiter(map(item_pos.get, refs, repeat(-1)), dtype=np.int32, count=n)
        rows = np.flatnonzero(chosen)
        picked = rows[np.argsort(when[rows], kind="stable")]
        tables[kind] = FlowTable(
            kind, list(node_ids), item_ids, id_array[picked], source[picked], target[picked],
            when[picked], item[picked], quantity[picked], amount[picked], dict(node_pos),
        )
    return tables

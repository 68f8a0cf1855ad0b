""":class:`CaseGraph`: one case in a store, the object every analysis takes."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal

from ..errors import StoreError, WrongArgumentType
from ..model import Case, Record, Relationship, Transaction
from ..model.grading import Grade, RequiredCredibility, RequiredReliability, Unsupported, grade_case
from ..model.registry import NODE_SECTIONS
from .base import Direction, FlowKind, FlowTable, Store
from .summary import CaseSummary

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = ["CaseGraph", "as_case_graph", "graded"]


class CaseGraph:
    """A case loaded into a store: in memory (NetworkX, the default) or in Neo4j.

    The analyst's handle on a case: every analysis and figure takes one. It is a thin
    convenience over its :attr:`store`: the analyses are written against the
    :class:`~crimegraph.Store` interface (``g.store``) alone, and the lookups here
    (:meth:`get`, :meth:`nodes`, :meth:`transactions`, :meth:`links`, :meth:`flows`...) pass
    straight through to it. What it adds is the case itself (:attr:`case`), a graded view's
    grade (:attr:`grade`) and the summary.

    Parameters
    ----------
    case : Case
        The case to load.
    store : Store, optional
        Where to keep it; a new :class:`~crimegraph.NetworkXStore` when omitted. A
        :class:`~crimegraph.Neo4jStore` writes the case into the database.

    Raises
    ------
    InvalidCase
        If the case's lists were changed in place since it was built so that it is no
        longer valid (a duplicate id, a link to an id the case lacks); the message names
        the records, and nothing is loaded.

    Examples
    --------
    >>> import crimegraph as cg
    >>> g = cg.CaseGraph(cg.load_example("fake_liquor"))
    >>> g.get("P-ZHOU").name
    '周建国'
    >>> g.summary().suspects
    9
    >>> g.to_networkx().number_of_nodes() == len(g.case.nodes)
    True
    """

    def __init__(self, case: Case, store: Store | None = None) -> None:
        from .memory import NetworkXStore

        if not isinstance(case, Case):
            raise WrongArgumentType(
                f"CaseGraph needs a crimegraph.Case, got {type(case).__name__}; "
                "read one with cg.read_case(path) or cg.Case.model_validate(data)"
            )
        self._store: Store = store if store is not None else NetworkXStore()
        self._store.load(case)
        self._held = self._store.held()
        self._case_id = case.id
        self._case: Case | None = case
        self.grade: Grade | None = None
        """The evidence grade of a view made by :func:`graded`; None for a whole case."""

    @classmethod
    def open(cls, store: Store, case_id: str) -> CaseGraph:
        """Open a case already kept in ``store`` without loading it again."""
        store.open_case(case_id)
        graph = cls.__new__(cls)
        graph._store = store
        graph._held = store.held()
        graph._case_id = case_id
        graph._case = None
        graph.grade = None
        return graph

    @property
    def store(self) -> Store:
        """The store holding the case: what analyses read.

        One store holds one case at a time. A store shared with another graph that loaded or
        opened a case in it since is refused, so that this graph never answers from another
        case: give each graph its own store (e.g. one ``Neo4jStore`` per case).

        Raises
        ------
        StoreError
            If the store now holds another case, or another version of this one.
        """
        store = self._store
        if store.held() != self._held:
            raise StoreError(
                f"this CaseGraph was made for case {self._case_id!r}, but its store was given "
                f"another case or version since ({store.describe()}), e.g. by another "
                "CaseGraph sharing the store; give each CaseGraph its own store (a store that "
                "keeps several cases, such as Neo4j, can open it again: "
                f"CaseGraph.open(store, {self._case_id!r}))"
            )
        return store

    # -- identity -------------------------------------------------------------------------
    @property
    def case_id(self) -> str:
        """Id of the case this graph was made for."""
        return self._case_id

    @property
    def case(self) -> Case:
        """The whole case (read back from the store when it was opened, not loaded)."""
        if self._case is None:
            self._case = self.store.to_case()
        return self._case

    def describe(self) -> str:
        """Which store holds which case (and, for a graded view, which evidence it keeps)."""
        if self.grade is not None:
            return f"{self._store.describe()}, graded: {self.grade}"
        return self._store.describe()

    def __repr__(self) -> str:
        return f"CaseGraph({self.describe()})"

    def reload(self, case: Case) -> None:
        """Hold a changed version of the case instead (e.g. with review decisions added), in
        the same store: the store keeps the new case in place of the old one."""
        if not isinstance(case, Case):
            raise WrongArgumentType(f"reload needs a crimegraph.Case, got {type(case).__name__}")
        self._store.load(case)
        self._held = self._store.held()
        self._case_id = case.id
        self._case = case

    # -- lookups --------------------------------------------------------------------------
    def get(self, record_id: str) -> Record:
        """The entity, transaction, relationship or evidence with this id.

        Raises
        ------
        EntityNotFound
            If the case has no such id; the message suggests close matches.
        """
        return self.store.get(record_id)

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and bool(self.store.get_many([record_id]))

    def require(self, ids: Iterable[str]) -> list[str]:
        """The ids, checked to exist (raises :class:`EntityNotFound` naming the first missing).

        Raises
        ------
        WrongArgumentType
            If ``ids`` is one id as a string (its letters are no ids): write ``[id]``.
        """
        if isinstance(ids, str):
            raise WrongArgumentType(f"ids={ids!r} must be a collection of ids, not one id as a "
                                    f"string; write [{ids!r}]")
        wanted = list(dict.fromkeys(ids))
        found = self.store.get_many(wanted)
        for rid in wanted:
            if rid not in found:
                raise self.store.not_found(rid)
        return wanted

    def neighbors(
        self, node: str, *, kind: str | Collection[str] | None = None,
        direction: Direction = "both",
    ) -> list[str]:
        """Ids linked to ``node``, optionally by link kind ("calls", "shipment"...) and way."""
        kinds = [kind] if isinstance(kind, str) else kind
        return self.store.neighbors(node, kinds=kinds, direction=direction)

    def nodes(self) -> pd.DataFrame:
        """Persons, organizations and premises as a DataFrame (id, type, name, province...)."""
        return self.store.node_table()

    def flows(self, kind: FlowKind) -> FlowTable:
        """Every shipment (``"shipment"``) or payment (``"payment"``) as a time-sorted
        columnar table."""
        return self.store.flows(kind)

    def shipments(self) -> FlowTable:
        """Every shipment as a time-sorted columnar table (``flows("shipment")``)."""
        return self.store.flows("shipment")

    def payments(self) -> FlowTable:
        """Every payment as a time-sorted columnar table (``flows("payment")``)."""
        return self.store.flows("payment")

    def transactions(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kind: Literal["shipment", "payment"] | None = None,
    ) -> list[Transaction]:
        """Transactions around ``nodes`` (all when None), in time order."""
        return self.store.transactions(nodes=nodes, direction=direction, kind=kind)

    def links(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kinds: Collection[str] | None = None,
    ) -> list[Relationship]:
        """Relationships around ``nodes`` (all when None), optionally of some kinds."""
        return self.store.links(nodes=nodes, direction=direction, kinds=kinds)

    def subgraph(self, ids: Iterable[str]) -> CaseGraph:
        """A new in-memory case graph of these entities and the links among them.

        Products and evidence that the kept records refer to come along. ``ids`` is a
        collection of ids (one id as a string is refused, see :meth:`require`).
        """
        keep = set(self.require(ids))
        case = self.case
        txs = [t for t in case.transactions if t.source in keep and t.target in keep]
        rels = [r for r in case.relationships if r.source in keep and r.target in keep]
        # Carriers come along so that the sub-case stays valid.
        carriers = {t.carrier for t in txs if t.carrier} - keep
        nodes: dict[str, list[Any]] = {
            section: [e for e in getattr(case, section) if e.id in keep]
            + [e for e in getattr(case, section) if e.id in carriers]
            for section in NODE_SECTIONS
        }
        kept = [*chain.from_iterable(nodes.values()), *txs, *rels]
        product_ids = {t.product for t in txs if t.product}
        # Evidence cites products and products cite evidence: follow both until stable.
        evidence_ids: set[str] = {ev for record in kept for ev in record.evidence}
        while True:
            evidence = [e for e in case.evidence if e.id in evidence_ids]
            product_ids |= {e.product for e in evidence if e.product}
            kept_products = [p for p in case.products if p.id in product_ids]
            more = {ev for record in [*kept_products, *evidence] for ev in record.evidence}
            if more <= evidence_ids:
                break
            evidence_ids |= more
        sub = Case(
            id=case.id[: 200 - len("-subgraph")] + "-subgraph",  # ids are at most 200 long
            title=f"{case.title} (subgraph)", timezone=case.timezone,
            currency=case.currency, **nodes,
            products=kept_products,
            transactions=txs, relationships=rels, evidence=evidence,
        )
        return CaseGraph(sub)

    def graded(
        self, *, reliability: RequiredReliability | None = "B",
        credibility: RequiredCredibility | None = 2, unsupported: Unsupported = "drop",
        store: Store | None = None,
    ) -> CaseGraph:
        """The view of this case that evidence at or above a grade supports: see :func:`graded`."""
        return graded(self, reliability=reliability, credibility=credibility,
                      unsupported=unsupported, store=store)

    def to_networkx(self) -> nx.MultiDiGraph:
        """The case as a ``networkx.MultiDiGraph`` (nodes: entities; edges: links, keyed by id)."""
        return self.store.to_networkx()

    def summary(self) -> CaseSummary:
        """Counts by entity type, provinces, date range and totals (goods, money, frozen funds)."""
        return self.store.summary()

    def close(self) -> None:
        """Close the store's connections."""
        self._store.close()

    def __enter__(self) -> CaseGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def as_case_graph(graph: CaseGraph | Case) -> CaseGraph:
    """A :class:`CaseGraph` for either a case graph or a bare :class:`Case` (wrapped in memory)."""
    if isinstance(graph, CaseGraph):
        return graph
    if isinstance(graph, Case):
        return CaseGraph(graph)
    raise WrongArgumentType(
        f"expected a crimegraph.CaseGraph or crimegraph.Case, got {type(graph).__name__}"
    )


def graded(
    graph: CaseGraph | Case, *, reliability: RequiredReliability | None = "B",
    credibility: RequiredCredibility | None = 2, unsupported: Unsupported = "drop",
    store: Store | None = None,
) -> CaseGraph:
    """A case graph of only the facts that evidence at or above an Admiralty grade supports.

    Every analysis takes the view as it takes any case graph, and answers as it would on the
    same facts entered by hand. The view is a new case (built by
    :func:`~crimegraph.model.grade_case`); the input is left as it is.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store.
    reliability : {"A", "B", "C", "D", "E"} or None
        The worst source reliability accepted (default "B": A and B sources); None for no
        requirement on the source.
    credibility : {1, 2, 3, 4, 5} or None
        The worst information credibility accepted (default 2: confirmed or probably true);
        None for no requirement.
    unsupported : {"drop", "keep"}
        Records that cite no evidence at all: removed (``"drop"``, the default) or kept
        (``"keep"``: only what rests on weaker evidence goes).
    store : Store, optional
        Where to keep the view: a new in-memory store when omitted, whatever the input's
        store. Pass a :class:`~crimegraph.Neo4jStore` to write the view into a database as a
        case of its own (its id ends in ``-graded-`` and the grade).

    Returns
    -------
    CaseGraph
        The view; :attr:`CaseGraph.grade` holds the grade, :meth:`CaseGraph.describe` and the
        summary's title say it ("evidence A–B, 1–2 only").

    Raises
    ------
    ValueError
        On a grade outside the allowed ones (the message lists them).

    Notes
    -----
    A record is supported when one of the evidence records it cites has ``reliability`` at
    or better than the letter *and* ``credibility`` at or better than the number. Evidence
    without a grade, or graded F or 6 ("cannot be judged"), supports nothing at a required
    grade. Links are kept when supported, with their ends (and a shipment's carrier);
    persons, organizations and premises when supported or an end of a kept link; products
    when supported or named by a kept shipment or evidence record; evidence records when they
    meet the grade, and every kept record cites only those.

    Examples
    --------
    >>> import crimegraph as cg
    >>> g = cg.CaseGraph(cg.load_example("fake_liquor"))
    >>> view = cg.graded(g, reliability="A", credibility=1)
    >>> view.summary().counts["shipments"], g.summary().counts["shipments"]
    (4, 135)
    >>> str(view.grade)
    'evidence A, 1 only'
    """
    grade = Grade(reliability, credibility, unsupported)  # checks the arguments first
    view = CaseGraph(grade_case(as_case_graph(graph).case, grade), store=store)
    view.grade = grade
    return view

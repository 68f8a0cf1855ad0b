"""``Neo4jStore``: the store's face, answering the store's questions over its
:class:`~crimegraph.store.neo4j.connection.Connection` (driver, transactions, open case);
loading (:mod:`.load`), walks (:mod:`.trace`), the summary (:mod:`.summary`) and the
record codec (:mod:`.codec`) each live in their own module.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ...errors import (
    EntityNotFound,
    InvalidArgument,
    NameIndex,
    StoreError,
    WrongArgumentType,
)
from ...model import Case, Record, Relationship, Transaction
from ...model._time import get_timezone
from ...model.links import RELATIONSHIP_KINDS
from ...model.registry import NODE_SECTIONS
from ..base import (
    NODE_COLUMNS,
    Direction,
    FlowCandidates,
    FlowKind,
    FlowQuery,
    FlowTable,
    SettledWalk,
    Store,
    check_flow_kind,
    check_link_query,
)
from ..summary import CaseSummary
from . import cypher, load, summary, trace
from .codec import link_data, parse, parse_link
from .connection import Connection, rows_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Neo4jStore"]

_T = TypeVar("_T")


class Neo4jStore(Connection, Store):
    """Keeps cases in a Neo4j database (5.x); a trace reads only the part it can reach.

    Parameters
    ----------
    uri : str, optional
        Bolt URI such as ``"bolt://127.0.0.1:7687"``; defaults to the environment variable
        ``CRIMEGRAPH_NEO4J_URI``.
    auth : tuple of (user, password), optional
        Credentials; None for a server with authentication off.
    database : str, optional
        Database name (default ``"neo4j"``).
    driver : neo4j.Driver, optional
        Your own driver instead of a URI; the store then never closes it.
    batch_size : int
        Records per write transaction while loading.
    workers : int
        Sessions writing links at the same time while loading (nodes are written first).
    server_trace : bool, optional
        Run :func:`~crimegraph.trace_chain`'s default trace inside Neo4j with crimegraph's
        procedure ``crimegraph.trace`` (a plugin jar built from ``tools/neo4j``; see the
        store's documentation). None (default): when the server has it; True: always (an
        error if it is missing); False: never, the trace reads the case level by level and
        runs here.
    timeout : float
        Seconds to wait for an unreachable or restarting server before raising
        :class:`~crimegraph.StoreUnavailable` (default 5); also how long a transaction that
        hit a passing lock conflict (a deadlock between two writers) is retried. Applies to
        the store's own driver, not to a ``driver`` you pass in.

    Examples
    --------
    >>> import crimegraph as cg
    >>> store = cg.Neo4jStore("bolt://127.0.0.1:7687", database="neo4j")  # doctest: +SKIP
    >>> g = cg.CaseGraph(cg.load_example("fake_liquor"), store=store)     # doctest: +SKIP
    >>> cg.trace_chain(g, "W-DEN-A").provinces                            # doctest: +SKIP
    """

    kind = "neo4j"

    # -- loading --------------------------------------------------------------------------
    def load(self, case: Case) -> None:
        """Write ``case`` as a new generation and publish it in one final transaction.

        The load first claims the case for its generation. If another load of the same case
        id claims it, or the case is deleted, before this load publishes, this load fails
        with :class:`~crimegraph.StoreError`, publishes nothing and removes what it wrote.
        """
        load.load_case(self, case)

    def held(self) -> object:
        """The generation of the open case (None when no case is open)."""
        return self._ck

    def _purge(self, case_id: str, *, stale_after_ms: int | None = None) -> int:
        return load.purge(self, case_id, stale_after_ms=stale_after_ms)

    # -- opening, listing, deleting -------------------------------------------------------
    def open_case(self, case_id: str) -> None:
        """Point this store at a case already in the database (no reload)."""
        with self._errors(f"opening case {case_id!r}"):
            found = self._read(cypher.CASE_INFO, id=case_id)
        if not found:
            raise EntityNotFound(
                case_id, self.list_cases(), where=f"the cases of {self.describe()}"
            )
        info = found[0]
        if info["layout"] != cypher.LAYOUT:
            raise StoreError(
                f"case {case_id!r} in {self.describe()} was stored by another version of "
                f"crimegraph (data layout {info['layout'] or 1}, this version reads layout "
                f"{cypher.LAYOUT}); load the case again to store it in this layout"
            )
        self._case_id, self._ck = case_id, info["ck"]
        self._timezone = info["timezone"]
        self._product_ids = list(info["products"] or [])
        self._currencies = list(info["currencies"] or [])

    def list_cases(self) -> list[str]:
        """Ids of the cases stored in the database."""
        with self._errors("listing cases"):
            return [row["id"] for row in self._read(cypher.LIST_CASES)]

    def delete_case(self, case_id: str) -> None:
        """Remove a case and all its data from the database.

        Readers see the case gone at once: the first transaction unpublishes it and clears
        the claim of any load of it still running (that load then fails without publishing).
        Its data is then removed in batches, each retried on a passing lock conflict. If the
        delete is interrupted, calling it again (or :meth:`vacuum`) finishes it. Removes the
        orphaned data of an interrupted load of the case too; deleting an id that is not
        stored does nothing.
        """
        with self._errors(f"deleting case {case_id!r}"):
            self._write(cypher.MARK_DELETED, id=case_id)
            self._purge(case_id)
            self._write(cypher.DROP_CASE_NODE, id=case_id)
        if self._case_id == case_id:
            self._case_id = self._ck = None

    def inventory(self, *, stale_after: float = 600.0) -> pd.DataFrame:
        """Every generation of case data in the database: published, loading or orphaned.

        A load that was killed (or lost its server) leaves the nodes it wrote behind as an
        *orphaned* generation: never visible to readers, but taking space. This table shows
        them next to the published cases; :meth:`vacuum` removes them.

        Parameters
        ----------
        stale_after : float
            Seconds after which a load that has not renewed its claim (loads renew it every
            few seconds) counts as dead, and its generation as orphaned.

        Returns
        -------
        pandas.DataFrame
            One row per generation: ``case_id``, ``generation``, ``nodes`` (how many nodes it
            holds), ``state`` (``"published"``, ``"loading"``, ``"orphaned"``) and
            ``last_activity`` (when its load last renewed its claim, for loading ones). A
            case node without data (a claim by a load that wrote nothing yet, or a delete
            that was interrupted) is a row with no generation and 0 nodes.
        """
        import pandas as pd

        _check_stale_after(stale_after)
        with self._errors("listing the stored data"):
            rows = self._read(cypher.INVENTORY)
        out = []
        for row in rows:
            fresh = (row["loading"] is not None and row["beat"] is not None
                     and row["now"] - row["beat"] <= stale_after * 1000)
            generation = row["generation"]
            if generation is not None and generation == row["published"] \
                    and row["status"] == "ready":
                state = "published"
            elif fresh and generation in (None, row["loading"]):
                state = "loading"
            elif generation is None and row["status"] == "ready":
                continue  # the case node of a published case whose data rows are above
            else:
                state = "orphaned"
            beat = row["beat"] if generation in (None, row["loading"]) else None
            out.append({
                "case_id": row["case_id"], "generation": generation, "nodes": row["nodes"],
                "state": state,
                "last_activity": None if beat is None else pd.Timestamp(beat, unit="ms",
                                                                        tz="UTC"),
            })
        table = pd.DataFrame(out, columns=["case_id", "generation", "nodes", "state",
                                           "last_activity"])
        return table.sort_values(["case_id", "state", "generation"],
                                 na_position="first").reset_index(drop=True)

    def vacuum(self, *, stale_after: float = 600.0) -> int:
        """Remove orphaned generations (see :meth:`inventory`); the number of nodes removed.

        Published cases and loads that renewed their claim within ``stale_after`` seconds are
        never touched. A load silent for longer is taken as dead: its claim is cleared (if
        it is in fact still running, it fails cleanly instead of publishing) and its data
        removed. Case nodes left by interrupted first loads and deletes are removed too.

        Examples
        --------
        >>> store.inventory()                     # doctest: +SKIP
        >>> store.vacuum(stale_after=60)          # doctest: +SKIP
        6929
        """
        _check_stale_after(stale_after)
        table = self.inventory(stale_after=stale_after)
        removed = 0
        stale_ms = int(stale_after * 1000)
        for case_id in table.loc[table["state"] == "orphaned", "case_id"].unique():
            removed += self._purge(str(case_id), stale_after_ms=stale_ms)
            with self._errors(f"removing the leftovers of case {case_id!r}"):
                self._write(cypher.DROP_CASE_NODE, id=str(case_id))
        return removed

    # -- records --------------------------------------------------------------------------
    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        ck = self.ck
        with self._errors("reading records"):
            rows, info = self._transact(_records, ck, wanted, self._case_id)
        if not info or info[0]["ck"] != ck:
            raise self._changed()
        tz = get_timezone(self._timezone)
        found = {row["id"]: parse_link(row, tz) if "plain" in row
                 else parse(row["section"], row["record"]) for row in rows}
        return {rid: found[rid] for rid in wanted if rid in found}

    def ids(self) -> list[str]:
        with self._errors("listing ids"):
            (rows,) = self._read_case((cypher.ALL_IDS, {"ck": self.ck}))
        return [row["id"] for row in rows]

    def name_index(self) -> NameIndex:
        """Names and aliases of every person, organization, premises and product, as the
        in-memory store gives them (built on first use for each version of the case)."""
        ck = self.ck
        cached = self._names
        if cached is not None and cached[0] == ck:
            return cached[1]
        sections = ["persons", "organizations", "warehouses", "products"]
        with self._errors("reading the names"):
            (rows,) = self._read_case((cypher.NAME_ROWS, {"ck": ck, "sections": sections}))
        rows.sort(key=lambda row: sections.index(row["section"]))  # stable: case order kept
        names: dict[str, list[str]] = {}
        for row in rows:
            aliases = json.loads(row["record"]).get("aliases", []) if row["record"] else []
            names[row["id"]] = [row["name"], *aliases]
        index = NameIndex(names)
        self._names = (ck, index)
        return index

    def node_table(self) -> pd.DataFrame:
        import pandas as pd

        with self._errors("reading the node table"):
            (rows,) = self._read_case((cypher.NODE_TABLE, {"ck": self.ck,
                                                             "places": list(NODE_SECTIONS)}))
        return pd.DataFrame(rows, columns=list(NODE_COLUMNS))

    # -- links ----------------------------------------------------------------------------
    def flows(self, kind: FlowKind) -> FlowTable:
        check_flow_kind(kind)
        with self._errors(f"reading {kind}s"):
            rows, nodes = self._read_case((cypher.ALL_FLOWS[kind], {"ck": self.ck}),
                                          (cypher.NODE_TABLE, {"ck": self.ck,
                                                               "places": list(NODE_SECTIONS)}))
        return FlowTable.from_rows(
            ((r["id"], r["source"], r["target"], r["ts"], r["item"], r["quantity"],
              r["amount"]) for r in rows),
            node_ids=[n["id"] for n in nodes], item_ids=self._items(kind), kind=kind,
        )


    def walk_flows(self, query: FlowQuery) -> SettledWalk | FlowCandidates:
        """The walk done where the data lives, or the flows it can reach, read level by level.

        With crimegraph's procedure installed (see ``server_trace``), a time-respecting walk
        without a hop limit runs in one call inside the server, which returns only the walk's
        flows and tiers. Otherwise the places the walk can reach are read level by level (one
        query per level), and their flows are the candidates the walk runs over. Either way
        the answer is the in-memory walk's (see :mod:`crimegraph.store.neo4j.trace`).
        """
        return trace.walk_flows(self, query)

    def _has_procedure(self) -> bool:
        """Whether the server has a ``crimegraph.trace`` for this store's data layout."""
        return trace.has_procedure(self)

    @property
    def traces_in_server(self) -> bool:
        """Whether default traces run inside the server (crimegraph's procedure is installed
        and ``server_trace`` allows it); else they run level by level."""
        return self.server_trace is not False and self._has_procedure()

    def transactions(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kind: Literal["shipment", "payment"] | None = None,
    ) -> list[Transaction]:
        nodes, _ = check_link_query(nodes=nodes, direction=direction, kind=kind)
        kinds: list[str] = ["shipment", "payment"] if kind is None else [kind]
        records = self._links(kinds, nodes, direction)
        txs = [r for r in records if isinstance(r, Transaction)]
        return sorted(txs, key=lambda t: t.timestamp)

    def links(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kinds: Collection[str] | None = None,
    ) -> list[Relationship]:
        nodes, kinds = check_link_query(nodes=nodes, direction=direction, kinds=kinds,
                                        allowed_kinds=RELATIONSHIP_KINDS)
        chosen = [k for k in RELATIONSHIP_KINDS if kinds is None or k in set(kinds)]
        if not chosen:
            return []
        return [r for r in self._links(chosen, nodes, direction) if isinstance(r, Relationship)]

    def _links(self, kinds: list[str], nodes: Collection[str] | None,
               direction: Direction) -> list[Record]:
        query = cypher.links_around(kinds, direction, anchored=nodes is not None)
        with self._errors("reading links"):
            (rows,) = self._read_case(
                (query, {"ck": self.ck, "ids": None if nodes is None else list(nodes)}))
        rows.sort(key=lambda row: row["seq"])
        tz = get_timezone(self._timezone)
        return [parse_link(row, tz) for row in rows]


    # -- whole case -----------------------------------------------------------------------
    def summary(self) -> CaseSummary:
        """The case summary, aggregated in the database (no records are pulled but evidence)."""
        return summary.summarize(self)

    def to_case(self) -> Case:
        ck = self.ck
        with self._errors(f"reading case {self._case_id!r}"):
            info, rows, links = self._read_case(
                (cypher.CASE_INFO, {"id": self._case_id}),
                (cypher.ALL_NODE_RECORDS, {"ck": ck}),
                (cypher.ALL_LINK_RECORDS, {"ck": ck}))
        rows += links
        data: dict[str, Any] = json.loads(info[0]["record"])
        tz = get_timezone(self._timezone)
        sections: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for row in rows:
            fields = (link_data(row, tz) if "plain" in row
                      else dict(json.loads(row["record"])))
            sections.setdefault(row["section"], []).append((row["seq"], fields))
        for section, items in sections.items():
            items.sort(key=lambda item: item[0])
            data[section] = [fields for _, fields in items]
        return Case.model_validate(data)




def _records(tx: Any, ck: str, wanted: list[str], case_id: str
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node records with these ids, then link records for the rest; then the case's state."""
    (rows,) = rows_of(tx, [(cypher.NODE_RECORDS, {"ck": ck, "ids": wanted})])
    missing = sorted(set(wanted) - {row["id"] for row in rows})
    queries: list[tuple[str, dict[str, Any]]] = [(cypher.CASE_INFO, {"id": case_id})]
    if missing:
        queries.insert(0, (_link_records_query(), {"ck": ck, "ids": missing}))
    *links, info = rows_of(tx, queries)
    return rows + (links[0] if links else []), info


def _link_records_query() -> str:
    parts = [
        f"MATCH ()-[r:{rel_type}]->() WHERE r.ck = $ck AND r.id IN $ids "
        f"RETURN r.id AS id, {cypher.LINK_FIELDS}"
        for rel_type in cypher.LINK_TYPES.values()
    ]
    return " UNION ALL ".join(parts)


def _check_stale_after(stale_after: object) -> None:
    """Refuse a ``stale_after`` that is no number of seconds >= 0 (a negative one would take
    every running load for dead)."""
    if isinstance(stale_after, bool) or not isinstance(stale_after, (int, float)):
        raise WrongArgumentType(f"stale_after={stale_after!r} must be a number of seconds, "
                                f"not {type(stale_after).__name__}")
    if not stale_after >= 0:
        raise InvalidArgument(f"stale_after={stale_after!r} must be a number of seconds >= 0")

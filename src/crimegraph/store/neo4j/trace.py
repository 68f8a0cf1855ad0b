"""The walk over a case's flows in Neo4j, by one of two paths that give the in-memory answer.

- In the server: crimegraph's procedure ``crimegraph.trace`` (a plugin built from
  ``tools/neo4j``) runs the whole time-respecting walk next to the data and returns only the
  walk (see :func:`walk_in_server`).
- Level by level: one query per level of a breadth-first walk reads the packed flow lists of
  the places just reached; the walk then runs here over those lists (see :func:`reach`).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import StoreError, StoreUnavailable
from ..base import FlowCandidates, FlowQuery, SettledWalk
from . import cypher
from .connection import vanished
from .load import Superseded
from .packs import Reach, walked_table

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["has_procedure", "reach", "walk_flows", "walk_in_server"]


def walk_flows(store: Connection, query: FlowQuery) -> SettledWalk | FlowCandidates:
    """The walk done where the data lives, or the flows it can reach, read level by level.

    With crimegraph's procedure installed (see ``server_trace``), a time-respecting walk
    without a hop limit runs in one call inside the server, which returns only the walk's
    flows and tiers. Otherwise the places the walk can reach are read level by level (one
    query per level, see :func:`reach`), and their flows are the candidates the walk
    runs over. Either way the answer is the in-memory walk's.
    """
    if query.time_respecting and query.max_hops is None:
        settled = walk_in_server(store, query)
        if settled is not None:
            return settled
    return reach(store, query)


def reach(store: Connection, query: FlowQuery) -> FlowCandidates:
    """Matching flows reachable from the starts, read level by level (with the table's
    adjacency in the query's direction, when every flow read is kept).

    One query per level of the breadth-first walk reads the packed flow lists of the
    places just reached (by their ``nidx``); the walk itself runs here on those lists.
    Dead ends (places that pass nothing on) are never read: their ids come with the lists
    that lead to them. Only the reachable part of the case leaves the database.
    """
    kind, direction, max_hops = query.kind, query.direction, query.max_hops
    items = store._items(kind)
    wanted = None
    if query.items is not None:
        chosen_items = set(query.items)
        wanted = np.array([i for i, p in enumerate(items) if p in chosen_items],
                          dtype=np.int32)
    since_us, until_us, min_amount = query.since_us, query.until_us, query.min_amount
    filtered = query.filtered

    def matching(edges: np.ndarray) -> np.ndarray:
        chosen = np.ones(len(edges), dtype=bool)
        if wanted is not None:
            chosen &= np.isin(edges["pidx"], wanted)
        if since_us is not None:
            chosen &= edges["ts"] >= since_us
        if until_us is not None:
            chosen &= edges["ts"] <= until_us
        if min_amount is not None:
            chosen &= edges["amt"] >= min_amount
        return chosen

    ck = store.ck
    first, step = cypher.trace_start(kind, direction), cypher.trace_step(kind, direction)

    def still_published(tx: Any) -> bool:
        info = tx.run(cypher.CASE_INFO, id=store._case_id).single()
        return info is not None and info["ck"] == ck

    def read(tx: Any) -> Reach:
        reached = Reach(matching if filtered else None)
        try:
            found = tx.run(first, ck=ck, ids=list(query.starts), no_blob=b"").single()
            level = 0
            while found is not None:
                frontier = reached.add(found)
                if not frontier or (max_hops is not None and level >= max_hops):
                    break
                pending = tx.run(step, ck=ck, nids=frontier, no_blob=b"")
                reached.digest()  # while the server reads the next level
                found = pending.single()
                if found is None or len(found["nid"]) != len(frontier):
                    raise Superseded
                level += 1
        except (Superseded, KeyError, TypeError, ValueError, IndexError) as exc:
            # Lists half rewritten or places gone: a reload or delete under the walk.
            if not still_published(tx):
                raise store._changed("being traced") from None
            if isinstance(exc, Superseded):
                raise StoreError(
                    f"case {store._case_id!r} in {store.describe()} holds places that a "
                    "trace step could not read back; load the case again") from None
            raise
        # Whatever was read, it was this generation's only if the case still has it.
        if not still_published(tx):
            raise store._changed("being traced")
        return reached

    with store._errors(f"tracing {kind}s"):
        try:
            reached = store._transact(read)
        except Exception as exc:
            if vanished(exc):  # a place read was being removed: a reload or delete
                raise store._changed("being traced") from None
            raise
    table, built = reached.table(kind, items, direction=direction,
                                 complete=not filtered and max_hops is None)
    return FlowCandidates(table, built)


def has_procedure(store: Connection) -> bool:
    """Whether the server has a ``crimegraph.trace`` for this store's data layout."""
    if store._procedure is None:
        try:
            with store._errors("looking for crimegraph's trace procedure"):
                rows = store._read(cypher.FIND_TRACE_PROCEDURE, name=cypher.TRACE_PROCEDURE)
        except StoreUnavailable:
            raise
        except StoreError:
            if store.server_trace:
                raise
            store._procedure = False  # e.g. not allowed to list procedures: level by level
            return False
        layout = f"(layout {cypher.LAYOUT})"
        store._procedure = any(layout in (row["description"] or "") for row in rows)
        if rows and not store._procedure:
            warnings.warn(
                f"{store.describe()} has a {cypher.TRACE_PROCEDURE} procedure for another "
                f"data layout than this crimegraph's ({cypher.LAYOUT}); traces run without "
                "it. Install the plugin built from this crimegraph's tools/neo4j.",
                stacklevel=4,
            )
    return store._procedure


def walk_in_server(store: Connection, query: FlowQuery) -> SettledWalk | None:
    """The whole walk in one call of the server-side procedure, when it is installed.

    The procedure walks the same packed lists as :func:`reach`, with the same
    label-correcting search as the in-memory kernel, and returns only the walk: its nodes
    with their tiers, its flows in time order and their ids.
    """
    if store.server_trace is False:
        return None
    if not has_procedure(store):
        if store.server_trace:
            raise StoreError(
                f"{store.describe()} has no {cypher.TRACE_PROCEDURE} procedure for data "
                f"layout {cypher.LAYOUT}: copy tools/neo4j/target/plugins/"
                "crimegraph-neo4j-procedures.jar (mvn -f tools/neo4j/pom.xml package) into "
                "the server's plugins directory and restart it, or use server_trace=None"
            )
        return None
    ck = store.ck
    items = store._items(query.kind)
    wanted = None
    if query.items is not None:
        chosen = set(query.items)
        wanted = [i for i, p in enumerate(items) if p in chosen]
    lookup = [*query.starts, *(query.items or [])] if query.kind == "shipment" else list(
        query.starts)
    import neo4j

    params = {"ck": ck, "kind": query.kind, "ids": lookup, "starts": list(query.starts),
              "upstream": query.upstream, "items": wanted, "since": query.since_us,
              "until": query.until_us, "min_amount": query.min_amount}
    # One read statement: an auto-commit transaction saves the round trips of an
    # explicit one.
    with store._errors(f"tracing {query.kind}s"), store._driver.session(
        database=store.database, default_access_mode=neo4j.READ_ACCESS
    ) as session:
        found = session.run(cypher.SERVER_TRACE, params).single()
    changed = store._changed("being traced")
    if found is None or found["stale"] or found["layout"] != cypher.LAYOUT:
        raise changed
    if not found["found"]:  # not even the start: is this generation of the case gone?
        with store._errors(f"tracing {query.kind}s"):
            info = store._read(cypher.CASE_INFO, id=store._case_id)
        if not info or info[0]["ck"] != ck:
            raise changed
    table, levels, ids = walked_table(found, query.kind, items)
    kinds = {rid: cypher.NODE_LABELS[section]
             for rid, section in zip(found["found"], found["sections"])}
    return SettledWalk(table, None, levels, kinds, ids)

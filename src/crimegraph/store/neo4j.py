"""The Neo4j store: the same case, and the same answers, in a Neo4j database.

Several cases can live in one database without seeing each other. Loading is idempotent and
all-or-nothing for readers: a load writes a new generation of the case's data and publishes it
in one final transaction, so a load that fails halfway leaves the previous state visible.

Loads and deletes of one case id may run at the same time, from any number of processes; the
case's node in the database puts them in one order. A load first claims the case for its
generation; a later load's claim, or a delete, supersedes it, and the superseded load fails
with :class:`~crimegraph.StoreError` and publishes nothing. Every write addresses only nodes
of its own generation, so nothing ever lands in another case. Every read checks that the
generation it read is still the published one.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np

from ..errors import CrimeGraphError, EntityNotFound, InvalidArgument, StoreError, StoreUnavailable
from ..model import Case, Evidence, Record, Relationship, Transaction
from ..model._time import from_epoch_us, get_timezone, to_epoch_us
from ..model.links import RELATIONSHIP_KINDS
from ..model.projection import entity_type
from ..model.registry import NODE_SECTIONS, RECORD_TYPES, record_type
from . import cypher
from ._packs import ADJACENCY_DTYPE, Reach, pack_rows, walked_table
from .base import (
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
from .memory import build_flows, currencies_of
from .summary import COUNT_KEYS, CaseSummary, build_summary

if TYPE_CHECKING:
    import pandas as pd
    from neo4j import Driver

__all__ = ["ADJACENCY_DTYPE", "Neo4jStore"]

_MODELS: dict[str, type[Record]] = {t.section: t.cls for t in RECORD_TYPES}

class _Progress:
    """Counts finished write transactions (from several threads) and reports them."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None) -> None:
        self.total, self.done, self._report = total, 0, report
        self._lock = threading.Lock()

    def step(self) -> None:
        with self._lock:
            self.done += 1
            done = self.done
            if self._report is not None:
                self._report(done, self.total)


_T = TypeVar("_T")


class _Superseded(Exception):
    """A load's claim on its case is gone: a later load of the case, or a delete, took it."""


class Neo4jStore(Store):
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

    def __init__(
        self, uri: str | None = None, *, auth: tuple[str, str] | None = None,
        database: str | None = None, driver: Driver | None = None, batch_size: int = 5000,
        workers: int = 2, server_trace: bool | None = None, timeout: float = 5.0,
    ) -> None:
        import neo4j

        if driver is None:
            uri = uri or os.environ.get("CRIMEGRAPH_NEO4J_URI")
            if not uri:
                raise InvalidArgument(
                    "Neo4jStore needs a Bolt URI (e.g. 'bolt://127.0.0.1:7687'), a driver, or "
                    "the environment variable CRIMEGRAPH_NEO4J_URI"
                )
            if not timeout > 0:
                raise InvalidArgument(f"timeout={timeout!r} must be a number of seconds > 0")
            try:
                # The store retries failed transactions itself (see _transact): quietly, and
                # within ``timeout``; the driver's own retries log a warning each time.
                driver = neo4j.GraphDatabase.driver(
                    uri, auth=auth, notifications_min_severity="OFF",
                    connection_timeout=timeout, connection_acquisition_timeout=timeout,
                    max_transaction_retry_time=0.0,
                )
            except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
                raise InvalidArgument(f"cannot use Neo4j URI {uri!r}: {exc}") from exc
            self._owns_driver = True
        else:
            self._owns_driver = False
        self._driver = driver
        self._uri = uri or _driver_address(driver)
        self.database = database or "neo4j"
        if batch_size < 1:
            raise InvalidArgument(f"batch_size={batch_size!r} must be >= 1")
        self.batch_size = batch_size
        if workers < 1:
            raise InvalidArgument(f"workers={workers!r} must be >= 1")
        self.workers = workers
        self.timeout = timeout
        self._schema_ready = False
        self.server_trace = server_trace
        self._procedure: bool | None = None
        self._case_id: str | None = None
        self._ck: str | None = None
        self._timezone = "Asia/Shanghai"
        self._product_ids: list[str] = []
        self._currencies: list[str] = []
        #: Called after each written batch with (batches done, batches in all); for progress
        #: bars, and for tests that interrupt a load.
        self.on_batch: Callable[[int, int], None] | None = None
        #: Called after each deleted batch of a delete, vacuum or clean-up with the number of
        #: nodes removed so far (for tests that interleave other work with a delete).
        self.on_delete_batch: Callable[[int], None] | None = None

    # -- plumbing -------------------------------------------------------------------------
    def describe(self) -> str:
        held = f" holding case {self._case_id!r}" if self._case_id else ""
        return f"Neo4j store at {self._uri} (database {self.database!r}){held}"

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        import neo4j.exceptions as nex

        try:
            yield
        except CrimeGraphError:
            raise
        except (nex.ServiceUnavailable, nex.SessionExpired, OSError) as exc:
            raise StoreUnavailable(
                f"{action}: cannot reach {self.describe()}: {exc}. Check that the server is "
                "running and the URI and credentials are right."
            ) from exc
        except (nex.Neo4jError, nex.DriverError) as exc:
            raise StoreError(f"{action} failed on {self.describe()}: {exc}") from exc

    def _transact(self, work: Callable[..., _T], *args: Any, write: bool = False,
                  repeatable: bool = True) -> _T:
        """Run ``work(tx, *args)`` in a managed transaction, retried within ``timeout``.

        Retried: what the server calls transient (deadlocks between two writers, a leader
        switch: the transaction was rolled back) and, when the work may run twice
        (``repeatable``), a lost connection, after which a commit may or may not have
        happened. Not logged: a caller sees one clear error at the end.
        """
        import neo4j
        import neo4j.exceptions as nex

        deadline: float | None = None  # the retry window opens at the first failure
        delay = 0.05
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        while True:
            try:
                with self._driver.session(database=self.database,
                                          default_access_mode=mode) as session:
                    run = session.execute_write if write else session.execute_read
                    return run(work, *args)
            except (nex.Neo4jError, nex.DriverError) as exc:
                if deadline is None:
                    deadline = time.monotonic() + self.timeout
                if not exc.is_retryable() or time.monotonic() + delay > deadline:
                    raise
                if not repeatable and not isinstance(exc, nex.TransientError):
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self._transact(_rows, [(query, params)])[0]

    def _write(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self._transact(_rows, [(query, params)], write=True)[0]

    def _read_case(self, *queries: tuple[str, dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """Rows of several queries on the open case, read in one transaction and checked.

        After the rows are read, the case's node must still publish the generation this
        store opened. A reload or delete changes that node before it removes any data, so
        rows that pass the check are the whole generation, never part of one.
        """
        ck, case_id = self.ck, self._case_id
        queries += ((cypher.CASE_INFO, {"id": case_id}),)
        *found, info = self._transact(_rows, list(queries))
        if not info or info[0]["ck"] != ck:
            raise self._changed()
        return found

    def _changed(self, doing: str = "opened") -> StoreError:
        """The error for a read that found the case reloaded or deleted by someone else."""
        when = "since it was opened" if doing == "opened" else f"while it was {doing}"
        again = " and run the trace again" if doing == "being traced" else ""
        return StoreError(
            f"case {self._case_id!r} changed in {self.describe()} {when} (reloaded or "
            f"deleted); open it again with CaseGraph.open(store, {self._case_id!r}){again}"
        )

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._errors("creating crimegraph's constraints and indexes"):
            for statement in cypher.schema_statements():
                self._write(statement)
            self._write("CALL db.awaitIndexes(300)")
        self._schema_ready = True

    @property
    def ck(self) -> str:
        if self._ck is None:
            raise StoreError(
                f"{self.describe()} holds no case yet; load one with CaseGraph(case, store=...) "
                "or open one with CaseGraph.open(store, case_id)"
            )
        return self._ck

    @property
    def case_id(self) -> str:
        self.ck  # noqa: B018 - raises when empty
        return str(self._case_id)

    @property
    def timezone(self) -> str:
        return self._timezone

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()

    # -- loading --------------------------------------------------------------------------
    def load(self, case: Case) -> None:
        """Write ``case`` as a new generation and publish it in one final transaction.

        The load first claims the case for its generation. If another load of the same case
        id claims it, or the case is deleted, before this load publishes, this load fails
        with :class:`~crimegraph.StoreError`, publishes nothing and removes what it wrote.
        """
        self._ensure_schema()
        ck = f"{case.id}#{uuid.uuid4().hex[:12]}"
        node_ids = [entity.id for entity in case.nodes]
        node_pos = {node: pos for pos, node in enumerate(node_ids)}
        # Places get their server-side node ids as they are written; links and packed
        # shipment lists then address nodes by those ids (no index lookups).
        node_ref = np.full(len(node_ids), -1, dtype=np.int64)
        node_count, node_steps = self._node_steps(case, ck, node_ref)
        link_count, link_steps = self._link_steps(case, ck, node_pos, node_ref)
        pack_count, pack_steps = self._pack_steps(case, ck, node_ids, node_pos, node_ref)
        total = node_count + link_count + pack_count
        progress = _Progress(total, self.on_batch)
        claim = _Claim(case.id, ck)
        with self._errors(f"loading case {case.id!r}"):
            try:
                self._write(cypher.CLAIM_CASE, id=case.id, ck=ck)
                # Nodes first, then the links between them and the places' packed lists; each
                # on several sessions at once.
                self._write_steps(node_steps, claim, progress, workers=self.workers)
                if (node_ref < 0).any():
                    raise StoreError("the server did not return the ids of all written places")
                self._write_steps(chain(pack_steps, link_steps), claim, progress,
                                  workers=self.workers)
                record = case.model_dump_json(include={
                    "id", "title", "description", "timezone", "currency", "attributes"
                })
                published = self._transact(_publish, {
                    "id": case.id, "ck": ck, "record": record, "title": case.title,
                    "timezone": case.timezone, "products": [p.id for p in case.products],
                    "currencies": currencies_of(case),
                    "node_count": len(node_ids), "layout": cypher.LAYOUT}, write=True)
                if not published:
                    raise _Superseded
            except _Superseded:
                self._discard(case.id, ck)  # (never "published": the publish said it was not)
                raise StoreError(
                    f"loading case {case.id!r} into {self.describe()} was stopped after "
                    f"{progress.done} of {total + 1} write transactions: another load of the "
                    "same case id, or its deletion, took over meanwhile. Nothing of this load "
                    "was published and what it wrote was removed; load the case again if it "
                    "should still be stored."
                ) from None
            except Exception as exc:
                import neo4j.exceptions as nex

                outcome = self._discard(case.id, ck)
                if outcome != "published":  # (else the publish committed; its answer was lost)
                    lost = isinstance(exc, (nex.ServiceUnavailable, nex.SessionExpired,
                                            OSError))
                    error = StoreUnavailable if lost else StoreError
                    left = "" if outcome == "removed" else (
                        " What it wrote is left as an orphaned generation: store.vacuum() or "
                        "the next load of the case removes it.")
                    raise error(
                        f"loading case {case.id!r} into {self.describe()} stopped after "
                        f"{progress.done} of {total + 1} write transactions: {exc}. Nothing "
                        "of this load is visible (the case stays as it was before); the load "
                        f"can be retried.{left}"
                    ) from exc
        self._case_id, self._ck = case.id, ck
        self._timezone = case.timezone
        self._product_ids = [p.id for p in case.products]
        self._currencies = currencies_of(case)
        try:
            self._purge(case.id)
        except StoreError as exc:  # the new case is published; old data is invisible anyway
            warnings.warn(f"case {case.id!r} is loaded, but removing its previous data failed "
                          f"({exc}); store.vacuum() or the next load of the case removes it",
                          stacklevel=3)

    def _write_steps(self, steps: Iterable[_Step], claim: _Claim, progress: _Progress,
                     workers: int) -> None:
        """Run the write transactions, on ``workers`` sessions at once; stop at the first error.

        ``steps`` may be a lazy iterator: a worker takes the next batch (preparing it) while
        the others wait on the server, so preparing and writing overlap. A step's ``sink``,
        when given, receives the ids the batch's query returned. A batch that wrote fewer
        rows than it holds lost its generation's nodes (a delete or a later load removed
        them): the load is superseded. Every few seconds the load renews its claim.
        """
        pending = iter(steps)
        lock = threading.Lock()
        failures: list[BaseException] = []

        def work() -> None:
            try:
                while True:
                    with lock:
                        if failures:
                            return
                        step = next(pending, None)
                    if step is None:
                        return
                    query, params, expected, sink = step
                    written = self._transact(_run_batch, query, params, write=True,
                                             repeatable=False)
                    if isinstance(written, list):
                        if sink is not None:
                            sink(written)
                        written = len(written)
                    if written != expected:
                        raise _Superseded
                    progress.step()
                    if claim.due():
                        live = self._write(cypher.BEAT, id=claim.case_id, ck=claim.ck)
                        if not live or not live[0]["live"]:
                            raise _Superseded
            except BaseException as exc:  # handed over to the loading thread
                with lock:
                    failures.append(exc)

        if workers <= 1:
            work()
        else:
            threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if failures:
            raise failures[0]

    def _node_steps(self, case: Case, ck: str, node_ref: np.ndarray
                    ) -> tuple[int, Iterator[_Step]]:
        """How many node batches there are, and the batches, prepared one by one when taken.

        Places (persons, organizations, premises) are numbered in ``case.nodes`` order; the
        server's id of each is written into ``node_ref`` as its batch completes.
        """
        size = self.batch_size
        count = sum(-(-len(getattr(case, section)) // size) for section in cypher.NODE_LABELS)

        def batches() -> Iterator[_Step]:
            first = 0
            for section in cypher.NODE_LABELS:
                records = getattr(case, section)
                place = section in NODE_SECTIONS
                query = cypher.create_nodes(section, return_ids=place)
                for i in range(0, len(records), size):
                    rows = [_node_row(record, section, i + k, ck, case.id)
                            for k, record in enumerate(records[i:i + size])]
                    sink = None
                    if place:
                        for k, row in enumerate(rows):
                            row["nidx"] = first + i + k
                        sink = _fill(node_ref)
                    yield query, {"rows": rows, "ck": ck}, len(rows), sink
                if place:
                    first += len(records)

        return count, batches()

    def _link_steps(self, case: Case, ck: str, node_pos: dict[str, int], node_ref: np.ndarray
                    ) -> tuple[int, Iterator[_Step]]:
        """How many link batches there are, and the batches, prepared one by one when taken."""
        size = self.batch_size
        groups: dict[tuple[str, str], list[int]] = {}
        for seq, tx in enumerate(case.transactions):
            groups.setdefault((tx.kind, "transactions"), []).append(seq)
        for seq, rel in enumerate(case.relationships):
            groups.setdefault((rel.kind, "relationships"), []).append(seq)
        count = sum(-(-len(seqs) // size) for seqs in groups.values())

        tz = get_timezone(case.timezone)

        def batches() -> Iterator[_Step]:
            refs = node_ref.tolist()
            for (kind, section), seqs in groups.items():
                records: list[Any] = getattr(case, section)
                query = cypher.create_links(kind, section)
                for i in range(0, len(seqs), size):
                    chunk = seqs[i:i + size]
                    params: dict[str, Any] = _link_columns(
                        [records[seq] for seq in chunk], section, tz)
                    params["a"] = [refs[node_pos[source]] for source in params.pop("source")]
                    params["b"] = [refs[node_pos[target]] for target in params.pop("target")]
                    params.update(seq=chunk, ck=ck)
                    yield query, params, len(chunk), None

        return count, batches()

    def _pack_steps(self, case: Case, ck: str, node_ids: list[str], node_pos: dict[str, int],
                    node_ref: np.ndarray) -> tuple[int, Iterator[_Step]]:
        """Batches that write each place's packed flow lists (see ``ADJACENCY_DTYPE``)."""
        tables = list(build_flows(case, node_ids, node_pos).values())
        senders = np.unique(np.concatenate([end for table in tables
                                            for end in (table.source, table.target)]))
        size = max(1, self.batch_size // 5)  # the packed lists make these rows heavy
        count = -(-len(senders) // size)

        def batches() -> Iterator[_Step]:
            rows = pack_rows(tables, node_ref, cypher.PACK_SIDES)
            for i in range(0, len(rows), size):
                batch = rows[i:i + size]
                yield cypher.SET_PACKS, {"rows": batch, "ck": ck}, len(batch), None

        return count, batches()

    _PURGE_BATCH = 2000
    """Nodes (with their links) removed per transaction by deletes and clean-ups."""

    def _purge(self, case_id: str, *, stale_after_ms: int | None = None) -> int:
        """Remove the case's data outside its published and its live loading generation.

        Each batch first locks the case node and reads which generations to keep, so a
        load that publishes or claims meanwhile never loses data. ``stale_after_ms``: a
        loading generation whose load has not renewed its claim for that long is removed
        too (the claim is cleared, so that load, if it still runs, fails cleanly).
        """
        removed = 0
        with self._errors(f"removing old data of case {case_id!r}"):
            while True:
                done = self._transact(_purge_batch, case_id, self._PURGE_BATCH,
                                      stale_after_ms, write=True)
                removed += done
                if not done:
                    return removed
                if self.on_delete_batch is not None:
                    self.on_delete_batch(removed)

    def _discard(self, case_id: str, ck: str) -> Literal["removed", "published", "failed"]:
        """Remove what a failed load wrote and its claim (best effort).

        Returns ``"removed"``, ``"failed"`` (the server could not be reached: an orphaned
        generation is left), or ``"published"``: the load's publish did commit and only the
        answer to it was lost, so the generation is the case now and nothing is removed.
        """
        try:
            while True:
                done = self._transact(_discard_batch, case_id, ck, self._PURGE_BATCH,
                                      write=True)
                if done < 0:
                    return "published"
                if not done:
                    break
            self._write(cypher.CLEAR_CLAIM, id=case_id, ck=ck)
            self._write(cypher.DROP_CASE_NODE, id=case_id)
        except Exception:
            return "failed"
        return "removed"

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
        if not stale_after >= 0:
            raise InvalidArgument(f"stale_after={stale_after!r} must be a number of seconds >= 0")
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
        found = {row["id"]: _parse_link(row, tz) if "plain" in row
                 else _parse(row["section"], row["record"]) for row in rows}
        return {rid: found[rid] for rid in wanted if rid in found}

    def ids(self) -> list[str]:
        with self._errors("listing ids"):
            (rows,) = self._read_case((cypher.ALL_IDS, {"ck": self.ck}))
        return [row["id"] for row in rows]

    def node_table(self) -> pd.DataFrame:
        import pandas as pd

        with self._errors("reading the node table"):
            (rows,) = self._read_case((cypher.NODE_TABLE, {"ck": self.ck,
                                                             "places": list(NODE_SECTIONS)}))
        return pd.DataFrame(rows, columns=list(NODE_COLUMNS))

    # -- links ----------------------------------------------------------------------------
    def _items(self, kind: str) -> list[str]:
        return self._product_ids if kind == "shipment" else self._currencies

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
        query per level, see :meth:`_reach`), and their flows are the candidates the walk
        runs over. Either way the answer is the in-memory walk's.
        """
        if query.time_respecting and query.max_hops is None:
            settled = self._walk_in_server(query)
            if settled is not None:
                return settled
        return self._reach(query)

    def _reach(self, query: FlowQuery) -> FlowCandidates:
        """Matching flows reachable from the starts, read level by level (with the table's
        adjacency in the query's direction, when every flow read is kept).

        One query per level of the breadth-first walk reads the packed flow lists of the
        places just reached (by their server ids); the walk itself runs here on those lists.
        Dead ends (places that pass nothing on) are never read: their ids come with the lists
        that lead to them. Only the reachable part of the case leaves the database.
        """
        kind, direction, max_hops = query.kind, query.direction, query.max_hops
        items = self._items(kind)
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

        ck = self.ck
        first, step = cypher.trace_start(kind, direction), cypher.trace_step(kind, direction)

        def still_published(tx: Any) -> bool:
            info = tx.run(cypher.CASE_INFO, id=self._case_id).single()
            return info is not None and info["ck"] == ck

        def read(tx: Any) -> Reach:
            reach = Reach(matching if filtered else None)
            try:
                found = tx.run(first, ck=ck, ids=list(query.starts), no_blob=b"").single()
                level = 0
                while found is not None:
                    frontier = reach.add(found)
                    if not frontier or (max_hops is not None and level >= max_hops):
                        break
                    pending = tx.run(step, ck=ck, nids=frontier, no_blob=b"")
                    reach.digest()  # while the server reads the next level
                    found = pending.single()
                    if found is None or len(found["nid"]) != len(frontier):
                        raise _Superseded
                    level += 1
            except (_Superseded, KeyError, TypeError, ValueError, IndexError) as exc:
                # Lists half rewritten or places gone: a reload or delete under the walk.
                if not still_published(tx):
                    raise self._changed("being traced") from None
                if isinstance(exc, _Superseded):
                    raise StoreError(
                        f"case {self._case_id!r} in {self.describe()} holds places that a "
                        "trace step could not read back; load the case again") from None
                raise
            # Whatever was read, it was this generation's only if the case still has it.
            if not still_published(tx):
                raise self._changed("being traced")
            return reach

        with self._errors(f"tracing {kind}s"):
            reach = self._transact(read)
        table, built = reach.table(kind, items, direction=direction,
                                   complete=not filtered and max_hops is None)
        return FlowCandidates(table, built)

    def _has_procedure(self) -> bool:
        """Whether the server has a ``crimegraph.trace`` for this store's data layout."""
        if self._procedure is None:
            try:
                with self._errors("looking for crimegraph's trace procedure"):
                    rows = self._read(cypher.FIND_TRACE_PROCEDURE, name=cypher.TRACE_PROCEDURE)
            except StoreUnavailable:
                raise
            except StoreError:
                if self.server_trace:
                    raise
                self._procedure = False  # e.g. not allowed to list procedures: level by level
                return False
            layout = f"(layout {cypher.LAYOUT})"
            self._procedure = any(layout in (row["description"] or "") for row in rows)
            if rows and not self._procedure:
                warnings.warn(
                    f"{self.describe()} has a {cypher.TRACE_PROCEDURE} procedure for another "
                    f"data layout than this crimegraph's ({cypher.LAYOUT}); traces run without "
                    "it. Install the plugin built from this crimegraph's tools/neo4j.",
                    stacklevel=3,
                )
        return self._procedure

    @property
    def traces_in_server(self) -> bool:
        """Whether default traces run inside the server (crimegraph's procedure is installed
        and ``server_trace`` allows it); else they run level by level."""
        return self.server_trace is not False and self._has_procedure()

    def _walk_in_server(self, query: FlowQuery) -> SettledWalk | None:
        """The whole walk in one call of the server-side procedure, when it is installed.

        The procedure walks the same packed lists as :meth:`_reach`, with the same
        label-correcting search as the in-memory kernel, and returns only the walk: its nodes
        with their tiers, its flows in time order and their ids.
        """
        if self.server_trace is False:
            return None
        if not self._has_procedure():
            if self.server_trace:
                raise StoreError(
                    f"{self.describe()} has no {cypher.TRACE_PROCEDURE} procedure for data "
                    f"layout {cypher.LAYOUT}: copy tools/neo4j/target/plugins/"
                    "crimegraph-neo4j-procedures.jar (mvn -f tools/neo4j/pom.xml package) into "
                    "the server's plugins directory and restart it, or use server_trace=None"
                )
            return None
        ck = self.ck
        items = self._items(query.kind)
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
        with self._errors(f"tracing {query.kind}s"), self._driver.session(
            database=self.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            found = session.run(cypher.SERVER_TRACE, params).single()
        changed = self._changed("being traced")
        if found is None or found["stale"] or found["layout"] != cypher.LAYOUT:
            raise changed
        if not found["found"]:  # not even the start: is this generation of the case gone?
            with self._errors(f"tracing {query.kind}s"):
                info = self._read(cypher.CASE_INFO, id=self._case_id)
            if not info or info[0]["ck"] != ck:
                raise changed
        table, levels, ids = walked_table(found, query.kind, items)
        kinds = {rid: cypher.NODE_LABELS[section]
                 for rid, section in zip(found["found"], found["sections"])}
        return SettledWalk(table, None, levels, kinds, ids)

    def transactions(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kind: Literal["shipment", "payment"] | None = None,
    ) -> list[Transaction]:
        check_link_query(nodes=nodes, direction=direction, kind=kind)
        kinds: list[str] = ["shipment", "payment"] if kind is None else [kind]
        records = self._links(kinds, nodes, direction)
        txs = [r for r in records if isinstance(r, Transaction)]
        return sorted(txs, key=lambda t: t.timestamp)

    def links(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kinds: Collection[str] | None = None,
    ) -> list[Relationship]:
        check_link_query(nodes=nodes, direction=direction, kinds=kinds,
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
        return [_parse_link(row, tz) for row in rows]

    # -- whole case -----------------------------------------------------------------------
    def summary(self) -> CaseSummary:
        """The case summary, aggregated in the database (no records are pulled but evidence)."""
        from collections import Counter

        ck = self.ck
        with self._errors(f"summarizing case {self._case_id!r}"):
            info, nodes, txs, rels, evidence = self._read_case(
                (cypher.CASE_INFO, {"id": self._case_id}),
                (cypher.SUMMARY_NODES, {"ck": ck}),
                (cypher.SUMMARY_TRANSACTIONS, {"ck": ck}),
                (cypher.SUMMARY_RELATIONSHIPS, {"ck": ck}),
                (cypher.EVIDENCE_RECORDS, {"ck": ck}))
        counts = dict.fromkeys(COUNT_KEYS, 0)
        statuses: Counter[str] = Counter()
        provinces: set[str] = set()
        production = 0
        for row in nodes:
            counts[row["section"]] += row["n"]
            if row["section"] == "persons":
                statuses[row["status"]] += row["n"]
            if row["province"] and row["section"] in NODE_SECTIONS:
                provinces.add(row["province"])
            if row["section"] == "warehouses" and "production" in (row["uses"] or "").split(","):
                production += row["n"]
        shipped: dict[str, float] = {}
        paid: dict[str, float] = {}
        value = 0.0
        firsts, lasts = [], []
        for row in txs:
            counts["shipments" if row["kind"] == "shipment" else "payments"] += row["n"]
            firsts.append(row["first"])
            lasts.append(row["last"])
            if row["kind"] == "shipment":
                shipped[row["product"]] = shipped.get(row["product"], 0.0) + row["quantity"]
                value += row["amount"] or 0.0
            else:
                paid[row["currency"]] = paid.get(row["currency"], 0.0) + (row["amount"] or 0.0)
        counts["relationships"] = rels[0]["n"] if rels else 0
        return build_summary(
            Case.model_validate(json.loads(info[0]["record"])), counts=counts,
            statuses=statuses, production_sites=production, provinces=provinces,
            first_us=min(firsts) if firsts else None, last_us=max(lasts) if lasts else None,
            shipped=shipped, shipment_value=value, payments=paid,
            evidence=[Evidence.model_validate_json(row["record"]) for row in evidence],
        )

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
            fields = (_link_data(row, tz) if "plain" in row
                      else dict(json.loads(row["record"])))
            sections.setdefault(row["section"], []).append((row["seq"], fields))
        for section, items in sections.items():
            items.sort(key=lambda item: item[0])
            data[section] = [fields for _, fields in items]
        return Case.model_validate(data)


_Step = tuple[str, dict[str, Any], int, "Callable[[list[Any]], None] | None"]
"""A write batch: the query, its parameters, how many rows it must write, and where the ids
it returns go (if anywhere)."""


def _run_batch(tx: Any, query: str, params: dict[str, Any]) -> list[Any] | int:
    """One write batch; returns the ``[nidx, id]`` pairs it wrote, or how many rows."""
    result = tx.run(query, params)
    value = result.single(strict=True)[0]
    result.consume()
    return list(value) if isinstance(value, list) else int(value)


def _rows(tx: Any, queries: list[tuple[str, dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """The rows of each query, run one after the other in ``tx``."""
    found = []
    for query, params in queries:
        result = tx.run(query, params)
        keys = result.keys()
        # Not Record.data(): it walks every value recursively, byte by byte for the blobs.
        found.append([dict(zip(keys, record.values())) for record in result])
    return found


def _purge_batch(tx: Any, case_id: str, limit: int, stale_after_ms: int | None) -> int:
    """One batch of :meth:`Neo4jStore._purge`, under the case node's lock."""
    state = tx.run(cypher.LOCK_CASE, id=case_id).single(strict=True)
    keep = []
    if state["status"] == "ready" and state["ck"] is not None:
        keep.append(state["ck"])
    if state["loading"] is not None:
        dead = (stale_after_ms is not None
                and (state["beat"] is None or state["now"] - state["beat"] > stale_after_ms))
        if dead:
            tx.run(cypher.CLEAR_CLAIM, id=case_id, ck=state["loading"]).consume()
        else:
            keep.append(state["loading"])
    row = tx.run(cypher.PURGE, id=case_id, keep=keep, limit=limit).single(strict=True)
    return int(row["deleted"])


def _discard_batch(tx: Any, case_id: str, ck: str, limit: int) -> int:
    """One batch of a failed load's own data, under the case node's lock; -1 (nothing
    removed) if that generation is the published one."""
    state = tx.run(cypher.LOCK_CASE, id=case_id).single(strict=True)
    if state["ck"] == ck and state["status"] == "ready":
        return -1
    row = tx.run(cypher.PURGE_GENERATION, ck=ck, limit=limit).single(strict=True)
    return int(row["deleted"])


def _publish(tx: Any, params: dict[str, Any]) -> bool:
    """Publish a loaded generation if its claim still holds; whether it is published."""
    state = tx.run(cypher.LOCK_CASE, id=params["id"]).single(strict=True)
    if state["ck"] == params["ck"] and state["status"] == "ready":
        return True  # published already (a retry after the answer to the commit was lost)
    if not state["exists"] or state["loading"] != params["ck"]:
        return False
    return tx.run(cypher.PUBLISH_CASE, params).single() is not None


class _Claim:
    """A load's claim on its case id, renewed every few seconds (see ``cypher.BEAT``)."""

    EVERY = 2.0

    def __init__(self, case_id: str, ck: str) -> None:
        self.case_id, self.ck = case_id, ck
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.EVERY:
                return False
            self._last = now
            return True


def _fill(target: np.ndarray) -> Callable[[list[Any]], None]:
    """A sink that writes a batch's returned ``[nidx, id]`` pairs into ``target``."""
    def sink(pairs: list[Any]) -> None:
        if pairs:
            positions, ids = zip(*pairs)
            target[list(positions)] = ids
    return sink


def _driver_address(driver: Any) -> str:
    try:
        return f"bolt://{driver.get_server_info().address}"
    except Exception:
        return "a caller-supplied driver"


def _records(tx: Any, ck: str, wanted: list[str], case_id: str
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node records with these ids, then link records for the rest; then the case's state."""
    (rows,) = _rows(tx, [(cypher.NODE_RECORDS, {"ck": ck, "ids": wanted})])
    missing = sorted(set(wanted) - {row["id"] for row in rows})
    queries: list[tuple[str, dict[str, Any]]] = [(cypher.CASE_INFO, {"id": case_id})]
    if missing:
        queries.insert(0, (_link_records_query(), {"ck": ck, "ids": missing}))
    *links, info = _rows(tx, queries)
    return rows + (links[0] if links else []), info


def _link_records_query() -> str:
    parts = [
        f"MATCH ()-[r:{rel_type}]->() WHERE r.ck = $ck AND r.id IN $ids "
        f"RETURN r.id AS id, {cypher.LINK_FIELDS}"
        for rel_type in cypher.LINK_TYPES.values()
    ]
    return " UNION ALL ".join(parts)


def _parse(section: str, record: str) -> Record:
    return _MODELS[section].model_validate_json(record)


_PLAIN_FIELDS = {
    "transactions": ("id", "product", "quantity", "amount", "currency", "carrier"),
    "relationships": ("id", "weight"),
}
_PLAIN_TIMES = {"transactions": (("ts", "timestamp"),),
                "relationships": (("since", "since"), ("until", "until"))}


def _link_data(row: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    """A link's fields from a row of a query returning :data:`cypher.LINK_FIELDS`."""
    if row["record"] is not None:
        return dict(json.loads(row["record"]))
    plain, section = row["plain"], row["section"]
    props = plain["props"]
    data = {"source": plain["source"], "target": plain["target"], "kind": plain["kind"]}
    for name in _PLAIN_FIELDS[section]:
        if props.get(name) is not None:
            data[name] = props[name]
    for prop, name in _PLAIN_TIMES[section]:
        if props.get(prop) is not None:
            data[name] = from_epoch_us(props[prop], tz)
    return data


def _parse_link(row: dict[str, Any], tz: tzinfo) -> Record:
    if row["record"] is not None:
        return _parse(row["section"], row["record"])
    return _MODELS[row["section"]].model_validate(_link_data(row, tz))


def _is_plain(record: Transaction | Relationship, tz: tzinfo) -> bool:
    """Whether the link's properties say all there is to it (see :data:`cypher.LINK_FIELDS`)."""
    if record.notes is not None or record.evidence or record.attributes:
        return False
    if isinstance(record, Transaction):
        if record.reference is not None:
            return False
        times = [record.timestamp]
    else:
        times = [t for t in (record.since, record.until) if t is not None]
    return all(_rebuilds(t, tz) for t in times)


def _rebuilds(moment: datetime, tz: tzinfo) -> bool:
    """Whether ``moment`` comes back unchanged from its epoch microseconds in ``tz``.

    Not when its offset is another one than the zone's at that instant, nor for a wall time
    the zone skips (a daylight-saving gap), nor for an offset with seconds (old local mean
    times, which an ISO text cannot carry).
    """
    offset = moment.utcoffset()
    back = from_epoch_us(to_epoch_us(moment), tz)
    return (offset is not None and offset == back.utcoffset()
            and back.replace(tzinfo=None) == moment.replace(tzinfo=None)
            and offset.seconds % 60 == 0 and offset.microseconds == 0)


def _node_row(record: Record, section: str, seq: int, ck: str, case_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ck": ck, "case_id": case_id, "id": record.id, "seq": seq, "section": section,
        "record": record.model_dump_json(exclude_defaults=True),
        "name": getattr(record, "name", None),
        "evidence": list(record.evidence),
    }
    if section in NODE_SECTIONS:
        row["type"] = entity_type(record)  # type: ignore[arg-type]
        for name in ("province", "city", "role", "status", "kind"):
            value = getattr(record, name, None)
            if value is not None:
                row[name] = value
        uses = getattr(record, "uses", None)
        if uses:
            row["uses"] = ",".join(uses)
    else:
        row["type"] = record_type(section).label.lower()
        kind = getattr(record, "kind", None)
        if kind is not None:
            row["kind"] = kind
    return {key: value for key, value in row.items() if value is not None}


def _link_columns(records: list[Any], section: str, tz: tzinfo) -> dict[str, list[Any]]:
    """One batch of links as parameter columns (see :func:`cypher.create_links`).

    A plain link (see :func:`_is_plain`) is its properties; any other also carries its JSON.
    """
    ids, sources, targets = zip(*map(attrgetter("id", "source", "target"), records))
    columns: dict[str, list[Any]] = {
        "id": list(ids), "source": list(sources), "target": list(targets),
        "record": [None if _is_plain(record, tz)
                   else record.model_dump_json(exclude_defaults=True) for record in records],
    }
    names = cypher.LINK_COLUMNS[section]
    if section == "transactions":
        stamps, *rest = zip(*map(attrgetter("timestamp", *names[1:]), records))
        columns["ts"] = list(map(to_epoch_us, stamps))
        columns.update(zip(names[1:], map(list, rest)))
        columns["currency"] = [None if c == "CNY" else c for c in columns["currency"]]
    else:
        weights, since, until = zip(*map(attrgetter(*names), records))
        columns["weight"] = list(weights)
        columns["since"] = [None if t is None else to_epoch_us(t) for t in since]
        columns["until"] = [None if t is None else to_epoch_us(t) for t in until]
    return columns

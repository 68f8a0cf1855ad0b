"""The store's connection to Neo4j: the driver, transactions retried within a timeout,
database errors turned into crimegraph's, and the case the store has open (its generation
``ck``), against which every read is checked.

:class:`~crimegraph.store.neo4j.Neo4jStore` is a :class:`Connection`; the modules that load,
walk and summarize (:mod:`.load`, :mod:`.trace`, :mod:`.summary`) work on one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from ...errors import CrimeGraphError, InvalidArgument, NameIndex, StoreError, StoreUnavailable
from . import cypher

if TYPE_CHECKING:
    from neo4j import Driver

__all__ = ["Connection", "rows_of", "vanished"]

_T = TypeVar("_T")


class Connection:
    """A Neo4j driver and database, and the case open in it (see :class:`Neo4jStore` for the
    parameters)."""

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
                # within ``timeout``; the driver's own retries log a warning each time. The
                # server's notifications stay on (the driver logs them to the logger
                # "neo4j.notifications"), but for "unrecognized" ones: a property that no
                # stored case has (yet) is no mistake here.
                driver = neo4j.GraphDatabase.driver(
                    uri, auth=auth, connection_timeout=timeout,
                    connection_acquisition_timeout=timeout, max_transaction_retry_time=0.0,
                    notifications_disabled_classifications=["UNRECOGNIZED"],
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
        self._names: tuple[str, NameIndex] | None = None  # (generation, its name index)
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
        return self._transact(rows_of, [(query, params)])[0]

    def _write(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self._transact(rows_of, [(query, params)], write=True)[0]

    def _read_case(self, *queries: tuple[str, dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """Rows of several queries on the open case, read in one transaction and checked.

        After the rows are read, the case's node must still publish the generation this
        store opened. A reload or delete changes that node before it removes any data, so
        rows that pass the check are the whole generation, never part of one.
        """
        ck, case_id = self.ck, self._case_id
        queries += ((cypher.CASE_INFO, {"id": case_id}),)
        *found, info = self._transact(rows_of, list(queries))
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

    _PURGE_BATCH = 2000
    """Nodes (with their links) removed per transaction by deletes and clean-ups."""

    def _items(self, kind: str) -> list[str]:
        return self._product_ids if kind == "shipment" else self._currencies


def vanished(exc: BaseException) -> bool:
    """Whether ``exc`` says a node found by an index lookup was deleted before it was read.

    An index lookup may still see a node that a concurrent transaction is deleting; reading
    it then fails. In crimegraph's data that only happens to a generation being removed (a
    reload or delete of its case took over).
    """
    return getattr(exc, "code", None) == "Neo.ClientError.Statement.EntityNotFound"


def rows_of(tx: Any, queries: list[tuple[str, dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """The rows of each query, run one after the other in ``tx``."""
    found = []
    for query, params in queries:
        result = tx.run(query, params)
        keys = result.keys()
        # Not Record.data(): it walks every value recursively, byte by byte for the blobs.
        found.append([dict(zip(keys, record.values())) for record in result])
    return found



def _driver_address(driver: Any) -> str:
    try:
        return f"bolt://{driver.get_server_info().address}"
    except Exception:
        return "a caller-supplied driver"


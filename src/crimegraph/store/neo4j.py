"""The Neo4j store: the same case, and the same answers, in a Neo4j database.

Several cases can live in one database without seeing each other. Loading is idempotent and
all-or-nothing for readers: a load writes a new generation of the case's data and publishes it
in one final transaction, so a load that fails halfway leaves the previous state visible.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import CrimeGraphError, EntityNotFound, StoreError, StoreUnavailable
from ..model import (
    Case,
    Evidence,
    Organization,
    Person,
    Product,
    Record,
    Relationship,
    Transaction,
    Warehouse,
)
from ..model._time import to_epoch_us
from . import cypher
from .base import NODE_COLUMNS, Direction, ShipmentTable, Store
from .memory import _build_shipments
from .nxview import entity_type
from .summary import CaseSummary, build_summary

if TYPE_CHECKING:
    import pandas as pd
    from neo4j import Driver

__all__ = ["ADJACENCY_DTYPE", "Neo4jStore"]

_MODELS: dict[str, type[Record]] = {
    "persons": Person, "organizations": Organization, "warehouses": Warehouse,
    "products": Product, "evidence": Evidence, "transactions": Transaction,
    "relationships": Relationship,
}
_NODE_SECTIONS = ("persons", "organizations", "warehouses")

ADJACENCY_DTYPE = np.dtype([
    ("rank", "<i8"), ("src", "<i4"), ("dst", "<i4"), ("ts", "<i8"), ("pidx", "<i4"),
    ("qty", "<f8"), ("amt", "<f8"),
])
"""Packed shipment columns stored per node (``out_blob``/``in_blob``); ``rank`` is the
shipment's position in the case's time-sorted shipment table."""


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


class Neo4jStore(Store):
    """Keeps cases in a Neo4j database (5.x); traces walk the shipments inside the server.

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
        workers: int = 2,
    ) -> None:
        import neo4j

        if driver is None:
            uri = uri or os.environ.get("CRIMEGRAPH_NEO4J_URI")
            if not uri:
                raise ValueError(
                    "Neo4jStore needs a Bolt URI (e.g. 'bolt://127.0.0.1:7687'), a driver, or "
                    "the environment variable CRIMEGRAPH_NEO4J_URI"
                )
            try:
                driver = neo4j.GraphDatabase.driver(
                    uri, auth=auth, notifications_min_severity="OFF"
                )
            except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
                raise ValueError(f"cannot use Neo4j URI {uri!r}: {exc}") from exc
            self._owns_driver = True
        else:
            self._owns_driver = False
        self._driver = driver
        self._uri = uri or _driver_address(driver)
        self.database = database or "neo4j"
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size!r} must be >= 1")
        self.batch_size = batch_size
        if workers < 1:
            raise ValueError(f"workers={workers!r} must be >= 1")
        self.workers = workers
        self._schema_ready = False
        self._case_id: str | None = None
        self._ck: str | None = None
        self._timezone = "Asia/Shanghai"
        self._product_ids: list[str] = []
        #: Called after each written batch with (batches done, batches in all); for progress
        #: bars, and for tests that interrupt a load.
        self.on_batch: Callable[[int, int], None] | None = None

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

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        from neo4j import RoutingControl

        records, _, keys = self._driver.execute_query(
            query, params, database_=self.database, routing_=RoutingControl.READ,
        )
        # Not Record.data(): it walks every value recursively, byte by byte for the blobs.
        return [dict(zip(keys, record.values())) for record in records]

    def _write(self, query: str, **params: Any) -> list[dict[str, Any]]:
        records, _, keys = self._driver.execute_query(query, params, database_=self.database)
        return [dict(zip(keys, record.values())) for record in records]

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
        """Write ``case`` as a new generation and publish it in one final transaction."""
        self._ensure_schema()
        ck = f"{case.id}#{uuid.uuid4().hex[:12]}"
        node_ids = [entity.id for entity in case.nodes]
        node_pos = {node: pos for pos, node in enumerate(node_ids)}
        node_count, node_steps = self._node_steps(case, ck, node_ids, node_pos)
        link_count, link_steps = self._link_steps(case, ck)
        total = node_count + link_count
        progress = _Progress(total, self.on_batch)
        with self._errors(f"loading case {case.id!r}"):
            try:
                # Nodes first, then the links between them; each on several sessions at once
                # (the server retries the rare lock conflicts, transient errors, on its own).
                self._write_steps(node_steps, ck, progress, workers=self.workers)
                self._write_steps(link_steps, ck, progress, workers=self.workers)
                record = case.model_dump_json(include={
                    "id", "title", "description", "timezone", "currency", "attributes"
                })
                self._driver.execute_query(
                    cypher.PUBLISH_CASE, id=case.id, ck=ck, record=record, title=case.title,
                    timezone=case.timezone, products=[p.id for p in case.products],
                    node_count=len(node_ids), database_=self.database,
                )
            except Exception as exc:
                import neo4j.exceptions as nex

                lost = isinstance(exc, (nex.ServiceUnavailable, nex.SessionExpired, OSError))
                error = StoreUnavailable if lost else StoreError
                raise error(
                    f"loading case {case.id!r} into {self.describe()} stopped after "
                    f"{progress.done} of {total + 1} write transactions: {exc}. Nothing of "
                    "this load is visible (the case stays as it was before); the load can be "
                    "retried."
                ) from exc
        self._case_id, self._ck = case.id, ck
        self._timezone = case.timezone
        self._product_ids = [p.id for p in case.products]
        try:
            self._delete_generations(case.id, keep=ck)
        except StoreError as exc:  # the new case is published; old data is invisible anyway
            warnings.warn(f"case {case.id!r} is loaded, but removing its previous data failed "
                          f"({exc}); the next load of the case removes it", stacklevel=3)

    def _write_steps(self, steps: Iterable[tuple[str, list[dict[str, Any]]]], ck: str,
                     progress: _Progress, workers: int) -> None:
        """Run the write transactions, on ``workers`` sessions at once; stop at the first error.

        ``steps`` may be a lazy iterator: a worker takes the next batch (preparing it) while
        the others wait on the server, so preparing and writing overlap.
        """
        pending = iter(steps)
        lock = threading.Lock()
        failures: list[BaseException] = []

        def work() -> None:
            try:
                with self._driver.session(database=self.database) as session:
                    while True:
                        with lock:
                            if failures:
                                return
                            step = next(pending, None)
                        if step is None:
                            return
                        query, rows = step
                        session.execute_write(_run_batch, query, rows, ck)
                        progress.step()
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

    def _node_steps(
        self, case: Case, ck: str, node_ids: list[str], node_pos: dict[str, int]
    ) -> tuple[int, Iterator[tuple[str, list[Any]]]]:
        """How many node batches there are, and the batches, prepared one by one when taken."""
        size = self.batch_size
        count = sum(-(-len(getattr(case, section)) // size) for section in cypher.NODE_LABELS)

        def batches() -> Iterator[tuple[str, list[Any]]]:
            adjacency = {row["id"]: row for row in _adjacency_rows(case, node_ids, node_pos)}
            for section in cypher.NODE_LABELS:
                records = getattr(case, section)
                query = cypher.create_nodes(section)
                for i in range(0, len(records), size):
                    rows = [_node_row(record, section, i + k, ck, case.id)
                            for k, record in enumerate(records[i:i + size])]
                    if section in _NODE_SECTIONS:  # goods pass through these: packed lists
                        for row in rows:
                            row.update(adjacency[row["id"]])
                    yield query, rows

        return count, batches()

    def _link_steps(self, case: Case, ck: str) -> tuple[int, Iterator[tuple[str, list[Any]]]]:
        """How many link batches there are, and the batches, prepared one by one when taken."""
        size = self.batch_size
        groups: dict[tuple[str, str], list[int]] = {}
        for seq, tx in enumerate(case.transactions):
            groups.setdefault((tx.kind, "transactions"), []).append(seq)
        for seq, rel in enumerate(case.relationships):
            groups.setdefault((rel.kind, "relationships"), []).append(seq)
        count = sum(-(-len(seqs) // size) for seqs in groups.values())

        def batches() -> Iterator[tuple[str, list[Any]]]:
            for (kind, section), seqs in groups.items():
                records: list[Any] = getattr(case, section)
                query = cypher.create_links(kind)
                for i in range(0, len(seqs), size):
                    yield query, [_link_row(records[seq], section, seq, ck)
                                  for seq in seqs[i:i + size]]

        return count, batches()

    def _delete_generations(self, case_id: str, keep: str | None) -> None:
        with self._errors(f"removing old data of case {case_id!r}"), \
                self._driver.session(database=self.database) as session:
            session.run(cypher.DELETE_STALE, id=case_id, keep=keep).consume()

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
        self._case_id, self._ck = case_id, info["ck"]
        self._timezone = info["timezone"]
        self._product_ids = list(info["products"] or [])

    def list_cases(self) -> list[str]:
        """Ids of the cases stored in the database."""
        with self._errors("listing cases"):
            return [row["id"] for row in self._read(cypher.LIST_CASES)]

    def delete_case(self, case_id: str) -> None:
        """Remove a case and all its data from the database."""
        with self._errors(f"deleting case {case_id!r}"):
            self._write(cypher.DELETE_CASE_NODE, id=case_id)
        self._delete_generations(case_id, keep=None)
        if self._case_id == case_id:
            self._case_id = self._ck = None

    # -- records --------------------------------------------------------------------------
    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        ck = self.ck
        with self._errors("reading records"):
            rows = self._read(cypher.NODE_RECORDS, ck=ck, ids=wanted)
            missing = sorted(set(wanted) - {row["id"] for row in rows})
            if missing:
                rows += self._read(_link_records_query(), ck=ck, ids=missing)
        found = {row["id"]: _parse(row["section"], row["record"]) for row in rows}
        return {rid: found[rid] for rid in wanted if rid in found}

    def ids(self) -> list[str]:
        with self._errors("listing ids"):
            return [row["id"] for row in self._read(cypher.ALL_IDS, ck=self.ck)]

    def node_table(self) -> pd.DataFrame:
        import pandas as pd

        with self._errors("reading the node table"):
            rows = self._read(cypher.NODE_TABLE, ck=self.ck)
        return pd.DataFrame(rows, columns=list(NODE_COLUMNS))

    # -- links ----------------------------------------------------------------------------
    def shipments(self) -> ShipmentTable:
        with self._errors("reading shipments"):
            rows = self._read(cypher.ALL_SHIPMENTS, ck=self.ck)
            nodes = self._read(cypher.NODE_TABLE, ck=self.ck)
        return ShipmentTable.from_rows(
            ((r["id"], r["source"], r["target"], r["ts"], r["product"], r["quantity"],
              r["amount"]) for r in rows),
            node_ids=[n["id"] for n in nodes],
            product_ids=self._product_ids,
        )

    def chain_candidates(
        self, start: Sequence[str], *, direction: Literal["downstream", "upstream"],
        products: Collection[str] | None, since_us: int | None, until_us: int | None,
        max_hops: int | None,
    ) -> ShipmentTable:
        """Matching shipments reachable from ``start``: one breadth-first query in the server."""
        downstream = direction == "downstream"
        ahead = "dst" if downstream else "src"
        wanted = None
        if products is not None:
            wanted = np.array([i for i, p in enumerate(self._product_ids) if p in set(products)],
                              dtype=np.int32)
        filtered = products is not None or since_us is not None or until_us is not None
        query = cypher.reachable_adjacency(direction, max_hops, filtered)
        with self._errors("tracing a chain"):
            rows = self._read(
                query, ck=self.ck, ids=list(start),
                products=None if products is None else list(products),
                since=since_us, until=until_us,
            )
        found = rows[0] if rows else {"nidx": [], "id": [], "blob": [], "ids": []}
        # Deduplicated here: with several start nodes the server's pruning expand may return
        # a node once per start even after DISTINCT.
        reached = {n: (i, b, t) for n, i, b, t in
                   zip(found["nidx"], found["id"], found["blob"], found["ids"])}
        names = {n: value[0] for n, value in reached.items()}
        # One buffer and one JSON text for all nodes: far faster than node by node.
        edges = np.frombuffer(b"".join(b or b"" for _, b, _ in reached.values()),
                              dtype=ADJACENCY_DTYPE)
        inner = [text[1:-1] for _, _, text in reached.values() if text and len(text) > 2]
        ids = np.array(json.loads("[" + ",".join(inner) + "]"), dtype=object)
        keep = np.ones(len(edges), dtype=bool)
        if wanted is not None:
            keep &= np.isin(edges["pidx"], wanted)
        if since_us is not None:
            keep &= edges["ts"] >= since_us
        if until_us is not None:
            keep &= edges["ts"] <= until_us
        if max_hops is not None:  # shipments out of the last tier lead outside the reach
            keep &= np.isin(edges[ahead], np.fromiter(names, dtype=np.int64))
        if not keep.all():
            edges, ids = edges[keep], ids[keep]
        return _table_from_parts(edges, ids, names, self._product_ids)

    def transactions(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kind: Literal["shipment", "payment"] | None = None,
    ) -> list[Transaction]:
        kinds: list[str] = ["shipment", "payment"] if kind is None else [kind]
        records = self._links(kinds, nodes, direction)
        txs = [r for r in records if isinstance(r, Transaction)]
        return sorted(txs, key=lambda t: t.timestamp)

    def links(
        self, *, nodes: Collection[str] | None = None, direction: Direction = "both",
        kinds: Collection[str] | None = None,
    ) -> list[Relationship]:
        from ..model.links import RELATIONSHIP_KINDS

        chosen = [k for k in RELATIONSHIP_KINDS if kinds is None or k in set(kinds)]
        if not chosen:
            return []
        return [r for r in self._links(chosen, nodes, direction) if isinstance(r, Relationship)]

    def _links(self, kinds: list[str], nodes: Collection[str] | None,
               direction: Direction) -> list[Record]:
        query = cypher.links_around(kinds, direction, anchored=nodes is not None)
        with self._errors("reading links"):
            rows = self._read(query, ck=self.ck, ids=None if nodes is None else list(nodes))
        rows.sort(key=lambda row: row["seq"])
        return [_parse(row["section"], row["record"]) for row in rows]

    # -- whole case -----------------------------------------------------------------------
    def summary(self) -> CaseSummary:
        """The case summary, aggregated in the database (no records are pulled but evidence)."""
        from collections import Counter

        ck = self.ck
        with self._errors(f"summarizing case {self._case_id!r}"):
            info = self._read(cypher.CASE_INFO, id=self._case_id)
            nodes = self._read(cypher.SUMMARY_NODES, ck=ck)
            txs = self._read(cypher.SUMMARY_TRANSACTIONS, ck=ck)
            rels = self._read(cypher.SUMMARY_RELATIONSHIPS, ck=ck)
            evidence = self._read(cypher.EVIDENCE_RECORDS, ck=ck)
        if not info:
            raise StoreError(f"case {self._case_id!r} is no longer in {self.describe()}")
        counts = dict.fromkeys(
            ("persons", "organizations", "warehouses", "products", "shipments", "payments",
             "relationships", "evidence"), 0)
        statuses: Counter[str] = Counter()
        provinces: set[str] = set()
        production = 0
        for row in nodes:
            counts[row["section"]] += row["n"]
            if row["section"] == "persons":
                statuses[row["status"]] += row["n"]
            if row["province"] and row["section"] in _NODE_SECTIONS:
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
            info = self._read(cypher.CASE_INFO, id=self._case_id)
            rows = self._read(cypher.ALL_NODE_RECORDS, ck=ck)
            rows += self._read(cypher.ALL_LINK_RECORDS, ck=ck)
        if not info:
            raise StoreError(f"case {self._case_id!r} is no longer in {self.describe()}")
        data: dict[str, Any] = json.loads(info[0]["record"])
        sections: dict[str, list[tuple[int, str]]] = {}
        for row in rows:
            sections.setdefault(row["section"], []).append((row["seq"], row["record"]))
        for section, items in sections.items():
            data[section] = [json.loads(text) for _, text in sorted(items)]
        return Case.model_validate(data)


def _run_batch(tx: Any, query: str, rows: list[dict[str, Any]], ck: str) -> None:
    tx.run(query, rows=rows, ck=ck).consume()


def _driver_address(driver: Any) -> str:
    try:
        return f"bolt://{driver.get_server_info().address}"
    except Exception:
        return "a caller-supplied driver"


def _link_records_query() -> str:
    parts = [
        f"MATCH ()-[r:{rel_type}]->() WHERE r.ck = $ck AND r.id IN $ids "
        "RETURN r.id AS id, r.section AS section, r.record AS record"
        for rel_type in cypher.LINK_TYPES.values()
    ]
    return " UNION ALL ".join(parts)


def _parse(section: str, record: str) -> Record:
    return _MODELS[section].model_validate_json(record)


def _node_row(record: Record, section: str, seq: int, ck: str, case_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ck": ck, "case_id": case_id, "id": record.id, "seq": seq, "section": section,
        "record": record.model_dump_json(exclude_defaults=True),
        "name": getattr(record, "name", None),
        "evidence": list(record.evidence),
    }
    if section in _NODE_SECTIONS:
        row["type"] = entity_type(record)  # type: ignore[arg-type]
        for name in ("province", "city", "role", "status", "kind"):
            value = getattr(record, name, None)
            if value is not None:
                row[name] = value
        uses = getattr(record, "uses", None)
        if uses:
            row["uses"] = ",".join(uses)
    else:
        row["type"] = section.rstrip("s") if section != "evidence" else "evidence"
        kind = getattr(record, "kind", None)
        if kind is not None:
            row["kind"] = kind
    return {key: value for key, value in row.items() if value is not None}


def _link_row(record: Transaction | Relationship, section: str, seq: int, ck: str
              ) -> dict[str, Any]:
    props: dict[str, Any] = {
        "ck": ck, "id": record.id, "seq": seq, "section": section, "kind": record.kind,
        "record": record.model_dump_json(exclude_defaults=True),
    }
    if isinstance(record, Transaction):
        props["ts"] = to_epoch_us(record.timestamp)
        for name in ("product", "quantity", "amount", "currency", "carrier"):
            value = getattr(record, name)
            if value is not None:
                props[name] = value
    else:
        if record.weight is not None:
            props["weight"] = record.weight
        if record.since is not None:
            props["since"] = to_epoch_us(record.since)
        if record.until is not None:
            props["until"] = to_epoch_us(record.until)
    return {"source": record.source, "target": record.target, "props": props}


def _adjacency_rows(case: Case, node_ids: list[str], node_pos: dict[str, int]
                    ) -> list[dict[str, Any]]:
    """Per node: position, and its outgoing/incoming shipments as packed columns."""
    table = _build_shipments(case, node_ids, node_pos)
    n = len(table)
    packed = np.empty(n, dtype=ADJACENCY_DTYPE)
    packed["rank"] = np.arange(n)
    packed["src"], packed["dst"], packed["ts"] = table.source, table.target, table.time
    packed["pidx"], packed["qty"], packed["amt"] = table.product, table.quantity, table.amount
    ids = table.ids
    rows: list[dict[str, Any]] = [
        {"id": node, "nidx": pos, "out_blob": b"", "out_ids": "[]", "in_blob": b"", "in_ids": "[]"}
        for pos, node in enumerate(node_ids)
    ]
    for column, blob, id_list in (("src", "out_blob", "out_ids"), ("dst", "in_blob", "in_ids")):
        order = np.argsort(packed[column], kind="stable")
        keys = packed[column][order]
        bounds = np.flatnonzero(np.diff(keys)) + 1
        for chunk in np.split(order, bounds) if n else []:
            row = rows[int(packed[column][chunk[0]])]
            row[blob] = packed[chunk].tobytes()
            # One JSON string decodes far faster over Bolt than a list of strings.
            row[id_list] = json.dumps(ids[chunk].tolist(), ensure_ascii=False)
    return rows


def _table_from_parts(
    edges: np.ndarray, ids: np.ndarray, names: dict[int, str], product_ids: list[str],
) -> ShipmentTable:
    order = np.argsort(edges["rank"], kind="stable")
    edges, ids = edges[order], ids[order]
    known = np.array(sorted(names), dtype=np.int64)
    node_ids = [names[i] for i in known.tolist()]
    src = np.searchsorted(known, edges["src"]).astype(np.int32)
    dst = np.searchsorted(known, edges["dst"]).astype(np.int32)
    return ShipmentTable(
        node_ids, list(product_ids), ids, src, dst, edges["ts"].astype(np.int64),
        edges["pidx"].astype(np.int32), edges["qty"].astype(np.float64),
        edges["amt"].astype(np.float64),
    )

"""Loading a case: write batches on several sessions at once, a claim renewed while they run,
and one final transaction that publishes the new generation (or removes what it wrote).

A load writes nodes first, then the links between them and the places' packed flow lists
(see :mod:`.packs`). Each batch is a write transaction of one query (see :mod:`.cypher`);
batches are prepared lazily, so preparing one overlaps with the server writing another.
"""

from __future__ import annotations

import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ...errors import StoreError, StoreUnavailable
from ...model import Case
from ...model._time import get_timezone
from ...model.registry import NODE_SECTIONS
from ..memory import build_flows, currencies_of
from . import cypher
from .codec import link_columns, node_row
from .connection import vanished
from .packs import pack_rows

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["Superseded", "discard", "load_case", "purge"]


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



class Superseded(Exception):
    """A load's claim on its case is gone: a later load of the case, or a delete, took it."""


_Step = tuple[str, dict[str, Any], int]
"""A write batch: the query, its parameters, and how many rows it must write."""


def _run_batch(tx: Any, query: str, params: dict[str, Any]) -> int:
    """One write batch; returns how many rows it wrote."""
    result = tx.run(query, params)
    written = int(result.single(strict=True)[0])
    result.consume()
    return written



def load_case(store: Connection, case: Case) -> None:
    """Write ``case`` as a new generation and publish it in one final transaction.

    The load first claims the case for its generation. If another load of the same case
    id claims it, or the case is deleted, before this load publishes, this load fails
    with :class:`~crimegraph.StoreError`, publishes nothing and removes what it wrote.
    """
    store._ensure_schema()
    ck = f"{case.id}#{uuid.uuid4().hex[:12]}"
    node_ids = [entity.id for entity in case.nodes]
    node_pos = {node: pos for pos, node in enumerate(node_ids)}
    # Places are numbered in case.nodes order (``nidx``); links and packed lists address
    # them by the generation's own key (ck, nidx).
    node_count, node_steps = _node_steps(store, case, ck)
    link_count, link_steps = _link_steps(store, case, ck, node_pos)
    pack_count, pack_steps = _pack_steps(store, case, ck, node_ids, node_pos)
    total = node_count + link_count + pack_count
    progress = _Progress(total, store.on_batch)
    claim = _Claim(case.id, ck)
    with store._errors(f"loading case {case.id!r}"):
        try:
            store._write(cypher.CLAIM_CASE, id=case.id, ck=ck)
            # Nodes first, then the links between them and the places' packed lists; each
            # on several sessions at once.
            _write_steps(store, node_steps, claim, progress, workers=store.workers)
            _write_steps(store, chain(pack_steps, link_steps), claim, progress,
                         workers=store.workers)
            record = case.model_dump_json(include={
                "id", "title", "description", "timezone", "currency", "attributes"
            })
            published = store._transact(_publish, {
                "id": case.id, "ck": ck, "record": record, "title": case.title,
                "timezone": case.timezone, "products": [p.id for p in case.products],
                "currencies": currencies_of(case),
                "node_count": len(node_ids), "layout": cypher.LAYOUT}, write=True)
            if not published:
                raise Superseded
        except Superseded:
            discard(store, case.id, ck)  # (never "published": the publish said it was not)
            raise StoreError(
                f"loading case {case.id!r} into {store.describe()} was stopped after "
                f"{progress.done} of {total + 1} write transactions: another load of the "
                "same case id, or its deletion, took over meanwhile. Nothing of this load "
                "was published and what it wrote was removed; load the case again if it "
                "should still be stored."
            ) from None
        except Exception as exc:
            import neo4j.exceptions as nex

            outcome = discard(store, case.id, ck)
            if outcome != "published":  # (else the publish committed; its answer was lost)
                lost = isinstance(exc, (nex.ServiceUnavailable, nex.SessionExpired,
                                        OSError))
                error = StoreUnavailable if lost else StoreError
                left = "" if outcome == "removed" else (
                    " What it wrote is left as an orphaned generation: store.vacuum() or "
                    "the next load of the case removes it.")
                raise error(
                    f"loading case {case.id!r} into {store.describe()} stopped after "
                    f"{progress.done} of {total + 1} write transactions: {exc}. Nothing "
                    "of this load is visible (the case stays as it was before); the load "
                    f"can be retried.{left}"
                ) from exc
    store._case_id, store._ck = case.id, ck
    store._timezone = case.timezone
    store._product_ids = [p.id for p in case.products]
    store._currencies = currencies_of(case)
    try:
        purge(store, case.id)
    except StoreError as exc:  # the new case is published; old data is invisible anyway
        warnings.warn(f"case {case.id!r} is loaded, but removing its previous data failed "
                      f"({exc}); store.vacuum() or the next load of the case removes it",
                      stacklevel=4)


def _write_steps(store: Connection, steps: Iterable[_Step], claim: _Claim,
                 progress: _Progress, workers: int) -> None:
    """Run the write transactions, on ``workers`` sessions at once; stop at the first error.

    ``steps`` may be a lazy iterator: a worker takes the next batch (preparing it) while
    the others wait on the server, so preparing and writing overlap. A batch that wrote fewer
    rows than it holds, or that found a place vanish under it, lost its generation's nodes (a
    delete or a later load removed them): the load is superseded. Every few seconds the load
    renews its claim.
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
                query, params, expected = step
                try:
                    written = store._transact(_run_batch, query, params, write=True,
                                              repeatable=False)
                except Exception as exc:
                    if vanished(exc):  # the generation's places are being removed
                        raise Superseded from None
                    raise
                if written != expected:
                    raise Superseded
                progress.step()
                if claim.due():
                    live = store._write(cypher.BEAT, id=claim.case_id, ck=claim.ck)
                    if not live or not live[0]["live"]:
                        raise Superseded
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


def _node_steps(store: Connection, case: Case, ck: str) -> tuple[int, Iterator[_Step]]:
    """How many node batches there are, and the batches, prepared one by one when taken.

    Places (persons, organizations, premises) are numbered in ``case.nodes`` order: each
    carries its position as ``nidx``.
    """
    size = store.batch_size
    count = sum(-(-len(getattr(case, section)) // size) for section in cypher.NODE_LABELS)

    def batches() -> Iterator[_Step]:
        first = 0
        for section in cypher.NODE_LABELS:
            records = getattr(case, section)
            place = section in NODE_SECTIONS
            query = cypher.create_nodes(section)
            for i in range(0, len(records), size):
                rows = [node_row(record, section, i + k, ck, case.id)
                        for k, record in enumerate(records[i:i + size])]
                if place:
                    for k, row in enumerate(rows):
                        row["nidx"] = first + i + k
                yield query, {"rows": rows, "ck": ck}, len(rows)
            if place:
                first += len(records)

    return count, batches()


def _link_steps(store: Connection, case: Case, ck: str, node_pos: dict[str, int]
                ) -> tuple[int, Iterator[_Step]]:
    """How many link batches there are, and the batches, prepared one by one when taken."""
    size = store.batch_size
    groups: dict[tuple[str, str], list[int]] = {}
    for seq, tx in enumerate(case.transactions):
        groups.setdefault((tx.kind, "transactions"), []).append(seq)
    for seq, rel in enumerate(case.relationships):
        groups.setdefault((rel.kind, "relationships"), []).append(seq)
    count = sum(-(-len(seqs) // size) for seqs in groups.values())

    tz = get_timezone(case.timezone)

    def batches() -> Iterator[_Step]:
        for (kind, section), seqs in groups.items():
            records: list[Any] = getattr(case, section)
            query = cypher.create_links(kind, section)
            for i in range(0, len(seqs), size):
                chunk = seqs[i:i + size]
                params: dict[str, Any] = link_columns(
                    [records[seq] for seq in chunk], section, tz)
                params["a"] = [node_pos[source] for source in params.pop("source")]
                params["b"] = [node_pos[target] for target in params.pop("target")]
                params.update(seq=chunk, ck=ck)
                yield query, params, len(chunk)

    return count, batches()


def _pack_steps(store: Connection, case: Case, ck: str, node_ids: list[str],
                node_pos: dict[str, int]) -> tuple[int, Iterator[_Step]]:
    """Batches that write each place's packed flow lists (see ``ADJACENCY_DTYPE``)."""
    tables = list(build_flows(case, node_ids, node_pos).values())
    senders = np.unique(np.concatenate([end for table in tables
                                        for end in (table.source, table.target)]))
    size = max(1, store.batch_size // 5)  # the packed lists make these rows heavy
    count = -(-len(senders) // size)

    def batches() -> Iterator[_Step]:
        # Taken when the first pack batch is: after every node of the load exists.
        element_ids = [""] * len(node_ids)
        found = store._read(cypher.PLACE_ELEMENT_IDS, ck=ck)
        for row in found:
            element_ids[row["nidx"]] = row["eid"]
        if any(not element_ids[place] for place in senders.tolist()):
            raise Superseded  # the generation's places are being removed
        rows = pack_rows(tables, cypher.PACK_SIDES, element_ids)
        for i in range(0, len(rows), size):
            batch = rows[i:i + size]
            yield cypher.SET_PACKS, {"rows": batch, "ck": ck}, len(batch)

    return count, batches()


def purge(store: Connection, case_id: str, *, stale_after_ms: int | None = None) -> int:
    """Remove the case's data outside its published and its live loading generation.

    Each batch first locks the case node and reads which generations to keep, so a
    load that publishes or claims meanwhile never loses data. ``stale_after_ms``: a
    loading generation whose load has not renewed its claim for that long is removed
    too (the claim is cleared, so that load, if it still runs, fails cleanly).
    """
    removed = 0
    with store._errors(f"removing old data of case {case_id!r}"):
        while True:
            done = store._transact(_purge_batch, case_id, store._PURGE_BATCH,
                                  stale_after_ms, write=True)
            removed += done
            if not done:
                return removed
            if store.on_delete_batch is not None:
                store.on_delete_batch(removed)


def discard(store: Connection, case_id: str, ck: str) -> Literal["removed", "published", "failed"]:
    """Remove what a failed load wrote and its claim (best effort).

    Returns ``"removed"``, ``"failed"`` (the server could not be reached: an orphaned
    generation is left), or ``"published"``: the load's publish did commit and only the
    answer to it was lost, so the generation is the case now and nothing is removed.
    """
    try:
        while True:
            done = store._transact(_discard_batch, case_id, ck, store._PURGE_BATCH,
                                  write=True)
            if done < 0:
                return "published"
            if not done:
                break
        store._write(cypher.CLEAR_CLAIM, id=case_id, ck=ck)
        store._write(cypher.DROP_CASE_NODE, id=case_id)
    except Exception:
        return "failed"
    return "removed"


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


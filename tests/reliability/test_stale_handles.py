"""An open case on Neo4j never reads a changed case silently, and a lost server fails fast.

A ``CaseGraph`` opened on a case keeps reading that generation; once another process reloads
or deletes the case, every read raises a clear ``StoreError`` instead of returning the new
case's title with no records, or part of the old one. A server that goes away or never
answers gives ``StoreUnavailable`` within the store's ``timeout``, without log noise.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

import crimegraph as cg

pytestmark = pytest.mark.neo4j

CHANGED = r"changed in .* (since it was opened|while it was being traced).*open it again"

READS: dict[str, Callable[[cg.CaseGraph], object]] = {
    "summary": lambda g: g.summary(),
    "nodes": lambda g: g.nodes(),
    "transactions": lambda g: g.transactions(),
    "transactions around": lambda g: g.transactions(nodes=["W-DEN-01"]),
    "shipments": lambda g: g.shipments(),
    "links": lambda g: g.links(),
    "get": lambda g: g.get("P-01"),
    "ids": lambda g: g.store.ids(),
    "neighbors": lambda g: g.neighbors("P-01"),
    "to_case": lambda g: g.store.to_case(),
    "trace in the server": lambda g: cg.trace_chain(g, "W-DEN-01"),
    "trace level by level": lambda g: cg.trace_chain(g, "W-DEN-01", max_hops=50),
}


@pytest.fixture
def opened(neo4j_uri: str) -> Iterator[tuple[cg.CaseGraph, cg.Neo4jStore]]:
    """The oil case opened by one analyst, and another analyst's store on the same server."""
    case = cg.load_example("counterfeit_oil")
    mine = cg.Neo4jStore(neo4j_uri, database="neo4j")
    theirs = cg.Neo4jStore(neo4j_uri, database="neo4j")
    cg.CaseGraph(case, store=theirs)
    graph = cg.CaseGraph.open(mine, case.id)
    for read in READS.values():  # every read works while nothing changed
        read(graph)
    try:
        yield graph, theirs
    finally:
        theirs.delete_case(case.id)
        mine.close()
        theirs.close()


@pytest.mark.parametrize("read", list(READS))
def test_reads_after_another_process_reloads_the_case_fail_clearly(
    opened: tuple[cg.CaseGraph, cg.Neo4jStore], read: str,
) -> None:
    graph, theirs = opened
    source = cg.load_example("counterfeit_oil")
    changed = cg.Case.model_validate({**source.model_dump(), "title": "Reloaded"})
    cg.CaseGraph(changed, store=theirs)
    with pytest.raises(cg.StoreError, match=CHANGED):
        READS[read](graph)
    again = cg.CaseGraph.open(graph.store, graph.case_id)
    assert again.summary().title == "Reloaded"


@pytest.mark.parametrize("read", list(READS))
def test_reads_after_another_process_deletes_the_case_fail_clearly(
    opened: tuple[cg.CaseGraph, cg.Neo4jStore], read: str,
) -> None:
    graph, theirs = opened
    theirs.delete_case(graph.case_id)
    with pytest.raises(cg.StoreError, match=CHANGED):
        READS[read](graph)


@pytest.mark.parametrize("read", ["summary", "nodes", "transactions", "shipments", "to_case",
                                  "trace level by level"])
def test_reads_during_a_delete_never_return_part_of_the_case(
    opened: tuple[cg.CaseGraph, cg.Neo4jStore], read: str,
) -> None:
    graph, theirs = opened
    theirs._PURGE_BATCH = 10  # type: ignore[misc]  # many small batches to read between
    outcomes: list[str] = []

    def read_meanwhile(removed: int) -> None:
        try:
            READS[read](graph)
            outcomes.append("read")
        except cg.StoreError as exc:
            assert "changed" in str(exc)
            outcomes.append("refused")

    theirs.on_delete_batch = read_meanwhile
    theirs.delete_case(graph.case_id)
    assert len(outcomes) > 3
    assert set(outcomes) == {"refused"}


# -- a server that goes away ----------------------------------------------------------------

class Proxy:
    """A TCP relay in front of the server that the test can cut, like a server restart."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.links: list[socket.socket] = []
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every connection, and refuse new ones until ``resume``."""
        self.open = False
        for link in self.links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
        self.links.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def proxy(neo4j_uri: str) -> Iterator[Proxy]:
    host, port = neo4j_uri.rsplit("//", 1)[1].rsplit(":", 1)
    relay = Proxy((host, int(port)))
    yield relay
    relay.close()


def test_a_server_lost_during_a_level_by_level_trace_fails_fast(
    proxy: Proxy, neo4j_uri: str, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from crimegraph.store.neo4j import packs as _packs

    store = cg.Neo4jStore(proxy.uri, database="neo4j", server_trace=False)
    owner = cg.Neo4jStore(neo4j_uri, database="neo4j")
    try:
        graph = cg.CaseGraph(cg.load_example("counterfeit_oil"), store=store)
        add = _packs.Reach.add

        def add_then_cut(self: _packs.Reach, found: object) -> list[int]:
            frontier = add(self, found)
            proxy.cut()  # the server restarts between two levels of the walk
            return frontier

        monkeypatch.setattr(_packs.Reach, "add", add_then_cut)
        began = time.monotonic()
        with caplog.at_level(logging.WARNING), pytest.raises(
                cg.StoreUnavailable, match="cannot reach"):
            cg.trace_chain(graph, "W-DEN-01")
        assert time.monotonic() - began < store.timeout + 3
        # Nothing from the driver's retries (the server's notifications, logged by the driver
        # to "neo4j.notifications", are no retries).
        assert not [r for r in caplog.records
                    if r.name.startswith("neo4j") and r.name != "neo4j.notifications"]
    finally:
        owner.delete_case("counterfeit-oil-ring")
        owner.close()
        store.close()


@pytest.mark.parametrize("timeout", [5.0, 1.0])
def test_a_dead_address_fails_within_the_timeout_quietly(
    timeout: float, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = cg.Neo4jStore(f"bolt://127.0.0.1:{port}", timeout=timeout)
    began = time.monotonic()
    with caplog.at_level(logging.DEBUG, logger="neo4j.session"), \
            pytest.raises(cg.StoreUnavailable, match=f"127.0.0.1:{port}"):
        store.list_cases()
    took = time.monotonic() - began
    store.close()
    assert took < timeout + 1.5
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert capfd.readouterr().err == ""


def test_a_silent_server_fails_within_the_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        store = cg.Neo4jStore(f"bolt://127.0.0.1:{port}", timeout=1.0)
        began = time.monotonic()
        with pytest.raises(cg.StoreUnavailable):
            store.list_cases()
        assert time.monotonic() - began < 4
        store.close()


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout=0"):
        cg.Neo4jStore("bolt://127.0.0.1:7687", timeout=0)

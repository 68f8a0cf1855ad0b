"""Shared fixtures: small hand-built cases, and one ``store`` fixture per store kind.

Tests that take ``make_graph`` run once per store (``memory`` and ``neo4j``); the Neo4j run
uses the server given by ``CRIMEGRAPH_NEO4J_URI`` or one started by ``tests/neo4j_launcher.py``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import crimegraph as cg

from . import neo4j_launcher

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

STORE_KINDS = ["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)]

# Whole files of heavy tests, by the mark they carry (each also counts as ``slow``).
_FILE_MARKS = {
    "test_notebooks.py": "notebooks",   # every notebook runs top to bottom in a kernel
    "test_docs.py": "docs",             # the mkdocs build and every example and page
    "test_benchmarks.py": "slow",       # benchmark smoke runs in subprocesses
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the heavy tests, so that ``-m "not (slow or neo4j)"`` is the everyday loop.

    A test that uses the Neo4j server (directly or through the store parametrization) is
    ``neo4j``; the notebook, docs and benchmark files are ``slow`` (and ``notebooks`` or
    ``docs``). The README's full command and CI run everything.
    """
    for item in items:
        if "neo4j_uri" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
        mark = _FILE_MARKS.get(item.path.name)
        if mark is not None:
            item.add_marker(getattr(pytest.mark, mark))
            if mark != "slow":
                item.add_marker(pytest.mark.slow)


class NotificationWatch(logging.Handler):
    """Collects the notifications the Neo4j server sends with query results.

    The driver logs every notification it receives to the ``neo4j.notifications`` logger
    (the record's argument carries the notification itself), whatever the store's driver
    settings, so watching that logger sees the notifications of every query a test runs, from
    every thread.
    """

    FAILING = ("DEPRECATION", "PERFORMANCE")
    """Notification classifications that fail a test."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, str, str]] = []  # (classification, severity, text)

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        notification = getattr(args[0], "notification", None) if args else None
        kind = getattr(getattr(notification, "classification", None), "name", "UNKNOWN")
        severity = getattr(getattr(notification, "severity", None), "name", "UNKNOWN")
        self.seen.append((str(kind), str(severity), record.getMessage()))

    def failing(self) -> list[str]:
        """The notifications seen that a test must not cause."""
        return [text for kind, _, text in self.seen if kind in self.FAILING]


@pytest.fixture(autouse=True)
def neo4j_notifications(request: pytest.FixtureRequest) -> Iterator[NotificationWatch]:
    """Every server notification during a test that uses Neo4j; a deprecation or performance
    notification from a query the test ran, crimegraph's or its own, fails the test, naming
    the query."""
    watch = NotificationWatch()
    if request.node.get_closest_marker("neo4j") is None:
        yield watch
        return
    logger = logging.getLogger("neo4j.notifications")
    level = logger.level
    logger.addHandler(watch)
    logger.setLevel(logging.DEBUG)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)
    failing = watch.failing()
    if failing:
        pytest.fail("the Neo4j server sent notifications a query must not cause:\n"
                    + "\n".join(failing), pytrace=False)


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """A Bolt URI: ``CRIMEGRAPH_NEO4J_URI`` if set, else a server started for this session.

    Without Java and Maven the Neo4j tests are skipped, except under CI, where that fails.
    """
    given = os.environ.get("CRIMEGRAPH_NEO4J_URI")
    if given:
        yield given
        return
    missing = neo4j_launcher.java_tools_missing()
    if missing:
        message = (f"Neo4j tests need a server: {missing}. Install Java 17 and Maven, or set "
                   "CRIMEGRAPH_NEO4J_URI to a running Neo4j 5 server")
        if _under_ci():
            pytest.fail(message)
        pytest.skip(message)
    server = neo4j_launcher.Neo4jServer()
    try:
        server.start(timeout=300)
    except Exception as exc:
        pytest.fail(f"could not start the Neo4j test server: {exc}")
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_store(store_kind: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], cg.Store]]:
    """Make empty stores of the kind under test; Neo4j cases are deleted afterwards."""
    made: list[cg.Store] = []

    def make() -> cg.Store:
        if store_kind == "memory":
            store: cg.Store = cg.NetworkXStore()
        else:
            uri = request.getfixturevalue("neo4j_uri")
            store = cg.Neo4jStore(uri, database="neo4j")
        made.append(store)
        return store

    yield make
    for store in made:
        if isinstance(store, cg.Neo4jStore):
            for case_id in store.list_cases():
                store.delete_case(case_id)
        store.close()


@pytest.fixture
def make_graph(new_store: Callable[[], cg.Store]) -> Callable[[cg.Case], cg.CaseGraph]:
    """Build a CaseGraph of a case on the store under test."""

    def build(case: cg.Case) -> cg.CaseGraph:
        return cg.CaseGraph(case, store=new_store())

    return build


def shipment(tid: str, source: str, target: str, day: str, qty: float = 10,
             product: str = "OIL", amount: float | None = None) -> cg.Transaction:
    """A shipment on a day (``"03-01"`` means 2024-03-01, local time)."""
    stamp = day if len(day) > 5 else f"2024-{day}"
    return cg.Transaction(id=tid, kind="shipment", source=source, target=target,
                          timestamp=stamp, product=product, quantity=qty, amount=amount)


def goods_case(nodes: str, shipments: list[cg.Transaction],
               products: tuple[str, ...] = ("OIL",)) -> cg.Case:
    """A case with organizations named by the space-separated ``nodes`` and these shipments."""
    return cg.Case(
        id="hand-built",
        organizations=[cg.Organization(id=n, name=f"Org {n}", province=f"Prov-{n}")
                       for n in nodes.split()],
        products=[cg.Product(id=p, name=f"Product {p}") for p in products],
        transactions=shipments,
    )

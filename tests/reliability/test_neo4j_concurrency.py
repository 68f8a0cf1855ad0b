"""Concurrent writers on one Neo4j server: nothing lost, nothing corrupted, nothing mixed.

Loads, deletes and unrelated loads are interleaved deterministically: a load pauses between
two of its write batches (its ``on_batch`` hook) while another store, on its own connections,
deletes or reloads the same case or loads another one. Afterwards every stored case is read
back and compared with its source record by record, and the database is checked for links
between generations and for data no case owns.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import neo4j
import pytest

import crimegraph as cg
from crimegraph.model._checks import SECTIONS
from crimegraph.synth import generate_case_data

pytestmark = pytest.mark.neo4j

ROOT = Path(__file__).resolve().parents[2]


def synthetic(case_id: str, n: int = 400, seed: int = 0, title: str = "") -> cg.Case:
    data = generate_case_data(n, seed)
    data["id"], data["title"] = case_id, title or f"{case_id} (seed {seed})"
    return cg.Case.model_validate(data)


def differences(stored: cg.Case, source: cg.Case) -> list[str]:
    """What differs between two cases, record by record (empty when they are equal)."""
    found = []
    for name in ("id", "title", "description", "timezone", "currency", "attributes"):
        if getattr(stored, name) != getattr(source, name):
            found.append(f"case field {name}: {getattr(stored, name)!r} != "
                         f"{getattr(source, name)!r}")
    for section in SECTIONS:
        have = {r.id: r for r in getattr(stored, section)}
        want = {r.id: r for r in getattr(source, section)}
        found += [f"{section}: {rid} missing" for rid in want.keys() - have.keys()]
        found += [f"{section}: {rid} not in the source" for rid in have.keys() - want.keys()]
        found += [f"{section}: {rid} differs" for rid in want.keys() & have.keys()
                  if have[rid] != want[rid]]
        if [r.id for r in getattr(stored, section)] != [r.id for r in getattr(source, section)]:
            found.append(f"{section}: order differs")
    return found


def assert_stored_equal(uri: str, source: cg.Case) -> None:
    """Open the stored case from a fresh store and compare it with its source."""
    reader = cg.Neo4jStore(uri, database="neo4j")
    try:
        graph = cg.CaseGraph.open(reader, source.id)
        diff = differences(graph.case, source)
        assert not diff, f"case {source.id!r} differs from its source: {diff[:10]}"
        start = next(w.id for w in source.warehouses if "production" in w.uses)
        memory = cg.trace_chain(source, start)
        stored = cg.trace_chain(graph, start)
        assert stored.transactions == memory.transactions
        assert stored.tiers == memory.tiers
    finally:
        reader.close()


def assert_database_sound(driver: neo4j.Driver) -> None:
    """No link joins two generations; every generation's data is published or loading."""
    records, _, _ = driver.execute_query(
        "MATCH (a:CGEntity)-[r]->(b:CGEntity) WHERE r.ck <> a.ck OR r.ck <> b.ck "
        "OR a.ck <> b.ck RETURN count(r) AS mixed", database_="neo4j")
    assert records[0]["mixed"] == 0
    records, _, _ = driver.execute_query(
        "MATCH (n:CGEntity) WITH DISTINCT n.case_id AS case_id, n.ck AS ck "
        "OPTIONAL MATCH (c:CGCase {id: case_id}) "
        "WITH ck, c WHERE c IS NULL OR (c.ck <> ck AND coalesce(c.loading, '') <> ck) "
        "RETURN collect(ck) AS orphans", database_="neo4j")
    assert records[0]["orphans"] == []


def case_nodes(driver: neo4j.Driver, case_id: str) -> set[str]:
    records, _, _ = driver.execute_query(
        "MATCH (n:CGEntity {case_id: $id}) RETURN collect(elementId(n)) AS ids", id=case_id,
        database_="neo4j")
    return set(records[0]["ids"])


@pytest.fixture
def driver(neo4j_uri: str) -> Iterator[neo4j.Driver]:
    with neo4j.GraphDatabase.driver(neo4j_uri, auth=None) as d:
        yield d


@pytest.fixture
def stores(neo4j_uri: str, driver: neo4j.Driver) -> Iterator[Callable[..., cg.Neo4jStore]]:
    """Make stores on the test server; every case they made is deleted afterwards."""
    made: list[cg.Neo4jStore] = []

    def make(**options: object) -> cg.Neo4jStore:
        store = cg.Neo4jStore(neo4j_uri, database="neo4j", **options)  # type: ignore[arg-type]
        made.append(store)
        return store

    yield make
    cleaner = cg.Neo4jStore(neo4j_uri, database="neo4j")
    try:
        for case_id in set(cleaner.inventory()["case_id"]):
            cleaner.delete_case(case_id)
        assert cleaner.inventory().empty
    finally:
        cleaner.close()
        for store in made:
            store.close()


def paused_loader(stores: Callable[..., cg.Neo4jStore], at: str,
                  action: Callable[[], None]) -> cg.Neo4jStore:
    """A store whose next load runs ``action`` once, after one of its write batches.

    ``at``: ``"first"`` (after the first node batch), ``"middle"`` (links and lists being
    written) or ``"last"`` (every batch written, just before publishing).
    """
    loader = stores(batch_size=40, workers=1)
    fired: list[int] = []

    def hook(done: int, total: int) -> None:
        when = {"first": 1, "middle": total // 2, "last": total}[at]
        if done == when and not fired:
            fired.append(done)
            action()

    loader.on_batch = hook
    return loader


PAUSES = ["first", "middle", "last"]


@pytest.mark.parametrize("at", PAUSES)
def test_delete_during_a_load_fails_the_load_and_publishes_nothing(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver, at: str,
) -> None:
    bystander = synthetic("bystander", seed=3)
    other = stores()
    cg.CaseGraph(bystander, store=other)
    loader = paused_loader(stores, at, lambda: other.delete_case("contested"))
    with pytest.raises(cg.StoreError, match="took over meanwhile.*Nothing of this load"):
        cg.CaseGraph(synthetic("contested"), store=loader)
    assert "contested" not in other.list_cases()
    assert case_nodes(driver, "contested") == set()
    assert "contested" not in set(other.inventory()["case_id"])
    assert_stored_equal(neo4j_uri, bystander)
    assert_database_sound(driver)


@pytest.mark.parametrize("at", PAUSES)
def test_delete_during_a_reload_removes_both_generations(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver, at: str,
) -> None:
    other = stores()
    cg.CaseGraph(synthetic("contested", seed=1), store=other)
    loader = paused_loader(stores, at, lambda: other.delete_case("contested"))
    with pytest.raises(cg.StoreError, match="took over meanwhile"):
        cg.CaseGraph(synthetic("contested", seed=2), store=loader)
    assert "contested" not in other.list_cases()
    assert case_nodes(driver, "contested") == set()
    assert_database_sound(driver)


@pytest.mark.parametrize("at", PAUSES)
def test_a_later_load_of_the_same_case_supersedes_a_running_one(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver, at: str,
) -> None:
    first, late = synthetic("contested", seed=1), synthetic("contested", seed=3)
    other = stores()
    cg.CaseGraph(first, store=other)
    loader = paused_loader(stores, at, lambda: cg.CaseGraph(late, store=other) and None)
    with pytest.raises(cg.StoreError, match="took over meanwhile"):
        cg.CaseGraph(synthetic("contested", seed=2), store=loader)
    assert_stored_equal(neo4j_uri, late)
    table = other.inventory()
    assert table.loc[table["case_id"] == "contested", "state"].tolist() == ["published"]
    assert_database_sound(driver)


@pytest.fixture
def no_free_ids(driver: neo4j.Driver) -> Iterator[None]:
    """Use up the node ids that earlier deletes freed, so that the next ids the server
    hands out again are the ones the test frees (the filler nodes go afterwards)."""
    highest = -1
    time.sleep(1.5)  # ids freed just before become free for reuse about half a second later
    try:
        for _ in range(100):
            records, _, _ = driver.execute_query(
                "UNWIND range(1, 5000) AS i CREATE (n:CGTestFiller) "
                "RETURN collect(elementId(n)) AS ids", database_="neo4j")
            # An element id ends with the node's number in the store, the part a delete frees.
            ids = [int(element.rsplit(":", 1)[1]) for element in records[0]["ids"]]
            if min(ids) > highest and max(ids) - min(ids) == len(ids) - 1:
                break  # a fresh, unbroken run of new ids: nothing freed is left to reuse
            highest = max(highest, *ids)
        yield
    finally:
        with driver.session(database="neo4j") as session:
            session.run("MATCH (n:CGTestFiller) CALL (n) { DELETE n } IN TRANSACTIONS").consume()


@pytest.mark.parametrize("at", PAUSES)
@pytest.mark.usefixtures("no_free_ids")
def test_an_unrelated_load_in_the_pause_is_never_written_into(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver, at: str,
) -> None:
    """The server gives an unrelated case the node ids a delete freed; the paused load's
    remaining writes must not land on them."""
    unrelated = synthetic("unrelated", n=800, seed=5)
    other = stores()
    freed: set[str] = set()

    def delete_then_load_another() -> None:
        freed.update(case_nodes(driver, "contested"))
        other.delete_case("contested")
        time.sleep(1.5)  # the server hands freed ids out again about half a second later
        cg.CaseGraph(unrelated, store=other)

    loader = paused_loader(stores, at, delete_then_load_another)
    with pytest.raises(cg.StoreError, match="took over meanwhile"):
        cg.CaseGraph(synthetic("contested", n=600), store=loader)
    reused = freed & case_nodes(driver, "unrelated")
    assert reused, "the server did not reuse any freed node id: the test proves nothing"
    assert case_nodes(driver, "contested") == set()
    assert_stored_equal(neo4j_uri, unrelated)
    assert_database_sound(driver)
    other.delete_case("unrelated")
    assert case_nodes(driver, "unrelated") == set()


def test_concurrent_loads_and_deletes_leave_whole_cases(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver,
) -> None:
    """Threads load and delete the same case ids at once; every outcome is whole."""
    versions = {seed: synthetic(f"race-{seed % 2}", seed=seed) for seed in range(6)}
    failures: list[BaseException] = []
    published: dict[str, list[int]] = {"race-0": [], "race-1": []}
    lock = threading.Lock()

    def run(seed: int) -> None:
        store = stores(batch_size=60)
        case = versions[seed]
        try:
            cg.CaseGraph(case, store=store)
            with lock:
                published[case.id].append(seed)
            if seed in (2, 3):
                store.delete_case(case.id)
        except cg.StoreError as exc:
            assert "took over meanwhile" in str(exc), exc
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    reader = stores()
    for case_id in ("race-0", "race-1"):
        if case_id in reader.list_cases():
            stored = cg.CaseGraph.open(reader, case_id).case
            assert any(not differences(stored, versions[seed]) for seed in published[case_id]), (
                f"{case_id} is not any version that was loaded whole")
    assert_database_sound(driver)


KILLED_LOAD = textwrap.dedent("""
    import os, signal, sys
    import crimegraph as cg
    from crimegraph.synth import generate_case_data

    data = generate_case_data(600, int(sys.argv[3]))
    data["id"] = sys.argv[2]
    store = cg.Neo4jStore(sys.argv[1], database="neo4j", batch_size=40, workers=1)

    def die(done, total):
        if done == total // 2:
            os.kill(os.getpid(), signal.SIGKILL)

    store.on_batch = die
    cg.CaseGraph(cg.Case.model_validate(data), store=store)
""")


def kill_a_load(uri: str, case_id: str, seed: int) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_LOAD, uri, case_id, str(seed)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_a_killed_load_shows_as_orphaned_and_vacuum_removes_it(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver,
) -> None:
    kept = synthetic("kept", seed=4)
    store = stores()
    cg.CaseGraph(kept, store=store)
    kill_a_load(neo4j_uri, "killed-new", 1)       # the first load of a case
    kill_a_load(neo4j_uri, "kept", 2)             # a reload of a published case
    assert "killed-new" not in store.list_cases()
    assert_stored_equal(neo4j_uri, kept)          # readers still see the whole old case
    table = store.inventory()
    states = {(row.case_id, row.state) for row in table.itertuples()}
    # Killed a moment ago: their claims are fresh, so they still count as loading ...
    assert {("killed-new", "loading"), ("kept", "loading"), ("kept", "published")} <= states
    left = int(table.loc[table["state"] == "loading", "nodes"].sum())
    assert left > 0
    # ... until they have been silent for longer than stale_after.
    table = store.inventory(stale_after=0)
    assert set(table.loc[table["state"] == "orphaned", "case_id"]) == {"killed-new", "kept"}
    assert store.vacuum(stale_after=0) == left
    table = store.inventory()
    assert table[["case_id", "state"]].values.tolist() == [["kept", "published"]]
    assert_stored_equal(neo4j_uri, kept)
    assert_database_sound(driver)
    assert store.vacuum() == 0


def test_delete_case_removes_a_killed_loads_data(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver,
) -> None:
    kill_a_load(neo4j_uri, "half", 1)
    assert case_nodes(driver, "half")
    store = stores()
    store.delete_case("half")
    assert case_nodes(driver, "half") == set()
    assert "half" not in set(store.inventory()["case_id"])


def test_vacuum_never_touches_a_live_load(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver,
) -> None:
    janitor = stores()
    seen: list[object] = []

    def vacuum_meanwhile() -> None:
        seen.append(janitor.inventory())
        seen.append(janitor.vacuum())

    loader = paused_loader(stores, "middle", vacuum_meanwhile)
    source = synthetic("busy", seed=6)
    cg.CaseGraph(source, store=loader)
    table, removed = seen
    assert removed == 0
    assert table[["case_id", "state"]].values.tolist() == [["busy", "loading"]]  # type: ignore[index]
    assert_stored_equal(neo4j_uri, source)
    assert_database_sound(driver)


def test_a_loads_own_failure_removes_what_it_wrote(
    stores: Callable[..., cg.Neo4jStore], driver: neo4j.Driver,
) -> None:
    def fail() -> None:
        raise RuntimeError("disk full")

    loader = paused_loader(stores, "middle", fail)
    with pytest.raises(cg.StoreError, match="disk full"):
        cg.CaseGraph(synthetic("failing"), store=loader)
    assert case_nodes(driver, "failing") == set()
    assert "failing" not in loader.list_cases()



def test_a_publish_whose_answer_is_lost_keeps_the_published_case(
    stores: Callable[..., cg.Neo4jStore], neo4j_uri: str, driver: neo4j.Driver,
) -> None:
    """The publishing commit reaches the server but its answer does not: the load must not
    remove the generation it has just published (nor report that nothing changed)."""
    import neo4j.exceptions as nex

    from crimegraph.store.neo4j import load as store_module

    first, second = synthetic("lost-answer", seed=1), synthetic("lost-answer", seed=2)
    cg.CaseGraph(first, store=stores())
    loader = stores()
    real = loader._transact

    def answer_lost(work: Callable[..., object], *args: object, **kw: object) -> object:
        done = real(work, *args, **kw)  # type: ignore[arg-type]
        if work is store_module._publish:
            raise nex.ServiceUnavailable("connection lost after the commit")
        return done

    loader._transact = answer_lost  # type: ignore[method-assign]
    graph = cg.CaseGraph(second, store=loader)  # the load did happen: no error
    assert graph.case_id == "lost-answer"
    assert_stored_equal(neo4j_uri, second)
    table = loader.inventory()
    assert table.loc[table["case_id"] == "lost-answer", "state"].tolist() == ["published"]
    assert_database_sound(driver)

"""Neo4j-only behaviour against a real server: isolation, opening, safety, faults.

The shared behaviour (same answers as the in-memory store) is covered by every test that takes
``make_graph``; these tests are about what only a database store has to get right.
"""

from __future__ import annotations

from collections.abc import Iterator

import neo4j
import numpy as np
import pytest

import crimegraph as cg
from crimegraph.model._time import from_epoch_us
from crimegraph.store.base import FlowCandidates, FlowQuery, SettledWalk

from ..conftest import NotificationWatch

pytestmark = pytest.mark.neo4j

NASTY = [
    "O'Brien \"the boss\"",
    "`backtick` } ) MATCH (n) DETACH DELETE n //",
    "'}) RETURN 1 UNION MATCH (x) SET x.pwned = true //",
    "{braces: $param} \\u0027 \\\\",
    "周老板 / 假酒 \u3000 full-width space",  # (ids with tabs or zero-width spaces are rejected)
]


def _store_then_clean(uri: str, server_trace: bool | None = None) -> Iterator[cg.Neo4jStore]:
    made = cg.Neo4jStore(uri, database="neo4j", batch_size=7, server_trace=server_trace)
    yield made
    for case_id in made.list_cases():
        made.delete_case(case_id)
    made.close()


@pytest.fixture
def store(neo4j_uri: str) -> Iterator[cg.Neo4jStore]:
    yield from _store_then_clean(neo4j_uri)


@pytest.fixture(params=["procedure", "levels"])
def trace_store(neo4j_uri: str, request: pytest.FixtureRequest) -> Iterator[cg.Neo4jStore]:
    """A store tracing with the server-side procedure, or level by level without it."""
    yield from _store_then_clean(neo4j_uri, server_trace=request.param == "procedure")


@pytest.fixture
def driver(neo4j_uri: str) -> Iterator[neo4j.Driver]:
    with neo4j.GraphDatabase.driver(neo4j_uri, auth=None) as d:
        yield d


def count(driver: neo4j.Driver, case_id: str) -> tuple[int, int]:
    records, _, _ = driver.execute_query(
        "MATCH (n:CGEntity {case_id: $id}) OPTIONAL MATCH (n)-[r]->() "
        "RETURN count(DISTINCT n) AS nodes, count(r) AS links", id=case_id, database_="neo4j")
    return records[0]["nodes"], records[0]["links"]


def small_case(case_id: str = "small", title: str = "first") -> cg.Case:
    return cg.Case.model_validate({
        "id": case_id, "title": title,
        "organizations": [{"id": n, "name": f"Org {n}"} for n in ("DEN", "WH", "SHOP")],
        "products": [{"id": "OIL", "name": "Oil"}],
        "transactions": [
            {"id": "T1", "kind": "shipment", "source": "DEN", "target": "WH",
             "timestamp": "2024-03-01", "product": "OIL", "quantity": 10},
            {"id": "T2", "kind": "shipment", "source": "WH", "target": "SHOP",
             "timestamp": "2024-03-02", "product": "OIL", "quantity": 4},
        ],
        "relationships": [{"id": "R1", "kind": "supplies", "source": "DEN", "target": "WH"}],
    })


def test_describe_names_server_and_database_never_the_password(neo4j_uri: str) -> None:
    store = cg.Neo4jStore(neo4j_uri, auth=("analyst", "s3cret-pw"), database="neo4j")
    try:
        text = store.describe()
        assert neo4j_uri in text and "'neo4j'" in text
        assert "s3cret" not in text and "analyst" not in text
    finally:
        store.close()


def test_callers_driver_is_used_and_left_open(neo4j_uri: str) -> None:
    with neo4j.GraphDatabase.driver(neo4j_uri, auth=None) as own:
        store = cg.Neo4jStore(driver=own, database="neo4j")
        graph = cg.CaseGraph(small_case("own-driver"), store=store)
        assert graph.get("T2").quantity == 4  # type: ignore[union-attr]
        store.delete_case("own-driver")
        store.close()
        own.verify_connectivity()  # still open


def test_open_a_stored_case_without_reloading(store: cg.Neo4jStore, neo4j_uri: str) -> None:
    case = cg.load_example("fake_liquor")
    loaded = cg.CaseGraph(case, store=store)
    other = cg.Neo4jStore(neo4j_uri, database="neo4j")
    try:
        opened = cg.CaseGraph.open(other, case.id)
        assert opened.case == case
        a = cg.trace_chain(loaded, "W-DEN-A")
        b = cg.trace_chain(opened, "W-DEN-A")
        assert a.transactions == b.transactions and a.tiers == b.tiers
        with pytest.raises(cg.EntityNotFound, match="'no-such-case'"):
            cg.CaseGraph.open(other, "no-such-case")
    finally:
        other.close()


def test_cases_live_side_by_side_without_seeing_each_other(
    store: cg.Neo4jStore, neo4j_uri: str
) -> None:
    cg.CaseGraph(small_case("case-a", "A"), store=store)
    b_store = cg.Neo4jStore(neo4j_uri, database="neo4j")
    try:
        b_case = small_case("case-b", "B")
        b_case.transactions[0] = b_case.transactions[0].model_copy(update={"quantity": 99.0})
        b_graph = cg.CaseGraph(cg.Case.model_validate(b_case.model_dump()), store=b_store)
        a_graph = cg.CaseGraph.open(store, "case-a")
        assert a_graph.get("T1").quantity == 10  # type: ignore[union-attr]
        assert b_graph.get("T1").quantity == 99  # type: ignore[union-attr]
        assert set(store.list_cases()) >= {"case-a", "case-b"}
        store.delete_case("case-b")
        assert "case-b" not in store.list_cases()
        assert a_graph.get("T1").quantity == 10  # type: ignore[union-attr]
    finally:
        b_store.close()


def test_loading_twice_gives_the_same_counts(store: cg.Neo4jStore, driver: neo4j.Driver) -> None:
    case = small_case()
    cg.CaseGraph(case, store=store)
    first = count(driver, case.id)
    cg.CaseGraph(case, store=store)
    assert count(driver, case.id) == first == (4, 3)


def test_values_full_of_cypher_come_back_byte_for_byte(
    store: cg.Neo4jStore, driver: neo4j.Driver
) -> None:
    cg.CaseGraph(small_case("bystander"), store=store)
    before = count(driver, "bystander")
    persons = [{"id": f"P{i} {text}"[:200].strip(), "name": text, "aliases": [text],
                "notes": text, "attributes": {text[:20]: text}} for i, text in enumerate(NASTY)]
    case = cg.Case.model_validate({
        "id": "nasty `case` '}) //", "title": NASTY[1],
        "persons": persons,
        "products": [{"id": NASTY[2], "name": NASTY[3]}],
        "transactions": [{"id": NASTY[3], "kind": "shipment", "source": persons[0]["id"],
                          "target": persons[1]["id"], "timestamp": "2024-01-01",
                          "product": NASTY[2], "quantity": 1, "reference": NASTY[4]}],
        "relationships": [{"id": NASTY[4], "kind": "calls", "source": persons[1]["id"],
                           "target": persons[2]["id"], "notes": NASTY[0]}],
    })
    graph = cg.CaseGraph(case, store=store)
    assert graph.case == case
    for person in persons:
        assert graph.get(person["id"]).name == person["name"]
    assert graph.get(NASTY[3]).reference == NASTY[4]  # type: ignore[union-attr]
    assert cg.trace_chain(graph, persons[0]["id"]).transactions == [NASTY[3]]
    assert count(driver, "bystander") == before
    records, _, _ = driver.execute_query(
        "MATCH (x) WHERE x.pwned IS NOT NULL RETURN count(x) AS c", database_="neo4j")
    assert records[0]["c"] == 0


def test_interrupted_load_leaves_no_half_case(store: cg.Neo4jStore, neo4j_uri: str,
                                              driver: neo4j.Driver) -> None:
    cg.CaseGraph(small_case("fragile", "version 1"), store=store)
    clean = count(driver, "fragile")
    case_v2 = small_case("fragile", "version 2")
    failing = cg.Neo4jStore(neo4j_uri, database="neo4j", batch_size=1)

    def server_stops(done: int, total: int) -> None:
        if done == 3:  # what the driver raises when the server goes away mid-load
            raise neo4j.exceptions.ServiceUnavailable("server stopped")

    failing.on_batch = server_stops
    with pytest.raises(cg.StoreUnavailable, match=r"stopped after \d+ of .* can be retried"):
        cg.CaseGraph(case_v2, store=failing)
    failing.close()
    reader = cg.Neo4jStore(neo4j_uri, database="neo4j")
    try:
        assert cg.CaseGraph.open(reader, "fragile").case.title == "version 1"
        retry = cg.CaseGraph(case_v2, store=reader)  # the retry cleans the half-written data
        assert retry.case.title == "version 2"
        assert count(driver, "fragile") == clean
    finally:
        reader.close()


def test_interrupted_first_load_is_invisible(neo4j_uri: str, store: cg.Neo4jStore) -> None:
    failing = cg.Neo4jStore(neo4j_uri, database="neo4j", batch_size=1)

    def fail(done: int, total: int) -> None:
        if done == 2:
            raise RuntimeError("power cut")

    failing.on_batch = fail
    with pytest.raises(cg.StoreError, match="power cut.*can be retried"):
        cg.CaseGraph(small_case("never-loaded"), store=failing)
    failing.close()
    with pytest.raises(cg.EntityNotFound, match="never-loaded"):
        cg.CaseGraph.open(store, "never-loaded")


def test_constraints_and_indexes_exist(store: cg.Neo4jStore, driver: neo4j.Driver) -> None:
    cg.CaseGraph(small_case(), store=store)
    names = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS", database_="neo4j").records}
    assert {"cg_case_id", "cg_entity_key"} <= names
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES", database_="neo4j").records}
    assert {"cg_entity_case", "cg_rel_shipment"} <= indexes


def test_trace_fetches_only_what_it_can_reach(store: cg.Neo4jStore) -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"), store=store)
    total = len(graph.shipments())
    fetched = store.walk_flows(FlowQuery("shipment", ("SHOP-17",), "upstream", max_hops=99))
    assert isinstance(fetched, FlowCandidates)
    assert 0 < len(fetched.table) < total / 3


def test_unreachable_server_is_named(tmp_path: object) -> None:
    store = cg.Neo4jStore("bolt://127.0.0.1:9", database="neo4j")
    try:
        with pytest.raises(cg.StoreUnavailable, match=r"bolt://127.0.0.1:9"):
            cg.CaseGraph(small_case(), store=store)
    finally:
        store.close()


def test_uri_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRIMEGRAPH_NEO4J_URI", raising=False)
    with pytest.raises(ValueError, match="needs a Bolt URI"):
        cg.Neo4jStore()


@pytest.mark.parametrize("name", ["counterfeit_oil", "fake_liquor"])
def test_examples_trace_identically_on_both_stores(trace_store: cg.Neo4jStore, name: str
                                                   ) -> None:
    case = cg.load_example(name)
    memory = cg.CaseGraph(case)
    remote = cg.CaseGraph(case, store=trace_store)
    sources = cg.find_sources(memory)
    assert sources.equals(cg.find_sources(remote))
    shop = next(o.id for o in case.organizations if o.kind == "shop")
    product = case.products[0].id
    calls = [
        dict(start=sources["id"].tolist()[:2]),
        dict(start=shop, direction="upstream"),
        dict(start=sources["id"].iloc[0], product=product, since="2024-02-01"),
        dict(start=sources["id"].iloc[0], max_hops=2),
        dict(start=shop, direction="upstream", time_respecting=False),
    ]
    for call in calls:
        a = cg.trace_chain(memory, **call)  # type: ignore[arg-type]
        b = cg.trace_chain(remote, **call)  # type: ignore[arg-type]
        assert a.transactions == b.transactions, call
        assert a.tiers == b.tiers, call
        assert a.unaccounted().equals(b.unaccounted()), call
        assert (a.total_quantity, a.total_amount) == (b.total_quantity, b.total_amount)
        assert a.to_dataframe().equals(b.to_dataframe()), call
    assert memory.summary() == remote.summary()


def test_synthetic_case_traces_identically_on_both_stores(trace_store: cg.Neo4jStore) -> None:
    from crimegraph import synth

    case = synth.generate_case(3000, seed=3)
    memory = cg.CaseGraph(case)
    remote = cg.CaseGraph(case, store=trace_store)
    table = memory.shipments()
    senders = np.bincount(table.source, minlength=len(table.node_ids))
    receivers = np.bincount(table.target, minlength=len(table.node_ids))
    busy = [table.node_ids[i] for i in np.argsort(-senders, kind="stable")[:4]]
    shops = [table.node_ids[i] for i in np.flatnonzero((senders == 0) & (receivers > 0))[:4]]
    middle = table.time[len(table) // 2]
    window = from_epoch_us(int(middle)).isoformat()  # an aware time: no zone needed
    calls: list[dict[str, object]] = []
    for start in busy:
        calls += [dict(start=start), dict(start=start, until=window)]
    for start in shops:
        calls += [dict(start=start, direction="upstream"),
                  dict(start=start, direction="upstream", since=window)]
    calls.append(dict(start=busy[:3]))
    sizes = []
    for call in calls:
        a = cg.trace_chain(memory, **call)  # type: ignore[arg-type]
        b = cg.trace_chain(remote, **call)  # type: ignore[arg-type]
        sizes.append(len(a))
        assert len(a) == len(b), call
        assert a.transactions == b.transactions, call
        assert a.tiers == b.tiers, call
        assert (a.total_quantity, a.total_amount) == (b.total_quantity, b.total_amount), call
    assert sum(size > 50 for size in sizes) >= len(calls) // 2, sizes


@pytest.mark.filterwarnings("ignore:.*no goods in this case:UserWarning")
def test_synthetic_money_traces_identically_both_ways(trace_store: cg.Neo4jStore) -> None:
    """Money walks in the server, or over the flows read level by level, as in memory."""
    from crimegraph import synth

    case = synth.generate_case(3000, seed=5)
    memory = cg.CaseGraph(case)
    remote = cg.CaseGraph(case, store=trace_store)
    table = memory.payments()
    payers = np.bincount(table.source, minlength=len(table.node_ids))
    payees = np.bincount(table.target, minlength=len(table.node_ids))
    busy = [table.node_ids[i] for i in np.argsort(-payers, kind="stable")[:3]]
    rich = [table.node_ids[i] for i in np.argsort(-payees, kind="stable")[:3]]
    middle = from_epoch_us(int(table.time[len(table) // 2])).isoformat()
    calls: list[dict[str, object]] = [dict(start=busy)]
    for start in busy:
        calls += [dict(start=start), dict(start=start, until=middle)]
    for start in rich:
        calls += [dict(start=start, direction="upstream"),
                  dict(start=start, direction="upstream", since=middle, currency="CNY")]
    reached = 0
    for call in calls:
        want = cg.trace_money(memory, **call)  # type: ignore[arg-type]
        got = cg.trace_money(remote, **call)  # type: ignore[arg-type]
        assert got.transactions == want.transactions, call
        assert got.tiers == want.tiers, call
        assert got.balance().equals(want.balance()), call
        reached += len(want)
    assert reached > 50


def test_plain_links_are_stored_as_properties_and_come_back_unchanged(
    store: cg.Neo4jStore, driver: neo4j.Driver,
) -> None:
    from crimegraph.io.jsonfile import case_to_json

    case = cg.Case.model_validate({
        "id": "links", "timezone": "Europe/Berlin",
        "organizations": [{"id": n, "name": n} for n in ("DEN", "WH", "SHOP")],
        "products": [{"id": "OIL", "name": "Oil"}],
        "evidence": [{"id": "E1", "name": "Waybill", "kind": "waybill"}],
        "transactions": [
            # plain: winter and summer time, rebuilt in the case's zone
            {"id": "T1", "kind": "shipment", "source": "DEN", "target": "WH",
             "timestamp": "2024-01-10T08:30:00.250001", "product": "OIL", "quantity": 10,
             "amount": 99.5, "carrier": "SHOP"},
            {"id": "T2", "kind": "payment", "source": "WH", "target": "DEN",
             "timestamp": "2024-07-01", "amount": 120, "currency": "EUR"},
            # not plain: another offset, notes, evidence, a reference
            {"id": "T3", "kind": "shipment", "source": "WH", "target": "SHOP",
             "timestamp": "2024-03-02T10:00:00+08:00", "product": "OIL", "quantity": 4},
            {"id": "T4", "kind": "shipment", "source": "WH", "target": "SHOP",
             "timestamp": "2024-03-03", "product": "OIL", "quantity": 1, "notes": "seen"},
            {"id": "T5", "kind": "payment", "source": "SHOP", "target": "WH",
             "timestamp": "2024-03-04", "amount": 5, "evidence": ["E1"], "reference": "R-9"},
        ],
        "relationships": [
            {"id": "R1", "kind": "supplies", "source": "DEN", "target": "WH", "weight": 3,
             "since": "2023-11-01"},
            {"id": "R2", "kind": "calls", "source": "DEN", "target": "SHOP",
             "until": "2024-02-01T00:00:00+00:00"},
        ],
    })
    graph = cg.CaseGraph(case, store=store)
    records, _, _ = driver.execute_query(
        "MATCH (:CGEntity {case_id: 'links'})-[r]->() RETURN r.id AS id, r.record IS NULL AS plain",
        database_="neo4j")
    assert {r["id"] for r in records if r["plain"]} == {"T1", "T2", "R1"}
    assert case_to_json(graph.store.to_case()) == case_to_json(case)
    again = graph.store.get_many(["T1", "T2", "T3", "R1", "R2"])
    assert [again[i] for i in ("T1", "T2", "T3", "R1", "R2")] == [
        case.get(i) for i in ("T1", "T2", "T3", "R1", "R2")]
    assert again["T1"].model_dump_json() == case.get("T1").model_dump_json()
    assert graph.store.transactions(nodes=["DEN"]) == [case.get("T1"), case.get("T2")]
    assert graph.store.links(nodes=["DEN"]) == case.relationships


def test_trace_of_a_case_deleted_meanwhile_says_to_run_it_again(
    store: cg.Neo4jStore, neo4j_uri: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crimegraph.store.neo4j import packs as _packs

    store.server_trace = False  # the level-by-level walk: several queries, one per level
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"), store=store)
    other = cg.Neo4jStore(neo4j_uri, database="neo4j")
    add = _packs.Reach.add

    def add_then_delete(self: _packs.Reach, found: object) -> list[int]:
        frontier = add(self, found)
        if frontier:  # another analyst deletes the case between two levels of the walk
            other.delete_case(graph.store.case_id)
        return frontier

    monkeypatch.setattr(_packs.Reach, "add", add_then_delete)
    try:
        with pytest.raises(cg.StoreError, match="run the trace again"):
            cg.trace_chain(graph, "W-DEN-01")
    finally:
        other.close()


def test_links_with_times_a_zone_cannot_rebuild_keep_their_json(
    store: cg.Neo4jStore, driver: neo4j.Driver,
) -> None:
    from crimegraph.io.jsonfile import case_to_json

    case = cg.Case.model_validate({
        "id": "odd-times", "timezone": "Asia/Shanghai",
        "organizations": [{"id": n, "name": n} for n in ("DEN", "SHOP")],
        "products": [{"id": "OIL", "name": "Oil"}],
        "transactions": [
            # local mean time until 1901: an offset with seconds (+08:05:43)
            {"id": "T1", "kind": "shipment", "source": "DEN", "target": "SHOP",
             "timestamp": "1900-06-01T12:00:00", "product": "OIL", "quantity": 1},
            # a wall time the zone skipped (daylight saving began at 02:00 in 1988)
            {"id": "T2", "kind": "shipment", "source": "DEN", "target": "SHOP",
             "timestamp": "1988-04-17T02:30:00", "product": "OIL", "quantity": 2},
            {"id": "T3", "kind": "shipment", "source": "DEN", "target": "SHOP",
             "timestamp": "2024-04-02T08:00:00", "product": "OIL", "quantity": 3},
        ],
    })
    graph = cg.CaseGraph(case, store=store)
    records, _, _ = driver.execute_query(
        "MATCH (:CGEntity {case_id: 'odd-times'})-[r]->() RETURN r.id AS id, "
        "r.record IS NULL AS plain", database_="neo4j")
    assert {r["id"] for r in records if r["plain"]} == {"T3"}
    assert case_to_json(graph.store.to_case()) == case_to_json(case)
    again = graph.store.get_many(["T1", "T2", "T3"])
    for tid in ("T1", "T2", "T3"):
        assert again[tid].model_dump_json() == case.get(tid).model_dump_json()


def test_a_case_stored_in_another_layout_asks_to_be_loaded_again(
    store: cg.Neo4jStore, driver: neo4j.Driver, neo4j_uri: str,
) -> None:
    cg.CaseGraph(small_case("old"), store=store)
    driver.execute_query("MATCH (c:CGCase {id: 'old'}) SET c.layout = null",
                         database_="neo4j")
    other = cg.Neo4jStore(neo4j_uri, database="neo4j")
    try:
        with pytest.raises(cg.StoreError, match="load the case again"):
            cg.CaseGraph.open(other, "old")
    finally:
        other.close()


def test_test_server_has_the_trace_procedure(neo4j_uri: str, store: cg.Neo4jStore) -> None:
    import os

    if os.environ.get("CRIMEGRAPH_NEO4J_URI"):
        pytest.skip("a server of your own need not have crimegraph's plugin")
    assert store.traces_in_server
    cg.CaseGraph(small_case(), store=store)
    walked = store.walk_flows(FlowQuery("shipment", ("DEN",)))
    assert isinstance(walked, SettledWalk) and walked.kinds == {"DEN": "Organization"}


def test_procedure_finds_a_place_of_another_generation_stale(
    store: cg.Neo4jStore, driver: neo4j.Driver,
) -> None:
    """The procedure checks every place it reads against the generation it traces."""
    if not store._has_procedure():
        pytest.skip("the server has no crimegraph.trace procedure")
    cg.CaseGraph(small_case(), store=store)
    query = ("CALL crimegraph.trace($ck, 'shipment', ['DEN'], false, null, null, null, null, "
             "['DEN', 'OIL', 'T1']) YIELD stale, ids, found, sections RETURN stale, ids, found, sections")
    fresh = driver.execute_query(query, ck=store.ck, database_="neo4j").records[0]
    assert not fresh["stale"] and fresh["ids"] == b"T1\nT2\n"
    assert (fresh["found"], fresh["sections"]) == (["DEN", "OIL"], ["organizations", "products"])
    # As if another analyst reloaded the case while the walk was under way: the warehouse
    # the den ships to now belongs to another generation.
    driver.execute_query("MATCH (n:CGEntity {case_id: 'small', id: 'WH'}) SET n.ck = 'next'",
                         database_="neo4j")
    stale = driver.execute_query(query, ck=store.ck, database_="neo4j").records[0]
    assert stale["stale"] and stale["ids"] is None
    with pytest.raises(cg.StoreError, match="run the trace again"):
        cg.trace_chain(cg.CaseGraph.open(store, "small"), "DEN")
    # A place whose lists are caught half rewritten (its shipments gone, or fewer ids than
    # shipments) is stale too, never an empty or shifted list.
    driver.execute_query("MATCH (n:CGEntity {case_id: 'small', id: 'WH'}) "
                         "SET n.ck = $ck REMOVE n.out_blob", ck=store.ck, database_="neo4j")
    assert driver.execute_query(query, ck=store.ck, database_="neo4j").records[0]["stale"]
    driver.execute_query("MATCH (n:CGEntity {case_id: 'small', id: 'DEN'}) SET n.out_ids = $ids",
                         ids=b"", database_="neo4j")
    assert driver.execute_query(query, ck=store.ck, database_="neo4j").records[0]["stale"]


def test_procedure_jumps_by_element_id_only_to_the_place_the_list_names(
    store: cg.Neo4jStore, driver: neo4j.Driver,
) -> None:
    """A packed list gives its live far ends' element ids; an element id that names another
    node (element ids are reused after a delete), none, or nothing valid, sends the
    procedure to the place's key instead, with the same answer."""
    if not store._has_procedure():
        pytest.skip("the server has no crimegraph.trace procedure")
    cg.CaseGraph(small_case(), store=store)
    places = {record["id"]: record["eid"] for record in driver.execute_query(
        "MATCH (n:CGEntity {ck: $ck}) WHERE n.nidx IS NOT NULL "
        "RETURN n.id AS id, elementId(n) AS eid", ck=store.ck, database_="neo4j").records}
    hops = driver.execute_query(
        "MATCH (n:CGEntity {ck: $ck, id: 'DEN'}) RETURN n.out_hops AS hops", ck=store.ck,
        database_="neo4j").records[0]["hops"]
    assert hops == f"{places['WH']}\n".encode()  # the warehouse ships on; the shop does not
    gone = driver.execute_query("CREATE (n:Scratch) WITH n, elementId(n) AS eid DELETE n "
                                "RETURN eid", database_="neo4j").records[0]["eid"]
    query = ("CALL crimegraph.trace($ck, 'shipment', ['DEN'], false, null, null, null, null, "
             "['DEN']) YIELD stale, ids, nodes, levels RETURN stale, ids, nodes, levels")
    fresh = driver.execute_query(query, ck=store.ck, database_="neo4j").records[0]
    assert not fresh["stale"] and fresh["ids"] == b"T1\nT2\n"
    assert fresh["nodes"] == b"DEN\nWH\nSHOP\n"
    for wrong in (places["SHOP"], gone, "not an element id"):
        driver.execute_query("MATCH (n:CGEntity {ck: $ck, id: 'DEN'}) SET n.out_hops = $hops",
                             ck=store.ck, hops=f"{wrong}\n".encode(), database_="neo4j")
        walked = driver.execute_query(query, ck=store.ck, database_="neo4j").records[0]
        assert [walked[key] for key in ("stale", "ids", "nodes", "levels")] == [
            fresh[key] for key in ("stale", "ids", "nodes", "levels")], wrong
    # A list of element ids that does not hold one per far end was caught half written.
    driver.execute_query("MATCH (n:CGEntity {ck: $ck, id: 'DEN'}) SET n.out_hops = $hops",
                         ck=store.ck, hops=f"{places['WH']}\n{gone}\n".encode(),
                         database_="neo4j")
    assert driver.execute_query(query, ck=store.ck, database_="neo4j").records[0]["stale"]


def test_trace_of_a_case_deleted_before_it_says_to_run_it_again(
    store: cg.Neo4jStore, neo4j_uri: str,
) -> None:
    graph = cg.CaseGraph(small_case(), store=store)
    other = cg.Neo4jStore(neo4j_uri, database="neo4j")
    try:
        other.delete_case("small")
    finally:
        other.close()
    with pytest.raises(cg.StoreError, match="run the trace again"):
        cg.trace_chain(graph, "DEN")


def test_server_trace_true_without_the_procedure_says_how_to_install_it(
    store: cg.Neo4jStore,
) -> None:
    cg.CaseGraph(small_case(), store=store)
    store.server_trace = True
    store._procedure = False  # as on a server without the plugin
    assert not store.traces_in_server
    with pytest.raises(cg.StoreError, match="plugins directory"):
        cg.trace_chain(cg.CaseGraph.open(store, "small"), "DEN")


def test_a_deprecated_function_in_a_query_is_caught(
    store: cg.Neo4jStore, neo4j_notifications: NotificationWatch,
) -> None:
    """Every Neo4j test runs under a guard (``neo4j_notifications`` in conftest) that fails it
    when a query draws a deprecation or performance notification; here a query through the
    store's own driver uses the deprecated ``id()``, and the guard sees it."""
    store._read("MATCH (c:CGCase) RETURN id(c) AS old LIMIT 1")
    failing = neo4j_notifications.failing()
    assert any("DEPRECATION" in kind for kind, _, _ in neo4j_notifications.seen), failing
    assert any("id(c)" in text for text in failing), failing
    neo4j_notifications.seen.clear()  # caught as it should be: this test itself passes


def test_stale_after_must_be_seconds_for_inventory_and_vacuum(store: cg.Neo4jStore) -> None:
    for call in (store.inventory, store.vacuum):
        with pytest.raises(cg.errors.InvalidArgument, match=r"stale_after=-1 must be .* >= 0"):
            call(stale_after=-1)  # would take every running load for dead
        with pytest.raises(cg.errors.WrongArgumentType, match=r"stale_after='10' must be a "
                                                              "number of seconds, not str"):
            call(stale_after="10")  # type: ignore[arg-type]

"""Random cases traced three ways: in memory, by the server-side procedure, level by level.

Each generated case is loaded into Neo4j once and traced from every place, in both directions,
with and without product and time filters; the three traces must agree to the last shipment,
tier and quantity.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crimegraph as cg

from ..conftest import goods_case, shipment

pytestmark = [
    pytest.mark.neo4j,
    # Random cases have places without shipments; tracing from them warns, rightly.
    pytest.mark.filterwarnings("ignore:.*no goods in this case:UserWarning"),
]

PLACES = [f"P{i}" for i in range(8)]


@pytest.fixture(scope="module")
def stores(neo4j_uri: str) -> Iterator[tuple[cg.Neo4jStore, cg.Neo4jStore]]:
    procedure = cg.Neo4jStore(neo4j_uri, database="neo4j")
    if not procedure._has_procedure():
        procedure.close()
        pytest.skip("the server has no crimegraph.trace procedure")
    procedure.server_trace = True
    levels = cg.Neo4jStore(neo4j_uri, database="neo4j", server_trace=False)
    yield procedure, levels
    for case_id in procedure.list_cases():
        procedure.delete_case(case_id)
    procedure.close()
    levels.close()


edge = st.tuples(st.sampled_from(PLACES), st.sampled_from(PLACES), st.integers(1, 6),
                 st.sampled_from(["X", "Y"]), st.integers(1, 9)).filter(lambda e: e[0] != e[1])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=st.lists(edge, min_size=1, max_size=40), window=st.integers(1, 6))
def test_random_cases_trace_alike_three_ways(
    stores: tuple[cg.Neo4jStore, cg.Neo4jStore], raw: list[tuple[str, str, int, str, int]],
    window: int,
) -> None:
    procedure, levels = stores
    case = goods_case(" ".join(PLACES), [
        shipment(f"T{i}", u, v, f"03-0{day}", q, product=p)
        for i, (u, v, day, p, q) in enumerate(raw)
    ], products=("X", "Y"))
    memory = cg.CaseGraph(case)
    by_procedure = cg.CaseGraph(case, store=procedure)
    by_levels = cg.CaseGraph.open(levels, case.id)
    day = f"2024-03-0{window}"
    for start in PLACES:
        for call in (dict(), dict(direction="upstream"), dict(product="X"),
                     dict(since=day), dict(direction="upstream", until=day, product="Y")):
            expected = cg.trace_chain(memory, start, **call)  # type: ignore[arg-type]
            for graph in (by_procedure, by_levels):
                got = cg.trace_chain(graph, start, **call)  # type: ignore[arg-type]
                where = (start, call, graph.store.server_trace)
                assert got.transactions == expected.transactions, where
                assert got.tiers == expected.tiers, where
                assert got.sources == expected.sources, where
                assert got.endpoints == expected.endpoints, where
                assert (got.total_quantity, got.total_amount) == (
                    expected.total_quantity, expected.total_amount), where
                assert got.unaccounted().equals(expected.unaccounted()), where
    multi = ["P0", "P3", "P5"]
    assert (cg.trace_chain(by_procedure, multi).transactions
            == cg.trace_chain(memory, multi).transactions)


def _columns(store: cg.Neo4jStore, start: str) -> str:
    from crimegraph.store.neo4j import cypher

    row = store._read(cypher.SERVER_TRACE, ck=store.ck, kind="shipment", starts=[start],
                      ids=[start], upstream=False, items=None, since=None, until=None,
                      min_amount=None)[0]
    return str(row["columns"])


def test_values_that_need_wide_columns_come_back_exactly(
    stores: tuple[cg.Neo4jStore, cg.Neo4jStore],
) -> None:
    """Times with microseconds and quantities no float32 holds travel at full width."""
    procedure, _ = stores
    case = cg.Case.model_validate({
        "id": "wide-values",
        "organizations": [{"id": n, "name": n} for n in ("DEN", "WH", "SHOP")],
        "products": [{"id": "OIL", "name": "Oil"}],
        "transactions": [
            {"id": "T1", "kind": "shipment", "source": "DEN", "target": "WH",
             "timestamp": "2024-03-01T08:00:00.000123", "product": "OIL", "quantity": 0.1,
             "amount": 1e300},
            {"id": "T2", "kind": "shipment", "source": "WH", "target": "SHOP",
             "timestamp": "1969-12-31T23:59:59.5", "product": "OIL", "quantity": 3},
            {"id": "T3", "kind": "shipment", "source": "WH", "target": "SHOP",
             "timestamp": "2024-03-02T09:30:00", "product": "OIL", "quantity": 1 / 3,
             "amount": 12.34},
        ],
    })
    memory = cg.CaseGraph(case)
    remote = cg.CaseGraph(case, store=procedure)
    assert _columns(procedure, "DEN") == "i2 i2 i2 i8 f8 f8"
    for start, direction in (("DEN", "downstream"), ("SHOP", "upstream")):
        a = cg.trace_chain(memory, start, direction=direction)  # type: ignore[arg-type]
        b = cg.trace_chain(remote, start, direction=direction)  # type: ignore[arg-type]
        assert a.to_dataframe().equals(b.to_dataframe())
        assert a.unaccounted().equals(b.unaccounted())


def test_many_nodes_and_products_use_wide_columns(
    stores: tuple[cg.Neo4jStore, cg.Neo4jStore],
) -> None:
    """More than 32,768 chain nodes and products: positions travel as int32."""
    procedure, _ = stores
    shops = 33_000
    case = cg.Case(
        id="wide-network",
        organizations=[cg.Organization(id="DEN", name="Den"),
                       *(cg.Organization(id=f"S{i}", name=f"Shop {i}") for i in range(shops))],
        products=[cg.Product(id=f"P{i}", name=f"Product {i}") for i in range(shops)],
        transactions=[cg.Transaction(id=f"T{i}", kind="shipment", source="DEN", target=f"S{i}",
                                     timestamp="2024-03-01", product=f"P{i}", quantity=i + 1)
                      for i in range(shops)],
    )
    memory = cg.CaseGraph(case)
    remote = cg.CaseGraph(case, store=procedure)
    assert _columns(procedure, "DEN") == "i4 i4 i4 s4 f4 f4"
    a, b = cg.trace_chain(memory, "DEN"), cg.trace_chain(remote, "DEN")
    assert a.transactions == b.transactions and a.tiers == b.tiers
    assert a.to_dataframe().equals(b.to_dataframe())
    assert cg.trace_chain(remote, "DEN", product="P32999").transactions == ["T32999"]

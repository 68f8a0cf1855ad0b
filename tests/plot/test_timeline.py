"""plot_timeline: shipments and payments over time, in lanes."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pytest

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.timeline import timeline_events


def scatter(ax, gid: str):
    (found,) = [c for c in ax.collections if c.get_gid() == gid]
    return found


def test_a_case_shows_every_shipment_and_payment_by_province(oil_graph) -> None:
    ax = cgp.plot_timeline(oil_graph)
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert lanes[0] == "河北"  # the busiest sender on top
    assert set(lanes) == {"河北", "山东", "河南"}
    assert len(scatter(ax, "shipments").get_offsets()) == 15
    assert len(scatter(ax, "payments").get_offsets()) == 4
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Shipments (quantity)" in legend and "Payments (amount)" in legend


def test_markers_grow_with_quantity(oil_graph) -> None:
    events, _ = timeline_events(oil_graph)
    shipments = [e for e in events if e.kind == "shipment"]
    ax = cgp.plot_timeline(oil_graph)
    sizes = scatter(ax, "shipments").get_sizes()
    order = np.argsort([e.size for e in shipments], kind="stable")
    assert list(sizes[order]) == sorted(sizes)
    biggest = max(range(len(shipments)), key=lambda i: shipments[i].size)
    assert sizes[biggest] == max(sizes)


def test_a_chain_shows_its_shipments_by_tier(oil_chain) -> None:
    ax = cgp.plot_timeline(oil_chain)
    # Tier 4: the return from a shop (tier 3) to its distributor.
    assert [t.get_text() for t in ax.get_yticklabels()] == ["tier 1", "tier 2", "tier 3",
                                                            "tier 4"]
    offsets = scatter(ax, "shipments").get_offsets()
    assert len(offsets) == len(oil_chain)
    assert not [c for c in ax.collections if c.get_gid() == "payments"]
    frame = oil_chain.to_dataframe()
    assert sorted(np.round(offsets[:, 1]).astype(int).tolist()) == sorted(
        (frame["tier"] - 1).tolist())


def test_dates_are_the_cases_local_dates() -> None:
    case = cg.Case(
        timezone="Asia/Shanghai",
        organizations=[cg.Organization(id="A", name="A"), cg.Organization(id="B", name="B")],
        products=[cg.Product(id="OIL", name="oil")],
        transactions=[cg.Transaction(id="T1", kind="shipment", source="A", target="B",
                                     timestamp="2024-03-01T00:30:00+08:00", product="OIL",
                                     quantity=5)])
    ax = cgp.plot_timeline(case)
    x = scatter(ax, "shipments").get_offsets()[0, 0]
    assert mdates.num2date(x).strftime("%Y-%m-%d %H:%M") == "2024-03-01 00:30"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["unknown"]


def test_lanes_by_kind(oil_graph) -> None:
    ax = cgp.plot_timeline(oil_graph, by="kind")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["shipments", "payments"]


def test_tiers_need_a_chain(oil_graph) -> None:
    with pytest.raises(ValueError, match=r"by='tier'.*trace_chain"):
        cgp.plot_timeline(oil_graph, by="tier")
    with pytest.raises(ValueError, match="by='city'"):
        cgp.plot_timeline(oil_graph, by="city")


def test_same_case_same_picture(oil_graph) -> None:
    a = scatter(cgp.plot_timeline(oil_graph), "payments")
    b = scatter(cgp.plot_timeline(oil_graph), "payments")
    assert np.array_equal(a.get_offsets(), b.get_offsets())
    assert np.array_equal(a.get_sizes(), b.get_sizes())


def test_the_bundled_case_timeline() -> None:
    graph = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    ax = cgp.plot_timeline(graph)
    n_ship = len(graph.transactions(kind="shipment"))
    n_pay = len(graph.transactions(kind="payment"))
    assert len(scatter(ax, "shipments").get_offsets()) == n_ship
    assert len(scatter(ax, "payments").get_offsets()) == n_pay


def test_many_lanes_fold_the_quietest_into_one() -> None:
    from crimegraph.plot.style import MAX_FIGSIZE

    places = [cg.Organization(id=f"O{i:02d}", name=f"Shop {i}", province=f"Province {i:02d}")
              for i in range(30)]
    txs = [cg.Transaction(id=f"T{i:03d}", kind="shipment", source=f"O{i % 30:02d}",
                          target=f"O{(i + 1) % 30:02d}", timestamp=f"2024-03-{1 + i % 28:02d}",
                          product="OIL", quantity=10 + i)
           for i in range(30 + 12)]  # provinces 00..11 send twice
    case = cg.Case(organizations=places, products=[cg.Product(id="OIL", name="oil")],
                   transactions=txs)
    ax = cgp.plot_timeline(case)
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert len(lanes) == 18 and lanes[-1] == "13 others"
    assert set(lanes[:12]) == {f"Province {i:02d}" for i in range(12)}
    assert ax.figure.get_size_inches()[1] <= MAX_FIGSIZE[1]
    (note,) = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    assert "13 quietest lanes" in note

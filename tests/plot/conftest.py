"""Figures are drawn with the Agg backend (no display) from small hand-built cases."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import crimegraph as cg


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def oil_case() -> cg.Case:
    """A fake-oil chain with Chinese names: den -> 2 warehouses -> 3 distributors -> 7 shops.

    Unaccounted: WH1 +10, WH2 +60 (gets 40 from WH1), D3 +50, D1 +80, D2 0 (a return from
    S4 balances it), shops their inflow; S7 has no province.
    """
    W, Org = cg.Warehouse, cg.Organization
    places = [
        W(id="DEN", name="兴隆村窝点", province="河北", uses=["production"]),
        W(id="WH1", name="保定仓库", province="河北", uses=["storage"]),
        W(id="WH2", name="临沂中转仓", province="山东", uses=["storage"]),
        Org(id="D1", name="鑫达汽配批发", province="河北", kind="distributor"),
        Org(id="D2", name="华通润滑油经销部", province="山东", kind="distributor"),
        Org(id="D3", name="Zhengzhou Fuxing Trading", province="河南", kind="distributor"),
        Org(id="S1", name="宏达汽配", province="河北", kind="shop"),
        Org(id="S2", name="老王修车铺", province="河北", kind="shop"),
        Org(id="S3", name="顺发汽修", province="山东", kind="shop"),
        Org(id="S4", name="金盾汽车保养", province="山东", kind="shop"),
        Org(id="S5", name="大众快修", province="河南", kind="shop"),
        Org(id="S6", name="路路通养护中心", province="河南", kind="shop"),
        Org(id="S7", name="平安车行", kind="shop"),
    ]
    persons = [cg.Person(id="P1", name="周建国", province="河北", role="leader",
                         status="wanted"),
               cg.Person(id="P2", name="李强", province="山东", role="driver",
                         status="arrested")]
    moves = [("DEN", "WH1", "03-01", 500), ("DEN", "WH2", "03-02", 400),
             ("WH1", "D1", "03-05", 300), ("WH1", "D3", "03-06", 150),
             ("WH2", "D2", "03-06", 380), ("D1", "S1", "03-08", 120),
             ("D1", "S2", "03-09", 100), ("D2", "S3", "03-09", 150),
             ("D2", "S4", "03-10", 200), ("D3", "S5", "03-10", 60),
             ("D3", "S6", "03-11", 70), ("D2", "S7", "03-12", 50),
             ("WH1", "WH2", "03-04", 40), ("DEN", "D3", "03-03", 30),
             ("S4", "D2", "03-15", 20)]
    txs = [cg.Transaction(id=f"T{i:02d}", kind="shipment", source=a, target=b,
                          timestamp=f"2024-{day}", product="OIL", quantity=q, amount=q * 45.0)
           for i, (a, b, day, q) in enumerate(moves)]
    payments = [("S1", "D1", "03-12", 5400), ("D1", "P1", "03-14", 13500),
                ("S3", "D2", "03-13", 6750), ("P2", "P1", "03-20", 20000)]
    txs += [cg.Transaction(id=f"M{i:02d}", kind="payment", source=a, target=b,
                           timestamp=f"2024-{day}", amount=x)
            for i, (a, b, day, x) in enumerate(payments)]
    return cg.Case(
        id="oil", timezone="Asia/Shanghai",
        warehouses=[p for p in places if isinstance(p, W)],
        organizations=[p for p in places if isinstance(p, Org)], persons=persons,
        products=[cg.Product(id="OIL", name="假美孚机油")], transactions=txs,
        relationships=[cg.Relationship(id="R1", kind="leads", source="P1", target="P2"),
                       cg.Relationship(id="R2", kind="calls", source="P1", target="P2",
                                       weight=30)],
    )


@pytest.fixture
def oil_graph() -> cg.CaseGraph:
    return cg.CaseGraph(oil_case())


@pytest.fixture
def oil_chain(oil_graph: cg.CaseGraph) -> cg.Chain:
    return cg.trace_chain(oil_graph, "DEN")


SURNAMES = "周李王张刘陈杨赵黄吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = ["建国", "强", "芳", "伟", "敏", "静", "磊", "洋", "勇", "军", "杰", "娟", "涛", "明"]
STATUSES = ["arrested", "suspect", "wanted", "released", "witness", "unknown"]


def hierarchy_frame(size: int = 30) -> pd.DataFrame:
    """A hierarchy like infer_hierarchy's: a boss, 4 lieutenants, the rest under them."""
    rows = [{"id": "P00", "name": "周建国", "level": 0, "superior": None, "role": "leader",
             "status": "wanted", "evidence": "role 'leader'"}]
    lieutenants = [f"P{i:02d}" for i in range(1, 5)]
    for i, pid in enumerate(lieutenants, start=1):
        rows.append({"id": pid, "name": SURNAMES[i] + GIVEN[i], "level": 1, "superior": "P00",
                     "role": ["production", "logistics", "sales", "finance"][i - 1],
                     "status": STATUSES[i % len(STATUSES)], "evidence": "led by P00"})
    for i in range(5, size):
        boss = lieutenants[(i * 7) % 4] if i % 3 else lieutenants[0]
        rows.append({"id": f"P{i:02d}", "name": SURNAMES[i % len(SURNAMES)] + GIVEN[i % 14],
                     "level": 2, "superior": boss, "role": ["worker", "driver", "salesman"][i % 3],
                     "status": STATUSES[i % len(STATUSES)], "evidence": f"led by {boss}"})
    return pd.DataFrame(rows)


def disruption_result(strategy: str, mode: str, lcc: list[float],
                      flow: list[float] | None = None) -> SimpleNamespace:
    """An object shaped like simulate_disruption's result."""
    curve = pd.DataFrame({"removed": list(range(len(lcc))), "lcc_fraction": lcc})
    if flow is not None:
        curve["flow_fraction"] = flow
    removed = [f"N{i}" for i in range(1, len(lcc))]
    return SimpleNamespace(strategy=strategy, mode=mode, removed=removed, curve=curve)

"""reconcile and proceeds: hand-made cases pin each rule; the example cases' planted money story
is found. Every test runs on both stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import matplotlib
import pytest

import crimegraph as cg

matplotlib.use("Agg")

MakeGraph = Callable[[cg.Case], cg.CaseGraph]


def tx(tid: str, kind: str, source: str, target: str, day: str, *, amount: float | None = None,
       qty: float | None = None, product: str | None = None) -> cg.Transaction:
    return cg.Transaction(id=tid, kind=kind, source=source, target=target,  # type: ignore[arg-type]
                          timestamp=f"2024-{day}T10:00:00", amount=amount, quantity=qty,
                          product=product)


def trade_case(transactions: list[cg.Transaction], *,
               extra: list[cg.Relationship] | None = None,
               evidence: list[cg.Evidence] | None = None) -> cg.Case:
    evidence = evidence or []
    return cg.Case(
        id="money-hand-built",
        persons=[cg.Person(id="BOSS", name="老板", status="arrested",
                           evidence=[e.id for e in evidence if e.id.startswith("FRZ-BOSS")]),
                 cg.Person(id="AIDE", name="助手", status="suspect"),
                 cg.Person(id="WIT", name="证人", status="witness")],
        organizations=[cg.Organization(id=o, name=f"Org {o}", kind="shop")
                       for o in ("SHOP", "SHOP2")]
        + [cg.Organization(id="FRONT", name="前台公司",
                           evidence=[e.id for e in evidence if e.id.startswith("FRZ-FRONT")])],
        warehouses=[cg.Warehouse(id="DEN", name="窝点", uses=["storage"])],
        products=[cg.Product(id="OIL", name="Oil", unit_price=10.0),
                  cg.Product(id="GEL", name="Gel")],
        transactions=transactions,
        relationships=[cg.Relationship(id="R1", kind="operates", source="BOSS", target="DEN"),
                       *(extra or [])],
        evidence=list(evidence),
    )


# -- reconcile --------------------------------------------------------------------------------

def test_reconcile_matches_payments_to_goods_within_the_window(make_graph: MakeGraph) -> None:
    case = trade_case([
        tx("S1", "shipment", "DEN", "SHOP", "03-01", qty=10, product="OIL", amount=1000),
        tx("S2", "shipment", "DEN", "SHOP", "03-10", qty=5, product="OIL"),  # 5 x 10 = 50
        tx("P1", "payment", "SHOP", "DEN", "03-20", amount=1020),
        tx("S3", "shipment", "DEN", "SHOP2", "03-01", qty=1, product="OIL", amount=300),
        tx("P2", "payment", "SHOP2", "DEN", "06-01", amount=300),  # too late for S3
    ])
    result = cg.reconcile(make_graph(case), window="60D")
    pairs = result.pairs.set_index(["seller", "buyer"])
    shop = pairs.loc[("DEN", "SHOP")]
    assert shop["goods_value"] == 1050 and shop["estimated_value"] == 50
    assert shop["paid"] == 1020 and shop["gap"] == 30
    assert shop["unpaid_shipments"] == 0 and shop["money_without_goods"] == 0
    ships = result.shipments.set_index("id")
    assert ships.loc["S1", "status"] == "paid" and ships.loc["S2", "status"] == "part paid"
    assert ships.loc["S2", "paid"] == 20
    late = pairs.loc[("DEN", "SHOP2")]
    assert late["unpaid_shipments"] == 1 and late["payments_without_goods"] == 1
    assert list(result.unpaid()["id"]) == ["S3"]
    assert list(result.without_goods()["id"]) == ["P2"]
    # A longer window places the late payment.
    longer = cg.reconcile(make_graph(case), window=timedelta(days=100))
    assert longer.unpaid().empty and longer.without_goods().empty


def test_reconcile_payment_before_goods_and_excess_are_money_without_goods(
        make_graph: MakeGraph) -> None:
    case = trade_case([
        tx("P0", "payment", "SHOP", "DEN", "02-20", amount=100),  # before any goods
        tx("S1", "shipment", "DEN", "SHOP", "03-01", qty=10, product="OIL", amount=500),
        tx("P1", "payment", "SHOP", "DEN", "03-01", amount=700),  # same moment counts
    ])
    result = cg.reconcile(make_graph(case))
    pay = result.payments.set_index("id")
    assert pay.loc["P0", "status"] == "without goods"
    assert pay.loc["P1", "status"] == "part without goods"
    assert pay.loc["P1", "without_goods"] == 200
    row = result.pairs.iloc[0]
    assert row["paid"] == 500 and row["money_without_goods"] == 300
    assert row["payments_without_goods"] == 1


def test_reconcile_values_goods_by_median_price_and_flags_unknown(make_graph: MakeGraph) -> None:
    case = trade_case([
        tx("S1", "shipment", "DEN", "SHOP", "03-01", qty=2, product="GEL", amount=40),
        tx("S2", "shipment", "DEN", "SHOP", "03-02", qty=4, product="GEL", amount=120),
        tx("S3", "shipment", "DEN", "SHOP", "03-03", qty=10, product="GEL"),  # median 25/unit
    ])
    result = cg.reconcile(make_graph(case))
    ships = result.shipments.set_index("id")
    assert ships.loc["S3", "value"] == 250 and bool(ships.loc["S3", "estimated"])
    assert result.pairs.iloc[0]["goods_value"] == 410


def test_reconcile_person_view_joins_businesses_behind_the_trade(make_graph: MakeGraph) -> None:
    # The den ships, its operator BOSS is paid: unpaid per record, paid per person.
    case = trade_case([
        tx("S1", "shipment", "DEN", "SHOP", "03-01", qty=10, product="OIL", amount=1000),
        tx("P1", "payment", "SHOP", "BOSS", "03-15", amount=1000),
        tx("P2", "payment", "BOSS", "AIDE", "03-16", amount=100),
    ])
    result = cg.reconcile(make_graph(case))
    assert result.parties == {"BOSS": ["BOSS", "DEN"]}
    pairs = result.pairs.set_index(["seller", "buyer"])
    assert pairs.loc[("DEN", "SHOP"), "unpaid_shipments"] == 1
    assert pairs.loc[("BOSS", "SHOP"), "payments_without_goods"] == 1
    persons = result.persons.set_index(["seller", "buyer"])
    assert persons.loc[("BOSS", "SHOP"), "paid"] == 1000
    assert persons.loc[("BOSS", "SHOP"), "gap"] == 0
    assert persons.loc[("BOSS", "SHOP"), "seller_name"] == "老板"
    assert bool(persons.loc[("AIDE", "BOSS"), "within_ring"])
    assert not bool(persons.loc[("BOSS", "SHOP"), "within_ring"])


def test_reconcile_rejects_bad_windows() -> None:
    case = trade_case([])
    with pytest.raises(ValueError, match="window='sixty days' is not a time span"):
        cg.reconcile(case, window="sixty days")
    with pytest.raises(ValueError, match="window='60' needs a unit; write e.g. '60D'"):
        cg.reconcile(case, window="60")
    with pytest.raises(ValueError, match="window='0D' must be longer than zero"):
        cg.reconcile(case, window="0D")
    with pytest.raises(TypeError, match="window must be a string"):
        cg.reconcile(case, window=60)  # type: ignore[arg-type]


# -- proceeds ---------------------------------------------------------------------------------

def test_proceeds_direct_and_through_businesses_and_freezes(make_graph: MakeGraph) -> None:
    freezes = [
        cg.Evidence(id="FRZ-BOSS", name="Freeze", kind="asset_freeze", amount=300),
        cg.Evidence(id="FRZ-FRONT", name="Freeze", kind="asset_freeze", amount=100),
        cg.Evidence(id="SEIZE-GOODS", name="Goods", kind="seizure", amount=999,
                    product="OIL", quantity=5),
    ]
    case = trade_case([
        tx("P1", "payment", "SHOP", "FRONT", "03-01", amount=1000),
        tx("P2", "payment", "FRONT", "BOSS", "03-02", amount=600),  # inside BOSS's sphere
        tx("P3", "payment", "BOSS", "AIDE", "03-03", amount=100),
        tx("P4", "payment", "FRONT", "SHOP2", "03-04", amount=50),  # a cost paid outside
    ], extra=[cg.Relationship(id="R2", kind="owns", source="BOSS", target="FRONT")],
        evidence=freezes)
    result = cg.proceeds(make_graph(case))
    boss = result.persons.set_index("person").loc["BOSS"]
    assert boss["received_direct"] == 0 and boss["received_via_businesses"] == 1000
    assert boss["retained_direct"] == 500 and boss["retained_via_businesses"] == 350
    assert boss["retained"] == 850 and boss["frozen"] == 400
    assert boss["unsecured"] == 450 and boss["share_secured"] == pytest.approx(400 / 850)
    assert sorted(boss["businesses"]) == ["DEN", "FRONT"]
    # The ring: BOSS, AIDE and what BOSS holds; it took 1000 in and paid 50 out.
    assert result.total_received == 1000 and result.total_retained == 950
    assert result.total_secured == 400 and result.goods_seized == 999
    assert result.share_secured == pytest.approx(400 / 950)
    top = result.where_to_freeze(2)
    assert list(top["account"]) == ["FRONT", "BOSS"]  # 350 - 100 and 500 - 300
    assert list(top["unsecured"]) == [250, 200]
    secured = result.secured.set_index("evidence")
    assert secured.loc["SEIZE-GOODS", "counted_as"] == "goods seized"
    assert secured.loc["FRZ-BOSS", "accounts"] == ["BOSS"]


def test_proceeds_splits_a_shared_freeze_by_what_each_kept(make_graph: MakeGraph) -> None:
    freeze = cg.Evidence(id="FRZ-BOSS", name="Freeze", kind="asset_freeze", amount=90)
    case = trade_case([
        tx("P1", "payment", "SHOP", "BOSS", "03-01", amount=200),
        tx("P2", "payment", "SHOP", "AIDE", "03-01", amount=100),
    ], evidence=[freeze])
    case = case.model_copy(update={"persons": [
        p.model_copy(update={"evidence": ["FRZ-BOSS"]}) if p.id == "AIDE" else p
        for p in case.persons]})
    result = cg.proceeds(make_graph(case))
    accounts = result.accounts.set_index("account")
    assert accounts.loc["BOSS", "frozen"] == pytest.approx(60)
    assert accounts.loc["AIDE", "frozen"] == pytest.approx(30)


# -- the example cases' money story -----------------------------------------------------------

@pytest.fixture(params=["fake_liquor", "counterfeit_oil"])
def example(request: pytest.FixtureRequest, make_graph: MakeGraph) -> cg.CaseGraph:
    return make_graph(cg.load_example(request.param))


def test_examples_cash_paid_goods_are_unpaid(example: cg.CaseGraph) -> None:
    case = example.case
    cash = {t.id for t in case.transactions
            if t.kind == "shipment" and t.attributes.get("settled") == "cash"}
    result = cg.reconcile(example)
    if case.id == "fake-liquor-zhou":
        assert cash
    assert cash <= set(result.unpaid()["id"])
    # The pairs those goods belong to show them in their gap.
    for sid in cash:
        ship = result.shipments.set_index("id").loc[sid]
        row = result.pairs.set_index(["seller", "buyer"]).loc[(ship["seller"], ship["buyer"])]
        assert row["gap"] >= ship["value"] - 1e-6


def test_examples_payment_without_goods_is_found(example: cg.CaseGraph) -> None:
    case = example.case
    sellers = {(t.source, t.target) for t in case.transactions if t.kind == "shipment"}
    # Payments between two parties that never traded goods the other way.
    no_goods = {t.id for t in case.transactions if t.kind == "payment"
                and (t.target, t.source) not in sellers and "deposit" in (t.notes or "").lower()}
    result = cg.reconcile(example)
    found = set(result.without_goods()["id"])
    assert no_goods <= found
    if case.id == "fake-liquor-zhou":
        assert len(no_goods) == 1
        (pid,) = no_goods
        row = result.without_goods().set_index("id").loc[pid]
        assert row["status"] == "without goods"


def test_examples_frozen_share(example: cg.CaseGraph) -> None:
    case = example.case
    frozen = sum(e.amount or 0.0 for e in case.evidence if e.kind == "asset_freeze")
    result = cg.proceeds(example)
    assert result.total_secured == pytest.approx(frozen)
    assert result.share_secured == pytest.approx(frozen / result.total_retained)
    assert 0 < result.share_secured < 1
    if case.id == "counterfeit-oil-2024":
        assert frozen > 1_000_000
    # Every frozen amount sits with an account that cites the freeze.
    citing = {e: [r.id for r in (*case.persons, *case.organizations, *case.warehouses)
                  if e in r.evidence] for e in (x.id for x in case.evidence)}
    for row in result.secured.itertuples():
        assert row.accounts == sorted(citing[row.evidence])
    top = result.where_to_freeze(3)
    assert len(top) == 3 and list(top["unsecured"]) == sorted(top["unsecured"], reverse=True)


def test_liquor_takings_flow_through_the_lieutenant_to_the_leader(
        make_graph: MakeGraph) -> None:
    example = make_graph(cg.load_example("fake_liquor"))
    case = example.case
    payments = [t for t in case.transactions if t.kind == "payment"]
    outlets = {o.id for o in case.organizations if o.kind in ("shop", "distributor")}
    into_zheng = sum(t.amount or 0 for t in payments
                     if t.target == "P-ZHENG" and t.source in outlets)
    assert into_zheng > 0
    result = cg.proceeds(example)
    zhou = result.persons.set_index("person").loc["P-ZHOU"]
    assert zhou["received_direct"] > 0
    # Zhou receives from his lieutenant and from his nephew's account (the layering hop).
    payers = {t.source for t in payments if t.target == "P-ZHOU"}
    assert {"P-ZHENG", "P-LU"} <= payers
    nephew = {r.source for r in case.relationships
              if r.kind == "family" and r.target == "P-LU"}
    assert nephew == {"P-ZHOU"}


def test_plot_reconcile_draws_both_views(example: cg.CaseGraph) -> None:
    result = cg.reconcile(example)
    ax = cg.plot_reconcile(result)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels and all("\u2192" in label for label in labels)
    ax = cg.plot_reconcile(result, by="pairs", top=3)
    assert len(ax.get_yticklabels()) == 3
    with pytest.raises(ValueError, match="by='people' must be 'persons' or 'pairs'"):
        cg.plot_reconcile(result, by="people")


# -- currencies ------------------------------------------------------------------------------

def test_proceeds_never_adds_currencies(make_graph: MakeGraph) -> None:
    def paid(tid: str, day: str, amount: float, currency: str) -> cg.Transaction:
        return cg.Transaction(id=tid, kind="payment", source="SHOP", target="BOSS",
                              timestamp=f"2024-{day}", amount=amount, currency=currency)

    freezes = [cg.Evidence(id="FRZ-BOSS", name="Freeze", kind="asset_freeze", amount=300),
               cg.Evidence(id="FRZ-BOSS-USD", name="Freeze", kind="asset_freeze", amount=40,
                           currency="USD")]
    case = trade_case([paid("P1", "03-01", 1000, "CNY"), paid("P2", "03-02", 1000, "USD"),
                       paid("P3", "03-03", 500, "USD")], evidence=freezes)
    case = case.model_copy(update={"persons": [
        p.model_copy(update={"evidence": ["FRZ-BOSS", "FRZ-BOSS-USD"]}) if p.id == "BOSS"
        else p for p in case.persons]})
    g = make_graph(case)
    result = cg.proceeds(g)  # mixed: the case's currency
    assert result.currency == "CNY"
    assert result.persons.set_index("person").loc["BOSS", "received"] == 1000
    assert result.total_received == 1000 and result.total_secured == 300
    assert result.other_currencies.to_dict("records") == [
        {"currency": "USD", "payments": 2, "paid": 1500.0, "secured": 40.0,
         "goods_seized": 0.0}]
    secured = result.secured.set_index("evidence")
    assert secured.loc["FRZ-BOSS-USD", "counted_as"] == "other currency"
    assert "not counted: money in USD" in repr(result)
    usd = cg.proceeds(g, currency="USD")
    assert usd.total_received == 1500 and usd.total_secured == 40
    assert usd.other_currencies["currency"].tolist() == ["CNY"]
    with pytest.raises(ValueError, match="currency='usd' is not a three-letter"):
        cg.proceeds(g, currency="usd")
    # One currency throughout: that one, whatever the case's currency.
    only_usd = trade_case([paid("P2", "03-02", 1000, "USD")])
    assert cg.proceeds(make_graph(only_usd)).currency == "USD"
    assert cg.proceeds(make_graph(only_usd)).other_currencies.empty


def test_reconcile_matches_only_payments_in_the_goods_currency(make_graph: MakeGraph) -> None:
    case = trade_case([
        tx("S1", "shipment", "DEN", "SHOP", "03-01", qty=100, product="OIL"),  # 100 x 10
        tx("P1", "payment", "SHOP", "DEN", "03-05", amount=1000),
        cg.Transaction(id="P2", kind="payment", source="SHOP", target="DEN",
                       timestamp="2024-03-06", amount=1000, currency="USD"),
    ])
    result = cg.reconcile(make_graph(case))
    assert result.currency == "CNY"
    row = result.pairs.set_index(["seller", "buyer"]).loc[("DEN", "SHOP")]
    assert row["goods_value"] == 1000 and row["paid"] == 1000
    assert row["money_without_goods"] == 0 and row["payments"] == 1
    assert result.other_currencies[["id", "amount", "currency"]].values.tolist() == [
        ["P2", 1000.0, "USD"]]
    assert "1 payments in USD left out" in repr(result)
    # Counted in dollars, the unit price (in yuan) does not value the goods.
    usd = cg.reconcile(make_graph(case), currency="USD")
    row = usd.pairs.set_index(["seller", "buyer"]).loc[("DEN", "SHOP")]
    assert row["goods_value"] == 0 and row["money_without_goods"] == 1000

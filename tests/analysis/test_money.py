"""trace_money: each rule of the money trace, on every store; and the walk it shares with goods."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crimegraph as cg
from crimegraph.analysis import flows

from .test_attribution import reference

Make = Callable[[cg.Case], cg.CaseGraph]


def pay(tid: str, source: str, target: str, day: str, amount: float,
        currency: str = "CNY") -> cg.Transaction:
    """A payment on a day (``"03-01"`` means 2024-03-01, local time)."""
    return cg.Transaction(id=tid, kind="payment", source=source, target=target,
                          timestamp=f"2024-{day}", amount=amount, currency=currency)


def money_case(nodes: str, payments: list[cg.Transaction], *,
               shipments: list[cg.Transaction] = ()) -> cg.Case:  # type: ignore[assignment]
    return cg.Case(
        id="money",
        organizations=[cg.Organization(id=n, name=f"Org {n}", province=f"Prov-{n}")
                       for n in nodes.split()],
        persons=[cg.Person(id="BOSS", name="周老板", province="Hebei")],
        products=[cg.Product(id="OIL", name="Oil")],
        transactions=[*payments, *shipments],
    )


def layered() -> cg.Case:
    """Shops pay a distributor, who pays the boss through a relative's account."""
    return money_case("SHOP1 SHOP2 DIST KIN BANK", [
        pay("M0", "DIST", "KIN", "03-01", 300),       # before the shops' money arrived
        pay("M1", "SHOP1", "DIST", "03-02", 1000),
        pay("M2", "SHOP2", "DIST", "03-03", 500),
        pay("M3", "DIST", "KIN", "03-03", 1200),      # same day as M2: it counts
        pay("M4", "KIN", "BOSS", "03-04", 1100),
        pay("M5", "BOSS", "BANK", "03-05", 20, "USD"),
    ])


def test_money_moves_only_after_it_arrived(make_graph: Make) -> None:
    g = make_graph(layered())
    trail = cg.trace_money(g, "SHOP2")
    # M0 left DIST before SHOP2's money came; M3 left the same day and counts.
    assert trail.transactions == ["M2", "M3", "M4", "M5"]
    assert trail.tiers == {"SHOP2": 0, "DIST": 1, "KIN": 2, "BOSS": 3, "BANK": 4}
    assert trail.sources == ["SHOP2"] and trail.endpoints == ["BANK"]
    assert trail.payment_count == len(trail) == 4
    assert trail.total_amount == 500.0
    assert trail.provinces == ["Hebei", "Prov-BANK", "Prov-DIST", "Prov-KIN", "Prov-SHOP2"]


def test_same_time_payments_pass_money_on_whatever_their_order(make_graph: Make) -> None:
    case = money_case("A B C", [pay("P2", "B", "C", "03-01", 5), pay("P1", "A", "B", "03-01", 9)])
    trail = cg.trace_money(make_graph(case), "A")
    assert trail.transactions == ["P2", "P1"]  # case-file order among equal times
    assert trail.tiers == {"A": 0, "B": 1, "C": 2}


def test_mixed_currencies_are_kept_apart(make_graph: Make) -> None:
    g = make_graph(layered())
    trail = cg.trace_money(g, "BOSS", direction="upstream")
    assert trail.currencies == ["CNY"] and trail.totals == {"CNY": 1100.0}
    down = cg.trace_money(g, "KIN")
    assert down.currencies == ["CNY", "USD"]
    rows = down.balance().set_index(["id", "currency"])
    assert rows.loc[("BOSS", "CNY"), "retained"] == 1100.0
    assert rows.loc[("BOSS", "USD"), "paid_on"] == 20.0
    assert rows.loc[("BANK", "USD"), "received"] == 20.0
    assert cg.trace_money(g, "KIN", currency="USD").transactions == []
    assert cg.trace_money(g, "BOSS", currency=["USD"]).transactions == ["M5"]
    mixed = cg.trace_money(g, ["KIN", "BOSS"])
    assert mixed.totals == {"CNY": 1100.0, "USD": 20.0}
    with pytest.raises(ValueError, match=r"several currencies \(CNY, USD\)"):
        _ = mixed.total_amount


def test_min_amount_drops_small_payments(make_graph: Make) -> None:
    g = make_graph(layered())
    assert cg.trace_money(g, "SHOP1", min_amount=1100).transactions == []
    assert cg.trace_money(g, "DIST", min_amount=1100).transactions == ["M3", "M4"]
    assert cg.trace_money(g, "DIST", min_amount=1200).transactions == ["M3"]  # inclusive


def test_upstream_mirrors_the_time_rule(make_graph: Make) -> None:
    g = make_graph(layered())
    trail = cg.trace_money(g, "KIN", direction="upstream")
    # M0 (03-01) fed KIN too; shops paid DIST before M3 left it (M2 on the same day counts).
    assert trail.transactions == ["M0", "M1", "M2", "M3"]
    assert trail.tiers == {"KIN": 0, "DIST": 1, "SHOP1": 2, "SHOP2": 2}
    assert trail.sources == ["SHOP1", "SHOP2"] and trail.endpoints == ["KIN"]
    assert trail.total_amount == 1500.0  # what reached the start
    early = cg.trace_money(g, "KIN", direction="upstream", until="2024-03-02")
    assert early.transactions == ["M0"]  # nothing paid into DIST before 03-01


def test_hop_limit(make_graph: Make) -> None:
    g = make_graph(layered())
    assert cg.trace_money(g, "SHOP1", max_hops=1).transactions == ["M1"]
    assert cg.trace_money(g, "SHOP1", max_hops=2).transactions == ["M1", "M3"]
    assert cg.trace_money(g, "SHOP1", max_hops=2).tiers == {"SHOP1": 0, "DIST": 1, "KIN": 2}


def test_not_time_respecting_is_plain_reachability(make_graph: Make) -> None:
    g = make_graph(layered())
    trail = cg.trace_money(g, "SHOP1", time_respecting=False)
    assert trail.transactions == ["M0", "M1", "M3", "M4", "M5"]
    assert cg.trace_money(g, "SHOP1").transactions == ["M1", "M3", "M4", "M5"]


def test_window(make_graph: Make) -> None:
    g = make_graph(layered())
    assert cg.trace_money(g, "DIST", since="2024-03-02", until="2024-03-04").transactions == [
        "M3", "M4"]


def test_balance_marks_beneficiaries(make_graph: Make) -> None:
    g = make_graph(layered())
    frame = cg.trace_money(g, ["SHOP1", "SHOP2"], currency="CNY").balance()
    assert list(frame.columns) == ["id", "name", "kind", "tier", "currency", "received",
                                   "paid_on", "retained"]
    assert frame[["id", "retained"]].values.tolist() == [
        ["BOSS", 1100.0], ["DIST", 300.0], ["KIN", 100.0], ["SHOP2", -500.0],
        ["SHOP1", -1000.0]]
    assert frame.set_index("id").loc["BOSS", "name"] == "周老板"
    assert frame.set_index("id").loc["BOSS", "kind"] == "person"


def test_exports(make_graph: Make) -> None:
    g = make_graph(layered())
    trail = cg.trace_money(g, "SHOP1")
    frame = trail.to_dataframe()
    assert frame["id"].tolist() == ["M1", "M3", "M4", "M5"]
    assert frame["tier"].tolist() == [1, 2, 3, 4]
    assert frame["currency"].tolist() == ["CNY", "CNY", "CNY", "USD"]
    assert frame.iloc[2][["source_name", "target_name", "amount"]].tolist() == [
        "Org KIN", "周老板", 1100.0]
    nx_graph = trail.to_networkx()
    assert nx_graph.nodes["BOSS"]["tier"] == 3 and nx_graph.nodes["BOSS"]["retained"] == 1080.0
    assert nx_graph.edges["DIST", "KIN", "M3"]["amount"] == 1200.0
    page = trail._repr_html_()
    assert "Largest retained" in page and "BOSS (1,100 CNY)" in page
    assert repr(trail) == ("<MoneyTrail downstream money trail from SHOP1 (all currencies): "
                           "5 nodes, 4 payments, 4 tiers>")


def test_payments_never_extend_a_chain_and_shipments_never_a_trail(make_graph: Make) -> None:
    ship = cg.Transaction(id="S1", kind="shipment", source="SHOP1", target="DIST",
                          timestamp="2024-03-01", product="OIL", quantity=5)
    g = make_graph(money_case("SHOP1 DIST KIN", [pay("M1", "DIST", "KIN", "03-02", 10)],
                              shipments=[ship]))
    assert cg.trace_chain(g, "SHOP1").transactions == ["S1"]
    assert cg.trace_money(g, "SHOP1").transactions == []
    assert cg.trace_money(g, "DIST").transactions == ["M1"]


def test_bad_arguments_are_named(make_graph: Make) -> None:
    g = make_graph(layered())
    with pytest.raises(cg.EntityNotFound, match="SHOP9"):
        cg.trace_money(g, "SHOP9")
    with pytest.raises(ValueError, match="min_amount=-1 must be a number >= 0"):
        cg.trace_money(g, "SHOP1", min_amount=-1)
    with pytest.raises(ValueError, match="currency='yuan' is not a three-letter"):
        cg.trace_money(g, "SHOP1", currency="yuan")
    with pytest.raises(ValueError, match="attribution='share' is not allowed"):
        cg.trace_money(g, "SHOP1", attribution="share")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_hops=0"):
        cg.trace_money(g, "SHOP1", max_hops=0)
    with pytest.raises(ValueError, match="start 'M1' is a transaction"):
        cg.trace_money(g, "M1")


def test_proportional_attribution_follows_the_mixed_accounts(make_graph: Make) -> None:
    """SHOP1's 1,000 meets SHOP2's 500 at DIST (same day: incoming first), so the 1,200 DIST
    pays on carries 2/3 of SHOP1's money; KIN then mixes 800 of it with 700 other money."""
    trail = cg.trace_money(make_graph(layered()), "SHOP1", currency="CNY",
                           attribution="proportional")
    attributed = trail.balance().set_index("id")["attributed"]
    assert attributed["DIST"] == pytest.approx(1000.0)
    assert attributed["KIN"] == pytest.approx(800.0)
    assert attributed["BOSS"] == pytest.approx(1100 * 800 / 1500)
    assert trail.to_dataframe()["carried"].tolist() == pytest.approx(
        [1000.0, 800.0, 1100 * 800 / 1500])
    with pytest.raises(ValueError, match="one currency, but these are in CNY, USD"):
        cg.trace_money(layered(), "SHOP1", attribution="proportional")


def test_money_and_goods_share_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = flows.walk

    def spy(table: cg.FlowTable, query: object, **kwargs: object) -> flows.KernelWalk:
        calls.append(table.kind)
        return real(table, query, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(flows, "walk", spy)
    ship = cg.Transaction(id="S1", kind="shipment", source="SHOP1", target="DIST",
                          timestamp="2024-03-01", product="OIL", quantity=5)
    case = money_case("SHOP1 DIST", [pay("M1", "SHOP1", "DIST", "03-02", 10)], shipments=[ship])
    cg.trace_chain(case, "SHOP1")
    cg.trace_money(case, "SHOP1")
    assert calls == ["shipment", "payment"]


@pytest.mark.filterwarnings("ignore:.*no goods in this case:UserWarning")
def test_synthetic_money_traces_identically_on_both_stores(
    make_graph: Make, store_kind: str,
) -> None:
    from crimegraph import synth

    case = synth.generate_case(3000, seed=5)
    memory = cg.CaseGraph(case)
    graph = make_graph(case)
    table = memory.payments()
    assert len(table) == 300
    payers = np.bincount(table.source, minlength=len(table.node_ids))
    payees = np.bincount(table.target, minlength=len(table.node_ids))
    busy = [table.node_ids[i] for i in np.argsort(-payers, kind="stable")[:3]]
    rich = [table.node_ids[i] for i in np.argsort(-payees, kind="stable")[:3]]
    middle = float(np.median(table.amount))
    calls: list[dict[str, object]] = []
    for start in busy:
        calls += [dict(start=start), dict(start=start, min_amount=middle),
                  dict(start=start, max_hops=2), dict(start=start, time_respecting=False)]
    for start in rich:
        calls += [dict(start=start, direction="upstream"),
                  dict(start=start, direction="upstream", currency="CNY")]
    reached = 0
    for call in calls:
        want = cg.trace_money(memory, **call)  # type: ignore[arg-type]
        got = cg.trace_money(graph, **call)  # type: ignore[arg-type]
        assert got.transactions == want.transactions, call
        assert got.tiers == want.tiers, call
        assert got.totals == want.totals, call
        assert got.balance().equals(want.balance()), call
        reached += len(want)
    assert reached > 50


def mixed_account() -> cg.Case:
    """A trader's money sits in the lieutenant's account before the shop's arrives."""
    return money_case("SHOP TRADER LT", [
        pay("M1", "TRADER", "LT", "05-01", 3000),
        pay("M2", "SHOP", "LT", "05-02", 6000),
        pay("M3", "LT", "BOSS", "05-03", 4000),
        pay("M4", "SHOP", "LT", "05-04", 50),
        pay("M5", "LT", "BOSS", "05-05", 5050),
    ])


def test_proportional_balances_use_payments_outside_the_window(make_graph: Make) -> None:
    """``since`` cuts the trail, not the balances: the trader's earlier 3,000 still dilutes
    the shop's 6,000, so the 4,000 to the boss carry two thirds of it either way."""
    g = make_graph(mixed_account())
    whole = cg.trace_money(g, "SHOP", attribution="proportional")
    cut = cg.trace_money(g, "SHOP", since="2024-05-02", attribution="proportional")
    assert cut.transactions == whole.transactions == ["M2", "M3", "M4", "M5"]
    carried = cut.to_dataframe().set_index("id")["carried"]
    assert carried["M3"] == pytest.approx(4000 * 6000 / 9000)
    assert carried.to_dict() == pytest.approx(
        whole.to_dataframe().set_index("id")["carried"].to_dict())
    assert cut.balance().set_index("id")["attributed"]["BOSS"] == pytest.approx(6050.0)
    # min_amount leaves the shop's 50 off the trail: it is then other money, though the
    # lieutenant's account still holds it (it is not dropped from her balance).
    big = cg.trace_money(g, "SHOP", min_amount=100, attribution="proportional")
    assert big.transactions == ["M2", "M3", "M5"]
    carried = big.to_dataframe().set_index("id")["carried"]
    assert carried["M5"] == pytest.approx(6000 - 4000 * 6000 / 9000)
    assert big.balance().set_index("id")["attributed"]["BOSS"] == pytest.approx(6000.0)


def test_proportional_money_the_start_paid_outside_the_window_is_other_money(
    make_graph: Make,
) -> None:
    g = make_graph(money_case("SHOP LT", [
        pay("M1", "SHOP", "LT", "05-01", 3000),       # the shop's, but before ``since``
        pay("M2", "SHOP", "LT", "05-02", 1000),
        pay("M3", "LT", "BOSS", "05-03", 2000),
    ]))
    trail = cg.trace_money(g, "SHOP", since="2024-05-02", attribution="proportional")
    assert trail.transactions == ["M2", "M3"]
    assert trail.to_dataframe()["carried"].tolist() == pytest.approx([1000.0, 500.0])
    # Upstream mirrors it: what the boss received after ``until`` is not followed, but the
    # lieutenant's later payments still share her earlier takings.
    up = money_case("SHOP LT X", [
        pay("M1", "SHOP", "LT", "05-01", 1000),
        pay("M2", "LT", "BOSS", "05-02", 1000),
        pay("M3", "LT", "X", "05-03", 1000),
        pay("M4", "LT", "BOSS", "05-04", 2000),       # after ``until``
    ])
    g = make_graph(up)  # one graph: a store holds one version of a case
    whole = cg.trace_money(g, "BOSS", direction="upstream", attribution="proportional")
    cut = cg.trace_money(g, "BOSS", direction="upstream", until="2024-05-02",
                         attribution="proportional")
    assert cut.transactions == ["M1", "M2"]
    # Of the lieutenant's 4,000 paid on, 1,000 reached the boss by ``until``: a quarter.
    assert cut.to_dataframe()["carried"].tolist() == pytest.approx([250.0, 1000.0])
    assert whole.to_dataframe().set_index("id")["carried"]["M1"] == pytest.approx(750.0)
    assert cut.balance().set_index("id")["attributed"]["SHOP"] == pytest.approx(250.0)


def test_proportional_needs_one_currency_on_the_trail_only(make_graph: Make) -> None:
    """Money in another currency never mixes with the trail's, so it does not stop it."""
    g = make_graph(layered())
    trail = cg.trace_money(g, "SHOP1", max_hops=3, attribution="proportional")
    assert trail.currencies == ["CNY"]
    assert trail.balance().set_index("id")["attributed"]["BOSS"] == pytest.approx(
        1100 * 800 / 1500)


ACCOUNTS = ("A", "B", "C", "D")

payment_lists = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(1, 5),
              st.sampled_from([1.0, 5.0, 20.0, 60.0])),
    min_size=1, max_size=14,
).map(lambda rows: [r for r in rows if r[0] != r[1]]).filter(bool)


@settings(max_examples=200, deadline=None)
@given(payment_lists, st.sampled_from(ACCOUNTS), st.booleans(),
       st.sampled_from([None, 2, 3]), st.sampled_from([None, 3, 4]),
       st.sampled_from([None, 5.0]))
def test_proportional_trail_follows_the_reference_rule(
    rows: list[tuple[str, str, int, float]], start: str, upstream: bool,
    since: int | None, until: int | None, min_amount: float | None,
) -> None:
    """The kernel's reference over every payment of the case, with the start's payments
    outside the trail's terms (upstream: its receipts) made by an outside account."""
    payments = [pay(f"M{i}", u, v, f"05-0{day}", amount)
                for i, (u, v, day, amount) in enumerate(rows)]
    case = money_case(" ".join(ACCOUNTS), payments)
    trail = cg.trace_money(
        case, start, direction="upstream" if upstream else "downstream",
        since=None if since is None else f"2024-05-0{since}",
        until=None if until is None else f"2024-05-0{until}",
        min_amount=min_amount, attribution="proportional")
    ordered = sorted(range(len(rows)), key=lambda i: rows[i][2])  # stable: file order
    index = {a: n for n, a in enumerate(ACCOUNTS)}
    outside = len(ACCOUNTS)
    source, target = [], []
    for i in ordered:
        u, v, day, amount = rows[i]
        on_terms = ((since is None or day >= since) and (until is None or day <= until)
                    and (min_amount is None or amount >= min_amount))
        ends = [index[u], index[v]]
        if ends[1 if upstream else 0] == index[start] and not on_terms:
            ends[1 if upstream else 0] = outside
        source.append(ends[0])
        target.append(ends[1])
    carried, _ = reference(source, target, [rows[i][2] for i in ordered],
                           [rows[i][3] for i in ordered], [index[start]], outside + 1,
                           upstream=upstream)
    want = {f"M{i}": c for i, c in zip(ordered, carried)}
    frame = trail.to_dataframe()
    got = dict(zip(frame["id"], frame["carried"])) if len(frame) else {}
    assert got == pytest.approx({k: want[k] for k in got}, abs=1e-9)
    near = "source" if upstream else "target"
    sums = frame.groupby(near)["carried"].sum().to_dict() if len(frame) else {}
    attributed = trail.balance().set_index("id")["attributed"].to_dict()
    assert attributed == pytest.approx({n: sums.get(n, 0.0) for n in attributed}, abs=1e-9)

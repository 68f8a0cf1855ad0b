"""infer_hierarchy: a chain of command built by hand, each clue, conflicts and cycles."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

import crimegraph as cg
from crimegraph.analysis.hierarchy import is_top_role

from .test_social import people_case

Make = Callable[[cg.Case], cg.CaseGraph]


def pay(tid: str, source: str, target: str, amount: float = 100) -> cg.Transaction:
    return cg.Transaction(id=tid, kind="payment", source=source, target=target,
                          timestamp="2024-03-01", amount=amount)


def ship(tid: str, source: str, target: str) -> cg.Transaction:
    return cg.Transaction(id=tid, kind="shipment", source=source, target=target,
                          timestamp="2024-03-01", product="OIL", quantity=10)


def command_case(case_id: str = "command", reverse: bool = False) -> cg.Case:
    ties = [
        ("BOSS", "LT1", "leads"),      # R000
        ("BOSS", "LT2", "leads"),      # R001
        ("LT1", "W1", "leads"),        # R002
        ("LT1", "W2", "leads"),        # R003
        ("LT2", "W3", "employs"),      # R004
        ("BOSS", "DEN", "owns"),       # R005
        ("W4", "DEN", "operates"),     # R006
        ("LT2", "SHOP", "owns"),       # R007
        ("SHOP", "W5", "employs"),     # R008
        ("W1", "W2", "calls", 40),     # R009: calls say nothing about rank
    ]
    txs = [pay("M1", "W3", "LT2"), pay("M2", "X", "LT1"), pay("M3", "X", "LT1")]
    if reverse:
        ties, txs = ties[::-1], txs[::-1]
    case = people_case(ties, persons=["LONER", "X"], organizations=["DEN", "SHOP"],
                       roles={"BOSS": "Leader", "W4": "cook"}, case_id=case_id,
                       transactions=txs)
    if reverse:  # keep the relationship ids of the forward case
        rels = [r.model_copy(update={"id": f"R{len(ties) - 1 - i:03d}"})
                for i, r in enumerate(case.relationships)]
        case = cg.Case.model_validate({**case.model_dump(), "relationships": [
            r.model_dump() for r in rels]})
    return case


def test_chain_of_command(make_graph: Make) -> None:
    table = cg.infer_hierarchy(make_graph(command_case()))
    assert table.columns.tolist() == ["id", "name", "level", "superior", "role", "status",
                                      "evidence"]
    rows = {r.id: (r.level, r.superior) for r in table.itertuples()}
    assert rows == {
        "BOSS": (0, None),
        "LT1": (1, "BOSS"), "LT2": (1, "BOSS"), "W4": (1, "BOSS"),
        "W1": (2, "LT1"), "W2": (2, "LT1"), "X": (2, "LT1"), "W3": (2, "LT2"),
        "W5": (2, "LT2"),
        "LONER": (pd.NA, None),
    }
    assert table["id"].tolist() == ["BOSS", "LT1", "LT2", "W4", "W1", "W2", "W3", "W5", "X",
                                    "LONER"]
    evidence = table.set_index("id")["evidence"].to_dict()
    assert evidence["BOSS"] == ("role 'Leader'; leads LT1, LT2 (relationships R000, R001); "
                                "owns premises operated by 1 subordinate")
    assert evidence["LT1"] == ("led by BOSS (relationship R000); leads W1, W2 (relationships "
                               "R002, R003); receives payments from 1 subordinate")
    assert evidence["W3"] == "employed by LT2 (relationship R004), pays LT2 (1 payment)"
    assert evidence["W4"] == "operates DEN owned by BOSS"
    assert evidence["W5"] == "employed by SHOP of LT2 (relationship R008)"
    assert evidence["X"] == "pays LT1 (2 payments)"
    assert evidence["LONER"] == "no command, money or goods ties to other persons"
    assert table.set_index("id").loc["W4", "role"] == "cook"


def test_same_hierarchy_whatever_the_record_order(make_graph: Make) -> None:
    forward = cg.infer_hierarchy(make_graph(command_case("forward")))
    backward = cg.infer_hierarchy(make_graph(command_case("backward", reverse=True)))
    assert forward.equals(backward)


def test_goods_flow_down_through_owned_premises(make_graph: Make) -> None:
    g = make_graph(people_case([("A", "DEN", "owns"), ("B", "SHOP", "operates")],
                               organizations=["DEN", "SHOP"],
                               transactions=[ship("T1", "DEN", "SHOP"),
                                             ship("T2", "DEN", "SHOP")]))
    table = cg.infer_hierarchy(g).set_index("id")
    assert table.loc["B", "superior"] == "A" and table.loc["B", "level"] == 1
    assert table.loc["B", "evidence"] == "receives goods from A (2 shipments)"
    assert table.loc["A", "evidence"] == "ships goods to 1 subordinate"


def test_a_leader_is_not_placed_below_by_money_alone(make_graph: Make) -> None:
    g = make_graph(people_case([], persons=["LEADER", "FIXER", "DEPUTY", "BANKER"],
                               roles={"LEADER": "gang leader", "DEPUTY": "deputy leader"},
                               transactions=[pay("M1", "LEADER", "FIXER"),
                                             pay("M2", "DEPUTY", "BANKER")]))
    table = cg.infer_hierarchy(g).set_index("id")
    assert table.loc["LEADER", "level"] == 0 and table.loc["LEADER", "superior"] is None
    assert table.loc["LEADER", "evidence"] == "role 'gang leader'"
    assert table.loc["FIXER", "level"] is pd.NA
    assert table.loc["DEPUTY", "superior"] == "BANKER"  # a deputy is not the top


def test_orders_outweigh_money_the_other_way(make_graph: Make) -> None:
    g = make_graph(people_case([("A", "B", "leads")], transactions=[pay("M1", "A", "B")]))
    table = cg.infer_hierarchy(g).set_index("id")
    assert table.loc["B", "superior"] == "A"
    assert table.loc["B", "evidence"] == "led by A (relationship R000)"


def test_outweighed_and_contradicted_clues_are_named_not_denied(make_graph: Make) -> None:
    # A and B both lead X, A wins the tie by id; C and D lead each other.
    g = make_graph(people_case([("A", "X", "leads"), ("B", "X", "leads"),
                                ("C", "D", "leads"), ("D", "C", "leads")], persons=["LONER"]))
    table = cg.infer_hierarchy(g).set_index("id")
    assert table.loc["X", "superior"] == "A"
    assert table["level"].isna().to_dict() == {
        "A": False, "X": False, "B": True, "C": True, "D": True, "LONER": True}
    evidence = table["evidence"].to_dict()
    assert evidence["B"] == ("outside the chart (clues outweighed or contradicted): "
                             "leads X (relationship R001)")
    assert evidence["C"] == ("outside the chart (clues outweighed or contradicted): "
                             "leads D (relationship R002); led by D (relationship R003)")
    assert evidence["LONER"] == "no command, money or goods ties to other persons"


def test_a_cycle_of_orders_is_broken_deterministically(make_graph: Make) -> None:
    g = make_graph(people_case([("A", "B", "leads"), ("B", "C", "leads"),
                                ("C", "A", "leads")]))
    table = cg.infer_hierarchy(g)
    assert table[["id", "level", "superior"]].values.tolist() == [
        ["A", 0, None], ["B", 1, "A"], ["C", 2, "B"]]


@pytest.mark.parametrize("role, top", [
    ("leader", True), ("Ring leader", True), ("the boss", True), ("主犯", True),
    ("head of sales", True), ("deputy leader", False), ("副老板", False), ("driver", False),
    ("leadership coach", False), (None, False),
])
def test_top_roles(role: str | None, top: bool) -> None:
    assert is_top_role(role) is top


@pytest.mark.parametrize("name, leader", [("fake_liquor", "P-ZHOU"),
                                          ("counterfeit_oil", "P-01")])
def test_bundled_cases_give_their_documented_chain_of_command(
    make_graph: Make, name: str, leader: str,
) -> None:
    case = cg.load_example(name)
    if not case.persons:
        pytest.skip(f"the {name} example is still a placeholder")
    table = cg.infer_hierarchy(make_graph(case)).set_index("id")
    assert table.loc[leader, "level"] == 0 and table.loc[leader, "superior"] is None
    assert table["level"].eq(0).sum() == 1
    # fixtures/README.md: who leads whom (money, goods and employment agree with it).
    led_by = {r.target: r.source for r in case.relationships if r.kind == "leads"}
    assert {p: table.loc[p, "superior"] for p in led_by} == led_by
    if name == "fake_liquor":
        assert table["level"].value_counts().to_dict() == {0: 1, 1: 2, 2: 6}
        assert table.loc[["P-CAI", "P-NIU"], "level"].isna().all()  # the two witnesses


def test_synthetic_gangs_are_led_by_their_leaders(make_graph: Make) -> None:
    from crimegraph.synth import generate_case

    case = generate_case(600, 3, n_people=100)
    gang = {p.id: p.attributes["gang"] for p in case.persons}
    leader = {gang[p.id]: p.id for p in case.persons if p.role == "leader"}
    table = cg.infer_hierarchy(make_graph(case))
    assert table["level"].value_counts().to_dict() == {1: 96, 0: 4}
    assert table[table["level"] == 0]["id"].tolist() == sorted(leader.values())
    members = table[table["level"] == 1]
    assert (members["superior"] == members["id"].map(lambda p: leader[gang[p]])).all()

"""Entity resolution: features, find_matches, review (accept/reject) and the resolved view.

The merged case is the oil case with its leader split into three records, as pooled agency
data has him: the police file (王德胜), a bank export in capitals with the payments, and a
wiretap's familiar form (老王) with part of the calls. Resolving it must give back the
analyses of the case as it was before the split.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest

import crimegraph as cg
from crimegraph.analysis.resolve.features import (
    normalize_date,
    normalize_national_id,
    normalize_phone,
    organization_key,
    parse_address,
    split_name,
)
from crimegraph.analysis.resolve.scoring import MAX_PRIOR
from crimegraph.analysis.resolve.synthetic import generate_people

Make = Callable[[cg.Case], cg.CaseGraph]
WHEN = dt.datetime(2024, 7, 1, 9, 30, tzinfo=dt.timezone.utc)


# -- features ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "surname", "given", "initials"), [
    ("周建国", "zhou", "jianguo", "jg"),
    ("Zhou Jianguo", "zhou", "jianguo", "jg"),
    ("Jianguo ZHOU", "zhou", "jianguo", "jg"),
    ("ZHOU, Jianguo", "zhou", "jianguo", "jg"),
    ("Zhou Jian-Guo", "zhou", "jianguo", "jg"),
    ("ZHOU J.G.", "zhou", None, "jg"),
    ("老周", "zhou", None, None),
    ("欧阳娜娜", "ouyang", "nana", "nn"),
    ("John Smith", "smith", "john", "j"),
    ("SMITH, John", "smith", "john", "j"),
    ("J. Smith", "smith", None, "j"),
])
def test_names_split_in_any_script_and_order(name: str, surname: str, given: str | None,
                                             initials: str | None) -> None:
    parts = split_name(name)
    assert (parts.surname, parts.given, parts.initials) == (surname, given, initials)


@pytest.mark.parametrize(("name", "surname"), [
    ("曾志伟", "zeng"), ("单田芳", "shan"), ("解缙", "xie"), ("区志明", "ou"), ("仇英", "qiu"),
    ("查良镛", "zha"), ("朴树", "piao"), ("乐嘉", "yue"), ("尉迟恭", "yuchi"),
])
def test_polyphonic_surnames_read_as_surnames(name: str, surname: str) -> None:
    from pypinyin import lazy_pinyin

    assert split_name(name).surname == surname
    # the word reading differs for these characters: the surname table is what makes them right
    assert "".join(lazy_pinyin(name[: len(name) - 2 if len(name) > 3 else 1])) != surname \
        or name.startswith("尉迟")


@pytest.mark.parametrize(("text", "e164"), [
    ("138-0013-8000", "+8613800138000"), ("+86 138 0013 8000", "+8613800138000"),
    ("0086 13800138000", "+8613800138000"), ("8613800138000", "+8613800138000"),
    ("+44 20 7946 0958", "+442079460958"), ("12", None), ("call me", None),
])
def test_phones_normalise(text: str, e164: str | None) -> None:
    assert normalize_phone(text) == e164


def test_national_ids_check_digit_and_birth_date() -> None:
    assert normalize_national_id("11010519491231002x") == "11010519491231002X"
    assert normalize_national_id("110105194912310021") is None  # check character wrong
    assert normalize_national_id("110105194902310028") is None  # 31 February
    assert normalize_national_id("1101051949") is None
    assert normalize_date("1980年2月3日") == normalize_date("3.2.1980") == "1980-02-03"
    assert normalize_date("03/02/1980") is None  # day/month order is not guessed


def test_addresses_and_organization_names() -> None:
    full = parse_address("河北省廊坊市安次区光明西道128号")
    short = parse_address("廊坊市光明西道128号")
    assert (full.province, full.city, full.district) == ("河北省", "廊坊市", "安次区")
    assert full.street_key == short.street_key == "光明西道 128"
    west = parse_address("Flat 2, 12 High Street, Springfield")
    assert (west.street_key, west.city) == ("high st 12", "springfield")
    assert parse_address("12 High St., Springfield").street_key == "high st 12"
    assert organization_key("廊坊市鑫源润滑油有限公司") == organization_key(
        "Xinyuan Runhuayou Co., Ltd.") == organization_key("鑫源润滑油") == "xinyuanrunhuayou"


# -- the split leader -------------------------------------------------------------------------
def split_leader() -> cg.Case:
    """The oil case with P-01 in three records: the payments on a bank record, some calls on
    a wiretap record."""
    case = cg.load_example("counterfeit_oil")
    bank = cg.Person(id="P-01-BANK", name="WANG DESHENG", phones=["+86 138 0000 0101"],
                     attributes={"birth_date": "1975-03-08"}, evidence=["EV-BANK-01"])
    wire = cg.Person(id="P-01-WIRE", name="老王", phones=["13800000101"])
    leader = case.persons[0].model_copy(update={"attributes": {
        **case.persons[0].attributes, "birth_date": "1975-03-18"}})
    transactions = [t.model_copy(update={
        "source": "P-01-BANK" if t.source == "P-01" else t.source,
        "target": "P-01-BANK" if t.target == "P-01" else t.target})
        if t.kind == "payment" else t for t in case.transactions]
    relationships = [r.model_copy(update={"source": "P-01-WIRE"})
                     if r.kind == "calls" and r.source == "P-01" and r.target in ("P-26", "P-28")
                     else r for r in case.relationships]
    fields = {name: getattr(case, name) for name in type(case).model_fields}
    fields.update(persons=[leader, *case.persons[1:], bank, wire], transactions=transactions,
                  relationships=relationships)
    return cg.Case(**fields)


def test_find_matches_finds_the_split_records_and_says_why() -> None:
    matches = cg.find_matches(split_leader(), types=["Person"])
    assert set(matches.pairs()) == {("P-01", "P-01-BANK"), ("P-01", "P-01-WIRE"),
                                    ("P-01-BANK", "P-01-WIRE")}
    reasons = " | ".join(matches.reasons("P-01", "P-01-BANK"))
    assert "name 王德胜 ~ WANG DESHENG (pinyin): same name" in reasons
    assert "+8613800000101" in reasons
    row = matches.table.set_index(["left", "right"]).loc[("P-01", "P-01-BANK")]
    assert row["right_evidence"] == ["EV-BANK-01"] and row["type"] == "Person"
    assert 0.5 <= row["score"] <= 1.0
    # the family members (王秀梅 shares the surname, the deputies share calls) are not listed
    assert not any("P-04" in pair for pair in matches.pairs())


def test_find_matches_compares_organizations_and_premises_too() -> None:
    case = cg.load_example("counterfeit_oil")
    front = case.organizations[0]
    twin = cg.Organization(id="ORG-FRONT-2", name="Ruitong Hengda Trading Co., Ltd.",
                           address=front.address, city="Langfang")
    fields = {name: getattr(case, name) for name in type(case).model_fields}
    fields["organizations"] = [*case.organizations, twin]
    matches = cg.find_matches(cg.Case(**fields), types=["Organization", "Warehouse"])
    assert matches.pairs() == [("ORG-FRONT-2", front.id)] or matches.pairs() == [
        (front.id, "ORG-FRONT-2")]


def test_relatives_sharing_phone_and_address_are_not_merged() -> None:
    home = {"address": "河北省廊坊市安次区光明西道128号"}
    case = cg.Case(id="family", persons=[
        cg.Person(id="F1", name="周建国", phones=["13800138000"], attributes=home),
        cg.Person(id="F2", name="周建华", phones=["138 0013 8000"], attributes=home),
        cg.Person(id="F3", name="Zhou Jianhua", phones=["+86 138 0013 8000"]),
        cg.Person(id="F4", name="吴丽", phones=["13800138000"], attributes=home),
    ])
    matches = cg.find_matches(case, threshold=0.0)
    scores = {pair: s for pair, s in zip(matches.pairs(), matches.table["score"])}
    assert scores[("F2", "F3")] > 0.9  # one person in two scripts
    for pair in [("F1", "F2"), ("F1", "F3"), ("F1", "F4"), ("F2", "F4")]:
        assert scores.get(pair, 0.0) < 0.5, (pair, scores)


def test_a_shared_phone_alone_is_never_certain() -> None:
    case = cg.Case(id="phones", persons=[
        cg.Person(id="A", name="陈明", phones=["13912345678"]),
        cg.Person(id="B", name="黄磊", phones=["139-1234-5678"]),
    ])
    matches = cg.find_matches(case, threshold=0.0)
    assert len(matches) == 1 and matches.table["score"][0] < 0.5
    assert "a phone" in " ".join(matches.reasons("A", "B"))


def test_western_names_dates_of_birth_and_street_addresses() -> None:
    case = cg.Case(id="west", persons=[
        cg.Person(id="W1", name="John Smith", attributes={
            "date_of_birth": "1971-04-02", "address": "12 High Street, Springfield"}),
        cg.Person(id="W2", name="SMITH, John", attributes={"date_of_birth": "2 April 1971"}),
        cg.Person(id="W3", name="J. Smith", phones=["+44 7700 900123"],
                  attributes={"address": "12 High St, Springfield"}),
        cg.Person(id="W4", name="Mary Smith", phones=["+44 7700 900123"], attributes={
            "date_of_birth": "1973-09-30", "address": "12 High Street, Springfield"}),
        cg.Person(id="W5", name="John Smith", attributes={"date_of_birth": "1990-01-15"}),
    ], timezone="Europe/London")
    matches = cg.find_matches(case)
    assert ("W1", "W2") in matches.pairs() and ("W1", "W3") in matches.pairs()
    for stranger in [("W1", "W4"), ("W1", "W5"), ("W2", "W5"), ("W3", "W4")]:
        assert stranger not in matches.pairs()


# -- review -----------------------------------------------------------------------------------
def test_accept_and_reject_write_decisions_into_the_store(make_graph: Make) -> None:
    g = make_graph(split_leader())
    matches = cg.find_matches(g, types=["Person"])
    links = matches.accept(("P-01", "P-01-BANK"), by="analyst Chen", at=WHEN)
    assert [link.id for link in links] == ["SAME-P-01-P-01-BANK"]
    stored = g.store.get("SAME-P-01-P-01-BANK")
    assert isinstance(stored, cg.Relationship) and stored.kind == "same_as"
    assert stored.attributes["decided_by"] == "analyst Chen"
    assert stored.attributes["decided_at"] == "2024-07-01T09:30:00+00:00"
    assert "same name" in str(stored.attributes["reason"])
    # the decision rests on the analyst, not on the records' sources
    assert stored.evidence == []
    rejected = matches.reject(("P-01-BANK", "P-01-WIRE"), by="analyst Chen", at=WHEN,
                              why="the bank record predates the wiretap")
    assert rejected[0].kind == "not_same_as" and g.get(rejected[0].id).attributes[
        "reason"] == "the bank record predates the wiretap"
    assert list(matches.table["decision"].dropna()) == ["accepted", "rejected"] or sorted(
        matches.table["decision"].dropna()) == ["accepted", "rejected"]
    again = cg.find_matches(g, types=["Person"])
    assert again.pairs() == [("P-01", "P-01-WIRE")]  # decided pairs are not offered again
    with pytest.raises(cg.InvalidArgument, match=r"already decided: accepted by same_as link "
                       r"'SAME-P-01-P-01-BANK' \(analyst Chen, 2024-07-01T09:30:00\+00:00\)"):
        matches.accept(("P-01", "P-01-BANK"), by="analyst Chen")
    # the view is read from the store, whichever it is
    view = cg.resolve(g)
    assert view.members == {"P-01": ["P-01", "P-01-BANK"]}
    assert view.store.kind == "memory" and view.case.id == f"{g.case_id}-resolved"


def test_a_decision_is_undone_and_then_reversed(make_graph: Make) -> None:
    g = make_graph(split_leader())
    matches = cg.find_matches(g, types=["Person"])
    matches.accept(("P-01", "P-01-BANK"), by="analyst Chen", at=WHEN)
    # a reversal is never ignored: it names the decision and how to remove it
    with pytest.raises(cg.InvalidArgument, match=r"is already decided: accepted .*"
                       r"matches\.undo\(\('P-01', 'P-01-BANK'\)\)"):
        matches.reject(("P-01", "P-01-BANK"), by="analyst Chen", why="wrong")
    assert g.get("SAME-P-01-P-01-BANK").kind == "same_as"  # nothing written or removed
    removed = matches.undo(("P-01-BANK", "P-01"))  # either order
    assert [link.id for link in removed] == ["SAME-P-01-P-01-BANK"]
    assert "SAME-P-01-P-01-BANK" not in g and cg.resolve(g).members == {}
    assert matches.table.set_index(["left", "right"]).loc[("P-01", "P-01-BANK"),
                                                          "decision"] is None
    # a fresh table offers the pair again, and the reversal is written
    again = cg.find_matches(g, types=["Person"])
    assert ("P-01", "P-01-BANK") in again.pairs()
    rejected = matches.reject(("P-01", "P-01-BANK"), by="analyst Chen", why="wrong", at=WHEN)
    assert g.get(rejected[0].id).kind == "not_same_as"
    assert [r.kind for r in g.case.relationships if r.kind in ("same_as", "not_same_as")] == [
        "not_same_as"]
    # a decision on a pair no table lists (entered by hand) is undone all the same
    assert [r.id for r in cg.find_matches(g).undo(("P-01", "P-01-BANK"))] == [
        "NOT-SAME-P-01-P-01-BANK"]
    with pytest.raises(cg.InvalidArgument, match=r"no same_as or not_same_as link joins "
                       r"\('P-01', 'P-01-BANK'\) in case 'counterfeit-oil-2024'; nothing"):
        matches.undo(("P-01", "P-01-BANK"))


def test_two_tables_on_one_case_cannot_write_opposite_decisions() -> None:
    g = cg.CaseGraph(split_leader())
    first, second = (cg.find_matches(g, types=["Person"]) for _ in range(2))
    first.accept(("P-01", "P-01-BANK"), by="analyst Chen", at=WHEN)
    with pytest.raises(cg.InvalidArgument, match="already decided: accepted by same_as link "
                       "'SAME-P-01-P-01-BANK'"):
        second.reject(("P-01", "P-01-BANK"), by="analyst Li")
    # "every undecided pair" reads the case, not the table: the accepted pair is not redone
    written = second.accept(by="analyst Li", at=WHEN)
    assert sorted(link.id for link in written) == ["SAME-P-01-BANK-P-01-WIRE",
                                                   "SAME-P-01-P-01-WIRE"]
    assert second.table["decision"].tolist() == ["accepted"] * 3
    assert [r.id for r in g.case.relationships if r.kind == "not_same_as"] == []


def test_decisions_that_contradict_through_other_records_are_refused() -> None:
    g = cg.CaseGraph(split_leader())
    matches = cg.find_matches(g, types=["Person"])
    matches.accept(("P-01", "P-01-BANK"), by="analyst Chen", at=WHEN)
    matches.reject(("P-01-BANK", "P-01-WIRE"), by="analyst Chen", at=WHEN, why="brothers")
    before = list(g.case.relationships)
    with pytest.raises(cg.InvalidArgument, match=(
            r"records 'P-01-BANK' and 'P-01-WIRE' were rejected as one actor \(not_same_as "
            r"link 'NOT-SAME-P-01-BANK-P-01-WIRE' .*'brothers'\)\) but same_as links join "
            r"them: 'SAME-P-01-P-01-BANK' .*; 'SAME-P-01-P-01-WIRE' ")):
        matches.accept(("P-01", "P-01-WIRE"), by="analyst Chen")
    assert g.case.relationships == before  # nothing written
    # the other way round: rejecting a pair that accepted links already join
    matches.undo(("P-01-BANK", "P-01-WIRE"))
    matches.accept(("P-01", "P-01-WIRE"), by="analyst Chen", at=WHEN)
    with pytest.raises(cg.InvalidArgument, match=(
            r"records 'P-01-BANK' and 'P-01-WIRE' were rejected .* but same_as links join "
            r"them: 'SAME-P-01-P-01-BANK' .*; 'SAME-P-01-P-01-WIRE' ")):
        matches.reject(("P-01-BANK", "P-01-WIRE"), by="analyst Chen")
    assert [r.kind for r in g.case.relationships if r.kind == "not_same_as"] == []


def test_resolve_refuses_to_merge_a_rejected_pair() -> None:
    decided = {"decided_by": "analyst", "decided_at": "2024-05-01"}
    case = cg.Case(id="c", persons=[cg.Person(id=rid, name="王强") for rid in "ABCD"],
                   relationships=[
        cg.Relationship(id="S1", kind="same_as", source="A", target="B", attributes=decided),
        cg.Relationship(id="S2", kind="same_as", source="C", target="B", attributes=decided),
        cg.Relationship(id="N1", kind="not_same_as", source="A", target="C",
                        attributes={**decided, "reason": "brothers"})])
    with pytest.raises(cg.InvalidArgument, match=(
            r"records 'A' and 'C' were rejected as one actor \(not_same_as link 'N1' \(A - C, "
            r"analyst, 2024-05-01, 'brothers'\)\) but same_as links join them: 'S1' \(A - B, "
            r"analyst, 2024-05-01\); 'S2' \(C - B, analyst, 2024-05-01\)\. Remove")):
        cg.resolve(case)
    # a not_same_as link between two actors stays, pointing to the actors
    fields = {name: getattr(case, name) for name in type(case).model_fields}
    fields["relationships"] = [case.relationships[0], cg.Relationship(
        id="N2", kind="not_same_as", source="B", target="D", attributes=decided)]
    view = cg.resolve(cg.Case(**fields))
    kept = view.get("N2")
    assert isinstance(kept, cg.Relationship)
    assert (kept.source, kept.target) == (view.actor_of["B"], "D") and view.dropped == ["S1"]


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("alike", [True, False])
def test_tiny_cases_are_scored(n: int, alike: bool) -> None:
    persons = [cg.Person(id=f"P{i}", name="周建国" if alike else name,
                         national_id="11010519491231002X" if alike else None)
               for i, name in zip(range(n), ["李明", "王芳", "张伟"])]
    organizations = [cg.Organization(id=f"O{i}", name="鑫源润滑油" if alike else name,
                                     registration_id="91131000MA0000001X" if alike else None)
                     for i, name in zip(range(n), ["鑫源润滑油", "瑞通恒达", "宏发物流"])]
    matches = cg.find_matches(cg.Case(id="tiny", persons=persons,
                                      organizations=organizations))
    expected = n * (n - 1) // 2 if alike else 0
    assert len(matches) == 2 * expected
    assert sorted(matches.table["type"]) == ["Organization"] * expected + ["Person"] * expected
    if alike and n >= 2:  # every pair matches: the estimate is clipped to the highest prior
        assert matches.priors == {"Person": MAX_PRIOR, "Organization": MAX_PRIOR,
                                  "Warehouse": 0.0}
        assert (matches.table["score"] > 0.99).all()
    if n < 2:
        assert set(matches.priors.values()) == {0.0}


def test_two_records_of_one_person_are_matched() -> None:
    case = cg.Case(id="demo", persons=[
        cg.Person(id="P1", name="周建国", national_id="11010519491231002X",
                  phones=["138-0013-8000"]),
        cg.Person(id="P2", name="Zhou Jianguo", phones=["+86 138 0013 8000"],
                  attributes={"birth_date": "1949-12-31"})])
    matches = cg.find_matches(case)
    assert matches.pairs() == [("P1", "P2")] and matches.priors["Person"] == MAX_PRIOR


def test_decisions_on_long_ids_get_a_short_unique_id() -> None:
    base = "江苏省徐州市铜山区某某镇某某村某某工业园区某某物流中心B区" * 4
    names = [base + "1号库", base[3:] + "1号库"]
    case = cg.Case(id="c", warehouses=[
        cg.Warehouse(id="addr:" + name, name=name, address=name) for name in names])
    g = cg.CaseGraph(case)
    matches = cg.find_matches(g, types=["Warehouse"], threshold=0.5)
    assert len(matches) == 1
    link = matches.accept(by="analyst", at=WHEN)[0]
    left, right = sorted("addr:" + name for name in names)
    assert len(link.id) <= 200 and link.id.startswith(f"SAME-{left[:80]}-{right[:80]}-")
    assert (link.source, link.target) == (left, right) and g.get(link.id) == link
    assert cg.resolve(g).members == {left: [left, right]} or cg.resolve(g).members == {
        right: [left, right]}
    assert [r.id for r in matches.undo((left, right))] == [link.id]


def test_review_arguments_are_checked() -> None:
    matches = cg.find_matches(split_leader(), types=["Person"])
    with pytest.raises(cg.InvalidArgument, match=r"\('P-01', 'P-02'\) is not a pair"):
        matches.accept(("P-01", "P-02"), by="analyst")
    with pytest.raises(cg.InvalidArgument, match="by='': name who decides"):
        matches.accept(by="")
    with pytest.raises(cg.InvalidArgument, match="types: unknown entity type"):
        cg.find_matches(split_leader(), types=["Vehicle"])
    with pytest.raises(cg.WrongArgumentType, match="not one name as a string"):
        cg.find_matches(split_leader(), types="Person")
    with pytest.raises(cg.InvalidArgument, match="threshold=1.5 must be a probability"):
        cg.find_matches(split_leader(), threshold=1.5)


def test_decision_links_are_validated() -> None:
    with pytest.raises(cg.InvalidCase, match="decided_at = 'last week' is no ISO date"):
        cg.Case(persons=[cg.Person(id="A", name="a"), cg.Person(id="B", name="b")],
                relationships=[{"id": "S", "kind": "same_as", "source": "A", "target": "B",
                                "attributes": {"decided_at": "last week"}}])
    with pytest.raises(ValueError, match="not_same_as link records a decision"):
        cg.Relationship(id="N", kind="not_same_as", source="A", target="B")


# -- the resolved view ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def merged() -> tuple[cg.CaseGraph, cg.ResolvedGraph]:
    g = cg.CaseGraph(split_leader())
    matches = cg.find_matches(g, types=["Person"])
    matches.accept(by="analyst Chen", at=WHEN)
    return g, cg.resolve(g)


def test_resolve_makes_one_actor_and_reports_conflicts(
        merged: tuple[cg.CaseGraph, cg.ResolvedGraph]) -> None:
    _, view = merged
    assert view.members == {"P-01": ["P-01", "P-01-BANK", "P-01-WIRE"]}
    assert view.actor_of["P-01-WIRE"] == "P-01"
    leader = view.get("P-01")
    assert isinstance(leader, cg.Person)
    assert leader.aliases == ["WANG DESHENG", "老王", "Wang Desheng"]
    assert leader.evidence[-1] == "EV-BANK-01"
    assert leader.attributes["merged_from"] == "P-01;P-01-BANK;P-01-WIRE"
    conflicts = view.conflicts.set_index("field")
    assert conflicts.loc["attributes.birth_date", "values"] == ["1975-03-18", "1975-03-08"]
    assert conflicts.loc["attributes.birth_date", "value"] == "1975-03-18"  # the actor's own
    assert sorted(view.dropped) == ["SAME-P-01-BANK-P-01-WIRE", "SAME-P-01-P-01-BANK",
                                    "SAME-P-01-P-01-WIRE"]
    assert "P-01-BANK" not in view and view.case.id == "counterfeit-oil-2024-resolved"


def test_every_analysis_runs_on_the_resolved_view_as_on_the_unsplit_case(
        merged: tuple[cg.CaseGraph, cg.ResolvedGraph]) -> None:
    split, view = merged
    whole = cg.CaseGraph(cg.load_example("counterfeit_oil"))
    for g in (view, whole):
        assert g.summary().counts["persons"] == 29
    # key players: the leader's ties are whole again
    top_whole = cg.key_players(whole, "degree", k=5)
    top_view = cg.key_players(view, "degree", k=5)
    assert list(top_view["id"]) == list(top_whole["id"])
    np.testing.assert_allclose(top_view["score"], top_whole["score"])
    split_rank = list(cg.key_players(split, "degree", k=None)["id"])
    assert split_rank.index("P-01") >= list(top_whole["id"]).index("P-01")
    # hierarchy, groups, disruption, goods and money
    assert cg.infer_hierarchy(view).equals(cg.infer_hierarchy(whole))
    assert cg.find_groups(view).groups.equals(cg.find_groups(whole).groups)
    assert cg.simulate_disruption(view).removed == cg.simulate_disruption(whole).removed
    assert cg.trace_chain(view, "W-DEN-01").to_dataframe().equals(
        cg.trace_chain(whole, "W-DEN-01").to_dataframe())
    money_view = cg.trace_money(view, "P-01").to_dataframe()
    money_whole = cg.trace_money(whole, "P-01").to_dataframe()
    assert len(money_view) > 0 and money_view.equals(money_whole)
    assert len(cg.trace_money(split, "P-01").to_dataframe()) == 0  # payments sat on the bank record


def test_figures_draw_the_resolved_view(merged: tuple[cg.CaseGraph, cg.ResolvedGraph],
                                        tmp_path: object) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, view = merged
    ax = cg.plot_org_chart(view)
    labels = [t.get_text() for t in ax.texts]
    assert any("王德胜" in label for label in labels)
    assert not any(label == "老王" for label in labels)
    plt.close(ax.figure)


def test_removing_a_same_as_link_undoes_the_merge(
        merged: tuple[cg.CaseGraph, cg.ResolvedGraph]) -> None:
    g, _ = merged
    case = g.case
    fields = {name: getattr(case, name) for name in type(case).model_fields}
    fields["relationships"] = [r for r in case.relationships
                               if r.id not in ("SAME-P-01-P-01-WIRE", "SAME-P-01-BANK-P-01-WIRE")]
    view = cg.resolve(cg.Case(**fields))
    assert view.members == {"P-01": ["P-01", "P-01-BANK"]}
    assert "P-01-WIRE" in view
    assert view.neighbors("P-01-WIRE", kind="calls") == ["P-26", "P-28"]


def _graded(grades: dict[str, tuple[str | None, int | None]],
            links: dict[str, int]) -> cg.Case:
    """Records 周建国 (A), Zhou Jianguo (B) and 老周 (C), each on its own evidence with the
    given grading and with the given number of calls to a third person, joined by same_as."""
    names = {"A": "周建国", "B": "Zhou Jianguo", "C": "老周"}
    evidence = [cg.Evidence(id=f"EV-{rid}", name=f"source of {rid}", reliability=grade[0],
                            credibility=grade[1]) for rid, grade in grades.items()]
    persons = [cg.Person(id=rid, name=name, evidence=[f"EV-{rid}"] if rid in grades else [])
               for rid, name in names.items()]
    persons.append(cg.Person(id="X", name="Li Ming"))
    calls = [cg.Relationship(id=f"L-{rid}-{n}", kind="calls", source=rid, target="X")
             for rid, count in links.items() for n in range(count)]
    same = [cg.Relationship(id="S1", kind="same_as", source="A", target="B"),
            cg.Relationship(id="S2", kind="same_as", source="B", target="C")]
    return cg.Case(id="graded", persons=persons, evidence=evidence,
                   relationships=[*calls, *same])


@pytest.mark.parametrize(("grades", "links", "actor"), [
    # the police file (A1) beats a bank export (B2) that holds more links
    ({"A": ("A", 1), "B": ("B", 2), "C": ("B", 2)}, {"A": 1, "B": 5, "C": 3}, "A"),
    # reliability before credibility: B1 loses to A3
    ({"A": ("B", 1), "B": ("A", 3), "C": ("C", 1)}, {"A": 5, "B": 1, "C": 1}, "B"),
    # same reliability: the better credibility
    ({"A": ("B", 3), "B": ("B", 3), "C": ("B", 2)}, {"A": 5, "B": 5, "C": 0}, "C"),
    # equal grades: the most links; ungraded records come after graded ones
    ({"A": ("B", 2), "B": ("B", 2)}, {"A": 1, "B": 2, "C": 9}, "B"),
    # equal grades and links: the smallest id
    ({"A": ("C", 3), "B": ("C", 3), "C": ("C", 3)}, {"A": 2, "B": 2, "C": 2}, "A"),
    # nothing graded: the most links
    ({}, {"A": 1, "B": 2, "C": 4}, "C"),
])
def test_the_representative_is_the_best_graded_then_best_linked_member(
        grades: dict[str, tuple[str | None, int | None]], links: dict[str, int],
        actor: str) -> None:
    view = cg.resolve(_graded(grades, links))
    assert view.members == {actor: ["A", "B", "C"]}
    names = {"A": "周建国", "B": "Zhou Jianguo", "C": "老周"}
    record = view.get(actor)
    assert record.name == names[actor]
    assert sorted(record.aliases) == sorted(n for rid, n in names.items() if rid != actor)


def test_a_graded_view_keeps_a_decision_only_between_records_it_keeps() -> None:
    evidence = [cg.Evidence(id="E-A1", name="police file", reliability="A", credibility=1),
                cg.Evidence(id="E-E5", name="anonymous tip", reliability="E", credibility=5)]
    persons = [
        cg.Person(id="P1", name="周建国", phones=["13800138000"], evidence=["E-A1"]),
        cg.Person(id="P2", name="Zhou Jianguo", phones=["+86 138 0013 8000"],
                  national_id="11010519491231002X", evidence=["E-E5"],
                  attributes={"birth_date": "1949-12-31"}),
        cg.Person(id="P4", name="Zhou Jianguo", phones=["13800138000"],
                  attributes={"birth_date": "1949-12-31"}, evidence=["E-A1"])]
    g = cg.CaseGraph(cg.Case(id="c", evidence=evidence, persons=persons))
    cg.find_matches(g).accept([("P1", "P2"), ("P1", "P4")], by="analyst", at=WHEN)
    view = cg.graded(g, reliability="B", credibility=2)
    # P2 rests on a tip graded E5 only: the same_as link does not bring it, nor its facts, in
    assert [p.id for p in view.case.persons] == ["P1", "P4"]
    assert [r.id for r in view.case.relationships] == ["SAME-P1-P4"]
    actor = cg.resolve(view).get("P1")
    assert isinstance(actor, cg.Person) and actor.national_id is None
    assert actor.attributes["merged_from"] == "P1;P4"
    # records without evidence kept: still no end is brought in by a decision
    kept = cg.graded(g, reliability="A", credibility=1, unsupported="keep")
    assert sorted(r.id for r in kept.case.relationships) == ["SAME-P1-P4"]


def test_every_members_notes_are_kept() -> None:
    decided = {"decided_by": "analyst", "decided_at": "2024-05-01"}
    case = cg.Case(id="c", persons=[
        cg.Person(id="A", name="王强", notes="informant says he runs den 2", role="leader"),
        cg.Person(id="B", name="Wang Qiang", notes="bank: account frozen 2024-05"),
        cg.Person(id="C", name="王强", phones=["13800000001"]),
        cg.Person(id="D", name="Li Ming", notes="driver"),
        cg.Person(id="E", name="Li Ming"),
        cg.Person(id="F", name="Chen Lei"), cg.Person(id="G", name="Chen Lei", notes="tall")],
        relationships=[cg.Relationship(id=f"S{i}", kind="same_as", source=a, target=b,
                                       attributes=decided)
                       for i, (a, b) in enumerate([("A", "B"), ("B", "C"), ("D", "E"),
                                                   ("F", "G")])])
    view = cg.resolve(case)
    assert view.get("A").notes == ("[A] informant says he runs den 2\n"
                                   "[B] bank: account frozen 2024-05")
    assert view.get("D").notes == "driver"  # the actor's own notes alone stay as they are
    assert view.get("F").notes == "[G] tall"


def test_a_merged_record_id_names_its_actor(
        merged: tuple[cg.CaseGraph, cg.ResolvedGraph]) -> None:
    _, view = merged
    hint = (r"no entity with id 'P-01-BANK' in .*: that record was merged into the actor "
            r"'P-01' \(王德胜\) by same_as links; use 'P-01'")
    with pytest.raises(cg.EntityNotFound, match=hint):
        view.get("P-01-BANK")
    with pytest.raises(cg.EntityNotFound, match=hint):
        cg.trace_money(view, "P-01-BANK")
    with pytest.raises(cg.EntityNotFound, match=r"no entity with id 'P-99'.*did you mean"):
        view.get("P-99")  # other ids: the usual suggestions


def test_same_as_between_kinds_is_refused() -> None:
    case = cg.Case(persons=[cg.Person(id="A", name="周建国")],
                   organizations=[cg.Organization(id="B", name="建国商行")],
                   relationships=[cg.Relationship(id="S", kind="same_as", source="A",
                                                  target="B")])
    with pytest.raises(cg.InvalidArgument, match="same_as links join records of different"):
        cg.resolve(case)


# -- quality on generated records -------------------------------------------------------------
def test_generated_records_resolve_with_high_precision_and_recall() -> None:
    made = generate_people(3000, seed=11)
    again = generate_people(3000, seed=11)
    assert [p.name for p in made.persons[:50]] == [p.name for p in again.persons[:50]]
    matches = cg.find_matches(made.case(), types=["Person"])
    ids = {p.id: i for i, p in enumerate(made.persons)}
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for left, right in matches.pairs():
        parent[find(ids[left])] = find(ids[right])
    cluster = np.array([find(i) for i in range(len(ids))], dtype=np.int64)
    truth = np.array([made.truth[p.id] for p in made.persons], dtype=np.int64)

    def pairs(labels: np.ndarray) -> int:
        counts = np.unique(labels, return_counts=True)[1]
        return int((counts * (counts - 1) // 2).sum())

    both = pairs(cluster * (truth.max() + 1) + truth)
    precision, recall = both / pairs(cluster), both / pairs(truth)
    assert precision > 0.93 and recall > 0.88, (precision, recall)

"""Errors stay useful and bounded at any scale: short messages, quick suggestions."""

from __future__ import annotations

import crimegraph as cg
from crimegraph.errors import SHOWN_PROBLEMS, close_matches

from ..model.test_case import minimal


def test_suggestions_among_few_ids_are_as_before() -> None:
    assert close_matches("W2", ["W1", "P1", "T1"]) == ["W1"]
    assert close_matches("Zhou-Li", ["zhou-li", "Wang"]) == ["zhou-li"]
    assert close_matches("nothing-like", ["A", "B"]) == []


def test_suggestions_among_many_ids_find_one_typo() -> None:
    known = {f"T-{i:07d}": i for i in range(300_000)}
    assert "T-0012345" in close_matches("T-0O12345", known)  # letter O for zero
    missing = close_matches("T-001234", known)  # a digit missing: many ids are one digit away
    assert len(missing) == 3 and all(len(s) == 9 and s in known for s in missing)
    assert "T-0012345" in close_matches("T-00123X45", known)  # a character too many
    assert "T-0012345" in close_matches("t-0012345", known)  # lower case
    assert "T-0012345" in close_matches("T-0021345", known, n=10)  # swapped digits
    assert close_matches("SHOP-17", known) == []
    assert len(close_matches("T-00X2345", known)) <= 3


def test_suggestions_beyond_one_typo_use_ids_with_the_same_start() -> None:
    known = [f"SHOP-{i:06d}-NORTH" for i in range(50_000)]
    found = close_matches("SHOP-000123-NROTH-X", known)
    assert found and all(s.startswith("SHOP-000") for s in found)


def test_entity_not_found_names_the_suggestions() -> None:
    case = cg.Case.model_validate(minimal())
    try:
        case.get("P3")
    except cg.EntityNotFound as exc:
        assert exc.suggestions and "did you mean" in str(exc)
    else:
        raise AssertionError("no error")


def test_a_case_with_thousands_of_bad_records_has_a_short_message() -> None:
    data = minimal()
    data["transactions"] += [  # type: ignore[operator]
        {"id": f"X{i}", "kind": "payment", "source": f"GHOST-{i}", "target": "P1",
         "timestamp": "2024-03-02", "amount": 1} for i in range(5000)
    ] + [{"id": f"Y{i}", "kind": "payment", "source": "P1", "target": "P2",
          "timestamp": "2024-03-02", "amount": "much"} for i in range(300)]
    try:
        cg.Case.model_validate(data)
    except cg.InvalidCase as exc:
        text = str(exc)
        assert len(exc.problems) == 5300
        assert "5,300 problems found" in text
        assert text.count("\n  - ") == SHOWN_PROBLEMS
        assert "... and 5,280 more (all in .problems):" in text
        assert "4,980 × transactions 'source' unknown person, organization or premises id" in text
        assert "300 × transactions 'amount'" in text
        assert len(text) < 5000
    else:
        raise AssertionError("no error")


def test_pasted_text_as_an_id_is_answered_at_once() -> None:
    """A word far longer than any id (pasted text) is one typo from no id: no search over
    its one-edit variants, which grow with the word's length times its characters."""
    ids = [f"P-{i:05d}" for i in range(5000)]
    assert close_matches("周建国在廊坊的仓库" * 180, ids) == []
    assert close_matches("P-0O123", ids)[0] == "P-00123"  # a look-alike still found first


def test_a_lone_surrogate_in_a_name_is_named_as_such() -> None:
    data = minimal()
    data["persons"][0]["name"] = "Li \ud800 Wei"  # type: ignore[index]
    try:
        cg.Case.model_validate(data)
    except cg.InvalidCase as exc:
        assert "lone surrogate" in str(exc) and "empty" not in str(exc)
    else:
        raise AssertionError("a lone surrogate in a name was accepted")

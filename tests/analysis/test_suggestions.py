"""A mistyped id, a lower-case id or a name instead of an id gets the id it meant, with its
name, on every store."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import crimegraph as cg

Make = Callable[[cg.Case], cg.CaseGraph]


@pytest.fixture
def oil(make_graph: Make) -> cg.CaseGraph:
    return make_graph(cg.load_example("counterfeit_oil"))


@pytest.mark.parametrize(("call", "expected"), [
    (lambda g: cg.trace_chain(g, "shop-17"), "did you mean 'SHOP-17' (宋都汽配商行)"),
    (lambda g: cg.trace_chain(g, "W-DEN-01", product="p-mobil-5w30"),
     "did you mean 'P-MOBIL-5W30'"),
    (lambda g: cg.trace_chain(g, "兴隆庄村调配窝点"), "did you mean 'W-DEN-01' (兴隆庄村调配窝点)?"),
    (lambda g: cg.trace_chain(g, "兴隆庄"), "did you mean 'W-DEN-01' (兴隆庄村调配窝点)?"),
    (lambda g: g.get("w-den-01"), "did you mean 'W-DEN-01' (兴隆庄村调配窝点)"),
    (lambda g: cg.find_sources(g, product="p-shell-hx8"), "did you mean 'P-SHELL-HX8'"),
], ids=["lower-case start", "lower-case product", "name", "part of a name", "get", "sources"])
def test_suggestions_ignore_letter_case_and_know_names(
    oil: cg.CaseGraph, call: Callable[[cg.CaseGraph], object], expected: str,
) -> None:
    with pytest.raises(cg.EntityNotFound) as caught:
        call(oil)
    assert expected in str(caught.value)
    assert caught.value.suggestions[0] in oil.case


def test_an_alias_suggests_the_person() -> None:
    case = cg.load_example("fake_liquor")
    with pytest.raises(cg.EntityNotFound, match=r"did you mean 'P-ZHOU' \(周建国\)"):
        cg.trace_chain(case, "zhou jianguo")
    with pytest.raises(cg.EntityNotFound, match=r"did you mean 'P-ZHOU' \(周建国\)"):
        case.get("Zhou Jianguo")

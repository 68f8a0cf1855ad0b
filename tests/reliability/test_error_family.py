"""Every error the library raises on purpose is a CrimeGraphError (one ``except`` catches all).

Argument errors are :class:`~crimegraph.InvalidArgument` (also a ``ValueError``) or
:class:`~crimegraph.WrongArgumentType` (also a ``TypeError``), never the bare built-ins, so both
promises hold: ``except cg.CrimeGraphError`` and ``except ValueError`` each catch them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import crimegraph as cg

PACKAGE = Path(cg.__file__).resolve().parent
BARE = {"ValueError", "TypeError"}


def _bare_raises() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id in BARE:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: raise {exc.id}")
    return found


def test_no_bare_value_or_type_errors_are_raised() -> None:
    assert _bare_raises() == []


@pytest.mark.parametrize(("error", "builtin"), [
    (cg.InvalidArgument, ValueError), (cg.WrongArgumentType, TypeError),
    (cg.InvalidCase, ValueError), (cg.EntityNotFound, KeyError),
])
def test_each_error_keeps_both_promises(error: type[Exception], builtin: type[Exception]) -> None:
    assert issubclass(error, cg.CrimeGraphError) and issubclass(error, builtin)


def test_an_analysis_argument_error_is_caught_both_ways() -> None:
    case = cg.load_example("fake_liquor")
    for catch in (cg.CrimeGraphError, ValueError):
        with pytest.raises(catch, match="direction='sideways'"):
            cg.trace_chain(case, "W-DEN-A", direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(cg.CrimeGraphError, match="not one id as a string"):
        cg.CaseGraph(case).store.links(nodes="P-ZHOU")  # type: ignore[arg-type]

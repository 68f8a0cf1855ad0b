"""The layers read as the design draws them: no module imports a layer drawn above it.

io reads files into model objects; stores hold a case of model objects; analyses read stores;
figures draw analysis results. Every import is read from the source (``ast``), including the
lazy ones inside functions, so an upward import cannot hide behind a deferred ``import``.
The one exception: a result object's ``plot()`` convenience may import its figure.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crimegraph"

FORBIDDEN: dict[str, frozenset[str]] = {
    "model": frozenset({"io", "store", "analysis", "plot", "report", "cli"}),
    "io": frozenset({"store", "analysis", "plot", "report", "cli"}),
    "store": frozenset({"io", "analysis", "plot", "report", "cli"}),
    "analysis": frozenset({"io", "plot", "report", "cli"}),
}
"""Per layer, the parts of crimegraph its modules must not import."""

ALLOWED_IN_PLOT_METHODS = {"analysis": frozenset({"plot"})}
"""Imports a layer may make inside a function named ``plot`` (a result's ``.plot()``)."""


def _module_name(path: Path) -> list[str]:
    parts = ["crimegraph", *path.relative_to(PACKAGE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports_of(path: Path, source: str | None = None) -> list[tuple[str, int, str | None]]:
    """Every crimegraph module ``path`` imports: (module, line, enclosing function or None).

    ``source``: the module's text, when not read from ``path``.
    """
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name[:-1]
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    found: list[tuple[str, int, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inside = function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inside = child.name
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[:len(package) - child.level + 1]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                # ``from . import flows`` imports a module too: name each imported name.
                targets = [module] + [f"{module}.{alias.name}" for alias in child.names]
            for target in targets:
                if target == "crimegraph" or target.startswith("crimegraph."):
                    found.append((target, child.lineno, function))
            visit(child, inside)

    visit(tree, None)
    return found


def _layer_modules(layer: str) -> list[Path]:
    root = PACKAGE / layer
    return sorted(root.rglob("*.py")) if root.is_dir() else [root.with_suffix(".py")]


def upward_imports(layer: str) -> list[str]:
    """Imports from modules of ``layer`` into parts it must not depend on."""
    bad = []
    for path in _layer_modules(layer):
        for target, line, function in imports_of(path):
            parts = target.split(".")
            if len(parts) < 2 or parts[1] not in FORBIDDEN[layer]:
                continue
            if function == "plot" and parts[1] in ALLOWED_IN_PLOT_METHODS.get(layer, ()):
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            bad.append(f"{where} imports {target}" + (f" (in {function}())" if function else ""))
    return bad


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_a_layer_above_it(layer: str) -> None:
    assert _layer_modules(layer), f"no modules found for {layer!r}"
    assert upward_imports(layer) == []


def test_the_import_reader_sees_lazy_and_relative_imports() -> None:
    # A module laid out like a store module, importing upward inside a function.
    probe = PACKAGE / "store" / "probe.py"
    source = (
        "from .base import Store\n"
        "def helper():\n"
        "    from ..analysis.flows import walk\n"
        "    import crimegraph.plot\n"
        "    from .. import analysis\n"
    )
    targets = {(target, function) for target, _, function in imports_of(probe, source)}
    assert ("crimegraph.store.base", None) in targets
    assert ("crimegraph.analysis.flows", "helper") in targets
    assert ("crimegraph.plot", "helper") in targets
    assert ("crimegraph.analysis", "helper") in targets

"""The investigation notebooks run top to bottom, and the copies in git carry no outputs.

Each notebook runs in a fresh kernel of this very interpreter (so it sees the crimegraph under
test), with ``notebooks/`` as its working directory and matplotlib's Agg backend. The Neo4j
notebook gets the session's server through ``CRIMEGRAPH_NEO4J_URI``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
NEEDS_NEO4J = {"05_working_with_neo4j.ipynb"}
CELL_TIMEOUT = 600


def _params() -> list[object]:
    params: list[object] = []
    for path in NOTEBOOKS:
        marks = [pytest.mark.slow]
        if path.name in NEEDS_NEO4J:
            marks.append(pytest.mark.neo4j)
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def _kernel_manager() -> object:
    """A kernel manager whose "python3" kernel is this interpreter, whatever is installed.

    A user-level "python3" kernelspec may point at another Python; asking ipykernel for the
    spec of the running interpreter avoids that (and needs no ``ipykernel install``).
    """
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisInterpreter(KernelSpecManager):  # type: ignore[misc]
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreter())


def test_the_notebooks_are_found() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_load_a_case.ipynb",
        "02_trace_the_supply_chain.ipynb",
        "03_organizational_structure.ipynb",
        "04_key_players_and_disruption.ipynb",
        "05_working_with_neo4j.ipynb",
    ]


@pytest.mark.parametrize("path", _params())
def test_notebook_runs(path: Path, request: pytest.FixtureRequest,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits this environment; monkeypatch restores it afterwards.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if path.name in NEEDS_NEO4J:
        monkeypatch.setenv("CRIMEGRAPH_NEO4J_URI", request.getfixturevalue("neo4j_uri"))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, km=_kernel_manager(), timeout=CELL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}", pytrace=False)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors
    # Deprecations are the first sign of a notebook about to break.
    stale = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"
             and ("DeprecationWarning" in o.text or "FutureWarning" in o.text)]
    assert not stale, f"{path.name} uses deprecated behaviour:\n" + "\n".join(stale)


def _tracked_or_present() -> list[Path]:
    """Notebooks in git, plus any on disk (a notebook saved with outputs is caught early)."""
    found = set(NOTEBOOKS)
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--", "*.ipynb"], cwd=ROOT, capture_output=True, text=True,
            check=True, timeout=60,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        listed = []  # not a git checkout (an sdist): the files on disk are all there is
    found |= {ROOT / name for name in listed}
    return sorted(found)


@pytest.mark.parametrize("path", _tracked_or_present(), ids=lambda p: p.stem)
def test_notebook_is_stored_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells and nb.cells[0].cell_type == "markdown", "first cell must state the question"
    assert "question" in nb.cells[0].source.lower()
    assert nb.cells[-1].cell_type == "markdown"
    assert nb.cells[-1].source.startswith("## What we found")
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {number} of {path.name} has outputs"
            assert cell.execution_count is None, f"cell {number} of {path.name} was run"


def test_notebooks_match_their_generator() -> None:
    result = subprocess.run(
        [sys.executable, str(NOTEBOOKS_DIR / "build_notebooks.py"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr

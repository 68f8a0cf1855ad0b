"""The documentation cannot rot: its examples run, their printed output is the one the pages
show, and the site builds without a single warning.

Every ``docs/examples/*.py`` runs from the project root. When ``docs/examples/NAME.txt`` exists
(the pages include it as the example's output), the script must print exactly that. After a
deliberate change of output, rewrite the files with::

    CRIMEGRAPH_UPDATE_DOCS_OUTPUT=1 python -m pytest tests/test_docs.py
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))
UPDATE = os.environ.get("CRIMEGRAPH_UPDATE_DOCS_OUTPUT") == "1"


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _example_params() -> list[object]:
    params: list[object] = []
    for path in EXAMPLES:
        marks = [pytest.mark.neo4j] if path.stem.startswith("neo4j") else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def _run(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def test_examples_are_found() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("path", _example_params())
def test_example_runs(path: Path, request: pytest.FixtureRequest) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}
    if path.stem.startswith("neo4j"):
        env["CRIMEGRAPH_NEO4J_URI"] = request.getfixturevalue("neo4j_uri")
    result = _run([sys.executable, str(path.relative_to(ROOT))], env)
    assert result.returncode == 0, (
        f"{path.name} exited with {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    expected = path.with_suffix(".txt")
    if UPDATE:
        expected.write_text(result.stdout, encoding="utf-8")
    if expected.exists():
        assert result.stdout == expected.read_text(encoding="utf-8"), (
            f"{path.name} no longer prints what the docs show ({expected.name}); if the change "
            "is intended, rerun with CRIMEGRAPH_UPDATE_DOCS_OUTPUT=1"
        )


SNIPPET = re.compile(r'--8<--\s+"([^"]+)"')


def _included() -> set[str]:
    found: set[str] = set()
    for page in DOCS.rglob("*.md"):
        found |= set(SNIPPET.findall(page.read_text(encoding="utf-8")))
    return found


def test_every_example_is_on_a_page() -> None:
    included = _included()
    orphans = [p.name for p in EXAMPLES if f"examples/{p.name}" not in included]
    assert not orphans, f"examples no page includes: {orphans}"
    outputs = sorted((DOCS / "examples").glob("*.txt"))
    orphans = [p.name for p in outputs if f"examples/{p.name}" not in included]
    assert not orphans, f"example outputs no page includes: {orphans}"


def test_gallery_shows_every_figure() -> None:
    gallery = (DOCS / "gallery.md").read_text(encoding="utf-8")
    missing = [p.name for p in sorted((DOCS / "gallery").glob("*.png"))
               if f"gallery/{p.name}" not in gallery]
    assert not missing, f"figures missing from docs/gallery.md: {missing}"


def test_site_builds_without_warnings(tmp_path: Path) -> None:
    if importlib.util.find_spec("mkdocs") is None and not _under_ci():
        pytest.skip("mkdocs is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = _run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                   str(tmp_path / "site")], env)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    assert "WARNING" not in result.stderr, result.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "reference" / "analysis" / "index.html").is_file()

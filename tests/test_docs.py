"""The documentation cannot rot: its examples run, their printed output is the one the pages
show, and the site builds without a single warning.

Every ``docs/examples/*.py`` runs from the project root. When ``docs/examples/NAME.txt`` exists
(the pages include it as the example's output), the script must print exactly that. After a
deliberate change of output, rewrite the files with::

    CRIMEGRAPH_UPDATE_DOCS_OUTPUT=1 python -m pytest tests/test_docs.py

Every fenced ``python`` code block of every page runs too: a page's blocks run in order in one
namespace (as a reader types them into one session), in a fresh interpreter from the project
root with matplotlib's Agg backend; a ``--8<--`` line is replaced by the file it includes. An
HTML comment on the line before a block's opening fence (invisible on the site) says how to run
it:

* ``<!-- docs-test: neo4j -->``: the block needs a Neo4j server; the page then runs only with
  the test server, whose URI is in ``CRIMEGRAPH_NEO4J_URI``;
* ``<!-- docs-test: skip REASON -->``: the block is not meant to run (it shows an error or
  pseudo-code); the reason is required. Keep these rare.
"""

from __future__ import annotations

import importlib.util
import json
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


# -- every python code block of the pages ------------------------------------------------------

PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)[^\n]*$")
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<what>.*?)\s*-->\s*$")
INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$')
RUNNER = """
import json, sys
namespace = {"__name__": "__main__"}
for block in json.load(open(sys.argv[1], encoding="utf-8")):
    exec(compile(block["source"], block["where"], "exec"), namespace)
"""


def _blocks(page: Path) -> list[dict[str, str]]:
    """The page's python blocks: source (includes expanded), where, and its marker (if any)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[dict[str, str]] = []
    k = 0
    while k < len(lines):
        opening = FENCE.match(lines[k])
        if not opening:
            k += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        end = k + 1
        while end < len(lines) and not (lines[end].strip().startswith(fence)
                                        and lines[end].strip().strip(fence[0]) == ""):
            end += 1
        if opening["lang"] == "python":
            body: list[str] = []
            for line in lines[k + 1:end]:
                line = line[len(indent):] if line.startswith(indent) else line.lstrip()
                included = INCLUDE.match(line)
                if included:
                    body += (DOCS / included[1]).read_text(encoding="utf-8").splitlines()
                else:
                    body.append(line)
            before = next((lines[j] for j in range(k - 1, -1, -1) if lines[j].strip()), "")
            marker = MARKER.match(before)
            blocks.append({
                "source": "\n".join(body) + "\n",
                "where": f"{page.relative_to(ROOT).as_posix()}, the block at line {k + 1}",
                "marker": marker["what"] if marker else "",
            })
        k = end + 1
    return blocks


def _page_params() -> list[object]:
    params: list[object] = []
    for page in PAGES:
        blocks = _blocks(page)
        if not blocks:
            continue
        marks = [pytest.mark.neo4j] if any(b["marker"] == "neo4j" for b in blocks) else []
        params.append(pytest.param(page, id=page.relative_to(DOCS).as_posix(), marks=marks))
    return params


def test_code_blocks_are_found() -> None:
    pages = {p.relative_to(DOCS).as_posix() for p in PAGES if _blocks(p)}
    assert {"getting-started.md", "gallery.md", "guide/figures.md", "guide/neo4j.md"} <= pages
    sources = [b["source"] for p in PAGES for b in _blocks(p)]
    assert len(sources) >= 25
    assert not any("--8<--" in source for source in sources)


@pytest.mark.parametrize("page", _page_params())
def test_page_code_blocks_run(page: Path, request: pytest.FixtureRequest,
                              tmp_path: Path) -> None:
    blocks = _blocks(page)
    for block in blocks:
        what = block["marker"]
        assert what in ("", "neo4j") or re.fullmatch(r"skip\s+\S.*", what), (
            f"{block['where']}: unknown marker {what!r} (use 'neo4j' or 'skip REASON')"
        )
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}
    if any(b["marker"] == "neo4j" for b in blocks):
        env["CRIMEGRAPH_NEO4J_URI"] = request.getfixturevalue("neo4j_uri")
    runnable = [b for b in blocks if not b["marker"].startswith("skip")]
    script = tmp_path / "blocks.json"
    script.write_text(json.dumps(runnable), encoding="utf-8")
    result = _run([sys.executable, "-c", RUNNER, str(script)], env)
    assert result.returncode == 0, (
        f"a code block of {page.relative_to(ROOT)} fails:\n{result.stderr[-4000:]}"
    )

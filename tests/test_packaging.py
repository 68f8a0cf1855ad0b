"""The built wheel carries the example cases, the type marker and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    (built,) = out.glob("crimegraph-*.whl")
    return built


def test_wheel_contains_examples_and_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "crimegraph/examples/counterfeit_oil.json" in names
    assert "crimegraph/examples/fake_liquor.json" in names
    assert "crimegraph/py.typed" in names
    for name in ("counterfeit_oil", "fake_liquor"):
        packaged = zipfile.ZipFile(wheel).read(f"crimegraph/examples/{name}.json")
        assert packaged == (ROOT / "fixtures" / f"{name}.json").read_bytes()


def test_load_example_works_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    # Unpack the wheel somewhere else and import crimegraph from there, not from src/.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = ("import crimegraph as cg, sys; "
            "assert cg.__file__.startswith(sys.argv[1]), cg.__file__; "
            "print(cg.example_path('fake_liquor')); "
            "print(len(cg.load_example('counterfeit_oil').warehouses))")
    done = subprocess.run([sys.executable, "-c", code, str(target)], cwd=tmp_path,
                          env={"PYTHONPATH": str(target), "PATH": ""}, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(str(target)) and lines[1] == "7"


def test_console_script_declared(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        entry = next(n for n in zf.namelist() if n.endswith("entry_points.txt"))
        assert "crimegraph = crimegraph.cli:main" in zf.read(entry).decode()


def _pyproject() -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(ROOT / "pyproject.toml", "rb") as file:
        return dict(tomllib.load(file))


def test_notebook_extra_installs_a_front_end_and_the_docs_say_how_to_open() -> None:
    extras = _pyproject()["project"]["optional-dependencies"]
    assert any(req.startswith("jupyterlab") for req in extras["notebook"])
    assert any(req.startswith("ipykernel") for req in extras["notebook"])
    for page in (ROOT / "README.md", ROOT / "docs" / "getting-started.md"):
        text = page.read_text(encoding="utf-8")
        assert "'.[notebook]'" in text and "jupyter lab notebooks/" in text, page.name


def test_wheel_carries_no_compiled_kernel_cache(wheel: Path) -> None:
    # numba caches kernels in __pycache__ next to the source: a developer's cache must not ship.
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if "__pycache__" in n or n.endswith((".nbi", ".nbc", ".pyc"))]


def test_wheel_contains_the_report_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "crimegraph/report/templates/report.html.j2" in names
    assert "crimegraph/report/templates/report.css" in names

"""The code base stays lint-clean (ruff) and type-clean (mypy --strict on the package)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff() -> None:
    done = subprocess.run(["ruff", "check", "src", "tests", "benchmarks", "notebooks", "docs",
                           "fixtures"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_notebooks() -> None:
    """The notebooks' code (their paired scripts) is type-checked too, strictly, except that a
    record looked up by id (``g.get("P-01").name``) is typed as any record: the analyst knows
    which kind it is, the checker cannot."""
    pytest.importorskip("mypy")
    scripts = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert scripts, "no notebook scripts found"
    env = {**os.environ, "MYPYPATH": str(ROOT / "tests")}
    done = subprocess.run([sys.executable, "-m", "mypy", "--disable-error-code", "attr-defined",
                           *scripts], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          check=False, env=env)
    assert done.returncode == 0, done.stdout + done.stderr

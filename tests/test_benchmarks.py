"""The benchmark scripts still run (at a small size); they print figures and assert no times."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT,
        capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_bench_trace_smoke() -> None:
    out = run("bench_trace.py", "--n", "3000", "--repeat", "2")
    assert "speed-up" in out and "vs baseline" in out and "vs C BFS" in out
    assert "B/transaction" in out


@pytest.mark.neo4j
def test_bench_neo4j_smoke(neo4j_uri: str) -> None:
    out = run("bench_neo4j.py", "--n", "2000", "--repeat", "2", "--warm-up", "1", "--warm-up-loads", "1",
              env={"CRIMEGRAPH_NEO4J_URI": neo4j_uri})
    assert "transactions/s" in out and "ratio" in out and "level by level" in out
    assert "processor time per call + results" in out
    if not os.environ.get("CRIMEGRAPH_NEO4J_URI"):  # the project's server has the plugin
        assert "inside the server" in out


def test_bench_ingest_smoke() -> None:
    out = run("bench_ingest.py", "--rows", "3000")
    assert "speed-up: ingest is" in out and "B/row" in out and "naive loop" in out


def test_bench_errors_smoke() -> None:
    out = run("bench_errors.py", "--ids", "5000", "--bad", "3000", "--repeat", "1")
    assert "x baseline" in out and "3,000 problems" not in out
    assert "problems on .problems: 3,000" in out and "... and 2,980 more" in out


def test_bench_analysis_smoke() -> None:
    out = run("bench_analysis.py", "--people", "600")
    assert "x" in out.lower()


def test_bench_startup_smoke() -> None:
    out = run("bench_startup.py", "--runs", "1", "--cold-runs", "1")
    for row in ("import crimegraph", "crimegraph --help", "crimegraph --version",
                "first trace, warm cache", "first trace, cold cache", "x python", "x pandas"):
        assert row in out, out


def test_bench_money_smoke() -> None:
    out = run("bench_money.py", "--n", "5000", "--repeat", "1", "--traces", "10")
    assert out.count("the C BFS (target <= 3x)") == 2 and "processor" in out
    assert "memory over 10 traces" in out


def test_bench_attribution_smoke() -> None:
    out = run("bench_attribution.py", "--n", "5000", "--repeat", "1")
    assert "same answer: True" in out and "speed-up: the kernel is" in out


def test_bench_resolve_smoke() -> None:
    out = run("bench_resolve.py", "--n", "2000")
    assert "exact phone or id baseline" in out and "find_matches + clusters" in out
    assert "time ratio to the baseline: wall" in out and "processor" in out
    assert "targets: F1" in out


def test_bench_export_smoke() -> None:
    out = run("bench_export.py", "--n", "3000")
    for row in ("redact public", "write_gexf", "read_workbook", "x baseline"):
        assert row in out, out

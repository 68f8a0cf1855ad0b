"""The crimegraph command line, run in-process and as the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import crimegraph as cg
from crimegraph.cli import main

from .model.test_case import minimal


def test_demo_traces_the_counterfeit_oil_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "counterfeit-oil-2024" in out
    assert "26 suspects" in out
    assert "1,236,500.00 CNY" in out  # funds frozen
    assert "W-DEN-01" in out and "trace_chain downstream" in out
    assert "provinces reached:" in out
    chain = cg.trace_chain(cg.load_example("counterfeit_oil"), "W-DEN-01")
    assert f"{len(chain.transactions)} shipments" in out


def test_summary_and_validate(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(cg.example_path("fake_liquor"))
    assert main(["summary", path]) == 0
    assert "fake-liquor-zhou" in capsys.readouterr().out
    assert main(["validate", path]) == 0
    assert "valid case 'fake-liquor-zhou'" in capsys.readouterr().out


def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = minimal()
    data["transactions"][0]["quantity"] = -1  # type: ignore[index]
    data["relationships"][0]["source"] = "X"  # type: ignore[index]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "2 problems" in err and "'quantity' = -1" in err and "'source' = 'X'" in err


def test_trace_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "chain.csv"
    path = str(cg.example_path("counterfeit_oil"))
    assert main(["trace", path, "SHOP-17", "--upstream", "--csv", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    chain = cg.trace_chain(cg.load_example("counterfeit_oil"), "SHOP-17", direction="upstream")
    assert len(lines) == len(chain.transactions) + 1
    assert "upstream chain from SHOP-17" in capsys.readouterr().out


def test_errors_exit_2_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(cg.example_path("counterfeit_oil"))
    assert main(["trace", path, "W-DEN-1"]) == 2
    assert "did you mean 'W-DEN-01'" in capsys.readouterr().err
    assert main(["summary", "missing.json"]) == 2


@pytest.mark.skipif(shutil.which("crimegraph") is None, reason="console script not installed")
def test_console_script() -> None:
    done = subprocess.run(["crimegraph", "demo", "--example", "fake_liquor"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "fake-liquor-zhou" in done.stdout


def test_demo_keeps_genuine_inputs_apart_and_retail_leads_last(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--example", "fake_liquor"]) == 0
    out = capsys.readouterr().out
    candidates, rest = out.split("Production candidates", 1)[1].split(
        "Suppliers of genuine inputs", 1)
    assert "W-DEN-A" in candidates
    assert "ORG-SPIRIT" not in candidates and "ORG-RECYCLE" not in candidates
    inputs = rest.split("Where did the goods", 1)[0]
    assert "ORG-SPIRIT" in inputs and "ORG-RECYCLE" in inputs
    stock = out.split("Leads - goods received but not passed on", 1)[1].split("\n\n", 1)[0]
    top = stock.splitlines()[2:7]
    assert len(top) == 5
    assert not [line for line in top if " shop " in line]  # bars and KTVs come after
    assert "29 (26 suspects" not in out and "11 (9 suspects: arrested 7, suspect 2; also witness 2)" in out

"""The crimegraph command line, run in-process and as the installed console script."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import crimegraph as cg
from crimegraph.cli import EXAMPLES, _parser, main

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
    # The report is the command's output, so `crimegraph validate bad.json > problems.txt` keeps it.
    captured = capsys.readouterr()
    out = captured.out
    assert "2 problems" in out and "'quantity' = -1" in out and "'source' = 'X'" in out
    assert captured.err == ""


def test_trace_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "chain.csv"
    path = str(cg.example_path("counterfeit_oil"))
    assert main(["trace", path, "SHOP-17", "--upstream", "--csv", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    chain = cg.trace_chain(cg.load_example("counterfeit_oil"), "SHOP-17", direction="upstream")
    assert len(lines) == len(chain.transactions) + 1
    assert "upstream chain from SHOP-17" in capsys.readouterr().out


def test_trace_csv_that_cannot_be_written_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(cg.example_path("counterfeit_oil"))
    missing = tmp_path / "no-such-folder" / "chain.csv"
    assert main(["trace", path, "SHOP-17", "--upstream", "--csv", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"--csv {missing}: folder {missing.parent} does not exist" in err
    assert main(["trace", path, "SHOP-17", "--upstream", "--csv", str(tmp_path)]) == 2
    assert f"--csv {tmp_path}: is a folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_trace_that_finds_no_shipments_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(cg.example_path("counterfeit_oil"))
    assert main(["trace", path, "W-DEN-01", "--since", "2099-01-01"]) == 0
    out = capsys.readouterr().out
    assert "0 shipments" in out and out.rstrip().endswith("(no shipments)")
    assert "Empty DataFrame" not in out


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


def _trace_out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    path = str(cg.example_path("counterfeit_oil"))
    assert main(["trace", path, "W-DEN-01", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("when", ["2024/04/10", "2024.4.10", "2024-4-10", "2024年4月10日",
                                  "2024-04-10T00:00", "2024-04-10 00:00:00",
                                  "2024-04-10T00:00+08:00"])
def test_trace_accepts_common_date_formats(when: str, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _trace_out(capsys, "--since", "2024-04-10", "--limit", "0")
    assert _trace_out(capsys, "--since", when, "--limit", "0") == expected
    chain = cg.trace_chain(cg.load_example("counterfeit_oil"), "W-DEN-01", since="2024-04-10")
    assert f"{len(chain.transactions)} shipments" in expected


@pytest.mark.parametrize("args", [["--since", "2024/13/01"], ["--until", "April 1st"],
                                  ["--since", "2024-05-01", "--until", "2024/04/01"],
                                  ["--max-hops", "0"], ["--limit", "-1"]])
def test_bad_trace_options_are_one_line_exit_2(args: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = str(cg.example_path("counterfeit_oil"))
    assert main(["trace", path, "W-DEN-01", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1, captured.err
    assert captured.err.startswith("crimegraph: ") and "Traceback" not in captured.err
    if "not a date" in captured.err:
        assert "YYYY-MM-DD" in captured.err and "YYYY/MM/DD" in captured.err


def test_trace_says_when_it_prints_part_of_the_chain(capsys: pytest.CaptureFixture[str]) -> None:
    n = len(cg.trace_chain(cg.load_example("counterfeit_oil"), "W-DEN-01").transactions)
    assert n > 20
    out = _trace_out(capsys)
    assert f"(first 20 of {n} shipments; --csv FILE writes them all" in out
    assert out.count("SHP-") == 20
    out = _trace_out(capsys, "--limit", "5")
    assert f"(first 5 of {n} shipments;" in out and out.count("SHP-") == 5
    out = _trace_out(capsys, "--limit", "0")
    assert "first" not in out and out.count("SHP-") == n
    out = _trace_out(capsys, "--limit", str(n))
    assert "first" not in out and out.count("SHP-") == n


def _actions(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.Action]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += [(f"{name} {a.dest}", a) for _, a in _actions(sub)]
        elif not isinstance(action, argparse._HelpAction):
            found.append((action.dest, action))
    return found


def test_every_option_and_argument_has_help() -> None:
    actions = _actions(_parser())
    assert len(actions) >= 14
    missing = [name for name, action in actions if not action.help]
    assert not missing, f"options without help text: {missing}"


def test_the_cli_knows_the_bundled_examples() -> None:
    assert list(EXAMPLES) == cg.example_names()


def test_report_writes_the_case_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    out = tmp_path / "report.html"
    path = str(cg.example_path("fake_liquor"))
    assert main(["report", path, "-o", str(out), "--sections", "summary, evidence"]) == 0
    assert f"wrote the case report to {out}" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert '<section id="summary"' in text and '<section id="evidence"' in text
    assert '<section id="money"' not in text
    assert "周建国制售假洋酒案" in text
    public = tmp_path / "public.html"
    assert main(["report", path, "-o", str(public), "--redact", "public",
                 "--sections", "org_chart"]) == 0
    assert "(redaction profile 'public')" in capsys.readouterr().out
    text = public.read_text(encoding="utf-8")
    assert "周某某" in text and "周建国" not in text


def test_report_errors_are_one_line_exit_2(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = str(cg.example_path("fake_liquor"))
    out = str(tmp_path / "r.html")
    assert main(["report", path, "-o", out, "--sections", "summary,suspects"]) == 2
    assert capsys.readouterr().err.startswith(
        "crimegraph: sections: unknown section 'suspects'")
    assert main(["report", path, "-o", out, "--redact", "no-such-profile"]) == 2
    assert "no-such-profile" in capsys.readouterr().err
    assert main(["report", path, "-o", str(tmp_path / "no" / "r.html"),
                 "--sections", "summary"]) == 2
    assert "cannot write the case report" in capsys.readouterr().err

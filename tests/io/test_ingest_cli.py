"""``crimegraph ingest``: exports in, a case file, a problems CSV and a one-screen summary out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import crimegraph as cg
from crimegraph.cli import main

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "raw"


def test_ingest_writes_the_case_problems_and_summary(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out, problems = tmp_path / "case.json", tmp_path / "problems.csv"
    status = main(["ingest", "waybills", str(RAW / "waybills.csv"), "-o", str(out),
                   "--problems", str(problems), "--lenient", "--reliability", "B",
                   "--credibility", "2", "--agency", "Hengyun Logistics", "--no-progress"])
    printed = capsys.readouterr()
    assert status == 1  # some rows were bad
    assert "waybills.csv                       392       388         2        2" in printed.out
    assert "cancelled waybill" in printed.out and "385 shipments" in printed.out
    assert printed.err == ""
    case = cg.read_case(out)
    assert len(case.transactions) == 385
    (evidence,) = case.evidence
    assert (evidence.agency, evidence.reliability, evidence.credibility) == (
        "Hengyun Logistics", "B", 2)
    frame = pd.read_csv(problems, encoding="utf-8-sig")
    assert list(frame.columns) == ["source", "row", "column", "value", "message"]
    assert list(frame["row"]) == [63, 253]

    # a second export into the same case
    both = tmp_path / "both.json"
    status = main(["ingest", "call_records", str(RAW / "call_records.csv"), "--into", str(out),
                   "-o", str(both), "--lenient", "--conflicts", str(tmp_path / "c.csv")])
    assert status == 1
    case = cg.read_case(both)
    assert len(case.relationships) == 20 and len(case.evidence) == 2
    assert "谢保山" in (tmp_path / "c.csv").read_text(encoding="utf-8-sig")


def test_strict_ingest_writes_no_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, problems = tmp_path / "case.json", tmp_path / "problems.csv"
    status = main(["ingest", "bank_statements", str(RAW / "bank_statements.xlsx"), "-o",
                   str(out), "--problems", str(problems)])
    printed = capsys.readouterr().out
    assert status == 1 and not out.exists()
    assert "row 103 column '交易金额'" in printed and "nothing was written" in printed
    assert len(pd.read_csv(problems, encoding="utf-8-sig")) == 1


def test_clean_ingest_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ingest", "inspections", str(RAW / "inspections.xlsx"), "-o",
                   str(tmp_path / "c.json")])
    assert status == 0 and "problems: 0" in capsys.readouterr().out


def test_unknown_mapping_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ingest", "waybill", str(RAW / "waybills.csv"), "-o", str(tmp_path / "c")])
    assert status == 2 and "no mapping named 'waybill'" in capsys.readouterr().err

"""``crimegraph export``: every format from a case file, redacted on request."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import crimegraph as cg
from crimegraph.cli import EXPORT_FORMATS, main

CASE = str(cg.example_path("fake_liquor"))


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_writes_each_format(fmt: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"case.{fmt}"
    assert main(["export", CASE, "--format", fmt, "-o", str(out), "--redact", "public"]) == 0
    assert f"wrote {fmt} of case 'fake-liquor-zhou' (public)" in capsys.readouterr().out
    text = out.read_bytes()
    assert text and "周建国".encode() not in text
    if fmt == "graphml":
        assert nx.read_graphml(out).nodes["P-ZHOU"]["label"] == "周某某"
    elif fmt == "ftm":
        entities = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        assert {e["id"] for e in entities} >= {"P-ZHOU", "PAY-0001"}
    elif fmt == "xlsx":
        assert cg.read_workbook(out) == cg.redact(cg.load_example("fake_liquor"), "public")


def test_export_names_a_bad_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", CASE, "--format", "gexf", "-o", str(tmp_path / "x.gexf"),
                 "--redact", "secret"])
    assert code == 2
    assert "redact='secret' is not a redaction profile" in capsys.readouterr().err
    assert not (tmp_path / "x.gexf").exists()


def test_export_names_a_missing_output_folder(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no such folder" / "x.graphml"
    assert main(["export", CASE, "--format", "graphml", "-o", str(out)]) == 2
    assert f"-o {out}: folder {out.parent} does not exist" in capsys.readouterr().err
    assert main(["export", CASE, "--format", "gexf", "-o", str(tmp_path)]) == 2
    assert "is a folder; give the file to write" in capsys.readouterr().err

"""Case files: lossless, byte-stable round trips and errors that say where the file is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crimegraph as cg

from ..model.test_case import minimal


def test_round_trip_is_lossless_and_byte_stable(tmp_path: Path) -> None:
    case = cg.Case.model_validate(minimal(title="Oil ring 假机油"))
    first = cg.write_case(case, tmp_path / "a.json")
    again = cg.read_case(first)
    assert again == case
    second = cg.write_case(again, tmp_path / "b.json")
    assert first.read_bytes() == second.read_bytes()
    assert "假机油" in first.read_text(encoding="utf-8")  # not \\u-escaped


@pytest.mark.parametrize("name", cg.example_names())
def test_examples_round_trip(tmp_path: Path, name: str) -> None:
    case = cg.load_example(name)
    out = cg.write_case(case, tmp_path / f"{name}.json")
    assert cg.read_case(out) == case
    assert out.read_bytes() == cg.example_path(name).read_bytes()


def test_malformed_json_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{\n  "id": "c1",\n  "persons": [\n    {"id": "P1" "name": "x"}\n  ]\n}\n')
    with pytest.raises(cg.CaseFileError, match=r"broken.json: malformed JSON at line 4, column 17"):
        cg.read_case(bad)


def test_missing_file() -> None:
    with pytest.raises(cg.CaseFileError, match="case file not found: .*nowhere.json"):
        cg.read_case("nowhere.json")


def test_invalid_case_file_names_the_file_and_every_problem(tmp_path: Path) -> None:
    data = minimal()
    data["transactions"][0]["product"] = "P-404"  # type: ignore[index]
    data["relationships"][0]["kind"] = "adores"  # type: ignore[index]
    data["warehouses"][0]["uses"] = ["smuggling"]  # type: ignore[index]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    with pytest.raises(cg.InvalidCase) as info:
        cg.read_case(path)
    text = str(info.value)
    assert f"in {path}" in text
    assert "'P-404'" in text and "'adores'" in text and "'smuggling'" in text
    assert len(info.value.problems) == 3


def test_unknown_example_lists_the_available_ones() -> None:
    with pytest.raises(cg.CrimeGraphError, match="available: counterfeit_oil, fake_liquor"):
        cg.load_example("fake_caviar")


def test_write_case_errors_name_the_file_and_leave_nothing(tmp_path: Path) -> None:
    case = cg.Case.model_validate(minimal())
    with pytest.raises(cg.CaseFileError, match=r"cannot write case file .*: it is a folder"):
        cg.write_case(case, tmp_path)
    missing = tmp_path / "no-such-folder" / "case.json"
    with pytest.raises(cg.CaseFileError,
                       match=r"case.json: folder .*no-such-folder does not exist"):
        cg.write_case(case, missing)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_the_old_case_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = cg.write_case(cg.Case.model_validate(minimal(title="first")), tmp_path / "c.json")
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(cg.CaseFileError, match=r"c.json: No space left on device; the file "
                                               "was left as it was"):
        cg.write_case(cg.Case.model_validate(minimal(title="second")), path)
    assert path.read_bytes() == before  # never truncated or half-written
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # no temporary file left


def test_rewrite_keeps_mode_and_follows_a_link(tmp_path: Path) -> None:
    real = cg.write_case(cg.Case.model_validate(minimal(title="first")), tmp_path / "real.json")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    cg.write_case(cg.Case.model_validate(minimal(title="second")), link)
    assert link.is_symlink()
    assert cg.read_case(real).title == "second"
    assert real.stat().st_mode & 0o777 == 0o640

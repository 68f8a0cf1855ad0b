"""Hostile case files: each is rejected by name, or read back unchanged. Nothing else.

``make_hostile_corpus.py`` writes the corpus; every file must either raise ``CaseFileError`` or
``InvalidCase`` whose message says where (file and line or position, or record and field), or
be accepted, in which case writing and reading it again gives an equal case and no record of
the file was lost. Any other exception is a failure.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import crimegraph as cg
from crimegraph.model._checks import SECTIONS

from ..model.test_case import minimal
from .make_hostile_corpus import base_case, write_corpus

_WHERE_IN_FILE = re.compile(r"line \d+|byte \d+|column \d+|top level|in (?:[a-z]+\[\d+\]|case)")


def _raw_record_count(raw: bytes) -> int | None:
    """How many records the file holds, counting repeated keys too (None: not countable)."""
    def keep_all(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for key, value in pairs:
            if key in SECTIONS and isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + value
            else:
                merged[key] = value
        return merged

    try:
        data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=keep_all)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    return sum(len(v) for k, v in data.items() if k in SECTIONS and isinstance(v, list))


def _judge(path: Path, out_dir: Path) -> tuple[str, str]:
    """('rejected', message) | ('accepted', '') | ('foreign', repr) | ('unnamed', message)
    | ('lost', why)."""
    try:
        case = cg.read_case(path)
    except cg.CaseFileError as exc:
        text = str(exc)
        named = str(path) in text and bool(_WHERE_IN_FILE.search(text))
        return ("rejected" if named else "unnamed"), text
    except cg.InvalidCase as exc:
        text = str(exc)
        named = (str(path) in text and bool(exc.problems)
                 and all(p.section and p.field for p in exc.problems)
                 and "field '" in text)
        return ("rejected" if named else "unnamed"), text
    except Exception as exc:
        return "foreign", f"{type(exc).__name__}: {str(exc)[:300]}"
    again_path = cg.write_case(case, out_dir / (path.name + ".out.json"))
    again = cg.read_case(again_path)
    if again != case:
        return "lost", "the case read back differs"
    expected = _raw_record_count(path.read_bytes())
    held = sum(1 for _ in case.records())
    if expected is not None and expected != held:
        return "lost", f"file has {expected} records, case holds {held}"
    return "accepted", ""


def test_the_hostile_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_corpus(tmp_path / "corpus")
    assert len(paths) >= 100
    out = tmp_path / "out"
    out.mkdir()
    verdicts: dict[str, tuple[str, str]] = {path.name: _judge(path, out) for path in paths}
    totals = Counter(kind for kind, _ in verdicts.values())
    with capsys.disabled():
        print(
            f"\nhostile corpus: {len(paths)} files tried, {totals['rejected']} rejected by name, "
            f"{totals['accepted']} accepted and equal, {totals['foreign']} foreign exceptions, "
            f"{totals['lost']} with records lost, {totals['unnamed']} rejected without naming "
            "where"
        )
    bad = {name: v for name, v in verdicts.items() if v[0] not in ("rejected", "accepted")}
    assert not bad, "\n".join(f"{name}: {kind}: {why}" for name, (kind, why) in bad.items())
    # Files meant to be fine are fine, and every other file is rejected.
    for name, (kind, why) in verdicts.items():
        assert (kind == "accepted") == name.startswith("ok_"), f"{name}: {kind}: {why}"


# -- single rules, file level ---------------------------------------------------------------

def test_nan_tokens_are_rejected_by_record_and_field(tmp_path: Path) -> None:
    for token in ("NaN", "Infinity", "-Infinity"):
        path = tmp_path / "nan.json"
        path.write_text(json.dumps(base_case()).replace('"quantity": 40', f'"quantity": {token}'))
        with pytest.raises(cg.InvalidCase,
                           match=r"transactions\[0\] \(id 'T-01'\) field 'quantity' = .*finite"):
            cg.read_case(path)


def test_write_case_writes_strict_json(tmp_path: Path) -> None:
    case = cg.read_case(_write(tmp_path / "c.json", base_case()))
    text = cg.write_case(case, tmp_path / "out.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda token: pytest.fail(f"{token} written"))


def test_repeated_top_level_list_is_named(tmp_path: Path) -> None:
    text = json.dumps(base_case(), indent=2)
    path = tmp_path / "dup.json"
    path.write_text(text[:-1].rstrip() + ',\n  "persons": []\n}', encoding="utf-8")
    with pytest.raises(cg.CaseFileError, match=r"key 'persons' appears twice in the case object"):
        cg.read_case(path)


def test_repeated_field_names_record_and_line(tmp_path: Path) -> None:
    text = json.dumps(base_case(), indent=2).replace('"quantity": 40,',
                                                     '"quantity": 40,\n "quantity": 4000,')
    path = tmp_path / "dup.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cg.CaseFileError) as info:
        cg.read_case(path)
    message = str(info.value)
    assert "key 'quantity' appears twice in transactions[0] (id 'T-01')" in message
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"id": "T-01"' in row)
    assert f"line {line}," in message


def test_repeated_attribute_key_names_the_field(tmp_path: Path) -> None:
    text = json.dumps(base_case()).replace('"gang": "G-1"', '"gang": "G-1", "gang": "G-2"')
    with pytest.raises(cg.CaseFileError,
                       match=r"key 'gang' appears twice in persons\[0\] \(id 'P-01'\) field "
                             r"'attributes'"):
        cg.Case.model_validate_json(text)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(base_case()).encode())
    assert cg.read_case(path).id == "hostile-base"
    assert cg.Case.model_validate_json("\ufeff" + json.dumps(base_case())).id == "hostile-base"
    assert cg.Case.model_validate_json(path.read_bytes()).id == "hostile-base"


@pytest.mark.parametrize(("text", "expected"), [
    ("[" * 100_000 + "]" * 100_000, r"nested more than 100 levels deep at line 1, column 101"),
    ('{"id": "c", "attributes": {"x": ' + "[" * 5000 + "]" * 5000 + "}}",
     r"nested more than 100 levels deep at line 1, column \d+"),
    ('{"id": "c", "title": ' + "9" * 5000 + "}", r"integer of 5,000 digits at line 1, column 22"),
    ("{\n  \"id\": \"c\",", r"malformed JSON at line 2, column 13"),
    ("", r"malformed JSON at line 1, column 1"),
])
def test_unreadable_json_is_a_case_file_error_with_position(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cg.CaseFileError, match=expected):
        cg.read_case(path)
    with pytest.raises(cg.CaseFileError, match=expected.replace("bad.json", "case JSON")):
        cg.Case.model_validate_json(text)


def test_bytes_that_are_not_utf8_name_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "gb.json"
    path.write_bytes(json.dumps(base_case(), ensure_ascii=False).encode("gb18030"))
    with pytest.raises(cg.CaseFileError, match=r"gb.json: not UTF-8 text: byte \d+ \(0x"):
        cg.read_case(path)


def test_model_validate_json_raises_only_crimegraph_errors() -> None:
    for text in ("{", "[1, 2]", '{"id": NaN}', '{"id": "c", "id": "d"}', "\x00"):
        with pytest.raises((cg.CaseFileError, cg.InvalidCase)):
            cg.Case.model_validate_json(text)


@pytest.mark.parametrize("value", [
    10**400, -(10**400), 10**5000, float("nan"), float("inf"), "9" * 5000, [[[[[[[[]]]]]]]],
], ids=["1e400", "-1e400", "1e5000", "nan", "inf", "text5000", "nested"])
@pytest.mark.parametrize("field", ["quantity", "amount", "timestamp", "source", "notes",
                                   "attributes"])
def test_python_values_raise_only_invalid_case(field: str, value: Any) -> None:
    data = minimal()
    data["transactions"][0][field] = {"x": value} if field == "attributes" else value  # type: ignore[index]
    if field in ("notes", "attributes") and isinstance(value, str):
        cg.Case.model_validate(data)  # long text is fine in notes and attributes
        return
    with pytest.raises(cg.InvalidCase) as info:
        cg.Case(**data)
    assert f"field '{field}" in str(info.value)
    assert len(str(info.value)) < 2000


def test_deeply_nested_python_value_is_named() -> None:
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    data = minimal()
    data["persons"][0]["attributes"] = {"x": nested}  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match=r"persons\[0\] \(id 'P1'\) field 'attributes.x'"):
        cg.Case.model_validate(data)


# -- immutability and writing -----------------------------------------------------------------

def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_records_and_cases_cannot_be_assigned() -> None:
    case = cg.Case.model_validate(minimal())
    with pytest.raises(ValueError, match="frozen"):
        case.persons[0].status = "dead"  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        case.transactions[0].quantity = math.nan  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        case.title = "other"  # type: ignore[misc]
    changed = case.persons[0].model_copy(update={"status": "arrested"})
    assert changed.status == "arrested" and case.persons[0].status == "unknown"


def test_a_case_changed_through_its_lists_is_checked_before_writing(tmp_path: Path) -> None:
    case = cg.Case.model_validate(minimal())
    case.persons[0].phones.append("138-0000-0001")
    case.transactions.append(case.transactions[0].model_copy(update={"id": "T3"}))
    path = cg.write_case(case, tmp_path / "fine.json")
    assert cg.read_case(path) == case

    bad = cg.Case.model_validate(minimal())
    bad.transactions.append(bad.transactions[0].model_copy(update={"id": "T9", "source": "X"}))
    bad.persons[1].phones.append(17)  # type: ignore[arg-type]
    bad.persons[0].attributes["score"] = math.nan
    with pytest.raises(cg.InvalidCase) as info:
        cg.write_case(bad, tmp_path / "bad.json")
    text = str(info.value)
    assert "transactions[2] (id 'T9') field 'source' = 'X'" in text
    assert "persons[1] (id 'P2') field 'phones.0' = 17" in text
    assert "persons[0] (id 'P1') field 'attributes.score' = nan" in text
    assert not (tmp_path / "bad.json").exists()

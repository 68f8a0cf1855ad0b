"""The ingest engine's account of every row holds when the model rejects a record late, when
a case grows file by file (``into=``), and when a grading argument is wrong."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import crimegraph as cg
from crimegraph.cli import main

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "raw"

WAYBILL_HEADER = ["运单号", "寄件时间", "寄件人", "寄件人电话", "寄件地址", "收件单位",
                  "货物名称", "件数"]
CALL_HEADER = ["主叫号码", "主叫机主", "被叫号码", "被叫机主", "开始时间", "通话时长(秒)"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def waybill(number: str, day: int, company: str) -> list[str]:
    return [number, f"2024/1/{day} 9:53", "曹文斌", "13800000120", "廊坊市C区17号库", company,
            "机油", "10桶"]


LONG_COMPANY = "润通" * 120  # its id, "org:" and 240 characters, is longer than any id may be


@pytest.fixture
def long_id_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "waybills.csv", WAYBILL_HEADER, [
        waybill("HY1", 5, LONG_COMPANY), waybill("HY2", 6, LONG_COMPANY),
        waybill("HY3", 7, "润通批发部")])


# -- records the model rejects when the case is built ------------------------------------------
def test_a_record_the_model_rejects_is_reported_for_every_row_it_came_from(
        long_id_file: Path) -> None:
    result = cg.ingest(long_id_file, "waybills", strict=False)
    problems = result.problems
    org_id = f"org:{LONG_COMPANY}"
    about_org = problems[problems["message"].str.contains(f"organization {org_id!r} rejected")]
    assert sorted(about_org["row"].tolist()) == [2, 3]
    # the file's column the id was made from, the id, and the field in words
    assert set(about_org["column"]) == {"收件单位"} and set(about_org["value"]) == {org_id}
    assert all("the id is 244 characters long; at most 200 are allowed" in m
               for m in about_org["message"])
    assert not any("String should" in m for m in problems["message"])
    # the shipments made from those rows cannot be kept, and say so
    lost = problems[problems["message"].str.contains("transaction 'wb:HY")]
    assert sorted(zip(lost["row"].tolist(), lost["column"].tolist())) == [(2, "收件单位"),
                                                                       (3, "收件单位")]
    assert all("its target" in m for m in lost["message"])
    assert lost["message"].str.contains("'wb:HY1'").sum() == 1
    assert lost["message"].str.contains("'wb:HY2'").sum() == 1
    assert [t.id for t in result.case.transactions] == ["wb:HY3"]


def test_rows_of_rejected_records_are_counted_rejected(long_id_file: Path) -> None:
    result = cg.ingest(long_id_file, "waybills", strict=False)
    row = result.sources.iloc[0]
    assert (row.rows_read, row.recorded, row.rejected, row.skipped) == (3, 1, 2, 0)
    assert row.rows_read == row.recorded + row.rejected + row.skipped


def test_provenance_lists_only_records_in_the_case(long_id_file: Path) -> None:
    result = cg.ingest(long_id_file, "waybills", strict=False)
    in_case = {r.id for r in result.case.records()}
    listed = set(result.provenance["record"])
    assert listed <= in_case
    assert "wb:HY1" not in listed and f"org:{LONG_COMPANY}" not in listed


def test_strict_ingest_names_every_rejected_record(long_id_file: Path) -> None:
    with pytest.raises(cg.InvalidSource) as caught:
        cg.ingest(long_id_file, "waybills")
    text = str(caught.value)
    assert "wb:HY1" in text and "wb:HY2" in text and "at most 200 are allowed" in text


# -- into=: strictness is about this call's files ----------------------------------------------
def test_strict_ingest_into_a_lenient_result_judges_only_the_new_files(tmp_path: Path) -> None:
    first = cg.ingest(RAW / "waybills.csv", "waybills", strict=False)
    assert len(first.problems) > 0
    calls = write_csv(tmp_path / "calls.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024-01-05 10:00:00", "60"]])
    result = cg.ingest(calls, "call_records", into=first)
    assert len(result.problems) == len(first.problems)  # still the whole account
    assert result.case.get("calls:+8613800000101>+8613800000103").weight == 1.0
    bad = write_csv(tmp_path / "bad_calls.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "not a time", "60"]])
    with pytest.raises(cg.InvalidSource, match="bad_calls.csv row 2") as caught:
        cg.ingest(bad, "call_records", into=first)
    assert "waybills.csv" not in str(caught.value)


# -- into=: values of the case are kept, counts add up ---------------------------------------
def test_a_value_set_to_the_model_default_is_not_overwritten(tmp_path: Path) -> None:
    case = cg.Case(id="c", organizations=[
        cg.Organization(id="org:恒运物流", name="恒运物流", kind="company")])
    path = write_csv(tmp_path / "k.csv", ["运单号", "寄件时间", "承运公司", *WAYBILL_HEADER[2:]],
                     [["HY1", "2024/1/5 9:53", "恒运物流", "曹文斌", "13800000120", "廊坊C区",
                       "润通批发部", "机油", "10桶"]])
    result = cg.ingest(path, "waybills", into=case)
    assert result.case.get("org:恒运物流").kind == "company"
    conflict = result.conflicts[result.conflicts["field"] == "kind"]
    assert conflict[["record", "kept", "other"]].values.tolist() == [
        ["org:恒运物流", "company", "logistics"]]


@pytest.fixture
def monthly_calls(tmp_path: Path) -> tuple[Path, Path]:
    jan = write_csv(tmp_path / "jan.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024-01-05 10:00:00", "60"],
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024-01-06 10:00:00", "60"]])
    feb = write_csv(tmp_path / "feb.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024-02-05 10:00:00", "60"]])
    return jan, feb


def test_calls_loaded_file_by_file_add_up(monthly_calls: tuple[Path, Path]) -> None:
    jan, feb = monthly_calls
    step = cg.ingest(feb, "call_records", into=cg.ingest(jan, "call_records"))
    calls = step.case.get("calls:+8613800000101>+8613800000103")
    assert calls.weight == 3.0
    assert (calls.since.day, calls.since.month) == (5, 1)
    assert (calls.until.day, calls.until.month) == (5, 2)
    assert len(step.conflicts) == 0


def test_loading_in_parts_gives_the_case_loaded_at_once(
        monthly_calls: tuple[Path, Path]) -> None:
    jan, feb = monthly_calls
    once = cg.ingest([jan, feb], "call_records")
    step = cg.ingest(feb, "call_records", into=cg.ingest(jan, "call_records"))
    assert step.case.model_dump() == once.case.model_dump()


def test_the_same_calls_file_read_again_counts_once(monthly_calls: tuple[Path, Path]) -> None:
    jan, _ = monthly_calls
    again = cg.ingest(jan, "call_records", into=cg.ingest(jan, "call_records"))
    assert again.case.get("calls:+8613800000101>+8613800000103").weight == 2.0


def test_two_calls_in_one_minute_are_two_calls(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "minute.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024/3/5 14:22", "12"],
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024/3/5 14:22", "310"],
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024/3/5 14:22", "310"]])
    result = cg.ingest(path, "call_records")
    # the third row repeats the second in every cell: one call exported twice
    assert result.case.relationships[0].weight == 2.0


def test_two_calls_in_one_minute_count_across_chunks(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "minute.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024/3/5 14:22", "12"],
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024/3/5 14:22", "310"],
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024/3/5 14:22", "310"]])
    assert cg.ingest(path, "call_records", chunk_size=1).case.relationships[0].weight == 2.0


# -- grading ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("argument", "value", "error", "words"), [
    ("reliability", "b", cg.InvalidArgument, r"reliability must be one of A, .* not 'b'.*'B'"),
    ("reliability", "G", cg.InvalidArgument, r"reliability must be one of .* not 'G'"),
    ("reliability", 2, cg.WrongArgumentType, r"reliability must be one of the letters A-F"),
    ("credibility", 7, cg.InvalidArgument, r"credibility must be one of 1, .* not 7"),
    ("credibility", True, cg.WrongArgumentType, r"credibility must be a whole number"),
    ("credibility", "3", cg.WrongArgumentType, r"credibility must be a whole number.*'3'"),
    ("agency", 5, cg.WrongArgumentType, r"agency must be text"),
])
def test_a_wrong_grade_is_refused_before_any_file_is_read(
        tmp_path: Path, argument: str, value: object, error: type[Exception],
        words: str) -> None:
    missing = tmp_path / "not_there.csv"  # refused before the file is looked for
    with pytest.raises(error, match=words):
        cg.ingest(missing, "call_records", strict=False, **{argument: value})  # type: ignore[arg-type]


def test_a_file_read_again_with_another_grade_reports_the_difference(
        monthly_calls: tuple[Path, Path]) -> None:
    jan, _ = monthly_calls
    first = cg.ingest(jan, "call_records", reliability="B", credibility=2)
    again = cg.ingest(jan, "call_records", into=first, reliability="C", credibility=2,
                      agency="city police")
    evidence = again.case.get("src:jan.csv")
    assert (evidence.reliability, evidence.credibility) == ("B", 2)
    assert len(again.case.evidence) == 1
    graded = again.conflicts[again.conflicts["type"] == "evidence"]
    assert sorted(map(tuple, graded[["record", "field", "kept", "other"]].values.tolist())) == [
        ("src:jan.csv", "agency", "telecom operator", "city police"),
        ("src:jan.csv", "reliability", "B", "C")]


def test_a_file_read_again_fills_in_a_grade_it_lacked(
        monthly_calls: tuple[Path, Path]) -> None:
    jan, _ = monthly_calls
    again = cg.ingest(jan, "call_records", into=cg.ingest(jan, "call_records"),
                      reliability="A", credibility=1)
    evidence = again.case.get("src:jan.csv")
    assert (evidence.reliability, evidence.credibility) == ("A", 1)
    assert len(again.conflicts) == 0


# -- a file that gave nothing ------------------------------------------------------------------
def test_a_header_only_file_is_reported_and_makes_no_evidence(
        tmp_path: Path, monthly_calls: tuple[Path, Path]) -> None:
    jan, _ = monthly_calls
    empty = write_csv(tmp_path / "march.csv", CALL_HEADER, [])
    result = cg.ingest([jan, empty], "call_records", strict=False)
    assert [e.id for e in result.case.evidence] == ["src:jan.csv"]
    assert result.problems[["source", "message"]].values.tolist() == [
        ["march.csv", "the file has a header but no rows"]]
    march = result.sources[result.sources["source"] == "march.csv"].iloc[0]
    assert pd.isna(march["evidence"]) and march["rows_read"] == 0


# -- the command line's exit status ------------------------------------------------------------
def test_cli_exits_zero_when_every_row_loaded_beside_an_unmapped_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "calls.csv", [*CALL_HEADER, "备注"], [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024-01-05 10:00:00", "60", "x"]])
    out = tmp_path / "case.json"
    status = main(["ingest", "call_records", str(path), "-o", str(out), "--lenient",
                   "--no-progress"])
    printed = capsys.readouterr().out
    assert "column not in the mapping" in printed  # reported, and still every row loaded
    assert status == 0 and out.exists()


def test_cli_exits_one_when_a_row_was_rejected(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "calls.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024-01-05 10:00:00", "60"],
        ["13800000101", "王德胜", "13800000103", "孙丽华", "not a time", "60"]])
    out = tmp_path / "case.json"
    status = main(["ingest", "call_records", str(path), "-o", str(out), "--lenient",
                   "--no-progress"])
    assert status == 1 and out.exists()
    assert "not a date or time" in capsys.readouterr().out


@pytest.mark.parametrize("lenient", [["--lenient"], []])
def test_cli_missing_input_file_exits_two_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lenient: list[str]) -> None:
    good = write_csv(tmp_path / "calls.csv", CALL_HEADER, [
        ["13800000101", "王德胜", "13800000103", "孙丽华", "2024-01-05 10:00:00", "60"]])
    out = tmp_path / "case.json"
    status = main(["ingest", "call_records", str(good), str(tmp_path / "no_such.csv"),
                   "-o", str(out), "--no-progress", *lenient])
    assert status == 2 and not out.exists()
    assert "no such file" in capsys.readouterr().err


def test_cli_unreadable_input_exits_two(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "case.json"
    status = main(["ingest", "call_records", str(tmp_path), "-o", str(out), "--lenient",
                   "--no-progress"])
    assert status == 2 and not out.exists()
    assert "not a file" in capsys.readouterr().err


# -- files that share a name -------------------------------------------------------------------
def test_two_files_of_one_name_are_told_apart_by_their_folders(tmp_path: Path) -> None:
    header = ["交易流水号", "交易时间", "付款方户名", "付款方预留手机号", "收款方户名", "交易金额"]
    paths = []
    for bank, number, amount in (("bankA", "S", "oops"), ("bankB", "T", "bad")):
        (tmp_path / bank).mkdir()
        paths.append(write_csv(tmp_path / bank / "statements.csv", header, [
            [f"{number}1", "2024-01-05 10:00", "王德胜", "13800000101", "鑫源公司", "1000"],
            [f"{number}2", "2024-01-06", "王德胜", "13800000101", "鑫源公司", amount]]))
    result = cg.ingest(paths, "bank_statements", strict=False)
    assert result.problems[["source", "row", "value"]].values.tolist() == [
        ["bankA/statements.csv", 3, "oops"], ["bankB/statements.csv", 3, "bad"]]
    assert result.sources[["source", "evidence"]].values.tolist() == [
        ["bankA/statements.csv", "src:bankA/statements.csv"],
        ["bankB/statements.csv", "src:bankB/statements.csv"]]
    payer = result.case.get("tel:+8613800000101")
    assert payer.attributes["rows"] == "bankA/statements.csv:2;bankB/statements.csv:2"
    assert sorted(result.provenance["source"].unique()) == ["bankA/statements.csv",
                                                             "bankB/statements.csv"]


def test_a_file_of_a_unique_name_keeps_its_bare_name(monthly_calls: tuple[Path, Path]) -> None:
    jan, feb = monthly_calls
    result = cg.ingest([jan, feb, jan], "call_records")
    assert result.sources["source"].tolist() == ["jan.csv", "feb.csv", "jan.csv"]


# -- inspections: each its own evidence record -----------------------------------------------
INSPECTION_HEADER = ["检查编号", "检查日期", "被检查单位", "统一社会信用代码", "经营地址",
                     "检查结果"]


def test_a_shop_inspected_twice_keeps_both_inspections(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "inspections.csv", INSPECTION_HEADER, [
        ["SJ-01", "2024.3.14", "宋都汽配商行", "92401700MA00000017", "某路1号", "未发现问题"],
        ["SJ-07", "2024.6.02", "宋都汽配商行", "92401700MA00000017", "某路1号",
         "查获假冒机油120桶"]])
    result = cg.ingest(path, "inspections", reliability="B", credibility=2)
    assert len(result.conflicts) == 0
    shop = result.case.get("org:宋都汽配商行")
    assert shop.evidence == ["insp:SJ-01", "insp:SJ-07", "src:inspections.csv"]
    found = []
    for number in ("SJ-01", "SJ-07"):
        inspection = result.case.get(f"insp:{number}")
        assert isinstance(inspection, cg.Evidence)
        assert (inspection.kind, inspection.reference, inspection.agency,
                inspection.reliability, inspection.credibility) == (
            "inspection", number, "market regulator", "B", 2)
        assert inspection.evidence == ["src:inspections.csv"]
        found.append((str(inspection.date), inspection.attributes["finding"]))
    assert found == [("2024-03-14", "未发现问题"), ("2024-06-02", "查获假冒机油120桶")]


def test_an_inspection_file_read_again_adds_no_record(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "inspections.csv", INSPECTION_HEADER, [
        ["SJ-01", "2024.3.14", "宋都汽配商行", "92401700MA00000017", "某路1号", "未发现问题"]])
    first = cg.ingest(path, "inspections")
    again = cg.ingest(path, "inspections", into=first)
    assert sorted(e.id for e in again.case.evidence) == ["insp:SJ-01", "src:inspections.csv"]
    assert len(again.conflicts) == 0


def test_a_mapping_may_not_cite_evidence_from_a_link() -> None:
    mapping = cg.load_mapping("call_records").model_dump(by_alias=True)
    mapping["records"][2]["fields"]["evidence"] = "@caller"
    with pytest.raises(cg.MappingError, match="a relationship has no field 'evidence'"):
        cg.load_mapping(mapping)


def test_a_file_of_a_name_the_case_has_is_told_apart_by_its_folder(tmp_path: Path) -> None:
    header = ["交易流水号", "交易时间", "付款方户名", "付款方预留手机号", "收款方户名", "交易金额"]
    paths = []
    for bank, number in (("bankA", "S"), ("bankB", "T")):
        (tmp_path / bank).mkdir()
        paths.append(write_csv(tmp_path / bank / "statements.csv", header, [
            [f"{number}1", "2024-01-05 10:00", "王德胜", "13800000101", "鑫源公司", "1000"]]))
    first = cg.ingest(paths[0], "bank_statements")
    second = cg.ingest(paths[1], "bank_statements", into=first)
    assert second.sources["source"].tolist() == ["statements.csv", "bankB/statements.csv"]
    assert sorted(e.id for e in second.case.evidence) == ["src:bankB/statements.csv",
                                                          "src:statements.csv"]
    again = cg.ingest(paths[0], "bank_statements", into=first)  # the same file: same name
    assert again.sources["source"].tolist() == ["statements.csv", "statements.csv"]
    assert [e.id for e in again.case.evidence] == ["src:statements.csv"]


def test_a_counted_relationship_to_a_rejected_person_is_reported(tmp_path: Path) -> None:
    mapping = {
        "name": "contacts", "title": "Contacts", "evidence_kind": "document",
        "columns": {"a": {"header": "甲", "required": True},
                    "b": {"header": "乙", "required": True}},
        "records": [
            {"as": "a", "type": "person", "id": "p:{a}", "fields": {"name": "a"}},
            {"as": "b", "type": "person", "id": "p:{b}", "fields": {"name": "b"}},
            {"as": "met", "type": "relationship", "id": "met:{a}>{b}",
             "fields": {"source": "@a", "target": "@b"}, "set": {"kind": "associate"},
             "count_into": "weight"}],
    }
    long_name = "王" * 230
    path = write_csv(tmp_path / "contacts.csv", ["甲", "乙"], [
        ["张三", long_name], ["张三", long_name], ["张三", "李四"]])
    result = cg.ingest(path, mapping, strict=False)
    lost = result.problems[result.problems["message"].str.contains("relationship 'met:")]
    assert sorted(lost["row"].tolist()) == [2, 3] and set(lost["column"]) == {"乙"}
    assert [r.id for r in result.case.relationships] == ["met:张三>李四"]
    row = result.sources.iloc[0]
    assert (row.recorded, row.rejected) == (1, 2)


@pytest.mark.parametrize(("field", "value", "kind", "words"), [
    ("id", "a\u200bb", "string_pattern_mismatch", "the id contains U+200B (ZERO WIDTH SPACE)"),
    ("id", "a" * 201, "string_too_long", "the id is 201 characters long; at most 200"),
    ("currency", "cny", "string_pattern_mismatch", "the currency 'cny' is no three-letter"),
    ("name", " ", "string_pattern_mismatch", "name: a name must not be empty"),
])
def test_the_model_s_refusals_are_said_in_words(field: str, value: str, kind: str,
                                                words: str) -> None:
    from crimegraph.io.sources.engine import _in_words

    error = {"type": kind, "input": value, "msg": "String should match pattern '^x$'",
             "ctx": {"max_length": 200}}
    said = _in_words(error, field)
    assert said.startswith(words) and "String should" not in said

"""The ingest engine's account of every row holds when the model rejects a record late, when
a case grows file by file (``into=``), and when a grading argument is wrong."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import crimegraph as cg

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
    assert set(about_org["column"]) == {"id"} and set(about_org["value"]) == {org_id}
    assert all("244 characters long; at most 200 are allowed" in m
               for m in about_org["message"])
    assert not any("String should" in m for m in problems["message"])
    # the shipments made from those rows cannot be kept, and say so
    lost = problems[problems["message"].str.contains("transaction 'wb:HY")]
    assert sorted(zip(lost["row"].tolist(), lost["column"].tolist())) == [(2, "target"),
                                                                       (3, "target")]
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

"""Values that used to be read wrong without a word: odd times, placeholder text, invisible
characters, spaced waybill numbers, workbooks with several sheets, files that mix encodings
and lines that end in a separator."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crimegraph as cg
from crimegraph.io.sources import parse

CALLS = "主叫号码,主叫机主,被叫号码,被叫机主,开始时间"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def calls(tmp_path: Path, times: list[str], name: str = "calls.csv") -> Path:
    lines = [CALLS] + [f"1380000010{i},王德胜,1390000010{i},孙丽华,{time}"
                       for i, time in enumerate(times)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- dates and times -------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-05 14:22:07.123", datetime.datetime(2024, 3, 5, 14, 22, 7, 123_000)),
    ("2024-03-05 14:22:07.5", datetime.datetime(2024, 3, 5, 14, 22, 7, 500_000)),
    ("2024-03-05T14:22:07.123456", datetime.datetime(2024, 3, 5, 14, 22, 7, 123_456)),
    ("20240305T142207", datetime.datetime(2024, 3, 5, 14, 22, 7)),
    ("20240305T1422", datetime.datetime(2024, 3, 5, 14, 22)),
    ("2024.3.5 14:22", datetime.datetime(2024, 3, 5, 14, 22)),
    ("2024-02-29 23:59:59", datetime.datetime(2024, 2, 29, 23, 59, 59)),
])
def test_times_without_an_offset_are_local_and_keep_their_fraction(
        text: str, expected: datetime.datetime) -> None:
    parsed = parse.parse_column("datetime", pd.Series([text], dtype=object), None, SHANGHAI)
    assert not parsed.bad[0]
    assert parsed.values[0] == expected.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "utc"), [
    ("2024-03-05T14:22:07+08:00", datetime.datetime(2024, 3, 5, 6, 22, 7)),
    ("2024-03-05T06:22:07Z", datetime.datetime(2024, 3, 5, 6, 22, 7)),
    ("2024-03-05T14:22:07.5+0800", datetime.datetime(2024, 3, 5, 6, 22, 7, 500_000)),
])
def test_times_with_an_offset_are_that_instant(text: str, utc: datetime.datetime) -> None:
    parsed = parse.parse_column("datetime", pd.Series([text], dtype=object), None, SHANGHAI)
    assert not parsed.bad[0]
    assert parsed.values[0] == utc.replace(tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(("text", "why"), [
    ("2024-06-30 25:61:00", "no such date or time"),
    ("2024-03-05 24:00", "no such date or time"),
    ("2024-03-05 14:60", "no such date or time"),
    ("2023-02-29", "no such date or time"),
    ("2024-04-31 10:00", "no such date or time"),
    ("2024-03", "a year or a month without its day is no date"),
    ("2024", "a year or a month without its day is no date"),
    ("2024-03+08:00", "not a date or time"),
])
def test_impossible_and_incomplete_dates_are_refused(text: str, why: str) -> None:
    parsed = parse.parse_column("datetime", pd.Series([text, "2024-3-5"], dtype=object), None,
                                SHANGHAI)
    assert parsed.bad.tolist() == [True, False]
    assert parsed.values[0] is None
    reason = parsed.why if isinstance(parsed.why, str) else parsed.why.iloc[0]
    assert why in reason


def test_a_strict_ingest_names_each_wrong_time(tmp_path: Path) -> None:
    path = calls(tmp_path, ["2024-06-30 25:61:00", "2024-03-05 14:22:07.123", "2024-03",
                            "2024", "20240305T142207"])
    with pytest.raises(cg.InvalidSource) as caught:
        cg.ingest(path, "call_records")
    problems = caught.value.problems
    assert [(p.row, p.value) for p in problems] == [
        (2, "2024-06-30 25:61:00"), (4, "2024-03"), (5, "2024")]
    assert all(p.column == "开始时间" for p in problems)
    result = cg.ingest(path, "call_records", strict=False)
    since = sorted(rel.since for rel in result.case.relationships if rel.since)
    assert [t.isoformat() for t in since] == ["2024-03-05T14:22:07+08:00",
                                              "2024-03-05T14:22:07.123000+08:00"]


PARTS = st.tuples(st.integers(1899, 2200), st.integers(0, 14), st.integers(0, 33),
                  st.integers(0, 26), st.integers(0, 62), st.one_of(st.none(),
                                                                     st.integers(0, 62)))


@given(st.lists(PARTS, min_size=1, max_size=40))
def test_times_read_by_shape_equal_datetime_made_value_by_value(parts: list[Any]) -> None:
    values = [f"{y}-{mo}-{d} {h}:{mi}" + ("" if s is None else f":{s}")
              for y, mo, d, h, mi, s in parts]
    col = pd.Series(values, dtype=object)
    expected = []
    for y, mo, d, h, mi, s in parts:
        try:
            expected.append(datetime.datetime(y, mo, d, h, mi, s or 0))
        except ValueError:
            expected.append(pd.NaT)
    got = parse._common_times(col)
    assert got.equals(pd.Series(expected, dtype="datetime64[us]"))
    # and the whole parser says so: impossible times are refused, the others read
    parsed = parse.parse_column("datetime", col, None, None)
    made = np.array([e is not pd.NaT and 1900 <= e.year <= 2199 for e in expected])
    assert (~parsed.bad == made).all()


# -- placeholders and invisible characters ---------------------------------------------------
WAYBILLS = "运单号,寄件时间,寄件人,寄件人电话,寄件地址,收件单位,收件人电话,收件地址,货物名称,件数"


def waybills(tmp_path: Path, rows: list[str], name: str = "waybills.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([WAYBILLS, *rows]) + "\n", encoding="utf-8")
    return path


def shipment(waybill: str, receiver: str, address: str = "石家庄3排12号",
             sender_address: str = "廊坊C区") -> str:
    return (f"{waybill},2024/1/5 9:53,曹文斌,13800000120,{sender_address},{receiver},"
            f"13900000301,{address},机油,10")


@pytest.mark.parametrize("placeholder", sorted(parse.PLACEHOLDERS))
def test_placeholder_text_is_blank_not_an_organization(tmp_path: Path,
                                                        placeholder: str) -> None:
    path = waybills(tmp_path, [shipment("A1", placeholder, "石家庄3排12号"),
                               shipment("A2", placeholder, "郑州某路33号"),
                               shipment("A3", "润通批发部", placeholder)])
    result = cg.ingest(path, "waybills", strict=False)
    assert [o.id for o in result.case.organizations] == ["org:润通批发部"]
    targets = {t.id: t.target for t in result.case.transactions}
    assert targets == {"wb:A1": "addr:石家庄3排12号", "wb:A2": "addr:郑州某路33号",
                       "wb:A3": "org:润通批发部"}
    assert not {p.id for p in result.case.warehouses} & {f"addr:{placeholder}"}


def test_a_placeholder_is_blank_in_any_column(tmp_path: Path) -> None:
    header = "运单号,寄件时间,寄件单位,收件单位,收件人电话,货物名称,件数,货值"
    path = tmp_path / "w.csv"
    path.write_text(f"{header}\n"
                    "A1,2024-03-09 12:43,车友汇,红谷汽配,NULL,机油,10,NaN\n"
                    "A2,2024-03-09 12:43,车友汇,红谷汽配,N/A,机油,#N/A,12\n"
                    ",,,,,,,\n"
                    "-,NULL,NaN,N/A,--,None,nan,NULL\n", encoding="utf-8")
    result = cg.ingest(path, "waybills", strict=False)
    first = result.case.get("wb:A1")
    assert isinstance(first, cg.Transaction) and first.amount is None
    assert not result.case.persons  # no receiver by a phone "NULL"
    assert [(p.row, p.column, p.message) for p in result.problems.itertuples()] == [
        (3, "件数", "required value is blank")]
    # a row of placeholders is a blank row, as a row of blank cells is
    assert result.sources[["rows_read", "recorded", "rejected", "skipped"]].values.tolist() == [
        [4, 1, 1, 2]]


def test_a_placeholder_waybill_number_makes_no_shipment(tmp_path: Path) -> None:
    result = cg.ingest(waybills(tmp_path, [shipment("NULL", "润通批发部"),
                                           shipment("A2", "润通批发部")]),
                       "waybills", strict=False)
    assert [t.id for t in result.case.transactions] == ["wb:A2"]
    assert result.problems["row"].tolist() == [2]
    assert result.problems[["column", "message"]].values.tolist() == [
        ["运单号", "required value is blank"]]


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u200e"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_characters_leave_names_ids_and_addresses(tmp_path: Path, mark: str) -> None:
    path = waybills(tmp_path, [shipment("HY1", f"润通{mark}批发部", f"石家庄{mark}3排12号"),
                               shipment(f"HY{mark}2", "润通批发部", "石家庄3排12号",
                                        f"廊坊{mark}C区"),
                               shipment("HY3", mark, "石家庄3排12号")])
    result = cg.ingest(path, "waybills")
    assert [(o.id, o.name) for o in result.case.organizations] == [("org:润通批发部", "润通批发部")]
    assert sorted(p.id for p in result.case.warehouses) == ["addr:廊坊C区", "addr:石家庄3排12号"]
    assert sorted(t.id for t in result.case.transactions) == ["wb:HY1", "wb:HY2", "wb:HY3"]
    assert result.case.get("wb:HY3").target == "addr:石家庄3排12号"  # type: ignore[attr-defined]
    assert parse.address_key(f"润通 {mark} 批发部") == "润通批发部"
    assert parse.key_series(pd.Series([f"A {mark}B", "润通"], dtype=object)).tolist() == [
        "A B", "润通"]


# -- identifiers -----------------------------------------------------------------------------
def test_a_waybill_number_with_spaces_or_dashes_is_one_shipment(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("订单编号,发货时间,店铺名称,买家名称,商品名称,购买数量,物流单号\n"
                      "Q1,2024-03-09 12:43,车友汇,红谷汽配,机油,10,HY 1691 0508 64\n"
                      "Q2,2024-03-09 12:50,车友汇,红谷汽配,机油,5,HY-1691-0508-65\n",
                      encoding="utf-8")
    bills = tmp_path / "bills.csv"
    bills.write_text("运单号,寄件时间,寄件单位,收件单位,货物名称,件数\n"
                     "HY1691050864,2024-03-09 12:43,车友汇,红谷汽配,机油,10\n"
                     "ＨＹ１６９１０５０８６５,2024-03-09 12:50,车友汇,红谷汽配,机油,5\n",
                     encoding="utf-8")
    result = cg.ingest([(orders, "orders"), (bills, "waybills")])
    got = sorted((t.id, t.quantity, t.reference) for t in result.case.transactions)
    assert got == [("wb:HY1691050864", 10.0, "HY1691050864"),
                   ("wb:HY1691050865", 5.0, "HY1691050865")]


def test_identifiers_lose_spaces_and_dashes_but_addresses_stay_readable() -> None:
    col = pd.Series(["HY 1691-0508 64", "hy1691050864", "", "-", "\u200b"], dtype=object)
    assert parse.parse_column("identifier", col, None).values.tolist() == [
        "HY1691050864", "hy1691050864", None, None, None]
    address = parse.parse_column("address", pd.Series(["Mobil 1  5W-30 路 3-5号"], dtype=object),
                                 None)
    assert address.values.tolist() == ["Mobil 1 5W-30 路 3-5号"]


# -- workbooks -------------------------------------------------------------------------------
STATEMENT = ["交易流水号", "交易时间", "付款方户名", "付款方预留手机号", "收款方户名", "交易金额"]


def workbook(tmp_path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "账户1"
    first.append(STATEMENT)
    first.append(["S1", "2024-01-05 10:00", "王德胜", "13800000101", "鑫源公司", "1000"])
    first.append(["S3", "2024-01-07 10:00", "王德胜", "13800000101", "鑫源公司", "abc"])
    second = book.create_sheet("账户2")
    second.append(STATEMENT)
    second.append(["S2", "2024-01-06 10:00", "王德胜", "13800000101", "瑞通公司", "5000"])
    book.create_sheet("Sheet3")  # empty: left out
    notes = book.create_sheet("说明")
    notes.append(["导出说明"])
    notes.append(["本表由银行导出"])
    path = tmp_path / "statements.xlsx"
    book.save(path)
    return path


def test_every_sheet_of_a_workbook_is_read_or_reported(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    result = cg.ingest(path, "bank_statements", strict=False)
    assert sorted(t.id for t in result.case.transactions) == ["bank:S1", "bank:S2"]
    assert result.sources["source"].tolist() == [
        "statements.xlsx[账户1]", "statements.xlsx[账户2]", "statements.xlsx[说明]"]
    assert result.sources["rows_read"].tolist() == [2, 1, 0]
    problems = result.problems
    bad_value = problems[(problems["column"] == "交易金额") & problems["row"].notna()]
    assert bad_value[["source", "row", "value"]].values.tolist() == [
        ["statements.xlsx[账户1]", 3, "abc"]]
    notes = problems[problems["source"] == "statements.xlsx[说明]"]
    assert notes["message"].str.contains("required column missing").any()
    assert sorted(set(result.provenance.loc[result.provenance.record == "bank:S2", "source"])) \
        == ["statements.xlsx[账户2]"]
    with pytest.raises(cg.InvalidSource, match=r"statements.xlsx\[说明\]"):
        cg.ingest(path, "bank_statements")


def test_a_mapping_may_name_the_one_sheet_to_read(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    mapping = cg.load_mapping("bank_statements").model_copy(update={"sheet": "账户2"})
    result = cg.ingest(path, mapping)
    assert [t.id for t in result.case.transactions] == ["bank:S2"]
    assert result.sources["source"].tolist() == ["statements.xlsx"]


def test_a_workbook_with_one_filled_sheet_is_named_as_the_file(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(STATEMENT)
    sheet.append(["S1", "2024-01-05 10:00", "王德胜", "13800000101", "鑫源公司", "1000"])
    book.create_sheet("Sheet2")
    book.save(tmp_path / "one.xlsx")
    result = cg.ingest(tmp_path / "one.xlsx", "bank_statements")
    assert result.sources["source"].tolist() == ["one.xlsx"]
    assert [t.id for t in result.case.transactions] == ["bank:S1"]


# -- mixed encodings -------------------------------------------------------------------------
def test_a_gb18030_file_with_a_utf8_row_rejects_that_row_only(tmp_path: Path) -> None:
    header = (CALLS + "\n").encode("gb18030")
    good = "13800000101,王德胜,13800000103,孙丽华,2024-01-05 10:00\n".encode("gb18030")
    utf8 = "13800000102,刘振江,13800000103,孙丽华,2024-01-06 10:00\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(header + good * 50 + utf8 + good)
    result = cg.ingest(path, "call_records", strict=False)
    assert result.sources[["encoding", "rows_read", "recorded", "rejected"]].values.tolist() == [
        ["gb18030", 52, 51, 1]]
    (problem,) = result.problems.itertuples(index=False)
    assert problem.row == 52 and "not gb18030 text" in problem.message
    assert "encoding=" in problem.message
    assert {p.name for p in result.case.persons} == {"王德胜", "孙丽华"}


def test_the_encoding_that_reads_the_header_and_most_lines_is_chosen() -> None:
    from crimegraph.io.sources.read import detect_encoding

    gb, u8 = "王德胜,孙丽华\n".encode("gb18030"), "刘振江,孙丽华\n".encode()
    assert detect_encoding(gb + gb * 5 + u8) == "gb18030"
    assert detect_encoding(u8 + u8 * 5 + gb) == "utf-8"
    assert detect_encoding(u8 + gb * 5) == "utf-8"  # the header decides first
    assert detect_encoding(gb * 3) == "gb18030" and detect_encoding(u8 * 3) == "utf-8"


# -- columns without a header ----------------------------------------------------------------
def test_a_trailing_separator_makes_no_column(tmp_path: Path) -> None:
    path = tmp_path / "trail.csv"
    path.write_text(CALLS + ",\n"
                    "13800000101,王德胜,13800000103,孙丽华,2024-01-05 10:00:00,\n"
                    "13800000102,刘振江,13800000103,孙丽华,2024-01-05 11:00:00, \n",
                    encoding="utf-8")
    result = cg.ingest(path, "call_records")
    assert result.problems.empty
    assert result.sources["recorded"].tolist() == [2]


def test_a_value_under_no_header_rejects_its_row(tmp_path: Path) -> None:
    path = tmp_path / "trail.csv"
    path.write_text(CALLS + ",,\n"
                    "13800000101,王德胜,13800000103,孙丽华,2024-01-05 10:00:00,,\n"
                    "13800000102,刘振江,13800000103,孙丽华,2024-01-05,11:00:00,\n"
                    "13800000104,李强,13800000103,孙丽华,2024-01-05 12:00:00,,\n",
                    encoding="utf-8")
    result = cg.ingest(path, "call_records", strict=False)
    (problem,) = result.problems.itertuples(index=False)
    assert problem.row == 3 and "column 6, which has no header" in problem.message
    assert result.sources[["rows_read", "recorded", "rejected"]].values.tolist() == [[3, 2, 1]]
    with pytest.raises(cg.InvalidSource, match="trail.csv row 3"):
        cg.ingest(path, "call_records")


def test_a_sheet_with_a_value_under_no_header_rejects_that_row(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*CALLS.split(","), None])
    sheet.append(["13800000101", "王德胜", "13800000103", "孙丽华", "2024-01-05 10:00", None])
    sheet.append(["13800000102", "刘振江", "13800000103", "孙丽华", "2024-01-05 11:00", "x"])
    book.save(tmp_path / "calls.xlsx")
    result = cg.ingest(tmp_path / "calls.xlsx", "call_records", strict=False)
    assert result.problems["row"].tolist() == [3]
    assert result.sources["recorded"].tolist() == [1]


@given(st.lists(st.text(alphabet="aZ09-+ \n\t\x7f~é号\u3000\u200b\uff10\u2010", max_size=6),
                max_size=8))
def test_plain_identifiers_are_read_as_identifier_key_reads_them(values: list[str]) -> None:
    col = pd.Series(values, dtype=object)
    got = parse.parse_column("identifier", col, None).values.tolist()
    expected = [parse.identifier_key(v) or None for v in values]
    assert got == expected


def test_every_placeholder_has_a_letter_the_reader_looks_for_first() -> None:
    # (the reader searches a column for N, n or - before it compares cells with placeholders)
    assert all(set(text) & set("Nn-") for text in parse.PLACEHOLDERS)

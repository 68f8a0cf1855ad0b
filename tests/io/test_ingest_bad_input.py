"""Bad agency exports: every flaw becomes a named problem, and no good row is lost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import crimegraph as cg
from crimegraph.io.sources import engine as engine_module

HEADER = ("运单号,寄件时间,承运公司,运单状态,寄件单位,寄件人,寄件人电话,寄件地址,收件单位,收件人,"
          "收件人电话,收件地址,货物名称,件数,货值,运费,备注")


def row(waybill: str, sent: str = "2024/3/5 14:22", *, quantity: str = "120桶",
        value: str = "1,234.50元", phone: str = "138 0013 8000", status: str = "已签收",
        receiver: str = "石家庄润通汽车用品批发部", product: str = "美孚一号 5W-30 4L") -> str:
    return (f"{waybill},{sent},恒运物流有限公司,{status},,曹文斌,{phone},廊坊市某物流园 C 区 17 号库,"
            f"{receiver},李强,+86-13900000301,石家庄市某区汽配城 3 排,{product},{quantity},"
            f"\"{value}\",420,")


GOOD = [row("HY001"), row("HY002", "2024年3月6日", quantity="60"),
        row("HY003", "2024-03-07 08:00:00", phone="+86-13800138000")]


def write(tmp_path: Path, lines: list[str], name: str = "waybills.csv",
          encoding: str = "utf-8", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
    return path


def loose(path: Path | list[Path], **kwargs: object) -> cg.Ingested:
    return cg.ingest(path, "waybills", strict=False, **kwargs)  # type: ignore[arg-type]


def assert_counts_add_up(result: cg.Ingested) -> None:
    s = result.sources
    assert (s["rows_read"] == s["recorded"] + s["rejected"] + s["skipped"]).all(), s


def shipped(result: cg.Ingested) -> set[str]:
    return {t.reference for t in result.case.transactions if t.reference}


def test_good_rows_load_with_parsed_values(tmp_path: Path) -> None:
    result = cg.ingest(write(tmp_path, GOOD), "waybills", reliability="B", credibility=2)
    assert result.problems.empty and shipped(result) == {"HY001", "HY002", "HY003"}
    first = result.case.get("wb:HY001")
    assert isinstance(first, cg.Transaction)
    assert (first.quantity, first.amount) == (120.0, 1234.5)
    assert first.timestamp.isoformat() == "2024-03-05T14:22:00+08:00"
    assert first.attributes["unit"] == "桶"
    # Both phone spellings give one person, keyed by E.164.
    person = result.case.get("tel:+8613800138000")
    assert isinstance(person, cg.Person) and person.phones == ["+8613800138000"]
    assert person.attributes["rows"] == "waybills.csv:2-4"
    assert_counts_add_up(result)


@pytest.mark.parametrize(
    ("bad", "column", "words"),
    [
        (row("HY009", "2024/13/45"), "寄件时间", "no such date"),
        (row("HY009", "not a date"), "寄件时间", "not a date"),
        (row("HY009", "1850-01-01"), "寄件时间", "supported time range"),
        (row("HY009", value="12元3"), "货值", "not an amount"),
        (row("HY009", value="NaN元"), "货值", "not a finite number"),
        (row("HY009", value="inf"), "货值", "not a finite number"),
        (row("HY009", value="-Infinity"), "货值", "not a finite number"),
        (row("HY009", quantity="abc"), "件数", "not a quantity"),
        (row("HY009", quantity="12吨"), "件数", "unknown unit"),
        (row("HY009", quantity="0"), "件数", "greater than 0"),
        (row("HY009", quantity=""), "件数", "required value is blank"),
        (row("HY009", quantity="nan"), "件数", "required value is blank"),
        (row("HY009", phone="12345"), "寄件人电话", "not a valid phone number"),
        (row("", ), "运单号", "required value is blank"),
        (row("HY009", product=""), "货物名称", "required value is blank"),
    ],
)
def test_a_bad_value_rejects_its_row_only(tmp_path: Path, bad: str, column: str,
                                          words: str) -> None:
    path = write(tmp_path, [GOOD[0], bad, *GOOD[1:]])
    result = loose(path)
    problems = result.problems
    assert list(problems.columns) == ["source", "row", "column", "value", "message"]
    assert len(problems) >= 1
    hit = problems.iloc[0]
    assert (hit["source"], hit["row"], hit["column"]) == ("waybills.csv", 3, column)
    assert words in hit["message"]
    assert shipped(result) == {"HY001", "HY002", "HY003"}
    assert result.sources.loc[0, "rejected"] == 1
    assert_counts_add_up(result)
    with pytest.raises(cg.InvalidSource) as caught:
        cg.ingest(path, "waybills")
    assert "waybills.csv row 3" in str(caught.value) and caught.value.loaded is False
    assert len(caught.value.problems) == len(problems)


def test_blank_cells_stay_blank_never_nan(tmp_path: Path) -> None:
    blank_value = row("HY010", value="")
    result = cg.ingest(write(tmp_path, [blank_value]), "waybills")
    tx = result.case.get("wb:HY010")
    assert isinstance(tx, cg.Transaction) and tx.amount is None
    organization = result.case.get("org:石家庄润通汽车用品批发部")
    assert "remark" not in organization.attributes
    # "nan" (as a program writes a missing value) is blank: no organization called nan
    nan_name = row("HY011", receiver="nan")
    result = cg.ingest(write(tmp_path, [nan_name], "b.csv"), "waybills")
    assert "org:nan" not in {o.id for o in result.case.organizations}
    assert result.case.get("wb:HY011").target == "addr:石家庄市某区汽配城3排"  # type: ignore[attr-defined]


def test_unknown_column_is_reported_and_rows_still_load(tmp_path: Path) -> None:
    path = write(tmp_path, [line + ",x" for line in GOOD], header=HEADER + ",司机")
    result = loose(path)
    (problem,) = result.problems.itertuples(index=False)
    assert problem.column == "司机" and pd.isna(problem.row)
    assert "not in the mapping" in problem.message
    assert shipped(result) == {"HY001", "HY002", "HY003"}
    with pytest.raises(cg.InvalidSource, match="司机"):
        cg.ingest(path, "waybills")


def test_missing_required_column_is_named_before_any_row_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write(tmp_path, GOOD, "good.csv")
    header = HEADER.replace("件数", "数目")
    broken = write(tmp_path, GOOD, "broken.csv", header=header)
    read: list[str] = []
    real = engine_module._read_source

    def spy(src, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.append(src.name)
        return real(src, *args, **kwargs)

    monkeypatch.setattr(engine_module, "_read_source", spy)
    with pytest.raises(cg.InvalidSource) as caught:
        cg.ingest([good, broken], "waybills")
    assert read == []  # not even the good file's rows were read
    messages = [p.message for p in caught.value.problems]
    assert any("required column missing" in m and "'件数'" in m for m in messages)
    result = loose([good, broken])
    assert read == ["good.csv"]  # the broken file is not read at all
    assert shipped(result) == {"HY001", "HY002", "HY003"}
    broken_row = result.sources.set_index("source").loc["broken.csv"]
    assert broken_row["rows_read"] == 0 and pd.isna(broken_row["evidence"])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    result = cg.ingest(write(tmp_path, GOOD, encoding=encoding), "waybills")
    assert shipped(result) == {"HY001", "HY002", "HY003"}
    assert result.sources.loc[0, "encoding"] == encoding
    assert result.case.get("org:恒运物流有限公司").name == "恒运物流有限公司"  # type: ignore[attr-defined]


def test_wrong_encoding_names_the_rows_and_keeps_the_others(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, encoding="gb18030")
    result = loose(path, encoding="utf-8")
    (message,) = result.problems["message"]
    assert "header is not utf-8 text" in message and "encoding='gb18030'" in message
    # A UTF-8 file with one line pasted from a GB18030 export: only that line is lost.
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes((HEADER + "\n" + GOOD[0] + "\n").encode("utf-8")
                      + (GOOD[1] + "\n").encode("gb18030")
                      + (GOOD[2] + "\n").encode("utf-8"))
    result = loose(mixed)
    assert shipped(result) == {"HY001", "HY003"}
    assert set(result.problems["row"]) == {3}
    assert result.problems["message"].str.contains("may mix encodings").all()
    assert_counts_add_up(result)


def test_empty_blank_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\n\n  \n")
    header_only = write(tmp_path, [], "header.csv")
    good = write(tmp_path, GOOD, "good.csv")
    result = loose([empty, blank, header_only, good])
    by_source = dict(zip(result.problems["source"], result.problems["message"]))
    assert "empty (0 bytes)" in by_source["empty.csv"]
    assert "no header" in by_source["blank.csv"]
    assert "header but no rows" in by_source["header.csv"]
    assert shipped(result) == {"HY001", "HY002", "HY003"}
    with pytest.raises(cg.InvalidSource, match="empty"):
        cg.ingest(empty, "waybills")


def test_blank_rows_and_filtered_rows_are_counted_as_skipped(tmp_path: Path) -> None:
    lines = [GOOD[0], ",,,,,,,,,,,,,,,,", "", row("HY005", status="已取消"), *GOOD[1:]]
    result = cg.ingest(write(tmp_path, lines), "waybills")
    report = result.sources.iloc[0]
    assert (report["rows_read"], report["recorded"], report["skipped"]) == (6, 3, 3)
    assert "blank row (2)" in report["skipped_because"]
    assert "cancelled waybill" in report["skipped_because"]
    assert_counts_add_up(result)


def test_a_line_with_too_many_cells_is_reported_with_its_row(tmp_path: Path) -> None:
    lines = [GOOD[0], GOOD[1] + ",extra,cells", GOOD[2], row("HY004")]
    result = loose(write(tmp_path, lines), chunk_size=1)
    (problem,) = result.problems.itertuples(index=False)
    assert problem.row == 3 and "does not fit the header" in problem.message
    assert shipped(result) == {"HY001", "HY003", "HY004"}
    # rows after the bad line keep their own numbers
    assert result.case.get("wb:HY004").attributes["rows"] == "waybills.csv:5"
    assert_counts_add_up(result)


def test_streaming_in_small_chunks_gives_the_same_case(tmp_path: Path) -> None:
    lines = [row(f"HY{i:04d}", f"2024/3/{1 + i % 28} 9:{i % 60:02d}", quantity=f"{i + 1}桶")
             for i in range(50)]
    lines[17] = row("HY0017", "bad date")
    path = write(tmp_path, lines)
    whole = loose(path)
    chunked = loose(path, chunk_size=3)
    assert chunked.case == whole.case
    pd.testing.assert_frame_equal(chunked.problems, whole.problems)
    assert chunked.sources.equals(whole.sources)
    assert_counts_add_up(chunked)


def test_reading_is_streamed_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = engine_module._process_chunk

    def spy(src, raw, rows, *args):  # type: ignore[no-untyped-def]
        sizes.append(len(raw))
        return real(src, raw, rows, *args)

    monkeypatch.setattr(engine_module, "_process_chunk", spy)
    lines = [row(f"HY{i:04d}") for i in range(25)]
    cg.ingest(write(tmp_path, lines), "waybills", chunk_size=4)
    assert max(sizes) <= 4 and sum(sizes) == 25


def test_strict_message_is_bounded_and_lists_everything_on_problems(tmp_path: Path) -> None:
    lines = [row(f"HY{i:04d}", "never") for i in range(500)]
    with pytest.raises(cg.InvalidSource) as caught:
        cg.ingest(write(tmp_path, lines), "waybills")
    error = caught.value
    assert len(error.problems) == 500 and len(str(error).splitlines()) < 40
    assert "480 more" in str(error)
    assert isinstance(error, ValueError) and isinstance(error, cg.CrimeGraphError)
    frame = error.to_frame()
    assert list(frame.columns) == ["source", "row", "column", "value", "message"]
    assert len(frame) == 500


def test_excel_source(tmp_path: Path) -> None:
    frame = pd.read_csv(write(tmp_path, GOOD), dtype=str, keep_default_na=False)
    path = tmp_path / "waybills.xlsx"
    frame.to_excel(path, index=False, engine="xlsxwriter")
    result = cg.ingest(path, "waybills")
    assert shipped(result) == {"HY001", "HY002", "HY003"}
    assert result.sources.loc[0, "encoding"] == "xlsx"
    assert result.case.get("wb:HY001").attributes["rows"] == "waybills.xlsx:2"


def test_missing_file_and_bad_mapping(tmp_path: Path) -> None:
    result = loose(tmp_path / "nowhere.csv")
    assert result.problems.loc[0, "message"] == "file not found"
    with pytest.raises(cg.MappingError, match="no mapping named 'waybill'"):
        cg.ingest(tmp_path / "x.csv", "waybill")
    with pytest.raises(cg.MappingError, match="unknown column 'nope'"):
        cg.load_mapping({"name": "x", "title": "x", "columns": {"a": {"header": "A"}},
                         "records": [{"as": "p", "type": "person", "id": "tel:{nope}",
                                      "fields": {"name": "a"}}]})

"""The fast paths of ingest give exactly what the slow paths give.

Dates in the usual spellings are read by numpy in blocks, one regular-expression match per shape
of value, times are made into datetime objects by numpy once per distinct time, a file's cells are searched for undecodable bytes
only when its reading met one, and record ids that are plain text are used as they are. Each is
compared here with the path it replaces: value by value on generated messes, and as a whole
ingest on the raw fixtures and on bad files.
"""

from __future__ import annotations

import datetime
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crimegraph as cg
from crimegraph.io.sources import engine as engine_module
from crimegraph.io.sources import parse
from crimegraph.io.sources import read as read_module
from crimegraph.io.sources.read import SourceFile

from .test_ingest_bad_input import GOOD, HEADER, row, write
from .test_ingest_fixtures import SOURCES

SPELLINGS = ["2024/3/5 14:22", "2024-03-05 14:22:00", "2024年3月5日 14时22分", "2024年3月5日",
             "2024.3.5", "2024-3-5T9:5", "2024-3-5 日", "2024-3-5日 14:22:33秒", "2024-3-5 14:22分",
             "2024-3-5 14时22分33", "2024 - 3 - 5   14 : 22 : 33", "2024-3-5 14:22 分",
             "2024-3-5日T14:22", "2024-13-5", "2024-3-5 14:22:", "2024-3-5 14:22分 ",
             "2024年3月5日14时22分", "2024-3-5 25:00", "20240305", "2024-3-5 T14:22"]
ODD = [*"0123456789 -/.:T年月日号时点分秒：", "２", "\t", "\n", "\x00", "a", "\u3000", "١"]


def _messy_times(count: int, seed: int) -> list[str]:
    """Usual spellings, spellings with characters added, dropped or changed, and noise."""
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        pick = rng.random()
        if pick < 0.3:
            values.append(rng.choice(SPELLINGS))
            continue
        if pick > 0.7:
            values.append("".join(rng.choice(ODD) for _ in range(rng.randint(0, 22))))
            continue
        chars = list(rng.choice(SPELLINGS))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars) + 1)
            how = rng.random()
            if how < 0.4:
                chars.insert(at, rng.choice(ODD))
            elif chars:
                at = min(at, len(chars) - 1)
                if how < 0.7:
                    chars.pop(at)
                else:
                    chars[at] = rng.choice(ODD)
        values.append("".join(chars))
    return values


@pytest.mark.parametrize("seed", [1, 2])
def test_time_reading_by_shape_equals_the_regular_expression(seed: int) -> None:
    col = pd.Series(_messy_times(20_000, seed), dtype=object)
    fast = parse._time_numbers(col).to_numpy()
    slow = parse._time_numbers_by_pattern(col).to_numpy()
    assert fast.shape == slow.shape == (20_000, 6)
    same = (fast == slow) | (np.isnan(fast) & np.isnan(slow))
    assert same.all(), col[~same.all(axis=1)].head().tolist()
    assert (~np.isnan(slow[:, 0])).sum() > 3_000  # many values did match


def test_the_usual_spellings_are_read_by_shape() -> None:
    col = pd.Series(["2024/3/5 14:22", "2024年3月5日 14时22分33秒", "２０２４-３-５", "2024-3-5\x00",
                     "2024-3-5\n", "2024-3-5 14:22:07"], dtype=object)
    got = parse._time_numbers(col)
    assert got.iloc[0].tolist()[:5] == [2024, 3, 5, 14, 22] and np.isnan(got.iloc[0, 5])
    assert got.iloc[1].tolist() == [2024, 3, 5, 14, 22, 33]
    assert np.isnan(got.iloc[2, 0])  # full-width digits: not ASCII, as the expression says
    assert np.isnan(got.iloc[3, 0])  # a NUL after the date is no date
    assert got.iloc[4, :3].tolist() == [2024, 3, 5]  # "$" matches before a final newline
    assert got.iloc[5].tolist() == [2024, 3, 5, 14, 22, 7]


def test_odd_shapes_read_as_the_regular_expression_reads_them() -> None:
    values = ["2024-3-5", "2024-3-5\x00", "2024-3\x005", "2024-3-5 " + "9" * 400, "9" * 500,
              "2024-03-05 1:2:3秒", "2024-03-05 01:02分", "2024.3.5 ", " 2024-3-5", "2024-3-5T7:08",
              "2024-3-5 7:08:09:10", "2024-3-0５", "12345-3-5", "2024--3-5", ""]
    col = pd.Series(values * 3, dtype=object)
    fast = parse._time_numbers(col).to_numpy()
    slow = parse._time_numbers_by_pattern(col).to_numpy()
    same = (fast == slow) | (np.isnan(fast) & np.isnan(slow))
    assert same.all(), col[~same.all(axis=1)].tolist()
    assert fast[9].tolist()[:5] == [2024, 3, 5, 7, 8]


@given(st.lists(st.one_of(st.sampled_from(SPELLINGS),
                          st.text(alphabet="".join(ODD), max_size=24)), min_size=1, max_size=60),
       st.integers(min_value=1, max_value=7))
def test_times_read_in_blocks_equal_one_block(values: list[str], block: int) -> None:
    col = pd.Series(values, index=np.arange(len(values)) * 3 + 5, dtype=object)
    whole = parse._time_block(col)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse, "_TIME_BLOCK", block)
        blocks = parse._time_numbers(col)
    assert blocks.index.equals(col.index)
    pd.testing.assert_frame_equal(blocks, whole)


def test_a_long_column_is_read_in_blocks_as_in_one() -> None:
    values = _messy_times(parse._TIME_BLOCK * 2 + 123, 4)
    values[7] = "2024-3-5 " + "9" * 300  # one wide value, in the first block only
    col = pd.Series(values, dtype=object)
    blocks = parse._time_numbers(col).to_numpy()
    whole = parse._time_block(col).to_numpy()
    slow = parse._time_numbers_by_pattern(col).to_numpy()
    for other in (whole, slow):
        assert ((blocks == other) | (np.isnan(blocks) & np.isnan(other))).all()
    assert (~np.isnan(whole[:, 0])).sum() > 5_000  # many values did match


@given(st.lists(st.tuples(st.integers(min_value=1900, max_value=2199),
                          st.integers(min_value=1, max_value=12),
                          st.integers(min_value=1, max_value=28),
                          st.integers(min_value=0, max_value=23),
                          st.sampled_from([0, 30, 59])), max_size=40),
       st.sampled_from(["Asia/Shanghai", "Europe/Berlin", None]))
def test_each_distinct_time_is_made_once_and_equals_one_made_per_row(
        parts: list[tuple[int, int, int, int, int]], zone: str | None) -> None:
    tz = ZoneInfo(zone) if zone else None
    wall = pd.Series(pd.to_datetime([f"{y}-{m}-{d} {h}:{mi}" for y, m, d, h, mi in parts]
                                    + [f"{y}-{m}-{d} {h}:{mi}" for y, m, d, h, mi in parts[:5]],
                                    format="%Y-%m-%d %H:%M"), dtype="datetime64[us]")
    got = parse._python_times(wall, wall, tz)
    one_by_one = parse._clock_times(wall.to_numpy(dtype="datetime64[us]"), tz)
    assert len(got) == len(one_by_one) == len(wall)
    for mine, theirs in zip(got.tolist(), one_by_one.tolist()):
        assert type(mine) is type(theirs) is datetime.datetime
        assert (mine, mine.tzinfo, mine.fold) == (theirs, theirs.tzinfo, theirs.fold)
    if len(parts) > 0:  # repeated times share one object
        assert got[len(parts)] is got[0]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC",
                                  None])
def test_times_made_by_numpy_equal_pandas_ones(zone: str | None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    values = [f"{rng.choice([1900, 1940, 1988, 1991, 2024, 2199])}-{rng.randint(1, 12)}-"
              f"{rng.randint(1, 28)} {rng.randint(0, 23)}:{rng.randint(0, 59):02d}:"
              f"{rng.randint(0, 59):02d}" for _ in range(3_000)]
    values += ["2024-03-31 02:30", "2024-10-27 02:30", "1988-04-10 02:30", "2024-03-10 02:30"]
    col = pd.Series(values, dtype=object)
    tz = ZoneInfo(zone) if zone else None
    fast = parse._datetime(col, None, tz)
    monkeypatch.setattr(parse, "_python_times",
                        lambda local, wall, tz: np.asarray(local.dt.to_pydatetime()))
    slow = parse._datetime(col, None, tz)
    assert (fast.bad == slow.bad).all()
    for mine, theirs in zip(fast.values.tolist(), slow.values.tolist()):
        assert mine == theirs
        if theirs is not None:
            assert type(mine) is type(theirs)
            assert (mine.tzinfo, mine.fold, mine.isoformat()) == (
                theirs.tzinfo, theirs.fold, theirs.isoformat())
    if zone == "Europe/Berlin":
        assert fast.bad.sum() == 2  # the hour that does not exist and the one that repeats


def test_a_file_without_bad_bytes_is_not_searched_and_one_with_them_is(tmp_path: Path) -> None:
    clean = write(tmp_path, GOOD * 3, "clean.csv")
    dirty = tmp_path / "dirty.csv"
    dirty.write_bytes(clean.read_bytes() + row("HY@9").encode("utf-8").replace(b"@", b"\xff") + b"\n")
    flags = {}
    for path in (clean, dirty):
        file = SourceFile(path, path.name)
        file.open()
        flags[path.name] = [chunk.undecodable for chunk in file.chunks(2)]
    assert flags["clean.csv"] == [False] * 5
    # Text is decoded ahead of the rows handed out: a flag may come early, never late.
    assert len(flags["dirty.csv"]) == 5 and flags["dirty.csv"][-1] is True
    result = cg.ingest(dirty, "waybills", strict=False)
    assert list(result.problems["row"]) == [11]
    assert "not utf-8 text" in result.problems["message"][0]
    assert len(result.case.transactions) == 3  # HY001-HY003, each in three rows


def _account(result: cg.Ingested) -> dict[str, Any]:
    return {"case": result.case.model_dump(mode="json"),
            "problems": result.problems.map(repr).values.tolist(),
            "conflicts": result.conflicts.map(repr).values.tolist(),
            "sources": result.sources.map(repr).values.tolist(),
            "provenance": result.provenance.map(repr).values.tolist()}


def _slow_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The paths the fast ones replace: dates by the regular expression, times by pandas,
    every chunk searched for undecodable bytes, every id column through its keys, records
    staged as DataFrames, every chunk filled where a short line left cells out."""
    monkeypatch.setattr(parse, "_time_numbers", parse._time_numbers_by_pattern)
    monkeypatch.setattr(parse, "_python_times",
                        lambda local, wall, tz: np.asarray(local.dt.to_pydatetime()))
    process = engine_module._process_chunk

    def searching_every_chunk(src: Any, raw: Any, rows: Any, stage: Any, problems: Any,
                              tz: Any, check_bytes: bool = True) -> None:
        process(src, raw, rows, stage, problems, tz, check_bytes=True)

    monkeypatch.setattr(engine_module, "_process_chunk", searching_every_chunk)
    monkeypatch.setattr(engine_module, "id_keys",
                        lambda col, prefix="", suffix="": (
                            prefix + parse.key_series(col) + suffix))
    # transactions staged as DataFrames, and every chunk's missing cells filled
    monkeypatch.setattr(engine_module, "_STAGE_AS_COLUMNS", False)
    monkeypatch.setattr(engine_module, "_DISTINCT_BY_CODES", False)
    monkeypatch.setattr(read_module, "_fill_missing_cells", lambda frame: frame.fillna(""))


def _bad_files(folder: Path) -> list[Path]:
    rng = random.Random(11)
    times = [*SPELLINGS, "", "nan", "2024-02-30", "1899-1-1", "２０２４-３-５", "2024-03-10 02:30"]
    lines = [row(f"HY{i:04d}" if i % 41 else "", rng.choice(times),
                 quantity=rng.choice(["120桶", "60", "0", "-5", "3吨", "", "1.5万"]),
                 value=rng.choice(["1,234.50元", "", "nan", "-1", "12万", "abc"]),
                 phone=rng.choice(["138 0013 8000", "+86-13800138000", "12345", "", "0311-87654321"]),
                 status=rng.choice(["已签收", "已取消", ""]),
                 receiver=rng.choice(["石家庄润通汽车用品批发部", "", "某某公司 "]))
             for i in range(400)]
    full = lines[7].split(",")
    lines += [",".join(full[:9]), ",".join(full[:-1]), ",".join([*full, "extra"])]  # short, long
    utf8 = write(folder, lines, "mess.csv")
    gb = write(folder, lines[::-1], "mess_gb.csv", encoding="gb18030")
    mixed = folder / "mixed.csv"
    mixed.write_bytes(("\n".join([HEADER, *lines[:200]]) + "\n").encode("utf-8")
                      + ("\n".join(lines[200:]) + "\n").encode("gb18030"))
    return [utf8, gb, mixed]


def test_ingest_with_the_fast_paths_equals_ingest_with_the_slow_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = _bad_files(tmp_path)
    runs: list[tuple[Any, dict[str, Any]]] = [
        (SOURCES, {}), (SOURCES[:1], {"chunk_size": 29}),
        *(([(path, "waybills")], {"chunk_size": size}) for path in bad for size in (64, 10_000)),
        ([(path, "waybills") for path in bad], {}),
    ]
    fast = [_account(cg.ingest(sources, strict=False, **options)) for sources, options in runs]
    _slow_paths(monkeypatch)
    slow = [_account(cg.ingest(sources, strict=False, **options)) for sources, options in runs]
    for (sources, options), mine, theirs in zip(runs, fast, slow):
        for part in mine:
            assert mine[part] == theirs[part], (sources, options, part)
    assert len(fast[-1]["problems"]) > 100  # the bad files did go wrong in many ways
    assert len(fast[-1]["case"]["transactions"]) > 20  # and their good rows loaded


def test_plain_ids_are_used_as_they_are_and_others_folded() -> None:
    plain = pd.Series(["HY0001", "HY0002", "+8613800138000"], dtype=object)
    assert parse.id_keys(plain) is plain
    spaced = pd.Series(["廊坊市某物流园 C 区 17 号库", "Mobil 1  5W-30　4L", "廊坊市某物流园 C 区 17 号库"],
                       dtype=object)
    assert parse.id_keys(spaced).tolist() == ["廊坊市某物流园C区17号库", "Mobil 1 5W-30 4L",
                                              "廊坊市某物流园C区17号库"]
    assert parse.id_keys(spaced, "addr:", "#1").tolist() == [
        "addr:廊坊市某物流园C区17号库#1", "addr:Mobil 1 5W-30 4L#1", "addr:廊坊市某物流园C区17号库#1"]
    assert parse.id_keys(plain, "wb:").tolist() == ["wb:HY0001", "wb:HY0002", "wb:+8613800138000"]


def test_row_ranges_are_the_same_whether_provenance_comes_sorted_or_not() -> None:
    rng = np.random.default_rng(5)
    count = 5_000
    ids = rng.choice(np.array([f"tel:{i}" for i in range(40)], dtype=object), count)
    srcs = np.sort(rng.integers(0, 3, count))
    rows = np.concatenate([np.sort(rng.choice(np.arange(2, 20_000), (srcs == s).sum(),
                                              replace=False)) for s in range(3)])
    names = {0: "a.csv", 1: "b.csv", 2: "c.csv"}
    ordered = pd.DataFrame({"id": ids, "_src": srcs, "_row": rows})
    shuffled = ordered.sample(frac=1.0, random_state=1).reset_index(drop=True)
    text, sources = engine_module._rows_text(ordered, names)
    assert (text, sources) == engine_module._rows_text(shuffled, names)
    assert any("… +" in value for value in text.values())  # long lists are cut and counted
    some = ids[0]
    mine = ordered[ordered["id"] == some]
    shown = text[some]
    assert shown.count(";") == mine["_src"].nunique() - 1
    for part in shown.split(";"):
        name, _, ranges = part.partition(":")
        src = next(k for k, v in names.items() if v == name)
        total = int((mine["_src"] == src).sum())
        listed = [r for r in ranges.split(",") if not r.startswith("…")]
        counted = sum(int(b) - int(a) + 1 if "-" in r else 1
                      for r in listed for a, _, b in [r.partition("-")])
        rest = [r for r in ranges.split(",") if r.startswith("…")]
        hidden = int(rest[0].split("+")[1].split()[0].replace(",", "")) if rest else 0
        assert counted + hidden == total


def test_blank_masks_are_remembered_per_column() -> None:
    blanks = engine_module._Blanks()
    col = pd.Series(["a", None, "b", np.nan], dtype=object)
    first = blanks(col)
    assert first.tolist() == [False, True, False, True]
    assert blanks(col) is first
    other = pd.Series(["a", None, "b", np.nan], dtype=object)
    assert blanks(other) is not first and blanks(other).tolist() == first.tolist()
    mask = np.array([True, False, False, False])
    blanks.remember(other, mask)
    assert blanks(other) is mask


def test_missing_cells_are_filled_only_when_a_line_left_some_out() -> None:
    whole = pd.DataFrame({"a": ["1", "2"], "b": ["x", "y"]}, dtype=object)
    assert read_module._fill_missing_cells(whole) is whole  # nothing to fill: not copied
    short = pd.DataFrame({"a": ["1", "2"], "b": ["x", np.nan]}, dtype=object)
    assert read_module._fill_missing_cells(short)["b"].tolist() == ["x", ""]


@given(st.lists(st.one_of(st.none(), st.just(float("nan")), st.just(pd.NaT), st.just(pd.NA),
                          st.text(max_size=3), st.integers(), st.floats(), st.booleans(),
                          st.datetimes(), st.just(np.float64("nan")), st.just(np.float64(2.5)))))
def test_staged_columns_read_blanks_as_the_frames_do(values: list[Any]) -> None:
    expected = engine_module._cells(pd.DataFrame({"c": pd.Series(values, dtype=object)}), "c")
    got = engine_module._nulls_to_none(list(values))
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected.tolist()):
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert mine is theirs


def _texts_by_pattern(values: list[Any], ident: bool) -> bool:
    """The check of ids and references value by value, with a regular expression for the
    spaces at the ends of an id."""
    present = [v for v in values if v is not None]
    if len(present) != len(values):
        return False
    if not all(type(v) is str and 1 <= len(v) <= 200 and v.isprintable() for v in present):
        return False
    return not (ident and any(re.search(r"^ | $", v) for v in present))


@given(st.lists(st.one_of(st.none(), st.text(alphabet=" ab\n\t\u3000\x00", max_size=4)),
                min_size=1), st.booleans())
def test_id_checks_equal_the_checks_value_by_value(values: list[Any], ident: bool) -> None:
    from crimegraph.io.sources.links import _texts

    assert _texts(values, required=True, ident=ident) == _texts_by_pattern(values, ident)


@given(st.lists(st.text(alphabet="aZ09-+ \n\t\x7f\x00~!é号\u3000", max_size=5), max_size=6))
def test_plain_keys_are_found_as_the_regular_expression_finds_them(values: list[str]) -> None:
    col = pd.Series(values, dtype=object)
    assert parse._plain_keys(col) == (not re.search(r"[^\x21-\x7e\n]", "\n".join(values)))


BLANKISH = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NaT), st.just(pd.NA),
                     st.just(np.datetime64("NaT")), st.just(Decimal("NaN")), st.just(Decimal("1")),
                     st.text(alphabet=" a\u3000", max_size=2), st.integers(), st.floats(),
                     st.booleans(), st.datetimes(), st.just(np.float64("nan")),
                     st.lists(st.integers(), max_size=2))


@given(st.lists(BLANKISH))
def test_blanks_are_found_as_pandas_finds_them(values: list[Any]) -> None:
    col = pd.Series(values, dtype=object)
    assert engine_module._blank(col).tolist() == col.isna().tolist()
    texts = pd.Series([v if isinstance(v, str) else "" for v in values], dtype=object)
    assert parse.empty_cells(texts).tolist() == (texts == "").tolist()
    assert parse.empty_cells(col).tolist() == (col == "").tolist()


@given(st.lists(st.tuples(st.sampled_from(["a", "b", None, float("nan"), 1, 1.0, "1"]),
                          st.sampled_from(["x", "y", None, pd.NaT])), max_size=30))
def test_first_rows_are_the_rows_drop_duplicates_keeps(pairs: list[tuple[Any, Any]]) -> None:
    first = pd.Series([p[0] for p in pairs], dtype=object).to_numpy()
    second = [p[1] for p in pairs]
    frame = pd.DataFrame({"a": pd.Series(first, dtype=object),
                          "b": pd.Series(second, dtype=object)})
    kept = frame.drop_duplicates(keep="first").index.tolist()
    assert engine_module._first_rows([first, second], len(pairs)).tolist() == kept
    assert engine_module._first_rows([first, [[1]] * len(pairs)], len(pairs)) is None or not pairs

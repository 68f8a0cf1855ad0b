"""Transactions and relationships built from columns: the same records as validation gives,
and every value the model would refuse still refused, with its row named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import crimegraph as cg
from crimegraph.io.sources import engine as engine_module
from crimegraph.io.sources.links import Links, build_links, links_valid
from crimegraph.model.entities import Record

from .test_ingest_bad_input import GOOD, row, write
from .test_ingest_fixtures import SOURCES

TZ = dt.timezone(dt.timedelta(hours=8))
WHEN = dt.datetime(2024, 3, 5, 14, 22, tzinfo=TZ)


def _shipments() -> Links:
    return Links(
        ids=["wb:1", "wb:2", "wb:3"],
        fields={"source": ["addr:a", "addr:a", "org:b"], "target": ["org:b", "org:c", "org:c"],
                "timestamp": [WHEN, WHEN, WHEN.replace(tzinfo=None)],
                "product": ["prod:x", "prod:x", "prod:y"], "quantity": [120.0, 1.5, 3.0],
                "amount": [1234.5, None, 0.0], "carrier": ["org:z", None, "org:z"],
                "reference": ["1", "2", None], "kind": ["shipment"] * 3, "currency": ["CNY"] * 3},
        attributes={"unit": ["桶", None, "箱"], "remark": [None, None, "加急"]},
        rows=["w.csv:2", "w.csv:3", "w.csv:4"], evidence=["src:w.csv"] * 3)


def _ties() -> Links:
    return Links(
        ids=["calls:a|b", "calls:b|c"],
        fields={"source": ["tel:a", "tel:b"], "target": ["tel:b", "tel:c"],
                "kind": ["calls", "calls"], "since": [WHEN, None],
                "until": [WHEN + dt.timedelta(days=1), WHEN], "weight": [3.0, None]},
        attributes={}, rows=["c.csv:2", "c.csv:3"], evidence=["src:c.csv", "src:c.csv"])


def _validated(model: type[Record], links: Links) -> list[Any]:
    return TypeAdapter(list[model]).validate_python(links.dicts())  # type: ignore[valid-type]


@pytest.mark.parametrize(("model", "make"), [(cg.Transaction, _shipments),
                                             (cg.Relationship, _ties)])
def test_built_records_equal_validated_ones(model: type[Record], make: Any) -> None:
    links = make()
    assert links_valid(model, links)
    built, validated = build_links(model, links), _validated(model, links)
    assert built == validated
    for mine, theirs in zip(built, validated):
        assert type(mine) is model
        assert list(mine.__dict__) == list(theirs.__dict__)
        assert mine.model_fields_set == theirs.model_fields_set
        assert mine.model_dump_json() == theirs.model_dump_json()


BAD_SHIPMENT_VALUES = [
    ("id", None), ("id", ""), ("id", " wb:1"), ("id", "wb:1 "), ("id", "wb:\u200b1"),
    ("id", "x" * 201), ("id", 17),
    ("source", None), ("source", ""), ("source", 3), ("target", None), ("target", "addr:a"),
    ("product", None), ("product", ""), ("carrier", ""), ("carrier", 1.0),
    ("timestamp", None), ("timestamp", "noon"), ("timestamp", dt.datetime(1850, 1, 1, tzinfo=TZ)),
    ("timestamp", dt.datetime(2200, 1, 1, tzinfo=TZ)),
    ("quantity", None), ("quantity", 0.0), ("quantity", -1.0), ("quantity", float("nan")),
    ("quantity", float("inf")), ("quantity", "12"), ("quantity", True),
    ("amount", -0.5), ("amount", float("nan")), ("amount", "1.0"),
    ("reference", 12), ("kind", "delivery"), ("kind", None), ("currency", "cny"),
    ("currency", "CNYY"), ("currency", 7),
    ("attr:unit", float("nan")), ("attr:unit", 2**64), ("attr:unit", [1]),
    ("attr:unit", dt.date(2024, 1, 1)), ("rows", float("inf")), ("evidence", ""), ("evidence", None),
]


@pytest.mark.parametrize(("column", "value"), BAD_SHIPMENT_VALUES)
def test_a_value_the_model_refuses_is_never_built(column: str, value: Any) -> None:
    links = _shipments()
    if column == "id":
        links.ids[1] = value
    elif column == "rows":
        links.rows[1] = value
    elif column == "evidence":
        links.evidence[1] = value
    elif column.startswith("attr:"):
        links.attributes[column[5:]][1] = value
    else:
        links.fields[column][1] = value
    assert not links_valid(cg.Transaction, links)
    with pytest.raises(ValidationError):  # the model agrees: the value is refused
        _validated(cg.Transaction, links)


@pytest.mark.parametrize(("column", "value"), [
    ("timestamp", "2024-03-05"), ("timestamp", dt.date(2024, 3, 5)), ("quantity", 2),
])
def test_a_value_the_model_would_convert_is_left_to_the_model(column: str, value: Any) -> None:
    links = _shipments()
    links.fields[column][1] = value
    assert not links_valid(cg.Transaction, links)  # ingest validates these records instead
    _validated(cg.Transaction, links)


@pytest.mark.parametrize(("column", "value"), [
    ("kind", "shipment"), ("weight", -1.0), ("weight", float("nan")), ("since", "never"),
    ("until", WHEN - dt.timedelta(days=1)), ("source", None),
])
def test_a_tie_the_model_refuses_is_never_built(column: str, value: Any) -> None:
    links = _ties()
    links.fields[column][0] = value
    assert not links_valid(cg.Relationship, links)
    with pytest.raises(ValidationError):
        _validated(cg.Relationship, links)


def test_a_field_the_model_lacks_is_never_built() -> None:
    links = _shipments()
    links.fields["uses"] = [None, None, "storage"]
    assert not links_valid(cg.Transaction, links)


def _without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "links_valid", lambda model, links: False)
    monkeypatch.setattr(engine_module, "dicts_valid", lambda model, items: False)


def _records(case: cg.Case) -> list[tuple[Any, ...]]:
    return [(type(r).__name__, r.model_dump(), sorted(r.model_fields_set), list(r.__dict__))
            for r in case.records()]


def test_ingest_gives_the_records_that_validation_gives(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [row(f"HY{i:04d}", f"2024/3/{1 + i % 28} 9:{i % 60:02d}",
                 quantity=f"{i + 1}桶" if i % 2 else str(i + 1), value="" if i % 3 else "5元")
             for i in range(40)]
    waybills = write(tmp_path, lines)
    fast = cg.ingest(SOURCES, strict=False, reliability="B", credibility=2)  # type: ignore[arg-type]
    fast_waybills = cg.ingest(waybills, "waybills")
    _without_shortcuts(monkeypatch)
    slow = cg.ingest(SOURCES, strict=False, reliability="B", credibility=2)  # type: ignore[arg-type]
    slow_waybills = cg.ingest(waybills, "waybills")
    assert _records(fast.case) == _records(slow.case)
    assert _records(fast_waybills.case) == _records(slow_waybills.case)
    assert fast.case == slow.case and fast.problems.equals(slow.problems)


def test_a_mapping_constant_the_model_refuses_names_the_row(tmp_path: Path) -> None:
    mapping = cg.load_mapping("waybills").model_dump(by_alias=True)
    shipment = next(r for r in mapping["records"] if r["as"] == "shipment")
    shipment["set"] = {"notes": 5}
    mapping["currency"] = "cny"
    path = write(tmp_path, GOOD)
    result = cg.ingest(path, mapping, strict=False)
    assert not result.case.transactions
    rows = set(zip(result.problems["source"], result.problems["row"]))
    assert rows == {("waybills.csv", 2), ("waybills.csv", 3), ("waybills.csv", 4)}
    assert {"notes", "currency"} <= set(result.problems["column"])
    with pytest.raises(cg.InvalidSource, match="waybills.csv row 2"):
        cg.ingest(path, mapping)


TIMES = ["2024-3-5 14:22", "2024/3/5", "2024年3月5日 14时22分", "", "x", "2024-03-05T14:22:01",
         "２０２４-3-5", "2024-٣-5", " 2024-3-5 ", "2024-13-45", "2024.3.5 14:22:59秒",
         "2024 - 3 - 5  14 : 22", "1850-1-1", "2024-2-30 25:61", "2024-3-5 14：22",
         "2024/3/5 9点5分", "14:22", "2024-3-5\n", "2024-3-5\u3000 9:01", "2024-6-30 25:61",
         "2024-6-30 23:60", "2024-2-29 23:59:59", "2023-2-29", "2024-4-31 00:00:60"]


@pytest.mark.parametrize("values", [TIMES, TIMES[:1], [], [1.5, "2024-1-1"]])
def test_common_times_read_as_extract_and_to_numeric_read_them(values: list[Any]) -> None:
    import datetime

    import pandas as pd

    from crimegraph.io.sources import parse

    col = pd.Series(values, dtype=object)
    parts = col.str.extract(parse._COMMON_TIME).apply(pd.to_numeric, errors="coerce")

    def one(row: pd.Series) -> Any:  # a time that does not exist is none (no carrying over)
        try:
            return datetime.datetime(*(int(v) for v in row.fillna(0)))
        except (ValueError, OverflowError):
            return pd.NaT

    expected = pd.Series([one(r) for _, r in parts.iterrows()], index=col.index,
                         dtype="datetime64[us]")
    assert parse._common_times(col).equals(expected)


@pytest.mark.parametrize("spelling", ["+86 138 0013 8000", "0086-13800138000", "13800138000",
                                      "(+86)138-0013-8000"])
def test_a_mobile_with_or_without_the_country_code_is_one_number(spelling: str) -> None:
    import pandas as pd

    from crimegraph.io.sources.parse import parse_column

    parsed = parse_column("phone", pd.Series([spelling, "12345"], dtype=object),
                          cg.load_mapping("waybills").columns["sender_phone"])
    assert parsed.values.tolist() == ["+8613800138000", None]
    assert parsed.bad.tolist() == [False, True]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(),
                          st.booleans()), min_size=1, max_size=12))
def test_records_built_pattern_by_pattern_equal_validated_ones(
        blanks: list[tuple[bool, ...]]) -> None:
    """Any mix of blank amounts, carriers, references, units and remarks, row by row."""
    n = len(blanks)

    def column(values: list[Any], at: int) -> list[Any]:
        return [None if row[at] else value for value, row in zip(values, blanks)]

    links = Links(
        ids=[f"wb:{i}" for i in range(n)],
        fields={"source": ["addr:a"] * n, "target": [f"org:{i}" for i in range(n)],
                "timestamp": [WHEN] * n, "product": ["prod:x"] * n,
                "quantity": [float(i + 1) for i in range(n)],
                "amount": column([float(i) for i in range(n)], 0),
                "carrier": column(["org:z"] * n, 1), "reference": column([str(i) for i in range(n)], 2),
                "kind": ["shipment"] * n, "currency": ["CNY"] * n},
        attributes={"unit": column(["桶"] * n, 3), "remark": column(["加急"] * n, 4)},
        rows=[f"w.csv:{i + 2}" for i in range(n)], evidence=["src:w.csv"] * n)
    assert links_valid(cg.Transaction, links)
    built, validated = build_links(cg.Transaction, links), _validated(cg.Transaction, links)
    assert built == validated
    for mine, theirs in zip(built, validated):
        assert list(mine.__dict__) == list(theirs.__dict__)
        assert mine.attributes == theirs.attributes
        assert list(mine.attributes) == list(theirs.attributes)
        assert mine.model_fields_set == theirs.model_fields_set
    assert len({id(record.evidence) for record in built}) == n  # a list of its own each

"""Bad values are rejected by name: record, field and value, never half-accepted."""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

import crimegraph as cg
from crimegraph.model import SUPPORTED_TIME_RANGE

from ..model.test_case import minimal

MODELS: tuple[type[BaseModel], ...] = (
    cg.Person, cg.Organization, cg.Warehouse, cg.Product, cg.Evidence, cg.Transaction,
    cg.Relationship, cg.Case,
)
SECTION_OF = {
    cg.Person: "persons", cg.Organization: "organizations", cg.Warehouse: "warehouses",
    cg.Product: "products", cg.Evidence: "evidence", cg.Transaction: "transactions",
    cg.Relationship: "relationships",
}


def _leaves(annotation: Any) -> list[Any]:
    """Every type an annotation can hold, through Optional, Annotated, Literal, list and dict."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _leaves(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _leaves(arg)]
    if origin is Literal:
        return [type(arg) for arg in get_args(annotation)]
    if origin is list:
        return _leaves(get_args(annotation)[0])
    if origin is dict:
        return _leaves(get_args(annotation)[1])
    return [annotation]


def _numeric_fields() -> list[tuple[type[BaseModel], str]]:
    found = []
    for model in MODELS:
        for name, info in model.model_fields.items():
            leaves = _leaves(info.annotation)
            if any(leaf in (int, float) for leaf in leaves):
                found.append((model, name))
    return found


def _time_fields() -> list[tuple[type[BaseModel], str]]:
    found = []
    for model in MODELS:
        for name, info in model.model_fields.items():
            if any(leaf in (dt.date, dt.datetime) for leaf in _leaves(info.annotation)):
                found.append((model, name))
    return found


def _with(model: type[BaseModel], field: str, value: Any) -> tuple[dict[str, Any], str]:
    """Case data with ``value`` put into ``field`` of one record of ``model``, and its section."""
    data = minimal()
    annotation = model.model_fields[field].annotation
    leaves = _leaves(annotation)
    origin = get_origin(annotation)
    inner = get_args(annotation)
    if origin is dict or (inner and any(get_origin(a) is dict for a in inner)):
        value = {"k": value}
    if model is cg.Case:
        data[field] = value
        return data, "case"
    section = SECTION_OF[model]
    records = data.setdefault(section, [])
    assert isinstance(records, list)
    if section not in ("transactions", "relationships", "evidence", "persons", "warehouses",
                       "products"):
        records.append({"id": "NEW1", "name": "New"})
    record = records[-1] if section != "transactions" else records[0]
    if section == "evidence" and field in ("quantity",):
        record["product"] = "OIL"
    assert leaves
    record[field] = value
    return data, section


def test_the_models_have_numeric_and_time_fields() -> None:
    names = {f"{m.__name__}.{f}" for m, f in _numeric_fields()}
    assert {"Transaction.quantity", "Transaction.amount", "Relationship.weight",
            "Warehouse.lat", "Warehouse.lon", "Product.unit_price", "Evidence.amount",
            "Evidence.quantity", "Person.attributes", "Case.attributes"} <= names
    times = {f"{m.__name__}.{f}" for m, f in _time_fields()}
    assert {"Transaction.timestamp", "Relationship.since", "Relationship.until",
            "Evidence.date"} <= times


_BAD_NUMBERS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "true": True,
                "10**400": 10**400}


@pytest.mark.parametrize(("model", "field", "bad"), [
    pytest.param(model, field, value, id=f"{model.__name__}-{field}-{name}")
    for model, field in _numeric_fields() for name, value in _BAD_NUMBERS.items()
    if not (value is True and field == "attributes")  # true is a fine attribute value
])
def test_every_numeric_field_rejects_non_finite_and_booleans(
    model: type[BaseModel], field: str, bad: Any
) -> None:
    data, section = _with(model, field, bad)
    with pytest.raises(cg.InvalidCase) as info:
        cg.Case.model_validate(data)
    named = [p for p in info.value.problems if p.section == section and p.field.split(".")[0] == field]
    assert named, str(info.value)
    assert field in str(info.value)


def test_a_boolean_is_not_a_credibility_grade() -> None:
    data = minimal()
    data["evidence"][0]["credibility"] = True  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match="credibility"):
        cg.Case.model_validate(data)


def test_nan_is_named_with_record_field_and_value() -> None:
    data = minimal()
    data["transactions"][0]["quantity"] = math.nan  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match=r"transactions\[0\] \(id 'T1'\) field 'quantity' = nan"):
        cg.Case.model_validate(data)


def test_attribute_values_must_be_finite_and_fit_64_bits() -> None:
    for bad in (math.nan, math.inf, 2**63, -(2**63) - 1, [1, 2], {"a": 1}):
        data = minimal()
        data["persons"][0]["attributes"] = {"age": bad}  # type: ignore[index]
        with pytest.raises(cg.InvalidCase) as info:
            cg.Case.model_validate(data)
        assert len(info.value.problems) == 1, info.value
        assert "persons[0] (id 'P1') field 'attributes.age'" in str(info.value)
    ok = minimal()
    ok["persons"][0]["attributes"] = {"age": 2**63 - 1, "x": 1.5, "y": True, "z": None}  # type: ignore[index]
    assert cg.Case.model_validate(ok).persons[0].attributes["age"] == 2**63 - 1


def test_numeric_text_and_booleans_are_not_numbers() -> None:
    for bad in (True, False, "5"):
        data = minimal()
        data["transactions"][0]["quantity"] = bad  # type: ignore[index]
        with pytest.raises(cg.InvalidCase, match="field 'quantity'"):
            cg.Case.model_validate(data)


def test_a_lone_record_rejects_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        cg.Relationship(id="R", kind="calls", source="A", target="B", weight=math.nan)


# -- times -----------------------------------------------------------------------------------

def test_the_supported_time_range_is_public() -> None:
    assert (dt.date(1900, 1, 1), dt.date(2199, 12, 31)) == SUPPORTED_TIME_RANGE
    assert cg.SUPPORTED_TIME_RANGE == SUPPORTED_TIME_RANGE


@pytest.mark.parametrize(("model", "field"), _time_fields(),
                         ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("bad", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00",
                                 "1899-12-31", "2200-01-01T00:00:00+00:00"])
def test_every_time_field_rejects_times_outside_the_range(
    model: type[BaseModel], field: str, bad: str
) -> None:
    if dt.datetime not in _leaves(model.model_fields[field].annotation):
        bad = bad[:10]  # a date field: the day alone
    data, _ = _with(model, field, bad)
    with pytest.raises(cg.InvalidCase) as info:
        cg.Case.model_validate(data)
    text = str(info.value)
    assert f"field {field!r}" in text and "1900-01-01 to 2199-12-31" in text, text


def test_the_range_bounds_are_inclusive() -> None:
    data = minimal()
    data["transactions"][0]["timestamp"] = "1900-01-01T00:00:00"  # type: ignore[index]
    data["transactions"][1]["timestamp"] = "2199-12-31T23:59:59-12:00"  # type: ignore[index]
    data["evidence"][0]["date"] = "2199-12-31"  # type: ignore[index]
    case = cg.Case.model_validate(data)
    summary = cg.CaseGraph(case).summary()  # no OverflowError
    assert summary is not None
    cg.CaseGraph(case).shipments()


def test_until_before_since_is_rejected() -> None:
    data = minimal()
    data["relationships"][0].update(since="2024-05-01", until="2024-04-01")  # type: ignore[union-attr]
    with pytest.raises(cg.InvalidCase, match=r"relationships\[0\] \(id 'R1'\) field 'until'.*before"):
        cg.Case.model_validate(data)


def test_until_before_since_is_rejected_across_naive_and_aware_times() -> None:
    data = minimal()
    # 2024-05-01 00:30 local (+08:00) is 2024-04-30 16:30 UTC: after 'until'.
    data["relationships"][0].update(since="2024-05-01T00:30:00",  # type: ignore[union-attr]
                                    until="2024-04-30T12:00:00+00:00")
    with pytest.raises(cg.InvalidCase, match=r"field 'until'.*before"):
        cg.Case.model_validate(data)
    data["relationships"][0]["until"] = "2024-04-30T17:00:00+00:00"  # type: ignore[index]
    cg.Case.model_validate(data)


# -- links and names -------------------------------------------------------------------------

@pytest.mark.parametrize("index", [0, 1], ids=["shipment", "payment"])
def test_a_transaction_from_a_record_to_itself_is_rejected(index: int) -> None:
    data = minimal()
    tx = data["transactions"][index]  # type: ignore[index]
    tx["target"] = tx["source"]
    with pytest.raises(cg.InvalidCase, match=rf"transactions\[{index}\].*field 'target'.*same as its source"):
        cg.Case.model_validate(data)


@pytest.mark.parametrize("name", ["", " ", "\t \n", "\u3000"])
def test_blank_names_are_rejected(name: str) -> None:
    data = minimal()
    data["persons"][0]["name"] = name  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match=r"persons\[0\] \(id 'P1'\) field 'name'.*empty"):
        cg.Case.model_validate(data)


def test_names_are_kept_as_given() -> None:
    data = minimal()
    data["persons"][0]["name"] = " Zhou "  # type: ignore[index]
    assert cg.Case.model_validate(data).persons[0].name == " Zhou "


@pytest.mark.parametrize(("char", "code"), [
    ("\u200b", "U+200B"), ("\u200d", "U+200D"), ("\ufeff", "U+FEFF"), ("\u0007", "U+0007"),
    ("\ue000", "U+E000"), ("\u2028", "U+2028"), ("\u2029", "U+2029"), ("\u00ad", "U+00AD"),
    ("\ud800", "U+D800"),
])
@pytest.mark.parametrize("where", ["id", "ref"])
def test_invisible_characters_in_ids_and_refs_are_named(char: str, code: str, where: str) -> None:
    data = minimal()
    if where == "id":
        data["persons"][0]["id"] = "P" + char + "1"  # type: ignore[index]
        expected = r"persons\[0\].*field 'id'"
    else:
        data["transactions"][1]["target"] = "P" + char + "1"  # type: ignore[index]
        expected = r"transactions\[1\] \(id 'T2'\) field 'target'"
    with pytest.raises(cg.InvalidCase) as info:
        cg.Case.model_validate(data)
    text = str(info.value)
    assert code in text, text
    import re
    assert re.search(expected, text), text


def test_visible_unicode_ids_are_fine() -> None:
    data = minimal()
    data["persons"][0]["id"] = "周-01 号"  # type: ignore[index]
    data["relationships"][0]["source"] = "周-01 号"  # type: ignore[index]
    data["transactions"][1]["target"] = "周-01 号"  # type: ignore[index]
    assert cg.Case.model_validate(data).persons[0].id == "周-01 号"


def test_offsets_with_seconds_round_trip() -> None:
    # Asia/Shanghai kept local mean time (+08:05:43) until 1901.
    data = minimal()
    data["transactions"][0]["timestamp"] = "1900-06-01T00:00:00"  # type: ignore[index]
    case = cg.Case.model_validate(data)
    assert case.transactions[0].timestamp.utcoffset() == dt.timedelta(hours=8, seconds=343)
    text = cg.io.jsonfile.case_to_json(case)
    assert '"1900-06-01T00:00:00+08:05:43"' in text
    again = cg.Case.model_validate_json(text)
    assert again == case
    assert again.transactions[0].timestamp.utcoffset() == dt.timedelta(hours=8, seconds=343)

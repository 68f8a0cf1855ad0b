"""Case validation: every rule, every problem reported at once, with record, field and value."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

import crimegraph as cg


def minimal(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "c1",
        "persons": [{"id": "P1", "name": "Zhou"}, {"id": "P2", "name": "Li"}],
        "warehouses": [{"id": "W1", "name": "Den", "uses": ["production"]}],
        "products": [{"id": "OIL", "name": "Fake oil"}],
        "evidence": [{"id": "E1", "name": "Waybills", "kind": "waybill"}],
        "transactions": [
            {"id": "T1", "kind": "shipment", "source": "W1", "target": "P2",
             "timestamp": "2024-03-01", "product": "OIL", "quantity": 5, "evidence": ["E1"]},
            {"id": "T2", "kind": "payment", "source": "P2", "target": "P1",
             "timestamp": "2024-03-02T10:00:00", "amount": 900},
        ],
        "relationships": [{"id": "R1", "kind": "leads", "source": "P1", "target": "P2"}],
    }
    data.update(extra)
    return data


def test_every_entity_builds_from_id_and_name() -> None:
    for model in (cg.Person, cg.Organization, cg.Warehouse, cg.Product, cg.Evidence):
        record = model(id="X1", name="Someone")
        assert (record.id, record.name) == ("X1", "Someone")


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(ValueError, match="nickname"):
        cg.Person(id="P1", name="Zhou", nickname="Boss")  # type: ignore[call-arg]


def test_valid_case_loads_and_localizes_naive_times() -> None:
    case = cg.Case.model_validate(minimal())
    assert case.transactions[0].timestamp == datetime(
        2024, 3, 1, tzinfo=timezone(timedelta(hours=8))
    )
    assert case.transactions[1].timestamp.utcoffset() == timedelta(hours=8)
    assert case.transactions[1].timestamp.hour == 10


def test_case_timezone_decides_naive_times() -> None:
    case = cg.Case.model_validate(minimal(timezone="UTC"))
    assert case.transactions[0].timestamp.utcoffset() == timedelta(0)


def test_aware_times_are_kept() -> None:
    data = minimal()
    data["transactions"][0]["timestamp"] = "2024-03-01T23:00:00+00:00"  # type: ignore[index]
    case = cg.Case.model_validate(data)
    assert case.transactions[0].timestamp.utcoffset() == timedelta(0)


def test_date_objects_mean_local_midnight() -> None:
    case = cg.Case.model_validate(minimal())
    tx = case.transactions[0].model_copy(update={"timestamp": date(2024, 5, 1)})
    again = cg.Case(id="c2", persons=case.persons, warehouses=case.warehouses,
                    products=case.products, evidence=case.evidence, transactions=[tx])
    assert again.transactions[0].timestamp.isoformat() == "2024-05-01T00:00:00+08:00"


def test_unknown_timezone_is_named() -> None:
    with pytest.raises(cg.InvalidCase, match="Mars/Olympus"):
        cg.Case.model_validate(minimal(timezone="Mars/Olympus"))


def test_invalid_case_is_crimegraph_error_and_value_error() -> None:
    assert issubclass(cg.InvalidCase, cg.CrimeGraphError)
    assert issubclass(cg.InvalidCase, ValueError)


def test_duplicate_ids_name_both_places() -> None:
    data = minimal()
    data["persons"].append({"id": "W1", "name": "Clash"})  # type: ignore[union-attr]
    with pytest.raises(cg.InvalidCase, match=r"warehouses\[0\] \(id 'W1'\).*already used by persons\[2\]"):
        cg.Case.model_validate(data)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("source", "NOBODY", r"transactions\[0\] \(id 'T1'\) field 'source' = 'NOBODY': unknown"),
        ("target", "GHOST", r"field 'target' = 'GHOST': unknown"),
        ("product", "P-NONE", r"field 'product' = 'P-NONE': unknown product id"),
        ("product", "P1", r"field 'product' = 'P1': 'P1' is a person, not a product"),
        ("carrier", "LOG-X", r"field 'carrier' = 'LOG-X': unknown"),
        ("quantity", 0, r"field 'quantity' = 0: a shipment needs a quantity greater than 0"),
        ("quantity", -3, r"field 'quantity' = -3"),
        ("quantity", None, r"field 'quantity' = None: a shipment needs a quantity"),
        ("product", None, r"field 'product' = None: a shipment must name the product"),
        ("evidence", ["E1", "E404"], r"field 'evidence.1' = 'E404': unknown evidence id"),
        ("kind", "gift", r"field 'kind' = 'gift': Input should be 'shipment' or 'payment'"),
        ("timestamp", "yesterday", r"field 'timestamp' = 'yesterday'"),
    ],
)
def test_each_shipment_rule(field: str, value: object, expected: str) -> None:
    data = minimal()
    data["transactions"][0][field] = value  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match=expected):
        cg.Case.model_validate(data)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(None, r"field 'amount' = None: a payment needs an amount greater than 0"),
     (0, r"field 'amount' = 0: a payment needs an amount"),
     (-5, r"field 'amount' = -5")],
)
def test_payment_needs_positive_amount(amount: object, expected: str) -> None:
    data = minimal()
    data["transactions"][1]["amount"] = amount  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match=expected):
        cg.Case.model_validate(data)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024", r"field 'timestamp' = '2024': a year or month is no date"),
     ("2024-03", r"field 'timestamp' = '2024-03': a year or month is no date"),
     ("1709251200", r"field 'timestamp' = '1709251200': a bare number is no date"),
     (2024, r"field 'timestamp' = 2024: a bare number is no date"),
     (1709251200.5, r"field 'timestamp' = 1709251200.5: a bare number is no date")],
)
def test_a_number_or_year_is_no_timestamp(value: object, expected: str) -> None:
    # Pydantic alone reads digits as seconds since 1970: "2024" became 1970-01-01 00:33:44.
    data = minimal()
    data["transactions"][0]["timestamp"] = value  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match=r"transactions\[0\] \(id 'T1'\) " + expected):
        cg.Case.model_validate(data)


def test_a_year_is_no_evidence_date() -> None:
    with pytest.raises(cg.InvalidCase, match=r"field 'date' = '2024': a year or month is no"):
        cg.Case(evidence=[{"id": "E9", "name": "ledger", "date": "2024"}])
    assert cg.Case(evidence=[{"id": "E9", "name": "ledger", "date": "2024-03-01"}]
                   ).evidence[0].date == date(2024, 3, 1)


def test_relationship_to_missing_entity() -> None:
    data = minimal()
    data["relationships"][0]["target"] = "P9"  # type: ignore[index]
    with pytest.raises(cg.InvalidCase, match=r"relationships\[0\] \(id 'R1'\) field 'target' = 'P9'"):
        cg.Case.model_validate(data)


def test_three_mistakes_give_one_error_naming_all_three() -> None:
    data = minimal()
    data["transactions"][0]["quantity"] = "lots"  # type: ignore[index]  # a type error
    data["transactions"][1]["target"] = "P-404"  # type: ignore[index]  # a dangling reference
    data["persons"].append({"id": "P1", "name": "Zhou again"})  # type: ignore[union-attr]
    with pytest.raises(cg.InvalidCase) as info:
        cg.Case.model_validate(data)
    problems = info.value.problems
    assert len(problems) == 3
    text = str(info.value)
    assert "field 'quantity' = 'lots'" in text
    assert "field 'target' = 'P-404'" in text
    assert "persons[2] (id 'P1') field 'id' = 'P1': duplicate id" in text
    assert "3 problems found; nothing was loaded" in text


def test_problems_come_in_file_order() -> None:
    data = minimal()
    data["relationships"][0]["source"] = "X"  # type: ignore[index]
    data["persons"][0]["status"] = "boss"  # type: ignore[index]
    with pytest.raises(cg.InvalidCase) as info:
        cg.Case.model_validate(data)
    assert [p.section for p in info.value.problems] == ["persons", "relationships"]


def test_case_built_from_models_checks_references_too() -> None:
    with pytest.raises(cg.InvalidCase, match="field 'source' = 'A'"):
        cg.Case(transactions=[cg.Transaction(
            id="T", kind="payment", source="A", target="B", timestamp="2024-01-01", amount=3)])


def test_lone_transaction_enforces_its_own_rules() -> None:
    with pytest.raises(ValueError, match="quantity: a shipment needs a quantity"):
        cg.Transaction(id="T", kind="shipment", source="A", target="B",
                       timestamp="2024-01-01", product="X", quantity=0)


def test_case_lookup_suggests_close_ids() -> None:
    case = cg.Case.model_validate(minimal())
    assert case.get("W1").name == "Den"
    with pytest.raises(cg.EntityNotFound, match="did you mean 'W1'"):
        case.get("W2")
    assert "T1" in case and "T9" not in case


def test_non_object_case_is_rejected() -> None:
    with pytest.raises(cg.InvalidCase, match="must be a JSON object"):
        cg.Case.model_validate([1, 2])


def test_a_store_reads_the_records_the_case_holds_when_built() -> None:
    case = cg.Case.model_validate(minimal())
    # Replacing a record after validation: the store must see the record, not stale columns.
    case.transactions[0] = case.transactions[0].model_copy(update={"quantity": 99.0})
    assert cg.CaseGraph(case).shipments().quantity.tolist() == [99.0]
    again = cg.Case.model_validate(minimal())
    assert cg.CaseGraph(again).shipments().quantity.tolist() == [5.0]
    assert cg.CaseGraph(again).shipments().quantity.tolist() == [5.0]  # built twice


def test_cases_compare_by_their_fields() -> None:
    one, two = cg.Case.model_validate(minimal()), cg.Case.model_validate(minimal())
    cg.CaseGraph(one)  # uses up cached columns on one side only
    one.get("T1")  # builds the lookup index on one side only
    assert one == two
    assert one != cg.Case.model_validate(minimal(title="Other"))
    assert one != "c1"


def test_fields_cannot_be_edited_after_the_case_was_built() -> None:
    case = cg.Case.model_validate(minimal())
    with pytest.raises(ValueError, match="frozen"):
        case.transactions[0].quantity = 99.0  # type: ignore[misc]
    # A changed copy put in the list is what a store sees.
    case.transactions[0] = case.transactions[0].model_copy(update={"target": "P1"})
    table = cg.CaseGraph(case).shipments()
    assert table.quantity.tolist() == [5.0]
    assert table.node_ids[table.target[0]] == "P1"

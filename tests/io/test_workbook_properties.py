"""The workbook round trip on generated cases: any text, numbers, times and attributes the model
accepts come back equal."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crimegraph as cg

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
names = text.filter(lambda s: s.strip() != "")
ids = st.from_regex(r"[A-Z]{1,3}-[0-9]{1,4}", fullmatch=True)
attribute_values = st.one_of(
    st.none(), st.booleans(), text, st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False))
attributes = st.dictionaries(st.text(min_size=1, max_size=8), attribute_values, max_size=3)
moments = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1),
                       timezones=st.one_of(st.none(), st.timezones()))


@st.composite
def cases(draw: st.DrawFn) -> cg.Case:
    people = draw(st.lists(ids, min_size=2, max_size=4, unique=True))
    persons = [
        cg.Person(id=pid, name=draw(names), aliases=draw(st.lists(names, max_size=2)),
                  phones=draw(st.lists(st.from_regex(r"[0-9+ -]{5,15}", fullmatch=True),
                                       max_size=2)),
                  notes=draw(st.one_of(st.none(), text)), role=draw(st.one_of(st.none(), text)),
                  national_id=draw(st.one_of(st.none(), st.from_regex(r"[0-9]{17}[0-9X]",
                                                                       fullmatch=True))),
                  attributes=draw(attributes))
        for pid in people
    ]
    product = cg.Product(id="PRODUCT", name=draw(names), counterfeit=draw(
        st.one_of(st.none(), st.booleans())), unit_price=draw(st.one_of(
            st.none(), st.floats(min_value=0, max_value=1e9))))
    transactions = []
    for number in range(draw(st.integers(0, 4))):
        source, target = draw(st.permutations(people))[:2]
        shipment = draw(st.booleans())
        transactions.append(cg.Transaction(
            id=f"T{number}", kind="shipment" if shipment else "payment", source=source,
            target=target, timestamp=draw(moments),
            product="PRODUCT" if shipment else None,
            quantity=draw(st.floats(min_value=0.001, max_value=1e12)) if shipment else None,
            amount=draw(st.floats(min_value=0.01, max_value=1e12)),
            reference=draw(st.one_of(st.none(), text)), attributes=draw(attributes)))
    return cg.Case(id="generated", title=draw(text), description=draw(st.one_of(st.none(), text)),
                   attributes=draw(attributes), persons=persons, products=[product],
                   transactions=transactions)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_generated_cases_round_trip(case: cg.Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        back = cg.read_workbook(cg.write_workbook(case, Path(folder) / "case.xlsx"))
    assert back == case
    assert cg.io.jsonfile.case_to_json(back) == cg.io.jsonfile.case_to_json(case)

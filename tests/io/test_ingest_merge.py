"""Several sources, one case: records that share an id merge, every source is kept, and
conflicting values are reported instead of overwritten."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crimegraph as cg
from crimegraph.io.sources import normalise_phone, valid_national_id

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "raw"

PEOPLE_HEADER = "手机号,姓名,身份证号,住址"


def people_mapping() -> dict[str, object]:
    return {
        "name": "people", "title": "Register of people", "evidence_kind": "document",
        "columns": {
            "phone": {"header": "手机号", "parse": "phone", "required": True},
            "name": {"header": "姓名"},
            "national_id": {"header": "身份证号", "parse": "national_id"},
            "address": {"header": "住址", "parse": "address"},
        },
        "records": [{"as": "person", "type": "person", "id": "tel:{phone}",
                     "fields": {"name": ["name", "phone"], "phones": "phone",
                                "national_id": "national_id"},
                     "attributes": {"address": "address"}}],
    }


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([PEOPLE_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("text", ["+86-13800138000", "138 0013 8000", "138-0013-8000",
                                  "008613800138000", "(+86) 138 0013 8000", "13800138000.0"])
def test_phone_spellings_normalise_to_e164(text: str) -> None:
    assert normalise_phone(text) == "+8613800138000"


def test_invalid_phones() -> None:
    assert normalise_phone("12345") is None and normalise_phone("电话") is None


def test_national_id_check_digit_and_birth_date() -> None:
    assert valid_national_id("11010519491231002X") == "11010519491231002X"
    assert valid_national_id("11010519491231002x") == "11010519491231002X"
    assert valid_national_id("110105194912310021") is None  # wrong check digit
    # 1949-02-30 is no date: find a check digit that would be right and still be refused
    body = "11010519490230002"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    assert valid_national_id(body + check) is None
    assert valid_national_id("1101051949123100") is None  # too short


def test_same_phone_two_addresses_is_a_conflict_not_an_overwrite(tmp_path: Path) -> None:
    first = write(tmp_path, "register_a.csv", ["138 0013 8000,张三,11010519491231002X,北京市某区 1 号"])
    second = write(tmp_path, "register_b.csv", ["+86-13800138000,张三,,天津市某区 2 号",
                                                 "13900000999,李四,110105194912310021,"])
    result = cg.ingest([first, second], people_mapping(), strict=False, reliability="C",
                       credibility=3)
    person = result.case.get("tel:+8613800138000")
    assert person.attributes["address"] == "北京市某区 1 号"
    assert person.national_id == "11010519491231002X"  # type: ignore[attr-defined]
    assert person.evidence == ["src:register_a.csv", "src:register_b.csv"]
    assert person.attributes["rows"] == "register_a.csv:2;register_b.csv:2"
    (conflict,) = result.conflicts.to_dict("records")
    assert conflict == {"record": "tel:+8613800138000", "type": "persons", "field": "address",
                        "kept": "北京市某区 1 号", "other": "天津市某区 2 号",
                        "kept_from": "register_a.csv:2", "other_from": "register_b.csv:2",
                        "resolution": "first kept"}
    (problem,) = result.problems.to_dict("records")
    assert problem["row"] == 3 and "national id" in problem["message"]


def test_into_merges_a_later_source_and_keeps_both_gradings(tmp_path: Path) -> None:
    first = write(tmp_path, "register_a.csv", ["138 0013 8000,张三,,"])
    second = write(tmp_path, "register_b.csv", ["13800138000,张叁,,天津市某区 2 号"])
    one = cg.ingest(first, people_mapping(), reliability="A", credibility=1)
    both = cg.ingest(second, people_mapping(), into=one, reliability="D", credibility=4)
    person = both.case.get("tel:+8613800138000")
    assert person.name == "张三" and person.aliases == ["张叁"]  # type: ignore[attr-defined]
    assert person.attributes["address"] == "天津市某区 2 号"
    grades = {e.id: (e.reliability, e.credibility) for e in both.case.evidence}
    assert grades == {"src:register_a.csv": ("A", 1), "src:register_b.csv": ("D", 4)}
    assert person.evidence == ["src:register_a.csv", "src:register_b.csv"]
    assert list(both.sources["source"]) == ["register_a.csv", "register_b.csv"]
    assert list(both.conflicts["field"]) == ["name"]
    # the same file again adds no second evidence record and no second row reference
    again = cg.ingest(first, people_mapping(), into=both)
    assert len(again.case.evidence) == 2
    assert again.case.get("tel:+8613800138000").attributes["rows"] == (
        "register_a.csv:2;register_b.csv:2")


def test_into_a_plain_case_keeps_its_records(tmp_path: Path) -> None:
    base = cg.Case(id="c", title="t", persons=[
        cg.Person(id="tel:+8613800138000", name="张三", role="driver", evidence=["EV-1"])],
        evidence=[cg.Evidence(id="EV-1", name="Statement", reliability="B", credibility=2)])
    result = cg.ingest(write(tmp_path, "r.csv", ["138 0013 8000,张三,,廊坊市 1 号"]),
                       people_mapping(), into=base)
    person = result.case.get("tel:+8613800138000")
    assert person.role == "driver" and person.evidence == ["EV-1", "src:r.csv"]  # type: ignore
    assert result.case.id == "c" and result.conflicts.empty


def test_one_call_or_several_give_the_same_case() -> None:
    pairs = [(RAW / "waybills.csv", "waybills"), (RAW / "orders.csv", "orders")]
    together = cg.ingest(pairs, strict=False)  # type: ignore[arg-type]
    apart = cg.ingest(pairs[1][0], "orders", into=cg.ingest(pairs[0][0], "waybills",
                                                            strict=False), strict=False)

    def content(case: cg.Case) -> dict[str, object]:
        return {r.id: r.model_dump(exclude={"attributes"}) for r in case.records()}

    assert content(together.case) == content(apart.case)


def test_ingested_case_on_every_store(make_graph: Callable[[cg.Case], cg.CaseGraph]) -> None:
    result = cg.ingest([(RAW / "waybills.csv", "waybills"),
                        (RAW / "bank_statements.xlsx", "bank_statements")],
                       strict=False)  # type: ignore[arg-type]
    graph = make_graph(result.case)
    shipments = graph.shipments()
    assert len(shipments) == 385
    hub = "addr:廊坊市某物流园C区17号库"
    assert "org:恒运物流有限公司" not in graph.neighbors(hub, kind="shipment")
    assert graph.get("src:waybills.csv").kind == "waybill"  # type: ignore[attr-defined]

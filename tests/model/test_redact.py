"""Redaction profiles: what each withholds and masks, on the fixtures and on a case built to leak."""

from __future__ import annotations

import json

import pytest

import crimegraph as cg
from crimegraph.model.redact import initials, redact_case

from .redact_case import LEAKY_CASE_HIDDEN, PROSECUTION_HIDDEN, PUBLIC_HIDDEN, leaky_case


@pytest.mark.parametrize("example", ["counterfeit_oil", "fake_liquor"])
def test_internal_keeps_everything(example: str) -> None:
    case = cg.load_example(example)
    assert cg.redact(case, "internal") == case
    assert cg.redact(case, None) == case


def test_prosecution_withholds_weak_sources_and_what_rests_only_on_them() -> None:
    case = cg.load_example("counterfeit_oil")
    out = cg.redact(case, "prosecution")
    assert out.id == "counterfeit-oil-2024-prosecution"
    # EV-TIP-01 is graded F/6, EV-TIP-02 comes from an informant.
    assert "EV-TIP-01" not in out and "EV-TIP-02" not in out
    kept_evidence = {e.id for e in out.evidence}
    for record in out.records():
        assert set(record.evidence) <= kept_evidence, record.id
    # Nothing graded E/F or 5/6 is left.
    assert all(e.reliability not in ("E", "F") and e.credibility not in (5, 6)
               for e in out.evidence)
    # The persons are all still there (no informant among them), names untouched.
    assert out.get("P-01").name == case.get("P-01").name


def test_public_removes_witnesses_and_reduces_names() -> None:
    case = cg.load_example("fake_liquor")
    out = cg.redact(case, "public")
    witnesses = [p.id for p in case.persons if p.status == "witness"]
    assert witnesses and not any(w in out for w in witnesses)
    zhou = out.get("P-ZHOU")
    assert isinstance(zhou, cg.Person)
    assert (zhou.name, zhou.aliases, zhou.phones) == ("周某某", ["Z. J."], ["[phone 1]"])
    assert "birth_year" not in zhou.attributes
    assert all(w.address and w.address.startswith("[address ") and w.lat is None
               for w in out.warehouses)
    # No link may point to a withheld person.
    ids = {r.id for r in out.records()}
    assert all(t.source in ids and t.target in ids for t in out.transactions)


def test_initials() -> None:
    assert initials("Zhou Jianguo") == "Z. J."
    assert initials("周建国") == "周某某"
    assert initials("Xiao-Chen") == "X. C."


@pytest.mark.parametrize(("profile", "hidden"), [
    ("prosecution", PROSECUTION_HIDDEN), ("public", PUBLIC_HIDDEN),
])
def test_no_hidden_value_survives_anywhere(profile: str, hidden: list[str]) -> None:
    result = redact_case(leaky_case(), profile)
    text = result.case.model_dump_json()
    digits_only = "".join(ch for ch in text if ch.isdigit())
    for value in hidden:
        assert value not in text, (profile, value)
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 7:
            assert digits not in digits_only, (profile, value)


def test_leaky_case_holds_every_value_before_redaction() -> None:
    text = leaky_case().model_dump_json()
    for value in LEAKY_CASE_HIDDEN:
        assert value in text


def test_shared_phone_keeps_one_token_and_ids_that_embed_a_phone_are_renamed() -> None:
    result = redact_case(leaky_case(), "public")
    out = result.case
    a, b = out.get("P-A"), out.get("P-B")
    assert isinstance(a, cg.Person) and isinstance(b, cg.Person)
    assert set(a.phones) & set(b.phones)  # the shared number stays shared
    new_id = result.ids["CALL-13912345678"]
    assert new_id.startswith("RELATIONSHIP-R") and new_id in out
    # The bank account in an attribute is masked, its holder kept.
    org = out.get("ORG-1")
    assert org.attributes["bank_account"] == "[account 1]"
    assert org.attributes["account_holder"] == "P-A"


def test_custom_profile_and_bad_profiles() -> None:
    case = leaky_case()
    quiet = cg.RedactionProfile("quiet", notes="drop", mask_phones=True)
    out = cg.redact(case, quiet)
    assert all(r.notes is None for r in out.records())
    assert out.get("P-A").name == case.get("P-A").name
    with pytest.raises(cg.InvalidArgument, match="'secret' is not a redaction profile"):
        cg.redact(case, "secret")
    with pytest.raises(cg.WrongArgumentType, match="Case or CaseGraph"):
        cg.redact({"id": "x"}, "public")
    with pytest.raises(cg.InvalidArgument, match="name='no spaces please'"):
        cg.RedactionProfile("no spaces please")
    with pytest.raises(cg.WrongArgumentType, match="withhold_statuses='witness'"):
        cg.RedactionProfile("x", withhold_statuses="witness")  # type: ignore[arg-type]


def test_case_graph_in_case_graph_out() -> None:
    graph = cg.CaseGraph(cg.load_example("fake_liquor"))
    out = cg.redact(graph, "public")
    assert isinstance(out, cg.CaseGraph)
    assert out.case.id == "fake-liquor-zhou-public"
    assert out.get("P-ZHOU").name == "周某某"
    assert graph.get("P-ZHOU").name == "周建国"  # the input is left as it was


@pytest.mark.parametrize(("key", "kind"), [
    ("地址", "address"), ("住址", "address"), ("户籍地址", "address"), ("身份证地址", "address"),
    ("身份证号", "national id"), ("身份证", "national id"), ("手机", "phone"),
    ("联系电话", "phone"), ("银行卡号", "account"), ("账号", "account"), ("护照", "passport"),
    ("addresses", "address"), ("address_line1", "address"), ("homeAddress", "address"),
    ("accounts", "account"), ("bank_accounts", "account"), ("bankcard", "account"),
    ("BankCardNo", "account"), ("credit_card_number", "account"),
    ("phones", "phone"), ("cellphone", "phone"), ("phoneNumber", "phone"),
    ("mobile_2", "phone"), ("passport_number", "passport"), ("passportNo", "passport"),
    ("nationalId", "national id"), ("id_card_no", "national id"),
    ("id_card_number", "national id"), ("IDCardNumber", "national id"),
    ("identity_number", "national id"),
    ("email", "email"), ("E-mail", "email"), ("emailAddress", "email"),
    ("e_mail_address", "email"), ("邮箱", "email"), ("电子邮件地址", "email"),
    ("qq", "qq"), ("QQ号", "qq"), ("qq_number", "qq"), ("wechat", "wechat"),
    ("wechat_id", "wechat"), ("WeChatID", "wechat"), ("微信号", "wechat"),
    ("ip", "ip address"), ("ip_address", "ip address"), ("IP地址", "ip address"),
    ("license_plate", "plate"), ("plate_no", "plate"), ("车牌号", "plate"),
    ("车牌号码", "plate"),
])
def test_attribute_keys_in_any_spelling_are_masked_with_their_kind(key: str, kind: str) -> None:
    value = "Secret 7731 value"
    case = cg.Case(persons=[cg.Person(id="P1", name="Zhou Jianguo", attributes={key: value},
                                      notes=f"see {value}")])
    person = cg.redact(case, "public").persons[0]
    assert person.attributes[key] == f"[{kind} 1]"
    assert person.notes == f"see [{kind} 1]"  # the same value in free text, the same token


@pytest.mark.parametrize("key", ["account_holder", "账户名", "phone_type", "platform_id", "id",
                                 "hotel", "cardinal", "bank_name", "地址类型"])
def test_attribute_keys_that_name_no_masked_value_are_kept(key: str) -> None:
    case = cg.Case(persons=[cg.Person(id="P1", name="Zhou Jianguo", attributes={key: "Lotus"})])
    assert cg.redact(case, "public").persons[0].attributes[key] == "Lotus"


def test_numbers_in_parentheses_slashes_and_full_width_forms_are_masked() -> None:
    case = cg.Case(persons=[cg.Person(
        id="P1", name="Zhou Jianguo", phones=["0755-88881234", "138-0000-0101"],
        national_id="11010519491231002X",
        notes="call (0755) 88881234, （0755）8888-1234, 0755/8888 1234 or +86 (138) 0000-0101;"
              " ID 110105 19491231 002X or 110105 1949 1231 002X; new １３９ (0000) 1111")])
    notes = cg.redact(case, "public").persons[0].notes
    assert notes == ("call [phone 1], [phone 1], [phone 1] or [phone 2];"
                     " ID [national id 1] or [national id 1]; new [phone 3]")


def test_latin_names_are_matched_as_words_and_cjk_names_inside_text() -> None:
    case = cg.Case(
        persons=[cg.Person(id="W1", name="Ma Lin", aliases=["Ma"], status="witness"),
                 cg.Person(id="P1", name="Al Zhou", aliases=["Al"]),
                 cg.Person(id="P2", name="周建国", aliases=["老周"])],
        organizations=[cg.Organization(
            id="O1", name="Martell Market Hall",
            notes="Albert sells Alcohol; Al-Zhou told MA LIN, Ma and Ma-Lin; 周建国的车, 老周")])
    org = cg.redact(case, "public").organizations[0]
    assert org.name == "Martell Market Hall"  # words that merely start like a name stay
    assert org.notes == ("Albert sells Alcohol; A. Z. told [withheld], [withheld] and "
                         "[withheld]; 周某某的车, 老某")


def test_ids_that_spell_a_hidden_name_or_number_are_replaced() -> None:
    case = cg.Case(
        id="ZhouJianguo2024", title="Ring of Zhou Jianguo",
        persons=[cg.Person(id="P-zhou_jianguo", name="Zhou Jianguo", phones=["13800000101"]),
                 cg.Person(id="P-WU", name="Wu Ping")],
        relationships=[cg.Relationship(id="R-13800000101", kind="associate", source="P-WU",
                                       target="P-zhou_jianguo")])
    result = redact_case(case, "public")
    out = result.case
    assert (out.id, out.title) == ("case-public", "Ring of Z. J.")
    assert result.ids == {"P-zhou_jianguo": "PERSON-R001", "P-WU": "P-WU",
                          "R-13800000101": "RELATIONSHIP-R001"}
    assert out.relationships[0].target == "PERSON-R001"
    assert cg.redact(case, "prosecution").id == "ZhouJianguo2024-prosecution"


@pytest.mark.parametrize("value", [True, 1, "true", "True", "yes", "Y", "1", "是"])
def test_informant_attribute_in_any_common_spelling_withholds(value: object) -> None:
    case = cg.Case(
        persons=[cg.Person(id="P1", name="Alpha One", attributes={"informant": value}),
                 cg.Person(id="P2", name="Beta Two", attributes={"informant": "no"})],
        evidence=[cg.Evidence(id="E1", name="Tip", attributes={"is_informant": value}),
                  cg.Evidence(id="E2", name="Ledger", attributes={"informant": False})])
    out = cg.redact(case, "prosecution")
    assert [p.id for p in out.persons] == ["P2"]
    assert [e.id for e in out.evidence] == ["E2"]


def test_an_informant_value_that_says_neither_yes_nor_no_withholds_with_a_warning() -> None:
    case = cg.Case(persons=[cg.Person(id="P1", name="Alpha One",
                                      attributes={"informant": "maybe"})])
    with pytest.warns(UserWarning, match=r"Person 'P1' attribute informant='maybe'.*withheld"):
        out = cg.redact(case, "prosecution")
    assert out.persons == []


@pytest.mark.parametrize(("field", "value"), [
    ("withhold_statuses", "witnesses"), ("withhold_reliability", "G"),
    ("withhold_credibility", 7), ("withhold_credibility", "five"),
    ("withhold_credibility", True), ("withhold_evidence_kinds", "statement"),
])
def test_profile_values_no_case_can_hold_are_refused(field: str, value: object) -> None:
    with pytest.raises(cg.InvalidArgument, match=f"RedactionProfile {field}: {value!r} is not"):
        cg.RedactionProfile("mine", **{field: frozenset({value})})  # type: ignore[arg-type]


def test_profile_grades_and_names_are_normalised() -> None:
    profile = cg.RedactionProfile(
        "mine", withhold_statuses=frozenset({"Witness"}), withhold_reliability=frozenset({"e"}),
        withhold_credibility=frozenset({"5"}),  # type: ignore[arg-type]
        withhold_evidence_kinds=frozenset({"WITNESS"}))
    assert (profile.withhold_statuses, profile.withhold_reliability,
            profile.withhold_credibility, profile.withhold_evidence_kinds) == (
        {"witness"}, {"E"}, {5}, {"witness"})
    case = cg.Case(
        persons=[cg.Person(id="P1", name="Alpha One"),
                 cg.Person(id="P2", name="Wit", status="witness")],
        evidence=[cg.Evidence(id="E1", name="tip", reliability="E", credibility=2),
                  cg.Evidence(id="E2", name="hint", reliability="B", credibility=5),
                  cg.Evidence(id="E3", name="log", reliability="B", credibility=2)])
    out = cg.redact(case, profile)
    assert ([p.id for p in out.persons], [e.id for e in out.evidence]) == (["P1"], ["E3"])


def test_numbers_kept_as_floats_country_codes_birthdays_and_coordinates() -> None:
    case = cg.Case(persons=[cg.Person(
        id="P1", name="Zhou Jianguo", phones=["13800000101"],
        attributes={"phone_f": 13800000101.0, "x": 13800000101, "mobile2": "+86 138 0000 0101",
                    "contact": "0086-13800000101", "Birthday": "1970-05-01", "DateOfBirth": "x",
                    "出生日期": "1970年5月1日", "home_lat": 22.54, "longitude": 114.05,
                    "weight": 70.5})])
    attributes = cg.redact(case, "public").persons[0].attributes
    assert attributes == {"phone_f": "[phone 1]", "x": "[phone 1]", "mobile2": "[phone 1]",
                          "contact": "[phone 1]", "weight": 70.5}
    kept = cg.redact(case, cg.RedactionProfile("phones", mask_phones=True)).persons[0]
    assert kept.attributes["home_lat"] == 22.54 and kept.attributes["Birthday"] == "1970-05-01"


@pytest.mark.parametrize("role", ["informant", "confidential source (CI)", "CHIS handler's",
                                  "线人", "特情", "耳目"])
def test_informant_roles_are_withheld_and_their_ids_in_kept_text(role: str) -> None:
    case = cg.Case(persons=[
        cg.Person(id="P-E", name="Echo Five", role=role),
        cg.Person(id="P-F", name="Fox Six", notes="met P-E at SHOP-P-E2; P-Eng is not P-E")])
    out = cg.redact(case, "prosecution")
    assert [p.id for p in out.persons] == ["P-F"]
    assert out.persons[0].notes == "met [withheld] at SHOP-P-E2; P-Eng is not [withheld]"


def test_online_ids_and_plates_in_free_text_and_unknown_numbers_with_country_codes() -> None:
    case = cg.Case(persons=[cg.Person(
        id="P1", name="Zhou Jianguo", attributes={
            "email": "ZJG@example.com", "plate": "冀R·12345", "remark": "0086-13800000101",
            "qq": 123456789, "json": '{"mail": "a.b@c.org", "ip": "10.1.2.3"}'},
        notes="mail zjg@example.com or jianguo.zhou@mail.example.cn; cars 冀R12345, 京A12345,"
              " 粤B·D12345; from 8.8.4.4 (not v1.2.3.4.5); qq 123 456 789; +86 139 0000 0102")])
    person = cg.redact(case, "public").persons[0]
    # Values under known keys (also inside JSON) are numbered first, then the notes' (scrubbed
    # before the attributes).
    assert person.notes == (
        "mail [email 1] or [email 3]; cars [plate 1], [plate 2], [plate 3]; from [ip address 2]"
        " (not v1.2.3.4.5); qq [qq 1]; [phone 1]")
    assert person.attributes == {
        "email": "[email 1]", "plate": "[plate 1]", "remark": "[phone 2]", "qq": "[qq 1]",
        "json": '{"mail": "[email 2]", "ip": "[ip address 1]"}'}
    # Prosecution masks none of them.
    kept = cg.redact(case, "prosecution").persons[0]
    assert kept.attributes["email"] == "ZJG@example.com" and "8.8.4.4" in (kept.notes or "")
    only_plates = cg.redact(case, cg.RedactionProfile("plates", mask_plates=True)).persons[0]
    assert only_plates.attributes["plate"] == "[plate 1]"
    assert only_plates.attributes["email"] == "ZJG@example.com"


def test_name_parts_in_attributes_are_reduced_like_the_name() -> None:
    case = cg.Case(persons=[
        cg.Person(id="P1", name="Zhou Jianguo", attributes={
            "first_name": "Jianguo", "Surname": "Zhou", "FullName": "Zhou Jianguo"},
            notes="Jianguo called"),
        cg.Person(id="P2", name="周建国", attributes={"姓": "周", "名": "建国", "姓名": "周建国",
                                                     "曾用名": "周大国"},
                  notes="周大国到场"),
        cg.Person(id="P3", name="Wu Ping", attributes={"account_name": "Wu Ping Ltd"})],
        organizations=[cg.Organization(id="O1", name="Lantern Trading", attributes={
            "full_name": "Lantern Trading Co.", "director_first_name": "Dawei"})])
    out = cg.redact(case, "public").persons
    # On an organisation, a full name is its own; a first name still a person's.
    assert cg.redact(case, "public").organizations[0].attributes == {
        "full_name": "Lantern Trading Co.", "director_first_name": "D."}
    assert out[0].attributes == {"first_name": "J.", "Surname": "Z.", "FullName": "Z. J."}
    assert out[0].notes == "J. called"
    assert out[1].attributes == {"姓": "周", "名": "某某", "姓名": "周某某", "曾用名": "周某某"}
    assert out[1].notes == "周某某到场"
    assert out[2].attributes == {"account_name": "W. P. Ltd"}


def test_json_kept_as_text_is_redacted_key_by_key_and_unescaped() -> None:
    raw = json.dumps({"name": "周建国", "tel": "0755 8888 1234", "lat": 22.5,
                      "contacts": [{"phone": "020-1234 5678"}], "first_name": "Jianguo",
                      "birthday": "1970-01-01", "n": 13800000101})  # escapes: \\u5468...
    case = cg.Case(persons=[cg.Person(
        id="P1", name="周建国", phones=["13800000101"],
        attributes={"raw": raw, "plain": '{"ok": 1}', "broken": "{not json 13800000101"},
        notes="also on 0755 8888 1234 and 020-1234 5678; Jianguo said")])
    person = cg.redact(case, "public").persons[0]
    assert json.loads(person.attributes["raw"]) == {
        "name": "周某某", "tel": "[phone 2]", "contacts": [{"phone": "[phone 3]"}],
        "first_name": "J.", "n": "[phone 1]"}
    assert "\\u" not in person.attributes["raw"]
    assert person.attributes["plain"] == '{"ok": 1}'  # nothing to redact: left as written
    assert person.attributes["broken"] == "{not json [phone 1]"
    assert person.notes == "also on [phone 2] and [phone 3]; J. said"


@pytest.mark.parametrize("written", ["ZhouJianguo", "zhou_jianguo", "ZHOU-JIANGUO",
                                     "Zhou  Jianguo"])
def test_latin_names_are_found_with_any_separator_or_none(written: str) -> None:
    case = cg.Case(persons=[cg.Person(id="P1", name="Zhou Jianguo", aliases=["Ma Li"],
                                      notes=f"user {written} posted; Zhoujiang, Mali stay")])
    assert cg.redact(case, "public").persons[0].notes == "user Z. J. posted; Zhoujiang, Mali stay"


def test_numbers_written_with_a_country_code_are_masked_in_free_text() -> None:
    case = cg.Case(persons=[cg.Person(
        id="P1", name="Alpha One",
        notes="call +44 20 7946 0958, +1 (555) 123-4567 or ＋852 9123 4567; +3 items; 5+12345678")])
    assert cg.redact(case, "public").persons[0].notes == (
        "call [phone 1], [phone 2] or [phone 3]; +3 items; 5+12345678")


def test_dropped_dates_and_coordinates_are_withheld_from_text_too() -> None:
    case = cg.Case(
        persons=[cg.Person(id="P1", name="Alpha One",
                           attributes={"birthday": "1970-05-01", "birth_year": 1970,
                                       "gps": "22.54321,114.05678"},
                           notes="born 1970-05-01 (19700501) in 1970; seen at 22.54321,114.05678")],
        warehouses=[cg.Warehouse(id="W1", name="Den", address="Lot 9", lat=39.91234,
                                 lon=116.40567, notes="pin 39.91234, 116.40567")])
    out = cg.redact(case, "public")
    assert out.persons[0].attributes == {}
    # A bare year stays: withheld from every text it would mangle dates and references.
    assert out.persons[0].notes == "born [withheld] ([withheld]) in 1970; seen at [withheld]"
    assert out.warehouses[0].notes == "pin [withheld], [withheld]"


def test_names_given_name_first_minority_names_without_dot_and_very_long_names() -> None:
    long_name = "Zhou " + "Jianguo" * 300  # a prefix tree this deep once exhausted the stack
    case = cg.Case(persons=[
        cg.Person(id="P1", name="Zhou Jianguo", notes="JIANGUO ZHOU and Jianguo-Zhou"),
        cg.Person(id="P2", name="买买提·艾力", notes="买买提艾力到场"),
        cg.Person(id="P3", name=long_name, notes=f"{long_name} said"),
        cg.Person(id="P4", name="Bo (Bobby) Li", aliases=["[Ace]"])])
    out = cg.redact(case, "public").persons
    assert [p.notes for p in out[:3]] == ["Z. J. and Z. J.", "买某某某某某到场", "Z. J. said"]
    assert (out[3].name, out[3].aliases) == ("B. B. L.", ["A."])


def test_contact_values_of_a_withheld_informant_are_withheld_from_kept_text() -> None:
    case = cg.Case(persons=[
        cg.Person(id="P-I", name="Echo Five", role="informant",
                  attributes={"wechat": "echo_5five", "email": "e5@example.net",
                              "bank_card": "6222 0202 0011 2233 445", "qq": 7712345}),
        cg.Person(id="P-K", name="Kilo Two",
                  notes="paid 6222020200112233445 via echo_5five; wrote e5@example.net; qq 7712345")])
    out = cg.redact(case, "prosecution")
    assert [p.id for p in out.persons] == ["P-K"]
    assert out.persons[0].notes == (
        "paid [withheld] via [withheld]; wrote [withheld]; qq [withheld]")

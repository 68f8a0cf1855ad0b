"""The case report: sections, provenance of every figure and table, no external request."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import crimegraph as cg
from crimegraph.report import SECTIONS, render_report
from crimegraph.report.sections.money import money_entries
from crimegraph.report.support import Support

from ..conftest import FIXTURES, goods_case, shipment
from ..model.redact_case import PROSECUTION_HIDDEN, PUBLIC_HIDDEN, leaky_case
from .html_tree import Element, parse

TITLES = {
    "summary": "Case summary", "sources": "Sources and their grading",
    "chains": "The supply chain from each source", "org_chart": "Organization chart",
    "key_players": "Key players", "disruption": "Disruption and cut suggestions",
    "money": "Money", "evidence": "Evidence list",
}
EXTERNAL = re.compile(r"(?:https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module", params=[
    "fake_liquor", pytest.param("counterfeit_oil", marks=pytest.mark.slow)])
def fixture_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[cg.Case, Path, Element]:
    case = cg.read_case(FIXTURES / f"{request.param}.json")
    path = cg.case_report(case, tmp_path_factory.mktemp("report") / "report.html")
    return case, path, parse(path.read_text(encoding="utf-8"))


def _sections(doc: Element) -> dict[str, Element]:
    return {s.attrs["id"]: s for s in doc.iter("section")}


def _blocks(section: Element) -> list[Element]:
    """The figures and tables of a section."""
    return [e for e in section.iter() if e.tag == "figure"
            or (e.tag == "div" and "table" in e.classes())]


def _evidence_links(block: Element) -> list[str]:
    """The evidence ids in a block's 'Evidence:' line."""
    line = next(p for p in block.iter("p") if "supported-by" in p.classes())
    return [a.text for a in line.iter("a")]


def _table_rows(block: Element) -> list[list[Element]]:
    body = block.find("tbody")
    assert body is not None
    return [[td for td in tr.iter("td")] for tr in body.iter("tr")]


def _block(section: Element, title: str) -> Element:
    for block in _blocks(section):
        heading = block.find("h3") or block.find("figcaption")
        if heading is not None and heading.text.strip() == title:
            return block
    raise AssertionError(f"no block titled {title!r} in section {section.attrs['id']}")


def test_every_section_in_order_with_its_title(fixture_report: tuple[cg.Case, Path, Element]
                                              ) -> None:
    _, _, doc = fixture_report
    sections = _sections(doc)
    assert list(sections) == list(SECTIONS)
    for key, section in sections.items():
        heading = section.find("h2")
        assert heading is not None and heading.text.endswith(TITLES[key])
    toc = doc.find("nav")
    assert toc is not None
    assert [a.attrs["href"] for a in toc.iter("a")] == [f"#{key}" for key in SECTIONS]


def test_no_external_request_anywhere(fixture_report: tuple[cg.Case, Path, Element]) -> None:
    _, path, doc = fixture_report
    for element in doc.iter():
        assert element.tag not in ("script", "link", "iframe", "object", "embed")
        for name in ("src", "href", "srcset", "data", "action", "poster"):
            if name not in element.attrs:
                continue
            value = element.attrs[name]
            assert not EXTERNAL.match(value.strip()), (element.tag, name, value[:80])
            if name == "src":
                assert value.startswith("data:image/svg+xml;base64,"), value[:40]
            if name == "href":
                assert value.startswith("#"), value
    text = path.read_text(encoding="utf-8")
    for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", text):
        assert url.startswith(("data:", "#")), url
    assert "@import" not in text
    # The browser is told to load nothing but the embedded figures and the inline style.
    policy = next(m for m in doc.iter("meta")
                  if m.attrs.get("http-equiv") == "Content-Security-Policy")
    assert policy.attrs["content"] == ("default-src 'none'; img-src data:; "
                                       "style-src 'unsafe-inline'")
    # Inside the figures too: SVG may only point at its own parts.
    for img in doc.iter("img"):
        svg = base64.b64decode(img.attrs["src"].split(",", 1)[1]).decode("utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        for link in re.findall(r'(?:xlink:)?href="([^"]*)"', svg):
            assert link.startswith("#"), link
        for url in re.findall(r"url\(([^)]*)\)", svg):
            assert url.startswith("#"), url


def test_every_figure_and_table_says_what_made_it_and_links_its_evidence(
        fixture_report: tuple[cg.Case, Path, Element]) -> None:
    case, _, doc = fixture_report
    anchors = {tr.attrs["id"]: tr for tr in doc.iter("tr") if "id" in tr.attrs}
    evidence_ids = {e.id for e in case.evidence}
    blocks = [b for s in doc.iter("section") for b in _blocks(s)]
    assert sum(b.tag == "figure" for b in blocks) >= 6
    for block in blocks:
        made = next(p for p in block.iter("p") if "made-from" in p.classes())
        assert len(made.text) > len("Made from: ") + 10
        for link in block.iter("a"):
            target = anchors[link.attrs["href"][1:]]       # every link lands on a row
            assert target.find("a") is not None and target.find("a").text == link.text
            assert link.text in evidence_ids


def test_the_evidence_list_has_every_record_with_grade_and_citations(
        fixture_report: tuple[cg.Case, Path, Element]) -> None:
    case, _, doc = fixture_report
    table = _block(_sections(doc)["evidence"], "Evidence records")
    rows = _table_rows(table)
    assert [row[0].text for row in rows] == [e.id for e in case.evidence]
    cited = {e.id: 0 for e in case.evidence}
    for record in case.records():
        if not isinstance(record, cg.Evidence):
            for eid in record.evidence:
                cited[eid] += 1
    for row, item in zip(rows, case.evidence):
        assert row[6].text == f"{item.reliability or '?'}{item.credibility or '?'}"
        assert int(row[8].text.replace(",", "")) == cited[item.id]


def test_the_grading_matrix_counts_every_evidence_record(
        fixture_report: tuple[cg.Case, Path, Element]) -> None:
    case, _, doc = fixture_report
    grid = _block(_sections(doc)["sources"], "Evidence records per grade")
    rows = {row[0].text: row for row in _table_rows(grid)}
    for letter, row in rows.items():
        expected = [sum(1 for e in case.evidence if (e.reliability or "?") == letter
                        and str(e.credibility or "?") == digit) for digit in "123456?"]
        assert [int(td.text.replace(",", "") or 0) for td in row[1:8]] == expected
    assert sum(int(row[-1].text) for row in rows.values()) == len(case.evidence)


def test_chain_figure_evidence_is_that_of_its_shipments_and_places(
        fixture_report: tuple[cg.Case, Path, Element]) -> None:
    case, _, doc = fixture_report
    section = _sections(doc)["chains"]
    start = str(cg.find_sources(case)["id"].iloc[0])
    chain = cg.trace_chain(case, start)
    index = case.record_index()
    expected = sorted({eid for rid in [*chain.transactions, *chain.nodes]
                       for eid in index[rid].evidence})
    figure = next(f for f in section.iter("figure")
                  if f.find("figcaption").text.strip().endswith(f"({start})"))
    assert _evidence_links(figure) == expected
    img = figure.find("img")
    assert img is not None and float(img.attrs["width"]) > 100


def test_org_chart_rows_cite_the_person_and_the_tie_to_the_superior() -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    doc = parse(render_report(case, sections=["org_chart"]))
    table = _block(_sections(doc)["org_chart"], "Chain of command")
    rows = {row[0].text: row for row in _table_rows(table)}
    # P-HE is led by P-ZHENG (REL-007): her own evidence and that of their ties.
    ties = [r for r in case.relationships if {r.source, r.target} == {"P-HE", "P-ZHENG"}]
    assert "REL-007" in [r.id for r in ties]
    expected = sorted({*case.get("P-HE").evidence, *(e for r in ties for e in r.evidence)})
    assert [a.text for a in rows["P-HE"][-1].iter("a")] == expected
    assert rows["P-HE"][3].text == "P-ZHENG"
    assert "周建国" in rows["P-ZHOU"][1].text


def test_money_trail_starts_where_money_enters() -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    entries = money_entries(Support(cg.CaseGraph(case)))
    payers = {t.source for t in case.transactions if t.kind == "payment"}
    payees = {t.target for t in case.transactions if t.kind == "payment"}
    assert entries and set(entries) == payers - payees
    doc = parse(render_report(case, sections=["money"]))
    section = _sections(doc)["money"]
    kept = _block(section, "Who kept the money on the trail")
    top = _table_rows(kept)[0]
    trail = cg.trace_money(case, entries, attribution="proportional")
    assert top[0].text == trail.balance()["id"].iloc[0]
    assert _block(section, "Frozen and seized") is not None


def test_a_tiny_case_without_money_or_evidence_says_so() -> None:
    case = goods_case("A B C", [shipment("T1", "A", "B", "03-01"),
                                shipment("T2", "B", "C", "03-02", qty=5)])
    doc = parse(render_report(case))
    sections = _sections(doc)
    assert list(sections) == list(SECTIONS)

    def empty_notes(key: str) -> list[str]:
        return [p.text for p in sections[key].iter("p") if "empty" in p.classes()]

    assert empty_notes("money") == ["This case records no payments, so there is no money "
                                    "to follow."]
    assert empty_notes("evidence") == ["This case records no evidence."]
    assert "no evidence" in empty_notes("sources")[0]
    assert "no persons" in empty_notes("org_chart")[0]
    assert not empty_notes("chains")                    # A ships and never receives
    assert len(list(sections["chains"].iter("img"))) == 1
    cut = _block(sections["disruption"], "The smallest cut")
    assert [row[0].text for row in _table_rows(cut)] == ["B"]


def test_an_empty_case_gives_a_report_of_empty_sections() -> None:
    doc = parse(render_report(cg.Case(id="nothing-yet", title="Nothing yet")))
    sections = _sections(doc)
    assert list(sections) == list(SECTIONS)
    assert not list(doc.iter("img"))
    for key in SECTIONS[1:]:
        assert any("empty" in p.classes() for p in sections[key].iter("p")), key


def test_sections_are_chosen_and_kept_in_report_order() -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    doc = parse(render_report(case, sections=["evidence", "summary"]))
    assert list(_sections(doc)) == ["summary", "evidence"]
    doc = parse(render_report(case, sections="sources", title="Who told us"))
    assert list(_sections(doc)) == ["sources"]
    heading = doc.find("h1")
    assert heading is not None and heading.text == "Who told us"


def test_chinese_names_and_title_are_in_the_text() -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    text = render_report(case, sections=["summary", "key_players"])
    doc = parse(text)
    title = doc.find("title")
    assert title is not None and title.text == case.title
    assert '<meta charset="utf-8">' in text
    names = [row[1].text for row in _table_rows(_block(_sections(doc)["key_players"],
                                                          "Key players"))]
    assert "周建国" in names


def test_the_same_case_gives_the_same_bytes() -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    first = render_report(case, sections=["org_chart", "evidence"])
    assert first == render_report(case, sections=["org_chart", "evidence"])


def test_text_from_the_case_is_escaped() -> None:
    case = goods_case("A B", [shipment("T1", "A", "B", "03-01")])
    case = case.model_copy(update={"title": "<script>alert(1)</script> & co"})
    text = render_report(case, sections=["summary"])
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"sections": ["summary", "suspects"]}, cg.InvalidArgument,
     "sections: unknown section 'suspects'; choose from summary, sources"),
    ({"sections": []}, cg.InvalidArgument, "sections is empty"),
    ({"sections": [3]}, cg.WrongArgumentType, "sections holds 3"),
    ({"redact": 3}, cg.WrongArgumentType, "redact=3 \\(int\\)"),
    ({"redact": "press"}, cg.InvalidArgument, "redact='press' is not a redaction profile"),
])
def test_bad_arguments_are_named(kwargs: dict[str, object], error: type[Exception],
                                 match: str, tmp_path: Path) -> None:
    case = goods_case("A B", [shipment("T1", "A", "B", "03-01")])
    with pytest.raises(error, match=match):
        cg.case_report(case, tmp_path / "r.html", **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "r.html").exists()


def test_wrong_graph_type_and_unwritable_path(tmp_path: Path) -> None:
    with pytest.raises(cg.WrongArgumentType, match="got dict"):
        cg.case_report({"id": "x"}, tmp_path / "r.html")  # type: ignore[arg-type]
    case = goods_case("A B", [shipment("T1", "A", "B", "03-01")])
    with pytest.raises(cg.InvalidArgument, match="cannot write the case report to .*missing"):
        cg.case_report(case, tmp_path / "missing" / "r.html", sections="summary")


def test_case_report_returns_the_path_and_accepts_a_case_graph(tmp_path: Path) -> None:
    graph = cg.CaseGraph(cg.read_case(FIXTURES / "fake_liquor.json"))
    path = cg.case_report(graph, str(tmp_path / "r.html"), sections=["summary"])
    assert path == tmp_path / "r.html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "fake-liquor" in text


def _all_text(html: str) -> str:
    """The report's text with every embedded figure decoded (matplotlib writes each drawn
    string into its SVG as a comment, so names in figures are searchable too)."""
    figures = [base64.b64decode(uri).decode("utf-8")
               for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]
    return "\n".join([html, *figures])


@pytest.mark.parametrize(("profile", "hidden"), [
    ("prosecution", PROSECUTION_HIDDEN), ("public", PUBLIC_HIDDEN)])
def test_redacted_report_holds_no_hidden_value(profile: str, hidden: list[str]) -> None:
    case = leaky_case()
    plain = _all_text(render_report(case))
    assert all(value in plain for value in hidden[:2])     # the values are there unredacted
    assert "周某某" not in plain
    text = _all_text(render_report(case, redact=profile))
    for value in hidden:
        assert value not in text, value
    doc = parse(text.split("\n</html>")[0] + "\n</html>\n")
    heading = doc.find("p", class_="case-id")
    assert heading is not None and f"redacted: profile “{profile}”" in heading.text


def _figures(html: str) -> list[str]:
    return [base64.b64decode(uri).decode("utf-8")
            for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]


def test_figures_are_made_from_the_redacted_case() -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    (plain,) = _figures(render_report(case, sections=["org_chart"]))
    (public,) = _figures(render_report(case, redact="public", sections=["org_chart"]))
    # The org chart names the leader; redacted, by initials (the family name kept).
    assert "周建国" in plain and "周某某" not in plain
    assert "周建国" not in public and "周某某" in public


def test_the_report_is_the_same_on_every_store(
        make_graph: Callable[[cg.Case], cg.CaseGraph]) -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    chosen = ["summary", "chains", "org_chart", "money", "evidence"]
    expected = render_report(case, sections=chosen)
    assert render_report(make_graph(case), sections=chosen) == expected


def two_currency_case() -> cg.Case:
    """Buyers pay the lieutenant in yuan and in dollars; she passes both on to the boss."""
    def pay(tid: str, source: str, target: str, day: str, amount: float,
            currency: str) -> cg.Transaction:
        return cg.Transaction(id=tid, kind="payment", source=source, target=target,
                              timestamp=f"2024-05-{day}", amount=amount, currency=currency)

    return cg.Case(
        id="two-currencies", title="Two currencies",
        persons=[cg.Person(id="LT", name="Lieutenant", status="suspect"),
                 cg.Person(id="BOSS", name="Boss", status="arrested")],
        organizations=[cg.Organization(id=i, name=i) for i in ("SHOP", "BUYER")],
        products=[cg.Product(id="OIL", name="Oil")],
        transactions=[cg.Transaction(id="S1", kind="shipment", source="LT", target="SHOP",
                                     timestamp="2024-04-30", product="OIL", quantity=60,
                                     amount=6000),
                      pay("M1", "SHOP", "LT", "01", 6000, "CNY"),
                      pay("M2", "BUYER", "LT", "02", 100, "USD"),
                      pay("M3", "BUYER", "LT", "02", 50, "USD"),
                      pay("M4", "LT", "BOSS", "03", 4000, "CNY"),
                      pay("M5", "LT", "BOSS", "04", 120, "USD")])


def _notes(section: Element) -> list[str]:
    return [" ".join(p.text.split()) for p in section.iter("p") if not p.classes()
            or "note" in p.classes() or "empty" in p.classes()]


def test_money_in_several_currencies_is_traced_in_each_apart(tmp_path: Path) -> None:
    from crimegraph.cli import main

    case = two_currency_case()
    path = tmp_path / "case.json"
    cg.write_case(case, path)
    out = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(out)]) == 0
    section = _sections(parse(out.read_text(encoding="utf-8")))["money"]
    text = " ".join(" ".join(p.text.split()) for p in section.iter("p"))
    # Most payments first: three in dollars, two in yuan; never one sum of both.
    assert "The payments are in 2 currencies (USD, CNY)" in text
    assert "The USD trail from 1 paying account(s) (BUYER)" in text
    assert "150.00 USD paid out by them" in text
    assert "6,000.00 CNY paid out by them" in text
    for code, top in (("USD", "BOSS"), ("CNY", "BOSS")):
        kept = _block(section, f"Who kept the money on the trail ({code})")
        rows = _table_rows(kept)
        assert rows[0][0].text == top
        assert {row[2].text for row in rows} == {code}
    usd = _block(section, "Who kept the money on the trail (USD)")
    assert _table_rows(usd)[0][3].text == "120.00"
    # Proceeds in the case's currency, the dollars named and not added.
    assert "Proceeds (CNY): 6,000.00 CNY received" in text
    assert "3 payment(s) in USD (270.00 USD)" in text
    assert ("Goods against money is counted in CNY; payments in other currencies are not "
            "matched to goods: 3 payment(s) in USD (270.00 USD)") in text
    assert _block(section, "Who profited (CNY)") is not None


def test_money_of_one_currency_is_labelled_with_it() -> None:
    case = two_currency_case()
    dollars = case.model_copy(update={"transactions": [
        t for t in case.transactions if t.currency == "USD" and t.kind == "payment"]})
    assert dollars.currency == "CNY"
    section = _sections(parse(render_report(dollars, sections=["money"])))["money"]
    text = " ".join(" ".join(p.text.split()) for p in section.iter("p"))
    assert "150.00 USD paid out by them" in text and "CNY" not in text
    assert "Proceeds (USD): 150.00 USD received" in text
    assert _block(section, "Who kept the money on the trail") is not None

"""Exports read back by third-party readers: GraphML (networkx, igraph), GEXF (networkx and a
structural check), the workbook (lossless), FollowTheMoney (its own model) and i2 ANX."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest

import crimegraph as cg
from crimegraph.model.projection import FLAT_LIST_SEPARATOR

EXAMPLES = ["counterfeit_oil", "fake_liquor"]


@pytest.fixture(scope="module", params=EXAMPLES)
def case(request: pytest.FixtureRequest) -> cg.Case:
    return cg.load_example(request.param)


def _best_grade(record: cg.Record, case: cg.Case) -> str | None:
    grades = []
    for ref in record.evidence:
        ev = case.get(ref)
        assert isinstance(ev, cg.Evidence)
        if ev.reliability and ev.credibility:
            grades.append(f"{ev.reliability}{ev.credibility}")
    return min(grades) if grades else None


def _check_link_attributes(case: cg.Case, key: str, data: dict[str, Any]) -> None:
    record = case.get(key)
    if isinstance(record, cg.Transaction):
        assert data["link"] == "transaction" and data["kind"] == record.kind
        assert dt.datetime.fromisoformat(data["timestamp"]) == record.timestamp
        for name in ("quantity", "amount"):
            value = getattr(record, name)
            assert (name not in data) if value is None else data[name] == pytest.approx(value)
        assert data.get("product") == record.product
        assert data.get("reference") == record.reference
    else:
        assert isinstance(record, cg.Relationship)
        assert data["link"] == "relationship" and data["label"] == record.kind
    assert data.get("grade") == _best_grade(record, case)
    assert data.get("evidence", "") == FLAT_LIST_SEPARATOR.join(record.evidence)


def test_graphml_reads_back_with_networkx_and_igraph(case: cg.Case, tmp_path: Path) -> None:
    path = cg.write_graphml(case, tmp_path / "case.graphml")
    graph = nx.read_graphml(path, force_multigraph=True)
    assert set(graph.nodes) == {e.id for e in case.nodes}
    links = {r.id: r for r in (*case.transactions, *case.relationships)}
    edges = {key: (u, v, data) for u, v, key, data in graph.edges(keys=True, data=True)}
    assert set(edges) == set(links)
    for key, (u, v, data) in edges.items():
        assert (u, v) == (links[key].source, links[key].target)
        _check_link_attributes(case, key, data)
    for entity in case.nodes:
        data = graph.nodes[entity.id]
        assert data["label"] == entity.name and data["name"] == entity.name
        assert data["type"] in ("person", "organization", "premises")
        assert data.get("aliases", "") == FLAT_LIST_SEPARATOR.join(entity.aliases)
        if isinstance(entity, cg.Person):
            assert data["status"] == entity.status
            assert data.get("phones", "") == FLAT_LIST_SEPARATOR.join(entity.phones)
        if isinstance(entity, cg.Warehouse) and entity.lat is not None:
            assert data["lat"] == pytest.approx(entity.lat)

    # igraph reads the same file: vertices by id, edges by their ends and attributes.
    ig = igraph.Graph.Read_GraphML(str(path))
    assert ig.vcount() == len(case.nodes) and ig.ecount() == len(links)
    names = ig.vs["id"]
    seen = sorted(
        (names[e.source], names[e.target], e["label"],
         e["amount"] if e["amount"] == e["amount"] else None)  # NaN where absent
        for e in ig.es)
    expected = sorted(
        (r.source, r.target, r.kind, getattr(r, "amount", None)) for r in links.values())
    assert seen == expected
    person = case.persons[0]
    vertex = ig.vs.find(id=person.id)
    assert vertex["label"] == person.name and vertex["status"] == person.status


def _gexf_structure(path: Path) -> ET.Element:
    """What the GEXF 1.3 schema requires of the parts we write, checked element by element."""
    ns = {"g": "http://gexf.net/1.3"}
    root = ET.parse(path).getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    graph = root.find("g:graph", ns)
    assert graph is not None
    assert graph.get("defaultedgetype") in ("directed", "undirected", "mutual")
    assert graph.get("mode") in (None, "static", "dynamic")
    declared: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for block in graph.findall("g:attributes", ns):
        for attribute in block.findall("g:attribute", ns):
            assert attribute.get("type") in ("string", "long", "double", "boolean", "integer")
            declared[block.get("class", "")][attribute.get("id", "")] = attribute.get("type", "")
    parse = {"string": str, "long": int, "integer": int, "double": float,
             "boolean": lambda v: {"true": True, "false": False}[v]}
    node_ids = set()
    for node in graph.findall("g:nodes/g:node", ns):
        assert node.get("id") and node.get("id") not in node_ids
        node_ids.add(node.get("id"))
        for value in node.findall("g:attvalues/g:attvalue", ns):
            parse[declared["node"][value.get("for", "")]](value.get("value", ""))  # type: ignore[operator]
    edge_ids = set()
    for edge in graph.findall("g:edges/g:edge", ns):
        assert edge.get("source") in node_ids and edge.get("target") in node_ids
        assert edge.get("id") not in edge_ids
        edge_ids.add(edge.get("id"))
        if edge.get("weight") is not None:
            float(edge.get("weight", ""))
        start, end = edge.get("start"), edge.get("end")
        if graph.get("timeformat") == "date":
            days = [dt.date.fromisoformat(d) for d in (start, end) if d is not None]
            assert days == sorted(days)
        for value in edge.findall("g:attvalues/g:attvalue", ns):
            parse[declared["edge"][value.get("for", "")]](value.get("value", ""))  # type: ignore[operator]
    return graph


def test_gexf_reads_back_and_plays_in_time(case: cg.Case, tmp_path: Path) -> None:
    path = cg.write_gexf(case, tmp_path / "case.gexf")
    element = _gexf_structure(path)
    assert element.get("mode") == "dynamic" and element.get("timeformat") == "date"
    graph = nx.read_gexf(path)
    assert set(graph.nodes) == {e.id for e in case.nodes}
    assert graph.number_of_edges() == len(case.transactions) + len(case.relationships)
    for u, v, key, data in graph.edges(keys=True, data=True):
        record = case.get(key)
        assert (u, v) == (record.source, record.target)  # type: ignore[attr-defined]
        _check_link_attributes(case, key, data)
        if isinstance(record, cg.Transaction):
            assert data["start"] == record.timestamp.date().isoformat()
            assert data["weight"] == pytest.approx(
                record.quantity if record.kind == "shipment" else record.amount)
        elif record.since is not None:  # type: ignore[attr-defined]
            assert data["start"] == record.since.date().isoformat()  # type: ignore[attr-defined]
    for entity in case.nodes:
        assert graph.nodes[entity.id]["label"] == entity.name


def test_a_chain_and_the_social_network_export(tmp_path: Path) -> None:
    graph = cg.CaseGraph(cg.load_example("fake_liquor"))
    chain = cg.trace_chain(graph, "W-DEN-A")
    back = nx.read_graphml(cg.write_graphml(chain, tmp_path / "chain.graphml"),
                           force_multigraph=True)
    assert set(back.nodes) == set(chain.nodes)
    assert {k for *_, k in back.edges(keys=True)} == set(chain.transactions)
    assert {n: back.nodes[n]["tier"] for n in back.nodes} == chain.tiers
    trail = cg.trace_money(graph, "P-ZHOU")
    gexf = nx.read_gexf(cg.write_gexf(trail, tmp_path / "trail.gexf"))
    assert {k for *_, k in gexf.edges(keys=True)} == set(trail.transactions)
    social = cg.social_network(graph)
    back_social = nx.read_graphml(cg.write_graphml(social, tmp_path / "social.graphml"))
    assert back_social.number_of_edges() == social.number_of_edges()
    assert all(back_social.has_edge(u, v) for u, v in social.edges)
    for u, v, w in social.edges(data="weight"):
        assert back_social.edges[u, v]["weight"] == pytest.approx(w)
    with pytest.raises(cg.InvalidArgument, match=r"cg.social_network\(cg.redact"):
        cg.write_graphml(social, tmp_path / "x.graphml", redact="public")
    with pytest.raises(cg.WrongArgumentType, match="write_gexf needs"):
        cg.write_gexf({"id": "x"}, tmp_path / "x.gexf")


def test_xml_exports_replace_characters_xml_cannot_hold(tmp_path: Path) -> None:
    # A vertical tab pasted from a spreadsheet made every reader refuse the whole file.
    case = cg.Case(
        persons=[cg.Person(id="P1", name="Zhou\x0bJianguo", notes="line\r\nnext\x01\ufffe\uffff",
                           attributes={"note\x02": "kept"}),
                 cg.Person(id="P2", name="Li Ming")],
        relationships=[cg.Relationship(id="R1", kind="calls", source="P1", target="P2",
                                       notes="one\r\ntwo\x0c")])
    graphml = cg.write_graphml(case, tmp_path / "c.graphml")
    for graph in (nx.read_graphml(graphml), nx.read_gexf(cg.write_gexf(case, tmp_path / "c.gexf"))):
        person = graph.nodes["P1"]
        assert person["name"] == "Zhou\ufffdJianguo"
        assert person["notes"] == "line\r\nnext\ufffd\ufffd\ufffd"  # \r kept, not read as \n
        assert person["attr_note\ufffd"] == "kept"
        assert [d["notes"] for *_, d in graph.edges(data=True)] == ["one\r\ntwo\ufffd"]
    assert igraph.Graph.Read_GraphML(str(graphml)).vs["name"] == ["Zhou\ufffdJianguo", "Li Ming"]
    chart = ET.parse(cg.write_anx(case, tmp_path / "c.anx"))
    items = list(chart.iter("ChartItem"))
    assert items[0].get("Label") == "Zhou\ufffdJianguo"
    assert items[2].get("Description") == "one\r\ntwo\ufffd"


@pytest.mark.parametrize("write", [cg.write_graphml, cg.write_gexf, cg.write_anx])
def test_a_trail_whose_start_is_withheld_is_refused_as_the_figure_does(
        write: Any, tmp_path: Path) -> None:
    case = cg.Case(
        persons=[cg.Person(id="W1", name="Ma Lin", status="witness"),
                 cg.Person(id="P1", name="Al Bo")],
        transactions=[cg.Transaction(id="M1", kind="payment", source="W1", target="P1",
                                     timestamp="2024-01-01", amount=100)])
    trail = cg.trace_money(case, "W1")
    message = r"redact='public' withholds the start of this trace \(W1\); there is nothing"
    with pytest.raises(cg.InvalidArgument, match="plot_money: " + message):
        cg.plot_money(trail, redact="public")
    path = tmp_path / "trail.out"
    with pytest.raises(cg.InvalidArgument, match=f"{write.__name__}: " + message):
        write(trail, path, redact="public")
    assert not path.exists()
    assert write(trail, path, redact="internal").exists()


def test_workbook_round_trip_is_lossless(case: cg.Case, tmp_path: Path) -> None:
    path = cg.write_workbook(case, tmp_path / "case.xlsx")
    back = cg.read_workbook(path)
    assert back == case
    assert cg.io.jsonfile.case_to_json(back) == cg.io.jsonfile.case_to_json(case)


def test_workbook_cells_are_typed_and_the_schema_sheet_is_hidden(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    case = cg.load_example("counterfeit_oil")
    book = load_workbook(cg.write_workbook(case, tmp_path / "c.xlsx"))
    assert book["_schema"].sheet_state == "hidden"
    assert book["_schema"]["B1"].value == "crimegraph-workbook"
    persons = book["persons"]
    header = [c.value for c in persons[1]]
    phones = persons.cell(row=2, column=header.index("phones") + 1)
    assert phones.data_type == "s" and phones.value == '["138-0000-0101"]'
    txs = book["transactions"]
    header = [c.value for c in txs[1]]
    ref = txs.cell(row=case.transactions.index(case.get("PAY-0001")) + 2,
                   column=header.index("reference") + 1)
    assert ref.data_type == "s" and ref.value == "BK2024012918551805"
    quantity = txs.cell(row=2, column=header.index("quantity") + 1)
    assert quantity.data_type == "n" and quantity.value == case.transactions[0].quantity


def test_workbook_keeps_awkward_text(tmp_path: Path) -> None:
    case = cg.Case(
        id="awkward", title="", description="=SUM(A1:A3)",
        persons=[cg.Person(id="P-1", name="=1+1", notes="", role="tab\there\x01",
                           national_id="110105198001011234", phones=["00861380000"],
                           attributes={"big": 2**62, "flag": True, "ratio": 0.1, "none": None,
                                       "text": "007"})],
    )
    back = cg.read_workbook(cg.write_workbook(case, tmp_path / "a.xlsx"))
    assert back == case
    assert back.persons[0].notes == "" and back.title == ""


def test_workbook_keeps_text_longer_than_a_cell(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    # openpyxl cuts text at 32,767 characters; the workbook keeps the rest in parts.
    case = cg.Case(
        description="d" * 70_000,
        persons=[cg.Person(id="P1", name="Ann", notes="x" * 40_000 + "end",
                           aliases=["a" * 50_000], attributes={"pasted": "\x0b" * 40_000}),
                 cg.Person(id="P2", name="Bo", notes="\U00020000" * 20_000)])
    path = cg.write_workbook(case, tmp_path / "long.xlsx")
    back = cg.read_workbook(path)
    assert back == case
    assert back.persons[0].notes is not None and back.persons[0].notes.endswith("end")
    book = load_workbook(path)
    assert book["_schema"]["B2"].value == 2  # an older reader refuses it instead of cutting
    short = cg.write_workbook(cg.Case(persons=[cg.Person(id="P1", name="Ann")]),
                              tmp_path / "short.xlsx")
    assert load_workbook(short)["_schema"]["B2"].value == 1


def test_workbook_error_quotes_a_long_value_shortly(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = cg.write_workbook(cg.Case(persons=[cg.Person(id="P1", name="Ann")]), tmp_path / "j.xlsx")
    book = load_workbook(path)
    header = [c.value for c in book["persons"][1]]
    book["persons"].cell(row=2, column=header.index("aliases") + 1, value="[" + "z" * 30_000)
    book.save(path)
    with pytest.raises(cg.CaseFileError, match=r"\(30,001 characters\) is not JSON") as caught:
        cg.read_workbook(path)
    assert len(str(caught.value)) < 400


def test_workbook_errors_name_sheet_and_cell(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = cg.write_workbook(cg.load_example("fake_liquor"), tmp_path / "l.xlsx")
    book = load_workbook(path)
    book["persons"]["C2"] = "[not json"
    book.save(path)
    header = [c.value for c in load_workbook(path)["persons"][1]]
    assert header[2] == "evidence"
    with pytest.raises(cg.CaseFileError, match=r"sheet 'persons' cell C2 \(field 'evidence'\)"):
        cg.read_workbook(path)
    other = tmp_path / "other.xlsx"
    from openpyxl import Workbook

    Workbook().save(other)
    with pytest.raises(cg.CaseFileError, match="not a crimegraph workbook; sheets missing"):
        cg.read_workbook(other)


def test_followthemoney_entities_are_valid_and_read_back(case: cg.Case) -> None:
    from followthemoney import model

    entities = cg.to_followthemoney(case)
    proxies = {e["id"]: model.get_proxy(e, cleaned=False) for e in entities}
    schemata = {i: p.schema.name for i, p in proxies.items()}
    assert all(schemata[p.id] == "Person" for p in case.persons)
    assert all(schemata[w.id] == "RealEstate" for w in case.warehouses)
    assert all(schemata[o.id] in ("Company", "Organization") for o in case.organizations)
    assert all(schemata[e.id] == "Document" for e in case.evidence)
    for tx in case.transactions:
        proxy = proxies[tx.id]
        if tx.kind == "payment":
            assert proxy.schema.name == "Payment"
            assert proxy.first("payer") == tx.source
            assert float(proxy.first("amount")) == pytest.approx(tx.amount)
        else:
            assert proxy.schema.name == "EconomicActivity"
            assert proxy.first("sender") == tx.source
    # Every entity the links name is among the entities.
    for proxy in proxies.values():
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= set(proxies), (proxy.id, prop.name)

    back = cg.from_followthemoney(entities, case_id=case.id)
    assert {p.id: p.name for p in back.persons} == {p.id: p.name for p in case.persons}
    assert len(back.transactions) == len(case.transactions)
    for tx in back.transactions:
        original = case.get(tx.id)
        assert isinstance(original, cg.Transaction)
        assert tx.timestamp == original.timestamp and tx.kind == original.kind
        assert (tx.quantity, tx.amount if tx.kind == "payment" else None) == (
            original.quantity, original.amount if tx.kind == "payment" else None)
    for ev in back.evidence:
        original = case.get(ev.id)
        assert isinstance(original, cg.Evidence)
        assert (ev.reliability, ev.credibility, ev.reference) == (
            original.reliability, original.credibility, original.reference)
    assert len(back.relationships) == len(case.relationships)


def _ftm_payment(**properties: list[str]) -> list[dict[str, Any]]:
    return [{"id": "ANN", "schema": "Person", "properties": {"name": ["Ann Lee", "Annie"]}},
            {"id": "BCO", "schema": "Company", "properties": {"name": ["Bright Co"]}},
            {"id": "PAY", "schema": "Payment",
             "properties": {"payer": ["ANN"], "beneficiary": ["BCO"], **properties}}]


def test_followthemoney_partial_dates_read_as_their_first_day_and_say_so() -> None:
    # "2024" was read as 2024 seconds after 1970.
    case = cg.from_followthemoney([
        *_ftm_payment(date=["2024"], amount=["100"], description=["first", "second"]),
        {"id": "EMP", "schema": "Employment", "properties": {
            "employer": ["BCO"], "employee": ["ANN"], "startDate": ["2023-02"],
            "endDate": ["2024-02"]}}])
    payment = case.transactions[0]
    assert payment.timestamp == dt.datetime(2024, 1, 1, tzinfo=payment.timestamp.tzinfo)
    assert payment.attributes == {"timestamp_precision": "year",
                                  "ftm_description": '["first", "second"]'}
    assert payment.notes == "first"
    assert case.persons[0].aliases == ["Annie"]  # a second name is kept as an alias
    tie = case.relationships[0]
    assert (tie.since.date(), tie.until.date()) == (dt.date(2023, 2, 1), dt.date(2024, 2, 29))
    assert tie.attributes == {"since_precision": "month", "until_precision": "month"}


def test_followthemoney_problems_name_entity_schema_and_property() -> None:
    with pytest.raises(cg.InvalidCase) as caught:
        cg.from_followthemoney([
            *_ftm_payment(date=["2024-01-02"]),  # no amount: was dropped without a word
            {"id": "PAY2", "schema": "Payment", "properties": {
                "payer": ["ANN"], "beneficiary": ["BCO"], "amount": ["100"]}},
            {"id": "PAY3", "schema": "Payment", "properties": {
                "payer": ["ANN", "BCO"], "beneficiary": ["BCO"], "amount": ["1", "2"],
                "date": ["someday"]}},
            {"id": "PAY4", "schema": "Payment", "properties": {  # skipped: payer not given
                "payer": ["OUTSIDE"], "beneficiary": ["BCO"]}},
            {"id": "PAY5", "schema": "Payment", "properties": {
                "beneficiary": ["BCO"], "amount": ["5"], "date": ["2024-01-02"]}}])
    found = {(p.record_id, p.field): p.message for p in caught.value.problems}
    assert found == {
        ("PAY", "amount"): "FollowTheMoney Payment has no 'amount'; a payment needs its amount",
        ("PAY2", "date"): "FollowTheMoney Payment has no 'date'; a payment needs its date",
        ("PAY3", "payer"): "FollowTheMoney Payment property 'payer' has 2 values; a record "
                           "of the case holds one: split the entity",
        ("PAY3", "amount"): "FollowTheMoney Payment property 'amount' has 2 values; a record "
                            "of the case holds one: split the entity",
        ("PAY3", "date"): "FollowTheMoney Payment property 'date': not a valid "
                          "FollowTheMoney date",
        ("PAY5", "payer"): "FollowTheMoney Payment has no 'payer'; a payment needs the one "
                           "who paid",
    }
    assert "in FollowTheMoney entities" in str(caught.value)


def test_followthemoney_keeps_amounts_places_and_countries() -> None:
    from followthemoney import model

    case = cg.Case(
        attributes={"country": "us"},
        persons=[cg.Person(id="P1", name="Ann Lee", province="New York", city="Brooklyn",
                           attributes={"country": "ca"})],
        organizations=[cg.Organization(id="O1", name="Harbor Freight Co", address="1 Pier St",
                                       city="New York"),
                       cg.Organization(id="O1-address", name="Address Holdings")],
        products=[cg.Product(id="PR1", name="Fake cognac", unit="bottle")],
        transactions=[cg.Transaction(id="S1", kind="shipment", source="O1", target="P1",
                                     timestamp="2024-05-01", product="PR1", quantity=30,
                                     amount=18_900, currency="USD")],
        evidence=[cg.Evidence(id="E1", name="Seizure at the pier", kind="seizure",
                              amount=94_200, currency="USD", quantity=1_500, product="PR1",
                              reference="NY-2024-1")])
    entities = cg.to_followthemoney(case)
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids))  # "O1-address" was made twice
    by_id = {e["id"]: model.get_proxy(e, cleaned=False) for e in entities}
    assert by_id["P1"].get("country") == ["ca"] and by_id["O1"].get("country") == ["us"]
    person_address = by_id[by_id["P1"].first("addressEntity")]
    assert (person_address.first("city"), person_address.first("region")) == (
        "Brooklyn", "New York")
    assert by_id["O1"].first("addressEntity") == "O1-address-2"
    assert by_id["S1"].first("invoiceAmount") == "18900.0"
    assert "amount 94200.0 USD" in by_id["E1"].first("summary")
    back = cg.from_followthemoney(entities)
    assert back.get("S1") == case.get("S1")
    evidence = back.get("E1")
    assert isinstance(evidence, cg.Evidence)
    assert (evidence.kind, evidence.amount, evidence.currency, evidence.quantity,
            evidence.product, evidence.reference) == ("seizure", 94_200, "USD", 1_500, "PR1",
                                                      "NY-2024-1")
    person = back.get("P1")
    assert isinstance(person, cg.Person) and (person.province, person.city) == (
        "New York", "Brooklyn")
    # Without a country in the case, none is made up.
    bare = cg.to_followthemoney(cg.Case(persons=[cg.Person(id="P1", name="Ann Lee")]))
    assert "country" not in bare[0]["properties"]


def test_followthemoney_missing_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "followthemoney", None)
    with pytest.raises(cg.MissingExtra, match=r"pip install 'crimegraph\[ftm\]'"):
        cg.to_followthemoney(cg.load_example("fake_liquor"))
    with pytest.raises(cg.MissingExtra):
        cg.from_followthemoney([])


def test_invalid_followthemoney_is_named() -> None:
    with pytest.raises(cg.InvalidArgument, match=r"entity 0 \(id 'x'\)"):
        cg.from_followthemoney([{"id": "x", "schema": "NoSuchSchema", "properties": {}}])


def test_anx_chart_holds_every_entity_and_link_with_grades(case: cg.Case,
                                                          tmp_path: Path) -> None:
    root = ET.parse(cg.write_anx(case, tmp_path / "case.anx")).getroot()
    assert root.tag == "Chart"
    entities = {e.get("EntityId"): e for e in root.iter("Entity")}
    assert set(entities) == {e.id for e in case.nodes}
    icons = {item.find("End/Entity").get("EntityId"): item.find(  # type: ignore[union-attr]
        "End/Entity/Icon/IconStyle").get("Type") for item in root.iter("ChartItem")  # type: ignore[union-attr]
        if item.find("End") is not None}
    assert all(icons[p.id] == "Person" for p in case.persons)
    assert {s.get("Text") for s in root.findall("GradeOne/StringCollection/String")} >= {
        "A - Completely reliable", "F - Reliability cannot be judged"}
    links = {item.get("Id"): item for item in root.iter("ChartItem")
             if item.find("Link") is not None}
    assert set(links) == {r.id for r in (*case.transactions, *case.relationships)}
    for tx in case.transactions:
        item = links[tx.id]
        link = item.find("Link")
        assert link is not None
        assert (link.get("End1Id"), link.get("End2Id")) == (tx.source, tx.target)
        local = tx.timestamp.replace(tzinfo=None).isoformat()
        assert item.get("DateTime") == local and item.get("DateSet") == "true"
        grade = _best_grade(tx, case)
        if grade:
            assert item.get("GradeOneIndex") == str("ABCDEF".index(grade[0]))
            assert item.get("GradeTwoIndex") == str(int(grade[1]) - 1)

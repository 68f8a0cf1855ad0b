"""For each profile, write every output and every figure, and search the bytes for each value the
profile must hide: none may appear, in any encoding (XML escapes, zipped workbook parts, SVG
text, digits in other spacing)."""

from __future__ import annotations

import html
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
import pytest

import crimegraph as cg
from crimegraph.model.redact import redact_case

from ..model.redact_case import PROSECUTION_HIDDEN, PUBLIC_HIDDEN, leaky_case

matplotlib.use("Agg")

PROFILES = ["prosecution", "public"]


def _texts(path: Path) -> str:
    """Everything a file holds as text: zip members unpacked, XML and HTML escapes undone."""
    raw = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            parts = [archive.read(name).decode("utf-8", "replace")
                     for name in archive.namelist()]
        text = "\n".join(parts)
    else:
        text = raw.decode("utf-8", "replace")
    return text + "\n" + html.unescape(html.unescape(text))


def _assert_hidden(text: str, hidden: list[str], where: str) -> None:
    digits_only = "".join(ch for ch in text if ch.isdigit())
    for value in hidden:
        assert value not in text, f"{value!r} appears in {where}"
        assert json.dumps(value)[1:-1] not in text, f"{value!r} (JSON-escaped) in {where}"
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 9:
            assert digits not in digits_only, f"digits of {value!r} appear in {where}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _exports(data: Any, folder: Path, profile: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        cg.write_graphml(data, folder / "case.graphml", redact=profile),
        cg.write_gexf(data, folder / "case.gexf", redact=profile),
        cg.write_anx(data, folder / "case.anx", redact=profile),
    ]
    if isinstance(data, (cg.Case, cg.CaseGraph)):
        paths.append(cg.write_workbook(data, folder / "case.xlsx", redact=profile))
        ftm = folder / "case.ftm.json"
        ftm.write_text("\n".join(json.dumps(e, ensure_ascii=False)
                                 for e in cg.to_followthemoney(data, redact=profile)),
                       encoding="utf-8")
        paths.append(ftm)
    return paths


@pytest.mark.parametrize("profile", PROFILES)
def test_leaky_case_exports_hide_everything(profile: str, tmp_path: Path) -> None:
    hidden = PUBLIC_HIDDEN if profile == "public" else PROSECUTION_HIDDEN
    case = leaky_case()
    graph = cg.CaseGraph(case)
    paths = _exports(case, tmp_path / "case", profile)
    paths += _exports(graph, tmp_path / "graph", profile)
    social = cg.social_network(cg.redact(graph, profile))
    paths.append(cg.write_graphml(social, tmp_path / "social.graphml"))
    for path in paths:
        _assert_hidden(_texts(path), hidden, path.name)


def _figures(graph: cg.CaseGraph, start: str, payer: str, profile: str,
             folder: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    chain = cg.trace_chain(graph, start)
    trail = cg.trace_money(graph, payer)
    disruption = cg.simulate_disruption(graph, "degree", max_removed=8)
    drawings: dict[str, Callable[[], Any]] = {
        "chain": lambda: cg.plot_chain(chain, redact=profile),
        "chain_method": lambda: chain.plot(redact=profile),
        "money": lambda: cg.plot_money(trail, redact=profile),
        "money_method": lambda: trail.plot(redact=profile),
        "timeline": lambda: cg.plot_timeline(graph, redact=profile),
        "timeline_chain": lambda: cg.plot_timeline(chain, redact=profile),
        "org": lambda: cg.plot_org_chart(graph, redact=profile),
        "network": lambda: cg.plot_network(graph, redact=profile),
        "disruption": lambda: cg.plot_disruption(disruption, graph=graph, redact=profile),
        "disruption_method": lambda: disruption.plot(graph=graph, redact=profile),
        "reconcile": lambda: cg.plot_reconcile(cg.reconcile(graph), graph=graph,
                                               redact=profile),
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays searchable text
        for name, draw in drawings.items():
            ax = draw()
            path = folder / f"{name}.svg"
            ax.figure.savefig(path)
            plt.close(ax.figure)
            paths.append(path)
    return paths


@pytest.mark.parametrize("profile", PROFILES)
def test_fixture_outputs_and_figures_hide_everything(profile: str, tmp_path: Path) -> None:
    case = cg.load_example("fake_liquor")
    result = redact_case(case, profile)
    # Dropped coordinates (113.14) are left out of the search: drawings are full of such numbers.
    hidden = [h for h in result.hidden if len(h.strip()) >= 3 and not _is_number(h)]
    assert hidden  # the profile hides something in this case
    if profile == "public":
        witness = next(p for p in case.persons if p.status == "witness")
        assert witness.name in hidden and witness.aliases[0] in hidden
        assert case.persons[0].phones[0] in hidden
    graph = cg.CaseGraph(case)
    paths = _exports(graph, tmp_path / "exports", profile)
    chain = cg.trace_chain(graph, "W-DEN-A")
    paths += _exports(chain, tmp_path / "chain", profile)
    paths += _figures(graph, "W-DEN-A", "P-ZHOU", profile, tmp_path / "figures")
    for path in paths:
        text = _texts(path)
        _assert_hidden(text, hidden, path.name)
    # The figures still show the case: the ring's leader, by the name the profile allows.
    allowed = result.case.get("P-ZHOU").name  # type: ignore[attr-defined]
    assert allowed in _texts(tmp_path / "figures" / "org.svg")


def test_unredacted_figures_do_show_the_values(tmp_path: Path) -> None:
    """The search above can find what it looks for: without redaction, the values are there."""
    case = cg.load_example("fake_liquor")
    hidden = redact_case(case, "public").hidden
    texts = "".join(_texts(p) for p in _figures(cg.CaseGraph(case), "W-DEN-A", "P-ZHOU",
                                                  "internal", tmp_path))
    texts += _texts(cg.write_workbook(case, tmp_path / "c.xlsx"))
    assert "周建国" in texts and any(h in texts for h in hidden if h != "周建国")


def test_figures_refuse_results_made_before_redaction() -> None:
    graph = cg.CaseGraph(cg.load_example("fake_liquor"))
    with pytest.raises(cg.InvalidArgument, match="plot_network: network="):
        cg.plot_network(graph, network=cg.social_network(graph), redact="public")
    with pytest.raises(cg.InvalidArgument, match="plot_reconcile: redact='public' needs graph="):
        cg.plot_reconcile(cg.reconcile(graph), redact="public")
    with pytest.raises(cg.InvalidArgument, match="is not a redaction profile"):
        cg.plot_timeline(graph, redact="secret")


def test_a_case_id_that_names_a_person_or_a_number_is_replaced_in_every_output(
        tmp_path: Path) -> None:
    case = cg.Case(
        id="zhoujianguo-13800000101", title="Ring",
        persons=[cg.Person(id="P1", name="Zhou Jianguo", phones=["138-0000-0101"]),
                 cg.Person(id="P2", name="Wu Ping")],
        relationships=[cg.Relationship(id="R1", kind="associate", source="P1", target="P2")])
    assert cg.redact(case, "public").id == "case-public"
    assert cg.redact(case, "prosecution").id == "zhoujianguo-13800000101-prosecution"
    paths = _exports(case, tmp_path, "public")
    paths.append(cg.case_report(case, tmp_path / "report.html", redact="public",
                                sections=["summary"]))
    for path in paths:
        text = _texts(path)
        _assert_hidden(text, ["13800000101", "zhoujianguo", "Zhou Jianguo"], path.name)
        assert "zhoujianguo" not in text.lower(), path.name

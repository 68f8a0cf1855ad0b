"""The investigation notebooks run top to bottom, and the copies in git carry no outputs.

Each notebook runs in a fresh kernel of this very interpreter (so it sees the crimegraph under
test), with ``notebooks/`` as its working directory and matplotlib's Agg backend. The Neo4j
notebook gets the session's server through ``CRIMEGRAPH_NEO4J_URI``.

The numbers each notebook's "What we found" cell quotes are checked here, not in the notebook
(its cells carry no ``assert``, so an analyst can copy any of them): after the notebook's last
cell, its checks below run in the same kernel, on the notebook's own variables.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
NEEDS_NEO4J = {"05_working_with_neo4j.ipynb"}
CELL_TIMEOUT = 600

# Run in the notebook's kernel after its last cell: every number "What we found" quotes.
CHECKS: dict[str, str] = {
    "01_load_a_case.ipynb": """
summary = g.summary()
assert (summary.counts["persons"], summary.suspects) == (29, 26)
assert (summary.counts["warehouses"], summary.production_sites) == (7, 2)
assert (summary.counts["shipments"], summary.counts["payments"]) == (733, 97)
assert len(summary.provinces) == 12
assert round(summary.shipment_value) == 6_353_696 and summary.frozen_funds == {"CNY": 1_236_500.0}
assert len(rejected.problems) == 3 and len(fixed.transactions) == 2
assert (G.number_of_nodes(), G.number_of_edges()) == (81, 939)
assert traffic.index[:3].tolist() == ["P-02", "P-03", "P-01"] and traffic["P-02"] == 1_841
heaviest = max(calls.edges(data="weight"), key=lambda edge: edge[2])
assert set(heaviest[:2]) == {"P-01", "P-02"} and heaviest[2] == 418
assert set(shipped_to) == {"W-DEN-02"} and shipped_to["W-DEN-02"] == 48
assert (inspection.product, inspection.quantity) == ("P-MOBIL-5W30", 8)
""",
    "02_trace_the_supply_chain.ipynb": """
assert cg.find_sources(g)["id"].tolist() == ["W-DEN-01"]
assert cg.find_sources(g, inputs=True)["id"].tolist() == ["ORG-SUPPLIER"]
assert (len(chain.nodes), len(chain.transactions), max(chain.tiers.values())) == (49, 702, 5)
assert sum(1 for n in chain.endpoints if n.startswith("SHOP-")) == 30
assert len(chain.provinces) == 12
assert (chain.total_quantity, chain.total_amount) == (58_412, 5_351_856)
assert left_out == ["SHP-0023", "SHP-0045", "SHP-0067", "SHP-0085", "SHP-0141", "SHP-0155",
                    "SHP-0187", "SHP-0191"]
top = leads.set_index(["id", "product"])["unaccounted"]
assert top["W-WH-06", "P-SHELL-HX8"] == 2_388 and top["DIST-02", "P-MOBIL-0W40"] == -960
assert list(upstream.tiers) == ["SHOP-17", "DIST-07", "W-WH-05", "W-DEN-02", "W-DEN-01",
                                "ORG-SUPPLIER"]
assert upstream.sources == ["ORG-SUPPLIER"]
assert (len(mobil.nodes), len(mobil.transactions), mobil.total_quantity) == (5, 27, 248)
assert (len(april.nodes), len(april.transactions), len(april.provinces)) == (31, 85, 8)
assert (len(hx8.transactions), len(hx8.endpoints)) == (176, 28)
""",
    "03_organizational_structure.ipynb": """
levels = hierarchy.set_index("id")["level"]
superiors = hierarchy.set_index("id")["superior"]
assert levels["P-ZHOU"] == 0 and superiors["P-ZHOU"] is None
assert superiors[["P-WU", "P-ZHENG"]].tolist() == ["P-ZHOU", "P-ZHOU"]
assert sorted(superiors[superiors == "P-WU"].index) == ["P-FENG", "P-QIAN", "P-SUN"]
assert sorted(superiors[superiors == "P-ZHENG"].index) == ["P-CHEN", "P-HE", "P-LU"]
assert sorted(levels[levels.isna()].index) == ["P-CAI", "P-NIU"]
assert teams["reports"].to_dict() == {"P-WU": 3, "P-ZHENG": 3, "P-ZHOU": 2}
money = paid.groupby(["from", "to"])["amount"].agg(["count", "sum"])
assert money.loc[("P-HE", "P-ZHENG")].tolist() == [4, 265_000]
assert money.loc[("P-ZHENG", "P-ZHOU")].tolist() == [4, 1_844_000]
assert money.loc[("P-ZHENG", "P-LU")].tolist() == [4, 907_000]
assert money.loc[("P-LU", "P-ZHOU")].tolist() == [4, 907_000]
assert money.loc[("P-ZHOU", "P-WU")].tolist() == [4, 295_000]
assert len(money) == 5
links = command.groupby(["kind", "evidence"]).size().to_dict()
assert links == {("employs", "EV-BANK-01"): 8, ("leads", "EV-SEIZE-A"): 1,
                 ("leads", "EV-SEIZE-B"): 1, ("leads", "EV-SEIZE-C"): 1,
                 ("leads", "EV-WIRETAP-01"): 5}
assert set(command.loc[command["kind"] == "employs", "superior"]) == {"P-ZHOU"}
rents = premises[premises["kind"] == "rents"].set_index("premises")["person"].to_dict()
assert rents == {"W-DEN-A": "P-ZHOU", "W-DEN-B": "P-WU", "W-DEN-C": "P-ZHENG"}
""",
    "04_key_players_and_disruption.ipynb": """
assert ranks.loc[1].tolist() == ["P-02", "P-02", "P-02"]
assert ranks.loc[2].tolist() == ["ORG-FRONT-CO"] * 3
assert groups.sizes == [23, 22, 3, 2] and round(groups.modularity, 3) == 0.375
assert brokers["id"].iloc[0] == "ORG-FRONT-CO" and brokers["liaison"].iloc[0] == 37
assert runs["betweenness"].removed[:3] == ["P-02", "ORG-FRONT-CO", "P-03"]
assert runs["betweenness"].curve["lcc_fraction"].iloc[3] == 0.14
assert runs["betweenness"].curve["flow_fraction"].iloc[5] == 1.0
assert runs["flow"].removed[0] == "W-DEN-01" and runs["flow"].curve["flow_fraction"].iloc[1] == 0
assert stops_at == 11 and people_first.removed[10] == "W-DEN-01"
assert goods_runs[1].removed[0] == "W-DEN-02"
assert received.loc["ORG-FRONT-CO"].tolist() == [33, 1_869_700]
assert received["sum"].idxmax() == "ORG-FRONT-CO"
assert round(1_869_700 / payments["amount"].sum(), 2) == 0.40
assert g.get("EV-FREEZE-01").amount == 612_400
assert cut.nodes == ["W-DEN-02"] and cut.quantity == 58_412
assert (len(before.endpoints), len(after.transactions)) == (30, 0)
assert cg.cut_chain(g, sources="W-DEN-02").nodes == ["W-WH-03", "W-WH-04", "W-WH-05"]
""",
    "05_working_with_neo4j.ipynb": """
assert all(same.values()) and all(checks.values())
assert (len(in_neo4j.nodes), len(in_neo4j.transactions), len(in_neo4j.endpoints)) == (49, 702, 30)
assert list(up_db.tiers) == ["SHOP-17", "DIST-07", "W-WH-05", "W-DEN-02", "W-DEN-01"]
assert case.id not in remaining
""",
    "06_follow_the_money.ipynb": """
assert len(buyers) == 14 and into_zheng["payer"].nunique() == 9 and len(into_zheng) == 27
assert into_zheng["amount"].sum() == 4_019_100
assert (direct, via_nephew) == (1_844_000, 907_000) and len(hops) == 8
assert zhou["received"] == 2_751_000 and round(zhou["attributed"] / zhou["received"], 2) == 0.92
assert zhou["retained"] == 2_605_000 and balance.loc["P-ZHENG", "retained"] == 1_268_100
assert balance.loc["P-LU", "retained"] == 0
unpaid = persons.set_index("buyer")["unpaid_value"]
assert unpaid["SHOP-03"] == 184_140 and unpaid["SHOP-11"] == 18_900 and unpaid.idxmax() == "SHOP-03"
assert sorted(zip(cash["buyer"], cash["value"])) == [("SHOP-03", 184_140), ("SHOP-11", 18_900)]
assert persons.iloc[0]["buyer"] == "SHOP-03" and persons.iloc[1]["buyer"] == "SHOP-09"
assert deposit[["payer", "amount"]].values.tolist() == [["DIST-GX", 36_000]]
assert (money.total_received, money.total_retained) == (4_055_100, 3_889_350)
assert money.total_secured == 428_600 and round(money.share_secured, 2) == 0.11
assert money.goods_seized == 913_380
assert next_freeze["account"].tolist() == ["P-ZHOU", "P-ZHENG", "P-HE"]
assert next_freeze["unsecured"].round().tolist() == [2_192_121, 1_368_379, 515_900]
assert oil.total_secured == 1_236_500 and round(oil.share_secured, 2) == 0.68
""",
    "07_from_spreadsheets_to_a_case.ipynb": """
assert len(strict_error.problems) == 4 and len(result.problems) == 4
totals = result.sources[["rows_read", "recorded", "rejected", "skipped"]].sum()
assert totals.tolist() == [3_496, 3_486, 4, 6]
assert (mine["persons"], mine["premises"], mine["shipments"], mine["payments"]) == (21, 6, 385, 97)
assert mine["relationships"] == 20 and same_waybills and same_payments
assert sum(1 for t in result.case.transactions if len(t.evidence) == 2) == 12
assert len(result.conflicts) == 1 and keeper.aliases == ["谢保山"]
assert (len(chain.nodes), len(chain.transactions)) == (12, 184)
assert players["name"].head(3).tolist() == ["刘振江", "孙丽华", "王德胜"]
""",
    "08_one_person_many_records.ipynb": """
assert g.summary().counts["persons"] == 21 and accepted[0].kind == "same_as"
assert matches.pairs() == [("org:顺发汽车养护中心", "org:顺发汽车养护中心有限公司"),
                           ("addr:徐州市铜山区某物流中心B区", "addr:江苏省徐州市铜山区某物流中心B区"),
                           front]
assert all(link.attributes["decided_by"] == "analyst Chen" for link in accepted)
assert review.pairs() == [leader_pair, relatives]
assert relatives not in matches.pairs() and rejected[0].kind == "not_same_as"
scores = review.to_dataframe().set_index(["left", "right"])["score"]
assert 0.3 < scores[leader_pair] < 0.8 and scores[relatives] < 0.01
assert leader.id == "tel:+8613800000101" and leader.name == "王德胜"
assert leader.aliases == ["WANG DESHENG"]
assert sorted(leader.phones) == ["+8613800000101", "+8618600000101"]
assert "org:宋氏润滑油经营部" in view and "org:宋都汽配商行" in view
assert sorted(view.conflicts["field"]) == ["address", "kind"]
assert (len(chain_before.nodes), len(chain_before.transactions)) == (12, 184)
assert (len(chain_after.nodes), len(chain_after.transactions)) == (16, 225)
assert (len(money_before), len(money_after), money_after["amount"].sum()) == (0, 5, 143_000)
counts = view.summary().counts
assert (counts["persons"], counts["organizations"], counts["warehouses"]) == (20, 39, 5)
""",
    "09_sharing_a_case.ipynb": """
assert withheld == ["EV-TIP-01"] and len(views["prosecution"].persons) == 11
assert len(views["prosecution"].transactions) == 207
assert len(public.persons) == 9 and len(case.transactions) - len(public.transactions) == 8
assert people.set_index("id").loc["P-ZHOU", "public name"] == "周某某"
assert workbook_is_exact and len(timeline) == 199
assert len(hidden) == 39 and not any(leaks.values())
""",
}


def _params() -> list[object]:
    params: list[object] = []
    for path in NOTEBOOKS:
        marks = [pytest.mark.slow]
        if path.name in NEEDS_NEO4J:
            marks.append(pytest.mark.neo4j)
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def _kernel_manager() -> object:
    """A kernel manager whose "python3" kernel is this interpreter, whatever is installed.

    A user-level "python3" kernelspec may point at another Python; asking ipykernel for the
    spec of the running interpreter avoids that (and needs no ``ipykernel install``).
    """
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisInterpreter(KernelSpecManager):  # type: ignore[misc]
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreter())


def test_the_notebooks_are_found() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_load_a_case.ipynb",
        "02_trace_the_supply_chain.ipynb",
        "03_organizational_structure.ipynb",
        "04_key_players_and_disruption.ipynb",
        "05_working_with_neo4j.ipynb",
        "06_follow_the_money.ipynb",
        "07_from_spreadsheets_to_a_case.ipynb",
        "08_one_person_many_records.ipynb",
        "09_sharing_a_case.ipynb",
    ]


def test_every_notebook_has_its_checks() -> None:
    assert set(CHECKS) == {p.name for p in NOTEBOOKS}
    assert all(check.count("assert ") >= 4 for check in CHECKS.values())


@pytest.mark.parametrize("path", _params())
def test_notebook_runs(path: Path, request: pytest.FixtureRequest,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits this environment; monkeypatch restores it afterwards.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if path.name in NEEDS_NEO4J:
        monkeypatch.setenv("CRIMEGRAPH_NEO4J_URI", request.getfixturevalue("neo4j_uri"))
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHECKS[path.name]))  # the checks, after the rest
    client = nbclient.NotebookClient(
        nb, km=_kernel_manager(), timeout=CELL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}", pytrace=False)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors
    # Deprecations are the first sign of a notebook about to break.
    stale = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"
             and ("DeprecationWarning" in o.text or "FutureWarning" in o.text)]
    assert not stale, f"{path.name} uses deprecated behaviour:\n" + "\n".join(stale)


def _tracked_or_present() -> list[Path]:
    """Notebooks in git, plus any on disk (a notebook saved with outputs is caught early)."""
    found = set(NOTEBOOKS)
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--", "*.ipynb"], cwd=ROOT, capture_output=True, text=True,
            check=True, timeout=60,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        listed = []  # not a git checkout (an sdist): the files on disk are all there is
    found |= {ROOT / name for name in listed}
    return sorted(found)


@pytest.mark.parametrize("path", _tracked_or_present(), ids=lambda p: p.stem)
def test_notebook_is_stored_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells and nb.cells[0].cell_type == "markdown", "first cell must state the question"
    assert "question" in nb.cells[0].source.lower()
    assert nb.cells[-1].cell_type == "markdown"
    assert nb.cells[-1].source.startswith("## What we found")
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {number} of {path.name} has outputs"
            assert cell.execution_count is None, f"cell {number} of {path.name} was run"
            asserts = [line for line in cell.source.splitlines()
                       if line.lstrip().startswith("assert ")]
            assert not asserts, (f"cell {number} of {path.name} checks numbers; the checks "
                                 f"belong in CHECKS of tests/test_notebooks.py: {asserts}")


def test_notebooks_match_their_generator() -> None:
    result = subprocess.run(
        [sys.executable, str(NOTEBOOKS_DIR / "build_notebooks.py"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr

"""Chinese names must render: a CJK fallback font, added only while drawing."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

import crimegraph.plot as cgp
from crimegraph.plot import fonts

HAVE_CJK = fonts.find_cjk_font() is not None
ON_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the machine has no CJK font, with the once-only warning reset."""
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)


def glyph_warnings(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record
            if "missing from font" in str(w.message) or "Glyph" in str(w.message)]


@pytest.mark.skipif(not HAVE_CJK and not ON_CI,
                    reason="no CJK font installed (apt-get install fonts-noto-cjk); "
                           "this test fails instead of skipping when CI=true")
def test_chinese_names_render_without_missing_glyphs() -> None:
    assert HAVE_CJK, ("no CJK font found: CI must install fonts-noto-cjk "
                      "(or set CRIMEGRAPH_CJK_FONT)")
    import pandas as pd

    people = pd.DataFrame({"id": ["P1", "P2"], "name": ["周建国", "吴海峰"], "level": [0, 1],
                           "superior": [None, "P1"], "role": ["leader", "lieutenant (生产)"],
                           "status": ["arrested", "suspect"]})
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ax = cgp.plot_org_chart(None, hierarchy=people)
        # Drawn after the plot function returned, as Jupyter does.
        ax.figure.canvas.draw()
    assert glyph_warnings(record) == []
    assert "周建国" in [t.get_text() for t in ax.texts]


@pytest.mark.skipif(not HAVE_CJK and not ON_CI, reason="no CJK font installed")
def test_tick_labels_made_while_drawing_get_the_fallback_too(oil_graph) -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ax = cgp.plot_timeline(oil_graph)  # provinces 河北, 山东... as tick labels
        ax.figure.canvas.draw()
    assert glyph_warnings(record) == []
    assert "河北" in [t.get_text() for t in ax.get_yticklabels()]


@pytest.mark.skipif(not HAVE_CJK, reason="no CJK font installed")
def test_the_fallback_comes_after_dejavu_sans() -> None:
    font = fonts.find_cjk_font()
    assert font is not None
    params = fonts.cjk_rc_params(font)
    sans = params["font.sans-serif"]
    assert sans.index(font.family) == sans.index("DejaVu Sans") + 1
    assert params["font.family"][-1] == font.family
    assert params["font.family"][0] == mpl.rcParams["font.family"][0]


def test_plots_leave_the_global_settings_alone(oil_chain) -> None:
    before = (list(mpl.rcParams["font.family"]), list(mpl.rcParams["font.sans-serif"]))
    cgp.plot_chain(oil_chain)
    assert (list(mpl.rcParams["font.family"]), list(mpl.rcParams["font.sans-serif"])) == before


@pytest.mark.skipif(not HAVE_CJK, reason="no CJK font installed")
def test_use_cjk_font_sets_the_session_fonts() -> None:
    with mpl.rc_context():
        family = cgp.use_cjk_font()
        assert family == fonts.find_cjk_font().family
        assert family in mpl.rcParams["font.family"]
        assert family in mpl.rcParams["font.sans-serif"]
    assert family not in mpl.rcParams["font.family"]


def test_missing_font_warns_once_with_the_install_hint(no_cjk_font, oil_chain) -> None:
    with pytest.warns(cgp.MissingCJKFontWarning, match="apt-get install fonts-noto-cjk") as rec:
        cgp.plot_chain(oil_chain)
    assert "CRIMEGRAPH_CJK_FONT" in str(rec[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", cgp.MissingCJKFontWarning)
        cgp.plot_chain(oil_chain)  # once per session


def test_latin_only_figures_do_not_warn(no_cjk_font) -> None:
    import pandas as pd

    people = pd.DataFrame({"id": ["P1"], "name": ["Zhou Jianguo"], "level": [0],
                           "superior": [None]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", cgp.MissingCJKFontWarning)
        cgp.plot_org_chart(None, hierarchy=people)


def test_use_cjk_font_without_a_font_warns_and_returns_none(no_cjk_font) -> None:
    with pytest.warns(cgp.MissingCJKFontWarning):
        assert cgp.use_cjk_font() is None


def test_missing_font_warning_is_a_user_warning() -> None:
    assert issubclass(cgp.MissingCJKFontWarning, UserWarning)


@pytest.mark.skipif(not HAVE_CJK, reason="no CJK font installed")
def test_env_var_names_the_font_file(monkeypatch: pytest.MonkeyPatch) -> None:
    path = fonts.find_cjk_font().path
    monkeypatch.setenv(fonts.ENV_VAR, path)
    chosen = fonts.find_cjk_font()
    assert chosen is not None and chosen.path == path


def test_env_var_with_a_bad_path_warns_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fonts.ENV_VAR, "/nowhere/NoSuchFont.ttf")
    with pytest.warns(cgp.MissingCJKFontWarning, match="NoSuchFont.ttf"):
        chosen = fonts.find_cjk_font()
    assert (chosen is None) == (not HAVE_CJK)


def test_has_cjk() -> None:
    assert fonts.has_cjk("宏达汽配 (Baoding)")
    assert not fonts.has_cjk("Hongda Auto Parts")
    assert not fonts.has_cjk(None)


def test_importing_crimegraph_does_not_import_matplotlib() -> None:
    code = ("import sys, crimegraph, crimegraph.plot, crimegraph.plot.layout; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_new_figures_are_closed_by_the_suite() -> None:
    # Guard for the autouse fixture: figures do not pile up between tests.
    assert plt.get_fignums() == []


def all_figures(graph, chain):
    from .conftest import disruption_result, hierarchy_frame

    runs = [disruption_result("betweenness", "sequential", [1, 0.5, 0.2])]
    runs[0].removed = ["P1", "DEN"]
    return [
        lambda: cgp.plot_chain(chain),
        lambda: cgp.plot_chain(chain, labels="both", title="假油案"),
        lambda: cgp.plot_org_chart(None, hierarchy=hierarchy_frame(12)),
        lambda: cgp.plot_network(graph, labels="both", max_labels="all"),
        lambda: cgp.plot_timeline(graph),
        lambda: cgp.plot_timeline(chain, by="province"),
        lambda: cgp.plot_disruption(runs, graph=graph),
    ]


def test_without_a_cjk_font_ids_stand_in_and_only_one_warning_is_given(
        no_cjk_font, oil_graph, oil_chain) -> None:
    from matplotlib.text import Text

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        axes = [draw() for draw in all_figures(oil_graph, oil_chain)]
        for ax in axes:
            ax.figure.canvas.draw()
            # No text the fonts lack a glyph for.
            with mpl.rc_context(fonts.cjk_rc_params(None)):
                texts = [t.get_text() for t in ax.figure.findobj(Text) if t.get_text()]
                assert [t for t in texts if fonts.missing_glyphs(t)] == []
    ours = [w for w in record if issubclass(w.category, cgp.MissingCJKFontWarning)]
    assert len(ours) == 1 and "ids instead of Chinese names" in str(ours[0].message)
    assert glyph_warnings(record) == []
    chain_names = {t.get_gid()[5:]: t.get_text() for t in axes[0].texts
                   if (t.get_gid() or "").startswith("name:")}
    assert chain_names["DEN"] == "DEN" and chain_names["D3"] == "Zhengzhou Fuxing Trading"
    legend = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert {"Hebei", "Shandong", "Henan"} <= set(legend)  # provinces in pinyin
    assert axes[1].get_title(loc="left") == "?"
    org = {t.get_gid()[5:]: t.get_text() for t in axes[2].texts
           if (t.get_gid() or "").startswith("name:")}
    assert org["P00"] == "P00"
    assert {"Shandong", "Hebei"} <= {t.get_text() for t in axes[4].get_yticklabels()}


@pytest.mark.skipif(not HAVE_CJK, reason="no CJK font installed")
def test_with_the_cjk_font_every_name_can_be_drawn(oil_graph, oil_chain) -> None:
    from matplotlib.text import Text

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for draw in all_figures(oil_graph, oil_chain):
            ax = draw()
            ax.figure.canvas.draw()
            texts = [t.get_text() for t in ax.figure.findobj(Text)]
            with fonts.cjk_context():
                assert [t for t in texts if fonts.missing_glyphs(t)] == []
    assert glyph_warnings(record) == []
    assert not [w for w in record if issubclass(w.category, cgp.MissingCJKFontWarning)]


def test_drawable_falls_back_to_ids_pinyin_and_question_marks(no_cjk_font) -> None:
    with fonts.cjk_context():
        assert fonts.drawable("周建国", "P-ZHOU") == "P-ZHOU"
        assert fonts.drawable("河北") == "Hebei"
        assert fonts.drawable("lieutenant (生产)") == "lieutenant (?)"
        assert fonts.drawable("Zhou Jianguo", "P-ZHOU") == "Zhou Jianguo"


def test_right_to_left_names_are_not_drawn_reversed() -> None:
    """matplotlib lays Uyghur or Arabic letters out left to right and unjoined: the id stands
    in rather than a name that reads wrong; Chinese, Korean and Latin names are drawn."""
    import crimegraph as cg

    names = {"P-0": "周建国", "P-1": "\u0626\u06d5\u062e\u0645\u06d5\u062a",  # Uyghur
             "P-2": "\u05d3\u05d5\u05d3", "P-3": "김철수", "P-4": "Zoë Łukasz"}
    case = cg.Case(id="C-RTL", title="scripts",
                   persons=[cg.Person(id=pid, name=name) for pid, name in names.items()],
                   relationships=[cg.Relationship(id=f"R-{i}", kind="leads", source="P-0",
                                                  target=f"P-{i}") for i in range(1, 5)])
    ax = cgp.plot_org_chart(cg.CaseGraph(case))
    shown = {t.get_text() for t in ax.texts}
    assert {"周建国", "P-1", "P-2", "김철수", "Zoë Łukasz"} <= shown
    assert names["P-1"] not in shown and names["P-2"] not in shown
    with fonts.cjk_context():
        assert fonts.drawable("Ahmet \u0626\u06d5\u062e\u0645\u06d5\u062a") == "Ahmet ?"

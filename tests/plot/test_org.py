"""plot_org_chart: the boss on top, boxes by status, lines to direct subordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.org import hierarchy_layout
from crimegraph.plot.style import STATUS_COLORS

from .conftest import GIVEN, SURNAMES, hierarchy_frame


def by_gid(artists, prefix: str) -> dict[str, object]:
    return {a.get_gid().split(":", 1)[1]: a for a in artists
            if (a.get_gid() or "").startswith(prefix + ":")}


def centre(box) -> tuple[float, float]:
    return box.get_x() + box.get_width() / 2, box.get_y() + box.get_height() / 2


def test_thirty_people_one_box_each_with_name_and_role() -> None:
    frame = hierarchy_frame(30)
    ax = cgp.plot_org_chart(None, hierarchy=frame)
    boxes = by_gid(ax.patches, "person")
    assert len(boxes) == 30
    names = {k: t.get_text() for k, t in by_gid(ax.texts, "name").items()}
    assert names == dict(zip(frame["id"], frame["name"], strict=True))
    roles = {k: t.get_text() for k, t in by_gid(ax.texts, "role").items()}
    assert roles["P00"] == "leader" and roles["P05"] == "salesman"
    # Readable: no name below 6 points.
    assert min(t.get_fontsize() for t in by_gid(ax.texts, "name").values()) >= 6


def test_boxes_are_filled_by_status_with_a_legend() -> None:
    frame = hierarchy_frame(12)
    ax = cgp.plot_org_chart(None, hierarchy=frame)
    boxes = by_gid(ax.patches, "person")
    for row in frame.itertuples():
        assert to_hex(boxes[row.id].get_facecolor()) == STATUS_COLORS[row.status]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    present = set(frame["status"])
    assert legend == [s for s in STATUS_COLORS if s in present]  # most urgent first
    assert ax.get_legend().get_title().get_text() == "status"


def test_lines_run_from_each_superior_to_the_subordinates() -> None:
    frame = hierarchy_frame(12)
    ax = cgp.plot_org_chart(None, hierarchy=frame)
    links = by_gid(ax.lines, "link")
    expected = {f"{r.superior}->{r.id}" for r in frame.itertuples()
                if isinstance(r.superior, str)}
    assert set(links) == expected
    boxes = by_gid(ax.patches, "person")
    for key, line in links.items():
        boss, _ = key.split("->")
        xs, ys = line.get_data()
        assert xs[0] == pytest.approx(centre(boxes[boss])[0])
        assert ys[0] == pytest.approx(centre(boxes[boss])[1] + 0.5)  # bottom of the boss box


def test_the_boss_is_on_top_and_stands_out() -> None:
    ax = cgp.plot_org_chart(None, hierarchy=hierarchy_frame(20))
    boxes = by_gid(ax.patches, "person")
    tops = {p: centre(b)[1] for p, b in boxes.items()}
    assert min(tops, key=tops.get) == "P00"
    assert ax.yaxis_inverted()  # y grows downwards: level 0 is drawn on top
    assert boxes["P00"].get_linewidth() > boxes["P01"].get_linewidth()
    # The boss sits over the middle of the lieutenants.
    xs = [centre(boxes[p])[0] for p in ("P01", "P02", "P03", "P04")]
    assert centre(boxes["P00"])[0] == pytest.approx((min(xs) + max(xs)) / 2)


def test_layout_reduces_crossings_and_is_deterministic() -> None:
    frame = hierarchy_frame(30)
    first = hierarchy_layout(frame)
    assert first.crossings == 0
    shuffled = frame.sample(frac=1.0, random_state=3)
    assert hierarchy_layout(shuffled).boxes == first.boxes  # row order does not matter
    a = cgp.plot_org_chart(None, hierarchy=frame)
    b = cgp.plot_org_chart(None, hierarchy=frame)
    a.figure.canvas.draw()
    b.figure.canvas.draw()
    assert np.array_equal(np.asarray(a.figure.canvas.buffer_rgba()),
                          np.asarray(b.figure.canvas.buffer_rgba()))


def test_people_without_a_place_go_below() -> None:
    frame = hierarchy_frame(8)
    loose = pd.DataFrame([{"id": "W1", "name": "蔡文博", "level": pd.NA, "superior": None,
                           "role": "bar manager", "status": "witness", "evidence": ""}])
    frame = pd.concat([frame, loose], ignore_index=True)
    frame["level"] = frame["level"].astype("Int64")
    ax = cgp.plot_org_chart(None, hierarchy=frame)
    boxes = by_gid(ax.patches, "person")
    lowest = max(centre(b)[1] for p, b in boxes.items() if p != "W1")
    assert centre(boxes["W1"])[1] > lowest
    assert boxes["W1"].get_linewidth() < boxes["P00"].get_linewidth()
    assert any(line.get_gid() == "unplaced" for line in ax.lines)
    assert ax.get_title(loc="left") == "Hierarchy: 8 people in 3 levels, 1 not placed"


def test_colour_by_another_column() -> None:
    frame = hierarchy_frame(10)
    ax = cgp.plot_org_chart(None, hierarchy=frame, color_by="role")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == sorted(set(frame["role"]))


def test_bad_tables_are_named() -> None:
    with pytest.raises(ValueError, match="'superior'"):
        cgp.plot_org_chart(None, hierarchy=pd.DataFrame({"id": ["a"], "name": ["A"],
                                                          "level": [0]}))
    with pytest.raises(ValueError, match="color_by='gang'"):
        cgp.plot_org_chart(None, hierarchy=hierarchy_frame(5), color_by="gang")
    with pytest.raises(ValueError, match="hierarchy"):
        cgp.plot_org_chart(None)


def test_the_bundled_fake_liquor_ring() -> None:
    graph = cg.CaseGraph(cg.load_example("fake_liquor"))
    hierarchy = cg.infer_hierarchy(graph)
    ax = cgp.plot_org_chart(graph)
    names = {k: t.get_text() for k, t in by_gid(ax.texts, "name").items()}
    assert names["P-ZHOU"] == "周建国"
    assert set(names) == set(hierarchy["id"])
    boxes = by_gid(ax.patches, "person")
    placed = hierarchy.dropna(subset=["level"])
    top = min(placed["id"], key=lambda p: centre(boxes[p])[1])
    assert top == placed.loc[placed["level"] == 0, "id"].iloc[0]


def assert_readable(ax) -> None:
    from matplotlib.text import Text

    from crimegraph.plot.style import MAX_FIGSIZE, MIN_FONT

    ax.figure.canvas.draw()
    width, height = ax.figure.get_size_inches()
    assert width <= MAX_FIGSIZE[0] + 1e-6 and height <= MAX_FIGSIZE[1] + 1e-6
    small = [(t.get_text(), t.get_fontsize()) for t in ax.figure.findobj(Text)
             if t.get_text() and t.get_visible() and t.get_fontsize() < MIN_FONT - 1e-9]
    assert small == []


def gangs(count: int, size: int) -> pd.DataFrame:
    """``count`` gangs of ``size``: a leader each and the members under them."""
    rows = []
    for g in range(count):
        boss = f"G{g:02d}-00"
        rows.append({"id": boss, "name": SURNAMES[g % len(SURNAMES)] + "老大", "level": 0,
                     "superior": None, "role": "leader", "status": "arrested"})
        for m in range(1, size):
            rows.append({"id": f"G{g:02d}-{m:02d}", "name": SURNAMES[(g + m) % len(SURNAMES)]
                         + GIVEN[m % len(GIVEN)], "level": 1, "superior": boss,
                         "role": "worker", "status": "wanted" if m == size - 1 else "suspect"})
    return pd.DataFrame(rows)


def test_a_large_ring_folds_its_teams_into_members_boxes() -> None:
    frame = gangs(10, 25)  # 250 people, as in a 5,000-transaction case
    ax = cgp.plot_org_chart(None, hierarchy=frame)
    assert_readable(ax)
    people = by_gid(ax.patches, "person")
    folded = by_gid(ax.patches, "folded")
    assert 10 <= len(people) < 250 and folded
    texts = {k: t.get_text() for k, t in by_gid(ax.texts, "name").items()}
    members = [texts[k] for k in folded if k.startswith("+members:")]
    assert members and all(t.startswith("+") and t.endswith(" members") for t in members)
    # Every person is drawn or counted in a folded box.
    counted = sum(int(texts[k].split()[0][1:]) if k.startswith("+members:") else 0
                  for k in folded)
    teams = texts.get("+teams")
    dropped = 0
    if teams:
        dropped = 25 * int(teams.split()[0][1:])
    assert len(people) + counted + dropped == 250
    # The wanted member of each shown team is kept, not folded.
    shown_bosses = [k for k in people if k.endswith("-00")]
    for boss in shown_bosses:
        assert boss.replace("-00", "-24") in people
    roles = {k: t.get_text() for k, t in by_gid(ax.texts, "role").items()}
    assert all("suspect" in roles[k] for k in folded if k.startswith("+members:"))
    (note,) = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    assert f"{len(people)} of 250 people shown" in note


def test_a_thousand_people_stay_within_the_largest_figure() -> None:
    ax = cgp.plot_org_chart(None, hierarchy=gangs(40, 25))
    assert_readable(ax)
    texts = {k: t.get_text() for k, t in by_gid(ax.texts, "name").items()}
    assert texts["+teams"].endswith("more teams")


def test_small_rings_are_not_folded() -> None:
    ax = cgp.plot_org_chart(None, hierarchy=hierarchy_frame(30))
    assert_readable(ax)
    assert by_gid(ax.patches, "folded") == {}
    assert not [t for t in ax.texts if t.get_gid() == "note"]


def test_labels_show_ids_or_both() -> None:
    frame = hierarchy_frame(6)
    ids = by_gid(cgp.plot_org_chart(None, hierarchy=frame, labels="id").texts, "name")
    assert {k: t.get_text() for k, t in ids.items()} == {p: p for p in frame["id"]}
    both = by_gid(cgp.plot_org_chart(None, hierarchy=frame, labels="both").texts, "name")
    assert both["P00"].get_text() == "周建国 \u00b7 P00"
    with pytest.raises(ValueError, match="labels='nick'"):
        cgp.plot_org_chart(None, hierarchy=frame, labels="nick")

"""The case report in a real browser: Debian's Chromium, driven by Playwright.

Playwright's own browser download is never used: the test launches the system Chromium
(``CRIMEGRAPH_CHROMIUM``, else ``chromium`` or ``chromium-headless-shell`` on the PATH).
Without one the test is skipped, except under CI, where that fails. Set
``CRIMEGRAPH_REPORT_SHOTS`` to a folder to keep the screenshots and PDFs.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import crimegraph as cg

from ..conftest import FIXTURES, _under_ci, goods_case, shipment

pytestmark = [pytest.mark.browser, pytest.mark.slow]

A4_CONTENT_HEIGHT_PX = (297 - 2 * 14) / 25.4 * 96
"""The printable height of an A4 page with the report's 14 mm margins, in CSS pixels."""
A4_CONTENT_WIDTH_PX = (210 - 2 * 12) / 25.4 * 96
"""The printable width (12 mm margins left and right), in CSS pixels."""


def _unavailable(message: str) -> None:
    if _under_ci():
        pytest.fail(message)
    pytest.skip(message)


def _chromium() -> str:
    given = os.environ.get("CRIMEGRAPH_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-headless-shell", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    _unavailable("no Chromium: install Debian's 'chromium' package (see .ci/run) or set "
                 "CRIMEGRAPH_CHROMIUM to a Chromium executable")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the browser tests need the 'playwright' package (pip install -e '.[dev]')")
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable,
                                              args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = os.environ.get("CRIMEGRAPH_REPORT_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path


def _open(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """The report in a new page, with every console error, page error and failed or
    outside request collected."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: "
                                                       f"{message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(
        f"request failed: {request.url[:80]} {request.failure}"))
    page.on("request", lambda request: problems.append(f"outside request: {request.url}")
            if not request.url.startswith(("file:", "data:")) else None)
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


FIGURES_DRAWN = """() => Array.from(document.images).map(img => ({
    alt: img.alt, complete: img.complete, natural: img.naturalWidth,
    width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height}))"""
SVG_BOXES = """() => Array.from(document.querySelectorAll('svg')).map(svg => {
    const box = svg.getBBox(); return [box.width, box.height]; })"""


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("example", ["fake_liquor", "counterfeit_oil"])
def test_report_renders_prints_and_draws_every_figure(browser: Any, example: str,
                                                      tmp_path: Path, shots: Path) -> None:
    case = cg.read_case(FIXTURES / f"{example}.json")
    path = cg.case_report(case, tmp_path / f"{example}.html")
    page, problems = _open(browser, path)

    images = page.evaluate(FIGURES_DRAWN)
    assert len(images) >= 6
    for image in images:
        assert image["complete"] and image["natural"] > 0, image["alt"]
        assert image["width"] > 100 and image["height"] > 50, image
    for width, height in page.evaluate(SVG_BOXES):  # figures drawn inline, if any
        assert width > 0 and height > 0
    # Evidence links land on rows of the evidence list.
    assert page.evaluate("""() => Array.from(document.querySelectorAll('a.ev')).every(
        a => document.getElementById(a.getAttribute('href').slice(1)) !== null)""")
    assert page.locator("section").count() == len(cg.report.SECTIONS)
    page.screenshot(path=str(shots / f"{example}.png"), full_page=True)
    page.locator("#org_chart").screenshot(path=str(shots / f"{example}-org_chart.png"))

    # Printed: every section starts a page and no figure is taller than a page.
    page.emulate_media(media="print")
    heights = page.evaluate("() => Array.from(document.images).map("
                            "img => img.getBoundingClientRect().height)")
    assert max(heights) <= A4_CONTENT_HEIGHT_PX + 1
    # Nothing is wider than the printed page: no table runs off its right edge.
    page.set_viewport_size({"width": int(A4_CONTENT_WIDTH_PX), "height": 1000})
    overflowing = page.evaluate("""() => Array.from(document.querySelectorAll('table, img'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.closest('.table, figure').querySelector('h3, figcaption').textContent)""")
    assert overflowing == []
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (shots / f"{example}.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    assert len(cg.report.SECTIONS) + 1 <= pages <= 80, pages
    assert problems == []
    page.close()


def test_chinese_names_are_drawn_as_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    case = cg.read_case(FIXTURES / "fake_liquor.json")
    path = cg.case_report(case, tmp_path / "r.html", sections=["org_chart"])
    page, problems = _open(browser, path)
    cell = page.locator("#org_chart td", has_text="周建国").first
    box = cell.bounding_box()
    assert box is not None and box["width"] > 20
    # The report's fonts draw Chinese: two different characters give different pixels
    # (a missing font draws both as the same empty box) and differ from an unassigned one.
    drawn = page.evaluate("""() => {
        const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
        const context = canvas.getContext('2d', {willReadFrequently: true});
        const family = getComputedStyle(document.querySelector('td')).fontFamily;
        return ['周', '建', String.fromCodePoint(0x10FFFD)].map(ch => {
            context.clearRect(0, 0, 64, 64); context.font = '48px ' + family;
            context.fillText(ch, 4, 52);
            return Array.from(context.getImageData(0, 0, 64, 64).data).join(','); }); }""")
    zhou, jian, missing = drawn
    assert zhou != jian and zhou != missing and jian != missing
    assert any(int(value) for value in zhou.split(",")[3::4])   # some pixel is inked
    assert problems == []
    page.close()


def test_a_tiny_case_report_renders_without_errors(browser: Any, tmp_path: Path) -> None:
    case = goods_case("A B", [shipment("T1", "A", "B", "03-01")])
    path = cg.case_report(case, tmp_path / "tiny.html")
    page, problems = _open(browser, path)
    assert page.locator("p.empty").count() >= 4
    pdf = page.pdf(format="A4")
    assert len(cg.report.SECTIONS) <= _pdf_pages(pdf) <= 20
    assert problems == []
    page.close()

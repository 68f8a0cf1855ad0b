"""``case_report``: the case as one self-contained HTML file for colleagues and prosecutors."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InvalidArgument, WrongArgumentType
from ..model import Case
from ..model.redact import RedactionProfile, redact, redaction_profile
from ..store import CaseGraph, as_case_graph
from .blocks import Section
from .sections import BUILDERS, SECTIONS
from .support import Support

__all__ = ["case_report", "render_report"]


def case_report(
    graph: CaseGraph | Case,
    path: str | os.PathLike[str],
    *,
    redact: str | RedactionProfile = "internal",
    sections: str | Iterable[str] | None = None,
    title: str | None = None,
) -> Path:
    """Write the case report: one HTML file with every figure inside, ready to print to PDF.

    The report holds, in order: the case summary, the sources of information and their
    grading, the supply chain from each source, the organization chart, the key players,
    disruption and cut suggestions, the money, and the evidence list. Every figure and table
    says which analysis (with which parameters) made it and links the evidence behind it to
    the evidence list. A section with nothing to show (a case without payments, without
    evidence...) says so.

    The file loads nothing from anywhere: figures are SVG data URIs (text drawn as outlines,
    so Chinese names look the same on every machine), the style sheet is inline. Printing it
    (from a browser, or Chromium's ``--print-to-pdf``) starts each section on a new page and
    never cuts a figure.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store.
    path : str or path-like
        The HTML file to write (its folder must exist).
    redact : str or RedactionProfile
        The redaction profile: ``"internal"`` (nothing removed, the default),
        ``"prosecution"``, ``"public"`` or a :class:`~crimegraph.RedactionProfile` (see
        :func:`crimegraph.redact`). It is applied once, to the case, before anything is
        computed: every section, table and figure is made from the redacted case, and the
        report's heading names the profile.
    sections : str or iterable of str, optional
        Which sections, from :data:`crimegraph.report.SECTIONS`; all by default. They always
        appear in the report's own order.
    title : str, optional
        The report's heading; the case title by default.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InvalidArgument
        For an unknown section or redaction profile, or a path that cannot be written.
    WrongArgumentType
        When ``graph`` is not a case or case graph.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import crimegraph as cg
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = cg.case_report(cg.load_example("fake_liquor"),
    ...                           pathlib.Path(folder) / "report.html",
    ...                           sections=["summary", "evidence"])
    ...     text = path.read_text(encoding="utf-8")
    >>> "Evidence list" in text, "Key players" in text
    (True, False)
    """
    text = render_report(graph, redact=redact, sections=sections, title=title)
    target = Path(path)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidArgument(f"cannot write the case report to {str(target)!r}: "
                              f"{exc.strerror or exc}; give a path in an existing, writable "
                              "folder") from exc
    return target


def render_report(
    graph: CaseGraph | Case, *, redact: str | RedactionProfile = "internal",
    sections: str | Iterable[str] | None = None, title: str | None = None,
) -> str:
    """The case report as HTML text (see :func:`case_report`)."""
    if not isinstance(graph, (CaseGraph, Case)):
        raise WrongArgumentType(f"case_report takes a crimegraph.CaseGraph or crimegraph.Case, "
                                f"got {type(graph).__name__}")
    chosen = chosen_sections(sections)
    redacted, profile = redacted_graph(as_case_graph(graph), redact)
    support = Support(redacted)
    built = [BUILDERS[name](support, profile) for name in chosen]
    return _render(support, built, redact=profile,
                   title=title or support.case.title or support.case.id)


def chosen_sections(sections: str | Iterable[str] | None) -> list[str]:
    """The sections asked for, checked, in the report's order."""
    if sections is None:
        return list(SECTIONS)
    asked = [sections] if isinstance(sections, str) else list(sections)
    for name in asked:
        if not isinstance(name, str):
            raise WrongArgumentType(f"sections holds {name!r} ({type(name).__name__}); give "
                                    f"section names from {list(SECTIONS)}")
        if name not in BUILDERS:
            raise InvalidArgument(f"sections: unknown section {name!r}; choose from "
                                  f"{', '.join(SECTIONS)}")
    if not asked:
        raise InvalidArgument(f"sections is empty; give at least one of {', '.join(SECTIONS)} "
                              "(or None for all)")
    return [name for name in SECTIONS if name in asked]


def redacted_graph(graph: CaseGraph, profile: str | RedactionProfile) -> tuple[CaseGraph, str]:
    """The case graph with the redaction profile applied, and the profile's name.

    The report's one redaction step: everything in the report is made from what it returns.
    """
    chosen = redaction_profile(profile)
    return redact(graph, chosen), chosen.name


def _render(support: Support, sections: list[Section], *, redact: str, title: str) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("crimegraph.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True,
    )
    template = environment.get_template("report.html.j2")
    return template.render(
        title=title, case=support.case, sections=sections, redact=redact,
        anchors=support.anchors, version=__version__,
        style=_style(environment),
    )


def _style(environment: Any) -> str:
    source: str = environment.loader.get_source(environment, "report.css")[0]
    return source

"""The case report: one self-contained HTML file, made from analysis results and figures.

:func:`case_report` writes it; :data:`SECTIONS` names its sections. Every figure and table in
it says what data and parameters made it and which evidence supports it.
"""

from __future__ import annotations

from .build import case_report, render_report
from .sections import SECTIONS

__all__ = ["SECTIONS", "case_report", "render_report"]

"""The sections of the case report, in the order they appear."""

from __future__ import annotations

from collections.abc import Callable

from ..blocks import Section
from ..support import Support
from .case import evidence_section, sources_section, summary_section
from .goods import chains_section, disruption_section
from .money import money_section
from .people import key_players_section, org_chart_section

__all__ = ["BUILDERS", "SECTIONS"]

BUILDERS: dict[str, Callable[[Support, str], Section]] = {
    "summary": lambda support, redact: summary_section(support, redact=redact),
    "sources": lambda support, redact: sources_section(support),
    "chains": lambda support, redact: chains_section(support),
    "org_chart": lambda support, redact: org_chart_section(support),
    "key_players": lambda support, redact: key_players_section(support),
    "disruption": lambda support, redact: disruption_section(support),
    "money": lambda support, redact: money_section(support),
    "evidence": lambda support, redact: evidence_section(support),
}

SECTIONS: tuple[str, ...] = tuple(BUILDERS)
"""Every section of the report, in order: ``summary``, ``sources`` (of information, with their
grading), ``chains`` (the supply chain from each source), ``org_chart``, ``key_players``,
``disruption`` (and cut suggestions), ``money``, ``evidence`` (the evidence list)."""

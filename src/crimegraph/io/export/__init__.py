"""Exports for other tools: GraphML, GEXF (Gephi), an Excel workbook, FollowTheMoney and the
i2 Analyst's Notebook exchange format, all written from the one neutral projection
(:func:`crimegraph.model.projection.flat_graph`) after the one redaction
(:func:`crimegraph.redact`)."""

from __future__ import annotations

from .anx import write_anx
from .ftm import from_followthemoney, to_followthemoney
from .gexf import write_gexf
from .graphml import write_graphml
from .workbook import read_workbook, write_workbook

__all__ = [
    "from_followthemoney",
    "read_workbook",
    "to_followthemoney",
    "write_anx",
    "write_gexf",
    "write_graphml",
    "write_workbook",
]

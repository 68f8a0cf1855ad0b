"""Agency exports (waybills, bank statements, orders, call records, inspections) into a case.

:func:`ingest` reads CSV and Excel exports through a :class:`Mapping` (a TOML file, a dict, or
the name of a shipped one: see :func:`mapping_names`) and returns an :class:`Ingested`: the
validated case, every problem in every file, the conflicts between sources, and where each
record came from.
"""

from __future__ import annotations

from .engine import Ingested, ingest
from .mapping import ColumnSpec, Mapping, RecordSpec, SkipRule, load_mapping, mapping_names
from .parse import normalise_phone, valid_national_id

__all__ = [
    "ColumnSpec",
    "Ingested",
    "Mapping",
    "RecordSpec",
    "SkipRule",
    "ingest",
    "load_mapping",
    "mapping_names",
    "normalise_phone",
    "valid_national_id",
]

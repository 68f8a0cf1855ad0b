"""Pydantic v2 entities and links of a case, and the :class:`Case` that validates them together."""

from __future__ import annotations

from ._time import SUPPORTED_TIME_RANGE
from .case import Case
from .entities import (
    EVIDENCE_KINDS,
    ORGANIZATION_KINDS,
    PERSON_STATUSES,
    PREMISES_USES,
    Entity,
    Evidence,
    Organization,
    Person,
    Product,
    Record,
    Warehouse,
)
from .grading import Grade, grade_case
from .links import RELATIONSHIP_KINDS, TRANSACTION_KINDS, Relationship, Transaction
from .projection import case_to_networkx
from .redact import REDACTION_PROFILES, Redacted, RedactionProfile, redact, redact_case
from .registry import NODE_SECTIONS, NODE_TYPES, RECORD_TYPES, SECTIONS, RecordType, record_type

__all__ = [
    "EVIDENCE_KINDS",
    "NODE_SECTIONS",
    "NODE_TYPES",
    "ORGANIZATION_KINDS",
    "PERSON_STATUSES",
    "PREMISES_USES",
    "RECORD_TYPES",
    "REDACTION_PROFILES",
    "RELATIONSHIP_KINDS",
    "SECTIONS",
    "SUPPORTED_TIME_RANGE",
    "TRANSACTION_KINDS",
    "Case",
    "Entity",
    "Evidence",
    "Grade",
    "Organization",
    "Person",
    "Product",
    "Record",
    "RecordType",
    "Redacted",
    "RedactionProfile",
    "Relationship",
    "Transaction",
    "Warehouse",
    "case_to_networkx",
    "grade_case",
    "record_type",
    "redact",
    "redact_case",
]

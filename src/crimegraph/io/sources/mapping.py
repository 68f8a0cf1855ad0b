"""Mappings: how the columns of one kind of agency export become records of a case.

A mapping is a TOML file (or the same structure as a dict). The ones that ship with crimegraph
are loaded by name (``"waybills"``, ``"bank_statements"``, ``"orders"``, ``"call_records"``,
``"inspections"``); see the guide page *Loading agency exports* for the format.
"""

from __future__ import annotations

import os
import string
import sys
from collections.abc import Mapping as AbstractMapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...errors import InvalidArgument, MappingError
from ...model.entities import EvidenceKind

__all__ = ["ColumnSpec", "Mapping", "RecordSpec", "SkipRule", "load_mapping", "mapping_names"]

ParserName = Literal["text", "address", "identifier", "amount", "quantity", "number", "integer",
                     "datetime", "phone", "national_id"]
RecordType = Literal["person", "organization", "warehouse", "product", "shipment", "payment",
                     "relationship", "evidence"]

_STRICT = ConfigDict(extra="forbid", frozen=True)

FIELDS: dict[str, frozenset[str]] = {
    "person": frozenset({"name", "national_id", "phones", "role", "status", "aliases",
                         "province", "city", "notes"}),
    "organization": frozenset({"name", "kind", "registration_id", "address", "aliases",
                               "province", "city", "notes"}),
    "warehouse": frozenset({"name", "uses", "address", "lat", "lon", "aliases", "province",
                            "city", "notes"}),
    "product": frozenset({"name", "brand", "category", "counterfeit", "unit", "unit_price",
                          "aliases", "notes"}),
    "shipment": frozenset({"source", "target", "timestamp", "product", "quantity", "amount",
                           "currency", "carrier", "reference", "notes"}),
    "payment": frozenset({"source", "target", "timestamp", "amount", "currency", "reference",
                          "notes"}),
    "relationship": frozenset({"kind", "source", "target", "weight", "since", "until",
                               "notes"}),
    "evidence": frozenset({"name", "kind", "agency", "reference", "date", "amount", "currency",
                           "quantity", "notes"}),
}
"""The fields a mapping may fill, by record type."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "person": ("name",), "organization": ("name",), "warehouse": ("name",),
    "product": ("name",), "shipment": ("source", "target", "timestamp", "product", "quantity"),
    "payment": ("source", "target", "timestamp", "amount"),
    "relationship": ("kind", "source", "target"), "evidence": ("name",),
}
LIST_FIELDS = frozenset({"phones", "aliases", "uses", "evidence"})
"""Fields that hold lists: a row's value is added to them. ``evidence`` (any entity but an
evidence record) names an evidence record of the row (``"@inspection"``) that supports it, as
well as the file's."""


class ColumnSpec(BaseModel):
    """One column of the export: its header text(s) and how to read its values."""

    model_config = _STRICT

    header: list[str]
    """The header as the export writes it; several spellings may be listed."""
    parse: ParserName = "text"
    required: bool = False
    """The file must have the column, and a row with a blank cell in it is rejected."""
    formats: list[str] = Field(default_factory=list)
    """Further ``strptime`` formats for ``parse = "datetime"`` (tried first)."""
    units: list[str] | None = None
    """For ``parse = "quantity"``: the units a value may carry (``120桶``); None: any."""
    region: str = "CN"
    """For ``parse = "phone"``: the region of numbers written without a country code."""

    @field_validator("header", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class SkipRule(BaseModel):
    """Rows to skip (counted and reported, never dropped silently)."""

    model_config = _STRICT

    column: str
    equals: list[str] | None = None
    """Skip rows whose cell is one of these values."""
    blank: bool = False
    """Skip rows whose cell is blank."""
    reason: str | None = None

    @field_validator("equals", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def describe(self) -> str:
        if self.reason:
            return self.reason
        if self.blank:
            return f"{self.column} is blank"
        return f"{self.column} is {' or '.join(self.equals or [])}"


FieldValue = Union[str, list[str]]  # noqa: UP007 - Pydantic reads the alias at run time


class RecordSpec(BaseModel):
    """One record each row makes: an entity, a transaction or a relationship."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(alias="as")
    """The record's name within the row; other records refer to its id as ``@name``."""
    type: RecordType
    id: str
    """Template of the record's id: ``"tel:{sender_phone}"``. Values are inserted NFKC-folded
    without white space; a row whose template needs a blank cell makes no such record."""
    when: list[str] = Field(default_factory=list)
    """Make the record only in rows where these columns are filled."""
    unless: list[str] = Field(default_factory=list)
    """Make the record only in rows where these columns are blank."""
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    """Field -> column name, ``@record`` (that record's id), or a list of these: the first that
    the row has."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Fields given one value for every record (``kind = "shop"``)."""
    attributes: dict[str, str] = Field(default_factory=dict)
    """Attribute name -> column name (``quantity.unit`` for a quantity's unit)."""
    count_into: str | None = None
    """For relationships: rows that share the id make one relationship whose field of this name
    (``weight``) is the number of rows, ``since`` the earliest and ``until`` the latest."""

    @field_validator("when", "unless", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Mapping(BaseModel):
    """How one kind of export (a waybill export, bank statements...) becomes records."""

    model_config = _STRICT

    name: str
    title: str
    description: str = ""
    evidence_kind: EvidenceKind = "other"
    """The kind of the :class:`~crimegraph.Evidence` record each ingested file becomes."""
    agency: str | None = None
    """Who supplies such exports, when the ingest call does not say."""
    encoding: str | None = None
    """The files' text encoding; detected (UTF-8, UTF-8 with BOM, GB18030) when not given."""
    sheet: str | int | None = None
    """For Excel files: the sheet name or position; None (the default) reads every sheet that
    holds anything, each as a source of its own (``export.xlsx[sheet]``)."""
    currency: str = "CNY"
    columns: dict[str, ColumnSpec]
    ignore: list[str] = Field(default_factory=list)
    """Headers the export has that are knowingly not loaded (any other unmapped column is
    reported)."""
    skip: list[SkipRule] = Field(default_factory=list)
    records: list[RecordSpec]
    samples: list[dict[str, str]] = Field(default_factory=list)
    """Example rows (header -> value) for the documentation."""

    @model_validator(mode="after")
    def _references(self) -> Mapping:
        problems: list[str] = []
        columns = set(self.columns)
        derived = {f"{name}.unit" for name, c in self.columns.items() if c.parse == "quantity"}
        names: list[str] = []
        for rule in self.skip:
            if rule.column not in columns:
                problems.append(f"skip: unknown column {rule.column!r}")
        for spec in self.records:
            where = f"record {spec.name!r}"
            if spec.name in names:
                problems.append(f"{where}: another record has this name")
            for column in template_columns(spec.id, where, problems):
                if column not in columns:
                    problems.append(f"{where}: id template names unknown column {column!r}")
            for column in (*spec.when, *spec.unless):
                if column not in columns:
                    problems.append(f"{where}: when/unless names unknown column {column!r}")
            allowed = FIELDS[spec.type] | (
                {"evidence"} if spec.type in ("person", "organization", "warehouse", "product")
                else set())
            for field, value in spec.fields.items():
                if field not in allowed:
                    problems.append(f"{where}: a {spec.type} has no field {field!r} (it has "
                                    f"{', '.join(sorted(allowed))})")
                for item in [value] if isinstance(value, str) else value:
                    if item.startswith("@"):
                        if item[1:] not in names:
                            problems.append(f"{where}: field {field!r} refers to {item!r}, "
                                            "not a record defined before this one")
                    elif item not in columns and item not in derived:
                        problems.append(f"{where}: field {field!r} names unknown column "
                                        f"{item!r}")
            for field in spec.set:
                if field not in allowed and field not in ("kind", "uses", "status", "counterfeit"):
                    problems.append(f"{where}: a {spec.type} has no field {field!r}")
            for attr, column in spec.attributes.items():
                if column not in columns and column not in derived:
                    problems.append(f"{where}: attribute {attr!r} names unknown column "
                                    f"{column!r}")
            for field in REQUIRED[spec.type]:
                if field not in spec.fields and field not in spec.set:
                    problems.append(f"{where}: a {spec.type} needs field {field!r}")
            if spec.count_into is not None and spec.type != "relationship":
                problems.append(f"{where}: count_into is for relationships only")
            names.append(spec.name)
        if problems:
            raise InvalidArgument("; ".join(problems))
        return self


def template_columns(template: str, where: str = "template",
                     problems: list[str] | None = None) -> list[str]:
    """The column names a template such as ``"tel:{phone}"`` inserts, in order."""
    found: list[str] = []
    try:
        for _, field, spec, conversion in string.Formatter().parse(template):
            if field is not None:
                if spec or conversion or not field:
                    raise InvalidArgument("only plain {column} fields are allowed")
                found.append(field)
    except ValueError as exc:
        if problems is None:
            raise
        problems.append(f"{where}: bad id template {template!r}: {exc}")
    return found


def _toml_load(data: bytes) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    return dict(tomllib.loads(data.decode("utf-8")))


def mapping_names() -> list[str]:
    """Names of the mappings that ship with crimegraph (for :func:`load_mapping`)."""
    folder = resources.files("crimegraph.io").joinpath("mappings")
    return sorted(item.name[:-5] for item in folder.iterdir() if item.name.endswith(".toml"))


def load_mapping(
    mapping: str | os.PathLike[str] | AbstractMapping[str, Any] | Mapping,
) -> Mapping:
    """A :class:`Mapping` from a shipped name, a TOML file path, or a dict of the same shape.

    Raises
    ------
    MappingError
        For an unknown name, an unreadable file, or a mapping whose parts do not fit together
        (every problem is named).
    """
    if isinstance(mapping, Mapping):
        return mapping
    origin: str
    if isinstance(mapping, AbstractMapping):
        data, origin = dict(mapping), "mapping dict"
    else:
        text = str(mapping)
        if isinstance(mapping, str) and "/" not in text and "\\" not in text \
                and not text.endswith(".toml"):
            if text not in mapping_names():
                raise MappingError(f"no mapping named {text!r}; shipped mappings: "
                                   f"{', '.join(mapping_names())} (or give a .toml path)")
            raw = resources.files("crimegraph.io").joinpath("mappings").joinpath(f"{text}.toml")
            payload, origin = raw.read_bytes(), f"mapping {text!r}"
        else:
            path = Path(mapping)
            try:
                payload = path.read_bytes()
            except OSError as exc:
                raise MappingError(f"cannot read mapping file {path}: {exc}") from None
            origin = str(path)
        try:
            data = _toml_load(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MappingError(f"{origin}: not a TOML mapping: {exc}") from None
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False):
            loc = ".".join(str(part) for part in error["loc"]) or "(mapping)"
            lines.append(f"  - {loc}: {error['msg'].removeprefix('Value error, ')}")
        raise MappingError(f"{origin} is not a valid mapping:\n" + "\n".join(lines)) from None

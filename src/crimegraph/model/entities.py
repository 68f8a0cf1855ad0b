"""People, organizations, premises, products and evidence: the nodes and sources of a case.

Every entity is a Pydantic v2 model that rejects unknown fields (``extra="forbid"``) and can be
built from ``id`` and ``name`` alone; everything else is optional.

Examples
--------
>>> import crimegraph as cg
>>> cg.Person(id="P-01", name="Zhou Jianguo", role="leader", status="arrested").status
'arrested'
>>> cg.Warehouse(id="W-DEN-01", name="Den at Xinglong village", uses=["production"]).uses
['production']
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from ._time import Day

__all__ = [
    "EVIDENCE_KINDS",
    "ID_PATTERN",
    "INT64_RANGE",
    "INVISIBLE_CATEGORIES",
    "ORGANIZATION_KINDS",
    "PERSON_STATUSES",
    "PREMISES_USES",
    "AttributeValue",
    "Entity",
    "EntityId",
    "Evidence",
    "EvidenceKind",
    "InformationCredibility",
    "Name",
    "Number",
    "Organization",
    "OrganizationKind",
    "Person",
    "PersonStatus",
    "PremisesUse",
    "Product",
    "Record",
    "Ref",
    "SourceReliability",
    "Warehouse",
]

INVISIBLE_CATEGORIES: tuple[str, ...] = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")
"""Unicode categories an id may not contain: control, format (zero-width...), private use,
surrogate and line/paragraph separators. Ids differing only by one of them would look alike."""

_BANNED = r"\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}"  # (lone surrogates are refused as non-Unicode)
ID_PATTERN = rf"^[^\s{_BANNED}]([^{_BANNED}]*[^\s{_BANNED}])?$"
"""Visible text without white space at either end and without invisible characters."""

EntityId = Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN)]
"""An id: 1-200 visible characters, no white space at either end, none of
:data:`INVISIBLE_CATEGORIES`."""

Ref = Annotated[str, Field(min_length=1)]
"""A reference to another record's id (checked against the case's ids when it is built; one
with an invisible character matches no id, and the case's error names the character)."""

Name = Annotated[str, Field(min_length=1, pattern=r"\S")]
"""A name: any text with at least one character that is not white space (kept as given)."""

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite number: a JSON number or a Python int or float, never a boolean or text."""

INT64_RANGE: tuple[int, int] = (-(2**63), 2**63 - 1)
"""Integers an attribute may hold: what every store (Neo4j, pandas) holds exactly."""


def _fits_every_store(value: object) -> object:
    """Refuse integers beyond 64 bits in attributes (a float member would round them)."""
    if type(value) is int and not INT64_RANGE[0] <= value <= INT64_RANGE[1]:
        raise PydanticCustomError(
            "attribute_value", "an integer beyond 64 bits; no store can hold it exactly"
        )
    return value


AttributeValue = Annotated[
    Union[  # noqa: UP007 - a runtime alias
        Annotated[str, Field(strict=True)],
        Annotated[int, Field(strict=True)],
        Annotated[float, Field(strict=True, allow_inf_nan=False)],
        Annotated[bool, Field(strict=True)],
        None,
    ],
    AfterValidator(_fits_every_store),
]
"""A value of the free-form ``attributes`` mapping (kept flat so every store can hold it):
text, a 64-bit integer, a finite number, a boolean or None."""


RECORD_CONFIG = ConfigDict(
    extra="forbid", validate_default=False, str_strip_whitespace=False, frozen=True,
    allow_inf_nan=False,
)

PersonStatus = Literal["suspect", "arrested", "wanted", "witness", "victim", "released", "unknown"]
PERSON_STATUSES: tuple[str, ...] = PersonStatus.__args__  # type: ignore[attr-defined]

OrganizationKind = Literal[
    "company", "shop", "online_store", "distributor", "logistics", "factory", "bank",
    "market", "other",
]
ORGANIZATION_KINDS: tuple[str, ...] = OrganizationKind.__args__  # type: ignore[attr-defined]

PremisesUse = Literal["production", "storage", "packaging", "sales"]
PREMISES_USES: tuple[str, ...] = PremisesUse.__args__  # type: ignore[attr-defined]

EvidenceKind = Literal[
    "seizure", "wiretap", "bank_record", "waybill", "inspection", "platform_data", "witness",
    "surveillance", "asset_freeze", "forensic", "document", "other",
]
EVIDENCE_KINDS: tuple[str, ...] = EvidenceKind.__args__  # type: ignore[attr-defined]

SourceReliability = Literal["A", "B", "C", "D", "E", "F"]
"""Admiralty grading of the source: A completely reliable ... E unreliable, F cannot be judged."""

InformationCredibility = Literal[1, 2, 3, 4, 5, 6]
"""Admiralty grading of the information: 1 confirmed ... 5 improbable, 6 cannot be judged."""


def _not_a_boolean(value: object) -> object:
    """Refuse ``true``/``false`` where a number is meant (Python counts True as 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("bool_not_number", "must be a JSON number, not a boolean")
    return value


Credibility = Annotated[InformationCredibility, BeforeValidator(_not_a_boolean)]
"""An :data:`InformationCredibility` grade given as a number (``true`` is no grade)."""


class Record(BaseModel):
    """Base of every record in a case: an ``id`` unique within the case, no unknown fields.

    Records are immutable: assigning a field raises a ``ValidationError``. Use
    ``record.model_copy(update={...})`` for a changed copy. Numbers are finite JSON numbers
    (no NaN, infinity, booleans or numeric text).
    """

    model_config = RECORD_CONFIG

    id: EntityId
    """Identifier, unique across the whole case (entities, links and evidence share one space)."""
    notes: str | None = None
    """The analyst's free-text remarks."""
    evidence: list[Ref] = Field(default_factory=list)
    """Ids of the :class:`Evidence` records that support this record."""
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    """Further facts that have no field of their own (kept flat: strings, numbers, booleans)."""


class Entity(Record):
    """A node of the case graph: something with a name that goods, money or ties connect."""

    name: Name
    """The name analysts use for the entity (Chinese or Latin script); not blank."""
    aliases: list[Name] = Field(default_factory=list)
    """Other names: nicknames, transliterations, shop signs, online handles."""
    province: str | None = None
    city: str | None = None


class Person(Entity):
    """A person in the case: suspect, arrested, wanted, witness...

    Examples
    --------
    >>> import crimegraph as cg
    >>> p = cg.Person(id="P-07", name="Liu Wei", phones=["138-0000-0007"], province="Hebei")
    >>> p.status
    'unknown'
    """

    national_id: str | None = None
    phones: list[str] = Field(default_factory=list)
    role: str | None = None
    """Free text: "leader", "driver", "bookkeeper", "salesman"..."""
    status: PersonStatus = "unknown"


class Organization(Entity):
    """A company, shop, online store, distributor, logistics firm or other organization."""

    kind: OrganizationKind = "company"
    registration_id: str | None = None
    """The organization's registration number (e.g. unified social credit code)."""
    address: str | None = None


class Warehouse(Entity):
    """Premises where goods are made, stored, packaged or sold (warehouses and dens)."""

    uses: list[PremisesUse] = Field(default_factory=list)
    address: str | None = None
    lat: Number | None = Field(default=None, ge=-90, le=90)
    lon: Number | None = Field(default=None, ge=-180, le=180)

    @field_validator("uses")
    @classmethod
    def _unique_uses(cls, value: list[str]) -> list[str]:
        # Keep the order given but drop repeats, so round trips stay byte-stable.
        return list(dict.fromkeys(value))


class Product(Entity):
    """A kind of goods: counterfeit engine oil of one brand and grade, a liquor, a drug."""

    brand: str | None = None
    category: str | None = None
    counterfeit: bool | None = None
    """True for fake goods, False for genuine ones, None when not (yet) established."""
    unit: str | None = None
    """Unit of ``quantity`` in shipments: bottle, barrel, litre, case..."""
    unit_price: Number | None = Field(default=None, ge=0)
    """Typical selling price per unit, in the case currency."""


class Evidence(Entity):
    """Where a fact comes from, and how far the analyst trusts it.

    ``amount`` records money seized or frozen (for ``kind="asset_freeze"`` or ``"seizure"``),
    ``quantity`` the goods seized.

    Examples
    --------
    >>> import crimegraph as cg
    >>> e = cg.Evidence(id="EV-1", name="Bank freeze order", kind="asset_freeze",
    ...                 agency="Police", amount=1_250_000, reliability="A", credibility=1)
    >>> e.currency
    'CNY'
    """

    kind: EvidenceKind = "other"
    agency: str | None = None
    """The agency or company that supplied it: police, market regulator, logistics firm..."""
    reference: str | None = None
    """The file number, waybill number or report reference."""
    date: Day | None = None
    """The day of the evidence, within :data:`~crimegraph.model.SUPPORTED_TIME_RANGE`."""
    reliability: SourceReliability | None = None
    credibility: Credibility | None = None
    amount: Number | None = Field(default=None, ge=0)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    quantity: Number | None = Field(default=None, ge=0)
    product: Ref | None = None
    """The product seized, when ``quantity`` is given."""

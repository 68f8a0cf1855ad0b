"""FollowTheMoney: the case as entities for Aleph-style tools, and back.

The mapping (FollowTheMoney schema in brackets):

- persons [Person]: name, alias, idNumber (national id), phone, position (role), status,
  country "cn", notes;
- organizations [Company; Organization for markets and "other"]: name, alias,
  registrationNumber, classification (kind), address, notes;
- premises [RealEstate]: name, alias, propertyType (uses), latitude, longitude, address, notes;
- addresses of organizations and premises also [Address] entities (full, city, region),
  linked through addressEntity;
- payments [Payment]: payer, beneficiary, amount, currency, date, transactionNumber
  (reference), description (notes);
- shipments [EconomicActivity]: sender, receiver, date, goodsDescription ("120 barrel of
  Fake oil"), recordId (waybill), description (notes), summary
  (``crimegraph shipment: product=...; quantity=...``, which :func:`from_followthemoney` reads);
- relationships: owns [Ownership], employs [Employment], family [Family], associate, calls,
  meets, messages [Associate, with relationship = the kind], operates a company
  [Directorship], everything else [UnknownLink, with role = the kind];
- evidence [Document]: title, publisher (agency), date, description (notes), summary
  ("Admiralty grade B2; reference LGA-BL-2024-0629-01");
  every entity and link cites its evidence through ``proof``.

What FollowTheMoney cannot hold: products as records of their own (a shipment's product is a
name and an id in its text), a shipment's quantity as a number, carriers, tie weights (number
of calls) other than in text, the free-form ``attributes``, evidence grading other than as
text, and phone numbers that libphonenumber does not accept as Chinese or international numbers
(the model drops them when it cleans the values).

``followthemoney`` is an optional dependency: ``pip install 'crimegraph[ftm]'``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...errors import InvalidArgument, MissingExtra
from ...model import (
    ORGANIZATION_KINDS,
    PERSON_STATUSES,
    RELATIONSHIP_KINDS,
    Case,
    Evidence,
    Organization,
    Person,
    Relationship,
    Transaction,
    Warehouse,
)
from ...model.redact import RedactionProfile
from ._source import select

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

__all__ = ["from_followthemoney", "to_followthemoney"]


def _model() -> Any:
    try:
        from followthemoney import model
    except ImportError as exc:
        raise MissingExtra(
            "FollowTheMoney export needs the 'followthemoney' package: "
            "pip install 'crimegraph[ftm]'") from exc
    return model


_ASSOCIATE = {"associate", "calls", "meets", "messages"}
_SHIPMENT_SUMMARY = re.compile(
    r"^crimegraph shipment: product=(?P<product>.+?); quantity=(?P<quantity>[0-9.eE+-]+)$")


def to_followthemoney(data: object, *, redact: str | RedactionProfile | None = "internal",
                      ) -> list[dict[str, Any]]:
    """The case as FollowTheMoney entities (``{"id", "schema", "properties"}`` dicts).

    Every entity is made and cleaned by the ``followthemoney`` package's own model, so what
    comes out is valid for Aleph, ``ftm`` tools and their graph exports. See
    :mod:`crimegraph.io.export.ftm` for the mapping and what the format cannot hold.

    Parameters
    ----------
    data : Case or CaseGraph
    redact : {"internal", "prosecution", "public"} or RedactionProfile
        Who the entities are for (see :func:`crimegraph.redact`).

    Returns
    -------
    list of dict
        One dict per entity; write them one per line as JSON (``.ftm.json``) for ``ftm`` and
        Aleph's importer.

    Raises
    ------
    MissingExtra
        When ``followthemoney`` is not installed.
    """
    model = _model()
    case = select(data, redact, cases_only=True, function="to_followthemoney").case
    assert case is not None
    entities: list[EntityProxy] = []
    schema_of: dict[str, str] = {}
    products = {p.id: p for p in case.products}

    def make(schema: str, record_id: str, **props: Any) -> EntityProxy:
        entity = model.make_entity(schema)
        entity.id = record_id
        for prop, value in props.items():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if item is not None and item != "":
                    entity.add(prop, item if isinstance(item, str) else str(item))
        entities.append(entity)
        schema_of[record_id] = schema
        made: EntityProxy = entity
        return made

    for ev in case.evidence:
        summary = f"Admiralty grade {ev.reliability or '?'}{ev.credibility or '?'}"
        if ev.reference:
            summary += f"; reference {ev.reference}"
        make("Document", ev.id, title=ev.name, publisher=ev.agency, date=_day(ev.date),
             summary=summary, description=ev.notes)
    for person in case.persons:
        make("Person", person.id, name=person.name, alias=person.aliases,
             idNumber=person.national_id, phone=person.phones, position=person.role,
             status=person.status, country="cn", notes=person.notes, proof=person.evidence)
    for org in case.organizations:
        schema = "Organization" if org.kind in ("market", "other") else "Company"
        entity = make(schema, org.id, name=org.name, alias=org.aliases,
                      registrationNumber=org.registration_id, classification=org.kind,
                      address=org.address, country="cn", notes=org.notes, proof=org.evidence)
        _address(make, entity, org)
    for place in case.warehouses:
        entity = make("RealEstate", place.id, name=place.name, alias=place.aliases,
                      propertyType=place.uses, latitude=place.lat, longitude=place.lon,
                      address=place.address, country="cn", notes=place.notes,
                      proof=place.evidence)
        _address(make, entity, place)
    for tx in case.transactions:
        if tx.kind == "payment":
            make("Payment", tx.id, payer=tx.source, beneficiary=tx.target, amount=tx.amount,
                 currency=tx.currency, date=tx.timestamp.isoformat(),
                 transactionNumber=tx.reference, description=tx.notes, proof=tx.evidence)
        else:
            product = products.get(tx.product or "")
            what = f"{tx.quantity:g} {product.unit or 'units' if product else 'units'} of " \
                   f"{product.name if product else tx.product}"
            make("EconomicActivity", tx.id, sender=tx.source, receiver=tx.target,
                 date=tx.timestamp.isoformat(), goodsDescription=what, recordId=tx.reference,
                 description=tx.notes, proof=tx.evidence,
                 summary=f"crimegraph shipment: product={tx.product}; quantity={tx.quantity!r}")
    for rel in case.relationships:
        dates = {"startDate": rel.since.isoformat() if rel.since else None,
                 "endDate": rel.until.isoformat() if rel.until else None,
                 "description": rel.notes, "proof": rel.evidence}
        target_schema = schema_of.get(rel.target, "")
        if rel.kind == "owns" and target_schema in ("Company", "RealEstate"):
            make("Ownership", rel.id, owner=rel.source, asset=rel.target, **dates)
        elif rel.kind == "employs":
            make("Employment", rel.id, employer=rel.source, employee=rel.target, **dates)
        elif rel.kind == "family" and schema_of.get(rel.source) == target_schema == "Person":
            make("Family", rel.id, person=rel.source, relative=rel.target, **dates)
        elif (rel.kind in _ASSOCIATE
              and schema_of.get(rel.source) == target_schema == "Person"):
            label = rel.kind if rel.weight is None else f"{rel.kind} ({rel.weight:g})"
            make("Associate", rel.id, person=rel.source, associate=rel.target,
                 relationship=label, **dates)
        elif rel.kind == "operates" and target_schema in ("Company", "Organization"):
            make("Directorship", rel.id, director=rel.source, organization=rel.target,
                 role="operates", **dates)
        else:
            make("UnknownLink", rel.id, subject=rel.source, object=rel.target, role=rel.kind,
                 **dates)
    # Validate each entity against the model, as a reader of the file would.
    out = []
    for entity in entities:
        data_dict = entity.to_dict()
        model.get_proxy(data_dict, cleaned=False)
        out.append(data_dict)
    return out


def _day(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _address(make: Any, entity: Any, record: Organization | Warehouse) -> None:
    if not record.address:
        return
    address_id = f"{record.id}-address"
    make("Address", address_id, full=record.address, city=record.city,
         region=record.province, country="cn")
    entity.add("addressEntity", address_id)


_KINDS_BY_SCHEMA = {"Ownership": "owns", "Employment": "employs", "Family": "family",
                    "Directorship": "operates"}
_ENDS = {"Ownership": ("owner", "asset"), "Employment": ("employer", "employee"),
         "Family": ("person", "relative"), "Associate": ("person", "associate"),
         "Directorship": ("director", "organization"), "UnknownLink": ("subject", "object")}


def from_followthemoney(entities: Iterable[Mapping[str, Any]], *, case_id: str = "ftm-import",
                        title: str = "") -> Case:
    """A case from FollowTheMoney entities (dicts as :func:`to_followthemoney` gives them).

    Persons, companies and organizations, real estate (as premises), payments, the
    relationship schemata listed in :mod:`crimegraph.io.export.ftm`, documents (as evidence)
    and the shipments this library wrote are read back; other schemata are skipped. Links
    whose ends are not among the entities are skipped too.

    Raises
    ------
    MissingExtra
        When ``followthemoney`` is not installed.
    InvalidArgument
        When an entity is not valid FollowTheMoney (the message names the entity).
    """
    model = _model()
    proxies = []
    for position, raw in enumerate(entities):
        try:
            proxies.append(model.get_proxy(dict(raw), cleaned=False))
        except Exception as exc:  # the package raises its own error types
            raise InvalidArgument(
                f"from_followthemoney: entity {position} (id {raw.get('id')!r}) is not valid "
                f"FollowTheMoney: {exc}") from exc
    sections: dict[str, list[Any]] = {s: [] for s in (
        "persons", "organizations", "warehouses", "products", "transactions", "relationships",
        "evidence")}
    documents = {p.id for p in proxies if p.schema.name == "Document"}

    def first(proxy: Any, prop: str) -> str | None:
        value = proxy.first(prop, quiet=True)
        return None if value is None else str(value)

    def moment(proxy: Any, prop: str) -> str | None:
        # FollowTheMoney keeps times in UTC without an offset: say so, or the case's local
        # time zone would be assumed.
        value = first(proxy, prop)
        return value + "+00:00" if value is not None and "T" in value else value

    def proof(proxy: Any) -> list[str]:
        return [ref for ref in proxy.get("proof") if ref in documents]

    nodes: set[str] = set()
    for p in proxies:
        if p.schema.name not in ("Person", "Company", "Organization", "RealEstate"):
            continue
        name = first(p, "name")
        common = {"id": p.id, "name": name or p.id, "aliases": p.get("alias"),
                  "notes": first(p, "notes"), "evidence": proof(p)}
        if p.schema.name == "Person":
            status = first(p, "status")
            sections["persons"].append(Person(
                **common, national_id=first(p, "idNumber"), phones=p.get("phone"),
                role=first(p, "position"),
                status=status if status in PERSON_STATUSES else "unknown"))
        elif p.schema.name in ("Company", "Organization"):
            kind = first(p, "classification")
            sections["organizations"].append(Organization(
                **common, registration_id=first(p, "registrationNumber"),
                address=first(p, "address"),
                kind=kind if kind in ORGANIZATION_KINDS
                else ("company" if p.schema.name == "Company" else "other")))
        elif p.schema.name == "RealEstate":
            lat, lon = first(p, "latitude"), first(p, "longitude")
            sections["warehouses"].append(Warehouse(
                **common, address=first(p, "address"),
                uses=[u for u in p.get("propertyType")
                      if u in ("production", "storage", "packaging", "sales")],
                lat=None if lat is None else float(lat), lon=None if lon is None else float(lon)))
        else:
            continue
        nodes.add(p.id)
    products: dict[str, str] = {}
    for p in proxies:
        schema = p.schema.name
        if schema == "Document":
            sections["evidence"].append(Evidence(
                id=p.id, name=first(p, "title") or p.id, agency=first(p, "publisher"),
                date=first(p, "date"), notes=first(p, "description"),
                **_grade(first(p, "summary"))))
        elif schema == "Payment":
            payer, beneficiary = first(p, "payer"), first(p, "beneficiary")
            if payer in nodes and beneficiary in nodes and first(p, "amount"):
                sections["transactions"].append(Transaction(
                    id=p.id, kind="payment", source=payer, target=beneficiary,
                    timestamp=moment(p, "date"), amount=float(first(p, "amount") or 0),
                    currency=(first(p, "currency") or "CNY").upper(),
                    reference=first(p, "transactionNumber"), notes=first(p, "description"),
                    evidence=proof(p)))
        elif schema == "EconomicActivity":
            found = _SHIPMENT_SUMMARY.match(first(p, "summary") or "")
            sender, receiver = first(p, "sender"), first(p, "receiver")
            if found and sender in nodes and receiver in nodes:
                product = found["product"]
                products.setdefault(product, (first(p, "goodsDescription") or product)
                                    .split(" of ", 1)[-1])
                sections["transactions"].append(Transaction(
                    id=p.id, kind="shipment", source=sender, target=receiver,
                    timestamp=moment(p, "date"), product=product,
                    quantity=float(found["quantity"]), reference=first(p, "recordId"),
                    notes=first(p, "description"), evidence=proof(p)))
        elif schema in _ENDS:
            a, b = (first(p, prop) for prop in _ENDS[schema])
            if a not in nodes or b not in nodes or a is None or b is None:
                continue
            kind = _KINDS_BY_SCHEMA.get(schema) or (
                first(p, "relationship") or "associate").split(" (")[0] if schema == "Associate" \
                else _KINDS_BY_SCHEMA.get(schema) or first(p, "role") or "associate"
            if kind not in RELATIONSHIP_KINDS:
                kind = "associate"
            sections["relationships"].append(Relationship(
                id=p.id, kind=kind, source=a, target=b, since=moment(p, "startDate"),
                until=moment(p, "endDate"), notes=first(p, "description"), evidence=proof(p)))
    sections["products"] = [{"id": pid, "name": name} for pid, name in products.items()]
    return Case(id=case_id, title=title, **sections)


def _grade(summary: str | None) -> dict[str, Any]:
    found = re.fullmatch(r"Admiralty grade ([A-F?])([1-6?])(?:; reference (.+))?", summary or "",
                         re.S)
    if not found:
        return {}
    out: dict[str, Any] = {} if found[3] is None else {"reference": found[3]}
    if found[1] != "?":
        out["reliability"] = found[1]
    if found[2] != "?":
        out["credibility"] = int(found[2])
    return out

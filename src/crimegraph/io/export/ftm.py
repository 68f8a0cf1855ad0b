"""FollowTheMoney: the case as entities for Aleph-style tools, and back.

The mapping (FollowTheMoney schema in brackets):

- persons [Person]: name, alias, idNumber (national id), phone, position (role), status,
  notes;
- organizations [Company; Organization for markets and "other"]: name, alias,
  registrationNumber, classification (kind), address, notes;
- premises [RealEstate]: name, alias, propertyType (uses), latitude, longitude, address, notes;
- the address, city and province of persons, organizations and premises also [Address]
  entities (full, city, region), linked through addressEntity; an address entity's id is the
  record's id and ``-address`` (``-address-2``... when a record has that id already);
- country: the record's ``attributes["country"]``, else the case's, else none;
- payments [Payment]: payer, beneficiary, amount, currency, date, transactionNumber
  (reference), description (notes);
- shipments [EconomicActivity]: sender, receiver, date, goodsDescription ("120 barrel of
  Fake oil"), recordId (waybill), invoiceAmount (the shipment's value), description (notes),
  summary (``crimegraph shipment: product=...; quantity=...; amount=... CNY``, which
  :func:`from_followthemoney` reads);
- relationships: owns [Ownership], employs [Employment], family [Family], associate, calls,
  meets, messages [Associate, with relationship = the kind], operates a company
  [Directorship], everything else [UnknownLink, with role = the kind];
- evidence [Document]: title, publisher (agency), date, description (notes), keywords (kind),
  summary ("Admiralty grade A1; kind seizure; amount 94200.0 CNY; quantity 15700.0 of
  P-BOTTLE; reference FSGA-2024-0806-B", which :func:`from_followthemoney` reads);
  every entity and link cites its evidence through ``proof``.

What FollowTheMoney cannot hold: products as records of their own (a shipment's or a seizure's
product is an id in its text), a shipment's quantity as a number, carriers, tie weights
(number of calls) other than in text, the free-form ``attributes``, evidence grading, amounts
and quantities other than as text, and phone numbers that libphonenumber does not accept as
Chinese or international numbers (the model drops them when it cleans the values).

``followthemoney`` is an optional dependency: ``pip install 'crimegraph[ftm]'``.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...errors import InvalidArgument, InvalidCase, MissingExtra, Problem
from ...model import (
    ORGANIZATION_KINDS,
    PERSON_STATUSES,
    RELATIONSHIP_KINDS,
    Case,
    Organization,
    Person,
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
    r"^crimegraph shipment: product=(?P<product>.+?); quantity=(?P<quantity>[0-9.eE+-]+)"
    r"(?:; amount=(?P<amount>[0-9.eE+-]+) (?P<currency>[A-Z]{3}))?$")


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

    taken = {record.id for record in case.records()}
    case_country = _country(case.attributes)

    def country(record: Any) -> str | None:
        return _country(record.attributes) or case_country

    def address(entity: EntityProxy, record: Person | Organization | Warehouse) -> None:
        full = getattr(record, "address", None)
        if not (full or record.city or record.province):
            return
        address_id = f"{record.id}-address"
        number = 1
        while address_id in taken:  # a record may have that id already
            number += 1
            address_id = f"{record.id}-address-{number}"
        taken.add(address_id)
        make("Address", address_id,
             full=full or ", ".join(v for v in (record.city, record.province) if v),
             city=record.city, region=record.province, country=country(record))
        entity.add("addressEntity", address_id)

    for ev in case.evidence:
        summary = f"Admiralty grade {ev.reliability or '?'}{ev.credibility or '?'}; kind {ev.kind}"
        if ev.amount is not None:
            summary += f"; amount {ev.amount!r} {ev.currency}"
        if ev.quantity is not None:
            summary += f"; quantity {ev.quantity!r}" + (f" of {ev.product}" if ev.product else "")
        elif ev.product:
            summary += f"; product {ev.product}"
        if ev.reference:
            summary += f"; reference {ev.reference}"
        make("Document", ev.id, title=ev.name, publisher=ev.agency, date=_day(ev.date),
             summary=summary, description=ev.notes, keywords=ev.kind, country=country(ev))
    for person in case.persons:
        entity = make("Person", person.id, name=person.name, alias=person.aliases,
                      idNumber=person.national_id, phone=person.phones, position=person.role,
                      status=person.status, country=country(person), notes=person.notes,
                      proof=person.evidence)
        address(entity, person)
    for org in case.organizations:
        schema = "Organization" if org.kind in ("market", "other") else "Company"
        entity = make(schema, org.id, name=org.name, alias=org.aliases,
                      registrationNumber=org.registration_id, classification=org.kind,
                      address=org.address, country=country(org), notes=org.notes,
                      proof=org.evidence)
        address(entity, org)
    for place in case.warehouses:
        entity = make("RealEstate", place.id, name=place.name, alias=place.aliases,
                      propertyType=place.uses, latitude=place.lat, longitude=place.lon,
                      address=place.address, country=country(place), notes=place.notes,
                      proof=place.evidence)
        address(entity, place)
    for tx in case.transactions:
        if tx.kind == "payment":
            make("Payment", tx.id, payer=tx.source, beneficiary=tx.target, amount=tx.amount,
                 currency=tx.currency, date=tx.timestamp.isoformat(),
                 transactionNumber=tx.reference, description=tx.notes, proof=tx.evidence)
        else:
            product = products.get(tx.product or "")
            what = f"{tx.quantity:g} {product.unit or 'units' if product else 'units'} of " \
                   f"{product.name if product else tx.product}"
            summary = f"crimegraph shipment: product={tx.product}; quantity={tx.quantity!r}"
            if tx.amount is not None:
                summary += f"; amount={tx.amount!r} {tx.currency}"
            make("EconomicActivity", tx.id, sender=tx.source, receiver=tx.target,
                 date=tx.timestamp.isoformat(), goodsDescription=what, recordId=tx.reference,
                 invoiceAmount=tx.amount, description=tx.notes, proof=tx.evidence,
                 summary=summary)
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


def _country(attributes: Mapping[str, Any]) -> str | None:
    value = attributes.get("country")
    return value if isinstance(value, str) and value else None


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

    Nothing else is dropped:

    - a date of a year or a month only (``"2024"``, ``"2024-03"``) is read as the first day of
      that period (the last day for a link's ``endDate``), and the record says so in its
      attributes (``{"timestamp_precision": "year"}``; likewise ``date_precision``,
      ``since_precision``, ``until_precision``);
    - a second name becomes an alias; second values of other properties the case keeps one of
      are kept in the record's attributes as JSON text (``{"ftm_description": '["a", "b"]'}``);
    - a payment without payer, beneficiary, amount or date, a second payer, beneficiary, amount
      or currency, or a value that is no number where one is needed, is a problem of the case.

    Raises
    ------
    MissingExtra
        When ``followthemoney`` is not installed.
    InvalidArgument
        When an entity is not valid FollowTheMoney (the message names the entity).
    InvalidCase
        When the entities do not make a valid case; it lists every problem at once, naming
        each entity's id, its FollowTheMoney schema and property.
    """
    model = _model()
    proxies = []
    given: dict[str, Mapping[str, Any]] = {}  # id -> properties as given
    for position, raw in enumerate(entities):
        try:
            proxies.append(model.get_proxy(dict(raw), cleaned=False))
            properties = raw.get("properties")
            given[proxies[-1].id] = properties if isinstance(properties, Mapping) else {}
        except Exception as exc:  # the package raises its own error types
            raise InvalidArgument(
                f"from_followthemoney: entity {position} (id {raw.get('id')!r}) is not valid "
                f"FollowTheMoney: {exc}") from exc
    sections: dict[str, list[dict[str, Any]]] = {s: [] for s in (
        "persons", "organizations", "warehouses", "products", "transactions", "relationships",
        "evidence")}
    documents = {p.id for p in proxies if p.schema.name == "Document"}
    problems: list[Problem] = []
    section_of = {"Person": "persons", "Company": "organizations",
                  "Organization": "organizations", "RealEstate": "warehouses",
                  "Payment": "transactions", "EconomicActivity": "transactions",
                  "Document": "evidence"}

    refused: set[str] = set()  # entities with a problem: left out of the case's own checks

    def problem(proxy: Any, prop: str, value: Any, message: str) -> None:
        refused.add(proxy.id)
        problems.append(Problem(
            section_of.get(proxy.schema.name, "relationships"), None, proxy.id, prop, value,
            f"FollowTheMoney {proxy.schema.name} {message}"))

    def values_of(proxy: Any, prop: str) -> list[str]:
        values = [str(v) for v in proxy.get(prop, quiet=True)]
        raw = given.get(proxy.id, {}).get(prop)
        raw = [str(v) for v in raw] if isinstance(raw, list) else []
        if len(raw) > len(values):  # the package drops what it cannot read, dates above all
            dropped = [v for v in raw if v not in values]
            problem(proxy, prop, dropped[0] if len(dropped) == 1 else dropped,
                    f"property {prop!r}: not a valid FollowTheMoney "
                    f"{proxy.schema.get(prop).type.name}")
        return values

    def reader(proxy: Any) -> tuple[Any, Any, dict[str, Any]]:
        extra: dict[str, Any] = {}

        def first(prop: str) -> str | None:
            values = values_of(proxy, prop)
            if len(values) > 1:
                extra[f"ftm_{prop}"] = json.dumps(values, ensure_ascii=False)
            return values[0] if values else None

        def only(prop: str, needed: str | None = None) -> str | None:
            values = values_of(proxy, prop)
            if len(values) > 1:
                problem(proxy, prop, values, f"property {prop!r} has {len(values)} values; "
                        "a record of the case holds one: split the entity")
            elif not values and needed and not given.get(proxy.id, {}).get(prop):
                problem(proxy, prop, None, f"has no {prop!r}; {needed}")
            return values[0] if values else None

        return first, only, extra

    def number(proxy: Any, prop: str, value: str | None) -> float | None:
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            problem(proxy, prop, value, f"property {prop!r} is no number")
            return None

    def when(field: str, value: str | None, extra: dict[str, Any], *,
             end: bool = False) -> str | None:
        if value is None:
            return None
        moment, precision = _ftm_date(value, end=end)
        if precision:
            extra[f"{field}_precision"] = precision
        return moment

    def proof(proxy: Any) -> list[str]:
        return [ref for ref in proxy.get("proof") if ref in documents]

    places = {p.id: p for p in proxies if p.schema.name == "Address"}
    nodes: set[str] = set()
    products: dict[str, str] = {}
    for p in proxies:
        if p.schema.name not in ("Person", "Company", "Organization", "RealEstate"):
            continue
        first, _, extra = reader(p)
        names = [str(v) for v in p.get("name")]
        extra.pop("ftm_name", None)
        aliases = [a for a in (*names[1:], *p.get("alias")) if a not in names[:1]]
        record: dict[str, Any] = {"id": p.id, "name": names[0] if names else p.id,
                                  "aliases": list(dict.fromkeys(aliases)),
                                  "notes": first("notes"), "evidence": proof(p)}
        if p.schema.name == "Person":
            status = first("status")
            record.update(national_id=first("idNumber"), phones=p.get("phone"),
                          role=first("position"),
                          status=status if status in PERSON_STATUSES else "unknown")
            section = "persons"
        elif p.schema.name in ("Company", "Organization"):
            kind = first("classification")
            record.update(registration_id=first("registrationNumber"), address=first("address"),
                          kind=kind if kind in ORGANIZATION_KINDS
                          else ("company" if p.schema.name == "Company" else "other"))
            section = "organizations"
        else:
            record.update(address=first("address"),
                          uses=[u for u in p.get("propertyType")
                                if u in ("production", "storage", "packaging", "sales")],
                          lat=number(p, "latitude", first("latitude")),
                          lon=number(p, "longitude", first("longitude")))
            section = "warehouses"
        extra.pop("ftm_phone", None)  # every phone is kept
        for ref in p.get("addressEntity"):
            if ref in places:  # the city and province of the first linked address
                record.setdefault("city", places[ref].first("city"))
                record.setdefault("province", places[ref].first("region"))
        sections[section].append({**record, "attributes": extra})
        nodes.add(p.id)
    for p in proxies:
        schema = p.schema.name
        first, only, extra = reader(p)
        if schema == "Document":
            record = {"id": p.id, "name": first("title") or p.id, "agency": first("publisher"),
                      "notes": first("description"), **_grade(first("summary"))}
            extra.pop("ftm_keywords", None)
            if record.get("product"):
                products.setdefault(record["product"], record["product"])
            record["date"] = when("date", first("date"), extra)
            if record["date"] and _FTM_DATE.fullmatch(record["date"][:10]):
                record["date"] = record["date"][:10]  # evidence keeps the day
            sections["evidence"].append({**record, "attributes": extra})
        elif schema == "Payment":
            payer = only("payer", "a payment needs the one who paid")
            beneficiary = only("beneficiary", "a payment needs the one who was paid")
            if (payer is not None and payer not in nodes) or (
                    beneficiary is not None and beneficiary not in nodes):
                continue  # an end that is not among the entities: skipped, as documented
            amount = number(p, "amount", only("amount", "a payment needs its amount"))
            moment = when("timestamp", only("date", "a payment needs its date"), extra)
            currency = only("currency")
            if payer is None or beneficiary is None:
                continue  # reported
            sections["transactions"].append({
                "id": p.id, "kind": "payment", "source": payer, "target": beneficiary,
                "timestamp": moment, "amount": amount,
                "currency": (currency or "CNY").upper(),
                "reference": first("transactionNumber"), "notes": first("description"),
                "evidence": proof(p), "attributes": extra})
        elif schema == "EconomicActivity":
            found = _SHIPMENT_SUMMARY.match(first("summary") or "")
            if not found:
                continue
            extra.pop("ftm_summary", None)
            sender = only("sender", "a shipment needs its sender")
            receiver = only("receiver", "a shipment needs its receiver")
            if (sender is not None and sender not in nodes) or (
                    receiver is not None and receiver not in nodes):
                continue  # an end that is not among the entities: skipped, as documented
            moment = when("timestamp", only("date", "a shipment needs its date"), extra)
            if sender is None or receiver is None:
                continue  # reported
            product = found["product"]
            if products.get(product, product) == product:  # an evidence record may name it
                products[product] = (first("goodsDescription") or product).split(" of ", 1)[-1]
            sections["transactions"].append({
                "id": p.id, "kind": "shipment", "source": sender, "target": receiver,
                "timestamp": moment, "product": product,
                "quantity": number(p, "summary", found["quantity"]),
                "amount": number(p, "summary", found["amount"]),
                "currency": found["currency"] or "CNY",
                "reference": first("recordId"), "notes": first("description"),
                "evidence": proof(p), "attributes": extra})
        elif schema in _ENDS:
            a, b = (only(prop) for prop in _ENDS[schema])
            if a not in nodes or b not in nodes or a is None or b is None:
                continue
            if schema == "Associate":  # the kind is the first word: "calls (418)"
                kind = (first("relationship") or "associate").split(" (")[0]
            else:
                kind = _KINDS_BY_SCHEMA.get(schema) or first("role") or "associate"
            if kind not in RELATIONSHIP_KINDS:
                kind = "associate"
            since = when("since", first("startDate"), extra)
            until = when("until", first("endDate"), extra, end=True)
            sections["relationships"].append({
                "id": p.id, "kind": kind, "source": a, "target": b, "since": since,
                "until": until, "notes": first("description"), "evidence": proof(p),
                "attributes": extra})
    sections["products"] = [{"id": pid, "name": name} for pid, name in products.items()]
    if refused:
        for name in ("transactions", "relationships"):
            sections[name] = [r for r in sections[name] if r["id"] not in refused]
    try:
        case = Case(id=case_id, title=title, **sections)
    except InvalidCase as exc:
        raise InvalidCase([*problems, *exc.problems], source="FollowTheMoney entities") from None
    if problems:
        raise InvalidCase(problems, source="FollowTheMoney entities")
    return case


_FTM_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(T.*)?")


def _ftm_date(value: str, *, end: bool = False) -> tuple[str, str | None]:
    """A FollowTheMoney date as a case's date or time, and its precision when coarser than a day.

    FollowTheMoney keeps times in UTC without an offset: the offset is added, or the case's
    local time zone would be assumed. A year or a month is read as its first day (its last
    day when ``end``).
    """
    found = _FTM_DATE.fullmatch(value.strip())
    if not found:
        return value, None  # the case names the value it cannot read
    year, month, day, time = found.groups()
    if day is not None:
        if not time:
            return value.strip(), None
        clock = time[1:]
        if re.fullmatch(r"\d{2}", clock):  # hour precision: "2024-03-01T10"
            clock += ":00"
        if not re.search(r"(Z|[+-]\d{2}:?\d{2})$", clock):
            clock += "+00:00"
        return f"{year}-{month}-{day}T{clock}", None
    if month is None:
        return (f"{year}-12-31" if end else f"{year}-01-01"), "year"
    last = calendar.monthrange(int(year), int(month))[1] if 1 <= int(month) <= 12 else 1
    return f"{year}-{month}-{last if end else 1:02d}", "month"


_EVIDENCE_SUMMARY = re.compile(
    r"Admiralty grade (?P<reliability>[A-F?])(?P<credibility>[1-6?])"
    r"(?:; kind (?P<kind>[a-z_]+))?"
    r"(?:; amount (?P<amount>[0-9.eE+-]+) (?P<currency>[A-Z]{3}))?"
    r"(?:; quantity (?P<quantity>[0-9.eE+-]+))?(?:(?: of|; product) (?P<product>.+?))?"
    r"(?:; reference (?P<reference>.+))?", re.S)


def _grade(summary: str | None) -> dict[str, Any]:
    """The fields of an evidence record :func:`to_followthemoney` wrote into its summary."""
    found = _EVIDENCE_SUMMARY.fullmatch(summary or "")
    if not found:
        return {}
    out: dict[str, Any] = {k: v for k, v in found.groupdict().items()
                           if v is not None and v != "?"}
    if "credibility" in out:
        out["credibility"] = int(out["credibility"])
    for name in ("amount", "quantity"):
        if name in out:
            try:
                out[name] = float(out[name])
            except ValueError:
                del out[name]  # not written by this library: the summary stays the notes' text
    return out

"""The comparison table: one row per person, organization or premises, with the normal forms
(:mod:`.features`) that blocking and scoring compare.

The features are computed here, in Python, once per record, before the record-linkage engine
sees them: pinyin, phone parsing and id check digits need libraries that SQL does not have, and
a feature computed once per record costs far less than one computed once per compared pair.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ...model import Entity, Organization, Person, Warehouse
from .features import (
    birth_date_from_id,
    normalize_date,
    normalize_national_id,
    normalize_phone,
    organization_key,
    parse_address,
    romanize,
    split_name,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ADDRESS_KEYS",
    "BIRTH_DATE_KEYS",
    "ORGANIZATION_COLUMNS",
    "PERSON_COLUMNS",
    "entity_address",
    "entity_birth_date",
    "organization_table",
    "person_table",
]

BIRTH_DATE_KEYS: tuple[str, ...] = ("birth_date", "date_of_birth", "dob")
"""Attribute names a person's date of birth is read from (the first present wins; a valid
national id gives it otherwise)."""

ADDRESS_KEYS: tuple[str, ...] = ("address", "home_address", "street_address")
"""Attribute names a person's address is read from (organizations and premises have a field)."""

PERSON_COLUMNS: tuple[str, ...] = (
    "unique_id", "name", "surname", "given", "initials", "name_key", "alias_keys", "surname3",
    "birth_date", "national_id", "phones", "own_phones", "street_key", "road", "city",
)
ORGANIZATION_COLUMNS: tuple[str, ...] = (
    "unique_id", "name", "org_key", "alias_keys", "org_prefix", "registration_id",
    "street_key", "road", "city",
)


def entity_birth_date(person: Person) -> str | None:
    """The person's date of birth (ISO): from the attributes, else from a valid national id."""
    for key in BIRTH_DATE_KEYS:
        found = normalize_date(person.attributes.get(key))
        if found:
            return found
    if person.national_id:
        national_id = normalize_national_id(person.national_id)
        if national_id:
            return birth_date_from_id(national_id)
    return None


def entity_address(entity: Entity) -> str | None:
    """The address written for a record: the field, or a person's address attribute."""
    address = getattr(entity, "address", None)
    if isinstance(address, str) and address.strip():
        return address
    for key in ADDRESS_KEYS:
        value = entity.attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _none_if_empty(values: Iterable[str | None]) -> list[str] | None:
    kept = sorted({v for v in values if v})
    return kept or None


def _address_parts(entity: Entity) -> tuple[str | None, str | None, str | None]:
    """Street key, road and city (in Latin letters, so 廊坊 ~ Langfang) of a record."""
    text = entity_address(entity)
    city = entity.city
    street_key = road = None
    if text is not None:
        parts = parse_address(text)
        street_key, road = parts.street_key, parts.road
        city = parts.city or city
        if street_key is None:
            # No road and door number to read: the whole address, without notes, spaces
            # and punctuation, still says "the same place" when it is written the same way.
            bare = re.sub(r"[（(].*?[)）]", "", unicodedata.normalize("NFKC", text))
            street_key = re.sub(r"[\W_]+", "", bare).lower() or None
    return street_key, road, _city_key(city)


def _city_key(city: str | None) -> str | None:
    if not city:
        return None
    return romanize(city.strip().removesuffix("市")).replace(" ", "") or None


def person_table(persons: Sequence[Person], *, region: str = "CN") -> pd.DataFrame:
    """One row per person with the columns :data:`PERSON_COLUMNS` (None where unknown)."""
    import pandas as pd

    rows = []
    for person in persons:
        name = split_name(person.name)
        keys = [name.key] + [split_name(alias).key for alias in person.aliases]
        national_id = normalize_national_id(person.national_id) if person.national_id else None
        street_key, road, city = _address_parts(person)
        rows.append((
            person.id, person.name, name.surname, name.given, name.initials, name.key,
            _none_if_empty(keys), name.surname[:3] if name.surname else None,
            entity_birth_date(person), national_id,
            _none_if_empty(normalize_phone(p, region) for p in person.phones),
            street_key, road, city,
        ))
    columns = [c for c in PERSON_COLUMNS if c != "own_phones"]
    table = pd.DataFrame.from_records(rows, columns=columns)
    table.insert(columns.index("phones") + 1, "own_phones", _own_phones(table))
    return table


def _own_phones(table: pd.DataFrame) -> list[list[str] | None]:
    """Per record, its phones that no record of another given name carries.

    A phone that records of two given names carry (a household's shared phone, a shop's
    line) says less about who a record is than a phone only one given name uses.
    """
    holders: dict[str, set[str]] = {}
    for phones, given, initials in zip(table["phones"], table["given"], table["initials"]):
        if not isinstance(phones, list):
            continue
        who = given if isinstance(given, str) else initials
        for phone in phones:
            names = holders.setdefault(phone, set())
            if isinstance(who, str):
                names.add(who)
    shared = set()
    for phone, names in holders.items():
        fulls = {n for n in names if len(n) > 2}
        initial_sets = {n[0] for n in names}
        if len(fulls) > 1 or len(initial_sets) > 1:
            shared.add(phone)
    return [([p for p in phones if p not in shared] or None) if isinstance(phones, list)
            else None for phones in table["phones"]]


def organization_table(entities: Sequence[Organization | Warehouse]) -> pd.DataFrame:
    """One row per organization or premises with the columns :data:`ORGANIZATION_COLUMNS`."""
    import pandas as pd

    rows = []
    for entity in entities:
        key = organization_key(entity.name)
        keys = [key] + [organization_key(alias) for alias in entity.aliases]
        registration = getattr(entity, "registration_id", None)
        street_key, road, city = _address_parts(entity)
        rows.append((
            entity.id, entity.name, key, _none_if_empty(keys), key[:4] if key else None,
            registration.strip().upper() if registration else None, street_key, road, city,
        ))
    return pd.DataFrame.from_records(rows, columns=list(ORGANIZATION_COLUMNS))

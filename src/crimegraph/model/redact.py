"""Redaction: a copy of a case fit for a given audience, made by one function for every output.

Every export, figure and report takes ``redact=`` and passes it here, so that what an audience
may not see is decided in one place. A profile says what to withhold (whole records) and what to
mask (values inside the records that stay); the built-in ones are:

``internal``
    Nothing removed or masked: the case as it is, for the investigating team.
``prosecution``
    For the prosecutor's file: informants are withheld, and so are evidence records whose
    source is graded E (unreliable) or F (cannot be judged) or whose information is graded
    5 (improbable) or 6 (cannot be judged), together with every fact that rests *only* on
    withheld evidence (a record citing at least one kept evidence record stays; a record citing
    none stays).
``public``
    For a press release or a public judgment: everything ``prosecution`` withholds, plus
    witnesses and victims (persons with status ``witness`` or ``victim``) and witness statements
    (evidence of kind ``witness``, which identify their witness) with the facts resting only on
    them. Person names and aliases are reduced to initials (``"Zhou Jianguo"`` -> ``"Z. J."``,
    ``"周建国"`` -> ``"周某某"`` as Chinese public judgments write them), and so are name parts
    kept as attributes (``first_name``, ``surname``, ``full_name``, 姓, 名, 姓名, 曾用名...);
    national ids and passports, phone numbers, addresses, bank accounts, e-mail addresses, QQ
    numbers, WeChat ids, IP addresses and vehicle licence plates are masked; coordinates (of
    premises, and attributes such as ``lat``, ``longitude``, ``gps``) and birth dates and years
    (``birth_year``, ``birthday``, ``date_of_birth``, ``dob``, 出生日期, 生日...) are dropped;
    a dropped value of six characters or more (a date, coordinates; not a bare year) becomes
    ``[withheld]`` wherever text repeats it.

Masking is thorough: a masked value is replaced wherever the case holds it, not only in its own
field: in notes, names of other records, aliases, evidence and bank references, attribute values
and keys, the case title and description. An attribute whose text is a JSON object or array is
read key by key like the attributes themselves (``{"tel": "0755 8888 1234"}`` is a phone) and
written back without escapes, so that no name hides as ``\\u5468``. Numbers are found in any
spacing: white space, dashes, dots, parentheses and slashes between the digits, in ASCII or
full-width forms (``138-0000-0101``, ``13800000101``, ``(0755) 8888-1234``, ``（0755）88881234``,
``110105 19491231 002X``). Each distinct value gets one token (``[phone 1]``,
``[national id 2]``, ``[passport 1]``, ``[address 3]``, ``[account 1]``, ``[email 1]``,
``[qq 1]``, ``[wechat 1]``, ``[ip address 1]``, ``[plate 1]``), so a phone two people
share is still seen to be shared (``+86 138 0000 0101`` and ``0086-13800000101`` are the same
phone as ``13800000101``; ``冀R·12345`` the same plate as ``冀R12345``).
Numbers kept as numbers in attributes (``13800000101`` or ``13800000101.0``) are masked like
text. Besides the values the case holds in their own fields, text is
searched for their shapes: Chinese mobile numbers (11 digits from ``1[3-9]``), numbers
written with a country code (``+44 20 7946 0958``), 18-character
national ids (also grouped 6-8-4 or 6-4-4-4) and runs of 12-19 digits (bank cards and
accounts), with a country code before a mobile masked with it (``0086-``, ``+86``); e-mail
addresses, IPv4 addresses and Chinese licence plates (``冀R·12345``, ``京A12345``,
``粤B·D12345``), found before names are searched (a name may be part of an e-mail address).
QQ numbers and WeChat ids have no reliable shape: they are masked where the case holds them
under their keys and wherever those values appear. Names of withheld persons and records,
their ids, numbers, addresses and the values under the keys named below (an informant's
WeChat id or bank card) become ``[withheld]`` wherever they appear, whatever the profile
masks.

Names are searched as a reader would recognise them: a name in a Latin (or other
space-separated) script matches as whole words only, in any letter case and with any of space,
hyphen, underscore or middle dot between its parts, or none when the name has six letters or
more (``Ma`` is found in ``MA said`` and ``Ma-Lin``, not in ``Market``; ``Zhou Jianguo`` in
``ZhouJianguo`` and ``zhou_jianguo``; ``Ma Li`` not in ``Mali``); a name of two parts is also
found given name first (``Jianguo Zhou``); a
Chinese, Japanese or Korean name matches inside text, since those scripts put no spaces between
words (``周建国的``), with or without its middle dot (``买买提·艾力``, ``买买提艾力``). Names
and aliases of one character are not searched.

A record whose id gives a masked or withheld value away, also a name written into it without
spaces or capitals (``P-zhoujianguo`` for ``Zhou Jianguo``; names of four letters or more), gets
a neutral id (``PERSON-R001``) and every reference follows it. A case id that does becomes
``case`` (``case-public``); otherwise the case id is kept with the profile's name appended.

What redaction cannot find: a person named in free text in a form the case does not hold
(a nickname that is not among the aliases). Use ``notes="drop"`` in a custom profile when the
notes cannot be trusted.

Bank accounts have no field of their own: they are attribute values whose key names an
account. A key is read as words (``bankCardNo``, ``bank_card_no`` and ``Bank-Card No.`` all
read *bank card no*); trailing qualifiers (*no*, *number*, *line*...) are set aside and the last
word left names the kind: *account*, *iban*, *card*, *bankcard* (accounts); *phone*, *mobile*,
*cellphone*, *tel*, *fax* (phones); *national id*, *id card*, *id no*, *ssn* (national ids);
*passport* (passports); *address*, *addr* (addresses); *email*, *e-mail*, *email address*
(e-mail); *qq*; *wechat*, *weixin*, *wechat id*; *ip*, *ip address*; *plate*, *license
plate*, *number plate* (plates), plurals included (``addresses``, ``bank_accounts``). Chinese
keys are read likewise: 银行卡号, 账号, 账户 (accounts), 手机, 电话 (phones), 身份证, 证件号
(national ids), 护照 (passports), 地址, 住址 (addresses), 邮箱, 电子邮件 (e-mail), QQ号, 微信号,
IP地址, 车牌号, followed by nothing but 号, 码 or a number. ``account_holder``, ``phone_type``
or 账户名 name no such value and are kept (their values still scrubbed of every known value).

Informants are persons whose ``role`` says so (``informant``, ``confidential source``,
``CHIS``, ``线人``, ``特情``, ``耳目``, ``卧底``), persons and evidence
records with the attribute ``informant`` (or ``is_informant``, ``线人``) saying yes in any common
spelling (``True``, ``1``, ``"true"``, ``"yes"``, ``"1"``, ``"是"``), and evidence records
whose name or agency says so. An ``informant`` attribute that says
neither yes nor no (``"maybe"``) is taken as yes, with a warning: withholding one record too
many is the safer mistake.

Examples
--------
>>> import crimegraph as cg
>>> case = cg.load_example("fake_liquor")
>>> public = cg.redact(case, "public")
>>> public.get("P-ZHOU").name, public.get("P-ZHOU").phones
('周某某', ['[phone 1]'])
>>> "P-CAI" in case, "P-CAI" in public       # a witness
(True, False)
>>> cg.redact(case, "internal") == case
True
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from ..errors import InvalidArgument, WrongArgumentType
from .case import Case
from .entities import (
    EVIDENCE_KINDS,
    PERSON_STATUSES,
    Evidence,
    InformationCredibility,
    Person,
    Record,
    SourceReliability,
)
from .registry import RECORD_TYPES, SECTIONS, record_type

__all__ = [
    "REDACTION_PROFILES",
    "Redacted",
    "RedactionProfile",
    "initials",
    "redact",
    "redact_case",
    "redaction_profile",
]

WITHHELD = "[withheld]"
"""What a withheld person's or record's name becomes wherever it appears in kept text."""

MaskKind = Literal["phone", "national id", "passport", "address", "account", "email", "qq",
                   "wechat", "ip address", "plate"]


@dataclass(frozen=True)
class RedactionProfile:
    """What one audience may not see: which records to withhold and which values to mask.

    A record is withheld when it is withheld itself or when every evidence record it cites is
    withheld; links go with either end, shipments with their product. Everything that is
    neither withheld nor masked stays as it is.

    Parameters
    ----------
    name : str
        The profile's name, in the redacted case's id (``counterfeit-oil-2024-public``) and in
        reports.
    withhold_statuses : frozenset of str
        Persons with these statuses are withheld (``{"witness", "victim"}``); statuses are
        person statuses (``crimegraph.model.PERSON_STATUSES``), written in any case.
    withhold_informants : bool
        Withhold informants (persons) and evidence from informants.
    withhold_reliability : frozenset of str
        Evidence whose source is graded with one of these letters is withheld (``{"E", "F"}``;
        A-F, lower case accepted).
    withhold_credibility : frozenset of int
        Evidence whose information is graded with one of these numbers is withheld (``{5, 6}``;
        1-6, digits given as text such as ``"5"`` accepted).
    withhold_evidence_kinds : frozenset of str
        Evidence of these kinds is withheld (``{"witness"}``; evidence kinds,
        ``crimegraph.model.EVIDENCE_KINDS``, in any case).
    initials : bool
        Reduce person names and aliases to initials.
    mask_national_ids, mask_phones, mask_addresses, mask_bank_accounts : bool
        Replace these values with tokens everywhere (addresses: also drop premises coordinates).
    mask_online_ids : bool
        Replace e-mail addresses, QQ numbers, WeChat ids and IP addresses with tokens
        everywhere.
    mask_plates : bool
        Replace vehicle licence plates with tokens everywhere.
    drop_attributes : frozenset of str
        Attribute keys removed from every record (``{"birth_year"}``); a key matches in any
        case and spelling of its separators (``birth_year`` also drops ``BirthYear`` and
        ``birth-year``).
    notes : {"keep", "drop"}
        Keep the analysts' notes (scrubbed of every withheld and masked value) or drop them.

    Raises
    ------
    InvalidArgument
        On a status, grade or evidence kind no case can hold (``"witnesses"``, ``"G"``, ``7``):
        a misspelt value would otherwise withhold nothing, silently.

    Examples
    --------
    >>> import crimegraph as cg
    >>> phones_only = cg.RedactionProfile("phones", mask_phones=True)
    >>> cg.redact(cg.load_example("fake_liquor"), phones_only).get("P-WU").phones
    ['[phone 2]']
    """

    name: str
    withhold_statuses: frozenset[str] = frozenset()
    withhold_informants: bool = False
    withhold_reliability: frozenset[str] = frozenset()
    withhold_credibility: frozenset[int] = frozenset()
    withhold_evidence_kinds: frozenset[str] = frozenset()
    initials: bool = False
    mask_national_ids: bool = False
    mask_phones: bool = False
    mask_addresses: bool = False
    mask_bank_accounts: bool = False
    mask_online_ids: bool = False
    mask_plates: bool = False
    drop_attributes: frozenset[str] = field(default_factory=frozenset)
    notes: Literal["keep", "drop"] = "keep"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", self.name):
            raise InvalidArgument(
                f"RedactionProfile name={self.name!r}: use 1-40 letters, digits, '-', '_' or "
                "'.' (the name goes into the redacted case's id)"
            )
        if self.notes not in ("keep", "drop"):
            raise InvalidArgument(
                f"RedactionProfile notes={self.notes!r}: use 'keep' (scrubbed) or 'drop'")
        for name in ("withhold_statuses", "withhold_reliability", "withhold_credibility",
                     "withhold_evidence_kinds", "drop_attributes"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise WrongArgumentType(
                    f"RedactionProfile {name}={value!r}: give a set of values, e.g. "
                    "frozenset({'witness'})")
            object.__setattr__(self, name, frozenset(value))
        for name, allowed, normal in (
                ("withhold_statuses", PERSON_STATUSES, _lower),
                ("withhold_reliability", _SOURCE_GRADES, _upper),
                ("withhold_credibility", _INFORMATION_GRADES, _grade_number),
                ("withhold_evidence_kinds", EVIDENCE_KINDS, _lower)):
            values = set()
            for item in getattr(self, name):
                value = normal(item)
                if value not in allowed:
                    raise InvalidArgument(
                        f"RedactionProfile {name}: {item!r} is not one of "
                        + ", ".join(map(repr, allowed))
                        + " (a value the case cannot hold would withhold nothing)")
                values.add(value)
            object.__setattr__(self, name, frozenset(values))

    @property
    def is_identity(self) -> bool:
        """True when the profile removes and masks nothing (``internal``)."""
        return not (
            self.withhold_statuses or self.withhold_informants or self.withhold_reliability
            or self.withhold_credibility or self.withhold_evidence_kinds or self.initials
            or self.mask_national_ids or self.mask_phones or self.mask_addresses
            or self.mask_bank_accounts or self.mask_online_ids or self.mask_plates
            or self.drop_attributes or self.notes == "drop"
        )


_SOURCE_GRADES: tuple[str, ...] = SourceReliability.__args__  # type: ignore[attr-defined]
_INFORMATION_GRADES: tuple[int, ...] = InformationCredibility.__args__  # type: ignore[attr-defined]


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _grade_number(value: object) -> object:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None if isinstance(value, bool) else value


_PROSECUTION = RedactionProfile(
    "prosecution", withhold_informants=True, withhold_reliability=frozenset({"E", "F"}),
    withhold_credibility=frozenset({5, 6}),
)

REDACTION_PROFILES: dict[str, RedactionProfile] = {
    "internal": RedactionProfile("internal"),
    "prosecution": _PROSECUTION,
    "public": RedactionProfile(
        "public", withhold_statuses=frozenset({"witness", "victim"}), withhold_informants=True,
        withhold_reliability=_PROSECUTION.withhold_reliability,
        withhold_credibility=_PROSECUTION.withhold_credibility,
        withhold_evidence_kinds=frozenset({"witness"}), initials=True,
        mask_national_ids=True, mask_phones=True, mask_addresses=True, mask_bank_accounts=True,
        mask_online_ids=True, mask_plates=True,
        drop_attributes=frozenset({"birth_year", "birth_date", "date_of_birth", "dob",
                                   "birthday", "born", "出生日期", "出生年月", "出生年份", "生日"}),
    ),
}
"""The built-in profiles by name: ``internal``, ``prosecution``, ``public``."""


def redaction_profile(profile: str | RedactionProfile | None) -> RedactionProfile:
    """The profile for a name (or the profile itself; None means ``internal``)."""
    if profile is None:
        return REDACTION_PROFILES["internal"]
    if isinstance(profile, RedactionProfile):
        return profile
    if isinstance(profile, str):
        found = REDACTION_PROFILES.get(profile)
        if found is None:
            raise InvalidArgument(
                f"redact={profile!r} is not a redaction profile; use one of "
                + ", ".join(map(repr, REDACTION_PROFILES))
                + " or a crimegraph.RedactionProfile"
            )
        return found
    raise WrongArgumentType(
        f"redact={profile!r} ({type(profile).__name__}): give a profile name such as 'public' "
        "or a crimegraph.RedactionProfile"
    )


@dataclass(frozen=True)
class Redacted:
    """A redacted case and where each original record went.

    Attributes
    ----------
    case : Case
        The redacted case.
    ids : dict
        Original id -> id in the redacted case, for every record kept (withheld ones are absent).
    profile : RedactionProfile
    hidden : tuple of str
        Every value the profile withheld or masked, as the case held it (for checks).
    """

    case: Case
    ids: dict[str, str]
    profile: RedactionProfile
    hidden: tuple[str, ...] = ()


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def initials(name: str) -> str:
    """A name reduced to initials: ``"Zhou Jianguo"`` -> ``"Z. J."``, ``"周建国"`` -> ``"周某某"``.

    Chinese names keep the family name (the first character) and replace each other character
    with 某, as published Chinese judgments do.
    """
    text = name.strip()
    if _CJK.match(text):
        return text[0] + "某" * max(len(text) - 1, 1)
    parts = [p for p in re.split(r"[\s\-]+", text) if p]
    firsts = [next((c for c in p if c.isalnum()), "") for p in parts]  # (Bob) -> B.
    return " ".join(f"{c.upper()}." for c in firsts if c) or "?"


# Attribute keys that hold a value of a masked kind (bank accounts live only here). A key is
# split into words (``passportNo``, ``passport_number``, ``Passport-No.2`` -> passport, no),
# trailing qualifiers are dropped (no, number, line...), and the last word that is left names the
# kind: ``address_line1`` is an address, ``account_holder`` is not an account.
_KEY_WORDS: dict[str, MaskKind] = {
    **dict.fromkeys(("account", "acct", "acc", "iban", "card", "bankcard", "creditcard",
                     "debitcard", "bankaccount"), "account"),
    **dict.fromkeys(("phone", "mobile", "cellphone", "cell", "tel", "telephone", "fax",
                     "telefon", "whatsapp", "msisdn"), "phone"),
    **dict.fromkeys(("address", "addr", "adress", "residence", "domicile", "hukou"), "address"),
    **dict.fromkeys(("passport",), "passport"),
    **dict.fromkeys(("ssn", "nationalid", "idcard", "nin", "nric"), "national id"),
    **dict.fromkeys(("email", "mail", "emailaddress", "mailaddress"), "email"),
    **dict.fromkeys(("qq", "qqid"), "qq"),
    **dict.fromkeys(("wechat", "weixin", "wechatid", "weixinid", "wx", "wxid"), "wechat"),
    **dict.fromkeys(("ip", "ipaddress", "ipv4", "ipv6"), "ip address"),
    **dict.fromkeys(("plate", "licenseplate", "licenceplate", "numberplate", "carplate",
                     "vrn", "vrm"), "plate"),
}
_KEY_OWNERS = frozenset({"account", "card", "passport", "phone", "qq", "wechat", "weixin", "wx"})
"""Words before ``id`` that say whose id it is (``wechat_id`` is a WeChat id)."""
_KEY_ADDRESS_OWNERS: dict[str, MaskKind] = {"email": "email", "mail": "email", "e": "email",
                                            "ip": "ip address"}
"""Words before ``address`` that make it no postal address (``email_address``, ``IP address``)."""
_KEY_QUALIFIERS = frozenset({"no", "nr", "nbr", "num", "number", "numbers", "line", "lines",
                             "full", "value", "text", "code"})
_KEY_ID_WORDS = frozenset({"national", "identity", "citizen", "resident", "personal", "id"})
"""Words before ``id`` or ``card`` that make the key a national id (``id_card``)."""
_KEY_CJK: tuple[tuple[str, MaskKind], ...] = (
    ("身份证", "national id"), ("身份号", "national id"), ("证件号", "national id"),
    ("公民身份", "national id"), ("护照", "passport"),
    ("银行卡", "account"), ("卡号", "account"), ("账号", "account"), ("帐号", "account"),
    ("账户", "account"), ("帐户", "account"), ("银行账", "account"),
    ("手机", "phone"), ("电话", "phone"), ("联系方式", "phone"), ("传真", "phone"),
    ("地址", "address"), ("住址", "address"), ("住所", "address"), ("居住地", "address"),
    ("户籍地", "address"),
    ("邮箱", "email"), ("电子邮件", "email"), ("电子邮箱", "email"), ("邮件地址", "email"),
    ("邮箱地址", "email"), ("电子邮件地址", "email"), ("qq", "qq"), ("微信", "wechat"),
    ("ip地址", "ip address"), ("车牌", "plate"), ("号牌", "plate"), ("牌照", "plate"),
)
_KEY_CJK_TAIL = re.compile(r"[号码编信息\s:：_\-.0-9]*")
"""What may follow the kind in a Chinese key (``身份证号码``, ``手机1``); ``账户名`` (the
account's name) or ``地址类型`` are not values of the kind."""


def _key_words(key: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", key)
    return [w for w in re.split(r"[^a-z]+", spaced.lower()) if w]


def _singular(word: str) -> str:
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@functools.lru_cache(maxsize=4096)  # the same keys come back on every record
def _key_kind(key: str) -> MaskKind | None:
    """The kind of value an attribute key names (None when it names none)."""
    if _CJK.search(key):
        # The stem ending last names the kind; of two ending together, the longer
        # (``IP地址`` is an IP address, not a postal one).
        best: tuple[int, int, MaskKind] | None = None
        lowered = key.lower()
        for stem, kind in _KEY_CJK:
            for found in re.finditer(re.escape(stem), lowered):
                tail = _KEY_CJK_TAIL.match(lowered, found.end())
                if tail is not None and tail.end() == len(key) and (
                        best is None or (found.end(), len(stem)) > best[:2]):
                    best = (found.end(), len(stem), kind)
        if best is not None:
            return best[2]
    words: list[str] = []
    for word in map(_singular, _key_words(key)):  # WeChat, e_mail: one word
        if words and words[-1] + word in _KEY_WORDS:
            words[-1] += word
        else:
            words.append(word)
    qualified = False
    while len(words) > 1 and words[-1] in _KEY_QUALIFIERS:
        words.pop()
        qualified = True
    if not words:
        return None
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last == "id" and before in _KEY_OWNERS:
        last, before = before, (words[-3] if len(words) > 2 else "")
    if last == "address" and before in _KEY_ADDRESS_OWNERS:
        return _KEY_ADDRESS_OWNERS[before]
    if last in ("id", "card") and before in _KEY_ID_WORDS:
        return "national id"
    if last in ("id", "identity") and qualified and before == "":  # id_no, identity_number
        return "national id"
    for qualifier in sorted(_KEY_QUALIFIERS, key=len, reverse=True):  # passportno, phonenumber
        stem = last[: -len(qualifier)]
        if last.endswith(qualifier) and (stem in _KEY_WORDS or stem == "id"):
            return "national id" if stem == "id" else _KEY_WORDS[stem]
    return _KEY_WORDS.get(last)


_SEP = r"[\s\-.()/\u2010-\u2015\u3000\uff08\uff09\uff0d\uff0e\uff0f]{0,3}"
"""What may stand between the digits of a number written out: white space (also full-width),
dashes, dots, parentheses and slashes, in ASCII or full-width forms (``(0755) 8888-1234``,
``（0755）88881234``), up to three together (``+86 (138) 0000-0101``)."""
_PATTERNS: dict[MaskKind, re.Pattern[str]] = {  # national ids first: they hold phone shapes
    "national id": re.compile(
        r"(?<![0-9A-Za-z])\d{6}" + _SEP + r"\d{4}" + _SEP + r"\d{4}" + _SEP + r"\d{3}[\dXx]"
        r"(?![0-9A-Za-z])"),  # 18 characters, grouped 6-8-4 or 6-4-4-4 when spaced
    "phone": re.compile(  # a country code before it is part of the number (0086-138...)
        r"(?<![\d+\uff0b])(?:(?:[+\uff0b]|00)" + _SEP + "86" + _SEP + r")?"
        r"[1\uff11][3-9\uff13-\uff19](?:" + _SEP + r"\d){9}(?!\d)"
        # any number written with its country code (+44 20 7946 0958, +1 (555) 123-4567)
        r"|(?<![\w+\uff0b])[+\uff0b][1-9]\d{0,2}(?:" + _SEP + r"\d){7,13}(?!\d)"),
    "account": re.compile(r"(?<!\d)\d(?:[\s\-]?\d){11,18}(?!\d)"),
}
"""The shapes of unknown values of each kind in free text (used when that kind is masked)."""

_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_TEXT_PATTERNS: dict[MaskKind, str] = {
    "email": r"(?<![\w.%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
             r"\.[A-Za-z]{2,}(?![A-Za-z0-9])",
    "ip address": r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
                  r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)",
    # Province, issuing letter, then 5 letters or digits (6 on new-energy plates) with at
    # least one digit, or 4 and a closing 挂, 学, 警, 港, 澳.
    "plate": f"[{_PLATE_PROVINCES}]" + r"[A-Za-z][\s\-.\u00b7\u2022\u30fb]?"
             r"(?=[A-Za-z]*\d)(?:[A-Za-z0-9]{5,6}|[A-Za-z0-9]{4}[挂学警港澳])(?![A-Za-z0-9])",
}
"""Shapes found reliably in free text, searched before names (a name may be part of an
e-mail address): e-mail addresses, IPv4 addresses and Chinese licence plates (``冀R·12345``,
``京A12345``). QQ numbers and WeChat ids have no shape of their own; they are masked where the
case holds them under their keys, and wherever those values appear."""
_PLATE_SEP = re.compile(r"[\s\-.\u00b7\u2022\u30fb]")

_DIGIT_RUN = re.compile(
    r"[+\uff0b(\uff08]?\d(?:" + _SEP + r"\d){6,}(?:" + _SEP + r"[Xx](?![0-9A-Za-z]))?")
"""Seven or more digits, with separators between them (see ``_SEP``; a national id's closing
``X`` included): where known numbers hide."""


class _Masker:
    """Consistent tokens per value and kind, and the scrubbing of free text."""

    def __init__(self, profile: RedactionProfile) -> None:
        self.profile = profile
        self.tokens: dict[tuple[MaskKind, str], str] = {}
        self.counts: dict[MaskKind, int] = {}
        self.replace: dict[str, str] = {}     # literal text -> replacement
        self.phone_digits: dict[str, str] = {}  # digits of a known phone -> token
        self._regex: re.Pattern[str] | None = None
        self._folded: dict[str, str] = {}  # lower-cased literal text -> replacement
        self.dropped = {_slug(key) for key in profile.drop_attributes}  # attribute keys
        self.slugs: set[str] = set()  # names withheld or shortened, letters and digits only
        self._slug_regex: re.Pattern[str] | None = None
        self._scrubbed: dict[str, str] = {}  # the same text is scrubbed once (a cache)
        self._lengths: list[int] | None = None  # of the known numbers' digits
        p = profile
        self._enabled: dict[MaskKind, bool] = {
            "phone": p.mask_phones, "national id": p.mask_national_ids,
            "passport": p.mask_national_ids, "address": p.mask_addresses,
            "account": p.mask_bank_accounts, "email": p.mask_online_ids,
            "qq": p.mask_online_ids, "wechat": p.mask_online_ids,
            "ip address": p.mask_online_ids, "plate": p.mask_plates}
        self._patterns = [(kind, pattern) for kind, pattern in _PATTERNS.items()
                          if self._enabled[kind]]
        shapes = [f"(?P<{kind.replace(' ', '_')}>{pattern})"
                  for kind, pattern in _TEXT_PATTERNS.items() if self.enabled(kind)]
        self._shapes = re.compile("|".join(shapes)) if shapes else None

    def enabled(self, kind: MaskKind) -> bool:
        return self._enabled[kind]

    def token(self, kind: MaskKind, value: str) -> str:
        key = (kind, _token_key(kind, value))
        found = self.tokens.get(key)
        if found is None:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            found = self.tokens[key] = f"[{kind} {self.counts[kind]}]"
        return found

    def hide(self, kind: MaskKind, value: str) -> str:
        """Register a value to mask; its token."""
        token = self.token(kind, value)
        if value.strip():
            self.replace[value.strip()] = token
        if kind in _NUMBER_KINDS and len(_number(kind, value)) >= 7:
            # Found in any spacing, country code included, by the digit runs (as literal
            # text it would be found inside a longer run: ``0086-`` left before the token).
            self.phone_digits[_number(kind, value)] = token
            self.replace.pop(value.strip(), None)
        self._regex = None
        return token

    def withhold(self, text: str | None, replacement: str = WITHHELD, *,
                 slug: bool = True) -> None:
        """Replace ``text`` wherever it appears (with ``slug``, also rename ids that spell
        it without spaces or capitals)."""
        if text and len(text.strip()) >= 2:
            self.replace.setdefault(text.strip(), replacement)
            self._regex = None
            if not slug:
                return
            parts = _NAME_SPACE.split(text.strip())
            joined = "".join(parts)  # ZhouJianguo, as user names write it; 买买提艾力
            if len(parts) > 1 and len(joined) >= (3 if _CJK.search(joined) else 6):
                self.replace.setdefault(joined, replacement)
            if len(parts) == 2 and min(map(len, parts)) >= 2 and not _CJK.search(joined):
                # Jianguo Zhou for Zhou Jianguo: given name first, as English text writes it.
                self.replace.setdefault(f"{parts[1]} {parts[0]}", replacement)
            slug_text = _slug(text)
            if len(slug_text) >= 4 and not _CJK.search(slug_text):
                self.slugs.add(slug_text)
                self._slug_regex = None

    def hides_in_id(self, text: str) -> bool:
        """Whether an id gives away anything to mask or withhold: as text, or a name written
        in it without spaces or case (``zhoujianguo-2024`` for ``Zhou Jianguo``)."""
        if self.hides(text):
            return True
        if self.slugs and self._slug_regex is None:
            self._slug_regex = re.compile(_trie_pattern(self.slugs, whole_words=False))
        return self._slug_regex is not None and self._slug_regex.search(_slug(text)) is not None

    def regex(self) -> re.Pattern[str] | None:
        if self._regex is None:
            self._scrubbed.clear()
            self._lengths = None
            # Matched in lower-cased text (compiling with IGNORECASE costs more than the
            # matching); the values as given too, for text whose lower case changes length.
            pattern = _trie_pattern({*self.replace, *(k.lower() for k in self.replace)})
            self._regex = re.compile(pattern) if pattern else None
            self._folded = {_fold(k): v for k, v in self.replace.items()}
        return self._regex

    def _known_number(self, run: str) -> str | None:
        """The token of a known phone or account number inside a run of digits, if any."""
        digits = _digits(run)
        if self._lengths is None:
            self._lengths = sorted({len(d) for d in self.phone_digits})
        for length in self._lengths:
            for start in range(len(digits) - length + 1):
                found = self.phone_digits.get(digits[start:start + length])
                if found is not None:
                    return found
        return None

    def _numbers(self, match: re.Match[str]) -> str:
        return self._known_number(match.group(0)) or match.group(0)

    def scrub(self, text: str) -> str:
        regex = self.regex()
        done = self._scrubbed.get(text)
        if done is not None:
            return done
        original = text
        if self._shapes is not None:
            text = self._shapes.sub(self._shape_token, text)
        if regex is not None:
            pieces: list[str] = []
            end = 0
            for found in regex.finditer(_searchable(text)):
                start, stop = found.span()
                pieces += [text[end:start], self._replacement(text[start:stop])]
                end = stop
            text = "".join(pieces) + text[end:] if pieces else text
        if self.phone_digits:  # known phone and account numbers, in any spacing
            text = _DIGIT_RUN.sub(self._numbers, text)
        for kind, pattern in self._patterns:
            text = pattern.sub(self._tokenizer(kind), text)
        self._scrubbed[original] = text
        return text

    def _shape_token(self, match: re.Match[str]) -> str:
        kind: MaskKind = match.lastgroup.replace("_", " ")  # type: ignore[union-attr,assignment]
        return self.token(kind, match.group(0))

    def _tokenizer(self, kind: MaskKind) -> Callable[[re.Match[str]], str]:
        def token(match: re.Match[str]) -> str:
            return self.token(kind, match.group(0))
        return token

    def _replacement(self, found: str) -> str:
        return self.replace.get(found) or self._folded.get(_fold(found), WITHHELD)

    def hides(self, text: str) -> bool:
        """Whether ``text`` holds anything to mask or withhold."""
        regex = self.regex()
        if regex is not None and regex.search(_searchable(text)):
            return True
        if self._shapes is not None and self._shapes.search(text):
            return True
        if self.phone_digits and any(self._known_number(m.group(0))
                                     for m in _DIGIT_RUN.finditer(text)):
            return True
        return any(pattern.search(text) for _, pattern in self._patterns)


_WORD_CHAR = r"[^\W_\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
"""A letter or digit of a script that separates words by spaces (not Chinese, Japanese or
Korean, whose names run into the text around them)."""
_NAME_SPACE = re.compile(r"[\s\-_\u00b7\u2010\u2011\u30fb]+")
"""What separates the parts of a name (``Ma Lin``, ``Ma-Lin``, ``Ma_Lin``, ``Ma·Lin``): any of
them matches any other, and so does nothing (``MaLin``, ``zhoujianguo`` as user names write
them)."""
_AS_SPACE = {i: " " for i in (*range(0x09, 0x0e), *range(0x1c, 0x20), 0x85, 0xa0, 0x1680,
                              *range(0x2000, 0x200b), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
                              ord("-"), ord("_"), 0xb7, 0x2010, 0x2011, 0x30fb)}
"""Name separators as spaces, one for one (the scrubbed text keeps its length and positions)."""


def _searchable(text: str) -> str:
    """Text as names are searched in: lower case (when that keeps its length), separators as
    spaces."""
    lowered = text.lower()
    return (lowered if len(lowered) == len(text) else text).translate(_AS_SPACE)


@functools.lru_cache(maxsize=8192)
def _char(ch: str) -> str:
    return "\\ +" if _NAME_SPACE.fullmatch(ch) else re.escape(ch)


_NOT_ALNUM = re.compile(r"[\W_]+")


def _slug(text: str) -> str:
    """Letters and digits only, lower case: how a name is written into an id."""
    return _NOT_ALNUM.sub("", text.lower())


def _fold(text: str) -> str:
    """Text as the scrubbing looks it up: lower case, name separators as one space."""
    return _NAME_SPACE.sub(" ", text.lower())


def _trie_pattern(words: Iterable[str], *, whole_words: bool = True) -> str:
    """One regular expression matching any of ``words``, longest first, built as a prefix
    tree: thousands of names then cost about as much as a few (a flat alternation of
    thousands of literals is tried one by one at every position).

    With ``whole_words``, a word that begins (ends) with a letter or digit of a
    space-separated script matches only where no such letter or digit comes before (after)
    it: ``Ma`` is found in ``Ma said`` but not in ``Market`` (where ``Ma Lin`` and ``Ma`` are
    both words, ``Ma Lint`` falls back to ``Ma``). Chinese, Japanese and Korean text has no
    spaces between words, so a word in those scripts matches inside text (``周建国的``)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def pattern(node: dict[str, Any]) -> str:
        # A run of characters with one way on is written out in a loop: recursion only at
        # branches, so a name of thousands of characters does not exhaust the stack.
        run: list[str] = []
        while len(node) == 1 and "" not in node:
            (ch, node), = node.items()
            run.append(_char(ch))
        ends = "" in node
        branches = [_char(ch) + pattern(child) for ch, child in sorted(node.items())
                    if ch != ""]
        if not branches:
            return "".join(run)
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy: the longer word wins, the shorter one matches when the longer does not.
        return "".join(run) + (f"(?:{body})?" if ends else body)

    if not trie:
        return ""
    if not whole_words:
        return pattern(trie)
    # At either end: a Latin-script letter or digit on one side only (backtracking into the
    # tree gives the shorter words their turn when a longer one ends inside a word).
    edge = f"(?:(?<!{_WORD_CHAR})|(?!{_WORD_CHAR}))"
    return f"{edge}{pattern(trie)}{edge}"


_NOT_DIGIT = re.compile(r"\D")


def _digits(value: str) -> str:
    """The decimal digits of a value, as ASCII digits (full-width ``１３８`` -> ``138``)."""
    digits = _NOT_DIGIT.sub("", value)
    return digits if digits.isascii() else "".join(str(unicodedata.decimal(ch)) for ch in digits)


_COUNTRY_CODE = re.compile(r"(?:00)?86(?=1[3-9]\d{9}$)")


_NUMBER_KINDS = frozenset({"phone", "account", "national id", "qq"})
"""Kinds whose values are numbers, found in any spacing."""


def _token_key(kind: MaskKind, value: str) -> str:
    """What makes two values one (one token): a number's digits, an e-mail address or WeChat
    id in any case, a plate without separators in upper case."""
    if kind in ("phone", "account", "qq"):
        digits = _number(kind, value)
        if digits:
            return digits
    if kind in ("email", "wechat"):
        return value.strip().lower()
    if kind == "plate":
        return _PLATE_SEP.sub("", value).upper()
    return value.strip()


def _number(kind: MaskKind, value: str) -> str:
    """The digits that identify a number: a Chinese mobile's country code set aside
    (``+86 138...``, ``0086 138...`` and ``138...`` are one phone)."""
    digits = _digits(value)
    return _COUNTRY_CODE.sub("", digits, count=1) if kind == "phone" else digits


_REF_FIELDS = frozenset({"id", "source", "target", "product", "carrier", "evidence"})
_ENUM_FIELDS = frozenset({"kind", "status", "uses", "currency", "reliability", "credibility"})


_INFORMANT_TEXT = re.compile(
    r"informant|confidential (?:human )?source|covert human intelligence source|\bCHIS\b"
    r"|线人|特情|耳目|卧底", re.IGNORECASE)
"""What a role (or an evidence record's name or agency) says to make it an informant's."""
_INFORMANT_KEYS = frozenset({"informant", "is_informant", "isinformant", "线人", "是否线人"})
_YES = frozenset({"true", "t", "yes", "y", "1", "x", "是", "是的", "对"})
_NO = frozenset({"false", "f", "no", "n", "0", "", "none", "null", "否", "不是"})


def _is_informant(record: Record) -> bool:
    """Whether a person or evidence record is (or comes from) an informant.

    The attribute ``informant`` (or ``is_informant``, ``线人``) counts when it says yes in any
    common spelling (``True``, ``1``, ``"true"``, ``"yes"``, ``"1"``, ``"是"``). A value that
    says neither yes nor no (``"maybe"``, ``2``) is taken as yes, with a warning: withholding a
    record too many is the safe mistake."""
    for key, value in record.attributes.items():
        if key.strip().lower() not in _INFORMANT_KEYS:
            continue
        if value is None:
            continue
        if isinstance(value, (bool, int, float)):
            if value in (0, 1):
                if value:
                    return True
                continue
        elif isinstance(value, str):
            text = value.strip().lower()
            if text in _YES:
                return True
            if text in _NO:
                continue
        warnings.warn(
            f"redact: {record_type(record).label} {record.id!r} attribute {key}={value!r} says "
            "neither yes nor no; it is withheld as an informant (set it to true or false)",
            UserWarning, stacklevel=4)
        return True
    texts: list[str | None] = []
    if isinstance(record, Person):
        texts = [record.role]
    elif isinstance(record, Evidence):
        texts = [record.name, record.agency]
    return any(t and _INFORMANT_TEXT.search(t) for t in texts)


def _evidence_withheld(evidence: Evidence, profile: RedactionProfile) -> bool:
    return (
        (evidence.reliability is not None and evidence.reliability in profile.withhold_reliability)
        or (evidence.credibility is not None
            and evidence.credibility in profile.withhold_credibility)
        or evidence.kind in profile.withhold_evidence_kinds
        or (profile.withhold_informants and _is_informant(evidence))
    )


def redact_case(case: Case, profile: str | RedactionProfile | None = "internal") -> Redacted:
    """Redact a case for an audience, keeping track of where each record went.

    The one mechanism behind :func:`redact` and every ``redact=`` argument. See the module
    documentation for what each built-in profile withholds and masks.

    Parameters
    ----------
    case : Case
    profile : str or RedactionProfile
        ``"internal"``, ``"prosecution"``, ``"public"`` or a custom profile.

    Returns
    -------
    Redacted
        The redacted case (id suffixed with the profile's name unless nothing was redacted;
        ``case-<profile>`` when the id gives a hidden value away),
        the map from original ids to kept ids, and the values that were hidden.
    """
    if not isinstance(case, Case):
        raise WrongArgumentType(
            f"redact needs a crimegraph.Case or CaseGraph, got {type(case).__name__}")
    prof = redaction_profile(profile)
    if prof.is_identity:
        copy = case.model_copy(update={s: list(getattr(case, s)) for s in SECTIONS})
        return Redacted(copy, {r.id: r.id for r in case.records()}, prof)

    # 1. What is withheld: evidence, persons, then whatever rests only on withheld evidence.
    bad_evidence = {e.id for e in case.evidence if _evidence_withheld(e, prof)}

    def rests_on_withheld(record: Record) -> bool:
        return bool(record.evidence) and all(ev in bad_evidence for ev in record.evidence)

    gone: set[str] = set(bad_evidence)
    for person in case.persons:
        if person.status in prof.withhold_statuses or (
                prof.withhold_informants and _is_informant(person)):
            gone.add(person.id)
    for section in ("persons", "organizations", "warehouses", "products"):
        gone.update(r.id for r in getattr(case, section) if rests_on_withheld(r))
    for tx in case.transactions:
        if (rests_on_withheld(tx) or tx.source in gone or tx.target in gone
                or (tx.product is not None and tx.product in gone)):
            gone.add(tx.id)
    for rel in case.relationships:
        if rests_on_withheld(rel) or rel.source in gone or rel.target in gone:
            gone.add(rel.id)

    # 2. What is masked: register every value first, so that text anywhere is scrubbed of all.
    masker = _Masker(prof)
    hidden: list[str] = []
    index = case.record_index()
    for rid in gone:
        record = index[rid]
        for text in _names_of(record):
            masker.withhold(text)
            hidden.append(text)
        masker.withhold(rid, slug=False)  # its id, where kept text mentions it
    for person in case.persons:
        if person.id in gone:
            continue
        if prof.mask_national_ids and person.national_id:
            masker.hide("national id", person.national_id)
            hidden.append(person.national_id)
        if prof.mask_phones:
            for phone in person.phones:
                masker.hide("phone", phone)
                hidden.append(phone)
        if prof.initials:
            parts = [(v, _name_initials(v, part)) for k, v in _keyed_values(person.attributes)
                     if isinstance(v, str) and (part := _name_part(k)) is not None]
            for text, short in [*((t, initials(t)) for t in (person.name, *person.aliases)),
                                *parts]:
                if short != text.strip():
                    masker.withhold(text, short)
                    hidden.append(text)
    for record in case.records():
        if record.id in gone:
            continue
        address = getattr(record, "address", None)
        dropped: list[object] = []  # values dropped from their fields, withheld from text too
        if prof.mask_addresses and address:
            masker.hide("address", address)
            hidden.append(address)
            dropped += [getattr(record, "lat", None), getattr(record, "lon", None)]
        for key, value in _keyed_values(record.attributes):
            kind = _key_kind(key)
            if kind is not None and masker.enabled(kind) and value not in (None, ""):
                masker.hide(kind, _value_text(value))
                hidden.append(_value_text(value))
            elif _dropped_key(key, prof, masker):
                dropped.append(value)
        for value in dropped:
            # Six characters or more: a date or coordinates, not a bare year or number that
            # other text may hold for another reason.
            text = "" if value is None or isinstance(value, bool) else _value_text(value).strip()
            if len(text) >= 6:
                masker.withhold(text, slug=False)
                masker.withhold(_NAME_SPACE.sub("", text), slug=False)  # 19700501
                hidden.append(text)
    for rid in gone:  # a withheld record's numbers (in any spacing) and contact values
        record = index[rid]
        numbers: list[tuple[MaskKind, str | None]] = []
        if isinstance(record, Person):
            numbers += [("national id", record.national_id),
                        *(("phone", phone) for phone in record.phones)]
        address = getattr(record, "address", None)
        if isinstance(address, str):
            numbers.append(("address", address))
        for key, attribute in _keyed_values(record.attributes):  # an informant's WeChat id
            key_kind = _key_kind(key)
            if key_kind is not None and attribute not in (None, ""):
                numbers.append((key_kind, _value_text(attribute)))
        for number_kind, value in numbers:
            if not value:
                continue
            if number_kind in _NUMBER_KINDS and len(_number(number_kind, value)) >= 7:
                masker.phone_digits[_number(number_kind, value)] = WITHHELD
                masker.replace.pop(value.strip(), None)  # the digit runs find it
                masker._regex = None  # recompiled, with the lengths of known numbers
            else:
                masker.withhold(value, slug=False)
            hidden.append(value)

    # 3. New ids for records whose id gives a hidden value away.
    ids: dict[str, str] = {}
    counters: dict[str, int] = {}
    taken = set(index)
    for record in case.records():
        if record.id in gone:
            continue
        new = record.id
        if masker.hides_in_id(record.id):
            label = record_type(record).label.upper()
            while True:
                counters[label] = counters.get(label, 0) + 1
                new = f"{label}-R{counters[label]:03d}"
                if new not in taken:
                    break
            taken.add(new)
        ids[record.id] = new

    # 4. Rebuild every kept record.
    def rebuild(record: Record) -> Record:
        update: dict[str, Any] = {}
        for name in type(record).model_fields:
            value = getattr(record, name)
            if name in _ENUM_FIELDS or value is None:
                continue
            if name == "id":
                update[name] = ids[value]
            elif name == "evidence":
                update[name] = [ids[ev] for ev in value if ev in ids]
            elif name in ("source", "target", "product", "carrier"):
                update[name] = ids.get(value)
            elif name == "attributes":
                update[name] = _attributes(value, prof, masker,
                                           person=isinstance(record, Person))
            elif name == "notes":
                update[name] = None if prof.notes == "drop" else masker.scrub(value)
            elif name == "name" and isinstance(record, Person) and prof.initials:
                update[name] = initials(value)
            elif name == "aliases" and isinstance(record, Person) and prof.initials:
                update[name] = list(dict.fromkeys(initials(a) for a in value))
            elif name == "phones":
                update[name] = [masker.token("phone", v) if prof.mask_phones else masker.scrub(v)
                                for v in value]
            elif name == "national_id" and prof.mask_national_ids:
                update[name] = masker.token("national id", value)
            elif name == "address" and prof.mask_addresses:
                update[name] = masker.token("address", value)
            elif name in ("lat", "lon") and prof.mask_addresses:
                update[name] = None
            elif isinstance(value, str):
                update[name] = masker.scrub(value)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                update[name] = [masker.scrub(v) for v in value]
        if isinstance(record, Evidence) and record.product is not None and record.product in gone:
            update["product"], update["quantity"] = None, None
        changed = {k: v for k, v in update.items() if getattr(record, k) != v}
        return record.model_copy(update=changed) if changed else record

    sections = {
        t.section: [rebuild(r) for r in getattr(case, t.section) if r.id not in gone]
        for t in RECORD_TYPES
    }
    suffix = f"-{prof.name}"
    case_id = "case" if masker.hides_in_id(case.id) else case.id
    redacted = Case(
        id=case_id[: 200 - len(suffix)] + suffix,
        title=masker.scrub(case.title),
        description=None if case.description is None else masker.scrub(case.description),
        timezone=case.timezone, currency=case.currency,
        attributes=_attributes(case.attributes, prof, masker),
        **sections,
    )
    return Redacted(redacted, ids, prof, tuple(dict.fromkeys(hidden)))


_NAME_PART_WORDS = {
    **dict.fromkeys(("first", "given", "fore", "middle", "nick", "christian"), "given"),
    **dict.fromkeys(("last", "family", "sur", "maiden", "birth"), "family"),
    **dict.fromkeys(("full", "legal", "real", "english", "pinyin", "chinese", "latin"), "full"),
}
_NAME_PART_KEYS = {
    **{f"{w}name": part for w, part in _NAME_PART_WORDS.items()},
    "forename": "given", "surname": "family", "姓": "family", "姓氏": "family",
    "名": "given", "名字": "full", "姓名": "full", "曾用名": "full", "别名": "full",
    "绰号": "full", "小名": "full", "英文名": "full", "拼音": "full", "外号": "full",
}


@functools.lru_cache(maxsize=4096)
def _name_part(key: str) -> str | None:
    """Which part of a person's name an attribute key holds (``first_name``: ``"given"``,
    ``Surname``: ``"family"``, ``full_name``, 姓名: ``"full"``), or None."""
    stripped = key.strip()
    if stripped in _NAME_PART_KEYS:
        return _NAME_PART_KEYS[stripped]
    words = _key_words(key)
    if len(words) >= 2 and words[-1] == "name" and words[-2] in _NAME_PART_WORDS:
        return _NAME_PART_WORDS[words[-2]]
    return _NAME_PART_KEYS.get("".join(words[-1:])) if words else None


def _name_initials(value: str, part: str) -> str:
    """A name part as ``initials`` writes it: a Chinese family name kept (``周`` as in
    ``周某某``), a Chinese given name all ``某``, any other part reduced to initials."""
    text = value.strip()
    if _CJK.match(text) and part != "full":
        return text if part == "family" else "某" * len(text)
    return initials(text)


def _names_of(record: Record) -> list[str]:
    texts = [getattr(record, "name", None), *getattr(record, "aliases", [])]
    if isinstance(record, Person):
        texts += [record.national_id, *record.phones]
    return [t for t in texts if isinstance(t, str) and t.strip()]


_COORDINATE_KEYS = [[w] for w in ("lat", "lon", "lng", "latitude", "longitude", "coordinates",
                                   "coords", "gps", "geo", "geolocation")]


def _value_text(value: object) -> str:
    """An attribute value as text; a whole float without its ``.0`` (a number kept as float)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _dropped_key(key: str, profile: RedactionProfile, masker: _Masker) -> bool:
    """Whether the profile drops an attribute: a key it names, or coordinates (which give the
    address away) when it masks addresses."""
    return (key in profile.drop_attributes or _slug(key) in masker.dropped
            or (profile.mask_addresses and _key_words(key)[-1:] in _COORDINATE_KEYS))


def _json(value: str) -> Any:
    """A text that holds a JSON object or array, decoded (None for any other text)."""
    if value.lstrip()[:1] not in ("{", "["):
        return None
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, (dict, list)) else None


def _keyed_values(attributes: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """Every key and value of attributes, also those inside JSON kept as text
    (``{"phone": "0755 8888 1234"}``)."""
    for key, value in attributes.items():
        inner = _json(value) if isinstance(value, str) else None
        if inner is None:
            if not isinstance(value, (dict, list)):
                yield key, value
            inner = value
        if isinstance(inner, dict):
            yield from _keyed_values(inner)
        elif isinstance(inner, list):
            for item in inner:
                yield from _keyed_values(item if isinstance(item, dict) else {key: item})


def _json_value(value: Any, key: str, profile: RedactionProfile, masker: _Masker,
                person: bool) -> Any:
    """A value inside decoded JSON, redacted as an attribute under ``key`` would be."""
    if isinstance(value, dict):
        return _attributes(value, profile, masker, person=person)
    if isinstance(value, list):
        return [_json_value(item, key, profile, masker, person) for item in value]
    return _attributes({key: value}, profile, masker, person=person).get(key, None)


def _attributes(attributes: Mapping[str, Any], profile: RedactionProfile,
                masker: _Masker, *, person: bool = False) -> dict[str, Any]:
    """Attributes redacted: dropped keys left out, values of masked kinds as tokens, name parts
    reduced (on any record the given and family names, ``director_first_name``; on persons
    also their full names, ``full_name``, 姓名, which on an organisation name it), text
    scrubbed; JSON kept as text is decoded and redacted key by key (and written
    back without escapes, so that no name hides as ``\\u5468``)."""
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if _dropped_key(key, profile, masker):
            continue
        kind = _key_kind(key)
        new_key = masker.scrub(key)
        while new_key in out:  # two keys scrubbed into one: keep both
            new_key += "_"
        part = _name_part(key) if profile.initials and isinstance(value, str) else None
        if part == "full" and not person:
            part = None
        inner = _json(value) if isinstance(value, str) else value
        if isinstance(inner, (dict, list)):
            new = _json_value(inner, key, profile, masker, person)
            changed = new != inner or (isinstance(value, str) and "\\u" in value)
            out[new_key] = (json.dumps(new, ensure_ascii=False) if changed else value
                            ) if isinstance(value, str) else new
        elif part is not None:
            out[new_key] = _name_initials(value, part)
        elif kind is not None and masker.enabled(kind) and value not in (None, ""):
            out[new_key] = masker.token(kind, _value_text(value))
        elif isinstance(value, str):
            out[new_key] = masker.scrub(value)
        elif (isinstance(value, (int, float)) and not isinstance(value, bool)
              and masker.hides(_value_text(value))):
            out[new_key] = masker.scrub(_value_text(value))
        else:
            out[new_key] = value
    return out


G = TypeVar("G")


def redact(graph_or_case: G, profile: str | RedactionProfile | None = "internal") -> G:
    """A redacted copy of a case or case graph, for the audience a profile describes.

    Parameters
    ----------
    graph_or_case : Case or CaseGraph
        What to redact (left as it is).
    profile : {"internal", "prosecution", "public"} or RedactionProfile
        Who will see it: see :mod:`crimegraph.model.redact` for exactly what each built-in
        profile withholds and masks.

    Returns
    -------
    Case or CaseGraph
        A :class:`~crimegraph.Case` for a case; for a case graph, a new case graph of the
        redacted case in memory (whatever store the input was on).

    Raises
    ------
    InvalidArgument
        On an unknown profile name (the message lists the known ones).
    WrongArgumentType
        When given neither a case nor a case graph.

    Examples
    --------
    >>> import crimegraph as cg
    >>> g = cg.redact(cg.CaseGraph(cg.load_example("counterfeit_oil")), "prosecution")
    >>> g.case.id, "EV-TIP-01" in g
    ('counterfeit-oil-2024-prosecution', False)
    """
    if isinstance(graph_or_case, Case):
        result: Any = redact_case(graph_or_case, profile).case
        return result  # type: ignore[no-any-return]
    case = getattr(graph_or_case, "case", None)
    if isinstance(case, Case) and hasattr(graph_or_case, "store"):
        # A case graph (the store layer sits above the model: build it through its own type).
        make: Callable[[Case], Any] = type(graph_or_case)
        new = make(redact_case(case, profile).case)
        grade = getattr(graph_or_case, "grade", None)
        if grade is not None:
            new.grade = grade
        return new  # type: ignore[no-any-return]
    raise WrongArgumentType(
        f"redact needs a crimegraph.Case or CaseGraph, got {type(graph_or_case).__name__}")

"""Normalisers that turn what agencies write into comparable keys: names (Chinese characters,
pinyin in either order, initials, nicknames), phones, national ids, dates, addresses and
organization names.

Each function takes one value as an agency wrote it and returns a normal form, or None when
the value holds nothing comparable (a malformed id, an impossible phone): a bad value never
makes two records look alike.

Examples
--------
>>> from crimegraph.analysis.resolve.features import split_name, normalize_phone
>>> split_name("周建国") == split_name("Zhou Jianguo") == split_name("Jianguo ZHOU")
True
>>> split_name("ZHOU J.G.")
PersonName(surname='zhou', given=None, initials='jg')
>>> split_name("曾志伟").surname  # a surname is read as a surname, not as the word 曾 (ceng)
'zeng'
>>> normalize_phone("138-0013-8000"), normalize_phone("+86 138 0013 8000")
('+8613800138000', '+8613800138000')
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ._syllables import SYLLABLES

__all__ = [
    "Address",
    "PersonName",
    "birth_date_from_id",
    "normalize_date",
    "normalize_national_id",
    "normalize_phone",
    "organization_key",
    "parse_address",
    "romanize",
    "split_name",
]

# Surnames whose everyday reading differs from their reading as a surname (pypinyin reads the
# word), and two-character surnames. A surname is read from this table first.
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "查": "zha", "朴": "piao",
    "乐": "yue", "尉": "yu", "盖": "ge", "缪": "miao", "翟": "zhai", "覃": "qin", "秘": "bi",
    "种": "chong", "长": "chang", "柏": "bai", "车": "che", "重": "chong", "牟": "mu",
    "隗": "wei", "员": "yun", "宓": "mi", "能": "nai", "句": "gou", "繁": "po", "折": "she",
    "黑": "he", "藏": "zang", "沈": "shen", "石": "shi", "祭": "zhai", "华": "hua", "召": "shao",
    "纪": "ji", "费": "fei", "冼": "xian", "洗": "xian", "那": "na", "万": "wan", "薄": "bo",
    "阚": "kan", "蕃": "pi", "眭": "sui", "谌": "chen", "郇": "huan", "訾": "zi", "莘": "shen",
    "欧阳": "ouyang", "司马": "sima", "上官": "shangguan", "诸葛": "zhuge", "东方": "dongfang",
    "皇甫": "huangfu", "尉迟": "yuchi", "公孙": "gongsun", "令狐": "linghu", "慕容": "murong",
    "司徒": "situ", "夏侯": "xiahou", "长孙": "zhangsun", "宇文": "yuwen", "轩辕": "xuanyuan",
    "端木": "duanmu", "西门": "ximen", "南宫": "nangong", "独孤": "dugu", "万俟": "moqi",
    "澹台": "tantai", "单于": "chanyu", "呼延": "huyan", "闻人": "wenren", "申屠": "shentu",
}
_COMPOUND_SURNAMES = frozenset(k for k in SURNAME_READINGS if len(k) == 2)

# Common surnames in pinyin: decide which word of a romanised name is the family name.
SURNAMES_PINYIN: frozenset[str] = frozenset((
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun",
    "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song",
    "tang", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "yuan", "pan",
    "cai", "jiang", "yu", "du", "ye", "cheng", "su", "wei", "lv", "ding", "ren", "shen", "yao",
    "lu", "jin", "fu", "zhong", "cui", "tan", "liao", "fan", "wan", "qiu", "shi", "xiong",
    "meng", "qin", "bai", "jia", "yan", "xia", "hou", "lei", "long", "duan", "hao", "kong",
    "shao", "mao", "chang", "wen", "qian", "dai", "niu", "gu", "fang", "kang", "qi", "ou",
    "zha", "piao", "yue", "shan", "xue", "zou", "hong", "mo", "lan", "shu", "gong", "nie", "ni",
    "zhan", "bao", "geng", "mu", "xing", "an", "ji", "ling", "ai", "che", "rao", "ouyang",
    "sima", "shangguan", "zhuge", "dongfang", "huangfu", "yuchi", "gongsun", "linghu", "murong",
    "situ", "xiahou", "zhangsun",
))

# Familiar forms of address: 老周 (old Zhou), 小王 (young Wang), 阿强 (Ah Qiang).
_NICKNAME_PREFIXES = ("老", "小", "阿")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=65536)
def romanize(text: str) -> str:
    """Chinese characters in ``text`` as toneless pinyin syllables, each followed by a space;
    other letters lower-cased and kept (``"鑫源Oil"`` -> ``"xin yuan oil"``)."""
    from pypinyin import lazy_pinyin

    return " ".join(w for w in lazy_pinyin(text.lower(), errors="default") if w.strip()).strip()


@dataclass(frozen=True)
class PersonName:
    """A person's name split for comparison: family name, given name (syllables joined) and
    the initials of the given name, all lower-case Latin letters.

    ``given`` is None when only initials (``"J.G."``) or nothing (``"老周"``) was written.
    """

    surname: str | None
    given: str | None
    initials: str | None

    @property
    def key(self) -> str | None:
        """``"surname given"``: equal for the same name in any script and order."""
        if self.surname and self.given:
            return f"{self.surname} {self.given}"
        return None


def _split_syllables(word: str) -> list[str] | None:
    """``"jianguo"`` -> ``["jian", "guo"]``; None when the word is not pinyin."""
    # Longest match first, with backtracking (xian = xian, not xi + an, unless it must be).
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for start in range(n - 1, -1, -1):
        for end in range(min(n, start + 6), start, -1):
            piece = word[start:end]
            rest = best[end]
            if piece in SYLLABLES and rest is not None:
                best[start] = [piece, *rest]
                break
    return best[0]


def _han_name(name: str) -> PersonName:
    chars = "".join(ch for ch in name if _is_han(ch))
    if len(chars) == 2 and chars[0] in _NICKNAME_PREFIXES:
        surname = SURNAME_READINGS.get(chars[1]) or romanize(chars[1]).replace(" ", "")
        return PersonName(surname or None, None, None)
    cut = 2 if chars[:2] in _COMPOUND_SURNAMES and len(chars) > 2 else 1
    family, given_chars = chars[:cut], chars[cut:]
    surname = SURNAME_READINGS.get(family) or romanize(family).replace(" ", "")
    syllables = romanize(given_chars).split()
    if not syllables:
        return PersonName(surname or None, None, None)
    return PersonName(surname or None, "".join(syllables), "".join(s[0] for s in syllables))


_LATIN_TOKEN = re.compile(r"[^\W\d_]+(?:[.\-'][^\W\d_]+)*\.?", re.UNICODE)


def _ascii_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalpha()).lower()


def _latin_name(name: str) -> PersonName:
    if "," in name:  # "Zhou, Jianguo": family name first by convention
        family_part, _, given_part = name.partition(",")
        raw_tokens = _LATIN_TOKEN.findall(family_part) + _LATIN_TOKEN.findall(given_part)
        family_at: int | None = 0 if _LATIN_TOKEN.findall(family_part) else None
    else:
        raw_tokens = _LATIN_TOKEN.findall(name)
        family_at = None
    # A token of single letters with dots ("J.G.", "J.") holds initials only.
    initials_only = [bool(re.fullmatch(r"(?:[^\W\d_]\.?)+", t)) and ("." in t or len(t) == 1)
                     for t in raw_tokens]
    words = [_ascii_letters(t) for t in raw_tokens]
    words_at = [i for i, w in enumerate(words) if w and not initials_only[i]]
    if not words_at:
        return PersonName(None, None, None)
    if family_at is None:
        upper = [i for i in words_at if raw_tokens[i].isupper() and len(words[i]) > 1]
        mixed = [i for i in words_at if not raw_tokens[i].isupper()]
        if len(upper) == 1 and (mixed or any(initials_only)):
            family_at = upper[0]  # "Jianguo ZHOU", "ZHOU J.G.": capitals mark the family name
        elif len(words_at) == 1:
            family_at = words_at[0]
        else:
            first, last = words_at[0], words_at[-1]
            pinyin = all(_split_syllables(words[i]) is not None for i in words_at)
            if pinyin and words[first] in SURNAMES_PINYIN and (
                    words[last] not in SURNAMES_PINYIN or len(words_at) > 2
                    or words[first] in ("wang", "li", "zhang", "liu", "chen")):
                family_at = first
            elif pinyin and words[last] in SURNAMES_PINYIN:
                family_at = last
            else:
                family_at = last  # Western order: given names, then the family name
    surname = words[family_at]
    rest = [i for i in range(len(words)) if i != family_at and words[i]]
    given_words = [words[i] for i in rest if not initials_only[i]]
    initials = "".join(words[i] for i in rest if initials_only[i])
    if not given_words:
        return PersonName(surname, None, initials or None)
    given = "".join(given_words)
    syllables = _split_syllables(given)
    if syllables is not None and len(given_words) <= len(syllables):
        initials = "".join(s[0] for s in syllables)
    else:
        initials = "".join(w[0] for w in given_words)
    return PersonName(surname, given, initials)


@lru_cache(maxsize=65536)
def split_name(name: str) -> PersonName:
    """Family name, given name and initials of a person's name in Chinese or Latin script.

    Chinese names: the first character (or a two-character surname such as 欧阳) is the
    family name, read with its surname reading (曾 zeng, 单 shan, 解 xie...). A familiar form
    (老周, 小王) gives the family name alone. Latin names: "Family, Given", a family name in
    capitals ("Jianguo ZHOU"), pinyin with a common Chinese surname first ("Zhou Jianguo"),
    otherwise Western order ("John Smith"). Dotted initials ("J.G.") fill only the initials.
    """
    text = unicodedata.normalize("NFKC", name).strip()
    if any(_is_han(ch) for ch in text):
        return _han_name(text)
    return _latin_name(text)


# -- phones -----------------------------------------------------------------------------------
def normalize_phone(text: str, region: str = "CN") -> str | None:
    """A phone number in E.164 form (``+8613800138000``), or None when it cannot be a number.

    Separators, a ``00`` or ``+`` international prefix and a bare ``86`` country code are
    understood; numbers without a country code are read in ``region``.
    """
    return _normalize_phone(text, region)


_CN_MOBILE = re.compile(r"1[3-9]\d{9}")


@lru_cache(maxsize=262144)
def _normalize_phone(text: str, region: str) -> str | None:
    raw = unicodedata.normalize("NFKC", text).strip()
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    # Chinese mobile numbers (most of the data) without the parser: 11 digits from 13-19,
    # after an optional 86 country code.
    if region == "CN" or raw.startswith("+86") or digits.startswith("0086"):
        national = digits[4:] if digits.startswith("0086") else (
            digits[2:] if digits.startswith("86") and len(digits) == 13 else digits)
        if _CN_MOBILE.fullmatch(national) and (region == "CN" or national is not digits):
            return "+86" + national
    import phonenumbers

    if raw.startswith("+"):
        candidate = "+" + digits
    elif digits.startswith("00"):
        candidate = "+" + digits[2:]
    elif region == "CN" and digits.startswith("86") and len(digits) == 13:
        candidate = "+" + digits
    else:
        candidate = digits
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# -- national ids and dates -------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@lru_cache(maxsize=262144)
def normalize_national_id(text: str) -> str | None:
    """An 18-character Chinese resident id with a valid check character and birth date
    (upper-case ``X``), or None.

    >>> normalize_national_id("11010519491231002x")
    '11010519491231002X'
    >>> normalize_national_id("110105194912310021") is None  # wrong check character
    True
    """
    value = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text)).upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return None
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != value[17]:
        return None
    if birth_date_from_id(value) is None:
        return None
    return value


def birth_date_from_id(national_id: str) -> str | None:
    """The birth date (ISO) written in characters 7-14 of an 18-character id, if it is a
    date."""
    try:
        return dt.date(int(national_id[6:10]), int(national_id[10:12]),
                       int(national_id[12:14])).isoformat()
    except ValueError:
        return None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d.%m.%Y", "%Y年%m月%d日",
                 "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")


def normalize_date(value: object) -> str | None:
    """A date of birth in ISO form from a date or text (``1980-02-03``, ``1980/2/3``,
    ``1980年2月3日``, ``3.2.1980``, ``3 February 1980``), or None. Day/month orders that
    are ambiguous with slashes (``03/02/1980``) are not guessed."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    return _parse_date(value)


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@lru_cache(maxsize=65536)
def _parse_date(value: str) -> str | None:
    text = unicodedata.normalize("NFKC", value).strip()
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        try:
            return dt.date(*map(int, iso.groups())).isoformat()
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


# -- addresses --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Address:
    """An address split into parts (each None when not written), lower-case for Latin
    script."""

    province: str | None = None
    city: str | None = None
    district: str | None = None
    road: str | None = None
    number: str | None = None

    @property
    def street_key(self) -> str | None:
        """``"road number"``: equal for the same door whatever else was written."""
        if self.road and self.number:
            return f"{self.road} {self.number}"
        return None


_CN_ADDRESS = re.compile(
    r"^(?P<province>[^省]{2,7}?(?:省|自治区)|北京市|天津市|上海市|重庆市)?"
    r"(?P<city>[^市]{1,7}?市|[^州]{1,7}?州|[^盟]{1,5}?盟)?"
    r"(?P<district>[^区县]{1,7}?[区县]|[^旗]{1,5}?旗)?"
    r"(?P<road>.+?(?:路|街|道|巷|大道|村|镇|乡))?"
    r"(?P<number>[0-9０-９]+(?:-[0-9]+)?)?号?"
)
_STREET_WORDS = {
    "street": "st", "st": "st", "road": "rd", "rd": "rd", "avenue": "ave", "ave": "ave",
    "lane": "ln", "ln": "ln", "drive": "dr", "dr": "dr", "boulevard": "blvd", "place": "pl",
    "court": "ct", "strasse": "str", "straße": "str", "str": "str", "way": "way",
}


@lru_cache(maxsize=262144)
def parse_address(text: str) -> Address:
    """Province, city, district, road and door number of a Chinese or Western street address.

    >>> parse_address("河北省廊坊市安次区光明西道128号")
    Address(province='河北省', city='廊坊市', district='安次区', road='光明西道', number='128')
    >>> parse_address("12 High Street, Springfield").street_key
    'high st 12'
    """
    value = unicodedata.normalize("NFKC", text).strip()
    if any(_is_han(ch) for ch in value):
        found = _CN_ADDRESS.match(value)
        if found is None:  # pragma: no cover - every part is optional
            return Address()
        parts = {k: (v or None) for k, v in found.groupdict().items()}
        if parts["province"] in ("北京市", "天津市", "上海市", "重庆市") and not parts["city"]:
            parts["city"] = parts["province"]
        return Address(**parts)
    pieces = [p.strip() for p in value.split(",") if p.strip()]
    # "Flat 2, 12 High Street": the flat or unit is inside the door, not the door
    while len(pieces) > 1 and re.match(r"(?i)^(flat|apt|apartment|unit|suite|room)\b", pieces[0]):
        pieces = pieces[1:]
    if not pieces:
        return Address()
    first = pieces[0].lower()
    number_match = re.match(r"^(\d+[a-z]?)\s+(.*)$", first) or re.match(
        r"^(.*?)\s+(\d+[a-z]?)$", first)
    number: str | None = None
    road_text = first
    if number_match:
        a, b = number_match.groups()
        number, road_text = (a, b) if a[0].isdigit() else (b, a)
    road_words = [_STREET_WORDS.get(w, w) for w in re.findall(r"[^\W\d_]+", road_text)]
    road = " ".join(road_words) or None
    city_words: list[str] = []
    for piece in pieces[1:]:
        words = [w for w in re.findall(r"[^\W\d_]+", piece.lower())]
        if words:
            city_words = words
            break
    return Address(city=" ".join(city_words) or None, road=road, number=number)


# -- organizations ----------------------------------------------------------------------------
_CN_LEGAL_FORMS = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|分公司|总公司|公司|集团|商行|经营部|门市部|厂)$")
_CN_PLACE_PREFIX = re.compile(r"^(?:[^省]{2,3}省)?(?:[^市]{2,3}市)?(?:[^区县]{2,3}[区县])?")
_LATIN_LEGAL_WORDS = frozenset((
    "co", "ltd", "limited", "inc", "incorporated", "llc", "corp", "corporation", "company",
    "plc", "gmbh", "ag", "sa", "srl", "bv", "nv", "oy", "ab", "kg", "pty", "llp", "lp", "the",
))


def organization_key(name: str) -> str | None:
    """An organization's name without its legal form and place prefix, in lower-case pinyin
    or Latin letters: ``廊坊市鑫源润滑油有限公司`` and ``Xinyuan Runhuayou Co., Ltd.`` both give
    ``"xinyuanrunhuayou"``.

    >>> key = organization_key("廊坊市鑫源润滑油有限公司")
    >>> key == organization_key("Xinyuan Runhuayou Co., Ltd.")
    True
    """
    text = unicodedata.normalize("NFKC", name).strip()
    if any(_is_han(ch) for ch in text):
        core = re.sub(r"[（(].*?[)）]", "", text)
        while True:
            stripped = _CN_LEGAL_FORMS.sub("", core)
            if stripped == core:
                break
            core = stripped
        without_place = _CN_PLACE_PREFIX.sub("", core)
        if len(without_place) >= 2:
            core = without_place
        key = romanize(core).replace(" ", "")
    else:
        words = [w for w in re.findall(r"[^\W\d_]+|\d+", _ascii_fold(text.lower()))
                 if w not in _LATIN_LEGAL_WORDS]
        key = "".join(words)
    return key or None


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

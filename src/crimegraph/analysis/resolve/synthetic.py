"""A deterministic generator of multi-agency person records with known truth, to measure
entity resolution.

Each invented person is written down by one to four agencies, each in its own way: a police
file in Chinese characters with the national id, a bank statement in pinyin (either name order,
sometimes capitals), a waybill with initials and a shortened address, a platform export with a
phone in another format, a wiretap with a familiar form (老周) and a phone. Some records carry
typos. Households share a family name, an address and often a phone, and some people of the
same name and region are strangers: the hard negatives. About a fifth of the people have
Western names, dates of birth and street addresses.

The romanisations here come from the generator's own tables, not from the matcher's pinyin
library, so the test is not circular.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ...model import Case, Person

__all__ = ["PeopleRecords", "generate_people"]

# (characters, pinyin): surnames with the reading they have as surnames.
_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
    ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"), ("潘", "pan"),
    ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"),
    ("单", "shan"), ("解", "xie"), ("区", "ou"), ("仇", "qiu"), ("查", "zha"), ("朴", "piao"),
    ("乐", "yue"), ("欧阳", "ouyang"), ("司马", "sima"), ("魏", "wei"), ("吕", "lv"),
    ("丁", "ding"),
)
_SURNAME_WEIGHTS = np.array([8, 8, 7, 6, 5, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
                             1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                             1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=float)
_GIVEN = (
    ("建", "jian"), ("国", "guo"), ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"),
    ("静", "jing"), ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("英", "ying"),
    ("华", "hua"), ("文", "wen"), ("辉", "hui"), ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"),
    ("凯", "kai"), ("波", "bo"), ("斌", "bin"), ("峰", "feng"), ("林", "lin"), ("海", "hai"),
    ("鑫", "xin"), ("志", "zhi"), ("春", "chun"), ("兰", "lan"), ("玉", "yu"), ("红", "hong"),
    ("梅", "mei"), ("琳", "lin"), ("晨", "chen"), ("欣", "xin"), ("颖", "ying"), ("博", "bo"),
    ("帅", "shuai"), ("亮", "liang"), ("成", "cheng"), ("东", "dong"), ("新", "xin"), ("立", "li"),
    ("荣", "rong"), ("庆", "qing"), ("德", "de"), ("福", "fu"), ("永", "yong"), ("泽", "ze"),
)
_PLACES = (
    ("河北省", "廊坊市", ("安次区", "广阳区"), "130200"),
    ("河北省", "保定市", ("竞秀区", "莲池区"), "130600"),
    ("山东省", "临沂市", ("兰山区", "罗庄区"), "371300"),
    ("河南省", "郑州市", ("金水区", "二七区"), "410100"),
    ("广东省", "广州市", ("白云区", "天河区"), "440100"),
    ("江苏省", "徐州市", ("鼓楼区", "云龙区"), "320300"),
)
_ROADS = ("光明西道", "建设路", "人民路", "解放大街", "和平路", "新华街", "胜利路", "文化巷",
          "永兴路", "朝阳大道", "振兴街", "团结路")
_WEST_GIVEN = ("John", "Mary", "James", "Anna", "Peter", "Laura", "Michael", "Sarah", "David",
               "Emma", "Thomas", "Julia", "Daniel", "Clara", "Robert", "Sophie", "Martin", "Lucy")
_WEST_SURNAMES = ("Smith", "Miller", "Brown", "Wilson", "Taylor", "Clarke", "Walker", "Wright",
                  "Hughes", "Turner", "Baker", "Fischer", "Weber", "Becker", "Hoffmann", "Novak",
                  "Kowalski", "Dubois", "Moreau", "Rossi")
_WEST_STREETS = ("High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road",
                 "King Street", "Queen Street", "Victoria Road", "Bridge Street", "Market Place")
_WEST_CITIES = ("Springfield", "Riverton", "Lakeside", "Fairview", "Oakham")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class _Human:
    key: int
    western: bool
    surname: tuple[str, str]  # (written, romanised) ; Western: (name, name)
    given: tuple[tuple[str, str], ...]
    birth: dt.date
    national_id: str | None
    phones: tuple[str, ...]  # eleven digits (China) or E.164 (Western)
    place: int
    district: str
    road: str
    number: int


@dataclass(frozen=True)
class PeopleRecords:
    """Generated records and who is who.

    Attributes
    ----------
    persons : list of Person
        The records, ids ``R000001``...
    truth : dict of str to int
        The invented person behind each record id.
    """

    persons: list[Person]
    truth: dict[str, int]

    def case(self, case_id: str = "people") -> Case:
        """The records as a case (persons only)."""
        return Case(id=case_id, title="Generated multi-agency records", persons=self.persons)

    def true_pairs(self) -> int:
        """How many pairs of records are one person."""
        sizes = np.bincount(np.fromiter(self.truth.values(), dtype=np.int64))
        return int((sizes * (sizes - 1) // 2).sum())


def _national_id(region: str, birth: dt.date, serial: int) -> str:
    body = f"{region}{birth:%Y%m%d}{serial:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS))
    return body + _ID_CHECK[total % 11]


def _typo(text: str, rng: np.random.Generator) -> str:
    """One keyboard slip: a letter dropped, doubled or two swapped (never the first)."""
    if len(text) < 4:
        return text
    pos = int(rng.integers(1, len(text) - 1))
    kind = int(rng.integers(3))
    if kind == 0:
        return text[:pos] + text[pos + 1:]
    if kind == 1:
        return text[:pos] + text[pos] + text[pos:]
    return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]


def _phone_formats(digits: str, rng: np.random.Generator) -> str:
    if digits.startswith("+"):
        return digits if rng.random() < 0.5 else "00" + digits[1:]
    style = int(rng.integers(4))
    if style == 0:
        return digits
    if style == 1:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == 2:
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    return f"0086{digits}"


class _Maker:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.serial = 0
        self.phone_no = 0

    def phone(self, western: bool) -> str:
        self.phone_no += 1
        if western:
            return f"+4477009{self.phone_no:05d}"
        prefix = (138, 139, 150, 151, 186, 187, 136, 177)[int(self.rng.integers(8))]
        return f"{prefix}{self.phone_no:08d}"

    def human(self, key: int, *, western: bool, surname: tuple[str, str] | None = None,
              place: int | None = None, district: str | None = None, road: str | None = None,
              number: int | None = None, phones: tuple[str, ...] | None = None,
              birth: dt.date | None = None) -> _Human:
        rng = self.rng
        if surname is None:
            if western:
                w = _WEST_SURNAMES[int(rng.integers(len(_WEST_SURNAMES)))]
                surname = (w, w.lower())
            else:
                pick = rng.choice(len(_SURNAMES), p=_SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum())
                surname = _SURNAMES[int(pick)]
        if western:
            g = _WEST_GIVEN[int(rng.integers(len(_WEST_GIVEN)))]
            given: tuple[tuple[str, str], ...] = ((g, g.lower()),)
        else:
            count = 1 if rng.random() < 0.25 else 2
            given = tuple(_GIVEN[int(i)] for i in rng.choice(len(_GIVEN), count, replace=False))
        if birth is None:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 55)))
        place = int(rng.integers(len(_PLACES))) if place is None else place
        if district is None:
            district = _PLACES[place][2][int(rng.integers(2))]
        road = (_WEST_STREETS if western else _ROADS)[int(rng.integers(10))] \
            if road is None else road
        number = int(rng.integers(1, 400)) if number is None else number
        self.serial += 1
        national_id = None if western else _national_id(
            _PLACES[place][3], birth, self.serial % 1000)
        if phones is None:
            phones = tuple(self.phone(western) for _ in range(1 if rng.random() < 0.8 else 2))
        return _Human(key, western, surname, given, birth, national_id, phones, place,
                      district, road, number)


def _records_of(h: _Human, rng: np.random.Generator, count: int) -> list[dict[str, object]]:
    """``count`` records of one person, each from a different agency's point of view."""
    province, city, _, _ = _PLACES[h.place]
    given_cn = "".join(c for c, _ in h.given)
    given_py = "".join(p for _, p in h.given)
    out: list[dict[str, object]] = []
    agencies = ["police", "bank", "waybill", "platform", "wiretap"]
    chosen = ["police"] + [str(a) for a in rng.choice(agencies[1:], count - 1, replace=False)]
    for agency in chosen:
        rec: dict[str, object] = {"attributes": {}, "aliases": []}
        attrs: dict[str, object] = {}
        if h.western:
            full = f"{h.given[0][0]} {h.surname[0]}"
            street = f"{h.number} {h.road}, {_WEST_CITIES[h.place % 5]}"
            if agency == "police":
                rec["name"] = full
                attrs["birth_date"] = h.birth.isoformat()
                attrs["address"] = street
            elif agency == "bank":
                rec["name"] = f"{h.surname[0].upper()}, {h.given[0][0]}"
                attrs["birth_date"] = h.birth.strftime("%d.%m.%Y")
            elif agency == "waybill":
                rec["name"] = f"{h.given[0][0][0]}. {h.surname[0]}"
                attrs["address"] = street.replace("Street", "St").replace("Road", "Rd")
            elif agency == "platform":
                rec["name"] = full if rng.random() < 0.7 else f"{h.surname[0]} {h.given[0][0]}"
                attrs["birth_date"] = h.birth.strftime("%d %B %Y")
            else:
                rec["name"] = full
            if agency != "police" and rng.random() < 0.08:
                rec["name"] = _typo(str(rec["name"]), rng)
        else:
            cn = h.surname[0] + given_cn
            py_family = h.surname[1].capitalize()
            py_given = given_py.capitalize()
            if agency == "police":
                rec["name"] = cn
                rec["national_id"] = h.national_id
                attrs["address"] = f"{province}{city}{h.district}{h.road}{h.number}号"
            elif agency == "bank":
                style = int(rng.integers(3))
                rec["name"] = (f"{py_family} {py_given}", f"{py_given} {h.surname[1].upper()}",
                               f"{h.surname[1].upper()} {given_py.upper()}")[style]
                if rng.random() < 0.08:
                    rec["name"] = f"{py_family} {_typo(py_given, rng)}"
                nid = h.national_id or ""
                if rng.random() < 0.05:  # a mistyped digit: the check character catches it
                    nid = nid[:9] + str((int(nid[9]) + 1) % 10) + nid[10:]
                rec["national_id"] = nid
            elif agency == "waybill":
                initials = ".".join(p[0].upper() for _, p in h.given) + "."
                rec["name"] = f"{h.surname[1].upper()} {initials}" if rng.random() < 0.5 \
                    else cn
                attrs["address"] = f"{city}{h.road}{h.number}号"
            elif agency == "platform":
                rec["name"] = cn
                attrs["birth_date"] = (h.birth if rng.random() > 0.05 else
                                       h.birth.replace(day=min(28, h.birth.day % 28 + 1))
                                       ).isoformat()
                attrs["address"] = f"{city}{h.district}{h.road}{h.number}号"
            else:
                # a transcript names the speaker, or only calls him 老周 (old Zhou)
                rec["name"] = "老" + h.surname[0] if len(h.surname[0]) == 1 and \
                    rng.random() < 0.3 else cn
        phones = list(h.phones)
        if agency in ("wiretap", "waybill", "platform", "bank") or rng.random() < 0.8:
            rec["phones"] = [_phone_formats(phones[int(rng.integers(len(phones)))], rng)]
        rec["attributes"] = attrs
        rec["agency"] = agency
        out.append(rec)
    return out


def generate_people(n_records: int, *, seed: int = 0) -> PeopleRecords:
    """About ``n_records`` records of invented people (exactly ``n_records``), with truth.

    Parameters
    ----------
    n_records : int
        How many person records to make.
    seed : int
        The same seed gives the same records.

    Examples
    --------
    >>> from crimegraph.analysis.resolve.synthetic import generate_people
    >>> made = generate_people(200, seed=1)
    >>> len(made.persons), len(set(made.truth.values())) < 200
    (200, True)
    """
    rng = np.random.default_rng(seed)
    maker = _Maker(rng)
    rows: list[tuple[dict[str, object], int]] = []
    key = 0
    while len(rows) < n_records:
        western = rng.random() < 0.2
        head = maker.human(key, western=western)
        household = [head]
        size = int(rng.choice([1, 2, 3, 4], p=[0.45, 0.25, 0.2, 0.1]))
        shared_phone = rng.random() < 0.5
        for _ in range(size - 1):
            key += 1
            member = maker.human(
                key, western=western, surname=head.surname, place=head.place,
                district=head.district, road=head.road, number=head.number,
                phones=head.phones if shared_phone else None)
            if any(member.given == h.given for h in household):
                continue  # parents do not give two children one name
            household.append(member)
        if rng.random() < 0.1:  # a stranger of the same name in the same city: no relative
            key += 1
            household.append(maker.human(key, western=western, surname=head.surname,
                                         place=head.place))
            object.__setattr__(household[-1], "given", head.given)
        for h in household:
            count = int(rng.choice([1, 2, 3, 4], p=[0.3, 0.35, 0.25, 0.1]))
            for rec in _records_of(h, rng, count):
                rows.append((rec, h.key))
        key += 1
    rows = rows[:n_records]
    order = rng.permutation(len(rows))
    persons: list[Person] = []
    truth: dict[str, int] = {}
    for pos, index in enumerate(order):
        rec, who = rows[int(index)]
        rid = f"R{pos + 1:06d}"
        persons.append(Person(
            id=rid, name=rec["name"], aliases=rec.get("aliases") or [],
            national_id=rec.get("national_id") or None, phones=rec.get("phones") or [],
            attributes=rec["attributes"], notes=f"from the {rec['agency']} export",
        ))
        truth[rid] = who
    return PeopleRecords(persons, truth)

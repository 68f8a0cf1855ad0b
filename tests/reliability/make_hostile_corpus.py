"""Write a corpus of hostile case files: every way a case file can be wrong, and some odd
files that are right.

Usage::

    python tests/reliability/make_hostile_corpus.py DIRECTORY

The files are deterministic and synthetic (invented people and places). Each file's name says
what is odd about it. ``tests/reliability/test_hostile_files.py`` reads every file and checks
that each is either rejected by name or read back unchanged after a write.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["base_case", "corpus", "write_corpus"]

Data = dict[str, Any]


def base_case() -> Data:
    """A small valid case that the hostile variants start from."""
    return {
        "id": "hostile-base",
        "title": "Synthetic ring 合成案例",
        "timezone": "Asia/Shanghai",
        "attributes": {"source": "synthetic", "version": 2, "score": 0.5, "checked": True},
        "persons": [
            {"id": "P-01", "name": "Zhou Test", "role": "leader", "status": "suspect",
             "phones": ["100-0000-0001"], "attributes": {"gang": "G-1"}},
            {"id": "P-02", "name": "李测试", "status": "arrested", "aliases": ["Ah Li"]},
        ],
        "organizations": [{"id": "O-01", "name": "Test Shop", "kind": "shop"}],
        "warehouses": [{"id": "W-01", "name": "Test den", "uses": ["production"],
                        "lat": 39.5, "lon": 116.7}],
        "products": [{"id": "PR-01", "name": "Fake oil", "unit": "barrel",
                      "unit_price": 80.0, "counterfeit": True}],
        "evidence": [{"id": "EV-01", "name": "Seizure", "kind": "seizure", "date": "2024-03-05",
                      "quantity": 12, "amount": 960.0, "product": "PR-01",
                      "reliability": "B", "credibility": 2}],
        "transactions": [
            {"id": "T-01", "kind": "shipment", "source": "W-01", "target": "O-01",
             "timestamp": "2024-03-01T08:00:00", "product": "PR-01", "quantity": 40,
             "amount": 3200.0, "evidence": ["EV-01"]},
            {"id": "T-02", "kind": "payment", "source": "O-01", "target": "P-01",
             "timestamp": "2024-03-02", "amount": 3200},
        ],
        "relationships": [
            {"id": "R-01", "kind": "leads", "source": "P-01", "target": "P-02",
             "since": "2023-01-01", "until": "2024-06-01", "weight": 3},
        ],
    }


# Where each numeric and time field lives in the base case: (section, index, field).
NUMBER_PLACES = [
    ("transactions", 0, "quantity"), ("transactions", 0, "amount"),
    ("transactions", 1, "amount"), ("relationships", 0, "weight"),
    ("warehouses", 0, "lat"), ("warehouses", 0, "lon"), ("products", 0, "unit_price"),
    ("evidence", 0, "amount"), ("evidence", 0, "quantity"), ("evidence", 0, "credibility"),
]
TIME_PLACES = [
    ("transactions", 0, "timestamp"), ("relationships", 0, "since"),
    ("relationships", 0, "until"), ("evidence", 0, "date"),
]
MARK = "@@HOSTILE@@"


def _with(section: str, index: int, field: str, value: Any) -> Data:
    data = base_case()
    data[section][index][field] = value
    return data


def _text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _raw(section: str, index: int, field: str, token: str) -> str:
    """Case text with a raw JSON token (NaN, 1e400...) as the value of one field."""
    return _text(_with(section, index, field, MARK)).replace(f'"{MARK}"', token)


def corpus() -> Iterator[tuple[str, bytes]]:
    """Every hostile file as (file name, bytes)."""
    def utf8(text: str) -> bytes:
        return text.encode("utf-8")

    base = _text(base_case())
    yield "ok_base.json", utf8(base)
    yield "ok_bom.json", b"\xef\xbb\xbf" + utf8(base)
    yield "ok_crlf.json", utf8(base.replace("\n", "\r\n"))
    yield "ok_compact.json", utf8(json.dumps(base_case(), separators=(",", ":")))
    yield "ok_ascii_escaped.json", utf8(json.dumps(base_case()))
    ok = base_case()
    ok["transactions"][0]["timestamp"] = "1900-01-01T00:00:00"
    ok["transactions"][1]["timestamp"] = "2199-12-31T23:59:59-12:00"
    ok["evidence"][0]["date"] = "2199-12-31"
    yield "ok_time_range_edges.json", utf8(_text(ok))
    ok = base_case()
    ok["persons"][0]["name"] = "Zhou " + "长" * 1_000_000
    yield "ok_huge_name.json", utf8(_text(ok))
    ok = base_case()
    ok["persons"][1]["name"] = "Émile 🐉 ﷽ a\u0301 \u0000 nul"
    ok["persons"][1]["id"] = "Ｐ-０２"  # full-width letters are visible
    ok["relationships"][0]["target"] = "Ｐ-０２"
    yield "ok_unicode_names.json", utf8(_text(ok))
    ok = base_case()
    ok["attributes"] = {"max": 2**63 - 1, "min": -(2**63), "tiny": 5e-324, "big": 1.7e308}
    yield "ok_attribute_extremes.json", utf8(_text(ok))
    ok = base_case()
    ok["persons"] += [{"id": f"P-X{i:05d}", "name": f"Person {i}"} for i in range(5000)]
    yield "ok_many_records.json", utf8(_text(ok))
    yield "ok_empty_case.json", b"{}"

    # NaN and infinities, as JSON tokens and as numbers too large for a float.
    for section, index, field in NUMBER_PLACES:
        for token, label in (("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "neginf"),
                             ("1e400", "1e400")):
            yield f"nonfinite_{label}_{section}{index}_{field}.json", utf8(_raw(section, index, field,
                                                                        token))
    yield "nonfinite_attribute_nan.json", utf8(_raw("persons", 0, "attributes", '{"x": NaN}'))
    yield "nonfinite_case_attribute_inf.json", utf8(
        _text(base_case()).replace('"score": 0.5', '"score": Infinity'))
    yield "huge_int_quantity.json", utf8(_raw("transactions", 0, "quantity", "1" + "0" * 400))
    yield "huge_int_attribute.json", utf8(_raw("persons", 0, "attributes",
                                               '{"x": 1' + "0" * 400 + "}"))
    yield "int_64bit_overflow_attribute.json", utf8(_raw("persons", 0, "attributes",
                                                          '{"x": 9223372036854775808}'))
    yield "int_5000_digits.json", utf8(_raw("transactions", 0, "quantity", "9" * 5000))
    yield "int_5000_digits_in_notes.json", utf8(_raw("persons", 0, "notes", "7" * 5000))

    # Booleans and text where numbers belong.
    for section, index, field in NUMBER_PLACES:
        yield f"bool_{section}{index}_{field}.json", utf8(_text(_with(section, index, field, True)))
    yield "text_quantity.json", utf8(_text(_with("transactions", 0, "quantity", "40")))
    yield "text_amount_words.json", utf8(_text(_with("transactions", 1, "amount", "a lot")))

    # Times outside 1900-01-01 .. 2199-12-31.
    for section, index, field in TIME_PLACES:
        for value, label in (("0001-01-01T00:00:00", "year1"),
                             ("9999-12-31T23:59:59-12:00", "year9999"),
                             ("1899-12-31", "1899"), ("2200-01-01", "2200")):
            if field == "date":
                value = value[:10]
            yield f"time_{label}_{section}_{field}.json", utf8(_text(_with(section, index, field,
                                                                           value)))
    yield "time_garbage.json", utf8(_text(_with("transactions", 0, "timestamp", "yesterday")))
    yield "time_number.json", utf8(_text(_with("transactions", 0, "timestamp", 1e30)))
    yield "time_until_before_since.json", utf8(_text(_with("relationships", 0, "until",
                                                           "2022-01-01")))

    # Duplicate keys.
    yield "dup_top_persons.json", utf8(base[:-1].rstrip() + ',\n  "persons": []\n}')
    yield "dup_top_id.json", utf8(base.replace('"id": "hostile-base",',
                                               '"id": "hostile-base",\n  "id": "other",'))
    yield "dup_quantity.json", utf8(base.replace('"quantity": 40,', '"quantity": 40,\n'
                                                 '      "quantity": 4000,'))
    yield "dup_record_id.json", utf8(base.replace('"id": "P-02",', '"id": "P-02", "id": "P-03",'))
    yield "dup_attribute_key.json", utf8(base.replace('"gang": "G-1"', '"gang": "G-1", "gang": "G-2"'))
    yield "dup_in_evidence.json", utf8(base.replace('"reliability": "B",',
                                                    '"reliability": "B", "reliability": "F",'))

    # Deep nesting.
    yield "deep_array_100000.json", b"[" * 100_000 + b"]" * 100_000
    yield "deep_object_50000.json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    yield "deep_in_attributes_5000.json", utf8(_raw("persons", 0, "attributes",
                                                    '{"x": ' + "[" * 5000 + "]" * 5000 + "}"))
    yield "deep_in_attributes_500.json", utf8(_raw("persons", 0, "attributes",
                                                   '{"x": ' + "[" * 500 + "]" * 500 + "}"))
    yield "deep_in_notes_800.json", utf8(_raw("persons", 0, "notes",
                                              '{"a":' * 800 + "1" + "}" * 800))
    yield "deep_persons_list.json", utf8(_text(base_case()).replace(
        '"persons": [', '"persons": [' + "[" * 900 + "]" * 900 + ","))

    # Not JSON at all, or not a case.
    for cut in (1, 10, 100, 500, len(base) // 2, len(base) - 2):
        yield f"truncated_at_{cut}.json", utf8(base[:cut])
    yield "empty.json", b""
    yield "whitespace_only.json", b"   \n\t  \n"
    yield "bom_only.json", b"\xef\xbb\xbf"
    for value, label in (([], "list"), (42, "number"), ("case", "string"), (None, "null"),
                         (True, "true"), ([base_case()], "list_of_case")):
        yield f"top_level_{label}.json", utf8(json.dumps(value))
    rng = random.Random(20240301)
    for i in range(3):
        yield f"binary_garbage_{i}.bin", bytes(rng.randrange(256) for _ in range(4096))
    yield "nul_bytes.json", b"\x00" * 64
    yield "gb18030.json", _text(base_case()).encode("gb18030")
    yield "utf16_bom.json", _text(base_case()).encode("utf-16")
    yield "latin1.json", '{"id": "c", "title": "Caf\xe9"}'.encode("latin-1")
    yield "json_comments.json", utf8("// a case\n" + base)
    yield "trailing_comma.json", utf8(base.replace('"unit": "barrel",', '"unit": "barrel",,'))
    yield "single_quotes.json", utf8("{'id': 'c'}")
    yield "two_documents.json", utf8(base + "\n" + base)
    yield "lone_surrogate_escape_in_id.json", utf8(_raw("persons", 1, "id", '"P-\\ud800"'))
    yield "lone_surrogate_escape_in_name.json", utf8(_raw("persons", 1, "name", '"Li \\udfff"'))

    # Unicode oddities in ids and refs.
    for char, label in (("\u200b", "zwsp"), ("\u200d", "zwj"), ("\u202e", "rtl_override"),
                        ("\ufeff", "bom"), ("\u0007", "bell"), ("\ue000", "private_use"),
                        ("\u2028", "line_sep"), ("\u00ad", "soft_hyphen")):
        yield f"invisible_{label}_in_id.json", utf8(_text(_with("persons", 1, "id",
                                                                f"P-0{char}2")))
        yield f"invisible_{label}_in_ref.json", utf8(_text(_with("transactions", 1, "target",
                                                                 f"P-0{char}1")))
    yield "id_edge_space.json", utf8(_text(_with("persons", 0, "id", " P-01")))
    yield "id_too_long.json", utf8(_text(_with("persons", 0, "id", "P" * 1_000_000)))

    # Wrong types and shapes.
    for field, value in (("persons", {"id": "P-01"}), ("persons", "P-01"), ("persons", 7),
                         ("transactions", [["T-01"]]), ("timezone", "Mars/Olympus"),
                         ("currency", "yuan"), ("attributes", [1, 2]), ("title", {"a": 1}),
                         ("unknown_section", [])):
        data = base_case()
        data[field] = value
        yield f"wrong_top_{field}_{type(value).__name__}.json", utf8(_text(data))
    for section, index, field, value in (
        ("persons", 0, "id", 17), ("persons", 0, "name", None), ("persons", 0, "name", "   "),
        ("persons", 0, "name", ""), ("persons", 0, "status", "dead"),
        ("persons", 0, "phones", "100"), ("persons", 0, "evidence", "EV-01"),
        ("persons", 0, "attributes", {"x": [1]}), ("persons", 0, "nickname", "Boss"),
        ("transactions", 0, "kind", 1), ("transactions", 0, "kind", "gift"),
        ("transactions", 0, "quantity", {"n": 1}), ("transactions", 0, "target", "W-01"),
        ("transactions", 1, "target", "O-01"), ("transactions", 0, "source", "NOBODY"),
        ("transactions", 0, "product", "P-01"), ("transactions", 0, "quantity", -1),
        ("transactions", 1, "amount", 0), ("warehouses", 0, "lat", 91),
        ("warehouses", 0, "uses", ["smuggling"]), ("evidence", 0, "credibility", 9),
        ("relationships", 0, "kind", "adores"), ("products", 0, "unit_price", -1),
        ("evidence", 0, "currency", "cny"),
    ):
        label = f"{section}_{field}_{type(value).__name__}_{str(value)[:8]}"
        safe = "".join(c if c.isalnum() else "_" for c in label)
        yield f"wrong_{safe}.json", utf8(_text(_with(section, index, field, value)))
    data = base_case()
    del data["transactions"][0]["timestamp"]
    yield "missing_timestamp.json", utf8(_text(data))
    data = base_case()
    data["persons"][1]["id"] = "W-01"
    yield "duplicate_record_id.json", utf8(_text(data))
    data = base_case()
    data["transactions"] += [
        {"id": f"T-BAD-{i:05d}", "kind": "payment", "source": f"GHOST-{i}", "target": "P-01",
         "timestamp": "2024-03-02", "amount": 1} for i in range(3000)]
    yield "many_bad_records.json", utf8(_text(data))


def write_corpus(directory: Path) -> list[Path]:
    """Write every hostile file into ``directory``; the paths, in a stable order."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    seen: set[str] = set()
    for name, content in corpus():
        assert name not in seen, name
        seen.add(name)
        path = directory / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def _main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    paths = write_corpus(Path(argv[0]))
    print(f"wrote {len(paths)} hostile case files to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

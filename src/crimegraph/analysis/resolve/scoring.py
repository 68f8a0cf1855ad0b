"""The match model: blocking rules and Fellegi-Sunter comparisons scored by Splink (DuckDB).

Blocking decides which pairs are compared at all (records sharing a national id, a phone, a
name key, a surname prefix and birth date...), so the work grows with the number of candidate
pairs, not with the square of the records. Each compared pair gets one level per comparison
(name, birth date, national id, phones, address) and Splink turns the levels into a match
weight and a probability.

The m probabilities of every level (how often a true match lands on it) are set here from
what is known of agency records, not learnt from each case: a case of forty people is too small
to learn from, and the same data must give the same answer. The u probabilities (how often two
unrelated records land on a level) start from built-in values and, with ``train=True`` and at
least :data:`TRAIN_AT` records, are estimated from seeded random pairs of the case, so that
agreement counts for less where it is common (many Wangs, a phone shared by a household). The
prior (how likely two random records are one actor) is estimated from the case with
deterministic rules.

Relatives share phones and addresses: a phone that records of two given names carry weighs
less than one a single person uses, phone and address are one comparison (a household's phone
and door are not two independent agreements), and a shared phone alone never makes a match
certain.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_PRIOR", "ORGANIZATION_MODEL", "PERSON_MODEL", "TRAIN_AT", "MatchModel", "score_pairs",
]

MAX_PRIOR = 0.01
"""The highest prior used: one pair in a hundred is one actor."""

TRAIN_AT = 1000
"""Fewest records from which u probabilities are learnt from random pairs of the case."""


def _level(label: str, sql: str, m: float, u: float, *, fix_u: bool = False,
           frequency: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {
        "sql_condition": sql, "label_for_charts": label,
        "m_probability": m, "u_probability": u,
    }
    if frequency is not None:  # a common value ("Wang Wei") says less than a rare one
        level["tf_adjustment_column"] = frequency
        level["tf_adjustment_weight"] = 1.0
    if fix_u:
        level["fix_u_probability"] = True
    return level


def _null(*columns: str) -> dict[str, Any]:
    sql = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in columns)
    return {"sql_condition": sql, "label_for_charts": "not known on both sides",
            "is_null_level": True}


def _null_all(*columns: str) -> dict[str, Any]:
    """The null level of a comparison of several columns: none of them known on both sides."""
    sql = " AND ".join(f'("{c}_l" IS NULL OR "{c}_r" IS NULL)' for c in columns)
    return {"sql_condition": sql, "label_for_charts": "not known on both sides",
            "is_null_level": True}


def _comparison(name: str, description: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {"output_column_name": name, "comparison_description": description,
            "comparison_levels": levels}


_JW = "jaro_winkler_similarity"

PERSON_COMPARISONS: list[dict[str, Any]] = [
    _comparison("name", "family and given name (any script, either order, aliases)", [
        _null("surname"),
        _level("same name", "name_key_l = name_key_r", 0.70, 0.0005),
        _level("same name (an alias, or the other order)",
               "list_has_any(alias_keys_l, alias_keys_r)"
               " OR (surname_l = given_r AND given_l = surname_r)", 0.10, 0.0005),
        # One slip of the keyboard, in a name long enough to tell: jianguo ~ jiangou, but
        # not jianguo ~ jianhua (two people of one family).
        _level("same family name, given name one typo apart",
               "surname_l = surname_r AND length(given_l) >= 4 AND "
               "damerau_levenshtein(given_l, given_r) <= 1", 0.10, 0.0005),
        _level("family name one typo apart, same given name",
               "length(surname_l) >= 4 AND damerau_levenshtein(surname_l, surname_r) <= 1 "
               "AND given_l = given_r", 0.04, 0.0002),
        _level("same family name and initials",
               "surname_l = surname_r AND initials_l = initials_r "
               "AND (given_l IS NULL OR given_r IS NULL)", 0.03, 0.002),
        _level("same family name, different initials",
               "surname_l = surname_r AND initials_l <> initials_r", 0.001, 0.02),
        _level("same family name, given name not written",
               "surname_l = surname_r AND (given_l IS NULL OR given_r IS NULL)", 0.05, 0.003),
        _level("same family name, different given name", "surname_l = surname_r",
               0.0005, 0.05),
        _level("different names", "ELSE", 0.0005, 0.93),
    ]),
    _comparison("birth_date", "date of birth", [
        _null("birth_date"),
        _level("same date of birth", "birth_date_l = birth_date_r", 0.90, 0.0001),
        _level("date of birth one character apart",
               "damerau_levenshtein(birth_date_l, birth_date_r) <= 1", 0.09, 0.002),
        _level("different dates of birth", "ELSE", 0.01, 0.9979),
    ]),
    _comparison("national_id", "national id number", [
        _null("national_id"),
        _level("same national id", "national_id_l = national_id_r", 0.98, 0.000001),
        _level("different national ids", "ELSE", 0.02, 0.999999),
    ]),
    # Phones and addresses in one comparison: a household shares both, so counting them as
    # two independent agreements would count the same household twice.
    _comparison("contact", "phones and address", [
        _null_all("phones", "street_key", "road", "city"),
        _level("a phone only this person uses, and the same street address",
               "list_has_any(own_phones_l, own_phones_r) AND street_key_l = street_key_r",
               0.25, 0.00001),
        _level("a phone only this person uses",
               "list_has_any(own_phones_l, own_phones_r)", 0.30, 0.0005),
        _level("the same street address and a phone several people use",
               "street_key_l = street_key_r AND list_has_any(phones_l, phones_r)",
               0.08, 0.0005),
        _level("the same street address", "street_key_l = street_key_r", 0.15, 0.001),
        _level("a phone several people use", "list_has_any(phones_l, phones_r)", 0.05, 0.0005),
        _level("the same road", "road_l = road_r", 0.04, 0.01),
        _level("the same city", "city_l = city_r", 0.05, 0.10),
        _level("different phones and addresses", "ELSE", 0.08, 0.8835),
    ]),
]

ORGANIZATION_COMPARISONS: list[dict[str, Any]] = [
    _comparison("name", "name without legal form", [
        _null("org_key"),
        _level("same name", "org_key_l = org_key_r OR list_has_any(alias_keys_l, alias_keys_r)",
               0.85, 0.0005),
        _level("name nearly equal", f"{_JW}(org_key_l, org_key_r) >= 0.92", 0.10, 0.002),
        _level("different names", "ELSE", 0.05, 0.9975),
    ]),
    _comparison("registration_id", "registration number", [
        _null("registration_id"),
        _level("same registration number", "registration_id_l = registration_id_r",
               0.98, 0.000001),
        _level("different registration numbers", "ELSE", 0.02, 0.999999),
    ]),
    _comparison("address", "address", [
        _null_all("street_key", "road", "city"),
        _level("same street address", "street_key_l = street_key_r", 0.70, 0.001),
        _level("same road", "road_l = road_r", 0.10, 0.01),
        _level("same city", "city_l = city_r", 0.10, 0.10),
        _level("different addresses", "ELSE", 0.10, 0.889),
    ]),
]


@dataclass(frozen=True)
class MatchModel:
    """What to compare for one kind of record: comparisons, blocking rules (column lists,
    with the array columns to explode) and the deterministic rules that estimate the prior."""

    comparisons: list[dict[str, Any]]
    blocking: list[tuple[tuple[str, ...], tuple[str, ...]]]
    deterministic: list[str]
    train_u: bool


PERSON_MODEL = MatchModel(
    comparisons=PERSON_COMPARISONS,
    blocking=[
        (("national_id",), ()),
        (("phones",), ("phones",)),
        (("alias_keys",), ("alias_keys",)),
        (("surname3", "birth_date"), ()),
        (("surname", "initials"), ()),
        (("surname", "street_key"), ()),
    ],
    deterministic=[
        "l.national_id = r.national_id",
        "l.name_key = r.name_key AND l.birth_date = r.birth_date",
        "l.name_key = r.name_key AND list_has_any(l.phones, r.phones)",
    ],
    train_u=True,
)

ORGANIZATION_MODEL = MatchModel(
    comparisons=ORGANIZATION_COMPARISONS,
    blocking=[
        (("registration_id",), ()),
        (("alias_keys",), ("alias_keys",)),
        (("org_prefix", "city"), ()),
        (("street_key",), ()),
    ],
    deterministic=[
        "l.registration_id = r.registration_id",
        "l.org_key = r.org_key",
    ],
    train_u=False,
)

_LIST_COLUMNS = ("alias_keys", "phones", "own_phones")


def _arrow_table(table: pd.DataFrame) -> Any:
    """The records as an Arrow table with list columns typed as lists of text (an all-None
    list column would otherwise reach DuckDB without a type)."""
    import pyarrow as pa

    fields = [pa.field(c, pa.list_(pa.string()) if c in _LIST_COLUMNS else pa.string())
              for c in table.columns]
    return pa.Table.from_pandas(table, schema=pa.schema(fields), preserve_index=False)


def score_pairs(
    table: pd.DataFrame, model: MatchModel, *, threshold: float, train: bool = False,
) -> tuple[pd.DataFrame, float]:
    """Every blocked pair of ``table`` scoring at least ``threshold``, with match weight,
    probability and the level of each comparison (``gamma_<name>``); and the prior used.

    Fewer than two records give no pairs.
    """
    import pandas as pd

    n = len(table)
    if n < 2:
        return pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_weight",
                                     "match_probability"]), 0.0
    try:
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError as exc:  # an optional dependency
        raise ImportError(
            "finding matches needs Splink and DuckDB: pip install 'crimegraph[resolve]'"
        ) from exc

    # Splink warns on its own logger when the deterministic rules find no pair (a case
    # without duplicates); the prior then falls back to one pair in the case.
    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI()
    frame = db_api.register(_arrow_table(table))
    blocking: list[Any] = [block_on(*cols, arrays_to_explode=list(explode) or None)
                           for cols, explode in model.blocking]
    comparisons: list[Any] = list(model.comparisons)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    linker = Linker(frame, settings, log_level=None)
    prior = _estimate_prior(linker, model, n)
    linker._settings_obj._probability_two_random_records_match = prior
    if train and model.train_u and n >= TRAIN_AT:
        linker.training.estimate_u_using_random_sampling(max_pairs=min(1e6, n * 20), seed=7)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    found: pd.DataFrame = predictions.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    return found, prior


def _estimate_prior(linker: Any, model: MatchModel, n: int) -> float:
    """How likely two random records are one actor: the pairs the deterministic rules find
    (read as 80% of the true pairs) over all pairs, never below one pair in the case and
    never above :data:`MAX_PRIOR` (a small case says little about how many duplicates it
    holds).

    When the rules find more than 80% of all pairs (two or three records that all share an
    id), that reading would put more true pairs in the case than it has pairs; the prior is
    then :data:`MAX_PRIOR`, the value any estimate that high is clipped to."""
    try:
        linker.training.estimate_probability_two_random_records_match(
            model.deterministic, recall=0.8)
    except ValueError as exc:
        if "consistent with supplied recall" not in str(exc):
            raise
        return MAX_PRIOR
    pairs = n * (n - 1) / 2
    estimated = float(linker._settings_obj._probability_two_random_records_match)
    return min(max(estimated, 1.0 / pairs), MAX_PRIOR)


def match_weight_to_probability(weight: float) -> float:
    """The probability for a match weight (log2 of the Bayes factor with the prior)."""
    return 1.0 / (1.0 + math.pow(2.0, -weight))

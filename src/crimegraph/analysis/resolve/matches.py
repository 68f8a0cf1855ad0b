""":func:`find_matches` and the :class:`Matches` table: candidate pairs of records that may be
one actor, scored and explained, and the analyst's review of them.

Accepting a pair writes a ``same_as`` relationship into the case, rejecting it a
``not_same_as`` one; both carry who decided, when and why. No record is deleted: a merge is
a ``same_as`` link, and :meth:`Matches.undo` removes a decision again. Decisions are read
back from the store before each write, so a pair is never decided twice, nor accepted and
rejected at once (by two tables on one case, or through other records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ...errors import InvalidArgument, WrongArgumentType
from ...model import Case, Entity, Relationship
from ...model.links import DECISION_KINDS
from ...store.graph import CaseGraph, as_case_graph
from .decisions import check_decisions, decision_id, decisions_between
from .records import organization_table, person_table
from .scoring import ORGANIZATION_MODEL, PERSON_MODEL, MatchModel, score_pairs

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_THRESHOLD", "MATCH_TYPES", "Matches", "find_matches"]

MATCH_TYPES: dict[str, str] = {
    "Person": "persons", "Organization": "organizations", "Warehouse": "warehouses",
}
"""Entity types :func:`find_matches` compares, and the case section each lives in."""

DEFAULT_THRESHOLD = 0.8
"""The match probability from which a pair is listed: the best F1 on the generated benchmark
records at 5,000, 20,000 and 100,000 records (0.95 at each)."""

MATCH_COLUMNS: tuple[str, ...] = (
    "left", "right", "type", "left_name", "right_name", "score", "match_weight", "reasons",
    "left_evidence", "right_evidence", "decision",
)


def find_matches(
    graph: CaseGraph | Case, *, types: Sequence[str] = ("Person", "Organization", "Warehouse"),
    threshold: float = DEFAULT_THRESHOLD, region: str = "CN", train: bool = True,
) -> Matches:
    """Pairs of records that may be one actor, with a score and the reasons in words.

    Records are compared only within blocks (a shared national id, phone, name key, family
    name with birth date or initials or street address; for organizations and premises a
    registration number, name key or address), so the work grows with the candidate pairs,
    not with the square of the records. Each pair is scored by a Fellegi-Sunter model
    (Splink on DuckDB) over names (any script, either order, initials, aliases), dates of
    birth, national ids, phones and addresses.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store.
    types : sequence of {"Person", "Organization", "Warehouse"}
        Which entity types to compare (records are only compared within one type).
    threshold : float
        The least match probability listed (0 to 1; default :data:`DEFAULT_THRESHOLD`).
    region : str
        Two-letter region in which phones without a country code are read.
    train : bool
        Learn how often unrelated records agree (u probabilities) from random pairs of the
        case when it has at least 1,000 records of a type; otherwise the built-in values.

    Returns
    -------
    Matches
        The pairs, best first; pairs already decided (``same_as`` or ``not_same_as``) are
        left out.

    Raises
    ------
    InvalidArgument
        On an unknown type or a threshold outside 0..1.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(id="demo", persons=[
    ...     cg.Person(id="P1", name="周建国", national_id="11010519491231002X",
    ...               phones=["138-0013-8000"]),
    ...     cg.Person(id="P2", name="Zhou Jianguo", phones=["+86 138 0013 8000"],
    ...               attributes={"birth_date": "1949-12-31"}),
    ...     cg.Person(id="P3", name="周建华", phones=["13800138000"]),
    ... ])
    >>> matches = cg.find_matches(case)
    >>> matches.pairs()
    [('P1', 'P2')]
    >>> print("\\n".join(matches.reasons("P1", "P2")))  # doctest: +NORMALIZE_WHITESPACE
    name 周建国 ~ Zhou Jianguo (pinyin): same name (+10.5)
    same date of birth 1949-12-31 (+13.1)
    phones and address: a phone several people use +8613800138000 (+6.6)
    """
    if isinstance(types, str):
        raise WrongArgumentType(f"types={types!r} must be a sequence of type names, not one "
                                f"name as a string; write types=[{types!r}]")
    unknown = [t for t in types if t not in MATCH_TYPES]
    if unknown:
        raise InvalidArgument(f"types: unknown entity type(s) {', '.join(map(repr, unknown))}; "
                              f"use some of {', '.join(map(repr, MATCH_TYPES))}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not (
            0.0 <= threshold <= 1.0):
        raise InvalidArgument(f"threshold={threshold!r} must be a probability from 0 to 1")
    handle = as_case_graph(graph)
    case = handle.case
    decided = _decided_pairs(case)
    found = []
    priors: dict[str, float] = {}
    for type_name in types:
        entities: list[Any] = list(getattr(case, MATCH_TYPES[type_name]))
        if type_name == "Person":
            table, model = person_table(entities, region=region), PERSON_MODEL
        else:
            table, model = organization_table(entities), ORGANIZATION_MODEL
        pairs, prior = score_pairs(table, model, threshold=float(threshold), train=train)
        priors[type_name] = prior
        found.append(_explain(pairs, table, model, type_name, entities, decided))
    return Matches(handle, _concat(found), threshold=float(threshold), priors=priors)


def _decided_pairs(case: Case) -> set[tuple[str, str]]:
    return {tuple(sorted((r.source, r.target)))  # type: ignore[misc]
            for r in case.relationships if r.kind in DECISION_KINDS}


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(MATCH_COLUMNS))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["score", "left", "right"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _values(row: Any, column: str) -> tuple[Any, Any]:
    return getattr(row, f"{column}_l", None), getattr(row, f"{column}_r", None)


def _reason(comparison: str, label: str, weight: float, row: Any, names: tuple[str, str]
            ) -> str:
    """One comparison's outcome for a pair in words, with its weight in bits."""
    sign = f"({weight:+.1f})"
    if comparison == "name":
        left, right = names
        how = " (pinyin)" if _has_han(left) != _has_han(right) else ""
        return f"name {left} ~ {right}{how}: {label} {sign}"
    if comparison == "birth_date":
        a, b = _values(row, "birth_date")
        shown = a if a == b else f"{a} / {b}"
        return f"{label} {shown} {sign}"
    if comparison == "national_id":
        a, b = _values(row, "national_id")
        return f"{label} {a if a == b else f'{a} / {b}'} {sign}"
    if comparison == "registration_id":
        a, b = _values(row, "registration_id")
        return f"{label} {a if a == b else f'{a} / {b}'} {sign}"
    if comparison == "contact":
        detail = []
        left_phones, right_phones = _values(row, "phones")
        common = sorted(set(_as_list(left_phones)) & set(_as_list(right_phones)))
        if "phone" in label and common:
            detail.append(", ".join(common))
        a, b = _values(row, "street_key")
        if "street" in label and a:
            detail.append(str(a))
        return f"phones and address: {label} {' '.join(detail)} {sign}".replace("  ", " ")
    if comparison == "address":
        a, _ = _values(row, "street_key")
        return f"address: {label}{' ' + str(a) if 'street' in label and a else ''} {sign}"
    return f"{comparison}: {label} {sign}"


def _as_list(value: Any) -> list[str]:
    if value is None or isinstance(value, (float, str)) or not hasattr(value, "__iter__"):
        return []
    return [str(v) for v in value]


def _explain(pairs: pd.DataFrame, table: pd.DataFrame, model: MatchModel, type_name: str,
             entities: list[Entity], decided: set[tuple[str, str]]) -> pd.DataFrame:
    import pandas as pd

    if not len(pairs):
        return pd.DataFrame(columns=list(MATCH_COLUMNS))
    by_id = {e.id: e for e in entities}
    labels = {
        c["output_column_name"]: [lvl for lvl in c["comparison_levels"]
                                  if not lvl.get("is_null_level")]
        for c in model.comparisons
    }
    rows = []
    for row in pairs.itertuples(index=False):
        left, right = sorted((str(row.unique_id_l), str(row.unique_id_r)))
        if (left, right) in decided:
            continue
        a, b = by_id[left], by_id[right]
        swapped = left != row.unique_id_l
        names = (b.name, a.name) if swapped else (a.name, b.name)
        reasons = []
        for comparison, levels in labels.items():
            gamma = int(getattr(row, f"gamma_{comparison}"))
            if gamma < 0:
                continue  # not known on both sides
            label = levels[len(levels) - 1 - gamma]["label_for_charts"]
            weight = float(getattr(row, f"mw_{comparison}"))
            reasons.append(_reason(comparison, label, weight, row, names))
        rows.append((left, right, type_name, a.name, b.name, float(row.match_probability),
                     float(row.match_weight), reasons, list(a.evidence), list(b.evidence),
                     None))
    return pd.DataFrame.from_records(rows, columns=list(MATCH_COLUMNS))


class Matches:
    """Candidate pairs of records that may be one actor, and the analyst's decisions on them.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per pair, best first: ``left`` and ``right`` record ids (in id order),
        ``type``, both names, ``score`` (match probability), ``match_weight`` (log2 Bayes
        factor with the prior), ``reasons`` (list of text: each comparison's outcome and
        weight), ``left_evidence`` / ``right_evidence`` (the evidence ids each record cites)
        and ``decision`` ("accepted", "rejected" or None).
    threshold : float
        The least score listed.
    priors : dict of str to float
        Per entity type, the estimated probability that two random records are one actor.
    """

    def __init__(self, graph: CaseGraph, table: pd.DataFrame, *, threshold: float,
                 priors: dict[str, float]) -> None:
        self.graph = graph
        self.table = table
        self.threshold = threshold
        self.priors = priors

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        decided = int(self.table["decision"].notna().sum()) if len(self.table) else 0
        return (f"Matches({len(self)} pairs at score >= {self.threshold:g}, "
                f"{decided} decided)")

    def pairs(self) -> list[tuple[str, str]]:
        """The pairs as ``(left, right)`` ids, best first."""
        return list(zip(self.table["left"], self.table["right"]))

    def to_dataframe(self) -> pd.DataFrame:
        """A copy of :attr:`table` with the reasons joined into one text per pair."""
        frame = self.table.copy()
        frame["reasons"] = ["; ".join(r) for r in frame["reasons"]]
        return frame

    def _row(self, left: str, right: str) -> int:
        key = tuple(sorted((left, right)))
        for pos, pair in enumerate(self.pairs()):
            if pair == key:
                return pos
        raise InvalidArgument(f"({left!r}, {right!r}) is not a pair of this table; pairs are "
                              "listed by matches.pairs()")

    def reasons(self, left: str, right: str) -> list[str]:
        """Why a pair scored as it did: each comparison's outcome and its weight in bits."""
        return list(self.table.at[self._row(left, right), "reasons"])

    def _pairs(self, pairs: Iterable[tuple[str, str]] | tuple[str, str]
               ) -> list[tuple[str, str]]:
        """The pairs named by the caller, each as ``(left, right)`` in id order."""
        if isinstance(pairs, tuple) and len(pairs) == 2 and isinstance(
                pairs[0], str) and isinstance(pairs[1], str):
            pairs = [pairs]
        named: list[tuple[str, str]] = []
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2
                    and all(isinstance(rid, str) for rid in pair)):
                raise WrongArgumentType(f"pairs: {pair!r} is no (left, right) pair of ids")
            named.append((min(pair), max(pair)))
        return list(dict.fromkeys(named))

    def _select(self, pairs: Iterable[tuple[str, str]] | tuple[str, str] | None,
                min_score: float | None, decided: dict[tuple[str, str], list[Relationship]]
                ) -> list[int]:
        """Rows to decide: the named pairs (each must be undecided in the case), or every
        pair the case holds no decision on; with ``min_score``, those scoring at least that."""
        chosen: list[int]
        if pairs is None:
            chosen = [i for i, pair in enumerate(self.pairs()) if pair not in decided]
        else:
            named = self._pairs(pairs)
            for left, right in named:
                if (left, right) in decided:
                    raise _already_decided(left, right, decided[(left, right)])
            chosen = [self._row(left, right) for left, right in named]
        if min_score is not None:
            chosen = [i for i in chosen if self.table.at[i, "score"] >= min_score]
        return chosen

    def accept(self, pairs: Iterable[tuple[str, str]] | tuple[str, str] | None = None, *,
               by: str, why: str | None = None, min_score: float | None = None,
               at: dt.datetime | None = None) -> list[Relationship]:
        """Record that pairs are one actor: a ``same_as`` link per pair, written into the case.

        Parameters
        ----------
        pairs : (left, right) or iterable of them, optional
            The pairs; None means every pair of the table the case holds no decision on
            (with ``min_score``, those scoring at least that).
        by : str
            Who decided (the analyst's name or the rule).
        why : str, optional
            Why; the pair's reasons when omitted.
        min_score : float, optional
            Accept only pairs scoring at least this.
        at : datetime, optional
            When; now (UTC) when omitted.

        Returns
        -------
        list of Relationship
            The links written (ids ``SAME-<left>-<right>``, shortened with a hash when the
            record ids are very long), carrying ``decided_by``, ``decided_at``, ``reason`` and
            ``score`` attributes. A decision cites no evidence: it rests on the analyst, not
            on the records' sources, so an evidence grade never keeps a record for the sake
            of a ``same_as`` link. The case graph now holds them: :func:`~crimegraph.resolve`
            treats each linked cluster as one actor, and :meth:`undo` removes a decision.

        Raises
        ------
        InvalidArgument
            When a named pair is already decided in the case (by this table or any other):
            the message names the link; :meth:`undo` removes it first. When the links would
            join two records that a ``not_same_as`` link keeps apart (directly or through
            other ``same_as`` links): nothing is written and the message names the links.
        """
        return self._decide("same_as", pairs, by=by, why=why, min_score=min_score, at=at)

    def reject(self, pairs: Iterable[tuple[str, str]] | tuple[str, str] | None = None, *,
               by: str, why: str | None = None, min_score: float | None = None,
               at: dt.datetime | None = None) -> list[Relationship]:
        """Record that pairs are different actors: a ``not_same_as`` link per pair (ids
        ``NOT-SAME-<left>-<right>``); :func:`find_matches` no longer lists them.

        Takes the arguments of :meth:`accept` and raises as it does: a pair already decided
        (accepted or rejected) must be undone with :meth:`undo` first, and a pair that
        ``same_as`` links already join through other records is refused, naming them.
        """
        return self._decide("not_same_as", pairs, by=by, why=why, min_score=min_score, at=at)

    def undo(self, pairs: Iterable[tuple[str, str]] | tuple[str, str]) -> list[Relationship]:
        """Remove the decisions on pairs from the case: their ``same_as`` or ``not_same_as``
        links leave the store (in memory or Neo4j), and the pairs are undecided again.

        A pair need not be listed in this table: any pair of records with a decision link
        between them in the case can be undone (also one entered by hand).

        Parameters
        ----------
        pairs : (left, right) or iterable of them
            The pairs whose decisions to remove.

        Returns
        -------
        list of Relationship
            The links removed.

        Raises
        ------
        InvalidArgument
            When the case holds no decision on a pair (nothing is removed then).
        """
        named = self._pairs(pairs)
        case = self.graph.store.to_case()
        decided = decisions_between(case.relationships)
        missing = [pair for pair in named if pair not in decided]
        if missing:
            raise InvalidArgument(
                f"no same_as or not_same_as link joins {', '.join(map(repr, missing))} in "
                f"case {case.id!r}; nothing to undo")
        removed = [link for pair in named for link in decided[pair]]
        gone = {link.id for link in removed}
        fields = {name: getattr(case, name) for name in type(case).model_fields}
        fields["relationships"] = [r for r in case.relationships if r.id not in gone]
        self.graph.reload(Case(**fields))
        for i, pair in enumerate(self.pairs()):
            if pair in named:
                self.table.at[i, "decision"] = None
        return removed

    def _decide(self, kind: str, pairs: Iterable[tuple[str, str]] | tuple[str, str] | None,
                *, by: str, why: str | None, min_score: float | None,
                at: dt.datetime | None) -> list[Relationship]:
        if not isinstance(by, str) or not by.strip():
            raise InvalidArgument(f"by={by!r}: name who decides (the analyst or the rule)")
        when = (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        # the store, not this table, says what is decided: another table may have written since
        case = self.graph.store.to_case()
        decided = decisions_between(case.relationships)
        for i, pair in enumerate(self.pairs()):
            self.table.at[i, "decision"] = (
                _decision_word(decided[pair][-1].kind) if pair in decided else None)
        chosen = self._select(pairs, min_score, decided)
        links = []
        for i in chosen:
            row = self.table.loc[i]
            reason = why if why is not None else "; ".join(row["reasons"])
            links.append(Relationship(
                id=decision_id(kind, row["left"], row["right"]), kind=kind,
                source=row["left"], target=row["right"],
                attributes={"decided_by": by, "decided_at": when, "reason": reason,
                            "score": round(float(row["score"]), 6)},
            ))
        if links:
            relationships = [*case.relationships, *links]
            check_decisions(relationships)
            fields = {name: getattr(case, name) for name in type(case).model_fields}
            fields["relationships"] = relationships
            self.graph.reload(Case(**fields))
            for i in chosen:
                self.table.at[i, "decision"] = _decision_word(kind)
        return links


def _decision_word(kind: str) -> str:
    return "accepted" if kind == "same_as" else "rejected"


def _already_decided(left: str, right: str, links: list[Relationship]) -> InvalidArgument:
    said = []
    for link in links:
        who = link.attributes.get("decided_by")
        when = link.attributes.get("decided_at")
        detail = ", ".join(str(v) for v in (who, when) if v is not None)
        said.append(f"{_decision_word(link.kind)} by {link.kind} link {link.id!r}"
                    + (f" ({detail})" if detail else ""))
    return InvalidArgument(
        f"({left!r}, {right!r}) is already decided: {'; '.join(said)}. To change the "
        f"decision, remove it first with matches.undo(({left!r}, {right!r}))")

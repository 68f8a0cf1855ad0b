"""Evidence grades: the part of a case that evidence at or above an Admiralty grade supports.

Evidence is graded on the Admiralty scales: the *source* from A (completely reliable) to
E (unreliable), the *information* from 1 (confirmed) to 5 (improbable). F and 6 mean "cannot
be judged": they are no grade at all, not worse ones, so they count as ungraded.

A :class:`Grade` is a requirement on both scales ("B, 2": A or B sources, and information 1 or
2); :func:`grade_case` keeps what meets it. ``cg.graded(graph)`` wraps the result in a case
graph that every analysis takes.

Examples
--------
>>> import crimegraph as cg
>>> grade = cg.Grade(reliability="B", credibility=2)
>>> grade.label
'A–B, 1–2'
>>> grade.supports(cg.Evidence(id="EV-1", name="Waybill", reliability="A", credibility=2))
True
>>> grade.supports(cg.Evidence(id="EV-2", name="Tip-off", reliability="F", credibility=6))
False
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any, Literal

from ..errors import InvalidArgument
from .case import Case
from .entities import Evidence, Record
from .links import DECISION_KINDS

__all__ = [
    "CREDIBILITY_GRADES",
    "RELIABILITY_GRADES",
    "UNSUPPORTED_RULES",
    "Grade",
    "RequiredCredibility",
    "RequiredReliability",
    "Unsupported",
    "grade_case",
]

RequiredReliability = Literal["A", "B", "C", "D", "E"]
"""A source reliability to require: A completely reliable ... E unreliable (F is no grade)."""
RELIABILITY_GRADES: tuple[str, ...] = RequiredReliability.__args__  # type: ignore[attr-defined]

RequiredCredibility = Literal[1, 2, 3, 4, 5]
"""An information credibility to require: 1 confirmed ... 5 improbable (6 is no grade)."""
CREDIBILITY_GRADES: tuple[int, ...] = RequiredCredibility.__args__  # type: ignore[attr-defined]

Unsupported = Literal["drop", "keep"]
"""What happens to records that cite no evidence at all."""
UNSUPPORTED_RULES: tuple[str, ...] = Unsupported.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Grade:
    """A required evidence grade: evidence meets it when it is graded at least this well.

    Evidence meets the grade when its ``reliability`` is at or better than the required letter
    *and* its ``credibility`` at or better than the required number. Evidence without a grade
    (None), or graded F or 6 ("cannot be judged"), meets no required grade on that scale.

    Parameters
    ----------
    reliability : {"A", "B", "C", "D", "E"} or None
        The worst source reliability accepted ("B": A and B sources). None: no requirement on
        the source, so any evidence passes on this scale, graded or not.
    credibility : {1, 2, 3, 4, 5} or None
        The worst information credibility accepted (2: 1 and 2). None: no requirement.
    unsupported : {"drop", "keep"}
        What happens to records that cite no evidence at all: ``"drop"`` removes them (only
        what meets the grade stays), ``"keep"`` keeps them (only what rests on weaker
        evidence goes).

    Raises
    ------
    ValueError
        On a letter, number or rule outside the allowed ones (the message lists them).
    """

    reliability: RequiredReliability | None = "B"
    credibility: RequiredCredibility | None = 2
    unsupported: Unsupported = "drop"

    def __post_init__(self) -> None:
        if self.reliability is not None and self.reliability not in RELIABILITY_GRADES:
            raise InvalidArgument(
                f"reliability={self.reliability!r} is not a source reliability to require; "
                "use one of " + ", ".join(map(repr, RELIABILITY_GRADES))
                + " (A completely reliable ... E unreliable) or None for no requirement. "
                "F means the source cannot be judged, which meets no grade"
            )
        credibility: Any = self.credibility
        if credibility is not None and (
            isinstance(credibility, bool) or not isinstance(credibility, Integral)
            or credibility not in CREDIBILITY_GRADES
        ):
            raise InvalidArgument(
                f"credibility={credibility!r} is not an information credibility to require; "
                "use one of " + ", ".join(map(str, CREDIBILITY_GRADES))
                + " (1 confirmed ... 5 improbable) or None for no requirement. "
                "6 means the information cannot be judged, which meets no grade"
            )
        if credibility is not None:
            object.__setattr__(self, "credibility", int(credibility))  # e.g. a numpy integer
        if self.unsupported not in UNSUPPORTED_RULES:
            raise InvalidArgument(
                f"unsupported={self.unsupported!r} is not one of "
                + ", ".join(map(repr, UNSUPPORTED_RULES))
                + " (what to do with records that cite no evidence)"
            )

    def supports(self, evidence: Evidence) -> bool:
        """Whether this evidence record meets the grade."""
        if self.reliability is not None and (
            evidence.reliability is None or evidence.reliability == "F"
            or evidence.reliability > self.reliability
        ):
            return False
        return self.credibility is None or (
            evidence.credibility is not None and evidence.credibility != 6
            and evidence.credibility <= self.credibility
        )

    @property
    def label(self) -> str:
        """The grades accepted, for figures and reports: ``"A–B, 1–2"``, ``"A, any credibility"``.
        """
        if self.reliability is None and self.credibility is None:
            return "any grade"
        sources = ("any reliability" if self.reliability is None
                   else "A" if self.reliability == "A" else f"A–{self.reliability}")
        information = ("any credibility" if self.credibility is None
                       else "1" if self.credibility == 1 else f"1–{self.credibility}")
        return f"{sources}, {information}"

    def __str__(self) -> str:
        """E.g. ``"evidence A–B, 1–2 only"``; says so when records without evidence are kept."""
        text = f"evidence {'of ' if self.label == 'any grade' else ''}{self.label} only"
        if self.unsupported == "keep":
            text += "; records citing no evidence kept"
        return text


def grade_case(case: Case, grade: Grade) -> Case:
    """The part of ``case`` that evidence meeting ``grade`` supports, as a new valid case.

    A record is *supported* when at least one evidence record it cites meets the grade; a
    record that cites none is supported only with ``grade.unsupported == "keep"``.

    - Transactions and relationships are kept when supported. A kept link keeps its ends
      (and a shipment's carrier): the evidence of a shipment is evidence that its sender and
      receiver exist, even where their own records cite nothing or only weaker sources.
    - Persons, organizations and premises are kept when supported or when a kept link needs
      them; products when supported or when a kept shipment or evidence record names them.
    - Identity decisions (``same_as`` / ``not_same_as`` links) rest on the analyst, not on a
      source: they are kept when both their records are, whatever evidence they cite, and
      never keep a record the grade would drop (a ``same_as`` link to a record known only
      from a weak source does not bring that record's facts into the view).
    - Evidence records are kept when they meet the grade themselves; the others are gone,
      and every kept record's ``evidence`` list names only the evidence kept.

    Kept records are otherwise unchanged. The new case's id ends in ``-graded-`` and the grade
    (``counterfeit-oil-2024-graded-B2``; ``x`` for no requirement, ``-keep`` when records
    without evidence are kept) and its title says the grade.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.load_example("fake_liquor")
    >>> view = cg.model.grade_case(case, cg.Grade("A", 1))
    >>> view.id, len(case.transactions), len(view.transactions)
    ('fake-liquor-zhou-graded-A1', 207, 72)
    """
    good = {e.id for e in case.evidence if grade.supports(e)}
    keep_bare = grade.unsupported == "keep"

    def supported(record: Record) -> bool:
        refs = record.evidence
        return any(ref in good for ref in refs) if refs else keep_bare

    txs = [t for t in case.transactions if supported(t)]
    # identity decisions are the analyst's, not a source's: they follow their ends
    rels = [r for r in case.relationships if r.kind not in DECISION_KINDS and supported(r)]
    ends = {end for t in txs for end in (t.source, t.target, t.carrier) if end is not None}
    ends.update(end for r in rels for end in (r.source, r.target))
    evidence = [e for e in case.evidence if e.id in good]
    named = {t.product for t in txs if t.product is not None}
    named.update(e.product for e in evidence if e.product is not None)

    def trimmed(records: list[Any], needed: set[str]) -> list[Any]:
        kept = []
        for record in records:
            if record.id in needed or supported(record):
                refs = [ref for ref in record.evidence if ref in good]
                if len(refs) != len(record.evidence):
                    record = record.model_copy(update={"evidence": refs})
                kept.append(record)
        return kept

    suffix = "-graded-{}{}{}".format(
        grade.reliability or "x", grade.credibility or "x", "-keep" if keep_bare else ""
    )
    persons = trimmed(case.persons, ends)
    organizations = trimmed(case.organizations, ends)
    warehouses = trimmed(case.warehouses, ends)
    present = {r.id for section in (persons, organizations, warehouses) for r in section}
    kept_links = {r.id for r in rels} | {
        r.id for r in case.relationships
        if r.kind in DECISION_KINDS and r.source in present and r.target in present}
    links = [r for r in case.relationships if r.id in kept_links]
    return Case(
        id=case.id[: 200 - len(suffix)] + suffix,
        title=f"{case.title} ({grade})" if case.title else f"Graded view: {grade}",
        description=case.description, timezone=case.timezone, currency=case.currency,
        attributes=dict(case.attributes),
        persons=persons, organizations=organizations, warehouses=warehouses,
        products=trimmed(case.products, named),
        transactions=trimmed(txs, {t.id for t in txs}),
        relationships=trimmed(links, kept_links),
        evidence=trimmed(evidence, good),
    )

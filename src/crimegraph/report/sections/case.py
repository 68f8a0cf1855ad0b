"""The case summary, the sources of information with their grading, and the evidence list."""

from __future__ import annotations

from collections import Counter, defaultdict

from ... import __version__
from ..blocks import Cell, Note, Refs, Section, Table, format_value
from ..support import Support

__all__ = ["evidence_section", "sources_section", "summary_section"]

RELIABILITY = "ABCDEF"
CREDIBILITY = "123456"


def summary_section(support: Support, *, redact: str) -> Section:
    """What the case holds: counts, people, places, period and money totals."""
    case = support.case
    summary = support.graph.summary()
    rows: list[list[Cell]] = [[label, value] for label, value in summary.rows()]
    rows.append(["Redaction profile", redact])
    rows.append(["Made by", f"crimegraph {__version__}"])
    section = Section(
        "summary", "Case summary",
        case.description or "The case as recorded in the case file, in numbers.",
    )
    section.blocks.append(Table(
        title="The case in numbers", columns=["", ""], rows=rows,
        made_from=f"CaseGraph.summary() of case {case.id!r}: every record of the case "
                  f"after redaction ({redact!r})."))
    return section


def _grade(reliability: str | None, credibility: int | None) -> str:
    return f"{reliability or '?'}{credibility or '?'}"


def sources_section(support: Support) -> Section:
    """Who supplied the evidence, how it is graded, and how many facts rest on it."""
    evidence = list(support.evidence.values())
    section = Section(
        "sources", "Sources and their grading",
        "Where the facts come from. Each evidence record carries the analyst's Admiralty "
        "grading: the source's reliability (A completely reliable … E unreliable, F cannot "
        "be judged) and the information's credibility (1 confirmed … 5 improbable, 6 cannot "
        "be judged).")
    if not evidence:
        section.blocks.append(Note("This case records no evidence, so no fact in it can be "
                                   "traced to a source or graded.", empty=True))
        return section
    by_agency: dict[str, list[str]] = defaultdict(list)
    for item in evidence:
        by_agency[item.agency or "(agency not recorded)"].append(item.id)
    rows: list[list[Cell]] = []
    for agency in sorted(by_agency):
        ids = by_agency[agency]
        items = [support.evidence[eid] for eid in ids]
        kinds = Counter(item.kind for item in items)
        grades = Counter(_grade(item.reliability, item.credibility) for item in items)
        rows.append([
            agency, format_value(len(ids)),
            ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())),
            ", ".join(f"{grade} ×{n}" for grade, n in sorted(grades.items())),
            format_value(sum(support.cited_by[eid] for eid in ids)),
            Refs(tuple(sorted(ids))),
        ])
    section.blocks.append(Table(
        title="Evidence by supplying agency",
        columns=["Agency", "Evidence", "Kinds", "Grades", "Facts citing it", "Evidence"],
        rows=rows, numeric=[False, True, False, False, True, False],
        made_from="Every evidence record of the case, grouped by its agency; 'facts citing "
                  "it' counts the entities, transactions and relationships that list it.",
        evidence=sorted(support.evidence)))
    matrix: Counter[tuple[str, str]] = Counter(
        (item.reliability or "?", str(item.credibility or "?")) for item in evidence)
    columns = [*CREDIBILITY, "?"]
    grid: list[list[Cell]] = []
    for letter in [*RELIABILITY, "?"]:
        counts = [matrix[(letter, digit)] for digit in columns]
        if letter == "?" and not any(counts):
            continue
        grid.append([letter, *[format_value(n) if n else "" for n in counts],
                     format_value(sum(counts))])
    section.blocks.append(Table(
        title="Evidence records per grade",
        columns=["Source \\ information", *columns, "Total"], rows=grid,
        numeric=[False, *[True] * (len(columns) + 1)],
        made_from="Every evidence record, counted by source reliability (rows) and "
                  "information credibility (columns); '?' = not graded.",
        evidence=sorted(support.evidence),
        note="Facts graded E or F, or 5 or 6, should be corroborated before they are "
             "relied on."))
    return section


def evidence_section(support: Support) -> Section:
    """Every evidence record, the target of the evidence links in the other sections."""
    section = Section("evidence", "Evidence list",
                      "Every evidence record of the case; the evidence ids in the other "
                      "sections link here.")
    if not support.evidence:
        section.blocks.append(Note("This case records no evidence.", empty=True))
        return section
    rows: list[list[Cell]] = []
    for eid, item in support.evidence.items():
        amount = "-" if item.amount is None else f"{item.amount:,.2f} {item.currency}"
        rows.append([
            Refs((eid,)), item.name, item.kind, item.agency or "-", item.reference or "-",
            format_value(item.date), _grade(item.reliability, item.credibility), amount,
            format_value(support.cited_by[eid]),
        ])
    section.blocks.append(Table(
        title="Evidence records",
        columns=["Id", "Description", "Kind", "Agency", "Reference", "Date", "Grade",
                 "Amount", "Facts citing it"],
        rows=rows, numeric=[False] * 7 + [True, True],
        ids=[True, False, False, False, False, True, True, False, False],
        made_from="The evidence records of the case, in case-file order.",
        evidence=list(support.evidence),
        anchors=[support.anchors[eid] for eid in support.evidence]))
    return section

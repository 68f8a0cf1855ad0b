"""Which evidence supports which fact: the look-ups every report section shares."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..model import Case, Evidence, Record
from ..store import CaseGraph

__all__ = ["Support"]


class Support:
    """The case's records and evidence, indexed once for the report.

    Parameters
    ----------
    graph : CaseGraph
        The (already redacted) case graph the report is made from.
    """

    def __init__(self, graph: CaseGraph) -> None:
        self.graph = graph
        self.case: Case = graph.case
        self.records: dict[str, Record] = self.case.record_index()
        self.evidence: dict[str, Evidence] = {e.id: e for e in self.case.evidence}
        # Evidence ids can hold any character: anchors are numbered instead.
        self.anchors: dict[str, str] = {eid: f"ev-{n}" for n, eid in
                                        enumerate(self.evidence, start=1)}
        self.cited_by: Counter[str] = Counter(
            eid for record in self.case.records() if not isinstance(record, Evidence)
            for eid in record.evidence)
        self._ties: dict[frozenset[str], list[str]] = {}
        for link in self.case.relationships:
            self._ties.setdefault(frozenset((link.source, link.target)), []).extend(
                link.evidence)

    def of(self, ids: Iterable[str]) -> list[str]:
        """The evidence ids the records ``ids`` cite (ids not in the case are skipped)."""
        found: set[str] = set()
        for rid in ids:
            record = self.records.get(rid)
            if record is not None:
                found.update(record.evidence)
        return sorted(found)

    def between(self, a: str, b: str) -> list[str]:
        """The evidence of the relationships that tie ``a`` and ``b`` (either way round)."""
        return sorted(set(self._ties.get(frozenset((a, b)), [])))

    def name(self, rid: str) -> str:
        """The record's name, or its id when it has none."""
        record = self.records.get(rid)
        name = getattr(record, "name", None)
        return str(name) if name else rid

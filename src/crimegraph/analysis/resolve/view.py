""":func:`resolve`: the view of a case in which each ``same_as`` cluster is one actor.

The view is a new case in memory: every cluster of records joined by ``same_as`` links
becomes one record under a representative id, its links point to that record, and the facts
its members disagree on are listed in :attr:`ResolvedGraph.conflicts` rather than silently
chosen. Every analysis and figure takes the view as it takes any case graph.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ...errors import EntityNotFound
from ...model import Case, Entity, Relationship, Transaction
from ...model.links import DECISION_KINDS
from ...store.graph import CaseGraph, as_case_graph
from ...store.memory import NetworkXStore
from .decisions import check_decisions, same_as_clusters
from .matches import MATCH_TYPES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ResolvedGraph", "resolve"]

_MERGED_LISTS = ("aliases", "phones", "evidence", "uses")
_JOINED_ATTRIBUTES = ("rows",)
"""Attributes that say where a record came from (ingest's source rows): joined, not in
conflict."""
_KEEP_OWN = ("id", "name")


class ResolvedGraph(CaseGraph):
    """A case graph in which each ``same_as`` cluster is one actor (see :func:`resolve`).

    Attributes
    ----------
    members : dict of str to list of str
        Per actor (representative id), the ids of the records it was made of, sorted; only
        clusters of two or more records.
    actor_of : dict of str to str
        For every record id of a cluster, the actor it became.
    conflicts : pandas.DataFrame
        One row per fact the members of a cluster disagree on: ``actor``, ``field``,
        ``value`` (the value kept), ``values`` (every value) and ``records`` (which record
        said which, as ``id=value`` texts).
    dropped : list of str
        Ids of links left out because both ends became the same actor (a call between two
        records of one person; the ``same_as`` links themselves).
    source : Case
        The case before resolution.
    """

    members: dict[str, list[str]]
    actor_of: dict[str, str]
    conflicts: pd.DataFrame
    dropped: list[str]
    source: Case

    def records_of(self, actor: str) -> list[str]:
        """The record ids behind an actor of the view (just the id if it was not merged)."""
        return list(self.members.get(actor, [actor]))


_UNGRADED = ("G", 7)
"""Sorts after every Admiralty grade (reliability A-F, credibility 1-6)."""


class _ResolvedStore(NetworkXStore):
    """The in-memory store of a resolved view: an id of a merged record is not found, and
    the error names the actor the record became."""

    def __init__(self, actor_of: dict[str, str]) -> None:
        super().__init__()
        self.actor_of = actor_of

    def not_found(self, record_id: str) -> EntityNotFound:
        actor = self.actor_of.get(record_id) if isinstance(record_id, str) else None
        if actor is None or actor == record_id:
            return super().not_found(record_id)
        error = EntityNotFound(record_id, where=self.describe())
        name = self.name_index().name(actor)
        called = f" ({name})" if name and name != actor else ""
        error.args = (
            f"no entity with id {record_id!r} in {self.describe()}: that record was merged "
            f"into the actor {actor!r}{called} by same_as links; use {actor!r} in the "
            "resolved view (view.actor_of maps every merged record to its actor)",)
        error.suggestions = [actor]
        return error


def _best_grade(record: Entity, grades: dict[str, tuple[str, int]]) -> tuple[str, int]:
    """The best grade of the evidence a record rests on (source reliability first, then
    information credibility); records without graded evidence sort last."""
    return min((grades[e] for e in record.evidence if e in grades), default=_UNGRADED)


def _representative(records: list[Entity], degree: dict[str, int],
                    grades: dict[str, tuple[str, int]]) -> str:
    """The member whose evidence is best graded (source reliability, then credibility); ties
    go to the member with the most links in the case, then to the smallest id."""
    return min(records, key=lambda r: (_best_grade(r, grades), -degree.get(r.id, 0), r.id)).id


def _merge(records: list[Entity], keep: Entity, actor: str,
           conflicts: list[tuple[str, str, Any, list[Any], list[str]]]) -> Entity:
    """One record for a cluster: the representative's fields, lists joined, every other
    name kept as an alias, disagreements recorded."""
    update: dict[str, Any] = {}
    names = [r.name for r in records]
    aliases = [n for n in dict.fromkeys([*names, *(a for r in records for a in r.aliases)])
               if n != keep.name]
    update["aliases"] = aliases
    update["notes"] = _notes(records, keep)
    for field in type(keep).model_fields:
        if field in _KEEP_OWN or field in ("aliases", "notes"):
            continue
        values = [getattr(r, field) for r in records]
        if field in _MERGED_LISTS:
            update[field] = list(dict.fromkeys(v for vs in values for v in vs))
            continue
        if field == "attributes":
            merged: dict[str, Any] = {}
            keys = dict.fromkeys(k for r in records for k in r.attributes)
            for key in keys:
                said = [(r.id, r.attributes[key]) for r in records if key in r.attributes]
                if key in _JOINED_ATTRIBUTES:
                    merged[key] = "; ".join(dict.fromkeys(str(v) for _, v in said))
                    continue
                kept = keep.attributes.get(key, said[0][1])
                merged[key] = kept
                distinct = list(dict.fromkeys(v for _, v in said))
                if len(distinct) > 1:
                    conflicts.append((actor, f"attributes.{key}", kept, distinct,
                                      [f"{rid}={v}" for rid, v in said]))
            merged["merged_from"] = ";".join(r.id for r in records)
            update["attributes"] = merged
            continue
        said = [(r.id, v) for r, v in zip(records, values) if v is not None and v != "unknown"]
        if not said:
            continue
        own = getattr(keep, field)
        kept = own if own is not None and own != "unknown" else said[0][1]
        update[field] = kept
        distinct = list(dict.fromkeys(v for _, v in said))
        if len(distinct) > 1:
            conflicts.append((actor, field, kept, distinct, [f"{rid}={v}" for rid, v in said]))
    return keep.model_copy(update=update)


def _notes(records: list[Entity], keep: Entity) -> str | None:
    """Every member's notes: the representative's alone as they are; from several members
    (or another member only) one line each, marked with the member's id."""
    said = [(r.id, r.notes) for r in [keep, *(r for r in records if r is not keep)]
            if r.notes is not None and r.notes.strip()]
    if not said:
        return keep.notes
    if len(said) == 1 and said[0][0] == keep.id:
        return said[0][1]
    return "\n".join(f"[{rid}] {text}" for rid, text in said)


def resolve(graph: CaseGraph | Case) -> ResolvedGraph:
    """The case with each ``same_as`` cluster as one actor, in a new in-memory case graph.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store; its ``same_as`` links (written by
        :meth:`Matches.accept` or entered by hand) say which records are one actor.

    Returns
    -------
    ResolvedGraph
        The view (case id ``<id>-resolved``). Each cluster keeps its representative's id and
        fields, gains the other
        members' names as aliases and their phones and evidence, and records its members in
        the ``merged_from`` attribute. Transactions and relationships point to the actor; links
        between members of one cluster are left out (listed in ``dropped``). Fields the
        members disagree on (two dates of birth, two national ids) keep the representative's
        value and are listed in ``conflicts``. Every member's ``notes`` are kept: the
        representative's alone as they are, from several members one line each marked with
        the member's id (``[P2] ...``). ``not_same_as`` links are kept, pointing to the actors
        they keep apart. An id of a merged record is no id of the view: looking it up raises
        :class:`~crimegraph.errors.EntityNotFound` naming the actor it became.

        The representative is the member whose evidence is best graded: the best source
        reliability (A before B ... F) of the evidence it lists, then the best information
        credibility (1 before 2 ... 6); members without graded evidence come last. Ties go to
        the member with the most links in the case, then to the smallest id. So a person
        known from a police file graded A1 keeps that file's name and id even when a bank
        record graded B2 holds more of his links.

    Raises
    ------
    InvalidArgument
        When ``same_as`` links join two records that a ``not_same_as`` link keeps apart
        (directly or through other records): the analyst's decisions contradict each other,
        and the view is not made rather than merging what was rejected. The message names
        the rejected pair, its link and the ``same_as`` links that join the two; remove one
        of them (:meth:`Matches.undo`). Also when ``same_as`` links join records of
        different kinds (a person and an organization).

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(id="demo", persons=[
    ...     cg.Person(id="P1", name="周建国", attributes={"birth_date": "1970-05-01"}),
    ...     cg.Person(id="P2", name="Zhou Jianguo", attributes={"birth_date": "1970-05-11"}),
    ...     cg.Person(id="P3", name="Li Ming")],
    ...     relationships=[
    ...     cg.Relationship(id="L1", kind="calls", source="P2", target="P3", weight=4),
    ...     cg.Relationship(id="S1", kind="same_as", source="P1", target="P2",
    ...                     attributes={"decided_by": "analyst", "decided_at": "2024-05-01"})])
    >>> view = cg.resolve(case)
    >>> view.members, view.get("P2").aliases
    ({'P2': ['P1', 'P2']}, ['周建国'])
    >>> view.case.relationships[0].source, view.dropped
    ('P2', ['S1'])
    >>> view.conflicts[["actor", "field", "values"]].to_dict("records")
    [{'actor': 'P2', 'field': 'attributes.birth_date', 'values': ['1970-05-01', '1970-05-11']}]
    """
    import pandas as pd

    case = as_case_graph(graph).case
    check_decisions(case.relationships)
    clusters = same_as_clusters(case.relationships)
    degree: dict[str, int] = defaultdict(int)
    for t in case.transactions:
        degree[t.source] += 1
        degree[t.target] += 1
    for r in case.relationships:
        if r.kind not in DECISION_KINDS:
            degree[r.source] += 1
            degree[r.target] += 1
    grades: dict[str, tuple[str, int]] = {
        e.id: (e.reliability or "F", e.credibility or 6) for e in case.evidence
              if e.reliability is not None or e.credibility is not None}
    entities = {r.id: r for section in set(MATCH_TYPES.values())
                for r in getattr(case, section)}
    actor_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for ids in clusters.values():
        known = [entities[i] for i in ids if i in entities]
        actor = _representative(known, degree, grades) if known else ids[0]
        members[actor] = ids
        actor_of.update({rid: actor for rid in ids})

    conflicts: list[tuple[str, str, Any, list[Any], list[str]]] = []
    sections: dict[str, list[Any]] = {}
    node_sections = set(MATCH_TYPES.values())
    for section in node_sections:
        records = list(getattr(case, section))
        by_id = {r.id: r for r in records}
        kept = []
        for record in records:
            owner = actor_of.get(record.id)
            if owner is None:
                kept.append(record)
            elif owner == record.id:
                group = [by_id[m] for m in members[owner] if m in by_id]
                if len(group) < len(members[owner]):
                    others = sorted(set(members[owner]) - set(by_id))
                    raise _mixed_cluster(owner, others, section)
                kept.append(_merge(group, record, owner, conflicts))
        sections[section] = kept

    def point(ref: str | None) -> str | None:
        return None if ref is None else actor_of.get(ref, ref)

    dropped: list[str] = []
    transactions: list[Transaction] = []
    for t in case.transactions:
        source, target = point(t.source), point(t.target)
        if source == target:
            dropped.append(t.id)
            continue
        if (source, target, point(t.carrier)) != (t.source, t.target, t.carrier):
            t = t.model_copy(update={"source": source, "target": target,
                                     "carrier": point(t.carrier)})
        transactions.append(t)
    relationships: list[Relationship] = []
    for r in case.relationships:
        link_source, link_target = point(r.source), point(r.target)
        if link_source == link_target:
            dropped.append(r.id)
            continue
        if (link_source, link_target) != (r.source, r.target):
            r = r.model_copy(update={"source": link_source, "target": link_target})
        relationships.append(r)

    fields = {name: getattr(case, name) for name in type(case).model_fields}
    fields.update(sections)
    fields.update(id=f"{case.id}-resolved", transactions=transactions,
                  relationships=relationships,
                  title=f"{case.title} (resolved)" if case.title else "resolved")
    resolved = Case(**fields)
    view = ResolvedGraph(resolved, store=_ResolvedStore(actor_of))
    view.members = members
    view.actor_of = actor_of
    view.conflicts = pd.DataFrame.from_records(
        conflicts, columns=["actor", "field", "value", "values", "records"])
    view.dropped = dropped
    view.source = case
    return view


def _mixed_cluster(actor: str, others: list[str], section: str) -> Exception:
    from ...errors import InvalidArgument

    return InvalidArgument(
        f"same_as links join records of different kinds: {actor!r} is one of the {section} "
        f"but {', '.join(map(repr, others))} are not; remove the same_as link between them")

"""Hierarchy: who gives orders to whom, read from command ties, roles, goods and money.

Orders go down (``leads``, ``employs``), goods go down the supply chain, money goes up; the
person who owns premises stands above the person who operates them. :func:`infer_hierarchy`
weighs these clues for every pair of persons and gives each person at most one superior.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import Case
from ..store.graph import CaseGraph, as_case_graph
from .social import missing_to_none

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EVIDENCE_WEIGHTS", "TOP_ROLE", "infer_hierarchy"]

EVIDENCE_WEIGHTS: dict[str, int] = {
    "leads": 5,
    "employs": 3,
    "employs_via": 2,
    "owns_operated": 2,
    "money": 1,
    "goods": 1,
}
"""Weight of each clue that person ``u`` stands above person ``v`` (each counted once per
pair, however many records repeat it):

* ``leads``: ``u`` leads ``v`` (direct orders);
* ``employs``: ``u`` employs ``v``;
* ``employs_via``: an organization or premises that ``u`` owns or operates employs ``v``;
* ``owns_operated``: ``u`` owns premises or an organization that ``v`` operates;
* ``money``: ``v`` (or what ``v`` owns/operates) paid ``u`` (or what ``u`` owns/operates):
  money flows up;
* ``goods``: ``u`` (or what ``u`` owns/operates) shipped goods to ``v`` (or to what ``v``
  owns/operates): goods flow down.

The first four are *command* clues, the last two *flow* clues."""

COMMAND = ("leads", "employs", "employs_via", "owns_operated")

TOP_ROLE = re.compile(
    r"\b(leader|ringleader|boss|head|chief|kingpin|mastermind|organi[sz]er)\b"
    r"|老板|头目|主犯|首要分子|老大|首领",
    re.IGNORECASE,
)
"""Role texts that mark the top of a group ("leader", "boss", "head", "主犯"...)."""

_DEPUTY = re.compile(r"\b(deputy|vice|assistant|under|sub)\b|副", re.IGNORECASE)


@dataclass
class _Clues:
    """Records behind each clue that ``u`` stands above ``v``."""

    records: dict[str, list[str]] = field(default_factory=dict)
    via: dict[str, list[str]] = field(default_factory=dict)

    def add(self, clue: str, record: str, via: str | None = None) -> None:
        self.records.setdefault(clue, []).append(record)
        if via is not None:
            self.via.setdefault(clue, []).append(via)

    @property
    def strength(self) -> int:
        return sum(EVIDENCE_WEIGHTS[clue] for clue in self.records)

    @property
    def command(self) -> int:
        return sum(EVIDENCE_WEIGHTS[clue] for clue in self.records if clue in COMMAND)


def is_top_role(role: str | None) -> bool:
    """Whether a role text names the top of a group (and not a deputy)."""
    return bool(role) and bool(TOP_ROLE.search(role or "")) and not _DEPUTY.search(role or "")


def infer_hierarchy(graph: CaseGraph | Case) -> pd.DataFrame:
    """The chain of command: each person's level (0 = top) and direct superior, with reasons.

    Parameters
    ----------
    graph : CaseGraph or Case
        The case, on any store.

    Returns
    -------
    pandas.DataFrame
        One row per person: ``id``, ``name``, ``level`` (0 = top; <NA> for persons outside
        the chart: those with no command, money or goods clue to another person, and those
        whose every clue was outweighed or contradicted), ``superior`` (id or None),
        ``role``, ``status`` and ``evidence`` (the reasons, e.g. "role 'leader'; leads P-02
        (relationship R-1)" or "led by P-01 (relationship R-1)"; for a person outside the
        chart with clues, those clues, e.g. "outside the chart (clues outweighed or
        contradicted): leads P-05 (relationship R-9)"). Sorted by level, then id.

    Notes
    -----
    Scoring. For every ordered pair of persons ``(u, v)`` the clues that ``u`` stands above
    ``v`` are weighed with :data:`EVIDENCE_WEIGHTS` (leads 5, employs 3, employs through an
    owned business 2, owns what ``v`` operates 2, money from ``v`` to ``u`` 1, goods from
    ``u`` to ``v`` 1). Organizations and premises stand for the persons who own or operate
    them. ``u`` is a candidate superior of ``v`` when its score over ``v`` exceeds ``v``'s
    score over ``u``; each person takes the candidate with the largest margin (ties: the
    smaller id). A person whose role names the top (:data:`TOP_ROLE`: leader, boss, head...,
    not deputy) accepts a superior only on command clues (leads, employs, ownership), never
    on money or goods alone. When the choices form a cycle, the weakest link of the cycle is
    dropped and its person takes its next candidate. Levels count the steps up to a person
    without superior; separate groups each have their own level 0.

    Only persons are ranked; organizations and premises enter only through their owners and
    operators.

    Examples
    --------
    >>> import crimegraph as cg
    >>> case = cg.Case(
    ...     persons=[cg.Person(id="P-01", name="Zhou", role="leader"),
    ...              cg.Person(id="P-02", name="Li"), cg.Person(id="P-03", name="Wang")],
    ...     relationships=[
    ...         cg.Relationship(id="R-1", kind="leads", source="P-01", target="P-02"),
    ...         cg.Relationship(id="R-2", kind="employs", source="P-02", target="P-03")])
    >>> h = cg.infer_hierarchy(case)
    >>> h[["id", "level", "superior"]].values.tolist()
    [['P-01', 0, None], ['P-02', 1, 'P-01'], ['P-03', 2, 'P-02']]
    >>> h["evidence"].iloc[0]
    "role 'leader'; leads P-02 (relationship R-1)"
    """
    import pandas as pd

    g = as_case_graph(graph)
    nodes = g.store.node_table().sort_values("id", kind="stable")
    people = nodes[nodes["type"] == "person"]
    person_ids: list[str] = [str(p) for p in people["id"].tolist()]
    persons = set(person_ids)
    names, roles, statuses = (
        dict(zip(person_ids, map(missing_to_none, people[column].tolist()), strict=True))
        for column in ("name", "role", "status")
    )

    clues: dict[tuple[str, str], _Clues] = defaultdict(_Clues)
    links = sorted(g.store.links(kinds=["leads", "employs", "owns", "operates"]),
                   key=lambda r: r.id)
    # Who stands for an organization or premises: its owners and operators.
    controllers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    owners: dict[str, list[tuple[str, str]]] = defaultdict(list)
    operators: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rel in links:
        if rel.kind in ("owns", "operates") and rel.source in persons \
                and rel.target not in persons:
            controllers[rel.target].append((rel.source, rel.id))
            (owners if rel.kind == "owns" else operators)[rel.target].append(
                (rel.source, rel.id))

    def side(entity: str) -> list[tuple[str, str | None]]:
        if entity in persons:
            return [(entity, None)]
        return [(p, e) for p, e in controllers.get(entity, [])]

    for rel in links:
        if rel.kind not in ("leads", "employs"):
            continue
        if rel.target not in persons:
            continue
        if rel.source in persons:
            if rel.source != rel.target:
                clues[rel.source, rel.target].add(rel.kind, rel.id)
        else:
            for boss, via_rel in controllers.get(rel.source, []):
                if boss != rel.target:
                    clues[boss, rel.target].add("employs_via", rel.id,
                                                via=f"{rel.source}:{via_rel}")
    for entity in sorted(owners):
        for owner, own_rel in owners[entity]:
            for operator, op_rel in operators.get(entity, []):
                if owner != operator:
                    clues[owner, operator].add("owns_operated", f"{own_rel},{op_rel}",
                                               via=entity)

    for tx in sorted(g.store.transactions(kind="payment"), key=lambda t: t.id):
        for payer, _ in side(tx.source):
            for payee, _ in side(tx.target):
                if payer != payee:
                    clues[payee, payer].add("money", tx.id)
    table = g.store.flows("shipment")
    node_ids = table.node_ids
    shipped = sorted(zip(table.ids.tolist(), table.source.tolist(), table.target.tolist(),
                         strict=True))
    for tid, s, t in shipped:
        for sender, _ in side(node_ids[s]):
            for receiver, _ in side(node_ids[t]):
                if sender != receiver:
                    clues[sender, receiver].add("goods", str(tid))

    top_role = {p for p in person_ids if is_top_role(roles[p])}
    candidates: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (u, v), found in clues.items():
        back = clues.get((v, u))
        margin = found.strength - (back.strength if back is not None else 0)
        if margin <= 0:
            continue
        if v in top_role and found.command == 0:
            continue
        candidates[v].append((margin, u))
    for v in candidates:
        candidates[v].sort(key=lambda item: (-item[0], item[1]))

    superior = _choose_superiors(candidates)
    children: dict[str, list[str]] = defaultdict(list)
    for v, u in superior.items():
        children[u].append(v)
    in_hierarchy = set(superior) | set(children) | top_role
    level: dict[str, int] = {}
    for person in sorted(in_hierarchy):
        chain = []
        node = person
        while node not in level and node in superior:
            chain.append(node)
            node = superior[node]
        base = level.get(node, 0)
        level.setdefault(node, 0)
        for depth, member in enumerate(reversed(chain), start=1):
            level[member] = base + depth

    others: dict[str, set[str]] = defaultdict(set)
    for u, v in clues:
        others[u].add(v)
        others[v].add(u)
    rows = []
    for person in person_ids:
        parts = []
        if person in top_role:
            parts.append(f"role {roles[person]!r}")
        if person in superior:
            parts.append(_as_subordinate(person, superior[person], clues))
        parts.extend(_as_superior(person, sorted(children.get(person, [])), clues))
        if person not in in_hierarchy:
            parts.extend(_outside_the_chart(person, others.get(person, ()), clues))
        rows.append({
            "id": person,
            "name": names[person] if names[person] is not None else person,
            "level": level.get(person),
            "superior": superior.get(person),
            "role": roles[person],
            "status": statuses[person],
            "evidence": "; ".join(parts) if parts
            else "no command, money or goods ties to other persons",
        })
    frame = pd.DataFrame(rows, columns=["id", "name", "level", "superior", "role", "status",
                                        "evidence"])
    frame["level"] = frame["level"].astype("Int64")
    frame["superior"] = frame["superior"].astype(object).where(frame["superior"].notna(), None)
    frame = frame.sort_values(["level", "id"], na_position="last", ignore_index=True)
    return frame


def _choose_superiors(candidates: dict[str, list[tuple[int, str]]]) -> dict[str, str]:
    """Each person's best candidate, dropping the weakest link of every cycle until none."""
    choice = {v: 0 for v in candidates}

    def current(v: str) -> str | None:
        options = candidates[v]
        return options[choice[v]][1] if choice[v] < len(options) else None

    while True:
        superior = {v: u for v in sorted(candidates) if (u := current(v)) is not None}
        cycle = _find_cycle(superior)
        if cycle is None:
            return superior
        weakest = min(cycle, key=lambda v: (candidates[v][choice[v]][0], v))
        choice[weakest] += 1


def _find_cycle(parent: dict[str, str]) -> list[str] | None:
    state: dict[str, int] = {}
    for start in sorted(parent):
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            return path[path.index(node):]
        for member in path:
            state[member] = 2
    return None


def _ids(records: list[str], limit: int = 3) -> str:
    shown = ", ".join(records[:limit])
    return shown + (f" and {len(records) - limit} more" if len(records) > limit else "")


def _as_subordinate(person: str, boss: str, clues: dict[tuple[str, str], _Clues]) -> str:
    found = clues[boss, person].records
    via = clues[boss, person].via
    parts = []
    if "leads" in found:
        parts.append(f"led by {boss} ({_plural('relationship', found['leads'])})")
    if "employs" in found:
        parts.append(f"employed by {boss} ({_plural('relationship', found['employs'])})")
    if "employs_via" in found:
        firms = sorted({v.split(":")[0] for v in via["employs_via"]})
        parts.append(f"employed by {_ids(firms)} of {boss} "
                     f"({_plural('relationship', found['employs_via'])})")
    if "owns_operated" in found:
        parts.append(f"operates {_ids(sorted(set(via['owns_operated'])))} owned by {boss}")
    if "money" in found:
        parts.append(f"pays {boss} ({_count(found['money'], 'payment')})")
    if "goods" in found:
        parts.append(f"receives goods from {boss} ({_count(found['goods'], 'shipment')})")
    return ", ".join(parts)


def _as_superior(person: str, subordinates: list[str], clues: dict[tuple[str, str], _Clues]
                 ) -> list[str]:
    by_clue: dict[str, list[str]] = defaultdict(list)
    records: dict[str, list[str]] = defaultdict(list)
    for sub in subordinates:
        for clue, found in clues[person, sub].records.items():
            by_clue[clue].append(sub)
            records[clue].extend(found)
    parts = []
    for clue, verb in (("leads", "leads"), ("employs", "employs")):
        if clue in by_clue:
            parts.append(f"{verb} {_ids(by_clue[clue])} "
                         f"({_plural('relationship', records[clue])})")
    if "employs_via" in by_clue:
        parts.append(f"employs {_count(by_clue['employs_via'], 'subordinate')} "
                     "through a business it runs")
    if "owns_operated" in by_clue:
        parts.append(f"owns premises operated by {_count(by_clue['owns_operated'], 'subordinate')}")
    if "money" in by_clue:
        parts.append(f"receives payments from {_count(by_clue['money'], 'subordinate')}")
    if "goods" in by_clue:
        parts.append(f"ships goods to {_count(by_clue['goods'], 'subordinate')}")
    return parts


def _outside_the_chart(person: str, others: Iterable[str],
                       clues: dict[tuple[str, str], _Clues]) -> list[str]:
    """Why a person with clues has no place in the chart: each was outweighed by a stronger
    superior of the other person, or met by as strong clues the other way."""
    parts = []
    for other in sorted(others):
        if (person, other) in clues:
            parts.extend(_as_superior(person, [other], clues))
        if (other, person) in clues:
            parts.append(_as_subordinate(person, other, clues))
    if not parts:
        return []
    return ["outside the chart (clues outweighed or contradicted): " + "; ".join(parts)]


def _plural(word: str, records: list[str]) -> str:
    return f"{word}{'s' if len(records) > 1 else ''} {_ids(records)}"


def _count(items: list[str], word: str) -> str:
    return f"{len(items)} {word}{'s' if len(items) != 1 else ''}"

"""The crimegraph exception family.

Every error the library raises on purpose derives from :class:`CrimeGraphError`, so an
analyst can catch "anything crimegraph complained about" with one ``except`` clause.
Messages name the offending value, where it was found and what to do next.
"""

from __future__ import annotations

import difflib
import itertools
import re
import reprlib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CaseFileError",
    "CrimeGraphError",
    "EntityNotFound",
    "InvalidArgument",
    "InvalidCase",
    "InvalidSource",
    "MappingError",
    "MissingExtra",
    "NameIndex",
    "Problem",
    "SourceProblem",
    "StoreError",
    "StoreUnavailable",
    "WrongArgumentType",
    "close_matches",
]


class CrimeGraphError(Exception):
    """Root of every error raised by crimegraph."""


class InvalidArgument(CrimeGraphError, ValueError):
    """An argument has a value the function cannot use (an unknown option, a window that ends
    before it starts); the message names the argument, the value and what is allowed.

    Also a ``ValueError``, so code that catches the built-in keeps working."""


class WrongArgumentType(CrimeGraphError, TypeError):
    """An argument has the wrong type (one id as a string where a list of ids is expected...);
    the message names the argument and the value.

    Also a ``TypeError``, so code that catches the built-in keeps working."""


@dataclass(frozen=True)
class Problem:
    """One rejected value inside a case: which record, which field, what value, why.

    Attributes
    ----------
    section : str
        The list of the case the record belongs to (``"transactions"``, ``"persons"``...),
        or ``"case"`` for case-level fields.
    index : int or None
        Position of the record in that list (0-based), when known.
    record_id : str or None
        The record's ``id``, when it has a readable one.
    field : str
        Dotted field path inside the record (``"quantity"``, ``"evidence.1"``).
    value : Any
        The offending value as it was given.
    message : str
        Why the value was rejected, in analyst words.
    """

    section: str
    index: int | None
    record_id: str | None
    field: str
    value: Any
    message: str

    def where(self) -> str:
        """Where the problem is, e.g. ``transactions[3] (id 'T-0004')``."""
        place = self.section if self.index is None else f"{self.section}[{self.index}]"
        if self.record_id is not None:
            place += f" (id {self.record_id!r})"
        return place

    def __str__(self) -> str:
        value = _short_repr(self.value)
        return f"{self.where()} field {self.field!r} = {value}: {self.message}"


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxtuple, _REPR.maxset = 3, 4, 4, 4, 4
_REPR.maxstring = _REPR.maxother = 80


def _short_repr(value: Any, limit: int = 80) -> str:
    """A repr of at most ``limit`` characters, for any value (huge, deep or unprintable)."""
    try:
        if isinstance(value, str):
            text = repr(value[:limit])
        elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
            digits = int(value.bit_length() * 0.30103) + 1
            text = f"<{'-' if value < 0 else ''}integer of about {digits:,} digits>"
        elif isinstance(value, (list, tuple, dict, set, frozenset)):
            text = _REPR.repr(value)
        else:
            text = repr(value)
    except Exception:  # a value whose repr fails still names its type
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


SHOWN_PROBLEMS = 20
"""How many problems an :class:`InvalidCase` message lists in full (the rest are counted)."""
SHOWN_KINDS = 10
"""How many kinds of further problems the message counts, the most frequent first."""

_VARYING = re.compile(r"'[^']*'|\d+")


def problem_kind(problem: Problem) -> str:
    """What a problem is, without which record: ``transactions 'source' unknown ... id``.

    Quoted values and numbers in the field and message are replaced by ``…``/``N`` so that
    the same mistake in many records counts as one kind.
    """
    field = re.sub(r"\d+", "N", problem.field)
    message = _VARYING.sub(lambda m: "N" if m.group()[0].isdigit() else "…", problem.message)
    return f"{problem.section} {field!r} {message}"


class InvalidCase(CrimeGraphError, ValueError):
    """A case was rejected; :attr:`problems` lists every problem found, not just the first.

    The message lists the first :data:`SHOWN_PROBLEMS` problems in full, then counts the
    others by kind (section, field and reason), so that it stays short however many records
    are wrong; :attr:`problems` always holds every one of them.

    Parameters
    ----------
    problems : sequence of Problem
        Every problem found in the case.
    source : str, optional
        Where the case came from (a file path), included in the message.
    """

    def __init__(self, problems: Sequence[Problem], *, source: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        self.source = source
        super().__init__(self._message())

    def _message(self) -> str:
        origin = f" in {self.source}" if self.source else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"case rejected{origin}: {count:,} {noun} found; nothing was loaded"]
        lines += [f"  - {problem}" for problem in self.problems[:SHOWN_PROBLEMS]]
        rest = self.problems[SHOWN_PROBLEMS:]
        if rest:
            kinds = Counter(map(problem_kind, rest)).most_common()
            lines.append(f"  ... and {len(rest):,} more (all in .problems):")
            lines += [f"    {n:,} × {kind}" for kind, n in kinds[:SHOWN_KINDS]]
            others = kinds[SHOWN_KINDS:]
            if others:
                lines.append(f"    {sum(n for _, n in others):,} × {len(others):,} other kinds")
        lines.append("Fix every listed record and load the case again.")
        return "\n".join(lines)


@dataclass(frozen=True)
class SourceProblem:
    """One problem found while ingesting an agency export: which file, row and column, why.

    ``row`` is the row as a spreadsheet program shows it (the header is row 1), or None for a
    problem with the whole file (a missing column, an empty file, an unknown column).
    """

    source: str
    row: int | None
    column: str | None
    value: Any
    message: str

    def __str__(self) -> str:
        place = self.source if self.row is None else f"{self.source} row {self.row}"
        if self.column:
            place += f" column {self.column!r}"
        value = "" if self.value is None else f" = {_short_repr(self.value)}"
        return f"{place}{value}: {self.message}"


class InvalidSource(CrimeGraphError, ValueError):
    """Agency exports had problems; :attr:`problems` lists every one, in every file.

    Raised by :func:`~crimegraph.ingest` with ``strict=True`` (the default). The message lists
    the first :data:`SHOWN_PROBLEMS` in full and counts the rest by kind; ``strict=False``
    loads the good rows instead and returns the problems with them.
    """

    def __init__(self, problems: Sequence[SourceProblem], *, loaded: bool = False) -> None:
        self.problems: list[SourceProblem] = list(problems)
        self.loaded = loaded
        super().__init__(self._message())

    def _message(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        files = len({p.source for p in self.problems})
        lines = [f"ingest rejected: {count:,} {noun} in {files:,} "
                 f"{'file' if files == 1 else 'files'}; nothing was loaded"]
        lines += [f"  - {problem}" for problem in self.problems[:SHOWN_PROBLEMS]]
        rest = self.problems[SHOWN_PROBLEMS:]
        if rest:
            kinds = Counter(
                f"{p.source} {p.column!r}: "
                + _VARYING.sub(lambda m: "N" if m.group()[0].isdigit() else "…", p.message)
                for p in rest
            ).most_common()
            lines.append(f"  ... and {len(rest):,} more (all in .problems):")
            lines += [f"    {n:,} × {kind}" for kind, n in kinds[:SHOWN_KINDS]]
            others = kinds[SHOWN_KINDS:]
            if others:
                lines.append(f"    {sum(n for _, n in others):,} × {len(others):,} other kinds")
        lines.append("Fix the files (or the mapping), or pass strict=False to load the good rows "
                     "and get the problems back.")
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """The problems as a pandas DataFrame (source, row, column, value, message)."""
        from .io.sources.engine import problems_frame

        return problems_frame(self.problems)


class MappingError(CrimeGraphError, ValueError):
    """A mapping for agency exports is unknown, unreadable or inconsistent."""


class MissingExtra(CrimeGraphError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it
    (``pip install 'crimegraph[ftm]'``)."""


class CaseFileError(CrimeGraphError, ValueError):
    """A case file could not be read (missing, malformed JSON, wrong top-level shape)."""


class EntityNotFound(CrimeGraphError, KeyError):
    """An id that the case does not contain; the message suggests close matches.

    Parameters
    ----------
    entity_id : str
        The id that was asked for.
    known : iterable of str, optional
        Ids that do exist, used to suggest close matches.
    where : str, optional
        What was searched (a case or store description).
    names : mapping of str to list of str, optional
        Id -> the names (and aliases) it is known by. A word that is someone's name, or
        close to one, suggests that id, and every suggestion shows its name.

    Examples
    --------
    >>> from crimegraph.errors import EntityNotFound
    >>> print(EntityNotFound("w-den-01", ["W-DEN-01", "SHOP-17"],
    ...                      names={"W-DEN-01": ["兴隆庄村调配窝点"]}))
    no entity with id 'w-den-01'; did you mean 'W-DEN-01' (兴隆庄村调配窝点)?
    >>> print(EntityNotFound("兴隆庄", ["W-DEN-01"], names={"W-DEN-01": ["兴隆庄村调配窝点"]}))
    no entity with id '兴隆庄'; did you mean 'W-DEN-01' (兴隆庄村调配窝点)?
    """

    def __init__(
        self, entity_id: str, known: Iterable[str] = (), *, where: str | None = None,
        names: Mapping[str, Sequence[str]] | NameIndex | None = None,
    ) -> None:
        self.entity_id = entity_id
        word = str(entity_id)
        by_id = close_matches(word, known)
        if names is not None and not isinstance(names, NameIndex):
            names = NameIndex(names)
        by_name = names.matches(word) if names is not None else []
        self.suggestions = list(dict.fromkeys([*by_name[:1], *by_id, *by_name]))[:3]
        place = f" in {where}" if where else ""
        message = f"no entity with id {entity_id!r}{place}"
        if self.suggestions:
            shown = []
            for rid in self.suggestions:
                called = names.name(rid) if names is not None else None
                shown.append(f"{rid!r} ({called})" if called and called != rid else repr(rid))
            message += "; did you mean " + ", ".join(shown) + "?"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the whole message otherwise
        return str(self.args[0])


_LONGEST_ID = 200
"""The longest id a record may have (see ``model.entities.EntityId``)."""
_FEW = 2_000
"""Up to this many ids (or candidates) are compared one by one with :mod:`difflib`."""
_SAMPLE = 1_000
_COMPARED = 500
"""At most this many ids sharing a start with the word are compared, when none is one typo
away."""
_LOOK_ALIKE = {frozenset(pair) for pair in ("O0", "o0", "l1", "I1", "i1", "S5", "B8", "Z2",
                                            "-_", "-.", " -", " _")}


class NameIndex:
    """The names (and aliases) records are known by, ready for :class:`EntityNotFound`.

    Built once per case or store (a dictionary pass over the names), so that every later
    mistyped id is matched against names in a few milliseconds, even among 100,000 places.

    Parameters
    ----------
    names : mapping of str to list of str
        Record id -> its name first, then its aliases.
    """

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        self.names = names
        self._ids: dict[str, list[str]] = {}
        for rid, called in names.items():
            for name in called:
                if name:
                    self._ids.setdefault(name.casefold(), []).append(rid)
        self._forms = list(self._ids)
        self._joined = "\n".join(self._forms)  # one text to search for parts of names
        self._starts: list[int] = list(itertools.accumulate(
            (len(form) + 1 for form in self._forms), initial=0))

    def name(self, rid: str) -> str | None:
        """The first name of ``rid``, if it has one."""
        called = self.names.get(rid) or []
        return called[0] if called else None

    def matches(self, word: str, n: int = 3) -> list[str]:
        """Ids whose name or alias is ``word`` (any letter case), contains it, or looks
        like it (the last only among a few thousand names)."""
        import bisect

        folded = word.strip().casefold()
        if not folded or "\n" in folded:
            return []
        found = list(self._ids.get(folded, []))
        if len(folded) >= 2 and len(found) < n:
            for hit in re.finditer(re.escape(folded), self._joined):
                line = bisect.bisect_right(self._starts, hit.start()) - 1
                found += self._ids[self._forms[line]]
                if len(set(found)) >= n:
                    break
        if len(set(found)) < n and len(self._forms) <= _FEW:
            found += [rid for form in difflib.get_close_matches(folded, self._forms, n=n,
                                                                 cutoff=0.6)
                      for rid in self._ids[form]]
        return list(dict.fromkeys(found))[:n]


def close_matches(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` ids of ``known`` that look like ``word``, the closest first.

    Among a few thousand ids every one is compared (:func:`difflib.get_close_matches`,
    cutoff 0.5). Among more, the time stays a fraction of a second at a million ids: the ids
    one typo away (another letter case, a look-alike character such as O for 0, two
    characters swapped, one missing, added or changed) are looked up directly, in that order
    of preference; only if there is none are the ids compared that share the longest start
    with ``word`` that a sample shows to be rare enough (the first 500 of them at most).
    """
    pool: Collection[str] = known if isinstance(known, Collection) else list(known)
    if len(pool) <= _FEW:  # compared without regard to letter case ("shop-17", "SHOP-17")
        by_folded: dict[str, str] = {}
        for key in pool:
            by_folded.setdefault(key.casefold(), key)
        return [by_folded[key] for key in
                difflib.get_close_matches(word.casefold(), list(by_folded), n=n, cutoff=0.5)]
    sample = list(itertools.islice(pool, _SAMPLE))
    # Ids are at most 200 characters: a longer word (pasted text) is one typo from none.
    near = _one_typo_away(word, sample) if len(word) <= _LONGEST_ID + 1 else {}
    if isinstance(pool, (AbstractSet, Mapping)):
        hits = [candidate for candidate in near if candidate in pool]
    else:  # one C-level pass instead of building a set of a million ids
        hits = list(filter(near.__contains__, pool))
    if hits:
        matcher = difflib.SequenceMatcher(b=word)

        def rank(candidate: str) -> tuple[int, float]:
            matcher.set_seq1(candidate)
            return near[candidate], -matcher.ratio()

        return sorted(set(hits), key=rank)[:n]
    return difflib.get_close_matches(word, _same_start(word, pool, sample), n=n, cutoff=0.5)


def _one_typo_away(word: str, sample: list[str]) -> dict[str, int]:
    """Strings one edit from ``word``, each with its rank (lower: the likelier typo)."""
    alphabet = set(word).union(*map(set, sample[:200])) | set(word.upper() + word.lower())
    if len(alphabet) > 80:  # only the characters ids are made of are worth trying
        alphabet = set().union(*map(set, sample[:200])) or alphabet
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found: dict[str, int] = {}

    def add(candidates: Iterable[str], rank: int) -> None:
        for candidate in candidates:
            found.setdefault(candidate, rank)

    add((word.upper(), word.lower(), word.strip(), word.casefold()), 0)
    add((a + c + b[1:] for a, b in splits if b for c in alphabet
         if frozenset((b[0], c)) in _LOOK_ALIKE), 1)
    add((a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1), 2)
    add((a + b[1:] for a, b in splits if b), 3)
    add((a + c + b for a, b in splits for c in alphabet), 3)
    add((a + c + b[1:] for a, b in splits if b for c in alphabet), 3)
    found.pop(word, None)
    return found


def _same_start(word: str, pool: Collection[str], sample: list[str]) -> list[str]:
    """At most ``_COMPARED`` ids that share the longest start with ``word`` that few share."""
    if not word or not sample:
        return []
    scale = len(pool) / len(sample)
    length = 1
    while length < len(word):  # the shortest start the sample shows to be rare enough
        start = word[:length]
        if sum(1 for key in sample if key.startswith(start)) * scale <= _FEW:
            break
        length += 1
    # One C-level search over the ids joined by line breaks (ids hold none) is several times
    # quicker than a call per id.
    text = "\n" + "\n".join(pool)
    for size in (length, length - 1):
        if size < 1:
            break
        pattern = re.compile(re.escape("\n" + word[:size]) + r"[^\n]*")
        found = [hit.group()[1:] for hit in itertools.islice(pattern.finditer(text), _COMPARED)]
        if found:
            return found
    return []


class StoreError(CrimeGraphError):
    """A store operation failed; the message describes the store and what was attempted."""


class StoreUnavailable(StoreError, ConnectionError):
    """The store (for example a Neo4j server) cannot be reached."""

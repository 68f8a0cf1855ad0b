"""The crimegraph exception family.

Every error the library raises on purpose derives from :class:`CrimeGraphError`, so an
analyst can catch "anything crimegraph complained about" with one ``except`` clause.
Messages name the offending value, where it was found and what to do next.
"""

from __future__ import annotations

import difflib
import re
import reprlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CaseFileError",
    "CrimeGraphError",
    "EntityNotFound",
    "InvalidCase",
    "Problem",
    "StoreError",
    "StoreUnavailable",
]


class CrimeGraphError(Exception):
    """Root of every error raised by crimegraph."""


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
    """

    def __init__(
        self, entity_id: str, known: Iterable[str] = (), *, where: str | None = None
    ) -> None:
        self.entity_id = entity_id
        self.suggestions = difflib.get_close_matches(str(entity_id), list(known), n=3, cutoff=0.5)
        place = f" in {where}" if where else ""
        message = f"no entity with id {entity_id!r}{place}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the whole message otherwise
        return str(self.args[0])


class StoreError(CrimeGraphError):
    """A store operation failed; the message describes the store and what was attempted."""


class StoreUnavailable(StoreError, ConnectionError):
    """The store (for example a Neo4j server) cannot be reached."""

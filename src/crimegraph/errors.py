"""The crimegraph exception family.

Every error the library raises on purpose derives from :class:`CrimeGraphError`, so an
analyst can catch "anything crimegraph complained about" with one ``except`` clause.
Messages name the offending value, where it was found and what to do next.
"""

from __future__ import annotations

import difflib
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


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InvalidCase(CrimeGraphError, ValueError):
    """A case was rejected; :attr:`problems` lists every problem found, not just the first.

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
        lines = [f"case rejected{origin}: {count} {noun} found; nothing was loaded"]
        lines += [f"  - {problem}" for problem in self.problems]
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

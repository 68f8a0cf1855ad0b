"""Entity resolution: find the records that are one actor, review them, and analyse the case
with each actor once.

- :mod:`.features`: normal forms of names, phones, ids, dates, addresses, organization names;
- :mod:`.records`: the comparison table of a case's records;
- :mod:`.scoring`: blocking rules and the Fellegi-Sunter model (Splink on DuckDB);
- :mod:`.matches`: :func:`find_matches` and the :class:`Matches` review table;
- :mod:`.decisions`: ``same_as`` clusters and the check that decisions do not contradict;
- :mod:`.view`: :func:`resolve`, the view with each ``same_as`` cluster as one actor;
- :mod:`.synthetic`: generated multi-agency records with known truth, to measure all this.
"""

from __future__ import annotations

from .matches import Matches, find_matches
from .view import ResolvedGraph, resolve

__all__ = ["Matches", "ResolvedGraph", "find_matches", "resolve"]

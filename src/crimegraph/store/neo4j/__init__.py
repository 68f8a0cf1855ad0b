"""The Neo4j store: the same case, and the same answers, in a Neo4j database.

Several cases can live in one database without seeing each other. Loading is idempotent and
all-or-nothing for readers: a load writes a new generation of the case's data and publishes it
in one final transaction, so a load that fails halfway leaves the previous state visible.

Loads and deletes of one case id may run at the same time, from any number of processes; the
case's node in the database puts them in one order. A load first claims the case for its
generation; a later load's claim, or a delete, supersedes it, and the superseded load fails
with :class:`~crimegraph.StoreError` and publishes nothing. Every write addresses only nodes
of its own generation, so nothing ever lands in another case. Every read checks that the
generation it read is still the published one.

One concept per module:

- :mod:`.store`: :class:`Neo4jStore`, the store's questions;
- :mod:`.connection`: the driver, retried transactions, errors, the open case;
- :mod:`.load`: loading (write batches on several sessions, claim, publish, clean-up);
- :mod:`.codec`: records to node and link properties, and back;
- :mod:`.packs`: the places' packed flow lists, written by a load and read by a walk;
- :mod:`.trace`: the walk, in the server's procedure or level by level;
- :mod:`.summary`: the case summary aggregated in the database;
- :mod:`.cypher`: every Cypher text the store sends, and the data layout.
"""

from __future__ import annotations

from .packs import ADJACENCY_DTYPE
from .store import Neo4jStore

__all__ = ["ADJACENCY_DTYPE", "Neo4jStore"]

"""Every Cypher text the Neo4j store sends, in one place.

Values always travel as query parameters. The only text ever formatted into a query is a node
label or relationship type, and only from the fixed whitelists below (never user input).

Layout in the database
----------------------
- ``(:CGCase {id, ck, status, record, loading, beat})``: one node per stored case; ``ck`` names
  the generation of the case's data that readers see (the published one; ``status`` is
  ``'ready'`` then), ``loading`` the generation a load is writing now and ``beat`` when that
  load last reported (milliseconds since the epoch). Claiming, publishing and deleting write
  this node first, so the server's lock on it puts them in one order per case.
- ``(:CGEntity:<Label> {ck, case_id, id, seq, section, record, ...})``: persons, organizations,
  premises, products and evidence. ``record`` is the record's JSON (lossless); other properties
  are there for Cypher users and indexes. Places also carry ``nidx`` (their position among the
  case's places; ``(ck, nidx)`` is the key by which loads, packed lists and walks address a
  place), and those with flows their packed flow lists per flow kind and direction (shipments:
  ``out_*`` and ``in_*``; payments: ``pay_out_*`` and ``pay_in_*``; each ``blob``, ``ids``,
  ``live``, ``names``, ``hops``; see ``ADJACENCY_DTYPE``; ids and element ids as UTF-8 bytes,
  each ended by a newline) that a walk reads for the places it reaches: in one call of the
  server-side procedure ``crimegraph.trace`` where the server has it, else level by level,
  one query per level. The procedure jumps to a far end by the element id its list gives
  (``hops``), and takes the node only when its ``(ck, nidx)`` is the one the list names;
  the level-by-level walk reads places by their key (measured no slower than by element id,
  and it need not carry the element ids over Bolt).
  The case node lists the case's products and payment currencies in the order the packed
  lists number them (``products``, ``currencies``).
- ``(a)-[:SHIPMENT|PAYMENT|<RELATIONSHIP KIND> {ck, id, seq, ...}]->(b)``: transactions
  and relationships. Their properties hold every field of a plain link (no notes, evidence,
  attributes or reference, times in the case's time zone); others also carry ``record``, the
  record's JSON.
"""

from __future__ import annotations

from ...model.links import RELATIONSHIP_KINDS
from ...model.registry import RECORD_TYPES

__all__ = [
    "ALL_FLOWS", "LINK_TYPES", "NODE_LABELS", "PACK_SIDES", "create_links", "create_nodes",
    "pack_side", "schema_statements", "trace_start", "trace_step",
]

NODE_LABELS: dict[str, str] = {t.section: t.label for t in RECORD_TYPES if not t.link}
"""Case section -> node label, for the records stored as nodes (from the record-type
registry, :mod:`crimegraph.model.registry`)."""

LINK_TYPES: dict[str, str] = {
    "shipment": "SHIPMENT",
    "payment": "PAYMENT",
    **{kind: kind.upper() for kind in RELATIONSHIP_KINDS},
}
"""Transaction or relationship kind -> relationship type."""


LAYOUT = 6
"""Version of the data layout described above, stored on each case node (``layout``)."""


def schema_statements() -> list[str]:
    """Constraints and indexes the store needs (each runs in its own transaction)."""
    statements = [
        "CREATE CONSTRAINT cg_case_id IF NOT EXISTS FOR (c:CGCase) REQUIRE c.id IS UNIQUE",
        "CREATE CONSTRAINT cg_entity_key IF NOT EXISTS "
        "FOR (n:CGEntity) REQUIRE (n.ck, n.id) IS UNIQUE",
        "CREATE CONSTRAINT cg_entity_place IF NOT EXISTS "
        "FOR (n:CGEntity) REQUIRE (n.ck, n.nidx) IS UNIQUE",
        "CREATE INDEX cg_entity_case IF NOT EXISTS FOR (n:CGEntity) ON (n.case_id)",
    ]
    for rel_type in LINK_TYPES.values():
        name = rel_type.lower()
        statements.append(
            f"CREATE INDEX cg_rel_{name} IF NOT EXISTS FOR ()-[r:{rel_type}]-() ON (r.ck, r.id)"
        )
    return statements


def _label(section: str) -> str:
    return NODE_LABELS[section]  # KeyError for anything outside the whitelist


def _rel_type(kind: str) -> str:
    return LINK_TYPES[kind]


NODE_STEP = "UNWIND $rows AS row CREATE (n:CGEntity:"
"""How every node-writing query starts (the loader writes nodes before links)."""

RETURNS_COUNT = " RETURN count(*) AS written"
"""Ends a writing query: how many rows it wrote (the loader checks it against the batch)."""


def create_nodes(section: str) -> str:
    # "+=" rather than "=": the planner needs no eager buffering for it (about 20% faster).
    return f"{NODE_STEP}{_label(section)}) SET n += row{RETURNS_COUNT}"


LINK_SECTION = ("CASE WHEN type(r) IN ['SHIPMENT', 'PAYMENT'] THEN 'transactions' "
                "ELSE 'relationships' END")
"""A link's case section, from its type (links do not store it)."""

LINK_KIND = "toLower(type(r))"
"""A link's kind, from its type (links do not store it)."""

LINK_COLUMNS: dict[str, tuple[str, ...]] = {
    "transactions": ("ts", "product", "quantity", "amount", "currency", "carrier"),
    "relationships": ("weight", "since", "until"),
}
"""The per-link properties besides ``ck``, ``id``, ``seq`` and ``record``; ``currency`` is
left out when it is the default, CNY."""


def create_links(kind: str, section: str) -> str:
    """Links of one kind from parameter columns (``$a``/``$b``: endpoints, by ``nidx``).

    Columns of plain values encode and decode far faster over Bolt than a map per link. A
    null value sets nothing. Endpoints are looked up by the generation's own key ``(ck,
    nidx)``, so a link never lands outside the generation being written: when a delete or a
    later load removed the generation's places, the lookups find nothing and the count
    returned falls short of the batch.
    """
    sets = ", ".join(f"r.{name} = ${name}[i]"
                     for name in ("id", "seq", *LINK_COLUMNS[section], "record"))
    return (
        "UNWIND range(0, size($id) - 1) AS i "
        "MATCH (a:CGEntity {ck: $ck, nidx: $a[i]}) "
        "MATCH (b:CGEntity {ck: $ck, nidx: $b[i]}) "
        f"CREATE (a)-[r:{_rel_type(kind)}]->(b) "
        f"SET r.ck = $ck, {sets}" + RETURNS_COUNT
    )


PLACE_ELEMENT_IDS = (
    "MATCH (n:CGEntity {ck: $ck}) WHERE n.nidx IS NOT NULL "
    "RETURN n.nidx AS nidx, elementId(n) AS eid"
)
"""The element id of each place of a generation (its packed lists name the far ends they
jump to by element id)."""

SET_PACKS = ("UNWIND $rows AS row MATCH (n:CGEntity {ck: $ck, nidx: row.nidx}) "
             "SET n += row.props" + RETURNS_COUNT)
"""Writes the places' packed shipment lists (after every node of the load exists)."""

CLAIM_CASE = (
    "MERGE (c:CGCase {id: $id}) ON CREATE SET c.status = 'new' "
    "SET c.loading = $ck, c.beat = timestamp()"
)
"""A load announces the generation it is about to write; a later claim supersedes it."""

BEAT = (
    "MATCH (c:CGCase {id: $id}) WHERE c.loading = $ck SET c.beat = timestamp() "
    "RETURN count(c) AS live"
)
"""A load says it is still running (0 rows: it was superseded, or the case was deleted)."""

LOCK_CASE = (
    "OPTIONAL MATCH (c:CGCase {id: $id}) "
    "FOREACH (x IN CASE WHEN c IS NULL THEN [] ELSE [c] END | SET x.lock_ = true REMOVE x.lock_) "
    "RETURN c IS NOT NULL AS exists, c.status AS status, c.ck AS ck, c.loading AS loading, "
    "c.beat AS beat, timestamp() AS now"
)
"""Takes the case node's write lock (held until the transaction ends), then reads its state:
whatever it reads is what publishing, claiming and deleting leave, never a mix."""

PUBLISH_CASE = (
    "MATCH (c:CGCase {id: $id}) WHERE c.loading = $ck "
    "WITH c, c.ck AS previous "
    "SET c.loading = null, c.beat = null, c.ck = $ck, c.status = 'ready', c.record = $record, "
    "c.title = $title, c.timezone = $timezone, c.products = $products, "
    "c.currencies = $currencies, c.node_count = $node_count, "
    "c.layout = $layout "
    "RETURN previous"
)
"""Publishes a loaded generation, only if no later load claimed the case and no delete
cleared the claim meanwhile (else it returns no row; run after LOCK_CASE)."""

CASE_INFO = (
    "MATCH (c:CGCase {id: $id}) WHERE c.status = 'ready' "
    "RETURN c.ck AS ck, c.record AS record, c.timezone AS timezone, c.products AS products, "
    "c.currencies AS currencies, c.layout AS layout"
)

LIST_CASES = (
    "MATCH (c:CGCase) WHERE c.status = 'ready' RETURN c.id AS id, c.title AS title ORDER BY id"
)

PURGE = (
    "MATCH (n:CGEntity) WHERE n.case_id = $id AND NOT n.ck IN $keep "
    "WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
)
"""One batch of a case's data outside the generations in ``$keep`` (run after LOCK_CASE)."""

PURGE_GENERATION = (
    "MATCH (n:CGEntity {ck: $ck}) WITH n LIMIT $limit DETACH DELETE n "
    "RETURN count(*) AS deleted"
)
"""One batch of one generation's data (a failed load removing what it wrote)."""

CLEAR_CLAIM = (
    "MATCH (c:CGCase {id: $id}) WHERE c.loading = $ck SET c.loading = null, c.beat = null"
)
"""Takes the claim from a load that stopped renewing it (vacuum)."""

MARK_DELETED = (
    "MATCH (c:CGCase {id: $id}) "
    "SET c.status = 'deleting', c.ck = null, c.loading = null, c.beat = null"
)
"""The first step of a delete: readers and a running load of the case see it gone at once."""

DROP_CASE_NODE = (
    "MATCH (c:CGCase {id: $id}) WHERE c.status <> 'ready' AND c.loading IS NULL DELETE c"
)
"""The last step of a delete or vacuum (kept when a new load claimed the case meanwhile)."""

INVENTORY = (
    "MATCH (n:CGEntity) WITH n.case_id AS case_id, n.ck AS generation, count(*) AS nodes "
    "OPTIONAL MATCH (c:CGCase {id: case_id}) "
    "RETURN case_id, generation, nodes, c.status AS status, c.ck AS published, "
    "c.loading AS loading, c.beat AS beat, timestamp() AS now "
    "UNION ALL "
    "MATCH (c:CGCase) WHERE NOT EXISTS { MATCH (n:CGEntity) WHERE n.case_id = c.id } "
    "RETURN c.id AS case_id, null AS generation, 0 AS nodes, c.status AS status, "
    "c.ck AS published, c.loading AS loading, c.beat AS beat, timestamp() AS now"
)
"""Every generation of data in the database, with the state of its case node."""

NODE_RECORDS = (
    "MATCH (n:CGEntity {ck: $ck}) WHERE n.id IN $ids "
    "RETURN n.id AS id, n.section AS section, n.record AS record"
)

ALL_NODE_RECORDS = (
    "MATCH (n:CGEntity {ck: $ck}) RETURN n.section AS section, n.seq AS seq, n.record AS record"
)

LINK_FIELDS = (
    f"{LINK_SECTION} AS section, r.seq AS seq, r.record AS record, "
    "CASE WHEN r.record IS NULL THEN "
    f"{{source: startNode(r).id, target: endNode(r).id, kind: {LINK_KIND}, "
    "props: properties(r)} END AS plain"
)
"""What every query returning links returns: a link without ``record`` JSON is a plain one,
rebuilt from its properties and endpoints."""

ALL_LINK_RECORDS = f"MATCH (a:CGEntity {{ck: $ck}})-[r]->() RETURN {LINK_FIELDS}"

ALL_IDS = (
    "MATCH (n:CGEntity {ck: $ck}) RETURN n.id AS id "
    "UNION ALL MATCH (:CGEntity {ck: $ck})-[r]->() RETURN r.id AS id"
)

NODE_TABLE = (
    "MATCH (n:CGEntity {ck: $ck}) WHERE n.section IN $places "
    "RETURN n.id AS id, n.type AS type, n.name AS name, n.province AS province, "
    "n.city AS city, n.role AS role, n.status AS status, n.kind AS kind, n.uses AS uses "
    "ORDER BY n.nidx"
)

NAME_ROWS = (
    "MATCH (n:CGEntity {ck: $ck}) WHERE n.section IN $sections "
    "RETURN n.section AS section, n.id AS id, n.name AS name, "
    "CASE WHEN n.section = 'persons' THEN n.record END AS record ORDER BY n.seq"
)
"""Names of the records an id can be mistyped for; persons' records for their aliases."""

ALL_FLOWS: dict[str, str] = {
    "shipment": (
        "MATCH (a:CGEntity {ck: $ck})-[r:SHIPMENT]->(b) "
        "RETURN r.id AS id, a.id AS source, b.id AS target, r.ts AS ts, r.product AS item, "
        "r.quantity AS quantity, r.amount AS amount ORDER BY r.ts, r.seq"
    ),
    "payment": (
        "MATCH (a:CGEntity {ck: $ck})-[r:PAYMENT]->(b) "
        "RETURN r.id AS id, a.id AS source, b.id AS target, r.ts AS ts, "
        "coalesce(r.currency, 'CNY') AS item, r.quantity AS quantity, r.amount AS amount "
        "ORDER BY r.ts, r.seq"
    ),
}
"""Every flow of one kind, in the case's time order (ties in case-file order)."""

PACK_SIDES: dict[str, tuple[str, str]] = {
    "shipment": ("out", "in"), "payment": ("pay_out", "pay_in"),
}
"""Property prefixes of the packed lists per flow kind: (downstream, upstream)."""


def pack_side(kind: str, direction: str) -> str:
    """The property prefix of a place's packed ``kind`` list walked in ``direction``."""
    out, into = PACK_SIDES[kind]  # KeyError for anything outside the whitelist
    return out if direction == "downstream" else into

def _pack_columns(side: str) -> str:
    # collect() skips nulls: every collected value is non-null, so the lists line up.
    return (
        f"RETURN collect(n.nidx) AS nid, collect(n.id) AS id, "
        f"collect(coalesce(n.{side}_blob, $no_blob)) AS blob, "
        f"collect(coalesce(n.{side}_ids, $no_blob)) AS ids, "
        f"collect(coalesce(n.{side}_live, 0)) AS live, "
        f"collect(coalesce(n.{side}_names, $no_blob)) AS names"
    )


def trace_start(kind: str, direction: str) -> str:
    """The start places of a walk, with their packed ``kind`` lists in that direction (a
    start that is no place has no lists: it is left out)."""
    side = pack_side(kind, direction)
    return (f"MATCH (n:CGEntity {{ck: $ck}}) WHERE n.id IN $ids AND n.nidx IS NOT NULL "
            f"{_pack_columns(side)}")


def trace_step(kind: str, direction: str) -> str:
    """The next places of a walk (by ``nidx``), with their packed ``kind`` lists."""
    side = pack_side(kind, direction)
    return f"MATCH (n:CGEntity {{ck: $ck}}) WHERE n.nidx IN $nids {_pack_columns(side)}"


TRACE_PROCEDURE = "crimegraph.trace"
"""The server-side trace (a Neo4j plugin built from ``tools/neo4j``), when installed."""

FIND_TRACE_PROCEDURE = (
    "SHOW PROCEDURES YIELD name, description WHERE name = $name RETURN description"
)

SERVER_TRACE = (
    f"CALL {TRACE_PROCEDURE}($ck, $kind, $starts, $upstream, $items, $since, $until, "
    "$min_amount, $ids) "
    "YIELD found, sections, layout, stale, nodes, levels, shipments, columns, timeBase, ids, "
    "places, micros, readMicros"
)
"""A whole walk in one call of the server-side procedure (see ``Neo4jStore.walk_flows``),
with the sections of the start and product ids (``$ids``) found among the case's nodes."""


SUMMARY_NODES = (
    "MATCH (n:CGEntity {ck: $ck}) "
    "RETURN n.section AS section, n.status AS status, n.province AS province, "
    "n.uses AS uses, count(*) AS n"
)

SUMMARY_TRANSACTIONS = (
    "MATCH (:CGEntity {ck: $ck})-[r:SHIPMENT|PAYMENT]->() "
    f"RETURN {LINK_KIND} AS kind, r.product AS product, "
    "coalesce(r.currency, 'CNY') AS currency, count(*) AS n, "
    "sum(r.quantity) AS quantity, sum(r.amount) AS amount, count(r.amount) AS priced, "
    "min(r.ts) AS first, max(r.ts) AS last"
)

SUMMARY_RELATIONSHIPS = (
    "MATCH (:CGEntity {ck: $ck})-[r]->() WHERE NOT type(r) IN ['SHIPMENT', 'PAYMENT'] "
    "RETURN count(r) AS n"
)

EVIDENCE_RECORDS = "MATCH (n:Evidence {ck: $ck}) RETURN n.record AS record ORDER BY n.seq"

PRODUCT_RECORDS = "MATCH (n:Product {ck: $ck}) RETURN n.record AS record ORDER BY n.seq"


def links_around(kinds: list[str], direction: str, anchored: bool) -> str:
    """Transactions or relationships of these kinds touching ``$ids`` (all when not anchored)."""
    types = "|".join(_rel_type(kind) for kind in kinds)
    ret = f"RETURN DISTINCT {LINK_FIELDS}"
    if not anchored:
        return f"MATCH (:CGEntity {{ck: $ck}})-[r:{types}]->() {ret}"
    arrow = {"out": f"-[r:{types}]->", "in": f"<-[r:{types}]-", "both": f"-[r:{types}]-"}
    return (f"MATCH (a:CGEntity {{ck: $ck}}) WHERE a.id IN $ids "
            f"MATCH (a){arrow[direction]}() {ret}")

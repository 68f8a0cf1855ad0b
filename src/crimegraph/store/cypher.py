"""Every Cypher text the Neo4j store sends, in one place.

Values always travel as query parameters. The only text ever formatted into a query is a node
label or relationship type, and only from the fixed whitelists below (never user input).

Layout in the database
----------------------
- ``(:CGCase {id, ck, status, record})``: one node per stored case; ``ck`` names the generation
  of the case's data that readers see.
- ``(:CGEntity:<Label> {ck, case_id, id, seq, section, record, ...})``: persons, organizations,
  premises, products and evidence. ``record`` is the record's JSON (lossless); other properties
  are there for Cypher users and indexes. Nodes that goods pass through also carry ``nidx`` (their
  position in the case) and packed adjacency columns (``out_blob``/``in_blob``, with the
  shipment ids as JSON lists in ``out_ids``/``in_ids``) that a trace reads for every place it
  reaches, in one query.
- ``(a)-[:SHIPMENT|PAYMENT|<RELATIONSHIP KIND> {ck, id, seq, record, ...}]->(b)``: transactions
  and relationships.
"""

from __future__ import annotations

from ..model.links import RELATIONSHIP_KINDS

__all__ = ["LINK_TYPES", "NODE_LABELS", "create_links", "create_nodes", "schema_statements"]

NODE_LABELS: dict[str, str] = {
    "persons": "Person",
    "organizations": "Organization",
    "warehouses": "Warehouse",
    "products": "Product",
    "evidence": "Evidence",
}
"""Case section -> node label."""

LINK_TYPES: dict[str, str] = {
    "shipment": "SHIPMENT",
    "payment": "PAYMENT",
    **{kind: kind.upper() for kind in RELATIONSHIP_KINDS},
}
"""Transaction or relationship kind -> relationship type."""


def schema_statements() -> list[str]:
    """Constraints and indexes the store needs (each runs in its own transaction)."""
    statements = [
        "CREATE CONSTRAINT cg_case_id IF NOT EXISTS FOR (c:CGCase) REQUIRE c.id IS UNIQUE",
        "CREATE CONSTRAINT cg_entity_key IF NOT EXISTS "
        "FOR (n:CGEntity) REQUIRE (n.ck, n.id) IS UNIQUE",
        "CREATE INDEX cg_entity_nidx IF NOT EXISTS FOR (n:CGEntity) ON (n.ck, n.nidx)",
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


def create_nodes(section: str) -> str:
    # "+=" rather than "=": the planner needs no eager buffering for it (about 20% faster).
    return f"{NODE_STEP}{_label(section)}) SET n += row"


def create_links(kind: str) -> str:
    return (
        "UNWIND $rows AS row "
        "MATCH (a:CGEntity {ck: $ck, id: row.source}) "
        "MATCH (b:CGEntity {ck: $ck, id: row.target}) "
        f"CREATE (a)-[r:{_rel_type(kind)}]->(b) SET r += row.props"
    )


PUBLISH_CASE = (
    "MERGE (c:CGCase {id: $id}) "
    "WITH c, c.ck AS previous "
    "SET c.ck = $ck, c.status = 'ready', c.record = $record, c.title = $title, "
    "c.timezone = $timezone, c.products = $products, c.node_count = $node_count "
    "RETURN previous"
)

CASE_INFO = (
    "MATCH (c:CGCase {id: $id}) WHERE c.status = 'ready' "
    "RETURN c.ck AS ck, c.record AS record, c.timezone AS timezone, c.products AS products"
)

LIST_CASES = (
    "MATCH (c:CGCase) WHERE c.status = 'ready' RETURN c.id AS id, c.title AS title ORDER BY id"
)

DELETE_STALE = (
    "MATCH (n:CGEntity) WHERE n.case_id = $id AND ($keep IS NULL OR n.ck <> $keep) "
    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS"
)

DELETE_CASE_NODE = "MATCH (c:CGCase {id: $id}) DELETE c"

NODE_RECORDS = (
    "MATCH (n:CGEntity {ck: $ck}) WHERE n.id IN $ids "
    "RETURN n.id AS id, n.section AS section, n.record AS record"
)

ALL_NODE_RECORDS = (
    "MATCH (n:CGEntity {ck: $ck}) RETURN n.section AS section, n.seq AS seq, n.record AS record"
)

ALL_LINK_RECORDS = (
    "MATCH (a:CGEntity {ck: $ck})-[r]->() "
    "RETURN r.section AS section, r.seq AS seq, r.record AS record"
)

ALL_IDS = (
    "MATCH (n:CGEntity {ck: $ck}) RETURN n.id AS id "
    "UNION ALL MATCH (:CGEntity {ck: $ck})-[r]->() RETURN r.id AS id"
)

NODE_TABLE = (
    "MATCH (n:CGEntity {ck: $ck}) WHERE n.section IN ['persons', 'organizations', 'warehouses'] "
    "RETURN n.id AS id, n.type AS type, n.name AS name, n.province AS province, "
    "n.city AS city, n.role AS role, n.status AS status, n.kind AS kind, n.uses AS uses "
    "ORDER BY n.nidx"
)

ALL_SHIPMENTS = (
    "MATCH (a:CGEntity {ck: $ck})-[r:SHIPMENT]->(b) "
    "RETURN r.id AS id, a.id AS source, b.id AS target, r.ts AS ts, r.product AS product, "
    "r.quantity AS quantity, r.amount AS amount ORDER BY r.ts, r.seq"
)

def reachable_adjacency(direction: str, max_hops: int | None, filtered: bool) -> str:
    """Nodes that matching shipments reach from ``$ids``, with their packed shipment lists.

    One query: the server walks the shipments breadth-first (a pruning variable-length
    expand), so only the reachable part of the case leaves the database.
    """
    if max_hops is not None and (not isinstance(max_hops, int) or max_hops < 0):
        raise ValueError(f"max_hops must be a whole number >= 0, got {max_hops!r}")
    hops = "" if max_hops is None else str(int(max_hops))
    arrow = (f"-[rs:SHIPMENT*0..{hops}]->" if direction == "downstream"
             else f"<-[rs:SHIPMENT*0..{hops}]-")
    blob, ids = ("out_blob", "out_ids") if direction == "downstream" else ("in_blob", "in_ids")
    where = ""
    if filtered:
        where = ("WHERE all(r IN rs WHERE ($products IS NULL OR r.product IN $products) "
                 "AND ($since IS NULL OR r.ts >= $since) AND ($until IS NULL OR r.ts <= $until)) ")
    return (
        "MATCH (s:CGEntity {ck: $ck}) WHERE s.id IN $ids "
        f"MATCH (s){arrow}(x) {where}"
        "WITH DISTINCT x "
        f"RETURN collect(x.nidx) AS nidx, collect(x.id) AS id, collect(x.{blob}) AS blob, "
        f"collect(x.{ids}) AS ids"
    )


SUMMARY_NODES = (
    "MATCH (n:CGEntity {ck: $ck}) "
    "RETURN n.section AS section, n.status AS status, n.province AS province, "
    "n.uses AS uses, count(*) AS n"
)

SUMMARY_TRANSACTIONS = (
    "MATCH (:CGEntity {ck: $ck})-[r:SHIPMENT|PAYMENT]->() "
    "RETURN r.kind AS kind, r.product AS product, r.currency AS currency, count(*) AS n, "
    "sum(r.quantity) AS quantity, sum(r.amount) AS amount, min(r.ts) AS first, max(r.ts) AS last"
)

SUMMARY_RELATIONSHIPS = (
    "MATCH (:CGEntity {ck: $ck})-[r]->() WHERE r.section = 'relationships' RETURN count(r) AS n"
)

EVIDENCE_RECORDS = "MATCH (n:Evidence {ck: $ck}) RETURN n.record AS record ORDER BY n.seq"


def links_around(kinds: list[str], direction: str, anchored: bool) -> str:
    """Transactions or relationships of these kinds touching ``$ids`` (all when not anchored)."""
    types = "|".join(_rel_type(kind) for kind in kinds)
    ret = "RETURN DISTINCT r.record AS record, r.section AS section, r.seq AS seq"
    if not anchored:
        return f"MATCH (:CGEntity {{ck: $ck}})-[r:{types}]->() {ret}"
    arrow = {"out": f"-[r:{types}]->", "in": f"<-[r:{types}]-", "both": f"-[r:{types}]-"}
    return (f"MATCH (a:CGEntity {{ck: $ck}}) WHERE a.id IN $ids "
            f"MATCH (a){arrow[direction]}() {ret}")

"""The same case and the same answers in a Neo4j database.

Needs a Neo4j 5 server: its Bolt URI comes from CRIMEGRAPH_NEO4J_URI. Use a scratch database;
this script loads the example case and deletes it at the end.
"""

import os

import crimegraph as cg

uri = os.environ["CRIMEGRAPH_NEO4J_URI"]            # e.g. bolt://127.0.0.1:7687
case = cg.load_example("counterfeit_oil")

# Load: one batched write, published at once (a failed load leaves the database as it was).
store = cg.Neo4jStore(uri, database="neo4j")         # auth=("neo4j", "secret") if needed
g = cg.CaseGraph(case, store=store)
print(case.id in store.list_cases())

# Reopen later (another notebook, another analyst) without loading again.
with cg.CaseGraph.open(cg.Neo4jStore(uri, database="neo4j"), case.id) as db:
    in_neo4j = cg.trace_chain(db, "W-DEN-01")
    in_memory = cg.trace_chain(case, "W-DEN-01")
    print(in_neo4j)
    print(in_neo4j.transactions == in_memory.transactions, in_neo4j.tiers == in_memory.tiers)
    print(cg.infer_hierarchy(db).equals(cg.infer_hierarchy(case)))

# What the server holds: published cases, loads running now, data of killed loads.
print(store.inventory()[["case_id", "nodes", "state"]].to_string(index=False))
print(store.vacuum(), "nodes of interrupted loads removed")

store.delete_case(case.id)                           # remove the case and all its data
print(case.id in store.list_cases())
g.close()

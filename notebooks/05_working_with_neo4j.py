# %% [markdown]
# # 05 · Working with Neo4j
#
# **The analyst's question:** our unit keeps its cases in a Neo4j database. Do the analyses give
# the same answers there as in memory, and how do we load, reopen and remove a case?
#
# The server comes from the environment variable `CRIMEGRAPH_NEO4J_URI` (for example
# `bolt://127.0.0.1:7687`). When it is not set, this notebook starts the project's throwaway test
# server (`tests/neo4j_launcher.py`: Neo4j Community 5.26 on 127.0.0.1, authentication off, data
# in a temporary folder; it needs Java 17 and Maven). Use a scratch database: the notebook
# loads the example case and deletes it at the end.
#
# *The example case is synthetic: every person, company and place name in it is invented.*

# %%
# %matplotlib inline
import pandas as pd

import crimegraph as cg

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 140)

# %%
import os
import sys
from pathlib import Path

uri = os.environ.get("CRIMEGRAPH_NEO4J_URI")
server = None
if not uri:
    sys.path.insert(0, str(Path("..", "tests").resolve()))
    from neo4j_launcher import Neo4jServer

    server = Neo4jServer().start(timeout=300)
    uri = server.uri
print("Neo4j at", uri)

# %% [markdown]
# ## Load a case into Neo4j
#
# A `Neo4jStore` talks to one database (pass `auth=(user, password)` for a server with
# authentication). Giving it to `CaseGraph` writes the case: one batched, all-or-nothing load.

# %%
case = cg.read_case("../fixtures/counterfeit_oil.json")
store = cg.Neo4jStore(uri, database="neo4j")
g = cg.CaseGraph(case, store=store)
g, store.list_cases()

# %%
g.summary()

# %% [markdown]
# ## Reopen it later
#
# `CaseGraph.open` points a store at a case already in the database, without loading it again:
# this is how a second analyst, or tomorrow's notebook, picks up the case.

# %%
reader = cg.Neo4jStore(uri, database="neo4j")
db = cg.CaseGraph.open(reader, case.id)
db

# %% [markdown]
# ## The same trace, in memory and in the database

# %%
memory = cg.CaseGraph(case)
in_memory = cg.trace_chain(memory, "W-DEN-01")
in_neo4j = cg.trace_chain(db, "W-DEN-01")
in_neo4j

# %%
same = {
    "tiers": in_neo4j.tiers == in_memory.tiers,
    "shipments": in_neo4j.transactions == in_memory.transactions,
    "endpoints": in_neo4j.endpoints == in_memory.endpoints,
    "totals": (in_neo4j.total_quantity, in_neo4j.total_amount)
              == (in_memory.total_quantity, in_memory.total_amount),
    "unaccounted": in_neo4j.unaccounted().equals(in_memory.unaccounted()),
    "shipment table": in_neo4j.to_dataframe().equals(in_memory.to_dataframe()),
}
same

# %% [markdown]
# Upstream from `SHOP-17`, for the Mobil 5W-30 that the inspectors found there:

# %%
up_db = cg.trace_chain(db, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
up_mem = cg.trace_chain(memory, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
up_db.tiers, up_db.tiers == up_mem.tiers and up_db.transactions == up_mem.transactions

# %% [markdown]
# ## The other analyses
#
# Every analysis is written against the store interface, so the network analyses run on the
# database too.

# %%
checks = {
    "find_sources": cg.find_sources(db).equals(cg.find_sources(memory)),
    "key_players": cg.key_players(db, "betweenness").equals(
        cg.key_players(memory, "betweenness")),
    "infer_hierarchy": cg.infer_hierarchy(db).equals(cg.infer_hierarchy(memory)),
    "cut_chain": cg.cut_chain(db).nodes == cg.cut_chain(memory).nodes,
}
checks

# %%
in_neo4j.plot();

# %% [markdown]
# ## Remove the case and close the connections
#
# `delete_case` removes the case and all its data from the database; other cases in the same
# database are untouched.

# %%
store.delete_case(case.id)
remaining = reader.list_cases()
g.close()
reader.close()
if server is not None:
    server.stop()
remaining

# %% [markdown]
# ## What we found
#
# - The counterfeit-oil case loads into Neo4j in one call and can be reopened by id with
#   `CaseGraph.open`, without loading it again.
# - The trace from `W-DEN-01` in the database is **identical** to the in-memory trace: the same
#   49 places, the same 702 shipments in the same order, the same tiers, the same 30 endpoints,
#   totals, unaccounted quantities and shipment table. The upstream trace from `SHOP-17` for
#   Mobil 5W-30 (`DIST-07` ← `W-WH-05` ← `W-DEN-02` ← `W-DEN-01`) matches too.
# - `find_sources`, `key_players`, `infer_hierarchy` and `cut_chain` give the same answers on
#   both stores, so an analysis can move between a notebook's memory and the unit's database
#   without changing its results.
# - `delete_case` removes the case; afterwards the database no longer lists it.

"""Put a case into a store and look around: summary, tables, records, neighbours, networkx."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("fake_liquor"))        # in memory (NetworkX)
print(g.summary())
print()

nodes = g.nodes()                                       # persons, organizations, premises
print(nodes[nodes["type"] == "premises"][["id", "name", "city", "uses"]].to_string(index=False))

zhou = g.get("P-ZHOU")
print(zhou.name, zhou.role, zhou.status)
print(g.neighbors("P-ZHOU", kind="leads", direction="out"))
print(len(g.transactions(nodes=["W-DEN-C"], direction="out", kind="shipment")), "shipments")
print([r.id for r in g.links(nodes=["P-ZHOU"], kinds=["rents"])])

G = g.to_networkx()                                     # networkx.MultiDiGraph
print(G.number_of_nodes(), G.number_of_edges())

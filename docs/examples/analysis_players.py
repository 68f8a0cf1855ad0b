"""Who is central? The social network and its key players."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("counterfeit_oil"))

network = cg.social_network(g)                  # undirected, weighted networkx.Graph
print(network)
tie = network.edges["P-01", "P-02"]
print(tie["weight"], tie["kinds"], tie["count"])     # 418 calls + leads + meets

for measure in ("degree", "betweenness", "pagerank"):
    top = cg.key_players(g, measure, k=3)
    print(f"{measure:12}", top["id"].tolist())

print(cg.key_players(g, "degree", k=3, weighted=True).to_string(index=False))

calls = cg.social_network(g, "calls", people_only=True)    # the phone network alone
print(cg.key_players(calls, "betweenness", k=3)["id"].tolist())

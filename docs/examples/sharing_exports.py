"""Write the case in every format, for the public, and read two of them back."""

import tempfile
from pathlib import Path

import networkx as nx

import crimegraph as cg

graph = cg.CaseGraph(cg.load_example("fake_liquor"))
with tempfile.TemporaryDirectory() as name:
    folder = Path(name)
    cg.write_graphml(graph, folder / "liquor.graphml", redact="public")   # yEd, Cytoscape
    cg.write_gexf(graph, folder / "liquor.gexf", redact="public")         # Gephi (timeline)
    cg.write_anx(graph, folder / "liquor.anx", redact="public")           # i2 ANB
    cg.write_workbook(graph, folder / "liquor.xlsx", redact="public")     # Excel
    entities = cg.to_followthemoney(graph, redact="public")               # Aleph

    chain = cg.trace_chain(graph, "W-DEN-A")
    cg.write_graphml(chain, folder / "chain.graphml")                     # a traced chain
    network = cg.social_network(cg.redact(graph, "public"))
    cg.write_gexf(network, folder / "network.gexf")                       # the social network

    back = nx.read_graphml(folder / "liquor.graphml")
    print(back.nodes["P-ZHOU"]["label"], back.nodes["P-ZHOU"]["phones"])
    print(sorted({e["schema"] for e in entities}))
    workbook = cg.read_workbook(folder / "liquor.xlsx")
    print(workbook == cg.redact(graph.case, "public"))
    print(sorted(p.name for p in folder.iterdir()))

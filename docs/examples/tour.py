"""Five minutes with crimegraph: load a case, trace the goods, draw the chain of command."""

import crimegraph as cg

# Load: a case file is validated as a whole (the same case: cg.load_example("counterfeit_oil")).
case = cg.read_case("fixtures/counterfeit_oil.json")
g = cg.CaseGraph(case)                       # in memory; or store=cg.Neo4jStore(uri)
print(g.summary())

# Trace: where did the goods of the main den go?
print(cg.find_sources(g)["id"].tolist())
chain = cg.trace_chain(g, "W-DEN-01")
print(chain)
print(", ".join(chain.provinces))
leads = chain.unaccounted()
print(leads.nsmallest(1, "unaccounted")[["id", "name", "unaccounted"]].to_string(index=False))

# And back: where did the oil found at the shop that opened the case come from?
upstream = cg.trace_chain(g, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
print(" <- ".join(upstream.nodes))

# Org chart: who gives orders to whom in the fake-liquor ring led by Zhou.
liquor = cg.CaseGraph(cg.load_example("fake_liquor"))
hierarchy = cg.infer_hierarchy(liquor)
print(hierarchy[["id", "level", "superior"]].head(3).to_string(index=False))
ax = cg.plot_org_chart(liquor, hierarchy=hierarchy)      # in Jupyter the chart shows below

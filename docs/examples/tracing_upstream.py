"""Where did the shop's oil come from?"""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("counterfeit_oil"))

upstream = cg.trace_chain(g, "SHOP-17", direction="upstream")
print(upstream.tiers)
print(upstream.sources, upstream.endpoints)

mobil = cg.trace_chain(g, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
print(len(mobil.transactions), "shipments;", mobil.total_quantity, "barrels reached the shop")
print(mobil.unaccounted()[["id", "kind", "inflow", "outflow", "lead"]].to_string(index=False))
print(len(mobil.leads()), "leads: every barrel that reached the shop is explained")

near = cg.trace_chain(g, "SHOP-17", direction="upstream", max_hops=2)
print(near.nodes)

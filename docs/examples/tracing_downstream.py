"""Where did the den's oil go? Tiers, endpoints, provinces, totals and leads."""

import crimegraph as cg

g = cg.CaseGraph(cg.read_case("fixtures/counterfeit_oil.json"))
print(cg.find_sources(g)[["id", "quantity", "rank"]].to_string(index=False))
print(cg.find_sources(g, inputs=True)[["id", "products"]].to_string(index=False))

chain = cg.trace_chain(g, "W-DEN-01")
print(chain)
print(len(chain.endpoints), "endpoints in", len(chain.provinces), "provinces")
print(chain.sources, max(chain.tiers.values()))
left = ", ".join(f"{quantity:,.0f} {unit}s" for unit, quantity in chain.total_quantities.items())
print(f"left the den: {left}; {chain.total_amount:,.0f} CNY traded")
print(chain.tier_totals().to_string(index=False))

leads = chain.leads()                  # per product; retail end points last
print(leads.head(4)[["id", "kind", "product", "unaccounted", "lead"]].to_string(index=False))
short = leads.query("lead == 'unknown supplier'")
print(short[["id", "product", "inflow", "outflow", "unaccounted"]].to_string(index=False))

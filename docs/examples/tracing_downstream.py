"""Where did the den's oil go? Tiers, endpoints, provinces, totals and leads."""

import crimegraph as cg

g = cg.CaseGraph(cg.read_case("fixtures/counterfeit_oil.json"))
print(cg.find_sources(g)[["id", "quantity", "rank"]].to_string(index=False))

chain = cg.trace_chain(g, "W-DEN-01")
print(chain)
print(len(chain.endpoints), "endpoints in", len(chain.provinces), "provinces")
print(chain.sources, max(chain.tiers.values()))
print(f"{chain.total_quantity:,.0f} units left the den; {chain.total_amount:,.0f} CNY traded")
print(chain.tier_totals().to_string(index=False))

leads = chain.unaccounted()
biggest = leads.reindex(leads["unaccounted"].abs().sort_values(ascending=False).index)
print(biggest.head(3)[["id", "tier", "inflow", "outflow", "unaccounted"]].to_string(index=False))
short = chain.unaccounted(by_product=True).query("unaccounted < 0")
print(short[["id", "product", "inflow", "outflow", "unaccounted"]].to_string(index=False))

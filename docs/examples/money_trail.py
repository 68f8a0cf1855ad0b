"""Where the fake liquor's takings went: from the outlets and wholesalers to the leader."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("fake_liquor"))
buyers = [o.id for o in g.case.organizations if o.kind in ("shop", "distributor")]

trail = cg.trace_money(g, buyers, attribution="proportional")
print(trail)
# Money that left the start set: the outlets behind a wholesaler pay the wholesaler, so this
# counts their money once on its way in and again when the wholesaler pays it on.
print(f"paid by the outlets and wholesalers: {trail.total_amount:,.0f} CNY")
columns = ["id", "name", "received", "paid_on", "retained", "attributed"]
print(trail.balance()[columns].head(7).round(0).to_string(index=False))

# The layering hop: every payment into the nephew's account, and where it went next.
hops = trail.to_dataframe().query("source == 'P-LU' or target == 'P-LU'")
print(hops[["time", "source", "target", "amount"]].to_string(index=False))

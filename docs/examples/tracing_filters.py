"""Time windows, products, plain reachability, and the shipment table."""

import tempfile
from pathlib import Path

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("counterfeit_oil"))

april = cg.trace_chain(g, "W-DEN-01", since="2024-04-01", until="2024-04-30")
hx8 = cg.trace_chain(g, "W-DEN-01", product="P-SHELL-HX8")
both = cg.trace_chain(g, ["W-DEN-01", "W-DEN-02"], product=["P-MOBIL-5W30", "P-MOBIL-0W40"])
for chain in (april, hx8, both):
    print(chain)

timed = cg.trace_chain(g, "W-DEN-01")
anytime = cg.trace_chain(g, "W-DEN-01", time_respecting=False)
print(sorted(set(anytime.transactions) - set(timed.transactions)))

table = timed.to_dataframe()
print(table.columns.tolist())
with tempfile.TemporaryDirectory() as folder:
    table.to_csv(Path(folder) / "chain.csv", index=False)    # for a spreadsheet or a report
    print(len(table), "rows written")

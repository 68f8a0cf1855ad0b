"""The fewest places whose seizure stops the goods."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("counterfeit_oil"))

cut = cg.cut_chain(g)              # from the find_sources nodes to every endpoint
print(cut)
print(cut.table.to_string(index=False))

print(cg.cut_chain(g, sources="W-DEN-02").nodes)            # if the packaging den is closed
print(cg.cut_chain(g, sources="W-DEN-01", targets="SHOP-17").nodes)

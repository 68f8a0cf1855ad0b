"""Groups (community detection) and brokers between provinces."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("counterfeit_oil"))

groups = cg.find_groups(g, seed=0)               # the same seed gives the same groups
print(round(groups.modularity, 3), groups.sizes)
print(groups.members(2), groups.group_of("P-01"))

brokers = cg.find_brokers(g, by="province")
columns = ["id", "group", "coordinator", "gatekeeper", "liaison", "total", "constraint"]
print(brokers.head(4)[columns].round(3).to_string(index=False))

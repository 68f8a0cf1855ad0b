"""Who gives orders to whom: the chain of command, with the reasons."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("fake_liquor"))
hierarchy = cg.infer_hierarchy(g)
print(hierarchy[["id", "name", "level", "superior", "role"]].to_string(index=False))
print(hierarchy.set_index("id").loc["P-HE", "evidence"])

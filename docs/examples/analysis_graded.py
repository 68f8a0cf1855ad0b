"""Only well-sourced facts: the case at A–B sources and 1–2 information, analysed as usual."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("counterfeit_oil"))
view = cg.graded(g, reliability="B", credibility=2)
print(view.describe())
print(view.summary().title)

counts = g.summary().counts
for section, kept in view.summary().counts.items():
    print(f"{section:<14} {kept:>4} of {counts[section]}")

print("P-03 cites", view.get("P-03").evidence, "of", g.get("P-03").evidence)
print("P-16 answers to", cg.infer_hierarchy(g).set_index("id").loc["P-16", "superior"],
      "in the case and to", cg.infer_hierarchy(view).set_index("id").loc["P-16", "superior"],
      "at", view.grade.label)
print(cg.cut_chain(view))

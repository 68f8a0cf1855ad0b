"""Simulated arrests: how fast does the network fall apart, and do the goods stop?"""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("counterfeit_oil"))

for strategy in ("degree", "betweenness", "collective_influence", "flow"):
    run = cg.simulate_disruption(g, strategy, max_removed=25)
    flow_after_5 = run.curve["flow_fraction"].iloc[5]
    print(f"{strategy:21} first {run.removed[:3]}  half the network after "
          f"{run.removed_until(0.5)}  robustness {run.robustness:.3f}  "
          f"goods flowing after 5: {flow_after_5:.0%}")

run = cg.simulate_disruption(g, "betweenness", max_removed=3)
print(run.curve.to_string(index=False))

goods = cg.simulate_disruption(g, "betweenness", network="goods", max_removed=3)
print(goods.removed, goods.curve["flow_fraction"].round(3).tolist())

block = cg.simulate_disruption(g, "degree", mode="block", per_round=5, max_removed=10)
print(block.curve["removed"].tolist())

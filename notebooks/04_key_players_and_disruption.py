# %% [markdown]
# # 04 · Key players and disruption
#
# **The analyst's question:** in the counterfeit engine-oil ring, whom should we arrest first,
# and which premises must we seize, so that the ring falls apart and its oil stops reaching the
# shops?
#
# We rank the people by centrality, find the groups and the brokers between provinces, simulate
# arrests under several targeting strategies, and compute the smallest set of places whose
# seizure cuts every known route from the dens to the shops.
#
# *The example case is synthetic: every person, company and place name in it is invented.*

# %%
# %matplotlib inline
import pandas as pd

import crimegraph as cg

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 140)

# %%
case = cg.read_case("../fixtures/counterfeit_oil.json")
g = cg.CaseGraph(case)
names = g.nodes().set_index("id")["name"]

# %% [markdown]
# ## Key players
#
# Centrality on the social network (leads, employs, calls, family...): degree says who knows
# many, betweenness who bridges, PageRank who is tied to the important ones.

# %%
ranks = pd.concat(
    {measure: cg.key_players(g, measure, k=8)["id"].reset_index(drop=True)
     for measure in ("degree", "betweenness", "pagerank")},
    axis=1)
ranks.index = ranks.index + 1
ranks

# %%
cg.key_players(g, "betweenness", k=5)

# %% [markdown]
# With tie strength (number of calls, ...) the degree becomes phone and contact traffic:

# %%
cg.key_players(g, "degree", k=5, weighted=True)

# %% [markdown]
# ## Groups
#
# Louvain community detection (seeded, so the groups are the same on every run).

# %%
groups = cg.find_groups(g, seed=0)
print(f"modularity {groups.modularity:.3f}, sizes {groups.sizes}")
for number, size in enumerate(groups.sizes):
    members = groups.members(number)
    print(f"group {number} ({size}): {', '.join(members[:10])}{' ...' if size > 10 else ''}")

# %%
cg.plot_network(g, color_by="group", size_by="betweenness", seed=0);

# %% [markdown]
# ## Brokers between provinces
#
# Gould–Fernandez brokerage over shipments, payments and command links, with provinces as the
# groups: a *liaison* passes flows between two provinces that are not its own, a *gatekeeper*
# lets flows into its province, a *coordinator* works within one province. Low Burt constraint
# marks a node whose contacts do not know each other.

# %%
brokers = cg.find_brokers(g, by="province")
brokers.head(8)

# %% [markdown]
# Where does the money go? Payments received, by payee:

# %%
payments = pd.DataFrame([(t.source, t.target, t.amount) for t in g.transactions(kind="payment")],
                        columns=["payer", "payee", "amount"])
received = payments.groupby("payee")["amount"].agg(["count", "sum"])
received.sort_values("sum", ascending=False).head(4)

# %% [markdown]
# ## Simulated arrests
#
# `simulate_disruption` removes the highest-scoring node, recomputes, and repeats. The solid
# lines are the share of the largest connected group left; the dashed lines the share of the
# goods that can still flow from the dens to the shops. `flow` targets the places handling the
# most goods.

# %%
runs = {
    "degree": cg.simulate_disruption(g, "degree", max_removed=25),
    "betweenness": cg.simulate_disruption(g, "betweenness", max_removed=25),
    "collective_influence": cg.simulate_disruption(g, "collective_influence", max_removed=25),
    "flow": cg.simulate_disruption(g, "flow", max_removed=25),
}
cg.plot_disruption(list(runs.values()));

# %%
pd.DataFrame(
    {s: {"first five removed": ", ".join(run.removed[:5]),
         "removals to halve the network": run.removed_until(0.5),
         "robustness": round(run.robustness, 3),
         "goods still flowing after 5": run.curve["flow_fraction"].iloc[5]}
     for s, run in runs.items()}).T

# %% [markdown]
# Arresting people breaks up the social network quickly, but the oil keeps flowing: the goods
# move between premises and firms. How many arrests, in betweenness order, before the flow
# stops?

# %%
people_first = cg.simulate_disruption(g, "betweenness", max_removed=40)
stops_at = int(people_first.curve.loc[people_first.curve["flow_fraction"] == 0, "removed"].min())
stops_at, people_first.removed[:stops_at]

# %% [markdown]
# On the goods network (who shipped to whom), betweenness targets the premises instead:

# %%
goods_runs = [cg.simulate_disruption(g, s, network="goods", max_removed=15)
              for s in ("degree", "betweenness")]
[(run.strategy, run.removed[:3], run.curve["flow_fraction"].round(3).tolist()[:4])
 for run in goods_runs]

# %%
cg.plot_disruption([runs["betweenness"], *goods_runs]);

# %% [markdown]
# ## Cut the chain
#
# `cut_chain` finds the fewest places whose removal meets every route from the sources to the
# endpoints (a minimum vertex cut).

# %%
cut = cg.cut_chain(g)
cut, cut.table

# %% [markdown]
# What it does to the chain: the same case without the shipments into and out of the cut, traced
# again from the blending den.

# %%
data = case.model_dump()
data["transactions"] = [t for t in data["transactions"]
                        if t["source"] not in cut.nodes and t["target"] not in cut.nodes]
after_cut = cg.Case.model_validate(data)
before = cg.trace_chain(g, "W-DEN-01")
after = cg.trace_chain(after_cut, "W-DEN-01")
pd.DataFrame({"before": [len(before.nodes), len(before.transactions), len(before.endpoints)],
              "after the cut": [len(after.nodes), len(after.transactions), len(after.endpoints)]},
             index=["places", "shipments", "endpoints"])

# %% [markdown]
# If the packaging den were already closed, the next line of defence would be:

# %%
cg.cut_chain(g, sources="W-DEN-02")

# %% [markdown]
# ## What we found
#
# - **Arrest `P-02` first.** 刘振江 (deputy for production and transport) is the most central
#   person on degree, betweenness and PageRank, and has the most contact traffic. Second on all
#   three is the front company `ORG-FRONT-CO`, which is also the **top broker**: a liaison in 37
#   flows between provinces other than its own. It is the channel of the ring's money: it
#   received **33 payments worth 1,869,700 CNY**, 40 % of all the money paid in the case.
# - **Four groups** (modularity 0.375): production and transport around `P-02` (23 members),
#   sales around the distributors and `P-03` (22), the base-oil supply with `W-DEN-01` (3), and
#   the front company with the Langfang hub (2).
# - **Arrests alone do not stop the oil.** Removing `P-02`, `ORG-FRONT-CO` and `P-03` (the
#   betweenness order) leaves the largest connected group at **14 %** of the network, but all of
#   the goods can still flow: it takes **11 removals in that order**, the eleventh being the
#   den `W-DEN-01` itself, before the flow stops. Targeting the goods (`flow`) stops it with the
#   first removal, the blending den.
# - **One premises cuts the chain.** The minimum cut is a single place, the packaging den
#   `W-DEN-02` (东小营灌装贴标窝点), which carried **58,412 units**: every known route from the
#   dens to the 30 shops passes through it. Without it the den's oil reaches **no shop** (0
#   shipments). If it were already closed, the next cut is the three warehouses `W-WH-03`,
#   `W-WH-04` and `W-WH-05`.
# - **Plan:** arrest `P-02` and seize `W-DEN-02` in the same operation, and freeze
#   `ORG-FRONT-CO`'s accounts to cut the money (the case's freeze after the raid, `EV-FREEZE-01`,
#   found 612,400 CNY there).

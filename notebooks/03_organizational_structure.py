# %% [markdown]
# # 03 · Organizational structure
#
# **The analyst's question:** the fake-liquor ring is said to be led by 周建国 (Zhou Jianguo,
# `P-ZHOU`). Who reports to whom, what does each member do, and which links of evidence support
# the chain of command that we will present to the prosecutor?
#
# *The example case is synthetic: every person, company and place name in it is invented.*

# %%
# %matplotlib inline
import pandas as pd

import crimegraph as cg

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 140)

# %%
case = cg.read_case("../fixtures/fake_liquor.json")
g = cg.CaseGraph(case)
g.summary()

# %% [markdown]
# ## The persons of the case
#
# Roles are free text written by the investigators; statuses say who is arrested, who is only a
# suspect and who is a witness.

# %%
nodes = g.nodes()
persons = nodes[nodes["type"] == "person"][["id", "name", "role", "status"]]
persons

# %% [markdown]
# ## Who gives orders to whom
#
# `infer_hierarchy` weighs the clues for every pair of persons (`leads` and `employs` links,
# ownership of premises that the other operates, money going up and goods going down) and gives
# each person at most one superior. The `evidence` column says why.

# %%
hierarchy = cg.infer_hierarchy(g)
hierarchy[["id", "name", "level", "superior", "role", "status"]]

# %%
for row in hierarchy.itertuples():
    print(f"{row.id:8} {row.evidence}")

# %% [markdown]
# The links behind the chart, with the evidence each rests on and its grading (source
# reliability A–F, information credibility 1–6):

# %%
evidence = {e.id: e for e in case.evidence}
command = pd.DataFrame(
    [(r.source, r.target, r.kind, r.id, ", ".join(r.evidence),
      ", ".join(f"{evidence[e].reliability}{evidence[e].credibility}" for e in r.evidence))
     for r in g.links(kinds=["leads", "employs"])],
    columns=["superior", "subordinate", "kind", "relationship", "evidence", "grading"])
command

# %%
command.groupby(["kind", "evidence"]).size().rename("links")

# %% [markdown]
# ## The org chart

# %%
cg.plot_org_chart(g, hierarchy=hierarchy);

# %% [markdown]
# ## Key roles
#
# The span of control of each superior, and who is on each team.

# %%
teams = (hierarchy.dropna(subset=["superior"])
         .groupby("superior")["id"].agg(["count", lambda ids: ", ".join(sorted(ids))]))
teams.columns = ["reports", "members"]
teams.join(hierarchy.set_index("id")[["name", "role"]])

# %% [markdown]
# Who runs which premises, by the `owns`, `operates` and `rents` relationships:

# %%
premises = pd.DataFrame(
    [(r.source, r.kind, r.target, g.get(r.target).name, ", ".join(r.evidence))
     for r in g.links(kinds=["owns", "operates", "rents"])],
    columns=["person", "kind", "premises", "premises name", "evidence"])
premises.sort_values(["premises", "kind"], ignore_index=True)

# %% [markdown]
# Money between members of the ring: who paid whom, how often and how much.

# %%
members = set(hierarchy.dropna(subset=["level"])["id"])
paid = pd.DataFrame(
    [(t.source, t.target, t.amount) for t in g.transactions(kind="payment")
     if t.source in members and t.target in members],
    columns=["from", "to", "amount"])
paid.groupby(["from", "to"])["amount"].agg(["count", "sum"])

# %% [markdown]
# Persons with no command, money or goods tie to anyone stay outside the hierarchy:

# %%
hierarchy[hierarchy["level"].isna()][["id", "name", "role", "status", "evidence"]]

# %% [markdown]
# ## What we found
#
# - **A three-level ring.** `P-ZHOU` (周建国, leader, arrested) is at the top. He leads and
#   employs two lieutenants: `P-WU` (吴海峰) for production and `P-ZHENG` (郑美玲) for sales.
#   Each lieutenant has **three** people under them: `P-WU` the blender `P-SUN`, the bottler
#   `P-QIAN` and the driver `P-FENG`; `P-ZHENG` the salesman `P-CHEN`, the online-store operator
#   `P-HE` and the den-C keeper `P-LU`.
# - **The evidence for each link:** of the 8 `leads` links, 5 rest on the wiretap of Zhou and his
#   lieutenants (`EV-WIRETAP-01`, graded B2) and 3 on the seizures at the dens where the
#   blender, the bottler and the den-C keeper worked (`EV-SEIZE-A`, `-B`, `-C`, graded A1).
#   Zhou's `employs` links to all 8 members rest on bank records (`EV-BANK-01`, A1).
# - **Money** follows the command lines: `P-HE` paid her superior `P-ZHENG` **265,000 CNY**
#   (4 payments), `P-ZHENG` passed **1,844,000 CNY** up to Zhou directly and another
#   **907,000 CNY** through the account of Zhou's nephew `P-LU`, who forwarded it the next day
#   (4 payments each), and Zhou paid **295,000 CNY** down to `P-WU` (4 payments), the
#   production side that needs cash for ethanol and bottles.
# - **Who runs the premises:** Zhou rents the blending den `W-DEN-A`; `P-WU` operates dens A and
#   B (and rents B); `P-ZHENG` rents and operates the storage and sales den `W-DEN-C` together
#   with its keeper `P-LU`; `P-HE` operates both online stores.
# - The two **witnesses** `P-CAI` (a bar manager) and `P-NIU` (a bottle-recycling yard owner)
#   have no command, money or goods ties to the ring and stay outside the hierarchy.

# %% [markdown]
# # 09 · Sharing a case
#
# **The analyst's question:** the fake-liquor case goes to three audiences. The prosecutor needs
# the evidence without the informants and the tips nobody could confirm; the press office needs
# a public version without witnesses, phone numbers, addresses or full names; a colleague at the
# market regulator works in Gephi, another in i2 Analyst's Notebook, the financial unit in Excel
# and the data desk in Aleph. What does each audience get, and how do we hand it over without
# leaking what they may not see?
#
# *The example case is synthetic: every person, company and place name in it is invented.*

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

import networkx as nx
import pandas as pd

import crimegraph as cg

case = cg.read_case("../fixtures/fake_liquor.json")
g = cg.CaseGraph(case)

# %% [markdown]
# ## Three audiences, three profiles
#
# `cg.redact` makes the copy each audience may see. The counts show what each profile removes.

# %%
views = {profile: cg.redact(case, profile) for profile in ("internal", "prosecution", "public")}
pd.DataFrame({
    profile: {section: len(getattr(view, section)) for section in
              ("persons", "organizations", "warehouses", "transactions", "relationships",
               "evidence")}
    for profile, view in views.items()
})

# %% [markdown]
# The prosecution file loses the anonymous complaint graded E (unreliable source). The public
# version also loses the two witnesses, their statements and what rests only on those
# statements; names become initials the way published judgments write them:

# %%
withheld = sorted({e.id for e in case.evidence} - {e.id for e in views["prosecution"].evidence})
public = views["public"]
people = pd.DataFrame([(p.id, case.get(p.id).name, p.name, ", ".join(p.phones))
                       for p in public.persons], columns=["id", "name", "public name", "phones"])
withheld, people.head(5)

# %% [markdown]
# ## A figure for the press office
#
# Every figure takes the same `redact=`: the org chart for the public shows initials only.

# %%
ax = cg.plot_org_chart(g, redact="public")

# %% [markdown]
# ## The files for each tool
#
# GraphML for yEd and Cytoscape, GEXF for Gephi (its timeline plays the shipments and payments
# day by day), an i2 chart, the Excel workbook and FollowTheMoney entities for Aleph, all for
# the public here. The workbook reads back into exactly the case it was written from.

# %%
folder = Path(tempfile.mkdtemp(prefix="liquor-public-"))
cg.write_graphml(g, folder / "liquor.graphml", redact="public")
cg.write_gexf(g, folder / "liquor.gexf", redact="public")
cg.write_anx(g, folder / "liquor.anx", redact="public")
cg.write_workbook(g, folder / "liquor.xlsx", redact="public")
entities = cg.to_followthemoney(g, redact="public")
workbook_is_exact = cg.read_workbook(folder / "liquor.xlsx") == public
sorted(p.name for p in folder.iterdir()), workbook_is_exact

# %% [markdown]
# What Gephi will read: the shipments of the public case with their day on the timeline.

# %%
gephi = nx.read_gexf(folder / "liquor.gexf")
timeline = pd.DataFrame([(k, d["kind"], d["start"], d["weight"])
                         for _, _, k, d in gephi.edges(keys=True, data=True)
                         if d.get("link") == "transaction"],
                        columns=["id", "kind", "day", "weight"])
timeline.groupby("kind").agg(count=("id", "size"), first=("day", "min"), last=("day", "max"))

# %% [markdown]
# And what Aleph will read: FollowTheMoney has no shipment, so shipments travel as economic
# activities with the goods described in text.

# %%
pd.Series([e["schema"] for e in entities]).value_counts()

# %% [markdown]
# ## Nothing leaks
#
# Search every file for the values the public may not see: the witnesses' names, every phone
# number, every address, every full name.

# %%
hidden = cg.model.redact_case(case, "public").hidden
leaks = {path.name: [v for v in hidden if v in path.read_text("utf-8", "replace")]
         for path in folder.iterdir() if path.suffix != ".xlsx"}
len(hidden), leaks

# %% [markdown]
# ## What we found
#
# - The **prosecution** file keeps all 11 people and 207 transactions and withholds **1**
#   evidence record: the anonymous complaint graded E.
# - The **public** version has **9** people (the two witnesses are gone, with their statements
#   and the **8** transactions that rested only on them), names as initials (周建国 → 周某某)
#   and every phone number and address replaced by a token.
# - The same profile drives every file and figure: GraphML, GEXF (with **199** transactions on
#   Gephi's timeline), the i2 chart, FollowTheMoney entities and the Excel workbook, which
#   reads back into exactly the public case. None of the **39** hidden values appears in any
#   file.

"""Write the investigation notebooks of ``notebooks/`` from the cell texts below.

The notebooks are generated so that they stay reproducible and reviewable: cell ids are
derived from the notebook name and the cell position, and no outputs are stored. Run from the
project root::

    python notebooks/build_notebooks.py            # (re)writes notebooks/*.ipynb
    python notebooks/build_notebooks.py --check    # exit 1 if a notebook differs from its cells

Open a notebook in Jupyter with ``notebooks/`` as the working directory (Jupyter's default
when you open it from there); each reads its case from ``../fixtures/``. The test suite runs
every notebook top to bottom (``tests/test_notebooks.py``) and then checks, in the notebook's
kernel, the numbers its "What we found" cell quotes. The checks live in the test, not in the
cells, so that an analyst can copy any cell as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]  # ("md" | "code", source)


def md(text: str) -> Cell:
    return ("md", text.strip("\n"))


def code(text: str) -> Cell:
    return ("code", text.strip("\n"))


SETUP = code("""
%matplotlib inline
import pandas as pd

import crimegraph as cg

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 140)
""")


# --------------------------------------------------------------------------------------------
# 01: load a case
# --------------------------------------------------------------------------------------------

LOAD_A_CASE: list[Cell] = [
    md("""
# 01 · Load a case

**The analyst's question:** the case file of the counterfeit engine-oil ring (Langfang, 2024)
has arrived. What is in it, can we rely on it being complete and consistent, and how do we get
it into a graph we can query?

This notebook reads the case file, prints its one-screen summary, looks up a few records, shows
how a case file with mistakes is rejected (with *every* mistake listed), and hands the case to
networkx.

*The example case is synthetic: every person, company and place name in it is invented.*
"""),
    SETUP,
    md("""
## Read the case file

`cg.read_case` reads a JSON case file and validates it as a whole. The same case ships with
crimegraph as `cg.load_example("counterfeit_oil")`.
"""),
    code("""
case = cg.read_case("../fixtures/counterfeit_oil.json")
case
"""),
    md("""
A `CaseGraph` puts the case into a store: in memory (NetworkX) unless another store is given.
Every analysis takes the case graph. Its summary counts who and what the case holds, where and
when things happened and how much money was involved.
"""),
    code("""
g = cg.CaseGraph(case)
g.summary()
"""),
    md("""
## Who and what is in the case

`g.nodes()` lists persons, organizations and premises as a table.
"""),
    code("""
nodes = g.nodes()
nodes["type"].value_counts()
"""),
    code("""
nodes.loc[nodes["type"] == "premises", ["id", "name", "province", "city", "uses"]]
"""),
    code("""
suspects = nodes[(nodes["type"] == "person") & nodes["status"].isin(["arrested", "suspect"])]
suspects[["id", "name", "role", "status"]].head(8)
"""),
    md("""
Any record can be fetched by id. `SHOP-17` is the shop whose market inspection opened the case;
its `evidence` list names the inspection record.
"""),
    code("""
shop = g.get("SHOP-17")
shop.name, shop.city, shop.province, shop.evidence
"""),
    code("""
inspection = g.get(shop.evidence[0])
print(inspection.name, inspection.date, inspection.agency, sep="\\n")
print("graded", f"{inspection.reliability}{inspection.credibility}:", inspection.notes)
inspection.product, inspection.quantity
"""),
    md("""
A mistyped id is not silently ignored: the error names the id and suggests close matches.
"""),
    code("""
try:
    g.get("SHOP-71")
except cg.EntityNotFound as err:
    print(err)
"""),
    md("""
## A case file with mistakes is rejected whole

A colleague sends a short case file from a new tip. It has three mistakes: the shop is entered
twice under the same id, one shipment has a negative quantity, and another comes from a store
room `W-Y` that the file never describes. `read_case` refuses the whole file and lists every
problem, with the record, the field and the value, so that nothing is loaded half-right.
"""),
    code("""
import json
import tempfile
from pathlib import Path

tip = {
    "id": "tip-2024-07",
    "title": "Tip: fake oil sold in Baoding",
    "organizations": [
        {"id": "SHOP-A", "name": "保定顺达汽配", "kind": "shop", "province": "Hebei"},
        {"id": "SHOP-A", "name": "保定顺达汽配 (second entry)", "kind": "shop"},
    ],
    "warehouses": [{"id": "W-X", "name": "Store room behind the market", "uses": ["storage"]}],
    "products": [{"id": "P-OIL", "name": "fake 5W-30, 4 L", "unit": "barrel"}],
    "transactions": [
        {"id": "T-1", "kind": "shipment", "source": "W-X", "target": "SHOP-A",
         "timestamp": "2024-07-02", "product": "P-OIL", "quantity": -40},
        {"id": "T-2", "kind": "shipment", "source": "W-Y", "target": "SHOP-A",
         "timestamp": "2024-07-03", "product": "P-OIL", "quantity": 20},
    ],
}
folder = tempfile.TemporaryDirectory()
tip_file = Path(folder.name) / "tip.json"
tip_file.write_text(json.dumps(tip, ensure_ascii=False), encoding="utf-8")

try:
    cg.read_case(tip_file)
except cg.InvalidCase as err:
    rejected = err
    print(err)
"""),
    md("""
The problems are also available as data, for example to send back to whoever wrote the file.
"""),
    code("""
pd.DataFrame(
    [(p.where(), p.field, p.value, p.message) for p in rejected.problems],
    columns=["record", "field", "value", "problem"],
)
"""),
    md("""
Fixing the three records makes the file load.
"""),
    code("""
tip["organizations"].pop(1)                      # one entry per shop
tip["transactions"][0]["quantity"] = 40          # the inspector's notes say 40 barrels
tip["warehouses"].append({"id": "W-Y", "name": "Garage of the driver", "uses": ["storage"]})
tip_file.write_text(json.dumps(tip, ensure_ascii=False), encoding="utf-8")
fixed = cg.read_case(tip_file)
folder.cleanup()
fixed
"""),
    md("""
## The networkx view

`g.to_networkx()` gives the case as a `networkx.MultiDiGraph`: persons, organizations and
premises are nodes; every shipment, payment and relationship is an edge keyed by its id, with
its fields as attributes. Anything networkx offers works on it.
"""),
    code("""
from collections import Counter

G = g.to_networkx()
print(G)
Counter(kind for _, _, kind in G.edges(data="kind")).most_common()
"""),
    md("""
Who calls whom most? The `calls` relationships carry the number of calls as `weight`; summed
per person they give each suspect's phone traffic.
"""),
    code("""
import networkx as nx

calls = nx.Graph()
for u, v, data in G.edges(data=True):
    if data["kind"] == "calls":
        weight = calls.get_edge_data(u, v, {"weight": 0})["weight"] + data.get("weight", 1)
        calls.add_edge(u, v, weight=weight)
traffic = pd.Series(dict(calls.degree(weight="weight")), name="calls").sort_values(ascending=False)
traffic.to_frame().assign(name=lambda t: [G.nodes[i]["name"] for i in t.index]).head(5)
"""),
    md("""
Where did the blending den `W-DEN-01` ship to, and who is tied to it?
"""),
    code("""
shipped_to = Counter(v for _, v, kind in G.out_edges("W-DEN-01", data="kind") if kind == "shipment")
tied = sorted({(u, kind) for u, _, kind in G.in_edges("W-DEN-01", data="kind") if kind != "shipment"})
shipped_to, tied
"""),
    md("""
The leader's circle: everyone within one link of `P-01` in the phone network, drawn with a
seeded layout so the picture is the same on every run (Chinese names need a CJK font, see the
figures guide).
"""),
    code("""
import matplotlib.pyplot as plt

import crimegraph.plot as cgp

cjk = cgp.use_cjk_font()      # a font with Chinese characters, or None (with a warning)
circle = calls.subgraph(["P-01", *calls.neighbors("P-01")])
pos = nx.spring_layout(circle, seed=0, weight=None)
fig, ax = plt.subplots(figsize=(7, 5))
widths = [1 + 4 * d["weight"] / max(w for *_, w in circle.edges(data="weight")) for *_, d in
          circle.edges(data=True)]
nx.draw_networkx(circle, pos, ax=ax, width=widths, node_color="#f4a261", node_size=900,
                 labels={n: f"{n}\\n{G.nodes[n]['name']}" for n in circle}, font_size=8,
                 font_family=cjk or "sans-serif")
ax.set_title("Calls around P-01 (line width: number of calls)")
ax.axis("off");
"""),
    md("""
## What we found

- The case file is consistent: it loads without a single problem. It holds **29 persons
  (26 suspects, 20 of them arrested)**, 45 organizations, **7 premises of which 2 are
  production dens**, 5 products, **733 shipments and 97 payments** between 2024-01-01 and
  2024-06-24, in **12 provinces**. Shipments with a known price are worth **6,353,696 CNY**;
  **1,236,500 CNY** of the ring's funds are frozen.
- `SHOP-17` (宋都汽配商行, Kaifeng) is backed by the market-regulator inspection of
  2024-03-14 that opened the case (graded A1): 8 barrels of suspected fake Mobil 5W-30 on the
  shelves, and the owner named his supplier.
- A file with three mistakes is rejected whole; the error lists **all three** (duplicate id
  `SHOP-A`, quantity −40 on `T-1`, unknown source `W-Y` on `T-2`) with record, field and value.
  After fixing them the file loads.
- As a networkx graph the case has **81 nodes and 939 edges**. The most phone traffic is not
  the leader's: `P-02` (刘振江, deputy for production and transport) has **1,841 calls** with
  12 people, ahead of the other deputy `P-03` and the leader `P-01` (王德胜). The heaviest
  single line is leader to `P-02` (418 calls): orders go through him.
- The blending den `W-DEN-01` ships only to the packaging den `W-DEN-02` (48 shipments):
  every drop of its oil passes through that second den (notebook 04 comes back to this).
"""),
]


# --------------------------------------------------------------------------------------------
# 02: trace the supply chain
# --------------------------------------------------------------------------------------------

TRACE: list[Cell] = [
    md("""
# 02 · Trace the supply chain

**The analyst's question:** where does the counterfeit engine oil come from, where did the oil
of the blending den `W-DEN-01` go, and where did the oil found at `SHOP-17` in Kaifeng come
from? Which quantities does the chain not account for: stock still held somewhere, buyers or
suppliers we have not found yet?

*The example case is synthetic: every person, company and place name in it is invented.*
"""),
    SETUP,
    code("""
case = cg.read_case("../fixtures/counterfeit_oil.json")
g = cg.CaseGraph(case)
"""),
    md("""
## Where is the oil made?

`find_sources` ranks the places that ship a counterfeit product they never receive: production
candidates. Suppliers of genuine inputs (base oil, marked `counterfeit=False`) are listed apart
with `inputs=True`: they sell in the open and are not where the fake oil is made.
"""),
    code("""
cg.find_sources(g)
"""),
    code("""
cg.find_sources(g, inputs=True)
"""),
    md("""
## Downstream from the den

`trace_chain` follows the goods forward in time: a shipment belongs to the chain only if the
goods could already be at its sender when it left. The result shows how many places and
shipments the chain holds and how many hops (tiers) it spans.
"""),
    code("""
chain = cg.trace_chain(g, "W-DEN-01")
chain
"""),
    code("""
print(f"{len(chain.nodes)} places, {len(chain.transactions)} shipments, "
      f"{len(chain.endpoints)} endpoints in {len(chain.provinces)} provinces")
chain.provinces
"""),
    md("""
Tiers are hop distances from the den inside the chain: the packaging den is tier 1, the
warehouses tier 2, and so on down to the shops.
"""),
    code("""
nodes = g.nodes().set_index("id")
tiers = pd.Series(chain.tiers, name="tier").to_frame().join(nodes[["name", "type", "province"]])
tiers.reset_index(names="id").groupby("tier").agg(
    places=("id", "size"), first_ids=("id", lambda ids: ", ".join(ids.iloc[:5])))
"""),
    md("""
Shipments, quantities and value per tier (internal transfers between the ring's own premises
carry no price, so tiers 1 and 2 show no value).
"""),
    code("""
chain.tier_totals()
"""),
    code("""
print(f"left the den: {chain.total_quantity:,.0f} units; "
      f"traded along the chain: {chain.total_amount:,.0f} {case.currency}")
"""),
    md("""
Where did the oil end up? The endpoints are the places that received chain shipments and
shipped nothing on.
"""),
    code("""
shops = tiers.loc[chain.endpoints]
shops.groupby("province")["name"].count().sort_values(ascending=False).rename("endpoints")
"""),
    md("""
## One row per shipment

`to_dataframe` gives every chain shipment with its time, tier, sender, receiver, product,
quantity and amount: the table to export for the prosecutor.
"""),
    code("""
shipments = chain.to_dataframe()
shipments.head()
"""),
    code("""
(shipments.groupby("product_name")[["quantity", "amount"]].sum()
 .sort_values("quantity", ascending=False))
"""),
    md("""
## Shipments the time rule leaves out

Ignoring time (`time_respecting=False`) reaches more shipments. The difference is oil that
left a place *before* any of the den's oil had arrived there: it must have come from somewhere
else.
"""),
    code("""
anytime = cg.trace_chain(g, "W-DEN-01", time_respecting=False)
left_out = sorted(set(anytime.transactions) - set(chain.transactions))
shipments_all = pd.DataFrame(
    [(t.id, t.timestamp.date(), t.source, t.target, t.product, t.quantity)
     for t in g.transactions(kind="shipment") if t.id in left_out],
    columns=["id", "date", "source", "target", "product", "quantity"])
shipments_all
"""),
    md("""
## Unaccounted quantities: leads

For every place in the chain and every product, inflow minus outflow over chain shipments
(barrels of one product are never added to bottles of another). Downstream, a large positive
number is stock still held or buyers we do not know; a negative number means the place sold
more than the chain delivered: a supplier we have not found. `chain.leads()` keeps these,
premises and distributors first and shops last (a shop's stock is sold to the public).
"""),
    code("""
leads = chain.leads()
leads.head(8)
"""),
    code("""
leads[leads["lead"] == "unknown supplier"]
"""),
    md("""
## Upstream from the shop that started the case

Traced upstream, the chain runs backward in time from `SHOP-17` to everyone who could have fed
it.
"""),
    code("""
upstream = cg.trace_chain(g, "SHOP-17", direction="upstream")
upstream.tiers, upstream.sources
"""),
    md("""
Only the fake Mobil 5W-30, the product the inspectors found on the shop's shelves:
"""),
    code("""
mobil = cg.trace_chain(g, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
mobil.tiers, len(mobil.transactions), mobil.total_quantity
"""),
    md("""
## Time windows and products

Only April 2024, and only the 1 L Shell HX8 bottles:
"""),
    code("""
april = cg.trace_chain(g, "W-DEN-01", since="2024-04-01", until="2024-04-30")
hx8 = cg.trace_chain(g, "W-DEN-01", product="P-SHELL-HX8")
pd.DataFrame(
    [(c.product or "all", len(c.nodes), len(c.transactions), len(c.endpoints), len(c.provinces),
      c.total_quantity) for c in (chain, april, hx8)],
    index=["whole case", "April 2024", "Shell HX8 only"],
    columns=["products", "places", "shipments", "endpoints", "provinces", "left the den"])
"""),
    md("""
## The chain as a figure

`chain.plot()` draws the chain left to right by tier; line width is the quantity shipped and
the badges beside the boxes are the leads, one product each ("(+k)": leads on k more products).
Upstream, the den is marked as the producer: it makes the oil, it is not missing a supplier.
"""),
    code("""
chain.plot();
"""),
    code("""
upstream.plot();
"""),
    md("""
## What we found

- **The source.** `W-DEN-01` (兴隆庄村调配窝点, the blending den) ships 58,412 units of four
  counterfeit products it never receives: it is the production site. Its base oil comes from
  the legitimate trader `ORG-SUPPLIER`, a supplier of genuine inputs.
- **Where the oil went.** Followed forward in time, the den's oil reaches **49 places over 702
  shipments in 5 tiers**: packaging den → warehouses → distributors and the online store →
  **30 shops in 12 provinces**. **58,412 units** left the den, and the sales along the chain are
  worth **5,351,856 CNY**.
- **Oil from somewhere else.** Eight shipments are in the case but not in the time-respecting
  chain: the Xuzhou warehouse `W-WH-07` shipped `SHP-0023`, `SHP-0045` and `SHP-0067` in
  January, before any den oil reached it, and five resales (`SHP-0085`, `SHP-0141`, `SHP-0155`,
  `SHP-0187`, `SHP-0191`) could only have come from that stock: **an earlier, unknown source**.
- **Leads.** The Tianjin warehouse `W-WH-06` holds **4,920 units** of four products it received
  and never sold, 2,388 of them Shell HX8 (the seizure `EV-SEIZE-03` confirms stock there). The Taiyuan distributor `DIST-02` sold
  **960 more barrels of Mobil 0W-40 than it received** from the chain: it has a supplier the
  case does not know. Distributors with positive balances have buyers we have not found.
- **Back from `SHOP-17`.** The shop's oil came from `DIST-07` ← `W-WH-05` (Zhengzhou) ←
  `W-DEN-02` ← `W-DEN-01` ← `ORG-SUPPLIER`. For the Mobil 5W-30 the inspectors found, the
  chain is the same without the base-oil trader (5 places, 27 shipments, 248 barrels delivered
  to the shop).
- **Windows and products.** In April 2024 alone the den's oil reached 31 places in 8 provinces
  over 85 shipments; the 1 L Shell HX8 bottles reached 28 endpoints over 176 shipments.
"""),
]


# --------------------------------------------------------------------------------------------
# 03: organizational structure
# --------------------------------------------------------------------------------------------

ORG: list[Cell] = [
    md("""
# 03 · Organizational structure

**The analyst's question:** the fake-liquor ring is said to be led by 周建国 (Zhou Jianguo,
`P-ZHOU`). Who reports to whom, what does each member do, and which links of evidence support
the chain of command that we will present to the prosecutor?

*The example case is synthetic: every person, company and place name in it is invented.*
"""),
    SETUP,
    code("""
case = cg.read_case("../fixtures/fake_liquor.json")
g = cg.CaseGraph(case)
g.summary()
"""),
    md("""
## The persons of the case

Roles are free text written by the investigators; statuses say who is arrested, who is only a
suspect and who is a witness.
"""),
    code("""
nodes = g.nodes()
persons = nodes[nodes["type"] == "person"][["id", "name", "role", "status"]]
persons
"""),
    md("""
## Who gives orders to whom

`infer_hierarchy` weighs the clues for every pair of persons (`leads` and `employs` links,
ownership of premises that the other operates, money going up and goods going down) and gives
each person at most one superior. The `evidence` column says why.
"""),
    code("""
hierarchy = cg.infer_hierarchy(g)
hierarchy[["id", "name", "level", "superior", "role", "status"]]
"""),
    code("""
for row in hierarchy.itertuples():
    print(f"{row.id:8} {row.evidence}")
"""),
    md("""
The links behind the chart, with the evidence each rests on and its grading (source
reliability A–F, information credibility 1–6):
"""),
    code("""
evidence = {e.id: e for e in case.evidence}
command = pd.DataFrame(
    [(r.source, r.target, r.kind, r.id, ", ".join(r.evidence),
      ", ".join(f"{evidence[e].reliability}{evidence[e].credibility}" for e in r.evidence))
     for r in g.links(kinds=["leads", "employs"])],
    columns=["superior", "subordinate", "kind", "relationship", "evidence", "grading"])
command
"""),
    code("""
command.groupby(["kind", "evidence"]).size().rename("links")
"""),
    md("""
## The org chart
"""),
    code("""
cg.plot_org_chart(g, hierarchy=hierarchy);
"""),
    md("""
## Key roles

The span of control of each superior, and who is on each team.
"""),
    code("""
teams = (hierarchy.dropna(subset=["superior"])
         .groupby("superior")["id"].agg(["count", lambda ids: ", ".join(sorted(ids))]))
teams.columns = ["reports", "members"]
teams.join(hierarchy.set_index("id")[["name", "role"]])
"""),
    md("""
Who runs which premises, by the `owns`, `operates` and `rents` relationships:
"""),
    code("""
premises = pd.DataFrame(
    [(r.source, r.kind, r.target, g.get(r.target).name, ", ".join(r.evidence))
     for r in g.links(kinds=["owns", "operates", "rents"])],
    columns=["person", "kind", "premises", "premises name", "evidence"])
premises.sort_values(["premises", "kind"], ignore_index=True)
"""),
    md("""
Money between members of the ring: who paid whom, how often and how much.
"""),
    code("""
members = set(hierarchy.dropna(subset=["level"])["id"])
paid = pd.DataFrame(
    [(t.source, t.target, t.amount) for t in g.transactions(kind="payment")
     if t.source in members and t.target in members],
    columns=["from", "to", "amount"])
paid.groupby(["from", "to"])["amount"].agg(["count", "sum"])
"""),
    md("""
Persons with no command, money or goods tie to anyone stay outside the hierarchy:
"""),
    code("""
hierarchy[hierarchy["level"].isna()][["id", "name", "role", "status", "evidence"]]
"""),
    md("""
## What we found

- **A three-level ring.** `P-ZHOU` (周建国, leader, arrested) is at the top. He leads and
  employs two lieutenants: `P-WU` (吴海峰) for production and `P-ZHENG` (郑美玲) for sales.
  Each lieutenant has **three** people under them: `P-WU` the blender `P-SUN`, the bottler
  `P-QIAN` and the driver `P-FENG`; `P-ZHENG` the salesman `P-CHEN`, the online-store operator
  `P-HE` and the den-C keeper `P-LU`.
- **The evidence for each link:** of the 8 `leads` links, 5 rest on the wiretap of Zhou and his
  lieutenants (`EV-WIRETAP-01`, graded B2) and 3 on the seizures at the dens where the
  blender, the bottler and the den-C keeper worked (`EV-SEIZE-A`, `-B`, `-C`, graded A1).
  Zhou's `employs` links to all 8 members rest on bank records (`EV-BANK-01`, A1).
- **Money** follows the command lines: `P-HE` paid her superior `P-ZHENG` **265,000 CNY**
  (4 payments), `P-ZHENG` passed **1,138,000 CNY** up to Zhou directly and another
  **561,000 CNY** through the account of Zhou's nephew `P-LU`, who forwarded it the next day
  (4 payments each), and Zhou paid **295,000 CNY** down to `P-WU` (4 payments), the
  production side that needs cash for ethanol and bottles.
- **Who runs the premises:** Zhou rents the blending den `W-DEN-A`; `P-WU` operates dens A and
  B (and rents B); `P-ZHENG` rents and operates the storage and sales den `W-DEN-C` together
  with its keeper `P-LU`; `P-HE` operates both online stores.
- The two **witnesses** `P-CAI` (a bar manager) and `P-NIU` (a bottle-recycling yard owner)
  have no command, money or goods ties to the ring and stay outside the hierarchy.
"""),
]


# --------------------------------------------------------------------------------------------
# 04: key players and disruption
# --------------------------------------------------------------------------------------------

DISRUPT: list[Cell] = [
    md("""
# 04 · Key players and disruption

**The analyst's question:** in the counterfeit engine-oil ring, whom should we arrest first,
and which premises must we seize, so that the ring falls apart and its oil stops reaching the
shops?

We rank the people by centrality, find the groups and the brokers between provinces, simulate
arrests under several targeting strategies, and compute the smallest set of places whose
seizure cuts every known route from the dens to the shops.

*The example case is synthetic: every person, company and place name in it is invented.*
"""),
    SETUP,
    code("""
case = cg.read_case("../fixtures/counterfeit_oil.json")
g = cg.CaseGraph(case)
names = g.nodes().set_index("id")["name"]
"""),
    md("""
## Key players

Centrality on the social network (leads, employs, calls, family...): degree says who knows
many, betweenness who bridges, PageRank who is tied to the important ones.
"""),
    code("""
ranks = pd.concat(
    {measure: cg.key_players(g, measure, k=8)["id"].reset_index(drop=True)
     for measure in ("degree", "betweenness", "pagerank")},
    axis=1)
ranks.index = ranks.index + 1
ranks
"""),
    code("""
cg.key_players(g, "betweenness", k=5)
"""),
    md("""
With tie strength (number of calls, ...) the degree becomes phone and contact traffic:
"""),
    code("""
cg.key_players(g, "degree", k=5, weighted=True)
"""),
    md("""
## Groups

Louvain community detection (seeded, so the groups are the same on every run).
"""),
    code("""
groups = cg.find_groups(g, seed=0)
print(f"modularity {groups.modularity:.3f}, sizes {groups.sizes}")
for number, size in enumerate(groups.sizes):
    members = groups.members(number)
    print(f"group {number} ({size}): {', '.join(members[:10])}{' ...' if size > 10 else ''}")
"""),
    code("""
cg.plot_network(g, color_by="group", size_by="betweenness", seed=0);
"""),
    md("""
## Brokers between provinces

Gould–Fernandez brokerage over shipments, payments and command links, with provinces as the
groups: a *liaison* passes flows between two provinces that are not its own, a *gatekeeper*
lets flows into its province, a *coordinator* works within one province. Low Burt constraint
marks a node whose contacts do not know each other.
"""),
    code("""
brokers = cg.find_brokers(g, by="province")
brokers.head(8)
"""),
    md("""
Where does the money go? Payments received, by payee:
"""),
    code("""
payments = pd.DataFrame([(t.source, t.target, t.amount) for t in g.transactions(kind="payment")],
                        columns=["payer", "payee", "amount"])
received = payments.groupby("payee")["amount"].agg(["count", "sum"])
received.sort_values("sum", ascending=False).head(4)
"""),
    md("""
## Simulated arrests

`simulate_disruption` removes the highest-scoring node, recomputes, and repeats. The solid
lines are the share of the largest connected group left; the dashed lines the share of the
goods that can still flow from the dens to the shops. `flow` targets the places handling the
most goods.
"""),
    code("""
strategies = ["degree", "betweenness", "collective_influence", "flow"]
runs = {s: cg.simulate_disruption(g, s, max_removed=25) for s in strategies}
cg.plot_disruption(list(runs.values()));
"""),
    code("""
pd.DataFrame(
    {s: {"first five removed": ", ".join(run.removed[:5]),
         "removals to halve the network": run.removed_until(0.5),
         "robustness": round(run.robustness, 3),
         "goods still flowing after 5": run.curve["flow_fraction"].iloc[5]}
     for s, run in runs.items()}).T
"""),
    md("""
Arresting people breaks up the social network quickly, but the oil keeps flowing: the goods
move between premises and firms. How many arrests, in betweenness order, before the flow
stops?
"""),
    code("""
people_first = cg.simulate_disruption(g, "betweenness", max_removed=40)
stops_at = int(people_first.curve.loc[people_first.curve["flow_fraction"] == 0, "removed"].min())
stops_at, people_first.removed[:stops_at]
"""),
    md("""
On the goods network (who shipped to whom), betweenness targets the premises instead:
"""),
    code("""
goods_runs = [cg.simulate_disruption(g, s, network="goods", max_removed=15)
              for s in ("degree", "betweenness")]
[(run.strategy, run.removed[:3], run.curve["flow_fraction"].round(3).tolist()[:4])
 for run in goods_runs]
"""),
    code("""
cg.plot_disruption([runs["betweenness"], *goods_runs]);
"""),
    md("""
## Cut the chain

`cut_chain` finds the fewest places whose removal meets every route from the sources to the
endpoints (a minimum vertex cut).
"""),
    code("""
cut = cg.cut_chain(g)
cut, cut.table
"""),
    md("""
What it does to the chain: the same case without the shipments into and out of the cut, traced
again from the blending den.
"""),
    code("""
data = case.model_dump()
data["transactions"] = [t for t in data["transactions"]
                        if t["source"] not in cut.nodes and t["target"] not in cut.nodes]
after_cut = cg.Case.model_validate(data)
before = cg.trace_chain(g, "W-DEN-01")
after = cg.trace_chain(after_cut, "W-DEN-01")
pd.DataFrame({"before": [len(before.nodes), len(before.transactions), len(before.endpoints)],
              "after the cut": [len(after.nodes), len(after.transactions), len(after.endpoints)]},
             index=["places", "shipments", "endpoints"])
"""),
    md("""
If the packaging den were already closed, the next line of defence would be:
"""),
    code("""
cg.cut_chain(g, sources="W-DEN-02")
"""),
    md("""
## What we found

- **Arrest `P-02` first.** 刘振江 (deputy for production and transport) is the most central
  person on degree, betweenness and PageRank, and has the most contact traffic. Second on all
  three is the front company `ORG-FRONT-CO`, which is also the **top broker**: a liaison in 37
  flows between provinces other than its own. It is the channel of the ring's money: it
  received **33 payments worth 1,869,700 CNY**, 40 % of all the money paid in the case.
- **Four groups** (modularity 0.375): production and transport around `P-02` (23 members),
  sales around the distributors and `P-03` (22), the base-oil supply with `W-DEN-01` (3), and
  the front company with the Langfang hub (2).
- **Arrests alone do not stop the oil.** Removing `P-02`, `ORG-FRONT-CO` and `P-03` (the
  betweenness order) leaves the largest connected group at **14 %** of the network, but all of
  the goods can still flow: it takes **11 removals in that order**, the eleventh being the
  den `W-DEN-01` itself, before the flow stops. Targeting the goods (`flow`) stops it with the
  first removal, the blending den.
- **One premises cuts the chain.** The minimum cut is a single place, the packaging den
  `W-DEN-02` (东小营灌装贴标窝点), which carried **58,412 units**: every known route from the
  dens to the 30 shops passes through it. Without it the den's oil reaches **no shop** (0
  shipments). If it were already closed, the next cut is the three warehouses `W-WH-03`,
  `W-WH-04` and `W-WH-05`.
- **Plan:** arrest `P-02` and seize `W-DEN-02` in the same operation, and freeze
  `ORG-FRONT-CO`'s accounts to cut the money (the case's freeze after the raid, `EV-FREEZE-01`,
  found 612,400 CNY there).
"""),
]


# --------------------------------------------------------------------------------------------
# 05: working with Neo4j
# --------------------------------------------------------------------------------------------

NEO4J: list[Cell] = [
    md("""
# 05 · Working with Neo4j

**The analyst's question:** our unit keeps its cases in a Neo4j database. Do the analyses give
the same answers there as in memory, and how do we load, reopen and remove a case?

The server comes from the environment variable `CRIMEGRAPH_NEO4J_URI` (for example
`bolt://127.0.0.1:7687`). When it is not set, this notebook starts the project's throwaway test
server (`tests/neo4j_launcher.py`: Neo4j Community 5.26 on 127.0.0.1, authentication off, data
in a temporary folder; it needs Java 17 and Maven). Use a scratch database: the notebook
loads the example case and deletes it at the end.

*The example case is synthetic: every person, company and place name in it is invented.*
"""),
    SETUP,
    code("""
import os
import sys
from pathlib import Path

uri = os.environ.get("CRIMEGRAPH_NEO4J_URI")
server = None
if not uri:
    sys.path.insert(0, str(Path("..", "tests").resolve()))
    from neo4j_launcher import Neo4jServer

    server = Neo4jServer().start(timeout=300)
    uri = server.uri
print("Neo4j at", uri)
"""),
    md("""
## Load a case into Neo4j

A `Neo4jStore` talks to one database (pass `auth=(user, password)` for a server with
authentication). Giving it to `CaseGraph` writes the case: one batched, all-or-nothing load.
"""),
    code("""
case = cg.read_case("../fixtures/counterfeit_oil.json")
store = cg.Neo4jStore(uri, database="neo4j")
g = cg.CaseGraph(case, store=store)
g, store.list_cases()
"""),
    code("""
g.summary()
"""),
    md("""
## Reopen it later

`CaseGraph.open` points a store at a case already in the database, without loading it again:
this is how a second analyst, or tomorrow's notebook, picks up the case.
"""),
    code("""
reader = cg.Neo4jStore(uri, database="neo4j")
db = cg.CaseGraph.open(reader, case.id)
db
"""),
    md("""
## The same trace, in memory and in the database
"""),
    code("""
memory = cg.CaseGraph(case)
in_memory = cg.trace_chain(memory, "W-DEN-01")
in_neo4j = cg.trace_chain(db, "W-DEN-01")
in_neo4j
"""),
    code("""
same = {
    "tiers": in_neo4j.tiers == in_memory.tiers,
    "shipments": in_neo4j.transactions == in_memory.transactions,
    "endpoints": in_neo4j.endpoints == in_memory.endpoints,
    "totals": (in_neo4j.total_quantity, in_neo4j.total_amount)
              == (in_memory.total_quantity, in_memory.total_amount),
    "unaccounted": in_neo4j.unaccounted().equals(in_memory.unaccounted()),
    "shipment table": in_neo4j.to_dataframe().equals(in_memory.to_dataframe()),
}
same
"""),
    md("""
Upstream from `SHOP-17`, for the Mobil 5W-30 that the inspectors found there:
"""),
    code("""
up_db = cg.trace_chain(db, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
up_mem = cg.trace_chain(memory, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
up_db.tiers, up_db.tiers == up_mem.tiers and up_db.transactions == up_mem.transactions
"""),
    md("""
## The other analyses

Every analysis is written against the store interface, so the network analyses run on the
database too.
"""),
    code("""
checks = {
    "find_sources": cg.find_sources(db).equals(cg.find_sources(memory)),
    "key_players": cg.key_players(db, "betweenness").equals(
        cg.key_players(memory, "betweenness")),
    "infer_hierarchy": cg.infer_hierarchy(db).equals(cg.infer_hierarchy(memory)),
    "cut_chain": cg.cut_chain(db).nodes == cg.cut_chain(memory).nodes,
}
checks
"""),
    code("""
in_neo4j.plot();
"""),
    md("""
## Remove the case and close the connections

`delete_case` removes the case and all its data from the database; other cases in the same
database are untouched.
"""),
    code("""
store.delete_case(case.id)
remaining = reader.list_cases()
g.close()
reader.close()
if server is not None:
    server.stop()
remaining
"""),
    md("""
## What we found

- The counterfeit-oil case loads into Neo4j in one call and can be reopened by id with
  `CaseGraph.open`, without loading it again.
- The trace from `W-DEN-01` in the database is **identical** to the in-memory trace: the same
  49 places, the same 702 shipments in the same order, the same tiers, the same 30 endpoints,
  totals, unaccounted quantities and shipment table. The upstream trace from `SHOP-17` for
  Mobil 5W-30 (`DIST-07` ← `W-WH-05` ← `W-DEN-02` ← `W-DEN-01`) matches too.
- `find_sources`, `key_players`, `infer_hierarchy` and `cut_chain` give the same answers on
  both stores, so an analysis can move between a notebook's memory and the unit's database
  without changing its results.
- `delete_case` removes the case; afterwards the database no longer lists it.
"""),
]


# --------------------------------------------------------------------------------------------
# 07: from spreadsheets to a case
# --------------------------------------------------------------------------------------------

SPREADSHEETS: list[Cell] = [
    md("""
# 07 · From spreadsheets to a case

**The analyst's question:** the agencies have answered our requests. The logistics company
sent its waybill export, the bank its statements, the e-commerce platform the online store's
orders, the telecom operator the call records and the market regulator its inspection
records: five files, five formats, Chinese headers, dates and phone numbers written every
which way. Can we turn them into one case we can trust: every row accounted for, every record
traceable to the file and row it came from, and every disagreement between the sources in
front of us rather than silently resolved?

The files are the counterfeit-oil case of the other notebooks as the agencies would hand it
over (`fixtures/raw/`, synthetic: every name and number is invented).
"""),
    SETUP,
    md("""
## What arrived

Each agency has its own format: the waybills are a CSV file in GB18030, the bank statements
and the inspections Excel workbooks, the orders a CSV file in UTF-8 with a byte-order mark,
the call records plain UTF-8. crimegraph ships a mapping for each kind of export.
"""),
    code("""
raw = "../fixtures/raw/"
files = [(raw + "waybills.csv", "waybills"),
         (raw + "bank_statements.xlsx", "bank_statements"),
         (raw + "orders.csv", "orders"),
         (raw + "call_records.csv", "call_records"),
         (raw + "inspections.xlsx", "inspections")]
cg.mapping_names()
"""),
    md("""
A look at the raw waybills shows the mess: three ways of writing a time, phones with spaces,
dashes and `+86`, quantities with and without units, amounts with separators.
"""),
    code("""
pd.read_csv(raw + "waybills.csv", encoding="gb18030", dtype=str, keep_default_na=False).iloc[
    :5, [0, 1, 5, 6, 8, 12, 13, 14]]
"""),
    md("""
## A strict first pass

By default `cg.ingest` loads nothing if any row is bad, and says why, row by row.
"""),
    code("""
try:
    cg.ingest(files, reliability="B", credibility=2)
except cg.InvalidSource as error:
    strict_error = error
    print(error)
"""),
    md("""
Four rows are bad: an impossible date in the waybills and in the call records, a quantity in
words, an amount of `—`. None of them is a fact we can use as it stands. We load the good rows
and keep the list of bad ones to send back to the agencies.

The grading follows the Admiralty system: the logistics firm, the bank and the operator are
usually reliable sources (B) whose records are probably true (2).
"""),
    code("""
result = cg.ingest(files, strict=False, reliability="B", credibility=2,
                   case_id="counterfeit-oil-from-exports",
                   title="Counterfeit engine oil ring, from the agencies' exports")
print(result.summary())
"""),
    code("""
result.problems
"""),
    md("""
## Where the sources disagree

Records that share an id are merged: the same phone in the waybills and in the call records is
one person; an online order and the logistics company's waybill for it are one shipment with
both files as evidence. Where two sources disagree, the first value is kept and the other is
reported.
"""),
    code("""
result.conflicts
"""),
    code("""
keeper = result.case.get("tel:+8613800000124")
keeper.name, keeper.aliases, keeper.evidence
"""),
    md("""
## Every record knows where it came from

Each file is an `Evidence` record with its grading and its SHA-256; each record lists the
files in `evidence` and the rows in `attributes["rows"]`.
"""),
    code("""
pd.DataFrame([e.model_dump(include={"id", "kind", "agency", "reliability", "credibility"})
              for e in result.case.evidence])
"""),
    code("""
order = next(t for t in result.case.transactions if len(t.evidence) == 2)
order.id, order.evidence, order.attributes
"""),
    md("""
## How close is it to the case file?

The case file of notebook 01 was built by the investigators from everything they know. The
exports give back what they hold: compared by content (phones, addresses, waybill and bank
references), not by id.
"""),
    code("""
case = cg.read_case("../fixtures/counterfeit_oil.json")
mine = result.counts
theirs = {"persons with a phone": sum(1 for p in case.persons if p.phones),
          "shipments with a waybill": sum(1 for t in case.transactions
                                          if t.kind == "shipment" and t.reference),
          "payments": sum(1 for t in case.transactions if t.kind == "payment"),
          "calls relationships": sum(1 for r in case.relationships if r.kind == "calls")}
same_waybills = ({t.reference for t in case.transactions if t.kind == "shipment" and t.reference}
                 == {t.reference for t in result.case.transactions if t.kind == "shipment"})
same_payments = ({(t.reference, t.amount) for t in case.transactions if t.kind == "payment"}
                 == {(t.reference, t.amount) for t in result.case.transactions
                     if t.kind == "payment"})
mine, theirs, same_waybills, same_payments
"""),
    md("""
## The ingested case is a case like any other

The Langfang hub warehouse is known to the exports only by its address. Tracing from it:
"""),
    code("""
hub = "addr:廊坊市某物流园C区17号库"
chain = cg.trace_chain(result.case, hub)
chain
"""),
    code("""
players = cg.key_players(result.case, "degree")
players.head(5)[["id", "name", "score"]]
"""),
    md("""
## What we found

- The five exports hold **3,495 rows**. **3,485** became records, **4** were rejected (each
  named by file, row, column and value: the list goes back to the agencies) and **6** were
  skipped on purpose (two blank rows, a cancelled waybill, a closed order, two interest
  entries). Nothing was dropped silently.
- They give back the case's **20 people with a phone**, the **5 warehouses** that ship by
  waybill, all **385 waybill shipments** and all **97 payments** with the same references and
  amounts, and the **20 calls relationships** with their call counts.
- The 12 online orders are the same shipments as 12 waybills: each lists **both files** as
  evidence.
- One conflict: the operator registers the Xuzhou warehouse keeper as 谢保山, the logistics
  firm as 谢宝山. The first is kept, the other is an alias, and both sources are on record.
- From the hub warehouse's address, the trace reaches **16 places** over **225 shipments**,
  and the call records alone put 刘振江 (the deputy for production and transport in the case
  file) at the centre of the phone network, then 孙丽华 and 王德胜. What the exports cannot
  give (the dens, premises' names, roles, the shipments without a waybill) is what the
  investigators add from their own evidence.
"""),
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01_load_a_case.ipynb": LOAD_A_CASE,
    "02_trace_the_supply_chain.ipynb": TRACE,
    "03_organizational_structure.ipynb": ORG,
    "04_key_players_and_disruption.ipynb": DISRUPT,
    "05_working_with_neo4j.ipynb": NEO4J,
    "07_from_spreadsheets_to_a_case.ipynb": SPREADSHEETS,
}


def build(name: str, cells: list[Cell]) -> nbformat.NotebookNode:
    """The notebook ``name``: stable cell ids, no outputs, the python3 kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("_", 1)[0]
    for number, (kind, source) in enumerate(cells):
        cell = (nbformat.v4.new_markdown_cell(source) if kind == "md"
                else nbformat.v4.new_code_cell(source))
        cell.id = f"nb{stem}-{number:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the notebooks on disk match their cells")
    args = parser.parse_args(argv)
    stale = []
    for name, cells in NOTEBOOKS.items():
        path = HERE / name
        text = render(build(name, cells))
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote notebooks/{name}")
    if stale:
        print("out of date (run python notebooks/build_notebooks.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

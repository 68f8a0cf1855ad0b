# %% [markdown]
# # 02 · Trace the supply chain
#
# **The analyst's question:** where does the counterfeit engine oil come from, where did the oil
# of the blending den `W-DEN-01` go, and where did the oil found at `SHOP-17` in Kaifeng come
# from? Which quantities does the chain not account for: stock still held somewhere, buyers or
# suppliers we have not found yet?
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

# %% [markdown]
# ## Where is the oil made?
#
# `find_sources` ranks the places that ship a counterfeit product they never receive: production
# candidates. Suppliers of genuine inputs (base oil, marked `counterfeit=False`) are listed apart
# with `inputs=True`: they sell in the open and are not where the fake oil is made.

# %%
cg.find_sources(g)

# %%
cg.find_sources(g, inputs=True)

# %% [markdown]
# ## Downstream from the den
#
# `trace_chain` follows the goods forward in time: a shipment belongs to the chain only if the
# goods could already be at its sender when it left. The result shows how many places and
# shipments the chain holds and how many hops (tiers) it spans.

# %%
chain = cg.trace_chain(g, "W-DEN-01")
chain

# %%
print(f"{len(chain.nodes)} places, {len(chain.transactions)} shipments, "
      f"{len(chain.endpoints)} endpoints in {len(chain.provinces)} provinces")
chain.provinces

# %% [markdown]
# Tiers are hop distances from the den inside the chain: the packaging den is tier 1, the
# warehouses tier 2, and so on down to the shops.

# %%
nodes = g.nodes().set_index("id")
tiers = pd.Series(chain.tiers, name="tier").to_frame().join(nodes[["name", "type", "province"]])
tiers.reset_index(names="id").groupby("tier").agg(
    places=("id", "size"), first_ids=("id", lambda ids: ", ".join(ids.iloc[:5])))

# %% [markdown]
# Shipments, quantities and value per tier (internal transfers between the ring's own premises
# carry no price, so tiers 1 and 2 show no value).

# %%
chain.tier_totals()

# %%
print(f"left the den: {chain.quantity_text}; traded along the chain: {chain.amount_text}")

# %% [markdown]
# Where did the oil end up? The endpoints are the places that received chain shipments and
# shipped nothing on.

# %%
shops = tiers.loc[chain.endpoints]
shops.groupby("province")["name"].count().sort_values(ascending=False).rename("endpoints")

# %% [markdown]
# ## One row per shipment
#
# `to_dataframe` gives every chain shipment with its time, tier, sender, receiver, product,
# quantity and amount: the table to export for the prosecutor.

# %%
shipments = chain.to_dataframe()
shipments.head()

# %%
(shipments.groupby("product_name")[["quantity", "amount"]].sum()
 .sort_values("quantity", ascending=False))

# %% [markdown]
# ## Shipments the time rule leaves out
#
# Ignoring time (`time_respecting=False`) reaches more shipments. The difference is oil that
# left a place *before* any of the den's oil had arrived there: it must have come from somewhere
# else.

# %%
anytime = cg.trace_chain(g, "W-DEN-01", time_respecting=False)
left_out = sorted(set(anytime.transactions) - set(chain.transactions))
shipments_all = pd.DataFrame(
    [(t.id, t.timestamp.date(), t.source, t.target, t.product, t.quantity)
     for t in g.transactions(kind="shipment") if t.id in left_out],
    columns=["id", "date", "source", "target", "product", "quantity"])
shipments_all

# %% [markdown]
# ## Unaccounted quantities: leads
#
# For every place in the chain and every product, inflow minus outflow over chain shipments
# (barrels of one product are never added to bottles of another). Downstream, a large positive
# number is stock still held or buyers we do not know; a negative number means the place sold
# more than the chain delivered: a supplier we have not found. `chain.leads()` keeps these,
# premises and distributors first and shops last (a shop's stock is sold to the public).

# %%
leads = chain.leads()
leads.head(8)

# %%
leads[leads["lead"] == "unknown supplier"]

# %% [markdown]
# ## Upstream from the shop that started the case
#
# Traced upstream, the chain runs backward in time from `SHOP-17` to everyone who could have fed
# it.

# %%
upstream = cg.trace_chain(g, "SHOP-17", direction="upstream")
upstream.tiers, upstream.sources

# %% [markdown]
# Only the fake Mobil 5W-30, the product the inspectors found on the shop's shelves:

# %%
mobil = cg.trace_chain(g, "SHOP-17", direction="upstream", product="P-MOBIL-5W30")
mobil.tiers, len(mobil.transactions), mobil.total_quantity

# %% [markdown]
# ## Time windows and products
#
# Only April 2024, and only the 1 L Shell HX8 bottles:

# %%
april = cg.trace_chain(g, "W-DEN-01", since="2024-04-01", until="2024-04-30")
hx8 = cg.trace_chain(g, "W-DEN-01", product="P-SHELL-HX8")
pd.DataFrame(
    [(c.product or "all", len(c.nodes), len(c.transactions), len(c.endpoints), len(c.provinces),
      c.total_quantity) for c in (chain, april, hx8)],
    index=["whole case", "April 2024", "Shell HX8 only"],
    columns=["products", "places", "shipments", "endpoints", "provinces", "left the den"])

# %% [markdown]
# ## The chain as a figure
#
# `chain.plot()` draws the chain left to right by tier; line width is the quantity shipped and
# the badges beside the boxes are the leads, one product each ("(+k)": leads on k more products).
# Upstream, the den is marked as the producer: it makes the oil, it is not missing a supplier.

# %%
chain.plot();

# %%
upstream.plot();

# %% [markdown]
# ## What we found
#
# - **The source.** `W-DEN-01` (兴隆庄村调配窝点, the blending den) ships 58,412 units of four
#   counterfeit products it never receives: it is the production site. Its base oil comes from
#   the legitimate trader `ORG-SUPPLIER`, a supplier of genuine inputs.
# - **Where the oil went.** Followed forward in time, the den's oil reaches **49 places over 702
#   shipments in 5 tiers**: packaging den → warehouses → distributors and the online store →
#   **30 shops in 12 provinces**. **58,412 units** left the den, and the sales along the chain are
#   worth **5,351,856 CNY**.
# - **Oil from somewhere else.** Eight shipments are in the case but not in the time-respecting
#   chain: the Xuzhou warehouse `W-WH-07` shipped `SHP-0023`, `SHP-0045` and `SHP-0067` in
#   January, before any den oil reached it, and five resales (`SHP-0085`, `SHP-0141`, `SHP-0155`,
#   `SHP-0187`, `SHP-0191`) could only have come from that stock: **an earlier, unknown source**.
# - **Leads.** The Tianjin warehouse `W-WH-06` holds **4,920 units** of four products it received
#   and never sold, 2,388 of them Shell HX8 (the seizure `EV-SEIZE-03` confirms stock there). The Taiyuan distributor `DIST-02` sold
#   **960 more barrels of Mobil 0W-40 than it received** from the chain: it has a supplier the
#   case does not know. Distributors with positive balances have buyers we have not found.
# - **Back from `SHOP-17`.** The shop's oil came from `DIST-07` ← `W-WH-05` (Zhengzhou) ←
#   `W-DEN-02` ← `W-DEN-01` ← `ORG-SUPPLIER`. For the Mobil 5W-30 the inspectors found, the
#   chain is the same without the base-oil trader (5 places, 27 shipments, 248 barrels delivered
#   to the shop).
# - **Windows and products.** In April 2024 alone the den's oil reached 31 places in 8 provinces
#   over 85 shipments; the 1 L Shell HX8 bottles reached 28 endpoints over 176 shipments.

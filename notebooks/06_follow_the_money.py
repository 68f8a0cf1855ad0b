# %% [markdown]
# # 06 · Follow the money
#
# **The analyst's question:** the fake-liquor ring led by 周建国 (Zhou Jianguo) sold its fakes
# to bars, KTVs, liquor stores and two wholesalers. Who profited? Where did the takings go, and
# through whose accounts? Did every buyer pay for its goods, and is there money that no goods
# explain? How much of the proceeds is frozen, and where should we freeze next?
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

# %% [markdown]
# ## Who pays whom
#
# First the plain facts: the payments of the case, summed per payer and payee.

# %%
payments = pd.DataFrame(
    [(t.source, t.target, t.amount) for t in case.transactions if t.kind == "payment"],
    columns=["payer", "payee", "amount"])
flows = payments.groupby(["payer", "payee"])["amount"].agg(["count", "sum"])
flows.sort_values("sum", ascending=False).head(12)

# %% [markdown]
# The buyers of the fakes are the outlets (kind `shop`) and the two wholesalers (kind
# `distributor`). Those that buy from the storage den pay the sales lieutenant 郑美玲
# (`P-ZHENG`) personally; the outlets behind a wholesaler pay the wholesaler.

# %%
buyers = [o.id for o in case.organizations if o.kind in ("shop", "distributor")]
into_zheng = payments[(payments["payee"] == "P-ZHENG") & payments["payer"].isin(buyers)]
print(f"{len(into_zheng)} payments from {into_zheng['payer'].nunique()} buyers, "
      f"{into_zheng['amount'].sum():,.0f} CNY into Zheng's account")

# %% [markdown]
# ## Where the takings went
#
# `trace_money` follows the money forward in time: a payment belongs to the trail only if money
# from the start could already be in the payer's account when it was made (the same timestamp
# counts). With `attribution="proportional"` it also says how much of the buyers' money reached
# each account, pro rata through accounts that mix it with other money.

# %%
trail = cg.trace_money(g, buyers, attribution="proportional")
trail

# %% [markdown]
# `balance()` gives each account's money on the trail: received, paid on, and **retained**
# (received minus paid on). Large retained sums are the beneficiaries and the places where
# money left the banks; `attributed` is the part of what arrived that was the buyers' money.

# %%
balance = trail.balance().set_index("id")
balance[["name", "tier", "received", "paid_on", "retained", "attributed"]].head(8)

# %%
zhou = balance.loc["P-ZHOU"]
print(f"Zhou received {zhou['received']:,.0f} CNY, {zhou['attributed'] / zhou['received']:.0%} "
      "of it the buyers' money")

# %% [markdown]
# ## The layering hop
#
# 卢国华 (`P-LU`) keeps the storage den and is Zhou's nephew. His account received money from
# Zheng and kept none of it. When?

# %%
hops = trail.to_dataframe().query("source == 'P-LU' or target == 'P-LU'")
hops[["time", "source", "target", "amount", "carried"]]

# %% [markdown]
# Each month, in the evening, Zheng pays the nephew; the next morning he pays the same amount to
# his uncle. The money passes through his account without stopping: a layering hop that makes
# the lieutenant's payments to the leader look smaller than they are.

# %%
via_nephew = hops.loc[hops["target"] == "P-ZHOU", "amount"].sum()
direct = flows.loc[("P-ZHENG", "P-ZHOU"), "sum"]
print(f"Zheng to Zhou: {direct:,.0f} CNY directly, {via_nephew:,.0f} CNY through the nephew")

# %%
ax = trail.plot()

# %% [markdown]
# ## Goods against money
#
# `reconcile` sets the value of the goods each buyer received against the money it paid the
# seller within 60 days after. The person view stands the den together with the people who
# operate it, so an outlet paying Zheng for goods from her den counts as paid.

# %%
result = cg.reconcile(g)
persons = result.persons[~result.persons["within_ring"]]
persons[["seller_name", "buyer_name", "goods_value", "paid", "gap", "unpaid_shipments",
         "unpaid_value", "money_without_goods"]].head(6)

# %% [markdown]
# The largest gap, 皇冠 KTV's, and the gap of 龙华名酒坊 come from deliveries with no payment at
# all, in July. The case marks those shipments as settled in cash. (The Changsha wholesaler's
# shop, second, simply had not paid its last delivery of 4 August when the raid came.)

# %%
cash = pd.DataFrame(
    [(t.id, t.target, t.timestamp, t.product, t.amount) for t in case.transactions
     if t.kind == "shipment" and t.attributes.get("settled") == "cash"],
    columns=["id", "buyer", "time", "product", "value"])
cash

# %% [markdown]
# And one payment that no goods explain: the Nanning wholesaler paid the salesman 陈晓东
# (`P-CHEN`) on 2 August, four days before the raid, and nothing was delivered to it by him.

# %%
deposit = result.without_goods().query("payee == 'P-CHEN'")
deposit[["id", "payer", "payee", "time", "amount", "status"]]

# %%
print(case.get(deposit["id"].iloc[0]).notes)

# %%
ax = cg.plot_reconcile(result)

# %% [markdown]
# ## Who kept the money, and what is secured
#
# `proceeds` takes every payment of the case: per person, what they and the businesses they own
# or operate received from outside and kept, and the freezes and seizures recorded as evidence.

# %%
money = cg.proceeds(g)
money

# %%
money.persons[["person", "name", "role", "received", "retained", "frozen", "unsecured"]]

# %%
money.secured[["evidence", "kind", "amount", "counted_as", "accounts"]]

# %% [markdown]
# The freeze of Zhou's and Zheng's accounts is split between them in proportion to what each
# kept. The seizures at the dens are bottles: goods, not money. Where to freeze next:

# %%
next_freeze = money.where_to_freeze(3)
next_freeze[["account", "name", "retained", "unsecured"]]

# %% [markdown]
# ## For comparison: the counterfeit-oil ring
#
# In the oil case the police froze three sets of accounts after the raid, over a million yuan.

# %%
oil = cg.proceeds(cg.read_case("../fixtures/counterfeit_oil.json"))
oil

# %%
oil.secured[oil.secured["kind"] == "asset_freeze"][["evidence", "amount", "accounts"]]

# %% [markdown]
# ## What we found
#
# - **The takings.** The 9 buyers supplied by the storage den (7 outlets and both
#   wholesalers) paid the sales lieutenant 郑美玲 (`P-ZHENG`) **4,019,100 CNY** in 27
#   payments, into her personal account; the outlets behind the wholesalers paid those.
# - **Who profited.** She passed **2,751,000 CNY** on to the leader 周建国 (`P-ZHOU`):
#   1,844,000 directly and **907,000 through the account of his nephew 卢国华** (`P-LU`), four
#   times, each forwarded the next morning; the nephew kept nothing. About 92% of what reached
#   Zhou was the buyers' money (proportional attribution), and Zhou kept 2,605,000 of the
#   money the buyers set moving. Zheng still held 1,268,100 at the raid: July's takings.
# - **Goods paid in cash.** The July deliveries to 皇冠 KTV (`SHOP-03`, 184,140 CNY) and
#   龙华名酒坊 (`SHOP-11`, 18,900 CNY) have no payment; 皇冠 KTV's is the largest unpaid
#   value of the case. Ask the outlets, and look for cash.
# - **Money without goods.** The Nanning wholesaler paid the salesman 陈晓东 (`P-CHEN`) a
#   **36,000 CNY** deposit on 2 August for Martell never delivered.
# - **Secured.** The ring received 4,055,100 CNY from outside and kept an estimated
#   **3,889,350**; the freeze of Zhou's and Zheng's accounts (428,600 CNY) secures **11%** of
#   it. The bottles seized at the dens are worth 913,380 CNY at outlet prices, but they are
#   goods, not money.
# - **Where to freeze next.** Zhou's account (2,192,121 CNY not yet frozen), Zheng's
#   (1,368,379) and the online-store operator 何丽娟's (515,900).
# - **The oil ring** for comparison: **1,236,500 CNY** frozen in three freezes (the front
#   company, the leader's family, the bookkeeper), 68% of its estimated proceeds.

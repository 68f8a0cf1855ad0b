# %% [markdown]
# # 07 · From spreadsheets to a case
#
# **The analyst's question:** the agencies have answered our requests. The logistics company
# sent its waybill export, the bank its statements, the e-commerce platform the online store's
# orders, the telecom operator the call records and the market regulator its inspection
# records: five files, five formats, Chinese headers, dates and phone numbers written every
# which way. Can we turn them into one case we can trust: every row accounted for, every record
# traceable to the file and row it came from, and every disagreement between the sources in
# front of us rather than silently resolved?
#
# The files are the counterfeit-oil case of the other notebooks as the agencies would hand it
# over (`fixtures/raw/`, synthetic: every name and number is invented).

# %%
# %matplotlib inline
import pandas as pd

import crimegraph as cg

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 140)

# %% [markdown]
# ## What arrived
#
# Each agency has its own format: the waybills are a CSV file in GB18030, the bank statements
# and the inspections Excel workbooks, the orders a CSV file in UTF-8 with a byte-order mark,
# the call records plain UTF-8. crimegraph ships a mapping for each kind of export.

# %%
raw = "../fixtures/raw/"
files = [(raw + "waybills.csv", "waybills"),
         (raw + "bank_statements.xlsx", "bank_statements"),
         (raw + "orders.csv", "orders"),
         (raw + "call_records.csv", "call_records"),
         (raw + "inspections.xlsx", "inspections")]
cg.mapping_names()

# %% [markdown]
# A look at the raw waybills shows the mess: three ways of writing a time, phones with spaces,
# dashes and `+86`, quantities with and without units, amounts with separators.

# %%
pd.read_csv(raw + "waybills.csv", encoding="gb18030", dtype=str, keep_default_na=False).iloc[
    :5, [0, 1, 5, 6, 8, 12, 13, 14]]

# %% [markdown]
# ## A strict first pass
#
# By default `cg.ingest` loads nothing if any row is bad, and says why, row by row.

# %%
try:
    cg.ingest(files, reliability="B", credibility=2)
except cg.InvalidSource as error:
    strict_error = error
    print(error)

# %% [markdown]
# Four rows are bad: an impossible date in the waybills and in the call records, a quantity in
# words, an amount of `—`. None of them is a fact we can use as it stands. We load the good rows
# and keep the list of bad ones to send back to the agencies.
#
# The grading follows the Admiralty system: the logistics firm, the bank and the operator are
# usually reliable sources (B) whose records are probably true (2).

# %%
result = cg.ingest(files, strict=False, reliability="B", credibility=2,
                   case_id="counterfeit-oil-from-exports",
                   title="Counterfeit engine oil ring, from the agencies' exports")
print(result.summary())

# %%
result.problems

# %% [markdown]
# ## Where the sources disagree
#
# Records that share an id are merged: the same phone in the waybills and in the call records is
# one person; an online order and the logistics company's waybill for it are one shipment with
# both files as evidence. Where two sources disagree, the first value is kept and the other is
# reported.

# %%
result.conflicts

# %%
keeper = result.case.get("tel:+8613800000124")
keeper.name, keeper.aliases, keeper.evidence

# %% [markdown]
# ## Every record knows where it came from
#
# Each file is an `Evidence` record with its grading and its SHA-256; each record lists the
# files in `evidence` and the rows in `attributes["rows"]`.

# %%
pd.DataFrame([e.model_dump(include={"id", "kind", "agency", "reliability", "credibility"})
              for e in result.case.evidence])

# %%
order = next(t for t in result.case.transactions if len(t.evidence) == 2)
order.id, order.evidence, order.attributes

# %% [markdown]
# ## How close is it to the case file?
#
# The case file of notebook 01 was built by the investigators from everything they know. The
# exports give back what they hold: compared by content (phones, addresses, waybill and bank
# references), not by id.

# %%
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

# %% [markdown]
# ## The ingested case is a case like any other
#
# The Langfang hub warehouse is known to the exports only by its address. Tracing from it:

# %%
hub = "addr:廊坊市某物流园C区17号库"
chain = cg.trace_chain(result.case, hub)
chain

# %%
players = cg.key_players(result.case, "degree")
players.head(5)[["id", "name", "score"]]

# %% [markdown]
# ## What we found
#
# - The five exports hold **3,496 rows**. **3,486** became records, **4** were rejected (each
#   named by file, row, column and value: the list goes back to the agencies) and **6** were
#   skipped on purpose (two blank rows, a cancelled waybill, a closed order, two interest
#   entries). Nothing was dropped silently.
# - They give back the case's **20 people with a phone**, the **5 warehouses** that ship by
#   waybill, all **385 waybill shipments** and all **97 payments** with the same references and
#   amounts, and the **20 calls relationships** with their call counts.
# - Pooled data holds duplicates that no shared id joins: the bank knows the leader 王德胜 as
#   WANG DESHENG under a second number (a 21st person), the receiving depot writes the Xuzhou
#   warehouse's address with its province (a 6th premises), two distributors' transfers name
#   the front company without 有限公司, and the regulator writes a shop under its registered
#   name. Notebook 08 finds and joins them.
# - The 12 online orders are the same shipments as 12 waybills: each lists **both files** as
#   evidence.
# - One conflict: the operator registers the Xuzhou warehouse keeper as 谢保山, the logistics
#   firm as 谢宝山. The first is kept, the other is an alias, and both sources are on record.
# - From the hub warehouse's address, the trace reaches **12 places** over **184 shipments**
#   (the goods that reach Xuzhou stop there: what the warehouse sends out sits on the record
#   under its other address until notebook 08 joins them),
#   and the call records alone put 刘振江 (the deputy for production and transport in the case
#   file) at the centre of the phone network, then 孙丽华 and 王德胜. What the exports cannot
#   give (the dens, premises' names, roles, the shipments without a waybill) is what the
#   investigators add from their own evidence.

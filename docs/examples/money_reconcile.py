"""Goods against money: did every buyer pay for its fake liquor?"""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("fake_liquor"))
result = cg.reconcile(g)                               # window="60D"

# Per person: the den and its two keepers (P-LU, P-ZHENG) are one party, so an outlet paying
# the lieutenant for goods shipped from the den counts as paid.
persons = result.persons[~result.persons["within_ring"]]
print(f"goods {persons['goods_value'].sum():,.0f}, paid {persons['paid'].sum():,.0f}, "
      f"gap {persons['gap'].sum():,.0f} CNY")
print(persons[["seller", "buyer", "goods_value", "paid", "gap"]].head(5)
      .to_string(index=False))

# The leads: goods nobody paid for, money no goods explain.
leads = persons[(persons["unpaid_shipments"] > 0) | (persons["money_without_goods"] > 0)]
print(leads[["seller", "buyer", "unpaid_shipments", "unpaid_value", "money_without_goods"]]
      .to_string(index=False))
cash = [t.id for t in g.case.transactions if t.attributes.get("settled") == "cash"]
print("recorded as settled in cash:", cash)

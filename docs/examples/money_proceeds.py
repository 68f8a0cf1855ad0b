"""Who profited, how much of it is secured, and where to freeze next."""

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("fake_liquor"))
result = cg.proceeds(g)
print(result)

columns = ["person", "name", "received", "retained", "frozen", "unsecured"]
ring = result.persons[result.persons["status"] != "witness"]
print(ring[columns].round(0).to_string(index=False))
print(result.secured[["evidence", "kind", "amount", "counted_as", "accounts"]]
      .to_string(index=False))
print(result.where_to_freeze(3)[["account", "name", "retained", "unsecured"]].round(0)
      .to_string(index=False))

"""The time rule: goods can only leave a place after they arrived."""

import crimegraph as cg

case = cg.Case(
    organizations=[cg.Organization(id=i, name=i) for i in ("DEN", "WH", "SHOP")],
    products=[cg.Product(id="OIL", name="Fake oil")],
    transactions=[
        cg.Transaction(id="T0", kind="shipment", source="WH", target="SHOP",
                       timestamp="2024-03-01", product="OIL", quantity=40),
        cg.Transaction(id="T1", kind="shipment", source="DEN", target="WH",
                       timestamp="2024-03-02", product="OIL", quantity=100),
        cg.Transaction(id="T2", kind="shipment", source="WH", target="SHOP",
                       timestamp="2024-03-05", product="OIL", quantity=60),
    ])

chain = cg.trace_chain(case, "DEN")
print(chain.transactions)         # T0 left the warehouse before the den's oil arrived
print(chain.tiers)
print(chain.unaccounted().to_string(index=False))

anytime = cg.trace_chain(case, "DEN", time_respecting=False)
print(anytime.transactions)       # plain reachability keeps T0

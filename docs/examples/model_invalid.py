"""A case with three mistakes is rejected whole, and the error names every one of them."""

import crimegraph as cg

try:
    cg.Case(
        id="tip",
        organizations=[cg.Organization(id="SHOP-A", name="Shop A", kind="shop"),
                       cg.Organization(id="SHOP-A", name="Shop A again", kind="shop"),
                       cg.Organization(id="SHOP-C", name="Shop C", kind="shop")],
        products=[cg.Product(id="OIL", name="Fake oil")],
        transactions=[
            cg.Transaction(id="T-1", kind="shipment", source="SHOP-A", target="SHOP-B",
                           timestamp="2024-07-02", product="OIL", quantity=40),
            cg.Transaction(id="T-2", kind="payment", source="SHOP-C", target="SHOP-A",
                           timestamp="2024-07-03", amount=900, evidence=["EV-9"]),
        ],
    )
except cg.InvalidCase as err:
    print(err)
    print()
    for problem in err.problems:
        print(problem.section, problem.index, problem.record_id, problem.field, problem.value)

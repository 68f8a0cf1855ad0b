"""Build a small case in Python: a den, a warehouse, a shop, their people and the evidence."""

import crimegraph as cg

case = cg.Case(
    id="demo-den",
    title="Den at Xinglong village",
    persons=[
        cg.Person(id="P-1", name="Wang", role="leader", status="arrested"),
        cg.Person(id="P-2", name="Liu", role="driver", status="suspect",
                  phones=["138-0000-0002"]),
    ],
    organizations=[
        cg.Organization(id="SHOP-1", name="Songdu auto parts", kind="shop",
                        province="Henan", city="Kaifeng"),
    ],
    warehouses=[
        cg.Warehouse(id="DEN-1", name="Blending den", uses=["production"], province="Hebei"),
        cg.Warehouse(id="WH-1", name="Hub warehouse", uses=["storage"], province="Hebei"),
    ],
    products=[
        cg.Product(id="OIL-5W30", name="Fake 5W-30, 4 L", brand="Mobil", counterfeit=True,
                   unit="barrel", unit_price=150),
    ],
    transactions=[
        cg.Transaction(id="T-1", kind="shipment", source="DEN-1", target="WH-1",
                       timestamp="2024-03-01 08:00", product="OIL-5W30", quantity=200),
        cg.Transaction(id="T-2", kind="shipment", source="WH-1", target="SHOP-1",
                       timestamp="2024-03-04", product="OIL-5W30", quantity=120, amount=18_000,
                       evidence=["EV-1"]),
        cg.Transaction(id="T-3", kind="payment", source="SHOP-1", target="P-1",
                       timestamp="2024-03-06", amount=18_000),
    ],
    relationships=[
        cg.Relationship(id="R-1", kind="leads", source="P-1", target="P-2"),
        cg.Relationship(id="R-2", kind="operates", source="P-1", target="DEN-1"),
        cg.Relationship(id="R-3", kind="calls", source="P-1", target="P-2", weight=37),
    ],
    evidence=[
        cg.Evidence(id="EV-1", name="Waybill 0311", kind="waybill", agency="Logistics firm",
                    reference="WB-0311", reliability="B", credibility=2),
    ],
)

print(case)
print(case.get("T-1").timestamp)          # naive times are read in the case's time zone
print([record.id for record in case.records()][:6])

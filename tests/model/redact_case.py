"""A small synthetic case that hides sensitive values in every place a field can carry one.

Shared by the redaction tests and the export tests (every output is searched for these values).
"""

from __future__ import annotations

import crimegraph as cg

WITNESS_NAME = "Tang Yuelan"
INFORMANT_NAME = "梁小虎"
PHONE_A = "139-1234-5678"
PHONE_WITNESS = "137 5555 0199"
NATIONAL_ID = "110105198001011234"
ADDRESS = "Room 7, 88 Lantern Lane, Dongcheng"
ADDRESS_CJK = "江城市灯笼区青石路88号"
PASSPORT = "E70318265"
ACCOUNT = "6222020200112233445"
NAME_A = "Jiang Haoran"
NAME_B_CJK = "韩立冬"
TIP_REFERENCE = "TIP-ANON-77"
INFORMANT_B_NAME = "Sun Qiaoyi"
EMAIL = "haoran.jiang88@example.org"
QQ = "2851234567"
WECHAT = "jhr_lantern88"
PLATE = "冀R·12345"
IP = "203.0.113.77"
GIVEN_NAME = "Haoxuan"

PROSECUTION_HIDDEN = [INFORMANT_NAME, "Anonymous tip about a den", TIP_REFERENCE,
                      INFORMANT_B_NAME]
"""Values the prosecution profile must remove: the informants and a tip graded F/6."""

PUBLIC_HIDDEN = [
    *PROSECUTION_HIDDEN, WITNESS_NAME, PHONE_A, PHONE_WITNESS, NATIONAL_ID, ADDRESS, ACCOUNT,
    NAME_A, NAME_B_CJK, "Haoran", "Old Jiang", ADDRESS_CJK, PASSPORT, "(139) 1234",
    EMAIL, QQ, WECHAT, PLATE, "冀R12345", IP, GIVEN_NAME, "0086-138",
]
"""Values the public profile must remove."""

LEAKY_CASE_HIDDEN = PUBLIC_HIDDEN


def leaky_case() -> cg.Case:
    """Values hidden in aliases, notes, references, attribute keys and values and ids."""
    return cg.Case(
        id="leaky", title=f"Ring around {NAME_A}",
        description=f"Started from a call by {WITNESS_NAME} ({PHONE_WITNESS}).",
        persons=[
            cg.Person(id="P-A", name=NAME_A, aliases=["Old Jiang"], phones=[PHONE_A],
                      national_id=NATIONAL_ID, status="suspect",
                      notes=f"Also uses {PHONE_A.replace('-', '')}; lives at {ADDRESS}.",
                      attributes={"birth_year": 1980, "地址": ADDRESS_CJK, "passportNo": PASSPORT,
                                  "E-mail": EMAIL, "QQ号": QQ, "wechat_id": WECHAT,
                                  "车牌号": PLATE, "first_name": GIVEN_NAME},
                      evidence=["EV-CALLS"]),
            cg.Person(id="P-B", name=NAME_B_CJK, phones=[PHONE_A.replace("-", " ")],
                      status="arrested",
                      notes=f"Brother-in-law of {NAME_A}; ID {NATIONAL_ID}; call (139) 1234 5678;"
                            f" drives 冀R12345 and logs in from {IP}; QQ {QQ}; {GIVEN_NAME}'s"
                            " cousin",
                      attributes={"contact": "0086-13812345678", "login": f"wx:{WECHAT}"}),
            cg.Person(id="P-W", name=WITNESS_NAME, phones=[PHONE_WITNESS], status="witness"),
            cg.Person(id="P-V", name="Victim Person", status="victim"),
            cg.Person(id="P-I", name=INFORMANT_NAME, role="informant", status="unknown"),
            cg.Person(id="P-I2", name=INFORMANT_B_NAME, attributes={"informant": "yes"}),
        ],
        organizations=[
            cg.Organization(id="ORG-1", name=f"{NAME_A} Trading", address=ADDRESS,
                            attributes={"bank_account": ACCOUNT, "account_holder": "P-A",
                                        f"met_{WITNESS_NAME}": True}),
            cg.Organization(id="SHOP-1", name="Corner shop", kind="shop"),
        ],
        warehouses=[cg.Warehouse(id="W-1", name="Den", address=ADDRESS, lat=39.91234,
                                 lon=116.40567, uses=["production"], evidence=["EV-TIP"])],
        products=[cg.Product(id="OIL", name="Fake oil", unit="barrel")],
        transactions=[
            cg.Transaction(id="T-1", kind="shipment", source="W-1", target="SHOP-1",
                           timestamp="2024-03-01", product="OIL", quantity=10,
                           evidence=["EV-CALLS"]),
            cg.Transaction(id="T-2", kind="payment", source="SHOP-1", target="P-A",
                           timestamp="2024-03-02", amount=5000,
                           reference=f"transfer to {ACCOUNT}",
                           notes=f"paid to account {ACCOUNT[:4]} {ACCOUNT[4:]}"),
            cg.Transaction(id="T-3", kind="payment", source="P-W", target="P-A",
                           timestamp="2024-03-03", amount=100),
        ],
        relationships=[
            cg.Relationship(id="CALL-13912345678", kind="calls", source="P-A", target="P-B",
                            weight=12, evidence=["EV-CALLS"]),
            cg.Relationship(id="R-2", kind="associate", source="P-A", target="P-I",
                            notes=f"{INFORMANT_NAME} says {NAME_A} runs the den"),
            cg.Relationship(id="R-3", kind="associate", source="P-A", target="P-B",
                            evidence=["EV-TIP"]),
        ],
        evidence=[
            cg.Evidence(id="EV-CALLS", name="Call records", kind="wiretap",
                        reference=f"WT-{PHONE_A}", reliability="B", credibility=2,
                        notes=f"Subscriber {NAME_A}, number {PHONE_A}, mail {EMAIL}"),
            cg.Evidence(id="EV-TIP", name="Anonymous tip about a den", reference=TIP_REFERENCE,
                        reliability="F", credibility=6),
            cg.Evidence(id="EV-STATEMENT", name=f"Statement of {WITNESS_NAME}", kind="witness",
                        reliability="B", credibility=2, notes=f"Called from {PHONE_WITNESS}"),
        ],
    )

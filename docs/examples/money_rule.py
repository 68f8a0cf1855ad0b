"""The time rule and proportional attribution on a mixed account, in six payments."""

import crimegraph as cg

people = [cg.Person(id=i, name=i) for i in ("LIEUTENANT", "BOSS", "NEPHEW")]
firms = [cg.Organization(id=i, name=i) for i in ("SHOP", "TRADER", "CAR-DEALER")]


def pay(pid: str, source: str, target: str, when: str, amount: float) -> cg.Transaction:
    return cg.Transaction(id=pid, kind="payment", source=source, target=target,
                          timestamp=when, amount=amount, currency="CNY")


case = cg.Case(persons=people, organizations=firms, transactions=[
    pay("M1", "TRADER", "LIEUTENANT", "2024-05-01 10:00", 3_000),      # other money, earlier
    pay("M2", "LIEUTENANT", "NEPHEW", "2024-05-01 12:00", 1_000),      # before the shop paid
    pay("M3", "SHOP", "LIEUTENANT", "2024-05-02 10:00", 6_000),        # the shop's takings
    pay("M4", "LIEUTENANT", "BOSS", "2024-05-03 10:00", 4_000),
    pay("M5", "BOSS", "CAR-DEALER", "2024-05-03 10:00", 2_000),        # same time counts
    pay("M6", "LIEUTENANT", "NEPHEW", "2024-05-04 10:00", 7_000),      # more than she holds
])

trail = cg.trace_money(case, "SHOP", attribution="proportional")
print(trail.transactions)                 # M1 and M2 happened before the shop's money
print(trail.to_dataframe()[["id", "source", "target", "amount", "carried"]].round(2)
      .to_string(index=False))
print(trail.balance()[["id", "received", "paid_on", "retained", "attributed"]]
      .to_string(index=False))

# Upstream is the mirror image: where could the nephew's money have come from?
print(cg.trace_money(case, "NEPHEW", direction="upstream").tiers)

# Upstream attribution answers another question: of the money that reached the boss, how much
# did the shop pay in? Reversed in time, the shop's 6,000 is shared over all 11,000 the
# lieutenant paid on afterwards, so this is not the 3,000 of the downstream trail.
boss = cg.trace_money(case, "BOSS", direction="upstream", attribution="proportional")
print(round(boss.balance().set_index("id")["attributed"]["SHOP"], 2))

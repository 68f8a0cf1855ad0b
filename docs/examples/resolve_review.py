"""One person, many records: find the matches, review them, analyse the resolved case."""

import datetime as dt

import crimegraph as cg

# The oil case as pooled agency data has it: the leader 王德胜 (P-01) also appears on a bank
# export in capitals, which carries his payments, and in a wiretap as 老王, with two of his calls.
case = cg.load_example("counterfeit_oil")
bank = cg.Person(id="BANK-0417", name="WANG DESHENG", phones=["+86 138 0000 0101"],
                 evidence=["EV-BANK-01"])
wire = cg.Person(id="WIRE-0032", name="老王", phones=["13800000101"])
moved = {"P-01": "BANK-0417"}
transactions = [t.model_copy(update={"source": moved.get(t.source, t.source),
                                     "target": moved.get(t.target, t.target)})
                if t.kind == "payment" else t for t in case.transactions]
relationships = [r.model_copy(update={"source": "WIRE-0032"})
                 if r.kind == "calls" and r.source == "P-01" and r.target in ("P-26", "P-28")
                 else r for r in case.relationships]
fields = {name: getattr(case, name) for name in type(case).model_fields}
fields.update(persons=[*case.persons, bank, wire], transactions=transactions,
              relationships=relationships)
g = cg.CaseGraph(cg.Case(**fields))


def rank_of_leader(graph: cg.CaseGraph) -> tuple[int, float]:
    players = cg.key_players(graph, "degree", k=None).set_index("id")
    return int(players.at["P-01", "rank"]), round(float(players.at["P-01", "score"]), 4)


print("leader's degree rank and score before:", rank_of_leader(g))

matches = cg.find_matches(g)
print(matches)
print(matches.table[["left", "right", "left_name", "right_name", "score"]]
      .round(4).to_string(index=False))
for reason in matches.reasons("BANK-0417", "P-01"):
    print("  ", reason)

decided = dt.datetime(2024, 7, 1, 9, 30, tzinfo=dt.timezone.utc)
links = matches.accept(by="analyst Chen", at=decided)      # every listed pair
print([link.id for link in links])
print(links[0].attributes["decided_by"], links[0].attributes["decided_at"])

view = cg.resolve(g)
print(view.members)
print("leader's degree rank and score after: ", rank_of_leader(view))
print(view.get("P-01").aliases)

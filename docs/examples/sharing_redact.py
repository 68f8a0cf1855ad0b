"""Redact a case for an audience: the same function serves every export and figure."""

import crimegraph as cg

case = cg.load_example("fake_liquor")
for profile in ("internal", "prosecution", "public"):
    view = cg.redact(case, profile)
    print(f"{profile:12} {view.id:34} persons={len(view.persons):2} "
          f"evidence={len(view.evidence):2} transactions={len(view.transactions)}")

public = cg.redact(case, "public")
zhou = public.get("P-ZHOU")
print(zhou.name, zhou.aliases, zhou.phones)
print(public.title)

# A custom profile: mask phones only, drop the analysts' notes.
quiet = cg.RedactionProfile("phones-only", mask_phones=True, notes="drop")
print(cg.redact(case, quiet).get("P-WU").phones)

"""Draw into your own axes: two figures on one page, one caption, one file."""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import crimegraph as cg

liquor = cg.CaseGraph(cg.load_example("fake_liquor"))

fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 10), layout="constrained")
cg.plot_org_chart(liquor, ax=top, title="Chain of command")
cg.plot_chain(cg.trace_chain(liquor, "SHOP-05", direction="upstream"), ax=bottom,
              title="Where the bar's liquor came from")
fig.suptitle("Fake-liquor ring led by Zhou (synthetic case)")

with tempfile.TemporaryDirectory() as folder:
    fig.savefig(Path(folder) / "for_the_prosecutor.pdf")    # vector output for reports
    print(sorted(p.name for p in Path(folder).iterdir()))

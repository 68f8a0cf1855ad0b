"""The case report: one HTML file for a colleague or a prosecutor, redacted for its reader."""

import re
import tempfile
from pathlib import Path

import crimegraph as cg

g = cg.CaseGraph(cg.load_example("fake_liquor"))
print(cg.report.SECTIONS)

with tempfile.TemporaryDirectory() as folder:
    path = cg.case_report(g, Path(folder) / "report.html")
    text = path.read_text(encoding="utf-8")
    figures, tables = text.count("<img "), text.count("<table>")
    links = text.count('class="ev"')
    print(f"{path.name}: {figures} figures, {tables} tables, {links} evidence links")
    print("outside requests:", re.findall(r'(?:src|href)="(https?:[^"]*)"', text))

    # For the prosecutor: weakly graded sources and informants withheld. Only two sections.
    path = cg.case_report(g, Path(folder) / "prosecution.html", redact="prosecution",
                          sections=["sources", "evidence"])
    text = path.read_text(encoding="utf-8")
    print(re.findall(r'<p class="case-id">([^<]*)</p>', text)[0])
    print("anonymous tip in the evidence list:", "EV-TIP" in text)

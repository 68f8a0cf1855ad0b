"""Speed of redaction and of the exports, as ratios to validating the same case again.

Usage::

    python benchmarks/bench_export.py                # 100,000 transactions
    python benchmarks/bench_export.py --n 5000       # a quick smoke run

Baseline: ``Case.model_validate(case.model_dump())``, the cost of building the case once
from plain data, measured in the same run. Figures: ``cg.redact`` with each profile, then
each export (GraphML, GEXF, the i2 chart, the workbook and reading it back) of the whole case,
as wall-clock and processor-time ratios to the baseline (processor time is less disturbed by
other programs on the machine). The script prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(run: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and processor seconds of one call."""
    start, start_cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - start_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="transactions in the case")
    args = parser.parse_args()

    import crimegraph as cg
    from crimegraph.synth import generate_case

    case = generate_case(args.n, seed=1)
    print(f"case: {case}")
    base_wall, base_cpu = timed(lambda: cg.Case.model_validate(case.model_dump()))
    print(f"baseline (validate the case again): {base_wall:.2f} s wall, {base_cpu:.2f} s cpu")
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    runs: dict[str, Callable[[], Any]] = {
        "redact internal": lambda: cg.redact(case, "internal"),
        "redact prosecution": lambda: cg.redact(case, "prosecution"),
        "redact public": lambda: cg.redact(case, "public"),
        "write_graphml": lambda: cg.write_graphml(case, folder / "c.graphml"),
        "write_gexf": lambda: cg.write_gexf(case, folder / "c.gexf"),
        "write_anx": lambda: cg.write_anx(case, folder / "c.anx"),
        "write_workbook": lambda: cg.write_workbook(case, folder / "c.xlsx"),
        "read_workbook": lambda: cg.read_workbook(folder / "c.xlsx"),
    }
    print(f"{'step':22} {'wall s':>8} {'x baseline':>11} {'cpu s':>8} {'x baseline':>11}")
    for name, run in runs.items():
        wall, cpu = timed(run)
        print(f"{name:22} {wall:8.2f} {wall / base_wall:10.1f}x {cpu:8.2f} "
              f"{cpu / base_cpu:10.1f}x")
    sizes = {p.suffix: p.stat().st_size for p in folder.iterdir()}
    print("file sizes: " + ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in sorted(sizes.items())))


if __name__ == "__main__":
    main()

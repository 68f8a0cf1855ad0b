"""Start-up times: ``import crimegraph``, ``crimegraph --help``/``--version`` and the first trace
of a fresh process, as medians of fresh processes and as ratios to baselines of the same run.

Usage::

    python benchmarks/bench_startup.py                  # 7 rounds, 3 cold-cache traces (~2 min)
    python benchmarks/bench_startup.py --runs 2 --cold-runs 1   # a quick smoke run

Every figure is the wall time of a whole fresh process (start-up included), the median of
``--runs`` rounds. Each round runs every command once, in turn, so that a machine that slows
down during the run slows all of them alike; the ratios are taken round by round against the
baselines of the same round, then their median is printed:

* ``python -c pass``: the interpreter's own start-up (the floor);
* ``python -c "import pandas"``: a yardstick of "a heavy library".

The commands: ``import crimegraph``; ``crimegraph --help`` and ``--version`` (``python -m
crimegraph``, what the console script runs); and the first trace of a process (load the bundled
counterfeit-oil case, ``trace_chain`` from ``W-DEN-01``) with a warm on-disk kernel cache (one
process compiled the kernels before) and with a cold one (an empty ``NUMBA_CACHE_DIR``: the
kernels are compiled, as on the first trace after an install). For the traces the time of the
``trace_chain`` call alone is printed too.

The crimegraph measured is the one ``import crimegraph`` finds (set ``PYTHONPATH=src`` for a
checkout). The script prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

TRACE = """
import time
import crimegraph as cg
case = cg.load_example("counterfeit_oil")
start = time.perf_counter()
chain = cg.trace_chain(case, "W-DEN-01")
print(time.perf_counter() - start)
"""


@dataclass
class Command:
    name: str
    argv: list[str]
    cold: bool = False  # a fresh, empty NUMBA_CACHE_DIR for every run
    cache: str | None = None  # NUMBA_CACHE_DIR shared by every run
    walls: list[float] = field(default_factory=list)
    inner: list[float] = field(default_factory=list)  # the trace call alone

    def run(self) -> float:
        env = dict(os.environ)
        with tempfile.TemporaryDirectory(prefix="crimegraph-cold-") as empty:
            if self.cold:
                env["NUMBA_CACHE_DIR"] = empty
            elif self.cache is not None:
                env["NUMBA_CACHE_DIR"] = self.cache
            start = time.perf_counter()
            done = subprocess.run(self.argv, env=env, capture_output=True, text=True,
                                  check=False)
            wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{self.name} failed:\n{done.stdout}{done.stderr}")
        self.walls.append(wall)
        if self.argv[-1] == TRACE:
            self.inner.append(float(done.stdout.split()[-1]))
        return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--cold-runs", type=int, default=3,
                        help="rounds that also run the cold-cache trace (default 3; ~10 s each)")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="crimegraph-warm-") as warm:
        pass_ = Command("python -c pass", [py, "-c", "pass"])
        pandas = Command('python -c "import pandas"', [py, "-c", "import pandas"])
        commands = [
            Command("import crimegraph", [py, "-c", "import crimegraph"]),
            Command("crimegraph --help", [py, "-m", "crimegraph", "--help"]),
            Command("crimegraph --version", [py, "-m", "crimegraph", "--version"]),
            Command("first trace, warm cache", [py, "-c", TRACE], cache=warm),
        ]
        cold = Command("first trace, cold cache", [py, "-c", TRACE], cold=True)
        where = subprocess.run([py, "-c", "import crimegraph; print(crimegraph.__file__)"],
                               capture_output=True, text=True, check=True).stdout.strip()
        print(f"crimegraph from {where}")
        print(f"{args.runs} rounds ({args.cold_runs} with the cold-cache trace); wall seconds "
              "of whole fresh processes\n")
        commands[-1].run()  # fill the warm cache (not counted)
        commands[-1].walls.clear()
        commands[-1].inner.clear()
        ratios: dict[str, tuple[list[float], list[float]]] = {}
        for round_ in range(args.runs):
            subjects = commands + ([cold] if round_ < args.cold_runs else [])
            base, heavy = pass_.run(), pandas.run()
            for command in subjects:
                wall = command.run()
                to_pass, to_pandas = ratios.setdefault(command.name, ([], []))
                to_pass.append(wall / base)
                to_pandas.append(wall / heavy)
        width = 26
        print(f"{'':<{width}} {'median s':>9} {'min':>7} {'max':>7} {'x python':>9} "
              f"{'x pandas':>9}  {'trace call s':>12}")
        for command in [pass_, pandas, *commands, cold]:
            walls = command.walls
            if not walls:
                continue
            to_pass, to_pandas = ratios.get(command.name, ([], []))
            line = (f"{command.name:<{width}} {statistics.median(walls):>9.3f} "
                    f"{min(walls):>7.3f} {max(walls):>7.3f}")
            if to_pass:
                line += f" {statistics.median(to_pass):>9.2f} {statistics.median(to_pandas):>9.2f}"
            if command.inner:
                line += f"  {statistics.median(command.inner):>12.3f}"
            print(line)
        print("\nx python / x pandas: the median, round by round, of the command's time over "
              "`python -c pass` / `python -c \"import pandas\"` of the same round.")


if __name__ == "__main__":
    main()

"""Speed and size of errors at scale, as ratios to baselines measured in the same run.

Usage::

    python benchmarks/bench_errors.py                      # 1,000,000 ids, 400,000 bad records
    python benchmarks/bench_errors.py --ids 20000 --bad 5000   # a quick smoke run

Figures printed:

* mistyped id: ``Case.get`` of ids that are not in a case of ``--ids`` records (one typo away,
  several typos away, nothing alike), each raising ``EntityNotFound`` with suggestions; against
  one pass over the case's ids (``list(case.record_index())``), the least a scan of every id
  costs. ``--old`` also times the former way (``difflib.get_close_matches`` over every id) on
  the first 100,000 ids.
* rejected case: ``Case.model_validate`` of a synthetic case whose ``--bad`` transactions all
  name an unknown source, raising ``InvalidCase``; against validating the same case without
  the mistakes. Also the length of the error message (bounded) and of ``.problems`` (all).

The script prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import time
from collections.abc import Callable
from typing import Any


def best_time(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def mistyped_ids(n_ids: int, repeat: int, old: bool) -> None:
    import crimegraph as cg
    from crimegraph import synth

    n_tx = max(1, int(n_ids * 0.86))  # synthetic cases have about 1.16 records per transaction
    case = synth.generate_case(n_tx, seed=3)
    index = case.record_index()
    ids = list(index)
    print(f"\nmistyped id: a case of {len(ids):,} records")
    scan, _ = best_time(lambda: list(index), repeat)
    print(f"  baseline: one pass over every id        {scan * 1000:8.1f} ms")
    some = ids[len(ids) // 2]
    typos = {
        "a character added": some[:3] + "7" + some[3:],
        "a character missing": some[:3] + some[4:],
        "letter O for digit 0": some.replace("0", "O", 1),
        "letter case": some.lower() if some.lower() != some else some.upper(),
        "several typos": "X" + some[1:-2] + "QQ",
        "nothing alike": "NO-SUCH-RECORD-ANYWHERE",
    }
    for label, word in typos.items():
        if word in index:
            continue

        def lookup(word: str = word) -> list[str]:
            try:
                case.get(word)
            except cg.EntityNotFound as exc:
                return exc.suggestions
            raise AssertionError(f"{word!r} is an id")

        seconds, suggestions = best_time(lookup, repeat)
        print(f"  {label:<38}  {seconds * 1000:8.1f} ms  = {seconds / scan:6.1f} x baseline  "
              f"{word!r} -> {suggestions}")
    if old:
        subset = ids[:100_000]
        word = typos["a character added"]
        start = time.perf_counter()
        difflib.get_close_matches(word, subset, n=3, cutoff=0.5)
        seconds = time.perf_counter() - start
        print(f"  former way, difflib over {len(subset):,} ids   {seconds * 1000:8.1f} ms")


def rejected_case(n_bad: int, repeat: int) -> None:
    import crimegraph as cg
    from crimegraph import synth

    data = synth.generate_case_data(n_bad, seed=5)
    bad = {**data, "transactions": [{**tx, "source": f"GHOST-{i}"}
                                    for i, tx in enumerate(data["transactions"])]}
    print(f"\nrejected case: {len(bad['transactions']):,} transactions with an unknown source")

    def valid() -> Any:
        return cg.Case.model_validate(data)

    def invalid() -> cg.InvalidCase:
        try:
            cg.Case.model_validate(bad)
        except cg.InvalidCase as exc:
            return exc
        raise AssertionError("the case was accepted")

    base, _ = best_time(valid, repeat)
    seconds, exc = best_time(invalid, repeat)
    message = str(exc)
    print(f"  baseline: validating the case without the mistakes  {base:7.2f} s")
    print(f"  rejecting it with every problem found           {seconds:7.2f} s  "
          f"= {seconds / base:5.2f} x baseline")
    print(f"  problems on .problems: {len(exc.problems):,}; message: {len(message):,} characters "
          f"({len(message.encode()) / len(exc.problems):.3f} bytes per problem)")
    print("  message:\n    " + "\n    ".join(message.splitlines()[-8:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1_000_000, help="records of the looked-up case")
    parser.add_argument("--bad", type=int, default=400_000, help="bad records of the rejected case")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (fastest kept)")
    parser.add_argument("--old", action="store_true",
                        help="also time difflib over 100,000 ids (the former way)")
    args = parser.parse_args()
    print(f"crimegraph error benchmark (the fastest of {args.repeat} runs each)")
    mistyped_ids(args.ids, args.repeat, args.old)
    rejected_case(args.bad, max(1, args.repeat - 1))


if __name__ == "__main__":
    main()

"""Quality and speed of entity resolution (find_matches + clusters) on generated records.

Usage::

    python benchmarks/bench_resolve.py               # 100,000 person records
    python benchmarks/bench_resolve.py --n 5000      # a quick smoke run

The records come from :func:`crimegraph.analysis.resolve.synthetic.generate_people`: invented
people written down by several agencies (transliterations, either name order, initials,
typos, phone formats, familiar forms), with households sharing a phone and an address and
strangers of the same name as hard negatives. Known truth gives pairwise precision, recall and
F1 of the clusters (records joined by pairs at the default threshold).

The baseline, measured in the same run: records joined when they share a normalised phone
or a valid national id (exact matching). Times are wall-clock and processor time (all threads
of the process; the matcher's database runs on several), each with its ratio to the
baseline's. Targets: F1 >= 0.95 and 100,000 records in <= 60 s wall. The script prints figures
and never fails on time or quality.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from typing import Any


def timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def clusters(n: int, pairs: Iterable[tuple[int, int]]) -> Any:
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    edges = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def scores(found: Any, truth: Any) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering against the truth."""
    import numpy as np

    def pairs(labels: Any) -> int:
        counts = np.unique(labels, return_counts=True)[1]
        return int((counts * (counts - 1) // 2).sum())

    both = pairs(found.astype(np.int64) * (int(truth.max()) + 1) + truth)
    precision = both / max(pairs(found), 1)
    recall = both / max(pairs(truth), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def exact_baseline(persons: list[Any], index: dict[str, int]) -> Any:
    """Clusters of records sharing a normalised phone or a valid national id."""
    from crimegraph.analysis.resolve.features import normalize_national_id, normalize_phone

    first: dict[str, int] = {}
    pairs = []
    for person in persons:
        me = index[person.id]
        keys = [normalize_phone(p) for p in person.phones]
        if person.national_id:
            keys.append(normalize_national_id(person.national_id))
        for key in keys:
            if key is None:
                continue
            other = first.setdefault(key, me)
            if other != me:
                pairs.append((other, me))
    return clusters(len(persons), pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="person records")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    import numpy as np

    import crimegraph as cg
    from crimegraph.analysis.resolve.matches import DEFAULT_THRESHOLD
    from crimegraph.analysis.resolve.synthetic import generate_people

    made = generate_people(args.n, seed=args.seed)
    graph = cg.CaseGraph(made.case())
    persons = list(graph.case.persons)
    index = {p.id: i for i, p in enumerate(persons)}
    truth = np.array([made.truth[p.id] for p in persons], dtype=np.int64)
    print(f"entity resolution benchmark: {len(persons):,} person records of "
          f"{len(set(made.truth.values())):,} invented people, {made.true_pairs():,} true pairs")

    base_wall, base_cpu, base = timed(lambda: exact_baseline(persons, index))

    def run() -> Any:
        matches = cg.find_matches(graph, types=["Person"])
        return matches, clusters(len(persons), (
            (index[a], index[b]) for a, b in matches.pairs()))

    wall, cpu, (matches, found) = timed(run)
    print(f"  threshold {DEFAULT_THRESHOLD} (match probability); prior "
          f"{matches.priors['Person']:.3g}; {len(matches):,} pairs listed")
    print(f"  {'':28}{'precision':>10}{'recall':>9}{'F1':>8}{'wall s':>9}{'cpu s':>8}")
    for label, labels, w, c in (("exact phone or id baseline", base, base_wall, base_cpu),
                                ("find_matches + clusters", found, wall, cpu)):
        p, r, f = scores(labels, truth)
        print(f"  {label:28}{p:10.4f}{r:9.4f}{f:8.4f}{w:9.2f}{c:8.2f}")
    print(f"  time ratio to the baseline: wall {wall / base_wall:.1f}x, "
          f"processor {cpu / base_cpu:.1f}x")
    p, r, f = scores(found, truth)
    print(f"  targets: F1 {f:.4f} (target >= 0.95: {'met' if f >= 0.95 else 'NOT met'}); "
          f"{wall:.1f} s wall for {len(persons):,} records (target <= 60 s at 100,000: "
          f"{'met' if wall <= 60 else 'NOT met'})")


if __name__ == "__main__":
    main()

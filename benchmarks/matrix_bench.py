"""How long the compatibility matrix takes over the 59-version upstream history (1,711 pairs).

Prints, from one run on this machine:
- matrix: `snapshots.load_all` once + `matrix.compute` (engine fast path `compare.verdicts`, each
  snapshot loaded once, identical documents deduplicated) — what `cwscodegen matrix` does;
- naive: every pair re-reads and re-checks both files and calls `compare.verdicts`, no dedup;
- full diff: `compare.diff` with witnesses (what a changelog step costs), on a sample of pairs and
  extrapolated to all pairs (said so in the output), since running it on all of them takes long;
and the ratios of the baselines to the matrix, so the figures mean something on any machine.

    .venv/bin/python benchmarks/matrix_bench.py [--schemas DIR] [--sample N] [--naive-sample N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from cwscodegen.engine import compare
from cwscodegen.review import matrix
from cwscodegen.store.snapshots import Snapshot, list_versions, load_all, load_schema_file

HISTORY = Path(__file__).resolve().parent.parent / "tests" / "data" / "cws-schema-history"


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def spread(pairs: list[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """`count` pairs spread evenly over the list (all of them when count >= len)."""
    if count >= len(pairs):
        return pairs
    step = len(pairs) / count
    return [pairs[int(k * step)] for k in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=Path, default=HISTORY)
    parser.add_argument("--sample", type=int, default=60, help="pairs for the full-diff baseline")
    parser.add_argument("--naive-sample", type=int, default=0, help="pairs for the naive baseline (0: all)")
    args = parser.parse_args()

    names = list_versions(args.schemas)
    count = len(names)
    pairs = [(i, j) for j in range(count) for i in range(j)]
    print(f"{args.schemas}: {count} snapshots, {len(pairs)} ordered pairs")

    snapshots: list[Snapshot] = []
    load_s = timed(lambda: snapshots.extend(load_all(args.schemas)))
    result: list[matrix.Matrix] = []
    compute_s = timed(lambda: result.append(matrix.compute(snapshots, "backward")))
    total = load_s + compute_s
    distinct = len({matrix.canonical(s.document) for s in snapshots})
    print(
        f"matrix     : {total:8.3f} s total = load {load_s:.3f} s + compute {compute_s:.3f} s; "
        f"{1000 * total / len(pairs):.3f} ms/pair ({distinct} distinct documents)"
    )

    naive_pairs = spread(pairs, args.naive_sample or len(pairs))

    def naive() -> None:
        for i, j in naive_pairs:
            old = load_schema_file(args.schemas / f"{names[i]}.json", names[i])
            new = load_schema_file(args.schemas / f"{names[j]}.json", names[j])
            compare.verdicts(old, new)

    naive_s = timed(naive)
    naive_all = naive_s * len(pairs) / len(naive_pairs)
    note = "" if len(naive_pairs) == len(pairs) else f" (measured on {len(naive_pairs)} pairs, extrapolated)"
    print(
        f"naive      : {naive_all:8.3f} s for all pairs{note}; {1000 * naive_all / len(pairs):.3f} ms/pair; "
        f"{naive_all / total:.1f}x the matrix"
    )

    sample = spread(pairs, args.sample)
    diff_s = timed(lambda: [compare.diff(snapshots[i], snapshots[j], witnesses=True) for i, j in sample])
    diff_all = diff_s * len(pairs) / len(sample)
    print(
        f"full diff  : {diff_all:8.3f} s for all pairs (measured {diff_s:.3f} s on {len(sample)} pairs, "
        f"extrapolated); {1000 * diff_all / len(pairs):.3f} ms/pair; {diff_all / total:.1f}x the matrix"
    )

    same = 0
    for i, j in sample:
        cell = result[0].cell(names[i], names[j])
        back, fwd = compare.verdicts(snapshots[i], snapshots[j])
        same += (cell.backward.breaks, cell.forward.breaks) == (back.breaks, fwd.breaks)
    print(f"check      : matrix agrees with a direct compare.verdicts call on {same}/{len(sample)} sampled pairs")


if __name__ == "__main__":
    main()

"""How the compatibility matrix scales: 50, 250 and 500 snapshots, and the 59-version history.

Prints, from one run on this machine, for each set:
- derived: `matrix.compute` as `cwscodegen matrix` runs it (pairs settled by transitivity or a
  verified witness skip the engine, see `cwscodegen/review/derive.py`), with its engine calls;
- plain: `matrix.compute(..., derive=False)`, the engine on every distinct pair, where feasible
  (`--plain-max`), and the ratio plain/derived; the two matrices are compared cell for cell
  (a cell may differ only where derived is breaking by a carried witness event and plain, whose
  engine search for that pair found none, is undecided: counted apart);
- the time per pair, so sizes compare;
- first, the cache cliff that `normalize.pinned` removed, shown at a small cache size (`--cliff`
  snapshots, `--cliff-cache`): with the bounded cache alone, every row of the all-pairs scan
  re-prepares documents once there are more distinct documents than cache entries.

The synthetic sets are made from the 59 upstream versions (tests/data/cws-schema-history): set
member k takes upstream version floor(k * 59 / N) and, for the r-th member taken from the same
version (r >= 1), adds the optional root string properties `synthetic_1` .. `synthetic_ceil(r/2)`
and sets the root description to "synthetic revision r". So each upstream release is followed by
point releases that add fields (backward compatible; forward breaking since the root is closed)
or only change documentation, and the next upstream release drops the added fields again.
Upstream versions that are the same document give repeated synthetic documents, as in real life.

    .venv/bin/python benchmarks/matrix_bench.py [--sizes 50 250 500] [--plain-max 250]
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from cwscodegen.engine import compare, normalize
from cwscodegen.engine.changes import Effect
from cwscodegen.review import derive, matrix
from cwscodegen.store.snapshots import Snapshot, load_schema_file

HISTORY = Path(__file__).resolve().parent.parent / "tests" / "data" / "cws-schema-history"


def synthetic(history: Sequence[Snapshot], count: int) -> list[Snapshot]:
    """`count` snapshots from the history and point-release mutations of it (module docstring)."""
    taken: dict[int, int] = {}
    made = []
    for k in range(count):
        base = k * len(history) // count
        rank = taken.get(base, 0)
        taken[base] = rank + 1
        document = copy.deepcopy(history[base].document)
        if rank:
            for n in range(1, math.ceil(rank / 2) + 1):
                document.setdefault("properties", {})[f"synthetic_{n}"] = {"type": "string"}
            document["description"] = f"synthetic revision {rank}"
        name = f"s{k:03d}"
        made.append(Snapshot(name=name, path=Path(f"{name}.json"), text=json.dumps(document), document=document))
    return made


class Counted:
    """`compare.judge` (the matrix's default: verdicts with their witnesses), counting the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, old: Snapshot, new: Snapshot) -> compare.PairVerdicts:
        self.calls += 1
        return compare.judge(old, new)


def measure(label: str, snapshots: list[Snapshot], plain_max: int) -> None:
    pairs = len(snapshots) * (len(snapshots) - 1) // 2
    distinct = len({matrix.canonical(s.document) for s in snapshots})
    engine = Counted()
    start = time.perf_counter()
    derived = matrix.compute(snapshots, "backward", engine)
    derived_s = time.perf_counter() - start
    print(
        f"{label:>8}: {len(snapshots)} snapshots ({distinct} distinct), {pairs} pairs; derived "
        f"{derived_s:8.1f} s, {1000 * derived_s / pairs:.3f} ms/pair, {engine.calls} engine calls",
        flush=True,
    )
    if len(snapshots) > plain_max:
        print(f"{'':>8}  plain: not run (more than --plain-max {plain_max} snapshots)", flush=True)
        return
    plain_engine = Counted()
    start = time.perf_counter()
    plain = matrix.compute(snapshots, "backward", plain_engine, derive=False)
    plain_s = time.perf_counter() - start
    same = sum(plain.cells[key] == derived.cells[key] for key in plain.cells)
    carried = sum(carried_witness_decides(derived.cells[key], plain.cells[key]) for key in plain.cells)
    print(
        f"{'':>8}  plain {plain_s:8.1f} s, {1000 * plain_s / pairs:.3f} ms/pair, {plain_engine.calls} engine "
        f"calls; plain/derived {plain_s / derived_s:.2f}x; equal cells {same}/{len(plain.cells)}, "
        f"{carried} more where a carried witness decides",
        flush=True,
    )


def carried_witness_decides(derived: matrix.Cell, plain: matrix.Cell) -> bool:
    """The cells differ only where derived is breaking by a witness event and plain is undecided
    (the engine's own search for that pair found none; the event decides)."""
    if derived == plain:
        return False
    pairs = zip((derived.backward, derived.forward), derived.proofs, (plain.backward, plain.forward))
    return all(
        a is b or (a is Effect.BREAKING and b is Effect.UNDECIDED and proof.kind is derive.Kind.WITNESS)
        for a, proof, b in pairs
    )


def cliff(snapshots: list[Snapshot], cache_size: int) -> None:
    """The old cliff, at a cache size small enough to show in seconds: the plain matrix with the
    bounded cache only (as before `normalize.pinned`) against the same with the documents pinned,
    counting how often a document is prepared (normalised) in each."""
    made: list[int] = []
    original = normalize.Prepared.__init__

    def counting(self: normalize.Prepared, document: object, source: str = "schema", draft: str | None = None) -> None:
        made.append(1)
        original(self, document, source, draft)

    @contextmanager
    def unpinned(documents: object) -> Iterator[None]:
        yield

    size, pinned = normalize._CACHE_SIZE, normalize.pinned
    normalize.Prepared.__init__ = counting  # type: ignore[method-assign]
    normalize._CACHE_SIZE = cache_size
    try:
        for label, pinning in (("bounded cache only (before)", unpinned), ("pinned (now)", pinned)):
            normalize.pinned = pinning
            normalize._PREPARED.clear()
            made.clear()
            start = time.perf_counter()
            matrix.compute(snapshots, "backward", derive=False)
            print(
                f"   cliff: {len(snapshots)} snapshots, cache of {cache_size}, {label}: "
                f"{time.perf_counter() - start:7.1f} s, {len(made)} preparations",
                flush=True,
            )
    finally:
        normalize.Prepared.__init__, normalize._CACHE_SIZE, normalize.pinned = original, size, pinned  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[50, 250, 500])
    parser.add_argument("--plain-max", type=int, default=250, help="largest set also judged the plain way")
    parser.add_argument("--cliff", type=int, default=40, help="snapshots for the cache-cliff demonstration (0: skip)")
    parser.add_argument("--cliff-cache", type=int, default=32, help="cache size for the cliff demonstration")
    args = parser.parse_args()
    # The history's file names start with a digit, which version names may not: load them as h01..h59.
    history = [load_schema_file(path, f"h{path.name[:2]}") for path in sorted(HISTORY.glob("[0-9][0-9]_*.json"))]
    if args.cliff:
        cliff(synthetic(history, args.cliff), args.cliff_cache)
    measure("history", history, args.plain_max)
    for size in args.sizes:
        measure(f"n={size}", synthetic(history, size), args.plain_max)


if __name__ == "__main__":
    main()

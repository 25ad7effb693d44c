"""Keyword values that once made the engine stall, next to a real diff measured in the same run.

A snapshot arrives in a pull request, so no keyword value may make a diff cost more than a
linear amount of work in the size of the documents. Each case below is a small OLD/NEW pair whose
*values* are extreme (`minItems` 10662 and 10^9, `maxLength` 10^9, `multipleOf` 1e-9, an enum of
20,000 values, nesting close to the engine's limit, cross-draft `integer`). Printed: the time of
`compare.diff` with witnesses for each case (median of `--repeat` runs, fresh documents each
time), as a ratio to the baseline: the diff of the two newest shipped snapshots (v14 -> v15); the diffs of all 58
consecutive pairs of the 59-version upstream history are printed the same way, for scale.
A ratio that grows with the value (10662 against 1000, say) would mean super-linear cost; the
enum rows at 5,000 and 20,000 show the growth per value.

    .venv/bin/python benchmarks/pathological_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cwscodegen.engine import compare
from cwscodegen.store.snapshots import load_schema_file

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schemas" / "versions"
HISTORY = ROOT / "tests" / "data" / "cws-schema-history"
S2020 = "https://json-schema.org/draft/2020-12/schema"
D4 = "http://json-schema.org/draft-04/schema#"


def schema(**keywords: Any) -> dict[str, Any]:
    return {"$schema": S2020, **keywords}


def nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    node = leaf
    for _ in range(depth):
        node = {"type": "object", "properties": {"a": node}, "required": ["a"]}
    return {"$schema": S2020, **node}


def cases() -> dict[str, tuple[Any, Any]]:
    """name: (OLD, NEW)."""
    return {
        "minItems=maxItems 1000 -> minItems 1001": (
            schema(type="array", minItems=1000, maxItems=1000),
            schema(type="array", minItems=1001),
        ),
        "minItems=maxItems 10662 -> minItems 10663": (
            schema(type="array", minItems=10662, maxItems=10662),
            schema(type="array", minItems=10663),
        ),
        "minItems 10^9 -> maxItems 3": (schema(type="array", minItems=10**9), schema(type="array", maxItems=3)),
        "minLength 10^9 -> maxLength 10^9": (
            schema(type="string", minLength=10**9),
            schema(type="string", maxLength=10**9),
        ),
        "minProperties 10^9 -> maxProperties 3": (
            schema(type="object", minProperties=10**9),
            schema(type="object", maxProperties=3),
        ),
        "multipleOf 1e-9 -> 1e-8": (schema(type="number", multipleOf=1e-9), schema(type="number", multipleOf=1e-8)),
        "enum of 5,000 shifted by one": (schema(enum=list(range(5000))), schema(enum=list(range(1, 5001)))),
        "enum of 20,000 shifted by one": (schema(enum=list(range(20000))), schema(enum=list(range(1, 20001)))),
        "nesting 70 deep, leaf string -> integer": (
            nested(70, {"type": "string"}),
            nested(70, {"type": "integer"}),
        ),
        "draft-04 integer -> 2020-12 integer": ({"$schema": D4, "type": "integer"}, schema(type="integer")),
        "minContains 1 -> 2": (
            schema(type="array", contains={"type": "number"}, minContains=1),
            schema(type="array", contains={"type": "number"}, minContains=2),
        ),
    }


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old = load_schema_file(SHIPPED / "v14.json")
    new = load_schema_file(SHIPPED / "v15.json")
    texts = (old.text, new.text)
    baseline = median_seconds(
        lambda: compare.diff_documents(json.loads(texts[0]), json.loads(texts[1]), witnesses=True), args.repeat
    )
    texts = [path.read_text(encoding="utf-8") for path in sorted(HISTORY.glob("[0-9][0-9]_*.json"))]

    def whole_history() -> None:
        for old_text, new_text in zip(texts, texts[1:]):
            compare.diff_documents(json.loads(old_text), json.loads(new_text), witnesses=True)

    history = median_seconds(whole_history, 1)
    print(f"python {sys.version.split()[0]}; median of {args.repeat} runs, fresh documents each run")
    print(f"  {'baseline: diff v14 -> v15 (the two newest snapshots)':58} {1000 * baseline:9.1f} ms   1.00x")
    label = f"the 59-version history: {len(texts) - 1} consecutive diffs (once)"
    print(f"  {label:58} {1000 * history:9.1f} ms {history / baseline:6.2f}x")
    for name, (a, b) in cases().items():
        seconds = median_seconds(
            lambda a=a, b=b: compare.diff_documents(copy.deepcopy(a), copy.deepcopy(b), witnesses=True), args.repeat
        )
        report = compare.diff_documents(copy.deepcopy(a), copy.deepcopy(b), witnesses=True)
        verdict = f"back {report.backward.value}, fwd {report.forward.value}"
        print(f"  {name:58} {1000 * seconds:9.1f} ms {seconds / baseline:6.2f}x  ({verdict})")


if __name__ == "__main__":
    main()

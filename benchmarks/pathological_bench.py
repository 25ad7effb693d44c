"""Keyword values that once made the engine stall, next to a real diff measured in the same run.

A snapshot arrives in a pull request, so no keyword value may make a diff cost more than a
linear amount of work in the size of the documents. Each case below is a small OLD/NEW pair whose
*values* are extreme (`minItems` 10662 and 10^9, `maxLength` 10^9, `multipleOf` 1e-9, enums of
10,000 to 40,000 values, nesting close to the engine's limit, 20,000 properties or `required`
names, 2,000 `anyOf`/`oneOf`/`allOf` branches, a pattern of 1,000 alternatives, cross-draft
`integer`). Printed for each case: the time of `compare.diff` with witnesses (as the CLI runs it)
and of `compare.verdicts` (the fast path), median of `--repeat` runs on fresh documents, in
CPU time (the steadier measure on a shared machine; wall time there is several times larger), as a
ratio to the baseline: the diff of the two newest shipped snapshots (v14 -> v15); the diffs of
all 58 consecutive pairs of the 59-version upstream history are printed the same way, for scale.
Then the growth: the time of the 20,000-value enum over the 10,000-value one, and of 40,000 over
20,000 (2.0 is linear; a super-linear cost shows as a ratio growing with the size).

    .venv/bin/python benchmarks/pathological_bench.py [--repeat N] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import copy
import functools
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


def enum_pair(values: Callable[[int], Any], n: int, draft: str = S2020, inside: bool = False) -> tuple[Any, Any]:
    """OLD lists values 0..n-1, NEW 1..n (one removed, one added), at the root or in a property."""
    old: dict[str, Any] = {"enum": [values(i) for i in range(n)]}
    new: dict[str, Any] = {"enum": [values(i) for i in range(1, n + 1)]}
    if inside:
        old = {"type": "object", "properties": {"a": old}, "required": ["a"]}
        new = {"type": "object", "properties": {"a": new}, "required": ["a"]}
    return {"$schema": draft, **old}, {"$schema": draft, **new}


def tagged(n: int) -> list[dict[str, Any]]:
    return [{"type": "object", "properties": {"k": {"const": i}}, "required": ["k"]} for i in range(n)]


def wide(n: int, required: bool) -> tuple[Any, Any]:
    """An object of n string properties: all required, one dropped from `required`; else closed,
    one property's type changed."""
    names = [f"p{i}" for i in range(n)]
    props = {name: {"type": "string"} for name in names}
    if required:
        return (
            schema(type="object", properties=props, required=names),
            schema(type="object", properties=props, required=names[1:]),
        )
    changed = {**props, "p0": {"type": "integer"}}
    return (
        schema(type="object", properties=props, additionalProperties=False),
        schema(type="object", properties=changed, additionalProperties=False),
    )


def definitions(n: int) -> tuple[Any, Any]:
    defs = {f"d{i}": {"type": "object", "properties": {"x": {"type": "string"}}} for i in range(n)}
    changed = {**defs, "d0": {"type": "object", "properties": {"x": {"type": "integer"}}}}
    props = {f"p{i}": {"$ref": f"#/$defs/d{i}"} for i in range(n)}
    return (
        schema(type="object", properties=props, **{"$defs": defs}),
        schema(type="object", properties=props, **{"$defs": changed}),
    )


def cases() -> dict[str, tuple[Any, Any]]:
    """name: (OLD, NEW)."""
    alternatives = "|".join(f"a{i}" for i in range(1000))
    minimums = [{"minLength": i} for i in range(2000)]
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
        "enum of 5,000 shifted by one": enum_pair(int, 5000),
        "enum of 10,000 shifted by one": enum_pair(int, 10000),
        "enum of 20,000 shifted by one": enum_pair(int, 20000),
        "enum of 40,000 shifted by one": enum_pair(int, 40000),
        "enum of 20,000, last value removed": (schema(enum=list(range(20000))), schema(enum=list(range(19999)))),
        "enum of 20,000 strings shifted by one": enum_pair(lambda i: f"v{i}", 20000),
        "enum of 20,000 objects shifted by one": enum_pair(lambda i: {"k": i}, 20000),
        "draft-04: enum of 20,000 in a property, shifted": enum_pair(int, 20000, D4, inside=True),
        "nesting 70 deep, leaf string -> integer": (
            nested(70, {"type": "string"}),
            nested(70, {"type": "integer"}),
        ),
        "nesting 79 deep (the limit), leaf string -> integer": (
            nested(79, {"type": "string"}),
            nested(79, {"type": "integer"}),
        ),
        "required: 20,000 names, one dropped": wide(20000, required=True),
        "properties: 20,000, one type changed": wide(20000, required=False),
        "definitions: 5,000, one changed": definitions(5000),
        "anyOf of 2,000 tagged branches, one removed": (schema(anyOf=tagged(2000)), schema(anyOf=tagged(2000)[1:])),
        "oneOf of 2,000 tagged branches, one removed": (schema(oneOf=tagged(2000)), schema(oneOf=tagged(2000)[1:])),
        "allOf of 2,000 minLength, last removed": (
            schema(type="string", allOf=minimums),
            schema(type="string", allOf=minimums[:-1]),
        ),
        "pattern of 1,000 alternatives, one removed": (
            schema(type="string", pattern=f"^({alternatives})$"),
            schema(type="string", pattern=f"^({alternatives.split('|', 1)[1]})$"),
        ),
        "draft-04 integer -> 2020-12 integer": ({"$schema": D4, "type": "integer"}, schema(type="integer")),
        "minContains 1 -> 2": (
            schema(type="array", contains={"type": "number"}, minContains=1),
            schema(type="array", contains={"type": "number"}, minContains=2),
        ),
    }


GROWTH = (
    ("enum 20,000 / 10,000", "enum of 20,000 shifted by one", "enum of 10,000 shifted by one"),
    ("enum 40,000 / 20,000", "enum of 40,000 shifted by one", "enum of 20,000 shifted by one"),
)


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def fresh_diff(old: Any, new: Any) -> object:
    return compare.diff_documents(copy.deepcopy(old), copy.deepcopy(new), witnesses=True)


def fresh_verdicts(old: Any, new: Any) -> object:
    return compare.verdicts_documents(copy.deepcopy(old), copy.deepcopy(new))


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run only the cases whose name holds this text")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; CPU time, median of {args.repeat} runs, fresh documents; load {load()}")
    old = load_schema_file(SHIPPED / "v14.json")
    new = load_schema_file(SHIPPED / "v15.json")
    texts = (old.text, new.text)
    baseline = median_seconds(
        lambda: compare.diff_documents(json.loads(texts[0]), json.loads(texts[1]), witnesses=True), args.repeat
    )
    print(f"  {'baseline: diff v14 -> v15 (the two newest snapshots)':58} {1000 * baseline:9.1f} ms   1.00x")
    if not args.only:
        history_texts = [path.read_text(encoding="utf-8") for path in sorted(HISTORY.glob("[0-9][0-9]_*.json"))]

        def whole_history() -> None:
            for old_text, new_text in zip(history_texts, history_texts[1:]):
                compare.diff_documents(json.loads(old_text), json.loads(new_text), witnesses=True)

        history = median_seconds(whole_history, 1)
        label = f"the 59-version history: {len(history_texts) - 1} consecutive diffs (once)"
        print(f"  {label:58} {1000 * history:9.1f} ms {history / baseline:6.2f}x")
    print(f"  {'case':58} {'diff':>9}    {'x':>6}  {'verdicts':>9}    {'x':>6}  verdicts (diff)")
    timed: dict[str, tuple[float, float]] = {}
    for name, (a, b) in cases().items():
        if args.only not in name:
            continue
        seconds = median_seconds(functools.partial(fresh_diff, a, b), args.repeat)
        fast = median_seconds(functools.partial(fresh_verdicts, a, b), args.repeat)
        timed[name] = (seconds, fast)
        report = compare.diff_documents(copy.deepcopy(a), copy.deepcopy(b), witnesses=True)
        verdict = f"back {report.backward.value}, fwd {report.forward.value}"
        print(
            f"  {name:58} {1000 * seconds:9.1f} ms {seconds / baseline:6.2f}x {1000 * fast:9.1f} ms "
            f"{fast / baseline:6.2f}x  ({verdict})",
            flush=True,
        )
    sizes = sorted({name for _, larger, smaller in GROWTH for name in (larger, smaller)})
    growth_cases = {name: pair for name, pair in cases().items() if name in sizes}
    if args.only in "enum of" or any(args.only in name for name in sizes):
        print(f"  growth, measured apart: {args.repeat} interleaved rounds of the 10,000/20,000/40,000 enums")
        rounds: dict[str, list[tuple[float, float]]] = {name: [] for name in growth_cases}
        for _ in range(args.repeat):
            for name, (a, b) in growth_cases.items():
                rounds[name].append(
                    (
                        median_seconds(functools.partial(fresh_diff, a, b), 1),
                        median_seconds(functools.partial(fresh_verdicts, a, b), 1),
                    )
                )
        for label, larger, smaller in GROWTH:
            diff_ratio = statistics.median(x[0] for x in rounds[larger]) / statistics.median(
                x[0] for x in rounds[smaller]
            )
            fast_ratio = statistics.median(x[1] for x in rounds[larger]) / statistics.median(
                x[1] for x in rounds[smaller]
            )
            print(f"  growth {label}: diff {diff_ratio:.2f}, verdicts {fast_ratio:.2f} (2.00 is linear)")
    print(f"load {load()} at the end")


if __name__ == "__main__":
    main()

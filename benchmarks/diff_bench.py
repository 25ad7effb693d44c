"""How long a diff takes: in process, as a command, and as the schema grows.

Prints, from one run on this machine (each figure next to a baseline measured in the same run, so
the ratios mean something on any machine):

(a) in process, on the two largest real snapshots of the upstream history (by file size):
    `compare.diff` with witnesses and `compare.verdicts` (the fast path), median over repeated
    runs, against `json.loads` of the same two files;
(b) the whole `cwscodegen diff v14 v15` command (wall time, a fresh interpreter each run) against
    `python -c "import typer, deepdiff, jsonschema"` (the imports any such CLI pays), interleaved;
(c) a synthetic schema 1x, 10x, 100x the size of the newest snapshot: its definitions copied N
    times under new names, one root property per copy referring to that copy's root object, and a
    NEW version with the same few real changes in every copy; time to diff at each size and
    time / size normalised to 1x (linear growth keeps that ratio near 1), for verdicts also with
    the garbage collector paused, which separates the engine's own growth from the GC's;
(d) before and after: the diff of the two newest snapshots with this tree and with a baseline git
    revision (`--baseline REV`, default the commit before issue 7's engine work), both in one run,
    interleaved: `python -m cwscodegen diff v14 v15` (each tree with its own snapshot folder; the
    two files are the same in both), the same for the history's two newest files copied as
    h58.json/h59.json (plain files, so no accepted breaks apply), and the engine alone in a warm
    process (`compare.diff` with witnesses and `compare.verdicts` on freshly parsed documents).
    The baseline is unpacked with `git archive` into a temporary folder (removed afterwards) and run
    with `PYTHONPATH` under this interpreter.

    .venv/bin/python benchmarks/diff_bench.py [--repeat N] [--cli-repeat N] [--sizes 1,10,100]
        [--skip a,b,c,d] [--baseline REV] [--baseline-repeat N]
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from cwscodegen.engine import compare
from cwscodegen.store.snapshots import Snapshot, load_schema_file, snapshot_from_text

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "tests" / "data" / "cws-schema-history"
SHIPPED = ROOT / "schemas" / "versions"


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh(snapshot: Snapshot) -> Snapshot:
    """The snapshot with a newly parsed document: the engine caches its preparation per document
    object, so reusing one object would time the warm (cached) path, not a first diff."""
    return replace(snapshot, document=json.loads(snapshot.text))


def median_cold(
    work: Callable[[Snapshot, Snapshot], object], old: Snapshot, new: Snapshot, repeat: int, *, gc_off: bool = False
) -> float:
    """Median time of `work` on freshly parsed documents (the parsing is not timed); with
    `gc_off`, Python's cyclic garbage collector is paused while `work` runs."""
    times = []
    for _ in range(repeat):
        a, b = fresh(old), fresh(new)
        gc.collect()
        if gc_off:
            gc.disable()
        try:
            start = time.perf_counter()
            work(a, b)
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times)


def largest_history_files(count: int = 2) -> list[Path]:
    """The `count` largest history files, oldest first (so the pair reads OLD -> NEW)."""
    files = sorted(HISTORY.glob("[0-9][0-9]_*.json"), key=lambda p: p.stat().st_size, reverse=True)[:count]
    return sorted(files)


# --------------------------------------------------------------------------- (a) in process


def in_process(repeat: int) -> None:
    old_path, new_path = largest_history_files()
    old, new = load_schema_file(old_path), load_schema_file(new_path)
    texts = (old.text, new.text)
    loads = median_seconds(lambda: [json.loads(t) for t in texts], repeat)
    diff = median_cold(lambda a, b: compare.diff(a, b, witnesses=True), old, new, repeat)
    verdicts = median_cold(compare.verdicts, old, new, repeat)
    warm = median_seconds(lambda: compare.verdicts(old, new), repeat)
    report = compare.diff(old, new, witnesses=True)
    print(
        f"(a) in process: {old_path.name} ({len(old.text):,} B) -> {new_path.name} ({len(new.text):,} B), "
        f"{len(report.changes)} changes, median of {repeat} runs, freshly parsed documents each run"
    )
    print(f"    json.loads of both files          : {1000 * loads:8.3f} ms (baseline)")
    print(f"    compare.diff (witnesses)          : {1000 * diff:8.3f} ms = {diff / loads:6.1f}x json.loads")
    print(f"    compare.verdicts (fast path)      : {1000 * verdicts:8.3f} ms = {verdicts / loads:6.1f}x json.loads")
    print(
        f"    compare.verdicts, same objects    : {1000 * warm:8.3f} ms = {warm / loads:6.1f}x json.loads "
        "(preparation cached per document, as in the matrix)"
    )


# --------------------------------------------------------------------------- (b) the command


def user_environment(**extra: str) -> dict[str, str]:
    """The environment a user's command runs in: Python writes and reuses bytecode. A sandbox
    that sets PYTHONDONTWRITEBYTECODE makes every run compile the whole package from source, which
    times the size of the code rather than what the command does."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def wall(command: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=user_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1 means "breaking", still a complete run
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.returncode


def command_line(repeat: int) -> None:
    cli = str(Path(sys.executable).with_name("cwscodegen"))
    diff_cmd = [cli, "diff", "v14", "v15"]
    import_cmd = [sys.executable, "-c", "import typer, deepdiff, jsonschema"]
    wall(diff_cmd), wall(import_cmd)  # warm the file cache once, not measured
    diffs, imports, code = [], [], 0
    for _ in range(repeat):  # interleaved, so a busy moment hits both
        seconds, code = wall(diff_cmd)
        diffs.append(seconds)
        imports.append(wall(import_cmd)[0])
    d, i = statistics.median(diffs), statistics.median(imports)
    print(f"(b) command, median of {repeat} interleaved runs:")
    print(f"    python -c 'import typer, deepdiff, jsonschema': {1000 * i:8.1f} ms (baseline)")
    print(f"    cwscodegen diff v14 v15 (exit {code})            : {1000 * d:8.1f} ms = {d / i:.2f}x the imports")


# --------------------------------------------------------------------------- (c) growth


def defs_key(document: dict[str, Any]) -> str:
    return "$defs" if "$defs" in document else "definitions"


def renamed(node: Any, prefix: str, names: set[str], suffix: str) -> Any:
    """`node` with every reference to a definition in `names` pointing at its renamed copy."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(prefix) and value[len(prefix) :] in names:
                value = f"{prefix}{value[len(prefix) :]}{suffix}"
            out[key] = renamed(value, prefix, names, suffix)
        return out
    if isinstance(node, list):
        return [renamed(v, prefix, names, suffix) for v in node]
    return node


def scaled(base: dict[str, Any], copies: int) -> dict[str, Any]:
    """`copies` copies of `base`'s definitions (suffix `_cN`), each with its own root object
    `Root_cN` (the base root's properties, refs renamed), and one root property `event_cN` per copy."""
    key = defs_key(base)
    prefix = f"#/{key}/"
    names = set(base[key])
    root_body = {k: v for k, v in base.items() if k not in (key, "$schema", "$id", "description")}
    out: dict[str, Any] = {k: base[k] for k in ("$schema", "$id") if k in base}
    out.update(type="object", additionalProperties=False, properties={}, **{key: {}})
    for n in range(copies):
        suffix = f"_c{n}"
        for name, schema in base[key].items():
            out[key][name + suffix] = renamed(schema, prefix, names, suffix)
        out[key]["Root" + suffix] = renamed(root_body, prefix, names, suffix)
        out["properties"]["event" + suffix] = {"$ref": f"{prefix}Root{suffix}"}
    return out


def changed(document: dict[str, Any], copies: int) -> dict[str, Any]:
    """The same schema with four real changes in every copy: an optional field added, a field
    removed, a type changed (string -> integer) and a root key made required."""
    new = copy.deepcopy(document)
    key = defs_key(new)
    defs = new[key]
    for n in range(copies):
        s = f"_c{n}"
        defs[f"ContainerContext{s}"]["properties"]["bench_added"] = {"type": "string"}
        defs[f"File{s}"]["properties"].pop("mount_path", None)
        defs[f"DDContext{s}"]["properties"]["span_id"] = {"type": "integer"}
        root = defs[f"Root{s}"]
        root["required"] = sorted(set(root.get("required", [])) | {"date"})
    return new


def check_changes_exist(base: dict[str, Any]) -> None:
    """The four edits of `changed` must be real changes of the newest snapshot."""
    defs = base[defs_key(base)]
    problems = []
    if "bench_added" in defs["ContainerContext"]["properties"]:
        problems.append("ContainerContext already has bench_added")
    if "mount_path" not in defs["File"]["properties"]:
        problems.append("File has no mount_path to remove")
    if defs["DDContext"]["properties"]["span_id"].get("type") != "string":
        problems.append("DDContext.span_id is not a string")
    if "date" not in base["properties"] or "date" in base.get("required", []):
        problems.append("root property 'date' is missing or already required")
    if problems:
        raise SystemExit("diff_bench: the synthetic changes no longer apply: " + "; ".join(problems))


def growth(sizes: list[int], repeat: int) -> None:
    newest = max(HISTORY.glob("[0-9][0-9]_*.json"))
    base = json.loads(newest.read_text(encoding="utf-8"))
    check_changes_exist(base)
    print(
        f"(c) growth: {newest.name} ({len(base[defs_key(base)])} definitions) copied N times, "
        f"4 real changes per copy; median of {repeat} runs (100x and more: fewer, see runs)"
    )
    print(
        "    size | definitions |     bytes |  verdicts ms | per 1x | same, GC paused | per 1x | diff+witnesses ms | per 1x | changes"
    )
    unit: dict[str, float] = {}
    for size in sizes:
        old_doc = scaled(base, size)
        new_doc = changed(old_doc, size)
        old_text, new_text = json.dumps(old_doc), json.dumps(new_doc)
        old = snapshot_from_text(old_text, f"synthetic-{size}x-old", Path(f"synthetic-{size}x-old.json"), "old")
        new = snapshot_from_text(new_text, f"synthetic-{size}x-new", Path(f"synthetic-{size}x-new.json"), "new")
        runs = repeat if size < 100 else max(1, repeat // 5)
        compare.verdicts(fresh(old), fresh(new))  # first call pays one-off costs, not the size
        verdicts = median_cold(compare.verdicts, old, new, runs)
        paused = median_cold(compare.verdicts, old, new, runs, gc_off=True)
        diff = median_cold(lambda a, b: compare.diff(a, b, witnesses=True), old, new, runs)
        report = compare.diff(old, new, witnesses=True)
        if not unit:
            unit = {"verdicts": verdicts / size, "paused": paused / size, "diff": diff / size}
        print(
            f"    {size:4d}x | {len(old_doc[defs_key(old_doc)]):11,d} | {len(old_text):9,d} | "
            f"{1000 * verdicts:12.1f} | {verdicts / size / unit['verdicts']:6.2f} | "
            f"{1000 * paused:15.1f} | {paused / size / unit['paused']:6.2f} | "
            f"{1000 * diff:17.1f} | {diff / size / unit['diff']:6.2f} | {len(report.changes):7,d}"
            f"{'' if runs == repeat else f' (runs: {runs})'}"
        )
    print("    'per 1x' = (time / size) / (time / size at 1x): ~1 means linear growth; 'GC paused' shows how")
    print("    much of any excess is Python's cyclic garbage collector walking a larger heap")


# --------------------------------------------------------------------------- (d) before and after

# The commit before issue 7's engine work (draft-exact semantics, emptiness, pattern automata):
# the layout move that both issue-7 branches started from.
DEFAULT_BASELINE = "b18c50ff2c81cfde9b6bb1686b209f822bb4a7e9"

# Run in each tree's own interpreter process: one untimed diff, then `repeat` timings of each entry
# point on freshly parsed documents. Falls back to the module paths before the layout move.
ENGINE_DRIVER = """
import gc, json, sys, time
from dataclasses import replace
try:
    from cwscodegen.engine import compare
    from cwscodegen.store.snapshots import load_schema_file
except ImportError:
    from cwscodegen import compare
    from cwscodegen.snapshots import load_schema_file
old, new = (load_schema_file(__import__("pathlib").Path(p)) for p in sys.argv[1:3])
repeat = int(sys.argv[3])
fresh = lambda s: replace(s, document=json.loads(s.text))
compare.diff(fresh(old), fresh(new), witnesses=True)
out = {"diff": [], "verdicts": []}
for _ in range(repeat):
    for key, work in (("diff", lambda a, b: compare.diff(a, b, witnesses=True)), ("verdicts", compare.verdicts)):
        a, b = fresh(old), fresh(new)
        gc.collect()
        start = time.perf_counter()
        work(a, b)
        out[key].append(time.perf_counter() - start)
print(json.dumps(out))
"""


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def unpack_revision(revision: str, into: Path) -> Path:
    """The tree of `revision` (as `git archive` writes it) in `into`/tree."""
    archive = into / "tree.tar"
    done = subprocess.run(
        ["git", "archive", "--format=tar", "-o", str(archive), revision], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"diff_bench: git archive {revision} failed: {done.stderr.strip()}")
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    archive.unlink()
    return tree


def run_in(tree: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """`python args...` with `tree`'s cwscodegen first on the path, from `tree` (its own settings)."""
    env = user_environment(PYTHONPATH=str(tree))
    return subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True)


def timed_command(tree: Path, args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = run_in(tree, ["-m", "cwscodegen", *args])
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"diff_bench: cwscodegen {' '.join(args)} in {tree} failed: {done.stderr.strip()}")
    return elapsed, done.returncode


def engine_times(tree: Path, old: Path, new: Path, repeat: int) -> dict[str, list[float]]:
    done = run_in(tree, ["-c", ENGINE_DRIVER, str(old), str(new), str(repeat)])
    if done.returncode != 0:
        raise SystemExit(f"diff_bench: the engine driver failed in {tree}: {done.stderr.strip()}")
    times: dict[str, list[float]] = json.loads(done.stdout)
    return times


def ratio_line(label: str, current: list[float], baseline: list[float]) -> str:
    """Medians of both sides, their ratio, and the quartiles of the per-round ratios (round i of
    `current` ran next to round i of `baseline`, so a busy moment cancels out of its ratio)."""
    c, b = statistics.median(current), statistics.median(baseline)
    q1, _, q3 = statistics.quantiles([x / y for x, y in zip(current, baseline, strict=True)], n=4)
    return f"    {label:<56}: {1000 * c:9.1f} ms  {1000 * b:9.1f} ms  {c / b:6.2f}x  ({q1:.2f}-{q3:.2f})"


def before_after(revision: str, repeat: int) -> None:
    """Interleaved timings of this tree and `revision` on the two newest snapshots (see (d) above)."""
    history = sorted(HISTORY.glob("[0-9][0-9]_*.json"))[-2:]
    print(f"(d) before/after: this tree against {revision[:12]}, {repeat} interleaved rounds; {load_average()}")
    scratch = Path(tempfile.mkdtemp(prefix="diff-bench-"))
    try:
        baseline = unpack_revision(revision, scratch)
        inputs = scratch / "history"
        inputs.mkdir()
        pair = [inputs / f"h{path.name[:2]}.json" for path in history]
        for source, target in zip(history, pair, strict=True):
            shutil.copyfile(source, target)
        trees = {"current": ROOT, "baseline": baseline}
        commands = {
            "diff v14 v15": ["diff", "v14", "v15"],
            f"diff {pair[0].name} {pair[1].name}": ["diff", str(pair[0]), str(pair[1])],
        }
        shipped = [SHIPPED / "v14.json", SHIPPED / "v15.json"]
        times: dict[tuple[str, str], list[float]] = {}
        codes: dict[tuple[str, str], int] = {}
        for tree in trees.values():  # warm the file cache and write bytecode once, not measured
            for args in commands.values():
                timed_command(tree, args)
        for round_ in range(repeat):
            order = list(trees.items()) if round_ % 2 == 0 else list(trees.items())[::-1]
            for label, args in commands.items():
                for side, tree in order:
                    seconds, codes[side, label] = timed_command(tree, args)
                    times.setdefault((side, label), []).append(seconds)
            for side, tree in order:
                for key, values in engine_times(tree, shipped[0], shipped[1], 3).items():
                    times.setdefault((side, key), []).append(statistics.median(values))
        print(f"    {'median':<56}  {'current':>12}  {'baseline':>12}  ratio  (per-round ratios, q1-q3)")
        for label in commands:
            exits = f"exit {codes['current', label]}/{codes['baseline', label]}"
            print(
                ratio_line(f"python -m cwscodegen {label}, {exits}", times["current", label], times["baseline", label])
            )
        for key, name in (("diff", "compare.diff (witnesses)"), ("verdicts", "compare.verdicts (fast path)")):
            print(ratio_line(f"engine, warm, {name}", times["current", key], times["baseline", key]))
        print(f"    commands: one run per round; engine: median of 3 runs per round; {load_average()}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="in-process runs per figure")
    parser.add_argument("--cli-repeat", type=int, default=7, help="command runs per figure")
    parser.add_argument("--sizes", default="1,10,100", help="synthetic sizes, comma-separated")
    parser.add_argument("--skip", default="", help="parts to skip, e.g. 'b' or 'a,c'")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision for (d) (default: before issue 7)")
    parser.add_argument("--baseline-repeat", type=int, default=15, help="interleaved rounds in (d)")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible")
    if "a" not in skip:
        in_process(args.repeat)
    if "b" not in skip:
        command_line(args.cli_repeat)
    if "c" not in skip:
        growth([int(s) for s in args.sizes.split(",")], args.repeat)
    if "d" not in skip:
        before_after(args.baseline, args.baseline_repeat)


if __name__ == "__main__":
    main()

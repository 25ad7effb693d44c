"""Validator speed and correctness on real-shaped CWS events, and `validate`'s memory on a big file.

Run: .venv/bin/python benchmarks/validate_bench.py [--events 100000] [--rss-mb 1024]

1. Writes a JSON Lines file of --events events generated from the newest snapshot (v15) by
   `cwscodegen.events.examples.EventGenerator` (seeded: the same file every run); a share of them
   (--invalid-share, 3% by default) is deliberately broken by one of the examples.MUTATIONS.
2. Parses the file in chunks and runs each validator on the same parsed events, timing only the
   validation calls, side by side in this one run:
   - jsonschema (`validators.make_validator`, compiled once): the project's definition of valid,
     the reference every other verdict is compared with, event by event;
   - jsonschema-rs as `validate` runs it (`fastcheck.fast_check`: the snapshot's draft, formats
     asserted by jsonschema's own format functions, on `fastcheck`'s translation of the schema);
   - jsonschema-rs on the raw document with its own formats: why jsonschema's are plugged in;
   - fastjsonschema (a dev dependency, for this comparison) on the same translation with
     jsonschema's format functions, as draft-07 code (what `validate` used before jsonschema-rs),
     and on the raw document with its own formats;
   - the Pydantic v2 model generated from v15 (generated/v15/pydantic_models.py, else generated
     now): `model_validate` on the parsed dict (lax, the default) and `model_validate_json` on
     the raw line (strict; includes parsing).
   It then names the fastest validator that agrees with jsonschema on every event and on the
   edge cases and implements the schema's draft, and the one `validate` uses
   (`SnapshotChecker.engine`), which must be the fastest such among cwscodegen's runtime
   dependencies.
3. Times the whole `validate` pipeline (read, parse, check, format) with the fast path, with
   validate's checker as it was before rejections were explained by `fastcheck.Explainer`
   (`BaselineChecker`: jsonschema explained every rejection, skipping what the fast check proved
   valid), and with jsonschema only, against v15 and against every snapshot, and checks all three
   print the same lines.
4. Against all 15 snapshots, on events most snapshots reject (the 27 real CWS events of
   tests/data/real-events repeated --real-repeat times, and --era-events real-shaped events
   generated from v2, v8 and v15 in turn): the pipeline against the floor, N fast checks per
   event on the same parsed events (each timed from cold caches, checkers built beforehand; the
   best of 3 interleaved rounds each), and the baseline checker on the first --before-sample
   events. Target: within 3x the floor.
5. Runs `cwscodegen validate` in fresh processes on a small file (the first 1,000 events), on
   the file, and on a ~--rss-mb file (the same lines repeated), and prints each one's events/s
   and peak RSS (VmHWM): streaming means the peak does not grow with the input.

All figures are measured in the same run; ratios are against jsonschema.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cwscodegen.events import fastcheck  # noqa: E402
from cwscodegen.events.examples import MUTATIONS, EventGenerator  # noqa: E402
from cwscodegen.events.fastcheck import fast_document, own_keywords_validator, pruned_validator  # noqa: E402
from cwscodegen.events.validate import Rejection, SnapshotChecker, check_events, iter_events, text_line  # noqa: E402
from cwscodegen.store.refs import draft_of, pointer  # noqa: E402
from cwscodegen.store.snapshots import Snapshot, load_all, load_snapshot  # noqa: E402
from cwscodegen.store.validators import first_error, make_validator  # noqa: E402

SCHEMAS = ROOT / "schemas" / "versions"
REAL_EVENTS = ROOT / "tests" / "data" / "real-events" / "all.jsonl"
NEWEST = "v15"
VALIDATE = "jsonschema-rs + jsonschema's formats"  # the candidate that is `validate`'s fast check


@dataclass
class Candidate:
    name: str
    check: Callable[[Any], bool]
    raw: bool  # takes the raw line (bytes) instead of the parsed event
    draft_ok: bool  # implements the document's draft (itself or via a faithful translation)
    note: str
    dependency: bool = True  # a runtime dependency of cwscodegen (validate may use it)


def write_events(path: Path, count: int, invalid_share: float, seed: int) -> list[str]:
    """The events file; returns, per event, the mutation applied ("" for none)."""
    document = load_snapshot(SCHEMAS, NEWEST).document
    generator = EventGenerator(document, seed=seed)
    every = max(1, round(1 / invalid_share)) if invalid_share > 0 else 0
    kinds = []
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            event = generator.event()
            kind = MUTATIONS[(index // every) % len(MUTATIONS)] if every and index % every == every - 1 else ""
            if kind:
                event = generator.mutate(event, kind)
            kinds.append(kind)
            out.write(json.dumps(event, separators=(",", ":")) + "\n")
    return kinds


def chunks(path: Path, size: int = 5000) -> Iterator[tuple[list[bytes], list[Any]]]:
    with path.open("rb") as stream:
        raw: list[bytes] = []
        for line in stream:
            raw.append(line)
            if len(raw) == size:
                yield raw, [json.loads(x) for x in raw]
                raw = []
        if raw:
            yield raw, [json.loads(x) for x in raw]


def pydantic_model(document: Any, workdir: Path) -> Any:
    """The generated v15 Pydantic model: generated/v15/pydantic_models.py, else generated now."""
    source = ROOT / "generated" / NEWEST / "pydantic_models.py"
    origin = str(source.relative_to(ROOT))
    if not (source.is_file() and "class BackendEvent(BaseModel)" in source.read_text(encoding="utf-8")):
        source = workdir / "model_v15.py"
        origin = "generated now with `cwscodegen generate`"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "cwscodegen",
                "generate",
                "--output",
                str(workdir / "gen"),
                "--target",
                "pydantic",
                NEWEST,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode != 0:
            raise SystemExit(f"cwscodegen generate failed: {done.stderr.strip()}")
        source = workdir / "gen" / NEWEST / "pydantic_models.py"
    spec = importlib.util.spec_from_file_location("bench_model_v15", source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    print(f"pydantic model: {origin}")
    return module.BackendEvent


def candidates(document: Any, workdir: Path) -> list[Candidate]:
    import fastjsonschema
    import pydantic

    draft = draft_of(document)
    reference = make_validator(document)
    fast = fast_document(document)
    assert fast is not None, "v15 is expected to get the fast path"
    rs_raw = fast.validator_class(document, validate_formats=True, offline=True)
    translated = {**fast.translation.document(), "$schema": "http://json-schema.org/draft-07/schema#"}
    fjs_translated = fastjsonschema.compile(
        translated,
        handlers={"http": _no_fetch, "https": _no_fetch},
        formats=fast.formats,
        use_default=False,
        detailed_exceptions=False,
    )
    fjs_raw = fastjsonschema.compile(
        document, handlers={"http": _no_fetch, "https": _no_fetch}, use_default=False, detailed_exceptions=False
    )
    model = pydantic_model(document, workdir)

    def fastjsonschema_check(compiled: Callable[[Any], Any]) -> Callable[[Any], bool]:
        def check(event: Any) -> bool:
            try:
                compiled(event)
            except fastjsonschema.JsonSchemaValueException:
                return False
            return True

        return check

    def with_model(event: Any) -> bool:
        try:
            model.model_validate(event)
        except pydantic.ValidationError:
            return False
        return True

    def with_model_json(line: bytes) -> bool:
        try:
            model.model_validate_json(line, strict=True)
        except pydantic.ValidationError:
            return False
        return True

    return [
        Candidate(
            "jsonschema (reference)", reference.is_valid, False, True, f"jsonschema {_version('jsonschema')}, {draft}"
        ),
        Candidate(VALIDATE, fast.check, False, True, f"{fast.engine} {fast.validator_class.__name__}, via fastcheck"),
        Candidate("jsonschema-rs, its own formats", rs_raw.is_valid, False, True, "raw document"),
        Candidate(
            "fastjsonschema + jsonschema's formats",
            fastjsonschema_check(fjs_translated),
            False,
            True,
            f"fastjsonschema {_version('fastjsonschema')}, fastcheck's translation",
            False,
        ),
        Candidate(
            "fastjsonschema, raw document",
            fastjsonschema_check(fjs_raw),
            False,
            False,
            "draft-04/06/07 only; ignores $schema 2020-12",
            False,
        ),
        Candidate(
            "pydantic model_validate(dict)", with_model, False, False, f"pydantic {_version('pydantic')}, lax (default)"
        ),
        Candidate("pydantic model_validate_json(line)", with_model_json, True, False, "strict, parses the line itself"),
    ]


def edge_events(document: Any) -> list[tuple[str, Any]]:
    """Valid v15 events with one value replaced by something the libraries may read differently."""
    generator = EventGenerator(document, seed=99)
    base = next(
        e
        for e in (generator.event() for _ in range(1000))
        if "date" in e and isinstance(e.get("process"), dict) and "pid" in e["process"]
    )
    out = [("unchanged", base)]
    for stamp in (
        "2016-12-31T23:59:60Z",
        "２024-01-01T10:00:00Z",
        "2024-01-01t10:00:00z",
        "2024-02-30T00:00:00Z",
        "2024-01-01T10:00:00+24:00",
        "2024-01-01T10:00:00.123456789Z",
        "2024-01-01T10:00:00",
    ):
        out.append((f"date={stamp!r}", {**base, "date": stamp}))
    for pid in (1.0, 1.5, True, 2**64, -1, None, "1"):
        out.append((f"process.pid={pid!r}", {**base, "process": {**base["process"], "pid": pid}}))
    out.append(("evt=null", {**base, "evt": None}))
    out.append(("an unknown property", {**base, "unexpected": 1}))
    return out


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution.replace("_", "-"))
    except PackageNotFoundError:
        return "?"


def _no_fetch(uri: str) -> Any:
    raise RuntimeError(f"refusing to fetch {uri}")


def compare_validators(path: Path, kinds: list[str], document: Any, workdir: Path) -> None:
    table = candidates(document, workdir)
    seconds = {c.name: 0.0 for c in table}
    verdicts: dict[str, list[bool]] = {c.name: [] for c in table}
    for raw, parsed in chunks(path):
        for candidate in table:
            inputs = raw if candidate.raw else parsed
            check = candidate.check
            start = time.perf_counter()
            results = [check(item) for item in inputs]
            seconds[candidate.name] += time.perf_counter() - start
            verdicts[candidate.name] += results
    reference = verdicts["jsonschema (reference)"]
    total = len(reference)
    base = total / seconds["jsonschema (reference)"]
    print(
        f"\n{total} events, {total - sum(reference)} invalid per jsonschema "
        f"({sum(1 for k in kinds if k)} mutated; a mutation can leave an event valid)"
    )
    print(
        f"{'validator':<40} {'events/s':>10} {'x jsonschema':>13} {'agree':>8} {'false acc.':>10} {'false rej.':>10}  notes"
    )
    correct: list[tuple[float, str]] = []
    for candidate in table:
        results = verdicts[candidate.name]
        rate = total / seconds[candidate.name]
        false_accept = sum(1 for r, v in zip(reference, results) if v and not r)
        false_reject = sum(1 for r, v in zip(reference, results) if r and not v)
        agree = total - false_accept - false_reject
        print(
            f"{candidate.name:<40} {rate:>10.0f} {rate / base:>13.1f} {agree:>8} {false_accept:>10} {false_reject:>10}  {candidate.note}"
        )
        if agree == total and candidate.draft_ok:
            correct.append((rate, candidate.name))
    for candidate in table:
        results = verdicts[candidate.name]
        by_kind = Counter(
            (kinds[i] or "unmutated", "accepts" if v else "rejects")
            for i, (r, v) in enumerate(zip(reference, results))
            if r != v
        )
        if by_kind:
            detail = ", ".join(f"{kind}: {n} wrongly {what}" for (kind, what), n in sorted(by_kind.items()))
            print(f"  disagreements of {candidate.name}: {detail}")
    labelled = edge_events(document)
    edges = [event for _, event in labelled]
    oracle = make_validator(document)
    expected = [oracle.is_valid(e) for e in edges]
    print(
        f"edge cases ({len(edges)} v15 events with a leap second, non-ASCII digits, 1.0/True/2**64 as an integer, null, ...; "
        f"{sum(expected)} valid per jsonschema):"
    )
    for candidate in table:
        got = [candidate.check(json.dumps(e).encode() if candidate.raw else e) for e in edges]
        wrong = [i for i, (a, b) in enumerate(zip(expected, got)) if a != b]
        print(
            f"  {candidate.name:<40} {len(edges) - len(wrong):>3}/{len(edges)} agree"
            + (f"; differs on: {', '.join(labelled[i][0] for i in wrong)}" if wrong else "")
        )
        if wrong:
            correct = [(r, n) for r, n in correct if n != candidate.name]
    rate, name = max(correct)
    print(
        f"fastest that agrees with jsonschema on all {total} events and the edge cases, implementing {draft_of(document)}: "
        f"{name} ({rate:.0f} events/s)"
    )
    installed = {c.name for c in table if c.dependency}
    rate, name = max((r, n) for r, n in correct if n in installed)
    print(f"fastest such among cwscodegen's runtime dependencies: {name} ({rate:.0f} events/s)")
    engine = SnapshotChecker(load_snapshot(SCHEMAS, NEWEST)).engine
    print(
        f"validate uses: {engine} ({VALIDATE!r} above) to accept events, jsonschema to explain rejections"
        + ("" if name == VALIDATE and engine.startswith("jsonschema-rs") else "  <-- NOT THE FASTEST CORRECT ONE")
    )


class BaselineChecker:
    """validate's checker before `fastcheck.Explainer` (commit b18c50f), for the "before" figures:
    the fast check accepts; a rejection is explained by jsonschema, first with the root's own
    keywords (the old `root_validator`; the same as `own_keywords_validator` on a snapshot whose
    root is not a `$ref`, as all 15 are), else with `pruned_validator` (which skips `$ref`
    subtrees the fast check proves valid)."""

    def __init__(self, snapshot: Snapshot) -> None:
        compiled = fast_document(snapshot.document)
        assert compiled is not None and "$ref" not in snapshot.document
        self.name = snapshot.name
        self.fast = compiled.check
        self.validators = (own_keywords_validator(snapshot.document), pruned_validator(snapshot.document, compiled))

    def check(self, instance: Any, same_event: bool = False) -> Rejection | None:
        if self.fast(instance):
            return None
        for validator in self.validators:
            error = first_error(validator, instance)
            if error is not None:
                return Rejection(self.name, pointer(*error.absolute_path), error.message)
        return None


def make_checkers(kind: str, names: list[str]) -> list[Any]:
    """`now` (validate's), `before` (BaselineChecker) or `jsonschema` (no fast path), built cold."""
    fastcheck.clear_caches()
    snapshots = [snapshot for snapshot in load_all(SCHEMAS) if snapshot.name in names]
    if kind == "before":
        return [BaselineChecker(snapshot) for snapshot in snapshots]
    return [SnapshotChecker(snapshot, fast=kind == "now") for snapshot in snapshots]


def time_lines(lines: list[bytes], checkers: list[Any], names: list[str]) -> tuple[float, list[str]]:
    """Seconds for the pipeline (parse, check, format one text line per event) over `lines`."""
    start = time.perf_counter()
    out = [text_line(v, names) for v in check_events(iter_events(iter(lines), "lines"), checkers)]
    return time.perf_counter() - start, out


def time_floor(lines: list[bytes], checkers: list[Any]) -> float:
    """Seconds for N fast checks per event (N = len(checkers)) on the same events, parsed beforehand."""
    parsed = [json.loads(line) for line in lines]
    checks = [checker.fast for checker in checkers]
    start = time.perf_counter()
    for event in parsed:
        for check in checks:
            check(event)
    return time.perf_counter() - start


def era_lines(count: int) -> list[bytes]:
    """Real-shaped events from three eras (v2, v8, v15 in turn): each is accepted by the snapshots
    of its era and rejected by most others, as real traffic is against a long history."""
    generators = [EventGenerator(load_snapshot(SCHEMAS, name).document, seed=7) for name in ("v2", "v8", "v15")]
    return [json.dumps(generators[i % 3].event(), separators=(",", ":")).encode() + b"\n" for i in range(count)]


def against_the_floor(real_repeat: int, era_events: int, before_sample: int, rounds: int = 3) -> None:
    names = [s.name for s in load_all(SCHEMAS)]
    print(f"\nvalidate against all {len(names)} snapshots vs the floor ({len(names)} fast checks per event)")
    sets = (
        (f"27 real CWS events x{real_repeat}", REAL_EVENTS.read_bytes().splitlines(keepends=True) * real_repeat),
        ("generated from v2, v8, v15 in turn", era_lines(era_events)),
    )
    for label, lines in sets:
        floor = seconds = float("inf")
        for _ in range(rounds):  # interleaved, best of each: the machine is shared, load varies
            floor = min(floor, time_floor(lines, make_checkers("now", names)))
            seconds = min(seconds, time_lines(lines, make_checkers("now", names), names)[0])
        verdicts = list(check_events(iter_events(iter(lines), "lines"), make_checkers("now", names)))
        rejected = sum(len(v.rejected) for v in verdicts) / (len(verdicts) * len(names))
        sample = lines[:before_sample]
        before, old_out = time_lines(sample, make_checkers("before", names), names)
        _, new_out = time_lines(sample, make_checkers("now", names), names)
        print(
            f"  {label}: {len(lines)} events, {rejected:.0%} of (event, snapshot) pairs rejected\n"
            f"    floor {len(lines) / floor:>9,.0f} events/s\n"
            f"    validate {len(lines) / seconds:>6,.0f} events/s = {seconds / floor:.2f}x the floor (target: 3x)\n"
            f"    before {len(sample) / before:>8,.0f} events/s on the first {len(sample)} events "
            f"({before / len(sample) / (seconds / len(lines)):.0f}x slower than validate now), "
            + ("identical output" if old_out == new_out else "OUTPUT DIFFERS FROM BEFORE")
        )


def time_pipeline(path: Path, names: list[str], kind: str, limit: int | None) -> tuple[float, int, list[str]]:
    checkers = make_checkers(kind, names)
    with path.open("rb") as stream:
        lines = stream if limit is None else (line for _, line in zip(range(limit), stream))
        start = time.perf_counter()
        out = [text_line(v, names) for v in check_events(iter_events(lines, "lines"), checkers)]
        elapsed = time.perf_counter() - start
    return elapsed, len(out), out


def compare_pipelines(path: Path, v15_limit: int | None, all_limit: int) -> None:
    everything = [s.name for s in load_all(SCHEMAS)]
    print("\nvalidate pipeline in-process (read + parse + check + format one text line per event)")
    for label, names, limit in (
        (f"--version {NEWEST}", [NEWEST], v15_limit),
        (f"all {len(everything)} snapshots", everything, all_limit),
    ):
        slow_time, count, slow_lines = time_pipeline(path, names, "jsonschema", limit)
        before_time, _, before_lines = time_pipeline(path, names, "before", limit)
        fast_time, _, fast_lines = time_pipeline(path, names, "now", limit)
        same = (
            "identical output"
            if slow_lines == fast_lines == before_lines
            else f"OUTPUT DIFFERS on {sum(a != b for a, b in zip(slow_lines, fast_lines))} lines"
        )
        print(
            f"  {label:<16} {count:>7} events: jsonschema only {count / slow_time:>8.0f} events/s, "
            f"before {count / before_time:>8.0f} events/s, validate {count / fast_time:>8.0f} events/s "
            f"({before_time / fast_time:.2f}x before, {slow_time / fast_time:.1f}x jsonschema only), {same}"
        )


def run_cli(path: Path) -> tuple[int, float, str]:
    """Peak RSS (KiB), seconds and summary line of `cwscodegen validate --version v15
    --failures-only FILE` in a fresh process (output to a pipe that is drained).

    The peak is the process's own VmHWM from /proc, read as it ends: `ru_maxrss` would not do,
    since Linux carries it over from the forking parent (this benchmark, which holds the parsed
    events) across exec."""
    code = (
        "import sys\n"
        "from cwscodegen.cli import main\n"
        "def peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1])\n"
        "try:\n    main(sys.argv[1:])\n"
        "finally:\n    print(peak(), file=sys.stderr)\n"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "validate",
            str(path),
            "--version",
            NEWEST,
            "--failures-only",
            "--schemas",
            str(SCHEMAS),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    summary = done.stdout.rstrip("\n").rsplit("\n", 1)[-1]
    return int(done.stderr.strip().splitlines()[-1]), elapsed, summary


def memory(path: Path, target_mb: int, workdir: Path, events: int) -> None:
    small, big = workdir / "small.jsonl", workdir / "big.jsonl"
    with path.open("rb") as source, small.open("wb") as out:
        for _, line in zip(range(1000), source):
            out.write(line)
    block = path.read_bytes()
    copies = 0
    with big.open("wb") as out:
        while out.tell() < target_mb * 1024 * 1024:
            out.write(block)
            copies += 1
    del block
    print(
        f"\n`cwscodegen validate --version {NEWEST} --failures-only FILE`, each in a fresh process (start-up included)"
    )
    for file, count in ((small, min(1000, events)), (path, events), (big, events * copies)):
        rss, elapsed, summary = run_cli(file)
        size = file.stat().st_size
        print(
            f"  {size / 2**20:>8.1f} MiB, {count:>8} events: {count / elapsed:>7.0f} events/s, {elapsed:>6.1f} s, peak RSS {rss / 1024:>6.1f} MiB"
        )
        print(f"      {summary}")
    big.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--invalid-share", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--v15-sample", type=int, default=0, help="events for the --version v15 pipeline timing (0: all)"
    )
    parser.add_argument("--all-sample", type=int, default=5000, help="events for the all-snapshots pipeline timing")
    parser.add_argument("--rss-mb", type=int, default=1024, help="size of the big file for the memory check (0: skip)")
    parser.add_argument("--real-repeat", type=int, default=100, help="copies of the 27 real events (floor section)")
    parser.add_argument("--era-events", type=int, default=3000, help="generated events (floor section)")
    parser.add_argument("--before-sample", type=int, default=270, help="events timed with the old checker")
    parser.add_argument(
        "--skip-validators", action="store_true", help="leave out section 2 (the validator libraries side by side)"
    )
    args = parser.parse_args()
    document = load_snapshot(SCHEMAS, NEWEST).document
    with tempfile.TemporaryDirectory(prefix="validate_bench.") as tmp:
        workdir = Path(tmp)
        path = workdir / "events.jsonl"
        start = time.perf_counter()
        kinds = write_events(path, args.events, args.invalid_share, args.seed)
        print(
            f"generated {args.events} events from {NEWEST} ({path.stat().st_size / 2**20:.1f} MiB) "
            f"in {time.perf_counter() - start:.1f} s; python {sys.version.split()[0]}, {os.cpu_count()} cpus"
        )
        if not args.skip_validators:
            compare_validators(path, kinds, document, workdir)
        compare_pipelines(path, args.v15_sample or None, args.all_sample)
        against_the_floor(args.real_repeat, args.era_events, args.before_sample)
        if args.rss_mb:
            memory(path, args.rss_mb, workdir, args.events)


if __name__ == "__main__":
    main()

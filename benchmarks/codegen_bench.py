"""Start-up and code-generation timings of `cwscodegen`, side by side, from one run.

In a temporary copy of the project (snapshots + `[tool.cwscodegen]`), it measures:

1. start-up, against the bar "within twice a bare `python -c "import typer"`": that baseline,
   `cwscodegen --help`, `cwscodegen list` and a no-op `cwscodegen check` (bindings up to date),
   each run `--runs` times; medians of wall time and of the child's CPU time (user + system);
2. a full `cwscodegen generate` of every snapshot (one process, datamodel-code-generator's and
   black's Python APIs), `--gen-runs` times into an empty output folder;
3. the same models made the way a user would script it: one `datamodel-codegen` command per
   snapshot and binding (Pydantic v2, dataclasses, TypedDict; black formatting, no timestamp),
   run one after the other;
4. `check` after one snapshot changed (it must render that snapshot only);
5. `generate --jobs 1` against `generate --jobs N` (default: all cores) into empty folders, and
   that both wrote the same bytes (issue 10).

With `--history`, the snapshots are the 59 upstream versions of tests/data/cws-schema-history,
named h01..h59 (their file names start with a digit, which no Python package name may).

CPU time is the steadier figure on a shared machine: other processes stretch wall time, not the
CPU a process uses. Children run with bytecode caching on (PYTHONDONTWRITEBYTECODE removed), as an
installed package runs; the first run of each command warms the cache and is not counted.

    .venv/bin/python benchmarks/codegen_bench.py [--schemas DIR | --history] [--runs N] [--gen-runs N]
        [--skip-naive] [--jobs N] [--only-jobs]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS = {
    "pydantic_models.py": ["--output-model-type", "pydantic_v2.BaseModel", "--output-datetime-class", "AwareDatetime"],
    "dataclasses_models.py": ["--output-model-type", "dataclasses.dataclass"],
    "typeddicts.py": ["--output-model-type", "typing.TypedDict"],
}


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_COLOR"] = "1"
    return env


def measure(argv: list[str], cwd: Path, expect: int = 0) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one run; fails loudly on an unexpected exit."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode() if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    if code != expect:
        raise SystemExit(f"{' '.join(argv)}: exit {code}, expected {expect}\n{error}")
    return wall, usage.ru_utime + usage.ru_stime


def repeated(argv: list[str], cwd: Path, runs: int, expect: int = 0) -> tuple[float, float]:
    """Medians over `runs` runs, after one uncounted warm-up run."""
    measure(argv, cwd, expect)
    samples = [measure(argv, cwd, expect) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def make_project(folder: Path, schemas: Path, history: bool = False) -> Path:
    (folder / "schemas").mkdir(parents=True)
    for path in sorted(schemas.glob("*.json")):
        name = f"h{path.name[:2]}.json" if history else path.name
        shutil.copyfile(path, folder / "schemas" / name)
    (folder / "pyproject.toml").write_text('[tool.cwscodegen]\nschemas = "schemas"\noutput = "generated"\n')
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=Path, default=ROOT / "schemas" / "versions")
    parser.add_argument("--runs", type=int, default=20, help="runs per start-up command (median)")
    parser.add_argument("--gen-runs", type=int, default=1, help="runs of the full generate (median)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the one-command-per-file baseline")
    parser.add_argument("--history", action="store_true", help="the 59 upstream versions (tests/data), as h01..h59")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="processes for part 5")
    parser.add_argument("--only-jobs", action="store_true", help="run part 5 only")
    args = parser.parse_args()
    if args.history:
        args.schemas = ROOT / "tests" / "data" / "cws-schema-history"

    cws = [str(BIN / "cwscodegen")]
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="cwscodegen-bench-") as scratch:
        project = make_project(Path(scratch) / "project", args.schemas, args.history)
        count = len(list((project / "schemas").glob("*.json"))) - int(
            (project / "schemas" / "provenance.json").exists()
        )
        print(f"snapshots: {count} from {args.schemas}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
        if args.only_jobs:
            compare_jobs(cws, project, count, args.jobs)
            return

        # 2. Full generate (also makes the bindings the start-up runs need).
        gen = []
        for _ in range(args.gen_runs):
            shutil.rmtree(project / "generated", ignore_errors=True)
            gen.append(measure(cws + ["generate", "--jobs", "1"], project))
        gen_wall, gen_cpu = statistics.median(g[0] for g in gen), statistics.median(g[1] for g in gen)
        files = len([p for p in (project / "generated").rglob("*") if p.is_file()])

        # 1. Start-up.
        print(f"\nstart-up, median of {args.runs} runs    wall ms    CPU ms   CPU / baseline")
        rows = [
            ('python -c "import typer"', [python, "-c", "import typer"], 0),
            ("cwscodegen --help", cws + ["--help"], 0),
            ("cwscodegen list", cws + ["list"], 0),
            ("cwscodegen check (no-op)", cws + ["check"], 0),
        ]
        baseline_cpu = 0.0
        for label, argv, expect in rows:
            wall, cpu = repeated(argv, project, args.runs, expect)
            baseline_cpu = baseline_cpu or cpu
            print(f"  {label:<30} {wall * 1000:9.1f} {cpu * 1000:9.1f}   {cpu / baseline_cpu:5.2f}x")

        print(f"\nfull generate: {count} snapshots -> {files} files in one process")
        print(f"  cwscodegen generate           {gen_wall:9.2f} s wall {gen_cpu:7.2f} s CPU")

        # 3. One datamodel-codegen command per snapshot and binding.
        if not args.skip_naive:
            naive = project / "naive"
            start_wall, cpu_total = time.perf_counter(), 0.0
            commands = 0
            for schema in sorted((project / "schemas").glob("v*.json")):
                (naive / schema.stem).mkdir(parents=True)
                for name, options in TARGETS.items():
                    argv = [
                        str(BIN / "datamodel-codegen"),
                        "--input",
                        str(schema),
                        "--input-file-type",
                        "jsonschema",
                        "--output",
                        str(naive / schema.stem / name),
                        "--class-name",
                        "BackendEvent",
                        "--disable-timestamp",
                        "--target-python-version",
                        "3.11",
                        "--use-schema-description",
                        "--formatters",
                        "black",
                        *options,
                    ]
                    cpu_total += measure(argv, project)[1]
                    commands += 1
            naive_wall = time.perf_counter() - start_wall
            print(
                f"  datamodel-codegen x {commands:<9} {naive_wall:9.2f} s wall {cpu_total:7.2f} s CPU"
                f"   ({naive_wall / gen_wall:.1f}x the wall time, {cpu_total / gen_cpu:.1f}x the CPU of generate)"
            )

        # 4. check after one snapshot changed: only that one is rendered.
        first = sorted((project / "schemas").glob("v*.json"))[0]
        document = json.loads(first.read_text())
        document.setdefault("properties", {})["bench_new_field"] = {"type": "string"}
        first.write_text(json.dumps(document))
        wall, cpu = measure(cws + ["check"], project, expect=1)
        print(
            f"\ncheck after editing {first.name}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU (exit 1, one snapshot rendered)"
        )

        compare_jobs(cws, project, count, args.jobs)


def compare_jobs(cws: list[str], project: Path, count: int, jobs: int) -> None:
    """Part 5: one process against `jobs` processes, each into an empty folder; same bytes or fail."""
    results = {}
    for label in ("1", str(jobs)):
        output = project / f"generated-jobs-{label}"
        shutil.rmtree(output, ignore_errors=True)
        results[label] = measure(cws + ["generate", "--jobs", label, "--output", output.name], project)
    trees = [
        {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
        for folder in (project / "generated-jobs-1", project / f"generated-jobs-{jobs}")
    ]
    if trees[0] != trees[1]:
        differ = sorted(name for name in trees[0].keys() | trees[1].keys() if trees[0].get(name) != trees[1].get(name))
        raise SystemExit(f"generate --jobs 1 and --jobs {jobs} wrote different bytes: {', '.join(differ[:5])}")
    (serial_wall, serial_cpu), (parallel_wall, parallel_cpu) = results["1"], results[str(jobs)]
    print(f"\ngenerate of {count} snapshots, one process against {jobs} (same {len(trees[0])} files, byte for byte)")
    print(f"  --jobs 1   {serial_wall:8.2f} s wall {serial_cpu:8.2f} s CPU")
    print(f"  --jobs {jobs:<3} {parallel_wall:8.2f} s wall {parallel_cpu:8.2f} s CPU")
    print(f"  speed-up (wall, one process / {jobs}): {serial_wall / parallel_wall:.2f}x")


if __name__ == "__main__":
    main()

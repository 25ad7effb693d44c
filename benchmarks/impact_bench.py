"""`impact` on a shard set: one process, `--jobs 2`, and Dask with 2 local workers; and memory.

Run: .venv/bin/python benchmarks/impact_bench.py [--size-mb 1024] [--pair v12 v13]

1. Writes a shard set of about --size-mb MiB into a temporary folder: the 27 real CWS events
   (tests/data/real-events/all.jsonl, upstream test data) repeated, split into 8 shards, a third
   each plain `.jsonl`, `.jsonl.gz` and `.jsonl.zst`. Across v12 → v13 every event is affected
   (v13 requires `agent` and `title`), so every event also goes through attribution: the worst case.
2. Runs `cwscodegen impact OLD NEW FOLDER --format json` in fresh processes three ways, in this
   one run: `--jobs 1`, `--jobs 2`, and `--dask SCHEDULER_FILE` on a scheduler and two
   single-threaded workers started here as separate processes (and stopped here). Prints each
   one's wall time, MiB/s and ratio to `--jobs 1`, and checks the three outputs are byte-identical.
3. Runs `--jobs 1` on three sizes (1/16, 1/4 and 1/1 of the first shard, plain JSON Lines) and
   prints the peak RSS of each: streaming means the peak does not grow with the input.

All ratios are against `--jobs 1` measured in the same run. On a machine shared with other work
the absolute figures move with the load; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real-events" / "all.jsonl"
DASK = str(Path(sys.executable).with_name("dask"))
SHARDS = 8


def write_shards(folder: Path, size: int) -> int:
    """About `size` bytes of events over `SHARDS` shards; returns the uncompressed bytes written."""
    block = REAL.read_bytes()
    per_shard = max(1, size // SHARDS // len(block)) * len(block)
    body = block * (per_shard // len(block))
    for index in range(SHARDS):
        kind = index % 3
        name = folder / f"part-{index:02d}.jsonl{('', '.gz', '.zst')[kind]}"
        if kind == 0:
            name.write_bytes(body)
        elif kind == 1:
            name.write_bytes(gzip.compress(body, compresslevel=1))
        else:
            name.write_bytes(zstandard.ZstdCompressor(level=3).compress(body))
    return len(body) * SHARDS


def timed(argv: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cwscodegen", *argv], capture_output=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"cwscodegen {' '.join(argv)} failed: {done.stderr.decode()}")
    return elapsed, done.stdout


def peak_rss_kib(argv: list[str]) -> int:
    """Peak RSS of one fresh `cwscodegen` process (ru_maxrss of the only child of a wrapper)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'cwscodegen', *sys.argv[1:]], stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *argv], capture_output=True, text=True, cwd=ROOT, check=True)
    return int(done.stdout.strip())


class LocalCluster:
    """A Dask scheduler and two single-threaded workers, as separate processes on 127.0.0.1."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "scheduler.json"
        self.log = (folder / "cluster.log").open("wb")
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Path:
        common = ["--scheduler-file", str(self.file)]
        self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", *common])
        deadline = time.monotonic() + 60
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(2):
            self._start(
                [DASK, "worker", "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny", "--no-dashboard", *common]
            )
        from distributed import Client

        with Client(scheduler_file=str(self.file), timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        return self.file

    def _start(self, argv: list[str]) -> None:
        self.processes.append(subprocess.Popen(argv, stdout=self.log, stderr=self.log, cwd=ROOT))

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="Uncompressed size of the shard set (MiB).")
    parser.add_argument("--pair", nargs=2, default=["v12", "v13"], metavar=("OLD", "NEW"))
    args = parser.parse_args()
    old, new = args.pair
    with tempfile.TemporaryDirectory(prefix="impact-bench-") as tmp:
        folder = Path(tmp) / "shards"
        folder.mkdir()
        total = write_shards(folder, args.size_mb << 20)
        events = total // len(REAL.read_bytes()) * 27
        print(f"shard set: {SHARDS} shards (plain, .gz, .zst), {total / 2**20:.0f} MiB uncompressed, {events:,} events")
        print(f"machine: {os.cpu_count()} cores; impact {old} -> {new} --format json")
        base = ["impact", old, new, str(folder), "--format", "json"]
        one, out_one = timed([*base, "--jobs", "1"])
        two, out_two = timed([*base, "--jobs", "2"])
        with LocalCluster(Path(tmp)) as scheduler:
            dask, out_dask = timed([*base, "--dask", str(scheduler)])
        mib = total / 2**20
        for label, seconds in (("--jobs 1", one), ("--jobs 2", two), ("--dask, 2 local workers", dask)):
            print(f"  {label:<26} {seconds:8.1f} s  {mib / seconds:7.2f} MiB/s  x{one / seconds:.2f} vs --jobs 1")
        same = out_one == out_two == out_dask
        print(f"  outputs byte-identical: {same}")
        if not same:
            raise SystemExit(1)

        first = sorted(folder.glob("*.jsonl"))[0]
        body = first.read_bytes()
        print("peak RSS of `impact --jobs 1` by input size (streaming: flat):")
        for share in (16, 4, 1):
            part = Path(tmp) / f"rss-{share}.jsonl"
            part.write_bytes(body[: len(body) // share // len(REAL.read_bytes()) * len(REAL.read_bytes()) or len(body)])
            rss = peak_rss_kib(["impact", old, new, str(part), "--format", "json", "--jobs", "1"])
            print(f"  {part.stat().st_size / 2**20:8.1f} MiB  peak RSS {rss / 1024:7.1f} MiB")


if __name__ == "__main__":
    main()

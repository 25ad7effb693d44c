"""`--dask`: a real scheduler and two real workers, separate processes on 127.0.0.1, run `validate`
and `impact` over a folder of plain, .gz and .zst shards; the output must be byte for byte the
one-process output. Everything started here is stopped here, also when the test fails."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard

from cwscodegen.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "schemas" / "versions"
REAL = ROOT / "tests" / "data" / "real-events" / "all.jsonl"
MIXED = ROOT / "tests" / "data" / "events" / "mixed.jsonl"


def _dask_command() -> list[str]:
    return [str(Path(sys.executable).with_name("dask"))]


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in reversed(processes):
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A scheduler and two single-threaded workers; yields the scheduler file."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    log = (folder / "cluster.log").open("wb")
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = ["--scheduler-file", str(scheduler_file)]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            subprocess.Popen(
                [*_dask_command(), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", *common],
                stdout=log,
                stderr=log,
                cwd=folder,
                env=env,
            )
        )
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scheduler_file.exists(), "the scheduler did not start"
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        *_dask_command(),
                        "worker",
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        *common,
                    ],
                    stdout=log,
                    stderr=log,
                    cwd=folder,
                    env=env,
                )
            )
        from distributed import Client

        with Client(scheduler_file=str(scheduler_file), timeout="30s") as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(2, timeout=90)
            assert len(client.scheduler_info()["workers"]) == 2
        yield scheduler_file
    finally:
        _stop(processes)
        log.close()
        assert all(process.poll() is not None for process in processes)


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    folder = tmp_path / "shards"
    folder.mkdir()
    (folder / "part-0.jsonl").write_bytes(REAL.read_bytes())
    (folder / "part-1.jsonl.gz").write_bytes(gzip.compress(MIXED.read_bytes()))
    (folder / "part-2.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(REAL.read_bytes() * 3))
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--schemas", str(SHIPPED), "--version", "v1", "--version", "v12", "--version", "v15"],
        ["validate", "--schemas", str(SHIPPED), "--format", "json", "--version", "v12", "--version", "v13"],
        ["impact", "--schemas", str(SHIPPED), "v12", "v13", "--mode", "full"],
        ["impact", "--schemas", str(SHIPPED), "v12", "v13", "--format", "json"],
    ],
)
def test_dask_output_is_the_one_process_output(
    argv: list[str], cluster: Path, shards: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shards.parent)  # a relative folder: the workers run elsewhere, the output names it as given
    alone = run([*argv, "--jobs", "1", "shards"], capsys)
    on_dask = run([*argv, "--dask", str(cluster), "shards"], capsys)
    assert on_dask == alone
    assert alone[0] == 1 and alone[2] == ""
    if "impact" in argv and "json" in argv:
        assert json.loads(alone[1])["counts"]["old_only"] == 27 * 4 + 1


def test_an_unreachable_scheduler_is_one_line_and_exit_2(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, out, err = run(
            ["validate", "--schemas", str(SHIPPED), "--dask", "tcp://127.0.0.1:9", str(shards)], capsys
        )
    assert code == 2 and out == ""
    assert err.startswith("cwscodegen: error: --dask: cannot connect to the scheduler at tcp://127.0.0.1:9")
    assert err.count("\n") == 1

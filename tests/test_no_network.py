"""No document keyword makes any command touch the network or a file outside the project.

Issue 8, P1-P3: jsonschema-rs fetched an unknown `$schema` over HTTP (or opened a `file://` one),
and a silent host stalled `diff` for 30 s. Every command runs in-process on hostile snapshots
while three guards watch:
- Python's `socket` and `open`/`io.open`/`os.open` are patched: any connection, and any open of a
  path outside the project folder, the test's inputs and the Python installation, is recorded;
- a real HTTP server on 127.0.0.1 counts requests (native code, such as jsonschema-rs, does not
  go through Python's `socket`);
- a FIFO outside the project stands for a local file: a watcher thread notices any reader,
  whatever language opened it (and feeds it text that is not JSON, so a reader neither hangs nor gets a valid document).
"""

from __future__ import annotations

import builtins
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.cli import main
from tests.conftest import ROOT

COMMANDS = [
    ["list"],
    ["diff", "v1", "v2"],
    ["compat", "--format", "json"],
    ["matrix"],
    ["changelog"],
    ["docs", "v2"],
    ["validate", "events.jsonl"],
    ["generate", "--target", "typeddict"],
    ["check", "--target", "typeddict"],
]


WATCHER = r"""
import http.server, os, sys, threading, time
fifo, log = sys.argv[1], sys.argv[2]

def note(line):
    with open(log, "a") as handle:
        handle.write(line + "\n")

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        note("http " + self.path)
        self.send_response(404)
        self.end_headers()
    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_port, flush=True)
while True:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # ENXIO: nobody is reading
        time.sleep(0.005)
        continue
    note("fifo")
    try:
        os.write(fd, b"not json")  # a reader fails the same way whether it reads this or EOF
    except OSError:
        pass
    os.close(fd)
"""


class Canaries:
    """The HTTP server and the FIFO watcher, in a separate process: jsonschema-rs holds the GIL
    while it fetches or opens, so a thread of the test process could never answer it."""

    def __init__(self, outside: Path) -> None:
        self.fifo = outside / "canary.json"
        self.log = outside / "seen.log"
        os.mkfifo(self.fifo)
        self.log.write_text("")
        self.process = subprocess.Popen(
            [sys.executable, "-c", WATCHER, str(self.fifo), str(self.log)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline())}"

    def seen(self) -> list[str]:
        """Every request and every FIFO reader so far."""
        time.sleep(0.05)  # let the watcher note a reader that has just gone
        return self.log.read_text().splitlines()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture(scope="module")
def canaries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canaries]:
    found = Canaries(tmp_path_factory.mktemp("outside-the-project"))
    yield found
    found.close()


def hostile_snapshots(url: str, fifo: Path) -> dict[str, Any]:
    """Snapshots that name a remote or local resource in every keyword that could load one."""
    base = {"type": "object", "properties": {"a": {"type": "string"}}}
    return {
        "schema-http": {**base, "$schema": f"{url}/meta"},
        "schema-file": {**base, "$schema": fifo.as_uri()},
        "schema-http-nested": {**base, "properties": {"a": {"$schema": f"{url}/nested-meta"}}},
        "ref-http": {**base, "properties": {"a": {"$ref": f"{url}/ref.json"}}},
        "ref-file": {**base, "properties": {"a": {"$ref": fifo.as_uri()}}},
        "ref-file-path": {**base, "properties": {"a": {"$ref": str(fifo)}}},
        "id-http-relative-ref": {**base, "$id": f"{url}/root.json", "properties": {"a": {"$ref": "other.json"}}},
        "id-file-relative-ref": {**base, "$id": fifo.parent.as_uri() + "/", "properties": {"a": {"$ref": fifo.name}}},
        "id-nested": {
            **base,
            "properties": {"a": {"$id": f"{url}/sub/", "$ref": "#/$defs/x"}},
            "$defs": {"x": {"type": "string"}},
        },
        "dynamic-ref-http": {**base, "properties": {"a": {"$dynamicRef": f"{url}/dyn#meta"}}},
        "recursive-ref-http": {
            **base,
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "properties": {"a": {"$recursiveRef": f"{url}/rec"}},
        },
        "draft4-id-http": {
            **base,
            "$schema": "http://json-schema.org/draft-04/schema#",
            "id": f"{url}/d4.json",
            "properties": {"a": {"$ref": "x.json"}},
        },
        "ref-metaschema": {**base, "properties": {"a": {"$ref": "https://json-schema.org/draft/2020-12/schema"}}},
        "harmless-id": {**base, "$id": f"{url}/harmless.json"},  # a base URI alone is fine: never fetched
    }


class Guard:
    """Python-level watch on sockets and opens, active only inside `watching()`."""

    def __init__(self, allowed: list[Path]) -> None:
        self.allowed = [str(p.resolve()) for p in allowed]
        self.events: list[str] = []

    def _check_path(self, target: Any) -> None:
        if isinstance(target, int):
            return
        path = os.path.realpath(os.fsdecode(target))
        if not any(path == root or path.startswith(root + os.sep) for root in self.allowed):
            self.events.append(f"open {path}")

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_open, real_os_open = builtins.open, os.open
        guard = self

        def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            guard._check_path(file)
            return real_open(file, *args, **kwargs)

        def guarded_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
            guard._check_path(path)
            return real_os_open(path, *args, **kwargs)

        def refuse(*args: Any, **kwargs: Any) -> Any:
            guard.events.append(f"socket {args[1:] if args else ''}")
            raise OSError("network access in a test of untrusted input")

        monkeypatch.setattr(builtins, "open", guarded_open)
        monkeypatch.setattr(io, "open", guarded_open)
        monkeypatch.setattr(os, "open", guarded_os_open)
        monkeypatch.setattr(socket.socket, "connect", refuse)
        monkeypatch.setattr(socket.socket, "connect_ex", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
        monkeypatch.setattr(socket, "getaddrinfo", refuse)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    code = done.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().err


@pytest.mark.parametrize("case", sorted(hostile_snapshots("http://h", Path("/f"))))
def test_no_command_fetches_or_opens_what_a_snapshot_names(
    case: str,
    canaries: Canaries,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "schemas" / "versions"
    folder.mkdir(parents=True)
    (folder / "v1.json").write_text(json.dumps({"type": "object"}))
    (folder / "v2.json").write_text(json.dumps(hostile_snapshots(canaries.url, canaries.fifo)[case]))
    (tmp_path / "events.jsonl").write_text('{"a": "x"}\n{"a": 1}\n')
    monkeypatch.chdir(tmp_path)
    python = {Path(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    installed = [ROOT / "cwscodegen", *ROOT.glob("*.egg-info"), Path(os.devnull)]  # the editable install
    guard = Guard([tmp_path, *installed, *python])
    before = canaries.seen()
    outcomes = {}
    with monkeypatch.context() as watch:
        guard.install(watch)
        for argv in COMMANDS:
            outcomes[" ".join(argv)] = run(argv, capsys)
    assert guard.events == [], guard.events
    assert canaries.seen() == before, outcomes
    for command, (code, err) in outcomes.items():
        assert code in (0, 1, 2), (command, code, err)
        assert "Traceback" not in err, (command, err)
        assert code != 2 or len(err.strip().splitlines()) == 1, (command, err)
    if case != "harmless-id":  # every other case is refused at load, by every command that loads it
        refused = {c: err for c, (code, err) in outcomes.items() if c != "list"}
        assert all(err.startswith("cwscodegen: error: schemas/versions/v2.json: ") for err in refused.values()), refused


def test_the_guards_do_catch_a_fetch(canaries: Canaries) -> None:
    """The canaries work: jsonschema-rs's meta-schema check, asked directly, reaches both."""
    import jsonschema_rs

    before = canaries.seen()
    for uri in (f"{canaries.url}/direct", canaries.fifo.as_uri()):
        with pytest.raises(jsonschema_rs.ReferencingError):
            jsonschema_rs.meta.is_valid({"$schema": uri})
    assert set(canaries.seen()[len(before) :]) == {"http /direct", "fifo"}  # a reader may be noted twice

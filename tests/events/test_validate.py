"""`cwscodegen validate`: reading events (JSON Lines, pretty-printed, standard input), the verdict
per event and snapshot with jsonschema's first error, the summary, exit codes, streaming memory,
the progress bar, and one-line errors."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.cli import main
from cwscodegen.errors import UserError
from cwscodegen.events.examples import EventGenerator
from cwscodegen.events.validate import Event, Malformed, SnapshotChecker, check_events, iter_events, keyword_location
from cwscodegen.store.refs import pointer
from cwscodegen.store.snapshots import list_versions, load_schema_file, load_snapshot
from cwscodegen.store.validators import first_error, make_validator
from tests.conftest import DATA, HISTORY_SNAPSHOTS, ROOT, SHIPPED

EVENTS = DATA / "events"
MIXED = EVENTS / "mixed.jsonl"
V2_EVENT = EVENTS / "v2_open_event.json"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def parsed(data: bytes, mode: str = "auto") -> list[tuple[str, int, Any]]:
    """iter_events over `data`, as (kind, line, value-or-message) for easy comparison."""
    out: list[tuple[str, int, Any]] = []
    for item in iter_events(io.BytesIO(data), mode):
        if isinstance(item, Event):
            out.append(("event", item.line, item.value))
        else:
            out.append(("malformed", item.line, item.message))
    return out


# --- reading the input -------------------------------------------------------------------------


def test_json_lines_with_blank_lines_crlf_and_bom() -> None:
    data = b'\xef\xbb\xbf{"a": 1}\r\n\r\n   \n{"b": [1, 2]}\r\n"text"\n'
    assert parsed(data) == [("event", 1, {"a": 1}), ("event", 4, {"b": [1, 2]}), ("event", 5, "text")]
    assert parsed(data, "lines") == parsed(data)


def test_malformed_lines_are_reported_with_line_and_column_and_do_not_stop_the_run() -> None:
    data = b'{"a": 1}\n{"a": \n{"a": NaN}\n{"a": "\xff"}\n{"a": 1} {"b": 2}\n{"z": 3}\n'
    items = list(iter_events(io.BytesIO(data)))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Event", 1),
        ("Malformed", 2),
        ("Malformed", 3),
        ("Malformed", 4),
        ("Malformed", 5),
        ("Event", 6),
    ]
    bad = [i for i in items if isinstance(i, Malformed)]
    assert (bad[0].column, bad[0].message) == (7, "Expecting value")
    assert bad[1].message == "NaN is not valid JSON"
    assert bad[2].column == 8 and bad[2].message.startswith("not UTF-8")
    assert (bad[3].column, bad[3].message) == (10, "Extra data")


def test_a_pretty_printed_event_is_one_event_starting_on_its_first_line() -> None:
    text = V2_EVENT.read_bytes()
    assert text.count(b"\n") > 50
    [(kind, line, value)] = parsed(b"\n\n" + text)
    assert (kind, line) == ("event", 3) and value == json.loads(text)


def test_several_pretty_printed_events_as_jq_prints_them() -> None:
    events = [{"evt": {"name": "open"}, "n": i, "argv": ["a", "b"]} for i in range(3)]
    data = "".join(json.dumps(e, indent=2) + "\n" for e in events).encode()
    assert parsed(data) == [("event", 1 + 10 * i, e) for i, e in enumerate(events)]


def test_a_broken_pretty_printed_event_is_reported_where_it_breaks_and_the_next_one_is_read() -> None:
    data = b'{\n  "a": 1\n  "b": 2\n}\n{\n  "c": 3\n}\n'
    assert parsed(data) == [("malformed", 3, "Expecting ',' delimiter"), ("event", 5, {"c": 3})]


def test_json_lines_whose_first_line_was_cut_are_still_read_line_by_line() -> None:
    """`tail -c` cuts the first line; that must not turn the rest into one giant event."""
    data = b'{"evt": {"name": "op\n{"a": 1}\n{"b": 2}\n{"c": \n{"d": 4}\n'
    assert parsed(data) == [
        ("malformed", 1, "Unterminated string starting at"),
        ("event", 2, {"a": 1}),
        ("event", 3, {"b": 2}),
        ("malformed", 4, "Expecting value"),
        ("event", 5, {"d": 4}),
    ]


def test_jsonl_files_are_never_read_as_multi_line_values() -> None:
    data = b'{\n"a": 1}\n{"b": 2}\n'
    assert parsed(data, "lines") == [
        ("malformed", 1, "Expecting property name enclosed in double quotes"),
        ("malformed", 2, "Extra data"),
        ("event", 3, {"b": 2}),
    ]
    assert parsed(data, "auto") == [("event", 1, {"a": 1}), ("event", 3, {"b": 2})]


def test_empty_and_hostile_inputs() -> None:
    assert parsed(b"") == [] and parsed(b"\n \n\t\n") == []
    deep = b"[" * 200_000 + b"]" * 200_000 + b"\n{}\n"
    assert parsed(deep) == [("malformed", 1, "nested too deeply"), ("event", 2, {})]
    huge = b'{"n": ' + b"9" * 5000 + b"}\n"
    [(kind, line, message)] = parsed(huge)
    assert (kind, line) == ("malformed", 1) and "digits" in message


def test_reading_is_lazy_one_line_at_a_time() -> None:
    consumed = 0

    def lines() -> Iterator[bytes]:
        nonlocal consumed
        for index in range(1_000_000):
            consumed += 1
            yield json.dumps({"i": index}).encode() + b"\n"

    checker = SnapshotChecker(load_snapshot(SHIPPED, "v1"))
    verdicts = check_events(iter_events(lines()), [checker])
    first = [next(verdicts) for _ in range(3)]
    assert [v.line for v in first] == [1, 2, 3]
    assert consumed <= 4


def test_memory_stays_flat_whatever_the_number_of_events() -> None:
    """Peak traced memory of a run over N events does not grow with N (nothing accumulates)."""
    snapshot = load_snapshot(SHIPPED, "v15")
    generator = EventGenerator(snapshot.document, seed=8)
    block = [json.dumps(generator.event()).encode() + b"\n" for _ in range(50)]
    checker = SnapshotChecker(snapshot)
    checker.check(json.loads(block[0]))  # compile the checks before measuring

    def peak(count: int) -> int:
        def lines() -> Iterator[bytes]:
            for index in range(count):
                yield block[index % len(block)]

        tracemalloc.start()
        try:
            for verdict in check_events(iter_events(lines()), [checker]):
                assert verdict.ok
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(200), peak(4000)
    assert large < small * 1.5 + 200_000, (small, large)


# --- verdicts ----------------------------------------------------------------------------------


def test_every_verdict_is_jsonschemas_with_its_first_error(capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON output for the fixture events against all 15 snapshots, checked against plain
    jsonschema (`make_validator` + `first_error`) version by version."""
    code, out, _ = run(["validate", "--format", "json", "--schemas", str(SHIPPED), str(MIXED)], capsys)
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    summary = rows.pop()["summary"]
    versions = list_versions(SHIPPED)
    lines = MIXED.read_text(encoding="utf-8").splitlines()
    oracle = {name: make_validator(load_snapshot(SHIPPED, name).document) for name in versions}
    assert [row["line"] for row in rows] == [1, 2, 3, 5, 6, 7, 8]
    for row in rows:
        if "malformed" in row:
            assert row["ok"] is False
            continue
        event = json.loads(lines[row["line"] - 1])
        assert row["accepted"] == [n for n in versions if oracle[n].is_valid(event)]
        expected = []
        for name in versions:
            error = first_error(oracle[name], event)
            if error is not None:
                expected.append(
                    {
                        "version": name,
                        "pointer": pointer(*error.absolute_path),
                        "message": error.message,
                        "schema": keyword_location(oracle[name].schema, error.absolute_schema_path),
                    }
                )
        assert row["rejected"] == expected
        assert row["ok"] == (not expected)
    assert summary == {
        "events": 7,
        "accepted": 0,
        "rejected": 5,
        "malformed": 2,
        "versions": versions,
        "per_snapshot": {n: (2 if n in ("v14", "v15") else 1) for n in versions},
    }


def test_validate_accepts_events_with_jsonschema_rs_and_explains_with_jsonschema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every shipped snapshot (draft-04 and 2020-12) gets the jsonschema-rs fast check; an event it
    accepts never reaches jsonschema, and a rejected one is explained by jsonschema on the place
    that fails only (the root's keys here), never by the whole validator."""
    import cwscodegen.events.fastcheck as fastcheck_module
    import cwscodegen.events.validate as validate_module

    checkers = {name: SnapshotChecker(load_snapshot(SHIPPED, name)) for name in list_versions(SHIPPED)}
    assert {c.engine.split()[0] for c in checkers.values()} == {"jsonschema-rs"}
    assert SnapshotChecker(load_snapshot(SHIPPED, "v15"), fast=False).engine == "jsonschema"
    explained: list[Any] = []
    whole: list[Any] = []

    def spy(log: list[Any]) -> Any:
        def first(validator: Any, instance: Any) -> Any:
            log.append(instance)
            return first_error(validator, instance)

        return first

    monkeypatch.setattr(fastcheck_module, "first_own_error", spy(explained))
    monkeypatch.setattr(validate_module, "first_error", spy(whole))
    for name in ("v2", "v15"):
        event = EventGenerator(load_snapshot(SHIPPED, name).document, seed=4).event()
        assert checkers[name].check(event) is None
        assert explained == []
        rejection = checkers[name].check({**event, "unexpected": 1})
        assert rejection is not None and rejection.pointer == "" and "'unexpected' was unexpected" in rejection.message
        assert rejection.schema == "/additionalProperties"
        assert explained == [{**event, "unexpected": 1}] and whole == []
        explained.clear()


def test_text_output_for_the_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", "--schemas", str(SHIPPED), str(MIXED)], capsys)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "line 1: accepted by v14, v15; rejected by v1..v12 at (root): Additional properties are not allowed "
        "('agent', 'title' were unexpected); rejected by v13 at /file: Additional properties are not allowed "
        "('mount_path' was unexpected)"
    )
    assert lines[1] == "line 2: accepted by v1..v12; rejected by v13..v15 at (root): 'agent' is a required property"
    assert lines[2] == "line 3, column 86: malformed JSON: Expecting value"
    assert lines[3].endswith("rejected by v13..v15 at /date: '2024-08-01 09:41:07Z' is not a 'date-time'")
    assert lines[4].endswith("rejected by v13..v15 at /file/uid: '0' is not of type 'integer'")
    assert lines[5] == "line 7: malformed JSON: NaN is not valid JSON"
    assert lines[6].startswith("line 8: accepted by v13..v15; rejected by v1..v4 at (root): ")
    assert lines[7].startswith(
        "summary: 7 events: 0 accepted by all 15 selected snapshots, 5 rejected, 2 malformed; accepted per snapshot: v1 1, v2 1,"
    )
    assert lines[7].endswith("v13 1, v14 2, v15 2")
    assert len(lines) == 8


def test_selected_versions_decide_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", "--schemas", str(SHIPPED), "--version", "v2", str(V2_EVENT)], capsys)
    assert (code, out) == (0, "line 1: accepted by v2\nsummary: 1 event: 1 accepted by v2, 0 rejected, 0 malformed\n")
    code, out, _ = run(
        [
            "validate",
            "--schemas",
            str(SHIPPED),
            "--version",
            "v12",
            "--version",
            "v2",
            "--version",
            "v2",
            str(V2_EVENT),
        ],
        capsys,
    )
    assert code == 0 and out.splitlines()[0] == "line 1: accepted by v2, v12"
    assert (
        out.splitlines()[1]
        == "summary: 1 event: 1 accepted by both selected snapshots, 0 rejected, 0 malformed; accepted per snapshot: v2 1, v12 1"
    )
    code, out, _ = run(
        ["validate", "--schemas", str(SHIPPED), "--version", "v15", "--version", "v2", str(V2_EVENT)], capsys
    )
    assert (
        code == 1
        and out.splitlines()[0] == "line 1: accepted by v2; rejected by v15 at (root): 'agent' is a required property"
    )
    code, out, _ = run(["validate", "--schemas", str(SHIPPED), str(V2_EVENT)], capsys)  # all 15: v13+ reject it
    assert code == 1 and "0 accepted by all 15 selected snapshots, 1 rejected" in out


def test_failures_only_and_json_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["validate", "--schemas", str(SHIPPED), "--version", "v15", "--failures-only", str(MIXED)], capsys
    )
    assert code == 1
    assert [line.split(":")[0].split(",")[0] for line in out.splitlines()] == [
        "line 2",
        "line 3",
        "line 5",
        "line 6",
        "line 7",
        "summary",
    ]
    code, out, _ = run(
        [
            "validate",
            "--schemas",
            str(SHIPPED),
            "--version",
            "v2",
            "--format",
            "json",
            "--failures-only",
            str(V2_EVENT),
        ],
        capsys,
    )
    assert code == 0 and [json.loads(x) for x in out.splitlines()] == [
        {
            "summary": {
                "events": 1,
                "accepted": 1,
                "rejected": 0,
                "malformed": 0,
                "versions": ["v2"],
                "per_snapshot": {"v2": 1},
            }
        }
    ]


def test_standard_input(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(V2_EVENT.read_bytes())))
    code, out, _ = run(["validate", "--schemas", str(SHIPPED), "--version", "v3", "-"], capsys)
    assert (code, out.splitlines()[0]) == (0, "line 1: accepted by v3")


def test_standard_input_redirected_from_a_file_in_a_real_process(tmp_path: Path) -> None:
    with MIXED.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "cwscodegen", "validate", "--schemas", str(SHIPPED), "--version", "v14", "-"],
            stdin=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout.splitlines()[-1] == "summary: 7 events: 2 accepted by v14, 3 rejected, 2 malformed"


def test_the_59_version_history_agrees_with_jsonschema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    versions = list_versions(HISTORY_SNAPSHOTS)
    assert len(versions) == 59
    events = [
        json.loads(MIXED.read_text(encoding="utf-8").splitlines()[0]),
        json.loads(V2_EVENT.read_text(encoding="utf-8")),
    ]
    newest = load_schema_file(HISTORY_SNAPSHOTS / f"{versions[-1]}.json")
    events.append(EventGenerator(newest.document, seed=1).event())
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    code, out, _ = run(["validate", "--format", "json", "--schemas", str(HISTORY_SNAPSHOTS), str(path)], capsys)
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    oracle = {name: make_validator(load_schema_file(HISTORY_SNAPSHOTS / f"{name}.json").document) for name in versions}
    for row, event in zip(rows, events):
        assert row["accepted"] == [n for n in versions if oracle[n].is_valid(event)]
        assert [r["version"] for r in row["rejected"]] == [n for n in versions if not oracle[n].is_valid(event)]
    assert rows[2]["accepted"][-1] == versions[-1]  # the newest accepts its own event
    assert rows[1]["accepted"][0] == versions[0] and versions[-1] not in rows[1]["accepted"]
    assert rows[-1]["summary"]["events"] == 3 and len(rows[-1]["summary"]["per_snapshot"]) == 59


# --- errors a user can cause -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "nosuch.jsonl"], "cwscodegen: error: nosuch.jsonl: no such file"),
        (  # run from ROOT: the path is printed relative to it (issue 8)
            ["validate", str(ROOT / "cwscodegen")],
            "cwscodegen: error: cwscodegen: no event files found",
        ),
        (["validate", "--version", "v99", str(MIXED)], "cwscodegen: error: --version: unknown version 'v99' in"),
        (["validate", "--version", "../v1", str(MIXED)], "cwscodegen: error: --version: invalid version name '../v1'"),
        (
            ["validate", "--format", "xml", str(MIXED)],
            "cwscodegen: error: --format: unknown format 'xml' (choose from text, json)",
        ),
        (["validate"], "cwscodegen: error: Missing argument 'EVENTS'."),
        (
            ["validate", "--schemas", "/nonexistent/folder", str(MIXED)],
            "cwscodegen: error: /nonexistent/folder: snapshot folder does not exist",
        ),
        (["validate", "--bogus", str(MIXED)], "cwscodegen: error: No such option: --bogus"),
    ],
)
def test_user_errors_are_one_line_exit_2_and_nothing_on_stdout(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith(message) and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_broken_snapshot_is_named_with_its_place(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "v1.json").write_text('{"type": "object",\n "properties": {,}}\n', encoding="utf-8")
    (tmp_path / "v2.json").write_text('{"properties": {"a": {"$ref": "#/definitions/Missing"}}}', encoding="utf-8")
    code, out, err = run(["validate", "--schemas", str(tmp_path), "--version", "v1", str(MIXED)], capsys)
    assert (code, out) == (2, "") and err.strip().endswith(
        "v1.json:2:17: invalid JSON: Expecting property name enclosed in double quotes"
    )
    code, out, err = run(["validate", "--schemas", str(tmp_path), "--version", "v2", str(MIXED)], capsys)
    assert (code, out) == (2, "") and "$ref at /properties/a: '#/definitions/Missing' does not resolve" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(["validate", "--schemas", str(empty), str(MIXED)], capsys)
    assert (code, out, err.strip()) == (2, "", f"cwscodegen: error: {empty}: no snapshots to validate against")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_an_unreadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    path.chmod(0)
    code, _, err = run(["validate", str(path)], capsys)
    assert code == 2 and err.strip() == f"cwscodegen: error: {path}: cannot read: Permission denied"


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_bytes(b'{"evt": {"name": "open"}}\n' * 20000)
    script = f"{sys.executable} -m cwscodegen validate --schemas {SHIPPED} --version v2 {path} | head -n 1"
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout == "line 1: accepted by v2\n"
    assert done.stderr == ""


# --- the progress bar --------------------------------------------------------------------------


def _run_with_stderr_on_a_terminal(argv: list[str], cwd: Path, stdin: Path | None = None) -> tuple[int, str, str]:
    controller, terminal = pty.openpty()
    with stdin.open("rb") if stdin else open(os.devnull, "rb") as source:
        process = subprocess.Popen(
            [sys.executable, "-m", "cwscodegen", *argv],
            stdin=source,
            stdout=subprocess.PIPE,
            stderr=terminal,
            cwd=cwd,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        )
    os.close(terminal)
    seen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    assert process.stdout is not None
    out = process.stdout.read().decode()
    code = process.wait(60)
    os.close(controller)
    return code, out, seen.decode(errors="replace")


def test_a_progress_bar_on_a_terminal_for_large_inputs_and_only_there(tmp_path: Path) -> None:
    path = tmp_path / "large.jsonl"
    path.write_bytes(b'{"evt": {"name": "open"}}\n' * 60_000)  # 1.5 MiB
    code, out, terminal = _run_with_stderr_on_a_terminal(
        ["validate", "--schemas", str(SHIPPED), "--version", "v2", "--failures-only", str(path)], tmp_path
    )
    assert code == 0
    assert out == "summary: 60000 events: 60000 accepted by v2, 0 rejected, 0 malformed\n"
    assert "validating" in terminal and "MB" in terminal
    code, out, terminal = _run_with_stderr_on_a_terminal(
        ["validate", "--schemas", str(SHIPPED), "--version", "v2", "--failures-only", "-"], tmp_path, stdin=path
    )
    assert code == 0 and out.startswith("summary: 60000 events") and "validating" in terminal  # `- < file` too
    small = tmp_path / "small.jsonl"
    small.write_bytes(b'{"evt": {"name": "open"}}\n' * 10)
    code, out, terminal = _run_with_stderr_on_a_terminal(
        ["validate", "--schemas", str(SHIPPED), "--version", "v2", str(small)], tmp_path
    )
    assert (
        code == 0
        and terminal == ""
        and out.endswith("summary: 10 events: 10 accepted by v2, 0 rejected, 0 malformed\n")
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cwscodegen",
            "validate",
            "--schemas",
            str(SHIPPED),
            "--version",
            "v2",
            "--failures-only",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0 and done.stderr == ""  # not a terminal: no bar


# --- untrusted input: patterns, sizes, empty and closed input, Ctrl-C ---------------------------

D2020 = "https://json-schema.org/draft/2020-12/schema"


def _one_snapshot(folder: Path, schema: dict[str, Any], name: str = "v1") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(schema), encoding="utf-8")
    return folder


def _cli(args: list[str], cwd: Path, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cwscodegen", *args], capture_output=True, text=True, cwd=cwd, timeout=300, **options
    )


def test_a_catastrophic_pattern_on_a_35_byte_event_is_checked_at_once(tmp_path: Path) -> None:
    """P6: `^(a+)+$` against n `a`s and a `!` takes Python's re about 2**n steps (a 35-byte event
    did not finish in 60 s); the timeout only turns a regression into a failure instead of a hang."""
    schema = {"$schema": D2020, "type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    schemas = _one_snapshot(tmp_path / "schemas", schema)
    name = "a" * 23 + "!"
    event = json.dumps({"name": name}, separators=(",", ":"))
    events = tmp_path / "e.jsonl"
    events.write_text(event + "\n" + json.dumps({"name": "aaa"}) + "\n", encoding="utf-8")
    assert len(event.encode()) == 35  # the reproducer's size
    done = _cli(["validate", "--schemas", str(schemas), str(events)], tmp_path)
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout.splitlines()[:2] == [
        f"line 1: rejected by v1 at /name: {name!r} does not match '^(a+)+$'",
        "line 2: accepted by v1",
    ]


def test_no_event_string_reaches_pythons_backtracking_re(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`pattern`, `patternProperties` and `additionalProperties` beside it run on the linear-time
    engine, read as ECMA-262 (JSON Schema's dialect): `$` only at the very end, `\\d` ASCII only."""
    import jsonschema._keywords
    import jsonschema._utils

    class NoRe:
        def search(self, *args: Any) -> Any:
            raise AssertionError(f"Python's re ran on {args!r}")

    schema = {
        "$schema": D2020,
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": "^[a-z]+-\\d+$"}},
        "patternProperties": {"^x-": {"type": "integer"}},
        "additionalProperties": False,
    }
    checker = SnapshotChecker(load_schema_file(_one_snapshot(tmp_path, schema) / "v1.json", "v1"))
    for module in (jsonschema._keywords, jsonschema._utils):
        monkeypatch.setattr(module, "re", NoRe())
    assert checker.fast is None  # outside the fast subset: jsonschema decides, with linear patterns
    assert checker.check({"code": "ab-12", "x-a": 1}) is None
    cases = {
        "ab-12\n": ("/code", "'ab-12\\n' does not match '^[a-z]+-\\\\d+$'"),  # Python's re: a match
        "ab-١٢": ("/code", "'ab-١٢' does not match '^[a-z]+-\\\\d+$'"),  # Arabic-Indic digits: \d is ASCII
    }
    for code, (where, message) in cases.items():
        rejection = checker.check({"code": code})
        assert rejection is not None and (rejection.pointer, rejection.message) == (where, message)
        assert rejection.schema == "/properties/code/pattern"
    rejection = checker.check({"x-a": "no"})
    assert rejection is not None and (rejection.pointer, rejection.schema) == ("/x-a", "/patternProperties/^x-/type")
    rejection = checker.check({"y": 1, "z": 2})
    assert rejection is not None and rejection.message == "'y', 'z' do not match any of the regexes: '^x-'"


def test_linear_patterns_give_jsonschemas_verdicts_and_messages_where_the_dialects_agree() -> None:
    """`make_validator` (ECMA patterns, linear time) against jsonschema's own class (Python's `re`)."""
    from jsonschema import Draft202012Validator

    patterns = ["^(a+)+$", "^[a-z]{2,4}$", "ab|cd", "^\\w+@\\w+\\.com$", "^[^/]*$", "", "x*"]
    strings = ["", "a", "aaaa", "ab", "abcde", "me@host.com", "a/b", "zz", "cd!", "aaaaaaaaaaaaaaaaaaaa!"]
    for pattern in patterns:
        schema = {"$schema": D2020, "type": "string", "pattern": pattern}
        linear, reference = make_validator(schema), Draft202012Validator(schema)
        for string in strings:
            if pattern == "^(a+)+$" and string.endswith("!"):
                continue  # the one Python's re would take minutes on
            mine, theirs = first_error(linear, string), first_error(reference, string)
            assert (mine is None) == (theirs is None), (pattern, string)
            assert mine is None or theirs is None or mine.message == theirs.message


@pytest.mark.parametrize(
    ("schema", "place"),
    [
        ({"properties": {"a": {"type": "string", "pattern": "^(?=a)b"}}}, "pattern at /properties/a/pattern"),
        ({"properties": {"enum": {"pattern": "(x)\\1"}}}, "pattern at /properties/enum/pattern"),
        ({"patternProperties": {"(?<!x)y": {}}}, "pattern at /patternProperties/(?<!x)y"),
    ],
)
def test_a_pattern_the_linear_engine_cannot_run_is_one_line_naming_snapshot_and_place(
    schema: dict[str, Any], place: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    schemas = _one_snapshot(tmp_path, {"$schema": D2020, "type": "object", **schema})
    events = tmp_path / "e.jsonl"
    events.write_text('{"a": "b"}\n', encoding="utf-8")
    code, out, err = run(["validate", "--schemas", str(schemas), str(events)], capsys)
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert err.startswith(f"cwscodegen: error: {schemas / 'v1.json'}: {place}")


def test_input_without_newlines_is_one_error_and_memory_stays_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """P16: `validate /dev/zero` grew without bound; now the line limit ends it."""
    from cwscodegen.events import inputs

    done = _cli(["validate", "--schemas", str(SHIPPED), "--max-line-bytes", "1048576", "/dev/zero"], tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "cwscodegen: error: /dev/zero: line 1: longer than 1048576 bytes (see --max-line-bytes)\n"

    class Zeros(io.RawIOBase):  # endless input, as /dev/zero
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = bytes(len(buffer))
            return len(buffer)

    monkeypatch.setattr(inputs, "open_shard", lambda shard, progress=None: io.BufferedReader(Zeros()))
    tracemalloc.start()
    try:
        with pytest.raises(UserError, match="zeros: line 1: longer than 4194304 bytes"):
            list(inputs.read_lines(inputs.Shard("zeros"), 4 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * (4 << 20)


def test_short_lines_and_a_long_multi_line_value(tmp_path: Path) -> None:
    from cwscodegen.events.inputs import Shard, read_lines

    short, long = tmp_path / "short.jsonl", tmp_path / "long.jsonl"
    short.write_bytes(b'{"a": 1}\n{}\n')
    long.write_bytes(b'{"a": 1}\n{"ab": 12}\n')
    assert list(read_lines(Shard(str(short)), 9)) == [b'{"a": 1}\n', b"{}\n"]
    with pytest.raises(UserError, match=r"long\.jsonl: line 2: longer than 9 bytes"):  # the newline counts
        list(read_lines(Shard(str(long)), 9))
    pretty = b'{\n  "a": [\n' + b"    1,\n" * 50 + b"    1\n  ]\n}\n" + b'{\n  "b": 2\n}\n'
    items = list(iter_events(io.BytesIO(pretty), "auto", max_value_bytes=200))
    assert isinstance(items[0], Malformed) and items[0].line == 1 and "longer than 200 bytes" in items[0].message
    assert isinstance(items[-1], Event) and items[-1].value == {"b": 2} and len(items) == 2


def test_empty_input_exits_1_saying_no_events_were_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """P24: a CI step validating the wrong, empty file must fail."""
    for content in ("", "\n\n  \n"):
        path = tmp_path / "empty.jsonl"
        path.write_text(content, encoding="utf-8")
        code, out, err = run(["validate", "--schemas", str(SHIPPED), str(path)], capsys)
        assert (code, out, err) == (1, "summary: 0 events: no events were read\n", "")
        code, out, _ = run(["validate", "--format", "json", "--schemas", str(SHIPPED), str(path)], capsys)
        assert code == 1 and json.loads(out)["summary"]["events"] == 0
    done = _cli(["validate", "--schemas", str(SHIPPED), "-"], tmp_path, stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stdout) == (1, "summary: 0 events: no events were read\n")


def test_standard_input_closed_is_one_line_exit_2(tmp_path: Path) -> None:
    """P15: `validate - <&-`."""
    done = _cli(["validate", "--schemas", str(SHIPPED), "-"], tmp_path, preexec_fn=lambda: os.close(0))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "cwscodegen: error: -: standard input is closed (nothing to read events from)\n"


def test_ctrl_c_prints_the_summary_so_far_and_exits_130(tmp_path: Path) -> None:
    """P21: events come through a pipe that stays open; after three verdicts, SIGINT."""
    import signal

    event = V2_EVENT.read_text(encoding="utf-8").replace("\n", " ").strip() + "\n"
    process = subprocess.Popen(
        [sys.executable, "-m", "cwscodegen", "validate", "--schemas", str(SHIPPED), "--version", "v3", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        for _ in range(3):
            process.stdin.write(event)
        process.stdin.flush()
        seen = [process.stdout.readline() for _ in range(3)]
        assert seen == ["line 1: accepted by v3\n", "line 2: accepted by v3\n", "line 3: accepted by v3\n"]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert out == "summary: 3 events: 3 accepted by v3, 0 rejected, 0 malformed\n"
    assert err == "cwscodegen: interrupted after 3 events\n"


def test_an_event_changed_in_place_between_two_checks_gets_fresh_answers() -> None:
    """Explanations share answers about one event's values across snapshots (`check_events`); a
    caller that changes the event between two checks must not get the old answers (here: that
    `/process` is valid, which would hide `/process/pid`, the greater path at the same depth)."""
    checkers = [SnapshotChecker(load_snapshot(SHIPPED, name)) for name in ("v14", "v15")]
    generator = EventGenerator(load_snapshot(SHIPPED, "v15").document, seed=3)
    event = next(
        e
        for e in (generator.event() for _ in range(200))
        if "pid" in e.get("process", {}) and "uid" in e.get("file", {})
    )

    def expected() -> list[str | None]:
        errors = [first_error(make_validator(c.document), event) for c in checkers]
        return [pointer(*e.absolute_path) if e else None for e in errors]

    event["file"]["uid"] = "0"
    assert [r.pointer if r else None for r in (c.check(event) for c in checkers)] == expected()
    assert expected()[1] == "/file/uid"
    event["process"]["pid"] = "x"
    assert [r.pointer if r else None for r in (c.check(event) for c in checkers)] == expected()
    assert expected()[1] == "/process/pid"

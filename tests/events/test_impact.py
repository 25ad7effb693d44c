"""`impact`: buckets and attribution on real events (tests/data/real-events, upstream CWS test data)
and on real-shaped generated ones, checked against `validate` run on each snapshot separately."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard

from cwscodegen.cli import main
from cwscodegen.engine.compare import diff
from cwscodegen.events.examples import EventGenerator
from cwscodegen.events.impact import (
    Impact,
    ImpactTally,
    ImpactView,
    Located,
    Target,
    as_events,
    impact_json,
    matches,
    targets,
)
from cwscodegen.events.runner import merge_tallies
from cwscodegen.events.validate import SnapshotChecker
from cwscodegen.store.snapshots import Snapshot, load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "schemas" / "versions"
REAL = ROOT / "tests" / "data" / "real-events" / "all.jsonl"
MIXED = ROOT / "tests" / "data" / "events" / "mixed.jsonl"


def snap(name: str) -> Snapshot:
    return load_snapshot(SHIPPED, name)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    captured = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def validate_accepts(version: str, path: Path, capsys: pytest.CaptureFixture[str]) -> list[bool]:
    """Per event, does `validate --version V` accept it (the reference for impact's buckets)?"""
    _, out, _ = run(
        ["validate", "--schemas", str(SHIPPED), "--version", version, "--format", "json", "--jobs", "1", str(path)],
        capsys,
    )
    rows = [json.loads(line) for line in out.splitlines()]
    return [row["ok"] for row in rows if "summary" not in row and "malformed" not in row]


def v14_events(tmp_path: Path, count: int = 150) -> Path:
    """Real-shaped v14 events from the example generator, plus one whose credentials lack `auid`."""
    generator = EventGenerator(snap("v14").document, seed=14)
    events = [generator.event() for _ in range(count)]
    base = json.loads(MIXED.read_text().splitlines()[0])
    base["process"]["credentials"] = {"uid": 0, "gid": 0, "euid": 0, "egid": 0, "fsuid": 0, "fsgid": 0}
    events.append(base)
    path = tmp_path / "v14.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_v14_to_v15_every_affected_event_is_the_auid_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = v14_events(tmp_path)
    old_ok, new_ok = validate_accepts("v14", path, capsys), validate_accepts("v15", path, capsys)
    code, out, _ = run(
        ["impact", "--schemas", str(SHIPPED), "v14", "v15", str(path), "--format", "json", "--jobs", "1"], capsys
    )
    data = json.loads(out)
    expected_old_only = sum(o and not n for o, n in zip(old_ok, new_ok))
    assert data["counts"] == {
        "both": sum(o and n for o, n in zip(old_ok, new_ok)),
        "old_only": expected_old_only,
        "new_only": sum(n and not o for o, n in zip(old_ok, new_ok)),
        "neither": sum(not o and not n for o, n in zip(old_ok, new_ok)),
        "malformed": 0,
    }
    assert expected_old_only >= 1 and code == 1
    [auid] = [c for c in data["changes"] if c["property"] == "auid" and c["rule"] == "required-property-added"]
    assert auid["events"] == expected_old_only
    assert auid["first"]["message"] == "'auid' is a required property"
    assert auid["first"]["pointer"].endswith("/credentials")
    assert data["unattributed"]["backward"]["events"] == 0
    first_line = next(i for i, (o, n) in enumerate(zip(old_ok, new_ok), start=1) if o and not n)
    assert auid["first"]["line"] == first_line and auid["first"]["source"] == str(path)


def test_real_events_v12_to_v13_hit_both_new_required_root_keys(capsys: pytest.CaptureFixture[str]) -> None:
    old_ok, new_ok = validate_accepts("v12", REAL, capsys), validate_accepts("v13", REAL, capsys)
    assert len(old_ok) == 27 and all(old_ok) and not any(new_ok)
    code, out, _ = run(["impact", "--schemas", str(SHIPPED), "v12", "v13", str(REAL), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["counts"]["old_only"] == 27 and data["affected"] == 27
    hits = {c["property"]: c["events"] for c in data["changes"] if c["rule"] == "required-property-added"}
    assert hits == {"agent": 27, "title": 27}
    assert data["unattributed"]["backward"]["events"] == 0
    assert {c["first"]["line"] for c in data["changes"] if c["events"]} == {1}


def test_forward_mode_attributes_new_only_events_to_the_added_root_properties(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        ["impact", "--schemas", str(SHIPPED), "v12", "v13", str(MIXED), "--mode", "forward", "--format", "json"], capsys
    )
    data = json.loads(out)
    new_only = data["counts"]["new_only"]
    assert new_only >= 1 and code == 1 and data["affected"] == new_only
    hits = {c["property"]: c["events"] for c in data["changes"] if c["events"]}
    assert hits == {"agent": new_only, "title": new_only}
    assert data["counts"]["malformed"] == 2 and data["first_malformed"]["line"] == 3


def test_no_affected_event_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(MIXED.read_text().splitlines()[0] + "\n")
    code, out, _ = run(["impact", "--schemas", str(SHIPPED), "v14", "v15", str(path)], capsys)
    assert code == 0
    assert out.startswith("impact v14 → v15, mode backward: 1 event: 1 accepted by both")
    assert out.rstrip().endswith("mode backward: OK (0 events affected)")


def test_events_no_change_explains_are_counted_and_shown() -> None:
    """With no change to attribute to, every affected event is unattributed, never dropped."""
    impact = Impact(snap("v12"), snap("v13"), (), "backward")
    tally = impact.tally(as_events(REAL.read_bytes().splitlines(), "real"))
    assert tally.old_only == 27 and tally.unattributed == {"backward": 27}
    assert [e.line for e in tally.unattributed_examples["backward"]] == [1, 2, 3, 4, 5]
    text = ImpactView("v12", "v13", "backward", (), tally)
    assert impact_json(text)["unattributed"]["backward"]["events"] == 27


def test_a_split_run_merges_to_the_same_tally() -> None:
    old, new = snap("v12"), snap("v13")
    found = targets(diff(old, new, witnesses=False), "full")
    impact = Impact(old, new, found, "full")
    lines = REAL.read_bytes().splitlines() + MIXED.read_bytes().splitlines()
    whole = impact.tally(as_events(lines, "x"))
    parts = [
        impact.tally(e for e in as_events(lines, "x") if lo < e[1].line <= hi)
        for lo, hi in ((0, 10), (10, 29), (29, 99))
    ]
    assert merge_tallies(parts) == whole
    assert whole.events == 34


def test_matching_tells_two_changes_at_one_pointer_apart_by_property() -> None:
    agent = Target(0, "backward", "required-property-added", "", "/required", "/required", "agent")
    missing_title = Located("", "required", frozenset({"title"}), "", "'title' is a required property")
    missing_agent = Located("", "required", frozenset({"agent"}), "", "'agent' is a required property")
    assert matches(agent, missing_agent) and not matches(agent, missing_title)
    removed = Target(1, "backward", "property-removed", "", "/$defs/X/properties/a", "/$defs/X/properties", "a")
    extra = Located("/$defs/X", "additionalProperties", frozenset({"a"}), "/x", "Additional properties ...")
    other = Located("/$defs/Y", "additionalProperties", frozenset({"a"}), "/y", "Additional properties ...")
    assert matches(removed, extra) and not matches(removed, other)
    whole = Target(2, "forward", "type-changed", "", "", "", None)  # recorded at the document itself
    nested = Located("/$defs/X", "type", frozenset(), "/x", "1 is not of type 'string'")
    at_root = Located("", "type", frozenset(), "", "[] is not of type 'object'")
    assert matches(whole, at_root) and not matches(whole, nested)


def test_impact_reads_compressed_shards_and_jobs_give_the_same_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    data = REAL.read_bytes()
    (folder / "a.jsonl").write_bytes(data)
    (folder / "b.jsonl.gz").write_bytes(gzip.compress(MIXED.read_bytes()))
    (folder / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    outputs = []
    for fmt in ("text", "markdown", "json"):
        for jobs in ("1", "2"):
            code, out, err = run(
                ["impact", "--schemas", str(SHIPPED), "v12", "v13", str(folder), "--format", fmt, "--jobs", jobs],
                capsys,
            )
            assert code == 1 and err == ""
            outputs.append(out)
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3] and outputs[4] == outputs[5]
    data_json = json.loads(outputs[4])
    assert data_json["counts"]["old_only"] == 27 * 2 + 1
    assert "| 55 | `required-property-added` | `/required` |" in outputs[2]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["impact", "v12", "v13", "nosuch.jsonl"], "cwscodegen: error: nosuch.jsonl: no such file"),
        (["impact", "v12", "v13", str(REAL), "--format", "xml"], "cwscodegen: error: --format: unknown format 'xml'"),
        (["impact", "v12", "v99", str(REAL)], "cwscodegen: error: "),
        (["impact", "v12", "v13", str(REAL), "--mode", "sideways"], "cwscodegen: error: --mode: unknown mode"),
        (
            ["impact", "v12", "v13", str(REAL), "--max-line-bytes", "100"],
            f"cwscodegen: error: {REAL.relative_to(ROOT)}: line 1: longer than 100 bytes",  # relative: run in ROOT
        ),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_tally_counts_every_event_once() -> None:
    tally = ImpactTally(both=1, old_only=2, new_only=3, neither=4, malformed=5)
    assert tally.events == 15 and tally.affected("backward") == 2 and tally.affected("full") == 5


def test_checker_agrees_with_impact_buckets_on_generated_events(tmp_path: Path) -> None:
    path = v14_events(tmp_path, 60)
    old, new = snap("v14"), snap("v15")
    impact = Impact(old, new, targets(diff(old, new, witnesses=False), "backward"), "backward")
    tally = impact.tally(as_events(path.read_bytes().splitlines(), "g"))
    old_checker, new_checker = SnapshotChecker(old), SnapshotChecker(new)
    verdicts = [
        (old_checker.check(json.loads(line)) is None, new_checker.check(json.loads(line)) is None)
        for line in path.read_text().splitlines()
    ]
    assert (tally.both, tally.old_only, tally.new_only, tally.neither) == (
        verdicts.count((True, True)),
        verdicts.count((True, False)),
        verdicts.count((False, True)),
        verdicts.count((False, False)),
    )


def test_diff_and_changelog_show_how_many_events_each_breaking_change_hits(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--schemas", str(SHIPPED), "--events", str(REAL)]
    code, out, _ = run(["diff", "v12", "v13", *base, "--format", "json"], capsys)
    assert code == 0  # the v13 breaks are accepted: counts are shown, the verdict is unchanged
    data = json.loads(out)
    assert data["observed_events"] == 27
    observed = {(c["rule"], c["property"]): c["observed"] for c in data["changes"]}
    assert observed[("required-property-added", "agent")] == {"backward": 27}
    assert observed[("property-added", "title")] == {"forward": 0}
    assert observed[("definition-added", None)] == {}
    _, text, _ = run(["diff", "v12", "v13", *base], capsys)
    assert text.count("    observed: 27 of 27 events hit it (backward)\n") == 2
    _, log, _ = run(["changelog", "v11", "v13", *base], capsys)
    assert log.count("— **observed**: 27 of 27 events hit it (backward)") == 2
    _, plain, _ = run(["diff", "v12", "v13", "--schemas", str(SHIPPED)], capsys)
    assert "observed" not in plain


def test_progress_shows_one_bar_by_bytes_over_all_shards_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    shards = ROOT / "tests" / "data" / "shards"
    code, out, err = run(["impact", "--schemas", str(SHIPPED), "v14", "v15", str(shards), "--progress"], capsys)
    assert code == 1 and out.startswith("impact v14 → v15")
    assert "reading" in err and "kB" in err  # rich's DownloadColumn: bytes read of the total
    _, _, quiet = run(["impact", "--schemas", str(SHIPPED), "v14", "v15", str(shards)], capsys)
    assert quiet == ""  # not a terminal, not asked: no bar


def test_attribution_never_runs_a_pattern_on_pythons_backtracking_re(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 8, P6, for `impact`: OLD accepts any name, NEW adds `^(a+)+$`. Explaining the rejection
    of a 35-byte event would take Python's re about 2**23 steps; here `re` is replaced by a stub
    that fails, so the test fails on the first regression instead of hanging."""
    import jsonschema._keywords
    import jsonschema._utils

    class NoRe:
        def search(self, *args: object) -> None:
            raise AssertionError(f"Python's re ran on {args!r}")

    base = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}
    old = {**base, "properties": {"name": {"type": "string"}}}
    new = {**base, "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "v1.json").write_text(json.dumps(old), encoding="utf-8")
    (folder / "v2.json").write_text(json.dumps(new), encoding="utf-8")
    old_snap, new_snap = load_snapshot(folder, "v1"), load_snapshot(folder, "v2")
    found = targets(diff(old_snap, new_snap), "backward")
    for module in (jsonschema._keywords, jsonschema._utils):
        monkeypatch.setattr(module, "re", NoRe())
    impact = Impact(old_snap, new_snap, found, "backward")
    name = "a" * 23 + "!"
    tally = impact.tally(as_events([{"name": name}, {"name": "aaa"}]))
    assert (tally.both, tally.old_only) == (1, 1)
    assert list(tally.hits.values()) == [1] and tally.unattributed == {}

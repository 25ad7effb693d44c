"""The Markdown changelog: range selection, bump per step and overall, section order, witnesses,
accepted breaks. Unit tests use hand-built Reports; the last ones run the real engine on v12..v13.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cwscodegen.engine.changes import Change, Direction, Effect, Report, Witness
from cwscodegen.errors import UserError
from cwscodegen.review.accepted import AcceptedBreak
from cwscodegen.review.changelog import Bump, Kind, build, kind, provenance_text, render_markdown, select_range
from cwscodegen.store.snapshots import Snapshot, list_versions, load_snapshot, snapshot_from_text
from tests.cli.test_cli import run
from tests.conftest import SHIPPED

C, B, N, U = Effect.COMPATIBLE, Effect.BREAKING, Effect.NONE, Effect.UNDECIDED


def snap(name: str, document: object, **provenance: object) -> Snapshot:
    return snapshot_from_text(json.dumps(document), name, Path(f"{name}.json"), name, provenance)


def change(rule: str, backward: Effect, forward: Effect, api: Effect = N, **extra: object) -> Change:
    return Change(rule, f"/properties/{rule}", f"/properties/{rule}", None, rule, backward, forward, api, **extra)


def report(old: str, new: str, *changes: Change) -> Report:
    def worst(effects: list[Effect]) -> Effect:
        for e in (B, U, C):
            if e in effects:
                return e
        return N

    return Report(
        old,
        new,
        tuple(changes),
        worst([c.backward for c in changes]),
        worst([c.forward for c in changes]),
        worst([c.api for c in changes]),
    )


WITNESS = Witness(Direction.BACKWARD, {"title": "x"}, "old", "new", True, "'agent' is a required property")
REQUIRED = change("required-added", B, C, B, witnesses=(WITNESS,))
ADDED = change("property-added", C, B, C)
DOC = change("description-changed", N, N)

SNAPS = [
    snap("v1", {"type": "object"}),
    snap("v2", {"type": "object", "description": "d"}, pr=101, date="2024-01-01", note="[CWS] docs (#101)"),
    snap("v3", {"type": "object", "properties": {"a": {}}}, pr=102, date="2024-02-01"),
    snap("v4", {"type": "object", "properties": {"a": {}}, "required": ["a"]}, pr=103, date="2024-03-01"),
    snap("v5", {"type": "object", "properties": {"a": {}}, "required": ["a"]}),
]
REPORTS = {
    ("v1", "v2"): report("v1", "v2", DOC),
    ("v2", "v3"): report("v2", "v3", ADDED, DOC),
    ("v3", "v4"): report("v3", "v4", DOC, ADDED, REQUIRED),
    ("v4", "v5"): report("v4", "v5"),
}


def fake_diff(old: Snapshot, new: Snapshot) -> Report:
    return REPORTS[(old.name, new.name)]


def fake_verdicts(old: Snapshot, new: Snapshot) -> tuple[Effect, Effect]:
    return B, U


def message(c: Change) -> str:
    return f"message of {c.rule}"


def make(mode: str = "backward", accepted: tuple[AcceptedBreak, ...] = ()) -> str:
    log = build(SNAPS, mode, accepted=accepted, schemas=Path("."), diff=fake_diff, verdicts=fake_verdicts)
    return render_markdown(log, message)


def section(text: str, name: str) -> str:
    return re.search(rf"^## {name} .*?(?=^## |\Z)", text, re.S | re.M).group(0)  # type: ignore[union-attr]


def test_kind_follows_the_mode() -> None:
    assert kind(ADDED, "backward") is Kind.COMPATIBLE
    assert kind(ADDED, "forward") is Kind.BREAKING
    assert kind(ADDED, "full") is Kind.BREAKING
    assert kind(REQUIRED, "forward") is Kind.COMPATIBLE
    assert kind(DOC, "full") is Kind.DOCUMENTATION
    assert kind(change("binding-only", N, N, B), "backward") is Kind.COMPATIBLE
    assert kind(change("unsure", U, C), "backward") is Kind.BREAKING


def test_bumps_per_step_and_for_the_range() -> None:
    log = build(SNAPS, "backward", diff=fake_diff, verdicts=fake_verdicts)
    assert [s.bump for s in log.steps] == [Bump.PATCH, Bump.MINOR, Bump.MAJOR, Bump.NONE]
    assert log.bump is Bump.MAJOR and log.direct == (B, U)
    assert build(SNAPS[:3], "backward", diff=fake_diff, verdicts=fake_verdicts).bump is Bump.MINOR
    assert build(SNAPS[3:], "backward", diff=fake_diff, verdicts=fake_verdicts).direct == (N, N)


def test_engine_verdict_without_a_change_still_makes_major() -> None:
    odd = Report("v4", "v5", (), B, C, N)  # soundness: a break the changes do not explain still counts
    log = build(SNAPS[3:], "backward", diff=lambda o, n: odd, verdicts=fake_verdicts)
    assert log.steps[0].bump is Bump.MAJOR


def test_sections_newest_first_with_provenance_and_bumps() -> None:
    text = make()
    headings = re.findall(r"^## .*$", text, re.M)
    assert headings == [
        "## v5 (from v4)",
        "## v4 (from v3) — upstream PR #103, 2024-03-01",
        "## v3 (from v2) — upstream PR #102, 2024-02-01",
        "## v2 (from v1) — upstream PR #101, 2024-01-01",
    ]
    assert "> [CWS] docs (#101)" in section(text, "v2")
    assert "Suggested bump for the whole range: **major**" in text
    assert "Directly from v1 to v5: backward breaking, forward breaking (undecided)." in text
    assert "Suggested bump: **none**" in section(text, "v5") and "identical" in section(text, "v5")
    assert "Suggested bump: **patch**" in section(text, "v2")
    assert "Suggested bump: **minor**" in section(text, "v3")


def test_breaking_first_with_witness_then_compatible_then_documentation() -> None:
    text = section(make(), "v4")
    assert "Suggested bump: **major**" in text
    order = [
        text.index(h) for h in ("### Breaking changes", "### Compatible changes", "### Documentation-only changes")
    ]
    assert order == sorted(order)
    breaking = text[order[0] : order[1]]
    assert "`/properties/required-added`: message of required-added (`required-added`; backward breaking" in breaking
    block = re.search(r"```json\n(.*?)```", breaking, re.S)
    assert block is not None and json.loads(block.group(1)) == {"title": "x"}
    assert "'agent' is a required property" in breaking
    assert "message of property-added" in text[order[1] : order[2]]
    assert "message of description-changed" in text[order[2] :]
    assert "```" not in text[order[1] :]  # witnesses only for breaking changes


def test_forward_mode_moves_additions_to_breaking() -> None:
    text = section(make("forward"), "v3")
    assert "Suggested bump: **major**" in text
    assert text.index("### Breaking changes") < text.index("message of property-added")


def test_breaking_change_without_witness_says_why() -> None:
    lone = change("pattern-changed", U, C, no_witness={"backward": "could not build an instance"})
    log = build(SNAPS[:2], "backward", diff=lambda o, n: report("v1", "v2", lone), verdicts=fake_verdicts)
    text = render_markdown(log, message)
    assert "- no backward witness: could not build an instance" in text
    assert "backward breaking (undecided)" in text


def test_accepted_break_is_listed_marked_and_still_major() -> None:
    from cwscodegen.review.accepted import content_sha256

    v3, v4 = (next(s for s in SNAPS if s.name == name) for name in ("v3", "v4"))
    hashes = (content_sha256(v3), content_sha256(v4))
    entry = AcceptedBreak(
        "v3", "v4", "required-added", "/properties/required-added", "agent is always sent", "", 0, *hashes
    )
    text = section(make(accepted=(entry,)), "v4")
    assert "Suggested bump: **major**" in text
    breaking = text[text.index("### Breaking changes") : text.index("### Compatible changes")]
    assert "**accepted**: agent is always sent" in breaking


def test_range_selection_and_its_errors(tmp_path: Path) -> None:
    names = ["v1", "v2", "v3", "v10"]
    assert select_range(names, None, None, tmp_path) == names
    assert select_range(names, "v2", None, tmp_path) == ["v2", "v3", "v10"]
    assert select_range(names, "v2", "v3", tmp_path) == ["v2", "v3"]
    with pytest.raises(UserError, match=r"unknown version 'v9' \(known: v1, v2, v3, v10\)"):
        select_range(names, "v9", None, tmp_path)
    with pytest.raises(UserError, match="FROM 'v3' must be older than TO 'v2'"):
        select_range(names, "v3", "v2", tmp_path)
    with pytest.raises(UserError, match="must be older"):
        select_range(names, "v2", "v2", tmp_path)
    with pytest.raises(UserError, match="at least two snapshots, found 1"):
        select_range(["v1"], None, None, tmp_path)


def test_provenance_text() -> None:
    assert provenance_text(SNAPS[3]) == "upstream PR #103, 2024-03-01"
    assert provenance_text(snap("x", {}, source="seed document")) == "seed document"
    assert provenance_text(SNAPS[0]) == ""


# ------------------------------------------------------------------ the real engine


@pytest.fixture(scope="module")
def v12_v13() -> str:
    snaps = [load_snapshot(SHIPPED, n) for n in ("v12", "v13")]
    return render_markdown(build(snaps, "backward"))


def test_v12_to_v13_is_major_with_a_witness(v12_v13: str) -> None:
    text = v12_v13
    assert "## v13 (from v12) — upstream PR #23493, 2024-03-06" in text
    assert "Suggested bump: **major**" in text and "whole range: **major**" in text
    breaking, compatible = text.index("### Breaking changes"), text.index("### Compatible changes")
    assert breaking < compatible
    block = re.search(r"```json\n(.*?)```", text[breaking:compatible], re.S)
    assert block is not None
    event = json.loads(block.group(1))
    assert isinstance(event, dict)
    assert "```json" not in text[compatible:]


def test_shipped_history_changelog_covers_every_step() -> None:
    names = list_versions(SHIPPED)
    snaps = [load_snapshot(SHIPPED, n) for n in names]
    text = render_markdown(build(snaps, "backward"))
    assert len(re.findall(r"^## ", text, re.M)) == len(names) - 1
    assert "## v11 (from v10)" in text


# ------------------------------------------------------------------ the command


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["changelog", "v99"], "unknown version 'v99' (known: v1, v2,"),
        (["changelog", "v13", "v12"], "FROM 'v13' must be older than TO 'v12'"),
        (["changelog", "v12", "v99"], "unknown version 'v99'"),
        (["changelog", "--mode", "both"], "--mode: unknown mode 'both'"),
        (["changelog", "--output", "/nonexistent/folder/c.md"], "/nonexistent/folder/c.md: cannot write"),
        (["changelog", "--accepted", "/nonexistent/acc.toml"], "/nonexistent/acc.toml: no such accepted-breaks file"),
        (["changelog", "v1", "v2", "v3"], "Got unexpected extra argument"),
    ],
)
def test_changelog_user_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*argv, "--schemas", str(SHIPPED)], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_changelog_command_to_file_with_accepted_break(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    for name in ("v12", "v13"):
        (schemas / f"{name}.json").write_bytes((SHIPPED / f"{name}.json").read_bytes())
    target = tmp_path / "CHANGELOG.md"
    code, out, _ = run(["changelog", "--schemas", str(schemas), "--output", str(target)], capsys)
    assert code == 0 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "## v13 (from v12)" in text and "**major**" in text and "**accepted**" not in text
    first = re.search(r"^- `([^`]*)`: .*\(`([a-z0-9-]+)`; backward breaking", text, re.M)
    assert first is not None
    pointer, rule = first.groups()
    pointer = pointer.split(" → ")[-1]
    from cwscodegen.review.accepted import content_sha256
    from cwscodegen.store.snapshots import load_schema_file

    old_hash, new_hash = (content_sha256(load_schema_file(schemas / f"{n}.json")) for n in ("v12", "v13"))
    (schemas / "accepted-breaks.toml").write_text(
        f'[[accepted]]\nold = "v12"\nnew = "v13"\nold_sha256 = "{old_hash}"\nnew_sha256 = "{new_hash}"\n'
        f'rule = "{rule}"\npointer = "{pointer}"\nreason = "agent metadata is always sent"\n'
    )
    code, _, _ = run(["changelog", "--schemas", str(schemas), "--output", str(target)], capsys)
    text = target.read_text(encoding="utf-8")
    assert code == 0 and "— **accepted**: agent metadata is always sent" in text and "Suggested bump: **major**" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CHANGELOG.md", "schemas"]

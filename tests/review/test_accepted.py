"""Accepted breaking changes: the file's checks, matching, stale entries, and what still fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from cwscodegen.engine.changes import Change, Effect, Report
from cwscodegen.errors import UserError
from cwscodegen.review.accepted import (
    AcceptedBreak,
    Sides,
    apply,
    axis_status,
    change_fails,
    content_sha256,
    counted_axes,
    fails,
    identify,
    load_accepted,
    mark,
    unused,
)

REMOVED = Change(
    "property-removed", "/$defs/F/properties/a", None, "F", "a", Effect.BREAKING, Effect.COMPATIBLE, Effect.BREAKING
)
RENAMED_TO = Change(
    "property-added", None, "/$defs/F/properties/b", "F", "b", Effect.COMPATIBLE, Effect.BREAKING, Effect.COMPATIBLE
)
DOC = Change("description-changed", "/$defs/F", "/$defs/F", "F", None, Effect.NONE, Effect.NONE)


def report(
    *changes: Change,
    backward: Effect = Effect.BREAKING,
    forward: Effect = Effect.BREAKING,
    api: Effect = Effect.BREAKING,
) -> Report:
    return Report("v7", "v8", changes, backward, forward, api)


OLD_HASH, NEW_HASH = "a" * 64, "b" * 64
SIDES = Sides("v7", "v8", OLD_HASH, NEW_HASH)


def entry(
    rule: str = "property-removed",
    pointer: str = "/$defs/F/properties/a",
    old: str = "v7",
    new: str = "v8",
    hashes: tuple[str, str] = (OLD_HASH, NEW_HASH),
) -> AcceptedBreak:
    return AcceptedBreak(old, new, rule, pointer, "upstream #15097 renamed a to b", "acc.toml", 3, *hashes)


GOOD = """# reviewed
[[accepted]]
old = "v7"
new = "v8"
rule = "property-removed"
pointer = "/$defs/F/properties/a"
reason = "  upstream #15097 renamed a to b  "

[[accepted]]  # second
old = "v7"
new = "v8"
rule = "property-added"
pointer = ""
reason = "root"
"""


def test_load_reads_entries_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "accepted-breaks.toml"
    path.write_text(GOOD)
    entries = load_accepted(path, known_rules={"property-removed", "property-added"})
    assert entries == [
        AcceptedBreak(
            "v7", "v8", "property-removed", "/$defs/F/properties/a", "upstream #15097 renamed a to b", str(path), 2
        ),
        AcceptedBreak("v7", "v8", "property-added", "", "root", str(path), 9),
    ]


def test_missing_file_is_no_entries(tmp_path: Path) -> None:
    assert load_accepted(tmp_path / "nope.toml") == []


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[[accepted]]\nold = "v1"\n', r"acc.toml:1: entry 1: missing 'new'"),
        (
            '[[accepted]]\nold="a"\nnew="b"\nrule="r"\npointer="/x"\nreason="  "\n',
            r"acc.toml:1: entry 1: 'reason' must not be empty",
        ),
        ('[[accepted]]\nold="a"\nnew="b"\nrule="r"\npointer="/x"\n', r"entry 1: missing 'reason'"),
        ('[[accepted]]\nold="a"\nnew="b"\nrule="r"\npointer="x"\nreason="y"\n', r"'pointer' 'x' is not a JSON pointer"),
        ('[[accepted]]\nold="a"\nnew="b"\nrule="r"\npointer="/x"\nreason="y"\nextra=1\n', r"unknown key 'extra'"),
        ('[[accepted]]\nold=1\nnew="b"\nrule="r"\npointer="/x"\nreason="y"\n', r"'old' must be a string"),
        (
            '[[accepted]]\nold="a"\nnew="b"\nold_sha256="abc"\nrule="r"\npointer="/x"\nreason="y"\n',
            r"'old_sha256' must be 64 lowercase hexadecimal digits",
        ),
        ("accepted = 3\n", r"acc.toml: 'accepted' must be an array of tables"),
        ("accept = []\n", r"unknown top-level key 'accept'"),
        ("[[accepted]\n", r"acc.toml: invalid TOML: .*line 1"),
        ('[[accepted]]\nold="a"\nnew="b"\nrule="nope"\npointer="/x"\nreason="y"\n', r"unknown rule 'nope'"),
        (
            '\n\n[[accepted]]\nold="a"\nnew="b"\nrule="r"\npointer="/x"\nreason="y"\n[[accepted]]\nold="a"\n',
            r"acc.toml:9: entry 2: missing 'new'",
        ),
    ],
)
def test_malformed_file_is_one_line_error(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "acc.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=error) as info:
        load_accepted(path, known_rules={"r"})
    assert "\n" not in str(info.value)


def test_apply_marks_matches_and_reports_stale() -> None:
    stale_entry = entry(rule="type-changed", pointer="/$defs/F/properties/z")
    other_pair = entry(old="v1", new="v2")
    done = apply(report(REMOVED, RENAMED_TO, DOC), [entry(), stale_entry, other_pair], SIDES)
    assert [c.accepted for c in done.changes] == ["upstream #15097 renamed a to b", None, None]
    # the other pair's entry is not this pair's business
    assert done.stale_accepted == ({**stale_entry.as_dict(), "why": "matches no breaking change"},)


def test_entry_matches_new_pointer_and_not_a_harmless_change() -> None:
    by_new = entry(rule="property-added", pointer="/$defs/F/properties/b")
    on_doc = entry(rule="description-changed", pointer="/$defs/F")
    marked, used = mark(report(RENAMED_TO, DOC), [by_new, on_doc], SIDES)
    assert [c.accepted is not None for c in marked.changes] == [True, False]
    assert used == {0}
    assert unused([by_new, on_doc], used, [SIDES]) == [{**on_doc.as_dict(), "why": "matches no breaking change"}]


def test_entry_needs_same_pair_and_rule() -> None:
    for wrong in (entry(old="v6"), entry(new="v9"), entry(rule="property-added")):
        marked, used = mark(report(REMOVED), [wrong], SIDES)
        assert marked.changes[0].accepted is None and used == set()


def test_counted_axes() -> None:
    assert counted_axes("backward", True) == ("backward", "api")
    assert counted_axes("forward", False) == ("forward",)
    assert counted_axes("full", True) == ("backward", "forward", "api")


def test_fails_honours_accepted_mode_and_api() -> None:
    rep = report(REMOVED, RENAMED_TO, forward=Effect.BREAKING)
    assert fails(rep, "backward", True)
    accepted = apply(rep, [entry()], SIDES)
    assert not fails(accepted, "backward", True)
    assert fails(accepted, "forward", False)  # RENAMED_TO still breaks forward
    assert not change_fails(accepted.changes[0], "full", True)
    assert axis_status(accepted, "backward") == "breaking (accepted)"
    assert axis_status(accepted, "forward") == "breaking"


def test_report_level_break_without_a_change_is_never_accepted() -> None:
    """Soundness: an axis the engine calls undecided with no change to sign off keeps failing."""
    rep = report(DOC, backward=Effect.UNDECIDED, forward=Effect.COMPATIBLE, api=Effect.NONE)
    assert fails(rep, "backward", False)
    assert not fails(rep, "forward", True)
    assert axis_status(rep, "backward") == "breaking (undecided)"


# ------------------------------------------------------------ signed for contents, in the folder


def test_entry_needs_both_content_hashes() -> None:
    for hashes in ((NEW_HASH, NEW_HASH), (OLD_HASH, OLD_HASH), ("", "")):
        stale = entry(hashes=hashes)
        done = apply(report(REMOVED), [stale], SIDES)
        assert done.changes[0].accepted is None
        (why,) = [e["why"] for e in done.stale_accepted]
        assert f'old_sha256 = "{OLD_HASH}"' in why and f'new_sha256 = "{NEW_HASH}"' in why


def test_files_outside_the_folder_use_no_entry_and_leave_none_stale() -> None:
    done = apply(report(REMOVED), [entry()], None)
    assert done.changes[0].accepted is None and done.stale_accepted == ()


def write_pair(folder: Path, old: str = '{"type": "object"}', new: str = '{"type": "string"}') -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "v7.json").write_text(old)
    (folder / "v8.json").write_text(new)
    return folder / "v7.json", folder / "v8.json"


def test_identify_only_snapshots_of_the_configured_folder(tmp_path: Path) -> None:
    from cwscodegen.store.snapshots import load_schema_file

    schemas = tmp_path / "schemas"
    a, b = write_pair(schemas)
    old, new = load_schema_file(a, "v7"), load_schema_file(b, "v8")
    sides = identify(old, new, schemas)
    assert sides == Sides("v7", "v8", content_sha256(old), content_sha256(new))
    import hashlib

    assert sides.old_sha256 == hashlib.sha256(b'{"type": "object"}').hexdigest()
    elsewhere_a, elsewhere_b = write_pair(tmp_path / "other")  # same names, same contents, other folder
    assert identify(load_schema_file(elsewhere_a, "v7"), load_schema_file(elsewhere_b, "v8"), schemas) is None
    assert identify(old, load_schema_file(elsewhere_b, "v8"), schemas) is None


def test_cli_diff_of_lookalike_files_ignores_the_projects_sign_offs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`diff a/v7.json b/v8.json` with files merely named like snapshots: the folder's entry for
    v7 -> v8 applies to the folder's snapshots only, so the lookalike pair still fails."""
    from tests.cli.test_cli import run as run_cli

    def run(argv: list[str]) -> tuple[int, str]:
        code, out, err = run_cli(argv, capsys)
        return code, out + err

    schemas = tmp_path / "schemas"
    a, b = write_pair(schemas)
    old_hash = content_sha256_of(a)
    new_hash = content_sha256_of(b)
    (schemas / "accepted-breaks.toml").write_text(
        f'[[accepted]]\nold = "v7"\nnew = "v8"\nold_sha256 = "{old_hash}"\nnew_sha256 = "{new_hash}"\n'
        'rule = "type-changed"\npointer = "/type"\nreason = "reviewed"\n'
    )
    code, out = run(["diff", "v7", "v8", "--mode", "backward", "--no-api", "--schemas", str(schemas)])
    assert code == 0 and "accepted: reviewed" in out, out
    la, lb = write_pair(tmp_path / "a"), write_pair(tmp_path / "b")
    code, out = run(["diff", str(la[0]), str(lb[1]), "--mode", "backward", "--no-api", "--schemas", str(schemas)])
    assert code == 1 and "accepted" not in out.split("\n", 1)[0], out
    (schemas / "v8.json").write_text('{"type": "number"}')  # edited after the sign-off: stale hash
    code, out = run(["diff", "v7", "v8", "--mode", "backward", "--no-api", "--schemas", str(schemas)])
    assert code == 1 and "was signed for other contents of v7/v8" in out, out


def content_sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()

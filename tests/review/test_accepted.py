"""Accepted breaking changes: the file's checks, matching, stale entries, and what still fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from cwscodegen.engine.changes import Change, Effect, Report
from cwscodegen.errors import UserError
from cwscodegen.review.accepted import (
    AcceptedBreak,
    apply,
    axis_status,
    change_fails,
    counted_axes,
    fails,
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


def entry(
    rule: str = "property-removed", pointer: str = "/$defs/F/properties/a", old: str = "v7", new: str = "v8"
) -> AcceptedBreak:
    return AcceptedBreak(old, new, rule, pointer, "upstream #15097 renamed a to b", "acc.toml", 3)


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
    done = apply(report(REMOVED, RENAMED_TO, DOC), [entry(), stale_entry, other_pair])
    assert [c.accepted for c in done.changes] == ["upstream #15097 renamed a to b", None, None]
    assert done.stale_accepted == (stale_entry.as_dict(),)  # the other pair's entry is not this pair's business


def test_entry_matches_new_pointer_and_not_a_harmless_change() -> None:
    by_new = entry(rule="property-added", pointer="/$defs/F/properties/b")
    on_doc = entry(rule="description-changed", pointer="/$defs/F")
    marked, used = mark(report(RENAMED_TO, DOC), [by_new, on_doc])
    assert [c.accepted is not None for c in marked.changes] == [True, False]
    assert used == {0}
    assert unused([by_new, on_doc], used) == [on_doc.as_dict()]


def test_entry_needs_same_pair_and_rule() -> None:
    for wrong in (entry(old="v6"), entry(new="v9"), entry(rule="property-added")):
        marked, used = mark(report(REMOVED), [wrong])
        assert marked.changes[0].accepted is None and used == set()


def test_counted_axes() -> None:
    assert counted_axes("backward", True) == ("backward", "api")
    assert counted_axes("forward", False) == ("forward",)
    assert counted_axes("full", True) == ("backward", "forward", "api")


def test_fails_honours_accepted_mode_and_api() -> None:
    rep = report(REMOVED, RENAMED_TO, forward=Effect.BREAKING)
    assert fails(rep, "backward", True)
    accepted = apply(rep, [entry()])
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

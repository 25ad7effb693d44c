"""Renderers on hand-built reports (the engine is tested elsewhere): content of each format, the
JSON-pointer-to-line walk, colour only on request, and deterministic output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwscodegen.engine.changes import Change, Direction, Effect, Report, Witness
from cwscodegen.errors import UserError
from cwscodegen.review.render import (
    DiffView,
    annotation,
    line_of_pointer,
    render,
    render_compat,
    render_github,
    render_json,
    render_markdown,
    render_text,
)
from cwscodegen.store.refs import escape
from cwscodegen.store.snapshots import snapshot_from_text

OLD_DOC: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "File": {
            "type": "object",
            "properties": {"path": {"type": "string"}, "mode": {"type": "integer"}},
            "additionalProperties": False,
        },
        "Process": {
            "type": "object",
            "properties": {"path": {"type": "string", "pattern": "^/"}},
        },
    },
    "properties": {"file": {"$ref": "#/$defs/File"}, "process": {"$ref": "#/$defs/Process"}},
}
NEW_DOC: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "File": {
            "type": "object",
            "properties": {"path": {"type": "string"}, "inode": {"type": "integer"}},
            "additionalProperties": False,
        },
        "Process": {
            "type": "object",
            "properties": {"path": {"type": "string", "pattern": "^/[a-z]"}},
        },
    },
    "properties": {"file": {"$ref": "#/$defs/File"}, "process": {"$ref": "#/$defs/Process"}},
    "required": ["file"],
}

REMOVED = Change(
    rule="property-removed",
    old_pointer="/$defs/File/properties/mode",
    new_pointer=None,
    definition="File",
    property="mode",
    backward=Effect.BREAKING,
    forward=Effect.COMPATIBLE,
    api=Effect.BREAKING,
    reached_from=("/properties/file",),
    witnesses=(
        Witness(
            Direction.BACKWARD,
            {"file": {"mode": 420}},
            "old",
            "new",
            True,
            "Additional properties are not allowed ('mode' was unexpected)",
        ),
    ),
)
ADDED = Change(
    rule="property-added",
    old_pointer=None,
    new_pointer="/$defs/File/properties/inode",
    definition="File",
    property="inode",
    backward=Effect.COMPATIBLE,
    forward=Effect.BREAKING,
    api=Effect.COMPATIBLE,
    reached_from=("/properties/file",),
    witnesses=(Witness(Direction.FORWARD, {"file": {"inode": 7}}, "new", "old", True, "'inode' was unexpected"),),
)
PATTERN = Change(
    rule="pattern-changed",
    old_pointer="/$defs/Process/properties/path/pattern",
    new_pointer="/$defs/Process/properties/path/pattern",
    definition="Process",
    property="path",
    backward=Effect.UNDECIDED,
    forward=Effect.COMPATIBLE,
    details={"old": "^/", "new": "^/[a-z]"},
    reached_from=("/properties/process",),
    no_witness={"backward": "no string found that one pattern accepts and the other rejects"},
)
REQUIRED = Change(
    rule="required-added",
    old_pointer="",
    new_pointer="/required/0",
    definition=None,
    property="file",
    backward=Effect.BREAKING,
    forward=Effect.COMPATIBLE,
    api=Effect.BREAKING,
    accepted="upstream #23493 made file required",
    witnesses=(Witness(Direction.BACKWARD, {}, "old", "new", True, "'file' is a required property"),),
)
DOC_ONLY = Change(
    rule="description-changed",
    old_pointer="/$defs/File",
    new_pointer="/$defs/File",
    definition="File",
    property=None,
    backward=Effect.NONE,
    forward=Effect.NONE,
)


def message(change: Change) -> str:
    return f"{change.rule} | {change.property}"


def make_report(*changes: Change, stale: tuple[dict[str, Any], ...] = ()) -> Report:
    effects = {
        axis: max(
            (getattr(c, axis) for c in changes),
            key=lambda e: [Effect.NONE, Effect.COMPATIBLE, Effect.UNDECIDED, Effect.BREAKING].index(e),
            default=Effect.NONE,
        )
        for axis in ("backward", "forward", "api")
    }
    return Report("v1", "v2", tuple(changes), stale_accepted=stale, **effects)


@pytest.fixture()
def view(tmp_path: Path) -> DiffView:
    return make_view(tmp_path, make_report(DOC_ONLY, ADDED, REQUIRED, PATTERN, REMOVED))


def make_view(tmp_path: Path, report: Report, mode: str = "backward", api: bool = True) -> DiffView:
    folder = tmp_path / "schemas" / "versions"
    folder.mkdir(parents=True, exist_ok=True)
    sides = []
    for name, doc in (("v1", OLD_DOC), ("v2", NEW_DOC)):
        path = folder / f"{name}.json"
        text = json.dumps(doc, indent=2) + "\n"
        path.write_text(text)
        sides.append(snapshot_from_text(text, str(path), path, name))
    return DiffView(report, sides[0], sides[1], mode, api, tmp_path)


# ------------------------------------------------------------------ line_of_pointer

TEXT = """{
  "properties": {
    "a": {"type": "string"},
    "b": {
      "properties": {
        "a": {
          "type": "integer"
        },
        "x/y": true
      }
    }
  },
  "items": [
    {"a": 1},
    {
      "a": 2
    }
  ]
}
"""


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("", 1),
        (None, 1),
        ("/properties", 2),
        ("/properties/a", 3),
        ("/properties/a/type", 3),
        ("/properties/b/properties/a", 6),  # the second "a", not the first
        ("/properties/b/properties/a/type", 7),
        ("/properties/b/properties/x~1y", 9),
        ("/items/0/a", 14),
        ("/items/1", 15),
        ("/items/1/a", 16),
        ("/properties/b/properties/gone/deeper", 5),  # deepest existing ancestor
        ("/items/9", 13),
    ],
)
def test_line_of_pointer(pointer: str | None, line: int) -> None:
    assert line_of_pointer(TEXT, pointer) == line


def test_line_of_pointer_repeated_key_last_wins_and_escapes() -> None:
    text = '{\n "k": 1,\n "\\u006b": {\n  "z": 0\n }\n}'
    assert line_of_pointer(text, "/k") == 3  # json.loads keeps the last of duplicate keys
    assert line_of_pointer(text, "/k/z") == 4


def test_line_of_pointer_malformed_text_is_line_one() -> None:
    assert line_of_pointer('{"a": ', "/a/b") == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


def _places(value: Any, tokens: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], bool]]:
    out: list[tuple[tuple[str, ...], bool]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            out.append(((*tokens, key), True))
            out += _places(child, (*tokens, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.append(((*tokens, str(index)), False))
            out += _places(child, (*tokens, str(index)))
    return out


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_line_of_pointer_on_pretty_json(value: Any) -> None:
    """In `json.dumps(indent=2)` output each member starts its own line, indented by depth, with
    its key; checking that line is independent of how the walk finds it."""
    text = json.dumps(value, indent=2)
    lines = text.splitlines()
    for tokens, is_member in _places(value):
        pointer = "".join("/" + escape(t) for t in tokens)
        row = lines[line_of_pointer(text, pointer) - 1]
        indent = " " * (2 * len(tokens))
        assert row.startswith(indent) and not row[len(indent)].isspace()
        if is_member:
            assert row[len(indent) :].startswith(json.dumps(tokens[-1]) + ":")


# ------------------------------------------------------------------ text


def test_text_summary_first_and_grouped_failing_first(view: DiffView) -> None:
    out = render_text(view, message=message)
    lines = out.splitlines()
    assert lines[0] == ("v1 → v2: backward breaking, forward breaking, api breaking; 5 changes (2 failing, 1 accepted)")
    assert lines[1] == "mode backward (counts backward+api): FAIL"
    groups = [line for line in lines if line and not line.startswith(" ")][2:]
    assert groups == ["File", "Process", "(root)"]
    rules = [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("    ")]
    # groups in order of their worst change; inside a group, failing before the rest
    assert rules == ["property-removed", "property-added", "description-changed", "pattern-changed", "required-added"]
    assert "\x1b" not in out


def _block(out: str, rule: str) -> str:
    """The text block of one change: its head line and the deeper-indented lines under it."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {rule}  ["))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
    return "\n".join(lines[start:end])


def test_text_change_details(view: DiffView) -> None:
    out = render_text(view, message=message)
    block = _block(out, "property-removed")
    assert "[breaking: backward, api]" in block
    assert "property-removed | mode" in block
    old_line = line_of_pointer(view.old.text, REMOVED.old_pointer)
    assert f"old: /$defs/File/properties/mode  (v1.json:{old_line})" in block
    assert "new: (absent)" in block
    assert "backward: breaking   forward: compatible   api: breaking" in block
    assert "reached from: /properties/file" in block
    assert "backward witness (accepted by old, rejected by new: Additional properties" in block
    assert '"mode": 420' in block
    pattern = _block(out, "pattern-changed")
    assert "[breaking (undecided): backward]" in pattern
    assert "backward: breaking (undecided)" in pattern
    assert "no backward witness: no string found that one pattern accepts" in pattern
    assert "accepted: upstream #23493 made file required" in _block(out, "required-added")
    assert "old: (root)  (v1.json:1)" in _block(out, "required-added")


def test_text_colour_only_when_asked(view: DiffView) -> None:
    coloured = render_text(view, color=True, message=message)
    assert "\x1b[1;31m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_text(view, message=message)


def test_mode_and_api_flag_change_the_verdict(tmp_path: Path) -> None:
    only_added = make_report(ADDED)
    assert not make_view(tmp_path, only_added, "backward").failing
    assert make_view(tmp_path, only_added, "forward").failing
    assert make_view(tmp_path, only_added, "full").failing
    api_only = make_report(
        Change("enum-value-added", "/x", "/x", None, None, Effect.COMPATIBLE, Effect.COMPATIBLE, Effect.BREAKING)
    )
    assert make_view(tmp_path, api_only, "backward", api=True).failing
    assert not make_view(tmp_path, api_only, "backward", api=False).failing


def test_stale_entries_are_warned_in_every_format(tmp_path: Path) -> None:
    stale = {
        "old": "v1",
        "new": "v2",
        "rule": "type-changed",
        "pointer": "/x",
        "reason": "r",
        "file": str(tmp_path / "schemas/versions/accepted-breaks.toml"),
        "line": 4,
    }
    view = make_view(tmp_path, make_report(DOC_ONLY, stale=(stale,)))
    want = "stale accepted break"
    for fmt in ("text", "markdown", "github"):
        assert want in render(view, fmt, message=message), fmt
    assert json.loads(render(view, "json", message=message))["stale_accepted"][0]["line"] == 4
    assert "::warning file=schemas/versions/accepted-breaks.toml,line=4,title=stale accepted break::" in render_github(
        view, message=message
    )


# ------------------------------------------------------------------ JSON


def test_json_structure(view: DiffView) -> None:
    doc = json.loads(render_json(view, message=message))
    assert list(doc) == [
        "format",
        "version",
        "old",
        "new",
        "mode",
        "api_counts",
        "verdict",
        "counts",
        "changes",
        "stale_accepted",
    ]
    assert (doc["format"], doc["version"]) == ("cwscodegen.diff", 1)
    assert doc["old"] == {"name": "v1", "path": "schemas/versions/v1.json", "draft": "draft2020-12"}
    assert doc["verdict"]["failing"] is True and doc["verdict"]["exit_code"] == 1
    assert doc["verdict"]["counted"] == ["backward", "api"]
    assert doc["verdict"]["backward"] == "breaking"
    assert doc["counts"] == {"changes": 5, "failing": 2, "accepted": 1}
    first = doc["changes"][0]
    assert list(first) == [
        "rule",
        "message",
        "definition",
        "property",
        "old_pointer",
        "new_pointer",
        "old_line",
        "new_line",
        "backward",
        "forward",
        "api",
        "failing",
        "accepted",
        "reached_from",
        "reading",
        "details",
        "witnesses",
        "no_witness",
    ]
    assert first["rule"] == "property-removed" and first["new_pointer"] is None
    assert first["old_line"] == line_of_pointer(view.old.text, "/$defs/File/properties/mode")
    assert first["witnesses"] == [
        {
            "direction": "backward",
            "accepted_by": "old",
            "rejected_by": "new",
            "verified": True,
            "error": "Additional properties are not allowed ('mode' was unexpected)",
            "event": {"file": {"mode": 420}},
        }
    ]
    pattern = doc["changes"][1]
    assert pattern["backward"] == "undecided" and pattern["failing"] is True
    assert pattern["no_witness"] == {"backward": "no string found that one pattern accepts and the other rejects"}
    accepted = [c for c in doc["changes"] if c["accepted"]]
    assert [c["rule"] for c in accepted] == ["required-added"] and accepted[0]["failing"] is False


def test_json_is_deterministic(view: DiffView) -> None:
    assert render_json(view, message=message) == render_json(view, message=message)


# ------------------------------------------------------------------ Markdown


def test_markdown_table_and_witness_blocks(view: DiffView) -> None:
    out = render_markdown(view, message=message)
    lines = out.splitlines()
    assert lines[0] == "### ❌ Schema diff `v1` → `v2`"
    assert lines[2].startswith("**v1 → v2: backward breaking")
    header = lines.index("| | rule | place | message | backward | forward | api |")
    rows = lines[header + 2 : header + 7]
    assert rows[0] == (
        "| ❌ | `property-removed` | `/$defs/File/properties/mode` | property-removed \\| mode "
        "| breaking | compatible | breaking |"
    )
    assert rows[1].endswith("| breaking (undecided) | compatible | none |")
    assert rows[2] == (
        "| ☑️ accepted | `required-added` | `(root) → /required/0` | required-added \\| file — "
        "accepted: upstream #23493 made file required | breaking | compatible | breaking |"
    )
    assert lines[header + 7] == ""
    blocks = re.findall(r"  ```json\n(.*?)\n  ```", out, re.S)
    events = [json.loads(block) for block in blocks]
    assert {"file": {"mode": 420}} in events and {"file": {"inode": 7}} in events
    assert "no witness: no string found" in out


def test_markdown_empty_report(tmp_path: Path) -> None:
    out = render_markdown(make_view(tmp_path, make_report()), message=message)
    assert out.splitlines()[0] == "### ✅ Schema diff `v1` → `v2`" and "No changes." in out


# ------------------------------------------------------------------ GitHub


def test_github_annotations_point_at_file_and_line(view: DiffView) -> None:
    out = render_github(view, message=message).splitlines()
    assert out[0].startswith("v1 → v2: backward breaking")
    errors = [line for line in out if line.startswith("::error ")]
    assert len(errors) == 2
    removed = line_of_pointer(view.old.text, "/$defs/File/properties/mode")
    assert view.old.text.splitlines()[removed - 1].strip().startswith('"mode"')
    assert errors[0] == (
        f"::error file=schemas/versions/v1.json,line={removed},title=property-removed::"
        "v1 → v2: property-removed | mode [breaking: backward, api]"
    )
    pattern_line = line_of_pointer(view.new.text, "/$defs/Process/properties/path/pattern")
    assert view.new.text.splitlines()[pattern_line - 1].strip().startswith('"pattern"')
    assert errors[1].startswith(f"::error file=schemas/versions/v2.json,line={pattern_line},title=pattern-changed::")
    notices = [line for line in out if line.startswith("::notice ")]
    assert len(notices) == 1 and "accepted: upstream #23493" in notices[0]
    assert "title=required-added" in notices[0]
    warnings = [line for line in out if line.startswith("::warning ")]
    assert len(warnings) == 1 and "title=property-added" in warnings[0]  # forward-only, mode backward
    assert not any("description-changed" in line for line in out)


def test_annotation_escaping() -> None:
    assert annotation("error", "a,b:c.json", 3, "t:1", "50% done\nnext") == (
        "::error file=a%2Cb%3Ac.json,line=3,title=t%3A1::50%25 done%0Anext"
    )


def test_unknown_format_is_a_user_error(view: DiffView) -> None:
    with pytest.raises(UserError, match="--format: unknown format 'yaml'"):
        render(view, "yaml", message=message)


# ------------------------------------------------------------------ compat


def test_compat_lists_only_failing_pairs(tmp_path: Path) -> None:
    bad = make_view(tmp_path, make_report(REMOVED, DOC_ONLY))
    good = make_view(tmp_path, make_report(REQUIRED, DOC_ONLY))
    out = render_compat([good, bad], [], "text", mode="backward", root=tmp_path, message=message)
    lines = out.splitlines()
    assert lines[0].startswith("FAIL v1 → v2: backward breaking")
    assert lines[1].startswith("  property-removed at /$defs/File/properties/mode (schemas/versions/v1.json:")
    assert lines[-1] == "compat (backward): 2 pairs checked, 1 failing, 0 stale accepted — FAIL"
    clean = render_compat([good], [], "text", mode="backward", root=tmp_path, message=message)
    assert clean == "compat (backward): 1 pairs checked, 0 failing, 0 stale accepted — OK\n"
    gh = render_compat([good, bad], [], "github", mode="backward", root=tmp_path, message=message)
    assert [line.split(" ")[0] for line in gh.splitlines()[:-1]] == ["::error"]
    doc = json.loads(render_compat([good, bad], [], "json", mode="backward", root=tmp_path, message=message))
    assert doc["ok"] is False and [p["verdict"]["failing"] for p in doc["pairs"]] == [False, True]

"""Untrusted snapshots: documented limits, refused references, and every command at the limit.

Each reproducer of issue 8 (P1, P2, P9, P10, P11, P12) ends in one line naming the file and the
place; a schema exactly at the nesting limit works in every command that reads schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cwscodegen.cli import main
from cwscodegen.errors import UserError
from cwscodegen.store.limits import MAX_DEPTH, MAX_NUMBER_CHARS, parse_json
from cwscodegen.store.snapshots import snapshot_from_text


def load(text: str) -> object:
    return snapshot_from_text(text, "s.json", Path("s.json"), "s").document


def nested(levels: int, leaf: str) -> str:
    """`levels` JSON levels of `properties` (two per schema level) around `leaf`."""
    return '{"type": "object", "properties": {"a": ' * (levels // 2) + leaf + "}}" * (levels // 2)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('{"not": ' * 10_000 + "{}" + "}" * 10_000, rf"^s\.json: nested deeper than {MAX_DEPTH} levels"),
        (
            '{"not": ' * (MAX_DEPTH + 1) + "{}" + "}" * (MAX_DEPTH + 1),
            rf"^s\.json: at (/not){{8}}…(/not){{6}}: nested deeper than {MAX_DEPTH} levels \(the limit\)$",
        ),
        (nested(3000 * 2, "{}"), r"^s\.json: nested deeper"),
        ('{"maximum": ' + "9" * 4301 + "}", rf"^s\.json:1:13: number longer than {MAX_NUMBER_CHARS} characters$"),
        ('{\n "maximum": 1e999}', r"^s\.json:2:13: number 1e999 is too large for a double$"),
        ('{"maximum": -Infinity}', r"^s\.json:1:13: -Infinity is not JSON$"),
        ('{"const": NaN}', r"^s\.json:1:11: NaN is not JSON$"),
        ('{"properties": {"\\ud800": {}}}', r"^s\.json: at /properties/\\ud800: string is not valid Unicode"),
    ],
)
def test_limits_are_one_line_naming_the_place(text: str, pattern: str) -> None:
    with pytest.raises(UserError, match=pattern):
        load(text)


def test_numbers_and_depth_within_the_limits_load() -> None:
    text = nested(MAX_DEPTH - 2, '{"maximum": ' + "9" * MAX_NUMBER_CHARS + ', "minimum": -1.5e300}')
    document = parse_json(text, "s.json")
    assert isinstance(document, dict)


@pytest.mark.parametrize(
    ("document", "pattern"),
    [
        (
            {"$schema": "http://127.0.0.1:9/schema"},
            r"^s\.json: \$schema at /: 'http://127\.0\.0\.1:9/schema' is not a known",
        ),
        ({"$schema": "file:///etc/passwd"}, r"^s\.json: \$schema at /: 'file:///etc/passwd' is not a known draft"),
        ({"$schema": 5}, r"^s\.json: \$schema at /: 5 is not a known draft"),
        ({"items": {"$schema": "http://x/y"}}, r"^s\.json: \$schema at /items: "),
        ({"properties": {"a": {"$ref": "http://127.0.0.1:9/x.json"}}}, r"\$ref at /properties/a: .* points outside"),
        ({"properties": {"a": {"$ref": "file:///etc/passwd"}}}, r"\$ref at /properties/a: .* points outside"),
        ({"properties": {"a": {"$ref": 5}}}, r"\$ref at /properties/a: must be a string"),
        (
            {"$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}},
            r"^s\.json: \$ref at /\$defs/A: references loop back .* \(/\$defs/A -> /\$defs/B -> /\$defs/A\)$",
        ),
        (
            {"$defs": {"A": {"allOf": [{"$ref": "#/$defs/A"}]}}},
            r"loop back .*\(/\$defs/A -> /\$defs/A/allOf/0 -> /\$defs/A\)",
        ),
        (
            {"properties": {"a": {"$dynamicRef": "http://127.0.0.1:9/x#meta"}}},
            r"\$dynamicRef at /properties/a: .* points outside",
        ),
        (
            {"properties": {"a": {"$dynamicRef": "#nowhere"}}},
            r"\$dynamicRef at /properties/a: '#nowhere' names no \$anchor, \$dynamicAnchor",
        ),
        (
            {"properties": {"a": {"$recursiveRef": "http://x/y"}}},
            r"\$recursiveRef at /properties/a: only '#' is supported",
        ),
        (
            {"properties": {"a": {"$id": "http://127.0.0.1:9/sub", "$ref": "#/$defs/x"}}, "$defs": {"x": {}}},
            r"\$id at /properties/a: .* starts an embedded schema resource",
        ),
        ({"$id": "file:///etc/", "$ref": "passwd"}, r"\$ref at /: 'passwd' points outside this document"),
    ],
)
def test_hostile_keywords_are_refused_at_load(document: dict[str, object], pattern: str) -> None:
    with pytest.raises(UserError, match=pattern):
        load(json.dumps(document))


@pytest.mark.parametrize(
    "document",
    [
        {"properties": {"$schema": {"type": "string"}, "enum": {"$ref": "#/$defs/T"}}, "$defs": {"T": {}}},
        {"$defs": {"Tree": {"type": "object", "properties": {"kids": {"items": {"$ref": "#/$defs/Tree"}}}}}},
        {"$defs": {"A": {"$dynamicAnchor": "meta", "properties": {"a": {"$dynamicRef": "#meta"}}}}},
        {"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"id": {"type": "string"}}},
    ],
)
def test_legitimate_schemas_still_load(document: dict[str, object]) -> None:
    assert load(json.dumps(document)) == document


SHAPES = {
    "properties": lambda levels: nested(levels, '{"type": "integer"}'),
    "not": lambda levels: '{"not": ' * levels + '{"type": "integer"}' + "}" * levels,
    "allOf": lambda levels: '{"allOf": [' * (levels // 2) + '{"type": "integer"}' + "]}" * (levels // 2),
    "items": lambda levels: '{"type": "array", "items": ' * levels + '{"type": "integer"}' + "}" * levels,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_schema_command_works_at_the_depth_limit(
    shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The limit is a promise: a snapshot nested MAX_DEPTH - 1 levels gets a result, not a crash."""
    folder = tmp_path / "schemas" / "versions"
    folder.mkdir(parents=True)
    (folder / "v1.json").write_text(SHAPES[shape](MAX_DEPTH - 1))
    (folder / "v2.json").write_text(SHAPES[shape](MAX_DEPTH - 1).replace("integer", "string"))
    (tmp_path / "events.jsonl").write_text("{}\n1\n")
    monkeypatch.chdir(tmp_path)
    for argv in (
        ["diff", "v1", "v2"],
        ["compat"],
        ["matrix"],
        ["changelog"],
        ["docs", "v2"],
        ["validate", "events.jsonl"],
    ):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code in (0, 1), (argv, capsys.readouterr().err)


def test_generate_works_at_the_depth_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "schemas" / "versions"
    folder.mkdir(parents=True)
    (folder / "v1.json").write_text(SHAPES["properties"](MAX_DEPTH - 1))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["generate", "--target", "dataclasses"])
    assert done.value.code == 0, capsys.readouterr().err
    assert (tmp_path / "generated" / "v1" / "dataclasses_models.py").is_file()

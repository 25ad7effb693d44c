"""Zero tracebacks: every command on random snapshots, events, provenance and settings.

Hypothesis draws a whole project folder (pyproject.toml, two snapshots, provenance.json, an
events file), each file either random bytes, random JSON, or JSON shaped like a schema, and runs
one command in-process. Whatever the input, the run ends with exit 0, 1 or 2; exit 2 prints one
line, and no message carries the absolute project folder (paths are shown relative to it)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cwscodegen.cli import main

KEYWORDS = [
    "type",
    "properties",
    "required",
    "items",
    "prefixItems",
    "additionalProperties",
    "enum",
    "const",
    "$ref",
    "$defs",
    "definitions",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "patternProperties",
    "format",
    "multipleOf",
    "$schema",
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "description",
    "default",
    "dependentSchemas",
    "dependencies",
    "unevaluatedProperties",
    "propertyNames",
    "contains",
    "uniqueItems",
    "nullable",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["string", "integer", "object", "array", "number", "null", "boolean", "date-time"]),
    st.sampled_from(["#", "#/definitions/A", "#/$defs/A", "#/properties/a", "#a", "A", "^a+$", "(", "\n"]),
    st.sampled_from(["https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-04/schema#"]),
    st.text(max_size=8),
)
NAMES = st.sampled_from(["a", "b", "A", "B", "BackendEvent", "class", "1", "", "a-b", "é", "$ref", "enum"])


def schemas() -> st.SearchStrategy[Any]:
    """JSON that looks like a schema often enough to get past the first checks."""
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.sampled_from(KEYWORDS), inner, max_size=4),
            st.dictionaries(NAMES, inner, max_size=3),
        ),
        max_leaves=12,
    )


NUMBERS = st.one_of(st.integers(-(2**65), 2**65), st.sampled_from([0, 1, -1, 1.0, -0.0, 0.5, 1e300, 2**64]))
REFS = st.sampled_from(["#/$defs/A", "#/$defs/B", "#/definitions/A", "#", "#/properties/a", "#/$defs/A/properties/a"])


def valid_schemas() -> st.SearchStrategy[Any]:
    """Schemas that mostly pass the meta-schema, so the commands get past loading."""
    leaf = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["string", "integer", "number", "object", "array", "boolean", "null"])
            | st.lists(st.sampled_from(["string", "integer", "null"]), min_size=1, max_size=2, unique=True),
            "minimum": NUMBERS,
            "maximum": NUMBERS,
            "exclusiveMinimum": NUMBERS,
            "multipleOf": st.sampled_from([1, 2, 0.5, 1e-9, 3]),
            "minLength": st.integers(0, 5),
            "maxItems": st.integers(0, 3),
            "minItems": st.integers(0, 3),
            "pattern": st.sampled_from(["^a+$", "^(a+)+$", "[", "\\d", "^$", "\\p{L}"]),
            "format": st.sampled_from(["date-time", "uri", "email", "regex", "ipv4", "unknown"]),
            "enum": st.lists(SCALARS, min_size=1, max_size=3),
            "const": SCALARS,
            "description": st.text(max_size=10),
            "default": SCALARS,
            "$ref": REFS,
        },
    )

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["object", "array"]),
                "properties": st.dictionaries(NAMES, inner, max_size=3),
                "required": st.lists(NAMES, max_size=2, unique=True),
                "additionalProperties": st.booleans() | inner,
                "items": inner | st.booleans(),
                "allOf": st.lists(inner, min_size=1, max_size=2),
                "anyOf": st.lists(inner, min_size=1, max_size=2),
                "oneOf": st.lists(inner, min_size=1, max_size=2),
                "not": inner,
                "if": inner,
                "then": inner,
                "patternProperties": st.dictionaries(st.sampled_from(["^a", "x$", "("]), inner, max_size=1),
                "$ref": REFS,
            },
        )

    body = st.recursive(leaf | st.booleans(), extend, max_leaves=8)
    root = st.tuples(
        body,
        st.dictionaries(st.sampled_from(["A", "B", "BackendEvent"]), body, max_size=2),
        st.sampled_from(
            [
                None,
                "https://json-schema.org/draft/2020-12/schema",
                "http://json-schema.org/draft-04/schema#",
                "http://json-schema.org/draft-07/schema#",
                "https://json-schema.org/draft/2019-09/schema",
            ]
        ),
    )

    def assemble(parts: tuple[Any, dict[str, Any], str | None]) -> Any:
        schema, defs, dialect = parts
        if not isinstance(schema, dict):
            return schema
        schema = {**schema, ("definitions" if dialect and "draft-0" in dialect else "$defs"): defs}
        return schema if dialect is None else {"$schema": dialect, **schema}

    return root.map(assemble)


def file_contents(json_values: st.SearchStrategy[Any], absent: int = 1) -> st.SearchStrategy[bytes | None]:
    """Usually `json_values`, sometimes no file, random bytes, or a truncated document."""
    as_bytes = json_values.map(lambda value: json.dumps(value).encode())
    return st.one_of(
        *[as_bytes] * 6,
        *[st.none()] * absent,
        st.binary(max_size=40),
        as_bytes.map(lambda b: b[: len(b) // 2]),
    )


def toml_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, dict) else "{}"


PYPROJECTS = st.one_of(
    *[st.just(b"[tool.cwscodegen]\n")] * 8,
    st.none(),
    st.binary(max_size=40),
    st.dictionaries(
        st.sampled_from(["schemas", "output", "targets", "root-class", "mode", "colour"]),
        st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.sampled_from([["pydantic"], ["typeddict"], "full"])),
        max_size=3,
    ).map(
        lambda table: ("[tool.cwscodegen]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in table.items())).encode()
    ),
    st.sampled_from([b"[tool]\ncwscodegen = 5\n", b"[tool.cwscodegen]\n"]),
)
EVENTS = st.one_of(
    st.binary(max_size=60),
    st.lists(SCALARS | st.dictionaries(NAMES, SCALARS, max_size=3), max_size=3).map(
        lambda events: "".join(json.dumps(e) + "\n" for e in events).encode()
    ),
)
GOOD: dict[str, bytes | None] = {
    "pyproject.toml": b"[tool.cwscodegen]\n",
    "schemas/versions/v1.json": b'{"type": "object", "properties": {"a": {"type": "string"}}}',
    "schemas/versions/v2.json": b'{"type": "object", "properties": {"a": {"type": ["string", "null"]}}}',
    "schemas/versions/provenance.json": None,
    "events.jsonl": b'{"a": "x"}\n{"a": null}\n',
}
RANDOM_FILES: dict[str, st.SearchStrategy[bytes | None]] = {
    "pyproject.toml": PYPROJECTS,
    "schemas/versions/v1.json": file_contents(schemas()),
    "schemas/versions/v2.json": file_contents(schemas()),
    "schemas/versions/provenance.json": file_contents(
        st.dictionaries(
            st.sampled_from(["v1", "v2"]), st.dictionaries(st.sampled_from(["upstream", "pr", "date", "note"]), SCALARS)
        )
        | schemas()
    ),
    "events.jsonl": EVENTS,
}
ONE_BAD_FILE = st.sampled_from(sorted(RANDOM_FILES)).flatmap(
    lambda name: RANDOM_FILES[name].map(lambda content: {**GOOD, name: content})
)
"""A good project with one file replaced by random bytes or random JSON: each file's own checks."""
RANDOM_SCHEMAS = st.tuples(valid_schemas(), valid_schemas(), EVENTS).map(
    lambda drawn: {
        **GOOD,
        "schemas/versions/v1.json": json.dumps(drawn[0]).encode(),
        "schemas/versions/v2.json": json.dumps(drawn[1]).encode(),
        "events.jsonl": drawn[2],
    }
)
"""Two random schemas (mostly passing the meta-schema) and random events: the engine, the code
generator and the validator get real work."""
PROJECTS = st.one_of(ONE_BAD_FILE, RANDOM_SCHEMAS, RANDOM_SCHEMAS)
FAST_COMMANDS = [
    ["diff", "v1", "v2"],
    ["compat"],
    ["compat", "--format", "json"],
    ["matrix"],
    ["changelog"],
    ["docs", "v2"],
    ["validate", "events.jsonl"],
    ["validate", "--version", "v1", "events.jsonl"],
    ["list"],
]
CODEGEN_COMMANDS = [["generate"], ["check"], ["generate", "v2", "--target", "typeddict"]]


def run_in_project(files: dict[str, bytes | None], argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder).resolve()
        for name, content in files.items():
            if content is not None:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(content)
        previous = Path.cwd()
        os.chdir(root)
        try:
            with pytest.raises(SystemExit) as done:
                main(argv)
        finally:
            os.chdir(previous)
        err = capsys.readouterr().err
    code = done.value.code
    event(f"{argv[0]}: exit {code}")  # --hypothesis-show-statistics: how far the inputs got
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, (argv, err)
        assert err.startswith("cwscodegen: error: "), (argv, err)
    assert str(root) not in err, (argv, err)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(files=PROJECTS, argv=st.sampled_from(FAST_COMMANDS))
def test_every_command_ends_cleanly_on_random_input(
    files: dict[str, bytes | None], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    run_in_project(files, argv, capsys)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(files=PROJECTS, argv=st.sampled_from(CODEGEN_COMMANDS))
def test_generate_and_check_end_cleanly_on_random_input(
    files: dict[str, bytes | None], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    run_in_project(files, argv, capsys)

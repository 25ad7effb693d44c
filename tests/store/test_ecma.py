"""Patterns are read one way everywhere: ECMA-262, in linear time (`store.ecma`).

`validate` and `make_validator` (witness verification, examples, the bindings' reference) agree
on the strings where Python's `re` reads a pattern otherwise; a catastrophic pattern costs
nothing; jsonschema's messages keep their shape; the format checkers refuse a final newline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cwscodegen.errors import UserError
from cwscodegen.events.fastcheck import fast_document
from cwscodegen.events.validate import SnapshotChecker
from cwscodegen.store import ecma
from cwscodegen.store.snapshots import Snapshot
from cwscodegen.store.validators import check_runnable, check_schema, first_error, format_checker, make_validator

D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D2020 = "https://json-schema.org/draft/2020-12/schema"
HOSTILE = "a" * 10_000 + "!"
ROOT = Path(__file__).resolve().parents[2]

# (pattern, string): Python's `re` finds a match, ECMA-262 (and so every tool here) does not.
DIALECT_SPLITS = [
    ("^abc$", "abc\n"),  # `$` before a final newline
    ("^a.c$", "a\rc"),  # ECMA's `.` refuses \r, U+2028, U+2029
    ("^a.c$", "a\u2028c"),
    ("^\\d+$", "\u0661\u0662"),  # Arabic-Indic digits: ECMA's \d is ASCII
    ("^\\w+$", "caf\u00e9"),
    ("^x\\s$", "x\u0085"),  # NEL: Python's \s, not ECMA's
]


def _snapshot(document: Any, tmp_path: Path) -> Snapshot:
    path = tmp_path / "v1.json"
    text = json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return Snapshot("v1", path, text, document)


@pytest.mark.parametrize(("regex", "text"), DIALECT_SPLITS)
def test_validate_and_make_validator_agree_where_pythons_re_differs(regex: str, text: str, tmp_path: Path) -> None:
    import re

    assert re.search(regex, text) is not None  # the split is real
    for draft in (D4, D7, D2020):
        document = {"$schema": draft, "type": "object", "properties": {"s": {"type": "string", "pattern": regex}}}
        event = {"s": text}
        assert not make_validator(document).is_valid(event)
        rejection = SnapshotChecker(_snapshot(document, tmp_path)).check(event)
        assert rejection is not None and rejection.pointer == "/s"
        assert rejection.message == f"{text!r} does not match {regex!r}"


def test_the_readings_hold_through_refs_evolve_and_a_draft_switch() -> None:
    """jsonschema's `evolve` switches class at a `$schema` (a `$ref` to the root, a subschema of
    another draft): the ECMA keywords must survive it."""
    looping = {
        "$schema": D2020,
        "type": "object",
        "properties": {"s": {"type": "string", "pattern": "^abc$"}, "again": {"$ref": "#"}},
    }
    validator = make_validator(looping)
    assert not validator.is_valid({"again": {"again": {"s": "abc\n"}}})
    assert not validator.evolve(schema=looping).is_valid({"s": "abc\n"})
    mixed = {"$schema": D2020, "properties": {"x": {"$schema": D7, "pattern": "^a$"}}}
    assert not make_validator(mixed).is_valid({"x": "a\n"}) and make_validator(mixed).is_valid({"x": "a"})


@pytest.mark.parametrize("draft", [D4, D7, D2019, D2020])
def test_a_catastrophic_pattern_is_checked_at_once_in_a_subprocess(draft: str) -> None:
    """`^(a+)+$` on 10,000 `a`s and a `!`: Python's `re` takes about 2**10000 steps (the old
    `make_validator` did not finish in 20 s on 10,000 characters); the timeout only turns a
    regression into a failure instead of a hang."""
    program = f"""
from cwscodegen.store.validators import first_error, make_validator
from cwscodegen.engine.normalize import prepare
hostile = {HOSTILE!r}
document = {{"$schema": {draft!r}, "type": "object",
    "properties": {{"s": {{"type": "string", "pattern": "^(a+)+$"}}, "f": {{"format": "regex"}}}},
    "patternProperties": {{"^(a+)+$": {{"type": "integer"}}}}, "additionalProperties": False}}
validator = make_validator(document)
event = {{"s": hostile, hostile: 1, "f": "^(a+)+$"}}
assert not validator.is_valid(event)
print(sorted(error.validator for error in validator.iter_errors(event)), first_error(validator, event).validator)
node = prepare(document, "d").root.props["s"]
assert not node.accepts(hostile) and node.accepts("aaaa")
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=20, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("]")[0] == "['additionalProperties', 'pattern'"  # `f` is a runnable regex


def test_a_diff_of_snapshots_with_catastrophic_patterns_finishes(tmp_path: Path) -> None:
    """Witness search and verification used to run Python's `re` on candidates such as 64 `a`s
    against `^(a+)+b$` (the old code did not finish in 60 s); now the diff ends, with a witness."""
    base = {"$schema": D2020, "type": "object", "additionalProperties": False}
    old = {
        **base,
        "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}},
        "patternProperties": {"^(a+)+$": {"type": "string", "pattern": "^(a|aa)+$"}},
    }
    new = {
        **base,
        "properties": {"name": {"type": "string", "pattern": "^(a+)+b$"}},
        "patternProperties": {"^(a+)+c$": {"type": "string", "pattern": "^(a|aa)+b$"}},
    }
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    (tmp_path / "new.json").write_text(json.dumps(new), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cwscodegen", "diff", "old.json", "new.json", "--mode", "full", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stderr) == (1, ""), done.stderr
    report = json.loads(done.stdout)
    events = [w["event"] for change in report["changes"] for w in change.get("witnesses", [])]
    assert events
    for event in events:  # each witness splits the two snapshots as every tool reads them
        assert make_validator(old).is_valid(event) != make_validator(new).is_valid(event)


def _messages(validator: Any, instance: Any) -> list[tuple[str, str, list[Any]]]:
    return sorted((e.validator, e.message, list(e.absolute_path)) for e in validator.iter_errors(instance))


MESSAGE_CASES: list[tuple[dict[str, Any], list[Any]]] = [
    (
        {"type": "string", "pattern": "^[a-z]+-\\d+$"},
        ["ab-12", "AB-12", "", 5, "x-1-"],
    ),
    (
        {"patternProperties": {"^x-": {"type": "integer"}, "y$": {"minimum": 3}}, "additionalProperties": False},
        [{"x-a": 1}, {"x-a": "no"}, {"zy": 1, "q": 1, "r": 2}, {"x-y": 2}, {}],
    ),
    (
        {"properties": {"p": {}}, "patternProperties": {"^x-": {}}, "additionalProperties": {"type": "string"}},
        [{"p": 1, "x-a": 1, "other": 2, "more": "s"}],
    ),
    (
        {"properties": {"p": {}}, "additionalProperties": False},
        [{"p": 1, "q": 2, "r": 3}],
    ),
    (
        {"propertyNames": {"pattern": "^[a-z]+$"}},
        [{"ok": 1, "Not": 2}],
    ),
]
UNEVALUATED_CASES: list[tuple[dict[str, Any], list[Any]]] = [
    (
        {
            "patternProperties": {"^x-": {"type": "integer"}},
            "allOf": [{"properties": {"a": {}}}, {"patternProperties": {"^y": {}}}],
            "unevaluatedProperties": False,
        },
        [{"x-1": 1, "a": 1, "yes": 1}, {"x-1": "s", "b": 1, "c": 2}, {"zz": 1}],
    ),
    (
        {
            "$defs": {"named": {"patternProperties": {"^n": {}}}},
            "$ref": "#/$defs/named",
            "if": {"required": ["k"]},
            "then": {"patternProperties": {"^k$": {}}},
            "dependentSchemas": {"d": {"properties": {"e": {}}}},
            "unevaluatedProperties": {"type": "string"},
        },
        [{"n1": 1, "k": 1, "z": 1}, {"d": "s", "e": 1, "f": 2}, {"m": 1, "o": 2}],
    ),
]


@pytest.mark.parametrize("draft", [D4, D7, D2019, D2020])
def test_messages_keep_jsonschemas_shape(draft: str) -> None:
    """Where the dialects agree, the errors (keyword, message, place) and `best_match`'s pick are
    jsonschema's own, draft by draft (`validate` explains rejections with them)."""
    plain = jsonschema.validators.validator_for({"$schema": draft})
    cases = MESSAGE_CASES + (UNEVALUATED_CASES if draft in (D2019, D2020) else [])
    for schema, instances in cases:
        document = {"$schema": draft, **schema}
        mine, theirs = make_validator(document), plain(document)
        for instance in instances:
            assert _messages(mine, instance) == _messages(theirs, instance), (schema, instance)
            mine_first, their_first = first_error(mine, instance), first_error(theirs, instance)
            assert (mine_first and mine_first.message) == (their_first and their_first.message)


@pytest.mark.parametrize(
    ("schema", "place"),
    [
        ({"properties": {"a": {"pattern": "^(?=a)b"}}}, "/properties/a/pattern"),
        ({"properties": {"enum": {"pattern": "(x)\\1"}}}, "/properties/enum/pattern"),
        ({"items": [{"patternProperties": {"(?<!x)y": {}}}]}, "/items/0/patternProperties/(?<!x)y"),
    ],
)
def test_validate_refuses_a_pattern_the_linear_engine_cannot_run(schema: dict[str, Any], place: str) -> None:
    """`validate` cannot check an event against it, so it names the place (`check_runnable`); the
    meta-schema check lets it pass, and the engine leaves what depends on it undecided."""
    document = {"$schema": D7, **schema}
    check_schema(document, "s.json")
    with pytest.raises(UserError) as raised:
        check_runnable(document, "s.json")
    assert str(raised.value).startswith(f"s.json: pattern at {place}: ")
    assert "linear-time" in str(raised.value)


def test_the_engine_leaves_what_needs_an_unrunnable_pattern_undecided() -> None:
    """A lookahead cannot be run in linear time: no verdict or witness may rest on it, and
    nothing may crash. `"abc"` against `^(?!tmp)[a-z]+$` needs the pattern run (inclusion of an
    enum); a witness for the added `maxLength` has to pass through it."""
    from cwscodegen.engine.changes import Effect
    from cwscodegen.engine.compare import diff_documents, verdicts_documents

    guarded = {"type": "string", "pattern": "^(?!tmp)[a-z]+$"}
    old = {"$schema": D2020, "type": "object", "properties": {"a": {"type": "string", "enum": ["abc"]}}}
    new = {"$schema": D2020, "type": "object", "properties": {"a": guarded}}
    back, _ = verdicts_documents(old, new)
    assert back.breaks and back is not Effect.BREAKING  # undecided
    narrower = {"$schema": D2020, "type": "object", "properties": {"a": {**guarded, "maxLength": 3}}}
    report = diff_documents(new, narrower)
    assert report.backward.breaks and report.backward is not Effect.BREAKING
    reasons = [r for change in report.changes for r in change.no_witness.values()]
    assert any("linear-time" in reason for reason in reasons), reasons


def test_an_unrunnable_pattern_raises_rather_than_answers() -> None:
    with pytest.raises(ecma.PatternError):
        ecma.search("(a)\\1", "aa")
    assert not ecma.runnable("\ud800")


def test_a_lone_surrogate_in_an_event_is_read_as_the_replacement_character(tmp_path: Path) -> None:
    """JSON can escape a lone surrogate; the engine takes UTF-8 only. Read as U+FFFD, the event
    gets a verdict instead of a traceback, the same in `validate` and `make_validator`."""
    assert ecma.search("^a.$", "a\ud800") and not ecma.search("^a$", "a\ud800")
    assert ecma.search("^\\ufffd$", "\udfff")
    document = {"$schema": D2020, "type": "object", "patternProperties": {"^k.$": {"pattern": "^a$"}}}
    checker = SnapshotChecker(_snapshot(document, tmp_path))
    for event, valid in (({"k\ud800": "a"}, True), ({"k\ud800": "a\ud800"}, False), ({"k": "b"}, True)):
        assert make_validator(document).is_valid(event) is valid
        assert (checker.check(event) is None) is valid


def test_the_compiled_patterns_are_kept_in_a_bounded_cache() -> None:
    for index in range(ecma._KEPT + 50):
        assert ecma.search(f"^p{index}$", f"p{index}")
    info = ecma._compiled.cache_info()
    assert info.maxsize == ecma._KEPT and info.currsize <= ecma._KEPT


FORMAT_SAMPLES = {
    "date": "2024-05-06",
    "time": "07:08:09Z",
    "date-time": "2024-05-06T07:08:09Z",
    "ipv4": "1.2.3.4",
    "ipv6": "::1",
    "uuid": "12345678-1234-1234-1234-1234567890ab",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "duration": "P1D",
    "json-pointer": "/a",
}
# What a final newline leaves valid, and why: email is "contains @"; a regex may hold a newline.
NEWLINE_ALLOWED = {"email", "idn-email", "regex"}


@pytest.mark.parametrize("draft", [D4, D7, D2019, D2020])
def test_no_format_takes_a_final_newline(draft: str) -> None:
    """rfc3339-validator's regex ends in `$`, so jsonschema's date-time and time took
    `...Z\\n`; every installed format of every draft is tried with its sample plus "\\n"."""
    document = {"$schema": draft}
    checker = format_checker(jsonschema.validators.validator_for(document))
    assert {"date-time", "email", "ipv4", "ipv6", "regex"} <= set(checker.checkers)
    for name in sorted(set(checker.checkers) - NEWLINE_ALLOWED):
        sample = FORMAT_SAMPLES[name]
        assert checker.conforms(sample, name), name
        for ending in ("\n", "\r\n", "\r"):
            assert not checker.conforms(sample + ending, name), (name, ending)
        schema = {**document, "type": "object", "properties": {"v": {"type": "string", "format": name}}}
        assert make_validator(schema).is_valid({"v": sample})
        assert not make_validator(schema).is_valid({"v": sample + "\n"})
        fast = fast_document(schema)  # jsonschema-rs runs the same checker functions
        assert fast is not None and fast.check({"v": sample}) and not fast.check({"v": sample + "\n"})


def test_format_regex_means_a_pattern_the_project_can_run() -> None:
    checker = format_checker(jsonschema.Draft202012Validator)
    assert checker.conforms("^[a-z]+$", "regex") and checker.conforms("a\n", "regex")
    assert not checker.conforms("(", "regex")  # Python's `re` refuses it, as before
    assert not checker.conforms("(?=a)b", "regex")  # lookahead: no linear-time engine runs it

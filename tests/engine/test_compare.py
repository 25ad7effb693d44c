"""The comparison walk: one test per rule, in both directions, with witnesses checked.

Each case puts a small schema under property `x` of a closed 2020-12 root (so the change sits
inside a real object and witnesses must be complete root events), diffs OLD -> NEW and NEW -> OLD,
and checks the rule, its BACKWARD/FORWARD effects, the report's verdicts, and that every witness
is accepted and rejected as it claims by a fresh `jsonschema` validator.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.engine import compare, rules
from cwscodegen.engine.changes import Change, Direction, Effect, Report
from cwscodegen.store.validators import make_validator

C, B, U, N = Effect.COMPATIBLE, Effect.BREAKING, Effect.UNDECIDED, Effect.NONE
D2020 = "https://json-schema.org/draft/2020-12/schema"
SHIPPED = Path(__file__).resolve().parents[2] / "schemas" / "versions"


def root(fragment: Any, draft: str = D2020) -> dict[str, Any]:
    return {
        "$schema": draft,
        "type": "object",
        "properties": {"x": fragment},
        "required": ["x"],
        "additionalProperties": False,
    }


def check_witnesses(report: Report, old: Any, new: Any) -> int:
    """Every witness is accepted by the side it names and rejected by the other; returns the count."""
    judges = {"old": make_validator(old), "new": make_validator(new)}
    count = 0
    for change in report.changes:
        for witness in change.witnesses:
            assert witness.verified
            assert judges[witness.accepted_by].is_valid(witness.event), (change.rule, witness)
            assert not judges[witness.rejected_by].is_valid(witness.event), (change.rule, witness)
            expected = ("old", "new") if witness.direction is Direction.BACKWARD else ("new", "old")
            assert (witness.accepted_by, witness.rejected_by) == expected
            count += 1
    return count


def find(report: Report, rule: str) -> Change:
    hits = [c for c in report.changes if c.rule == rule]
    assert hits, f"no {rule} in {[c.rule for c in report.changes]}"
    return hits[0]


# (id, OLD fragment, NEW fragment, rule, backward, forward, rule of the swapped pair)
CASES: list[tuple[str, Any, Any, str, Effect, Effect, str]] = [
    ("type-changed", {"type": "integer"}, {"type": "string"}, "type-changed", B, B, "type-changed"),
    ("integer-within-number", {"type": "integer"}, {"type": "number"}, "type-widened", C, B, "type-narrowed"),
    ("nullable", {"type": "string"}, {"type": ["string", "null"]}, "type-widened", C, B, "type-narrowed"),
    ("enum-value", {"enum": ["a", "b"]}, {"enum": ["a"]}, "enum-values-removed", B, C, "enum-values-added"),
    ("enum-new", {"type": "string"}, {"type": "string", "enum": ["a"]}, "enum-added", B, C, "enum-removed"),
    ("true-is-not-1", {"enum": [1]}, {"enum": [True]}, "enum-values-removed", B, C, "enum-values-removed"),
    ("format", {"type": "string"}, {"type": "string", "format": "date-time"}, "format-added", B, C, "format-removed"),
    (
        "format-other",
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "ipv4"},
        "format-changed",
        B,
        B,
        "format-changed",
    ),
    ("pattern", {"type": "string"}, {"type": "string", "pattern": "^a"}, "pattern-added", B, C, "pattern-removed"),
    (
        "pattern-other",
        {"type": "string", "pattern": "^a"},
        {"type": "string", "pattern": "^b"},
        "pattern-changed",
        B,
        B,
        "pattern-changed",
    ),
    (
        "minimum",
        {"type": "integer", "minimum": 3},
        {"type": "integer", "minimum": 5},
        "minimum-tightened",
        B,
        C,
        "minimum-relaxed",
    ),
    (
        "maximum-exclusive",
        {"type": "number", "maximum": 10},
        {"type": "number", "exclusiveMaximum": 10},
        "maximum-tightened",
        B,
        C,
        "maximum-relaxed",
    ),
    (
        "multiple-of",
        {"type": "number", "multipleOf": 2},
        {"type": "number", "multipleOf": 4},
        "multiple-of-tightened",
        B,
        C,
        "multiple-of-relaxed",
    ),
    (
        "max-length",
        {"type": "string", "maxLength": 10},
        {"type": "string", "maxLength": 5},
        "max-length-tightened",
        B,
        C,
        "max-length-relaxed",
    ),
    (
        "min-length",
        {"type": "string"},
        {"type": "string", "minLength": 2},
        "min-length-tightened",
        B,
        C,
        "min-length-relaxed",
    ),
    (
        "min-items",
        {"type": "array"},
        {"type": "array", "minItems": 1},
        "min-items-tightened",
        B,
        C,
        "min-items-relaxed",
    ),
    (
        "max-items",
        {"type": "array", "maxItems": 3},
        {"type": "array", "maxItems": 1},
        "max-items-tightened",
        B,
        C,
        "max-items-relaxed",
    ),
    (
        "max-properties",
        {"type": "object", "maxProperties": 3},
        {"type": "object", "maxProperties": 1},
        "max-properties-tightened",
        B,
        C,
        "max-properties-relaxed",
    ),
    (
        "unique-items",
        {"type": "array"},
        {"type": "array", "uniqueItems": True},
        "unique-items-added",
        B,
        C,
        "unique-items-removed",
    ),
    (
        "items-inside",
        {"type": "array", "items": {"type": "integer"}},
        {"type": "array", "items": {"type": "string"}},
        "type-changed",
        B,
        B,
        "type-changed",
    ),
    (
        "items-dropped",
        {"type": "array", "items": {"type": "integer"}},
        {"type": "array"},
        "items-widened",
        C,
        B,
        "items-narrowed",
    ),
    (
        "tuple-longer",
        {"type": "array", "prefixItems": [{"type": "integer"}], "items": False},
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False},
        "schema-widened",
        C,
        B,
        "schema-narrowed",
    ),
    (
        "closed-property",
        {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": False},
        {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
            "additionalProperties": False,
        },
        "property-added",
        C,
        B,
        "property-removed",
    ),
    (
        "open-property",
        {"type": "object", "properties": {"a": {}}},
        {"type": "object", "properties": {"a": {}, "b": {"type": "integer"}}},
        "property-added-narrowing",
        B,
        C,
        "property-removed-widening",
    ),
    (
        "open-untyped-property",
        {"type": "object"},
        {"type": "object", "properties": {"b": {}}},
        "property-added-equivalent",
        C,
        C,
        "property-removed-equivalent",
    ),
    (
        "required",
        {"type": "object", "properties": {"a": {"type": "integer"}}},
        {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
        "required-property-added",
        B,
        C,
        "required-property-removed",
    ),
    (
        "closing",
        {"type": "object"},
        {"type": "object", "additionalProperties": False},
        "additional-properties-narrowed",
        B,
        C,
        "additional-properties-widened",
    ),
    (
        "additional-schema",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"type": "object", "additionalProperties": {"type": "string"}},
        "type-changed",
        B,
        B,
        "type-changed",
    ),
    (
        "pattern-properties",
        {"type": "object"},
        {"type": "object", "patternProperties": {"^p": {"type": "integer"}}},
        "pattern-properties-narrowed",
        B,
        C,
        "pattern-properties-widened",
    ),
    (
        "anyof-branch",
        {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        {"anyOf": [{"type": "integer"}]},
        "anyof-narrowed",
        B,
        C,
        "anyof-widened",
    ),
    (
        "anyof-inside",
        {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 3}]},
        {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 2}]},
        "max-length-tightened",
        B,
        C,
        "max-length-relaxed",
    ),
    (
        "oneof",
        {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        {"oneOf": [{"type": "integer"}, {"type": "boolean"}]},
        "oneof-changed",
        B,
        B,
        "oneof-changed",
    ),
    (
        "not",
        {"type": "integer", "not": {"const": 1}},
        {"type": "integer", "not": {"enum": [1, 2]}},
        "not-narrowed",
        B,
        C,
        "not-widened",
    ),
    (
        "allof-inside",
        {"allOf": [{"type": "integer"}, {"minimum": 1}]},
        {"allOf": [{"type": "integer"}, {"minimum": 2}]},
        "minimum-tightened",
        B,
        C,
        "minimum-relaxed",
    ),
    ("false", {"type": "integer"}, False, "schema-narrowed", B, C, "schema-widened"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_in_both_directions(case: tuple[str, Any, Any, str, Effect, Effect, str]) -> None:
    _, old_fragment, new_fragment, rule, backward, forward, swapped = case
    old, new = root(old_fragment), root(new_fragment)
    report = compare.diff_documents(old, new)
    change = find(report, rule)
    assert (change.backward, change.forward) == (backward, forward)
    assert rule in rules.CATALOGUE and rules.fits(rules.CATALOGUE[rule].backward, change.backward)
    if backward.breaks:
        assert report.backward.breaks
    if forward.breaks:
        assert report.forward.breaks
    for direction, effect in ((Direction.BACKWARD, change.backward), (Direction.FORWARD, change.forward)):
        if effect is B:
            assert any(w.direction is direction for w in change.witnesses), (rule, change.no_witness)
    assert check_witnesses(report, old, new) >= sum(e is B for e in (backward, forward))

    back_report = compare.diff_documents(new, old)
    mirror = find(back_report, swapped)
    if swapped != rule or rule in ("type-changed", "format-changed", "pattern-changed", "oneof-changed"):
        assert (mirror.backward, mirror.forward) in ((forward, backward), (change.backward, change.forward))
    check_witnesses(back_report, new, old)


def test_pattern_change_is_decided_by_automata() -> None:
    old, new = root({"type": "string", "pattern": "^a+$"}), root({"type": "string", "pattern": "^(a|b)+$"})
    assert compare.verdicts_documents(old, new) == (C, B)
    report = compare.diff_documents(old, new)
    assert (report.backward, report.forward) == (C, B)
    assert check_witnesses(report, old, new) == 1  # "b" is valid under NEW only


def test_undecided_pattern_change_is_breaking_and_says_so() -> None:
    old, new = root({"type": "string", "pattern": "^(a)\\1$"}), root({"type": "string", "pattern": "^(a|b)+$"})
    verdicts = compare.verdicts_documents(old, new)
    assert verdicts[0] is U
    change = find(compare.diff_documents(old, new, witnesses=False), "pattern-changed")
    assert change.backward is U and change.backward.breaks


def test_draft04_exclusive_maximum_equals_its_2020_form() -> None:
    old = root({"type": "number", "maximum": 10, "exclusiveMaximum": True}, "http://json-schema.org/draft-04/schema#")
    new = root({"type": "number", "exclusiveMaximum": 10})
    report = compare.diff_documents(old, new)
    assert (report.backward, report.forward) == (C, C)
    assert {c.rule for c in report.changes} == {"schema-dialect-changed"}


def test_definitions_to_defs_and_dialect_change_no_verdict() -> None:
    old = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://a/x.json",
        "type": "object",
        "properties": {"f": {"$ref": "#/definitions/F"}},
        "definitions": {"F": {"type": "integer"}},
    }
    new = {
        "$schema": D2020,
        "$id": "https://a/y.json",
        "type": "object",
        "properties": {"f": {"$ref": "#/$defs/F"}},
        "$defs": {"F": {"type": "integer"}},
    }
    report = compare.diff_documents(old, new)
    assert (report.backward, report.forward) == (C, C)
    assert {c.rule for c in report.changes} == {"schema-dialect-changed", "schema-id-changed"}
    assert all(c.backward is N and c.forward is N for c in report.changes)


def test_renamed_definition_with_same_shape_is_no_data_change() -> None:
    old = {
        "$schema": D2020,
        "type": "object",
        "properties": {"f": {"$ref": "#/$defs/Old"}},
        "$defs": {"Old": {"type": "integer"}},
    }
    new = {
        "$schema": D2020,
        "type": "object",
        "properties": {"f": {"$ref": "#/$defs/New"}},
        "$defs": {"New": {"type": "integer"}},
    }
    report = compare.diff_documents(old, new)
    assert (report.backward, report.forward) == (C, C)
    rules_found = {c.rule: c for c in report.changes}
    assert set(rules_found) == {"definition-renamed", "ref-target-changed"}
    assert rules_found["ref-target-changed"].api is B and rules_found["ref-target-changed"].backward is N


def test_change_inside_a_definition_is_reported_once_with_its_places() -> None:
    defs = {
        "File": {
            "type": "object",
            "properties": {"uid": {"type": "integer"}},
            "required": ["uid"],
            "additionalProperties": False,
        }
    }
    old = {
        "$schema": D2020,
        "type": "object",
        "additionalProperties": False,
        "properties": {"file": {"$ref": "#/$defs/File"}, "target": {"$ref": "#/$defs/File"}},
        "$defs": defs,
    }
    new = copy.deepcopy(old)
    new["$defs"]["File"]["properties"]["uid"] = {"type": "string"}
    report = compare.diff_documents(old, new)
    changed = [c for c in report.changes if c.rule == "type-changed"]
    assert len(changed) == 1
    assert changed[0].definition == "File" and changed[0].old_pointer == "/$defs/File/properties/uid/type"
    assert changed[0].reached_from == ("/properties/file", "/properties/target")
    assert check_witnesses(report, old, new) == 2
    event = changed[0].witnesses[0].event
    assert isinstance(event, dict) and ("file" in event or "target" in event)


def test_recursive_definitions_terminate_and_find_the_change() -> None:
    node = {
        "type": "object",
        "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
    }
    old = {"$schema": D2020, "$ref": "#/$defs/Node", "$defs": {"Node": node}}
    new = copy.deepcopy(old)
    new["$defs"]["Node"]["properties"]["v"]["maximum"] = 5
    report = compare.diff_documents(old, new)
    assert report.backward is B and report.forward is C
    assert [c.rule for c in report.changes] == ["maximum-tightened"]
    assert compare.verdicts_documents(old, old) == (N, N)


def test_unreferenced_definition_removed_is_an_api_break_only() -> None:
    old = {
        "$schema": D2020,
        "type": "object",
        "$defs": {"Gone": {"type": "object", "properties": {"a": {"type": "integer"}}}},
    }
    new = {"$schema": D2020, "type": "object", "$defs": {}}
    report = compare.diff_documents(old, new)
    change = find(report, "definition-removed")
    assert (change.backward, change.forward, change.api) == (N, N, B)
    assert (report.backward, report.forward, report.api) == (N, N, B)  # no event changes


def test_unreachable_definition_change_has_no_wire_effect() -> None:
    old = {"$schema": D2020, "type": "object", "$defs": {"Unused": {"type": "integer"}}}
    new = {"$schema": D2020, "type": "object", "$defs": {"Unused": {"type": "string"}}}
    change = find(compare.diff_documents(old, new), "type-changed")
    assert (change.backward, change.forward) == (N, N)


def test_annotations_are_documentation_only() -> None:
    old = root({"type": "string", "description": "a", "title": "t", "examples": ["x"], "default": "d"})
    new = root({"type": "string", "description": "b", "title": "u", "examples": ["y"], "default": "e"})
    report = compare.diff_documents(old, new)
    assert {c.rule for c in report.changes} == {
        "description-changed",
        "title-changed",
        "examples-changed",
        "default-changed",
    }
    assert all((c.backward, c.forward, c.api) == (N, N, N) for c in report.changes)
    assert (report.backward, report.forward) == (C, C)


def test_key_order_is_no_change() -> None:
    old = root({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}})
    new = json.loads(json.dumps(old))
    new["properties"]["x"]["properties"] = {"b": {"type": "string"}, "a": {"type": "integer"}}
    report = compare.diff_documents(old, new)
    assert report.changes == () and (report.backward, report.forward) == (N, N)


def test_messages_come_from_the_catalogue_and_name_the_place() -> None:
    old, new = (
        root({"type": "object", "properties": {"a": {}}}),
        root({"type": "object", "properties": {"a": {}}, "required": ["a"]}),
    )
    change = find(compare.diff_documents(old, new), "required-property-added")
    assert rules.message(change) == "(root).x.a: required property a added"


def test_shipped_v12_to_v13_three_classics() -> None:
    from cwscodegen.store.snapshots import load_snapshot

    report = compare.diff(load_snapshot(SHIPPED, "v12"), load_snapshot(SHIPPED, "v13"))
    required = [c for c in report.changes if c.rule == "required-property-added"]
    assert sorted(c.property or "" for c in required) == ["agent", "title"]
    assert all(c.backward is B and c.witnesses for c in required)
    added = [c for c in report.changes if c.rule == "property-added"]
    assert added and all((c.backward, c.forward) == (C, B) for c in added)
    assert report.backward is B

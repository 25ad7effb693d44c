"""Set inclusion, keyword by keyword: YES only with a proof, NO where `sub` plainly allows more,
UNKNOWN where the question is out of reach (non-regular patterns, non-monotone combinators).

Every YES case here is also checked the other way round (a NO or UNKNOWN is expected where the
two schemas differ), and a few NO cases carry the value that proves them, checked by a validator.
"""

from __future__ import annotations

from typing import Any

import pytest

from cwscodegen.engine.inclusion import NO, UNKNOWN, YES, Answer, Inclusion
from cwscodegen.engine.normalize import PairIndex, prepare
from cwscodegen.store.validators import make_validator

D07 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def includes(sub: Any, sup: Any, draft: str = D2020) -> Answer:
    def doc(schema: Any) -> Any:
        return {"$schema": draft, **schema} if isinstance(schema, dict) else schema

    a, b = prepare(doc(sub), "sub"), prepare(doc(sup), "sup")
    return Inclusion(PairIndex(a, b)).includes(a.root, b.root)


CASES: list[tuple[Any, Any, Answer, Any]] = [
    # (sub, sup, answer, a value sub accepts and sup rejects when the answer is NO)
    ({"type": "integer"}, {"type": "number"}, YES, None),
    ({"type": "number"}, {"type": "integer"}, NO, 0.5),
    ({"type": "number", "multipleOf": 2}, {"type": "integer"}, YES, None),
    ({"type": "string"}, True, YES, None),
    (False, {"type": "string"}, YES, None),
    ({"type": "string"}, False, NO, "a"),
    ({}, {"type": "string"}, NO, 1),
    ({"enum": [1, 2]}, {"type": "integer", "maximum": 2}, YES, None),
    ({"enum": [1, 3]}, {"type": "integer", "maximum": 2}, NO, 3),
    ({"enum": [True]}, {"enum": [1]}, NO, True),
    ({"const": 1.0}, {"enum": [1]}, YES, None),
    ({"type": "boolean"}, {"enum": [True, False]}, YES, None),
    ({"type": "integer", "minimum": 1, "maximum": 3}, {"enum": [1, 2, 3]}, YES, None),
    ({"type": "integer", "minimum": 3}, {"type": "integer", "minimum": 5}, NO, 3),
    ({"type": "integer", "exclusiveMinimum": 2}, {"type": "integer", "minimum": 3}, YES, None),
    ({"type": "number", "exclusiveMaximum": 10}, {"type": "number", "maximum": 10}, YES, None),
    ({"type": "number", "maximum": 10}, {"type": "number", "exclusiveMaximum": 10}, NO, 10),
    ({"type": "number", "multipleOf": 4}, {"type": "number", "multipleOf": 2}, YES, None),
    ({"type": "string", "maxLength": 3}, {"type": "string", "maxLength": 5}, YES, None),
    ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^a"}, YES, None),
    ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}, NO, "a"),
    ({"type": "string", "pattern": "^(a)\\1"}, {"type": "string", "pattern": "^b"}, UNKNOWN, None),
    ({"type": "string"}, {"type": "string", "format": "date-time"}, NO, "x"),
    ({"type": "array", "items": {"type": "integer"}}, {"type": "array", "items": {"type": "number"}}, YES, None),
    (
        {"type": "array", "prefixItems": [{"type": "integer"}], "items": False},
        {"type": "array", "items": {"type": "integer"}},
        YES,
        None,
    ),
    ({"type": "array"}, {"type": "array", "uniqueItems": True}, NO, [1, 1]),
    ({"type": "array", "maxItems": 1}, {"type": "array", "uniqueItems": True}, YES, None),
    (
        {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {}}, "additionalProperties": False},
        YES,
        None,
    ),
    (
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {}}, "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": False},
        NO,
        {"b": 1},
    ),
    ({"type": "object"}, {"type": "object", "properties": {"b": {"type": "integer"}}}, NO, {"b": "x"}),
    ({"type": "object"}, {"type": "object", "required": ["a"]}, NO, {}),
    (
        {"type": "object", "patternProperties": {"^S_": {"type": "string"}, "^I_": {"type": "number"}}},
        {"type": "object", "patternProperties": {"^S_": {"type": "string"}}},
        YES,
        None,
    ),
    (
        {"type": "object", "patternProperties": {"^S_": {"type": "string"}}},
        {"type": "object", "patternProperties": {"^T_": {"type": "string"}}},
        NO,
        {"T_": 1},
    ),
    ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, {"type": ["integer", "string"]}, YES, None),
    ({"type": "integer"}, {"anyOf": [{"type": "string"}, {"type": "number"}]}, YES, None),
    ({"type": "integer"}, {"oneOf": [{"type": "integer"}, {"type": "string"}]}, YES, None),
    ({"type": "integer"}, {"oneOf": [{"type": "integer"}, {"minimum": 0}]}, UNKNOWN, None),
    ({"type": "integer"}, {"not": {"type": "string"}}, YES, None),
    ({"allOf": [{"type": "integer"}, {"minimum": 3}]}, {"type": "integer", "minimum": 0}, YES, None),
    ({"allOf": [{"type": "integer"}, {"minimum": 3}]}, {"type": "integer"}, YES, None),
    (  # nothing else evaluates: unevaluatedProperties means additionalProperties (issue 7)
        {"type": "object", "unevaluatedProperties": False, "properties": {"a": {}}},
        {"type": "object", "unevaluatedProperties": False},
        NO,
        {"a": 1},
    ),
    (  # an allOf branch must pass: the names it evaluates are known, `a` here
        {"type": "object", "unevaluatedProperties": False, "properties": {"a": {}}},
        {"type": "object", "allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False},
        YES,
        None,
    ),
    # a pattern bounds lengths, lengths narrow a pattern (one automaton; `.` refuses "\n")
    ({"type": ["null", "string"], "pattern": ".+"}, {"type": ["string", "null"], "minLength": 1}, YES, None),
    ({"type": "string", "pattern": ".{2,}"}, {"type": "string", "minLength": 2}, YES, None),
    ({"type": "string", "pattern": ".+"}, {"type": "string", "minLength": 2}, NO, "a"),
    ({"type": "string", "pattern": ".{2,}"}, {"type": "string", "minLength": 3}, NO, "ab"),
    ({"type": "string", "minLength": 1}, {"type": "string", "pattern": ".+"}, NO, "\n"),
    ({"maxLength": 5, "pattern": "^(ab)*$"}, {"pattern": "^(ab){0,3}$"}, YES, None),
    ({"maxLength": 7, "pattern": "^(ab)*$"}, {"pattern": "^(ab){0,2}$"}, NO, "ababab"),
    ({"type": "string", "format": "email"}, {"type": "string", "minLength": 1}, UNKNOWN, None),  # not a NO
    ({"type": "string", "pattern": "^(a)\\1$"}, {"type": "string", "minLength": 1}, UNKNOWN, None),
    (  # anyOf: which branches pass depends on the instance in general; not decided
        {"type": "object", "unevaluatedProperties": False, "properties": {"a": {}}},
        {"type": "object", "anyOf": [{"properties": {"a": {}}}, {}], "unevaluatedProperties": False},
        UNKNOWN,
        None,
    ),
]


@pytest.mark.parametrize("sub,sup,answer,proof", CASES, ids=[str(i) for i in range(len(CASES))])
def test_includes(sub: Any, sup: Any, answer: Answer, proof: Any) -> None:
    assert includes(sub, sup) is answer
    if answer is NO and proof is not None:
        assert make_validator({"$schema": D2020, **sub} if isinstance(sub, dict) else sub).is_valid(proof)
        assert not make_validator({"$schema": D2020, **sup} if isinstance(sup, dict) else sup).is_valid(proof)


def test_recursive_references_terminate_by_coinduction() -> None:
    tree = {
        "$ref": "#/$defs/T",
        "$defs": {"T": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/T"}}}}},
    }
    narrower = {
        "$ref": "#/$defs/T",
        "$defs": {
            "T": {
                "type": "object",
                "properties": {"kids": {"type": "array", "maxItems": 2, "items": {"$ref": "#/$defs/T"}}},
            }
        },
    }
    assert includes(tree, tree) is YES
    assert includes(narrower, tree) is YES
    assert includes(tree, narrower) is NO


def test_draft04_boolean_exclusive_maximum() -> None:
    d4 = "http://json-schema.org/draft-04/schema#"
    assert (
        includes({"type": "number", "maximum": 10, "exclusiveMaximum": True}, {"type": "number", "maximum": 10}, d4)
        is YES
    )
    assert (
        includes({"type": "number", "maximum": 10}, {"type": "number", "maximum": 10, "exclusiveMaximum": True}, d4)
        is NO
    )


def test_tuple_items_of_draft07() -> None:
    old = {"type": "array", "items": [{"type": "integer"}, {"type": "integer"}]}
    new = {"type": "array", "items": [{"type": "integer"}]}
    assert includes(old, new, D07) is YES
    assert includes({**new, "additionalItems": False}, old, D07) is YES
    assert includes(old, {**new, "additionalItems": False}, D07) is NO


_STRING_PROBES = ["", "\n", "\r", "a", "ab", "a\n", "abab", "abab\n", "ababab", "x" * 6, "ab" * 4]


@pytest.mark.parametrize(
    "sub,sup",
    [
        (s, p)
        for s, p, answer, _ in CASES
        if answer is YES and isinstance(s, dict) and isinstance(p, dict) and "pattern" in {**s, **p}
    ],
)
def test_proven_string_inclusions_on_boundary_strings(sub: Any, sup: Any) -> None:
    """Each YES on patterns and lengths, checked by the validators on the strings at the edges."""
    old, new = make_validator({"$schema": D2020, **sub}), make_validator({"$schema": D2020, **sup})
    accepted = [text for text in _STRING_PROBES if old.is_valid(text)]
    assert accepted
    assert all(new.is_valid(text) for text in accepted), accepted

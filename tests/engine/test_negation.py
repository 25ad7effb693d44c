"""`not` in the normal form: the complement of one type with one bound, of an empty schema, and
of a listed value where the including side rejects only a value or two.

Each case holding is also checked on boundary documents (every one the included side accepts, the
including side accepts); each case not holding carries a document that the included side accepts
and the including side rejects, checked with the project's validator, and must not be called YES.
"""

from __future__ import annotations

from typing import Any

import pytest

from cwscodegen.engine.inclusion import YES, Answer, Inclusion
from cwscodegen.engine.normalize import PairIndex, prepare
from cwscodegen.store.validators import make_validator

D04 = "http://json-schema.org/draft-04/schema#"
D07 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"

NUMBERS: list[Any] = [0, -0.0, 1, 1.0, 1.5, 2, 2.0, 2.5, 3, -1]
OTHERS: list[Any] = [None, True, False, "", "a", "ab", "\n", [], [1], [1, 2], {}, {"a": 1}, {"a": 1, "b": 2}]
BOUNDARY = NUMBERS + OTHERS

STRING_UPTO_1 = {"allOf": [{"type": "string"}, {"not": {"type": "string", "minLength": 2}}]}
NOTHING = {"allOf": [{"type": "string"}, {"type": "boolean"}]}

# (sub, sup, drafts) where every value of sub is a value of sup
HOLDS: list[tuple[Any, Any, tuple[str, ...]]] = [
    (STRING_UPTO_1, {"type": "string", "maxLength": 1}, (D04, D2020)),
    ({"type": "string", "maxLength": 1}, STRING_UPTO_1, (D04, D2020)),
    ({"not": {"minLength": 2}}, {"type": "string", "maxLength": 1}, (D07, D2020)),
    ({"type": "string", "maxLength": 1}, {"not": {"minLength": 2}}, (D07, D2020)),
    ({"not": {"type": "array", "maxItems": 1}}, {"not": {"type": "array", "maxItems": 0}}, (D2020,)),
    ({"type": "object", "maxProperties": 0}, {"not": {"type": "object", "minProperties": 1}}, (D2020,)),
    ({"type": "number", "exclusiveMaximum": 2}, {"not": {"type": "number", "minimum": 2}}, (D07, D2020)),
    ({"type": "number", "maximum": 2, "exclusiveMaximum": True}, {"not": {"type": "number", "minimum": 2}}, (D04,)),
    (
        {"type": "number", "maximum": 2},
        {"not": {"type": "number", "minimum": 2, "exclusiveMinimum": True}},
        (D04,),
    ),
    ({"type": "integer", "maximum": 1}, {"not": {"type": "integer", "minimum": 2}}, (D04, D07, D2020)),
    ({"type": ["string", "null"]}, {"not": {"type": "integer", "minimum": 2}}, (D04, D2020)),
    ({"not": {"type": "string", "minLength": 0}}, {"not": {"type": "string"}}, (D2020,)),
    ({"not": {"enum": [""]}}, {"minLength": 1}, (D04, D2020)),
    ({"type": "string", "not": {"enum": [""]}}, {"minLength": 1}, (D04, D2020)),
    ({"type": "string", "not": {"enum": [""]}}, {"type": "string", "minLength": 1}, (D2020,)),
    ({"not": {"enum": [[], "x"]}}, {"minItems": 1}, (D2020,)),
    ({"not": {"const": {}}}, {"minProperties": 1}, (D07,)),
    ({}, {"not": NOTHING}, (D04, D2020)),
    ({"not": NOTHING}, {}, (D2020,)),
    ({"not": True}, {"type": "string"}, (D2020,)),
]

# (sub, sup, draft, a document sub accepts and sup rejects)
FAILS: list[tuple[Any, Any, str, Any]] = [
    ({"type": "string", "maxLength": 2}, STRING_UPTO_1, D2020, "ab"),
    (STRING_UPTO_1, {"type": "string", "maxLength": 0}, D2020, "a"),
    ({"not": {"minLength": 2}}, {"type": "string", "maxLength": 0}, D2020, "a"),
    ({"type": "number", "maximum": 2}, {"not": {"type": "number", "minimum": 2}}, D2020, 2),
    ({"type": "number", "maximum": 2}, {"not": {"type": "number", "minimum": 2}}, D04, 2.0),
    ({"not": {"type": "integer", "minimum": 2}}, {"type": "integer", "maximum": 1}, D2020, 1.5),
    ({"not": {"type": "integer", "minimum": 2}}, {"not": {"type": "number", "minimum": 2}}, D04, 2.0),
    ({"not": {"type": "integer", "minimum": 2}}, {"not": {"type": "number", "minimum": 2}}, D2020, 2.5),
    ({"not": {"type": "integer", "minimum": 2}}, {"type": ["string", "integer"]}, D2020, None),
    ({"not": {"enum": ["a"]}}, {"minLength": 1}, D2020, ""),
    ({"not": {"enum": [""]}}, {"minLength": 2}, D2020, "a"),
    ({"not": {"enum": [""]}}, {"type": "string", "minLength": 1}, D2020, None),
    ({"not": {"enum": [[]]}}, {"minItems": 1, "minLength": 1}, D2020, ""),
    ({}, {"not": {"allOf": [{"type": "number"}, {"type": "integer"}]}}, D2020, 1),
    ({}, {"not": {}}, D2020, None),
]


def with_draft(schema: Any, draft: str) -> Any:
    return {"$schema": draft, **schema} if isinstance(schema, dict) else schema


def includes(sub: Any, sup: Any, draft: str) -> Answer:
    a, b = prepare(with_draft(sub, draft), "sub"), prepare(with_draft(sup, draft), "sup")
    return Inclusion(PairIndex(a, b)).includes(a.root, b.root)


@pytest.mark.parametrize("sub,sup,drafts", HOLDS)
def test_inclusion_holds(sub: Any, sup: Any, drafts: tuple[str, ...]) -> None:
    for draft in drafts:
        old, new = make_validator(with_draft(sub, draft)), make_validator(with_draft(sup, draft))
        assert all(new.is_valid(v) for v in BOUNDARY if old.is_valid(v)), "the label is wrong"
        assert includes(sub, sup, draft) is YES, draft


@pytest.mark.parametrize("sub,sup,draft,witness", FAILS)
def test_inclusion_fails(sub: Any, sup: Any, draft: str, witness: Any) -> None:
    assert make_validator(with_draft(sub, draft)).is_valid(witness)
    assert not make_validator(with_draft(sup, draft)).is_valid(witness)
    assert includes(sub, sup, draft) is not YES


def test_draft04_integer_complement_holds_two_point_zero() -> None:
    """`not {type: integer, minimum: 2}` keeps `2.0` in draft-04 only (not an integer there)."""
    schema = {"not": {"type": "integer", "minimum": 2}}
    assert make_validator(with_draft(schema, D04)).is_valid(2.0)
    assert not make_validator(with_draft(schema, D2020)).is_valid(2.0)
    only_two = {"type": "number", "minimum": 2, "maximum": 2}
    assert includes(only_two, schema, D04) is not YES  # 2 itself
    assert includes({"enum": [1.5, "x", None]}, schema, D04) is YES

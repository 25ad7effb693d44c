"""`$dynamicRef`/`$recursiveRef` read as `$ref`, and `unevaluated*` beside `allOf`/`$ref` (issue 7).

Every verdict here is checked against jsonschema (`make_validator`): a "compatible" direction on
the boundary values of both schemas (names of every branch, `"\\n"`, `{}`, `[]`, every type), a
"breaking" one on its witnesses. jsonschema's 2019-09 `unevaluatedProperties` departs from the
draft (it takes the keys of an object `additionalProperties`/`unevaluatedProperties` schema for
property names), so those cases must stay undecided: the tests show both readings on a document.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from cwscodegen.engine import compare
from cwscodegen.engine.changes import Direction, Effect
from cwscodegen.engine.normalize import prepare
from cwscodegen.errors import UserError
from cwscodegen.store.refs import Resolver
from cwscodegen.store.validators import make_validator
from tests.engine.boundary import boundary_values

S2019 = "https://json-schema.org/draft/2019-09/schema"
S2020 = "https://json-schema.org/draft/2020-12/schema"
STRING = {"type": "string"}
NODE = {
    "type": "object",
    "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}},
}
TREE = {"$schema": S2020, "$dynamicAnchor": "node", **NODE}
TREE_REF = {
    "$schema": S2020,
    **NODE,
    "properties": {**NODE["properties"], "children": {"type": "array", "items": {"$ref": "#"}}},
}
RECURSIVE = {
    "$schema": S2019,
    "$recursiveAnchor": True,
    "type": "object",
    "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$recursiveRef": "#"}}},
}
DEEP = [{"value": 1, "children": [{"value": 2, "children": [{"value": v}]}]} for v in (-1, 0, 1.0, "x", None)]


def valid(schema: Any, instance: Any) -> bool:
    return bool(make_validator(schema).is_valid(instance))


def check(old: Any, new: Any, expected: tuple[Effect, Effect]) -> None:
    """The diff gives `expected`; each compatible direction survives the boundary values (and the
    deep trees), each breaking one shows only witnesses jsonschema confirms."""
    report = compare.diff_documents(old, new)
    same = {Effect.NONE: Effect.COMPATIBLE}  # "no change at all" is compatible too
    assert (same.get(report.backward, report.backward), same.get(report.forward, report.forward)) == expected
    values = [*boundary_values(old, new), *DEEP]
    for effect, (source, target), direction in zip(
        expected, ((old, new), (new, old)), (Direction.BACKWARD, Direction.FORWARD)
    ):
        if not effect.breaks:
            assert all(valid(target, v) for v in values if valid(source, v))
        shown = [w.event for c in report.changes for w in c.witnesses if w.direction is direction]
        assert all(valid(source, e) and not valid(target, e) for e in shown)
        if effect is Effect.BREAKING:
            assert shown


# ------------------------------------------------------------------ $dynamicRef / $recursiveRef
def test_a_dynamic_tree_means_the_same_as_its_ref_tree() -> None:
    check(TREE, TREE_REF, (Effect.COMPATIBLE, Effect.COMPATIBLE))
    assert not valid(TREE, DEEP[3]) and not valid(TREE_REF, DEEP[3])  # the grandchild is checked


def test_narrowing_a_dynamic_tree_breaks_with_a_witness() -> None:
    narrowed = {**TREE, "properties": {**TREE["properties"], "value": {"type": "integer", "minimum": 0}}}
    check(TREE, narrowed, (Effect.BREAKING, Effect.COMPATIBLE))
    assert valid(TREE, DEEP[0]) and not valid(narrowed, DEEP[0])  # -1 three levels down


def test_a_recursive_tree_means_the_same_as_its_ref_tree() -> None:
    children = {"type": "array", "items": {"$ref": "#"}}
    plain = {**RECURSIVE, "properties": {**RECURSIVE["properties"], "children": children}}
    del plain["$recursiveAnchor"]
    check(RECURSIVE, plain, (Effect.COMPATIBLE, Effect.COMPATIBLE))
    required = {**RECURSIVE, "required": ["value"]}
    check(RECURSIVE, required, (Effect.BREAKING, Effect.COMPATIBLE))
    assert valid(RECURSIVE, {"children": [{}]}) and not valid(required, {"children": [{"value": 1}]})


def test_a_dynamic_keyword_of_another_draft_is_an_annotation() -> None:
    """`$recursiveRef` is no keyword of 2020-12, `$dynamicRef` none of 2019-09: they assert nothing."""
    defs = {"$defs": {"s": {"$anchor": "s", "type": "string"}}}
    for draft, keyword, reference in ((S2020, "$recursiveRef", "#"), (S2019, "$dynamicRef", "#s")):
        old = {"$schema": draft, **defs, "properties": {"a": {keyword: reference}}}
        new = {"$schema": draft, **defs, "properties": {"a": {}}}
        assert valid(old, {"a": 5})
        assert prepare(old).root.props["a"].is_true
        check(old, new, (Effect.COMPATIBLE, Effect.COMPATIBLE))


def test_ref_and_dynamic_ref_together_both_hold() -> None:
    defs = {"pos": {"$dynamicAnchor": "n", "minimum": 0}, "small": {"maximum": 10}}
    both = {"$schema": S2020, "$defs": defs, "$ref": "#/$defs/small", "$dynamicRef": "#n"}
    inline = {"$schema": S2020, "minimum": 0, "maximum": 10}
    assert [valid(both, v) for v in (-1, 0, 10, 11)] == [False, True, True, False]
    check(both, inline, (Effect.COMPATIBLE, Effect.COMPATIBLE))
    check(both, {"$schema": S2020, "minimum": 1}, (Effect.BREAKING, Effect.BREAKING))  # 0 and 11


def test_an_embedded_resource_keeps_dynamic_references_unread() -> None:
    """With a second resource the dynamic scope could pick another anchor: left unknown."""
    doc = {"$schema": S2020, "$id": "https://e.example/s", "$dynamicRef": "#x"}
    doc["$defs"] = {"a": {"$id": "https://e.example/s", "$dynamicAnchor": "x", "type": "string"}}
    assert "$dynamicRef" in prepare(doc).root.unknown


def test_an_anchor_defined_twice_is_refused() -> None:
    """jsonschema keeps the first anchor it crawls: `#x` means the string one here."""
    defs = {"a": {"$anchor": "x", "type": "string"}, "b": {"$dynamicAnchor": "x", "type": "integer"}}
    doc = {"$schema": S2020, "$defs": defs, "$ref": "#x"}
    assert valid(doc, "s") and not valid(doc, 1)
    with pytest.raises(UserError, match="anchor defined more than once"):
        prepare(doc)


def test_a_recursive_ref_loop_is_refused() -> None:
    loop = {"$schema": S2019, "$recursiveAnchor": True, "allOf": [{"$recursiveRef": "#"}]}
    with pytest.raises(UserError, match="loop back"):
        Resolver(loop, "loop.json").check_all()


# ------------------------------------------------------------------ unevaluated* beside allOf / $ref
FLAT = {"$schema": S2020, "properties": {"a": STRING}, "additionalProperties": False}
BASE = {"$defs": {"base": {"properties": {"a": STRING}}}}
VIA_REF = {"$schema": S2020, **BASE, "$ref": "#/$defs/base", "unevaluatedProperties": False}
VIA_ALLOF = {"$schema": S2020, "allOf": [{"properties": {"a": STRING}}], "unevaluatedProperties": False}


@pytest.mark.parametrize("other", [VIA_REF, VIA_ALLOF], ids=["ref", "allOf"])
def test_a_closed_object_split_into_a_branch_is_the_same_set(other: Any) -> None:
    check(FLAT, other, (Effect.COMPATIBLE, Effect.COMPATIBLE))
    check(other, FLAT, (Effect.COMPATIBLE, Effect.COMPATIBLE))
    assert valid(other, {}) and valid(other, {"a": "s"}) and not valid(other, {"\n": 1})


def test_not_drops_what_its_subschema_evaluates() -> None:
    schema = {"$schema": S2020, "not": {"properties": {"z": STRING}, "required": ["z"]}, "unevaluatedProperties": False}
    assert not valid(schema, {"z": 1})  # `not` passes, but `z` stays unevaluated
    assert "z" not in prepare(schema).root.props


def test_moving_a_property_into_a_ref_reports_no_property_change() -> None:
    """The walk does not report the borrowed `true` member as a type change of `a`."""
    rules = [c.rule for c in compare.diff_documents(FLAT, VIA_REF).changes]
    assert not [r for r in rules if r.startswith(("type-", "property-"))], rules


def test_a_property_added_to_the_base_is_allowed_at_the_node() -> None:
    wider = {**VIA_REF, "$defs": {"base": {"properties": {"a": STRING, "b": {}}}}}
    check(VIA_REF, wider, (Effect.COMPATIBLE, Effect.BREAKING))
    report = compare.diff_documents(VIA_REF, wider)
    at_node = [c for c in report.changes if c.rule == "property-added" and c.details["place"] == "(root).b"]
    assert at_node and at_node[0].forward is Effect.BREAKING and at_node[0].new_pointer == "/$defs/base/properties/b"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # a name only a pattern of the branch evaluates
            {"allOf": [{"patternProperties": {"^x": {}}}], "unevaluatedProperties": False},
            {"patternProperties": {"^x": {}}, "additionalProperties": False},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # the branch evaluates everything: unevaluatedProperties asserts nothing
            {"allOf": [{"additionalProperties": {"type": "integer"}}], "unevaluatedProperties": False},
            {"additionalProperties": {"type": "integer"}},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # a nested unevaluatedProperties evaluates everything too
            {"allOf": [{"unevaluatedProperties": STRING}], "unevaluatedProperties": False},
            {"additionalProperties": STRING},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # `not` drops annotations: `z` stays unevaluated (BACKWARD needs it)
            {
                "type": "object",
                "allOf": [{"properties": {"a": {}}}],
                "not": {"properties": {"z": STRING}, "required": ["z"]},
                "unevaluatedProperties": False,
            },
            {"type": "object", "properties": {"a": {}}, "additionalProperties": False},
            (Effect.COMPATIBLE, Effect.UNDECIDED),  # FORWARD holds, but `not required` is no proof yet
        ),
        (  # the same name in the node and in the branch: both constrain it
            {
                "properties": {"a": {"type": "integer"}},
                "allOf": [{"properties": {"a": {"minimum": 0}}}],
                "unevaluatedProperties": False,
            },
            {"properties": {"a": {"type": "integer", "minimum": 0}}, "additionalProperties": False},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # the "\n" name is evaluated by the branch; others must be integers
            {"allOf": [{"properties": {"\n": STRING}}], "unevaluatedProperties": {"type": "integer"}},
            {"properties": {"\n": STRING}, "additionalProperties": {"type": "integer"}},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # a $ref chain: base2 applies base, which names `a`
            {
                "$defs": {"b1": {"properties": {"a": {}}}, "b2": {"$ref": "#/$defs/b1", "properties": {"b": {}}}},
                "$ref": "#/$defs/b2",
                "unevaluatedProperties": False,
            },
            {"properties": {"a": {}, "b": {}}, "additionalProperties": False},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # unevaluatedProperties added beside allOf: names outside the branch are now refused
            {"allOf": [{"properties": {"a": {}}}]},
            {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False},
            (Effect.BREAKING, Effect.COMPATIBLE),
        ),
        (  # items: the branch's prefixItems evaluate index 1
            {"prefixItems": [STRING], "allOf": [{"prefixItems": [{}, {}]}], "unevaluatedItems": False},
            {"prefixItems": [STRING, {}], "items": False},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # items: a branch `items` evaluates all of them
            {"allOf": [{"items": {"type": "integer"}}], "unevaluatedItems": False},
            {"items": {"type": "integer"}},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # items: a shorter tuple in the branch evaluates less
            {"allOf": [{"prefixItems": [{}, {}]}], "unevaluatedItems": False},
            {"allOf": [{"prefixItems": [{}]}], "unevaluatedItems": False},
            (Effect.BREAKING, Effect.COMPATIBLE),
        ),
    ],
)
def test_unevaluated_beside_allof_and_ref_in_2020_12(old: Any, new: Any, expected: tuple[Effect, Effect]) -> None:
    check({"$schema": S2020, **old}, {"$schema": S2020, **new}, expected)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # the tuple form of 2019-09 in a branch
            {"allOf": [{"items": [{}, {}]}], "unevaluatedItems": False},
            {"items": [{}, {}], "additionalItems": False},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (  # `$recursiveRef` read as `$ref` to the root, which names `a`
            {"properties": {"a": {}, "kid": {"$recursiveRef": "#", "unevaluatedProperties": False}}},
            {"properties": {"a": {}, "kid": {"$ref": "#", "unevaluatedProperties": False}}},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
        (
            {"allOf": [{"properties": {"a": STRING}}], "unevaluatedProperties": False},
            {"properties": {"a": STRING}, "additionalProperties": False},
            (Effect.COMPATIBLE, Effect.COMPATIBLE),
        ),
    ],
)
def test_unevaluated_beside_allof_and_ref_in_2019_09(old: Any, new: Any, expected: tuple[Effect, Effect]) -> None:
    check({"$schema": S2019, **old}, {"$schema": S2019, **new}, expected)


def test_jsonschema_2019_09_takes_schema_keys_for_names_so_those_stay_undecided() -> None:
    """2019-09 in jsonschema: an object `additionalProperties` in a branch evaluates only the
    names that are keys of that schema, and the node's own object `unevaluatedProperties` lets
    through a member named like one of its keys. The draft says otherwise; neither reading may
    be assumed, so the engine leaves these undecided (they were "compatible" before: unsound)."""
    branch = {"allOf": [{"additionalProperties": STRING}], "unevaluatedProperties": False}
    own = {"properties": {"a": {}}, "unevaluatedProperties": STRING}
    closed = {"properties": {"a": {}}, "additionalProperties": STRING, "unevaluatedProperties": False}
    for draft, expected in ((S2019, False), (S2020, True)):
        assert valid({"$schema": draft, **branch}, {"x": "s"}) is expected
        assert valid({"$schema": draft, **own}, {"type": 5}) is not expected
        assert valid({"$schema": draft, **closed}, {"x": "s"}) is expected
    for schema, spec_twin in (
        (branch, {"additionalProperties": STRING}),
        (own, {"properties": {"a": {}}, "additionalProperties": STRING}),
        (closed, {"properties": {"a": {}}, "additionalProperties": STRING}),
    ):
        old, new = {"$schema": S2019, **schema}, {"$schema": S2019, **spec_twin}
        back, fwd = compare.verdicts_documents(old, new)
        assert back.breaks or fwd.breaks, schema
        back20, fwd20 = compare.verdicts_documents({**old, "$schema": S2020}, {**new, "$schema": S2020})
        assert not back20.breaks and not fwd20.breaks, schema  # 2020-12: jsonschema follows the draft


@pytest.mark.parametrize(
    "schema",
    [
        {"anyOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}], "unevaluatedProperties": False},
        {"oneOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False},
        {"if": {"properties": {"a": {}}}, "unevaluatedProperties": False},
        {"dependentSchemas": {"a": {"properties": {"b": {}}}}, "unevaluatedProperties": False},
        {"allOf": [{"anyOf": [{"properties": {"a": {}}}]}], "unevaluatedProperties": False},
        {"allOf": [{"contains": STRING}], "unevaluatedItems": False},
    ],
    ids=["anyOf", "oneOf", "if", "dependentSchemas", "nested-anyOf", "contains"],
)
def test_instance_dependent_evaluation_stays_unknown(schema: Any) -> None:
    node = prepare({"$schema": S2020, **schema}).root
    assert {"unevaluatedProperties", "unevaluatedItems"} & node.unknown.keys()


def test_a_long_ref_chain_is_cut_off() -> None:
    """Past 256 in-place schemas the keyword stays unknown: the cost per node is bounded whatever
    the chain (timings live in benchmarks/pathological_bench.py, not here)."""
    count = 600
    defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}", "properties": {f"p{i}": {}}} for i in range(count)}
    defs[f"d{count}"] = {"type": "object"}
    users = {f"u{i}": {"$ref": f"#/$defs/d{i}", "unevaluatedProperties": False} for i in range(0, count, 10)}
    prep = prepare({"$schema": S2020, "$defs": {**defs, **users}})
    assert "unevaluatedProperties" in prep.defs["u0"].unknown
    near_end = prep.defs[f"u{count - 10}"]
    assert "unevaluatedProperties" not in near_end.unknown  # a short chain is read
    assert set(near_end.props) == {f"p{i}" for i in range(count - 10, count)}


def test_borrowed_members_are_bounded_per_node_and_per_document() -> None:
    """Over 256 members below one node: unknown. 400 nodes sharing a 200-member target would
    borrow 80,000 members: past 65,536 the rest stay unknown (memory linear in the document)."""
    wide = {"properties": {f"p{i}": {} for i in range(300)}}
    doc = {"$schema": S2020, "$defs": {"wide": wide}, "$ref": "#/$defs/wide", "unevaluatedProperties": False}
    assert "unevaluatedProperties" in prepare(doc).root.unknown
    shared = {"properties": {f"p{i}": {} for i in range(200)}}
    users = {f"u{i:03}": {"$ref": "#/$defs/shared", "unevaluatedProperties": False} for i in range(400)}
    prep = prepare({"$schema": S2020, "$defs": {"shared": shared, **users}})
    read = [name for name in users if "unevaluatedProperties" not in prep.defs[name].unknown]
    assert len(read) == (1 << 16) // 200


FAMILY = [
    {"properties": {"a": STRING}, "unevaluatedProperties": False},
    {"allOf": [{"properties": {"a": STRING}}], "unevaluatedProperties": False},
    {"allOf": [{"properties": {"a": STRING}}], "unevaluatedProperties": {"type": "integer"}},
    {"allOf": [{"properties": {"a": STRING}}, {"patternProperties": {"^x": {}}}], "unevaluatedProperties": False},
    {"$ref": "#/$defs/b", "unevaluatedProperties": False},
    {"$ref": "#/$defs/b", "properties": {"c": {}}, "unevaluatedProperties": False},
    {"properties": {"a": STRING}, "additionalProperties": {"type": "string"}},
    {"properties": {"type": {}}, "unevaluatedProperties": {"type": "string"}},
]
FAMILY_DEFS = {"b": {"properties": {"a": STRING, "b": {}}}}
FAMILY_VALUES = [{}, {"a": "s"}, {"a": 1}, {"b": 1}, {"c": 1}, {"x1": 1}, {"\n": 1}, {"type": 5}, {"a": "s", "z": "t"}]


@pytest.mark.parametrize("draft", [S2019, S2020])
def test_every_compatible_verdict_of_a_family_holds_under_jsonschema(draft: str) -> None:
    """All ordered pairs of a small family, both drafts: no "compatible" that jsonschema refutes."""
    docs = [{"$schema": draft, "$defs": FAMILY_DEFS, **schema} for schema in FAMILY]
    decided = 0
    for old, new in itertools.permutations(docs, 2):
        back, _ = compare.verdicts_documents(old, new)
        if back.breaks:
            continue
        decided += 1
        for value in [*FAMILY_VALUES, *boundary_values(old, new)]:
            assert not valid(old, value) or valid(new, value), (old, new, value)
    assert decided >= 4  # the family is not all undecided

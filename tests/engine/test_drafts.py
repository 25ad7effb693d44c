"""Draft-exact semantics, undeclared drafts, 2019-09/2020-12 keywords and bounded cost (issue 7).

One test per case the issue names, with its counterexample document as data; every claimed
counterexample is checked here with jsonschema's own validator for each side's draft, and every
"compatible" claim is probed with the boundary values of `tests/engine/boundary.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cwscodegen.engine import compare
from cwscodegen.engine.changes import Direction, Effect
from cwscodegen.engine.normalize import prepare
from cwscodegen.engine.witnesses import NoValue, minimal
from cwscodegen.errors import UserError
from cwscodegen.store.refs import draft_of
from cwscodegen.store.snapshots import load_snapshot
from tests.conftest import SHIPPED
from tests.engine.boundary import boundary_values

D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
S2020 = "https://json-schema.org/draft/2020-12/schema"
VALIDATORS = {
    "draft4": jsonschema.Draft4Validator,
    "draft6": jsonschema.Draft6Validator,
    "draft7": jsonschema.Draft7Validator,
    "draft2019-09": jsonschema.Draft201909Validator,
    "draft2020-12": jsonschema.Draft202012Validator,
}


def valid(schema: Any, instance: Any, draft: str | None = None) -> bool:
    """jsonschema's verdict under `draft` (default: the one the schema declares, http or https)."""
    return bool(VALIDATORS[draft or draft_of(schema)](schema).is_valid(instance))


def witnesses(report: Any, direction: Direction) -> list[Any]:
    return [w.event for c in report.changes for w in c.witnesses if w.direction is direction]


# ------------------------------------------------------------------ integers across drafts


PID_1_0 = {"process": {"pid": 1.0, "uid": 0, "gid": 0}}


def test_v5_to_v6_forward_breaks_with_the_issues_event() -> None:
    """The tool contradicted itself: `validate` accepts this event under v6, rejects it under v5."""
    v5, v6 = load_snapshot(SHIPPED, "v5"), load_snapshot(SHIPPED, "v6")
    assert valid(v6.document, PID_1_0) and not valid(v5.document, PID_1_0)
    report = compare.diff(v5, v6)
    assert report.forward is Effect.BREAKING and not report.backward.breaks
    found = witnesses(report, Direction.FORWARD)
    assert found and all(valid(v6.document, e) and not valid(v5.document, e) for e in found)


def test_cli_diff_v5_v6_forward_exits_1_with_a_float_integer(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.test_cli_diff import run

    code, out, _ = run(["diff", "v5", "v6", "--mode", "forward", "--schemas", str(SHIPPED)], capsys)
    assert code == 1
    assert "type widened (integer(draft-04) -> integer)" in out and "1.0 is not of type 'integer'" in out


@pytest.mark.parametrize("value", [1.0, 0.0, -0.0, 2.0**53])
def test_draft04_integer_rejects_integral_floats(value: float) -> None:
    old, new = {"$schema": D4, "type": "integer"}, {"$schema": S2020, "type": "integer"}
    assert valid(new, value) and not valid(old, value)
    back, fwd = compare.verdicts_documents(old, new)
    assert back is Effect.COMPATIBLE and fwd.breaks


def test_same_schema_in_two_drafts_is_not_structurally_equal() -> None:
    old, new = prepare({"$schema": D4, "type": "integer"}), prepare({"$schema": S2020, "type": "integer"})
    assert old.root.sem != new.root.sem


def test_enum_of_1_accepts_1_0_so_it_is_not_within_draft04_integer() -> None:
    old = {"$schema": D4, "properties": {"p": {"enum": [1]}}}
    new = {"$schema": D4, "properties": {"p": {"type": "integer"}}}
    assert valid(old, {"p": 1.0}) and not valid(new, {"p": 1.0})
    report = compare.diff_documents(old, new)
    assert report.backward is Effect.BREAKING
    assert {"p": 1.0} in witnesses(report, Direction.BACKWARD)


def test_whole_multiple_of_is_not_a_draft04_integer_but_is_a_later_one() -> None:
    step = {"$schema": S2020, "type": "number", "multipleOf": 1}
    assert compare.verdicts_documents(step, {"$schema": S2020, "type": "integer"})[0] is Effect.COMPATIBLE
    back, _ = compare.verdicts_documents(step, {"$schema": D4, "type": "integer"})
    assert back.breaks and valid(step, 3.0) and not valid({"$schema": D4, "type": "integer"}, 3.0)


# ------------------------------------------------------------------ minContains / maxContains


def test_min_contains_raised_breaks_backward_with_one_number() -> None:
    old = {"$schema": S2020, "type": "array", "contains": {"type": "number"}, "minContains": 1}
    new = {**old, "minContains": 2}
    assert valid(old, [0]) and not valid(new, [0])
    report = compare.diff_documents(old, new)
    assert report.backward is Effect.BREAKING and report.forward is Effect.COMPATIBLE
    assert all(valid(old, e) and not valid(new, e) for e in witnesses(report, Direction.BACKWARD))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"minContains": 2}, {"minContains": 1}),
        ({"maxContains": 2}, {"maxContains": 3}),
        ({"minContains": 2, "maxContains": 2}, {"minContains": 1, "maxContains": 4}),
        ({"maxItems": 2}, {"maxContains": 2}),
    ],
)
def test_looser_contains_counts_are_compatible_and_hold(old: dict[str, Any], new: dict[str, Any]) -> None:
    base = {"$schema": S2020, "type": "array", "contains": {"type": "integer"}}
    a, b = {**base, **old}, {**base, **new}
    assert compare.verdicts_documents(a, b)[0] is Effect.COMPATIBLE
    for instance in boundary_values(a, b):
        if valid(a, instance):
            assert valid(b, instance), instance


def test_min_contains_is_an_annotation_in_draft07() -> None:
    old = {"$schema": D7, "type": "array", "contains": {"type": "number"}, "minContains": 1}
    assert compare.verdicts_documents(old, {**old, "minContains": 2}) == (Effect.COMPATIBLE, Effect.COMPATIBLE)
    assert valid({**old, "minContains": 2}, [0])


def test_dependent_required_in_2020_12_is_decided() -> None:
    old = {"$schema": S2020, "type": "object"}
    new = {**old, "dependentRequired": {"a": ["b"]}}
    report = compare.diff_documents(old, new)
    assert report.backward is Effect.BREAKING
    assert all(valid(old, e) and not valid(new, e) for e in witnesses(report, Direction.BACKWARD))


def test_unevaluated_properties_is_never_silently_ignored() -> None:
    old = {"$schema": S2020, "type": "object", "properties": {"a": {}}}
    new = {**old, "unevaluatedProperties": False}
    back, fwd = compare.verdicts_documents(old, new)
    assert back.breaks and fwd is Effect.COMPATIBLE


# ------------------------------------------------------------------ documents without $schema


def test_undeclared_dependencies_change_breaks_for_draft07_readers() -> None:
    """Read as 2020-12 only, `dependencies` is an annotation and the change looked harmless."""
    old, new = {"type": "object", "dependencies": {"a": ["b"]}}, {"type": "object"}
    report = compare.diff_documents(old, new)
    assert report.forward is Effect.BREAKING
    assert "both read as draft-07" in report.readings and "both read as 2020-12" in report.readings
    change = next(c for c in report.changes if c.rule.startswith("dependencies"))
    assert change.reading is not None and "draft-07" in change.reading and "2020-12" not in change.reading
    for event in witnesses(report, Direction.FORWARD):
        assert valid(new, event, "draft7") and not valid(old, event, "draft7")
    pinned = compare.diff_documents(old, new, default_draft="draft2020-12")
    assert pinned.forward is Effect.COMPATIBLE and pinned.readings == ("both read as 2020-12",)


def test_undeclared_tuple_items_get_an_answer_not_a_refusal() -> None:
    old = {"type": "array", "items": [{"type": "string"}]}
    new = {"type": "array", "items": [{"type": "integer"}]}
    report = compare.diff_documents(old, new)
    assert report.backward is Effect.BREAKING and report.forward is Effect.BREAKING
    assert not any("2020-12" in r for r in report.readings)  # 2020-12's meta-schema refuses it


def test_undeclared_boolean_exclusive_minimum_is_read_as_draft04() -> None:
    old = {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    new = {"type": "number", "minimum": 0}
    report = compare.diff_documents(old, new)
    assert report.readings == ("both read as draft-04",)
    assert report.forward is Effect.BREAKING and 0 in witnesses(report, Direction.FORWARD)
    assert valid(new, 0, "draft4") and not valid(old, 0, "draft4")


def test_undeclared_pair_compatible_only_when_every_reading_agrees() -> None:
    old = {"type": "object", "properties": {"n": {"type": "integer"}}}
    new = {"type": "object", "properties": {"n": {"type": "integer", "description": "count"}}}
    assert compare.verdicts_documents(old, new) == (Effect.COMPATIBLE, Effect.COMPATIBLE)
    declared_new = {"$schema": D4, **new}  # a draft-06+ reader of old accepts 1.0; draft-04 new does not
    back, fwd = compare.verdicts_documents(old, declared_new)
    assert back.breaks and fwd is Effect.COMPATIBLE


def test_no_draft_accepts_it_says_which_were_tried() -> None:
    with pytest.raises(UserError, match=r"x.json: not a valid JSON Schema at /type: .*tried draft-04, draft-06, "):
        compare.diff_documents({"type": 5}, {}, old_source="x.json")


def test_default_draft_setting_and_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.test_cli_diff import run

    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "v1.json").write_text(json.dumps({"type": "object", "dependencies": {"a": ["b"]}}))
    (tmp_path / "versions" / "v2.json").write_text(json.dumps({"type": "object"}))
    (tmp_path / "pyproject.toml").write_text('[tool.cwscodegen]\nschemas = "versions"\ndefault-draft = "2020-12"\n')
    import os

    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, out, _ = run(["diff", "v1", "v2", "--mode", "forward", "--no-api"], capsys)
        assert code == 0 and "both read as 2020-12" in out, out
        code, out, _ = run(["diff", "v1", "v2", "--mode", "forward", "--default-draft", "draft-07"], capsys)
        assert code == 1 and "both read as draft-07" in out, out
        code, _, err = run(["diff", "v1", "v2", "--default-draft", "draft-05"], capsys)
        assert code == 2 and "unknown draft 'draft-05'" in err and "\n" not in err.strip()
    finally:
        os.chdir(here)


# ------------------------------------------------------------------ bounded cost


@pytest.mark.parametrize(
    "schema",
    [
        {"$schema": S2020, "type": "array", "minItems": 10**9},
        {"$schema": S2020, "type": "object", "minProperties": 10**9},
        {"$schema": S2020, "type": "string", "minLength": 10**9},
    ],
)
def test_witness_values_are_refused_rather_than_built_huge(schema: dict[str, Any]) -> None:
    with pytest.raises(NoValue):
        minimal(prepare(schema).root)


def test_the_issues_10662_items_schema_gets_a_verdict() -> None:
    old = {"$schema": S2020, "type": "array", "minItems": 10662, "maxItems": 10662}
    new = {"$schema": S2020, "type": "array", "minItems": 10663}
    report = compare.diff_documents(old, new)
    assert report.backward.breaks and report.forward.breaks


def test_too_deep_documents_are_one_line_errors() -> None:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(200):
        node = {"properties": {"a": node}}
    with pytest.raises(UserError, match=r"^deep.json: nested deeper than 160 levels"):
        compare.diff_documents({"$schema": S2020, **node}, {}, old_source="deep.json")


def test_long_enums_are_decided_by_value() -> None:
    old, new = {"$schema": S2020, "enum": list(range(5000))}, {"$schema": S2020, "enum": list(range(1, 5001))}
    report = compare.diff_documents(old, new)
    assert report.backward is Effect.BREAKING and report.forward.breaks
    assert witnesses(report, Direction.BACKWARD) == [0]


OBJ = {"$schema": S2020, "type": "object", "properties": {"a": {}}}
ARR = {"$schema": S2020, "type": "array", "prefixItems": [{"type": "string"}]}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (OBJ, {**OBJ, "unevaluatedProperties": False}, (Effect.BREAKING, Effect.COMPATIBLE)),
        ({**OBJ, "additionalProperties": False}, {**OBJ, "unevaluatedProperties": False}, (Effect.NONE, Effect.NONE)),
        (
            {**OBJ, "unevaluatedProperties": False},
            {**OBJ, "properties": {"a": {}, "b": {}}, "unevaluatedProperties": False},
            (Effect.COMPATIBLE, Effect.BREAKING),
        ),
        ({**ARR, "items": False}, {**ARR, "unevaluatedItems": False}, (Effect.NONE, Effect.NONE)),
        (ARR, {**ARR, "unevaluatedItems": {"type": "integer"}}, (Effect.BREAKING, Effect.COMPATIBLE)),
    ],
)
def test_unevaluated_keywords_are_exact_without_in_place_applicators(
    old: dict[str, Any], new: dict[str, Any], expected: tuple[Effect, Effect]
) -> None:
    report = compare.diff_documents(old, new)
    assert (report.backward, report.forward) == expected
    for index, (source, target) in enumerate(((old, new), (new, old))):
        if not expected[index].breaks:
            assert all(valid(target, v) for v in boundary_values(old, new) if valid(source, v))
        else:
            direction = (Direction.BACKWARD, Direction.FORWARD)[index]
            assert all(valid(source, e) and not valid(target, e) for e in witnesses(report, direction))


def test_unevaluated_beside_allof_counts_the_branch_items() -> None:
    old = {**ARR, "unevaluatedItems": False}
    new = {**old, "allOf": [{"prefixItems": [{}, {}]}]}
    report = compare.diff_documents(old, new)
    assert report.backward is Effect.COMPATIBLE and report.forward is Effect.BREAKING
    assert valid(new, ["s", 5]) and not valid(old, ["s", 5])  # the branch evaluates index 1
    assert all(valid(new, e) and not valid(old, e) for e in witnesses(report, Direction.FORWARD))


def test_unevaluated_with_an_instance_dependent_applicator_stays_cautious() -> None:
    old = {**ARR, "unevaluatedItems": False}
    back, fwd = compare.verdicts_documents(old, {**old, "anyOf": [{"prefixItems": [{}, {}]}, {}]})
    assert back.breaks and fwd.breaks  # undecided: which branch passes decides what is evaluated

"""Large keyword values get the same answers as small ones (speed is measured in
benchmarks/pathological_bench.py, never asserted here).

A 20,000-value enum once took seconds and lost its witnesses to the search budget; long
`anyOf`/`oneOf`/`allOf` lists compared branch with branch. Each test states the answer for a
small pair and checks that a large pair of the same shape gets the same records.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from cwscodegen.engine import compare, inclusion, rules
from cwscodegen.engine.changes import Effect, Report
from cwscodegen.engine.inclusion import NO, UNKNOWN, YES, Inclusion, discriminated_branches
from cwscodegen.engine.normalize import PairIndex, prepare
from cwscodegen.store.validators import make_validator

S2020 = "https://json-schema.org/draft/2020-12/schema"
D4 = "http://json-schema.org/draft-04/schema#"
SMALL, LARGE = 10, 3000

VALUES: dict[str, Callable[[int], Any]] = {
    "integer": lambda i: i,
    "string": lambda i: f"v{i}",
    "object": lambda i: {"k": i},
}


def _enum_pair(kind: str, inside: bool, draft: str, n: int) -> tuple[Any, Any]:
    """OLD lists values 0..n-1, NEW 1..n: value 0 removed, value n added."""
    value = VALUES[kind]
    old: dict[str, Any] = {"enum": [value(i) for i in range(n)]}
    new: dict[str, Any] = {"enum": [value(i) for i in range(1, n + 1)]}
    if inside:
        old = {"type": "object", "properties": {"a": old}, "required": ["a"]}
        new = {"type": "object", "properties": {"a": new}, "required": ["a"]}
    return {"$schema": draft, **old}, {"$schema": draft, **new}


def _records(report: Report) -> list[tuple[Any, ...]]:
    return [
        (c.rule, c.backward, c.forward, c.details["values"], [(w.direction.value, w.event) for w in c.witnesses])
        for c in report.changes
    ]


@pytest.mark.parametrize("draft", [S2020, D4])
@pytest.mark.parametrize("inside", [False, True])
@pytest.mark.parametrize("kind", sorted(VALUES))
def test_an_enum_shifted_by_one_gets_the_same_records_at_any_size(kind: str, inside: bool, draft: str) -> None:
    for n in (SMALL, LARGE):
        report = compare.diff_documents(*_enum_pair(kind, inside, draft, n), witnesses=True)
        removed, added = VALUES[kind](0), VALUES[kind](n)
        at = (lambda v: {"a": v}) if inside else (lambda v: v)
        assert (report.backward, report.forward) == (Effect.BREAKING, Effect.BREAKING), n
        assert _records(report) == [
            ("enum-values-removed", Effect.BREAKING, Effect.COMPATIBLE, [removed], [("backward", at(removed))]),
            ("enum-values-added", Effect.COMPATIBLE, Effect.BREAKING, [added], [("forward", at(added))]),
        ], n
        assert compare.verdicts_documents(*_enum_pair(kind, inside, draft, n)) == (Effect.BREAKING, Effect.BREAKING)


@pytest.mark.parametrize("draft", [S2020, D4])
def test_the_last_value_removed_from_a_large_enum_is_witnessed(draft: str) -> None:
    """The witness search used to try values in list order and spend its budget first."""
    for n in (SMALL, LARGE):
        old = {"$schema": draft, "enum": list(range(n))}
        new = {"$schema": draft, "enum": list(range(n - 1))}
        report = compare.diff_documents(old, new, witnesses=True)
        assert (report.backward, report.forward) == (Effect.BREAKING, Effect.COMPATIBLE)
        assert _records(report) == [
            ("enum-values-removed", Effect.BREAKING, Effect.COMPATIBLE, [n - 1], [("backward", n - 1)])
        ]


def test_plain_enums_compare_as_sets_with_their_numeric_twins() -> None:
    """`1.0` is in `enum: [1]`: a set of canonical forms decides as the validator does."""
    many = list(range(2, 40))
    old = prepare({"$schema": D4, "enum": [1.0, *many]}, "old")
    new = prepare({"$schema": D4, "enum": [1, *many]}, "new")
    fewer = prepare({"$schema": D4, "enum": many}, "fewer")
    inc = Inclusion(PairIndex(old, new))
    assert inc.includes(old.root, new.root) is YES
    assert inc.includes(new.root, old.root) is YES
    assert Inclusion().includes(old.root, fewer.root) is NO
    assert Inclusion().includes(fewer.root, old.root) is YES


TRICKY: list[Any] = [
    0,
    0.0,
    -0.0,
    1,
    1.0,
    True,
    False,
    None,
    2**53,
    2**53 + 1,
    float(2**53),
    0.1,
    "1",
    "",
    "\n",
    [1],
    [1.0],
    [True],
    [],
    {},
    {"a": 1},
    {"a": 1.0},
    {"a": True},
    {"a": [0.0]},
    {"b": 1},
    math.inf,
]


@pytest.mark.parametrize("draft", [S2020, D4])
def test_the_indexed_enum_keyword_decides_and_words_errors_as_jsonschema_does(draft: str) -> None:
    listed = [1, "x", [1.0], {"a": 1}, None, 2**53 + 1, 0.1, -0.0, math.inf, False]
    schema = {"$schema": draft, "enum": listed}
    ours = make_validator(schema)
    theirs = jsonschema.validators.validator_for(schema)(schema)
    for instance in TRICKY + listed:
        assert ours.is_valid(instance) == theirs.is_valid(instance), instance
        assert [e.message for e in ours.iter_errors(instance)] == [e.message for e in theirs.iter_errors(instance)]
    nan = float("nan")  # not JSON; jsonschema calls it equal only to the very same object
    with_nan = {"$schema": draft, "enum": [*listed, nan]}
    for instance in (nan, float("nan")):
        expected = jsonschema.validators.validator_for(with_nan)(with_nan).is_valid(instance)
        assert make_validator(with_nan).is_valid(instance) == expected


def _branches(n: int) -> list[dict[str, Any]]:
    return [{"type": "object", "properties": {"k": {"const": i}}, "required": ["k"]} for i in range(n)]


@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
def test_a_long_branch_list_with_one_branch_removed(keyword: str) -> None:
    for n in (SMALL, 600):
        old = {"$schema": S2020, keyword: _branches(n)}
        new = {"$schema": S2020, keyword: _branches(n)[1:]}
        report = compare.diff_documents(old, new, witnesses=True)
        assert (report.backward, report.forward) == (Effect.BREAKING, Effect.COMPATIBLE), n
        assert [w.event for c in report.changes for w in c.witnesses] == [{"k": 0}], n


def test_tagged_branches_are_recognised_as_disjoint_and_untagged_ones_are_not() -> None:
    prep = prepare({"$schema": S2020, "oneOf": _branches(20)}, "tagged")
    assert discriminated_branches(prep.root.oneof)
    clash = _branches(20) + [{"type": "object", "properties": {"k": {"enum": [3, 99]}}, "required": ["k"]}]
    assert not discriminated_branches(prepare({"$schema": S2020, "oneOf": clash}, "clash").root.oneof)
    open_ = [{**b, "type": ["object", "string"]} for b in _branches(20)]  # a string passes every branch
    assert not discriminated_branches(prepare({"$schema": S2020, "oneOf": open_}, "open").root.oneof)


def test_past_the_step_allowance_a_proof_answers_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound is sound: questions past it are UNKNOWN, never YES."""
    allof = [{"minLength": i} for i in range(30)]
    old = prepare({"$schema": S2020, "type": "string", "allOf": allof}, "old")
    new = prepare({"$schema": S2020, "type": "string", "allOf": allof[:-1]}, "new")
    assert Inclusion().includes(old.root, new.root) is YES
    monkeypatch.setattr(inclusion, "STEP_ALLOWANCE", 0)
    monkeypatch.setattr(inclusion, "STEPS_PER_NODE", 0)
    assert Inclusion().includes(old.root, new.root) is UNKNOWN


def test_a_required_property_dropped_from_a_wide_object_is_witnessed() -> None:
    names = [f"p{i}" for i in range(1500)]
    props = {name: {"type": "string"} for name in names}
    old = {"$schema": S2020, "type": "object", "properties": props, "required": names}
    new = {"$schema": S2020, "type": "object", "properties": props, "required": names[1:]}
    report = compare.diff_documents(old, new, witnesses=True)
    assert (report.backward, report.forward) == (Effect.COMPATIBLE, Effect.BREAKING)
    (witness,) = [w for c in report.changes for w in c.witnesses]
    assert "p0" not in witness.event and len(witness.event) == len(names) - 1


def test_a_message_names_the_first_values_and_the_record_keeps_them_all() -> None:
    old = {"$schema": S2020, "enum": list(range(100))}
    new = {"$schema": S2020, "enum": list(range(100, 200))}
    (removed, added) = compare.diff_documents(old, new, witnesses=False).changes
    assert removed.details["values"] == list(range(100))
    first = ", ".join(str(i) for i in range(rules.LISTED))
    assert rules.message(removed) == f"(root): enum values removed: {first}, ... ({100 - rules.LISTED} more)"
    assert (
        rules.message(replace(added, details={**added.details, "values": [1, 2]})) == "(root): enum values added: 1, 2"
    )


def test_a_document_nested_to_the_engine_limit_gets_an_answer_not_a_recursion_error() -> None:
    def nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
        node = leaf
        for _ in range(depth):
            node = {"type": "object", "properties": {"a": node}, "required": ["a"]}
        return {"$schema": S2020, **node}

    old, new = nested(79, {"type": "string"}), nested(79, {"type": "integer"})
    report = compare.diff_documents(old, new, witnesses=True)
    assert (report.backward, report.forward) == (Effect.BREAKING, Effect.BREAKING)
    assert all(effect.breaks for effect in compare.verdicts_documents(old, new))

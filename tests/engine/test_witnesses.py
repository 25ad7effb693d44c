"""Witness search: minimal values, boundary candidates, embedding and verified witnesses.

Every value is judged by a fresh `make_validator`, never by the code under test, so a heuristic
that builds a wrong value fails here rather than producing a wrong witness later.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.engine.changes import Direction, Witness
from cwscodegen.engine.normalize import Node, Prepared, prepare, synthetic
from cwscodegen.engine.witnesses import (
    NoValue,
    candidates,
    embed,
    find,
    find_document,
    local_witness,
    minimal,
    node_accepts,
)
from cwscodegen.store.validators import make_validator
from tests.conftest import HISTORY, SHIPPED

D7 = "http://json-schema.org/draft-07/schema#"
D4 = "http://json-schema.org/draft-04/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"
FILE_PATH = (("prop", "process"), ("prop", "executable"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def _snapshots() -> list[Path]:
    history = sorted(HISTORY.glob("*.json"))
    return sorted(SHIPPED.glob("v*.json")) + history[::10]


@pytest.fixture(scope="module")
def v15() -> Any:
    return _load(SHIPPED / "v15.json")


@pytest.mark.parametrize("path", _snapshots(), ids=lambda p: p.name)
def test_minimal_is_valid_for_root_and_every_definition(path: Path) -> None:
    document = _load(path)
    prep = prepare(document, path.name)
    event = minimal(prep.root)
    assert make_validator(document).is_valid(event)
    assert prep.defs, "every snapshot has definitions"
    for name, node in prep.defs.items():
        value = minimal(node)
        assert node_accepts(node, value), name
        holder = {k: v for k, v in document.items() if k in ("$schema", "$id", "definitions", "$defs")}
        assert make_validator({**holder, "$ref": f"#{node.pointer}"}).is_valid(value), name


def test_minimal_is_a_fresh_copy_and_respects_keywords() -> None:
    prep = prepare(
        {
            "$schema": D2020,
            "type": "object",
            "required": ["n", "s", "a", "e", "d", "c"],
            "properties": {
                "n": {"type": "integer", "minimum": 7, "multipleOf": 5},
                "s": {"type": "string", "minLength": 3, "pattern": "^[0-9]+$"},
                "a": {"type": "array", "minItems": 2, "uniqueItems": True, "items": {"type": "integer"}},
                "e": {"enum": ["first", "second"]},
                "d": {"type": "string", "format": "date-time"},
                "c": {"anyOf": [{"type": "null"}, {"type": "string"}]},
            },
        }
    )
    value = minimal(prep.root)
    assert value["n"] == 10 and value["e"] == "first" and value["d"] == "2024-01-01T00:00:00Z"
    assert len(value["s"]) >= 3 and value["s"].isdigit()
    assert len(value["a"]) == 2 and value["a"][0] != value["a"][1]
    assert make_validator(prep.document).is_valid(value)
    value["n"] = "changed"
    assert minimal(prep.root)["n"] == 10


def test_minimal_raises_for_unsatisfiable_nodes() -> None:
    prep = prepare({"$schema": D2020, "allOf": [{"type": "string"}, {"type": "integer"}]})
    with pytest.raises(NoValue):
        minimal(prep.root)
    cyclic = prepare(
        {
            "$schema": D2020,
            "$ref": "#/$defs/A",
            "$defs": {"A": {"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/$defs/A"}}}},
        }
    )
    with pytest.raises(NoValue):
        minimal(cyclic.root)


def _schema(draft: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": draft, **body}


OBJ = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
CLASSIC: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("integer-to-string", D2020, {"type": "integer"}, {"type": "string"}),
    ("minimum-3-to-5", D2020, {"type": "integer", "minimum": 3}, {"type": "integer", "minimum": 5}),
    (
        "number-exclusive",
        D4,
        {"type": "number", "minimum": 0},
        {"type": "number", "minimum": 0, "exclusiveMinimum": True},
    ),
    ("maxLength-10-to-5", D2020, {"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 5}),
    ("enum-value-removed", D2020, {"enum": ["a", "b", "c"]}, {"enum": ["a", "c"]}),
    ("pattern-added", D2020, {"type": "string"}, {"type": "string", "pattern": "^[a-z]+$"}),
    ("format-date-time-added", D7, {"type": "string"}, {"type": "string", "format": "date-time"}),
    ("required-key-added", D2020, {**OBJ, "required": ["a"]}, {**OBJ, "required": ["a", "b"]}),
    (
        "property-removed-closed",
        D2020,
        {**OBJ, "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    ),
    ("additional-true-to-false", D2020, {**OBJ, "additionalProperties": True}, {**OBJ, "additionalProperties": False}),
    (
        "uniqueItems-added",
        D2020,
        {"type": "array", "items": {"type": "string"}},
        {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    ),
    (
        "items-type-changed",
        D2020,
        {"type": "array", "items": {"type": "integer"}},
        {"type": "array", "items": {"type": "string"}},
    ),
    (
        "tuple-shortened",
        D7,
        {"type": "array", "items": [{"type": "string"}, {"type": "string"}], "additionalItems": False},
        {"type": "array", "items": [{"type": "string"}], "additionalItems": False},
    ),
    (
        "prefixItems-shortened",
        D2020,
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
        {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
    ),
    ("maxItems-lowered", D2020, {"type": "array", "maxItems": 3}, {"type": "array", "maxItems": 2}),
    ("draft4-integer", D7, {"type": "integer"}, {"$schema": D4, "type": "integer"}),
    ("type-null-dropped", D2020, {"type": ["null", "string"]}, {"type": "string"}),
    (
        "pattern-property-narrowed",
        D2020,
        {"type": "object", "patternProperties": {"^x_": {"type": "integer"}}},
        {"type": "object", "patternProperties": {"^x_": {"type": "integer", "maximum": 10}}},
    ),
]


@pytest.mark.parametrize(("name", "draft", "accept", "reject"), CLASSIC, ids=[c[0] for c in CLASSIC])
def test_local_witness_for_classic_changes(
    name: str, draft: str, accept: dict[str, Any], reject: dict[str, Any]
) -> None:
    accept_doc = _schema(draft, accept)
    reject_doc = _schema(reject.get("$schema", draft), reject)
    found = local_witness(prepare(accept_doc).root, prepare(reject_doc).root)
    assert found is not None, name
    (value,) = found
    assert make_validator(accept_doc).is_valid(value)
    assert not make_validator(reject_doc).is_valid(value)


def test_local_witness_wraps_null_and_reports_none_for_equal_nodes() -> None:
    nullable = prepare(_schema(D2020, {"type": ["null", "boolean"]})).root
    boolean = prepare(_schema(D2020, {"type": "boolean"})).root
    assert local_witness(nullable, boolean) == (None,)
    assert local_witness(boolean, prepare(_schema(D2020, {"type": "boolean"})).root) is None
    narrower = prepare(_schema(D2020, {"type": "integer", "minimum": 0})).root
    wider = prepare(_schema(D2020, {"type": "number"})).root
    assert local_witness(narrower, wider) is None


def test_candidates_are_deterministic_mostly_valid_and_probe_bounds() -> None:
    node = prepare(_schema(D2020, {"type": "integer", "minimum": 3, "exclusiveMaximum": 9})).root
    first = list(candidates(node))
    assert first == list(candidates(node))
    assert {3, 4, 8} <= set(first) and 9 not in first
    string = prepare(_schema(D2020, {"type": "string", "minLength": 2, "maxLength": 6})).root
    lengths = {len(v) for v in candidates(string)}
    assert {2, 6} <= lengths and max(lengths) == 6
    for path in (SHIPPED / "v15.json", SHIPPED / "v2.json"):
        prep = prepare(_load(path))
        for def_node in list(prep.defs.values())[:10]:
            values = list(candidates(def_node, limit=50))
            assert len(values) <= 50
            assert sum(node_accepts(def_node, v) for v in values) >= len(values) * 0.8


def test_embed_places_a_minimal_file_inside_a_valid_v15_event(v15: Any) -> None:
    prep = prepare(v15, "v15")
    assert prep.root.props["process"].ref == "ProcessContext"
    file_value = minimal(prep.defs["File"])
    events = list(embed(prep.root, FILE_PATH, file_value))
    assert events and len(events) <= 8
    validator = make_validator(v15)
    assert validator.is_valid(events[0])
    assert events[0]["process"]["executable"] == file_value
    assert events == list(embed(prep.root, FILE_PATH, file_value))


def test_embed_through_items_patterns_additional_and_allof() -> None:
    document = _schema(
        D2020,
        {
            "type": "object",
            "required": ["id", "wrap"],
            "properties": {
                "id": {"type": "integer"},
                "list": {"type": "array", "prefixItems": [{"type": "string"}], "items": {"$ref": "#/$defs/Item"}},
                "wrap": {
                    "allOf": [
                        {"type": "object", "required": ["k"], "properties": {"k": {"type": "boolean"}}},
                        {"properties": {"inner": {"$ref": "#/$defs/Item"}}},
                    ]
                },
            },
            "patternProperties": {"^tag_[a-z]+$": {"type": "string"}},
            "additionalProperties": {"type": "number"},
            "$defs": {"Item": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
        },
    )
    prep = prepare(document)
    validator = make_validator(document)
    cases = [
        ([("prop", "list"), ("item", "*"), ("prop", "name")], "n"),
        ([("prop", "list"), ("item", 0)], "s"),
        ([("prop", "wrap"), ("prop", "inner"), ("prop", "name")], "deep"),
        ([("pattern", "^tag_[a-z]+$")], "tag"),
        ([("additional", "")], 1.5),
    ]
    for steps, value in cases:
        events = list(embed(prep.root, steps, value))
        assert events, steps
        assert validator.is_valid(events[0]), (steps, events[0])
    event = next(iter(embed(prep.root, [("prop", "list"), ("item", "*"), ("prop", "name")], "n")))
    assert event["list"][1] == {"name": "n"}


def _mutated(v15: Any, edit: Any) -> tuple[Prepared, Prepared]:
    new = copy.deepcopy(v15)
    edit(new)
    return prepare(v15, "v15"), prepare(new, "v15-mutated")


def _check(witness: Witness | str, accepting: Any, rejecting: Any) -> Witness:
    assert isinstance(witness, Witness), witness
    assert witness.verified
    assert make_validator(accepting).is_valid(witness.event)
    assert not make_validator(rejecting).is_valid(witness.event)
    return witness


def test_find_type_change_in_file_both_directions(v15: Any) -> None:
    def edit(doc: Any) -> None:
        doc["$defs"]["File"]["properties"]["uid"] = {"type": "string"}

    old, new = _mutated(v15, edit)
    paths = [(*FILE_PATH, ("prop", "uid")), (("prop", "file"), ("prop", "destination"), ("prop", "uid"))]
    old_uid, new_uid = old.defs["File"].props["uid"], new.defs["File"].props["uid"]
    started = time.perf_counter()
    backward = _check(find(Direction.BACKWARD, old, new, old_uid, new_uid, paths), old.document, new.document)
    elapsed = time.perf_counter() - started
    assert (backward.direction, backward.accepted_by, backward.rejected_by) == (Direction.BACKWARD, "old", "new")
    assert isinstance(backward.event["process"]["executable"]["uid"], int)
    assert backward.error.startswith("/process/executable/uid: ")
    assert elapsed < 2.0  # generous on a loaded machine; ~10 ms normally
    forward = _check(find(Direction.FORWARD, new, old, new_uid, old_uid, paths), new.document, old.document)
    assert (forward.accepted_by, forward.rejected_by) == ("new", "old")
    assert isinstance(forward.event["process"]["executable"]["uid"], str)


def test_find_when_the_place_is_gone_on_the_rejecting_side(v15: Any) -> None:
    old, new = _mutated(v15, lambda doc: doc["$defs"]["File"]["properties"].pop("user"))
    place = old.defs["File"].props["user"]
    true = synthetic(new, True, {})
    paths = [(*FILE_PATH, ("prop", "user"))]
    witness = _check(find(Direction.BACKWARD, old, new, place, true, paths), old.document, new.document)
    assert "user" in witness.event["process"]["executable"]
    assert "Additional properties" in witness.error or "user" in witness.error


def test_find_required_added_at_root_and_find_document(v15: Any) -> None:
    old, new = _mutated(v15, lambda doc: doc["required"].append("date"))
    witness = _check(find(Direction.BACKWARD, old, new, old.root, new.root, [()]), old.document, new.document)
    assert witness.error == "/: 'date' is a required property"
    document_witness = _check(find_document(Direction.BACKWARD, old, new), old.document, new.document)
    assert "date" not in document_witness.event
    assert isinstance(find_document(Direction.FORWARD, new, old), str)


def test_find_returns_reasons_without_a_difference(v15: Any) -> None:
    prep = prepare(v15, "v15")
    same = prepare(copy.deepcopy(v15), "v15-copy")
    node: Node = prep.defs["File"].props["uid"]
    paths = [(*FILE_PATH, ("prop", "uid"))]
    reason = find(Direction.BACKWARD, prep, same, node, same.defs["File"].props["uid"], paths)
    assert isinstance(reason, str) and reason
    assert isinstance(find(Direction.BACKWARD, prep, same, node, node, []), str)
    assert isinstance(find_document(Direction.BACKWARD, prep, same), str)


def test_find_on_a_small_draft4_schema_with_an_enum_removed() -> None:
    old_doc = _schema(
        D4,
        {
            "type": "object",
            "required": ["kind"],
            "additionalProperties": False,
            "properties": {
                "kind": {"enum": ["open", "exec", "exit"]},
                "list": {"type": "array", "items": {"$ref": "#/definitions/K"}},
            },
            "definitions": {"K": {"enum": ["open", "exec", "exit"]}},
        },
    )
    new_doc = copy.deepcopy(old_doc)
    new_doc["definitions"]["K"]["enum"] = ["open", "exit"]
    old, new = prepare(old_doc), prepare(new_doc)
    witness = find(Direction.BACKWARD, old, new, old.defs["K"], new.defs["K"], [[("prop", "list"), ("item", "*")]])
    witness = _check(witness, old_doc, new_doc)
    assert witness.event["list"] == ["exec"]
    assert witness.error.startswith("/list/0: ")


def test_find_through_one_of_and_a_conditional_sibling() -> None:
    """The place sits in the second `oneOf` branch, and setting it triggers an `if`/`then` on a
    sibling member: the embedding must pick the right branch and repair the sibling."""
    old_doc = _schema(
        D2020,
        {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["kind", "a"],
                    "additionalProperties": False,
                    "properties": {"kind": {"const": "A"}, "a": {"type": "integer", "minimum": 1}},
                },
                {
                    "type": "object",
                    "required": ["kind", "b"],
                    "additionalProperties": False,
                    "properties": {"kind": {"const": "B"}, "b": {"$ref": "#/$defs/F"}},
                },
            ],
            "$defs": {
                "F": {
                    "type": "object",
                    "required": ["uid"],
                    "properties": {"uid": {"type": "integer"}, "x": {"type": "string"}},
                    "if": {"required": ["x"]},
                    "then": {"properties": {"uid": {"minimum": 5}}},
                }
            },
        },
    )
    new_doc = copy.deepcopy(old_doc)
    new_doc["$defs"]["F"]["properties"]["x"]["maxLength"] = 2
    old, new = prepare(old_doc), prepare(new_doc)
    assert minimal(old.root) == {"kind": "A", "a": 1}
    place = [[("prop", "b"), ("prop", "x")]]
    witness = find(Direction.BACKWARD, old, new, old.defs["F"].props["x"], new.defs["F"].props["x"], place)
    witness = _check(witness, old_doc, new_doc)
    assert witness.event["kind"] == "B" and witness.event["b"]["uid"] >= 5
    assert witness.error.startswith("/b/x: ")


@pytest.mark.parametrize("draft", [D4, D7, D2020])
def test_a_final_newline_is_a_witness_as_validate_reads_the_pattern(draft: str) -> None:
    """Python's `re` finds `^abc$` in "abc\\n", ECMA-262 does not. Witnesses were verified with
    `re`, so this break was called compatible while `validate` rejected the event; now the engine
    finds the event, and it verifies with the validators `validate` uses."""
    from cwscodegen.engine.changes import Effect
    from cwscodegen.engine.compare import diff_documents

    old = {"$schema": draft, "type": "object", "properties": {"code": {"type": "string", "enum": ["abc", "abc\\n"]}}}
    new = {"$schema": draft, "type": "object", "properties": {"code": {"type": "string", "pattern": "^abc$"}}}
    report = diff_documents(old, new)
    assert report.backward is Effect.BREAKING
    witnesses = [w for change in report.changes for w in change.witnesses if w.direction is Direction.BACKWARD]
    assert witnesses and all(w.event == {"code": "abc\\n"} for w in witnesses)
    for witness in witnesses:
        _check(witness, old, new)


def test_a_final_newline_is_tried_where_ecma_dot_refuses_it() -> None:
    """`.` does not match "\\n" under ECMA-262, so `minLength: 1` -> `pattern: ".+"` breaks
    BACKWARD; the witness is a string of newlines, which both validators must confirm."""
    from cwscodegen.engine import compare
    from cwscodegen.engine.changes import Effect
    from cwscodegen.store.validators import make_validator

    dialect = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string"}
    old, new = {**dialect, "minLength": 1}, {**dialect, "pattern": ".+"}
    found = compare.judge_documents(old, new)
    assert found.backward is Effect.BREAKING and found.forward is Effect.COMPATIBLE
    witness = found.witnesses[0]
    assert witness is not None and witness.event == "\n"
    assert make_validator(old).is_valid("\n") and not make_validator(new).is_valid("\n")

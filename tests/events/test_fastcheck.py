"""fastcheck: the compiled yes/no check (jsonschema-rs) must decide exactly what jsonschema
decides, and the pruned/root validators must explain a rejection with exactly jsonschema's first
error."""

from __future__ import annotations

import copy
import json
from functools import partial
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cwscodegen.events import fastcheck
from cwscodegen.events.examples import MUTATIONS, EventGenerator
from cwscodegen.events.fastcheck import fast_check, fast_document, own_keywords_validator, pruned_validator, translate
from cwscodegen.events.validate import SnapshotChecker, keyword_location
from cwscodegen.store.refs import draft_of, pointer
from cwscodegen.store.snapshots import Snapshot, list_versions, load_schema_file
from cwscodegen.store.validators import first_error, make_validator, validator_class
from tests.conftest import HISTORY_SNAPSHOTS as HISTORY_FOLDER
from tests.conftest import SHIPPED

D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def _load(folder: Path) -> list[Snapshot]:
    return [load_schema_file(folder / f"{name}.json", name) for name in list_versions(folder)]


SHIPPED_SNAPSHOTS = _load(SHIPPED)
HISTORY_SNAPSHOTS = _load(HISTORY_FOLDER)


def test_every_shipped_and_historical_snapshot_gets_the_fast_path() -> None:
    assert len(SHIPPED_SNAPSHOTS) == 15 and len(HISTORY_SNAPSHOTS) == 59
    refused = [s.name for s in SHIPPED_SNAPSHOTS + HISTORY_SNAPSHOTS if fast_document(s.document) is None]
    assert refused == []


RS_CLASS = {"draft4": jsonschema_rs.Draft4Validator, "draft2020-12": jsonschema_rs.Draft202012Validator}


@pytest.mark.parametrize("snapshot", SHIPPED_SNAPSHOTS + HISTORY_SNAPSHOTS[::6], ids=lambda s: s.name)
def test_compiled_for_the_snapshots_draft_with_jsonschemas_format_functions(snapshot: Snapshot) -> None:
    """Both drafts of the shipped snapshots: jsonschema-rs's class for that draft, and for
    `date-time` (the only format they use) the function jsonschema's format checker calls."""
    fast = fast_document(snapshot.document)
    assert fast is not None and fast.engine.startswith("jsonschema-rs 0.")
    assert fast.validator_class is RS_CLASS[draft_of(snapshot.document)]
    assert "$schema" not in fast.translation.document()  # the class decides the draft, not a URL
    assert set(fast.formats) == {"date-time"}
    function, raises = validator_class(snapshot.document).FORMAT_CHECKER.checkers["date-time"]
    plugged = fast.formats["date-time"]
    assert isinstance(plugged, partial) and plugged.args == (function, raises)


def test_both_drafts_are_shipped() -> None:
    assert {draft_of(s.document) for s in SHIPPED_SNAPSHOTS} == {"draft4", "draft2020-12"}


# (schema, instance) pairs where the libraries' defaults differ or naive code would slip.
EDGE_CASES: list[tuple[dict[str, Any], list[Any]]] = [
    ({"$schema": D4, "type": "integer"}, [1, 1.0, True, 2**70, -0]),  # draft-04: 1.0 is not an integer
    ({"$schema": D2020, "type": "integer"}, [1, 1.0, 1.5, True, False, 10**30]),  # 2020-12: 1.0 is
    ({"$schema": D2020, "type": "number"}, [1, 1.5, True, None, "1"]),
    ({"$schema": D2020, "type": "boolean"}, [True, 0, 1, "true"]),
    ({"$schema": D2020, "type": ["string", "null"]}, ["a", None, 0, []]),
    (
        {"$schema": D2020, "type": "string", "format": "date-time"},
        [
            "2024-01-01T10:00:00Z",
            "2024-01-01t10:00:00z",
            "2024-01-01T10:00:00.123456789+02:00",
            "2016-12-31T23:59:60Z",  # leap second: rejected by jsonschema, accepted by raw fastjsonschema
            "２024-01-01T10:00:00Z",  # non-ASCII digit: idem
            "2024-13-01T10:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-01-01 10:00:00Z",
            "2024-01-01T10:00Z",
            "2024-01-01T10:00:00+24:00",
            "",
            5,
        ],
    ),
    (
        {"$schema": D4, "type": "string", "format": "date-time"},
        ["2024-01-01T10:00:00Z", "2016-12-31T23:59:60Z", "nope"],
    ),
    ({"$schema": D2020, "type": "string", "format": "not-a-known-format"}, ["anything"]),
    # jsonschema-rs's own formats differ from jsonschema's on each of these: jsonschema's are plugged in
    *[
        ({"$schema": draft, "type": "string", "format": name}, values)
        for draft in (D4, D2020)
        for name, values in {
            "uri": ["not a uri", "http://x"],  # jsonschema asserts uri only with rfc3987 installed
            "duration": ["P1D", "nope"],
            "hostname": ["-bad-", "ok.com"],
            "email": ["a@", "@", "x", "a@b.c"],
            "regex": ["(?P<x>a)", "\\Z", "("],
            "ipv4": ["1.2.3.4", "1.2.3.04", "256.1.1.1"],
            "date": ["2024-02-30", "2024-01-01", "２024-01-01"],
            "time": ["10:00:00Z", "23:59:60Z", "10:00:00"],  # 2020-12: jsonschema-rs accepts the leap second
            "uuid": ["12345678-1234-1234-1234-123456789abc", "12345678123412341234123456789abc"],
        }.items()
    ],
    # the meta-schema refuses these (jsonschema-rs checks it); the translation normalises them
    (
        {"$schema": D4, "type": "object", "required": [], "properties": {"a": {"type": ["string", "string"]}}},
        [{}, {"a": "x"}, {"a": 1}],
    ),
    ({"$schema": D2020, "required": ["a", "a", "b"]}, [{"a": 1, "b": 2}, {"a": 1}, "not an object"]),
    (
        {
            "$schema": D2020,
            "type": "object",
            "required": ["a"],
            "additionalProperties": False,
            "properties": {"a": {"type": "string", "default": "x"}, "b": {"type": "integer"}},
        },
        [{}, {"a": "y"}, {"a": "y", "b": 1}, {"a": "y", "c": 1}, {"b": 1}, []],  # defaults are not filled in
    ),
    (
        {
            "$schema": D2020,
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "properties": {"a": {"type": "string"}},
        },
        [{"a": "x", "z": 1}, {"a": "x", "z": "1"}, {"a": 1}],
    ),
    ({"$schema": D2020, "type": "array", "items": {"type": "integer"}}, [[], [1, 2], [1, "a"], {}]),
    (
        {
            "$schema": D2020,
            "type": "object",
            "additionalProperties": False,
            "properties": {
                n: {"type": "integer"} for n in ("a'b", 'a"b', "a\\b", "a/b", "~0", "", "__class__", "é", "a\nb")
            },
        },
        [
            {"a'b": 1},
            {'a"b': "1"},
            {"a\\b": 1, "a/b": "x"},
            {"~0": 1, "": 2},
            {"__class__": 1, "é": 1.5},
            {"a\nb": 1},
            {"ab": 1},
        ],
    ),
    (  # two definitions differing only in case (fastjsonschema names functions after lower-cased pointers)
        {
            "$schema": D2020,
            "$defs": {"Name": {"type": "string"}, "name": {"type": "integer"}},
            "properties": {"x": {"$ref": "#/$defs/Name"}, "y": {"$ref": "#/$defs/name"}},
        },
        [{"x": "s", "y": 1}, {"x": 1}, {"y": "s"}],
    ),
    (  # recursion, and $defs beside a root $ref
        {
            "$schema": D2020,
            "$ref": "#/$defs/N",
            "$defs": {
                "N": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"c": {"$ref": "#/$defs/N"}, "v": {"type": "integer"}},
                }
            },
        },
        [{"c": {"c": {"v": 1}}}, {"c": {"c": {"v": "x"}}}, {"c": {"d": 1}}],
    ),
    (  # draft-04 ignores the siblings of $ref
        {
            "$schema": D4,
            "definitions": {"S": {"type": "string"}},
            "properties": {"x": {"$ref": "#/definitions/S", "type": "integer"}},
        },
        [{"x": "s"}, {"x": 1}],
    ),
    (  # percent-encoded and escaped pointers
        {
            "$schema": D2020,
            "$defs": {"a b": {"type": "string"}, "c/d": {"type": "integer"}},
            "properties": {"x": {"$ref": "#/$defs/a%20b"}, "y": {"$ref": "#/$defs/c~1d"}},
        },
        [{"x": "s", "y": 1}, {"x": 1}, {"y": "s"}],
    ),
    (  # a description beside a 2020-12 $ref is fine (annotation)
        {
            "$schema": D2020,
            "$defs": {"S": {"type": "string"}},
            "properties": {"x": {"$ref": "#/$defs/S", "description": "d"}},
        },
        [{"x": "s"}, {"x": 1}],
    ),
]


@pytest.mark.parametrize(("schema", "instances"), EDGE_CASES, ids=[f"case{i}" for i in range(len(EDGE_CASES))])
def test_fast_check_decides_like_jsonschema_on_edge_cases(schema: dict[str, Any], instances: list[Any]) -> None:
    fast = fast_check(schema)
    assert fast is not None, "this schema is in the supported subset"
    reference = make_validator(schema)
    for instance in instances:
        assert fast(instance) == reference.is_valid(instance), instance


def test_plugging_jsonschemas_formats_is_what_makes_them_agree() -> None:
    """Raw jsonschema-rs accepts what jsonschema's date-time rejects (a leap second); the fast
    check, which calls jsonschema's function, does not. Neither accepts non-ASCII digits."""
    for draft, cls in ((D4, jsonschema_rs.Draft4Validator), (D2020, jsonschema_rs.Draft202012Validator)):
        schema = {"$schema": draft, "type": "string", "format": "date-time"}
        raw = cls(schema, validate_formats=True)
        fast = fast_check(schema)
        reference = make_validator(schema)
        assert fast is not None
        assert raw.is_valid("2016-12-31T23:59:60Z") and not reference.is_valid("2016-12-31T23:59:60Z")
        assert not fast("2016-12-31T23:59:60Z")
        for stamp in ("２024-01-01T10:00:00Z", "2024-02-30T00:00:00Z"):
            assert not raw.is_valid(stamp) and not reference.is_valid(stamp) and not fast(stamp)
        assert fast("2024-01-01T10:00:00Z") and not fast(5)
        untyped = fast_check({"$schema": draft, "format": "date-time"})
        assert untyped is not None and untyped(5) and untyped(None)  # formats judge strings only, in both
        assert make_validator({"$schema": draft, "format": "date-time"}).is_valid(5)


def test_values_jsonschema_rs_cannot_take_are_not_proven_valid_and_jsonschema_decides() -> None:
    """`1e400` parses to inf: a number for jsonschema, nothing jsonschema-rs calls a number. The
    fast check must then say "not proven" (never "valid" when jsonschema says invalid), and the
    verdict is jsonschema's."""
    infinity = json.loads("1e400")
    schema = {"$schema": D2020, "type": "object", "properties": {"n": {"type": "number"}, "s": {"type": "string"}}}
    fast = fast_check(schema)
    reference = make_validator(schema)
    assert fast is not None
    snapshot = Snapshot("x", Path("x.json"), json.dumps(schema), schema)
    checker = SnapshotChecker(snapshot)
    assert not fast({"n": infinity}) and reference.is_valid({"n": infinity})
    assert checker.check({"n": infinity}) is None
    rejection = checker.check({"n": infinity, "s": infinity})
    assert rejection is not None and (rejection.pointer, rejection.message) == ("/s", "inf is not of type 'string'")

    class Text(str):  # not from JSON; jsonschema-rs raises, which must not escape
        pass

    assert fast({"s": Text("x")}) is False and reference.is_valid({"s": Text("x")})


def test_a_schema_jsonschema_rs_cannot_compile_falls_back_to_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    def cannot(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("refused")

    monkeypatch.setitem(fastcheck._RS_CLASSES, "draft2020-12", cannot)
    v15 = next(s for s in SHIPPED_SNAPSHOTS if s.name == "v15")
    assert translate(v15.document) is not None and fast_document(v15.document) is None
    checker = SnapshotChecker(v15)
    assert checker.fast is None
    reference = make_validator(v15.document)
    for event in _events(v15, 5, seed=11):
        expected = first_error(reference, event)
        rejection = checker.check(event)
        assert (rejection is None) == (expected is None)
        if expected is not None and rejection is not None:
            assert (rejection.pointer, rejection.message) == (pointer(*expected.absolute_path), expected.message)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "enum": ["a"]},  # a keyword outside the subset
        {"type": "integer", "minimum": 0},
        {
            "$schema": D2020,
            "$defs": {"S": {"type": "string"}},
            "properties": {"x": {"$ref": "#/$defs/S", "type": "integer"}},
        },
        {"properties": {"x": {"$ref": "http://example.com/s.json"}}},  # never fetched
        {"$schema": D4, "properties": {"x": True}},  # boolean schemas do not exist in draft-04
        {"items": [{"type": "string"}]},  # tuple form means different things per draft
        {"properties": {"x": {"$id": "http://example.com/x", "type": "string"}}},
        {"$schema": D2020, "properties": {"x": {"$schema": D4, "type": "integer"}}},  # switches draft
        {"$defs": {"a%41": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/a%2541"}}},  # decoded twice later
        {"type": "strng"},
        [],
    ],
)
def test_anything_outside_the_subset_is_refused(schema: Any) -> None:
    assert translate(schema) is None
    assert fast_check(schema) is None


def test_a_refused_schema_still_validates_through_jsonschema() -> None:
    schema = {"$schema": D2020, "type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}}
    snapshot = Snapshot("x", Path("x.json"), json.dumps(schema), schema)
    checker = SnapshotChecker(snapshot)
    assert checker.fast is None
    assert checker.check({"n": 1}) is None
    rejection = checker.check({"n": -1})
    assert rejection is not None and rejection.pointer == "/n" and "less than the minimum of 0" in rejection.message


def _events(snapshot: Snapshot, count: int, seed: int) -> list[Any]:
    generator = EventGenerator(snapshot.document, seed=seed)
    out = []
    for index in range(count):
        event = generator.event()
        out += [event, generator.mutate(event, MUTATIONS[index % len(MUTATIONS)])]
    return out


# Events shaped by three eras (draft-04 v2, v8, and v15 with agent/title) checked against every
# snapshot: most cross-era checks are rejections, so the error explanation is exercised too.
MIXED_EVENTS = [
    e
    for name, seed in (("v2", 1), ("v8", 2), ("v15", 3))
    for e in _events(next(s for s in SHIPPED_SNAPSHOTS if s.name == name), 12, seed)
]


@pytest.mark.parametrize("snapshot", SHIPPED_SNAPSHOTS, ids=lambda s: s.name)
def test_shipped_snapshots_fast_verdicts_and_first_errors_match_jsonschema(snapshot: Snapshot) -> None:
    reference = make_validator(snapshot.document)
    fast = fast_document(snapshot.document)
    assert fast is not None
    pruned, own = pruned_validator(snapshot.document, fast), own_keywords_validator(snapshot.document)
    checker = SnapshotChecker(snapshot)
    events = MIXED_EVENTS + _events(snapshot, 4, seed=5)  # its own unmutated events are valid
    rejected = 0
    for event in events:
        valid = reference.is_valid(event)
        assert fast.check(event) == valid
        expected = first_error(reference, event)
        assert (expected is None) == valid
        rejection = checker.check(event)
        if expected is None:
            assert rejection is None
            continue
        rejected += 1
        assert rejection is not None
        assert (rejection.pointer, rejection.message) == (pointer(*expected.absolute_path), expected.message)
        assert rejection.schema == keyword_location(snapshot.document, expected.absolute_schema_path)
        assert list(expected.absolute_path) == list(_error(pruned, event).absolute_path)
        assert _error(pruned, event).message == expected.message
        shallow = first_error(own, event)
        if shallow is not None:  # when the root's own keywords answer, it is with the same error
            assert list(expected.absolute_path) == [] and shallow.message == expected.message
    assert 0 < rejected <= len(events) - 4


def _error(validator: Any, event: Any) -> Any:
    error = first_error(validator, event)
    assert error is not None
    return error


@pytest.mark.parametrize("index", range(0, 59, 4))
def test_historical_snapshots_fast_verdicts_match_jsonschema(index: int) -> None:
    snapshot = HISTORY_SNAPSHOTS[index]
    reference = make_validator(snapshot.document)
    fast = fast_check(snapshot.document)
    assert fast is not None
    own = _events(snapshot, 15, seed=index)
    verdicts = [(fast(e), reference.is_valid(e)) for e in own + MIXED_EVENTS[::3]]
    assert all(a == b for a, b in verdicts)
    assert sum(valid for _, valid in verdicts) >= 15  # its own unmutated events are all valid


def _edge_events(snapshot: Snapshot) -> list[tuple[str, Any]]:
    """The benchmark's 17 edge cases (benchmarks/validate_bench.py `edge_events`) on this
    snapshot's own event, plus a few more: one value replaced by something libraries read
    differently."""
    generator = EventGenerator(snapshot.document, seed=99)
    base = next(
        e
        for e in (generator.event() for _ in range(1000))
        if "date" in e and isinstance(e.get("process"), dict) and "pid" in e["process"]
    )
    out = [("unchanged", base)]
    for stamp in (
        "2016-12-31T23:59:60Z",
        "２024-01-01T10:00:00Z",
        "2024-01-01t10:00:00z",
        "2024-02-30T00:00:00Z",
        "2024-01-01T10:00:00+24:00",
        "2024-01-01T10:00:00.123456789Z",
        "2024-01-01T10:00:00",
        "2024-12-31T23:59:60Z",
        "2024-01-01T10:00:00Z\n",
        5,
    ):
        out.append((f"date={stamp!r}", {**base, "date": stamp}))
    for pid in (1.0, 1.5, True, 2**64, -1, None, "1", -0.0, 10**30, json.loads("1e400")):
        out.append((f"process.pid={pid!r}", {**base, "process": {**base["process"], "pid": pid}}))
    out.append(("evt=null", {**base, "evt": None}))
    out.append(("an unknown property", {**base, "unexpected": 1}))
    return out


@pytest.mark.parametrize("snapshot", SHIPPED_SNAPSHOTS, ids=lambda s: s.name)
def test_the_benchmarks_edge_cases_get_jsonschemas_verdict_and_error(snapshot: Snapshot) -> None:
    reference = make_validator(snapshot.document)
    fast = fast_check(snapshot.document)
    checker = SnapshotChecker(snapshot)
    assert fast is not None
    disagreements, verdicts = [], {}
    for label, event in _edge_events(snapshot):
        valid = verdicts[label] = reference.is_valid(event)
        if fast(event) != valid:
            disagreements.append(label)
        expected = first_error(reference, event)
        rejection = checker.check(event)
        assert (rejection is None) == valid, label
        if expected is not None and rejection is not None:
            assert (rejection.pointer, rejection.message) == (pointer(*expected.absolute_path), expected.message), label
    assert disagreements == []
    assert len(verdicts) == 23 and verdicts["unchanged"] and not verdicts["date='2016-12-31T23:59:60Z'"]
    assert verdicts["process.pid=1.0"] == (draft_of(snapshot.document) != "draft4")  # integer per draft


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1.0, 0.0, 2.0, -1.0])
    | st.text(max_size=8)
    | st.sampled_from(["2024-01-01T10:00:00Z", "2016-12-31T23:59:60Z", "2024-02-30T00:00:00Z", "x"])
    | st.sampled_from(
        ["２024-01-01T10:00:00Z", "2024-01-01t10:00:00z", "2024-01-01T10:00:00+24:00", float("inf"), -0.0, 10**30]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
V15 = next(s for s in SHIPPED_SNAPSHOTS if s.name == "v15")
V3 = next(s for s in SHIPPED_SNAPSHOTS if s.name == "v3")  # draft-04
PROPERTY_CASES = {
    s.name: (s, make_validator(s.document), SnapshotChecker(s), _events(s, 10, seed=9)) for s in (V15, V3)
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from(sorted(PROPERTY_CASES)),
    pick=st.integers(min_value=0),
    path_pick=st.integers(min_value=0),
    value=JSON_VALUES,
)
def test_any_value_planted_anywhere_gets_jsonschemas_verdict_and_error(
    which: str, pick: int, path_pick: int, value: Any
) -> None:
    _snapshot, reference, checker, events = PROPERTY_CASES[which]
    event = copy.deepcopy(events[pick % len(events)])
    places = _places(event)
    holder, key = places[path_pick % len(places)]
    holder[key] = value
    assert checker.fast is not None
    fast, valid = checker.fast(event), reference.is_valid(event)
    assert valid or not fast  # never "valid" where jsonschema says invalid
    if "Infinity" not in json.dumps(event):  # inf (from `1e400`): jsonschema-rs leaves it to jsonschema
        assert fast == valid
    expected = first_error(reference, event)
    rejection = checker.check(event)
    if expected is None:
        assert rejection is None
    else:
        assert rejection is not None and rejection.message == expected.message
        assert rejection.pointer == pointer(*expected.absolute_path)


def _places(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in an event, objects and arrays alike, plus a new key at the root."""
    found: list[tuple[Any, Any]] = [(node, "planted")]
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((node, key))
            if isinstance(value, (dict, list)):
                found += _places(value)[1:] if isinstance(value, dict) else _places_list(value)
    return found


def _places_list(items: list[Any]) -> list[tuple[Any, Any]]:
    found: list[tuple[Any, Any]] = []
    for index, value in enumerate(items):
        found.append((items, index))
        if isinstance(value, dict):
            found += _places(value)[1:]
    return found

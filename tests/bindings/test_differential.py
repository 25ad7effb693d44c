"""The snapshot's validator, the Pydantic models and the dataclass codec judge the same events alike.

The bindings are the committed `generated/` packages of the shipped snapshots v1..v15 (a quick
manifest check first makes sure they are what `generate` writes today). Each is fed:
- events from the example generator, valid ones and each of its mutations;
- boundary values put into a valid event: `1.0`, `-0.0`, `2**64` for an integer, nanosecond
  date-times, `-00:00`, lower-case `t`/`z`, a leap second, a trailing newline;
- every example event in tests/data: `events/` and the 27 real CWS events in `real-events/`.

The verdict of reference is `make_validator`: jsonschema for the snapshot's draft, formats asserted
(what `validate` uses), with the date-time check refusing a final newline (jsonschema's own, from
rfc3339-validator, took one; `test_the_validator_refuses_a_final_newline` pins the fix). The
dataclass codec must agree on every event and give back exactly what it read. Pydantic has the
documented gaps of docs/bindings-agreement.md, and this test pins each one to its cause: any other
disagreement fails.
"""

from __future__ import annotations

import copy
import json
import re
import types
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest

from cwscodegen.bindings import codegen, manifest
from cwscodegen.config import load_settings
from cwscodegen.events.examples import MUTATIONS, EventGenerator
from cwscodegen.store.validators import make_validator
from tests.bindings.packages import load_module
from tests.conftest import DATA, ROOT, SHIPPED

VERSIONS = [f"v{n}" for n in range(1, 16)]
GENERATED = ROOT / "generated"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")
BOUNDARY_INTEGERS = {"1.0": 1.0, "-0.0": -0.0, "2**64": 2**64, "-(2**63)": -(2**63)}
BOUNDARY_DATE_TIMES = {
    "nanoseconds": "2024-05-06T07:08:09.123456789Z",
    "trailing zeros": "2024-05-06T07:08:09.120Z",
    "-00:00": "2024-05-06T07:08:09.5-00:00",
    "lower-case t and z": "2024-05-06t07:08:09z",
    "nanoseconds, +05:30": "2024-05-06T07:08:09.000000001+05:30",
    "leap second": "2016-12-31T23:59:60Z",
    "trailing newline": "2024-05-06T07:08:09Z\n",
    "space for T": "2024-05-06 07:08:09Z",
}


def load(version: str, module: str) -> types.ModuleType:
    """`generated/<version>/<module>.py`, imported under a private package name."""
    return load_module(GENERATED / version, f"_cwsgen_differential_{version}", module)


@pytest.fixture(scope="module", autouse=True)
def bindings_are_current() -> None:
    settings = load_settings(ROOT)
    generator = codegen.generator_settings(settings)
    wanted = codegen.expected_files(settings.targets)
    for version in VERSIONS:
        snapshot = SHIPPED / f"{version}.json"
        source = codegen.source_name(snapshot, settings)
        if not manifest.up_to_date(GENERATED / version, source, snapshot.read_bytes(), generator, wanted):
            pytest.fail(f"generated/{version} is not what `cwscodegen generate` writes today: regenerate it")


def leaves(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path, node


def replaced(event: Any, path: tuple[str | int, ...], value: Any) -> Any:
    out = copy.deepcopy(event)
    holder = out
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return out


def events_for(version: str, document: Any) -> Iterator[tuple[str, Any]]:
    generator = EventGenerator(document, seed=8)
    for index in range(8):
        event = generator.event()
        yield f"generated #{index}", event
        for kind in MUTATIONS:
            yield f"generated #{index}, {kind}", generator.mutate(event, kind)
        if index > 1:
            continue
        spots = list(leaves(event))
        integers = [path for path, value in spots if type(value) is int]
        date_times = [path for path, value in spots if isinstance(value, str) and RFC3339.match(value)]
        for name, number in BOUNDARY_INTEGERS.items():
            for path in integers[:3]:
                yield f"generated #{index}, {name} at {path}", replaced(event, path, number)
        for name, text in BOUNDARY_DATE_TIMES.items():
            for path in date_times[:2]:
                yield f"generated #{index}, {name} at {path}", replaced(event, path, text)
    for path in sorted((DATA / "events").glob("*.json")) + sorted((DATA / "real-events").glob("*.json")):
        yield path.name, json.loads(path.read_text(encoding="utf-8"))
    for number, line in enumerate((DATA / "events" / "mixed.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        try:
            yield f"mixed.jsonl:{number}", json.loads(line)
        except ValueError:
            continue  # malformed JSON is `validate`'s business, not the bindings'


def codec_verdict(models: types.ModuleType, root: type, event: Any) -> tuple[bool, Any]:
    try:
        loaded = models.from_dict(root, event)
    except models.ConversionError:
        return False, None
    return True, models.to_dict(loaded)


def pydantic_verdict(root: type[pydantic.BaseModel], event: Any, strict: bool) -> bool:
    try:
        if strict:
            root.model_validate_json(json.dumps(event), strict=True)
        else:
            root.model_validate(event)
    except pydantic.ValidationError:
        return False
    return True


def integers_as_ints(event: Any) -> Any:
    """The event with every integral float written as an integer (`1.0` -> `1`)."""
    if isinstance(event, dict):
        return {key: integers_as_ints(value) for key, value in event.items()}
    if isinstance(event, list):
        return [integers_as_ints(value) for value in event]
    if isinstance(event, float) and event.is_integer():
        return int(event)
    return event


def has_integral_floats(event: Any) -> bool:
    return any(isinstance(value, float) and value.is_integer() for _, value in leaves(event))


def text(event: Any) -> str:
    """The JSON text, keys sorted (the codec writes keys in field order, not in the input's)."""
    return json.dumps(event, sort_keys=True)


def strict_gap(validator: Any, root: type[pydantic.BaseModel], event: Any, valid: bool) -> str | None:
    """The documented reason strict Pydantic disagrees with the schema here, or None if none fits."""
    if valid and has_integral_floats(event) and pydantic_verdict(root, integers_as_ints(event), strict=True):
        return "strict Pydantic refuses integral floats"
    if not valid:
        errors = list(validator.iter_errors(event))
        if errors and all(
            error.validator == "format" and isinstance(error.instance, str) and error.instance[10:11] == " "
            for error in errors
        ):
            return "Pydantic takes ISO 8601 date-times with a space for T"
        if errors and all(error.validator == "type" and error.instance is None for error in errors):
            return "Pydantic takes null for an optional key whose schema refuses null"
    return None


@pytest.mark.parametrize("version", VERSIONS)
def test_validator_pydantic_and_codec_agree(version: str) -> None:
    document = json.loads((SHIPPED / f"{version}.json").read_text(encoding="utf-8"))
    validator = make_validator(document)
    models = load(version, "dataclasses_models")
    pydantic_root = load(version, "pydantic_models").BackendEvent
    dataclass_root = models.BackendEvent
    codec_disagrees, round_trip_lost, strict_unexplained, lax_refuses_valid = [], [], [], []
    count = 0
    for name, event in events_for(version, document):
        count += 1
        valid = validator.is_valid(event)
        accepted, dumped = codec_verdict(models, dataclass_root, event)
        if accepted != valid:
            codec_disagrees.append(name)
        if accepted and dumped != event:
            round_trip_lost.append(name)
        if accepted and not has_integral_floats(event) and text(dumped) != text(event):
            round_trip_lost.append(f"{name} (JSON text)")
        if valid and not pydantic_verdict(pydantic_root, event, strict=False):
            lax_refuses_valid.append(name)
        strict = pydantic_verdict(pydantic_root, event, strict=True)
        if strict != valid and strict_gap(validator, pydantic_root, event, valid) is None:
            strict_unexplained.append(name)
    assert count > 60
    assert not codec_disagrees, codec_disagrees
    assert not round_trip_lost, round_trip_lost
    assert not lax_refuses_valid, lax_refuses_valid
    assert not strict_unexplained, strict_unexplained


def test_the_validator_refuses_a_final_newline() -> None:
    """rfc3339-validator's pattern ends in `$`, which also matches before a final newline, so
    jsonschema's own date-time check takes `...Z\\n`; the project's validator refuses it, as RFC
    3339 and the codec do, so no disagreement needs an excuse."""
    import jsonschema

    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string", "format": "date-time"}
    validator = make_validator(document)
    plain = jsonschema.Draft202012Validator(document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert plain.is_valid("2024-05-06T07:08:09Z\n")  # the defect, still in the installed checker
    assert not validator.is_valid("2024-05-06T07:08:09Z\n")
    assert validator.is_valid("2024-05-06t07:08:09z")  # lower case: RFC 3339 allows it, and so does it
    assert validator.is_valid("2024-05-06T07:08:09Z") and not validator.is_valid("2016-12-31T23:59:60Z")


def test_the_documented_gaps_are_real() -> None:
    """Each gap docs/bindings-agreement.md names happens, so the page stays true (v15, draft 2020-12;
    v2, draft-04)."""
    models = load("v15", "pydantic_models")
    event = json.loads((DATA / "events" / "mixed.jsonl").read_text(encoding="utf-8").splitlines()[0])
    document = json.loads((SHIPPED / "v15.json").read_text(encoding="utf-8"))
    validator = make_validator(document)
    assert validator.is_valid(event)
    as_text = replaced(event, ("file", "uid"), str(event["file"]["uid"]))
    assert not validator.is_valid(as_text)
    assert pydantic_verdict(models.BackendEvent, as_text, strict=False)  # lax coercion: "0" -> 0
    assert not pydantic_verdict(models.BackendEvent, as_text, strict=True)
    as_float = replaced(event, ("file", "uid"), float(event["file"]["uid"]))
    assert validator.is_valid(as_float)
    assert not pydantic_verdict(models.BackendEvent, as_float, strict=True)  # 1.0 is an integer in 2020-12
    assert pydantic_verdict(models.BackendEvent, as_float, strict=False)
    spaced = replaced(event, ("date",), event["date"].replace("T", " "))
    assert not validator.is_valid(spaced) and pydantic_verdict(models.BackendEvent, spaced, strict=True)
    nanos = replaced(event, ("date",), "2024-05-06T07:08:09.123456789Z")
    loaded = models.BackendEvent.model_validate(nanos)
    assert loaded.model_dump(mode="json")["date"] != nanos["date"]  # Pydantic keeps microseconds only
    codec = load("v15", "dataclasses_models")
    stamp = codec.from_dict(codec.BackendEvent, nanos).date
    assert stamp.nanosecond == 123456789 and codec.to_dict(codec.from_dict(codec.BackendEvent, nanos)) == nanos

"""The example-event generator: deterministic, valid for every snapshot, shaped like CWS events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cwscodegen.events.examples import CONTEXT, MUTATIONS, EventGenerator
from cwscodegen.store.snapshots import Snapshot, list_versions, load_schema_file
from cwscodegen.store.validators import make_validator
from tests.conftest import HISTORY_SNAPSHOTS, SHIPPED


def _load(folder: Path) -> list[Snapshot]:
    return [load_schema_file(folder / f"{name}.json", name) for name in list_versions(folder)]


SNAPSHOTS = _load(SHIPPED) + _load(HISTORY_SNAPSHOTS)


def test_same_seed_same_bytes_other_seed_other_events() -> None:
    document = next(s for s in SNAPSHOTS if s.name == "v15").document

    def run(seed: int) -> list[str]:
        generator = EventGenerator(document, seed=seed)
        return [json.dumps(generator.event()) for _ in range(30)]

    assert run(4) == run(4)
    assert run(4) != run(5)


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda s: s.name[:2] if s.name[0].isdigit() else s.name)
def test_generated_events_are_valid_for_their_snapshot(snapshot: Snapshot) -> None:
    validator = make_validator(snapshot.document)
    generator = EventGenerator(snapshot.document, seed=11)
    events = [generator.event() for _ in range(25)]
    errors = [str(error.message) for event in events for error in validator.iter_errors(event)]
    assert errors == []
    root = snapshot.document["properties"]
    required = set(snapshot.document.get("required", ()))
    for event in events:
        assert set(event) <= set(root) and required <= set(event)
        payloads = [key for key in event if key not in CONTEXT and key not in required]
        assert len(payloads) == 1, event.keys()  # one event-specific property, like a real event
        if "name" in event.get("evt", {}):
            assert event["evt"]["name"] == payloads[0]
    assert sum("evt" in e for e in events) > 15 and sum("process" in e for e in events) > 15
    sizes = [len(json.dumps(e)) for e in events]
    assert max(sizes) < 64_000  # a few kilobytes, not megabytes


def test_events_vary() -> None:
    document = next(s for s in SNAPSHOTS if s.name == "v15").document
    generator = EventGenerator(document, seed=1)
    events = [generator.event() for _ in range(200)]
    payloads = {next(k for k in e if k not in CONTEXT and k not in ("agent", "title")) for e in events}
    assert len(payloads) >= 15  # most event kinds of v15 show up
    assert len({json.dumps(e, sort_keys=True) for e in events}) == 200
    stamps = [e["date"] for e in events if "date" in e]
    assert stamps and all(s[4] == "-" and s[10] == "T" for s in stamps)


@pytest.mark.parametrize("kind", MUTATIONS)
def test_mutations_copy_and_mostly_break(kind: str) -> None:
    document = next(s for s in SNAPSHOTS if s.name == "v15").document
    validator = make_validator(document)
    generator = EventGenerator(document, seed=2)
    broken = 0
    for _ in range(40):
        event = generator.event()
        before = json.dumps(event)
        mutated = generator.mutate(event, kind)
        assert json.dumps(event) == before  # the original is untouched
        broken += not validator.is_valid(mutated)
    # a dropped property may be optional and 2.0 is an integer in 2020-12: those can stay valid
    assert broken >= {"missing-property": 4, "float-integer": 10}.get(kind, 30)


def test_float_integer_mutation_meets_the_draft_04_difference() -> None:
    """A whole float (2.0) for an integer: never valid in draft-04 (v2), sometimes valid in 2020-12
    (v15, when nothing else is wrong), so the benchmark's mutated events cover both readings."""
    found = {}
    for name in ("v2", "v15"):
        document = next(s for s in SNAPSHOTS if s.name == name).document
        generator, validator = EventGenerator(document, seed=3), make_validator(document)
        mutated = [generator.mutate(generator.event(), "float-integer") for _ in range(60)]
        found[name] = [validator.is_valid(m) for m in mutated if _has_whole_float(m)]
    assert found["v2"] and not any(found["v2"])
    assert any(found["v15"])


def _has_whole_float(node: object) -> bool:
    if isinstance(node, float):
        return node.is_integer()
    if isinstance(node, dict):
        return any(_has_whole_float(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_whole_float(v) for v in node)
    return False

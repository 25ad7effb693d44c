"""The generated bindings hold real events: every one of the 59 upstream history snapshots plus v1.

The bindings are generated once per session (by the real CLI, on two worker processes) into a
temporary project whose snapshots are `h01`..`h59` (tests/data/cws-schema-history, see its
README for provenance) and `v1` (the seed). Events are built by walking each schema, so every
property of every definition is filled, and each event is confirmed valid with jsonschema (the
schema's own draft, formats asserted) before a binding sees it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
import subprocess
import sys
import types
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pydantic
import pytest

from cwscodegen.store.refs import Resolver, definitions
from cwscodegen.store.validators import make_validator
from tests.bindings.packages import load_module
from tests.conftest import HISTORY, SHIPPED

DATE_TIME = "2024-01-02T03:04:05.250+02:00"
UNKNOWN_KEY = "cwscodegen_unknown_key"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", re.IGNORECASE)
HISTORY_NAMES = {f"h{path.name[:2]}": path for path in sorted(HISTORY.glob("[0-9][0-9]_*.json"))}
NAMES = ["v1", *HISTORY_NAMES]


@pytest.fixture(scope="session")
def bindings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate all 60 packages with `python -m cwscodegen generate --jobs 2` (two worker processes)."""
    project = tmp_path_factory.mktemp("bindings")
    schemas = project / "schemas"
    schemas.mkdir()
    shutil.copyfile(SHIPPED / "v1.json", schemas / "v1.json")
    for name, path in HISTORY_NAMES.items():
        shutil.copyfile(path, schemas / f"{name}.json")
    (project / "pyproject.toml").write_text('[tool.cwscodegen]\nschemas = "schemas"\noutput = "out"\n')
    done = subprocess.run(
        [sys.executable, "-m", "cwscodegen", "generate", "--jobs", "2"], cwd=project, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return project / "out"


def snapshot_document(name: str) -> dict[str, Any]:
    path = SHIPPED / "v1.json" if name == "v1" else HISTORY_NAMES[name]
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def binding(out: Path, name: str, module: str) -> types.ModuleType:
    """Import `<name>/<module>.py` as a submodule of a uniquely named package (no sys.path change)."""
    return load_module(out / name, f"_cwsgen_{name}", module)


# --- events built from the schema --------------------------------------------------------------


@dataclasses.dataclass
class Site:
    """An object in a built event: where it is, its schema, and its definition pointer if any."""

    path: tuple[str | int, ...]
    schema: dict[str, Any]
    definition: str | None


class EventBuilder:
    """Fills every property with a value of its type (optional self-references excepted, which
    would never end), or only the required ones with `minimal=True`."""

    def __init__(self, document: dict[str, Any], minimal: bool = False) -> None:
        self.resolver = Resolver(document, "<test>")
        self.minimal = minimal
        self.sites: list[Site] = []
        self.filled: set[tuple[str | None, str]] = set()

    def build(
        self, schema: Any, path: tuple[str | int, ...] = (), stack: tuple[str, ...] = (), definition: str | None = None
    ) -> Any:
        if schema is True or schema == {}:
            return "anything"
        if "$ref" in schema:
            target, resolved = self.resolver.resolve(schema["$ref"], "/")
            return self.build(resolved, path, (*stack, target), target)
        kind = schema.get("type")
        if kind == "object" or (kind is None and ("properties" in schema or "additionalProperties" in schema)):
            return self._object(schema, path, stack, definition)
        if kind == "array":
            return [self.build(schema.get("items", {}), (*path, 0), stack)]
        if kind == "string":
            return DATE_TIME if schema.get("format") == "date-time" else "text"
        if kind is None:  # no constraint on the type: any value
            return "anything"
        values = {"integer": 7, "number": 2.5, "boolean": True}
        assert kind in values, f"the event builder does not handle {schema!r}"
        return values[kind]

    def _object(
        self, schema: dict[str, Any], path: tuple[str | int, ...], stack: tuple[str, ...], definition: str | None
    ) -> dict[str, Any]:
        required = schema.get("required", [])
        out: dict[str, Any] = {}
        for name, sub in schema.get("properties", {}).items():
            if name not in required and (self.minimal or self._loops(sub, stack)):
                continue
            out[name] = self.build(sub, (*path, name), stack)
            if definition is not None or not path:  # a definition, or the root schema
                self.filled.add((definition, name))
        extra = schema.get("additionalProperties", True)
        if not schema.get("properties") and extra is not False:
            out["extra_key"] = self.build(extra if isinstance(extra, dict) else {}, (*path, "extra_key"), stack)
        self.sites.append(Site(path, schema, definition))
        return out

    def _loops(self, schema: Any, stack: tuple[str, ...]) -> bool:
        while isinstance(schema, dict) and "items" in schema:
            schema = schema["items"]
        if isinstance(schema, dict) and "$ref" in schema:
            return self.resolver.target(schema["$ref"], "/") in stack
        return False


def all_fields(document: dict[str, Any]) -> set[tuple[str | None, str]]:
    """(definition pointer or None for the root, property) for every property of the schema."""
    fields = {(None, name) for name in document.get("properties", {})}
    for pointer, schema in definitions(document).values():
        fields |= {(pointer, name) for name in schema.get("properties", {})}
    return fields


def build_event(name: str, minimal: bool = False) -> tuple[dict[str, Any], EventBuilder]:
    document = snapshot_document(name)
    builder = EventBuilder(document, minimal)
    event = builder.build(document)
    error = next(iter(make_validator(document).iter_errors(event)), None)
    assert error is None, f"the built event is not valid under {name}: {error}"
    return event, builder


def normalised(value: Any) -> Any:
    """Date-time strings as aware datetimes, so `+00:00`/`Z`/`.250`/`.250000` compare equal."""
    if isinstance(value, str) and RFC3339.match(value):
        return datetime.fromisoformat(value.upper())
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


def values(tree: Any) -> Iterator[Any]:
    """Every leaf of a nested structure of dicts, lists and dataclasses."""
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        tree = {f.name: getattr(tree, f.name) for f in dataclasses.fields(tree)}
    if isinstance(tree, dict):
        for item in tree.values():
            yield from values(item)
    elif isinstance(tree, list):
        for item in tree:
            yield from values(item)
    else:
        yield tree


def count_date_times(event: Any) -> int:
    return sum(1 for leaf in values(event) if leaf == DATE_TIME)


def mutants(event: dict[str, Any], builder: EventBuilder) -> Iterator[tuple[str, dict[str, Any]]]:
    """Invalid variants, once per object schema: a required key dropped, an unknown key added to a
    closed object."""
    seen: set[str] = set()
    for site in builder.sites:
        identity = site.definition or json.dumps(site.path)
        if identity in seen:
            continue
        seen.add(identity)
        required = site.schema.get("required", [])
        if required:
            variant = copy.deepcopy(event)
            del at(variant, site.path)[required[0]]
            yield f"{identity} without {required[0]!r}", variant
        if site.schema.get("additionalProperties") is False:
            variant = copy.deepcopy(event)
            at(variant, site.path)[UNKNOWN_KEY] = 1
            yield f"{identity} with an unknown key", variant


def at(event: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        event = event[step]
    return event


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_events_exercise_every_field(name: str) -> None:
    event, builder = build_event(name)
    assert builder.filled == all_fields(snapshot_document(name))
    assert count_date_times(event) > 0


@pytest.mark.parametrize("name", NAMES)
def test_pydantic_round_trip(bindings: Path, name: str) -> None:
    models = binding(bindings, name, "pydantic_models")
    for minimal in (False, True):
        event, _ = build_event(name, minimal)
        model = models.BackendEvent.model_validate(event)
        assert normalised(model.model_dump(mode="json", exclude_none=True, by_alias=True)) == normalised(event)
        stamps = [leaf for leaf in values(model.model_dump()) if isinstance(leaf, datetime)]
        assert len(stamps) == count_date_times(event)
        assert all(stamp.tzinfo is not None for stamp in stamps)


@pytest.mark.parametrize("name", NAMES)
def test_pydantic_rejects_missing_required_and_unknown_keys(bindings: Path, name: str) -> None:
    models = binding(bindings, name, "pydantic_models")
    event, builder = build_event(name)
    validator = make_validator(snapshot_document(name))
    checked = 0
    for label, variant in mutants(event, builder):
        assert not validator.is_valid(variant), label
        with pytest.raises(pydantic.ValidationError):
            models.BackendEvent.model_validate(variant)
        checked += 1
    assert checked >= 10


def test_pydantic_rejects_a_file_without_uid(bindings: Path) -> None:
    models = binding(bindings, "v1", "pydantic_models")
    event, _ = build_event("v1")
    del event["file"]["uid"]
    with pytest.raises(pydantic.ValidationError, match=r"file\.uid"):
        models.BackendEvent.model_validate(event)


def test_pydantic_rejects_naive_datetimes(bindings: Path) -> None:
    models = binding(bindings, "h59", "pydantic_models")
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        models.BackendEvent.model_validate({"agent": {"rule_id": "r"}, "title": "t", "date": "2024-01-02T03:04:05"})


@pytest.mark.parametrize("name", NAMES)
def test_dataclasses_round_trip(bindings: Path, name: str) -> None:
    models = binding(bindings, name, "dataclasses_models")
    for minimal in (False, True):
        event, _ = build_event(name, minimal)
        loaded = models.from_dict(models.BackendEvent, event)
        assert isinstance(loaded, models.BackendEvent)
        stamps = [leaf for leaf in values(loaded) if isinstance(leaf, datetime)]
        assert len(stamps) == count_date_times(event)
        assert all(stamp.tzinfo is not None for stamp in stamps)
        assert normalised(models.to_dict(loaded)) == normalised(event)


@pytest.mark.parametrize("name", NAMES)
def test_dataclasses_reject_missing_required_and_unknown_keys(bindings: Path, name: str) -> None:
    models = binding(bindings, name, "dataclasses_models")
    event, builder = build_event(name)
    for _label, variant in mutants(event, builder):
        with pytest.raises(models.ConversionError):
            models.from_dict(models.BackendEvent, variant)


def test_dataclasses_restore_python_keyword_and_dotted_keys(bindings: Path) -> None:
    models = binding(bindings, "h59", "dataclasses_models")
    event = {
        "agent": {"rule_id": "r"},
        "title": "t",
        "dns": {"id": 1, "question": {"class": "IN", "type": "A", "name": "example.org", "size": 1, "count": 1}},
        "mount": {"mount_id": 1, "parent_mount_id": 2, "bind_src_mount_id": 3, "device": 4, "mountpoint.path": "/mnt"},
    }
    loaded = models.from_dict(models.BackendEvent, event)
    assert loaded.dns.question.class_ == "IN"
    assert loaded.mount.mountpoint_path == "/mnt"
    assert models.to_dict(loaded) == event
    with pytest.raises(models.ConversionError, match=r"BackendEvent\.dns\.id: expected int, got str"):
        models.from_dict(models.BackendEvent, {**event, "dns": {**event["dns"], "id": "1"}})


@pytest.mark.parametrize("name", NAMES)
def test_typeddicts_mark_optional_keys_not_required(bindings: Path, name: str) -> None:
    module = binding(bindings, name, "typeddicts")
    document = snapshot_document(name)
    schemas = {"BackendEvent": document} | {n: schema for n, (_, schema) in definitions(document).items()}
    checked = 0
    for class_name, schema in schemas.items():
        properties = set(schema.get("properties", {}))
        if not properties:
            continue
        typed = getattr(module, class_name)
        required = set(schema.get("required", []))
        assert typed.__required_keys__ == required, class_name
        assert typed.__optional_keys__ == properties - required, class_name
        checked += 1
    assert checked == sum(1 for s in schemas.values() if s.get("properties"))


GOOD_EVENTS = """
from v1.typeddicts import BackendEvent as V1Event
from h59.typeddicts import BackendEvent, DNSQuestion

question: DNSQuestion = {"class": "IN", "type": "A", "name": "example.org", "size": 1, "count": 1}
event: BackendEvent = {
    "agent": {"rule_id": "r"},
    "title": "t",
    "date": "2024-01-02T03:04:05Z",
    "dns": {"id": 1, "question": question},
    "mount": {"mount_id": 1, "parent_mount_id": 2, "bind_src_mount_id": 3, "device": 4, "mountpoint.path": "/mnt"},
    "process": {"uid": 0, "gid": 0, "args": ["-l"], "ancestors": [{"uid": 0, "gid": 0, "pid": 1}]},
}
old: V1Event = {"file": {"uid": 0, "gid": 0, "path": "/etc/passwd"}, "date": "2021-09-28T00:00:00Z"}
"""

BAD_EVENTS = """
from h59.typeddicts import BackendEvent

missing_title: BackendEvent = {"agent": {"rule_id": "r"}}
unknown_key: BackendEvent = {"agent": {"rule_id": "r"}, "title": "t", "colour": "red"}
wrong_type: BackendEvent = {"agent": {"rule_id": "r"}, "title": "t", "dns": {"id": "one", "question": {"class": "IN", "type": "A", "name": "x", "size": 1, "count": 1}}}
"""


def test_typeddicts_pass_mypy_strict_on_hand_built_events(bindings: Path, tmp_path: Path) -> None:
    (tmp_path / "good_events.py").write_text(GOOD_EVENTS)
    (tmp_path / "bad_events.py").write_text(BAD_EVENTS)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-version",
            "3.11",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "good_events.py",
            "bad_events.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(bindings), "PATH": "/usr/bin:/bin"},
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert not [line for line in errors if not line.startswith("bad_events.py:")], done.stdout
    assert any(line.startswith("bad_events.py:4:") and 'Missing key "title"' in line for line in errors), done.stdout
    assert any(line.startswith("bad_events.py:5:") and '"colour"' in line for line in errors), done.stdout
    assert any(line.startswith("bad_events.py:6:") and '"id"' in line for line in errors), done.stdout
    assert len(errors) == 3, done.stdout

"""The snapshot store: `schemas/versions/<name>.json`, one schema per agent release.

Version names follow one rule, checked by every command (`check_version_name`): a letter, then
letters, digits or `_`, at most 64 characters, not a Python keyword. The rule makes every version
its own importable package name in the bindings folder (`package_name`), so `v2.1`, `v 3`, `-rf`
and `.hidden` are refused rather than silently written as folders no import can load. Names sort
naturally (v2 before v10). Provenance lives beside the snapshots in `provenance.json`
(`{version: {source, upstream, commit, date, pr, note}}`); a snapshot without an entry is fine, it
just has no recorded provenance.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwscodegen.config import display
from cwscodegen.errors import UserError
from cwscodegen.store.limits import parse_json
from cwscodegen.store.refs import Resolver, check_dialects, draft_of, escape

PROVENANCE_FILE = "provenance.json"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
NAME_RULE = "a letter, then letters, digits or '_' (at most 64 characters, not a Python keyword)"


@dataclass(frozen=True)
class Snapshot:
    """One loaded schema: its name, file, raw text (for line numbers) and parsed document."""

    name: str
    path: Path
    text: str
    document: Any
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def draft(self) -> str:
        """The JSON Schema draft the document declares (see `refs.draft_of`)."""
        return draft_of(self.document)


def version_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Natural sort key: `v2` < `v10`, digits compared as numbers."""
    parts = re.findall(r"\d+|\D+", name)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def check_version_name(name: str) -> str:
    """`name` when it follows the one version-name rule (`NAME_RULE`), else a `UserError`.

    The rule keeps names inside the snapshot folder (no separators, no `..`) and makes each one
    an importable package name, so every command accepts and refuses the same names."""
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise UserError(f"invalid version name {name!r}: use {NAME_RULE}")
    return name


def package_name(version: str) -> str:
    """The Python package name of `version`'s bindings (`generated/<package>/`).

    It is the version name itself: the naming rule already guarantees an importable identifier,
    so there is no second mapping whose collisions (`v2.1` and `v2_1`) would need resolving."""
    return check_version_name(version)


def list_versions(schemas: Path) -> list[str]:
    """Snapshot names in `schemas`, in version order; a `.json` file whose name breaks the rule
    is a `UserError` naming it, in every command, rather than a version some commands skip."""
    if not schemas.is_dir():
        raise UserError(f"{display(schemas)}: snapshot folder does not exist")
    names = []
    for path in schemas.glob("*.json"):
        if path.name == PROVENANCE_FILE:
            continue
        try:
            names.append(check_version_name(path.name[: -len(".json")]))
        except UserError as exc:
            raise UserError(f"{display(path)}: {exc}") from None
    return sorted(names, key=version_key)


PROVENANCE_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "source": ((str,), "a string"),
    "upstream": ((int,), "an integer (the upstream history number)"),
    "commit": ((str,), "a string"),
    "date": ((str,), "a string"),
    "pr": ((int,), "an integer (a pull-request number)"),
    "note": ((str,), "a string"),
}


def load_provenance(schemas: Path) -> dict[str, dict[str, Any]]:
    """The provenance table, or `{}` when the folder has none.

    Every entry is an object whose known fields (`PROVENANCE_FIELDS`) each hold a value of their
    type or null (which reads as absent), so `list` and `changelog` print them without guessing;
    other fields are kept as they are."""
    path = schemas / PROVENANCE_FILE
    if not path.is_file():
        return {}
    source = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{source}: cannot read: {exc}") from None
    data = parse_json(text, source)
    if not isinstance(data, dict):
        raise UserError(f"{source}: expected a JSON object mapping version names to provenance")
    for version, entry in data.items():
        _check_provenance(entry, f"{source}: at /{escape(version)}")
    return {version: {k: v for k, v in entry.items() if v is not None} for version, entry in data.items()}


def _check_provenance(entry: Any, where: str) -> None:
    if not isinstance(entry, dict):
        raise UserError(f"{where}: expected an object of {', '.join(PROVENANCE_FIELDS)}, got {entry!r:.40}")
    for key, (types, described) in PROVENANCE_FIELDS.items():
        value = entry.get(key)
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            raise UserError(f"{where}/{escape(key)}: expected {described} or null, got {value!r:.40}")


def load_schema_file(path: Path, name: str | None = None, provenance: Mapping[str, Any] | None = None) -> Snapshot:
    """Load and check one schema file: valid JSON, an object (or boolean), every `$ref` local."""
    source = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{source}: cannot read: {exc}") from None
    return snapshot_from_text(text, source, path, name or path.stem, provenance)


def snapshot_from_text(
    text: str, source: str, path: Path, name: str, provenance: Mapping[str, Any] | None = None
) -> Snapshot:
    """Build a checked `Snapshot` from raw text (used for files and for blobs read from git)."""
    document = parse_json(text, source)
    if not isinstance(document, (dict, bool)):
        raise UserError(f"{source}: a schema must be a JSON object (or boolean), got {type(document).__name__}")
    check_dialects(document, source)
    Resolver(document, source).check_all()
    return Snapshot(name=name, path=path, text=text, document=document, provenance=provenance or {})


def load_snapshot(schemas: Path, name: str) -> Snapshot:
    """Load snapshot `name` from the folder, with its provenance."""
    check_version_name(name)
    path = schemas / f"{name}.json"
    if not path.is_file():
        known = ", ".join(list_versions(schemas)) if schemas.is_dir() else "none"
        raise UserError(f"{display(path)}: unknown version {name!r} (known: {known})")
    return load_schema_file(path, name, load_provenance(schemas).get(name, {}))


def load_all(schemas: Path) -> list[Snapshot]:
    """Every snapshot in version order, each loaded and checked once."""
    provenance = load_provenance(schemas)
    return [
        load_schema_file(schemas / f"{name}.json", name, provenance.get(name, {})) for name in list_versions(schemas)
    ]


def resolve_spec(spec: str, schemas: Path) -> Snapshot:
    """A CLI argument: a snapshot name from the folder, or a path to a schema file."""
    if spec.endswith(".json") or "/" in spec or "\\" in spec:
        return load_schema_file(Path(spec))
    return load_snapshot(schemas, spec)


def canonical(document: Any) -> str:
    """A text that is equal for two documents exactly when they are the same JSON value.

    `json.dumps` keeps `true` and `1` apart (Python's `==` does not), so no two different schemas
    are ever merged.
    """
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

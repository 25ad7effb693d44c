"""Settings from `[tool.cwscodegen]` in the nearest pyproject.toml, overridable by CLI flags."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cwscodegen.errors import UserError

TARGETS = ("pydantic", "dataclasses", "typeddict")
MODES = ("backward", "forward", "full")
# `default-draft`: how to read a snapshot without `$schema` (unset: under every draft that accepts it).
DRAFT_NAMES = {"draft-04": "draft4", "draft-06": "draft6", "draft-07": "draft7", "2019-09": "draft2019-09",
               "2020-12": "draft2020-12"}  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """Where snapshots and bindings live, and how bindings and verdicts are made.

    Paths are absolute, resolved against the folder that holds pyproject.toml (or the current
    folder when there is none), so commands behave the same from any working directory.
    """

    root: Path
    schemas: Path
    output: Path
    targets: tuple[str, ...] = TARGETS
    root_class: str = "BackendEvent"
    mode: str = "backward"
    default_draft: str | None = None  # an engine draft name ("draft4", ...); None: every reading

    def with_overrides(self, **changes: Any) -> Settings:
        """Apply CLI flags; `None` means "not given"."""
        given = {k: v for k, v in changes.items() if v is not None}
        for key in ("schemas", "output"):
            if key in given:
                given[key] = (Path.cwd() / given[key]).resolve()
        if "targets" in given:
            given["targets"] = _check_targets(tuple(given["targets"]), "--target")
        if "mode" in given:
            given["mode"] = _check_mode(given["mode"], "--mode")
        if "default_draft" in given:
            given["default_draft"] = _check_draft(given["default_draft"], "--default-draft")
        return replace(self, **given)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.cwscodegen]` table, walking up from `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "cwscodegen" in _read_toml(candidate).get("tool", {}):
            return candidate
    return None


def load_settings(start: Path | None = None) -> Settings:
    """Read settings for the project that contains `start` (default: the current folder)."""
    start = (start or Path.cwd()).resolve()
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Settings(root=start, schemas=start / "schemas/versions", output=start / "generated")
    table = _read_toml(pyproject)["tool"]["cwscodegen"]
    root = pyproject.parent
    where = f"{pyproject}: [tool.cwscodegen]"
    known = {"schemas", "output", "targets", "root-class", "mode", "default-draft"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise UserError(f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    return Settings(
        root=root,
        schemas=(root / str(table.get("schemas", "schemas/versions"))).resolve(),
        output=(root / str(table.get("output", "generated"))).resolve(),
        targets=_check_targets(tuple(table.get("targets", TARGETS)), f"{where} targets"),
        root_class=_check_class_name(str(table.get("root-class", "BackendEvent")), where),
        mode=_check_mode(str(table.get("mode", "backward")), f"{where} mode"),
        default_draft=_check_draft(table["default-draft"], f"{where} default-draft")
        if "default-draft" in table
        else None,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None


def _check_targets(targets: tuple[str, ...], where: str) -> tuple[str, ...]:
    for target in targets:
        if target not in TARGETS:
            raise UserError(f"{where}: unknown target {target!r} (choose from {', '.join(TARGETS)})")
    return tuple(t for t in TARGETS if t in targets)


def _check_mode(mode: str, where: str) -> str:
    if mode not in MODES:
        raise UserError(f"{where}: unknown mode {mode!r} (choose from {', '.join(MODES)})")
    return mode


def _check_draft(name: Any, where: str) -> str:
    """A draft as users spell it ("draft-07", "2020-12") to the engine's name for it."""
    if not isinstance(name, str) or name not in DRAFT_NAMES:
        raise UserError(f"{where}: unknown draft {name!r} (choose from {', '.join(DRAFT_NAMES)})")
    return DRAFT_NAMES[name]


def _check_class_name(name: str, where: str) -> str:
    if not name.isidentifier() or not name[0].isupper():
        raise UserError(f"{where} root-class: {name!r} is not a valid Python class name")
    return name


def display(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it, so error
    messages and examples do not carry the absolute folders of the machine they were made on."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except (ValueError, OSError):
        return str(path)

"""Settings from `[tool.cwscodegen]` in the nearest pyproject.toml, overridable by CLI flags.

pyproject.toml arrives in pull requests like the snapshots, so every value is type-checked and
every mistake (invalid TOML, not UTF-8, a wrong type) is one line naming the file and the key."""

from __future__ import annotations

import keyword
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cwscodegen.errors import UserError

TARGETS = ("pydantic", "dataclasses", "typeddict")
MODES = ("backward", "forward", "full")
# `default-draft`: how to read a snapshot without `$schema` (unset: under every draft that accepts it).
DRAFT_NAMES = {
    "draft-04": "draft4",
    "draft-06": "draft6",
    "draft-07": "draft7",
    "2019-09": "draft2019-09",
    "2020-12": "draft2020-12",
}


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
        if "root_class" in given:
            given["root_class"] = check_class_name(given["root_class"], "--root-class")
        if "default_draft" in given:
            given["default_draft"] = _check_draft(given["default_draft"], "--default-draft")
        return replace(self, **given)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.cwscodegen]` table, walking up from `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            tool = _read_toml(candidate).get("tool", {})
            if isinstance(tool, dict) and "cwscodegen" in tool:
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
    where = f"{display(pyproject)}: [tool.cwscodegen]"
    if not isinstance(table, dict):
        raise UserError(f"{where}: expected a table, got {_toml_type(table)}")
    unknown = sorted(set(table) - set(SETTING_TYPES))
    if unknown:
        raise UserError(f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(SETTING_TYPES))})")
    for key, value in table.items():
        _check_type(value, key, where)
    return Settings(
        root=root,
        schemas=_folder(root, table.get("schemas", "schemas/versions"), f"{where} schemas"),
        output=_folder(root, table.get("output", "generated"), f"{where} output"),
        targets=_check_targets(tuple(table.get("targets", TARGETS)), f"{where} targets"),
        root_class=check_class_name(table.get("root-class", "BackendEvent"), f"{where} root-class"),
        mode=_check_mode(table.get("mode", "backward"), f"{where} mode"),
        default_draft=_check_draft(table["default-draft"], f"{where} default-draft")
        if "default-draft" in table
        else None,
    )


SETTING_TYPES: dict[str, tuple[type, str]] = {
    "schemas": (str, "a string (a folder)"),
    "output": (str, "a string (a folder)"),
    "targets": (list, "a list of strings"),
    "root-class": (str, "a string"),
    "mode": (str, "a string"),
    "default-draft": (str, "a string"),
}


def _check_type(value: Any, key: str, where: str) -> None:
    expected, described = SETTING_TYPES[key]
    if not isinstance(value, expected) or (isinstance(value, list) and not all(isinstance(i, str) for i in value)):
        raise UserError(f"{where} {key}: expected {described}, got {_toml_type(value)}")


def _toml_type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


def _folder(root: Path, value: str, where: str) -> Path:
    """A configured folder, which must lie inside the project (a pull request may edit the
    settings; only a command-line flag may point elsewhere)."""
    if not value or "\x00" in value:
        raise UserError(f"{where}: expected a folder, got {value!r}")
    folder = (root / value).resolve()
    if not folder.is_relative_to(root.resolve()):
        raise UserError(f"{where}: {value!r} is outside the project folder (use --schemas/--output for that)")
    return folder


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{display(path)}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{display(path)}: not UTF-8 (byte {exc.start}): TOML files must be UTF-8") from None
    except OSError as exc:
        raise UserError(f"{display(path)}: cannot read: {exc.strerror or exc}") from None


def _check_targets(targets: tuple[str, ...], where: str) -> tuple[str, ...]:
    if not targets:
        raise UserError(f"{where}: expected at least one target (choose from {', '.join(TARGETS)})")
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


def check_class_name(name: str, where: str) -> str:
    """`name` when it can name the root model: an identifier, capitalised, not a keyword."""
    if not name.isidentifier() or not name[0].isupper() or keyword.iskeyword(name) or not name.isascii():
        raise UserError(f"{where}: {name!r} is not a valid Python class name")
    return name


def display(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it, so error
    messages and examples do not carry the absolute folders of the machine they were made on."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except (ValueError, OSError):
        return str(path)

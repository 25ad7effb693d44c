"""Accepted breaking changes: breaks a reviewer signed off, and what remains failing once they are.

The list lives next to the snapshots in `accepted-breaks.toml` (TOML, so `snapshots.list_versions`,
which globs `*.json`, can never take it for a snapshot):

    [[accepted]]
    old = "v7"                 # the pair of versions the break belongs to
    new = "v8"
    rule = "property-removed"  # a rule id from rules.CATALOGUE
    pointer = "/$defs/X/properties/y"   # the place, in OLD or in NEW
    reason = "upstream #15097 renamed ..."   # required: why this was accepted

An entry matches a change of that pair with that rule whose OLD or NEW pointer is `pointer` and
that breaks on some axis. A matching change is kept and shown, marked accepted, and no longer
fails a check. An entry that matches nothing is *stale* (`Report.stale_accepted`), so the list
cannot rot silently: `diff` warns about it, `compat` fails on it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cwscodegen.engine.changes import Change, Effect, Report
from cwscodegen.errors import UserError

ACCEPTED_FILE = "accepted-breaks.toml"
_FIELDS = ("old", "new", "rule", "pointer", "reason")
_HEADER = re.compile(r"^\s*\[\[\s*accepted\s*\]\]\s*(#.*)?$")


@dataclass(frozen=True)
class AcceptedBreak:
    """One signed-off break; `file` and `line` say where it is written, for warnings."""

    old: str
    new: str
    rule: str
    pointer: str
    reason: str
    file: str = ""
    line: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "rule": self.rule,
            "pointer": self.pointer,
            "reason": self.reason,
            "file": self.file,
            "line": self.line,
        }

    def matches(self, report: Report, change: Change) -> bool:
        return (
            (self.old, self.new) == (report.old_name, report.new_name)
            and self.rule == change.rule
            and self.pointer in (change.old_pointer, change.new_pointer)
            and any(e.breaks for e in (change.backward, change.forward, change.api))
        )


def load_accepted(path: Path, *, known_rules: Collection[str] | None = None) -> list[AcceptedBreak]:
    """Read and check the accepted-breaks file; a missing file means no accepted breaks."""
    source = str(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{source}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{source}: cannot read: {exc}") from None
    extra = sorted(set(data) - {"accepted"})
    if extra:
        raise UserError(f"{source}: unknown top-level key {extra[0]!r} (expected only [[accepted]] entries)")
    entries = data.get("accepted", [])
    if not isinstance(entries, list):
        raise UserError(f"{source}: 'accepted' must be an array of tables ([[accepted]])")
    lines = _entry_lines(text)
    return [
        _entry(raw, source, index, lines[index] if index < len(lines) else 0, known_rules)
        for index, raw in enumerate(entries)
    ]


def load_configured(
    schemas: Path, explicit: Path | None, known_rules: Collection[str] | None = None
) -> list[AcceptedBreak]:
    """The list a command uses: `explicit` (which must exist) or `accepted-breaks.toml` beside the
    snapshots (which may be absent)."""
    if explicit is not None and not explicit.exists():  # /dev/null works: "accept nothing"
        raise UserError(f"{explicit}: no such accepted-breaks file (--accepted)")
    return load_accepted(explicit or schemas / ACCEPTED_FILE, known_rules=known_rules)


def _entry_lines(text: str) -> list[int]:
    """Line numbers of the `[[accepted]]` headers, in order: entry i is written at lines[i]."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]


def _entry(raw: Any, source: str, index: int, line: int, known_rules: Collection[str] | None) -> AcceptedBreak:
    where = f"{source}:{line}: entry {index + 1}" if line else f"{source}: entry {index + 1}"
    if not isinstance(raw, dict):
        raise UserError(f"{where}: expected a table with {', '.join(_FIELDS)}")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise UserError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(_FIELDS)})")
    for key in _FIELDS:
        if key not in raw:
            raise UserError(f"{where}: missing {key!r}")
        if not isinstance(raw[key], str):
            raise UserError(f"{where}: {key!r} must be a string")
    for key in ("old", "new", "rule", "reason"):
        if not raw[key].strip():
            raise UserError(f"{where}: {key!r} must not be empty")
    if raw["pointer"] and not raw["pointer"].startswith("/"):
        raise UserError(f"{where}: 'pointer' {raw['pointer']!r} is not a JSON pointer (must start with '/')")
    if known_rules is not None and raw["rule"] not in known_rules:
        raise UserError(f"{where}: unknown rule {raw['rule']!r}")
    return AcceptedBreak(
        old=raw["old"],
        new=raw["new"],
        rule=raw["rule"],
        pointer=raw["pointer"],
        reason=raw["reason"].strip(),
        file=source,
        line=line,
    )


def mark(report: Report, entries: Sequence[AcceptedBreak]) -> tuple[Report, set[int]]:
    """Set `Change.accepted` on matching changes; also return the indexes of entries that matched."""
    changes = []
    for change in report.changes:
        hit = next((e for e in entries if e.matches(report, change)), None)
        changes.append(change if hit is None else replace(change, accepted=hit.reason))
    # Every matching entry is used, even a redundant second one for the same change.
    used = {i for i, e in enumerate(entries) for c in report.changes if e.matches(report, c)}
    return replace(report, changes=tuple(changes)), used


def apply(report: Report, entries: Sequence[AcceptedBreak]) -> Report:
    """`mark`, plus the stale entries of this pair in `Report.stale_accepted`."""
    marked, used = mark(report, entries)
    pair = (report.old_name, report.new_name)
    stale = tuple(e.as_dict() for i, e in enumerate(entries) if i not in used and (e.old, e.new) == pair)
    return replace(marked, stale_accepted=stale)


def unused(entries: Sequence[AcceptedBreak], used: Iterable[int]) -> list[dict[str, Any]]:
    """Entries no checked pair used (for `compat`, which checks all pairs at once)."""
    taken = set(used)
    return [e.as_dict() for i, e in enumerate(entries) if i not in taken]


# ------------------------------------------------------------ what fails, once accepted breaks count

_MODE_AXES = {"backward": ("backward",), "forward": ("forward",), "full": ("backward", "forward")}


def counted_axes(mode: str, api: bool) -> tuple[str, ...]:
    """The axes whose breaks decide the exit code: the mode's directions, plus api unless --no-api."""
    return _MODE_AXES[mode] + (("api",) if api else ())


def _effect(obj: Change | Report, axis: str) -> Effect:
    value: Effect = getattr(obj, axis)
    return value


def change_fails(change: Change, mode: str, api: bool) -> bool:
    """A change fails the check when it is not accepted and breaks (or is undecided) on a counted axis."""
    return change.accepted is None and any(_effect(change, a).breaks for a in counted_axes(mode, api))


def _explained(report: Report, axis: str) -> bool:
    """True when the report's break on `axis` is entirely made of accepted changes.

    If the engine says an axis breaks but no change breaks on it, nothing can be accepted and
    the break stands (soundness: never call something compatible on a reviewer's word alone).
    """
    breaking = [c for c in report.changes if _effect(c, axis).breaks]
    return bool(breaking) and all(c.accepted is not None for c in breaking)


def fails(report: Report, mode: str, api: bool) -> bool:
    """Whether the pair fails: some counted axis breaks and is not wholly covered by accepted breaks."""
    return any(
        _effect(report, axis).breaks and not _explained(report, axis) for axis in counted_axes(mode, api)
    ) or any(change_fails(c, mode, api) for c in report.changes)


def effect_label(effect: Effect) -> str:
    """How an effect reads to people: undecided is breaking, and says so."""
    return "breaking (undecided)" if effect is Effect.UNDECIDED else effect.value


def axis_status(report: Report, axis: str) -> str:
    """`compatible`, `breaking`, `breaking (undecided)`, `none`, with `(accepted)` when every break
    on the axis was signed off."""
    effect = _effect(report, axis)
    label = effect_label(effect)
    if effect.breaks and _explained(report, axis):
        label += " (accepted)"
    return label

"""Accepted breaking changes: breaks a reviewer signed off, and what remains failing once they are.

The list lives next to the snapshots in `accepted-breaks.toml` (TOML, so `snapshots.list_versions`,
which globs `*.json`, can never take it for a snapshot):

    [[accepted]]
    old = "v7"                 # the pair of versions the break belongs to
    new = "v8"
    old_sha256 = "9f2c..."     # what those versions contained when the break was signed off
    new_sha256 = "41ab..."
    rule = "property-removed"  # a rule id from rules.CATALOGUE
    pointer = "/$defs/X/properties/y"   # the place, in OLD or in NEW
    reason = "upstream #15097 renamed ..."   # required: why this was accepted

A sign-off belongs to two snapshots of the configured folder, not to two file names: an entry
applies only when OLD and NEW are that folder's `old.json` and `new.json` (`identify`) and their
contents still hash to `old_sha256`/`new_sha256` (SHA-256 of the text, newlines as read), so
`diff a/v14.json b/v15.json` on two files merely named like snapshots never picks one up, and
an edited snapshot needs a fresh sign-off. It then matches a change of that pair with that rule
whose OLD or NEW pointer is `pointer` and that breaks on some axis. A matching change is kept and
shown, marked accepted, and no longer fails a check. An entry of a checked pair that matches
nothing (a stale hash or no hash included) is *stale* (`Report.stale_accepted`, with `why`), so
the list cannot rot silently: `diff` warns about it, `compat` fails on it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from cwscodegen.engine.changes import Change, Effect, Report
from cwscodegen.errors import UserError
from cwscodegen.store.snapshots import Snapshot

ACCEPTED_FILE = "accepted-breaks.toml"
_FIELDS = ("old", "new", "rule", "pointer", "reason")
_HASHES = ("old_sha256", "new_sha256")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
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
    old_sha256: str = ""
    new_sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "rule": self.rule,
            "pointer": self.pointer,
            "reason": self.reason,
            "file": self.file,
            "line": self.line,
            "old_sha256": self.old_sha256,
            "new_sha256": self.new_sha256,
        }

    def of_pair(self, sides: Sides | None) -> bool:
        """Written for this pair of version names (whatever their contents)."""
        return sides is not None and (self.old, self.new) == (sides.old, sides.new)

    def signed(self, sides: Sides | None) -> bool:
        """Written for exactly these two snapshots: names and content hashes."""
        return (
            sides is not None
            and self.of_pair(sides)
            and (self.old_sha256, self.new_sha256) == (sides.old_sha256, sides.new_sha256)
        )

    def why_stale(self, sides: Sides | None) -> str:
        """Why the entry matched nothing in a checked pair, with the hashes a fresh sign-off needs."""
        if sides is None or self.signed(sides):
            return "matches no breaking change"
        wanted = f'(now old_sha256 = "{sides.old_sha256}", new_sha256 = "{sides.new_sha256}")'
        if not self.old_sha256 or not self.new_sha256:
            return f"has no old_sha256/new_sha256: it names no content {wanted}"
        return f"was signed for other contents of {self.old}/{self.new} {wanted}"

    def matches(self, report: Report, change: Change, sides: Sides | None = None) -> bool:
        return (
            self.signed(sides)
            and self.rule == change.rule
            and self.pointer in (change.old_pointer, change.new_pointer)
            and any(e.breaks for e in (change.backward, change.forward, change.api))
        )


class Sides(NamedTuple):
    """What an accepted break is signed for: two snapshot names and their contents' SHA-256."""

    old: str
    new: str
    old_sha256: str
    new_sha256: str


def content_sha256(snapshot: Snapshot) -> str:
    """SHA-256 of the snapshot's text as read (UTF-8, universal newlines: a CRLF checkout of the
    same file hashes the same)."""
    return hashlib.sha256(snapshot.text.encode("utf-8")).hexdigest()


def _in_folder(snapshot: Snapshot, schemas: Path) -> bool:
    try:
        return snapshot.path.resolve() == (schemas / f"{snapshot.name}.json").resolve()
    except (OSError, ValueError):
        return False


def identify(old: Snapshot, new: Snapshot, schemas: Path) -> Sides | None:
    """The pair's identity when both are snapshots of the configured folder `schemas`; None for
    any other files (named like snapshots or not), to which no accepted break ever applies."""
    if not (_in_folder(old, schemas) and _in_folder(new, schemas)):
        return None
    return Sides(old.name, new.name, content_sha256(old), content_sha256(new))


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
    unknown = sorted(set(raw) - set(_FIELDS) - set(_HASHES))
    if unknown:
        raise UserError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(_FIELDS + _HASHES)})")
    for key in _HASHES:
        if key in raw and not (isinstance(raw[key], str) and _HEX64.match(raw[key])):
            raise UserError(f"{where}: {key!r} must be 64 lowercase hexadecimal digits (a SHA-256)")
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
        old_sha256=raw.get("old_sha256", ""),
        new_sha256=raw.get("new_sha256", ""),
    )


def mark(report: Report, entries: Sequence[AcceptedBreak], sides: Sides | None) -> tuple[Report, set[int]]:
    """Set `Change.accepted` on matching changes; also return the indexes of entries that matched.
    `sides` is `identify(old, new, folder)`: None (files outside the folder) matches nothing."""
    changes = []
    for change in report.changes:
        hit = next((e for e in entries if e.matches(report, change, sides)), None)
        changes.append(change if hit is None else replace(change, accepted=hit.reason))
    # Every matching entry is used, even a redundant second one for the same change.
    used = {i for i, e in enumerate(entries) for c in report.changes if e.matches(report, c, sides)}
    return replace(report, changes=tuple(changes)), used


def apply(report: Report, entries: Sequence[AcceptedBreak], sides: Sides | None) -> Report:
    """`mark`, plus the stale entries of this pair in `Report.stale_accepted` (none when the
    files are not snapshots of the folder: their sign-offs are not in question)."""
    marked, used = mark(report, entries, sides)
    stale = tuple(
        {**e.as_dict(), "why": e.why_stale(sides)} for i, e in enumerate(entries) if i not in used and e.of_pair(sides)
    )
    return replace(marked, stale_accepted=stale)


def unused(
    entries: Sequence[AcceptedBreak], used: Iterable[int], checked: Sequence[Sides] = ()
) -> list[dict[str, Any]]:
    """Entries no checked pair used (for `compat`, which checks all pairs at once), each with why."""
    taken = set(used)
    by_pair = {(s.old, s.new): s for s in checked}
    return [
        {**e.as_dict(), "why": e.why_stale(by_pair.get((e.old, e.new)))}
        for i, e in enumerate(entries)
        if i not in taken
    ]


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

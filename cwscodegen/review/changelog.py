"""A Markdown changelog over a range of snapshots, with a suggested version bump per release.

One section per consecutive pair, NEWEST FIRST (the order readers of release notes expect: what
changed last is on top). In each section: breaking changes (in the configured mode) first, each
with its verified witness event, then compatible changes, then documentation-only ones.

The bump follows the consumers' view of the wire format:
- major: some change breaks in the mode (undecided counts as breaking). An ACCEPTED break is still
  listed, marked accepted, and still makes the step major: signing a break off lets a check pass,
  but a consumer's parser breaks all the same;
- minor: any other change that is not documentation-only (additions, relaxations, binding-only);
- patch: only documentation changes (descriptions, titles, examples), or documents that differ
  without a change the engine classifies;
- none: the two documents are the same JSON value.
The whole range gets the highest bump of its steps, since every version in between was released
and a consumer may be on any of them; the direct FROM -> TO verdict is shown beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from cwscodegen.engine.changes import Change, Effect, Report
from cwscodegen.errors import UserError
from cwscodegen.review.accepted import AcceptedBreak, counted_axes, effect_label
from cwscodegen.review.render import MessageFn, Observation, evidence, place, pretty
from cwscodegen.store.snapshots import Snapshot, canonical

Verdicts = Callable[[Snapshot, Snapshot], tuple[Effect, Effect]]

DiffFn = Callable[[Snapshot, Snapshot], Report]


class Bump(str, Enum):
    """Suggested semantic-version bump, in increasing order of `RANK`."""

    NONE = "none"
    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"


RANK = {Bump.NONE: 0, Bump.PATCH: 1, Bump.MINOR: 2, Bump.MAJOR: 3}


class Kind(str, Enum):
    """Where a change is listed."""

    BREAKING = "breaking"
    COMPATIBLE = "compatible"
    DOCUMENTATION = "documentation"


HEADINGS = {
    Kind.BREAKING: "Breaking changes",
    Kind.COMPATIBLE: "Compatible changes",
    Kind.DOCUMENTATION: "Documentation-only changes",
}


def kind(change: Change, mode: str) -> Kind:
    """Breaking in the mode's directions; documentation-only when no axis (wire or API) is touched."""
    if any(getattr(change, axis).breaks for axis in counted_axes(mode, False)):
        return Kind.BREAKING
    if all(effect is Effect.NONE for effect in (change.backward, change.forward, change.api)):
        return Kind.DOCUMENTATION
    return Kind.COMPATIBLE


@dataclass(frozen=True)
class Step:
    """One release: the previous snapshot, this one, and what the engine found between them."""

    old: Snapshot
    new: Snapshot
    report: Report
    mode: str

    def changes(self, of: Kind) -> list[Change]:
        found = [c for c in self.report.changes if kind(c, self.mode) is of]
        return sorted(found, key=lambda c: (c.definition or "", place(c), c.rule))

    @property
    def bump(self) -> Bump:
        report = self.report
        if self.changes(Kind.BREAKING) or any(getattr(report, a).breaks for a in counted_axes(self.mode, False)):
            return Bump.MAJOR
        if self.changes(Kind.COMPATIBLE):
            return Bump.MINOR
        if report.changes or canonical(self.old.document) != canonical(self.new.document):
            return Bump.PATCH
        return Bump.NONE


@dataclass(frozen=True)
class Changelog:
    """Steps oldest first (rendering reverses them), the mode, and the direct first-to-last verdicts."""

    steps: tuple[Step, ...]
    mode: str
    direct: tuple[Effect, Effect]

    @property
    def bump(self) -> Bump:
        return max((s.bump for s in self.steps), key=RANK.__getitem__, default=Bump.NONE)


def select_range(names: Sequence[str], start: str | None, end: str | None, folder: Path) -> list[str]:
    """The versions from `start` to `end` inclusive (default: all), checked: known and in order."""
    for name in (start, end):
        if name is not None and name not in names:
            raise UserError(f"{folder}: unknown version {name!r} (known: {', '.join(names) or 'none'})")
    first = names.index(start) if start is not None else 0
    last = names.index(end) if end is not None else len(names) - 1
    if len(names) < 2:
        raise UserError(f"{folder}: a changelog needs at least two snapshots, found {len(names)}")
    if first >= last:
        raise UserError(f"{folder}: FROM {names[first]!r} must be older than TO {names[last]!r}")
    return list(names[first : last + 1])


def build(
    snapshots: Sequence[Snapshot],
    mode: str,
    *,
    accepted: Sequence[AcceptedBreak] = (),
    schemas: Path | None = None,
    diff: DiffFn | None = None,
    verdicts: Verdicts | None = None,
) -> Changelog:
    """Diff each consecutive pair (with witnesses) and mark accepted breaks (those signed for the
    snapshots of the folder `schemas`, by name and content hash).

    `diff` and `verdicts` default to the engine's `compare.diff` and `compare.verdicts`.
    """
    if diff is None or verdicts is None:
        from cwscodegen.engine import compare

        diff = diff or compare.diff
        verdicts = verdicts or compare.verdicts
    from cwscodegen.review.accepted import apply, identify

    steps = []
    for old, new in zip(snapshots, snapshots[1:]):
        report = diff(old, new)
        sides = identify(old, new, schemas) if schemas is not None else None
        steps.append(Step(old, new, apply(report, accepted, sides) if accepted else report, mode))
    first, last = snapshots[0], snapshots[-1]
    same = canonical(first.document) == canonical(last.document)
    direct = (Effect.NONE, Effect.NONE) if same else verdicts(first, last)
    return Changelog(steps=tuple(steps), mode=mode, direct=direct)


def provenance_text(snapshot: Snapshot) -> str:
    """`upstream PR #23493, 2024-03-06`, or whatever part of that is recorded."""
    entry = snapshot.provenance
    parts = []
    if entry.get("pr"):
        parts.append(f"upstream PR #{entry['pr']}")
    if entry.get("date"):
        parts.append(str(entry["date"]))
    if not parts and entry.get("source"):
        parts.append(str(entry["source"]))
    return ", ".join(parts)


def _label(effect: Effect) -> str:
    return "no effect" if effect is Effect.NONE else effect_label(effect)


def _directions(backward: Effect, forward: Effect) -> str:
    return f"backward {_label(backward)}, forward {_label(forward)}"


def render_markdown(
    changelog: Changelog, message: MessageFn | None = None, observed: Mapping[str, Observation] | None = None
) -> str:
    """The changelog as Markdown: a summary, then one section per release, newest first.

    `observed` (`changelog --events`): per release name, what real events showed for its step;
    each breaking change then says how many of them it hits."""
    if message is None:
        from cwscodegen.engine import rules

        message = rules.message
    steps = changelog.steps
    first, last = steps[0].old.name, steps[-1].new.name
    lines = [
        f"# Changelog {first} → {last} (mode: {changelog.mode})",
        "",
        f"Suggested bump for the whole range: **{changelog.bump.value}** (the highest bump of its "
        f"{len(steps)} step{'s' if len(steps) != 1 else ''}: every version in between was released).",
        f"Directly from {first} to {last}: {_directions(*changelog.direct)}.",
        "",
        "Newest release first. Bumps: major = breaks in the mode (accepted breaks included: a "
        "deliberate break still breaks consumers), minor = other schema changes, patch = "
        "documentation only, none = identical.",
    ]
    for step in reversed(steps):
        lines += ["", *_section(step, message, (observed or {}).get(step.new.name))]
    return "\n".join(lines) + "\n"


def _section(step: Step, message: MessageFn, observation: Observation | None = None) -> list[str]:
    origin = provenance_text(step.new)
    heading = f"## {step.new.name} (from {step.old.name})" + (f" — {origin}" if origin else "")
    lines = [heading, ""]
    note = step.new.provenance.get("note")
    if note:
        lines += [f"> {note}", ""]
    report = step.report
    count = len(report.changes)
    lines.append(
        f"Suggested bump: **{step.bump.value}** · {_directions(report.backward, report.forward)} · "
        f"{count} change{'s' if count != 1 else ''}"
    )
    if not report.changes:
        text = (
            "The two documents are identical."
            if step.bump is Bump.NONE
            else ("The documents differ, but in nothing the engine classifies as a schema change.")
        )
        return [*lines, "", text]
    for of in Kind:
        changes = step.changes(of)
        if changes:
            lines += ["", f"### {HEADINGS[of]}", ""]
            for change in changes:
                lines += _item(change, of, message, observation)
    return lines


def _item(change: Change, of: Kind, message: MessageFn, observation: Observation | None = None) -> list[str]:
    text = f"- `{place(change)}`: {message(change)} (`{change.rule}`"
    if of is not Kind.DOCUMENTATION:
        text += f"; backward {effect_label(change.backward)}, forward {effect_label(change.forward)}"
        if change.api is not Effect.NONE:
            text += f", bindings {effect_label(change.api)}"
    text += ")"
    if change.accepted is not None:
        text += f" — **accepted**: {change.accepted}"
    observed = observation.text(change) if observation is not None and of is Kind.BREAKING else None
    if observed is not None:
        text += f" — **observed**: {observed}"
    lines = [text]
    if of is not Kind.BREAKING:
        return lines
    for direction, witness, note in evidence(change):
        if witness is None:
            lines.append(f"  - no {direction.value} witness: {note}")
            continue
        lines += ["", f"  {direction.value.capitalize()} witness ({note}):", "", "  ```json"]
        lines += ["  " + row for row in pretty(witness.event).splitlines()]
        lines.append("  ```")
    return lines

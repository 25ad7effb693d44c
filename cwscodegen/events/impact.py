"""How much a schema change breaks real traffic: `impact OLD NEW EVENTS`.

`diff` proves a change *can* break a reader; this counts the events it *does* break. Each event
is decided by OLD and by NEW (the same `SnapshotChecker` as `validate`, so the verdicts are
`validate`'s), and falls in one of five buckets: accepted by both, by OLD only (rejected after the
change: a backward break), by NEW only (a forward break), by neither, or malformed.

Attribution: an affected event is tied to the breaking changes of `diff OLD NEW` by place. Every
error of the rejecting snapshot (`pruned_validator`: the same errors as plain `jsonschema`,
cheaper) has a schema location, the pointer of the schema object that holds the failing keyword
(found by object identity: `$ref` targets are the document's own dicts) plus the keyword. A change
matches an error when one pointer is inside the other (`/$defs/X/required` and the change at
`/$defs/X/required`), or when the change is about a property of that schema object and the error
names that property (`'auid' is a required property`, an unexpected `auid`). Two changes at one
pointer (two new required keys) are told apart by the property the error names. An affected event
no change matches is counted as unattributed and shown, never dropped.

Tallies are plain data that merge (`ImpactTally.merge`) in input order, so a run split into
chunks (`--jobs`) or shards (Dask) gives the same counts and the same first examples as one pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cwscodegen.engine.changes import Change, Report
from cwscodegen.events.validate import Event, Malformed, SnapshotChecker, parse_line
from cwscodegen.store.refs import escape, pointer
from cwscodegen.store.snapshots import Snapshot

JSON_FORMAT = "cwscodegen.impact"
JSON_VERSION = 1
FORMATS = ("text", "markdown", "json")
MODE_DIRECTIONS = {"backward": ("backward",), "forward": ("forward",), "full": ("backward", "forward")}
UNATTRIBUTED_EXAMPLES = 5
_PROPERTY_KEYWORDS = ("required", "properties", "additionalProperties", "unevaluatedProperties")


@dataclass(frozen=True)
class Target:
    """A change that breaks one direction, as impact matches it: the pointer on the side that
    rejects (NEW for backward, OLD for forward), and the property it is about, if any."""

    index: int
    direction: str
    rule: str
    message: str
    old_pointer: str | None
    new_pointer: str | None
    property_name: str | None

    @property
    def pointer(self) -> str | None:
        rejecting = self.new_pointer if self.direction == "backward" else self.old_pointer
        return rejecting if rejecting is not None else (self.old_pointer or self.new_pointer)


def targets(report: Report, mode: str) -> tuple[Target, ...]:
    """The changes that break a direction of `mode`, in the report's order (backward first)."""
    from cwscodegen.engine.rules import message

    found: list[Target] = []
    for direction in MODE_DIRECTIONS[mode]:
        for change in report.changes:
            if getattr(change, direction).breaks:
                found.append(_target(len(found), direction, change, message(change)))
    return tuple(found)


def _target(index: int, direction: str, change: Change, message: str) -> Target:
    return Target(index, direction, change.rule, message, change.old_pointer, change.new_pointer, change.property)


@dataclass(frozen=True)
class Example:
    """Where an event was read (shard and line) and the rejecting snapshot's first error."""

    source: str
    line: int
    pointer: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "pointer": self.pointer, "message": self.message}


@dataclass
class ImpactTally:
    """Counts for one run, or one chunk of it; `merge` adds a later chunk (constant memory)."""

    both: int = 0
    old_only: int = 0
    new_only: int = 0
    neither: int = 0
    malformed: int = 0
    hits: dict[int, int] = field(default_factory=dict)
    first: dict[int, Example] = field(default_factory=dict)
    unattributed: dict[str, int] = field(default_factory=dict)
    unattributed_examples: dict[str, list[Example]] = field(default_factory=dict)
    first_malformed: Example | None = None

    @property
    def events(self) -> int:
        return self.both + self.old_only + self.new_only + self.neither + self.malformed

    def affected(self, mode: str) -> int:
        """Events broken in the directions `mode` counts."""
        return sum(self.old_only if d == "backward" else self.new_only for d in MODE_DIRECTIONS[mode])

    def merge(self, later: ImpactTally) -> None:
        """Add the tally of input that comes after this one's (first examples stay first)."""
        self.both += later.both
        self.old_only += later.old_only
        self.new_only += later.new_only
        self.neither += later.neither
        self.malformed += later.malformed
        for index, count in later.hits.items():
            self.hits[index] = self.hits.get(index, 0) + count
        for index, example in later.first.items():
            self.first.setdefault(index, example)
        for direction, count in later.unattributed.items():
            self.unattributed[direction] = self.unattributed.get(direction, 0) + count
        for direction, examples in later.unattributed_examples.items():
            kept = self.unattributed_examples.setdefault(direction, [])
            kept += examples[: UNATTRIBUTED_EXAMPLES - len(kept)]
        if self.first_malformed is None:
            self.first_malformed = later.first_malformed


def _schema_pointers(document: Any) -> dict[int, str]:
    """`id(schema object) -> JSON pointer` for every object of the document."""
    found: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            found[id(node)] = where
            stack += [(value, f"{where}/{escape(str(key))}") for key, value in node.items()]
        elif isinstance(node, list):
            stack += [(value, f"{where}/{i}") for i, value in enumerate(node)]
    return found


@dataclass(frozen=True)
class Located:
    """One error of the rejecting snapshot: the schema object's pointer, the keyword, the property
    names the error is about (missing or unexpected ones), and the error itself for examples."""

    schema: str
    keyword: str
    names: frozenset[str]
    instance: str
    message: str

    @property
    def location(self) -> str:
        return f"{self.schema}/{escape(self.keyword)}"


def _names(error: Any) -> frozenset[str]:
    """The property names a `required`/`additionalProperties` error is about."""
    keyword, value, instance, schema = error.validator, error.validator_value, error.instance, error.schema
    if keyword == "required" and isinstance(value, list):
        return frozenset(p for p in value if isinstance(p, str) and error.message == f"{p!r} is a required property")
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        declared = schema.get("properties", {}) if isinstance(schema, dict) else {}
        return frozenset(k for k in instance if k not in declared)
    return frozenset()


def matches(target: Target, error: Located) -> bool:
    """Is `error` (of the rejecting snapshot) caused by the change `target`? See the module doc."""
    where = target.pointer
    if where is None:
        return False
    if target.property_name is not None and error.names and target.property_name not in error.names:
        return False
    if where == "":  # a change recorded at the whole document: only errors of the root schema object
        return error.schema == ""
    location = error.location
    if where == location or location.startswith(where + "/") or where.startswith(location + "/"):
        return True
    if target.property_name is None or not error.names:
        return False
    tail = where[len(error.schema) :] if where.startswith(error.schema + "/") else None
    prop = escape(target.property_name)
    return tail is not None and tail in (*(f"/{k}" for k in _PROPERTY_KEYWORDS), f"/properties/{prop}")


class Side:
    """One snapshot as impact uses it: the verdict (validate's checker) and, for a rejected event,
    every error with its schema location."""

    def __init__(self, snapshot: Snapshot) -> None:
        from cwscodegen.events.fastcheck import fast_document, pruned_validator
        from cwscodegen.store.validators import make_validator

        self.name = snapshot.name
        self.checker = SnapshotChecker(snapshot)
        fast = fast_document(snapshot.document)
        self.explainer = (
            pruned_validator(snapshot.document, fast) if fast is not None else make_validator(snapshot.document)
        )
        self.pointers = _schema_pointers(snapshot.document)

    def errors(self, instance: Any) -> Iterator[Located]:
        """Every error, nested ones (`anyOf` branches) included, with its schema location."""
        pending = list(self.explainer.iter_errors(instance))
        while pending:
            error = pending.pop(0)
            schema = self.pointers.get(id(error.schema))
            if schema is not None and isinstance(error.validator, str):
                yield Located(schema, error.validator, _names(error), pointer(*error.absolute_path), error.message)
            pending += list(error.context or ())


class Impact:
    """Decides and attributes events for one OLD/NEW pair in one mode."""

    def __init__(self, old: Snapshot, new: Snapshot, changes: Sequence[Target], mode: str) -> None:
        self.old, self.new = Side(old), Side(new)
        self.mode = mode
        self.targets = tuple(changes)

    def tally(self, events: Iterable[tuple[str, Event | Malformed]]) -> ImpactTally:
        """The tally of `(source, event)` pairs, consumed lazily."""
        tally = ImpactTally()
        for source, event in events:
            self.add(tally, source, event)
        return tally

    def add(self, tally: ImpactTally, source: str, event: Event | Malformed) -> None:
        if isinstance(event, Malformed):
            tally.malformed += 1
            if tally.first_malformed is None:
                tally.first_malformed = Example(source, event.line, "", f"malformed JSON: {event.message}")
            return
        old_no, new_no = self.old.checker.check(event.value), self.new.checker.check(event.value)
        if old_no is None and new_no is None:
            tally.both += 1
        elif old_no is not None and new_no is not None:
            tally.neither += 1
        elif old_no is None:
            tally.old_only += 1
            if "backward" in MODE_DIRECTIONS[self.mode]:
                self._attribute(tally, "backward", self.new, source, event)
        else:
            tally.new_only += 1
            if "forward" in MODE_DIRECTIONS[self.mode]:
                self._attribute(tally, "forward", self.old, source, event)

    def _attribute(self, tally: ImpactTally, direction: str, side: Side, source: str, event: Event) -> None:
        errors = list(side.errors(event.value))
        candidates = [t for t in self.targets if t.direction == direction]
        hit = False
        for target in candidates:
            error = next((e for e in errors if matches(target, e)), None)
            if error is None:
                continue
            hit = True
            tally.hits[target.index] = tally.hits.get(target.index, 0) + 1
            tally.first.setdefault(target.index, Example(source, event.line, error.instance, error.message))
        if not hit:
            tally.unattributed[direction] = tally.unattributed.get(direction, 0) + 1
            kept = tally.unattributed_examples.setdefault(direction, [])
            if len(kept) < UNATTRIBUTED_EXAMPLES:
                first = errors[0] if errors else None
                kept.append(
                    Example(source, event.line, first.instance if first else "", first.message if first else "?")
                )


def as_events(items: Iterable[Any], source: str = "<events>") -> Iterator[tuple[str, Event | Malformed]]:
    """`(source, event)` pairs from an iterable of JSON Lines (`bytes` or `str`, one event each,
    blank ones skipped) or of already-parsed documents (anything else), numbered from 1.

    Why both: a Spark or Beam job holds lines; a caller with parsed events should not re-serialise."""
    for number, item in enumerate(items, start=1):
        if isinstance(item, bytes):
            try:
                item = item.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield source, Malformed(number, exc.start + 1, f"not UTF-8 ({exc.reason})")
                continue
        if isinstance(item, str):
            if item.strip():
                yield source, parse_line(item.rstrip("\r\n"), number)
        else:
            yield source, Event(number, item)


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class ImpactView:
    """What the renderers need: the pair, the mode, the matched changes and the merged tally."""

    old: str
    new: str
    mode: str
    targets: tuple[Target, ...]
    tally: ImpactTally

    @property
    def failing(self) -> bool:
        return self.tally.affected(self.mode) > 0

    def ranked(self) -> list[Target]:
        """Changes by events hit (most first), then in the diff's order."""
        return sorted(self.targets, key=lambda t: (-self.tally.hits.get(t.index, 0), t.index))


def _plural(count: int, noun: str = "event") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _buckets(view: ImpactView) -> str:
    t = view.tally
    return (
        f"{_plural(t.events)}: {t.both} accepted by both, {t.old_only} by {view.old} only, "
        f"{t.new_only} by {view.new} only, {t.neither} by neither, {t.malformed} malformed"
    )


def _direction_text(view: ImpactView, direction: str) -> str:
    accepted, rejected = (view.old, view.new) if direction == "backward" else (view.new, view.old)
    return f"{direction} (accepted by {accepted}, rejected by {rejected})"


def _where(example: Example) -> str:
    return f"{example.source}:{example.line}"


def _error(example: Example) -> str:
    return f"{example.pointer or '(root)'}: {_clip(example.message)}"


def _clip(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def render_text(view: ImpactView) -> str:
    """For the terminal: buckets, then per direction the changes hit, then what no change explains."""
    tally = view.tally
    lines = [f"impact {view.old} → {view.new}, mode {view.mode}: {_buckets(view)}"]
    for direction in MODE_DIRECTIONS[view.mode]:
        affected = tally.old_only if direction == "backward" else tally.new_only
        lines += ["", f"{_direction_text(view, direction)}: {_plural(affected)} affected"]
        for target in view.ranked():
            if target.direction != direction:
                continue
            count = tally.hits.get(target.index, 0)
            lines.append(f"  {count:>8}  {target.rule}  {target.pointer or '(root)'}  {target.message}")
            if target.index in tally.first:
                example = tally.first[target.index]
                lines.append(f"            first: {_where(example)}: {_error(example)}")
        missing = tally.unattributed.get(direction, 0)
        lines.append(f"  {missing:>8}  unattributed (no change of the diff explains the rejection)")
        for example in tally.unattributed_examples.get(direction, []):
            lines.append(f"            {_where(example)}: {_error(example)}")
    if tally.first_malformed is not None:
        lines += ["", f"first malformed event: {_where(tally.first_malformed)}: {tally.first_malformed.message}"]
    verdict = "FAIL" if view.failing else "OK"
    lines += ["", f"mode {view.mode}: {verdict} ({_plural(tally.affected(view.mode))} affected)"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(view: ImpactView) -> str:
    """For a release-review comment: one table per direction, the first example of each change."""
    tally = view.tally
    icon = "❌" if view.failing else "✅"
    lines = [f"### {icon} Impact of `{view.old}` → `{view.new}` on real events", "", f"**{_cell(_buckets(view))}**"]
    for direction in MODE_DIRECTIONS[view.mode]:
        affected = tally.old_only if direction == "backward" else tally.new_only
        lines += ["", f"#### {_cell(_direction_text(view, direction))}: {_plural(affected)} affected", ""]
        lines += ["| events | rule | place | change | first event |", "|---:|---|---|---|---|"]
        for target in view.ranked():
            if target.direction != direction:
                continue
            example = tally.first.get(target.index)
            first = f"`{_cell(_where(example))}`: {_cell(_error(example))}" if example else ""
            place = _cell(target.pointer or "(root)")
            row = [str(tally.hits.get(target.index, 0)), f"`{target.rule}`", f"`{place}`", _cell(target.message), first]
            lines.append("| " + " | ".join(row) + " |")
        examples = tally.unattributed_examples.get(direction, [])
        shown = "<br>".join(f"`{_cell(_where(e))}`: {_cell(_error(e))}" for e in examples)
        lines.append(
            f"| {tally.unattributed.get(direction, 0)} | unattributed | | no change of the diff explains it | {shown} |"
        )
    lines += [
        "",
        f"mode {view.mode}: {'FAIL' if view.failing else 'OK'} ({_plural(tally.affected(view.mode))} affected)",
    ]
    return "\n".join(lines) + "\n"


def impact_json(view: ImpactView) -> dict[str, Any]:
    """The versioned structure documented in docs/commands/impact.md, keys in a fixed order."""
    tally = view.tally
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "old": view.old,
        "new": view.new,
        "mode": view.mode,
        "events": tally.events,
        "counts": {
            "both": tally.both,
            "old_only": tally.old_only,
            "new_only": tally.new_only,
            "neither": tally.neither,
            "malformed": tally.malformed,
        },
        "affected": tally.affected(view.mode),
        "exit_code": 1 if view.failing else 0,
        "changes": [
            {
                "direction": t.direction,
                "rule": t.rule,
                "message": t.message,
                "old_pointer": t.old_pointer,
                "new_pointer": t.new_pointer,
                "property": t.property_name,
                "events": tally.hits.get(t.index, 0),
                "first": tally.first[t.index].as_json() if t.index in tally.first else None,
            }
            for t in view.ranked()
        ],
        "unattributed": {
            direction: {
                "events": tally.unattributed.get(direction, 0),
                "examples": [e.as_json() for e in tally.unattributed_examples.get(direction, [])],
            }
            for direction in MODE_DIRECTIONS[view.mode]
        },
        "first_malformed": tally.first_malformed.as_json() if tally.first_malformed else None,
    }


def render(view: ImpactView, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(impact_json(view), indent=2, ensure_ascii=False) + "\n"
    return render_markdown(view) if fmt == "markdown" else render_text(view)


def observed_counts(view: ImpactView) -> Mapping[tuple[str, str | None, str | None, str], int]:
    """Events hit per breaking change, keyed by (rule, old pointer, new pointer, direction), for
    `diff --events` and `changelog --events` to show next to each change."""
    return {(t.rule, t.old_pointer, t.new_pointer, t.direction): view.tally.hits.get(t.index, 0) for t in view.targets}


def check_format(fmt: str) -> None:
    """Reject an unknown `--format` with the usual one-line error."""
    from cwscodegen.errors import UserError

    if fmt not in FORMATS:
        raise UserError(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")

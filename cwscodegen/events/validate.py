"""Checking a stream of JSON events against snapshots: which accept each event, and why others don't.

Input: bytes, line by line, never the whole stream at once (a 1 GB JSON Lines file is read one
line at a time; memory stays flat). How the input is read:
- `lines` mode (files named `*.jsonl`, `*.ndjson`, `*.jsonlines`): JSON Lines, one event per line,
  blank lines skipped; a malformed line is reported (line and column) and the run goes on;
- `auto` mode (standard input, `*.json` and any other file): decided by the first non-blank line.
  A complete JSON value: JSON Lines, as above. The beginning of a longer value (`{` alone, as in
  a pretty-printed event): multi-line values, one after the other (one pretty-printed event, or
  several as `jq .` prints them). A value ends at a line that starts with `}` or `]` and
  completes it; a line starting with `{` or `[` starts the next value. So memory holds one
  event at a time here too, and JSON Lines whose first line was cut (`tail -c`) are still read
  line by line, the cut line being reported as malformed.
`NaN`/`Infinity` (accepted by Python's json module, not JSON) make an event malformed.

Checking: each snapshot gets a `SnapshotChecker`; the fast check (`fastcheck`: jsonschema-rs,
compiled for the snapshot's draft with jsonschema's own format functions) accepts valid events
when the schema allows it, and `jsonschema` (`validators.make_validator`, the project's
definition of valid) decides every event the fast check does not accept and supplies the first
error, with its instance path as a JSON pointer.

Passing: an event passes when EVERY selected snapshot accepts it (the ones named with
`--version`, else all of them); it fails when one rejects it or when it is malformed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwscodegen.errors import UserError
from cwscodegen.store.refs import pointer
from cwscodegen.store.snapshots import Snapshot
from cwscodegen.store.validators import first_error


@dataclass(frozen=True)
class Event:
    """One parsed event and the line it starts on."""

    line: int
    value: Any


@dataclass(frozen=True)
class Malformed:
    """An input line (or single document) that is not JSON; `column` is 1-based when known."""

    line: int
    column: int | None
    message: str


@dataclass(frozen=True)
class Rejection:
    """Why one snapshot rejects an event: the first error's place in the event (`pointer`), its
    message, and the failing keyword's place in the snapshot (`schema`, `$ref`s followed, e.g.
    `/$defs/ProcessCredentials/required`: what `impact` matches to a change's pointer)."""

    version: str
    pointer: str
    message: str
    schema: str = ""


@dataclass(frozen=True)
class Verdict:
    """The outcome for one event, across the selected snapshots (in version order)."""

    line: int
    accepted: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    malformed: Malformed | None = None

    @property
    def ok(self) -> bool:
        """Accepted by every selected snapshot (and not malformed)."""
        return self.malformed is None and not self.rejected


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_line(text: str, line: int) -> Event | Malformed:
    """One JSON value from `text`, which starts on input line `line`."""
    try:
        return Event(line, _DECODER.decode(text))
    except json.JSONDecodeError as exc:
        return Malformed(line + exc.lineno - 1, exc.colno, exc.msg)
    except _NotJson as exc:
        return Malformed(line, None, str(exc))
    except RecursionError:
        return Malformed(line, None, "nested too deeply")
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        return Malformed(line, None, str(exc))


LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")


def input_mode(path: Path | None) -> str:
    """`lines` for a JSON Lines file name, else `auto` (standard input is `None`)."""
    return "lines" if path is not None and path.suffix.lower() in LINES_SUFFIXES else "auto"


DEFAULT_MAX_LINE_BYTES = 64 << 20
"""Longest line (and multi-line value) read: far above any real event, and what bounds memory."""


def iter_events(
    lines: Iterable[bytes], mode: str = "auto", max_value_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[Event | Malformed]:
    """Events from raw input lines, lazily (see the module docstring for the two modes). A
    multi-line value longer than `max_value_bytes` is reported as malformed and skipped."""
    numbered = enumerate(lines, start=1)
    if mode == "auto":
        for number, raw in numbered:
            text = _decode(raw, number)
            if isinstance(text, Malformed):
                yield text
                break
            if not text.strip():
                continue
            if _continues(text):
                yield from _values(number, text, numbered, max_value_bytes)
                return
            yield parse_line(text.rstrip("\r\n"), number)
            break
    yield from _each_line(numbered)


def _each_line(numbered: Iterable[tuple[int, bytes | str]]) -> Iterator[Event | Malformed]:
    """JSON Lines: one event per non-blank line."""
    for number, raw in numbered:
        text = _decode(raw, number) if isinstance(raw, bytes) else raw
        if isinstance(text, Malformed):
            yield text
        elif text.strip():
            yield parse_line(text.rstrip("\r\n"), number)


def _values(
    number: int, text: str, numbered: Iterator[tuple[int, bytes]], max_bytes: int
) -> Iterator[Event | Malformed]:
    """Multi-line JSON values (pretty-printed events, `jq .` output), the first starting with
    `text` on line `number`. A value ends at a line starting with `}` or `]` (first column) that
    completes it; a line starting with `{` or `[` begins the next one (so the one held so far is
    parsed, complete or not), and so does each line of JSON Lines whose first line was cut.
    A value that grows past `max_bytes` is reported and skipped up to the next one."""
    parts, start, skipping, held = [text], number, False, len(text)
    for later, raw in numbered:
        decoded = _decode(raw, later)
        if isinstance(decoded, Malformed):  # the value being read cannot be: skip to the next one
            yield decoded
            parts, skipping = [], True
            continue
        head = decoded[:1]
        if head and head in "{[":
            if parts:
                yield parse_line("".join(parts).rstrip(), start)
            parts, start, skipping, held = [decoded], later, False, len(raw)
        elif skipping:
            continue
        elif parts or decoded.strip():
            if not parts:
                start, held = later, 0
            parts.append(decoded)
            held += len(raw)
        if held > max_bytes and parts:
            yield Malformed(start, None, f"a value longer than {max_bytes} bytes (see --max-line-bytes)")
            parts, skipping = [], True
            continue
        if head and head in "}]" and parts and not _continues(joined := "".join(parts)):
            yield parse_line(joined.rstrip(), start)
            parts = []
    if parts:
        yield parse_line("".join(parts).rstrip(), start)


def _decode(raw: bytes, number: int) -> str | Malformed:
    try:
        return raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return Malformed(number, exc.start + 1, f"not UTF-8 ({exc.reason})")


def _continues(text: str) -> bool:
    """Does the JSON in `text` stop only because the text ends (the start of a longer value)?"""
    try:
        _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return exc.pos >= len(text.rstrip())
    except (ValueError, RecursionError):
        return False
    return False


class SnapshotChecker:
    """Decides acceptance by one snapshot: fast path when it is exact, jsonschema otherwise.
    No regular expression runs on Python's backtracking `re`: `make_validator` reads patterns
    as ECMA-262 in linear time (`store.ecma`; a pattern it cannot run is a `UserError` naming
    the place, before any event is read).

    With `fast` (the default) and a document `fastcheck` can translate, a jsonschema-rs check
    accepts valid events, and `fastcheck.Explainer` finds a rejected event's first error, checking
    with `jsonschema` only the places the fast checks cannot prove valid (the same error as the
    plain validator, for about the cost of the check). When it finds none (a value jsonschema-rs
    cannot take), and for every event with `fast=False` or a document outside the subset, the
    whole `jsonschema` validator decides. `engine` names what accepts events."""

    def __init__(self, snapshot: Snapshot, fast: bool = True) -> None:
        from cwscodegen.events.fastcheck import Explainer, fast_document, pruned_validator
        from cwscodegen.store.validators import check_runnable, make_validator

        self.name = snapshot.name
        self.document = snapshot.document
        check_runnable(snapshot.document, str(snapshot.path))
        compiled = fast_document(snapshot.document) if fast else None
        self.fast = compiled.check if compiled is not None else None
        self.engine = compiled.engine if compiled is not None else "jsonschema"
        self.explainer = Explainer(snapshot.document, compiled) if compiled is not None else None
        self.validator = (
            pruned_validator(snapshot.document, compiled) if compiled is not None else make_validator(snapshot.document)
        )

    def check(self, instance: Any, same_event: bool = False) -> Rejection | None:
        """None when the snapshot accepts `instance`, else its first error (`first_error`'s pick).
        `same_event`: the event of the previous call (to any checker), unchanged since."""
        try:
            if self.fast is not None and self.fast(instance):
                return None
            found = self.explainer.first_error(instance, same_event) if self.explainer is not None else None
            if found is not None:
                return Rejection(self.name, found.pointer, found.message, found.schema)
            error = first_error(self.validator, instance)
        except RecursionError:
            return Rejection(self.name, "", "nested too deeply to validate")
        if error is None:
            return None
        return Rejection(
            self.name,
            pointer(*error.absolute_path),
            error.message,
            keyword_location(self.document, error.absolute_schema_path),
        )


def explain(checker: SnapshotChecker, event: Any) -> Rejection | None:
    """Does `checker`'s snapshot accept the parsed `event`? None when it does, else the first error:
    its place in the event, the failing keyword's place in the snapshot, and the message."""
    return checker.check(event)


def keyword_location(document: Any, schema_path: Iterable[str | int]) -> str:
    """A jsonschema `schema_path` as a place in `document`. The path goes through `$ref`s without
    naming them (`properties/process/required`, where `/properties/process` is a `$ref`): a step
    the schema at hand lacks is looked up in its `$ref` target. The path as it is when it cannot
    be followed."""
    from cwscodegen.store.refs import Resolver, escape

    steps = list(schema_path)
    resolver = Resolver(document, "<schema>")
    where, node, seen = "", document, set()
    try:
        for step in steps:
            while isinstance(node, dict) and step not in node and isinstance(node.get("$ref"), str):
                if where in seen:
                    raise KeyError(where)
                seen.add(where)
                where, node = resolver.resolve(node["$ref"], where)
            node = node[step]
            where = f"{where}/{escape(str(step))}"
    except (KeyError, IndexError, TypeError, UserError):
        return pointer(*steps)
    return where


def check_events(events: Iterable[Event | Malformed], checkers: Sequence[SnapshotChecker]) -> Iterator[Verdict]:
    """One verdict per event, lazily: the input is consumed as the verdicts are."""
    for event in events:
        if isinstance(event, Malformed):
            yield Verdict(event.line, malformed=event)
            continue
        accepted: list[str] = []
        rejected: list[Rejection] = []
        for index, checker in enumerate(checkers):
            rejection = checker.check(event.value, same_event=index > 0)
            if rejection is None:
                accepted.append(checker.name)
            else:
                rejected.append(rejection)
        yield Verdict(event.line, tuple(accepted), tuple(rejected))


@dataclass
class Tally:
    """Running counts for the summary; constant memory whatever the input size."""

    versions: Sequence[str]
    events: int = 0
    passed: int = 0
    rejected: int = 0
    malformed: int = 0
    per_version: dict[str, int] = field(default_factory=dict)

    def add(self, verdict: Verdict) -> None:
        self.events += 1
        if verdict.malformed is not None:
            self.malformed += 1
            return
        if verdict.ok:
            self.passed += 1
        else:
            self.rejected += 1
        for name in verdict.accepted:
            self.per_version[name] = self.per_version.get(name, 0) + 1

    @property
    def ok(self) -> bool:
        """Every event accepted, and at least one read (empty input is a failure: the wrong file)."""
        return self.events > 0 and self.passed == self.events

    def text(self) -> str:
        """`summary: 7 events: 2 accepted by every selected snapshot (15), 3 rejected, 2 malformed; ...`"""
        scope = (
            f"by {self.versions[0]}"
            if len(self.versions) == 1
            else "by both selected snapshots"
            if len(self.versions) == 2
            else f"by all {len(self.versions)} selected snapshots"
        )
        if self.events == 0:
            return "summary: 0 events: no events were read"
        line = (
            f"summary: {self.events} event{'' if self.events == 1 else 's'}: {self.passed} accepted {scope}, "
            f"{self.rejected} rejected, {self.malformed} malformed"
        )
        if len(self.versions) > 1:
            counts = ", ".join(f"{name} {self.per_version.get(name, 0)}" for name in self.versions)
            line += f"; accepted per snapshot: {counts}"
        return line

    def as_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "accepted": self.passed,
            "rejected": self.rejected,
            "malformed": self.malformed,
            "versions": list(self.versions),
            "per_snapshot": {name: self.per_version.get(name, 0) for name in self.versions},
        }


def text_line(verdict: Verdict, versions: Sequence[str]) -> str:
    """`line 3: accepted by v13..v15; rejected by v1..v12 at (root): ...`; `versions`: the selection.

    Rejections with the same error are grouped; three or more neighbouring versions are shown as a
    range. Messages are clipped (jsonschema quotes the offending value, which can be large); the
    JSON format keeps them whole."""
    if verdict.malformed is not None:
        bad = verdict.malformed
        where = f"line {bad.line}" + (f", column {bad.column}" if bad.column is not None else "")
        return f"{where}: malformed JSON: {bad.message}"
    parts = []
    if verdict.accepted:
        parts.append("accepted by " + ", ".join(_runs(list(verdict.accepted), versions)))
    if verdict.rejected:
        groups: dict[tuple[str, str], list[str]] = {}
        for item in verdict.rejected:
            groups.setdefault((item.pointer, item.message), []).append(item.version)
        for (where, message), names in groups.items():
            parts.append(f"rejected by {', '.join(_runs(names, versions))} at {where or '(root)'}: {_clip(message)}")
    return f"line {verdict.line}: " + "; ".join(parts)


def json_line(verdict: Verdict) -> str:
    """The verdict as one JSON object (for `--format json`)."""
    if verdict.malformed is not None:
        bad = verdict.malformed
        data: dict[str, Any] = {"line": bad.line, "column": bad.column, "malformed": bad.message, "ok": False}
    else:
        data = {
            "line": verdict.line,
            "ok": verdict.ok,
            "accepted": list(verdict.accepted),
            "rejected": [
                {"version": r.version, "pointer": r.pointer, "message": r.message, "schema": r.schema}
                for r in verdict.rejected
            ],
        }
    return json.dumps(data, ensure_ascii=False)


def _clip(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _runs(names: list[str], versions: Sequence[str]) -> list[str]:
    """Collapse three or more neighbours in `versions` into `first..last`: v1..v12, v14."""
    position = {name: i for i, name in enumerate(versions)}
    out: list[str] = []
    start = 0
    for i in range(1, len(names) + 1):
        if i == len(names) or position[names[i]] != position[names[i - 1]] + 1:
            run = names[start:i]
            out += [f"{run[0]}..{run[-1]}"] if len(run) >= 3 else run
            start = i
    return out

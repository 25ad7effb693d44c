"""Turning a diff `Report` into text for a terminal, JSON for bots, Markdown for a review comment,
or GitHub Actions annotations.

Every renderer works from the same `DiffView` and never composes a change's message itself: the
one-line message comes from `rules.message` (injected as `message`, so the renderers can be tested
with hand-built records). Which changes fail the check is decided once, in `accepted.fails`.
The JSON structure is versioned and documented in docs/diff-json-format.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwscodegen.engine.changes import Change, Direction, Effect, Report, Witness
from cwscodegen.review.accepted import axis_status, change_fails, counted_axes, effect_label, fails
from cwscodegen.store.refs import unescape
from cwscodegen.store.snapshots import Snapshot

FORMATS = ("text", "json", "markdown", "github")
JSON_FORMAT = "cwscodegen.diff"
JSON_VERSION = 1

MessageFn = Callable[[Change], str]


@dataclass(frozen=True)
class Observation:
    """What real events showed for a pair (`diff --events`): events hit per breaking change and
    direction, keyed by `(rule, old_pointer, new_pointer, direction)`, out of `events` read.
    Computed by `cwscodegen.events.impact` and passed in as data: the renderers only show it."""

    counts: Mapping[tuple[str, str | None, str | None, str], int]
    events: int

    def hits(self, change: Change) -> dict[str, int]:
        """Events hit per direction the change breaks (only directions that were counted)."""
        found = {}
        for direction in ("backward", "forward"):
            key = (change.rule, change.old_pointer, change.new_pointer, direction)
            if key in self.counts:
                found[direction] = self.counts[key]
        return found

    def text(self, change: Change) -> str | None:
        """`312 of 1.2 M events hit it (backward)`, or None when no direction was counted."""
        of = count_text(self.events)
        hits = self.hits(change)
        return "; ".join(f"{count_text(n)} of {of} events hit it ({d})" for d, n in hits.items()) or None


def count_text(count: int) -> str:
    """312, 12,345, 1.2 M: exact when small, rounded when large."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} M"
    return f"{count:,}"


@dataclass(frozen=True)
class DiffView:
    """One rendered comparison: the report, both snapshots (for file names and line numbers), the
    mode that decides the exit code, whether API breaks count, and the folder paths are shown
    relative to (the repository root)."""

    report: Report
    old: Snapshot
    new: Snapshot
    mode: str
    api: bool
    root: Path
    observation: Observation | None = None

    @property
    def failing(self) -> bool:
        return fails(self.report, self.mode, self.api)


def check_format(name: str, where: str = "--format") -> str:
    """Reject an unknown output format with the usual one-line error."""
    from cwscodegen.errors import UserError

    if name not in FORMATS:
        raise UserError(f"{where}: unknown format {name!r} (choose from {', '.join(FORMATS)})")
    return name


def _default_message() -> MessageFn:
    from cwscodegen.engine import rules  # the engine's catalogue: imported only when rendering for real

    fn: MessageFn = rules.message
    return fn


# ---------------------------------------------------------------- JSON pointer -> line number


_DECODER = json.JSONDecoder()
_WS = " \t\n\r"


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _child(text: str, pos: int, token: str) -> tuple[int, int] | None:
    """Inside the JSON value starting at `pos`, find member/element `token`.

    Returns `(where, value_start)`: `where` is the key's offset for an object member (the line a
    reader looks at) or the element's offset in an array. The walk decodes sibling values only
    to skip them, so keys that repeat elsewhere in the document can never be confused. For a
    repeated key in the same object the last one wins, as in `json.loads`.
    """
    opener = text[pos] if pos < len(text) else ""
    if opener not in "{[":
        return None
    closer = "}" if opener == "{" else "]"
    index = 0
    found: tuple[int, int] | None = None
    pos = _skip_ws(text, pos + 1)
    if pos < len(text) and text[pos] == closer:
        return None
    while pos < len(text):
        where = pos
        if opener == "{":
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            pos = _skip_ws(text, pos + 1)  # the ':'
            hit = key == token
        else:
            hit = token == str(index)
            index += 1
        if hit:
            found = (where, pos)
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if pos >= len(text) or text[pos] != ",":
            break
        pos = _skip_ws(text, pos + 1)
    return found


def line_of_pointer(text: str, pointer: str | None) -> int:
    """The 1-based line, in raw JSON `text`, of the place `pointer` names.

    For an object member that is the line of its key. When the pointer goes further than the
    document (a place that exists only in the other snapshot), the line of the deepest existing
    ancestor is returned, which is where a reviewer should look. Malformed text gives line 1.
    """
    pos = _skip_ws(text, 0)
    mark = pos
    try:
        for token in (pointer or "").split("/")[1:]:
            hit = _child(text, pos, unescape(token))
            if hit is None:
                break
            mark, pos = hit
    except (json.JSONDecodeError, IndexError):
        pass
    return text.count("\n", 0, mark) + 1


# ---------------------------------------------------------------- shared helpers


AXES = ("backward", "forward", "api")


def _effects(change: Change) -> dict[str, Effect]:
    return {"backward": change.backward, "forward": change.forward, "api": change.api}


def change_label(change: Change) -> str:
    """`breaking: backward, api`, `breaking (undecided): forward`, `compatible` or `no effect`."""
    effects = _effects(change)
    broken = [axis for axis in AXES if effects[axis].breaks]
    if broken:
        undecided = all(effects[a] is Effect.UNDECIDED for a in broken)
        return f"{'breaking (undecided)' if undecided else 'breaking'}: {', '.join(broken)}"
    if any(e is Effect.COMPATIBLE for e in effects.values()):
        return "compatible"
    return "no effect"


def _rank(change: Change, view: DiffView) -> int:
    """Sort order: failing first, then accepted, then breaks the mode does not count, then the rest."""
    if change_fails(change, view.mode, view.api):
        return 0
    if change.accepted is not None:
        return 1
    if any(e.breaks for e in _effects(change).values()):
        return 2
    return 3 if change_label(change) == "compatible" else 4


def place(change: Change) -> str:
    """One place string: the pointer, or `old → new` when the change moved it."""
    old, new = change.old_pointer, change.new_pointer
    if old is not None and new is not None and old != new:
        return f"{show_pointer(old)} → {show_pointer(new)}"
    return show_pointer(new if new is not None else old)


def show_pointer(pointer: str | None) -> str:
    """A pointer for people: the root ("") reads `(root)`."""
    return "(absent)" if pointer is None else pointer or "(root)"


def sorted_changes(view: DiffView) -> list[Change]:
    """Changes in a stable order: failing first, then by definition, place and rule."""
    return sorted(
        view.report.changes,
        key=lambda c: (_rank(c, view), c.definition or "", place(c), c.rule),
    )


def _witness_note(witness: Witness) -> str:
    note = f"accepted by {witness.accepted_by}, rejected by {witness.rejected_by}"
    if not witness.verified:
        note += ", NOT verified"
    if witness.error:
        error = witness.error  # jsonschema's enum message lists the whole enum: JSON output keeps it
        note += f": {error if len(error) <= _ERROR_SHOWN else error[: _ERROR_SHOWN - 3] + '...'}"
    return note


_ERROR_SHOWN = 300


def evidence(change: Change) -> list[tuple[Direction, Witness | None, str]]:
    """For every direction the change breaks: its witness, or the recorded reason there is none."""
    out: list[tuple[Direction, Witness | None, str]] = []
    for direction in Direction:
        if not getattr(change, direction.value).breaks:
            continue
        witness = next((w for w in change.witnesses if w.direction is direction), None)
        if witness is not None:
            out.append((direction, witness, _witness_note(witness)))
        else:
            reason = change.no_witness.get(direction.value, "no witness recorded")
            out.append((direction, None, reason))
    return out


def pretty(value: Any) -> str:
    """Witness events and details as indented JSON (sets sorted, so output is stable)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)


def relative(path: Path, root: Path) -> str:
    """A snapshot path as shown in annotations: relative to the repository root, POSIX style."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def summary(view: DiffView) -> str:
    """`v7 → v8: backward breaking, forward compatible, api breaking (accepted); 12 changes (...)`."""
    report = view.report
    parts = [f"{axis} {axis_status(report, axis)}" for axis in AXES]
    counts = _counts(view)
    detail = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    noun = "change" if len(report.changes) == 1 else "changes"
    tail = f"{len(report.changes)} {noun}" + (f" ({detail})" if detail else "")
    return f"{report.old_name} → {report.new_name}: {', '.join(parts)}; {tail}"


def _counts(view: DiffView) -> dict[str, int]:
    changes = view.report.changes
    return {
        "failing": sum(change_fails(c, view.mode, view.api) for c in changes),
        "accepted": sum(c.accepted is not None for c in changes),
    }


def verdict_line(view: DiffView) -> str:
    """What decided the exit code, in words."""
    axes = "+".join(counted_axes(view.mode, view.api))
    result = "FAIL" if view.failing else "OK"
    return f"mode {view.mode} (counts {axes}): {result}"


def stale_lines(stale: Iterable[dict[str, Any]]) -> list[str]:
    """One warning line per accepted-breaks entry that matched nothing."""
    return [
        f"warning: stale accepted break {entry.get('file', '?')}:{entry.get('line', '?')}: "
        f"{entry.get('old')} → {entry.get('new')} {entry.get('rule')} at {entry.get('pointer')} "
        f"{entry.get('why', 'matches no breaking change')}"
        for entry in stale
    ]


# ---------------------------------------------------------------- text


_ANSI = {
    "bold": "\x1b[1m",
    "red": "\x1b[1;31m",
    "yellow": "\x1b[33m",
    "green": "\x1b[32m",
    "cyan": "\x1b[36m",
    "dim": "\x1b[2m",
}
_RESET = "\x1b[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_ANSI[style]}{text}{_RESET}" if color else text


def _label_style(change: Change, view: DiffView) -> str:
    rank = _rank(change, view)
    return ("red", "cyan", "yellow", "green", "dim")[rank]


def render_text(view: DiffView, *, color: bool = False, message: MessageFn | None = None) -> str:
    """For the terminal: summary first, then changes grouped by definition, failing first."""
    msg = message or _default_message()
    report = view.report
    head_style = "red" if view.failing else "green"
    lines = [_paint(summary(view), head_style, color), verdict_line(view)]
    if report.readings:
        lines.append(f"readings (no $schema declared; verdicts are the worst): {'; '.join(report.readings)}")
    lines += [_paint(line, "yellow", color) for line in stale_lines(report.stale_accepted)]
    groups: dict[str, list[Change]] = {}
    for change in sorted_changes(view):
        groups.setdefault(change.definition or "(root)", []).append(change)
    for definition, changes in groups.items():
        lines += ["", _paint(definition, "bold", color)]
        for change in changes:
            lines += _text_change(change, view, color, msg)
    return "\n".join(lines) + "\n"


def _text_change(change: Change, view: DiffView, color: bool, msg: MessageFn) -> list[str]:
    old_file, new_file = view.old.path.name, view.new.path.name
    label = _paint(change_label(change), _label_style(change, view), color)
    lines = [f"  {change.rule}  [{label}]", f"    {msg(change)}"]
    if change.accepted is not None:
        lines.append("    " + _paint(f"accepted: {change.accepted}", "cyan", color))
    lines.append(f"    old: {_where(change.old_pointer, view.old.text, old_file)}")
    lines.append(f"    new: {_where(change.new_pointer, view.new.text, new_file)}")
    effects = _effects(change)
    lines.append("    " + "   ".join(f"{a}: {effect_label(effects[a])}" for a in AXES))
    if change.reached_from:
        lines.append(f"    reached from: {', '.join(change.reached_from)}")
    if change.reading:
        lines.append(f"    only when: {change.reading} (the document declares no $schema)")
    observed = view.observation.text(change) if view.observation is not None else None
    if observed is not None:
        lines.append(f"    observed: {observed}")
    for direction, witness, note in evidence(change):
        if witness is None:
            lines.append(f"    no {direction.value} witness: {note}")
            continue
        lines.append(f"    {direction.value} witness ({note}):")
        lines += ["      " + row for row in pretty(witness.event).splitlines()]
    return lines


def _where(pointer: str | None, text: str, file: str) -> str:
    if pointer is None:
        return show_pointer(pointer)
    return f"{show_pointer(pointer)}  ({file}:{line_of_pointer(text, pointer)})"


# ---------------------------------------------------------------- JSON


def diff_json(view: DiffView, message: MessageFn | None = None) -> dict[str, Any]:
    """The versioned structure of docs/diff-json-format.md, keys in a fixed order."""
    msg = message or _default_message()
    report = view.report
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "old": _side(view.old, report.old_name, view.root),
        "new": _side(view.new, report.new_name, view.root),
        "mode": view.mode,
        "api_counts": view.api,
        "verdict": {
            "backward": report.backward.value,
            "forward": report.forward.value,
            "api": report.api.value,
            "status": {axis: axis_status(report, axis) for axis in AXES},
            "counted": list(counted_axes(view.mode, view.api)),
            "failing": view.failing,
            "exit_code": 1 if view.failing else 0,
            "readings": list(report.readings),
        },
        "counts": {"changes": len(report.changes), **_counts(view)},
        "changes": [_change_json(c, view, msg) for c in sorted_changes(view)],
        "stale_accepted": [_stale_json(e) for e in report.stale_accepted],
        **({"observed_events": view.observation.events} if view.observation is not None else {}),
    }


def _side(snapshot: Snapshot, name: str, root: Path) -> dict[str, Any]:
    return {"name": name, "path": relative(snapshot.path, root), "draft": snapshot.draft}


def _change_json(change: Change, view: DiffView, msg: MessageFn) -> dict[str, Any]:
    return {
        "rule": change.rule,
        "message": msg(change),
        "definition": change.definition,
        "property": change.property,
        "old_pointer": change.old_pointer,
        "new_pointer": change.new_pointer,
        "old_line": None if change.old_pointer is None else line_of_pointer(view.old.text, change.old_pointer),
        "new_line": None if change.new_pointer is None else line_of_pointer(view.new.text, change.new_pointer),
        "backward": change.backward.value,
        "forward": change.forward.value,
        "api": change.api.value,
        "failing": change_fails(change, view.mode, view.api),
        "accepted": change.accepted,
        "reached_from": list(change.reached_from),
        "reading": change.reading,
        "details": {k: change.details[k] for k in sorted(change.details)},
        "witnesses": [
            {
                "direction": w.direction.value,
                "accepted_by": w.accepted_by,
                "rejected_by": w.rejected_by,
                "verified": w.verified,
                "error": w.error,
                "event": w.event,
            }
            for w in sorted(change.witnesses, key=lambda w: w.direction.value)
        ],
        "no_witness": {k: change.no_witness[k] for k in sorted(change.no_witness)},
        **({"observed": view.observation.hits(change)} if view.observation is not None else {}),
    }


def _stale_json(entry: dict[str, Any]) -> dict[str, Any]:
    keys = ("old", "new", "rule", "pointer", "reason", "file", "line", "why")
    return {k: entry.get(k) for k in keys}


def render_json(view: DiffView, *, message: MessageFn | None = None) -> str:
    return json.dumps(diff_json(view, message), indent=2, ensure_ascii=False, default=_jsonable) + "\n"


# ---------------------------------------------------------------- Markdown


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text)}`"


def render_markdown(view: DiffView, *, message: MessageFn | None = None, level: int = 3) -> str:
    """For a release-review comment: summary, one table row per change, witnesses as JSON blocks."""
    msg = message or _default_message()
    report = view.report
    hashes = "#" * level
    icon = "❌" if view.failing else "✅"
    lines = [
        f"{hashes} {icon} Schema diff `{report.old_name}` → `{report.new_name}`",
        "",
        f"**{_cell(summary(view))}** — {verdict_line(view)}",
        "",
    ]
    lines += [f"> ⚠️ {_cell(line)}" for line in stale_lines(report.stale_accepted)]
    if report.stale_accepted:
        lines.append("")
    changes = sorted_changes(view)
    if not changes:
        return "\n".join(lines + ["No changes."]) + "\n"
    lines += [
        "| | rule | place | message | backward | forward | api |",
        "|---|---|---|---|---|---|---|",
    ]
    for change in changes:
        status = _md_status(change, view)
        text = msg(change) + (f" — accepted: {change.accepted}" if change.accepted else "")
        observed = view.observation.text(change) if view.observation is not None else None
        text += f" — **observed: {observed}**" if observed else ""
        row = [status, _code(change.rule), _code(place(change)), _cell(text)]
        row += [effect_label(e) for e in _effects(change).values()]
        lines.append("| " + " | ".join(row) + " |")
    witnessed = [(c, evidence(c)) for c in changes if evidence(c)]
    if witnessed:
        lines += ["", f"{hashes}# Witnesses", ""]
    for change, items in witnessed:
        for direction, witness, note in items:
            head = f"- {_code(change.rule)} at {_code(place(change))}, {direction.value}"
            if witness is None:
                lines.append(f"{head}: no witness: {_cell(note)}")
                continue
            lines += [f"{head} ({_cell(note)}):", "", "  ```json"]
            lines += ["  " + row for row in pretty(witness.event).splitlines()]
            lines += ["  ```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_status(change: Change, view: DiffView) -> str:
    rank = _rank(change, view)
    return ("❌", "☑️ accepted", "⚠️", "✅", "·")[rank]


# ---------------------------------------------------------------- GitHub annotations


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(kind: str, file: str, line: int, title: str, text: str) -> str:
    """One workflow command, escaped as GitHub documents for properties and data."""
    return f"::{kind} file={_gh_prop(file)},line={line},title={_gh_prop(title)}::{_gh_data(text)}"


def anchor(change: Change, view: DiffView) -> tuple[str, int]:
    """File and line an annotation points at: the NEW file when the place exists there, else OLD."""
    if change.new_pointer is not None:
        return relative(view.new.path, view.root), line_of_pointer(view.new.text, change.new_pointer)
    return relative(view.old.path, view.root), line_of_pointer(view.old.text, change.old_pointer)


def github_lines(view: DiffView, message: MessageFn | None = None) -> list[str]:
    """`::error` per failing change, `::notice` per accepted one, `::warning` per break the mode
    does not count and per stale accepted-breaks entry; compatible changes are not annotated."""
    msg = message or _default_message()
    out = []
    for change in sorted_changes(view):
        rank = _rank(change, view)
        if rank > 2:
            continue
        kind = ("error", "notice", "warning")[rank]
        file, line = anchor(change, view)
        text = f"{view.report.old_name} → {view.report.new_name}: {msg(change)} [{change_label(change)}]"
        if change.accepted is not None:
            text += f" — accepted: {change.accepted}"
        out.append(annotation(kind, file, line, change.rule, text))
    out += stale_annotations(view.report.stale_accepted, view.root)
    return out


def stale_annotations(stale: Iterable[dict[str, Any]], root: Path) -> list[str]:
    """A `::warning` on the accepted-breaks file for every entry that matched nothing."""
    entries = list(stale)
    return [
        annotation(
            "warning",
            relative(Path(str(entry.get("file", ""))), root),
            int(entry.get("line") or 1),
            "stale accepted break",
            text,
        )
        for entry, text in zip(entries, stale_lines(entries))
    ]


def render_github(view: DiffView, *, message: MessageFn | None = None) -> str:
    """Summary as a plain log line, then one annotation per line."""
    return "\n".join([summary(view), *github_lines(view, message)]) + "\n"


# ---------------------------------------------------------------- dispatch


def render(view: DiffView, fmt: str, *, color: bool = False, message: MessageFn | None = None) -> str:
    """Render `view` in `fmt` (one of FORMATS)."""
    check_format(fmt)
    if fmt == "json":
        return render_json(view, message=message)
    if fmt == "markdown":
        return render_markdown(view, message=message)
    if fmt == "github":
        return render_github(view, message=message)
    return render_text(view, color=color, message=message)


def render_compat(
    views: Sequence[DiffView],
    stale: Sequence[dict[str, Any]],
    fmt: str,
    *,
    mode: str,
    root: Path,
    color: bool = False,
    message: MessageFn | None = None,
) -> str:
    """The `compat` report: one brief entry per failing pair, stale entries, and a last line."""
    check_format(fmt)
    msg = message or _default_message()
    failing = [v for v in views if v.failing]
    if fmt == "json":
        doc = {
            "format": "cwscodegen.compat",
            "version": JSON_VERSION,
            "mode": mode,
            "ok": not failing and not stale,
            "pairs": [diff_json(v, msg) for v in views],
            "stale_accepted": [_stale_json(e) for e in stale],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False, default=_jsonable) + "\n"
    ok = not failing and not stale
    last = f"compat ({mode}): {len(views)} pairs checked, {len(failing)} failing, {len(stale)} stale accepted"
    last += " — OK" if ok else " — FAIL"
    if fmt == "github":
        out = [line for v in failing for line in github_lines(v, msg) if line.startswith("::error")]
        out += stale_annotations(stale, root)
        return "\n".join([*out, last]) + "\n"
    if fmt == "markdown":
        parts = [render_markdown(v, message=msg, level=4) for v in failing]
        parts += ["\n".join(f"> ⚠️ {_cell(s)}" for s in stale_lines(stale)) + "\n"] if stale else []
        return "\n".join([f"### {last}\n", *parts])
    lines: list[str] = []
    for view in failing:
        lines.append(_paint(f"FAIL {summary(view)}", "red", color))
        for change in sorted_changes(view):
            if change_fails(change, view.mode, view.api):
                file, line = anchor(change, view)
                lines.append(f"  {change.rule} at {place(change)} ({file}:{line}): {msg(change)}")
    lines += [_paint(s, "yellow", color) for s in stale_lines(stale)]
    lines.append(_paint(last, "green" if ok else "red", color))
    return "\n".join(lines) + "\n"

"""The comparison: walk OLD and NEW at once and yield one `Change` per difference.

The walk visits the root and every definition pair once (a change inside a definition is reported
once, at the definition, with the root properties that reach it), compares keyword by keyword and
names each difference by a rule of `rules.CATALOGUE`. Effects come from proofs, not from the shape
of the edit: exact arguments for types, values and bounds, and `inclusion.Inclusion` for anything
holding schemas. The overall verdicts are `includes(old.root, new.root)` and the swap, so they
stay sound even where per-change effects are local; a direction proven compatible for the whole
document marks every change compatible in that direction.

Breaking changes get a witness from `witnesses.find` (a root-level event verified with each
side's own validator), and a direction is "breaking" only with one, else "undecided". `verdicts`
(and `judge`, which keeps the witness) is the fast path for matrix, compat and changelog: no change
list, and a witness search only for a direction inclusion does not prove, stopped at the first
verified witness; its verdicts are those of `diff`.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from cwscodegen.engine import formats
from cwscodegen.engine.changes import Change, Direction, Effect, Report, Witness
from cwscodegen.engine.inclusion import (
    NO,
    UNKNOWN,
    YES,
    Answer,
    Inclusion,
    deref,
    member_schemas,
    raw_step,
    step_within,
    type_allowed,
)
from cwscodegen.engine.normalize import STRICT_INTEGER, Node, PairIndex, Prepared, canon, prepare
from cwscodegen.engine.rules import CATALOGUE
from cwscodegen.errors import UserError
from cwscodegen.store.ecma import PatternError
from cwscodegen.store.refs import escape
from cwscodegen.store.snapshots import Snapshot, canonical

Step = tuple[str, Any]

_NOTE_RULES = {
    "description": "description-changed",
    "title": "title-changed",
    "examples": "examples-changed",
    "default": "default-changed",
    "$comment": "comment-changed",
}
_COUNTS = (
    ("minLength", "min-length", 1),
    ("maxLength", "max-length", -1),
    ("minItems", "min-items", 1),
    ("maxItems", "max-items", -1),
    ("minProperties", "min-properties", 1),
    ("maxProperties", "max-properties", -1),
)
_PATHS_PER_DEFINITION = 3


def effect_of(answer: Answer) -> Effect:
    """YES is compatible, NO breaking, UNKNOWN undecided (which counts as breaking)."""
    return Effect.COMPATIBLE if answer is YES else Effect.BREAKING if answer is NO else Effect.UNDECIDED


def variant(back: Answer, fwd: Answer) -> str:
    """narrowed (only BACKWARD fails), widened (only FORWARD), changed (both)."""
    if back is not YES and fwd is YES:
        return "narrowed"
    if back is YES and fwd is not YES:
        return "widened"
    return "changed"


# ---------------------------------------------------------------------------------- public API
def diff(old: Snapshot, new: Snapshot, *, witnesses: bool = True, default_draft: str | None = None) -> Report:
    """Every change from snapshot OLD to NEW, with verdicts (and witnesses for breaking ones)."""
    return diff_documents(
        old.document,
        new.document,
        old_name=old.name,
        new_name=new.name,
        witnesses=witnesses,
        old_source=str(old.path),
        new_source=str(new.path),
        default_draft=default_draft,
    )


def diff_documents(
    old: Any,
    new: Any,
    *,
    old_name: str = "old",
    new_name: str = "new",
    witnesses: bool = True,
    old_source: str | None = None,
    new_source: str | None = None,
    default_draft: str | None = None,
) -> Report:
    """`diff` on two parsed schema documents, under every reading of an undeclared one."""
    sources = (old_source or old_name, new_source or new_name)
    found = [
        (label, _diff_reading(old, new, old_name, new_name, witnesses, sources, drafts))
        for label, drafts in readings(old, new, sources, default_draft)
    ]
    if len(found) == 1:
        label, report = found[0]
        return replace(report, readings=(label,)) if label else report
    return merge_readings(found)


def _diff_reading(
    old: Any,
    new: Any,
    old_name: str,
    new_name: str,
    witnesses: bool,
    sources: tuple[str, str],
    drafts: tuple[str | None, str | None],
) -> Report:
    pair = _Pair(prepare(old, sources[0], drafts[0]), prepare(new, sources[1], drafts[1]))
    changes = pair.changes(witnesses)
    if witnesses:  # a direction is breaking exactly when a verified witness shows it
        shown = {w.direction for c in changes for w in c.witnesses}
        backward = _shown(pair.backward, Direction.BACKWARD in shown)
        forward = _shown(pair.forward, Direction.FORWARD in shown)
    else:  # no witness listed, but the verdicts keep the rule: the fast path's search
        backward, forward = pair.verdict(Direction.BACKWARD)[0], pair.verdict(Direction.FORWARD)[0]
    api = (
        Effect.BREAKING
        if any(c.api.breaks for c in changes)
        else Effect.COMPATIBLE
        if any(c.api is Effect.COMPATIBLE for c in changes)
        else Effect.NONE
    )
    return Report(old_name, new_name, tuple(changes), backward, forward, api)


def _shown(effect: Effect, witnessed: bool) -> Effect:
    """Breaking with a witness; a failing direction without one is undecided."""
    if not effect.breaks:
        return effect
    return Effect.BREAKING if witnessed else Effect.UNDECIDED


@dataclass(frozen=True)
class PairVerdicts:
    """The fast path's answer for one pair: (BACKWARD, FORWARD), and for each direction it calls
    breaking the verified witness that shows it (None for a direction that is not breaking).
    `readings` names, per direction, the reading of undeclared documents the witness rests on
    ("" when both documents declare their draft)."""

    backward: Effect
    forward: Effect
    witnesses: tuple[Witness | None, Witness | None] = (None, None)
    readings: tuple[str, str] = ("", "")

    @property
    def effects(self) -> tuple[Effect, Effect]:
        return self.backward, self.forward


def verdicts(old: Snapshot, new: Snapshot, default_draft: str | None = None) -> tuple[Effect, Effect]:
    """(BACKWARD, FORWARD) of a snapshot pair, without listing changes: the fast path."""
    return judge(old, new, default_draft).effects


def judge(old: Snapshot, new: Snapshot, default_draft: str | None = None) -> PairVerdicts:
    """`verdicts` with the witness behind each breaking direction, for callers that keep it."""
    return judge_documents(old.document, new.document, str(old.path), str(new.path), default_draft)


def verdicts_documents(
    old: Any, new: Any, old_source: str = "old", new_source: str = "new", default_draft: str | None = None
) -> tuple[Effect, Effect]:
    """`verdicts` on two parsed schema documents: the worst over the readings of undeclared ones."""
    return judge_documents(old, new, old_source, new_source, default_draft).effects


def judge_documents(
    old: Any, new: Any, old_source: str = "old", new_source: str = "new", default_draft: str | None = None
) -> PairVerdicts:
    """`judge` on two parsed documents. The rule of `diff` holds here too: a direction is breaking
    only with a verified witness, else undecided. Only a direction that inclusion does not prove
    searches (NO, and UNKNOWN as in `diff`), with `diff`'s own search stopped at the first
    witness, so both give the same verdicts; a proven direction costs nothing more."""
    effects = [Effect.NONE, Effect.NONE]
    shown: list[Witness | None] = [None, None]
    labels = ["", ""]
    for label, drafts in readings(old, new, (old_source, new_source), default_draft):
        pair = _Pair(prepare(old, old_source, drafts[0]), prepare(new, new_source, drafts[1]))
        for i, direction in enumerate(Direction):
            if effects[i] is Effect.BREAKING:  # shown under an earlier reading: nothing can be worse
                continue
            effect, witness = pair.verdict(direction)
            if witness is not None:
                shown[i], labels[i] = witness, label
            effects[i] = worst(effects[i], effect)
    return PairVerdicts(effects[0], effects[1], (shown[0], shown[1]), (labels[0], labels[1]))


_SEVERITY = {Effect.NONE: 0, Effect.COMPATIBLE: 1, Effect.UNDECIDED: 2, Effect.BREAKING: 3}


def worst(a: Effect, b: Effect) -> Effect:
    """The more severe effect: breaking, then undecided, compatible, none."""
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


Reading = tuple[str, tuple[str | None, str | None]]


def readings(old: Any, new: Any, sources: tuple[str, str], default_draft: str | None = None) -> list[Reading]:
    """The (label, (old draft, new draft)) pairs to decide under. A declared draft is one reading
    (None: as declared); an undeclared document is read under `default_draft` when pinned, else
    under every supported draft whose meta-schema accepts it, so a verdict holds whatever draft a
    reader applies. Two undeclared documents share one reader's default: same draft for both."""
    from cwscodegen.store.refs import DRAFT_LABELS, declared_draft
    from cwscodegen.store.validators import accepting_drafts

    options: list[list[str | None]] = []
    for document, source in zip((old, new), sources):
        if declared_draft(document) is not None or not isinstance(document, Mapping):
            options.append([None])
        elif default_draft is not None:
            options.append([default_draft])
        else:
            found = accepting_drafts(document)
            if not found:
                _refuse(document, source)
            options.append(list(found))
    both = None not in options[0] and None not in options[1]
    if both and set(options[0]) & set(options[1]):
        pairs = [(d, d) for d in options[0] if d in options[1]]
    else:
        pairs = [(a, b) for a in options[0] for b in options[1]]
    if pairs == [(None, None)]:
        return [("", (None, None))]
    out: list[Reading] = []
    for drafts in pairs:
        parts = [f"{side} read as {DRAFT_LABELS[d]}" for side, d in zip(("old", "new"), drafts) if d is not None]
        same = drafts[0] is not None and drafts[0] == drafts[1]
        out.append((f"both read as {DRAFT_LABELS[str(drafts[0])]}" if same else ", ".join(parts), drafts))
    return out


def _refuse(document: Any, source: str) -> NoReturn:
    """A `UserError` for an undeclared document no supported draft accepts: 2020-12's complaint
    (file and place), and which drafts were tried."""
    from cwscodegen.store.refs import DEFAULT_DRAFT, DRAFT_LABELS
    from cwscodegen.store.validators import check_schema

    tried = ", ".join(DRAFT_LABELS.values())
    why = f"declares no $schema; no supported draft accepts it: tried {tried}"
    try:
        check_schema(document, source, DEFAULT_DRAFT)
    except UserError as exc:
        raise UserError(f"{exc} ({why})") from None
    raise UserError(f"{source}: {why}")


def merge_readings(found: Sequence[tuple[str, Report]]) -> Report:
    """One report for several readings: verdicts are the worst over them; a change that is not
    the same under every reading is listed once per distinct form, labelled with its reading."""
    first = found[0][1]
    under: dict[str, list[str]] = {}
    for label, report in found:
        for key in dict.fromkeys(repr(c) for c in report.changes):  # a Change holds dicts: keyed by repr
            under.setdefault(key, []).append(label)
    changes: list[Change] = []
    seen: set[str] = set()
    for _label, report in found:
        for change in report.changes:
            key = repr(change)
            if key not in seen:
                seen.add(key)
                where = under[key]
                changes.append(change if len(where) == len(found) else replace(change, reading="; ".join(where)))
    back, fwd, api = Effect.NONE, Effect.NONE, Effect.NONE
    for _label, report in found:
        back, fwd, api = worst(back, report.backward), worst(fwd, report.forward), worst(api, report.api)
    labels = tuple(label for label, _ in found)
    return Report(first.old_name, first.new_name, tuple(changes), back, fwd, api, readings=labels)


def identical_prepared(old: Prepared, new: Prepared, index: PairIndex | None = None) -> bool:
    """Whether the engine calls the pair "no change at all" (Effect.NONE both ways): structurally
    equal with annotations, and the same dialect and identity. Cheap when the roots differ."""
    if old.root.full != new.root.full:
        return False
    keys = ("$schema", "$id", "id")
    if any(_get(old.document, k) != _get(new.document, k) for k in keys):
        return False
    return (index or PairIndex(old, new)).equal(old.root, new.root, full=True)


# ---------------------------------------------------------------------------------- the walk
@dataclass(frozen=True)
class _At:
    """Where the walk is: the definition reported, a readable place, instance steps per side."""

    definition: str | None
    place: str
    origin_old: str | None
    origin_new: str | None
    steps_old: tuple[Step, ...] = ()
    steps_new: tuple[Step, ...] = ()

    def down(self, label: str, step_old: Step | None, step_new: Step | None) -> _At:
        return replace(
            self,
            place=self.place + label,
            steps_old=self.steps_old + ((step_old,) if step_old else ()),
            steps_new=self.steps_new + ((step_new,) if step_new else ()),
        )


class _Pair:
    """One OLD/NEW document pair: the proofs, the walk and the witnesses."""

    def __init__(self, old: Prepared, new: Prepared) -> None:
        self.old, self.new = old, new
        self.index = PairIndex(old, new)
        self.inc = Inclusion(self.index)
        self.back = self.inc.includes(old.root, new.root)
        self.fwd = self.inc.includes(new.root, old.root)
        identical = identical_prepared(old, new, self.index)
        self.backward = Effect.NONE if identical else effect_of(self.back)
        self.forward = Effect.NONE if identical else effect_of(self.fwd)
        self._seen: set[tuple[int, int]] = set()
        self._out: list[tuple[Change, _At, tuple[Node | None, Node | None]]] = []
        self._entries: list[_Listed] | None = None
        self._documents: dict[Direction, Witness | str] = {}

    # ------------------------------------------------------------------ driver
    def changes(self, witnesses: bool) -> list[Change]:
        if not witnesses:
            return [entry.change for entry in self._listed()]
        return [self._witness(e.change, e.nodes, e.paths, e.whole) for e in self._listed()]

    def _listed(self) -> list[_Listed]:
        """Every change in context, with what its witness search needs; walked once per pair."""
        if self._entries is not None:
            return self._entries
        self._meta()
        self._definitions()
        self._walk(self.old.root, self.new.root, _At(None, "(root)", None, None))
        reach_old, reach_new = _reachable(self.old), _reachable(self.new)
        paths_old, paths_new = _paths(self.old), _paths(self.new)
        entries: list[_Listed] = []
        for change, at, nodes in self._out:
            change = self._in_context(change, at, reach_old, reach_new, paths_old, paths_new)
            where = (
                [p + at.steps_old for p in paths_old.get(at.origin_old, [])],
                [p + at.steps_new for p in paths_new.get(at.origin_new, [])],
            )
            entries.append(_Listed(change, nodes, where))
        extra = self._unexplained([e.change for e in entries])
        if extra is not None:
            entries.append(_Listed(extra, (None, None), ([], []), whole=True))
        self._entries = entries
        return entries

    def verdict(self, direction: Direction) -> tuple[Effect, Witness | None]:
        """The document verdict for `direction` under the rule, with its witness: a direction that
        inclusion does not prove is breaking only with a verified witness, else undecided."""
        effect = self.backward if direction is Direction.BACKWARD else self.forward
        if not effect.breaks:
            return effect, None
        witness = self.first_witness(direction)
        return _shown(effect, witness is not None), witness

    def first_witness(self, direction: Direction) -> Witness | None:
        """A verified witness for `direction`, or None exactly when `diff` shows none. `diff` tries
        each change breaking that way around its place, then the whole-document search; so a hit
        among the first whole-document candidates (no walk needed) is one `diff` finds too, and
        otherwise the changes are searched in order and the whole-document search made once."""
        from cwscodegen.engine import witnesses

        accept, reject = (self.old, self.new) if direction is Direction.BACKWARD else (self.new, self.old)
        try:
            quick = witnesses.quick_document(direction, accept, reject)
        except PatternError:  # an unrunnable pattern: the searches below decide (each catches it)
            quick = None
        if quick is not None:
            return quick
        backward = direction is Direction.BACKWARD
        for entry in self._listed():
            effect = entry.change.backward if backward else entry.change.forward
            if effect.breaks and not entry.whole:
                found = self._local(direction, entry.change, entry.nodes, entry.paths)
                if isinstance(found, Witness):
                    return found
        whole = self._whole(direction)  # some change breaks this way: inclusion failed (`_unexplained`)
        return whole if isinstance(whole, Witness) else None

    def _in_context(
        self,
        change: Change,
        at: _At,
        reach_old: set[str | None],
        reach_new: set[str | None],
        paths_old: Mapping[str | None, list[tuple[Step, ...]]],
        paths_new: Mapping[str | None, list[tuple[Step, ...]]],
    ) -> Change:
        """Effects in context: no wire effect where no event reaches; proven directions hold."""
        back, fwd = change.backward, change.forward
        if at.origin_old not in reach_old and at.origin_new not in reach_new:
            back, fwd = Effect.NONE, Effect.NONE
        if self.back is YES and back.breaks:
            back = Effect.COMPATIBLE
        if self.fwd is YES and fwd.breaks:
            fwd = Effect.COMPATIBLE
        starts = paths_old.get(at.origin_old, []) + paths_new.get(at.origin_new, [])
        reached = sorted({_root_pointer(p) for p in starts if p} - {""})
        return replace(change, backward=back, forward=fwd, reached_from=tuple(reached))

    def _unexplained(self, found: list[Change]) -> Change | None:
        """A breaking document verdict that no single change shows gets a change of its own at the root."""
        back_open = self.back is not YES and not any(c.backward.breaks for c in found)
        fwd_open = self.fwd is not YES and not any(c.forward.breaks for c in found)
        if not (back_open or fwd_open):
            return None
        if YES in (self.back, self.fwd):
            rule = f"schema-{variant(self.back, self.fwd)}"
        else:
            rule = "schema-changed" if self.back is NO and self.fwd is NO else "schema-modified"
        details = {"place": "(root)", "keyword": "the document as a whole"}
        return Change(rule, "", "", None, None, effect_of(self.back), effect_of(self.fwd), details=details)

    # ------------------------------------------------------------------ emitting
    def _emit(
        self,
        rule: str,
        o: Node | None,
        n: Node | None,
        at: _At,
        back: Effect,
        fwd: Effect,
        api: Effect | None = None,
        *,
        prop: str | None = None,
        keyword: str | None = None,
        old_pointer: str | None = None,
        new_pointer: str | None = None,
        **details: Any,
    ) -> None:
        if old_pointer is None and o is not None:
            old_pointer = _kw_pointer(o, keyword)
        if new_pointer is None and n is not None:
            new_pointer = _kw_pointer(n, keyword)
        details = {k: v for k, v in details.items() if v is not None}
        details["place"] = at.place + (f".{prop}" if prop and rule.startswith(("property-", "required-")) else "")
        if keyword is not None:
            details.setdefault("keyword", keyword)
        change = Change(
            rule=rule,
            old_pointer=old_pointer,
            new_pointer=new_pointer,
            definition=at.definition,
            property=prop,
            backward=back,
            forward=fwd,
            api=CATALOGUE[rule].api if api is None else api,
            details=details,
        )
        self._out.append((change, at, (o, n)))

    def _family(
        self, prefix: str, o: Node | None, n: Node | None, at: _At, keyword: str, back: Answer, fwd: Answer
    ) -> None:
        """A whole-keyword change named by what the proofs say (narrowed/widened/changed)."""
        if back is YES and fwd is YES:
            self._emit("equivalent-rewrite", o, n, at, Effect.NONE, Effect.NONE, Effect.NONE, keyword=keyword)
            return
        self._emit(f"{prefix}-{variant(back, fwd)}", o, n, at, effect_of(back), effect_of(fwd), keyword=keyword)

    # ------------------------------------------------------------------ document level
    def _meta(self) -> None:
        at = _At(None, "(root)", None, None)
        for key, rule in (
            ("$schema", "schema-dialect-changed"),
            ("$id", "schema-id-changed"),
            ("id", "schema-id-changed"),
        ):
            old, new = _get(self.old.document, key), _get(self.new.document, key)
            if old != new and isinstance(self.old.document, Mapping) and isinstance(self.new.document, Mapping):
                self._emit(
                    rule,
                    None,
                    None,
                    at,
                    Effect.NONE,
                    Effect.NONE,
                    Effect.NONE,
                    old_pointer="/" + key if old is not None else None,
                    new_pointer="/" + key if new is not None else None,
                    old=old,
                    new=new,
                )

    def _definitions(self) -> None:
        old, new = self.old.defs, self.new.defs
        removed = sorted(set(old) - set(new))
        added = sorted(set(new) - set(old))
        renamed = _renames(removed, added, old, new, self.index)
        for name in sorted(set(old) & set(new)):
            self._walk(old[name], new[name], _At(name, name, name, name))
        for before, after in renamed:
            at = _At(after, after, before, after)
            self._emit(
                "definition-renamed",
                old[before],
                new[after],
                at,
                Effect.NONE,
                Effect.NONE,
                old_definition=before,
                old_pointer=old[before].pointer,
                new_pointer=new[after].pointer,
            )
            self._walk(old[before], new[after], at)
        gone = {b for b, _ in renamed}
        came = {a for _, a in renamed}
        for name in removed:
            if name not in gone:
                self._emit(
                    "definition-removed",
                    old[name],
                    None,
                    _At(name, name, name, None),
                    Effect.NONE,
                    Effect.NONE,
                    old_pointer=old[name].pointer,
                )
        for name in added:
            if name not in came:
                self._emit(
                    "definition-added",
                    None,
                    new[name],
                    _At(name, name, None, name),
                    Effect.NONE,
                    Effect.NONE,
                    new_pointer=new[name].pointer,
                )

    # ------------------------------------------------------------------ node pairs
    def _walk(self, o: Node, n: Node, at: _At) -> None:
        key = (id(o), id(n))
        if key in self._seen or self.index.equal(o, n, full=True):
            return
        self._seen.add(key)
        self._notes(o, n, at)
        if o.false != n.false and not (o.ref or n.ref):  # a boolean schema `false` on one side
            self._family(
                "schema", o, n, at, "false" if n.false else "true", self.inc.includes(o, n), self.inc.includes(n, o)
            )
            return
        if (o.ref is not None or n.ref is not None) and self._refs(o, n, at):
            return
        if self._rewritten(o, n, at):
            return
        self._types(o, n, at)
        self._values(o, n, at)
        self._bounds(o, n, at)
        self._counts(o, n, at)
        self._arrays(o, n, at)
        self._objects(o, n, at)
        self._combinators(o, n, at)
        self._unknown(o, n, at)

    def _rewritten(self, o: Node, n: Node, at: _At) -> bool:
        """A place whose combinators changed but whose set did not (`type: [a, b]` to `anyOf`):
        one equivalent-rewrite, not keyword-wise changes that the proofs would contradict."""
        if not (o.combinators or n.combinators) or o.ref is not None or n.ref is not None:
            return False
        if self.inc.includes(o, n) is not YES or self.inc.includes(n, o) is not YES:
            return False
        keyword = next((k for k in ("anyOf", "oneOf", "allOf", "not", "if") if k in _raw(n) or k in _raw(o)), "type")
        self._emit("equivalent-rewrite", o, n, at, Effect.NONE, Effect.NONE, Effect.NONE, keyword=keyword)
        return True

    def _notes(self, o: Node, n: Node, at: _At) -> None:
        for key in sorted(set(o.notes) | set(n.notes)):
            before, after = o.notes.get(key), n.notes.get(key)
            if canon(before) == canon(after) and (key in o.notes) == (key in n.notes):
                continue
            rule = _NOTE_RULES.get(key, "annotation-changed")
            extra = {"old": before, "new": after} if rule == "default-changed" else {}
            self._emit(rule, o, n, at, Effect.NONE, Effect.NONE, Effect.NONE, keyword=key, **extra)

    def _refs(self, o: Node, n: Node, at: _At) -> bool:
        """References: compare what they mean. True when nothing else is left to compare here."""
        plain_o = o.ref is not None and not o.sibling_asserts
        plain_n = n.ref is not None and not n.sibling_asserts
        if o.ref is not None and n.ref is not None and o.ref == n.ref:
            if plain_o and plain_n:
                return True  # the definition pair is walked once, at the definition
        elif o.ref != n.ref:
            self._emit(
                "ref-target-changed",
                o,
                n,
                at,
                Effect.NONE,
                Effect.NONE,
                old_target=o.ref or "(inline schema)",
                new_target=n.ref or "(inline schema)",
                keyword="$ref",
            )
        if plain_o or plain_n:
            target_o, target_n = deref(o), deref(n)
            if not self.index.equal(target_o, target_n):
                inner = (
                    at
                    if not (plain_o and plain_n)
                    else replace(at, definition=n.ref if n.ref in self.new.defs else at.definition)
                )
                self._walk(target_o, target_n, inner)
            return True
        if o.ref is not None and n.ref is not None and o.ref != n.ref:
            self._walk(deref(o.prep.targets[o.ref]), deref(n.prep.targets[n.ref]), at)
        return False

    def _types(self, o: Node, n: Node, at: _At) -> None:
        if o.types == n.types:
            return
        back = _types_within(o.types, n.types)
        fwd = _types_within(n.types, o.types)
        if back and fwd:
            self._emit("equivalent-rewrite", o, n, at, Effect.NONE, Effect.NONE, Effect.NONE, keyword="type")
            return
        kind = "narrowed" if fwd else "widened" if back else "changed"
        api = Effect.NONE if _bound_types(o.types) == _bound_types(n.types) else None  # same Python `int` either way
        self._emit(
            f"type-{kind}",
            o,
            n,
            at,
            Effect.COMPATIBLE if back else Effect.BREAKING,
            Effect.COMPATIBLE if fwd else Effect.BREAKING,
            api,
            keyword="type",
            old=_types_text(o.types),
            new=_types_text(n.types),
            info=f" ({_types_text(o.types)} -> {_types_text(n.types)})",
        )

    def _values(self, o: Node, n: Node, at: _At) -> None:
        if o.enum == n.enum:
            return
        word = "enum" if "enum" in _raw(n) or "enum" in _raw(o) else "const"
        if o.enum is None and n.enum is not None:
            self._emit(
                "enum-added", o, n, at, Effect.BREAKING, Effect.COMPATIBLE, keyword=word, values=list(n.enum_raw)
            )
            return
        if n.enum is None and o.enum is not None:
            self._emit(
                "enum-removed", o, n, at, Effect.COMPATIBLE, Effect.BREAKING, keyword=word, values=list(o.enum_raw)
            )
            return
        assert o.enum is not None and n.enum is not None
        new_keys = set(n.enum)
        old_keys = set(o.enum)
        removed = [v for k, v in zip(o.enum, o.enum_raw) if k not in new_keys]
        added = [v for k, v in zip(n.enum, n.enum_raw) if k not in old_keys]
        if removed:
            self._emit(
                "enum-values-removed", o, n, at, Effect.BREAKING, Effect.COMPATIBLE, keyword=word, values=removed
            )
        if added:
            self._emit("enum-values-added", o, n, at, Effect.COMPATIBLE, Effect.BREAKING, keyword=word, values=added)

    def _bounds(self, o: Node, n: Node, at: _At) -> None:
        for side, keys in (("minimum", ("minimum", "exclusiveMinimum")), ("maximum", ("maximum", "exclusiveMaximum"))):
            before, after = _bound(o, side), _bound(n, side)
            if before == after:
                continue
            tighter = _tighter(before, after, side)
            looser = _tighter(after, before, side)
            keyword = next((k for k in keys if k in _raw(n) or k in _raw(o)), keys[0])
            if tighter:
                self._emit(
                    f"{side}-tightened",
                    o,
                    n,
                    at,
                    Effect.BREAKING,
                    Effect.COMPATIBLE,
                    keyword=keyword,
                    old=_bound_text(before),
                    new=_bound_text(after),
                )
            if looser:
                self._emit(
                    f"{side}-relaxed",
                    o,
                    n,
                    at,
                    Effect.COMPATIBLE,
                    Effect.BREAKING,
                    keyword=keyword,
                    old=_bound_text(before),
                    new=_bound_text(after),
                )
        before, after = o.kw.get("multipleOf"), n.kw.get("multipleOf")
        if before != after or type(raw_step(o)) is not type(raw_step(n)):
            back, fwd = effect_of(step_within(o, n)), effect_of(step_within(n, o))
            old, new = _num(before), _num(after)
            if back.breaks and fwd.breaks:
                self._emit("keyword-changed", o, n, at, back, fwd, keyword="multipleOf", old=old, new=new)
            elif back.breaks or fwd.breaks:
                self._emit(
                    "multiple-of-tightened" if back.breaks else "multiple-of-relaxed",
                    o,
                    n,
                    at,
                    back,
                    fwd,
                    keyword="multipleOf",
                    old=old,
                    new=new,
                )

    def _counts(self, o: Node, n: Node, at: _At) -> None:
        for keyword, prefix, sign in _COUNTS:
            before, after = o.kw.get(keyword), n.kw.get(keyword)
            if before == after:
                continue
            if sign > 0:
                tighter = after is not None and (before is None or after > before)
            else:
                tighter = after is not None and (before is None or after < before)
            self._emit(
                f"{prefix}-{'tightened' if tighter else 'relaxed'}",
                o,
                n,
                at,
                Effect.BREAKING if tighter else Effect.COMPATIBLE,
                Effect.COMPATIBLE if tighter else Effect.BREAKING,
                keyword=keyword,
                old=_num(before),
                new=_num(after),
            )
        self._patterns(o, n, at)
        before, after = o.kw.get("format"), n.kw.get("format")
        if before == after:
            return
        if before is not None and after is not None and formats.implies(before, after):
            back, fwd = Effect.COMPATIBLE, Effect.COMPATIBLE if formats.implies(after, before) else Effect.BREAKING
            if fwd is Effect.COMPATIBLE:
                self._emit("equivalent-rewrite", o, n, at, Effect.NONE, Effect.NONE, Effect.NONE, keyword="format")
            else:
                self._emit("format-changed", o, n, at, back, fwd, keyword="format", old=before, new=after)
            return
        if before is not None and after is not None and formats.implies(after, before):
            self._emit(
                "format-changed", o, n, at, Effect.BREAKING, Effect.COMPATIBLE, keyword="format", old=before, new=after
            )
            return
        self._added_removed("format", o, n, at, changed=(Effect.BREAKING, Effect.BREAKING, Effect.BREAKING))

    def _patterns(self, o: Node, n: Node, at: _At) -> None:
        """A pattern change judged by automata (`patterns.includes`): an added `a*` narrows nothing."""
        before, after = o.kw.get("pattern"), n.kw.get("pattern")
        if before == after:
            return
        back, fwd = _pattern_answer(before, after), _pattern_answer(after, before)
        if back is YES and fwd is YES:
            self._emit("equivalent-rewrite", o, n, at, Effect.NONE, Effect.NONE, Effect.NONE, keyword="pattern")
            return
        rule = "pattern-added" if before is None else "pattern-removed" if after is None else "pattern-changed"
        self._emit(
            rule,
            o,
            n,
            at,
            effect_of(back),
            effect_of(fwd),
            keyword="pattern",
            **({} if before is None else {"old": before}),
            **({} if after is None else {"new": after}),
        )

    def _added_removed(self, keyword: str, o: Node, n: Node, at: _At, changed: tuple[Effect, Effect, Effect]) -> None:
        before, after = o.kw.get(keyword), n.kw.get(keyword)
        if before == after:
            return
        if before is None:
            self._emit(f"{keyword}-added", o, n, at, Effect.BREAKING, Effect.COMPATIBLE, keyword=keyword, new=after)
        elif after is None:
            self._emit(f"{keyword}-removed", o, n, at, Effect.COMPATIBLE, Effect.BREAKING, keyword=keyword, old=before)
        else:
            self._emit(f"{keyword}-changed", o, n, at, *changed, keyword=keyword, old=before, new=after)

    def _arrays(self, o: Node, n: Node, at: _At) -> None:
        if bool(o.kw.get("uniqueItems")) != bool(n.kw.get("uniqueItems")):
            added = bool(n.kw.get("uniqueItems"))
            self._emit(
                "unique-items-added" if added else "unique-items-removed",
                o,
                n,
                at,
                Effect.BREAKING if added else Effect.COMPATIBLE,
                Effect.COMPATIBLE if added else Effect.BREAKING,
                keyword="uniqueItems",
            )
        for i in range(max(len(o.prefix), len(n.prefix))):
            if _borrowed(o, n, ("item", i)):
                continue  # a position an allOf branch or $ref target evaluates: changes show there
            item_o = o.prefix[i] if i < len(o.prefix) else o.items
            item_n = n.prefix[i] if i < len(n.prefix) else n.items
            self._pair("items", item_o, item_n, at, at.down(f"[{i}]", ("item", i), ("item", i)), o, n, "prefixItems")
        self._pair("items", o.items, n.items, at, at.down("[]", ("item", "*"), ("item", "*")), o, n, "items")
        self._pair("contains", o.contains, n.contains, at, at.down("[contains]", None, None), o, n, "contains")
        if any(o.kw.get(k) != n.kw.get(k) for k in ("minContains", "maxContains")):
            self._family(
                "contains", o, n, at, "minContains/maxContains", self.inc.includes(o, n), self.inc.includes(n, o)
            )

    def _pair(
        self, prefix: str, a: Node | None, b: Node | None, at: _At, child: _At, o: Node, n: Node, keyword: str
    ) -> None:
        """Two child schemas: walk them when both exist, else one family change at the parent, from the proofs."""
        if a is not None and b is not None:
            self._walk(a, b, child)
        elif a is not None or b is not None:
            here = replace(at, place=child.place)
            self._family(prefix, o, n, here, keyword, self.inc.includes(a, b), self.inc.includes(b, a))

    def _objects(self, o: Node, n: Node, at: _At) -> None:
        for name in sorted(set(o.props) | set(n.props)):
            here = at.down(f".{name}", ("prop", name), ("prop", name))
            if _borrowed(o, n, ("prop", name)):
                self._evaluated_elsewhere(o, n, at, name)
                continue
            if name in o.props and name in n.props:
                self._walk(o.props[name], n.props[name], here)
                continue
            was, now = member_schemas(o, name), member_schemas(n, name)
            back = UNKNOWN if was is None or now is None else self.inc.members_in(was, now)
            fwd = UNKNOWN if was is None or now is None else self.inc.members_in(now, was)
            if name in n.props:
                self._emit(
                    f"property-added{_added_suffix(back, fwd)}",
                    o,
                    n,
                    at,
                    effect_of(back),
                    effect_of(fwd),
                    prop=name,
                    old_pointer=_kw_pointer(o, "properties"),
                    new_pointer=n.props[name].pointer,
                )
            else:
                self._emit(
                    f"property-removed{_removed_suffix(back, fwd)}",
                    o,
                    n,
                    at,
                    effect_of(back),
                    effect_of(fwd),
                    prop=name,
                    old_pointer=o.props[name].pointer,
                    new_pointer=_kw_pointer(n, "properties"),
                )
        required_o: frozenset[str] = o.kw.get("required", frozenset())
        required_n: frozenset[str] = n.kw.get("required", frozenset())
        for name in sorted(required_n - required_o):
            self._emit(
                "required-property-added", o, n, at, Effect.BREAKING, Effect.COMPATIBLE, prop=name, keyword="required"
            )
        for name in sorted(required_o - required_n):
            self._emit(
                "required-property-removed", o, n, at, Effect.COMPATIBLE, Effect.BREAKING, prop=name, keyword="required"
            )
        for pattern in sorted(set(o.patterns) | set(n.patterns)):
            if _borrowed(o, n, ("pattern", pattern)):
                continue  # a pattern an allOf branch or $ref target has: changes show there
            self._pair(
                "pattern-properties",
                o.patterns.get(pattern),
                n.patterns.get(pattern),
                at,
                at.down(f"[/{pattern}/]", ("pattern", pattern), ("pattern", pattern)),
                o,
                n,
                "patternProperties",
            )
        self._additional(o, n, at)
        self._pair("schema", o.names, n.names, at, at.down("[propertyNames]", None, None), o, n, "propertyNames")
        deps_o, deps_n = o.kw.get("dependentRequired", {}), n.kw.get("dependentRequired", {})
        if deps_o != deps_n or set(o.depschemas) != set(n.depschemas):
            self._family("dependencies", o, n, at, "dependencies", self.inc.includes(o, n), self.inc.includes(n, o))
        for name in sorted(set(o.depschemas) & set(n.depschemas)):
            self._walk(o.depschemas[name], n.depschemas[name], at.down(f"[if {name}]", None, None))

    def _evaluated_elsewhere(self, o: Node, n: Node, at: _At, name: str) -> None:
        """A member that an `allOf` branch or `$ref` target evaluates (`Node.borrowed`) on one side
        at least. Named on both sides, it stays evaluated, and what changed shows in the branches.
        Named on one side only, it moved in or out of what `unevaluatedProperties` governs: one
        property-added/-removed with the node's own proofs (its `true` member is no schema)."""
        if name in o.props and name in n.props:
            return
        back, fwd = self.inc.includes(o, n), self.inc.includes(n, o)
        if name in n.props:
            rule, pointers = f"property-added{_added_suffix(back, fwd)}", (_kw_pointer(o, None), n.props[name].pointer)
        else:
            rule, pointers = (
                f"property-removed{_removed_suffix(back, fwd)}",
                (o.props[name].pointer, _kw_pointer(n, None)),
            )
        self._emit(
            rule, o, n, at, effect_of(back), effect_of(fwd), prop=name, old_pointer=pointers[0], new_pointer=pointers[1]
        )

    def _additional(self, o: Node, n: Node, at: _At) -> None:
        a, b = o.additional, n.additional
        if a is not None and b is not None and not a.false and not b.false and not a.is_true and not b.is_true:
            self._walk(a, b, at.down("[*]", ("additional", ""), ("additional", "")))
            return
        if (a is None) == (b is None) and (a is None or a.sem == b.sem):  # type: ignore[union-attr]
            return
        here = replace(at, place=at.place + "[*]")
        self._family(
            "additional-properties",
            o,
            n,
            here,
            "additionalProperties",
            self.inc.includes(a, b),
            self.inc.includes(b, a),
        )

    def _combinators(self, o: Node, n: Node, at: _At) -> None:
        """allOf/anyOf and then/else are monotone (a narrower branch narrows the whole), so their
        branches are walked; oneOf, not and if are not, so a change there is judged as a whole."""
        for attr, prefix, keyword in (("allof", "allof", "allOf"), ("anyof", "anyof", "anyOf")):
            before = [b for b in getattr(o, attr) if not any(self.index.equal(b, x) for x in getattr(n, attr))]
            after = [b for b in getattr(n, attr) if not any(self.index.equal(b, x) for x in getattr(o, attr))]
            if len(before) == len(after):
                for i, (a, b) in enumerate(zip(before, after)):
                    self._walk(a, b, at.down(f"[{keyword} {i}]", None, None))
            else:
                self._family(prefix, o, n, at, keyword, self.inc.includes(o, n), self.inc.includes(n, o))
        whole = (("oneof", "oneof", "oneOf"), ("not_", "not", "not"), ("if_", "conditional", "if"))
        for attr, prefix, keyword in whole:
            a, b = getattr(o, attr), getattr(n, attr)
            same = _same_branches(self.index, a, b)
            if not same:
                self._family(prefix, o, n, at, keyword, self.inc.includes(o, n), self.inc.includes(n, o))
        for attr, keyword in (("then", "then"), ("else_", "else")):
            a, b = getattr(o, attr), getattr(n, attr)
            if a is not None and b is not None:
                self._walk(a, b, at.down(f"[{keyword}]", None, None))
            elif a is not None or b is not None:
                self._family("conditional", o, n, at, keyword, self.inc.includes(o, n), self.inc.includes(n, o))

    def _unknown(self, o: Node, n: Node, at: _At) -> None:
        for key in sorted(set(o.unknown) | set(n.unknown)):
            if o.unknown.get(key) != n.unknown.get(key):
                self._family("keyword", o, n, at, key, self.inc.includes(o, n), self.inc.includes(n, o))

    # ------------------------------------------------------------------ witnesses
    def _witness(self, change: Change, nodes: _Nodes, paths: _Paths, whole: bool = False) -> Change:
        found: list[Witness] = []
        missing: dict[str, str] = {}
        for direction, effect in ((Direction.BACKWARD, change.backward), (Direction.FORWARD, change.forward)):
            if not effect.breaks:
                continue
            result = self._find(direction, change, nodes, paths, whole)
            if isinstance(result, Witness):
                found.append(result)
            else:
                missing[direction.value] = result
        decided = {w.direction for w in found}  # breaking with a verified witness, else undecided
        back = _shown(change.backward, Direction.BACKWARD in decided)
        fwd = _shown(change.forward, Direction.FORWARD in decided)
        return replace(change, witnesses=tuple(found), no_witness=missing, backward=back, forward=fwd)

    def _find(self, direction: Direction, change: Change, nodes: _Nodes, paths: _Paths, whole: bool) -> Witness | str:
        """A witness at the changed place, else for the whole document; or why there is none."""
        if whole:
            return self._whole(direction)
        found = self._local(direction, change, nodes, paths)
        if isinstance(found, Witness):
            return found
        fallback = self._whole(direction)
        if isinstance(fallback, Witness):
            return fallback
        return found or "the changed place is not reachable from the root of the accepting schema"

    def _local(self, direction: Direction, change: Change, nodes: _Nodes, paths: _Paths) -> Witness | str | None:
        """A witness found around the changed place, the reason it was not, or None when the place
        cannot be reached from the accepting root (then no search is made at all)."""
        from cwscodegen.engine import witnesses

        backward = direction is Direction.BACKWARD
        accept, reject = (self.old, self.new) if backward else (self.new, self.old)
        node_a, node_r = nodes if backward else nodes[::-1]
        starts = paths[0] if backward else paths[1]
        if node_a is None or not starts:
            return None
        member = change.property if change.rule.startswith(("property-added", "property-removed")) else None
        if node_r is None:
            node_r = reject.root
        try:
            return witnesses.find(direction, accept, reject, node_a, node_r, starts, member)
        except PatternError:
            return _UNRUNNABLE

    def _whole(self, direction: Direction) -> Witness | str:
        """The whole-document search, made at most once per direction (it depends on nothing else)."""
        from cwscodegen.engine import witnesses

        if direction not in self._documents:
            accept, reject = (self.old, self.new) if direction is Direction.BACKWARD else (self.new, self.old)
            try:
                self._documents[direction] = witnesses.find_document(direction, accept, reject)
            except PatternError:
                self._documents[direction] = _UNRUNNABLE
        return self._documents[direction]


_UNRUNNABLE = "a pattern on the way cannot be run by a linear-time regex engine, so no event can be verified"
_Nodes = tuple[Node | None, Node | None]
_Paths = tuple[list[tuple[Step, ...]], list[tuple[Step, ...]]]


@dataclass(frozen=True)
class _Listed:
    """One change in context with its nodes and instance paths per side, for its witness search;
    `whole` marks the change standing for the document as a whole (no place to search around)."""

    change: Change
    nodes: _Nodes
    paths: _Paths
    whole: bool = False


# ---------------------------------------------------------------------------------- helpers
def _borrowed(o: Node, n: Node, member: tuple[str, str | int]) -> bool:
    """Is `member` a borrowed `true` on either side (see `Node.borrowed`)?"""
    return bool(o.borrowed or n.borrowed) and (member in o.borrowed or member in n.borrowed)


def _pattern_answer(sub: str | None, sup: str | None) -> Answer:
    from cwscodegen.engine import patterns

    held = patterns.includes(sub, sup)
    return YES if held else NO if held is False else UNKNOWN


def _same_branches(index: PairIndex, a: Any, b: Any) -> bool:
    """Equal subschemas (or equal lists of them, in any order), or both absent."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(any(index.equal(x, y) for y in b) for x in a)
    if a is None or b is None:
        return a is None and b is None
    return index.equal(a, b)


def _get(document: Any, key: str) -> Any:
    return document.get(key) if isinstance(document, Mapping) else None


def _raw(node: Node) -> Mapping[str, Any]:
    return node.raw if isinstance(node.raw, Mapping) else {}


def _kw_pointer(node: Node, keyword: str | None) -> str:
    if keyword is not None and keyword in _raw(node):
        return f"{node.pointer}/{escape(keyword)}"
    return node.pointer


def _added_suffix(back: Answer, fwd: Answer) -> str:
    """property-added in a closed object proves BACKWARD and breaks FORWARD; the variants say otherwise."""
    if back is YES:
        return "-equivalent" if fwd is YES else ""
    return "-narrowing" if fwd is YES else "-incompatible"


def _removed_suffix(back: Answer, fwd: Answer) -> str:
    """property-removed from a closed object breaks BACKWARD and proves FORWARD."""
    if fwd is YES:
        return "-equivalent" if back is YES else ""
    return "-widening" if back is YES else "-incompatible"


def _types_within(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    if b is None:
        return True
    if a is None:
        return False
    return all(type_allowed(t, b) for t in a)


def _bound_types(types: frozenset[str] | None) -> frozenset[str] | None:
    """Types as the generated bindings see them: draft-04's `integer` is an `int` like any other."""
    return None if types is None else frozenset("integer" if t == STRICT_INTEGER else t for t in types)


def _types_text(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _bound(node: Node, side: str) -> tuple[Any, bool] | None:
    inclusive, exclusive = ("minimum", "exclusiveMinimum") if side == "minimum" else ("maximum", "exclusiveMaximum")
    found: tuple[Any, bool] | None = None
    if inclusive in node.kw:
        found = (node.kw[inclusive], False)
    if exclusive in node.kw:
        value = node.kw[exclusive]
        tighter = found is None or (value >= found[0] if side == "minimum" else value <= found[0])
        if tighter:
            found = (value, True)
    return found


def _tighter(before: tuple[Any, bool] | None, after: tuple[Any, bool] | None, side: str) -> bool:
    """Does `after` reject some number that `before` accepts?"""
    if after is None:
        return False
    if before is None:
        return True
    if before[0] != after[0]:
        return bool(after[0] > before[0]) if side == "minimum" else bool(after[0] < before[0])
    return bool(after[1] and not before[1])


def _bound_text(bound: tuple[Any, bool] | None) -> str:
    if bound is None:
        return "none"
    return f"{'exclusive ' if bound[1] else ''}{_num(bound[0])}"


def _num(value: Any) -> str:
    if value is None:
        return "none"
    if hasattr(value, "denominator") and value.denominator == 1:
        return str(value.numerator)
    return str(float(value)) if hasattr(value, "denominator") else str(value)


def _reachable(prep: Prepared) -> set[str | None]:
    """Definition keys (and None for the root) that some event can reach through `$ref`s."""
    seen: set[str | None] = {None}
    queue = deque(prep.root.refnames)
    while queue:
        key = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        queue.extend(prep.ref_graph.get(key, ()))
    return seen


def _paths(prep: Prepared) -> dict[str | None, list[tuple[Step, ...]]]:
    """Up to a few shortest instance paths from the root to each definition key (None: the root)."""
    found: dict[str | None, list[tuple[Step, ...]]] = {None: [()]}
    queue: deque[tuple[Node, tuple[Step, ...]]] = deque([(prep.root, ())])
    expanded: set[str] = set()
    while queue:
        node, steps = queue.popleft()
        if node.ref is not None:
            known = found.setdefault(node.ref, [])
            if len(known) < _PATHS_PER_DEFINITION and steps not in known:
                known.append(steps)
            target = prep.targets.get(node.ref)
            if node.ref not in expanded and target is not None:
                expanded.add(node.ref)
                queue.append((target, steps))
        for step, child in _instance_children(node):
            queue.append((child, steps + ((step,) if step else ())))
    return found


def _instance_children(node: Node) -> Iterator[tuple[Step | None, Node]]:
    for name, child in node.props.items():
        yield ("prop", name), child
    for pattern, child in node.patterns.items():
        yield ("pattern", pattern), child
    if node.additional is not None and not node.additional.false:
        yield ("additional", ""), node.additional
    for i, child in enumerate(node.prefix):
        yield ("item", i), child
    if node.items is not None:
        yield ("item", "*"), node.items
    for child in (*node.allof, *node.anyof, *node.oneof):
        yield None, child
    for branch in (node.then, node.else_):
        if branch is not None:
            yield None, branch


def _root_pointer(steps: tuple[Step, ...]) -> str:
    kind, name = steps[0]
    return f"/properties/{escape(str(name))}" if kind == "prop" else ""


_DISTANCES: dict[tuple[str, str], float] = {}
_DISTANCES_KEPT = 4096


def _distance(before: Any, after: Any) -> float:
    """deepdiff's distance between two raw definitions, remembered by their JSON text's digest: a matrix
    meets the same renamed definitions in many pairs, and deepdiff is most of a walk's time."""
    from deepdiff import DeepDiff

    key = (_text(before), _text(after))
    if key not in _DISTANCES:
        if len(_DISTANCES) >= _DISTANCES_KEPT:
            _DISTANCES.clear()
        _DISTANCES[key] = float(DeepDiff(before, after, get_deep_distance=True).get("deep_distance", 0.0))
    return _DISTANCES[key]


def _text(value: Any) -> str:
    """A short key for a JSON value (a digest: the cache must stay small whatever the documents)."""
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def _renames(
    removed: list[str], added: list[str], old: Mapping[str, Node], new: Mapping[str, Node], index: PairIndex
) -> list[tuple[str, str]]:
    """Removed/added definition pairs that are the same definition under a new name.

    Structurally equal definitions pair up first; the rest are matched by deepdiff's distance
    between the raw schemas (what moved, not how it validates), taking close pairs only.
    """
    pairs: list[tuple[str, str]] = []
    left, right = list(removed), list(added)
    by_sem: dict[int, list[str]] = {}  # equal nodes share a sem id: no scan of every added name
    for after in right:
        by_sem.setdefault(new[after].sem, []).append(after)
    for before in removed:
        same = by_sem.get(old[before].sem, [])
        match = next((a for a in same if index.equal(old[before], new[a])), None)
        if match is not None:
            pairs.append((before, match))
            same.remove(match)
    matched = {b for b, _ in pairs} | {a for _, a in pairs}
    left = [b for b in left if b not in matched]
    right = [a for a in right if a not in matched]
    if left and right and len(left) * len(right) <= 64:
        scored = sorted((_distance(old[b].raw, new[a].raw), b, a) for b in left for a in right)
        for distance, before, after in scored:
            if distance <= 0.25 and before in left and after in right:
                pairs.append((before, after))
                left.remove(before)
                right.remove(after)
    return sorted(pairs)

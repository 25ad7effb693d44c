"""Fast yes/no validity checks that decide exactly what `validators.make_validator` decides.

`jsonschema-rs` (Rust) runs 50-140 times faster than `jsonschema` on CWS events (see
`benchmarks/validate_bench.py`) and implements every draft, but its answers are not always the
project's: its own `format` checks differ (its date-time accepts the leap second
`2016-12-31T23:59:60Z`, which jsonschema's rejects), it checks a schema against the draft's
meta-schema before compiling it (a draft-04 `required: []` or a repeated `type` is refused), it
may fetch remote `$ref`s, and other keywords (`pattern` with its regex dialect, `multipleOf` on
floats, `enum` with `1` and `true`, ...) are places where two implementations can part.

So a document is only compiled after `translate` has rewritten it into a small subset whose
meaning is the same under both libraries, and it is refused (None) whenever that cannot be
guaranteed:
- only these keywords may appear: `type`, `properties`, `additionalProperties`, `required`,
  `items` (a single schema), `format`, `$ref`, the `definitions`/`$defs` containers, a root
  `$id`, a `$schema` naming the document's own draft, and annotations (description, title, ...);
  any other keyword, a nested `$id`, or an assertion beside a 2019-09/2020-12 `$ref` refuses;
- every `$ref` must point into the document; each distinct target becomes `#/definitions/dN`
  (`#/$defs/dN` from 2019-09 on), and the compiled validators run with `offline=True`, so nothing
  outside the document is ever resolved;
- repeated names in `required` and `type` are dropped and an empty `required` is left out (the
  same meaning, and what the meta-schema wants);
- it is compiled by jsonschema-rs's validator class for the document's own draft (`$schema` is
  not copied, so the class decides), so `integer` keeps its draft's meaning (`1.0` is not an
  integer in draft-04, is one from draft-06 on);
- formats are asserted, and for every `format` the document uses, jsonschema-rs calls the very
  function `jsonschema`'s format checker uses for that draft (custom formats replace its own);
  a format `jsonschema` does not assert is not asserted here either.

The check says "valid" only when jsonschema-rs does; anything else, including a value outside
JSON's data model that jsonschema-rs cannot take (`1e400` parses to `inf`; jsonschema-rs calls
it no number) or an exception, is "not proven valid", and callers then ask `jsonschema`, whose
answer stands. A schema jsonschema-rs cannot compile gets no fast check (jsonschema only).

Callers still use `jsonschema` to explain a rejection (its messages and instance paths are the
ones users see). `pruned_validator` makes that explanation cheap without changing it: before
`jsonschema` follows a `$ref`, the fast check of the target decides whether the sub-instance is
valid there, and a valid one is skipped; it would have produced no error, so the errors (and
their order, hence `first_error`) are exactly those of the plain validator. `root_validator`
goes further for the most common rejection: it yields only the errors about the event itself,
which, when there is one, is the error `first_error` picks anyway.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, NamedTuple

import jsonschema_rs
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from cwscodegen.errors import UserError
from cwscodegen.store.refs import Resolver, draft_of, escape, pointer
from cwscodegen.store.validators import jsonschema_class, make_validator, validator_class

FastCheck = Callable[[Any], bool]


def _engine() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"jsonschema-rs {version('jsonschema-rs')}"
    except PackageNotFoundError:
        return "jsonschema-rs"


ENGINE = _engine()
"""What the fast check runs on (`validate` and the benchmark name it)."""

_ANNOTATIONS = frozenset(
    {"description", "title", "$comment", "examples", "default", "readOnly", "writeOnly", "deprecated"}
)
_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})
_CONTAINERS = ("definitions", "$defs")
_RS_CLASSES: dict[str, type[jsonschema_rs.Validator]] = {
    "draft4": jsonschema_rs.Draft4Validator,
    "draft6": jsonschema_rs.Draft6Validator,
    "draft7": jsonschema_rs.Draft7Validator,
    "draft2019-09": jsonschema_rs.Draft201909Validator,
    "draft2020-12": jsonschema_rs.Draft202012Validator,
}


class Unsupported(Exception):
    """The schema uses something whose meaning might differ between the two libraries."""


class Translation:
    """A document rewritten into the shared subset: the root, and one `dN` per `$ref` target."""

    def __init__(
        self,
        root: dict[str, Any],
        definitions: dict[str, Any],
        targets: dict[str, str],
        draft: str,
        nodes: dict[str, Any] | None = None,
    ) -> None:
        self.root = root
        self.definitions = definitions
        self.targets = targets  # JSON pointer in the original document -> dN
        self.draft = draft
        self.container = _container(draft)
        self.nodes = nodes or {}  # JSON pointer in the original document -> its translation

    def document(self, target: str | None = None) -> dict[str, Any]:
        """The compilable document: the root, or the schema at `target` (an original pointer)."""
        head = self.root if target is None else {"$ref": f"#/{self.container}/{self.targets[target]}"}
        return {**head, self.container: self.definitions}

    def subschema(self, where: str) -> Any:
        """The translated schema at `where` (any pointer `translate` visited), carrying only the
        definitions it reaches: compiling one of them costs what it checks, not the document."""
        head = self.nodes[where]
        if isinstance(head, bool):
            return head
        reached = self._reached(head)
        return {**head, self.container: {name: self.definitions[name] for name in reached}} if reached else head

    def content_key(self, where: str) -> str:
        """The schema at `where` with what it reaches, as text that is equal for equal schemas in
        different documents: definitions renamed in the order they are reached (`dN` numbers
        depend on the whole document). Lets snapshots share answers about one event's values."""
        head = self.nodes[where]
        reached = self._reached(head) if not isinstance(head, bool) else []
        prefix = f"#/{self.container}/"
        names = {f"{prefix}{name}": f"{prefix}c{index}" for index, name in enumerate(reached)}
        renamed = [_renamed(head, names)] + [_renamed(self.definitions[name], names) for name in reached]
        return json.dumps([self.draft, renamed])

    def _reached(self, head: Any) -> list[str]:
        prefix = f"#/{self.container}/"
        reached: dict[str, None] = {}
        pending = [head]
        while pending:
            for ref in _refs_in(pending.pop()):
                name = ref[len(prefix) :]
                if name not in reached:
                    reached[name] = None
                    pending.append(self.definitions[name])
        return list(reached)


def translate(document: Any) -> Translation | None:
    """The document with the same meaning in the shared subset, or None when unsure."""
    if not isinstance(document, Mapping):
        return None
    try:
        return _Translator(document).run()
    except (Unsupported, UserError):
        return None


class FastDocument:
    """Compiled fast checks for one document: the root, and (lazily) any `$ref` target."""

    def __init__(self, document: Any, translation: Translation) -> None:
        self.translation = translation
        self.engine = ENGINE
        self.validator_class = _RS_CLASSES[translation.draft]
        checker = validator_class(document).FORMAT_CHECKER
        self.formats: dict[str, Callable[[Any], bool]] = {
            name: (partial(_conforms, *checker.checkers[name]) if name in checker.checkers else _anything)
            for name in _formats_used(translation.document())
        }
        self.check = self._compile(translation.document())
        self._at: dict[str, FastCheck] = {}

    def at(self, target: str) -> FastCheck | None:
        """The check of the schema at `target` (a JSON pointer of the original document: a `$ref`
        target or any schema `translate` walked through), None for one it never saw."""
        if target not in self.translation.nodes:
            return None
        if target not in self._at:
            self._at[target] = self._compile(self.translation.subschema(target))
        return self._at[target]

    def own_check(self, target: str) -> FastCheck:
        """The check of the schema at `target`'s own keywords (see `own_keywords_validator`), on
        `_own_view` of a value: the subschemas it gives to values inside are left out. Never
        "valid" for a schema `translate` never saw."""
        schema = self.translation.nodes.get(target, False)
        if isinstance(schema, Mapping):
            schema = {
                key: ({name: {} for name in value} if key == "properties" else value)
                for key, value in schema.items()
                if key not in ("items", "$ref") and not (key == "additionalProperties" and not isinstance(value, bool))
            }
        return self._compile(schema)

    def _compile(self, schema: Any) -> FastCheck:
        if isinstance(schema, bool):
            return _always if schema else _never
        is_valid = self.validator_class(schema, formats=self.formats, validate_formats=True, offline=True).is_valid

        def check(instance: Any) -> bool:
            try:
                return is_valid(instance)
            except Exception:
                return False

        return check


def fast_document(document: Any) -> FastDocument | None:
    """Compiled fast checks, or None when only jsonschema can be trusted with this document."""
    translation = translate(document)
    if translation is None:
        return None
    try:
        return FastDocument(document, translation)
    except Exception:
        return None


def fast_check(document: Any) -> FastCheck | None:
    """`instance -> valid?` for the whole document, or None (see `fast_document`)."""
    fast = fast_document(document)
    return fast.check if fast is not None else None


def pruned_validator(document: Any, fast: FastDocument) -> Validator:
    """A validator with the same errors as `make_validator(document)`, skipping proven-valid parts.

    Two keywords are wrapped, never reimplemented: `$ref` yields nothing when the target's fast
    check accepts the instance, and `properties` leaves out the properties whose schema is a
    `$ref` (with annotations only, as `translate` guarantees) that the target accepts, which also
    saves `jsonschema` from building a validator for each of them. Skipped parts would have
    produced no error, so the errors, their order and their paths are unchanged."""
    ref, proved_valid = _pruned_ref(document, fast)
    original_properties = validator_class(document).VALIDATORS["properties"]

    def properties(validator: Any, properties: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, dict) and isinstance(properties, Mapping):
            properties = {
                name: sub
                for name, sub in properties.items()
                if not (name in instance and isinstance(sub, Mapping) and proved_valid(sub.get("$ref"), instance[name]))
            }
        yield from original_properties(validator, properties, instance, schema)

    return make_validator(document, keywords={"$ref": ref, "properties": properties})


def own_keywords_validator(document: Any) -> Validator:
    """A validator of a schema's own keywords only: what it says about the instance itself, never
    about a value inside it (`properties`, `items`, a schema `additionalProperties` and `$ref` do
    nothing; `additionalProperties: false` still names the unexpected keys). For documents
    `translate` accepts, exactly the errors of the full validator whose path is empty, in order:
    the keywords that look inside the instance always put the inner value's path into their errors,
    and none of the subset's keywords produces nested (`context`) errors."""
    original_additional = validator_class(document).VALIDATORS["additionalProperties"]

    def additional(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(additional, bool):  # `false`: one error about the object itself
            yield from original_additional(validator, additional, instance, schema)

    return make_validator(
        document,
        keywords={"$ref": _nothing, "properties": _nothing, "items": _nothing, "additionalProperties": additional},
    )


class FirstError(NamedTuple):
    """The error `first_error` picks for an event: its place in the event (`pointer`), the
    keyword that fails as a place in the original document (`schema`, `$ref`s followed, e.g.
    `/$defs/ProcessCredentials/required`), and jsonschema's message."""

    pointer: str
    schema: str
    message: str


class _Own:
    """What one schema's own keywords say about values: a fast check (`own`, on `_own_view` of a
    value) and a jsonschema validator of them, for the message (see `own_keywords_validator`).

    For an object, that depends on its keys alone (`type`, `required`, `additionalProperties:
    false`; formats ignore objects), and so do the messages of `required` and
    `additionalProperties`: both are cached per key tuple, a bounded number per schema (events of
    one kind share a few shapes). Type errors quote the value and are never cached. Shared by
    every snapshot whose schema has the same own keywords (`_shared_own`): an event checked
    against 15 snapshots meets the same definitions again and again."""

    __slots__ = ("_errors", "_verdicts", "own", "validator")

    def __init__(self, own: FastCheck, validator: Validator) -> None:
        self.own = own
        self.validator = validator
        self._verdicts: dict[tuple[str, ...], bool] = {}
        self._errors: dict[tuple[str, ...], tuple[str, str]] = {}

    def accepts(self, value: Any) -> bool:
        """Do these own keywords accept `value` (the fast check's word)?"""
        shape = _shape(value)
        if shape is None:
            return self.own(_own_view(value))
        verdict = self._verdicts.get(shape)
        if verdict is None:
            verdict = self.own(_own_view(value))
            if len(self._verdicts) < _SHAPES_PER_SCHEMA:
                self._verdicts[shape] = verdict
        return verdict

    def error(self, value: Any) -> tuple[str, str] | None:
        """jsonschema's first error of these own keywords on `value`: (keyword, as a pointer
        relative to the schema, and message)."""
        shape = _shape(value)
        if shape is not None and shape in self._errors:
            return self._errors[shape]
        error = first_own_error(self.validator, value)
        if error is None:
            return None
        found = (pointer(*error.relative_schema_path), error.message)
        if shape is not None and error.validator in _KEYS_ONLY and len(self._errors) < _SHAPES_PER_SCHEMA:
            self._errors[shape] = found
        return found


class _Node:
    """One schema of the original document (`where`, `$ref`s followed) and its own keywords."""

    __slots__ = ("own", "schema", "where")

    def __init__(self, where: str, schema: Any, own: _Own) -> None:
        self.where = where
        self.schema = schema
        self.own = own

    def accepts(self, value: Any) -> bool:
        return self.own.accepts(value)

    def error(self, value: Any) -> tuple[str, str] | None:
        """The first error of this schema's own keywords on `value`: (keyword's place, message)."""
        found = self.own.error(value)
        return None if found is None else (self.where + found[0], found[1])


_SHARED_OWN: dict[tuple[str, str], _Own] = {}
_SHARED_OWN_KEPT = 4096
_CHILD_KEYWORDS = frozenset({"items", "$ref", "$defs", "definitions", "$schema", "$id", "id"})


def _own_key(draft: str, schema: Any) -> tuple[str, str] | None:
    """What decides a schema's own verdicts and messages: its draft and own keywords (property
    names, not their schemas; no annotations), as text; None when it cannot be written."""
    if not isinstance(schema, Mapping):
        return (draft, json.dumps(schema))
    own = [
        (key, list(value) if key == "properties" and isinstance(value, Mapping) else value)
        for key, value in schema.items()
        if key not in _CHILD_KEYWORDS
        and key not in _ANNOTATIONS
        and not (key == "additionalProperties" and isinstance(value, Mapping))
    ]
    try:
        return (draft, json.dumps(own))
    except (TypeError, ValueError):
        return None


def first_own_error(validator: Validator, value: Any) -> ValidationError | None:
    """`first_error(validator, value)` for a validator of one schema's own keywords, without
    collecting and ranking every error: they share path, schema and instance, so `best_match`
    ranks them equal (the subset has no `anyOf`/`oneOf`, its weak keywords) and keeps the first."""
    return next(iter(validator.iter_errors(value)), None)


_SHAPES_PER_SCHEMA = 256
_KEYS_ONLY = frozenset({"required", "additionalProperties"})


def _shape(value: Any) -> tuple[str, ...] | None:
    """An object's keys, the cache key of what its own keywords say; None for anything else."""
    return tuple(value) if isinstance(value, dict) and len(value) <= 64 else None


class _RefCycle(Exception):
    pass


Place = tuple[tuple[str | int, ...], Any, _Node]
"""A place in the event: its path, its value, and the schema that governs it."""


class Explainer:
    """jsonschema's first error for an event the fast check rejects, at the cost of a few fast checks.

    Why it is the same error: `first_error` (jsonschema's `best_match`) prefers the error nearest
    the event's root, then the greatest path among those (`by_relevance`), then, at one place, a
    type mismatch, then the first in order. In a document `translate` accepts, one place of the
    event is governed by exactly one schema (no combinators; a `$ref` has no sibling assertions),
    so the search goes through the event level by level. At each level, the own keywords of each
    place's schema (`own_keywords_validator`: not `properties`, `items` or a schema
    `additionalProperties`) are checked fast; the greatest path among the places they reject gets
    jsonschema's own error there, with the same relevance rules. Without one, the search goes
    down into the places whose whole subtree the fast check does not prove valid. Subtrees it
    proves valid, the bulk of a real event, are never visited again; jsonschema runs on one
    object's keys or one value, typically once per rejection, and messages are its own (same
    validator class, same format checker).

    None when no error is found: the fast check rejected a value jsonschema accepts (`1e400`)
    or the document has a `$ref` cycle; the caller then asks the whole jsonschema validator."""

    def __init__(self, document: Any, fast: FastDocument) -> None:
        self.document = document
        self.fast = fast
        self.resolver = Resolver(document, "<schema>")
        self.own_keywords = own_keywords_validator(document)
        self.nodes: dict[str, _Node] = {}
        self.children: dict[tuple[str, str | int], _Node | None] = {}
        self.content_keys: dict[str, str] = {}

    def first_error(self, instance: Any, same_event: bool = False) -> FirstError | None:
        """The error `first_error(make_validator(document), instance)` finds, or None (see above).
        `same_event`: `instance` is the event of the previous call, unchanged since (answers about
        its values are then reused)."""
        _EVENT.start(instance, same_event)
        try:
            level: list[Place] = [((), instance, self.node("", self.document))]
            while level:
                failing = sorted((place for place in level if not self.own_accepts(place)), reverse=True, key=_path)
                for path, value, node in failing:  # the most relevant first
                    found = node.error(value)
                    if found is not None:
                        return FirstError(pointer(*path), *found)
                level = [
                    child
                    for place in level
                    if not place[0] or not self.fast_valid(place)  # the root is known to fail
                    for child in self.places_inside(place)
                ]
        except _RefCycle:
            return None
        return None

    def own_accepts(self, place: Place) -> bool:
        """Do the own keywords of `place`'s schema accept its value? Objects are answered by
        shape (`_Own`); other values once per event and own keywords (`_EVENT`)."""
        _path, value, node = place
        if isinstance(value, dict):
            return node.accepts(value)
        answers = _EVENT.answers
        key = (id(node.own), id(value))
        known = answers.get(key)
        if known is None:
            known = node.accepts(value)
            if len(answers) < _EVENT_ANSWERS_KEPT:
                answers[key] = known
        return known

    def fast_valid(self, place: Place) -> bool:
        """Does the fast check prove the subtree at `place` valid? (Only containers have one.)

        Answers are shared, for the event being explained, with the other snapshots' explainers
        (`_EVENT`): a subtree checked against equal schemas gets one check."""
        _path, value, node = place
        if not isinstance(value, (dict, list)) or not value:
            return True
        key = self.content_keys.get(node.where)
        if key is None:
            key = self.content_keys[node.where] = self.fast.translation.content_key(node.where)
        answers = _EVENT.answers
        known = answers.get((key, id(value)))
        if known is None:
            check = self.fast.at(node.where)
            known = check is not None and check(value)
            if len(answers) < _EVENT_ANSWERS_KEPT:
                answers[(key, id(value))] = known
        return known

    def places_inside(self, place: Place) -> Iterator[Place]:
        """The places one level down that a subschema of `place`'s schema governs."""
        path, value, node = place
        if isinstance(value, dict):
            for key, inner in value.items():
                child = self.child(node, key)
                if child is not None:
                    yield (*path, key), inner, child
        elif isinstance(value, list):
            child = self.child(node, 0)
            if child is not None:
                for index, inner in enumerate(value):
                    yield (*path, index), inner, child

    def child(self, node: _Node, key: str | int) -> _Node | None:
        """The schema `node` gives the value under `key` (any index for arrays), None for none."""
        cache_key = (node.where, key)
        if cache_key in self.children:
            return self.children[cache_key]
        found = _subschema(node, key)
        child = self.node(*found) if found is not None else None
        if len(self.children) < _CHILDREN_CACHED:
            self.children[cache_key] = child
        return child

    def node(self, where: str, schema: Any) -> _Node:
        """The schema governing a place whose schema is `schema` at `where`, `$ref`s followed."""
        if where in self.nodes:
            return self.nodes[where]
        target, seen = where, {where}
        while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
            target, schema = self.resolver.resolve(schema["$ref"], target)
            if target in seen:
                raise _RefCycle(target)
            seen.add(target)
        node = self.nodes.get(target) or _Node(target, schema, self._own(target, schema))
        self.nodes[where] = self.nodes[target] = node
        return node

    def _own(self, target: str, schema: Any) -> _Own:
        key = _own_key(self.fast.translation.draft, schema)
        shared = _SHARED_OWN.get(key) if key is not None else None
        if shared is None:
            shared = _Own(self.fast.own_check(target), self._own_keywords(schema))
            if key is not None and len(_SHARED_OWN) < _SHARED_OWN_KEPT:
                _SHARED_OWN[key] = shared
        return shared

    def _own_keywords(self, schema: Any) -> Validator:
        """`own_keywords` for `schema`. Without its `$schema` (one naming the document's draft, as
        `translate` guarantees), which would make `evolve` pick the plain validator class."""
        if isinstance(schema, Mapping) and "$schema" in schema:
            schema = {key: value for key, value in schema.items() if key != "$schema"}
        return self.own_keywords.evolve(schema=schema)


_CHILDREN_CACHED = 1 << 16


class _EventAnswers(threading.local):
    """Fast-check answers about the values of the event being explained, per thread, keyed by
    (schema content or own keywords, id of the value). The event is held, so no id is reused
    while it is; a new event, or one the caller does not vouch is unchanged, starts afresh."""

    def __init__(self) -> None:
        self.event: Any = None
        self.answers: dict[tuple[str | int, int], bool] = {}

    def start(self, event: Any, same_event: bool = False) -> None:
        """Answers from now on are about `event`; kept from the previous call only when the
        caller says it is the same, unchanged event (`check_events`, one snapshot after another)."""
        if not same_event or self.event is not event:
            self.event = event
            self.answers.clear()


_EVENT = _EventAnswers()
_EVENT_ANSWERS_KEPT = 1 << 16


def _path(place: Place) -> tuple[str | int, ...]:
    return place[0]


def _subschema(node: _Node, key: str | int) -> tuple[str, Any] | None:
    """(pointer, schema) of the subschema `node` applies to the value under `key`: a property's,
    else a schema `additionalProperties`; for an array (int key), a schema `items`."""
    schema = node.schema
    if not isinstance(schema, Mapping):
        return None
    if isinstance(key, int):
        items = schema.get("items")
        return (f"{node.where}/items", items) if isinstance(items, Mapping) or items is False else None
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and key in properties:
        return f"{node.where}/properties/{escape(key)}", properties[key]
    additional = schema.get("additionalProperties")
    return (f"{node.where}/additionalProperties", additional) if isinstance(additional, Mapping) else None


def _own_view(value: Any) -> Any:
    """What a schema's own keywords see of `value`: an object's keys, an array's type, a scalar."""
    if isinstance(value, dict):
        return dict.fromkeys(value)
    if isinstance(value, list):
        return []
    return value


def _nothing(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    return iter(())


def _pruned_ref(document: Any, fast: FastDocument) -> tuple[Callable[..., Iterator[Any]], Callable[[Any, Any], bool]]:
    """The `$ref` keyword that skips targets whose fast check accepts the instance, and that test."""
    original_ref = validator_class(document).VALIDATORS["$ref"]
    resolver = Resolver(document, "<schema>")

    def proved_valid(ref: Any, instance: Any) -> bool:
        check = fast.at(resolver.target(ref, "")) if isinstance(ref, str) else None
        return check is not None and check(instance)

    def ref(validator: Any, ref: str, instance: Any, schema: Any) -> Iterator[Any]:
        if not proved_valid(ref, instance):
            yield from original_ref(validator, ref, instance, schema)

    return ref, proved_valid


def _renamed(node: Any, names: Mapping[str, str]) -> Any:
    """A translated schema with its `$ref`s renamed by `names`."""
    if isinstance(node, Mapping):
        return {
            key: (names.get(value, value) if key == "$ref" and isinstance(value, str) else _renamed(value, names))
            for key, value in node.items()
        }
    return node


def _refs_in(node: Any) -> Iterator[str]:
    """The `$ref` values in a translated schema (which holds no definitions of its own)."""
    if isinstance(node, Mapping):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs_in(value)


def _formats_used(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, Mapping):
        if isinstance(node.get("format"), str):
            found.add(node["format"])
        for value in node.values():
            found |= _formats_used(value)
    elif isinstance(node, list):
        for value in node:
            found |= _formats_used(value)
    return found


Raises = type[Exception] | tuple[type[Exception], ...]


def _conforms(function: Callable[[Any], Any], raises: Raises, value: Any) -> bool:
    """What `FormatChecker.conforms(value, name)` answers, without building an error to drop.

    Short strings are answered from a cache shared by every snapshot: checking an event against
    N snapshots asks the same question (is this timestamp a date-time?) N times, and more when a
    rejection is explained; format functions are pure. A plain dict per function, emptied when
    full: bounded, and cheaper than `lru_cache` when every value is new (`--version V`)."""
    if isinstance(value, str) and len(value) <= _CACHED_FORMAT_LENGTH:
        answers = _FORMAT_ANSWERS.setdefault(function, {})
        known = answers.get(value)
        if known is None:
            if len(answers) >= _FORMAT_ANSWERS_KEPT:
                answers.clear()
            known = answers[value] = _format_holds(function, raises, value)
        return known
    return _format_holds(function, raises, value)


def _format_holds(function: Callable[[Any], Any], raises: Raises, value: Any) -> bool:
    try:
        return bool(function(value))
    except raises:
        return False


def clear_caches() -> None:
    """Forget cached format answers and shared own-keyword answers (benchmarks start cold)."""
    _FORMAT_ANSWERS.clear()
    _SHARED_OWN.clear()
    _EVENT.start(None)


_CACHED_FORMAT_LENGTH = 256
_FORMAT_ANSWERS_KEPT = 8192
_FORMAT_ANSWERS: dict[Callable[[Any], Any], dict[str, bool]] = {}


def _anything(value: Any) -> bool:
    return True


_always = _anything


def _never(value: Any) -> bool:
    return False


def _container(draft: str) -> str:
    return "$defs" if draft in ("draft2019-09", "draft2020-12") else "definitions"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class _Translator:
    """Walks one document; `schema` returns the translated schema or raises Unsupported."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.draft = draft_of(document)
        self.cls = jsonschema_class(document)  # the class `validator_for` names by `$schema`
        self.resolver = Resolver(document, "<schema>")
        self.targets: dict[str, str] = {}
        self.pending: list[str] = []
        self.nodes: dict[str, Any] = {}
        self.container = _container(self.draft)

    def run(self) -> Translation:
        root = self.schema(self.document, "", root=True)
        assert isinstance(root, dict)
        definitions: dict[str, Any] = {}
        while self.pending:
            target = self.pending.pop()
            _, node = self.resolver.resolve("#" + target, target)
            definitions[self.targets[target]] = self.schema(node, target, root=target == "")
        return Translation(root, definitions, self.targets, self.draft, self.nodes)

    def schema(self, node: Any, where: str, root: bool = False) -> Any:
        translated = self.node(node, where, root)
        self.nodes[where] = translated
        return translated

    def node(self, node: Any, where: str, root: bool) -> Any:
        if isinstance(node, bool):
            if self.draft == "draft4":  # boolean schemas do not exist in draft-04
                raise Unsupported(where)
            return node
        if not isinstance(node, Mapping):
            raise Unsupported(where)
        if isinstance(node.get("$ref"), str):
            return self.ref(node, where)
        out: dict[str, Any] = {}
        for key, value in node.items():
            here = f"{where}/{escape(key)}"
            if key in _ANNOTATIONS or (key in _CONTAINERS and isinstance(value, Mapping)):
                continue  # definitions are translated when a $ref reaches them
            if key == "$schema":
                self.same_draft(value, here)
            elif key == ("id" if self.draft == "draft4" else "$id") and root:
                continue
            elif key == "properties" and isinstance(value, Mapping):
                out[key] = {name: self.schema(sub, f"{here}/{escape(name)}") for name, sub in value.items()}
            elif key == "additionalProperties" and isinstance(value, bool):
                out[key] = value
            elif key in ("additionalProperties", "items") and isinstance(value, (Mapping, bool)):
                out[key] = self.schema(value, here)
            elif key == "type" and self.known_types(value):
                out[key] = _unique(value) if isinstance(value, list) else value
            elif key == "required" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                if value:
                    out[key] = _unique(value)
            elif key == "format" and isinstance(value, str):
                out[key] = value
            else:
                raise Unsupported(here)
        return out

    def ref(self, node: Mapping[str, Any], where: str) -> dict[str, Any]:
        """`$ref` alone; siblings are ignored before 2019-09 and must be annotations after."""
        target, _ = self.resolver.resolve(node["$ref"], where)
        if "%" in target:  # would be percent-decoded a second time when resolved again
            raise Unsupported(where)
        if self.draft in ("draft2019-09", "draft2020-12"):
            for key, value in node.items():
                if key == "$schema":
                    self.same_draft(value, where)
                elif (
                    key != "$ref"
                    and key not in _ANNOTATIONS
                    and not (key in _CONTAINERS and isinstance(value, Mapping))
                ):
                    raise Unsupported(f"{where}/{escape(key)}")
        if target not in self.targets:
            self.targets[target] = f"d{len(self.targets)}"
            self.pending.append(target)
        return {"$ref": f"#/{self.container}/{self.targets[target]}"}

    def same_draft(self, value: Any, where: str) -> None:
        """jsonschema switches validator class at a `$schema` (exact URL match, unknown ones mean
        the latest draft): accept only a `$schema` that keeps the document's class."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            switched = validator_for({"$schema": value}, default=self.cls) if isinstance(value, str) else None
        if switched is not self.cls:
            raise Unsupported(where)

    @staticmethod
    def known_types(value: Any) -> bool:
        kinds = value if isinstance(value, list) else [value]
        return bool(kinds) and all(isinstance(k, str) and k in _TYPES for k in kinds)

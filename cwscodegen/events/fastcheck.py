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

import warnings
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

import jsonschema_rs
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from cwscodegen.errors import UserError
from cwscodegen.store.refs import Resolver, draft_of, escape
from cwscodegen.store.validators import make_validator, validator_class

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

    def __init__(self, root: dict[str, Any], definitions: dict[str, Any], targets: dict[str, str], draft: str) -> None:
        self.root = root
        self.definitions = definitions
        self.targets = targets  # JSON pointer in the original document -> dN
        self.draft = draft
        self.container = _container(draft)

    def document(self, target: str | None = None) -> dict[str, Any]:
        """The compilable document: the root, or the schema at `target` (an original pointer)."""
        head = self.root if target is None else {"$ref": f"#/{self.container}/{self.targets[target]}"}
        return {**head, self.container: self.definitions}


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
        """The check of the schema at `target` (a JSON pointer of the original document)."""
        if target not in self.translation.targets:
            return None
        if target not in self._at:
            self._at[target] = self._compile(self.translation.document(target))
        return self._at[target]

    def _compile(self, schema: dict[str, Any]) -> FastCheck:
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


def root_validator(document: Any, fast: FastDocument) -> Validator:
    """A validator yielding exactly the errors of `pruned_validator` whose instance path is empty
    (errors about the event itself, not about a value inside it), in the same order.

    Why: `first_error` (jsonschema's `best_match`) prefers the error with the shortest path, and
    the first one in order among equals, so when this validator finds an error, it is the one the
    full validator would pick, found without descending into the event. Against an older snapshot
    that is the common case (`Additional properties are not allowed`, a missing required property),
    and descending there costs most of the time. Valid only for documents `translate` accepts:
    their keywords that look at values inside the instance, `properties`, `items` and a schema
    `additionalProperties`, always put those values' path into their errors, so leaving them out
    removes exactly the non-root errors; no keyword of theirs produces nested (`context`) errors."""
    ref, _ = _pruned_ref(document, fast)
    original_additional = validator_class(document).VALIDATORS["additionalProperties"]

    def nothing(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        return iter(())

    def additional(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(additional, bool):  # `false`: one error about the object itself
            yield from original_additional(validator, additional, instance, schema)

    return make_validator(
        document, keywords={"$ref": ref, "properties": nothing, "items": nothing, "additionalProperties": additional}
    )


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


def _conforms(
    function: Callable[[Any], Any], raises: type[Exception] | tuple[type[Exception], ...], value: Any
) -> bool:
    """What `FormatChecker.conforms(value, name)` answers, without building an error to drop."""
    try:
        return bool(function(value))
    except raises:
        return False


def _anything(value: Any) -> bool:
    return True


def _container(draft: str) -> str:
    return "$defs" if draft in ("draft2019-09", "draft2020-12") else "definitions"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class _Translator:
    """Walks one document; `schema` returns the translated schema or raises Unsupported."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.draft = draft_of(document)
        self.cls = validator_class(document)
        self.resolver = Resolver(document, "<schema>")
        self.targets: dict[str, str] = {}
        self.pending: list[str] = []
        self.container = _container(self.draft)

    def run(self) -> Translation:
        root = self.schema(self.document, "", root=True)
        assert isinstance(root, dict)
        definitions: dict[str, Any] = {}
        while self.pending:
            target = self.pending.pop()
            _, node = self.resolver.resolve("#" + target, target)
            definitions[self.targets[target]] = self.schema(node, target, root=target == "")
        return Translation(root, definitions, self.targets, self.draft)

    def schema(self, node: Any, where: str, root: bool = False) -> Any:
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

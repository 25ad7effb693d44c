"""Fast yes/no validity checks that decide exactly what `validators.make_validator` decides.

`fastjsonschema` compiles a schema to Python code and runs 10-25 times faster than `jsonschema`
on CWS events (see `benchmarks/validate_bench.py`), but it implements draft-04/06/07 only and
differs from the project's definition of "valid" in places: it ignores the siblings of `$ref`
(2019-09 and 2020-12 apply them), reads `items: [...]` the draft-07 way, fills in `default`s,
treats `True` as `1` in `enum`, fetches remote `$ref`s over the network, names its generated
functions after lower-cased pointers (two definitions differing only in case would collide), and
checks formats with its own regular expressions (its date-time accepts the leap second
`2016-12-31T23:59:60Z` and non-ASCII digits such as `２024-01-01T10:00:00Z`; jsonschema's does not).

So a document is only handed to it after `translate` has rewritten it into a form whose meaning
is the same under both libraries, and it is refused (None) whenever that cannot be guaranteed:
- only these keywords may appear: `type`, `properties`, `additionalProperties`, `required`,
  `items` (a single schema), `format`, `$ref`, the `definitions`/`$defs` containers, a root
  `$id`, a `$schema` naming the document's own draft, and annotations (description, title, ...);
  any other keyword, a nested `$id`, or an assertion beside a 2019-09/2020-12 `$ref` refuses;
- every `$ref` must point into the document; each distinct target becomes `#/definitions/dN`,
  so generated names cannot collide and nothing outside the document is ever resolved;
- the compiled draft keeps `integer` semantics: draft-04 code for draft-04 documents (`1.0` is
  not an integer), draft-07 code otherwise (`1.0` is an integer, as from draft-06 on);
- each `format` is checked by the very function `jsonschema`'s format checker uses for that
  draft; a format `jsonschema` does not assert is not asserted here either;
- defaults are never filled in, and every URI scheme handler refuses.

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

from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from cwscodegen.errors import UserError
from cwscodegen.refs import Resolver, draft_of, escape
from cwscodegen.validators import make_validator, validator_class

FastCheck = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {"description", "title", "$comment", "examples", "default", "readOnly", "writeOnly", "deprecated"}
)
_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})
_CONTAINERS = ("definitions", "$defs")
_DRAFT04 = "http://json-schema.org/draft-04/schema#"
_DRAFT07 = "http://json-schema.org/draft-07/schema#"
_SCHEMES = ("http", "https", "file", "ftp", "data", "urn", "tag", "")


class Unsupported(Exception):
    """The schema uses something whose meaning might differ between the two libraries."""


class Translation:
    """A document rewritten for fastjsonschema: the root, and one `dN` per `$ref` target."""

    def __init__(self, root: dict[str, Any], definitions: dict[str, Any], targets: dict[str, str], draft: str) -> None:
        self.root = root
        self.definitions = definitions
        self.targets = targets  # JSON pointer in the original document -> dN
        self.schema_url = _DRAFT04 if draft == "draft4" else _DRAFT07

    def document(self, target: str | None = None) -> dict[str, Any]:
        """The compilable document: the root, or the schema at `target` (an original pointer)."""
        head = self.root if target is None else {"$ref": f"#/definitions/{self.targets[target]}"}
        return {**head, "$schema": self.schema_url, "definitions": self.definitions}


def translate(document: Any) -> Translation | None:
    """The document with the same meaning for fastjsonschema, or None when unsure."""
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
        import fastjsonschema

        compiled = fastjsonschema.compile(
            schema,
            handlers={scheme: _refuse for scheme in _SCHEMES},
            formats=self.formats,
            use_default=False,
            detailed_exceptions=False,
        )
        invalid = fastjsonschema.JsonSchemaValueException

        def check(instance: Any) -> bool:
            try:
                compiled(instance)
            except invalid:
                return False
            return True

        return check


def fast_document(document: Any) -> FastDocument | None:
    """Compiled fast checks, or None when only jsonschema can be trusted with this document."""
    translation = translate(document)
    if translation is None:
        return None
    try:
        import fastjsonschema  # noqa: F401  (a runtime dependency; without it the slow path stays correct)
    except ImportError:
        return None
    try:
        return FastDocument(document, translation)
    except Exception:  # noqa: BLE001  a schema fastjsonschema cannot compile: jsonschema only
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

    return make_validator(document, keywords={"$ref": ref, "properties": nothing, "items": nothing, "additionalProperties": additional})


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


def _conforms(function: Callable[[Any], Any], raises: type[Exception] | tuple[type[Exception], ...], value: Any) -> bool:
    """What `FormatChecker.conforms(value, name)` answers, without building an error to drop."""
    try:
        return bool(function(value))
    except raises:
        return False


def _anything(value: Any) -> bool:
    return True


def _refuse(uri: str) -> Any:
    raise Unsupported(f"{uri}: remote references are never fetched")


class _Translator:
    """Walks one document; `schema` returns the translated schema or raises Unsupported."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.draft = draft_of(document)
        self.cls = validator_class(document)
        self.resolver = Resolver(document, "<schema>")
        self.targets: dict[str, str] = {}
        self.pending: list[str] = []

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
            if key in _ANNOTATIONS or key in _CONTAINERS and isinstance(value, Mapping):
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
                out[key] = value
            elif key == "required" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                out[key] = list(value)
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
                elif key != "$ref" and key not in _ANNOTATIONS and not (key in _CONTAINERS and isinstance(value, Mapping)):
                    raise Unsupported(f"{where}/{escape(key)}")
        if target not in self.targets:
            self.targets[target] = f"d{len(self.targets)}"
            self.pending.append(target)
        return {"$ref": f"#/definitions/{self.targets[target]}"}

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

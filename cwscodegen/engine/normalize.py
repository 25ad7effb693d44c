"""A draft-free normal form of a schema document, prepared once per document for the engine.

The compatibility engine never looks at raw keywords: `prepare(document)` turns every subschema
into a `Node` whose assertions are normalised across drafts (draft-04 boolean `exclusiveMaximum`
becomes the numeric form, tuple `items` becomes `prefixItems`, `const` becomes a one-value `enum`,
`dependencies` splits into `dependentRequired`/`dependentSchemas`, `$ref` siblings are dropped
before 2019-09 as those drafts say). Which keywords assert anything is taken from the draft's own
`jsonschema` validator, so the engine and the witness checker agree on what a keyword does; any
keyword that validator ignores is an annotation here too.

Every node gets two hash-consed ids: `sem` (assertions only, references by target name) and
`full` (annotations too). Equal ids mean structurally equal nodes, exactly, with no hashing
collisions, so a pair of equal subtrees can be skipped in O(1) once the definitions they refer to
are known to be equal as well (see `PairIndex`).

Preparation is cached per document object and draft (keyed by `id`, guarded by identity). A loop over every
pair of N snapshots revisits each one N times in a cycle, which defeats any least-recently-used
cache smaller than N (past 256 snapshots the matrix re-prepared a document for almost every pair),
so such a loop wraps itself in `pinned(documents)`: those stay prepared, however many, until the
loop ends; the bounded cache only serves everything else.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction
from functools import cached_property
from typing import Any, cast

from cwscodegen.errors import UserError
from cwscodegen.store.refs import Resolver, definitions, draft_of, escape, iter_refs, pointer, schema_nodes
from cwscodegen.store.validators import Canon, canon, remember_enum

# Keyword groups the engine models; anything else the draft's validator asserts is "unknown".
MODELLED = frozenset(
    [
        "$ref",
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "items",
        "prefixItems",
        "additionalItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "minContains",
        "maxContains",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
    ]
)
TYPES = ("null", "boolean", "object", "array", "number", "string", "integer")
FLOAT_STEP = "multipleOf/float"
# draft-04's `integer`: a number written without fraction or exponent, so `1.0` is not one (from
# draft-06 on it is). A type of its own, so the two never compare equal.
STRICT_INTEGER = "integer(draft-04)"
# Keywords a draft's validator asserts inside another keyword's implementation.
_ASSERTED_WITHIN = {"draft2019-09": ("minContains", "maxContains"), "draft2020-12": ("minContains", "maxContains")}
_LEGACY_REF = ("draft4", "draft6", "draft7")
# Not annotations of a place: structure ($defs), identity and dialect (reported once, at the root).
_NOT_NOTES = frozenset({"then", "else", "definitions", "$defs", "$schema", "$id", "id"})
_CACHE_SIZE = 256
# JSON nesting the engine reads (a schema level is about two: `properties`, then the name). The
# CWS snapshots nest about 12 deep; past this, recursive proofs and validators would run out of
# stack, so such a document is refused with one line rather than a traceback.
MAX_NESTING = 160


def json_type(value: Any) -> str:
    """The JSON type of a value; integers (including 2.0) report "integer"."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def with_twins(values: Iterable[Any]) -> Iterator[Any]:
    """`values` and the numbers equal to them (`enum: [1]` also accepts `1.0` and `0` accepts
    `-0.0`), which draft-04's `integer` tells apart: a check on the listed value alone misses them.
    Lazily: a search that stops early over a 20,000-value enum should not pay for all of it."""
    for value in values:
        yield value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if isinstance(value, int) and float(value) == value:
            yield float(value)
            if value == 0:
                yield -0.0
        elif isinstance(value, float) and value.is_integer():
            yield int(value)
            if value == 0:
                yield -value


_INTERN: dict[Any, int] = {}


def intern(key: Any) -> int:
    """Hash-consing: one small int per distinct structure, shared by every prepared document."""
    found = _INTERN.get(key)
    if found is None:
        found = _INTERN[key] = len(_INTERN) + 1
    return found


class Node:
    """One subschema in normal form. Child schemas are `Node`s; `raw` is the JSON to validate with.

    `ref` is the target key of a `$ref` (a definition name, or a JSON pointer for other targets);
    with `sibling_asserts` False the node means exactly its target. `borrowed` names the members
    (`("prop", name)`, `("pattern", p)`, `("item", i)`) that are `true` here only because an
    `allOf` branch or a `$ref` target evaluates them (`unevaluated*`); they are no keyword of this
    node, so the walk does not report them as its own.
    """

    __slots__ = (
        "_validator",
        "additional",
        "allof",
        "anyof",
        "borrowed",
        "contains",
        "depschemas",
        "else_",
        "enum",
        "enum_only",
        "enum_raw",
        "false",
        "full",
        "if_",
        "items",
        "kw",
        "names",
        "not_",
        "notes",
        "oneof",
        "patterns",
        "pointer",
        "prefix",
        "prep",
        "props",
        "raw",
        "ref",
        "refnames",
        "sem",
        "sibling_asserts",
        "synthetic",
        "then",
        "types",
        "unknown",
    )

    def __init__(self, prep: Prepared, where: str, raw: Any) -> None:
        self.prep = prep
        self.pointer = where
        self.raw = raw
        self.false = False
        self.ref: str | None = None
        self.sibling_asserts = False
        self.types: frozenset[str] | None = None
        self.enum: tuple[Canon, ...] | None = None
        self.enum_raw: tuple[Any, ...] = ()
        self.enum_only: frozenset[Canon] | None = None
        self.kw: dict[str, Any] = {}
        self.props: dict[str, Node] = {}
        self.patterns: dict[str, Node] = {}
        self.additional: Node | None = None
        self.prefix: tuple[Node, ...] = ()
        self.items: Node | None = None
        self.contains: Node | None = None
        self.names: Node | None = None
        self.depschemas: dict[str, Node] = {}
        self.allof: tuple[Node, ...] = ()
        self.anyof: tuple[Node, ...] = ()
        self.oneof: tuple[Node, ...] = ()
        self.not_: Node | None = None
        self.if_: Node | None = None
        self.then: Node | None = None
        self.else_: Node | None = None
        self.unknown: dict[str, Canon] = {}
        self.notes: dict[str, Any] = {}
        self.sem = 0
        self.full = 0
        self.refnames: frozenset[str] = frozenset()
        self.synthetic = False
        self.borrowed: frozenset[tuple[str, str | int]] = frozenset()
        self._validator: Any = None

    def __repr__(self) -> str:
        return f"Node({self.prep.source}#{self.pointer})"

    @property
    def combinators(self) -> bool:
        """True when the node has allOf/anyOf/oneOf/not/if, or a `$ref` with asserting siblings."""
        return bool(
            self.allof
            or self.anyof
            or self.oneof
            or self.not_ is not None
            or self.if_ is not None
            or (self.ref is not None and self.sibling_asserts)
        )

    @property
    def is_true(self) -> bool:
        """Accepts every instance: no assertion at all."""
        return self.sem == TRUE_SEM

    def accepts(self, value: Any) -> bool:
        """Is `value` valid under this subschema, inside its own document ($refs resolve there,
        formats asserted)? One evolved validator per node, made on first use; synthetic `true`
        and `false` nodes need none."""
        if self.false:
            return False
        if self.synthetic and self.is_true:
            return True
        if self.enum_only is not None:  # a set lookup: jsonschema scans the list (n^2 over an enum)
            return canon(value) in self.enum_only
        if self._validator is None:
            self._validator = self.prep.validator.evolve(schema=self.raw)
        return bool(self._validator.is_valid(value))

    def children(self) -> Iterator[Node]:
        """Every direct child schema."""
        yield from self.props.values()
        yield from self.patterns.values()
        yield from self.prefix
        yield from self.depschemas.values()
        yield from self.allof
        yield from self.anyof
        yield from self.oneof
        for child in (
            self.additional,
            self.items,
            self.contains,
            self.names,
            self.not_,
            self.if_,
            self.then,
            self.else_,
        ):
            if child is not None:
                yield child


class Prepared:
    """A document in normal form: root, definitions by name, every `$ref` target, validator."""

    def __init__(self, document: Any, source: str, draft: str | None = None) -> None:
        """`draft` reads the document under another draft than it declares (one reading of an
        undeclared document); by default, the draft it declares."""
        self.document = document
        self.source = source
        self.draft = draft or draft_of(document)
        _check_nesting(document, source)
        self.resolver = Resolver(document, source)
        from cwscodegen.store.validators import check_schema, validator_class

        check_schema(document, source, self.draft)  # one line naming the place, not a traceback

        cls = validator_class(document, self.draft)
        self.asserting = frozenset(cls.VALIDATORS) | frozenset(_ASSERTED_WITHIN.get(self.draft, ()))
        self.formats = frozenset(cls.FORMAT_CHECKER.checkers)
        self._validator: Any = None
        self.by_pointer: dict[str, Node] = {}
        self.targets: dict[str, Node] = {}
        self.def_pointer: dict[str, str] = {}
        self._pending: list[tuple[str, str]] = []
        self._borrowed: dict[str, Node] = {}  # `true` members by the pointer that names them
        self._borrow_left = _BORROW_BUDGET
        self._key_of_pointer: dict[str, str] = {}
        for name, (where, _schema) in definitions(document).items():
            self._key_of_pointer[where] = name
            self.def_pointer[name] = where
        self.root = self.build(document, "")
        for name, where in self.def_pointer.items():
            self.targets[name] = self.build(_at(document, where), where)
        while self._pending:
            ref, where = self._pending.pop()
            key = self.key_for(ref, where)
            if key not in self.targets:
                target, schema = self.resolver.resolve(ref, where)
                self.targets[key] = self.by_pointer.get(target) or self.build(schema, target)
        self.defs = {name: self.targets[name] for name in self.def_pointer}
        self.ref_graph = {key: node.refnames for key, node in self.targets.items()}

    @property
    def validator(self) -> Any:
        """The draft-correct, format-asserting, offline validator for the whole document."""
        if self._validator is None:
            from cwscodegen.store.validators import make_validator

            self._validator = make_validator(self.document, draft=self.draft)
        return self._validator

    def key_for(self, ref: str, where: str) -> str:
        """Target key of a `$ref`: the definition name for definitions, else the JSON pointer."""
        target = self.resolver.target(ref, where)
        tokens = target.split("/")
        if len(tokens) >= 3 and tokens[1] in ("definitions", "$defs"):
            name = self._key_of_pointer.get("/".join(tokens[:3]))
            if name is not None:
                return "/".join([name, *tokens[3:]])
        return target

    def build(self, raw: Any, where: str) -> Node:
        """Normalise the subschema `raw` found at `where` (and all its children)."""
        node = Node(self, where, raw)
        if raw is True or raw is False:
            node.false = raw is False
        elif not isinstance(raw, Mapping):
            raise UserError(f"{self.source}: {where or '/'}: a schema must be an object or a boolean")
        else:
            self._fill(node, raw, where)
        finish(node)
        self.by_pointer.setdefault(where, node)
        return node

    def _child(self, raw: Any, where: str, *tokens: str | int) -> Node:
        return self.build(raw, where + pointer(*tokens))

    def _fill(self, node: Node, raw: Mapping[str, Any], where: str) -> None:
        ref = raw.get("$ref")
        legacy = self.draft in _LEGACY_REF
        if isinstance(ref, str):
            node.ref = self.key_for(ref, where)
            self._pending.append((ref, where))
            if legacy:  # draft-04..07: siblings of $ref are ignored, annotations kept for docs
                node.notes = {k: v for k, v in raw.items() if k not in self.asserting and k not in _NOT_NOTES}
                return
        dynamic = self._dynamic_ref(raw)
        for key, value in raw.items():
            if key == "$ref" or (dynamic is not None and key == dynamic[0]):
                continue
            if legacy and self.draft == "draft4" and key in ("exclusiveMinimum", "exclusiveMaximum"):
                continue  # draft-04's boolean form is read together with minimum/maximum
            if key not in self.asserting or key in ("then", "else"):
                if key not in _NOT_NOTES:
                    node.notes[key] = value
                continue
            self._keyword(node, raw, where, key, value)
        if dynamic is not None:
            self._dynamic_as_ref(node, where, *dynamic)
        self._unevaluated(node, raw, where)
        if node.ref is not None:
            node.sibling_asserts = bool(_assertions(node))

    def _dynamic_ref(self, raw: Mapping[str, Any]) -> tuple[str, str] | None:
        """`(keyword, reference)` of a `$dynamicRef` (2020-12) or `$recursiveRef` (2019-09) that
        means the same as `$ref` to that reference, else None (then it stays an unknown keyword).

        The store allows one schema resource only (no embedded `$id`), so the dynamic scope holds
        that resource alone: the outermost `$dynamicAnchor` of the name is the one the reference
        names anyway (an anchor defined twice is refused by the resolver), and `$recursiveRef:
        "#"` is the root. In a draft that does not assert the keyword it is an annotation, and
        never reaches here."""
        if "$dynamicRef" not in raw and "$recursiveRef" not in raw:
            return None
        for keyword in ("$dynamicRef", "$recursiveRef"):
            reference = raw.get(keyword)
            if keyword not in self.asserting or not isinstance(reference, str):
                continue
            if not self._single_resource or (keyword == "$recursiveRef" and reference != "#"):
                return None
            return keyword, reference
        return None

    @cached_property
    def _single_resource(self) -> bool:
        """No subschema sets `$id`/`id` (an embedded resource, even one repeating the root's URI)."""
        return not any(
            where and isinstance(schema.get(key), str)
            for where, schema in schema_nodes(self.document)
            for key in ("$id", "id")
        )

    def _dynamic_as_ref(self, node: Node, where: str, keyword: str, reference: str) -> None:
        """Read a dynamic reference as `$ref`; beside a `$ref` both must hold, so it becomes one
        more `allOf` conjunct (a node meaning exactly its target)."""
        self._pending.append((reference, where))
        if node.ref is None:
            node.ref = self.key_for(reference, where)
            return
        conjunct = Node(self, where + pointer(keyword), {"$ref": reference})
        conjunct.ref = self.key_for(reference, where)
        finish(conjunct)
        node.allof = (*node.allof, conjunct)

    def _unevaluated(self, node: Node, raw: Mapping[str, Any], where: str) -> None:
        """`unevaluatedProperties`/`unevaluatedItems`, read exactly where what is evaluated is
        known without the instance; elsewhere they stay unknown keywords (UNKNOWN whenever the
        other side must hold them).

        When the only in-place applicators below the node (through `$ref`s too) are `allOf`,
        `$ref`, dynamic references read as `$ref`, and `not` (whose annotations are dropped),
        every one of them must pass for the node to pass, so the evaluated members are the union
        of their `properties`/`patternProperties` (or `prefixItems` lengths). The keyword then
        means: members outside that union satisfy it, which is the node's own `additionalProperties`
        (items past the tuple) once the union is added as `true` members (`Node.borrowed`). An
        `additionalProperties`/`items` or nested `unevaluated*` in any of them evaluates
        everything: the keyword asserts nothing. `anyOf`, `oneOf`, `if`, `dependentSchemas` (and
        `contains` for items) evaluate depending on the instance: unknown."""
        for keyword in ("unevaluatedProperties", "unevaluatedItems"):
            if keyword not in node.unknown:
                continue
            reach = self._reach(raw, where, keyword)
            if reach is None:
                continue
            if not reach.everything and reach.size > self._borrow_left:
                continue  # bounded memory however many nodes share one large target
            self._borrow_left -= 0 if reach.everything else reach.size
            del node.unknown[keyword]
            if reach.everything:
                continue
            borrowed = set(node.borrowed)
            if keyword == "unevaluatedProperties":
                for name, source in sorted(reach.names.items()):
                    if name not in node.props:
                        node.props[name] = self._borrowed_true(source)
                        borrowed.add(("prop", name))
                for pattern, source in sorted(reach.patterns.items()):
                    if pattern not in node.patterns:
                        node.patterns[pattern] = self._borrowed_true(source)
                        borrowed.add(("pattern", pattern))
                node.additional = self._child(raw[keyword], where, keyword)
            else:
                extra = range(len(node.prefix), reach.prefix)
                node.prefix += tuple(self._borrowed_true(f"{reach.prefix_source}#{i}") for i in extra)
                borrowed |= {("item", i) for i in extra}
                node.items = self._child(raw[keyword], where, keyword)
            node.borrowed = frozenset(borrowed)

    def _borrowed_true(self, source: str) -> Node:
        """A `true` member that another schema evaluates; `source` points at where it is declared
        (for reports). One per place, shared by every node that borrows it; not registered by
        pointer (that place holds its real schema)."""
        found = self._borrowed.get(source)
        if found is None:
            found = self._borrowed[source] = synthetic(self, True, {})
            found.pointer = source.split("#", 1)[0]
        return found

    def _reach(self, raw: Mapping[str, Any], where: str, keyword: str) -> _Reach | None:
        """What the node at `where` and the in-place schemas it applies evaluate, for `keyword`
        (its `unevaluated*`); None where that depends on the instance, or on jsonschema's 2019-09
        reading, which departs from the draft (it takes the keys of an `additionalProperties` or
        `unevaluatedProperties` schema for property names, and fails on a boolean `items`).
        Bounded: past `_REACH_LIMIT` schemas, None."""
        items = keyword == "unevaluatedItems"
        legacy = self.draft == "draft2019-09"
        reach = _Reach()
        stack: list[tuple[Any, str]] = [(raw, where)]
        seen = {where}
        while stack:
            schema, at = stack.pop()
            if not isinstance(schema, Mapping):
                continue  # `true` evaluates nothing; under `false` the node never passes
            keys = {k for k in schema if k in self.asserting}
            if keys & {"anyOf", "oneOf", "if", "dependentSchemas"} or (items and "contains" in keys):
                return None
            own = at == where
            found = (
                self._evaluates_items(schema, keys, at, own, reach)
                if items
                else self._evaluates_props(schema, keys, at, own, reach)
            )
            if found is None:
                return None
            if reach.everything:
                return reach
            targets = [schema["$ref"]] if isinstance(schema.get("$ref"), str) and "$ref" in keys else []
            if keys & {"$dynamicRef", "$recursiveRef"}:
                dynamic = self._dynamic_ref(schema)
                if dynamic is None:
                    return None
                targets.append(dynamic[1])
            following = [self.resolver.resolve(t, at) for t in targets]
            branches = schema.get("allOf") if "allOf" in keys else None
            if isinstance(branches, list):
                following += [(at + pointer("allOf", i), branch) for i, branch in enumerate(branches)]
            for pointed, child in following:
                if pointed not in seen:
                    seen.add(pointed)
                    stack.append((child, pointed))
            if len(seen) > _REACH_LIMIT or reach.size > _REACH_LIMIT:
                return None
        if not items and legacy:
            own_schema = raw.get(keyword)
            if isinstance(own_schema, Mapping) and not set(map(str, own_schema)) <= reach.names.keys():
                return None  # jsonschema 2019-09 takes the keys of this schema for evaluated names
        return reach

    def _evaluates_props(
        self, schema: Mapping[str, Any], keys: set[str], at: str, own: bool, reach: _Reach
    ) -> _Reach | None:
        """Add what one schema's own property keywords evaluate to `reach`; None: unknown."""
        for other in ("additionalProperties", "unevaluatedProperties"):
            if other not in keys or (own and other == "unevaluatedProperties"):
                continue
            if self.draft == "draft2019-09" and not isinstance(schema[other], bool):
                return None
            reach.everything = True
        names, patterns = schema.get("properties"), schema.get("patternProperties")
        if reach.size + len(names if isinstance(names, Mapping) else ()) > _REACH_LIMIT:
            return None  # checked before reading the names: a huge `properties` costs nothing here
        if "properties" in keys and isinstance(names, Mapping):
            for name in names:
                reach.names.setdefault(str(name), at + pointer("properties", name))
        if "patternProperties" in keys and isinstance(patterns, Mapping):
            for pattern in patterns:
                reach.patterns.setdefault(str(pattern), at + pointer("patternProperties", pattern))
        return reach

    def _evaluates_items(
        self, schema: Mapping[str, Any], keys: set[str], at: str, own: bool, reach: _Reach
    ) -> _Reach | None:
        """Add what one schema's own array keywords evaluate to `reach`; None: unknown."""
        tuple_items: Any = schema.get("prefixItems") if "prefixItems" in keys else None
        if "items" in keys:
            value = schema["items"]
            if self.draft == "draft2019-09" and isinstance(value, bool):
                return None  # jsonschema 2019-09 takes len() of a boolean `items` here and fails
            if isinstance(value, list) and self.draft != "draft2019-09":
                return None  # tuple form in 2020-12: not valid there, the engine does not guess
            if isinstance(value, list) and "additionalItems" not in schema:
                tuple_items = value
            else:  # a schema for every item, or a tuple and `additionalItems` for the rest
                reach.everything = True
        if not own and "unevaluatedItems" in keys:
            reach.everything = True
        if isinstance(tuple_items, list) and len(tuple_items) > _REACH_LIMIT:
            return None
        if isinstance(tuple_items, list) and len(tuple_items) > reach.prefix:
            reach.prefix, reach.prefix_source = len(tuple_items), at
        return reach

    def _keyword(self, node: Node, raw: Mapping[str, Any], where: str, key: str, value: Any) -> None:
        if key not in MODELLED:
            node.unknown[key] = canon(value)
            for ref_where, ref in iter_refs(value, where + pointer(key)):
                self._pending.append((ref, ref_where))
            return
        if key == "type":
            names = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
            strict = self.draft == "draft4"
            node.types = frozenset(STRICT_INTEGER if strict and t == "integer" else str(t) for t in names)
        elif key in ("enum", "const"):
            values = [value] if key == "const" else list(value) if isinstance(value, list) else []
            _restrict_enum(node, values, value if key == "enum" else None)
        elif key in ("minimum", "maximum"):
            exclusive = raw.get("exclusive" + key[:1].upper() + key[1:])
            if self.draft == "draft4" and exclusive is True:
                _bound(node, "exclusiveMinimum" if key == "minimum" else "exclusiveMaximum", value)
            else:
                _bound(node, key, value)
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                node.unknown[key] = canon(value)
            else:
                _bound(node, key, value)
        elif key == "multipleOf" and isinstance(value, (int, float)) and not isinstance(value, bool):
            node.kw[key] = Fraction(value)
            if isinstance(value, float):  # checked by float division: 3.0 is not 3 (inclusion.step_within)
                node.kw[FLOAT_STEP] = True
        elif key in (
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
            "minContains",
            "maxContains",
        ):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                node.kw[key] = int(value) if float(value).is_integer() else value
        elif key == "pattern" and isinstance(value, str):
            node.kw[key] = value
        elif key == "format" and isinstance(value, str):
            if value in self.formats:
                node.kw[key] = value
            else:  # a format this draft's checker does not know asserts nothing: annotation
                node.notes[key] = value
        elif key == "uniqueItems":
            if value is True:
                node.kw[key] = True
        elif key == "required" and isinstance(value, list):
            node.kw[key] = frozenset(str(v) for v in value)
        elif key == "properties" and isinstance(value, Mapping):
            node.props = {str(k): self._child(v, where, key, k) for k, v in value.items()}
        elif key == "patternProperties" and isinstance(value, Mapping):
            node.patterns = {str(k): self._child(v, where, key, k) for k, v in value.items()}
        elif key == "additionalProperties":
            node.additional = self._child(value, where, key)
        elif key == "prefixItems" and isinstance(value, list):
            node.prefix = tuple(self._child(v, where, key, i) for i, v in enumerate(value))
        elif key == "items":
            if isinstance(value, list):
                if self.draft == "draft2020-12":  # not valid 2020-12: the engine will not guess
                    node.unknown[key] = canon(value)
                    return
                node.prefix = tuple(self._child(v, where, key, i) for i, v in enumerate(value))
                extra = raw.get("additionalItems")
                if extra is not None:
                    node.items = self._child(extra, where, "additionalItems")
            else:
                node.items = self._child(value, where, key)
        elif key == "additionalItems":
            return  # read together with a tuple-form `items`; alone it asserts nothing
        elif key == "contains":
            node.contains = self._child(value, where, key)
        elif key == "propertyNames":
            node.names = self._child(value, where, key)
        elif key in ("dependencies", "dependentRequired", "dependentSchemas") and isinstance(value, Mapping):
            for name, dep in value.items():
                if isinstance(dep, list):
                    node.kw.setdefault("dependentRequired", {})[str(name)] = frozenset(map(str, dep))
                else:
                    node.depschemas[str(name)] = self._child(dep, where, key, name)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            branches = tuple(self._child(v, where, key, i) for i, v in enumerate(value))
            setattr(node, key.lower(), branches)
        elif key == "not":
            node.not_ = self._child(value, where, key)
        elif key == "if":
            node.if_ = self._child(value, where, key)
            if "then" in raw:
                node.then = self._child(raw["then"], where, "then")
            if "else" in raw:
                node.else_ = self._child(raw["else"], where, "else")
        else:
            node.unknown[key] = canon(value)


_REACH_LIMIT = 256  # schemas, and members, one `unevaluated*` may look through: bounded cost per node
_BORROW_BUDGET = 1 << 16  # borrowed members per document, all nodes together


class _Reach:
    """Members evaluated below one node: names and patterns (with the pointer that names each),
    the longest tuple, or everything."""

    __slots__ = ("everything", "names", "patterns", "prefix", "prefix_source")

    def __init__(self) -> None:
        self.everything = False
        self.names: dict[str, str] = {}
        self.patterns: dict[str, str] = {}
        self.prefix = 0
        self.prefix_source = ""

    @property
    def size(self) -> int:
        """Members found so far."""
        return len(self.names) + len(self.patterns) + self.prefix


def _check_nesting(document: Any, source: str) -> None:
    """A `UserError` when `document` nests deeper than `MAX_NESTING` (iterative: no recursion).
    Only containers are stacked: a 20,000-value enum costs one look at each value."""
    stack: list[tuple[Any, int]] = [(document, 0)] if _container(document) else []
    while stack:
        value, depth = stack.pop()
        children = list(value.values() if isinstance(value, Mapping) else value)
        if children and depth >= MAX_NESTING:
            raise UserError(f"{source}: nested deeper than {MAX_NESTING} levels; the engine does not read it")
        stack += [(v, depth + 1) for v in children if type(v) not in _LEAVES and _container(v)]


_LEAVES = (str, int, float, bool, type(None))


def _container(value: Any) -> bool:
    return isinstance(value, (list, Mapping))


def _at(document: Any, where: str) -> Any:
    node = document
    from cwscodegen.store.refs import unescape

    for token in where.split("/")[1:]:
        node = node[unescape(token)]
    return node


def _bound(node: Node, key: str, value: Any) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        node.kw[key] = Fraction(value)


def _restrict_enum(node: Node, values: list[Any], listed: Any = None) -> None:
    """`enum` and `const` together allow only the values both allow. The forms of the `enum` list
    `listed` are handed to the validators' index of it, so a large enum is read once."""
    keys = [canon(value) for value in values]
    if isinstance(listed, list):
        remember_enum(listed, keys)
    pairs = []
    seen: set[Canon] = set()
    for key, value in zip(keys, values):
        if key not in seen:
            seen.add(key)
            pairs.append((key, value))
    if node.enum is not None:
        allowed = set(node.enum)
        pairs = [(k, v) for k, v in pairs if k in allowed]
    node.enum = tuple(k for k, _ in pairs)
    node.enum_raw = tuple(v for _, v in pairs)


def _assertions(node: Node, *, enum: bool = True) -> bool:
    return bool(
        node.false
        or node.types is not None
        or (enum and node.enum is not None)
        or node.kw
        or node.props
        or node.patterns
        or node.additional is not None
        or node.prefix
        or node.items is not None
        or node.contains is not None
        or node.names is not None
        or node.depschemas
        or node.allof
        or node.anyof
        or node.oneof
        or node.not_ is not None
        or node.if_ is not None
        or node.unknown
    )


def _noop_keywords(node: Node) -> None:
    """Drop keywords that assert nothing, so `{}` and `{"minLength": 0}` get the same id."""
    for key in ("minLength", "minItems", "minProperties"):
        if node.kw.get(key) == 0:
            del node.kw[key]
    if node.kw.get("required") == frozenset():
        del node.kw["required"]
    if node.contains is None or (node.kw.get("minContains") == 0 and "maxContains" not in node.kw):
        node.contains = None  # minContains 0 alone lets `contains` pass every array
        node.kw.pop("minContains", None)
        node.kw.pop("maxContains", None)
    if node.kw.get("minContains") == 1:
        del node.kw["minContains"]  # the default
    if node.additional is not None and node.additional.is_true:
        node.additional = None
    if node.items is not None and node.items.is_true:
        node.items = None
    if node.types is not None and set(node.types) >= {"null", "boolean", "object", "array", "number", "string"}:
        node.types = None


def _sem_key(node: Node) -> Any:
    if node.ref is not None and not node.sibling_asserts:
        return ("ref", node.ref)
    return (
        "n",
        node.false,
        node.ref,
        tuple(sorted(node.types)) if node.types is not None else None,
        tuple(sorted(node.enum, key=repr)) if node.enum is not None else None,
        tuple(sorted((k, _hashable(v)) for k, v in node.kw.items())),
        tuple(sorted((k, c.sem) for k, c in node.props.items())),
        tuple(sorted((k, c.sem) for k, c in node.patterns.items())),
        _id(node.additional, "sem"),
        tuple(c.sem for c in node.prefix),
        _id(node.items, "sem"),
        _id(node.contains, "sem"),
        _id(node.names, "sem"),
        tuple(sorted((k, c.sem) for k, c in node.depschemas.items())),
        tuple(sorted(c.sem for c in node.allof)),
        tuple(sorted(c.sem for c in node.anyof)),
        tuple(sorted(c.sem for c in node.oneof)),
        _id(node.not_, "sem"),
        _id(node.if_, "sem"),
        _id(node.then, "sem"),
        _id(node.else_, "sem"),
        tuple(sorted(node.unknown.items())),
    )


def finish(node: Node) -> None:
    """Compute `sem`, `full` and `refnames` from the node's fields and its children's ids."""
    _noop_keywords(node)
    plain_enum = node.enum is not None and node.ref is None and not _assertions(node, enum=False)
    node.enum_only = frozenset(node.enum or ()) if plain_enum else None
    node.sem = intern(_sem_key(node))
    full_key = (
        node.sem,
        tuple(sorted((k, canon(v)) for k, v in node.notes.items())),
        tuple(sorted((k, c.full) for k, c in node.props.items())),
        tuple(sorted((k, c.full) for k, c in node.patterns.items())),
        tuple(sorted(c.full for c in node.children())),  # key order in the file is no change
        tuple(sorted(node.borrowed, key=repr)) if node.borrowed else (),  # written `a: true` is not borrowed
    )
    node.full = intern(full_key)
    names: set[str] = set()
    if node.ref is not None:
        names.add(node.ref)
    for child in node.children():
        names |= child.refnames
    for value in node.unknown.values():
        names |= _refs_in_canon(value)
    node.refnames = frozenset(names)


ANY_REF = "*"  # a `$ref` inside an unmodelled keyword: never skipped as equal


def _refs_in_canon(value: Canon) -> set[str]:
    """`$ref` strings inside an unmodelled keyword's value, so equality checks see through them."""
    found: set[str] = set()
    if value[0] == "o":
        for key, child in value[1]:
            if key == "$ref":
                return {ANY_REF}
            found |= _refs_in_canon(child)
    elif value[0] == "a":
        for child in value[1]:
            found |= _refs_in_canon(child)
    return found


def _hashable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    return value


def _id(node: Node | None, attr: str) -> int:
    return 0 if node is None else int(getattr(node, attr))


TRUE_SEM = intern(_sem_key(Node(cast(Any, None), "", True)))


def synthetic(prep: Prepared, raw: Any, fill: Mapping[str, Any]) -> Node:
    """A node that is not in the document (a conjunction, `true`, `false`): ids computed the same way."""
    node = Node(prep, "", raw)
    node.synthetic = True
    for key, value in fill.items():
        setattr(node, key, value)
    finish(node)
    return node


class PairIndex:
    """What is equal between two prepared documents, for O(1) skipping of identical subtrees.

    A target key is *changed* when its node's id differs between the documents (or it exists in
    one only); it is *tainted* when it can reach a changed key through `$ref`s. Two nodes are
    deeply equal when their ids match and none of the keys they refer to is tainted.
    """

    def __init__(self, old: Prepared, new: Prepared) -> None:
        self.old = old
        self.new = new
        self.tainted_sem = self._tainted("sem")
        self.tainted_full = self._tainted("full")

    def _tainted(self, attr: str) -> frozenset[str]:
        keys = set(self.old.targets) | set(self.new.targets)
        changed = {
            k
            for k in keys
            if k not in self.old.targets
            or k not in self.new.targets
            or getattr(self.old.targets[k], attr) != getattr(self.new.targets[k], attr)
        }
        reverse: dict[str, set[str]] = {}
        for graph in (self.old.ref_graph, self.new.ref_graph):
            for key, names in graph.items():
                for name in names:
                    reverse.setdefault(name, set()).add(key)
        tainted = set(changed) | {ANY_REF}
        stack = list(changed)
        while stack:
            for user in reverse.get(stack.pop(), ()):
                if user not in tainted:
                    tainted.add(user)
                    stack.append(user)
        return frozenset(tainted)

    def equal(self, a: Node, b: Node, *, full: bool = False) -> bool:
        """Deep structural equality across the two documents (annotations too when `full`)."""
        if full:
            return a.full == b.full and a.refnames.isdisjoint(self.tainted_full)
        return a.sem == b.sem and a.refnames.isdisjoint(self.tainted_sem)


_PREPARED: OrderedDict[tuple[int, str], tuple[Any, Prepared]] = OrderedDict()
_PINNED: dict[tuple[int, str], tuple[Any, Prepared]] = {}
_PIN_HOLDS: Counter[int] = Counter()


@contextmanager
def pinned(documents: Iterable[Any]) -> Iterator[None]:
    """Keep the normal forms of `documents` (under every draft read) while the block runs,
    outside the bounded cache.

    Sized by the caller's work, so an all-pairs loop prepares each document once at any count;
    memory stays proportional to documents the caller already holds, and is released on exit.
    Blocks may nest (a document pinned twice stays until both end).
    """
    keys = [id(document) for document in documents]
    _PIN_HOLDS.update(keys)
    try:
        yield
    finally:
        _PIN_HOLDS.subtract(keys)
        released = {key for key in keys if _PIN_HOLDS[key] <= 0}
        for key in released:
            del _PIN_HOLDS[key]
        for entry in [k for k in _PINNED if k[0] in released]:
            del _PINNED[entry]


def prepare(document: Any, source: str = "schema", draft: str | None = None) -> Prepared:
    """The normal form of `document` (read under `draft`, by default the declared one), cached by
    object identity and draft (pinned, else bounded and least recently used)."""
    key = (id(document), draft or draft_of(document))
    hit = _PINNED.get(key) or _PREPARED.get(key)
    if hit is not None and hit[0] is document and hit[1].source == source:
        if key in _PREPARED:
            _PREPARED.move_to_end(key)
        return hit[1]
    prep = Prepared(document, source, draft)
    if key[0] in _PIN_HOLDS:
        _PINNED[key] = (document, prep)
        return prep
    _PREPARED[key] = (document, prep)
    if len(_PREPARED) > _CACHE_SIZE:
        _PREPARED.popitem(last=False)
    return prep


__all__ = [
    "STRICT_INTEGER",
    "Node",
    "PairIndex",
    "Prepared",
    "canon",
    "escape",
    "json_type",
    "pinned",
    "prepare",
    "with_twins",
]

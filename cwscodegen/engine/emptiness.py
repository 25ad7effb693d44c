"""Satisfiability: does a subschema accept any JSON value at all?

`empty(node)` answers YES (provably accepts nothing), NO (a value was built and verified with the
node's own validator) or UNKNOWN. Inclusion needs it both ways: an empty OLD is included in
anything (`not: {}`, `false`, `minimum` above `maximum`, a required property whose schema is
`false`), and a "does not include" answer is only believable when the included side accepts
something.

YES rests on an argument per JSON type, each exact for every value: contradictory bounds and
counts, an `enum` whose values all fail the node's validator, integer ranges holding no multiple
of an integer `multipleOf` (non-integer steps are left alone: validators divide in floating point,
so exact fractions would not say what they accept), patterns whose automaton is empty, required
members or array positions whose schema is itself empty, and combinators (an empty `allOf`
branch, all `anyOf`/`oneOf` branches empty, `not: {}`). A cycle through `$ref` proves nothing.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from cwscodegen.engine.inclusion import (
    INTEGERS,
    NO,
    UNKNOWN,
    YES,
    Answer,
    deref,
    lower_bound,
    member_schemas,
    type_atoms,
    types_of,
    upper_bound,
)
from cwscodegen.engine.normalize import STRICT_INTEGER, Node

_CACHE: dict[int, tuple[Node, bool]] = {}
_CACHE_LIMIT = 50_000
_DEPTH = 24
ALL_KINDS = ("null", "boolean", "object", "array", "number", "string")


def empty(node: Node | None) -> Answer:
    """YES when `node` accepts no value, NO when a verified value exists, else UNKNOWN."""
    if node is None:
        return NO
    node = deref(node)
    if node.false:
        return YES
    if node.is_true:
        return NO
    if proven_empty(node):
        return YES
    return NO if evidently_nonempty(node) or _has_value(node) else UNKNOWN


def evidently_nonempty(node: Node | None, depth: int = 0) -> bool:
    """A value exists by construction (no validator run): plain keywords only, and one JSON type
    whose keywords plainly leave room (`null`, `boolean`, a string without pattern or format, a
    number range without `multipleOf`, an object whose required members are each possible).
    False means "not shown this way"; `empty` then builds and validates a value."""
    if node is None:
        return True
    node = deref(node)
    if node.false or depth > _DEPTH:
        return False
    if node.is_true:
        return True
    if node.combinators or node.unknown or node.enum is not None or node.not_ is not None:
        return False
    return any(_kind_room(node, kind, depth) for kind in _kinds(node))


def _kind_room(node: Node, kind: str, depth: int) -> bool:
    kw = node.kw
    if kind in ("null", "boolean"):
        return True
    if kind not in ("string", "number", "object", "array", *INTEGERS):
        return False
    if kind == "string":
        return not ({"pattern", "format"} & set(kw)) and not _counts_cross(kw.get("minLength", 0), kw.get("maxLength"))
    if kind == "number" or kind in INTEGERS:
        if "multipleOf" in kw:
            return False
        low, high = lower_bound(node, True), upper_bound(node, True)  # an integer fits: so does a number
        return low is None or high is None or low[0] <= high[0]
    if kind == "object":
        return _object_room(node, depth)
    return _array_room(node, depth)


def _object_room(node: Node, depth: int) -> bool:
    kw = node.kw
    required = sorted(kw.get("required", frozenset()))
    if node.names is not None or node.depschemas or kw.get("dependentRequired"):
        return False
    if kw.get("minProperties", 0) > len(required) or _counts_cross(len(required), kw.get("maxProperties")):
        return False
    for name in required:
        schemas = member_schemas(node, name)
        if schemas is None or len(schemas) > 1:
            return False
        if schemas and not evidently_nonempty(schemas[0], depth + 1):
            return False
    return True


def _array_room(node: Node, depth: int) -> bool:
    kw = node.kw
    least = int(kw.get("minItems", 0))
    if node.contains is not None or _counts_cross(least, kw.get("maxItems")):
        return False
    if kw.get("uniqueItems") and least > 1:
        return False
    positions = [
        node.prefix[i] if i < len(node.prefix) else node.items for i in range(min(least, len(node.prefix) + 1))
    ]
    return all(evidently_nonempty(p, depth + 1) for p in positions)


def proven_empty(node: Node, depth: int = 0, active: frozenset[int] = frozenset()) -> bool:
    """An argument that `node` accepts nothing (False: none found, not "non-empty")."""
    node = deref(node)
    if node.false:
        return True
    if node.is_true or depth > _DEPTH or id(node) in active:
        return False
    hit = _CACHE.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    found = _argue(node, depth + 1, active | {id(node)})
    if not active:  # only results that leaned on no enclosing assumption are kept
        if len(_CACHE) > _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[id(node)] = (node, found)
    return found


def _argue(node: Node, depth: int, active: frozenset[int]) -> bool:
    def child(other: Node | None) -> bool:
        return other is not None and proven_empty(other, depth, active)

    if node.enum is not None:
        return not any(node.accepts(value) for value in node.enum_raw)
    if any(child(branch) for branch in node.allof) or _types_disjoint(node):
        return True
    for branches in (node.anyof, node.oneof):
        if branches and all(child(branch) for branch in branches):
            return True
    if node.not_ is not None and deref(node.not_).is_true:
        return True
    if node.ref is not None and node.sibling_asserts and child(node.prep.targets.get(node.ref)):
        return True
    if node.if_ is not None and child(node.then) and child(node.else_):
        return True
    return all(_kind_empty(node, kind, child) for kind in _kinds(node))


def _types_disjoint(node: Node) -> bool:
    """The node and its `allOf` branches allow no JSON type in common (`string` and `boolean`)."""
    common: frozenset[str] | None = None
    for part in (node, *node.allof):
        types = types_of(deref(part))
        if types is not None:
            atoms = type_atoms(types)
            common = atoms if common is None else common & atoms
    return common is not None and not common


def _kinds(node: Node) -> list[str]:
    if node.types is None:
        return list(ALL_KINDS)
    kinds = set(node.types)
    if "number" in kinds:
        kinds -= set(INTEGERS)
    if "integer" in kinds:
        kinds.discard(STRICT_INTEGER)
    return sorted(kinds)


def _kind_empty(node: Node, kind: str, child: Any) -> bool:
    kw = node.kw
    if kind == "number" or kind in INTEGERS:
        return _numbers_empty(node, kind != "number")
    if kind == "string":
        if _counts_cross(kw.get("minLength"), kw.get("maxLength")):
            return True
        pattern = kw.get("pattern")
        if pattern is not None:
            from cwscodegen.engine import patterns

            return patterns.nonempty(pattern) is False
        return False
    if kind == "array":
        return _array_empty(node, child)
    if kind == "object":
        return _object_empty(node, child)
    return False


def _counts_cross(low: Any, high: Any) -> bool:
    return low is not None and high is not None and low > high


def _numbers_empty(node: Node, integer: bool) -> bool:
    low, high = lower_bound(node, integer), upper_bound(node, integer)
    crossed = low is not None and high is not None and (low[0], low[1] or high[1]) > (high[0], False)
    if crossed:
        return True
    step = node.kw.get("multipleOf")
    if step is None or step.denominator != 1 or low is None or high is None:
        return False  # unbounded ranges always hold a multiple; fractional steps: see the docstring
    if max(abs(low[0]), abs(high[0])) > 2**53:
        return False  # a float step such as 3.0 accepts 2**60 + 1: floats are sparse there
    first = math.ceil(low[0] / step)
    if low[1] and first * step == low[0]:
        first += 1
    value = Fraction(first) * step
    return value > high[0] or (high[1] and value == high[0])


def _array_empty(node: Node, child: Any) -> bool:
    kw = node.kw
    least = kw.get("minItems", 0)
    if _counts_cross(least, kw.get("maxItems")):
        return True
    if any(child(item) for item in node.prefix[: int(least)]):
        return True
    if least > len(node.prefix) and child(node.items):
        return True
    if node.contains is not None:
        needed = kw.get("minContains", 1)
        if needed > 0 and child(node.contains):
            return True
        if _counts_cross(needed, kw.get("maxContains")) or _counts_cross(needed, kw.get("maxItems")):
            return True
    return False


def _object_empty(node: Node, child: Any) -> bool:
    kw = node.kw
    required = kw.get("required", frozenset())
    most = kw.get("maxProperties")
    if _counts_cross(kw.get("minProperties"), most) or (most is not None and len(required) > most):
        return True
    for name in sorted(required):
        schemas = member_schemas(node, name)
        if schemas and any(child(schema) for schema in schemas):
            return True
    return False


def _has_value(node: Node) -> bool:
    """A value the node's own validator accepts, from the witness builder (verified there)."""
    from cwscodegen.engine import witnesses

    try:
        witnesses.minimal(node)
    except witnesses.NoValue:
        return False
    except RecursionError:
        return False
    return True


__all__ = ["empty", "proven_empty"]

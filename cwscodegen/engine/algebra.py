"""A normal form for combinators, so that rewrites of the same set compare equal.

A schema with `allOf`/`anyOf`/`oneOf` is turned into a union of *terms*: plain nodes (own keywords
only, at most one residual `not` or `if`) whose union is the schema's set. `allOf` merges terms
keyword by keyword (`merge`), `anyOf` unions them, `$ref` with asserting siblings merges its
target, `not not X` is `X`, `not {type: T}` is the other types. `oneOf` is a union only where its
branches are provably disjoint; on the included side (`widen`) it is always within the union of its
branches, which is all an inclusion proof needs. Each term is then split by JSON type when no
single term of the including side covers it: `type: [a, b]` lies within `anyOf: [{type: a},
{type: b}]` because each type case lies within one branch.

Everything here only ever proves inclusion (YES); a failure means "not shown". Terms are cached
per `Inclusion` (so recursion through `$ref` meets the same objects and coinduction applies) and
their number is capped (`_TERM_LIMIT`), so cost stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, cast

from cwscodegen.engine.emptiness import proven_empty
from cwscodegen.engine.inclusion import (
    INTEGERS,
    YES,
    Inclusion,
    deref,
    member_schemas,
    type_allowed,
    type_atoms,
    types_of,
)
from cwscodegen.engine.normalize import FLOAT_STEP, STRICT_INTEGER, Node, Prepared, json_type, synthetic

ALL_KINDS = ("null", "boolean", "object", "array", "number", "string")

_TERM_LIMIT = 16
_DEPTH = 16
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_NO_TERMS = object()


class _Cache:
    """Synthetic nodes made for one `Inclusion`, keyed by the ids of the nodes they come from
    (the source nodes are kept alive with them, so ids are not reused)."""

    def __init__(self) -> None:
        self.terms: dict[tuple[int, bool], tuple[Node, Any]] = {}
        self.made: dict[tuple[Any, ...], tuple[Any, Node | None]] = {}
        self.active: set[tuple[int, int]] = set()


def _cache(inc: Inclusion) -> _Cache:
    found = inc.__dict__.get("_algebra")
    if found is None:
        found = inc.__dict__["_algebra"] = _Cache()
    return found


def included(inc: Inclusion, a: Node, b: Node) -> bool:
    """Is every value of `a` a value of `b`, shown term by term and type by type?"""
    cache = _cache(inc)
    key = (id(a), id(b))
    if key in cache.active:
        return False
    if _rejects_what_b_rejects(a, b):
        return True
    subs, sups = terms(cache, a, True, 0), terms(cache, b, False, 0)
    if subs is None or sups is None:
        return False
    if subs == [a] and sups == [b] and len(_kinds(a)) <= 1:
        return False  # nothing to rewrite: the keyword-wise answer stands
    cache.active.add(key)
    try:
        return all(_covered(inc, cache, term, sups, (a, b)) for term in subs)
    finally:
        cache.active.discard(key)


# The one value of its type each of these keywords rejects when it is 1: "", [] and {}.
_LEAST_ONE = {"minLength": ("string", ""), "minItems": ("array", []), "minProperties": ("object", {})}


def _rejects_what_b_rejects(a: Node, b: Node) -> bool:
    """`a` within `b` where the values of `a`'s types that `b` rejects can be listed, and `a`
    rejects each: `b` allows each type of `a` and asks at most `minLength`/`minItems`/
    `minProperties` 1, so it rejects only "", [] or {} (`not {enum: [""]}` lies in `minLength: 1`).
    Exact for any `a`: nothing else of `a`'s types can fail `b`."""
    if not _only(b, "types", "kw") or any(key not in _LEAST_ONE or value not in (0, 1) for key, value in b.kw.items()):
        return False
    kinds = _kinds(a)
    if not all(type_allowed(kind, b.types) for kind in kinds):
        return False
    rejected = [_LEAST_ONE[key][1] for key, value in b.kw.items() if value == 1 and _LEAST_ONE[key][0] in kinds]
    return not any(a.accepts(value) for value in rejected)


def _covered(inc: Inclusion, cache: _Cache, term: Node, sups: Sequence[Node], pair: tuple[Node, Node]) -> bool:
    if proven_empty(term) or any(_holds(inc, term, s, pair) for s in sups):
        return True
    kinds = _kinds(term)
    for kind in kinds:
        part = term if len(kinds) == 1 else restrict(cache, term, kind)
        if part is None or not _part_covered(inc, cache, part, kind, sups, pair):
            return False
    return True


def _part_covered(inc: Inclusion, cache: _Cache, part: Node, kind: str, sups: Sequence[Node], pair: Any) -> bool:
    """One type case of a term: within one term of `sups`, or cut into intervals (of a length,
    a count or an integer value) at the bounds the `sups` use, each interval within one."""
    if proven_empty(part) or any(_holds(inc, part, s, pair) for s in sups):
        return True
    dimension = _DIMENSIONS.get(kind)
    if dimension is None or len(sups) < 2:
        return False
    low, high = _interval(part, dimension)
    cuts: set[int] = set()
    for sup in sups:
        sup_low, sup_high = _interval(sup, dimension)
        cuts |= {c for c in (sup_low, None if sup_high is None else sup_high + 1) if c is not None}
    edges = sorted(c for c in cuts if (low is None or c > low) and (high is None or c <= high))
    if len(edges) > _TERM_LIMIT:
        return False
    starts, ends = [low, *edges], [*(e - 1 for e in edges), high]
    for start, end in zip(starts, ends):
        piece = _with_interval(cache, part, dimension, start, end)
        if not (proven_empty(piece) or any(_holds(inc, piece, s, pair) for s in sups)):
            return False
    return True


_DIMENSIONS = {
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
    "integer": ("minimum", "maximum"),
    STRICT_INTEGER: ("minimum", "maximum"),
}


def _interval(node: Node, dimension: tuple[str, str]) -> tuple[int | None, int | None]:
    """The node's own closed interval on a whole-number dimension (None: unbounded)."""
    if dimension[0] == "minimum":
        from cwscodegen.engine.inclusion import lower_bound, upper_bound

        low, high = lower_bound(node, True), upper_bound(node, True)
        return (int(low[0]) if low is not None else None, int(high[0]) if high is not None else None)
    most = node.kw.get(dimension[1])
    return (int(node.kw.get(dimension[0], 0)), None if most is None else int(most))


def _with_interval(cache: _Cache, node: Node, dimension: tuple[str, str], low: int | None, high: int | None) -> Node:
    key = ("cut", id(node), dimension[0], low, high)
    hit = cache.made.get(key)
    if hit is not None and hit[0] is node and hit[1] is not None:
        return hit[1]
    fill = {f: getattr(node, f) for f in _FIELDS}
    dropped = ("exclusiveMinimum", "exclusiveMaximum") if dimension[0] == "minimum" else ()
    kw = {k: v for k, v in node.kw.items() if k not in dropped}
    value: Any = Fraction if dimension[0] == "minimum" else int
    extra: dict[str, Any] = {}
    for bound, end in zip(dimension, (low, high)):
        if end is not None:
            kw[bound] = value(end)
            extra[bound] = end
        else:
            kw.pop(bound, None)
    fill["kw"] = kw
    made = synthetic(node.prep, {"allOf": [node.raw, extra]}, fill)
    cache.made[key] = (node, made)
    return made


def _holds(inc: Inclusion, sub: Node, sup: Node, pair: tuple[Node, Node]) -> bool:
    """`includes`, never on the pair being decided (that would assume what is to be shown)."""
    if sub is pair[0] and sup is pair[1]:
        return False
    return inc.includes(sub, sup) is YES


def _kinds(node: Node) -> list[str]:
    types = types_of(node)
    kinds = set(ALL_KINDS if types is None else types)
    if "number" in kinds:
        kinds -= set(INTEGERS)
    if "integer" in kinds:
        kinds.discard(STRICT_INTEGER)
    return sorted(kinds)


# ----------------------------------------------------------------------------------- terms
def terms(cache: _Cache, node: Node, widen: bool, depth: int) -> list[Node] | None:
    """Plain nodes whose union is `node`'s set (a superset of it with `widen`); None: no form."""
    node = deref(node)
    key = (id(node), widen)
    hit = cache.terms.get(key)
    if hit is not None and hit[0] is node:
        return None if hit[1] is _NO_TERMS else list(hit[1])
    found = _terms(cache, node, widen, depth)
    cache.terms[key] = (node, _NO_TERMS if found is None else tuple(found))
    return found


def _terms(cache: _Cache, node: Node, widen: bool, depth: int) -> list[Node] | None:
    if node.false:
        return []
    if node.unknown or depth > _DEPTH:
        return None  # e.g. `unevaluatedProperties` reads the combinators: not split here
    if not (node.allof or node.anyof or node.oneof or node.sibling_asserts or _rewritable_not(cache, node)):
        return [node]
    found: list[Node] | None = [_plain(cache, node)]
    parts: list[list[Node] | None] = [terms(cache, branch, widen, depth + 1) for branch in node.allof]
    if node.ref is not None and node.sibling_asserts and node.ref in node.prep.targets:
        parts.append(terms(cache, node.prep.targets[node.ref], widen, depth + 1))
    for branches, exclusive in ((node.anyof, False), (node.oneof, True)):
        if not branches:
            continue
        if exclusive and not widen and not _pairwise_disjoint(branches):
            return None
        parts.append(_union([terms(cache, br, widen, depth + 1) for br in branches]))
    negated = _rewritable_not(cache, node)
    if negated is not None:
        parts.append(terms(cache, negated, widen, depth + 1) if isinstance(negated, Node) else list(negated))
    for part in parts:
        found = _cross(cache, found, part)
        if found is None or len(found) > _TERM_LIMIT:
            return None
    return [t for t in found or [] if not proven_empty(t)]


def _union(groups: list[list[Node] | None]) -> list[Node] | None:
    out: list[Node] = []
    for group in groups:
        if group is None:
            return None
        out += group
    return out


def _cross(cache: _Cache, left: list[Node] | None, right: list[Node] | None) -> list[Node] | None:
    if left is None or right is None:
        return None
    out = []
    for x in left:
        for y in right:
            merged = merge(cache, x, y)
            if merged is None:
                return None
            out.append(merged)
    return out


def _pairwise_disjoint(branches: Sequence[Node]) -> bool:
    """No two branches share a type: each type atom claimed once (linear, not pair by pair)."""
    claimed: frozenset[str] = frozenset()
    for branch in branches:
        types = types_of(deref(branch))
        if types is None:
            return len(branches) < 2
        atoms = type_atoms(types)
        if atoms & claimed:
            return False
        claimed |= atoms
    return True


def _rewritable_not(cache: _Cache, node: Node) -> Node | tuple[Node, ...] | None:
    """The complement of `node.not_` as a schema (`not not X` gives X) or as exact plain terms
    (`not {type: T}`, `not` of an empty schema, `not` of one type with one bound); else None."""
    if node.not_ is None:
        return None
    key = ("not", id(node))
    hit = cache.made.get(key)
    if hit is not None and hit[0] is node:
        return cast("Node | tuple[Node, ...] | None", hit[1])
    found = _complement(node.prep, deref(node.not_))
    cache.made[key] = (node, cast(Node, found))
    return found


def _complement(prep: Prepared, inner: Node) -> Node | tuple[Node, ...] | None:
    if inner.not_ is not None and _only(inner, "not_"):
        return deref(inner.not_)
    if inner.types is not None and _only(inner, "types"):
        rest = _other_types(prep, inner.types)
        return None if rest is None else (rest,)
    if proven_empty(inner):
        return (synthetic(prep, True, {}),)
    return _bound_complement(prep, inner)


def _other_types(prep: Prepared, types: frozenset[str]) -> Node | None:
    """A node of every JSON type outside `types`; None for "numbers that are not integers"."""
    rest = set(ALL_KINDS) - set(types)
    if set(INTEGERS) & types and "number" not in types:
        return None  # "numbers that are not integers" has no `type`
    if "number" in types:
        rest.discard("integer")
    return synthetic(prep, {"type": sorted(rest)}, {"types": frozenset(rest)})


# Each bound keyword: the JSON type it constrains and its complement (keyword, value shift).
_FLIP = {
    "minLength": ("string", "maxLength", -1),
    "maxLength": ("string", "minLength", 1),
    "minItems": ("array", "maxItems", -1),
    "maxItems": ("array", "minItems", 1),
    "minProperties": ("object", "maxProperties", -1),
    "maxProperties": ("object", "minProperties", 1),
    "minimum": ("number", "exclusiveMaximum", 0),
    "exclusiveMinimum": ("number", "maximum", 0),
    "maximum": ("number", "exclusiveMinimum", 0),
    "exclusiveMaximum": ("number", "minimum", 0),
}


def _bound_complement(prep: Prepared, inner: Node) -> tuple[Node, ...] | None:
    """`not {type: T, <one bound>}` is every value outside T plus T with the opposite bound.

    Without `type`, only the bound's own JSON type can fail it, so the complement is that type
    with the opposite bound. Values outside T that have no `type` of their own (the non-integer
    numbers outside `integer`) stay as one residual `not {type: T}` term; the complement is exact."""
    if len(inner.kw) != 1 or not _only(inner, "types", "kw"):
        return None
    (keyword, value), flip = next(iter(inner.kw.items())), _FLIP.get(next(iter(inner.kw)))
    if flip is None or (inner.types is not None and len(inner.types) != 1):
        return None
    kind, opposite, shift = flip
    own = kind if inner.types is None else next(iter(inner.types))
    if own != kind and not (kind == "number" and own in INTEGERS):
        return None  # a bound on another type than the one allowed: left to other rewrites
    written = "integer" if own == STRICT_INTEGER else own
    raw: dict[str, Any] = {"type": written}
    fill: dict[str, Any] = {"types": frozenset([own])}
    if shift:
        if not isinstance(value, int):
            return None
        if value + shift < 0:  # `minLength: 0`: every value of the type passes, none is left
            return _outside(prep, inner)
        raw[opposite] = value + shift
        fill["kw"] = {opposite: value + shift}
    else:
        written_value = _raw_number(prep, inner, keyword)
        if isinstance(written_value, bool) or not isinstance(written_value, (int, float)):
            return None
        raw.update(_numeric_raw(prep, opposite, written_value))
        fill["kw"] = {opposite: value}
    return (*_outside(prep, inner), synthetic(prep, raw, fill))


def _outside(prep: Prepared, inner: Node) -> tuple[Node, ...]:
    """Every value whose type is not `inner`'s single type (exact, as terms)."""
    types = inner.types
    if types is None:
        return ()
    rest = _other_types(prep, types)
    if rest is not None:
        return (rest,)
    written = "integer" if STRICT_INTEGER in types else sorted(types)[0]
    typed = synthetic(prep, {"type": written}, {"types": types})
    return (synthetic(prep, {"not": {"type": written}}, {"not_": typed}),)


def _raw_number(prep: Prepared, inner: Node, keyword: str) -> Any:
    """The bound as written in the document (draft-04 writes an exclusive bound as a flag)."""
    raw = inner.raw if isinstance(inner.raw, dict) else {}
    if prep.draft == "draft4" and keyword.startswith("exclusive"):
        keyword = "minimum" if keyword == "exclusiveMinimum" else "maximum"
    return raw.get(keyword)


def _numeric_raw(prep: Prepared, keyword: str, value: Any) -> dict[str, Any]:
    if prep.draft == "draft4" and keyword.startswith("exclusive"):
        plain = "minimum" if keyword == "exclusiveMinimum" else "maximum"
        return {plain: value, keyword: True}
    return {keyword: value}


def _only(node: Node, *fields: str) -> bool:
    bare = synthetic(node.prep, True, {})
    slots = (
        "types",
        "enum",
        "kw",
        "props",
        "patterns",
        "additional",
        "prefix",
        "items",
        "contains",
        "names",
        "depschemas",
        "allof",
        "anyof",
        "oneof",
        "not_",
        "if_",
        "unknown",
        "ref",
    )
    return all(getattr(node, s) == getattr(bare, s) for s in slots if s not in fields) and not node.false


# ----------------------------------------------------------------------------------- nodes
_FIELDS = (
    "types",
    "enum",
    "enum_raw",
    "kw",
    "props",
    "patterns",
    "additional",
    "prefix",
    "items",
    "contains",
    "names",
    "depschemas",
    "not_",
    "if_",
    "then",
    "else_",
)
_COMBINATOR_KEYS = ("allOf", "anyOf", "oneOf", "$ref")


def _plain(cache: _Cache, node: Node) -> Node:
    """`node` without its `allOf`/`anyOf`/`oneOf`/`$ref` (and without a `not` rewritten apart)."""
    key = ("plain", id(node))
    hit = cache.made.get(key)
    if hit is not None and hit[0] is node and hit[1] is not None:
        return hit[1]
    drop_not = _rewritable_not(cache, node) is not None
    raw = {k: v for k, v in node.raw.items() if k not in _COMBINATOR_KEYS and not (drop_not and k == "not")}
    fill = {f: getattr(node, f) for f in _FIELDS}
    if drop_not:
        fill["not_"] = None
    made = synthetic(node.prep, raw, fill)
    cache.made[key] = (node, made)
    return made


def branch_included(inc: Inclusion, a: Node, branch_a: Node | None, branch_b: Node | None) -> bool:
    """`a`'s values in one case of its `if` (its own keywords and `branch_a` hold) within `branch_b`.

    The sub side may drop what it likes (a superset is still included), so `a`'s combinators go."""
    if branch_b is None:
        return True
    cache = _cache(inc)
    key = ("bare", id(a))
    hit = cache.made.get(key)
    if hit is None or hit[0] is not a:
        raw = {k: v for k, v in a.raw.items() if k not in (*_COMBINATOR_KEYS, "not", "if", "then", "else")}
        fill = {f: getattr(a, f) for f in _FIELDS}
        fill.update(not_=None, if_=None, then=None, else_=None)
        hit = cache.made[key] = (a, synthetic(a.prep, raw, fill))
    bare = hit[1]
    sub = conj(cache, [bare, branch_a]) if bare is not None else branch_a
    return inc.includes(sub, branch_b) is YES


def restrict(cache: _Cache, node: Node, kind: str) -> Node | None:
    """`node`'s values of one JSON type (`number` includes the integers)."""
    key = ("kind", id(node), kind)
    hit = cache.made.get(key)
    if hit is not None and hit[0] is node:
        return hit[1]
    fill = {f: getattr(node, f) for f in _FIELDS}
    fill["types"] = frozenset({kind})
    if node.enum is not None:
        kept = [(k, v) for k, v in zip(node.enum, node.enum_raw) if _of_kind(json_type(v), kind)]
        fill["enum"], fill["enum_raw"] = tuple(k for k, _ in kept), tuple(v for _, v in kept)
    written = "integer" if kind == STRICT_INTEGER else kind  # the document's own draft reads it strictly
    made = synthetic(node.prep, {"allOf": [node.raw, {"type": written}]}, fill)
    cache.made[key] = (node, made)
    return made


def _of_kind(json_kind: str, kind: str) -> bool:
    """Could a value of `json_type` `json_kind` be of type case `kind`? (Kept when unsure: the
    node's own validator filters the values.)"""
    return json_kind == kind or (json_kind == "integer" and kind in ("number", STRICT_INTEGER))


def conj(cache: _Cache, parts: Sequence[Node | None]) -> Node | None:
    """All of `parts` (None and `true` drop out; None: no constraint at all)."""
    kept = [p for p in parts if p is not None and not deref(p).is_true]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    key = ("conj", *(id(p) for p in kept))
    hit = cache.made.get(key)
    if hit is not None and hit[0] == tuple(kept):
        return hit[1]
    made = synthetic(kept[0].prep, {"allOf": [p.raw for p in kept]}, {"allof": tuple(kept)})
    cache.made[key] = (tuple(kept), made)
    return made


def merge(cache: _Cache, x: Node, y: Node) -> Node | None:
    """The plain node accepting exactly what both accept, or None where that is not expressible."""
    key = ("merge", id(x), id(y))
    hit = cache.made.get(key)
    if hit is not None and hit[0] == (x, y):
        return hit[1]
    made = _merge(cache, deref(x), deref(y))
    cache.made[key] = ((x, y), made)
    return made


def _merge(cache: _Cache, x: Node, y: Node) -> Node | None:
    if x.false or y.false:
        return synthetic(x.prep, False, {"false": True})
    if x.is_true:
        return y
    if y.is_true:
        return x
    if x.unknown or y.unknown or x.ref is not None or y.ref is not None:
        return None
    if x.allof or x.anyof or x.oneof or y.allof or y.anyof or y.oneof:
        return None
    fill: dict[str, Any] = {"types": _meet(x.types, y.types)}
    fill.update(_meet_enum(x, y))
    kw = _meet_keywords(x.kw, y.kw)
    if kw is None:
        return None
    fill["kw"] = kw
    objects = _meet_objects(cache, x, y)
    arrays = _meet_arrays(cache, x, y)
    if objects is None or arrays is None:
        return None
    fill.update(objects)
    fill.update(arrays)
    for attr in ("not_", "if_"):
        if getattr(x, attr) is not None and getattr(y, attr) is not None:
            return None
    holder = x if x.not_ is not None else y
    fill["not_"] = holder.not_
    holder = x if x.if_ is not None else y
    fill["if_"], fill["then"], fill["else_"] = holder.if_, holder.then, holder.else_
    return synthetic(x.prep, {"allOf": [x.raw, y.raw]}, fill)


_NUMERIC = ("number", "integer", STRICT_INTEGER)  # each within the one before


def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None:
        return b if a is None else a
    out = (set(a) & set(b)) - set(_NUMERIC)
    rank_a = [i for i, t in enumerate(_NUMERIC) if t in a]
    rank_b = [i for i, t in enumerate(_NUMERIC) if t in b]
    if rank_a and rank_b:  # the narrower of the two widest numeric types
        out.add(_NUMERIC[max(min(rank_a), min(rank_b))])
    return frozenset(out)


def _meet_enum(x: Node, y: Node) -> dict[str, Any]:
    if x.enum is None and y.enum is None:
        return {}
    if x.enum is None or y.enum is None:
        side = x if y.enum is None else y
        return {"enum": side.enum, "enum_raw": side.enum_raw}
    allowed = set(y.enum)
    kept = [(k, v) for k, v in zip(x.enum, x.enum_raw) if k in allowed]
    return {"enum": tuple(k for k, _ in kept), "enum_raw": tuple(v for _, v in kept)}


def _meet_keywords(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    if "multipleOf" in a and "multipleOf" in b and a.get(FLOAT_STEP) != b.get(FLOAT_STEP):
        return None  # an int step and a float step: which check the common step gets is unclear
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
            continue
        mine = out[key]
        if key in _LOWER:
            out[key] = max(mine, value)
        elif key in _UPPER:
            out[key] = min(mine, value)
        elif key == "multipleOf":
            step = _common_step(mine, value)
            if step is None:
                return None
            out[key] = step
        elif key in ("required",):
            out[key] = mine | value
        elif key == "dependentRequired":
            out[key] = {k: mine.get(k, frozenset()) | value.get(k, frozenset()) for k in set(mine) | set(value)}
        elif key == "uniqueItems":
            out[key] = True
        elif mine != value:  # two different patterns or formats: one keyword cannot hold both
            return None
    return out


def _common_step(a: Fraction, b: Fraction) -> Fraction | None:
    """Multiples of both `a` and `b`: the larger when one divides the other, the lcm of integers."""
    if (a / b).denominator == 1:
        return a
    if (b / a).denominator == 1:
        return b
    if a.denominator == 1 and b.denominator == 1:
        return Fraction(math.lcm(a.numerator, b.numerator))
    return None


def _meet_objects(cache: _Cache, x: Node, y: Node) -> dict[str, Any] | None:
    if x.patterns and y.patterns and set(x.patterns) != set(y.patterns):
        return None
    if (x.patterns and not y.patterns and y.additional is not None) or (
        y.patterns and not x.patterns and x.additional is not None
    ):
        return None  # one side's additionalProperties would reach names the other's patterns take
    props: dict[str, Node] = {}
    for name in sorted(set(x.props) | set(y.props)):
        from_x, from_y = member_schemas(x, name), member_schemas(y, name)
        if from_x is None or from_y is None:
            return None
        member = conj(cache, [*from_x, *from_y])
        props[name] = member if member is not None else synthetic(x.prep, True, {})
    patterns = {}
    for pattern in sorted(set(x.patterns) | set(y.patterns)):
        found = conj(cache, [x.patterns.get(pattern), y.patterns.get(pattern)])
        patterns[pattern] = found if found is not None else synthetic(x.prep, True, {})
    depschemas = {}
    for name in sorted(set(x.depschemas) | set(y.depschemas)):
        found = conj(cache, [x.depschemas.get(name), y.depschemas.get(name)])
        if found is not None:
            depschemas[name] = found
    return {
        "props": props,
        "patterns": patterns,
        "additional": conj(cache, [x.additional, y.additional]),
        "names": conj(cache, [x.names, y.names]),
        "depschemas": depschemas,
    }


def _meet_arrays(cache: _Cache, x: Node, y: Node) -> dict[str, Any] | None:
    counts = ("minContains", "maxContains")
    if x.contains is not None and y.contains is not None and x.contains is not y.contains:
        return None
    if any(k in n.kw for k in counts for n in (x, y)) and (x.contains is None) != (y.contains is None):
        return None  # a count without its own `contains` would change meaning
    prefix = []
    for i in range(max(len(x.prefix), len(y.prefix))):
        at_x = x.prefix[i] if i < len(x.prefix) else x.items
        at_y = y.prefix[i] if i < len(y.prefix) else y.items
        found = conj(cache, [at_x, at_y])
        prefix.append(found if found is not None else synthetic(x.prep, True, {}))
    return {
        "prefix": tuple(prefix),
        "items": conj(cache, [x.items, y.items]),
        "contains": x.contains if x.contains is not None else y.contains,
    }


__all__ = ["conj", "included", "merge", "restrict", "terms"]

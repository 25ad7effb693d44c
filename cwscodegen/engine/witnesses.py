"""Verified witness events: complete root-level events that one schema accepts and the other rejects.

A verdict of "breaking" is only believable with an event in hand, and only trustworthy when that
event was checked by the real validators; so everything here is a heuristic for *finding* values,
and nothing is returned as a witness unless `Prepared.validator` of both documents agreed on it.

The search has three parts:
- `minimal`: a small valid value for a node (required keys filled, bounds met), to fill the rest
  of an event so that only the changed place can make a difference;
- `candidates`: values probing the node's boundaries (bounds, lengths, formats, extra keys,
  duplicates, tuple lengths), since a change moves a boundary and a value at the old boundary is
  the usual witness;
- `embed`: a candidate placed at the changed place inside a minimal root event.

Generation is deterministic: fixed orders, no randomness, and values deduplicated by their JSON
text (so `1` and `1.0` stay apart: draft-04 `integer` tells them apart).
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from itertools import islice, product
from math import ceil
from typing import Any

from jsonschema.exceptions import best_match

from cwscodegen.engine.changes import Direction, Witness
from cwscodegen.engine.normalize import STRICT_INTEGER, TYPES, Node, Prepared, json_type, with_twins
from cwscodegen.store import ecma
from cwscodegen.store.refs import pointer

Step = tuple[str, Any]

MAX_DEPTH = 16  # recursion guard for `minimal` (a required cycle has no finite value)
ROOT_BUDGET = 300  # root-level validations per `find`/`find_document` call
# Largest array, string or object a witness may hold: `minItems: 10**9` gets no witness ("too
# large") rather than a value whose building and validation would stall a pre-commit hook.
MAX_SIZE = 4096
_TYPE_ORDER = ("object", "string", "integer", "number", "boolean", "array", "null")
FORMAT_SAMPLES: dict[str, str] = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "email": "a@example.com",
    "idn-email": "a@example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "uri": "https://example.com/",
    "uri-reference": "/a",
    "iri": "https://example.com/",
    "iri-reference": "/a",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "regex": "a",
    "json-pointer": "/a",
    "relative-json-pointer": "0",
    "uri-template": "https://example.com/{a}",
    "duration": "P1D",
}
_FORMAT_VARIANTS: dict[str, tuple[str, ...]] = {
    "date-time": ("2024-01-01T00:00:00.5+01:00", "2024-01-01 00:00:00Z"),
    "time": ("00:00:00+01:00",),
    "ipv6": ("2001:db8::1",),
    "email": ("a.b@example.org",),
}
_STRINGS = ("", "a", "x", "0", "abc", "A", " ", "-1", "true", "é", "😀", "\n", "a\n")
_NUMBERS = (
    1,
    -1,
    2,
    10,
    100,
    255,
    256,
    65535,
    65536,
    2**31 - 1,
    2**31,
    2**32,
    2**53,
    2**63 - 1,
    2**63,
    2**64,
    -(2**31),
    -(2**63),
    10**20,
)
_FRACTIONS = (Fraction(1, 2), Fraction(-1, 2), Fraction(5, 2))
_NUDGES = (
    Fraction(0),
    Fraction(1),
    Fraction(-1),
    Fraction(1, 2),
    Fraction(-1, 2),
    Fraction(1, 1000),
    Fraction(-1, 1000),
)
_NOTHING: Any = object()


class NoValue(Exception):
    """No value valid under the node was found (it may be unsatisfiable, or beyond the heuristics)."""


def _key(value: Any) -> str:
    """Identity of a JSON value for deduplication; JSON text keeps `true`, `1` and `1.0` apart."""
    return json.dumps(value, sort_keys=True)


def _unique(values: Iterable[Any]) -> Iterator[Any]:
    seen: set[str] = set()
    for value in values:
        key = _key(value)
        if key not in seen:
            seen.add(key)
            yield value


def _distinct(values: Iterable[Any], limit: int) -> list[Any]:
    return list(islice(_unique(values), limit))


def _resolved(node: Node) -> Node:
    """The node a pure `$ref` stands for (a `$ref` is no step in instance space)."""
    for _ in range(64):
        if node.ref is None or node.sibling_asserts or node.ref not in node.prep.targets:
            return node
        node = node.prep.targets[node.ref]
    return node


def node_accepts(node: Node, value: Any) -> bool:
    """Is value valid under the subschema `node` within its own document ($refs resolve against
    node.prep.document, formats asserted)? Synthetic nodes are judged by their `raw` schema (it
    must mean what the node means), except `true`/`false` ones, which need no validator."""
    return node.accepts(value)


def _conjuncts(node: Node, loose: bool) -> list[Node]:
    """`node` and what applies with it: `allOf` branches and `$ref` targets; with `loose`, also
    `anyOf`/`oneOf` branches (alternatives, useful to find which properties a place can have)."""
    out: list[Node] = []
    seen: set[int] = set()
    queue = [node]
    while queue and len(out) < 32:
        current = _resolved(queue.pop(0))
        if id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        queue.extend(current.allof)
        if current.ref is not None and current.ref in current.prep.targets:
            queue.append(current.prep.targets[current.ref])
        if loose:
            queue.extend(current.anyof + current.oneof)
    return out


def _hints(node: Node) -> list[str]:
    """Types the node's keywords (or its branches' types) suggest, most telling first."""
    found: list[str] = []
    for part in _conjuncts(node, loose=True)[:8]:
        kw = part.kw
        if part.types is not None:
            found += [t for t in _TYPE_ORDER if t in _plain_types(part.types)]
        if part.props or part.patterns or part.additional is not None or "required" in kw:
            found.append("object")
        if part.prefix or part.items is not None or part.contains is not None or "minItems" in kw:
            found.append("array")
        if {"minLength", "maxLength", "pattern", "format"} & kw.keys():
            found.append("string")
        if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & kw.keys():
            found.append("number")
    return list(dict.fromkeys(found))


def _plain_types(types: Iterable[str]) -> set[str]:
    """Type names as the value generators know them: draft-04's `integer` is generated as an
    integer (the float twins `_numbers` adds are then refused by that draft's validator)."""
    return {"integer" if t == STRICT_INTEGER else t for t in types}


def _types(node: Node) -> list[str]:
    allowed = set(TYPES) if node.types is None else _plain_types(node.types)
    if "number" in allowed:
        allowed.add("integer")
    hints = _hints(node)
    if "number" in hints:
        hints.insert(hints.index("number"), "integer")
    if node.types is None and not hints:  # plain `true`: "" reads better than {}
        hints = ["string"]
    order = [t for t in hints if t in allowed]
    return list(dict.fromkeys(order + [t for t in _TYPE_ORDER if t in allowed]))


# --- regular expressions --------------------------------------------------------------------------

_parser: Any = importlib.import_module("re._parser")
_CATEGORY = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
}


def _class_char(items: Any, variant: int) -> str:
    negate = bool(items) and str(items[0][0]) == "NEGATE"
    chars: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            chars.append(chr(arg[1] if variant else arg[0]))
        elif name == "CATEGORY":
            chars.append(_CATEGORY.get(str(arg), "a"))
    if negate:
        return next(c for c in "ax0_-Z " if c not in chars)
    return chars[-1 if variant else 0] if chars else "a"


def _generate(parsed: Any, variant: int) -> str:
    out: list[str] = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("b" if arg == ord("a") else "a")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_char(arg, variant))
        elif name == "CATEGORY":
            out.append(_CATEGORY.get(str(arg), "a"))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = min(low + variant, high) if isinstance(high, int) else low + variant
            piece = _generate(sub, variant)
            if len(piece) * min(count, 64) > MAX_SIZE:  # nested repetitions: 64**depth characters
                raise ValueError("sample too long")
            out.append(piece * min(count, 64))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            out.append(_generate(arg[-1], variant))
        elif name == "BRANCH":
            out.append(_generate(arg[1][-1 if variant else 0], variant))
        elif name not in ("AT", "ASSERT", "ASSERT_NOT"):  # back-references and the like
            raise ValueError(name)
    return "".join(out)


def _regex_samples(pattern: str) -> list[str]:
    """Strings `pattern` matches in (a short one, a longer one), plus easy guesses. Generated from
    Python's parse of the pattern (parsing only, and at most `MAX_SIZE` characters each), then
    each kept only if the ECMA reading matches it (`store.ecma.search`, linear time): Python's
    `re` never runs a snapshot's pattern."""
    found: list[str] = []
    try:
        parsed = _parser.parse(pattern)
        found += [_generate(parsed, v) for v in (0, 1)]
    except Exception:  # an odd pattern only costs us the generated samples
        pass
    literal = re.match(r"\^?([\w\-.:/ ]*)", pattern)
    found += ["a", "x", "0", "A", "_", literal.group(1) if literal else ""]
    try:
        return list(dict.fromkeys(sample for sample in found if ecma.search(pattern, sample)))
    except ecma.PatternError:
        return []


def _search(pattern: str, key: str) -> bool:
    """Does `pattern` match in `key` (the ECMA reading; False when it cannot be run)?"""
    try:
        return ecma.search(pattern, key)
    except ecma.PatternError:
        return False


# --- minimal values -------------------------------------------------------------------------------

_MINIMAL: dict[int, tuple[Node, Any]] = {}
_FAILED: dict[int, tuple[Node, int]] = {}


def minimal(node: Node) -> Any:
    """A small value valid under node (checked with node_accepts), or NoValue.

    The value is a fresh copy: callers may change it."""
    return copy.deepcopy(_minimal(node, 0))


def _try_minimal(node: Node, depth: int) -> Any:
    try:
        return _minimal(node, depth)
    except NoValue:
        return _NOTHING


def _minimal(node: Node, depth: int) -> Any:
    """Cached (never mutate the result); a failure is remembered with the depth it happened at,
    since a node that found no value with more depth left cannot find one with less."""
    hit = _MINIMAL.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    failed = _FAILED.get(id(node))
    if depth > MAX_DEPTH or (failed is not None and failed[0] is node and depth >= failed[1]):
        raise NoValue(f"no value found for {node!r}")
    for option in islice(_options(node, depth), 40):
        if node_accepts(node, option):
            if len(_MINIMAL) > 50_000:
                _MINIMAL.clear()
            _MINIMAL[id(node)] = (node, option)
            return option
    if len(_FAILED) > 50_000:
        _FAILED.clear()
    _FAILED[id(node)] = (node, depth)
    raise NoValue(f"no value found for {node!r}")


def _merge(values: Sequence[Any]) -> Any:
    """Values that must all hold at one place: objects merged key by key, else the last wins."""
    out = values[0]
    for value in values[1:]:
        if isinstance(out, dict) and isinstance(value, dict):
            out = {**out, **{k: _merge([out[k], v]) if k in out else v for k, v in value.items()}}
        else:
            out = value
    return out


def _options(node: Node, depth: int) -> Iterator[Any]:
    """Unchecked minimal-value attempts: the node's own keywords merged with its `allOf`
    conjuncts' minimal values, once per `anyOf`/`oneOf` branch that has one."""
    node = _resolved(node)
    if node.false:
        return
    if node.enum is not None:
        yield from with_twins(node.enum_raw)
        return
    target = node.prep.targets.get(node.ref) if node.ref is not None else None
    parts = list(node.allof) + ([target] if target is not None else [])
    fixed = [_try_minimal(part, depth + 1) for part in parts]
    if any(value is _NOTHING for value in fixed):
        return
    alternatives = []
    for branches in (node.anyof, node.oneof):
        found = [v for v in (_try_minimal(b, depth + 1) for b in branches) if v is not _NOTHING]
        if branches and not found:
            return
        alternatives.append(found or [_NOTHING])
    for choice in product(*alternatives):
        seeds = fixed + [v for v in choice if v is not _NOTHING]
        kind = json_type(seeds[0]) if seeds else None
        for base in _own(node, depth, kind):
            yield _merge([base, *seeds])
        if seeds:
            yield _merge(seeds)


def _own(node: Node, depth: int, kind: str | None) -> Iterator[Any]:
    for name in _types(node):
        if kind is not None and name != kind and {name, kind} != {"integer", "number"}:
            continue
        if name in ("object", "array"):
            try:
                yield _min_object(node, depth) if name == "object" else _min_array(node, depth)
            except NoValue:
                continue
        elif name == "string":
            yield from _strings(node)[:8]
        elif name in ("integer", "number"):
            yield from _numbers(node, name == "integer")[:1]
        elif name == "boolean":
            yield False
        else:
            yield None


def _key_nodes(nodes: Sequence[Node], key: str) -> list[Node]:
    """The schemas that govern member `key` of an object valid under all of `nodes`."""
    out: list[Node] = []
    for node in nodes:
        if key in node.props:
            out.append(node.props[key])
            continue
        matched = [child for pattern, child in node.patterns.items() if _search(pattern, key)]
        out += matched
        if not matched and node.additional is not None:
            out.append(node.additional)
    return out


def _item_nodes(nodes: Sequence[Node], index: int) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        child = node.prefix[index] if index < len(node.prefix) else node.items
        if child is not None:
            out.append(child)
    return out


def _value_for(nodes: Sequence[Node], depth: int) -> Any:
    """A minimal value for a place governed by all of `nodes` ("" when nothing governs it)."""
    for node in nodes:
        value = _try_minimal(node, depth)
        if value is not _NOTHING and all(node_accepts(other, value) for other in nodes):
            return value
    if nodes:
        raise NoValue("no value found for a member")
    return ""


def _fresh_key(nodes: Sequence[Node]) -> str:
    """A member name that no `properties` names and no `patternProperties` matches."""
    for index in range(100):
        key = "x_extra" if index == 0 else f"x_extra_{index}"
        if all(key not in n.props and not any(_search(p, key) for p in n.patterns) for n in nodes):
            return key
    return "x_extra"


def _pattern_key(pattern: str, nodes: Sequence[Node]) -> str | None:
    samples = _regex_samples(pattern)
    unnamed = [s for s in samples if all(s not in n.props for n in nodes)]
    return next(iter(unnamed or samples), None)


def _with_key(nodes: Sequence[Node], base: dict[str, Any], key: str, value: Any, depth: int) -> dict[str, Any]:
    """`base` with `key` set, and the members `dependentRequired` then asks for filled in (left
    out when no value is found: the validators will judge the object anyway)."""
    return _set_key(nodes, {**base}, key, value, depth)


def _set_key(nodes: Sequence[Node], out: dict[str, Any], key: str, value: Any, depth: int) -> dict[str, Any]:
    """`_with_key` in place: building an object member by member copies nothing."""
    out[key] = value
    pending = [key]
    while pending:
        current = pending.pop()
        for node in nodes:
            for other in sorted(node.kw.get("dependentRequired", {}).get(current, ())):
                if other not in out:
                    try:
                        out[other] = _value_for(_key_nodes(nodes, other), depth + 1)
                    except NoValue:
                        continue
                    pending.append(other)
    return out


def _min_object(node: Node, depth: int) -> dict[str, Any]:
    required = set(node.kw.get("required", ()))
    out: dict[str, Any] = {}
    for key in [k for k in node.props if k in required] + sorted(required - node.props.keys()):
        _set_key([node], out, key, _value_for(_key_nodes([node], key), depth + 1), depth)
    for key in node.props:
        if len(out) >= node.kw.get("minProperties", 0):
            break
        out.setdefault(key, _value_for([node.props[key]], depth + 1))
    if node.kw.get("minProperties", 0) > MAX_SIZE:
        raise NoValue(f"too large: an object of {node.kw['minProperties']} members")
    if len(out) < node.kw.get("minProperties", 0) and node.additional is None:
        out.update({f"x_extra_{i}": "" for i in range(node.kw["minProperties"] - len(out))})
    for key, schema in node.depschemas.items():
        if key in out:
            out = _merge([out, _minimal(schema, depth + 1)])
    return out


def _min_array(node: Node, depth: int) -> list[Any]:
    least = node.kw.get("minItems", 0)
    if least > MAX_SIZE:
        raise NoValue(f"too large: an array of {least} items")
    out: list[Any] = []
    used: set[str] = set()
    unique = bool(node.kw.get("uniqueItems"))
    for index in range(least):
        nodes = _item_nodes([node], index)
        pool = [_value_for(nodes, depth + 1)]
        if unique and nodes:
            pool += list(islice(_candidates(nodes[0], depth + 1), 30))
        value = next((v for v in pool if _key(v) not in used), pool[0]) if unique else pool[0]
        if unique:
            used.add(_key(value))
        out.append(value)
    min_contains = node.kw.get("minContains", 1)
    if (
        node.contains is not None
        and 0 < min_contains <= MAX_SIZE
        and not any(node_accepts(node.contains, v) for v in out)
    ):
        out += [_minimal(node.contains, depth + 1)] * min_contains
    return out


# --- candidates -----------------------------------------------------------------------------------


def candidates(node: Node, limit: int = 200) -> Iterator[Any]:
    """Diverse values plausibly valid under node, probing its boundaries (deterministic order)."""
    yield from islice(_unique(_candidates(node, 0)), limit)


def _candidates(node: Node, depth: int) -> Iterator[Any]:
    node = _resolved(node)
    if node.false:
        return
    if node.enum is not None:
        yield from with_twins(node.enum_raw)
        return
    first = _try_minimal(node, depth)
    if first is not _NOTHING:
        yield first
    for name in _types(node):
        if name == "null":
            yield None
        elif name == "boolean":
            yield from (False, True)
        elif name in ("integer", "number"):
            yield from _numbers(node, name == "integer")
        elif name == "string":
            yield from _strings(node)
        elif name == "object":
            yield from _objects(node, depth)
        else:
            yield from _arrays(node, depth)
    if depth < 3:
        for part in _conjuncts(node, loose=True)[1:6]:
            yield from islice(_candidates(part, depth + 1), 40)


def _numbers(node: Node, integer: bool) -> list[Any]:
    """Numbers valid under the node's bounds and `multipleOf`: the smallest in magnitude first,
    then those at and just inside each bound, then common boundary values of real encoders."""
    kw = node.kw
    low, high = kw.get("minimum"), kw.get("maximum")
    xlow, xhigh = kw.get("exclusiveMinimum"), kw.get("exclusiveMaximum")
    step: Fraction | None = kw.get("multipleOf")
    if integer:  # the integers that are multiples of p/q are the multiples of p
        step = Fraction(step.numerator) if step is not None else Fraction(1)
    bounds = [b for b in (low, high, xlow, xhigh) if b is not None]
    points: list[Fraction] = [Fraction(0)]
    for bound in bounds:
        points += [bound + d for d in _NUDGES]
        if step is not None:
            points += [ceil(bound / step) * step + k * step for k in (-1, 0, 1)]
    if len(bounds) >= 2:
        points.append((min(bounds) + max(bounds)) / 2)
    if step is not None:
        points += [step, 2 * step, -step]
    points += [Fraction(n) for n in _NUMBERS] + ([] if integer else list(_FRACTIONS))

    def fits(x: Fraction) -> bool:
        return (
            (low is None or x >= low)
            and (high is None or x <= high)
            and (xlow is None or x > xlow)
            and (xhigh is None or x < xhigh)
            and (step is None or (x / step).denominator == 1)
        )

    valid = list(dict.fromkeys(p for p in points if fits(p)))
    if not valid:
        return []
    smallest = min(valid, key=abs)
    valid = [smallest] + [x for x in valid if x != smallest]
    out: list[Any] = [int(x) if x.denominator == 1 else float(x) for x in valid]
    twins = sorted((x for x in out[:2] if isinstance(x, int) and abs(x) < 2**53), key=lambda x: x == 0)
    out += [float(x) for x in twins]  # 1.0: not a draft-04 integer (nor -0.0, added by `with_twins`)
    return out


def _strings(node: Node) -> list[str]:
    """Strings at the node's length bounds, samples of its format and pattern, other formats."""
    kw = node.kw
    low: int = kw.get("minLength", 0)
    high: int | None = kw.get("maxLength")
    fmt, pattern = kw.get("format"), kw.get("pattern")
    seeds: list[str] = []
    if fmt is not None:
        seeds += [FORMAT_SAMPLES.get(fmt, "a"), *_FORMAT_VARIANTS.get(fmt, ())]
    if pattern is not None:
        seeds += _regex_samples(pattern)
    seeds += list(_STRINGS) + [s for f, s in FORMAT_SAMPLES.items() if f != fmt]
    if low > MAX_SIZE:
        return []  # too large to build: no witness rather than a stall
    seeds += ["a" * n for n in (low, high or 0, low + 1, 8, 64, 256, 1024, 4096) if n <= MAX_SIZE]
    out: list[str] = []
    for seed in seeds:
        if high is not None and len(seed) > high:
            continue
        pad = max(low - len(seed), 0)
        out += [seed + (seed[-1:] or "a") * pad, seed + "a" * pad] if pad else [seed]
    return list(dict.fromkeys(out))


def _valid(node: Node, depth: int, count: int | None = None) -> Iterator[Any]:
    """Distinct candidates that `node` accepts (nested values must be valid, or the object around
    them would be invalid for a reason unrelated to the place probed); lazily, `count` at most.
    The minimal value comes first and is not checked again."""

    def checked() -> Iterator[Any]:
        first = _try_minimal(node, depth)
        if first is not _NOTHING:
            yield first
        skip = "" if first is _NOTHING else _key(first)
        scanned = _candidates(node, depth) if count is None else islice(_candidates(node, depth), 4 * count + 8)
        yield from (v for v in _unique(scanned) if _key(v) != skip and node_accepts(node, v))

    return islice(checked(), count)


def _objects(node: Node, depth: int) -> Iterator[Any]:
    """The minimal object, then one member at a time set to its candidates, round-robin over the
    members (so every member is probed early, whichever the change is about), an unnamed extra
    member and pattern members included; the object with every property set after round one."""
    base = _try_minimal(node, depth)
    if not isinstance(base, dict):
        base = {}
    yield base
    if depth > 2:
        return
    parts = _conjuncts(node, loose=True)
    props: dict[str, Node] = {}
    for part in parts:
        for name, child in part.props.items():
            props.setdefault(name, child)
    streams: list[tuple[str, Iterator[Any]]] = [(name, _valid(child, depth + 1)) for name, child in props.items()]
    if all(p.additional is None or not p.additional.false for p in parts):
        extra = next((p.additional for p in parts if p.additional is not None), None)
        streams.append((_fresh_key(parts), iter(["", 0, None, {}]) if extra is None else _valid(extra, depth + 1)))
    for part in parts:
        for pattern, child in part.patterns.items():
            key = _pattern_key(pattern, parts)
            if key is not None:
                streams.append((key, _valid(child, depth + 1)))
    dependent = {k for part in parts for k in part.kw.get("dependentRequired", {})}
    for round_ in range((6, 3, 1)[depth]):
        for key, stream in streams:
            value = next(stream, _NOTHING)
            if value is _NOTHING or (key in base and key not in dependent and _key(value) == _key(base[key])):
                continue  # `base` again: copying it once per member made wide objects quadratic
            yield _with_key(parts, base, key, value, depth)
        if round_ == 0:
            full = {name: _try_minimal(child, depth + 1) for name, child in props.items()}
            yield {**{k: v for k, v in full.items() if v is not _NOTHING}, **base}


def _arrays(node: Node, depth: int) -> Iterator[Any]:
    base = _try_minimal(node, depth)
    yield []
    if isinstance(base, list):
        yield base
    if depth > 2:
        return
    tuple_ = [_try_minimal(p, depth + 1) for p in node.prefix]
    if _NOTHING in tuple_:
        tuple_ = tuple_[: tuple_.index(_NOTHING)]
    for length in range(len(tuple_), 0, -1):
        yield tuple_[:length]
    item = node.items if node.items is not None else node.prefix[0] if node.prefix else None
    values = ["x", 0] if item is None else list(_valid(item, depth + 1, (8, 4, 2)[depth]))
    for value in values:
        yield [*tuple_, value]
    if values:
        yield [*tuple_, values[0], values[0]]
        for size in (node.kw.get("minItems", 0), node.kw.get("maxItems")):
            if size is not None and 0 < size <= 100:
                yield [*tuple_, *(values * size)[: max(size - len(tuple_), 0)]]
                yield [*tuple_, *([values[0]] * max(size - len(tuple_), 0))]
    if node.contains is not None:
        for value in _valid(node.contains, depth + 1, 4):
            yield [*tuple_, value]


# --- witnesses ------------------------------------------------------------------------------------


def local_witness(accept: Node, reject: Node) -> tuple[Any] | None:
    """`(value,)` for the first candidate of `accept` that accept accepts and reject rejects (node
    level), or None; the 1-tuple tells a found JSON `null` from "nothing found"."""
    found = _local_values(accept, reject, 1, 400)[0]
    return (found[0],) if found else None


def _local_values(
    accept: Node, reject: Node, want: int, budget: int, member: str | None = None
) -> tuple[list[Any], list[Any]]:
    """(up to `want` local witnesses, other values accept accepts), within `budget` node-level
    validations. The second list is for places whose rejection only shows around them (a member
    no longer allowed in its object)."""
    witnesses: list[Any] = []
    others: list[Any] = []
    for rejected, value in _local_scan(accept, reject, want, budget, member):
        (witnesses if rejected else others).append(value)
    return witnesses, others[:8]


def _local_scan(accept: Node, reject: Node, want: int, budget: int, member: str | None) -> Iterator[tuple[bool, Any]]:
    """The values `_local_values` collects, lazily, each with whether reject refuses it."""
    found = kept = 0
    first = _with_member(accept, member) if member is not None else ()
    outside = _listed_outside(accept, reject, want)
    rest = _chain(candidates(accept), _probes(accept, reject))
    if outside:
        tried = {_key(v) for v in outside}
        rest = (v for v in rest if _key(v) not in tried)
    for value in _chain(first, outside, rest):
        budget -= 2
        if budget < 0 or found >= want or (reject.is_true and kept >= 8):
            break
        if not node_accepts(accept, value):
            continue
        try:
            rejected = not node_accepts(reject, value)
        except Exception:  # a synthetic node whose `raw` is not a schema: judged at the root only
            rejected = False
        found, kept = found + rejected, kept + (not rejected)
        yield rejected, value


def _local_order(scan: Iterator[tuple[bool, Any]], witnesses: list[Any], others: list[Any]) -> Iterator[Any]:
    """`_local_values`' witnesses then its others, produced as the scan goes (filling both lists),
    so a search that succeeds at the first local witness never pays for the rest of the scan."""
    for rejected, value in scan:
        (witnesses if rejected else others).append(value)
        if rejected:
            yield value
    del others[8:]
    yield from others


_GENERIC: tuple[Any, ...] = (0, "", "a", True, None, [], {}, 1.5, -1)


def _listed_outside(accept: Node, reject: Node, want: int) -> list[Any]:
    """The first `want` values `accept` lists (twins included) that `reject`'s list leaves out:
    surely rejected, and found by a set lookup, where the candidates in list order would spend
    the whole budget before the value removed from the end of a 20,000-value enum."""
    accept, reject = _resolved(accept), _resolved(reject)
    if accept.enum is None or reject.enum is None:
        return []
    kept = reject.enum_only if reject.enum_only is not None else frozenset(reject.enum)
    outside = (v for k, v in zip(accept.enum, accept.enum_raw) if k not in kept)
    return list(islice(with_twins(outside), want))


def _chain(*sources: Iterable[Any]) -> Iterator[Any]:
    for source in sources:
        yield from source


def _with_member(node: Node, name: str) -> Iterator[Any]:
    """Small objects of `node` that carry member `name` (and only the members they must): the
    witness of a change to that one member should not show another member's change."""
    base = _try_minimal(node, 0)
    if not isinstance(base, dict):
        return
    parts = _conjuncts(_resolved(node), loose=True)
    governing = _key_nodes(parts, name)
    values = list(islice(_valid(governing[0], 1, 8), 8)) if governing else list(_GENERIC)
    for value in values:
        yield {**base, name: value}


def _probes(accept: Node, reject: Node) -> Iterator[Any]:
    """Objects of `accept` carrying members that only the *rejecting* schema names (its properties,
    a key for each of its patterns) with assorted values, and objects with many members: what an
    open object allowed and a narrower one refuses is invisible from the accepting side alone."""
    base = _try_minimal(accept, 0)
    if not isinstance(base, dict):
        return
    target = _resolved(reject)
    parts = _conjuncts(target, loose=True)
    keys = sorted({k for part in parts for k in part.props if k not in base})
    keys += sorted({k for part in parts for k in part.kw.get("dependentRequired", {}) if k not in base} - set(keys))
    keys += [k for part in parts for p in sorted(part.patterns) if (k := _pattern_key(p, parts)) is not None]
    for key in keys:
        for value in _GENERIC:
            yield {**base, key: value}
    most = min((part.kw["maxProperties"] for part in parts if "maxProperties" in part.kw), default=None)
    if most is not None and most < 64:
        yield {**base, **{f"k{i}": 0 for i in range(int(most) + 1)}}


def embed(root: Node, steps: Sequence[Step], value: Any, limit: int = 8) -> Iterator[Any]:
    """Root-level events valid under `root` except possibly at the place: value placed at `steps`,
    every other required member filled with minimal values; through `anyOf`/`oneOf` a few
    alternatives are tried (a few minimal values per level). Deterministic."""
    yield from islice(_unique(_embed([root], list(steps), value, _bases([root], _NOTHING), 0)), limit)


def _bases(nodes: Sequence[Node], current: Any) -> list[Any]:
    """A few values valid at a place (the one already there first): one per branch choice."""
    found = [] if current is _NOTHING else [current]
    for node in nodes[:3]:
        options = (v for v in islice(_options(node, 0), 40) if node_accepts(node, v))
        found += islice(options, 3)
    return _distinct(found, 3) or [{}]


def _embed(nodes: list[Node], steps: list[Step], value: Any, bases: list[Any], depth: int) -> Iterator[Any]:
    if not steps:
        yield value
        return
    kind, arg = steps[0]
    parts = [part for node in nodes for part in _conjuncts(node, loose=True)]
    for base in bases:
        if kind == "item":
            array = list(base) if isinstance(base, list) else []
            index = arg if isinstance(arg, int) else max((len(p.prefix) for p in parts), default=0)
            try:
                while len(array) < index:
                    array.append(_value_for(_item_nodes(parts, len(array)), depth + 1))
            except NoValue:
                continue
            children = [c for c in _item_nodes(parts, index) if not c.false]
            current = array[index] if index < len(array) else _NOTHING
            for inner in _embed(children, steps[1:], value, _bases(children, current), depth + 1):
                yield array[:index] + [inner] + array[index + 1 :]
        else:
            obj = dict(base) if isinstance(base, dict) else {}
            key = arg if kind == "prop" else _fresh_key(parts) if kind == "additional" else _pattern_key(arg, parts)
            if key is None:
                return
            children = [c for c in _key_nodes(parts, key) if not c.false]  # from other branches
            for inner in _embed(children, steps[1:], value, _bases(children, obj.get(key, _NOTHING)), depth + 1):
                yield from _repairs(nodes, _with_key(parts, obj, key, inner, depth), key, depth)


def _repairs(nodes: Sequence[Node], obj: dict[str, Any], key: str, depth: int) -> Iterator[dict[str, Any]]:
    """`obj`, then, if the schema of the object refuses it (an `if`/`then`, a dependent schema or a
    `oneOf` reacting to the placed member), variants with one other member changed."""
    yield obj
    if not nodes or node_accepts(nodes[0], obj):
        return
    parts = _conjuncts(nodes[0], loose=False)
    for other in sorted(k for k in obj if k != key):
        governing = _key_nodes(parts, other)
        for value in _valid(governing[0], depth + 1, 6) if governing else ():
            variant = {**obj, other: value}
            if node_accepts(nodes[0], variant):
                yield variant
                return


def _names(direction: Direction) -> tuple[str, str]:
    return ("old", "new") if direction is Direction.BACKWARD else ("new", "old")


def _witness(direction: Direction, event: Any, reject: Prepared) -> Witness:
    error = best_match(reject.validator.iter_errors(event))
    where = (pointer(*error.absolute_path) or "/") if error is not None else "/"
    accepted_by, rejected_by = _names(direction)
    message = f"{where}: {error.message}" if error is not None else ""
    return Witness(direction, copy.deepcopy(event), accepted_by, rejected_by, True, message)


def _first_split(accept: Prepared, reject: Prepared, events: Iterable[Any]) -> Any:
    """The first event accept accepts and reject rejects, or `_NOTHING`; at most `ROOT_BUDGET`
    root-level validations, so one change never costs more than a bounded amount."""
    left = ROOT_BUDGET
    for event in events:
        if left <= 0:
            break
        left -= 1
        if accept.validator.is_valid(event):
            left -= 1
            if not reject.validator.is_valid(event):
                return event
    return _NOTHING


def find(
    direction: Direction,
    accept: Prepared,
    reject: Prepared,
    accept_node: Node,
    reject_node: Node,
    paths: Sequence[Sequence[Step]],
    member: str | None = None,
) -> Witness | str:
    """A verified Witness for one change, or the reason there is none (a short sentence).

    `member` names the object member the change is about, so candidates carrying it come first.
    Local witnesses come first (a value the rejecting node refuses is the likeliest witness); then
    other values valid at the place, for changes that only show around the place (a member no
    longer allowed, a `true` node where the place disappeared)."""
    accepted_by, rejected_by = _names(direction)
    if not paths:
        return f"the changed place is not reachable from the root of the {accepted_by} schema"
    witnesses: list[Any] = []
    others: list[Any] = []
    values = _local_order(_local_scan(accept_node, reject_node, 6, 200, member), witnesses, others)
    events = (e for v in values for path in paths for e in embed(accept.root, path, v, limit=4))
    event = _first_split(accept, reject, events)
    if event is not _NOTHING:
        return _witness(direction, event, reject)
    if not witnesses and not others:
        return f"no value valid under the {accepted_by} schema was found at the place"
    if not witnesses:
        return f"every value tried at the place is valid under the {rejected_by} schema too"
    return f"no event around a local witness was accepted by {accepted_by} and rejected by {rejected_by}"


QUICK = 16  # whole-document candidates the fast path tries before any walk (see `quick_document`)
_ACCEPTED_FIRST: weakref.WeakKeyDictionary[Prepared, list[Any]] = weakref.WeakKeyDictionary()


def quick_document(direction: Direction, accept: Prepared, reject: Prepared) -> Witness | None:
    """What `find_document` finds among the first `QUICK` candidates only (the same events in the
    same order, so whatever this finds, `find_document` finds too). The candidates accept accepts
    are made once per document, since a matrix tries the same document against many others."""
    if accept not in _ACCEPTED_FIRST:
        events = islice(candidates(accept.root), QUICK)
        _ACCEPTED_FIRST[accept] = [copy.deepcopy(e) for e in events if accept.validator.is_valid(e)]
    for event in _ACCEPTED_FIRST[accept]:
        if not reject.validator.is_valid(event):
            return _witness(direction, event, reject)
    return None


def find_document(direction: Direction, accept: Prepared, reject: Prepared) -> Witness | str:
    """Fallback for a whole-document verdict: candidates of accept.root checked at the root."""
    accepted_by, rejected_by = _names(direction)
    event = _first_split(accept, reject, candidates(accept.root))
    if event is not _NOTHING:
        return _witness(direction, event, reject)
    return f"no candidate event was accepted by {accepted_by} and rejected by {rejected_by}"

"""Boundary instances: the values random sampling (hypothesis-jsonschema included) never draws.

hypothesis-jsonschema draws `1` for an integer, never `1.0`; it rarely lands exactly on a bound,
and never on `-0.0` or `2**53 + 1`. Those are where drafts and validators differ, so a soundness
check that only samples misses them (issue 7: draft-04 `integer` was called equal to 2020-12's
because no test ever tried `1.0`). `boundary_values(*schemas)` lists, deterministically:

- numbers: `0`, `-0.0`, `1`, `1.0`, `-1`, `0.5`, `2**53`, `2**53 + 1`, `2.0**53`, and for every
  numeric keyword value v of the schemas: v, v +- 1, v +- 1e-9 (and v +- its `multipleOf`), both
  as written and as a float when integral (`5` and `5.0`);
- strings: `""`, `"\\n"`, `"a\\n"`, `" "`, non-ASCII (`"é"`, `"日本"`, an astral emoji), `"a"*n` at
  each length bound n and n +- 1 (bounds over 4096 skipped), enum/const members;
- containers: `[]`, `{}`, arrays of each scalar above at each item-count bound and +- 1, arrays
  with duplicates, objects with every property name of the schemas set to a value of every type
  (`null`, `true`, `1`, `1.0`, `"x"`, `[]`, `{}`) and all together, plus an unnamed key;
- enum/const members, with their twins (`1` and `1.0`).

`boundary_instances(*schemas)` is the hypothesis strategy over the same list (and over values
embedded one level under each property), used next to hypothesis-jsonschema in the property tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

_SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -0.0,
    1,
    1.0,
    -1,
    -1.0,
    0.5,
    -0.5,
    2**31,
    2**53,
    2**53 + 1,
    2.0**53,
    1e300,
    "",
    "\n",
    "a\n",
    "\na",
    " ",
    "a",
    "é",
    "日本",
    "😀",
    "0",
    "1",
    "true",
    "null",
]
_EVERY_TYPE: list[Any] = [None, True, 1, 1.0, 0.5, "x", "", [], {}]
MAX_LENGTH = 4096


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a schema document (schemas, and some non-schemas: harmless here)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(v for k, v in current.items() if k not in ("enum", "const", "examples", "default"))
        elif isinstance(current, list):
            stack.extend(current)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _with_twin(value: Any) -> list[Any]:
    """The value, and its equal of the other Python type (`5` and `5.0`), where exact."""
    if isinstance(value, bool) or not _number(value):
        return [value]
    if isinstance(value, int) and abs(value) <= 2**53:
        return [value, float(value)]
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return [value, int(value)]
    return [value]


def _numbers(node: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    step = node.get("multipleOf")
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        bound = node.get(key)
        if not _number(bound) or abs(bound) > 1e300:
            continue
        near = [bound, bound + 1, bound - 1, bound + 1e-9, bound - 1e-9]
        if _number(step) and step:
            near += [bound + step, bound - step]
        for value in near:
            out += _with_twin(value)
    return out


def _lengths(node: dict[str, Any], low_key: str, high_key: str) -> list[int]:
    out: list[int] = []
    for key in (low_key, high_key):
        n = node.get(key)
        if _number(n) and 0 <= n <= MAX_LENGTH:
            out += [int(n), int(n) + 1, max(int(n) - 1, 0)]
    return out


def _names(schemas: tuple[Any, ...]) -> list[str]:
    names: set[str] = set()
    for schema in schemas:
        for node in _subschemas(schema):
            for key in ("properties", "patternProperties", "dependentRequired", "dependentSchemas", "dependencies"):
                if isinstance(node.get(key), dict):
                    names.update(str(k) for k in node[key])
            if isinstance(node.get("required"), list):
                names.update(str(k) for k in node["required"])
    return sorted(names)


def boundary_values(*schemas: Any) -> list[Any]:
    """Deterministic boundary instances for the schemas (see the module docstring)."""
    scalars: list[Any] = list(_SCALARS)
    lengths: set[int] = {0, 1, 2}
    counts: set[int] = {0, 1, 2}
    for schema in schemas:
        for node in _subschemas(schema):
            scalars += _numbers(node)
            enum = node.get("enum")
            for member in (enum if isinstance(enum, list) else []) + ([node["const"]] if "const" in node else []):
                scalars += _with_twin(member)
            lengths.update(_lengths(node, "minLength", "maxLength"))
            counts.update(_lengths(node, "minItems", "maxItems"))
            counts.update(_lengths(node, "minContains", "maxContains"))
    scalars += ["a" * n for n in sorted(lengths)] + ["é" * n for n in sorted(lengths)]
    values: list[Any] = list(scalars) + [[], {}]
    small = [v for v in scalars if not isinstance(v, str) or len(v) < 8][:40]
    for count in sorted(counts):
        values += [[v] * count for v in small[:24]]
        values.append(list(range(count)))
    names = _names(schemas)
    for name in names:
        values += [{name: v} for v in _EVERY_TYPE]
    if names:
        values += [{n: v for n in names} for v in _EVERY_TYPE]
        values.append({**{n: 1 for n in names}, "x-unnamed": 1})
    return _unique(values)


def _unique(values: list[Any]) -> list[Any]:
    """Deduplicated by JSON text, so `1` and `1.0` (and `0` and `-0.0`) both stay."""
    seen: set[str] = set()
    out: list[Any] = []
    for value in values:
        key = json.dumps(value, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def boundary_instances(*schemas: Any) -> st.SearchStrategy[Any]:
    """Hypothesis strategy over `boundary_values`, also placed one level under each property name."""
    values = boundary_values(*schemas)
    plain = st.sampled_from(values)
    names = _names(schemas)
    if not names:
        return plain
    nested = st.builds(lambda name, value: {name: value}, st.sampled_from(names), plain)
    return plain | nested

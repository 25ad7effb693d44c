"""Hypothesis strategies and checks for attacking the compatibility engine with set inclusion.

The engine claims things about *sets of documents*; the only honest way to test such a claim is to
produce documents and ask a validator. This module provides:

- schema pairs: mutations of the real CWS snapshots (`cws_pairs`, `history_pairs`) and small random
  schemas with mutations (`small_pairs`), each carrying the places where documents should be made;
- documents: `hypothesis-jsonschema` strategies for a (sub)schema, with draft 2020-12 and draft-04
  documents converted to the draft-07 dialect it understands, plus generic JSON and boundary values;
  documents for a definition are embedded into a root-level event through a carrier path;
- checks: `counterexamples` (documents accepted by one side and rejected by the other, judged by
  `cwscodegen.store.validators.make_validator`, never by the generator) and `witness_problems`.

Generation is only a heuristic for *finding* documents: every document is re-validated with
`make_validator` against the real schema before it counts, so a conversion or carrier that is
imperfect costs coverage, never correctness.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from cwscodegen.engine.changes import Direction, Effect, Report
from cwscodegen.store.refs import draft_of, escape, unescape
from cwscodegen.store.validators import make_validator, validator_class

TESTS = Path(__file__).resolve().parents[1]
SHIPPED = TESTS.parent / "schemas" / "versions"
HISTORY = TESTS / "data" / "cws-schema-history"

DRAFT_URIS = {
    "draft4": "http://json-schema.org/draft-04/schema#",
    "draft7": "http://json-schema.org/draft-07/schema#",
    "draft2020-12": "https://json-schema.org/draft/2020-12/schema",
}
SMALL_DRAFTS = tuple(DRAFT_URIS)
Draw = Callable[[st.SearchStrategy[Any]], Any]


# --------------------------------------------------------------------------- real schemas


@functools.cache
def shipped() -> tuple[tuple[str, str], ...]:
    """The shipped snapshots as (name, JSON text), in version order (text keeps them immutable)."""
    from cwscodegen.store.snapshots import list_versions

    return tuple((n, (SHIPPED / f"{n}.json").read_text(encoding="utf-8")) for n in list_versions(SHIPPED))


@functools.cache
def history() -> tuple[tuple[str, str], ...]:
    """The 59 upstream versions as (file stem, JSON text), oldest first."""
    files = sorted(HISTORY.glob("[0-9][0-9]_*.json"))
    return tuple((p.stem, p.read_text(encoding="utf-8")) for p in files)


def defs_key(document: Any) -> str | None:
    """Which definitions table a document uses (`$defs` or `definitions`), if any."""
    if isinstance(document, dict):
        for key in ("$defs", "definitions"):
            if isinstance(document.get(key), dict):
                return key
    return None


def definition_names(document: Any) -> list[str]:
    key = defs_key(document)
    return sorted(document[key]) if key else []


# --------------------------------------------------------------------------- pointers


def get_at(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.split("/")[1:]:
        key = unescape(token)
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def set_at(document: Any, pointer: str, value: Any) -> Any:
    """A deep copy of `document` with the node at `pointer` replaced (the root when pointer is '')."""
    if pointer == "":
        return copy.deepcopy(value)
    result = copy.deepcopy(document)
    tokens = [unescape(t) for t in pointer.split("/")[1:]]
    parent = get_at(result, "".join("/" + escape(t) for t in tokens[:-1]))
    last = tokens[-1]
    if isinstance(parent, list):
        parent[int(last)] = value
    else:
        parent[last] = value
    return result


_CHILD_DICTS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_CHILD_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_CHILD_ONE = (
    "additionalProperties",
    "additionalItems",
    "items",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
)


def subschemas(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every subschema position (pointer, schema) of a schema, the node itself first."""
    yield where, node
    if not isinstance(node, dict):
        return
    for key in _CHILD_DICTS:
        table = node.get(key)
        if isinstance(table, dict):
            for name, child in table.items():
                yield from subschemas(child, f"{where}/{escape(key)}/{escape(name)}")
    for key in _CHILD_LISTS:
        items = node.get(key)
        if isinstance(items, list):
            for index, child in enumerate(items):
                yield from subschemas(child, f"{where}/{escape(key)}/{index}")
    for key in _CHILD_ONE:
        child = node.get(key)
        if isinstance(child, list) and key == "items":
            for index, item in enumerate(child):
                yield from subschemas(item, f"{where}/items/{index}")
        elif isinstance(child, (dict, bool)) and key in node:
            yield from subschemas(child, f"{where}/{escape(key)}")


def rewrite_refs(node: Any, rewrite: Callable[[str], str]) -> Any:
    """A copy of `node` with every `$ref` string passed through `rewrite` (enum/const untouched)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = rewrite(value)
            elif key in ("enum", "const", "default", "examples"):
                out[key] = copy.deepcopy(value)
            else:
                out[key] = rewrite_refs(value, rewrite)
        return out
    if isinstance(node, list):
        return [rewrite_refs(v, rewrite) for v in node]
    return node


def local_fragment(document: Any, ref: str) -> str:
    """`ref` as a plain `#...` fragment (drops the document's own `$id` prefix)."""
    _head, _, fragment = ref.partition("#")
    return "#" + fragment


# --------------------------------------------------------------------------- generation dialect


def for_generation(document: Any) -> Any:
    """The document in the draft-07 dialect `hypothesis-jsonschema` understands.

    - draft 2020-12 / 2019-09: `$defs` -> `definitions`, `prefixItems`+`items` -> `items` list +
      `additionalItems`, `dependentRequired`/`dependentSchemas` -> `dependencies`, and a `$ref`
      with siblings (which 2020-12 applies) -> `allOf: [{$ref}]` beside the siblings;
    - draft-04: boolean `exclusiveMinimum`/`exclusiveMaximum` -> numeric, `id` dropped;
    - draft-06/07: `$ref` siblings dropped (those drafts ignore them).
    `unevaluated*` keywords are dropped: generation may then produce documents the real schema
    rejects, which the caller filters out.
    """
    if isinstance(document, bool):
        return document
    draft = draft_of(document)
    doc = rewrite_refs(document, lambda r: local_fragment(document, r).replace("#/$defs/", "#/definitions/"))
    converted = _convert(doc, draft)
    if not isinstance(converted, dict):
        return converted
    converted.pop("$id", None)
    converted.pop("id", None)
    converted["$schema"] = DRAFT_URIS["draft7"]
    return converted


def _convert(node: Any, draft: str) -> Any:
    if isinstance(node, list):
        return [_convert(v, draft) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("enum", "const", "default", "examples"):
            out[key] = value
        elif key in ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas"):
            out["definitions" if key == "$defs" else key] = (
                {k: _convert(v, draft) for k, v in value.items()} if isinstance(value, dict) else value
            )
        else:
            out[key] = _convert(value, draft)
    if draft in ("draft2020-12", "draft2019-09"):
        _modern_to_07(out, draft)
    elif draft == "draft4":
        _draft4_to_07(out)
    if "$ref" in out and len(out) > 1 and draft in ("draft6", "draft7", "draft4"):
        out = {"$ref": out["$ref"], **({"definitions": out["definitions"]} if "definitions" in out else {})}
    out.pop("unevaluatedProperties", None)
    out.pop("unevaluatedItems", None)
    return out


def _modern_to_07(out: dict[str, Any], draft: str) -> None:
    if draft == "draft2020-12" and "prefixItems" in out:
        prefix = out.pop("prefixItems")
        rest = out.pop("items", None)
        out["items"] = prefix
        if rest is not None:
            out["additionalItems"] = rest
    deps: dict[str, Any] = {}
    deps.update(out.pop("dependentRequired", {}) or {})
    deps.update(out.pop("dependentSchemas", {}) or {})
    if deps:
        out["dependencies"] = deps
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}, *out.get("allOf", [])]


def _draft4_to_07(out: dict[str, Any]) -> None:
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = out.get(exclusive)
        if isinstance(flag, bool):
            del out[exclusive]
            if flag and bound in out:
                out[exclusive] = out.pop(bound)
    out.pop("id", None)


@functools.lru_cache(maxsize=512)
def _documents_from_text(text: str) -> st.SearchStrategy[Any]:
    return from_schema(json.loads(text))


def documents_from(schema: Any) -> st.SearchStrategy[Any]:
    """Documents `hypothesis-jsonschema` believes valid (cached: canonicalising is the slow part).

    When it cannot handle the schema (recursive `$ref`, unsatisfiable, unsupported keyword), the
    error surfaces at draw time; `safe_documents` turns that into generic values instead.
    """
    return _documents_from_text(json.dumps(for_generation(schema), sort_keys=True))


def safe_draw(draw: Draw, strategy: st.SearchStrategy[Any], fallback: st.SearchStrategy[Any]) -> Any:
    """Draw from `strategy`, or from `fallback` if the generator raises on this schema."""
    try:
        return draw(strategy)
    except Exception as exc:  # hypothesis-jsonschema reports unsupported schemas this way
        if type(exc).__name__ in ("Unsatisfiable", "StopTest", "Frozen", "UnsatisfiedAssumption"):
            raise
        return draw(fallback)


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-4, 4)
    | st.sampled_from([0.5, -1.5, 2.0, 1e300, 3.25])
    | st.text(alphabet="ab0 @.:-TZ", max_size=5)
)
KEYS = st.sampled_from(["a", "b", "c", "d", "path", "uid", "zz"])
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)
FORMAT_SAMPLES = [
    "2024-01-01T00:00:00Z",
    "2024-01-01",
    "12:00:00Z",
    "a@b.co",
    "127.0.0.1",
    "::1",
    "example.com",
    "urn:x",
    "00000000-0000-0000-0000-000000000000",
    "not a format",
]


def interesting_values(*schemas: Any) -> list[Any]:
    """Boundary values taken from the schemas: enum/const members, bounds +-1, lengths, formats."""
    found: list[Any] = [None, True, False, 0, 1, -1, 0.5, "", "a", "ab", "abcd", [], [1], [1, 1], {}]
    found.extend(FORMAT_SAMPLES)
    for schema in schemas:
        for _, node in subschemas(schema):
            if not isinstance(node, dict):
                continue
            for value in node.get("enum", []) if isinstance(node.get("enum"), list) else []:
                found.append(value)
            if "const" in node:
                found.append(node["const"])
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
                bound = node.get(key)
                if isinstance(bound, (int, float)) and not isinstance(bound, bool):
                    found.extend([bound, bound - 1, bound + 1, bound + 0.5, bound * 2])
            for key in ("minLength", "maxLength"):
                n = node.get(key)
                if isinstance(n, int) and not isinstance(n, bool) and n < 20:
                    found.extend(["a" * n, "a" * (n + 1), "a" * max(n - 1, 0)])
            for key in ("minItems", "maxItems"):
                n = node.get(key)
                if isinstance(n, int) and not isinstance(n, bool) and n < 20:
                    found.extend([[0] * n, [0] * (n + 1), list(range(n + 1))])
    unique: list[Any] = []
    seen: set[str] = set()
    for value in found:
        key = json.dumps(value, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def value_pool(*schemas: Any) -> st.SearchStrategy[Any]:
    """Generic JSON mixed with the schemas' boundary values, and shallow containers of them."""
    boundary = st.sampled_from(interesting_values(*schemas))
    mixed = boundary | JSON_VALUES
    objects = st.dictionaries(st.sampled_from(_property_names(*schemas) or ["a"]), mixed, max_size=4)
    return mixed | objects | st.lists(boundary, max_size=3)


def _property_names(*schemas: Any) -> list[str]:
    names: set[str] = set()
    for schema in schemas:
        for _, node in subschemas(schema):
            if isinstance(node, dict):
                props = node.get("properties")
                if isinstance(props, dict):
                    names.update(props)
                req = node.get("required")
                if isinstance(req, list):
                    names.update(r for r in req if isinstance(r, str))
    return sorted(names)


# --------------------------------------------------------------------------- carriers


def resolve_local(document: Any, ref: str) -> tuple[str, Any] | None:
    fragment = local_fragment(document, ref)[1:]
    try:
        return fragment, get_at(document, fragment)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def carrier_path(document: Any, target: str) -> list[tuple[str, Any, str]] | None:
    """The shortest instance path from the root to data validated by the schema at `target`.

    Walks `$ref`, `properties`, `items` and the combinators. Each step is `(kind, key, holder)`:
    `("key", name, pointer of the object schema)` or `("index", 0, pointer of the array schema)`.
    """
    queue: deque[tuple[str, tuple[tuple[str, Any, str], ...]]] = deque([("", ())])
    seen = {""}
    while queue:
        where, path = queue.popleft()
        if where == target:
            return list(path)
        node = get_at(document, where)
        if not isinstance(node, dict):
            continue
        nexts: list[tuple[str, tuple[tuple[str, Any, str], ...]]] = []
        if isinstance(node.get("$ref"), str):
            resolved = resolve_local(document, node["$ref"])
            if resolved:
                nexts.append((resolved[0], path))
        for key in ("anyOf", "oneOf", "allOf"):
            alternatives = node.get(key)
            for index in range(len(alternatives) if isinstance(alternatives, list) else 0):
                nexts.append((f"{where}/{key}/{index}", path))
        props = node.get("properties")
        if isinstance(props, dict):
            for name in props:
                nexts.append((f"{where}/properties/{escape(name)}", path + (("key", name, where),)))
        if isinstance(node.get("items"), dict):
            nexts.append((f"{where}/items", path + (("index", 0, where),)))
        for nxt, npath in nexts:
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, npath))
    return None


@functools.lru_cache(maxsize=256)
def _carrier(text: str, target: str) -> Optional[str]:
    path = carrier_path(json.loads(text), target)
    return None if path is None else json.dumps(path)


def embed(document: Any, target: str, value: Any) -> Any | None:
    """A root-level instance that carries `value` at the place validated by `target`, or None.

    The enclosing objects are minimal instances (required properties only) of their schemas;
    whether the result is valid is for the caller's validator to decide.
    """
    if target == "":
        return value
    raw = _carrier(json.dumps(document, sort_keys=True), target)
    if raw is None:
        return None
    inner = value
    for kind, key, holder in reversed(json.loads(raw)):
        if kind == "key":
            outer = minimal_instance(document, get_at(document, holder))
            if not isinstance(outer, dict):
                outer = {}
            outer[key] = inner
            inner = outer
        else:
            inner = [inner]
    return inner


def minimal_instance(document: Any, schema: Any, depth: int = 0) -> Any:
    """A small instance that is valid for simple schemas (CWS style); a best effort otherwise."""
    if depth > 12 or not isinstance(schema, dict):
        return {}
    if isinstance(schema.get("$ref"), str):
        resolved = resolve_local(document, schema["$ref"])
        if resolved:
            return minimal_instance(document, resolved[1], depth + 1)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return copy.deepcopy(schema["enum"][0])
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key] and "type" not in schema:
            return minimal_instance(document, schema[key][0], depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else None)
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if kind == "object":
        props = schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else {}
        required = schema.get("required", []) if isinstance(schema.get("required"), list) else []
        return {name: minimal_instance(document, props.get(name, {}), depth + 1) for name in required}
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2024-01-01T00:00:00Z"
        return "a" * int(schema.get("minLength", 0))
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        return max(0, int(low) + 1) if isinstance(low, (int, float)) and not isinstance(low, bool) else 0
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "null":
        return None
    return {}


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class Pair:
    """An (old, new) schema pair, how it was made, and where documents should be generated.

    `focus` holds, per side, JSON pointers of subschemas (definitions, or '' for the root) whose
    change the pair is about: documents are generated there and embedded into root events.
    """

    old: Any
    new: Any
    label: str
    old_focus: tuple[str, ...] = ("",)
    new_focus: tuple[str, ...] = ("",)

    def swapped(self) -> Pair:
        return Pair(self.new, self.old, f"swap({self.label})", self.new_focus, self.old_focus)


def definition_of(document: Any, where: str) -> str:
    """The pointer of the definition that contains `where` ('' when it is outside any)."""
    tokens = where.split("/")
    if len(tokens) >= 3 and unescape(tokens[1]) in ("$defs", "definitions") and isinstance(document, dict):
        return "/".join(tokens[:3])
    return ""


def _type_of(node: Any) -> str | None:
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, str):
            return kind
        if isinstance(kind, list) and kind:
            return str(kind[0])
    return None


# Node operations: (node, draw, draft) -> replacement, or None when the operation does not apply.
NodeOp = Callable[[Any, Draw, str], Any]


def _leaf(draw: Draw, draft: str) -> Any:
    return draw(leaf_schemas(draft))


def op_add_property(node: Any, draw: Draw, draft: str) -> Any:
    if not isinstance(node, dict) or not (node.get("type") == "object" or "properties" in node):
        return None
    out = copy.deepcopy(node)
    name = draw(st.sampled_from(["zz_new", "path", "a", "extra_field"]))
    out.setdefault("properties", {})[name] = _leaf(draw, draft)
    if draw(st.booleans()) and draw(st.booleans()):
        out["required"] = sorted(set(out.get("required", [])) | {name})
    return out


def op_remove_property(node: Any, draw: Draw, draft: str) -> Any:
    props = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(props, dict) or not props:
        return None
    out = copy.deepcopy(node)
    name = draw(st.sampled_from(sorted(props)))
    del out["properties"][name]
    if draw(st.booleans()) and isinstance(out.get("required"), list):
        out["required"] = [r for r in out["required"] if r != name]
        if not out["required"] and draft == "draft4":
            del out["required"]
    return out


def op_required(node: Any, draw: Draw, draft: str) -> Any:
    if not isinstance(node, dict) or not (node.get("type") == "object" or "properties" in node):
        return None
    out = copy.deepcopy(node)
    required = list(out.get("required", []))
    candidates = sorted(set(out.get("properties", {})) - set(required)) + ["not_declared"]
    if required and draw(st.booleans()):
        required.remove(draw(st.sampled_from(required)))
    else:
        required.append(draw(st.sampled_from(candidates)))
    if required or draft != "draft4":
        out["required"] = required
    else:
        out.pop("required", None)
    return out


def op_additional_properties(node: Any, draw: Draw, draft: str) -> Any:
    if not isinstance(node, dict) or not (node.get("type") == "object" or "properties" in node):
        return None
    out = copy.deepcopy(node)
    choice = draw(st.sampled_from(["false", "true", "schema", "absent"]))
    if choice == "absent":
        out.pop("additionalProperties", None)
    else:
        out["additionalProperties"] = {"false": False, "true": True, "schema": {"type": "string"}}[choice]
    return out


_TYPE_CHANGES = {
    "string": ["integer", "number"],
    "integer": ["number", "string"],
    "number": ["integer", "string"],
    "boolean": ["string", "integer"],
    "array": ["object", "string"],
    "object": ["array", "string"],
    "null": ["string"],
}


def op_change_type(node: Any, draw: Draw, draft: str) -> Any:
    kind = _type_of(node)
    if kind is None:
        return {"type": draw(st.sampled_from(["string", "integer"]))} if isinstance(node, dict) else None
    out = copy.deepcopy(node)
    out["type"] = draw(st.sampled_from(_TYPE_CHANGES[kind]))
    return out


def op_nullable(node: Any, draw: Draw, draft: str) -> Any:
    if not isinstance(node, dict):
        return None
    kind = node.get("type")
    if isinstance(kind, str) and kind != "null":
        return {**copy.deepcopy(node), "type": [kind, "null"]}
    if isinstance(kind, list) and "null" not in kind:
        return {**copy.deepcopy(node), "type": [*kind, "null"]}
    if isinstance(kind, list) and "null" in kind and len(kind) > 1:
        return {**copy.deepcopy(node), "type": [k for k in kind if k != "null"]}
    return {"anyOf": [copy.deepcopy(node), {"type": "null"}]}


_ENUM_VALUES = {
    "string": ["a", "b", "open", ""],
    "integer": [0, 1, 2, -1],
    "number": [0, 1.5, 2],
    "boolean": [True, False],
}


def op_enum(node: Any, draw: Draw, draft: str) -> Any:
    if not isinstance(node, dict):
        return None
    out = copy.deepcopy(node)
    values = out.get("enum")
    if isinstance(values, list) and values:
        if len(values) > 1 and draw(st.booleans()):
            values.remove(draw(st.sampled_from(values)))
        else:
            pool = [v for v in _ENUM_VALUES.get(_type_of(node) or "string", ["x"]) if v not in values]
            values.append(draw(st.sampled_from(pool or ["added"])))
        return out
    kind = _type_of(node)
    if kind not in _ENUM_VALUES:
        return None
    out["enum"] = draw(st.lists(st.sampled_from(_ENUM_VALUES[kind]), min_size=1, max_size=3, unique=True))
    return out


def op_format(node: Any, draw: Draw, draft: str) -> Any:
    if _type_of(node) != "string":
        return None
    out = copy.deepcopy(node)
    choice = draw(st.sampled_from(["date-time", "date", "email", "ipv4", "uuid", None]))
    if choice is None:
        out.pop("format", None)
    else:
        out["format"] = choice
    return out


def op_pattern(node: Any, draw: Draw, draft: str) -> Any:
    if _type_of(node) != "string":
        return None
    out = copy.deepcopy(node)
    if "pattern" in out and draw(st.booleans()):
        del out["pattern"]
    else:
        out["pattern"] = draw(st.sampled_from(["^[a-z]*$", "^a", "b", "^.{0,3}$", "[0-9]"]))
    return out


def op_string_length(node: Any, draw: Draw, draft: str) -> Any:
    if _type_of(node) != "string":
        return None
    return _bounds(node, draw, ("minLength", "maxLength"), 0, 6)


def op_array_bounds(node: Any, draw: Draw, draft: str) -> Any:
    if _type_of(node) != "array":
        return None
    if draw(st.booleans()):
        out = copy.deepcopy(node)
        if out.get("uniqueItems"):
            del out["uniqueItems"]
        else:
            out["uniqueItems"] = True
        return out
    return _bounds(node, draw, ("minItems", "maxItems"), 0, 4)


def op_items(node: Any, draw: Draw, draft: str) -> Any:
    if _type_of(node) != "array":
        return None
    out = copy.deepcopy(node)
    out["items"] = _leaf(draw, draft)
    return out


def op_numeric_bounds(node: Any, draw: Draw, draft: str) -> Any:
    if _type_of(node) not in ("integer", "number"):
        return None
    out = copy.deepcopy(node)
    key = draw(st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]))
    if key in out and draw(st.booleans()):
        del out[key]
        if draft == "draft4" and key in ("minimum", "maximum"):
            out.pop("exclusive" + key[0].upper() + key[1:], None)
        return out
    if key == "multipleOf":
        out[key] = draw(st.sampled_from([2, 3, 0.5] if _type_of(node) == "number" else [2, 3]))
    elif draft == "draft4" and key.startswith("exclusive"):
        bound = "minimum" if key == "exclusiveMinimum" else "maximum"
        out.setdefault(bound, draw(st.integers(-3, 3)))
        out[key] = not bool(out.get(key, False))
    else:
        out[key] = draw(st.integers(-3, 3))
    return out


def _bounds(node: Any, draw: Draw, keys: tuple[str, str], low: int, high: int) -> Any:
    out = copy.deepcopy(node)
    key = draw(st.sampled_from(keys))
    if key in out and draw(st.booleans()):
        if draw(st.booleans()):
            del out[key]
        else:
            out[key] = max(0, int(out[key]) + draw(st.sampled_from([-1, 1])))
    else:
        out[key] = draw(st.integers(low, high))
    return out


def op_wrap(node: Any, draw: Draw, draft: str) -> Any:
    combinator = draw(st.sampled_from(["anyOf", "oneOf", "allOf"]))
    other = _leaf(draw, draft)
    parts = [copy.deepcopy(node), other] if draw(st.booleans()) else [other, copy.deepcopy(node)]
    if draft == "draft4":
        parts = [p if not isinstance(p, bool) else ({} if p else {"not": {}}) for p in parts]
    return {combinator: parts}


def op_not(node: Any, draw: Draw, draft: str) -> Any:
    other = _leaf(draw, draft)
    base = copy.deepcopy(node)
    if draft == "draft4":  # no boolean schemas in draft-04
        other = ({} if other else {"not": {}}) if isinstance(other, bool) else other
        base = ({} if base else {"not": {}}) if isinstance(base, bool) else base
    return {"allOf": [base, {"not": other}]}


def op_replace(node: Any, draw: Draw, draft: str) -> Any:
    return _leaf(draw, draft)


def op_description(node: Any, draw: Draw, draft: str) -> Any:
    if not isinstance(node, dict):
        return None
    return {**copy.deepcopy(node), "description": "changed words only", "title": "T"}


def op_const(node: Any, draw: Draw, draft: str) -> Any:
    if draft == "draft4":
        return None
    kind = _type_of(node)
    return {"const": draw(st.sampled_from(_ENUM_VALUES.get(kind or "string", ["a"])))}


def _is_object(node: Any, draft: str) -> bool:
    return isinstance(node, dict) and (node.get("type") == "object" or "properties" in node)


def _typed(*kinds: str) -> Callable[[Any, str], bool]:
    return lambda node, draft: _type_of(node) in kinds


def _always(node: Any, draft: str) -> bool:
    return True


def _is_dict(node: Any, draft: str) -> bool:
    return isinstance(node, dict)


# (name, applies(node, draft), operation): the predicate lets a mutation be drawn among the
# operations that apply, instead of redrawing (which Hypothesis' generation makes repetitive).
NODE_OPS: tuple[tuple[str, Callable[[Any, str], bool], NodeOp], ...] = (
    ("add-property", _is_object, op_add_property),
    ("remove-property", lambda n, d: isinstance(n, dict) and bool(n.get("properties")), op_remove_property),
    ("required", _is_object, op_required),
    ("additional-properties", _is_object, op_additional_properties),
    ("change-type", _is_dict, op_change_type),
    ("nullable", _is_dict, op_nullable),
    ("enum", lambda n, d: isinstance(n, dict) and (bool(n.get("enum")) or _type_of(n) in _ENUM_VALUES), op_enum),
    ("format", _typed("string"), op_format),
    ("pattern", _typed("string"), op_pattern),
    ("string-length", _typed("string"), op_string_length),
    ("array-bounds", _typed("array"), op_array_bounds),
    ("items", _typed("array"), op_items),
    ("numeric-bounds", _typed("integer", "number"), op_numeric_bounds),
    ("wrap", _always, op_wrap),
    ("not", _always, op_not),
    ("replace", _always, op_replace),
    ("description", _is_dict, op_description),
    ("const", lambda n, d: d != "draft4", op_const),
)


def pick(draw: Draw, items: list[Any], salt: Any) -> Any:
    """`sampled_from(items)` with the list rotated by a hash of `salt`.

    Hypothesis draws the first element of a list far more often than the others; rotating by the
    node being mutated spreads that bias over all operations/places, deterministically.
    """
    offset = zlib.crc32(json.dumps(salt, sort_keys=True, default=str).encode()) % len(items)
    return draw(st.sampled_from(items[offset:] + items[:offset]))


def mutate_node(draw: Draw, document: Any, where: str) -> tuple[Any, str] | None:
    """Apply one operation, drawn among those that apply, at `where`; None if it declined."""
    node = get_at(document, where)
    draft = draft_of(document) if isinstance(document, dict) else "draft2020-12"
    root_keys: dict[str, Any] = {}
    if where == "" and isinstance(node, dict):  # keep $schema and the definitions at the root
        root_keys = {k: node[k] for k in _ROOT_ONLY if k in node}
        node = {k: v for k, v in node.items() if k not in _ROOT_ONLY}
    name, _, op = pick(draw, [entry for entry in NODE_OPS if entry[1](node, draft)], node)
    replacement = op(node, draw, draft)
    if replacement is None:
        return None
    if root_keys:
        if not isinstance(replacement, dict):
            if draft == "draft4":
                return None  # a boolean root would lose its draft
            return replacement, f"{name}@/"
        replacement = {**root_keys, **replacement}
    return set_at(document, where, replacement), f"{name}@{where or '/'}"


_ROOT_ONLY = ("$schema", "$id", "id", "$defs", "definitions")


def rename_definition(document: Any, name: str, new_name: str) -> Any:
    """The same schema with definition `name` renamed and every reference to it rewritten."""
    key = defs_key(document)
    assert key is not None
    prefix = f"#/{key}/"

    def rewrite(ref: str) -> str:
        frag = local_fragment(document, ref)
        head = ref[: len(ref) - len(frag)]
        if frag == prefix + escape(name) or frag.startswith(prefix + escape(name) + "/"):
            return head + prefix + escape(new_name) + frag[len(prefix + escape(name)) :]
        return ref

    out = rewrite_refs(document, rewrite)
    out[key] = {(new_name if k == name else k): v for k, v in out[key].items()}
    return out


def move_definitions(document: Any) -> Any:
    """`definitions` <-> `$defs`, references rewritten: the same set of documents either way."""
    key = defs_key(document)
    assert key is not None
    other = "definitions" if key == "$defs" else "$defs"

    def rewrite(ref: str) -> str:
        frag = local_fragment(document, ref)
        head = ref[: len(ref) - len(frag)]
        return head + frag.replace(f"#/{key}/", f"#/{other}/", 1) if frag.startswith(f"#/{key}/") else ref

    out = rewrite_refs(document, rewrite)
    out[other] = out.pop(key)
    return out


def inline_reference(document: Any, where: str) -> Any | None:
    """The node at `where` (a pure `$ref`) replaced by a copy of its target: same documents."""
    node = get_at(document, where)
    if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
        return None
    resolved = resolve_local(document, node["$ref"])
    if resolved is None or resolved[0] == "" or _contains_ref_to(resolved[1], node["$ref"]):
        return None
    replacement = {k: v for k, v in node.items() if k != "$ref"}
    if replacement and draft_of(document) in ("draft4", "draft6", "draft7"):
        replacement = {}  # siblings of $ref are ignored there
    return set_at(
        document,
        where,
        {**copy.deepcopy(resolved[1]), **replacement}
        if not replacement
        else {"allOf": [copy.deepcopy(resolved[1]), replacement]},
    )


def _contains_ref_to(node: Any, ref: str) -> bool:
    return ref in json.dumps(node)


@st.composite
def cws_pairs(draw: Draw, sources: tuple[tuple[str, str], ...] | None = None, max_ops: int = 2) -> Pair:
    """A real CWS snapshot and a mutation of it (one or two operations), in random order."""
    pool = sources if sources is not None else shipped() + history()
    base_name, text = draw(st.sampled_from(pool))
    old = json.loads(text)
    new = old
    labels: list[str] = []
    focus: list[str] = []
    for _ in range(draw(st.integers(1, max_ops))):
        kind = draw(st.sampled_from(["node"] * 8 + ["rename", "move-defs", "inline-ref"]))
        names = definition_names(new)
        key = defs_key(new)
        if kind == "rename" and names:
            name = draw(st.sampled_from(names))
            new = rename_definition(new, name, name + "Renamed")
            labels.append(f"rename-definition {name}")
            focus.append(f"/{key}/{escape(name)}")
            continue
        if kind == "move-defs" and key:
            new = move_definitions(new)
            labels.append("move-definitions")
            continue
        places = [""] + [f"/{key}/{escape(n)}" for n in names]
        holder = pick(draw, places, labels)
        inner = [
            w
            for w, _ in subschemas(get_at(new, holder), holder)
            if not w[len(holder) :].startswith(("/$defs", "/definitions"))
        ]
        where = pick(draw, inner[:200], holder)
        if kind == "inline-ref":
            inlined = inline_reference(new, where)
            if inlined is not None:
                new = inlined
                labels.append(f"inline-ref@{where}")
                focus.append(holder)
            continue
        result = mutate_node(draw, new, where)
        if result is not None:
            new, label = result
            labels.append(label)
            focus.append(definition_of(new, where))
    pair = Pair(
        old, new, f"{base_name}: " + "; ".join(labels or ["identity"]), _focus_on(old, focus), _focus_on(new, focus)
    )
    return pair.swapped() if draw(st.booleans()) else pair


def _focus_on(document: Any, focus: list[str]) -> tuple[str, ...]:
    """Focus pointers that exist in `document` (after renames/moves, by definition name)."""
    names = set(definition_names(document))
    key = defs_key(document)
    out: list[str] = []
    for where in focus:
        if where == "":
            out.append("")
            continue
        name = unescape(where.split("/")[2])
        for candidate in (name, name + "Renamed", name.removesuffix("Renamed")):
            if candidate in names:
                out.append(f"/{key}/{escape(candidate)}")
                break
    return tuple(dict.fromkeys(out)) or ("",)


@st.composite
def history_pairs(draw: Draw) -> Pair:
    """Two versions of the real upstream history (consecutive mostly), focused on what changed."""
    versions = history()
    i = draw(st.integers(0, len(versions) - 2))
    j = i + 1 if draw(st.integers(0, 3)) else draw(st.integers(i + 1, len(versions) - 1))
    (old_name, old_text), (new_name, new_text) = versions[i], versions[j]
    old, new = json.loads(old_text), json.loads(new_text)
    changed = _changed_places(old, new)
    pair = Pair(old, new, f"history {old_name} -> {new_name}", _focus_on(old, changed), _focus_on(new, changed))
    return pair.swapped() if draw(st.booleans()) else pair


def _changed_places(old: Any, new: Any) -> list[str]:
    """Definitions whose text differs (by name), plus the root when its own keywords differ."""
    old_defs = {n: json.dumps(old[defs_key(old)][n], sort_keys=True) for n in definition_names(old)}
    new_defs = {n: json.dumps(new[defs_key(new)][n], sort_keys=True) for n in definition_names(new)}
    changed = [
        f"/$defs/{escape(n)}" for n in sorted(set(old_defs) | set(new_defs)) if old_defs.get(n) != new_defs.get(n)
    ]

    def strip(d):
        return {k: v for k, v in d.items() if k not in ("$defs", "definitions", "$schema", "$id")}

    if json.dumps(strip(old), sort_keys=True) != json.dumps(strip(new), sort_keys=True):
        changed.insert(0, "")
    return changed


# --------------------------------------------------------------------------- small schemas


def leaf_schemas(draft: str) -> st.SearchStrategy[Any]:
    """Small schemas without subschemas, valid for `draft`."""
    strings = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "minLength": st.integers(0, 3),
            "maxLength": st.integers(1, 5),
            "pattern": st.sampled_from(["^a", "^[a-c]*$", "b"]),
            "format": st.sampled_from(["date-time", "email", "ipv4", "date"]),
        },
    )
    numeric_optional: dict[str, st.SearchStrategy[Any]] = {
        "minimum": st.integers(-3, 3),
        "maximum": st.integers(-3, 3),
        "multipleOf": st.sampled_from([2, 3]),
    }
    if draft == "draft4":
        numeric_optional["exclusiveMinimum"] = st.booleans()
    else:
        numeric_optional["exclusiveMaximum"] = st.integers(-3, 3)
    numbers = st.fixed_dictionaries({"type": st.sampled_from(["integer", "number"])}, optional=numeric_optional)
    scalar_values = st.one_of(st.integers(-2, 2), st.sampled_from(["a", "b", "", None, True, 1.5]))
    options: list[st.SearchStrategy[Any]] = [
        strings,
        numbers,
        st.sampled_from([{}, {"type": "boolean"}, {"type": "null"}, {"type": "object"}, {"type": "array"}]),
        st.lists(
            st.sampled_from(["string", "integer", "number", "null", "boolean"]), min_size=1, max_size=3, unique=True
        ).map(lambda ts: {"type": ts}),
        st.lists(scalar_values, min_size=1, max_size=3, unique_by=lambda v: json.dumps(v)).map(lambda vs: {"enum": vs}),
    ]
    if draft != "draft4":
        options.append(st.booleans())
        options.append(scalar_values.map(lambda v: {"const": v}))
    return st.one_of(options).filter(lambda s: _check_schema(s, draft))


def _extend(draft: str) -> Callable[[st.SearchStrategy[Any]], st.SearchStrategy[Any]]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        names = st.sampled_from(["a", "b", "c"])
        obj = st.builds(
            _object_schema,
            st.dictionaries(names, children, max_size=3),
            st.lists(names, max_size=2, unique=True),
            st.one_of(st.none(), st.booleans(), children),
            st.booleans(),
        )
        array = st.builds(
            _array_schema,
            st.just(draft),
            children,
            st.lists(children, min_size=1, max_size=2),
            st.one_of(st.none(), st.booleans(), children),
            st.booleans(),
            st.one_of(st.none(), st.integers(0, 2)),
            st.one_of(st.none(), st.integers(1, 3)),
        )
        combos = st.builds(
            lambda k, xs: {k: xs},
            st.sampled_from(["anyOf", "oneOf", "allOf"]),
            st.lists(children, min_size=1, max_size=3),
        )
        negation = children.map(lambda c: {"not": c})
        return st.one_of(obj, obj, array, combos, negation).map(lambda s: _fit_draft(s, draft))

    return extend


def _object_schema(props: dict[str, Any], required: list[str], additional: Any, typed: bool) -> Any:
    out: dict[str, Any] = {"type": "object"} if typed else {}
    if props:
        out["properties"] = props
    if required:
        out["required"] = required
    if additional is not None:
        out["additionalProperties"] = additional
    return out


def _array_schema(
    draft: str, item: Any, prefix: list[Any], rest: Any, tuple_: bool, min_items: int | None, max_items: int | None
) -> Any:
    out: dict[str, Any] = {"type": "array"}
    if tuple_:
        if draft == "draft2020-12":
            out["prefixItems"] = prefix
            if rest is not None:
                out["items"] = rest
        else:
            out["items"] = prefix
            if rest is not None:
                out["additionalItems"] = rest
    else:
        out["items"] = item
    if min_items is not None:
        out["minItems"] = min_items
    if max_items is not None:
        out["maxItems"] = max_items
    return out


def _fit_draft(schema: Any, draft: str) -> Any:
    """Draft-04 has no boolean subschemas except additionalProperties/additionalItems."""
    if draft != "draft4":
        return schema

    def fix(node: Any, key: str | None) -> Any:
        if isinstance(node, bool):
            if key in ("additionalProperties", "additionalItems"):
                return node
            return {} if node else {"not": {}}
        if isinstance(node, list):
            return [fix(v, None) for v in node]
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for k, v in node.items():
                if k in ("properties",) and isinstance(v, dict):
                    out[k] = {n: fix(s, None) for n, s in v.items()}
                elif k in ("enum", "const", "required"):
                    out[k] = v
                else:
                    out[k] = fix(v, k)
            return out
        return node

    return fix(schema, None)


def _check_schema(schema: Any, draft: str) -> bool:
    document = {"$schema": DRAFT_URIS[draft], "allOf": [schema]} if draft == "draft4" else schema
    try:
        validator_class({"$schema": DRAFT_URIS[draft]}).check_schema(document)
    except Exception:
        return False
    return True


def small_schemas(draft: str) -> st.SearchStrategy[Any]:
    """A small random root schema of `draft` (keyword mix chosen to exercise the engine)."""
    leaves = st.recursive(leaf_schemas(draft), _extend(draft), max_leaves=4)
    tree = st.one_of(leaves, _extend(draft)(leaves))  # at least one level of structure, often

    def finish(schema: Any) -> Any:
        if isinstance(schema, bool):
            return schema
        return {"$schema": DRAFT_URIS[draft], **schema}

    return tree.map(finish).filter(lambda s: _check_schema(s, draft))


@st.composite
def small_pairs(draw: Draw) -> Pair:
    """A small random schema and a mutation of it (or an unrelated schema, or itself)."""
    draft = draw(st.sampled_from(SMALL_DRAFTS))
    old = draw(small_schemas(draft))
    how = draw(st.sampled_from(["mutate"] * 6 + ["mutate-twice"] * 2 + ["independent", "same"]))
    labels: list[str] = []
    if how == "independent":
        new = draw(small_schemas(draft))
        labels.append("independent")
    else:
        new = old
        for _ in range({"mutate": 1, "mutate-twice": 2, "same": 0}[how]):
            if isinstance(new, bool):
                new = draw(small_schemas(draft))
                labels.append("replace-root")
                continue
            where = pick(draw, [w for w, _ in subschemas(new)], new)
            result = mutate_node(draw, new, where)
            if result is not None:
                candidate, label = result
                if isinstance(candidate, dict) and where == "" and "$schema" not in candidate:
                    candidate = {"$schema": DRAFT_URIS[draft], **candidate}
                if _check_schema(candidate, draft):
                    new = candidate
                    labels.append(label)
    pair = Pair(old, new, f"{draft}: " + ("; ".join(labels) or "identity"))
    return pair.swapped() if draw(st.booleans()) else pair


# --------------------------------------------------------------------------- checks


def claims_inclusion(effect: Effect) -> bool:
    """COMPATIBLE and NONE both promise that no document changes verdict in that direction."""
    return effect in (Effect.COMPATIBLE, Effect.NONE)


@dataclass
class Judge:
    """Validators for one pair, built once; `accepts(side, doc)` with side 'old' or 'new'."""

    old: Any
    new: Any
    _validators: dict[str, Any] = field(default_factory=dict)

    def accepts(self, side: str, instance: Any) -> bool:
        if side not in self._validators:
            self._validators[side] = make_validator(self.old if side == "old" else self.new)
        return bool(self._validators[side].is_valid(instance))

    def reason(self, side: str, instance: Any) -> str:
        from cwscodegen.store.validators import first_error

        self.accepts(side, instance)
        error = first_error(self._validators[side], instance)
        return "" if error is None else f"{error.json_path}: {error.message}"


SOURCES = {Direction.BACKWARD: ("old", "new"), Direction.FORWARD: ("new", "old")}


def counterexamples(judge: Judge, direction: Direction, instances: Iterable[Any]) -> tuple[list[Any], int]:
    """Instances accepted by the direction's source side and rejected by its target side.

    Returns them with the number of instances the source accepted (the effective sample size).
    """
    source, target = SOURCES[direction]
    bad: list[Any] = []
    valid = 0
    for instance in instances:
        if judge.accepts(source, instance):
            valid += 1
            if not judge.accepts(target, instance):
                bad.append(instance)
    return bad, valid


def witness_problems(report: Report, judge: Judge) -> list[str]:
    """Every attached witness must be accepted by the side it names and rejected by the other,
    name the sides its direction implies, and carry `verified=True` exactly when that holds."""
    problems: list[str] = []
    for change in report.changes:
        for witness in change.witnesses:
            expected = SOURCES[witness.direction]
            holds = (
                (witness.accepted_by, witness.rejected_by) == expected
                and judge.accepts(witness.accepted_by, witness.event)
                and not judge.accepts(witness.rejected_by, witness.event)
            )
            if not holds or not witness.verified:
                problems.append(
                    f"rule {change.rule} at {change.old_pointer or change.new_pointer}: witness "
                    f"{json.dumps(witness.event)[:300]} ({witness.direction.value}, accepted_by="
                    f"{witness.accepted_by}, verified={witness.verified}) does not verify: old "
                    f"{'accepts' if judge.accepts('old', witness.event) else 'rejects'}, new "
                    f"{'accepts' if judge.accepts('new', witness.event) else 'rejects'}"
                )
    return problems


def witness_events(report: Report) -> list[Any]:
    return [w.event for c in report.changes for w in c.witnesses]


def draw_instances(draw: Draw, document: Any, focus: tuple[str, ...], count: int) -> list[Any]:
    """`count` root-level candidate instances for `document`, generated at its focus places."""
    out: list[Any] = []
    pool = value_pool(document)
    for _ in range(count):
        where = draw(st.sampled_from(focus))
        value = safe_draw(draw, documents_from(generation_schema(draw, document, where)), pool)
        if where == "" and draw(st.integers(0, 3)) == 0:
            value = draw(pool)
        instance = embed(document, where, value)
        if instance is not None:
            out.append(instance)
    return out


def generation_schema(draw: Draw, document: Any, where: str) -> Any:
    """A standalone schema for generating data at `where`, small enough to canonicalise quickly.

    The subschema gets the document's `$schema` and only the definitions it reaches. At the root of
    a big document, only the required properties and up to three others are kept: a generation
    heuristic only (every instance is re-validated against the real schema).
    """
    sub = get_at(document, where) if where else document
    if not isinstance(sub, dict) or not isinstance(document, dict):
        return sub
    out = {k: v for k, v in sub.items() if k not in ("$defs", "definitions", "$id", "id")}
    props = out.get("properties")
    if where == "" and isinstance(props, dict) and len(props) > 6:
        required = [r for r in out.get("required", []) if r in props] if isinstance(out.get("required"), list) else []
        others = draw(st.lists(st.sampled_from(sorted(props)), max_size=3, unique=True))
        out["properties"] = {k: props[k] for k in props if k in required or k in others}
    if "$schema" in document:
        out["$schema"] = document["$schema"]
    key = defs_key(document)
    if key:
        names = reachable_definitions(document, out)
        if names:
            out[key] = {n: document[key][n] for n in names}
    return out


def reachable_definitions(document: Any, start: Any) -> list[str]:
    """Names of the definitions `start` reaches through `$ref`s, transitively."""
    key = defs_key(document)
    if key is None:
        return []
    prefix = f"#/{key}/"
    found: list[str] = []
    todo = [start]
    while todo:
        node = todo.pop()
        for ref in re.findall(r'"\$ref": "([^"]*)"', json.dumps(node)):
            frag = local_fragment(document, ref)
            if frag.startswith(prefix):
                name = unescape(frag[len(prefix) :].split("/")[0])
                if name in document[key] and name not in found:
                    found.append(name)
                    todo.append(document[key][name])
    return sorted(found)


def reproducer(pair: Pair, verdicts: tuple[Effect, Effect], direction: Direction, instance: Any, judge: Judge) -> str:
    """A self-contained description of a soundness counterexample, for the bug report."""
    source, target = SOURCES[direction]
    small = len(json.dumps(pair.old)) + len(json.dumps(pair.new)) < 3000
    body = {
        "pair": pair.label,
        "verdict": {"backward": verdicts[0].value, "forward": verdicts[1].value},
        "direction": direction.value,
        "document": instance,
        "accepted_by": source,
        "rejected_by": target,
        "rejection": judge.reason(target, instance),
    }
    if small:
        body["old"], body["new"] = pair.old, pair.new
    return json.dumps(body, indent=1, default=str)[:6000]

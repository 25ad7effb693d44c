"""Resolving `$ref`s inside one schema document, without ever touching the network.

Only references into the same document are followed: `#/definitions/X`, `#/$defs/X`, any other
JSON pointer, and the document's own `$id` followed by a fragment. Anything else is a `UserError`
that names the file and the JSON pointer of the offending `$ref`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from cwscodegen.errors import UserError

DRAFTS = {
    "http://json-schema.org/draft-04/schema": "draft4",
    "http://json-schema.org/draft-06/schema": "draft6",
    "http://json-schema.org/draft-07/schema": "draft7",
    "https://json-schema.org/draft/2019-09/schema": "draft2019-09",
    "https://json-schema.org/draft/2020-12/schema": "draft2020-12",
}
DEFAULT_DRAFT = "draft2020-12"
_DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default"})
_NAME_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"})
_IN_PLACE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else")
_IN_PLACE_MAPS = ("dependentSchemas", "dependencies")
_MISSING = object()
ALL_DRAFTS = tuple(DRAFTS.values())  # oldest first
DRAFT_LABELS = {
    "draft4": "draft-04",
    "draft6": "draft-06",
    "draft7": "draft-07",
    "draft2019-09": "2019-09",
    "draft2020-12": "2020-12",
}


def escape(token: str) -> str:
    """Escape one JSON-pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Undo `escape`."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens: str | int) -> str:
    """Join tokens into a JSON pointer: `pointer("properties", "a/b")` is `/properties/a~1b`."""
    return "".join("/" + escape(str(t)) for t in tokens)


def declared_draft(document: Any) -> str | None:
    """The draft a document declares in `$schema` (http/https and a trailing `#` ignored), or
    None when it declares none we know: then every reader may apply its own default draft."""
    if not isinstance(document, Mapping) or not isinstance(document.get("$schema"), str):
        return None
    return known_draft(document["$schema"])


def draft_of(document: Any) -> str:
    """The draft a document declares, else 2020-12 (the current draft).

    Validation and code generation read an undeclared document (such as snapshot v1, taken
    verbatim from the seed) as 2020-12; the compatibility engine does not rely on that reading:
    it decides under every draft that accepts the document (`validators.accepting_drafts`).
    An unknown `$schema` never gets this far: `check_dialects` refuses it at load.
    """
    return declared_draft(document) or DEFAULT_DRAFT


def known_draft(uri: str) -> str | None:
    """The draft a `$schema` URI names (http/https and a trailing `#` ignored), or None."""
    bare = uri.rstrip("#").split("://", 1)[-1]
    for known, name in DRAFTS.items():
        if bare == known.split("://", 1)[-1]:
            return name
    return None


def check_dialects(document: Any, source: str) -> None:
    """A `UserError` naming the file and place of any `$schema` that is not a known draft.

    Meta-schemas come only from the installed libraries: an unknown `$schema` is refused here,
    before any library could try to fetch it (jsonschema-rs retrieves unknown meta-schemas over
    HTTP, or from a `file://` path)."""
    for where, node in schema_nodes(document):
        uri = node.get("$schema", "")
        if not isinstance(uri, str) or (uri and known_draft(uri) is None):
            raise UserError(
                f"{source}: $schema at {where or '/'}: {uri!r} is not a known draft "
                f"(known: {', '.join(DRAFTS)}; meta-schemas are never fetched)"
            )


def schema_nodes(document: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """`(json_pointer, schema)` of every object in a schema position, without recursion.

    Keys of `properties`-like maps are names, not keywords (a property may be called `$schema` or
    `enum`), and `enum`/`const`/`examples`/`default` hold data, so neither is searched for keywords."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, where = stack.pop()
        if not isinstance(node, Mapping):
            continue
        yield where, node
        found: list[tuple[Any, str]] = []
        for key, value in node.items():
            if key in _DATA_KEYWORDS:
                continue
            at = f"{where}/{escape(str(key))}"
            if key in _NAME_MAPS and isinstance(value, Mapping):
                found.extend((child, f"{at}/{escape(str(name))}") for name, child in value.items())
            elif isinstance(value, list):
                found.extend((child, f"{at}/{i}") for i, child in enumerate(value))
            else:
                found.append((value, at))
        stack.extend(reversed(found))


def definitions(document: Any) -> dict[str, tuple[str, Any]]:
    """Named definitions of a document, `{name: (json_pointer, schema)}`, from both spellings."""
    found: dict[str, tuple[str, Any]] = {}
    if isinstance(document, Mapping):
        for key in ("definitions", "$defs"):
            table = document.get(key)
            if isinstance(table, Mapping):
                for name, schema in table.items():
                    found.setdefault(name, (pointer(key, name), schema))
    return found


def iter_refs(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` in a document as `(json_pointer_of_the_ref_keyword_owner, ref_string)`."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield where, ref
        for key, value in node.items():
            if key in ("enum", "const", "examples", "default"):
                continue
            yield from iter_refs(value, where + "/" + escape(str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_refs(value, f"{where}/{index}")


def _anchors(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Plain-name fragments: `$anchor` (2019-09+) and `$id`/`id` of the form `#name` (drafts 4-7)."""
    if isinstance(node, Mapping):
        for key in ("$anchor", "$dynamicAnchor", "$id", "id"):
            value = node.get(key)
            if isinstance(value, str) and value:
                name = value if key in ("$anchor", "$dynamicAnchor") else value[1:] if value.startswith("#") else ""
                if name and not name.startswith("/"):
                    yield name, where
        for key, child in node.items():
            if key not in ("enum", "const", "examples", "default"):
                yield from _anchors(child, f"{where}/{escape(str(key))}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _anchors(child, f"{where}/{i}")


class Resolver:
    """Looks up local references of one document; `source` names the file in error messages."""

    def __init__(self, document: Any, source: str) -> None:
        self.document = document
        self.source = source
        base = document.get("$id") if isinstance(document, Mapping) else None
        self._base = str(base).split("#", 1)[0] if isinstance(base, str) else None
        found = list(_anchors(document, ""))
        self._anchors = dict(found)
        # Names defined twice: jsonschema keeps the first it crawls, this resolver the last.
        counts = Counter(name for name, _where in found)
        self.duplicate_anchors = frozenset(name for name, count in counts.items() if count > 1)

    def target(self, ref: str, where: str, keyword: str = "$ref") -> str:
        """The JSON pointer inside this document that `ref` (found at `where`) points to."""
        head, _sep, fragment = ref.partition("#")
        if head and head != self._base:
            raise UserError(
                f"{self.source}: {keyword} at {where or '/'}: {ref!r} points outside this document "
                "(remote references are never fetched)"
            )
        fragment = unquote(fragment)
        if fragment in self.duplicate_anchors:
            raise UserError(
                f"{self.source}: {keyword} at {where or '/'}: {ref!r} names an anchor defined more than once in this "
                "document (validators differ on which one it means)"
            )
        if fragment and not fragment.startswith("/") and fragment in self._anchors:
            return self._anchors[fragment]
        if fragment and not fragment.startswith("/"):
            raise UserError(
                f"{self.source}: {keyword} at {where or '/'}: {ref!r} names no $anchor, $dynamicAnchor or "
                "#-fragment id in this document (and is not a JSON pointer)"
            )
        return fragment

    def resolve(self, ref: str, where: str, keyword: str = "$ref") -> tuple[str, Any]:
        """`(target_pointer, schema)` for `ref`, or a `UserError` naming file and place."""
        target = self.target(ref, where, keyword)
        node = self._at(target)
        if node is _MISSING:
            raise UserError(
                f"{self.source}: {keyword} at {where or '/'}: {ref!r} does not resolve (nothing at {target})"
            )
        return target, node

    def check_all(self) -> None:
        """Check every reference once, so a bad one fails at load time, not mid-command.

        `$ref` and `$dynamicRef` must resolve inside the document, `$recursiveRef` must be `#`,
        only the root may change the base URI (`$id`, `id` in draft 4: an embedded resource would
        make jsonschema look references up elsewhere), and no chain of references and in-place
        applicators (`allOf`, `not`, ...) may loop back to where it started: such a schema has no
        meaning, and validating against it never ends."""
        id_keyword = "id" if draft_of(self.document) == "draft4" else "$id"
        for where, node in schema_nodes(self.document):
            for keyword in ("$ref", "$dynamicRef"):
                if keyword in node:
                    ref = node[keyword]
                    if not isinstance(ref, str):
                        raise UserError(
                            f"{self.source}: {keyword} at {where or '/'}: must be a string, got {ref!r:.40}"
                        )
                    self.resolve(ref, where, keyword)
            if "$recursiveRef" in node and node["$recursiveRef"] != "#":
                raise UserError(f"{self.source}: $recursiveRef at {where or '/'}: only '#' is supported")
            embedded = node.get(id_keyword) if where else None
            if isinstance(embedded, str) and not embedded.startswith("#") and embedded.split("#")[0] != self._base:
                raise UserError(
                    f"{self.source}: {id_keyword} at {where}: {embedded!r:.80} starts an embedded schema resource, "
                    "which is not supported (only the root may set a base URI)"
                )
        self._check_loops()

    def _check_loops(self) -> None:
        """A `UserError` for a reference loop that never reaches an instance keyword (A -> B -> A)."""
        state: dict[str, int] = {}  # 1: on the current path, 2: finished
        for start, _node in schema_nodes(self.document):
            if start in state:
                continue
            path: list[str] = []
            stack: list[tuple[str, Iterator[str]]] = [(start, self._in_place(start))]
            state[start] = 1
            path.append(start)
            while stack:
                here, edges = stack[-1]
                step = next(edges, None)
                if step is None:
                    stack.pop()
                    path.pop()
                    state[here] = 2
                elif state.get(step) == 1:
                    loop = path[path.index(step) :] + [step]
                    raise UserError(
                        f"{self.source}: $ref at {loop[0] or '/'}: references loop back without reaching a schema "
                        f"that checks anything ({' -> '.join(p or '/' for p in loop)})"
                    )
                elif step not in state:
                    state[step] = 1
                    path.append(step)
                    stack.append((step, self._in_place(step)))

    def _in_place(self, where: str) -> Iterator[str]:
        """Pointers of the schemas applied to the same instance as the schema at `where`."""
        node = self._at(where)
        if not isinstance(node, Mapping):
            return
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if isinstance(ref, str):
                yield self.target(ref, where)
        if node.get("$recursiveRef") == "#" and declared_draft(self.document) in ("draft2019-09", None):
            yield ""  # the root: one schema resource (2019-09, or a reading of an undeclared document)
        for keyword in _IN_PLACE:
            value = node.get(keyword)
            if isinstance(value, list):
                yield from (f"{where}/{keyword}/{i}" for i in range(len(value)))
            elif isinstance(value, (Mapping, bool)):
                yield f"{where}/{keyword}"
        for keyword in _IN_PLACE_MAPS:
            value = node.get(keyword)
            if isinstance(value, Mapping):
                yield from (f"{where}/{keyword}/{escape(str(k))}" for k, v in value.items() if isinstance(v, Mapping))

    def _at(self, where: str) -> Any:
        """The value at JSON pointer `where`, or `_MISSING`."""
        node = self.document
        for token in where.split("/")[1:]:
            key = unescape(token)
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isascii() and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return _MISSING
        return node

"""Resolving `$ref`s inside one schema document, without ever touching the network.

Only references into the same document are followed: `#/definitions/X`, `#/$defs/X`, any other
JSON pointer, and the document's own `$id` followed by a fragment. Anything else is a `UserError`
that names the file and the JSON pointer of the offending `$ref`.
"""

from __future__ import annotations

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
ALL_DRAFTS = tuple(DRAFTS.values())  # oldest first
DRAFT_LABELS = {
    "draft4": "draft-04", "draft6": "draft-06", "draft7": "draft-07",
    "draft2019-09": "2019-09", "draft2020-12": "2020-12",
}  # fmt: skip


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
    uri = str(document["$schema"]).rstrip("#")
    for known, name in DRAFTS.items():
        if uri.split("://", 1)[-1] == known.split("://", 1)[-1]:
            return name
    return None


def draft_of(document: Any) -> str:
    """The draft a document declares, else 2020-12 (the current draft).

    Validation and code generation read an undeclared document (such as snapshot v1, taken
    verbatim from the seed) as 2020-12; the compatibility engine does not rely on that reading:
    it decides under every draft that accepts the document (`validators.accepting_drafts`).
    """
    return declared_draft(document) or DEFAULT_DRAFT


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
        for key in ("$anchor", "$id", "id"):
            value = node.get(key)
            if isinstance(value, str) and value:
                name = value if key == "$anchor" else value[1:] if value.startswith("#") else ""
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
        self._anchors = dict(_anchors(document, ""))

    def target(self, ref: str, where: str) -> str:
        """The JSON pointer inside this document that `ref` (found at `where`) points to."""
        head, _sep, fragment = ref.partition("#")
        if head and head != self._base:
            raise UserError(
                f"{self.source}: $ref at {where or '/'}: {ref!r} points outside this document "
                "(remote references are never fetched)"
            )
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/") and fragment in self._anchors:
            return self._anchors[fragment]
        if fragment and not fragment.startswith("/"):
            raise UserError(f"{self.source}: $ref at {where or '/'}: {ref!r} is not a JSON pointer")
        return fragment

    def resolve(self, ref: str, where: str) -> tuple[str, Any]:
        """`(target_pointer, schema)` for `ref`, or a `UserError` naming file and place."""
        target = self.target(ref, where)
        node = self.document
        for token in target.split("/")[1:]:
            key = unescape(token)
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise UserError(
                    f"{self.source}: $ref at {where or '/'}: {ref!r} does not resolve (nothing at {target})"
                )
        return target, node

    def check_all(self) -> None:
        """Resolve every `$ref` once, so bad references fail at load time, not mid-command."""
        for where, ref in iter_refs(self.document):
            self.resolve(ref, where)

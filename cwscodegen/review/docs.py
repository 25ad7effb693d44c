"""The Markdown reference of one snapshot, in the layout of the seed "Backend event Documentation".

The layout is copied from `tests/data/seed/backend_event_doc.md` (the document snapshot v1 was
taken from), so that v1 renders byte for byte as the seed, and every later snapshot reads like
it:

- a fixed title and sentence, then the root schema without its definitions as
  `BACKEND_EVENT_SCHEMA = {...}` (JSON, 4-space indentation, keys in document order);
- the root parameter table: `$ref` rows say `Please see [Name](#anchor)`, other rows give the
  `type` and the description (empty when there is none);
- one `` ## `Name` `` section per definition, sorted by name (the seed's order; every upstream
  snapshot also stores them sorted), with its JSON, a field table listing only the properties
  that have a description, and a table of the definitions it references (first use order, each
  once). The blank lines between the parts are the seed's, including the ones left where a
  table is absent.

`definitions` (draft-04) and `$defs` (2019-09/2020-12) are both read. Table cells are the
schema's text verbatim, except that `|` is escaped and line breaks become spaces, so a
description can never break a table (no shipped or historical snapshot has either).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from cwscodegen.store.refs import Resolver, definitions, escape, iter_refs
from cwscodegen.store.validators import check_schema

TITLE = "# Backend event Documentation"
SENTENCE = "The CWS event sent to the backend by the security agent respects the following schema:"
DEFINITION_KEYS = ("definitions", "$defs")


def render(document: Any, source: str = "<schema>") -> str:
    """The whole Markdown reference of a schema document (`source` names it in error messages).

    The document must pass its draft's meta-schema, as in every other command: a reference of a
    schema that `diff` and `generate` refuse would document something no tool accepts."""
    check_schema(document, source)
    links = _Links(document, source)
    table = definitions(document)
    parts = [_root_section(document, links)]
    parts += [_definition_section(name, table[name][1], links) for name in sorted(table)]
    return "".join(parts) + "\n"  # the seed ends with one more blank line


def anchor(name: str) -> str:
    """The anchor GitHub gives the heading `` ## `name` ``: lower case, punctuation dropped."""
    return re.sub(r"[^\w\- ]", "", name.lower()).replace(" ", "-")


class _Links:
    """Turns a `$ref` into a link to the section of the definition it points to."""

    def __init__(self, document: Any, source: str) -> None:
        self._resolver = Resolver(document, source)
        self._names = {where: name for name, (where, _) in definitions(document).items()}

    def to(self, ref: str, where: str) -> str:
        """`[Name](#name)`; a reference to anything but a definition is shown as code."""
        name = self._names.get(self._resolver.target(ref, where))
        return f"[{name}](#{anchor(name)})" if name is not None else f"`{ref}`"

    def used_by(self, schema: Any) -> list[str]:
        """Links to everything `schema` references, in order of first use, each once."""
        return list(dict.fromkeys(self.to(ref, where) for where, ref in iter_refs(schema)))


def _root_section(document: Any, links: _Links) -> str:
    root = (
        {k: v for k, v in document.items() if k not in DEFINITION_KEYS} if isinstance(document, Mapping) else document
    )
    lines = [TITLE, "", SENTENCE, "```", f"BACKEND_EVENT_SCHEMA = {_json(root)}", "```", ""]
    lines += ["| Parameter | Type | Description |", "| --------- | ---- | ----------- |"]
    for key, schema in _properties(document).items():
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        if isinstance(ref, str):
            kind, text = "$ref", f"Please see {links.to(ref, '/properties/' + escape(key))}"
        else:
            kind, text = _type_of(schema), _cell(_description(schema))
        lines.append(f"| `{_cell(key)}` | {_cell(kind)} | {text} |")
    return "\n".join(lines) + "\n\n"


def _definition_section(name: str, schema: Any, links: _Links) -> str:
    fields = [(key, _description(prop)) for key, prop in _properties(schema).items() if _description(prop)]
    used = links.used_by(schema)
    text = f"## `{name}`\n\n```\n{_json(schema)}\n```\n\n"
    if fields:
        text += "| Field | Description |\n| ----- | ----------- |\n"
        text += "".join(f"| `{_cell(key)}` | {_cell(desc)} |\n" for key, desc in fields)
    text += "\n"
    if used:
        text += "| References |\n| ---------- |\n" + "".join(f"| {target} |\n" for target in used)
    return text + "\n"


def _properties(schema: Any) -> Mapping[str, Any]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def _type_of(schema: Any) -> str:
    kind = schema.get("type") if isinstance(schema, Mapping) else None
    if isinstance(kind, list):
        return ", ".join(str(k) for k in kind)
    return str(kind) if kind is not None else ""


def _description(schema: Any) -> str:
    text = schema.get("description") if isinstance(schema, Mapping) else None
    return text if isinstance(text, str) else ""


def _cell(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", " ", text).replace("|", "\\|")


def _json(value: Any) -> str:
    return json.dumps(value, indent=4, ensure_ascii=False)

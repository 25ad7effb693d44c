"""One place that builds a `jsonschema` validator for a schema document.

Everything that checks an instance against a snapshot (witness verification, `validate`, tests)
goes through `make_validator`, so the draft, the format semantics and the no-network rule are the
same everywhere:
- the draft is the one the document declares in `$schema` (`refs.draft_of`);
- `format` is ASSERTED (date-time needs rfc3339-validator, a declared dependency): the cautious
  reading, and the one the compatibility engine uses;
- `$ref`s resolve inside the document only; a registry that refuses every retrieval means a remote
  reference can never trigger a download.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.exceptions import NoSuchResource

from cwscodegen.store.refs import draft_of

_CLASSES: dict[str, type[Validator]] = {
    "draft4": jsonschema.Draft4Validator,
    "draft6": jsonschema.Draft6Validator,
    "draft7": jsonschema.Draft7Validator,
    "draft2019-09": jsonschema.Draft201909Validator,
    "draft2020-12": jsonschema.Draft202012Validator,
}


def _refuse(uri: str) -> Any:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


_OFFLINE: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]


def validator_class(document: Any, draft: str | None = None) -> type[Validator]:
    """The jsonschema validator class for `draft`, by default the draft `document` declares."""
    return _CLASSES[draft or draft_of(document)]


def make_validator(
    document: Any, keywords: Mapping[str, Callable[..., Any]] | None = None, draft: str | None = None
) -> Validator:
    """A draft-correct validator with format assertion and no network access.

    `keywords` replaces keyword implementations; `fastcheck.pruned_validator` uses it to skip
    `$ref` subtrees already proved valid, which must leave the errors unchanged. `draft` reads
    the document under another draft than the one it declares (an undeclared document's readings)."""
    cls = validator_class(document, draft)
    if keywords:
        cls = jsonschema.validators.extend(cls, dict(keywords))  # type: ignore[no-untyped-call]
    return cls(document, registry=_OFFLINE, format_checker=cls.FORMAT_CHECKER)


def first_error(validator: Validator, instance: Any) -> jsonschema.ValidationError | None:
    """The most relevant validation error, or None when the instance is valid."""
    error: jsonschema.ValidationError | None = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    return error


def accepting_drafts(document: Any) -> tuple[str, ...]:
    """The supported drafts whose meta-schema accepts `document`, oldest first (its readings when
    it declares no `$schema`). Checked with jsonschema, offline (the meta-schemas ship with it)."""
    from cwscodegen.errors import UserError
    from cwscodegen.store.refs import ALL_DRAFTS

    try:
        _check_patterns(document, "")  # `format: regex` in every draft's meta-schema
    except UserError:
        return ()
    return tuple(d for d in ALL_DRAFTS if _meta_valid(document, d))


def _meta_valid(document: Any, draft: str) -> bool:
    cls = _CLASSES[draft]
    try:
        cls.check_schema(document)
    except jsonschema.exceptions.SchemaError:
        return False
    return True


def check_schema(document: Any, source: str, draft: str | None = None) -> None:
    """A `UserError` naming the file and the JSON pointer when `document` breaks its draft's
    meta-schema (`"type": 5`, `"required": "x"`, an invalid `pattern`), before any tool (the code
    generator, the compatibility engine) trips over it.

    jsonschema's own meta-schema check costs about 80 ms on a 2020-12 CWS snapshot, more than a
    whole diff; jsonschema-rs answers the same question in under a millisecond, so it goes first
    and jsonschema only explains a failure. jsonschema-rs does not assert `format: regex` in the
    meta-schema, so patterns are compiled here."""
    from cwscodegen.errors import UserError
    from cwscodegen.store.refs import check_dialects

    check_dialects(document, source)  # before jsonschema-rs, which would fetch an unknown meta-schema
    if draft is not None and draft != draft_of(document):
        _check_as(document, source, draft)
        return
    try:
        import jsonschema_rs

        fast_ok: bool | None = bool(jsonschema_rs.meta.is_valid(document))
    except ImportError:  # pragma: no cover - a declared dependency; jsonschema alone still works
        fast_ok = None
    except Exception:  # a document jsonschema-rs cannot take: let jsonschema judge it
        fast_ok = None
    if fast_ok:
        _check_patterns(document, source)
        return
    _check_as(document, source, draft_of(document))
    if fast_ok is False:
        raise UserError(f"{source}: not a valid JSON Schema for its draft ({draft_of(document)})")


def _check_as(document: Any, source: str, draft: str) -> None:
    """jsonschema's meta-schema check under `draft`, as one `UserError` line naming the place."""
    from cwscodegen.errors import UserError
    from cwscodegen.store.refs import pointer

    try:
        _CLASSES[draft].check_schema(document)
    except jsonschema.exceptions.SchemaError as exc:
        message = " ".join(exc.message.split())
        message = message if len(message) <= 160 else message[:157] + "..."
        raise UserError(
            f"{source}: not a valid JSON Schema at {pointer(*exc.absolute_path) or '/'}: {message}"
        ) from None
    _check_patterns(document, source)


def _check_patterns(node: Any, source: str, where: str = "") -> None:
    """Every `pattern` and `patternProperties` key compiles (what jsonschema's `regex` format asks)."""
    import re

    from cwscodegen.errors import UserError
    from cwscodegen.store.refs import escape

    if isinstance(node, dict):
        candidates = [(f"{where}/pattern", node.get("pattern"))]
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict):
            candidates += [(f"{where}/patternProperties/{escape(k)}", k) for k in patterns]
        for at, pattern in candidates:
            if isinstance(pattern, str):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise UserError(
                        f"{source}: not a valid JSON Schema at {at}: {pattern!r} is not a 'regex' ({exc})"
                    ) from None
        for key, child in node.items():
            if key not in ("enum", "const", "examples", "default"):
                _check_patterns(child, source, f"{where}/{escape(str(key))}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            _check_patterns(child, source, f"{where}/{i}")

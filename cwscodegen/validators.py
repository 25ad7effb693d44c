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

from cwscodegen.refs import draft_of

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


def validator_class(document: Any) -> type[Validator]:
    """The jsonschema validator class for the draft `document` declares."""
    return _CLASSES[draft_of(document)]


def make_validator(document: Any, keywords: Mapping[str, Callable[..., Any]] | None = None) -> Validator:
    """A draft-correct validator with format assertion and no network access.

    `keywords` replaces keyword implementations; `fastcheck.pruned_validator` uses it to skip
    `$ref` subtrees already proved valid, which must leave the errors unchanged."""
    cls = validator_class(document)
    if keywords:
        cls = jsonschema.validators.extend(cls, dict(keywords))  # type: ignore[no-untyped-call]
    return cls(document, registry=_OFFLINE, format_checker=cls.FORMAT_CHECKER)


def first_error(validator: Validator, instance: Any) -> jsonschema.ValidationError | None:
    """The most relevant validation error, or None when the instance is valid."""
    error: jsonschema.ValidationError | None = jsonschema.exceptions.best_match(
        validator.iter_errors(instance)
    )
    return error

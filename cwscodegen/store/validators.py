"""One place that builds a `jsonschema` validator for a schema document.

Everything that checks an instance against a snapshot (witness verification, `validate`, tests)
goes through `make_validator`, so the draft, the format semantics, the pattern dialect and the
no-network rule are the same everywhere:
- the draft is the one the document declares in `$schema` (`refs.draft_of`);
- `pattern`, `patternProperties`, and the pattern matching inside `additionalProperties` and
  `unevaluatedProperties` read patterns as ECMA-262 does, in linear time (`ecma`), never with
  Python's backtracking `re`: jsonschema's keyword functions are replaced (`validator_class`);
- `format` is ASSERTED (date-time needs rfc3339-validator, a declared dependency): the cautious
  reading, and the one the compatibility engine uses. `format_checker` fixes what the installed
  checkers get wrong: `date-time` and `time` took a final newline (their regex ends in `$`), and
  `regex` means a pattern this project can run (`check_schema` asks the same of `pattern`);
- `$ref`s resolve inside the document only; a registry that refuses every retrieval means a remote
  reference can never trigger a download.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import jsonschema
from jsonschema import FormatChecker
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry
from referencing.exceptions import NoSuchResource

from cwscodegen.store import ecma
from cwscodegen.store.refs import draft_of

_PLAIN: dict[str, type[Validator]] = {
    "draft4": jsonschema.Draft4Validator,
    "draft6": jsonschema.Draft6Validator,
    "draft7": jsonschema.Draft7Validator,
    "draft2019-09": jsonschema.Draft201909Validator,
    "draft2020-12": jsonschema.Draft202012Validator,
}
_DRAFT_OF_CLASS = {cls: draft for draft, cls in _PLAIN.items()}


def _refuse(uri: str) -> Any:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


_OFFLINE: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]


def _no_final_newline(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`check`, refusing a string that ends in a newline (which a regex ending in `$` lets by)."""

    def checked(instance: Any) -> Any:
        if isinstance(instance, str) and instance.endswith("\n"):
            return False
        return check(instance)

    return checked


def _is_regex(instance: Any) -> bool:
    """`format: regex`: a pattern `check_schema` would take (Python's `re` compiles it, as
    jsonschema's checker asks, and the linear-time ECMA engine can run it). Compiling only."""
    if not isinstance(instance, str):
        return True
    re.compile(instance)
    return ecma.runnable(instance)


_FIXED_NEWLINE = ("date-time", "time")
_CHECKERS: dict[type[Validator], FormatChecker] = {}


def format_checker(plain: type[Validator]) -> FormatChecker:
    """The format checker for jsonschema's validator class `plain`: its own, with the fixes above."""
    if plain not in _CHECKERS:
        checker = FormatChecker(())
        checker.checkers = dict(plain.FORMAT_CHECKER.checkers)
        for name in _FIXED_NEWLINE:
            if name in checker.checkers:
                function, raises = checker.checkers[name]
                checker.checkers[name] = (_no_final_newline(function), raises)
        if "regex" in checker.checkers:
            checker.checkers["regex"] = (_is_regex, re.error)
        _CHECKERS[plain] = checker
    return _CHECKERS[plain]


_ECMA: dict[type[Validator], type[Validator]] = {}


def _ecma_class(plain: type[Validator]) -> type[Validator]:
    """jsonschema's class `plain` with the ECMA pattern keywords and the fixed format checker."""
    if plain not in _ECMA:
        draft = _DRAFT_OF_CLASS.get(plain, "draft2020-12")
        cls = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
            plain, ecma.keywords(plain.VALIDATORS, draft), format_checker=format_checker(plain)
        )
        _ECMA[plain] = _keeping_dialect(cls, plain)
    return _ECMA[plain]


def _keeping_dialect(cls: type[Validator], plain: type[Validator]) -> type[Validator]:
    """`cls` whose `evolve` keeps the ECMA keywords. jsonschema's `evolve` (used for every
    subschema and `$ref`) switches to its registered class when the subschema has a `$schema`,
    which would bring `re` back: a `$schema` of `plain`'s own draft keeps `cls`, another draft
    gets that draft's ECMA class (extra `keywords` of `make_validator` are dropped there, as
    jsonschema itself would drop them)."""
    fields = [(field.name, field.alias) for field in attrs.fields(cls) if field.init]  # type: ignore[arg-type]

    def evolve(self: Any, **changes: Any) -> Any:
        schema = changes.setdefault("schema", self.schema)
        target = type(self)
        if isinstance(schema, Mapping) and "$schema" in schema:
            switched = validator_for(schema, default=plain)
            if switched is not plain:
                target = _ecma_class(switched)
        for name, alias in fields:
            if alias not in changes:
                changes[alias] = getattr(self, name)
        return target(**changes)

    cls.evolve = evolve  # type: ignore[method-assign]
    return cls


def jsonschema_class(document: Any, draft: str | None = None) -> type[Validator]:
    """jsonschema's own class for `draft` (by default the document's), the one its `validator_for`
    picks for that draft's `$schema`; validators are made of `validator_class`."""
    return _PLAIN[draft or draft_of(document)]


def validator_class(document: Any, draft: str | None = None) -> type[Validator]:
    """The validator class for `draft`, by default the draft `document` declares: jsonschema's,
    reading patterns as ECMA-262 in linear time, with `format_checker`'s checks."""
    return _ecma_class(jsonschema_class(document, draft))


def make_validator(
    document: Any, keywords: Mapping[str, Callable[..., Any]] | None = None, draft: str | None = None
) -> Validator:
    """A draft-correct validator with format assertion, ECMA patterns and no network access.

    `keywords` replaces keyword implementations; `fastcheck.pruned_validator` uses it to skip
    `$ref` subtrees already proved valid, which must leave the errors unchanged. `draft` reads
    the document under another draft than the one it declares (an undeclared document's readings).
    A pattern the linear-time engine cannot run raises `ecma.PatternError` when it is used: the
    engine then leaves the question undecided, `validate` refuses such a document first."""
    plain = _PLAIN[draft or draft_of(document)]
    cls = _ecma_class(plain)
    if keywords:
        extended = jsonschema.validators.extend(cls, dict(keywords))  # type: ignore[no-untyped-call]
        cls = _keeping_dialect(extended, plain)
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
    cls = _PLAIN[draft]
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
        _PLAIN[draft].check_schema(document)
    except jsonschema.exceptions.SchemaError as exc:
        message = " ".join(exc.message.split())
        message = message if len(message) <= 160 else message[:157] + "..."
        raise UserError(
            f"{source}: not a valid JSON Schema at {pointer(*exc.absolute_path) or '/'}: {message}"
        ) from None
    _check_patterns(document, source)


def _check_patterns(document: Any, source: str) -> None:
    """Every `pattern` and `patternProperties` key compiles with Python's `re` (what jsonschema's
    `regex` format asks of them in the meta-schema). Compiling only: nothing is matched. A pattern
    the linear-time engine cannot run (lookaround) passes: the engine leaves what depends on it
    undecided, and `validate` refuses it (`check_runnable`)."""
    from cwscodegen.errors import UserError

    for at, pattern in ecma.pattern_places(document):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UserError(
                f"{source}: not a valid JSON Schema at {at}: {pattern!r} is not a 'regex' ({exc})"
            ) from None


def check_runnable(document: Any, source: str) -> None:
    """A `UserError` naming the file and place of the first pattern the linear-time ECMA engine
    cannot run (lookaround, backreferences, a huge repetition): `validate` asks only this."""
    from cwscodegen.errors import UserError

    for at, pattern in ecma.pattern_places(document):
        try:
            ecma.check(pattern)
        except ecma.PatternError as exc:
            raise UserError(f"{source}: pattern at {at}: {exc}") from None

"""The project's one reader of `pattern`s: ECMA-262, in linear time, never Python's `re`.

JSON Schema patterns are ECMA-262 regular expressions used as a search. Python's `re` reads them
otherwise (`$` also matches before a final newline, `\\d` is any Unicode digit) and backtracks:
`^(a+)+$` takes exponential time on `"aaa...a!"`. Snapshots arrive in pull requests, so a pattern
is untrusted code; every match the project runs (validating events, verifying witnesses, finding
samples) goes through `search` here.

`search` runs jsonschema-rs's `pattern` keyword on its standard-regex engine (the Rust `regex`
crate: a finite automaton, linear in the string whatever the pattern). jsonschema-rs translates
ECMA-262 syntax first: `$` only at the very end, `.` not matching `\\n`, `\\r`, U+2028, U+2029,
ASCII `\\d` and `\\w`, ECMA's `\\s`. What that engine cannot run (lookaround, backreferences, a
repetition too large for its size limit) raises `PatternError`; `validators.check_schema` refuses
such a pattern when a snapshot is loaded, so the tools never meet one afterwards.

Compiled patterns are kept in an LRU of `_KEPT` entries: the set of patterns is untrusted, so the
cache must not grow with it (each compiled pattern is bounded by the crate's size limits).

The keyword functions below are jsonschema's own (`jsonschema._keywords`, `_legacy_keywords`,
`_utils`, 4.26) with `re.search` replaced by `search`: same errors, same messages, same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import ValidationError

from cwscodegen.store.refs import escape

_KEPT = 256


class PatternError(ValueError):
    """A search the linear-time engine cannot run; the message says why (and where, when known)."""


def _compile(pattern: str) -> Callable[[Any], bool]:
    """`string -> does pattern match somewhere in it?` (see the module docstring)."""
    try:
        compiled = jsonschema_rs.Draft202012Validator(
            {"pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions(), validate_formats=False
        )
    except (jsonschema_rs.ValidationError, ValueError):  # ValueError: a string jsonschema-rs cannot take
        raise PatternError(
            f"{pattern!r} cannot be run by a linear-time regex engine "
            "(lookaround, backreferences, a very large repetition or invalid syntax)"
        ) from None
    return compiled.is_valid


_compiled = lru_cache(maxsize=_KEPT)(_compile)


_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)


def search(pattern: str, string: str) -> bool:
    """Does `pattern` match somewhere in `string`, read as ECMA-262, in linear time? PatternError
    for a pattern the engine cannot run.

    A lone surrogate (`"\\ud800"` in an event: JSON allows the escape, Unicode has no such
    character, and the engine takes UTF-8 only) is read as U+FFFD, the replacement character, as
    lossy UTF-16 decoders do. Every pattern sees the same replaced string, so an inclusion between
    patterns proven for all strings (`engine.patterns`) still holds; snapshots cannot hold lone
    surrogates (`store.limits`), so no witness does."""
    try:
        return bool(_compiled(pattern)(string))
    except UnicodeEncodeError:
        return bool(_compiled(pattern)(string.translate(_SURROGATES)))


def check(pattern: str) -> None:
    """PatternError unless the engine can run `pattern` (compiled once, then cached)."""
    _compiled(pattern)


def runnable(text: str) -> bool:
    """Can the engine run `text` as a pattern? Not cached: used on instance strings too."""
    try:
        _compile(text)
    except PatternError:
        return False
    return True


# --- where patterns are -----------------------------------------------------------------------

_NOT_SCHEMAS = frozenset({"enum", "const", "examples", "default"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def schema_keywords(node: Any, where: str = "") -> Iterator[tuple[str, str, Any]]:
    """(place, keyword, value) of every schema in the document, without recursion; data (`enum`,
    `default`, ...) is not walked, whereas a property named like a keyword is."""
    pending: list[tuple[Any, str, bool]] = [(node, where, True)]
    while pending:
        current, place, is_schema = pending.pop()
        if isinstance(current, Mapping):
            for key, value in current.items():
                here = f"{place}/{escape(str(key))}"
                if not is_schema:  # a map of names to schemas
                    pending.append((value, here, True))
                    continue
                yield place, key, value
                if key not in _NOT_SCHEMAS:
                    pending.append((value, here, key not in _SCHEMA_MAPS))
        elif isinstance(current, list):
            pending += [(value, f"{place}/{index}", True) for index, value in enumerate(current)]


def pattern_places(document: Any) -> Iterator[tuple[str, str]]:
    """(JSON pointer, pattern) of every `pattern` and `patternProperties` key of `document`."""
    for place, key, value in schema_keywords(document):
        if key == "pattern" and isinstance(value, str):
            yield f"{place}/pattern", value
        elif key == "patternProperties" and isinstance(value, Mapping):
            yield from ((f"{place}/patternProperties/{escape(str(regex))}", regex) for regex in value)


# --- keywords -------------------------------------------------------------------------------------


def pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not search(patrn, instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for regex, subschema in patterns.items():
        for key, value in instance.items():
            if search(regex, key):
                yield from validator.descend(value, subschema, path=key, schema_path=regex)


def _additional(instance: Any, schema: Any) -> Iterator[str]:
    """`jsonschema._utils.find_additional_properties`: names neither listed nor matched."""
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    for name in instance:
        if name not in properties and not any(search(regex, name) for regex in patterns):
            yield name


def _extras(extras: list[Any]) -> str:
    """`jsonschema._utils.extras_msg`, joined: "'a', 'b' were"."""
    verb = "was" if len(extras) == 1 else "were"
    return ", ".join(repr(extra) for extra in extras) + " " + verb


def additional_properties(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    extras = set(_additional(instance, schema))
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif not allowed and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            listed = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
        else:
            yield ValidationError(
                f"Additional properties are not allowed ({_extras(sorted(extras, key=str))} unexpected)"
            )


def _no_error(errors: Iterator[Any]) -> bool:
    return next(errors, None) is None


def _followed(validator: Any, ref: str) -> tuple[Any, Any]:
    resolved = validator._resolver.lookup(ref)
    return validator.evolve(schema=resolved.contents, _resolver=resolved.resolver), resolved.contents


def _evaluated_keys(validator: Any, instance: Any, schema: Any, legacy: bool) -> list[Any]:
    """The names `unevaluatedProperties` counts as evaluated: `find_evaluated_property_keys_by_schema`
    of `jsonschema._utils` (2020-12) or, with `legacy`, of `jsonschema._legacy_keywords` (2019-09),
    each reproduced with its own rules, only the pattern search replaced."""
    if validator.is_type(schema, "boolean"):
        return []
    keys: list[Any] = []
    refs = [schema.get("$ref")]
    if legacy and "$recursiveRef" in schema:
        from referencing.jsonschema import lookup_recursive_ref

        resolved = lookup_recursive_ref(validator._resolver)
        inner = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
        keys += _evaluated_keys(inner, instance, resolved.contents, legacy)
    if not legacy:
        refs.append(schema.get("$dynamicRef"))
    for ref in refs:
        if ref is not None:
            inner, contents = _followed(validator, ref)
            keys += _evaluated_keys(inner, instance, contents, legacy)
    if legacy:
        for keyword in ("properties", "additionalProperties", "unevaluatedProperties"):
            if keyword in schema:
                value = schema[keyword]
                if validator.is_type(value, "boolean") and value:
                    keys += instance.keys()
                elif validator.is_type(value, "object"):
                    keys += [name for name in value if name in instance]
    else:
        properties = schema.get("properties")
        if validator.is_type(properties, "object"):
            keys += properties.keys() & instance.keys()
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            subschema = schema.get(keyword)
            if subschema is not None:
                keys += [k for k, v in instance.items() if _no_error(validator.descend(v, subschema))]
    if "patternProperties" in schema:
        keys += [name for name in instance for regex in schema["patternProperties"] if search(regex, name)]
    for name, subschema in schema.get("dependentSchemas", {}).items():
        if name in instance:
            keys += _evaluated_keys(validator, instance, subschema, legacy)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _no_error(validator.descend(instance, subschema)):
                keys += _evaluated_keys(validator, instance, subschema, legacy)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys += _evaluated_keys(validator, instance, schema["if"], legacy)
            if "then" in schema:
                keys += _evaluated_keys(validator, instance, schema["then"], legacy)
        elif "else" in schema:
            keys += _evaluated_keys(validator, instance, schema["else"], legacy)
    return keys


def _unevaluated(legacy: bool) -> Callable[..., Iterator[ValidationError]]:
    def unevaluated_properties(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        evaluated = set(_evaluated_keys(validator, instance, schema, legacy))  # a list: n lookups were n²
        unevaluated = []
        for name in instance:
            if name not in evaluated:
                unevaluated += [name for _ in validator.descend(instance[name], allowed, path=name, schema_path=name)]
        if unevaluated:
            if allowed is False:
                yield ValidationError(
                    f"Unevaluated properties are not allowed ({_extras(sorted(unevaluated, key=str))} unexpected)"
                )
            else:
                yield ValidationError(
                    "Unevaluated properties are not valid under the given schema "
                    f"({_extras(unevaluated)} unevaluated and invalid)"
                )

    return unevaluated_properties


def keywords(known: Mapping[str, Any], draft: str) -> dict[str, Callable[..., Iterator[ValidationError]]]:
    """The replacements for the keywords of a validator class (`known`: its VALIDATORS) that
    match patterns; `draft` picks 2019-09's own reading of `unevaluatedProperties`."""
    replacements: dict[str, Callable[..., Iterator[ValidationError]]] = {
        "pattern": pattern,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
        "unevaluatedProperties": _unevaluated(legacy=draft == "draft2019-09"),
    }
    return {name: function for name, function in replacements.items() if name in known}


__all__ = ["PatternError", "check", "keywords", "pattern_places", "runnable", "schema_keywords", "search"]

"""The one catalogue of change rules: stable ids, what each means, its message, its default effects.

Every `Change` the engine yields names a rule from `CATALOGUE`, and renderers get its one-line
text only from `message(change)`. A rule's `backward`/`forward`/`api` are its default effects;
a change's actual effects equal them, except in two documented cases:

- an effect becomes UNDECIDED where the engine could not prove inclusion (the answer was
  *unknown*): undecided counts as breaking, so a verdict is never weaker than the proof;
- an UNDECIDED effect becomes BREAKING once a verified witness shows a document that one side
  accepts and the other rejects (the witness decides the question);
- a breaking effect becomes COMPATIBLE where the whole document was proven included in that
  direction (the local difference is masked by the context, e.g. a sibling constraint);
- a change inside a definition that no event can reach (from the root, in either version) has
  wire effects NONE: it changes no event. Its API effect stays (the class is still generated).

Effects of a rule family (`type-narrowed`, `type-widened`, `type-changed`, ...) follow one
pattern: *narrowed* means some documents valid before are now rejected (BACKWARD breaks),
*widened* means new documents are accepted that the old schema rejected (FORWARD breaks),
*changed* means both. The engine picks the rule from the proven answers, never from the shape of
the edit, so `minimum: 3 -> 5` is `minimum-tightened` (backward breaking) whatever the type.

API effects (generated bindings: one class per definition, one field per property): a class or
field that disappears, a field that becomes required, and a field whose accepted values narrow
(a constructor call that worked before now fails validation) are API-breaking; added classes and
optional fields, and widened field types, are API-compatible; annotations change no API.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cwscodegen.engine.changes import Change, Effect


@dataclass(frozen=True)
class Rule:
    """One kind of change: stable kebab-case id, one-line meaning, message template, defaults."""

    id: str
    meaning: str
    message: str
    backward: Effect
    forward: Effect
    api: Effect


def _rule(id: str, meaning: str, message: str, effects: str) -> Rule:
    codes = {"C": Effect.COMPATIBLE, "B": Effect.BREAKING, "U": Effect.UNDECIDED, "N": Effect.NONE}
    backward, forward, api = (codes[c] for c in effects)
    return Rule(id, meaning, message, backward, forward, api)


_FAMILY = {
    "narrowed": ("BCB", "accepts fewer values than before: some old documents are now rejected"),
    "widened": ("CBC", "accepts more values than before: new documents may be rejected by old readers"),
    "changed": ("BBB", "accepts different values: documents break in both directions"),
}


def _family(prefix: str, what: str, variants: tuple[str, ...] = ("narrowed", "widened", "changed")) -> list[Rule]:
    out = []
    for variant in variants:
        effects, meaning = _FAMILY[variant]
        out.append(_rule(f"{prefix}-{variant}", f"{what} {meaning}", f"{{place}}: {what} {variant}{{info}}", effects))
    return out


def _bound(prefix: str, keyword: str, what: str, tight: str) -> list[Rule]:
    return [
        _rule(
            f"{prefix}-tightened",
            f"`{keyword}` added or made stricter: {what} {tight} before are now rejected",
            f"{{place}}: {keyword} tightened ({{old}} -> {{new}})",
            "BCB",
        ),
        _rule(
            f"{prefix}-relaxed",
            f"`{keyword}` removed or made looser: new {what} may be rejected by old readers",
            f"{{place}}: {keyword} relaxed ({{old}} -> {{new}})",
            "CBC",
        ),
    ]


_RULES: list[Rule] = [
    # --- documentation and meta: no effect on any document or on the bindings' behaviour
    _rule(
        "schema-dialect-changed",
        "`$schema` (the draft) changed; verdicts come from the content",
        "$schema changed ({old} -> {new})",
        "NNN",
    ),
    _rule(
        "schema-id-changed",
        "the root `$id` changed; references are local, so no document is affected",
        "$id changed ({old} -> {new})",
        "NNN",
    ),
    _rule("description-changed", "a `description` was added, removed or edited", "{place}: description changed", "NNN"),
    _rule("title-changed", "a `title` was added, removed or edited", "{place}: title changed", "NNN"),
    _rule("examples-changed", "`examples` were added, removed or edited", "{place}: examples changed", "NNN"),
    _rule(
        "default-changed",
        "a `default` was added, removed or edited (an annotation in JSON Schema)",
        "{place}: default changed ({old} -> {new})",
        "NNN",
    ),
    _rule("comment-changed", "a `$comment` was added, removed or edited", "{place}: $comment changed", "NNN"),
    _rule(
        "annotation-changed",
        "another annotation (a keyword that asserts nothing in this draft) changed",
        "{place}: annotation {keyword} changed",
        "NNN",
    ),
    _rule(
        "equivalent-rewrite",
        "a keyword was rewritten without changing which documents are valid",
        "{place}: {keyword} rewritten, same documents valid",
        "NNN",
    ),
    # --- definitions (classes of the bindings)
    _rule("definition-added", "a new definition (a new class in the bindings)", "definition {definition} added", "NNC"),
    _rule(
        "definition-removed",
        "a definition disappeared (its class disappears from the bindings); where data used it, the places say what changed for documents",
        "definition {definition} removed",
        "NNB",
    ),
    _rule(
        "definition-renamed",
        "a definition now has another name (the old class disappears); the data change, if any, is reported inside it",
        "definition {old_definition} renamed to {definition}",
        "NNB",
    ),
    _rule(
        "ref-target-changed",
        "a `$ref` now names another definition: the field's class changes in the bindings",
        "{place}: refers to {new_target} instead of {old_target}",
        "NNB",
    ),
    # --- properties
    _rule(
        "property-added",
        "a property was added to a closed object: old documents never carry it (if it is also required, required-property-added says so)",
        "{place}: property {property} added",
        "CBC",
    ),
    _rule(
        "property-added-narrowing",
        "a property was named with a schema narrower than what the object already allowed under that name (open or partially open object)",
        "{place}: property {property} added, narrowing what the object allowed under that name",
        "BCC",
    ),
    _rule(
        "property-added-incompatible",
        "a property was named with a schema that differs both ways from what the object allowed under that name",
        "{place}: property {property} added, incompatible with what the object allowed under that name",
        "BBC",
    ),
    _rule(
        "property-added-equivalent",
        "a property was named with exactly the schema the object already applied to it",
        "{place}: property {property} added (same values allowed as before)",
        "CCC",
    ),
    _rule(
        "property-removed",
        "a property was removed from a closed object: old documents that carry it are now rejected",
        "{place}: property {property} removed",
        "BCB",
    ),
    _rule(
        "property-removed-widening",
        "a property was removed where the object now allows more under that name (open or partially open object)",
        "{place}: property {property} removed, any value now allowed under that name",
        "CBB",
    ),
    _rule(
        "property-removed-incompatible",
        "a property was removed and what the object allows under that name differs both ways",
        "{place}: property {property} removed, incompatible with what is now allowed under that name",
        "BBB",
    ),
    _rule(
        "property-removed-equivalent",
        "a property was removed but the object still allows exactly the same values under that name",
        "{place}: property {property} removed from the bindings (same values allowed)",
        "CCB",
    ),
    _rule(
        "required-property-added",
        "a property became required: old documents without it are rejected, constructor calls without it fail",
        "{place}: required property {property} added",
        "BCB",
    ),
    _rule(
        "required-property-removed",
        "a property is no longer required: new documents may omit it, which old readers reject",
        "{place}: property {property} no longer required",
        "CBC",
    ),
    # --- values
    _rule("enum-values-added", "values were added to an `enum`/`const`", "{place}: enum values added: {values}", "CBC"),
    _rule(
        "enum-values-removed",
        "values were removed from an `enum`/`const`",
        "{place}: enum values removed: {values}",
        "BCB",
    ),
    _rule(
        "enum-added",
        "an `enum`/`const` now restricts values that were free before",
        "{place}: restricted to {values}",
        "BCB",
    ),
    _rule(
        "enum-removed", "an `enum`/`const` restriction was removed", "{place}: no longer restricted to {values}", "CBC"
    ),
    _rule(
        "pattern-added",
        "a `pattern` was added: strings that do not match are now rejected",
        "{place}: pattern {new} added",
        "BCB",
    ),
    _rule("pattern-removed", "a `pattern` was removed", "{place}: pattern {old} removed", "CBC"),
    _rule(
        "pattern-changed",
        "a `pattern` changed: decided by automata where both patterns are regular, else undecided",
        "{place}: pattern changed ({old} -> {new})",
        "UUU",
    ),
    _rule(
        "format-added",
        "a `format` was added (formats are asserted): strings not in that format are rejected",
        "{place}: format {new} added",
        "BCB",
    ),
    _rule("format-removed", "a `format` was removed (formats are asserted)", "{place}: format {old} removed", "CBC"),
    _rule(
        "format-changed",
        "a `format` changed to another format (formats are asserted)",
        "{place}: format changed ({old} -> {new})",
        "BBB",
    ),
    _rule(
        "unique-items-added", "`uniqueItems` now requires distinct items", "{place}: items must now be unique", "BCB"
    ),
    _rule(
        "unique-items-removed",
        "`uniqueItems` no longer requires distinct items",
        "{place}: items no longer need to be unique",
        "CBC",
    ),
    *_bound("minimum", "minimum/exclusiveMinimum", "numbers", "allowed"),
    *_bound("maximum", "maximum/exclusiveMaximum", "numbers", "allowed"),
    *_bound("multiple-of", "multipleOf", "numbers", "allowed"),
    *_bound("min-length", "minLength", "strings", "allowed"),
    *_bound("max-length", "maxLength", "strings", "allowed"),
    *_bound("min-items", "minItems", "arrays", "allowed"),
    *_bound("max-items", "maxItems", "arrays", "allowed"),
    *_bound("min-properties", "minProperties", "objects", "allowed"),
    *_bound("max-properties", "maxProperties", "objects", "allowed"),
    # --- whole-keyword families (effects from the proven answers)
    *_family("type", "type"),
    *_family("additional-properties", "additionalProperties (keys no property names)"),
    *_family("pattern-properties", "patternProperties (keys matching a pattern)"),
    *_family("items", "array items"),
    *_family("contains", "contains/minContains/maxContains"),
    *_family("dependencies", "dependencies/dependentRequired/dependentSchemas"),
    *_family("anyof", "anyOf"),
    *_family("oneof", "oneOf"),
    *_family("allof", "allOf"),
    *_family("not", "not"),
    *_family("conditional", "if/then/else"),
    *_family("keyword", "a keyword the engine does not model"),
    *_family("schema", "the schema"),
    _rule(
        "schema-modified",
        "the schema changed in a way whose effect could not be proven either way (undecided, counted as breaking)",
        "{place}: {keyword} changed (undecided)",
        "CCC",
    ),
]

CATALOGUE: Mapping[str, Rule] = {rule.id: rule for rule in _RULES}
assert len(CATALOGUE) == len(_RULES), "duplicate rule id"


def fits(default: Effect, actual: Effect) -> bool:
    """An actual effect may equal the default; be UNDECIDED where a proof was missing; be COMPATIBLE
    where the whole document was proven included in that direction; or be NONE where no event
    reaches the place; or be BREAKING where a verified witness decided an undecided default."""
    return (
        actual is default
        or actual in (Effect.UNDECIDED, Effect.COMPATIBLE, Effect.NONE)
        or (default is Effect.UNDECIDED and actual is Effect.BREAKING)
    )


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def fields(change: Change) -> dict[str, Any]:
    """The names a message template may use: the change's fields, then its details."""
    values = _Blank(
        rule=change.rule,
        old_pointer=change.old_pointer,
        new_pointer=change.new_pointer,
        definition=change.definition or "(root)",
        property=change.property or "",
        place=change.details.get("place") or change.new_pointer or change.old_pointer or "/",
        info="",
    )
    for key, value in change.details.items():
        if isinstance(value, (list, tuple)):
            value = _listed(value)
        values[key] = value
    if "info" not in change.details and "keyword" in change.details:
        values["info"] = f" ({change.details['keyword']})"
    return values


LISTED = 20  # values a message names; `details` (and JSON output) keep them all


def _listed(values: Sequence[Any]) -> str:
    """The first `LISTED` values, and how many more: an enum of 20,000 replaced makes a message,
    not a 200 kB line."""
    text = ", ".join(_short(v) for v in values[:LISTED])
    return text if len(values) <= LISTED else f"{text}, ... ({len(values) - LISTED:,} more)"


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def message(change: Change) -> str:
    """The one-line message of a change, from its rule's template (unknown names print as '?')."""
    rule = CATALOGUE.get(change.rule)
    if rule is None:
        return f"{change.rule}: {change.new_pointer or change.old_pointer or '/'}"
    return string.Formatter().vformat(rule.message, (), fields(change))


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (docs/rules.md is this text; a test keeps them equal)."""
    lines = [
        "# Rule catalogue",
        "",
        "Every change `cwscodegen diff` reports names one of these rules. BACKWARD: documents valid",
        "under OLD must stay valid under NEW; FORWARD: documents valid under NEW must be valid under",
        "OLD; API: the generated bindings. The effects are each rule's defaults; a change's actual",
        "effects come from the engine's proofs (see `cwscodegen/engine/rules.py`). Generated from",
        "`cwscodegen.engine.rules.CATALOGUE`; do not edit by hand.",
        "",
        "| rule | backward | forward | api | meaning |",
        "|---|---|---|---|---|",
    ]
    for rule in _RULES:
        meaning = rule.meaning.replace("|", "\\|")
        lines.append(f"| `{rule.id}` | {rule.backward.value} | {rule.forward.value} | {rule.api.value} | {meaning} |")
    return "\n".join(lines) + "\n"

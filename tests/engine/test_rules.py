"""The rule catalogue: stable kebab-case ids, messages built only from it, docs/rules.md in sync."""

from __future__ import annotations

import re

from cwscodegen.engine import compare, rules
from cwscodegen.engine.changes import Change, Effect
from tests.conftest import ROOT


def test_ids_are_unique_kebab_case_with_a_meaning_and_a_template() -> None:
    assert len(rules.CATALOGUE) >= 90
    for rule_id, rule in rules.CATALOGUE.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id), rule_id
        assert rule.meaning and "\n" not in rule.meaning and rule.message


def test_docs_rules_md_is_the_catalogue() -> None:
    assert (ROOT / "docs" / "rules.md").read_text() == rules.catalogue_markdown()


def test_every_rule_the_engine_names_is_in_the_catalogue_and_its_message_is_complete() -> None:
    old = {
        "type": "object",
        "properties": {"a": {"type": "integer", "minimum": 1}, "b": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
        "description": "x",
    }
    new = {
        "type": "object",
        "properties": {"a": {"type": "number", "minimum": 2}, "c": {"type": "string", "format": "date"}},
        "required": ["a", "c"],
        "additionalProperties": False,
        "description": "y",
    }
    report = compare.diff_documents(old, new, witnesses=False)
    assert len(report.changes) >= 6
    for change in report.changes:
        assert change.rule in rules.CATALOGUE
        text = rules.message(change)
        assert "?" not in text and "{" not in text, (change.rule, text)
        assert rules.fits(rules.CATALOGUE[change.rule].backward, change.backward)
        assert rules.fits(rules.CATALOGUE[change.rule].forward, change.forward)


def test_unknown_rule_still_gets_a_line() -> None:
    change = Change("not-a-rule", None, "/x", None, None, Effect.BREAKING, Effect.NONE)
    assert rules.message(change) == "not-a-rule: /x"


def test_fits_allows_only_proof_driven_departures() -> None:
    B, C, U, N = Effect.BREAKING, Effect.COMPATIBLE, Effect.UNDECIDED, Effect.NONE
    assert rules.fits(B, B) and rules.fits(B, U) and rules.fits(B, C) and rules.fits(U, B)
    assert not rules.fits(C, B) and not rules.fits(N, B)

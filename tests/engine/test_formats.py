"""The format-implication table (`engine.formats.IMPLIES`) against the format checkers themselves
(the project's: jsonschema's, with `date-time`/`time` refusing a final newline and `regex` asking
for a pattern the linear-time ECMA engine runs).

Every listed implication is checked on many strings (boundary and format-shaped strings, and
hypothesis text); every pair of installed formats *not* listed must have a counterexample string
that passes the first checker and fails the second, so the table is complete and exact for the
checkers installed.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from cwscodegen.engine.formats import IMPLIES, implies
from cwscodegen.store.validators import format_checker

CHECKER = format_checker(Draft202012Validator)  # the checker `make_validator` asserts formats with
FORMATS = sorted(CHECKER.checkers)

SAMPLES = [
    "",
    "\n",
    "@",
    "a@b",
    "ü@ö.de",
    "@@",
    "x",
    "1.2.3.4",
    "255.255.255.255",
    "256.1.1.1",
    "01.2.3.4",
    "::1",
    "fe80::1%eth0",
    "::ffff:1.2.3.4",
    "2020-01-31",
    "2020-02-30",
    "2020-01-31T10:00:00Z",
    "2020-01-31t10:00:00z",
    "10:00:00Z",
    "10:00:00+01:00",
    "12345678-1234-1234-1234-1234567890ab",
    "{12345678-1234-1234-1234-1234567890ab}",
    "urn:uuid:12345678-1234-1234-1234-1234567890ab",
    "[",
    "(",
    "a+",
    "*",
    "\\",
    "é",
    "١٢٣٤-٠١-٠١",
    "2020-01-31\n",
    "10:00:00Z\n",
    "2020-01-31T10:00:00.5+01:00\n",
]

# For each pair (a, b) that is not an implication: a string passing `a` and failing `b`.
COUNTER = {
    "date": "2020-01-31",
    "date-time": "2020-01-31T10:00:00Z",
    "email": "a@b",
    "idn-email": "a@(",
    "ipv4": "1.2.3.4",
    "ipv6": "::1",
    "regex": "x",
    "time": "10:00:00Z",
    "uuid": "12345678-1234-1234-1234-1234567890ab",
}
EXTRA_COUNTER = {("email", "regex"): "a@(", ("idn-email", "regex"): "a@("}


def passes(fmt: str, text: str) -> bool:
    return bool(CHECKER.conforms(text, fmt))


@pytest.mark.parametrize("sub,sup", [(a, b) for a, bs in IMPLIES.items() for b in sorted(bs)])
def test_listed_implications_hold_on_samples(sub: str, sup: str) -> None:
    assert sub in FORMATS and sup in FORMATS
    for text in SAMPLES + list(COUNTER.values()):
        assert not passes(sub, text) or passes(sup, text), (sub, sup, text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789abcdef-:.@T Z()[]*+\\é\n"), max_size=40))
def test_listed_implications_hold_on_generated_strings(text: str) -> None:
    for sub, sups in IMPLIES.items():
        for sup in sups:
            assert not passes(sub, text) or passes(sup, text), (sub, sup, text)


@pytest.mark.parametrize("sub,sup", [p for p in itertools.permutations(FORMATS, 2) if not implies(*p)])
def test_every_pair_not_listed_has_a_counterexample(sub: str, sup: str) -> None:
    text = EXTRA_COUNTER.get((sub, sup), COUNTER[sub])
    assert passes(sub, text) and not passes(sup, text), (sub, sup, text)


def test_no_format_implies_nothing_and_a_format_implies_itself() -> None:
    assert not implies(None, "email")
    assert all(implies(f, f) for f in FORMATS)

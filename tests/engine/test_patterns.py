"""`pattern` inclusion by automata (`engine.patterns`), read as ECMA-262 and as Python's `re`.

Each "does not hold" case carries a string that the ECMA reading (`store.ecma.search`, what every
validator of the project runs) finds in the included pattern and not in the including one; each
"holds" case is argued in a comment. A sampling test then checks every proven inclusion on many
strings under both readings, and the ECMA character classes are compared with the engine's.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwscodegen.engine import patterns
from cwscodegen.store import ecma

HOLDS = [
    ("^[a-z]{3}$", "^[a-z]+$"),  # three letters are one or more letters
    (None, "a*"),  # a search for `a*` matches the empty prefix of every string
    (None, ""),  # the empty pattern matches every string
    ("^abc$|^def$", "^[a-f]{3}$"),  # both words are three letters from a-f
    ("^[0-9]+$", "^\\d+$"),  # ASCII digits are digits in both readings
    ("^\\d{3}$", "^\\d+$"),  # the same class, three times is one or more times
    ("^a.b$", "^a[^\\n]b$"),  # ECMA `.` excludes \n \r \u2028 \u2029, Python's only \n: both within [^\n]
    ("^a$", "a"),  # an anchored match is a match
    ("^x{300}$", "x"),  # large but within the state limit
    ("[a-z]*", "[A-Z]*"),  # both match every string (empty match)
    ("^(?:ab)+$", "^(?:ab|c)*$"),  # repetition within a wider repetition
    ("^\\x41$", "^A$"),  # the same character, escaped
]

FAILS = [
    ("^[a-z]+$", "^[a-z]{3}$", "ab"),
    (None, "a+", "b"),
    ("a*", "a+", "b"),
    ("^a", "^b", "a"),
    ("^a[^\\n]b$", "^a.b$", None),  # "a\rb": ECMA `.` refuses \r (Python accepts it); checked below
    ("^[a-z]*$", "^[a-z]+$", ""),
]

UNDECIDED = [
    ("^(a)\\1$", "a"),  # backreference: not regular
    ("^(?=a)", "a"),  # lookahead
    ("a{1000000}", "a"),  # over the state limit: refused before any automaton is built
    ("a[ab]{20}$", "b"),  # its deterministic automaton needs 2**20 states: stopped at the budget
    ("^\\w{3}$", "^\\w+$"),  # Python's Unicode \w is approximated, so this stays undecided
    ("\\bword", "word"),  # word boundary
    ("^\\p{L}$", "^.$"),  # Unicode property
    ("(a|$)", "a"),  # an anchor inside a group
    ("^\\d+$", "^[0-9]+$"),  # holds for ECMA; Python's `re` takes "\u0661" under the first only
]


@pytest.mark.parametrize("sub,sup", HOLDS)
def test_inclusion_holds(sub: str | None, sup: str) -> None:
    assert patterns.includes(sub, sup) is True


@pytest.mark.parametrize("sub,sup,text", FAILS)
def test_inclusion_fails_with_a_counterexample(sub: str | None, sup: str, text: str | None) -> None:
    assert patterns.includes(sub, sup) is False
    if text is not None:
        assert sub is None or ecma.search(sub, text)
        assert not ecma.search(sup, text)


@pytest.mark.parametrize("sub,sup", UNDECIDED)
def test_outside_the_regular_subset_is_undecided(sub: str, sup: str) -> None:
    assert patterns.includes(sub, sup) is None


def test_dot_reading_differs_and_both_are_respected() -> None:
    assert re.search("^a[^\\n]b$", "a\rb") and re.search("^a.b$", "a\rb")  # Python alone would say "holds"
    assert patterns.includes("^a[^\\n]b$", "^a.b$") is False  # ECMA: "a\rb" is outside `^a.b$`


def test_everything_and_emptiness() -> None:
    assert patterns.matches_everything("a*") and patterns.matches_everything("")
    assert not patterns.matches_everything("^a")
    assert patterns.nonempty("^a$") is True
    assert patterns.nonempty("^(a)\\1$") is None


SAMPLE = st.text(alphabet=st.sampled_from("abcxyzAZ019_-.\n\r\u2028é٣ "), max_size=12)
PAIRS = [(s, p) for s, p in HOLDS if s is not None]


@settings(max_examples=150, deadline=None)
@given(SAMPLE)
def test_proven_inclusions_hold_on_generated_strings(text: str) -> None:
    for sub, sup in PAIRS:
        if ecma.search(sub, text):
            assert ecma.search(sup, text), (sub, sup, text)
        if re.search(sub, text):
            assert re.search(sup, text), (sub, sup, text)


_PROBES = [c for c in range(0x3001) if not 0xD800 <= c <= 0xDFFF] + [0xFEFF, 0xFF10, 0x1D7CE, 0x10FFFF]


@pytest.mark.parametrize("letter", ["d", "D", "w", "W", "s", "S", "."])
def test_the_ecma_reading_is_the_engines_reading(letter: str) -> None:
    """`patterns`' ECMA classes are exactly what `store.ecma` (jsonschema-rs) matches, on every code
    point up to U+3000 and a few beyond: an inclusion proven on the ECMA automata holds for the
    project's validators."""
    if letter == ".":
        ranges = patterns._complement(patterns._ECMA_LINE_END)
        regex = "^.$"
    else:
        ranges = patterns._class_ranges(patterns._Class((letter,), False), "ecma", True)
        regex = f"^\\{letter}$"
    assert ranges == patterns._class_ranges(patterns._Class((letter,), False), "ecma", False) or letter == "."
    inside = [any(lo <= code <= hi for lo, hi in ranges) for code in _PROBES]
    assert inside == [ecma.search(regex, chr(code)) for code in _PROBES]

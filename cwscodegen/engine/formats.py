"""Which `format` implies which: a table of what the installed format checkers actually do.

Formats are asserted with `store.validators.format_checker` (jsonschema's checkers, with
`date-time` and `time` refusing a final newline, and `regex` asking that Python's `re` compile the
string and the linear-time ECMA engine run it), so `format: email` narrowed to `format: idn-email`
is a change only if some string passes one checker and fails the other. The table below lists the
implications that hold for *every* string, each argued from the checker's code in the pinned
`jsonschema` (4.26.0); tests/engine/test_formats.py checks every listed implication against the
checkers on many strings and every pair *not* listed against a counterexample string, so the
table cannot drift from the checkers unnoticed. Checkers accept every non-string value, so an
implication between two formats holds for whole schemas too.
"""

from __future__ import annotations

IMPLIES: dict[str, frozenset[str]] = {
    # `email` and `idn-email` are one function: a string passes iff it contains "@".
    "email": frozenset({"idn-email"}),
    "idn-email": frozenset({"email"}),
    # Strings of these formats use only characters that are literal in a regular expression, or
    # "." and a "+" that always follows a digit, so each compiles under both Python's `re` and the
    # ECMA engine (passes `regex`): ipv4 is digits
    # and dots (`ipaddress.IPv4Address`); ipv6 is hex digits, ":" and "." (a "%scope" is
    # rejected); date is ASCII digits and "-" (`_RE_DATE` is ASCII-only); uuid is hex digits and
    # "-" (`uuid.UUID`, "-" at 8, 13, 18, 23); date-time and time follow rfc3339-validator's
    # ASCII regex (digits, "-", "T", ":", ".", "Z", a "+" after the seconds; the final "\n" its
    # `$` lets through is refused by the project's checker, and would compile anyway).
    "ipv4": frozenset({"regex"}),
    "ipv6": frozenset({"regex"}),
    "date": frozenset({"regex"}),
    "uuid": frozenset({"regex"}),
    "date-time": frozenset({"regex"}),
    "time": frozenset({"regex"}),
}


def implies(sub: str | None, sup: str) -> bool:
    """Does every string that passes `sub`'s checker pass `sup`'s? (None: no format, any string.)"""
    if sub is None:
        return False
    return sub == sup or sup in IMPLIES.get(sub, frozenset())


__all__ = ["IMPLIES", "implies"]

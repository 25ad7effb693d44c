"""Inclusion between `pattern` regular expressions, decided with automata (`interegular`).

A JSON Schema `pattern` is an ECMA-262 regular expression used as a *search*: `a*` and the empty
pattern match every string. Every validator of the project reads it so (`store.ecma`, a
linear-time engine: `validate`, witness verification, `Node.accepts`), and the ECMA reading here
is that engine's (tests/engine/test_patterns.py compares the classes `.`, `\\d`, `\\w`, `\\s` and
their negations code point by code point). So a NO, which needs a counterexample, is decided on
the ECMA automata alone, and the witness that shows it verifies.

An inclusion (a YES, which can make a change "compatible") is still claimed only when it also
holds under Python's `re` reading, whose `.` takes `\\r`, whose `$` also matches before a final
newline, and whose `\\d`/`\\w`/`\\s` are Unicode. The decision to keep it: "compatible" must hold
for every plausible reader of the events, not only for this tool, and Python's `jsonschema` (the
most common validator of a Python consumer) reads patterns with `re`. Dropping that reading
would call `^\\d+$` -> `^[0-9]+$` compatible, though such a reader accepts "\u0661" under the
old pattern and rejects it under the new: unsound for a reader the project cannot rule out, and
nothing proves there is none. The cost is precision where the dialects part: `^\\w{3}$` within `^\\w+$`
stays undecided (Python's Unicode `\\w` is approximated).

Patterns are parsed here (not by the automaton library) so that anything outside the regular
subset both readings share is refused: backreferences, lookaround, `\\b`, anchors inside groups,
Unicode properties, unknown escapes. Character classes become explicit sets of code points; where
Python's Unicode classes are too large to list they are approximated from the safe side (the
included pattern is widened, the including one narrowed), which can cost precision, never
soundness. Automaton size is bounded before any automaton is built (`_STATE_LIMIT`), so a
pattern such as `a{1000000}` is answered "undecided" at once instead of stalling.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_STATE_LIMIT = 400
_DFA_LIMIT = 2000
_PRODUCT_LIMIT = 200_000
_MAX_CHAR = 0x10FFFF
_SPECIAL = set("\\^$.|?*+()[]{}-/")
READINGS = ("ecma", "python")

Ranges = tuple[tuple[int, int], ...]


class Unsupported(Exception):
    """The pattern is outside the regular subset both readings agree on, or too large."""


# ----------------------------------------------------------------------------------- char sets
def _norm(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= _MAX_CHAR:
        out.append((start, _MAX_CHAR))
    return tuple(out)


def _chars(text: str) -> Ranges:
    return _norm([(ord(c), ord(c)) for c in text])


_ASCII_DIGIT = ((0x30, 0x39),)
_ASCII_WORD = _norm([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
_NON_ASCII = ((0x80, _MAX_CHAR),)
_ECMA_SPACE = _norm(
    [
        (0x9, 0xD),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x2000, 0x200A),
        (0x2028, 0x2029),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
        (0xFEFF, 0xFEFF),
    ]
)
_PY_SPACE = _norm([(c, c) for c in range(0x3001) if re.match(r"\s", chr(c))])
_ECMA_LINE_END = _chars("\n\r\u2028\u2029")


@lru_cache(maxsize=1)
def _python_digits() -> Ranges:
    """Python's `\\d` on text: every Unicode decimal digit (a few hundred code points)."""
    import unicodedata

    return _norm([(c, c) for c in range(_MAX_CHAR + 1) if unicodedata.category(chr(c)) == "Nd"])


def _escape_class(letter: str, reading: str, widen: bool) -> Ranges:
    """`\\d`, `\\w`, `\\s` and their negations. Python's Unicode word class is too large to list:
    `widen` asks for a superset (ASCII class plus every non-ASCII character), otherwise a subset
    (the ASCII class)."""
    lower = letter.lower()
    negated = letter != lower
    if lower == "s":
        base = _ECMA_SPACE if reading == "ecma" else _PY_SPACE
        return _complement(base) if negated else base
    ascii_set = _ASCII_DIGIT if lower == "d" else _ASCII_WORD
    if reading == "python" and lower == "d":
        return _complement(_python_digits()) if negated else _python_digits()
    if reading == "ecma":
        return _complement(ascii_set) if negated else ascii_set
    # python: ascii_set <= true class <= ascii_set | non-ASCII; a negation flips which side is safe
    want_superset = widen != negated
    base = _norm(list(ascii_set + _NON_ASCII)) if want_superset else ascii_set
    return _complement(base) if negated else base


# ----------------------------------------------------------------------------------- syntax tree
@dataclass(frozen=True)
class _Class:
    items: tuple[Any, ...]  # (lo, hi) code point ranges, or a one-letter escape "d", "W", ...
    negated: bool


@dataclass(frozen=True)
class _Rep:
    body: Any
    low: int
    high: int | None


@dataclass(frozen=True)
class _Alt:
    options: tuple[Any, ...]  # each a tuple of items (a sequence)


_DOT = "dot"
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v"}


class _Parser:
    """Recursive descent over the subset of ECMA-262 syntax that Python's `re` reads the same way."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def take(self) -> str:
        if self.i >= len(self.text):
            raise Unsupported("unexpected end of pattern")
        char = self.text[self.i]
        self.i += 1
        return char

    def alternation(self, top: bool) -> _Alt:
        options = [self.sequence(top)]
        while self.peek() == "|":
            self.i += 1
            options.append(self.sequence(top))
        return _Alt(tuple(options))

    def sequence(self, top: bool) -> tuple[Any, ...]:
        items: list[Any] = []
        while self.peek() not in ("", "|", ")"):
            char = self.peek()
            if char in "^$":
                at_start = char == "^" and not items
                at_end = self.i + 1 >= len(self.text) or self.text[self.i + 1] in "|"
                if not top or not (at_start or (char == "$" and at_end)):
                    raise Unsupported("an anchor inside a group or in the middle of a pattern")
                self.i += 1
                items.append(char)
                continue
            items.append(self.quantified(self.atom()))
        return tuple(items)

    def atom(self) -> Any:
        char = self.take()
        if char == "(":
            if self.text.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise Unsupported("lookaround or a group syntax the readings disagree on")
            inner = self.alternation(top=False)
            if self.take() != ")":
                raise Unsupported("unbalanced group")
            return inner
        if char == "[":
            return self.char_class()
        if char == ".":
            return _DOT
        if char == "\\":
            return self.escape(in_class=False)
        if char in "*+?{}])":
            raise Unsupported(f"a quantifier or bracket {char!r} with nothing to apply to")
        return _Class(((ord(char), ord(char)),), False)

    def escape(self, in_class: bool) -> Any:
        char = self.take()
        if char in "dDwWsS":
            return _Class((char,), False) if not in_class else char
        if char in _SIMPLE_ESCAPES:
            code = ord(_SIMPLE_ESCAPES[char])
        elif char == "x":
            digits = self.text[self.i : self.i + 2]
            if not re.fullmatch(r"[0-9a-fA-F]{2}", digits):
                raise Unsupported("a malformed \\x escape")
            self.i += 2
            code = int(digits, 16)
        elif char == "u":
            digits = self.text[self.i : self.i + 4]
            if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                raise Unsupported("a \\u escape the readings disagree on")
            self.i += 4
            code = int(digits, 16)
        elif not char.isalnum() and char != "_" and ord(char) < 0x80:
            code = ord(char)  # an escaped punctuation character is itself
        else:
            raise Unsupported(f"the escape \\{char} (backreference, boundary or property)")
        return (code, code) if in_class else _Class(((code, code),), False)

    def char_class(self) -> _Class:
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        if self.peek() == "]":
            raise Unsupported("an empty class or a leading ']' (the readings disagree)")
        items: list[Any] = []
        while True:
            char = self.take()
            if char == "]":
                return _Class(tuple(items), negated)
            if char == "[":
                raise Unsupported("'[' inside a class")
            item = self.escape(in_class=True) if char == "\\" else (ord(char), ord(char))
            if self.peek() == "-" and self.text[self.i + 1 : self.i + 2] not in ("]", ""):
                self.i += 1
                end_char = self.take()
                end = self.escape(in_class=True) if end_char == "\\" else (ord(end_char), ord(end_char))
                if isinstance(item, str) or isinstance(end, str) or end[0] < item[0]:
                    raise Unsupported("a class range the readings disagree on")
                item = (item[0], end[0])
            items.append(item)

    def quantified(self, atom: Any) -> Any:
        while True:
            char = self.peek()
            if char in ("*", "+", "?"):
                self.i += 1
                atom = _Rep(atom, 1 if char == "+" else 0, None if char != "?" else 1)
            elif char == "{":
                found = re.match(r"\{(\d+)(,(\d*))?\}", self.text[self.i :])
                if found is None:
                    raise Unsupported("a '{' that is not a quantifier")
                self.i += found.end()
                low = int(found.group(1))
                high = low if found.group(2) is None else (int(found.group(3)) if found.group(3) else None)
                if high is not None and high < low:
                    raise Unsupported("a quantifier whose maximum is below its minimum")
                atom = _Rep(atom, low, high)
            else:
                return atom
            if self.peek() == "?":
                self.i += 1  # lazy: same language
            if self.peek() in ("*", "+", "?", "{"):
                raise Unsupported("a quantifier on a quantifier")


def _parse(pattern: str) -> _Alt:
    parser = _Parser(pattern)
    tree = parser.alternation(top=True)
    if parser.i != len(pattern):
        raise Unsupported("unbalanced ')'")
    return tree


# ----------------------------------------------------------------------------------- emission
def _size(node: Any) -> int:
    """An upper estimate of the automaton's states, computed before building it."""
    if isinstance(node, _Alt):
        return sum(sum(_size(item) for item in option) for option in node.options) + 1
    if isinstance(node, _Rep):
        times = node.high if node.high is not None else node.low + 1
        return _size(node.body) * max(times, 1) + 1
    return 1


def _class_ranges(node: _Class, reading: str, widen: bool) -> Ranges:
    parts: list[tuple[int, int]] = []
    inner_widen = widen != node.negated
    for item in node.items:
        if isinstance(item, str):
            parts += _escape_class(item, reading, inner_widen)
        else:
            parts.append(item)
    ranges = _norm(parts)
    return _complement(ranges) if node.negated else ranges


def _char(code: int) -> str:
    char = chr(code)
    if char in _SPECIAL or code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}" if code < 0x100 else char
    return char


def _emit_ranges(ranges: Ranges) -> str:
    if not ranges:
        raise Unsupported("a class that matches no character")
    count = sum(hi - lo + 1 for lo, hi in ranges)
    negate = count > 0x8000
    listed = _complement(ranges) if negate else ranges
    if sum(hi - lo + 1 for lo, hi in listed) > 0x8000:
        raise Unsupported("a character class too large to list")
    body = "".join(_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in listed)
    if negate and not body:
        return _ANY
    return f"[{'^' if negate else ''}{body}]"


_ANY = "(?:.|\\n)"


def _emit(node: Any, reading: str, widen: bool) -> str:
    if isinstance(node, _Alt):
        return "(?:" + "|".join("".join(_emit(i, reading, widen) for i in option) for option in node.options) + ")"
    if isinstance(node, _Rep):
        high = "" if node.high is None else str(node.high)
        return f"(?:{_emit(node.body, reading, widen)}){{{node.low},{high}}}"
    if node == _DOT:
        excluded = _ECMA_LINE_END if reading == "ecma" else _chars("\n")
        return _emit_ranges(_complement(excluded))
    if isinstance(node, _Class):
        return _emit_ranges(_class_ranges(node, reading, widen))
    raise Unsupported("unexpected syntax")


def _search_language(tree: _Alt, reading: str, widen: bool) -> str:
    """The full-match pattern of the strings a search with `tree` finds a match in."""
    options = []
    for option in tree.options:
        items = list(option)
        start = bool(items) and items[0] == "^"
        end = bool(items) and items[-1] == "$"
        body = [i for i in items if i not in ("^", "$")]
        text = "".join(_emit(i, reading, widen) for i in body)
        before = "" if start else _ANY + "*"
        after = ("" if reading == "ecma" else "\\n?") if end else _ANY + "*"
        options.append(before + text + after)
    return "|".join(f"(?:{o})" for o in options)


class _TooLarge(Exception):
    """A deterministic automaton grew past `_DFA_LIMIT` states."""


def _bounded_crawl(alphabet: Any, initial: Any, final: Any, follow: Any) -> Any:
    """`interegular.fsm.crawl` (the subset construction behind every automaton operation) with a
    state budget and a dict index: determinising `.*a[ab]{20}$` needs 2**20 states, and the
    library's own loop looks states up in a list."""
    from interegular.fsm import FSM, OblivionError

    states = [initial]
    index = {_frozen(initial): 0}
    finals = set()
    table: dict[int, dict[Any, int]] = {}
    i = 0
    while i < len(states):
        state = states[i]
        if final(state):
            finals.add(i)
        table[i] = {}
        for transition in alphabet.by_transition:
            try:
                following = follow(state, transition)
            except OblivionError:
                continue
            key = _frozen(following)
            j = index.get(key)
            if j is None:
                if len(states) >= _DFA_LIMIT:
                    raise _TooLarge
                j = index[key] = len(states)
                states.append(following)
            table[i][transition] = j
        i += 1
    return FSM(
        alphabet=alphabet, states=range(len(states)), initial=0, finals=finals, map=table, __no_validation__=True
    )


def _frozen(state: Any) -> Any:
    """A hashable key equal for equal states (the library's states are sets, dicts and tuples)."""
    if isinstance(state, (set, frozenset)):
        return frozenset(_frozen(s) for s in state)
    if isinstance(state, dict):
        return ("dict", frozenset((_frozen(k), _frozen(v)) for k, v in state.items()))
    if isinstance(state, (list, tuple)):
        return (type(state).__name__, tuple(_frozen(s) for s in state))
    return state


@contextmanager
def _budget() -> Iterator[None]:
    """Every automaton operation inside runs with `_bounded_crawl`."""
    import interegular.fsm as library

    original = library.crawl
    library.crawl = _bounded_crawl
    try:
        yield
    finally:
        library.crawl = original


@lru_cache(maxsize=512)
def _fsm(pattern: str, reading: str, widen: bool) -> Any:
    """The automaton of every string `pattern` finds a match in (None: unsupported or too big)."""
    from interegular import parse_pattern

    try:
        tree = _parse(pattern)
        if _size(tree) > _STATE_LIMIT:
            raise Unsupported("too many states")
        text = _search_language(tree, reading, widen)
        with _budget():
            return parse_pattern(text).to_fsm()
    except (Unsupported, _TooLarge):
        return None
    except Exception:  # the automaton library refused what we emitted: stay undecided
        return None


def _within(sub: Any, sup: Any) -> bool | None:
    if len(sub.states) * len(sup.states) * max(len(sub.alphabet), 1) > _PRODUCT_LIMIT:
        return None
    try:
        with _budget():
            return bool(sub.issubset(sup))
    except _TooLarge:
        return None


def includes(sub: str | None, sup: str | None) -> bool | None:
    """Does every string matched by `sub` match `sup` (None: no pattern)? True only when proven
    under both readings; False when it fails under the ECMA reading (exact); None: undecided."""
    if sup is None or sub == sup:
        return True
    answers = []
    for reading in READINGS:
        wide = _fsm(sub, reading, True) if sub is not None else _fsm("", reading, True)
        narrow = _fsm(sup, reading, False)
        if wide is None or narrow is None:
            return None
        answers.append(_within(wide, narrow))
    if all(a is True for a in answers):
        return True
    return False if answers[0] is False else None  # the ECMA automata are exact


_LENGTH_LIMIT = 128


def _lengths(fsm: Any) -> tuple[int, int | None] | None:
    """The shortest and longest string `fsm` accepts (None: accepts none; longest None: unbounded),
    from its graph: breadth-first for the shortest, a longest path over the live states (those
    reachable from the start that reach a final state) for the longest, unbounded on a live cycle."""
    edges = {state: set(fsm.map.get(state, {}).values()) for state in fsm.states}
    reached = {fsm.initial: 0}
    frontier = [fsm.initial]
    while frontier:
        following = []
        for state in frontier:
            for nxt in edges[state]:
                if nxt not in reached:
                    reached[nxt] = reached[state] + 1
                    following.append(nxt)
        frontier = following
    finals = [s for s in reached if s in fsm.finals]
    if not finals:
        return None
    back: dict[Any, set[Any]] = {s: set() for s in reached}
    for state in reached:
        for nxt in edges[state]:
            back[nxt].add(state)
    live, stack = set(finals), list(finals)
    while stack:
        for before in back[stack.pop()]:
            if before not in live:
                live.add(before)
                stack.append(before)
    return min(reached[s] for s in finals), _longest(fsm.initial, live, edges, fsm.finals)


def _longest(initial: Any, live: set[Any], edges: dict[Any, set[Any]], finals: Any) -> int | None:
    """The longest path from `initial` to a final state within `live` (Kahn's order; None on a cycle)."""
    inward = {s: 0 for s in live}
    for state in live:
        for nxt in edges[state] & live:
            inward[nxt] += 1
    order = [s for s in live if inward[s] == 0]
    for state in order:
        for nxt in edges[state] & live:
            inward[nxt] -= 1
            if inward[nxt] == 0:
                order.append(nxt)
    if len(order) < len(live):
        return None
    depth = {s: -1 for s in live}
    depth[initial] = 0
    for state in order:
        if depth[state] >= 0:
            for nxt in edges[state] & live:
                depth[nxt] = max(depth[nxt], depth[state] + 1)
    return max(depth[s] for s in live if s in finals)


@lru_cache(maxsize=64)
def _length_fsm(low: int, high: int | None) -> Any:
    from interegular import parse_pattern

    return parse_pattern(f"{_ANY}{{{low},{'' if high is None else high}}}").to_fsm()


def _clipped(fsm: Any, low: int, high: int | None) -> Any:
    """`fsm` intersected with the strings of `low..high` characters; None where the length
    automaton (one state per counted character) or the product would pass the bounds."""
    if low == 0 and high is None:
        return fsm
    if (low if high is None else high) > _LENGTH_LIMIT:
        return None
    lengths = _length_fsm(low, high)
    if len(fsm.states) * len(lengths.states) * max(len(fsm.alphabet), 1) > _PRODUCT_LIMIT:
        return None
    try:
        with _budget():
            return fsm & lengths
    except _TooLarge:
        return None


Strings = tuple[str | None, int, int | None]  # pattern (None: none), minLength, maxLength (None: none)


@lru_cache(maxsize=512)
def strings_within(sub: Strings, sup: Strings) -> bool | None:
    """Is every string of `sub` (its pattern and length bounds together) one of `sup`?

    The lengths a pattern allows come from its automaton: a string with a match of `.+` has at
    least one character (the shortest string a search finds a match in is the shortest string of
    the pattern's language), and `^(ab){0,2}$` caps the length, under Python's reading at five
    (`$` also matches before a final newline). Where the pattern with `sub`'s bounds taken as
    numbers proves nothing, the pattern is intersected with the bounds (up to `_LENGTH_LIMIT`
    characters; beyond, undecided). True only under both readings; False only when a string of
    the exact ECMA automaton escapes; None: undecided."""
    pattern_a, low_a, high_a = sub
    pattern_b, low_b, high_b = sup
    if high_a is not None and low_a > high_a:
        return True  # no string has a length in `sub`'s range
    inside = low_a >= low_b and (high_b is None or (high_a is not None and high_a <= high_b))
    if inside and (pattern_b is None or pattern_b == pattern_a):
        return True
    answers = [_within_reading(sub, sup, reading) for reading in READINGS]
    if all(a is True for a in answers):
        return True
    return False if answers[0] is False else None


def _within_reading(sub: Strings, sup: Strings, reading: str) -> bool | None:
    """One reading. The pattern alone with `sub`'s bounds as numbers decides most pairs; only
    when that proves nothing is the length-bounded product built (exact, so it can also refute)."""
    pattern_a, low_a, high_a = sub
    pattern_b = sup[0]
    wide = _fsm(pattern_a or "", reading, True)
    narrow = _fsm(pattern_b, reading, False) if pattern_b is not None else None
    if wide is None or (pattern_b is not None and narrow is None):
        return None
    if low_a == 0 and high_a is None:
        return _fits(wide, None, sup, narrow)
    if _fits(wide, (low_a, high_a), sup, narrow) is True:
        return True
    clipped = _clipped(wide, low_a, high_a)
    return None if clipped is None else _fits(clipped, None, sup, narrow)


def _fits(language: Any, bounds: tuple[int, int | None] | None, sup: Strings, narrow: Any) -> bool | None:
    """Is `language` (cut to `bounds` if given: then only a YES counts) within `sup`'s lengths and
    within `narrow` (None: no pattern)? False only for an exact language with an escaping string."""
    if len(language.states) > _DFA_LIMIT:
        return None
    span = _lengths(language)
    if span is None:
        return True  # no string at all
    shortest, longest = span
    if bounds is not None:
        low, high = bounds
        shortest = max(shortest, low)
        longest = high if longest is None else longest if high is None else min(longest, high)
    _, low_b, high_b = sup
    short_enough = high_b is None or (longest is not None and longest <= high_b)
    if shortest < low_b or not short_enough:
        return False if bounds is None else None
    held = True if narrow is None else _within(language, narrow)
    return held if bounds is None or held is True else None


def matches_everything(pattern: str) -> bool:
    """Does `pattern` find a match in every string, under both readings?"""
    return includes(None, pattern) is True


def nonempty(pattern: str) -> bool | None:
    """Does some string match `pattern`? False only when no string does under either reading
    (checked on the widened automata, so an approximated class cannot hide a match)."""
    found = []
    for reading in READINGS:
        wide = _fsm(pattern, reading, True)
        if wide is None:
            return None
        found.append(not wide.empty())
    if not any(found):
        return False
    return True if all(found) else None


__all__ = ["READINGS", "Strings", "Unsupported", "includes", "matches_everything", "nonempty", "strings_within"]

"""Parsing untrusted JSON (snapshots, provenance) within documented limits.

Snapshots arrive in pull requests, so their size must not decide whether a command crashes. The
limits are far above anything a real schema needs (the deepest shipped snapshot nests 10 levels):
- `MAX_DEPTH` levels of nested objects and arrays: every command was run at this depth (tests in
  tests/store/test_limits.py); the compatibility walk recurses a few frames per level, and at
  about 90 levels (arrays of arrays) Python's recursion limit ends it with a traceback;
- `MAX_NUMBER_CHARS` characters per number literal, and numbers must be finite: Python refuses to
  parse integers over 4,300 digits, and `1e999` would become an infinity no JSON can write back;
- `NaN`, `Infinity` and `-Infinity`, which `json.loads` accepts but JSON does not, are refused;
- strings must be valid Unicode: a lone surrogate (`"\\ud800"`) could not be written to any file.
Each refusal is one `UserError` naming the file and the line and column or the JSON pointer.
"""

from __future__ import annotations

import json
import math
from typing import Any

from cwscodegen.errors import UserError
from cwscodegen.store.refs import escape

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 100


class _LiteralRefused(ValueError):
    """A number or constant literal outside the limits; `literal` locates it in the text."""

    def __init__(self, literal: str, reason: str) -> None:
        super().__init__(reason)
        self.literal = literal
        self.reason = reason


def _parse_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _LiteralRefused(literal, f"number longer than {MAX_NUMBER_CHARS} characters")
    return int(literal)


def _parse_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _LiteralRefused(literal, f"number longer than {MAX_NUMBER_CHARS} characters")
    value = float(literal)
    if not math.isfinite(value):
        raise _LiteralRefused(literal, f"number {literal} is too large for a double")
    return value


def _refuse_constant(literal: str) -> Any:
    raise _LiteralRefused(literal, f"{literal} is not JSON")


def parse_json(text: str, source: str) -> Any:
    """`json.loads` within the limits above; every error names the file and the place."""
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise UserError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except _LiteralRefused as exc:
        raise UserError(f"{source}:{_line_col(text, exc.literal)}: {exc.reason}") from None
    except RecursionError:
        raise UserError(f"{source}: nested deeper than {MAX_DEPTH} levels (the limit)") from None
    check_value(value, source)
    return value


def check_value(value: Any, source: str) -> None:
    """A `UserError` naming the JSON pointer of the first place `value` nests deeper than
    `MAX_DEPTH` or holds a string that is not valid Unicode (a lone surrogate)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, (dict, list)) and depth >= MAX_DEPTH:
            shown = where if len(where) <= 80 else f"{where[:32]}…{where[-24:]}"
            raise UserError(f"{source}: at {shown}: nested deeper than {MAX_DEPTH} levels (the limit)")
        if isinstance(node, dict):
            for key, child in node.items():
                at = f"{where}/{escape(key)}"
                _check_text(key, at, source)
                stack.append((child, at, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, f"{where}/{i}", depth + 1) for i, child in enumerate(node))
        elif isinstance(node, str):
            _check_text(node, where, source)


def _check_text(text: str, where: str, source: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        printable = where.encode("utf-8", "backslashreplace").decode("utf-8")
        raise UserError(
            f"{source}: at {printable or '/'}: string is not valid Unicode (a lone surrogate escape such as \\ud800)"
        ) from None


def _line_col(text: str, literal: str) -> str:
    """`line:column` of the first occurrence of `literal` in `text` (where the parser met it)."""
    index = max(text.find(literal), 0)
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"

"""The precision suite: cases where inclusion holds and where it does not, per family.

Data: tests/data/precision/*.json (written for this project; no third-party material). Each case
is a pair OLD -> NEW and the truth of BACKWARD (every document valid under OLD is valid under NEW):
- `holds: true` cases carry `why`, the argument that inclusion holds for every JSON value;
- `holds: false` cases carry `witness`, a document valid under OLD and invalid under NEW, checked
  here with the project's validator (`make_validator`), or null where the engine must find one.

The engine must never answer "compatible" on a case that does not hold (soundness), must answer
"compatible" on every case that holds (precision; the cases the engine still leaves undecided are
listed in STILL_UNDECIDED with the reason), and must only say "breaking" with a verified witness.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.engine import compare
from cwscodegen.engine.changes import Direction, Effect
from cwscodegen.store.validators import make_validator

DATA = Path(__file__).resolve().parent.parent / "data" / "precision"
FAMILIES = sorted(p.stem for p in DATA.glob("*.json"))

STILL_UNDECIDED: dict[str, str] = {}


def with_draft(schema: Any, draft: str) -> Any:
    return {"$schema": draft, **schema} if isinstance(schema, dict) else schema


def cases() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for family in FAMILIES:
        for case in json.loads((DATA / f"{family}.json").read_text(encoding="utf-8")):
            found.append((family, case))
    return found


CASES = cases()


def documents(case: dict[str, Any]) -> tuple[Any, Any]:
    return with_draft(case["old"], case["draft"]), with_draft(case["new"], case["draft"])


@pytest.mark.parametrize("family,case", CASES, ids=[f"{f}:{c['id']}" for f, c in CASES])
def test_case(family: str, case: dict[str, Any]) -> None:
    old, new = documents(case)
    report = compare.diff_documents(old, new)
    if case["holds"]:
        if case["id"] in STILL_UNDECIDED:
            assert report.backward is Effect.UNDECIDED
        else:
            assert report.backward in (Effect.COMPATIBLE, Effect.NONE), case["why"]
        return
    witness = case.get("witness")
    if witness is not None:  # the label, checked on a concrete document
        assert make_validator(old).is_valid(witness)
        assert not make_validator(new).is_valid(witness)
    assert report.backward.breaks, "unsound: a case that does not hold was called compatible"
    shown = [w for c in report.changes for w in c.witnesses if w.direction is Direction.BACKWARD]
    if report.backward is Effect.BREAKING:
        assert shown and all(w.verified for w in shown)
        for w in shown:
            assert make_validator(old).is_valid(w.event) and not make_validator(new).is_valid(w.event)


def test_breaking_is_never_printed_without_a_witness() -> None:
    for _family, case in CASES:
        old, new = documents(case)
        for first, second, direction in ((old, new, Direction.BACKWARD), (new, old, Direction.BACKWARD)):
            report = compare.diff_documents(first, second)
            for change in report.changes:
                for effect, way in ((change.backward, Direction.BACKWARD), (change.forward, Direction.FORWARD)):
                    if effect is Effect.BREAKING:
                        assert any(w.direction is way for w in change.witnesses), (case["id"], change.rule)
            if report.backward is Effect.BREAKING:
                assert any(w.direction is direction for c in report.changes for w in c.witnesses)


def test_agreement_per_family() -> None:
    """At least 97% of the suite is decided right, and nothing unsound (see the module docstring)."""
    right = total = 0
    for _family, case in CASES:
        old, new = documents(case)
        back, _ = compare.verdicts_documents(old, new)
        holds = not back.breaks
        assert not holds or case["holds"], case["id"]
        right += holds == case["holds"]
        total += 1
    assert right / total >= 0.97


BOUNDARY = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    -0.0,
    0.5,
    2**53 + 1,
    10,
    4,
    6,
    12,
    512.2,
    1e300,
    "",
    "\n",
    "a",
    "ab",
    "abc",
    "ABC",
    "a\rc",
    "abc\n",
    "é",
    "a@b",
    "1.2.3.4",
    "2020-01-31",
    "x" * 5,
    [],
    [0],
    [1, 1],
    ["a"],
    {},
    {"a": 1},
    {"a": None},
    {"b": 1},
    {"a": "x", "b": 2},
]


def test_compatible_verdicts_survive_boundary_values() -> None:
    """Values that generators rarely draw (1.0, -0.0, 2**53 + 1, "\\n", empty containers, every
    type): whenever the engine says BACKWARD holds, none valid under OLD is rejected by NEW."""
    for _family, case in CASES:
        old, new = documents(case)
        for first, second in ((old, new), (new, old)):
            back, _ = compare.verdicts_documents(first, second)
            if back.breaks:
                continue
            accept, reject = make_validator(first), make_validator(second)
            for value in BOUNDARY:
                assert not accept.is_valid(value) or reject.is_valid(value), (case["id"], value)


def test_an_unchanged_format_next_to_another_change_is_no_change() -> None:
    draft = "https://json-schema.org/draft/2020-12/schema"
    old = {"$schema": draft, "type": "string", "format": "date-time", "description": "a"}
    new = {"$schema": draft, "type": "string", "format": "date-time", "description": "b"}
    assert [c.rule for c in compare.diff_documents(old, new).changes] == ["description-changed"]

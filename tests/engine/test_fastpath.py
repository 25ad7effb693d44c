"""The fast path (`compare.verdicts` / `judge`) follows `diff`'s rule: a direction is "breaking"
only with a verified witness, otherwise "undecided".

`diff` with witnesses is the reference: on every consecutive pair of the 59-version history and
of the shipped v1..v15, the fast path must give `(report.backward, report.forward)`, and every
witness it returns must be accepted by its source schema and rejected by the other, checked here
with a fresh `make_validator` (not the engine's own validators). Small pairs pin the three cases:
inclusion NO with a witness (breaking), NO where the witness search gives up (undecided), and
UNKNOWN where `diff` finds a witness (breaking on both paths).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cwscodegen.engine import compare
from cwscodegen.engine.changes import Direction, Effect, Witness
from cwscodegen.engine.inclusion import NO, UNKNOWN
from cwscodegen.engine.normalize import prepare
from cwscodegen.engine.witnesses import MAX_SIZE
from cwscodegen.store.snapshots import Snapshot, load_all
from cwscodegen.store.validators import make_validator
from tests.conftest import HISTORY_SNAPSHOTS, SHIPPED

C, B, U = Effect.COMPATIBLE, Effect.BREAKING, Effect.UNDECIDED
D2020 = "https://json-schema.org/draft/2020-12/schema"
D7 = "http://json-schema.org/draft-07/schema#"


def check_witness(witness: Witness | None, direction: Direction, old: Any, new: Any) -> None:
    """The witness exists, is verified, and a fresh validator agrees: source accepts, other rejects."""
    assert witness is not None and witness.verified and witness.direction is direction
    accept, reject = (old, new) if direction is Direction.BACKWARD else (new, old)
    assert make_validator(accept).is_valid(witness.event)
    assert not make_validator(reject).is_valid(witness.event)


def consecutive(folder: Path) -> list[tuple[Snapshot, Snapshot]]:
    snapshots = load_all(folder)
    return list(zip(snapshots, snapshots[1:]))


@pytest.mark.parametrize("folder", [HISTORY_SNAPSHOTS, SHIPPED], ids=["history", "shipped"])
def test_fast_path_gives_diffs_verdicts_on_every_consecutive_pair(folder: Path) -> None:
    pairs = consecutive(folder)
    assert len(pairs) == (58 if folder == HISTORY_SNAPSHOTS else 14)
    breaking = 0
    for old, new in pairs:
        report = compare.diff(old, new)
        judged = compare.judge(old, new)
        assert judged.effects == (report.backward, report.forward), (old.name, new.name)
        assert compare.verdicts(old, new) == judged.effects
        for direction, effect, witness in zip(Direction, judged.effects, judged.witnesses):
            if effect is B:
                breaking += 1
                check_witness(witness, direction, old.document, new.document)
            else:
                assert witness is None
    assert breaking >= 14  # every shipped pair breaks one way at least; the history far more


def test_a_no_with_a_witness_is_breaking_and_keeps_the_event() -> None:
    old = {"$schema": D2020, "type": "array", "minItems": 1}
    new = {**old, "minItems": 2}
    judged = compare.judge_documents(old, new)
    assert judged.effects == (B, C)
    check_witness(judged.witnesses[0], Direction.BACKWARD, old, new)
    assert judged.witnesses[1] is None and judged.readings == ("", "")


def test_a_no_whose_witness_search_gives_up_is_undecided() -> None:
    """An array of 5000 items is beyond the witness size cap, so no event is built or checked:
    inclusion says NO, but without an event in hand the verdict is undecided (still failing)."""
    assert MAX_SIZE < 5000
    old = {"$schema": D2020, "type": "array", "minItems": 5000}
    new = {**old, "minItems": 5001}
    pair = compare._Pair(prepare(old, "old"), prepare(new, "new"))
    assert pair.back is NO and pair.first_witness(Direction.BACKWARD) is None
    judged = compare.judge_documents(old, new)
    assert judged.effects == (U, C) and judged.witnesses == (None, None)
    assert compare.verdicts_documents(old, new) == (U, C)
    report = compare.diff_documents(old, new)
    assert (report.backward, report.forward) == (U, C)
    assert U.breaks  # undecided still fails a check


def test_an_unknown_with_a_witness_is_breaking_as_in_diff() -> None:
    """oneOf branches that overlap: inclusion cannot decide, but "2024-01-01" matches both new
    branches (a string of at most 10 characters), so NEW rejects what OLD accepts."""
    old = {"$schema": D7, "oneOf": [{"type": "string"}, {"maxLength": 5}]}
    new = {"$schema": D7, "oneOf": [{"type": "string"}, {"maxLength": 10}]}
    pair = compare._Pair(prepare(old, "old"), prepare(new, "new"))
    assert pair.back is UNKNOWN
    judged = compare.judge_documents(old, new)
    report = compare.diff_documents(old, new)
    assert judged.effects == (report.backward, report.forward) == (B, U)
    check_witness(judged.witnesses[0], Direction.BACKWARD, old, new)


def test_a_witness_under_one_reading_names_that_reading() -> None:
    """An undeclared document is judged under every draft that accepts it; the witness of a
    breaking direction says which reading it was found and verified under."""
    old = {"type": "integer"}
    new = {"type": "integer", "minimum": 0}
    judged = compare.judge_documents(old, new)
    assert judged.effects == (B, C)
    assert judged.readings[0].startswith("both read as ") and judged.readings[1] == ""
    assert judged.witnesses[0] is not None and judged.witnesses[0].event == -1


def test_diff_without_witnesses_keeps_the_rule_for_its_verdicts() -> None:
    """`compat` diffs without listing witnesses; its verdicts still need an event to say breaking."""
    old = {"$schema": D2020, "type": "array", "minItems": 1}
    report = compare.diff_documents(old, {**old, "minItems": 2}, witnesses=False)
    assert (report.backward, report.forward) == (B, C)
    assert all(not change.witnesses for change in report.changes)
    capped = {"$schema": D2020, "type": "array", "minItems": 5000}
    report = compare.diff_documents(capped, {**capped, "minItems": 5001}, witnesses=False)
    assert (report.backward, report.forward) == (U, C)

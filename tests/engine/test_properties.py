"""Property tests: the engine's verdicts and witnesses against set inclusion.

For each (OLD, NEW) pair the engine's claims are checked with documents, judged by
`cwscodegen.store.validators.make_validator` (draft-correct, format-asserting):
- BACKWARD compatible (or no effect) => no document valid under OLD is rejected by NEW;
- FORWARD compatible (or no effect) => no document valid under NEW is rejected by OLD;
- every attached witness is accepted by the side it names and rejected by the other.
Pairs come from mutations of the real CWS snapshots, from pairs of real upstream versions, and from
small random schemas of draft-04/07/2020-12 (see `tests/engine/strategies.py`). A failure here is a
soundness bug of the engine: it prints a reproducer (pair, verdicts, document, rejection).

Runs are derandomized (same examples every run) and the database is off (nothing written to the
repository); the example counts keep the module within about two minutes on two cores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cwscodegen.engine import compare
from cwscodegen.engine.changes import Direction, Effect
from cwscodegen.store.snapshots import snapshot_from_text
from tests.engine.boundary import boundary_values
from tests.engine.strategies import (
    Judge,
    Pair,
    claims_inclusion,
    counterexamples,
    cws_pairs,
    draw_instances,
    embed,
    history,
    history_pairs,
    reproducer,
    shipped,
    small_pairs,
    small_schemas,
    value_pool,
    witness_events,
    witness_problems,
)

PROFILE = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def _snapshot(document: Any, name: str) -> Any:
    return snapshot_from_text(json.dumps(document), f"<{name}>", Path(f"{name}.json"), name)


def check_pair(pair: Pair, draw: Any, count: int, extra: int = 0) -> None:
    """Assert the engine's claims on `pair` against generated documents and its own witnesses.

    `count` documents are generated at the pair's focus places per direction that some verdict
    claims compatible; `extra` more come from generic JSON and boundary values of both schemas.
    """
    report = compare.diff_documents(pair.old, pair.new, witnesses=True)
    fast = compare.verdicts(_snapshot(pair.old, "old"), _snapshot(pair.new, "new"))
    judge = Judge(pair.old, pair.new)

    problems = witness_problems(report, judge)
    assert not problems, f"{pair.label}: unverifiable witness:\n" + "\n".join(problems)

    witnesses = witness_events(report)
    slow = (report.backward, report.forward)
    for index, (direction, side, focus) in enumerate(
        ((Direction.BACKWARD, pair.old, pair.old_focus), (Direction.FORWARD, pair.new, pair.new_focus))
    ):
        if not (claims_inclusion(slow[index]) or claims_inclusion(fast[index])):
            continue
        instances = draw_instances(draw, side, focus, count) + witnesses
        if extra:
            pool = value_pool(pair.old, pair.new)
            instances += [draw(pool) for _ in range(extra)]
        bad, _ = counterexamples(judge, direction, instances)
        assert not bad, "UNSOUND verdict:\n" + reproducer(
            pair, slow if claims_inclusion(slow[index]) else fast, direction, bad[0], judge
        )


@settings(PROFILE, max_examples=60)
@given(pair=cws_pairs(), data=st.data())
def test_mutated_cws_snapshots_are_judged_soundly(pair: Pair, data: st.DataObject) -> None:
    check_pair(pair, data.draw, count=6)


@settings(PROFILE, max_examples=25)
@given(pair=history_pairs(), data=st.data())
def test_real_upstream_version_pairs_are_judged_soundly(pair: Pair, data: st.DataObject) -> None:
    check_pair(pair, data.draw, count=6)


@settings(PROFILE, max_examples=250)
@given(pair=small_pairs(), data=st.data())
def test_small_random_schemas_are_judged_soundly(pair: Pair, data: st.DataObject) -> None:
    check_pair(pair, data.draw, count=5, extra=8)


def test_every_witness_of_consecutive_real_versions_verifies() -> None:
    """All 58 upstream steps and all shipped steps: each attached witness must verify."""
    failures: list[str] = []
    witnessed = 0
    for versions in (history(), shipped()):
        for (old_name, old_text), (new_name, new_text) in zip(versions, versions[1:]):
            old, new = json.loads(old_text), json.loads(new_text)
            report = compare.diff_documents(old, new, old_name=old_name, new_name=new_name, witnesses=True)
            witnessed += len(witness_events(report))
            failures += [f"{old_name}->{new_name}: {p}" for p in witness_problems(report, Judge(old, new))]
    assert not failures, "\n".join(failures[:20])
    assert witnessed > 0, "the real history has breaking steps; the engine attached no witness at all"


@pytest.mark.parametrize("name,text", shipped() + history()[::8], ids=lambda v: v if len(v) < 40 else "")
def test_a_snapshot_is_compatible_with_itself(name: str, text: str) -> None:
    """Identical schemas: the engine must prove inclusion both ways (completeness, not soundness)."""
    document = json.loads(text)
    report = compare.diff_documents(document, document, witnesses=False)
    assert claims_inclusion(report.backward) and claims_inclusion(report.forward), (
        name,
        report.backward,
        report.forward,
    )


def test_the_harness_can_fail() -> None:
    """The check is not vacuous: against a verdict that lies, it finds the document that proves it.

    NEW makes `uid` a string in definition `File` (integer in OLD); an oracle claiming BACKWARD
    compatibility must be caught by documents generated at `File` and embedded into root events.
    """
    name, text = shipped()[-1]
    old = json.loads(text)
    new = json.loads(text)
    new["$defs"]["File"]["properties"]["uid"] = {"type": "string"}
    pair = Pair(old, new, f"{name}: File.uid integer -> string", ("/$defs/File",), ("/$defs/File",))
    judge = Judge(old, new)
    found: list[Any] = []

    @settings(PROFILE, max_examples=10)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        instances = draw_instances(data.draw, pair.old, pair.old_focus, 3)
        found.extend(counterexamples(judge, Direction.BACKWARD, instances)[0])

    run()
    assert found, "no generated OLD document reached File.uid: the generator/embedding is broken"
    message = reproducer(pair, (Effect.COMPATIBLE, Effect.COMPATIBLE), Direction.BACKWARD, found[0], judge)
    assert "uid" in message and "rejected_by" in message


def test_embedding_builds_root_events_that_old_accepts() -> None:
    """A definition-level document is carried to the root through required-only objects."""
    name, text = shipped()[-1]
    document = json.loads(text)
    event = embed(document, "/$defs/File", {"uid": 0, "gid": 0})
    assert event is not None and Judge(document, document).accepts("old", event), (name, event)


# ------------------------------------------------------------------ across drafts, at the boundaries


def _as_2020_12(draft04: Any) -> Any:
    """The same document declared 2020-12 (None when 2020-12's meta-schema refuses it)."""
    from cwscodegen.store.validators import accepting_drafts

    if not isinstance(draft04, dict):
        return None
    out = {**draft04, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    return out if "draft2020-12" in accepting_drafts(out) else None


@st.composite
def cross_draft_pairs(draw: Any) -> Pair:
    """A small draft-04 schema (possibly mutated) against itself declared 2020-12, either way round:
    what each accepts differs exactly where the drafts do (`1.0` as an integer, ...)."""
    old = draw(small_schemas("draft4"))
    if draw(st.booleans()):
        pair = draw(small_pairs())
        old = pair.old if isinstance(pair.old, dict) and "draft-04" in str(pair.old.get("$schema")) else old
    new = _as_2020_12(old)
    assume(new is not None)
    if draw(st.booleans()):
        old, new = new, old
    return Pair(old, new, "cross-draft", ("",), ("",))


def check_at_boundaries(pair: Pair) -> None:
    """Every compatible claim survives every boundary value, judged by each side's own draft."""
    report = compare.diff_documents(pair.old, pair.new, witnesses=True)
    judge = Judge(pair.old, pair.new)
    problems = witness_problems(report, judge)
    assert not problems, f"{pair.label}: unverifiable witness:\n" + "\n".join(problems)
    values = boundary_values(pair.old, pair.new)
    for index, direction in enumerate((Direction.BACKWARD, Direction.FORWARD)):
        if claims_inclusion((report.backward, report.forward)[index]):
            bad, _ = counterexamples(judge, direction, values)
            assert not bad, "UNSOUND verdict:\n" + reproducer(
                pair, (report.backward, report.forward), direction, bad[0], judge
            )


@settings(PROFILE, max_examples=40)
@given(pair=cross_draft_pairs())
def test_cross_draft_pairs_survive_boundary_values(pair: Pair) -> None:
    check_at_boundaries(pair)


@settings(PROFILE, max_examples=40)
@given(pair=small_pairs())
def test_small_pairs_survive_boundary_values(pair: Pair) -> None:
    check_at_boundaries(pair)


def test_boundary_values_catch_the_old_integer_verdict() -> None:
    """The generator is not vacuous: against the old claim that draft-04 and 2020-12 `integer`
    are the same, it finds the counterexample sampling never drew."""
    old = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "integer"}
    new = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}
    bad, _ = counterexamples(Judge(old, new), Direction.BACKWARD, boundary_values(old, new))
    assert 1.0 in bad and -0.0 in bad and 2.0**53 in bad

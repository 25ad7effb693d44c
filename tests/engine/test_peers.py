"""The engine against two schema registries' own compatibility verdicts (Apicurio, Karapace).

The suites (copies in tests/data/peer-suites/) are rule-based, so a disagreement is not a bug by
itself: each one is judged by set inclusion in tests/data/peer-suites/disagreements.json, and
docs/peer-disagreements.md is generated from that file. These tests hold both sides to it:

- no UNSOUND answer (the engine says a direction holds where the suite says it does not) unless
  the disagreement is documented with the engine shown right;
- agreement >= 97% per suite, counting a documented disagreement as agreement only where the
  engine is shown right (the suite's verdict replaced by the set-inclusion verdict);
- every documented disagreement still disagrees, with the documented engine answer, so the list
  cannot rot; every witness is checked with `make_validator`; the document is current.

The harness itself (benchmarks/peers.py) is tested with fake verdict functions whose answers are
known, so the counts it reports can be checked by hand.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from cwscodegen.engine import compare
from cwscodegen.engine.changes import Effect
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import peer_bench
import peers

MIN_AGREEMENT = 0.97


@pytest.fixture(scope="module")
def runs() -> dict[str, peers.SuiteRun]:
    return {suite: peers.run_suite(suite, compare.verdicts_documents) for suite in peers.SUITES}


@pytest.fixture(scope="module")
def documented() -> dict[tuple[str, str, str], peers.Disagreement]:
    return {entry.key: entry for entry in peers.load_disagreements()}


@pytest.fixture(scope="module")
def cases() -> dict[tuple[str, str], peers.Case]:
    return {(c.suite, c.case_id): c for suite in peers.SUITES for c in peers.load_suite(suite)}


def describe(outcome: peers.Outcome) -> str:
    return (
        f"{outcome.case.suite} {outcome.case.case_id!r} {outcome.direction}: suite "
        f"{'compatible' if outcome.suite_holds else 'incompatible'}, engine {outcome.engine_label}"
    )


# --------------------------------------------------------------------------- the loaders


def test_suites_load_with_their_stated_directions() -> None:
    apicurio, karapace = peers.load_apicurio(), peers.load_karapace()
    assert len(apicurio) == 145 and all(set(c.expected) == {"backward", "forward"} for c in apicurio)
    assert len(karapace) == 564 and all(set(c.expected) == {"backward"} for c in karapace)
    assert len({c.case_id for c in apicurio}) == 145 and len({c.case_id for c in karapace}) == 564
    first = apicurio[0]  # "000 Basic: {}": {"type":"string"} -> {} is backward compatible only
    assert first.case_id == "000 Basic: {}" and first.expected == {"backward": True, "forward": False}


def test_karapace_objects_are_read_as_draft_07_and_booleans_are_kept() -> None:
    karapace = peers.load_karapace()
    assert all(c.old.get("$schema") == peers.KARAPACE_DRAFT for c in karapace if isinstance(c.old, dict))
    first = karapace[0]  # L001: writer array of integers, reader a one-item tuple
    assert first.case_id == "L001 unit::test_array_and_tuples_are_incompatible"
    assert first.new["items"] == [{"type": "integer"}]
    assert any(c.old is True for c in karapace) and any(c.new is False for c in karapace)
    assert peers.with_draft({"$schema": "x"}, "y") == {"$schema": "x"}


# --------------------------------------------------------------------------- the harness


def always(effect: Effect) -> peers.VerdictFunction:
    def verdicts(old: Any, new: Any) -> tuple[Effect, Effect]:
        return effect, effect

    return verdicts


def test_harness_counts_unsound_answers_of_an_engine_that_says_always_compatible() -> None:
    run = peers.run_suite("apicurio-registry", always(Effect.COMPATIBLE))
    incompatible = sum(not holds for c in run.cases for holds in c.expected.values())
    assert incompatible == 17 * 2 + 96  # 'none' pairs break both ways, 'backward' pairs forward
    assert len(run.unsound) == incompatible and not run.cautious and not run.undecided
    assert run.agreement == pytest.approx((290 - incompatible) / 290)
    assert len(run.seconds) == 145 and len(run.outcomes) == 290


def test_harness_counts_cautious_and_undecided_answers() -> None:
    run = peers.run_suite("karapace", always(Effect.UNDECIDED))
    compatible = sum(c.expected["backward"] for c in run.cases)
    assert len(run.cautious) == compatible and len(run.undecided) == 564 and not run.unsound
    run = peers.run_suite("karapace", always(Effect.NONE))  # NONE means "holds", like COMPATIBLE
    assert len(run.unsound) == 564 - compatible and not run.cautious


def test_harness_reports_a_crash_per_case_without_counting_it_sound() -> None:
    def crash(old: Any, new: Any) -> tuple[Effect, Effect]:
        raise ValueError("boom")

    run = peers.run_suite("apicurio-registry", crash, peers.load_apicurio()[:3])
    assert len(run.errors) == 6 and not run.unsound and not run.cautious and run.agreement == 0
    assert run.errors[0].error == "ValueError: boom" and run.errors[0].engine_label == "error"


def test_harness_excuses_only_documented_answers_where_the_engine_is_right() -> None:
    case = peers.load_karapace()[0]
    run = peers.run_suite("karapace", always(Effect.COMPATIBLE), [case])
    entry = peers.Disagreement(
        group="g",
        suite="karapace",
        case_id=case.case_id,
        direction="backward",
        suite_holds=False,
        engine="compatible",
        right="engine",
        kind="k",
        reason="r",
    )
    assert run.agreement_with_inclusion({entry.key: entry}) == 1.0
    assert peer_bench.excused(run.outcomes[0], {entry.key: entry})
    wrong = peers.Disagreement(**{**entry.__dict__, "right": "suite"})
    assert run.agreement_with_inclusion({wrong.key: wrong}) == 0.0
    assert not peer_bench.excused(run.outcomes[0], {wrong.key: wrong})


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert peers.percentile(values, 0.95) == 95.0 and peers.percentile(values, 0.5) == 50.5


def test_counterexample_search_finds_a_document_or_reports_none() -> None:
    widen = peers.Case("t", "t", {"type": "string"}, {}, {"backward": True, "forward": False})
    found, value = peers.search_counterexample(widen, "forward", max_examples=0)
    assert found and not isinstance(value, str)  # valid under {} and not a string
    assert peers.search_counterexample(widen, "backward", max_examples=0) == (False, None)


# --------------------------------------------------------------------------- the engine


@pytest.mark.parametrize("suite", peers.SUITES)
def test_no_unsound_answer_outside_the_documented_disagreements(
    suite: str, runs: dict[str, peers.SuiteRun], documented: dict[tuple[str, str, str], peers.Disagreement]
) -> None:
    unexplained = [describe(o) for o in runs[suite].unsound if not peer_bench.excused(o, documented)]
    assert not unexplained, "UNSOUND answers not documented with the engine shown right:\n" + "\n".join(unexplained)


@pytest.mark.parametrize("suite", peers.SUITES)
def test_no_crash(
    suite: str, runs: dict[str, peers.SuiteRun], documented: dict[tuple[str, str, str], peers.Disagreement]
) -> None:
    crashes = [f"{describe(o)} ({o.error})" for o in runs[suite].errors if o.key not in documented]
    assert not crashes, "\n".join(crashes)


@pytest.mark.parametrize("suite", peers.SUITES)
def test_agreement_is_at_least_97_percent(
    suite: str, runs: dict[str, peers.SuiteRun], documented: dict[tuple[str, str, str], peers.Disagreement]
) -> None:
    run = runs[suite]
    agreement = run.agreement_with_inclusion(documented)
    assert agreement >= MIN_AGREEMENT, (
        f"{suite}: {100 * agreement:.1f}% (raw agreement with the suite {100 * run.agreement:.1f}%); "
        "disagreements:\n" + "\n".join(describe(o) for o in run.disagreements)
    )


def test_every_documented_disagreement_still_disagrees(
    runs: dict[str, peers.SuiteRun], documented: dict[tuple[str, str, str], peers.Disagreement]
) -> None:
    outcomes = {o.key: o for run in runs.values() for o in run.outcomes}
    stale = []
    for key, entry in documented.items():
        outcome = outcomes.get(key)
        if outcome is None:
            stale.append(f"{key}: no such case and direction")
        elif outcome.agrees or outcome.engine_label != entry.engine or outcome.suite_holds != entry.suite_holds:
            stale.append(f"{describe(outcome)}; documented: engine {entry.engine}")
    assert not stale, (
        "docs/peer-disagreements.md is stale (update disagreements.json, then --write-doc):\n" + "\n".join(stale)
    )


def test_every_disagreement_is_documented(
    runs: dict[str, peers.SuiteRun], documented: dict[tuple[str, str, str], peers.Disagreement]
) -> None:
    missing = [describe(o) for run in runs.values() for o in run.disagreements if o.key not in documented]
    assert not missing, "undocumented disagreements (run benchmarks/peer_bench.py --triage):\n" + "\n".join(missing)


# --------------------------------------------------------------------------- the judgements


def entries() -> Iterator[peers.Disagreement]:
    yield from peers.load_disagreements()


def test_judgements_are_well_formed() -> None:
    groups = peers.load_groups()
    assert len({g.id for g in groups}) == len(groups)
    keys = [e.key for e in entries()]
    assert len(keys) == len(set(keys)), "a case and direction is listed twice"
    for entry in entries():
        assert entry.right in ("engine", "suite") and entry.direction in peers.DIRECTIONS
        assert entry.engine == "error" or Effect(entry.engine)
        assert entry.engine_holds is not entry.suite_holds, f"{entry.key} is no disagreement"
        assert not (entry.right == "engine" and entry.engine == "error"), f"{entry.key}: a refusal is never right"
        # An engine shown wrong may only be cautious or refuse, never unsound.
        if entry.right == "suite":
            assert entry.engine_holds is not True, f"{entry.key}: an unsound engine answer cannot be documented away"


def test_witnesses_prove_their_direction(cases: dict[tuple[str, str], peers.Case]) -> None:
    problems = []
    for entry in entries():
        if entry.has_witness:
            problem = peers.witness_problem(cases[(entry.suite, entry.case_id)], entry)
            if problem:
                problems.append(f"{entry.key}: {problem}")
    assert not problems, "\n".join(problems)


def test_a_breaking_answer_shown_right_comes_with_a_witness() -> None:
    """Where the engine says breaking/undecided, the suite says compatible and the engine is right,
    a document must show the direction really breaks."""
    missing = [e.key for e in entries() if e.right == "engine" and e.engine_holds is False and not e.has_witness]
    assert not missing, missing


def test_no_witness_exists_where_the_direction_is_judged_to_hold(cases: dict[tuple[str, str], peers.Case]) -> None:
    """Where the judgement is that the direction holds (engine right and saying it holds, or suite
    right and saying compatible), no candidate document may break it (a cheap search; the
    argument is in the reason)."""
    found = []
    for entry in entries():
        holds = entry.engine_holds if entry.right == "engine" else entry.suite_holds
        if holds:
            hit, value = peers.search_counterexample(
                cases[(entry.suite, entry.case_id)], entry.direction, max_examples=0
            )
            if hit:
                found.append(f"{entry.key}: {value!r} breaks it")
    assert not found, "\n".join(found)


def test_document_is_generated_from_the_judgements(cases: dict[tuple[str, str], peers.Case]) -> None:
    expected = peers.render_disagreements(peers.load_groups(), cases.values())
    assert peers.DOC.read_text(encoding="utf-8") == expected, "run: python benchmarks/peer_bench.py --write-doc"


def test_benchmark_prints_figures_and_the_unsound_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert peer_bench.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    for suite in peers.SUITES:
        line = next(line for line in out if line.startswith(f"{suite}:"))
        assert re.search(r"agreement [\d.]+% .*UNSOUND \d+; over-cautious \d+; undecided \d+; .*p95 [\d.]+ ms", line)
    assert re.fullmatch(r"UNSOUND outside documented disagreements: \d+", out[-1])

"""How the compatibility engine's verdicts compare with two schema registries' own test suites.

Runs `compare.verdicts_documents` (the fast path: breaking only with a verified witness, as in
`diff`) on every pair of the Apicurio Registry and Karapace suites copied in
`tests/data/peer-suites/` and prints, per suite: pairs,
verdicts compared, agreement, UNSOUND answers (the engine says a direction holds where the suite
says it does not), over-cautious answers (the engine says breaking/undecided where the suite says
compatible), undecided answers, errors, and the median and p95 time per pair; then every
disagreement, marked `documented` when `docs/peer-disagreements.md` (generated from
`tests/data/peer-suites/disagreements.json`) explains it.

    .venv/bin/python benchmarks/peer_bench.py              # figures and disagreements
    .venv/bin/python benchmarks/peer_bench.py --triage     # + a set-inclusion check of each
                                                           #   undocumented disagreement
    .venv/bin/python benchmarks/peer_bench.py --write-doc  # regenerate docs/peer-disagreements.md

The exit code is always 0; the last line says how many UNSOUND answers are not documented.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers
from peers import Case, Disagreement, Outcome, SuiteRun, VerdictFunction


def engine_verdicts() -> VerdictFunction:
    from cwscodegen.engine import compare

    return compare.verdicts_documents


def print_run(run: SuiteRun, documented: dict[tuple[str, str, str], Disagreement]) -> None:
    pairs, checks = len(run.cases), len(run.outcomes)
    agreeing = checks - len(run.disagreements)
    print(
        f"{run.suite}: {pairs} pairs, {checks} verdicts compared; agreement {100 * run.agreement:.1f}% "
        f"({agreeing}/{checks}), with set inclusion where documented "
        f"{100 * run.agreement_with_inclusion(documented):.1f}%; UNSOUND {len(run.unsound)}; "
        f"over-cautious {len(run.cautious)}; undecided {len(run.undecided)}; errors {len(run.errors)}; "
        f"time per pair: median {run.percentile_ms(0.5):.3f} ms, p95 {run.percentile_ms(0.95):.3f} ms"
    )
    for outcome in run.disagreements:
        entry = documented.get(outcome.key)
        if entry is None:
            mark = "NOT DOCUMENTED"
        elif entry.engine != outcome.engine_label:
            mark = f"documented with engine {entry.engine}: STALE"
        else:
            mark = f"documented ({entry.right} right, {entry.group})"
        kind = "UNSOUND" if outcome.unsound else "over-cautious" if outcome.cautious else "error"
        suite_says = "compatible" if outcome.suite_holds else "incompatible"
        extra = f" ({outcome.error})" if outcome.error else ""
        print(
            f"  - {run.suite} | {outcome.case.case_id} | {outcome.direction} | suite {suite_says} | "
            f"engine {outcome.engine_label}{extra} | {kind} | {mark}"
        )


def excused(outcome: Outcome, documented: dict[tuple[str, str, str], Disagreement]) -> bool:
    """An unsound-looking answer is documented only where the engine is shown right."""
    entry = documented.get(outcome.key)
    return entry is not None and entry.right == "engine" and entry.engine == outcome.engine_label


def engine_witness(case: Case, direction: str) -> Any | None:
    """A witness from `compare.diff_documents` for `direction`, re-checked with the validator."""
    from cwscodegen.engine import compare

    report = compare.diff_documents(case.old, case.new, witnesses=True)
    source, target = peers.sides(direction)
    schemas = {"old": case.old, "new": case.new}
    for change in report.changes:
        for witness in change.witnesses:
            if witness.direction.value != direction:
                continue
            if peers.accepts(schemas[source], witness.event) and not peers.accepts(schemas[target], witness.event):
                return witness.event
    return None


def triage(outcome: Outcome) -> dict[str, Any]:
    """A draft `disagreements.json` entry: documents decide, the reason is left to a human."""
    case, direction = outcome.case, outcome.direction
    source, _ = peers.sides(direction)
    entry: dict[str, Any] = {
        "suite": case.suite,
        "case_id": case.case_id,
        "direction": direction,
        "suite_holds": outcome.suite_holds,
        "engine": outcome.engine_label,
    }
    witness = engine_witness(case, direction) if outcome.cautious else None
    found = witness is not None
    if not found:
        found, witness = peers.search_counterexample(case, direction)
    if found:
        entry.update(witness=witness, witness_valid_under=source)
        entry["right"] = "engine" if outcome.cautious else "suite"
    else:
        entry["right"] = "suite" if outcome.cautious else "engine?"
    entry["note"] = case.note
    return entry


def main(argv: list[str] | None = None, verdicts: VerdictFunction | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--suite", choices=peers.SUITES, action="append", help="only this suite (repeatable)")
    parser.add_argument("--triage", action="store_true", help="check each undocumented disagreement with documents")
    parser.add_argument("--write-doc", action="store_true", help="regenerate docs/peer-disagreements.md and stop")
    args = parser.parse_args(argv)

    if args.write_doc:
        cases = [c for s in peers.SUITES for c in peers.load_suite(s)]
        peers.DOC.write_text(peers.render_disagreements(peers.load_groups(), cases), encoding="utf-8")
        print(f"wrote {peers.DOC.relative_to(peers.ROOT)}")
        return 0

    verdicts = verdicts or engine_verdicts()
    entries = peers.load_disagreements() if peers.DISAGREEMENTS.is_file() else []
    documented = {entry.key: entry for entry in entries}
    undocumented_unsound = 0
    drafts: list[dict[str, Any]] = []
    for suite in args.suite or peers.SUITES:
        run = peers.run_suite(suite, verdicts)
        print_run(run, documented)
        undocumented_unsound += sum(not excused(o, documented) for o in run.unsound)
        if args.triage:
            drafts += [triage(o) for o in run.disagreements if o.key not in documented]
    if args.triage:
        print("draft entries for undocumented disagreements (decided by documents):")
        print(json.dumps(drafts, indent=2))
    print(f"UNSOUND outside documented disagreements: {undocumented_unsound}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

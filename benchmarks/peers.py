"""Peer suites: other projects' compatibility verdicts, and how the engine's answers compare.

Shared by `benchmarks/peer_bench.py` (prints figures) and `tests/engine/test_peers.py` (asserts them).
Reads only the project's copies in `tests/data/peer-suites/` (see its README.md):

- Apicurio Registry (`apicurio-registry/triples.jsonl`): each pair states both verdicts,
  `backward_compatible` and `forward_compatible`; each is compared with the engine's answer.
- Karapace (`karapace/triples.jsonl`): `old` is the writer's schema, `new` the reader's, and
  `compatible` is the BACKWARD verdict only. Karapace checks schemas with `jsonschema`'s
  Draft7Validator, so an object schema without `$schema` is given the draft-07 URI before the
  engine sees it (the engine would otherwise read it as 2020-12, where `items: [...]` means
  something else). Boolean schemas are passed as they are.

Directions, as in the engine: BACKWARD holds when every document valid under OLD is valid under
NEW; FORWARD holds when every document valid under NEW is valid under OLD. The engine's NONE and
COMPATIBLE both mean "holds"; BREAKING and UNDECIDED mean "does not hold" (`Effect.breaks`).

Disagreements that were examined by hand are kept in `tests/data/peer-suites/disagreements.json`
(one object per suite/case/direction, with who is right by set inclusion, why, and where the
engine says breaking, a witness document); `docs/peer-disagreements.md` is generated from it by
`render_disagreements`.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwscodegen.engine.changes import Effect

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "tests" / "data" / "peer-suites"
DISAGREEMENTS = PEERS / "disagreements.json"
DOC = ROOT / "docs" / "peer-disagreements.md"
SUITES = ("apicurio-registry", "karapace")
DIRECTIONS = ("backward", "forward")
KARAPACE_DRAFT = "http://json-schema.org/draft-07/schema#"

VerdictFunction = Callable[[Any, Any], tuple[Effect, Effect]]
"""(old_document, new_document) -> (backward, forward), e.g. `compare.verdicts_documents`."""


@dataclass(frozen=True)
class Case:
    """One pair from a suite with the verdicts that suite asserts (direction -> holds)."""

    suite: str
    case_id: str
    old: Any
    new: Any
    expected: dict[str, bool]
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """The engine's answer for one case in one direction, next to the suite's verdict."""

    case: Case
    direction: str
    suite_holds: bool
    engine: Effect | None  # None: the engine raised (see `error`)
    error: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.case.suite, self.case.case_id, self.direction)

    @property
    def engine_holds(self) -> bool | None:
        return None if self.engine is None else not self.engine.breaks

    @property
    def agrees(self) -> bool:
        return self.engine_holds is self.suite_holds

    @property
    def unsound(self) -> bool:
        """The engine says the direction holds where the suite says it does not."""
        return self.engine_holds is True and not self.suite_holds

    @property
    def cautious(self) -> bool:
        """The engine says breaking/undecided where the suite says compatible."""
        return self.engine_holds is False and self.suite_holds

    @property
    def engine_label(self) -> str:
        return "error" if self.engine is None else self.engine.value


@dataclass(frozen=True)
class SuiteRun:
    """Every outcome of one suite and the engine's time per pair (one call answers both ways)."""

    suite: str
    cases: tuple[Case, ...]
    outcomes: tuple[Outcome, ...]
    seconds: tuple[float, ...]

    @property
    def agreement(self) -> float:
        return sum(o.agrees for o in self.outcomes) / len(self.outcomes)

    @property
    def disagreements(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.agrees]

    @property
    def unsound(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.unsound]

    @property
    def cautious(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.cautious]

    @property
    def undecided(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.engine is Effect.UNDECIDED]

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.engine is None]

    def agreement_with_inclusion(self, documented: dict[tuple[str, str, str], Disagreement]) -> float:
        """Agreement once the suite's verdict is replaced by the set-inclusion verdict where a
        documented disagreement shows (with documents or an argument) that the engine is right
        and the engine still gives the documented answer."""
        right = 0
        for outcome in self.outcomes:
            entry = documented.get(outcome.key)
            excused = entry is not None and entry.right == "engine" and entry.engine == outcome.engine_label
            right += outcome.agrees or excused
        return right / len(self.outcomes)

    def percentile_ms(self, fraction: float) -> float:
        return 1000 * percentile(self.seconds, fraction)


@dataclass(frozen=True)
class Disagreement:
    """One documented disagreement: a case and direction, and what each side answered.

    `engine` is "error" where the engine refused the pair (raised). `witness` (present only
    when `has_witness`) is a document valid under the direction's source schema (OLD for
    backward, NEW for forward) and invalid under its target; `witness_valid_under` names the
    source side ("old" or "new"). The judgement (`right`, `kind`, `reason`) is the group's.
    """

    group: str
    suite: str
    case_id: str
    direction: str
    suite_holds: bool
    engine: str  # the engine's answer when documented: an `Effect` value, or "error"
    right: str  # "engine" or "suite": who is right by set inclusion
    kind: str
    reason: str
    witness: Any = None
    witness_valid_under: str | None = None
    has_witness: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.suite, self.case_id, self.direction)

    @property
    def engine_holds(self) -> bool | None:
        return None if self.engine == "error" else not Effect(self.engine).breaks


@dataclass(frozen=True)
class Group:
    """Disagreements with one explanation: `right` is who is right by set inclusion."""

    id: str
    suite: str
    title: str
    right: str
    kind: str
    reason: str
    entries: tuple[Disagreement, ...]


# --------------------------------------------------------------------------- loading


def _rows(suite: str) -> list[dict[str, Any]]:
    path = PEERS / suite / "triples.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def with_draft(document: Any, uri: str) -> Any:
    """`document` with `$schema` set to `uri` when it is an object that declares none."""
    if isinstance(document, dict) and "$schema" not in document:
        return {"$schema": uri, **document}
    return document


def load_apicurio() -> list[Case]:
    return [
        Case(
            suite="apicurio-registry",
            case_id=row["id"],
            old=row["old"],
            new=row["new"],
            expected={"backward": bool(row["backward_compatible"]), "forward": bool(row["forward_compatible"])},
            note=row.get("comment") or row.get("skipApitomy") or "",
        )
        for row in _rows("apicurio-registry")
        if row.get("enabled", True)
    ]


def load_karapace() -> list[Case]:
    """Karapace rows; a case id is the row's line number (1-based, 3 digits) and its test name."""
    return [
        Case(
            suite="karapace",
            case_id=f"L{line:03d} {row['test']}",
            old=with_draft(row["old"], KARAPACE_DRAFT),
            new=with_draft(row["new"], KARAPACE_DRAFT),
            expected={"backward": bool(row["compatible"])},
            note=row.get("msg") or "",
        )
        for line, row in enumerate(_rows("karapace"), start=1)
    ]


def load_suite(suite: str) -> list[Case]:
    loaders = {"apicurio-registry": load_apicurio, "karapace": load_karapace}
    return loaders[suite]()


def load_groups(path: Path = DISAGREEMENTS) -> list[Group]:
    """`disagreements.json`: a list of groups, each with its judgement and its cases."""
    groups = []
    for raw in json.loads(path.read_text(encoding="utf-8")):
        common = {k: raw[k] for k in ("suite", "right", "kind", "reason")}
        entries = tuple(
            Disagreement(
                group=raw["id"],
                case_id=case["case_id"],
                direction=case["direction"],
                suite_holds=case["suite_holds"],
                engine=case["engine"],
                witness=case.get("witness"),
                witness_valid_under=case.get("witness_valid_under"),
                has_witness="witness" in case,
                **common,
            )
            for case in raw["cases"]
        )
        groups.append(Group(id=raw["id"], title=raw["title"], entries=entries, **common))
    return groups


def load_disagreements(path: Path = DISAGREEMENTS) -> list[Disagreement]:
    return [entry for group in load_groups(path) for entry in group.entries]


def documented_keys(path: Path = DISAGREEMENTS) -> set[tuple[str, str, str]]:
    return {d.key for d in load_disagreements(path)}


# --------------------------------------------------------------------------- running


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction 0.5 is the median of an odd-sized sample)."""
    if not values:
        return float("nan")
    if fraction == 0.5:
        return statistics.median(values)
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))  # 1-based: the smallest value with that share at or below it
    return ordered[max(0, min(len(ordered), rank) - 1)]


def run_suite(suite: str, verdicts: VerdictFunction, cases: Iterable[Case] | None = None) -> SuiteRun:
    """Ask `verdicts` about every pair of `suite` (or the given cases) and compare."""
    chosen = tuple(load_suite(suite) if cases is None else cases)
    outcomes: list[Outcome] = []
    seconds: list[float] = []
    for case in chosen:
        start = time.perf_counter()
        try:
            answer: tuple[Effect, Effect] | None = verdicts(case.old, case.new)
            error = ""
        except Exception as exc:  # a crash is reported per case, never hidden
            answer, error = None, f"{type(exc).__name__}: {exc}"
        seconds.append(time.perf_counter() - start)
        for direction, suite_holds in case.expected.items():
            engine = None if answer is None else answer[DIRECTIONS.index(direction)]
            outcomes.append(Outcome(case, direction, suite_holds, engine, error))
    return SuiteRun(suite, chosen, tuple(outcomes), tuple(seconds))


# --------------------------------------------------------------------------- checking by documents


def accepts(schema: Any, instance: Any) -> bool:
    """Is `instance` valid under `schema`, by the project's one validator (formats asserted)?"""
    from cwscodegen.store.validators import make_validator

    return bool(make_validator(schema).is_valid(instance))


def sides(direction: str) -> tuple[str, str]:
    """(side whose documents must stay valid, side that must accept them) for a direction."""
    return ("old", "new") if direction == "backward" else ("new", "old")


def witness_problem(case: Case, entry: Disagreement) -> str | None:
    """Why a documented witness does not prove its direction breaks, or None when it does."""
    source, target = sides(entry.direction)
    if entry.witness_valid_under != source:
        return f"witness_valid_under is {entry.witness_valid_under!r}, expected {source!r} for {entry.direction}"
    schemas = {"old": case.old, "new": case.new}
    if not accepts(schemas[source], entry.witness):
        return f"{source} rejects the witness"
    if accepts(schemas[target], entry.witness):
        return f"{target} accepts the witness"
    return None


def search_counterexample(case: Case, direction: str, max_examples: int = 300) -> tuple[bool, Any]:
    """Look for a document valid under the direction's source and invalid under its target.

    Candidates come from `hypothesis-jsonschema` (for the source schema, when it can build a
    strategy, unless `max_examples` is 0) and from `value_pool`; each candidate is judged by
    `make_validator`, never by the generator. Returns (found, document). Finding none is evidence, not
    proof, that the direction holds.
    """
    from cwscodegen.store.validators import make_validator

    source, target = sides(direction)
    schemas = {"old": case.old, "new": case.new}
    src, dst = schemas[source], schemas[target]
    accepts_src, accepts_dst = make_validator(src).is_valid, make_validator(dst).is_valid

    def breaks(value: Any) -> bool:
        return bool(accepts_src(value) and not accepts_dst(value))

    for value in value_pool(src, dst):
        if breaks(value):
            return True, value
    if max_examples <= 0:
        return False, None
    try:
        from hypothesis import HealthCheck, Phase, find, settings
        from hypothesis.errors import NoSuchExample, Unsatisfiable
        from hypothesis_jsonschema import from_schema

        strategy = from_schema(src)
        found = find(
            strategy,
            breaks,
            settings=settings(
                max_examples=max_examples,
                database=None,
                derandomize=True,
                deadline=None,
                phases=[Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            ),
        )
        return True, found
    except (NoSuchExample, Unsatisfiable):
        return False, None
    except Exception:  # hypothesis-jsonschema cannot build a strategy for every schema
        return False, None


def value_pool(*schemas: Any) -> list[Any]:
    """Candidate documents: generic JSON values, every constant and enum value the schemas
    mention, numbers around every numeric bound, strings/arrays/objects of lengths around every
    size bound, and objects built from the property names the schemas mention."""
    scalars: list[Any] = [None, True, False, 0, 1, -1, 0.5, 1.5, -1.5, 2, 3, 10, 100, 1e9, "", "a", "abc"]
    names: set[str] = set()
    consts: list[Any] = []
    numbers: set[float] = set()
    sizes: set[int] = {0, 1, 2, 3}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list):
                consts.extend(node["enum"])
            if "const" in node:
                consts.append(node["const"])
            for key in ("properties", "patternProperties"):
                if isinstance(node.get(key), dict):
                    names.update(node[key])
            for key in ("required", "propertyNames"):
                if isinstance(node.get(key), list):
                    names.update(n for n in node[key] if isinstance(n, str))
            for key in _NUMERIC_BOUNDS:
                value = node.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    numbers.update({value, value - 1, value + 1, value - 0.5, value + 0.5, value * 2, -value})
            for key in _SIZE_BOUNDS:
                value = node.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 64:
                    sizes.update({value, value + 1, max(0, value - 1)})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for schema in schemas:
        walk(schema)
    scalars += consts + sorted(numbers)
    scalars += [int(n) for n in numbers if float(n).is_integer()]
    scalars += ["a" * k for k in sorted(sizes)] + ["1" * k for k in sorted(sizes)]
    pool: list[Any] = list(scalars)
    pool += [[1] * k for k in sorted(sizes)] + [["a"] * k for k in sorted(sizes)] + [[1, 1], ["a", "b"]]
    pool += [{f"k{i}": 1 for i in range(k)} for k in sorted(sizes)]
    for name in sorted(names):
        pool += [{name: value} for value in scalars[:17] + consts + [[], {}]]
    ordered = sorted(names)
    fillers: list[Any] = [None, 1, "a", [], {}]
    for value in fillers:
        pool.append({name: value for name in ordered})
        pool.append({**{name: value for name in ordered}, "extra": value})
    return pool


_NUMERIC_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_SIZE_BOUNDS = (
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
)


# --------------------------------------------------------------------------- the document


def _verdict(holds: bool) -> str:
    return "compatible" if holds else "incompatible"


def _code(value: Any) -> str:
    """A JSON value as inline Markdown code (backticks inside cannot occur in these schemas)."""
    return f"`{json.dumps(value, sort_keys=True, ensure_ascii=False)}`"


_INTRO = """\
# Where the engine and the peer suites disagree

<!-- Generated from tests/data/peer-suites/disagreements.json by
     `python benchmarks/peer_bench.py --write-doc`; tests/engine/test_peers.py checks it is current. -->

`benchmarks/peer_bench.py` runs the compatibility engine (`compare.verdicts_documents`) on every
pair of two schema registries' own test suites (copies in `tests/data/peer-suites/`): Apicurio
Registry (both directions stated per pair) and Karapace (`compatible` is the BACKWARD verdict,
old = writer, new = reader; object schemas without `$schema` are read as draft-07, the draft
Karapace validates with). Every pair and direction where the two answers differ is listed here,
grouped by cause, with who is right by **set inclusion**: BACKWARD holds when every document
valid under OLD is valid under NEW, FORWARD when every document valid under NEW is valid under
OLD, "valid" meaning what `cwscodegen.store.validators.make_validator` says (formats asserted).

Registries decide by rules, not by sets, and say so in places: Karapace holds `{"type":"string"}`
-> `true` incompatible and `true` -> `false` compatible; registries treat a new required property
that has a `default` as compatible. Such cases are marked *registry rule*; the engine keeps the
set-inclusion answer.

A **witness** is a document valid under the direction's source schema (OLD for backward, NEW for
forward) and invalid under the other one; one is given wherever a direction really breaks and the
suite says compatible. `tests/engine/test_peers.py` validates every witness, checks that every case
listed here still gets the listed engine answer, and fails on any UNSOUND answer (the engine says
a direction holds where the suite says it does not) that is not listed here with the engine shown
right. An engine answer that is wrong by set inclusion is listed only when it is cautious
(breaking or undecided where the direction holds) or a refusal (error), never when it is unsound.
"""


def render_disagreements(groups: Sequence[Group], cases: Iterable[Case]) -> str:
    """`docs/peer-disagreements.md`, generated from `disagreements.json` (do not edit by hand).

    `cases` are the suites' cases (for the schemas of each listed pair)."""
    by_id = {(c.suite, c.case_id): c for c in cases}
    lines = [_INTRO]
    lines.append("| suite | group | cases | right by set inclusion | kind |")
    lines.append("|---|---|---|---|---|")
    for group in groups:
        lines.append(
            f"| {group.suite} | [{group.title}](#{group.id}) | {len(group.entries)} | {group.right} | {group.kind} |"
        )
    lines.append("")
    for suite in SUITES:
        chosen = [g for g in groups if g.suite == suite]
        if not chosen:
            continue
        lines += [f"## {suite}", ""]
        for group in chosen:
            lines += [
                f'<a id="{group.id}"></a>',
                f"### {group.title}",
                "",
                f"*{group.kind}; right by set inclusion: **{group.right}**.* {group.reason}",
                "",
            ]
            for entry in group.entries:
                case = by_id.get((entry.suite, entry.case_id))
                engine = "error (refused)" if entry.engine == "error" else entry.engine
                line = f"- `{entry.case_id}`, {entry.direction}: suite {_verdict(entry.suite_holds)}, engine {engine}"
                if case is not None:
                    line += f"; old {_code(case.old)}, new {_code(case.new)}"
                if entry.has_witness:
                    source, target = sides(entry.direction)
                    line += f"; witness (valid under {source.upper()}, invalid under {target.upper()}): {_code(entry.witness)}"
                lines.append(line)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"

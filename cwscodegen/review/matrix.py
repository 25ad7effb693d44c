"""The compatibility matrix: every ordered pair (older, newer) of snapshots, and the transitive view.

For each pair the engine's fast path (`compare.judge`: no change list) gives the BACKWARD and
FORWARD effects, with diff's rule: a direction is breaking only with a verified witness event,
which the cell keeps as its proof, else undecided. Rows are the NEWER version, columns the OLDER one, so a row reads "what this
release does to consumers of each earlier release", and the transitive summary sits at its end:
is the version compatible (in the configured mode) with every older version, and how far back
does an unbroken run of compatible older versions reach (the oldest release that may still be in
the field when this one ships).

Speed: each snapshot is loaded once by the caller and its normal form kept for the whole run
(`normalize.pinned`); documents that are the same JSON value (the history has reverts) are judged
once, and a pair of them needs nothing: the same schema accepts the same documents. Among the
distinct documents, `derive.settle` skips the engine wherever transitivity of proven inclusions or
a witness event checked by the validator already decides a direction; each cell keeps that proof.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from cwscodegen.engine.changes import Effect
from cwscodegen.review import derive
from cwscodegen.store.snapshots import Snapshot, canonical

if TYPE_CHECKING:
    from cwscodegen.engine.compare import PairVerdicts

Verdicts = derive.Verdicts


class Status(str, Enum):
    """What a pair's two verdicts add up to, for colours and legends."""

    FULL = "full"  # both directions hold
    BACKWARD = "backward"  # NEW reads OLD data; OLD readers may reject NEW data
    FORWARD = "forward"  # OLD readers accept NEW data; NEW may reject OLD data
    NONE = "none"  # neither direction holds, and at least one is a proven break
    UNDECIDED = "undecided"  # neither holds, and the engine could not decide either


LEGEND: Mapping[Status, str] = {
    Status.FULL: "both directions hold",
    Status.BACKWARD: "the newer version accepts every older document; forward breaks",
    Status.FORWARD: "the older version accepts every newer document; backward breaks",
    Status.NONE: "breaks in both directions",
    Status.UNDECIDED: "neither direction proven (undecided counts as breaking)",
}


def _holds(effect: Effect) -> bool:
    return not effect.breaks


def _symbol(effect: Effect, letter: str) -> str:
    if effect is Effect.UNDECIDED:
        return "?"
    return letter if _holds(effect) else "-"


@dataclass(frozen=True)
class Cell:
    """The verdicts for one ordered pair: `old` is the older version, `new` the newer.

    `proofs` says how each verdict (backward, forward) was obtained; it is not part of equality,
    since a verdict means the same however it was proven.
    """

    old: str
    new: str
    backward: Effect
    forward: Effect
    proofs: tuple[derive.Proof, derive.Proof] = field(default=(derive.ENGINE, derive.ENGINE), compare=False)

    @property
    def status(self) -> Status:
        back, fwd = _holds(self.backward), _holds(self.forward)
        if back and fwd:
            return Status.FULL
        if back:
            return Status.BACKWARD
        if fwd:
            return Status.FORWARD
        if Effect.BREAKING in (self.backward, self.forward):
            return Status.NONE
        return Status.UNDECIDED

    @property
    def code(self) -> str:
        """Two characters, one per direction: `B`/`F` holds, `-` breaks, `?` undecided."""
        return _symbol(self.backward, "B") + _symbol(self.forward, "F")

    @property
    def partly_undecided(self) -> bool:
        """A direction is undecided even though the status names a proven one."""
        return Effect.UNDECIDED in (self.backward, self.forward)

    def passes(self, mode: str) -> bool:
        """Whether the pair is compatible in `mode` (backward, forward or full)."""
        if mode == "backward":
            return _holds(self.backward)
        if mode == "forward":
            return _holds(self.forward)
        return _holds(self.backward) and _holds(self.forward)


@dataclass(frozen=True)
class Summary:
    """The transitive view of one version against every older one, in the matrix's mode.

    `oldest_in_run` is the oldest version V such that this version is compatible with V and with
    every version between V and itself; None when it already breaks its predecessor (and for the
    first version, which has nothing older).
    """

    name: str
    older: int
    compatible_older: int
    oldest_in_run: str | None

    @property
    def with_all_older(self) -> bool:
        return self.compatible_older == self.older


@dataclass(frozen=True)
class Matrix:
    """All ordered pairs of `versions` (in version order) and the mode the summaries use."""

    versions: tuple[str, ...]
    cells: Mapping[tuple[str, str], Cell]
    mode: str

    def cell(self, old: str, new: str) -> Cell:
        return self.cells[(old, new)]

    def pairs(self) -> Iterable[Cell]:
        """Every cell in reading order: row by row (newer), then column by column (older)."""
        for j, new in enumerate(self.versions):
            for old in self.versions[:j]:
                yield self.cells[(old, new)]

    def summaries(self) -> tuple[Summary, ...]:
        return tuple(self.summary(i) for i in range(len(self.versions)))

    def summary(self, index: int) -> Summary:
        new = self.versions[index]
        older = self.versions[:index]
        passing = [self.cell(old, new).passes(self.mode) for old in older]
        run = index
        while run > 0 and passing[run - 1]:
            run -= 1
        return Summary(
            name=new,
            older=index,
            compatible_older=sum(passing),
            oldest_in_run=older[run] if run < index else None,
        )


def compute(
    snapshots: Sequence[Snapshot], mode: str, verdicts: Verdicts | None = None, *, derive: bool = True
) -> Matrix:
    """Judge every ordered pair of `snapshots` (given in version order).

    `verdicts` defaults to the engine's fast path `compare.judge` (each breaking direction with its
    witness, kept as the cell's proof); tests pass their own. With
    `derive` (the default) pairs already settled by transitivity or a verified witness skip the
    engine (see `cwscodegen.review.derive`); without it every distinct pair is judged, which is the
    reference the derived matrix is tested against.
    """
    from cwscodegen.engine.normalize import pinned

    if verdicts is None:
        from cwscodegen.engine import compare

        verdicts = compare.judge
    with pinned(s.document for s in snapshots):
        cells = _derived_cells(snapshots, verdicts) if derive else _plain_cells(snapshots, verdicts)
    return Matrix(versions=tuple(s.name for s in snapshots), cells=cells, mode=mode)


def _derived_cells(snapshots: Sequence[Snapshot], verdicts: Verdicts) -> dict[tuple[str, str], Cell]:
    """Distinct documents settled by `derive.settle`, spread back over every snapshot pair."""
    first: dict[str, int] = {}
    docs: list[Snapshot] = []
    index: list[int] = []
    for snapshot in snapshots:
        key = canonical(snapshot.document)
        if key not in first:
            first[key] = len(docs)
            docs.append(snapshot)
        index.append(first[key])
    known, _ = derive.settle(docs, verdicts)
    cells: dict[tuple[str, str], Cell] = {}
    for j, new in enumerate(snapshots):
        for i, old in enumerate(snapshots[:j]):
            a, b = index[i], index[j]
            if a == b:
                cells[(old.name, new.name)] = _same(old, new)
                continue
            (backward, back_proof), (forward, fwd_proof) = known[(a, b)], known[(b, a)]
            cells[(old.name, new.name)] = Cell(old.name, new.name, backward, forward, (back_proof, fwd_proof))
    return cells


def _plain_cells(snapshots: Sequence[Snapshot], verdicts: Verdicts) -> dict[tuple[str, str], Cell]:
    """Every distinct pair through `verdicts`; identical documents need no call. A breaking
    direction's proof is the witness the engine gave for it (ENGINE when the function gives none)."""
    keys = [canonical(s.document) for s in snapshots]
    judged: dict[tuple[str, str], Cell] = {}
    cells: dict[tuple[str, str], Cell] = {}
    for j, new in enumerate(snapshots):
        for i in range(j):
            old = snapshots[i]
            pair = (keys[i], keys[j])
            if pair not in judged:
                judged[pair] = _same(old, new) if pair[0] == pair[1] else _judged_cell(old, new, verdicts(old, new))
            cells[(old.name, new.name)] = replace(judged[pair], old=old.name, new=new.name)
    return cells


def _same(old: Snapshot, new: Snapshot) -> Cell:
    return Cell(old.name, new.name, Effect.NONE, Effect.NONE, (derive.SAME, derive.SAME))


def _judged_cell(old: Snapshot, new: Snapshot, result: tuple[Effect, Effect] | PairVerdicts) -> Cell:
    found = derive.judged(result)
    names = (old.name, new.name)
    proofs = tuple(
        derive.engine_proof(witness, found_for, reading) if effect is Effect.BREAKING else derive.ENGINE
        for effect, witness, found_for, reading in zip(
            found.effects, found.witnesses, (names, names[::-1]), found.readings
        )
    )
    return Cell(old.name, new.name, found.backward, found.forward, (proofs[0], proofs[1]))


def column_labels(versions: Sequence[str]) -> list[str]:
    """Short column headings: the names when all are short, else the 1-based row numbers."""
    if all(len(v) <= 4 for v in versions):
        return list(versions)
    return [str(n) for n in range(1, len(versions) + 1)]


def _run_text(summary: Summary) -> str:
    if summary.older == 0:
        return "(first)"
    return summary.oldest_in_run or "(none)"


def _all_text(summary: Summary) -> str:
    if summary.older == 0:
        return "-"
    return "yes" if summary.with_all_older else f"no ({summary.compatible_older}/{summary.older})"


SUMMARY_HEADINGS = ("all older", "oldest in run")
CODE_NOTE = (
    "Each cell is OLDER (column) judged against NEWER (row): `B` backward holds (the newer version "
    "accepts every older document), `F` forward holds (the older version accepts every newer "
    "document), `-` breaks, `?` undecided (counted as breaking)."
)


def _mode_note(mode: str) -> str:
    return (
        f"'all older': compatible ({mode}) with every older version; 'oldest in run': the oldest "
        f"version V such that it is compatible ({mode}) with V and every version after V."
    )


def to_markdown(matrix: Matrix) -> str:
    """A Markdown table (rows newer, columns older), the transitive columns, and a legend."""
    versions = matrix.versions
    labels = column_labels(versions)
    numbered = labels != list(versions)
    head = (
        ["#", "version", *labels[:-1], *SUMMARY_HEADINGS]
        if numbered
        else ["newer \\ older", *labels[:-1], *SUMMARY_HEADINGS]
    )
    lines = [_md_row(head), _md_row(["---"] * len(head))]
    for j, (new, summary) in enumerate(zip(versions, matrix.summaries())):
        cells = [matrix.cell(old, new).code if i < j else "" for i, old in enumerate(versions[:-1])]
        lead = [str(j + 1), _md_escape(new)] if numbered else [_md_escape(new)]
        lines.append(_md_row([*lead, *cells, _all_text(summary), _md_escape(_run_text(summary))]))
    legend = [f"- `{c}`: {_example_status(c)}" for c in ("BF", "B-", "-F", "--", "??")]
    return "\n".join(
        [
            f"## Compatibility matrix (mode: {matrix.mode})",
            "",
            *lines,
            "",
            CODE_NOTE,
            *legend,
            "",
            _mode_note(matrix.mode),
            "",
        ]
    )


def _example_status(code: str) -> str:
    effects = {"B": Effect.COMPATIBLE, "F": Effect.COMPATIBLE, "-": Effect.BREAKING, "?": Effect.UNDECIDED}
    status = Cell("", "", effects[code[0]], effects[code[1]]).status
    return f"{status.value}: {LEGEND[status]}"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


STYLES: Mapping[Status, str] = {
    Status.FULL: "bold green",
    Status.BACKWARD: "cyan",
    Status.FORWARD: "yellow",
    Status.NONE: "bold red",
    Status.UNDECIDED: "magenta",
}


def to_text(matrix: Matrix) -> Any:
    """A `rich.text.Text` grid (rows newer, columns older); rich drops the colour off a terminal.

    A hand-laid grid rather than a `rich.table.Table`: a table squeezes 59 columns into the
    terminal width, which makes the history's matrix unreadable.
    """
    from rich.text import Text

    versions = matrix.versions
    labels = column_labels(versions)
    numbered = labels != list(versions)
    names = [f"{n + 1:>2} {v}" if numbered else v for n, v in enumerate(versions)]
    lead = max(len(n) for n in names) if names else 0
    width = max([2, *(len(label) for label in labels)])
    summaries = matrix.summaries()
    verdict_width = max([len(SUMMARY_HEADINGS[0]), *(len(_all_text(s)) for s in summaries)])
    text = Text(no_wrap=True, overflow="ignore")
    text.append(" " * lead + " " + "".join(f" {label:>{width}}" for label in labels[:-1]))
    text.append(f"   {SUMMARY_HEADINGS[0]:<{verdict_width}} | {SUMMARY_HEADINGS[1]}\n")
    for j, (new, summary) in enumerate(zip(versions, summaries)):
        text.append(f"{names[j]:<{lead}} ")
        for old in versions[:j]:
            cell = matrix.cell(old, new)
            text.append(" ")
            text.append(f"{cell.code:>{width}}", style=STYLES[cell.status])
        text.append(" " * ((width + 1) * (len(versions) - 1 - j)))
        style = "" if summary.older == 0 else ("green" if summary.with_all_older else "red")
        text.append("   ")
        text.append(f"{_all_text(summary):<{verdict_width}}", style=style)
        text.append(" | " + _run_text(summary) + "\n")
    text.append("\n" + CODE_NOTE + "\n" + _mode_note(matrix.mode) + "\n")
    return text


def to_json(matrix: Matrix) -> str:
    """The matrix as JSON for scripts: pairs in row order, then the per-version summaries.

    Each pair says how each verdict was proven (`derive.Proof`): by the engine, as the same
    document, by a chain through another version, or by a witness event checked on both sides,
    given by its number in the top-level `witnesses` list (in order of first use).
    """
    numbers: dict[int, int] = {}
    witnesses: list[dict[str, Any]] = []

    def proof(found: derive.Proof) -> dict[str, Any]:
        if found.kind is not derive.Kind.WITNESS:
            return found.as_json()
        if id(found) not in numbers:
            numbers[id(found)] = len(witnesses)
            entry = {"event": found.witness, "found_for": list(found.found_for or ())}
            witnesses.append({**entry, "reading": found.reading} if found.reading else entry)
        return found.as_json(numbers[id(found)])

    pairs = [
        {
            "old": cell.old,
            "new": cell.new,
            "backward": cell.backward.value,
            "forward": cell.forward.value,
            "status": cell.status.value,
            "passes": cell.passes(matrix.mode),
            "proof": {"backward": proof(cell.proofs[0]), "forward": proof(cell.proofs[1])},
        }
        for cell in matrix.pairs()
    ]
    summaries = [
        {
            "version": s.name,
            "older": s.older,
            "compatible_older": s.compatible_older,
            "compatible_with_all_older": s.with_all_older,
            "oldest_in_run": s.oldest_in_run,
        }
        for s in matrix.summaries()
    ]
    body = {
        "mode": matrix.mode,
        "versions": list(matrix.versions),
        "pairs": pairs,
        "summary": summaries,
        "witnesses": witnesses,
    }
    return json.dumps(body, indent=2) + "\n"

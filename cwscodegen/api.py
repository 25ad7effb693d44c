"""The public library API: what the CLI calls, and what a Dask job, a Spark job or a registry calls.

Every function reads the project's settings (`[tool.cwscodegen]` in the nearest pyproject.toml,
from `root` or the current folder) and takes the CLI's flags as keyword arguments, so a script
and the command line give the same answers. Functions return records (reports, matrices,
verdicts), never text; the `cwscodegen.review` renderers turn records into text. Bad input
raises `cwscodegen.UserError`, whose message names the file and the place; nothing here prints
or exits.

The heavy modules (the engine, jsonschema, the code generator) are imported inside the function
that needs them, so `import cwscodegen` and `cwscodegen --help` stay fast.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from cwscodegen.config import Settings, load_settings
from cwscodegen.errors import UserError

if TYPE_CHECKING:
    from cwscodegen.bindings.codegen import CheckResult, GenerateResult
    from cwscodegen.engine.changes import Report
    from cwscodegen.events.impact import ImpactView
    from cwscodegen.events.validate import Event, Malformed, Tally, Verdict
    from cwscodegen.review.accepted import AcceptedBreak
    from cwscodegen.review.changelog import Changelog
    from cwscodegen.review.matrix import Matrix
    from cwscodegen.store.snapshots import Snapshot

PathLike = Union[str, "os.PathLike[str]"]
"""A file or folder: a `str` or a `pathlib.Path`; relative ones are relative to the current folder."""

SnapshotSpec = Union[str, "os.PathLike[str]", "Snapshot"]
"""A snapshot: a version name (`"v15"`), the path of a schema file, or a loaded `Snapshot`."""


# --- settings ------------------------------------------------------------------------------------


def project_settings(
    *,
    root: PathLike | None = None,
    schemas: PathLike | None = None,
    output: PathLike | None = None,
    targets: Sequence[str] | None = None,
    root_class: str | None = None,
    mode: str | None = None,
    default_draft: str | None = None,
) -> Settings:
    """The settings of the project that holds `root` (default: the current folder), with overrides.

    `None` means "as configured". Every other function takes the same keywords, so callers rarely
    need this; the CLI uses it for the parts of the settings that only affect rendering.
    """
    start = Path(root).resolve() if root is not None else None
    return load_settings(start).with_overrides(
        schemas=_path(schemas),
        output=_path(output),
        targets=targets or None,
        root_class=root_class,
        mode=mode,
        default_draft=default_draft,
    )


def _path(value: PathLike | None) -> Path | None:
    return None if value is None else Path(value)


# --- the snapshot store --------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotInfo:
    """One snapshot as listed, without reading its schema: name, file and recorded provenance
    (`upstream`, `commit`, `date`, `pr`, `source`, `note`; any may be absent)."""

    name: str
    path: Path
    provenance: Mapping[str, Any] = field(default_factory=dict)


def list_snapshots(*, schemas: PathLike | None = None, root: PathLike | None = None) -> list[SnapshotInfo]:
    """The snapshots of the project, in version order (`v2` before `v10`), with their provenance.

    Only names and `provenance.json` are read: listing stays cheap however large the schemas are.
    """
    from cwscodegen.store.snapshots import list_versions, load_provenance

    folder = project_settings(schemas=schemas, root=root).schemas
    provenance = load_provenance(folder)
    return [SnapshotInfo(name, folder / f"{name}.json", provenance.get(name, {})) for name in list_versions(folder)]


def load_snapshot(
    spec: str | os.PathLike[str] | None = None,
    *,
    at: str | None = None,
    schemas: PathLike | None = None,
    root: PathLike | None = None,
) -> Snapshot:
    """Load and check one snapshot: valid JSON, a schema object, every `$ref` local and resolvable.

    `spec` is a version name from the snapshot folder, or the path of a schema file (a `str`
    ending in `.json` or holding a `/`, or any `os.PathLike`); None means the newest snapshot.
    With `at`, the same file is read as of that git ref (a branch, a tag, `HEAD~1`) without a
    checkout, and the snapshot is named `NAME@REF`.
    """
    from cwscodegen.store.snapshots import list_versions

    folder = project_settings(schemas=schemas, root=root).schemas
    if spec is None:
        versions = list_versions(folder)
        if not versions:
            raise UserError(f"{folder}: no snapshots")
        spec = versions[-1]
    snapshot = _snapshot(spec, folder)
    if at is None:
        return snapshot
    from cwscodegen.review.gitrefs import snapshot_at_ref

    return snapshot_at_ref(snapshot.path, at, snapshot.name)


def _snapshot(spec: SnapshotSpec, folder: Path) -> Snapshot:
    from cwscodegen.store.snapshots import Snapshot, load_schema_file, resolve_spec

    if isinstance(spec, Snapshot):
        return spec
    return resolve_spec(spec, folder) if isinstance(spec, str) else load_schema_file(Path(spec))


def _accepted_breaks(folder: Path, accepted: PathLike | None) -> list[AcceptedBreak]:
    """The accepted-breaks file in force: `accepted`, else `accepted-breaks.toml` beside the snapshots."""
    from cwscodegen.engine import rules
    from cwscodegen.review.accepted import load_configured

    return load_configured(folder, _path(accepted), set(rules.CATALOGUE))


# --- compatibility -------------------------------------------------------------------------------


def diff(
    old: SnapshotSpec,
    new: SnapshotSpec,
    *,
    accepted: PathLike | None = None,
    witnesses: bool = True,
    schemas: PathLike | None = None,
    root: PathLike | None = None,
    default_draft: str | None = None,
) -> Report:
    """Every change from OLD to NEW as change records, with the pair's backward, forward and API verdicts.

    Each `Change` carries its rule id, the JSON pointers in both schemas, its effects and (with
    `witnesses`) verified example events proving each break. Changes listed in the accepted-breaks
    file (`accepted`, default `accepted-breaks.toml` beside the snapshots; `os.devnull` for none)
    are marked accepted, and the file's entries for this pair that match nothing are in
    `Report.stale_accepted`. Whether the pair fails a mode is `cwscodegen.review.accepted.fails`.
    Entries apply only when both are snapshots of the configured folder with the contents they were
    signed for. A document without `$schema` is judged under every draft that accepts it, or under
    `default_draft` ("draft-07", ...; default: the `default-draft` setting).
    """
    from cwscodegen.engine import compare
    from cwscodegen.review.accepted import apply, identify

    settings = project_settings(schemas=schemas, root=root, default_draft=default_draft)
    folder = settings.schemas
    entries = _accepted_breaks(folder, accepted)
    old_snap, new_snap = _snapshot(old, folder), _snapshot(new, folder)
    report = compare.diff(old_snap, new_snap, witnesses=witnesses, default_draft=settings.default_draft)
    return apply(report, entries, identify(old_snap, new_snap, folder))


@dataclass(frozen=True)
class Pair:
    """One consecutive pair of snapshots and its diff (accepted breaks marked)."""

    old: Snapshot
    new: Snapshot
    report: Report


@dataclass(frozen=True)
class Compat:
    """Every snapshot against its predecessor: the pairs, the accepted-breaks entries that matched
    no pair (stale), and the mode the verdict is taken in."""

    pairs: tuple[Pair, ...]
    stale: tuple[dict[str, Any], ...]
    mode: str

    def failing(self, *, api: bool = True) -> bool:
        """True when a pair has an unaccepted break in the mode (API breaks too, with `api`), or an
        accepted-breaks entry is stale: the exit code of `cwscodegen compat`."""
        from cwscodegen.review.accepted import fails

        return bool(self.stale) or any(fails(pair.report, self.mode, api) for pair in self.pairs)


def compat(
    *,
    mode: str | None = None,
    accepted: PathLike | None = None,
    witnesses: bool = False,
    schemas: PathLike | None = None,
    root: PathLike | None = None,
    default_draft: str | None = None,
) -> Compat:
    """Diff every snapshot against its predecessor, honouring accepted breaks (the pre-commit check).

    Witnesses are not listed by default (searching one per breaking change is most of a diff's
    time); the verdicts still follow the rule, breaking only with a verified witness, found by the
    fast path's search, which stops at the first event per direction.
    """
    from cwscodegen.engine import compare
    from cwscodegen.review.accepted import identify, mark, unused
    from cwscodegen.store.snapshots import load_all

    settings = project_settings(schemas=schemas, mode=mode, root=root, default_draft=default_draft)
    entries = _accepted_breaks(settings.schemas, accepted)
    snapshots = load_all(settings.schemas)
    pairs: list[Pair] = []
    used: set[int] = set()
    checked = [identify(old, new, settings.schemas) for old, new in zip(snapshots, snapshots[1:])]
    for (old, new), sides in zip(zip(snapshots, snapshots[1:]), checked):
        report = compare.diff(old, new, witnesses=witnesses, default_draft=settings.default_draft)
        report, hits = mark(report, entries, sides)
        used |= hits
        pairs.append(Pair(old, new, report))
    stale = unused(entries, used, [s for s in checked if s is not None])
    return Compat(tuple(pairs), tuple(stale), settings.mode)


def matrix(
    *,
    mode: str | None = None,
    schemas: PathLike | None = None,
    root: PathLike | None = None,
    default_draft: str | None = None,
) -> Matrix:
    """The compatibility of every ordered pair of snapshots, and each version's run of compatible
    predecessors, in `mode` (default: the configured mode). Needs at least two snapshots."""
    from functools import partial

    from cwscodegen.engine import compare
    from cwscodegen.review import matrix as pairs
    from cwscodegen.store.snapshots import load_all

    settings = project_settings(schemas=schemas, mode=mode, root=root, default_draft=default_draft)
    snapshots = load_all(settings.schemas)
    if len(snapshots) < 2:
        raise UserError(f"{settings.schemas}: a matrix needs at least two snapshots, found {len(snapshots)}")
    return pairs.compute(snapshots, settings.mode, partial(compare.judge, default_draft=settings.default_draft))


def changelog(
    start: str | None = None,
    end: str | None = None,
    *,
    mode: str | None = None,
    accepted: PathLike | None = None,
    schemas: PathLike | None = None,
    root: PathLike | None = None,
    default_draft: str | None = None,
) -> Changelog:
    """The changes of every release from `start` to `end` inclusive (default: the first and the last
    snapshot), with witnesses, accepted breaks marked and the suggested version bump per step."""
    from functools import partial

    from cwscodegen.engine import compare
    from cwscodegen.review import changelog as releases
    from cwscodegen.store.snapshots import list_versions, load_snapshot

    settings = project_settings(schemas=schemas, mode=mode, root=root, default_draft=default_draft)
    names = releases.select_range(list_versions(settings.schemas), start, end, settings.schemas)
    entries = _accepted_breaks(settings.schemas, accepted)
    snapshots = [load_snapshot(settings.schemas, name) for name in names]
    draft = settings.default_draft
    return releases.build(
        snapshots,
        settings.mode,
        accepted=entries,
        schemas=settings.schemas,
        diff=partial(compare.diff, default_draft=draft),
        verdicts=partial(compare.verdicts, default_draft=draft),
    )


def docs(version: SnapshotSpec, *, schemas: PathLike | None = None, root: PathLike | None = None) -> str:
    """The Markdown reference of one snapshot, in the layout of the seed "Backend event Documentation"."""
    from cwscodegen.review.docs import render

    snapshot = _snapshot(version, project_settings(schemas=schemas, root=root).schemas)
    return render(snapshot.document, str(snapshot.path))


# --- events --------------------------------------------------------------------------------------


class Validation(Iterator["Verdict"]):
    """The verdicts of `validate`, one per event as it is read, and the running `tally` (summary).

    Iterating consumes the input lazily: memory does not grow with the number of events.
    """

    def __init__(self, verdicts: Iterator[Verdict], versions: tuple[str, ...], tally: Tally) -> None:
        self.versions = versions
        self.tally = tally
        self._verdicts = verdicts

    def __next__(self) -> Verdict:
        verdict = next(self._verdicts)
        self.tally.add(verdict)
        return verdict

    @property
    def ok(self) -> bool:
        """Every event read so far is accepted by every selected snapshot (and none is malformed),
        and at least one was read."""
        return self.tally.ok


def validate(
    events: Iterable[Any],
    *,
    versions: Sequence[str] | None = None,
    json_lines: bool = False,
    schemas: PathLike | None = None,
    root: PathLike | None = None,
    max_line_bytes: int | None = None,
) -> Validation:
    """Check events against the snapshots named in `versions` (default: all of them), lazily.

    `events` is either raw input lines (`bytes` or `str`, such as an open file: JSON Lines, or
    pretty-printed events one after another, told apart by the first line unless `json_lines`)
    or parsed documents (anything else: dicts, lists, numbers). The kind is taken from the first
    item, so a JSON string event must be given as a line. Malformed lines are verdicts, not
    errors; an unknown version raises `UserError` at once, before any event is read. A multi-line
    value longer than `max_line_bytes` (default 64 MiB) is malformed; lines themselves are bounded
    by the reader (`events.inputs.read_lines`).
    """
    if isinstance(events, (str, bytes)):  # iterating would check one character at a time
        raise TypeError("validate: give an iterable of lines (text.splitlines()) or of documents, not one string")
    from cwscodegen.events import validate as check
    from cwscodegen.store.snapshots import load_snapshot

    folder = project_settings(schemas=schemas, root=root).schemas
    chosen = select_versions(versions, schemas=schemas, root=root)
    checkers = [check.SnapshotChecker(load_snapshot(folder, name)) for name in chosen]
    limit = check.DEFAULT_MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
    verdicts = check.check_events(_parsed(iter(events), "lines" if json_lines else "auto", limit), checkers)
    return Validation(verdicts, chosen, check.Tally(versions=chosen))


def impact(
    old: SnapshotSpec,
    new: SnapshotSpec,
    events: Iterable[Any],
    *,
    mode: str | None = None,
    source: str = "<events>",
    schemas: PathLike | None = None,
    root: PathLike | None = None,
) -> ImpactView:
    """How many `events` the change OLD → NEW breaks, and through which breaking change of the diff.

    `events`: JSON Lines (`bytes` or `str`, one event each) or parsed documents; `source` names
    them in examples (`source:line`). The result's `tally` (an `ImpactTally`) merges with the
    tallies of other partitions in input order (`ImpactTally.merge`), which is how `--jobs`, the
    Dask path and a Spark `mapPartitions` job combine their parts. Accepted breaks are not
    applied: impact counts what the traffic hits, accepted or not."""
    from cwscodegen.events.impact import Impact, ImpactView, as_events, targets

    settings = project_settings(schemas=schemas, root=root, mode=mode)
    old_snap, new_snap = _snapshot(old, settings.schemas), _snapshot(new, settings.schemas)
    found = targets(diff(old_snap, new_snap, witnesses=False, accepted=os.devnull), settings.mode)
    tally = Impact(old_snap, new_snap, found, settings.mode).tally(as_events(events, source))
    return ImpactView(old_snap.name, new_snap.name, settings.mode, found, tally)


def select_versions(
    versions: Sequence[str] | None, *, schemas: PathLike | None = None, root: PathLike | None = None
) -> tuple[str, ...]:
    """The snapshots `validate` checks against, in version order: `versions`, else all of them.

    An unknown or unsafe name raises `UserError` at once, before any event is read."""
    from cwscodegen.store.snapshots import check_version_name, list_versions, version_key

    folder = project_settings(schemas=schemas, root=root).schemas
    known = list_versions(folder)
    if not known:
        raise UserError(f"{folder}: no snapshots to validate against")
    for name in versions or ():
        try:
            check_version_name(name)
        except UserError as exc:
            raise UserError(f"--version: {exc}") from None
        if name not in known:
            raise UserError(f"--version: unknown version {name!r} in {folder} (known: {', '.join(known)})")
    return tuple(sorted(set(versions), key=version_key)) if versions else tuple(known)


def _parsed(items: Iterator[Any], line_mode: str, max_value_bytes: int) -> Iterator[Event | Malformed]:
    """Events from raw lines or from documents, whichever the first item is (see `validate`)."""
    from cwscodegen.events.validate import Event, iter_events

    first = next(items, None)
    if first is None:
        return
    if isinstance(first, (bytes, str)):
        yield from iter_events(_as_bytes(first, items), line_mode, max_value_bytes)
        return
    yield Event(1, first)
    for number, document in enumerate(items, start=2):
        yield Event(number, document)


def _as_bytes(first: bytes | str, rest: Iterator[Any]) -> Iterator[bytes]:
    for line in itertools.chain((first,), rest):
        if not isinstance(line, (bytes, str)):
            raise TypeError(f"validate: a line stream holds a {type(line).__name__}; give lines or documents, not both")
        yield line.encode("utf-8") if isinstance(line, str) else line


# --- bindings ------------------------------------------------------------------------------------


def generate(
    versions: Iterable[str] | None = None,
    *,
    schemas: PathLike | None = None,
    output: PathLike | None = None,
    targets: Sequence[str] | None = None,
    root_class: str | None = None,
    root: PathLike | None = None,
    jobs: int | None = None,
) -> GenerateResult:
    """Write the Python bindings of every snapshot (or of the named `versions`) into the output folder.

    Files change only when their bytes do, each atomically; a bad snapshot writes nothing. Files
    the tool did not write are never touched. Snapshots render on `jobs` processes (default: all
    cores), with the same bytes as one process.
    """
    from cwscodegen.bindings import codegen

    settings = project_settings(schemas=schemas, output=output, targets=targets, root_class=root_class, root=root)
    return codegen.generate(settings, versions, jobs)


def check(
    versions: Iterable[str] | None = None,
    *,
    schemas: PathLike | None = None,
    output: PathLike | None = None,
    targets: Sequence[str] | None = None,
    root_class: str | None = None,
    root: PathLike | None = None,
    full: bool = False,
    jobs: int | None = None,
) -> CheckResult:
    """Compare the output folder with what `generate` would write (same keywords); `.ok` when equal.

    When every manifest's hashes match, nothing is rendered and the code generator is not imported;
    a hand edit committed with a recomputed hash passes that. `full` renders everything (on `jobs`
    processes) and compares bytes, which nothing gets past.
    """
    from cwscodegen.bindings import codegen

    settings = project_settings(schemas=schemas, output=output, targets=targets, root_class=root_class, root=root)
    return codegen.check(settings, versions, full=full, jobs=jobs)

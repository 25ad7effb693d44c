"""The command line: parse options, call the library, render. Nothing else lives here.

Heavy modules (the code generator, black, the compatibility engine) are imported inside the
command that needs them, so `--help`, `list` and a no-op `check` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from cwscodegen import api
from cwscodegen.cli.fastparams import FastGroup
from cwscodegen.config import Settings
from cwscodegen.errors import UserError

if TYPE_CHECKING:
    from cwscodegen.events.impact import ImpactView
    from cwscodegen.events.inputs import Shard
    from cwscodegen.events.runner import Job
    from cwscodegen.review.render import Observation
    from cwscodegen.store.snapshots import Snapshot

app = typer.Typer(
    name="cwscodegen",
    cls=FastGroup,  # start-up: plain parameters skip Typer's pydantic-based conversion
    rich_markup_mode=None,  # start-up: plain help; rendering it with rich imports ~100 ms of modules
    help="Versioned CWS backend-event schemas: Python bindings, compatibility diff, release review.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion; Typer's own, measured free at start-up
    pretty_exceptions_enable=False,
)

SchemasOpt = Annotated[
    Optional[Path], typer.Option("--schemas", help="Snapshot folder (overrides [tool.cwscodegen] schemas).")
]
DraftOpt = Annotated[
    Optional[str],
    typer.Option(
        "--default-draft",
        metavar="draft-04|draft-06|draft-07|2019-09|2020-12",
        help="Read snapshots without $schema under this draft (default: the default-draft setting, else "
        "every draft that accepts them, worst verdict wins).",
    ),
]
OutputOpt = Annotated[
    Optional[Path], typer.Option("--output", help="Bindings folder (overrides [tool.cwscodegen] output).")
]


@app.command("list")
def list_cmd(schemas: SchemasOpt = None) -> None:
    """List the snapshots in version order, with their provenance."""
    for snapshot in api.list_snapshots(schemas=schemas):
        typer.echo(f"{snapshot.name:<6} {_provenance_text(snapshot.provenance)}")


def _provenance_text(entry: Mapping[str, Any]) -> str:
    """`upstream #23  commit 6576cbad04d5  2023-01-18  PR #15097`, or what part of it is recorded."""
    parts = []
    if entry.get("upstream") is not None:
        parts.append(f"upstream #{int(entry['upstream']):02d}")
    if entry.get("commit"):
        parts.append(f"commit {entry['commit']}")
    if entry.get("date"):
        parts.append(str(entry["date"]))
    if entry.get("pr"):
        parts.append(f"PR #{entry['pr']}")
    if not parts and entry.get("source"):
        parts.append(str(entry["source"]))
    return "  ".join(parts) or "(no provenance recorded)"


ModeOpt = Annotated[
    Optional[str],
    typer.Option(
        "--mode",
        metavar="backward|forward|full",
        help="Which verdict decides the exit code (default: the mode setting in pyproject.toml, else backward).",
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", metavar="text|json|markdown|github", help="Output format.")]
NoApiOpt = Annotated[
    bool, typer.Option("--no-api", help="Do not count breaks of the generated bindings' API toward the exit code.")
]
AcceptedOpt = Annotated[
    Optional[Path],
    typer.Option("--accepted", help="Accepted-breaks file (default: accepted-breaks.toml in the snapshot folder)."),
]


def _color(fmt: str) -> bool:
    """Colour only for text on a terminal, and never when NO_COLOR is set (no-color.org)."""
    import os

    return fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _annotation_root(settings: Settings, fmt: str) -> Path:
    """Paths in annotations are relative to the git work tree (GitHub's), else the project root."""
    if fmt != "github":
        return settings.root
    from cwscodegen.review.gitrefs import toplevel

    try:
        return toplevel(settings.root)
    except UserError:
        return settings.root


EventsOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--events",
        metavar="FILE",
        help="Real events (files, folders, globs, URLs; repeat for several): show how many each breaking change hits.",
        show_default=False,
    ),
]
JobsOpt = Annotated[
    Optional[int],
    typer.Option(
        "--jobs",
        min=1,
        metavar="N",
        help="Processes to check events on (default: all cores for inputs over 4 MiB, else 1). Output stays in input order.",
        show_default=False,
    ),
]


def _observation(old: Snapshot, new: Snapshot, events: list[str], jobs: int | None) -> Observation:
    """What `impact` in full mode counts for the pair, as data for the diff renderers."""
    from cwscodegen.events.impact import observed_counts
    from cwscodegen.events.inputs import DEFAULT_MAX_LINE_BYTES, expand
    from cwscodegen.review.render import Observation

    view = _impact_view(old, new, "full", expand(events), jobs, None, DEFAULT_MAX_LINE_BYTES, False)
    return Observation(observed_counts(view), view.tally.events)


@app.command("diff")
def diff_cmd(
    old: Annotated[
        Optional[str],
        typer.Argument(
            help="OLD: a version name or a schema file (with --against: the VERSION to check, default the newest).",
            show_default=False,
        ),
    ] = None,
    new: Annotated[
        Optional[str], typer.Argument(help="NEW: a version name or a schema file.", show_default=False)
    ] = None,
    against: Annotated[
        Optional[str],
        typer.Option(
            "--against", metavar="REF", help="Compare VERSION in the working tree with the same file at git REF."
        ),
    ] = None,
    mode: ModeOpt = None,
    fmt: FormatOpt = "text",
    no_api: NoApiOpt = False,
    accepted: AcceptedOpt = None,
    events: EventsOpt = None,
    jobs: JobsOpt = None,
    schemas: SchemasOpt = None,
    default_draft: DraftOpt = None,
) -> None:
    """Classify every change from OLD to NEW; exit 0 compatible, 1 breaking, 2 usage or input error.

    With --events, each breaking change also says how many of those events it hits (see `impact`)."""
    from cwscodegen.review.render import DiffView, check_format, render

    check_format(fmt)
    settings = api.project_settings(schemas=schemas, mode=mode, default_draft=default_draft)
    if against is not None:
        if new is not None:
            raise UserError("diff --against REF takes at most one VERSION (OLD is that file at REF)")
        new_snap = api.load_snapshot(old, schemas=schemas)
        old_snap = api.load_snapshot(old, at=against, schemas=schemas)
    elif old is None or new is None:
        raise UserError("diff needs OLD and NEW (or --against REF [VERSION])")
    else:
        old_snap = api.load_snapshot(old, schemas=schemas)
        new_snap = api.load_snapshot(new, schemas=schemas)
    report = api.diff(old_snap, new_snap, accepted=accepted, schemas=schemas, default_draft=default_draft)
    observation = _observation(old_snap, new_snap, events, jobs) if events else None
    view = DiffView(report, old_snap, new_snap, settings.mode, not no_api, _annotation_root(settings, fmt), observation)
    typer.echo(render(view, fmt, color=_color(fmt)), nl=False)
    raise typer.Exit(1 if view.failing else 0)


@app.command("compat")
def compat_cmd(
    mode: ModeOpt = None,
    fmt: FormatOpt = "text",
    no_api: NoApiOpt = False,
    accepted: AcceptedOpt = None,
    schemas: SchemasOpt = None,
    default_draft: DraftOpt = None,
) -> None:
    """Check every snapshot against its predecessor, honouring accepted breaks (the pre-commit hook).

    Exit 1 when a pair has a break that is not accepted, or an accepted-breaks entry matches nothing.
    """
    from cwscodegen.review.render import DiffView, check_format, render_compat

    check_format(fmt)
    settings = api.project_settings(schemas=schemas, mode=mode, default_draft=default_draft)
    witnesses = fmt in ("json", "markdown")  # text and annotations stay brief: no witness search
    result = api.compat(mode=mode, accepted=accepted, witnesses=witnesses, schemas=schemas, default_draft=default_draft)
    root = _annotation_root(settings, fmt)
    views = [DiffView(pair.report, pair.old, pair.new, result.mode, not no_api, root) for pair in result.pairs]
    stale = list(result.stale)
    typer.echo(render_compat(views, stale, fmt, mode=result.mode, root=root, color=_color(fmt)), nl=False)
    raise typer.Exit(1 if result.failing(api=not no_api) else 0)


VerdictModeOpt = Annotated[
    Optional[str],
    typer.Option(
        "--mode",
        metavar="backward|forward|full",
        help="Which direction counts as compatible (default: the mode setting in pyproject.toml, else backward).",
    ),
]
FileOutOpt = Annotated[
    Optional[Path], typer.Option("--output", help="Write to this file (atomically) instead of standard output.")
]
MATRIX_FORMATS = ("table", "markdown", "svg", "json")


def _emit(text: str, output: Path | None) -> None:
    """Standard output, or `output` written atomically (nothing half-written on error)."""
    if output is None:
        typer.echo(text, nl=False)
        return
    from cwscodegen.bindings.atomic import write_atomic

    write_atomic(output, text)


def _check_output(output: Path | None) -> None:
    if output is not None:
        from cwscodegen.bindings.atomic import check_folder

        check_folder(output)


@app.command("matrix")
def matrix_cmd(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="|".join(MATRIX_FORMATS),
            help="table (coloured on a terminal), markdown, svg (heat map) or json.",
        ),
    ] = "table",
    output: FileOutOpt = None,
    mode: VerdictModeOpt = None,
    schemas: SchemasOpt = None,
    default_draft: DraftOpt = None,
) -> None:
    """Compatibility of every ordered pair of snapshots, and of each version with all older ones."""
    if fmt not in MATRIX_FORMATS:
        raise UserError(f"--format: unknown format {fmt!r} (choose from {', '.join(MATRIX_FORMATS)})")
    api.project_settings(schemas=schemas, mode=mode, default_draft=default_draft)  # fails before the output check
    _check_output(output)
    from cwscodegen.review import matrix

    result = api.matrix(mode=mode, schemas=schemas, default_draft=default_draft)
    if fmt == "svg":
        from cwscodegen.review.heatmap import render_svg

        _emit(render_svg(result), output)
    elif fmt == "markdown":
        _emit(matrix.to_markdown(result), output)
    elif fmt == "json":
        _emit(matrix.to_json(result), output)
    elif output is not None or not _color("text"):
        _emit(matrix.to_text(result).plain, output)
    else:
        from rich.console import Console

        Console(force_terminal=True, highlight=False).print(matrix.to_text(result), soft_wrap=True, end="")


@app.command("changelog")
def changelog_cmd(
    start: Annotated[
        Optional[str],
        typer.Argument(
            metavar="[FROM]", help="Oldest version of the range (default: the first snapshot).", show_default=False
        ),
    ] = None,
    end: Annotated[
        Optional[str],
        typer.Argument(
            metavar="[TO]",
            help="Newest version of the range, inclusive (default: the last snapshot).",
            show_default=False,
        ),
    ] = None,
    output: FileOutOpt = None,
    mode: VerdictModeOpt = None,
    accepted: AcceptedOpt = None,
    events: EventsOpt = None,
    jobs: JobsOpt = None,
    schemas: SchemasOpt = None,
    default_draft: DraftOpt = None,
) -> None:
    """Markdown changelog from FROM to TO, newest first: breaking changes with witnesses, then
    compatible, then documentation-only ones, and the suggested version bump per release."""
    from cwscodegen.review.changelog import render_markdown

    _check_output(output)
    log = api.changelog(start, end, mode=mode, accepted=accepted, schemas=schemas, default_draft=default_draft)
    observed = {s.new.name: _observation(s.old, s.new, events, jobs) for s in log.steps} if events else None
    _emit(render_markdown(log, observed=observed), output)


VALIDATE_FORMATS = ("text", "json")
PROGRESS_MIN_BYTES = 1 << 20
PARALLEL_MIN_BYTES = 4 << 20

EventsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="EVENTS",
        help="Event files (.json, .jsonl, .ndjson, also .gz/.zst), folders of them, globs, fsspec URLs (s3://...), or - for standard input.",
        show_default=False,
    ),
]
DaskOpt = Annotated[
    Optional[str],
    typer.Option(
        "--dask",
        metavar="ADDRESS",
        help="Run on an existing Dask cluster (tcp://host:8786 or a scheduler file path): one task per shard, results merged in input order.",
        show_default=False,
    ),
]
MaxLineOpt = Annotated[
    int,
    typer.Option("--max-line-bytes", min=1, metavar="BYTES", help="Longest input line accepted (bounds memory)."),
]
ProgressOpt = Annotated[
    bool, typer.Option("--progress", help="Show a progress bar on stderr even when it is not a terminal.")
]


def _jobs(jobs: int | None, shards: list[Shard]) -> int:
    """`--jobs`, else all cores when the input is large enough to repay starting the workers."""
    if jobs is not None:
        return jobs
    import os

    from cwscodegen.events.inputs import total_size

    size = total_size(shards)
    return (os.cpu_count() or 1) if size is not None and size >= PARALLEL_MIN_BYTES else 1


def _dask_address(address: str) -> str:
    """A scheduler address, or the address written in a Dask scheduler file."""
    import json

    path = Path(address)
    if "://" in address or not path.is_file():
        return address
    try:
        found = json.loads(path.read_text(encoding="utf-8"))["address"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{address}: not a Dask scheduler file (no 'address')") from None
    return str(found)


def _partials(
    job: Job, shards: list[Shard], jobs: int | None, dask: str | None, max_line_bytes: int, progress: bool
) -> Iterator[Any]:
    """The job's partial results in input order, here, on local processes or on Dask (where the
    bar advances by whole shards, as their results arrive: the workers do the reading)."""
    from cwscodegen.events import runner
    from cwscodegen.events.runner import ValidateJob

    label = "validating" if isinstance(job, ValidateJob) else "reading"
    with _byte_progress(shards, progress, label) as advance:
        if dask is None:
            yield from runner.run(
                job, shards, jobs=_jobs(jobs, shards), max_line_bytes=max_line_bytes, progress=advance
            )
            return
        for shard, part in zip(shards, runner.run_dask(_dask_address(dask), job, shards, max_line_bytes)):
            if advance is not None:
                advance(shard.size or 0)
            yield part


@contextmanager
def _byte_progress(shards: list[Shard], forced: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    """One progress bar on stderr over all shards, by bytes read (a terminal, or --progress)."""
    from cwscodegen.events.inputs import total_size

    total = total_size(shards)
    if not forced and (total is None or total < PROGRESS_MIN_BYTES or not sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(
        *columns,
        console=Console(stderr=True, force_terminal=forced or None),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda count: bar.advance(task, count)


@app.command("validate")
def validate_cmd(
    events: EventsArg,
    version: Annotated[
        Optional[list[str]],
        typer.Option(
            "--version",
            metavar="V",
            help="Check against this snapshot only (repeat for several). Default: every snapshot.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", metavar="text|json", help="text (one line per event) or json (JSON Lines, summary last)."
        ),
    ] = "text",
    failures_only: Annotated[
        bool,
        typer.Option(
            "--failures-only", help="Print only the events that are not accepted (the summary is always printed)."
        ),
    ] = False,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    max_line_bytes: MaxLineOpt = 64 << 20,
    progress: ProgressOpt = False,
    schemas: SchemasOpt = None,
) -> None:
    """Check JSON events against snapshots, streaming. Exit 0 when every event is accepted by every
    selected snapshot (the --version ones, else all), 1 when any is rejected or malformed, or when
    no event was read; 130 on Ctrl-C, after the summary so far.

    With several shards, each event line names its shard (`file: line N: ...`)."""
    if fmt not in VALIDATE_FORMATS:
        raise UserError(f"--format: unknown format {fmt!r} (choose from {', '.join(VALIDATE_FORMATS)})")
    import json
    import os

    from cwscodegen.events import runner
    from cwscodegen.events import validate as check
    from cwscodegen.events.inputs import expand
    from cwscodegen.store.snapshots import load_snapshot

    settings = api.project_settings(schemas=schemas)  # a bad setting fails before EVENTS is opened
    chosen = list(api.select_versions(version, schemas=schemas))
    shards = expand(events)  # a bad EVENTS fails before the schemas are compiled
    named = len(shards) > 1
    job = runner.ValidateJob(tuple(runner.SnapshotText.of(load_snapshot(settings.schemas, name)) for name in chosen))
    tally = check.Tally(versions=chosen)
    try:

        def summary() -> str:
            return json.dumps({"summary": tally.as_json()}) if fmt == "json" else tally.text()

        try:
            for part in _partials(job, shards, jobs, dask, max_line_bytes, progress):
                assert isinstance(part, runner.Verdicts)
                for verdict in part.verdicts:
                    tally.add(verdict)
                    if failures_only and verdict.ok:
                        continue
                    sys.stdout.write(_verdict_line(verdict, chosen, fmt, part.source if named else None) + "\n")
        except KeyboardInterrupt:
            sys.stdout.write(summary() + "\n")
            sys.stdout.flush()
            typer.echo(f"cwscodegen: interrupted after {tally.events} events", err=True)
            raise typer.Exit(130) from None
        sys.stdout.write(summary() + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `validate big.jsonl | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    raise typer.Exit(0 if tally.ok else 1)


def _verdict_line(verdict: Any, chosen: list[str], fmt: str, source: str | None) -> str:
    """One event's line; with several shards, prefixed by (or, in JSON, keyed with) its shard."""
    from cwscodegen.events import validate as check

    assert isinstance(verdict, check.Verdict)
    if fmt == "json":
        line = check.json_line(verdict)
        return line if source is None else '{"source": ' + json_string(source) + ", " + line[1:]
    text = check.text_line(verdict, chosen)
    return text if source is None else f"{source}: {text}"


def json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


IMPACT_FORMATS = ("text", "markdown", "json")


@app.command("impact")
def impact_cmd(
    old: Annotated[str, typer.Argument(help="OLD: a version name or a schema file.", show_default=False)],
    new: Annotated[str, typer.Argument(help="NEW: a version name or a schema file.", show_default=False)],
    events: EventsArg,
    mode: ModeOpt = None,
    fmt: Annotated[str, typer.Option("--format", metavar="text|markdown|json", help="Output format.")] = "text",
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    max_line_bytes: MaxLineOpt = 64 << 20,
    progress: ProgressOpt = False,
    schemas: SchemasOpt = None,
) -> None:
    """How many EVENTS the change OLD → NEW breaks, and through which change of `diff OLD NEW`.

    Counts events accepted by both, by OLD only, by NEW only, by neither, and malformed; attributes
    each affected event to the breaking changes whose place its rejection points to (the rest are
    shown as unattributed). Exit 0 when no event is affected in the mode, 1 otherwise, 2 on error."""
    from cwscodegen.events import impact
    from cwscodegen.events.inputs import expand

    impact.check_format(fmt)
    settings = api.project_settings(schemas=schemas, mode=mode)
    old_snap = api.load_snapshot(old, schemas=schemas)
    new_snap = api.load_snapshot(new, schemas=schemas)
    shards = expand(events)
    view = _impact_view(old_snap, new_snap, settings.mode, shards, jobs, dask, max_line_bytes, progress)
    typer.echo(impact.render(view, fmt), nl=False)
    raise typer.Exit(1 if view.failing else 0)


def _impact_view(
    old_snap: Snapshot,
    new_snap: Snapshot,
    mode: str,
    shards: list[Shard],
    jobs: int | None,
    dask: str | None,
    max_line_bytes: int,
    progress: bool,
) -> ImpactView:
    """Diff OLD and NEW, then tally the events against its breaking changes (shared by `impact`,
    `diff --events` and `changelog --events`)."""
    import os

    from cwscodegen.events import impact, runner

    targets = impact.targets(api.diff(old_snap, new_snap, witnesses=False, accepted=os.devnull), mode)
    job = runner.ImpactJob(runner.SnapshotText.of(old_snap), runner.SnapshotText.of(new_snap), targets, mode)
    tally = runner.merge_tallies(_partials(job, shards, jobs, dask, max_line_bytes, progress))
    return impact.ImpactView(old_snap.name, new_snap.name, mode, targets, tally)


@app.command("docs")
def docs_cmd(
    version: Annotated[
        str,
        typer.Argument(
            metavar="VERSION", help="A snapshot name (v15) or the path of a schema file.", show_default=False
        ),
    ],
    output: FileOutOpt = None,
    schemas: SchemasOpt = None,
) -> None:
    """Markdown reference of one snapshot, in the layout of the seed "Backend event Documentation"."""
    api.project_settings(schemas=schemas)
    _check_output(output)
    _emit(api.docs(version, schemas=schemas), output)


VersionsArg = Annotated[
    Optional[list[str]],
    typer.Argument(metavar="VERSION", help="Snapshot names, such as v3 (default: every snapshot).", show_default=False),
]
TargetOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--target",
        metavar="pydantic|dataclasses|typeddict",
        help="Binding to make; repeat for several (overrides [tool.cwscodegen] targets).",
    ),
]
RootClassOpt = Annotated[
    Optional[str],
    typer.Option(
        "--root-class", metavar="NAME", help="Name of the root model (overrides [tool.cwscodegen] root-class)."
    ),
]


RenderJobsOpt = Annotated[
    Optional[int],
    typer.Option("--jobs", metavar="N", min=1, help="Render on N processes (default: all cores); same bytes."),
]


@app.command("generate")
def generate_cmd(
    versions: VersionsArg = None,
    schemas: SchemasOpt = None,
    output: OutputOpt = None,
    target: TargetOpt = None,
    root_class: RootClassOpt = None,
    jobs: RenderJobsOpt = None,
) -> None:
    """Write the Python bindings (Pydantic v2, dataclasses, TypedDict) of every snapshot, or of the named ones.

    Each snapshot VERSION becomes a package OUTPUT/VERSION/ (pydantic_models.py, dataclasses_models.py
    with codec.py, typeddicts.py, _manifest.json). Files change only when their bytes do; generated files
    of snapshots that no longer exist are removed, other files are never touched.
    """
    result = api.generate(versions, schemas=schemas, output=output, targets=target, root_class=root_class, jobs=jobs)
    for path in result.written:
        typer.echo(f"wrote {path}")
    for path in result.removed:
        typer.echo(f"removed {path}")
    typer.echo(
        f"{len(result.versions)} snapshot(s): {len(result.written)} file(s) written, "
        f"{len(result.removed)} removed, {result.unchanged} unchanged"
    )


@app.command("check")
def check_cmd(
    versions: VersionsArg = None,
    schemas: SchemasOpt = None,
    output: OutputOpt = None,
    target: TargetOpt = None,
    root_class: RootClassOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Render every package and compare bytes, whatever the manifests say (CI).")
    ] = False,
    jobs: RenderJobsOpt = None,
) -> None:
    """Exit 0 when the bindings are exactly what `generate` would write, 1 otherwise.

    Prints one line per stale, missing or extra file. When the content hashes in each package's
    _manifest.json match, nothing is regenerated, so a no-op check is quick (a pre-commit hook);
    a hand edit committed with a recomputed hash fools those hashes, never --full.
    """
    result = api.check(
        versions, schemas=schemas, output=output, targets=target, root_class=root_class, full=full, jobs=jobs
    )
    for kind, path in result.problems:
        typer.echo(f"{kind}: {path}")
    if not result.ok:
        typer.echo(
            f"cwscodegen: {len(result.problems)} generated file(s) out of date; run `cwscodegen generate`", err=True
        )
        raise typer.Exit(1)
    typer.echo(f"{len(result.versions)} snapshot(s): generated bindings are up to date")


def _print_version(value: bool) -> None:
    """`--version`: print the installed distribution's version and stop before any command runs."""
    if value:
        import cwscodegen

        typer.echo(f"cwscodegen {cwscodegen.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """Versioned CWS backend-event schemas: Python bindings, compatibility diff, release review."""


def relative_paths(message: str) -> str:
    """`message` with the working folder's absolute prefix removed from every path in it.

    Most messages already say `display(path)`; this catches the rest, so no error shows the
    folders of the machine it was made on (and README examples stay exact)."""
    import os

    try:
        here = os.getcwd()
    except OSError:
        return message
    return message.replace(here.rstrip(os.sep) + os.sep, "") if here != os.sep else message


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; user errors and bad flags end as one line and exit code 2."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="cwscodegen")
    except UserError as exc:
        typer.echo(f"cwscodegen: error: {relative_paths(str(exc))}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("cwscodegen: aborted", err=True)
        sys.exit(130)
    except RecursionError:  # a backstop: inputs are depth-checked at load (store/limits.py)
        typer.echo("cwscodegen: error: input nested too deeply to process", err=True)
        sys.exit(2)
    except typer.TyperException as exc:  # usage errors: unknown flag, missing argument, bad value
        message = exc.format_message()
        if message:  # empty when no command was given and the help was shown instead
            typer.echo(f"cwscodegen: error: {message}", err=True)
        sys.exit(2)
    sys.exit(result if isinstance(result, int) else 0)

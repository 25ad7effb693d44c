"""The command line: parse options, call the library, render. Nothing else lives here.

Heavy modules (the code generator, black, the compatibility engine) are imported inside the
command that needs them, so `--help`, `list` and a no-op `check` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from cwscodegen import api
from cwscodegen.cli.fastparams import FastGroup
from cwscodegen.config import Settings
from cwscodegen.errors import UserError

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
    schemas: SchemasOpt = None,
    default_draft: DraftOpt = None,
) -> None:
    """Classify every change from OLD to NEW; exit 0 compatible, 1 breaking, 2 usage or input error."""
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
    view = DiffView(report, old_snap, new_snap, settings.mode, not no_api, _annotation_root(settings, fmt))
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
    schemas: SchemasOpt = None,
    default_draft: DraftOpt = None,
) -> None:
    """Markdown changelog from FROM to TO, newest first: breaking changes with witnesses, then
    compatible, then documentation-only ones, and the suggested version bump per release."""
    from cwscodegen.review.changelog import render_markdown

    _check_output(output)
    log = api.changelog(start, end, mode=mode, accepted=accepted, schemas=schemas, default_draft=default_draft)
    _emit(render_markdown(log), output)


VALIDATE_FORMATS = ("text", "json")
PROGRESS_MIN_BYTES = 1 << 20


@app.command("validate")
def validate_cmd(
    events: Annotated[
        str,
        typer.Argument(
            metavar="EVENTS",
            help="A .json file (one event, or JSON Lines), a .jsonl/.ndjson file (one event per line), or - for standard input.",
            show_default=False,
        ),
    ],
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
    max_line_bytes: Annotated[
        int,
        typer.Option(
            "--max-line-bytes",
            metavar="N",
            min=1,
            help="Longest line (or multi-line value) read; a longer one is an error. Bounds memory.",
        ),
    ] = 64 << 20,
    schemas: SchemasOpt = None,
) -> None:
    """Check JSON events against snapshots, streaming. Exit 0 when every event is accepted by every
    selected snapshot (the --version ones, else all), 1 when any is rejected or malformed, or when
    no event was read; 130 on Ctrl-C, after the summary so far."""
    if fmt not in VALIDATE_FORMATS:
        raise UserError(f"--format: unknown format {fmt!r} (choose from {', '.join(VALIDATE_FORMATS)})")
    import json
    import os

    from cwscodegen.events.validate import input_mode, json_line, open_input, read_lines, text_line

    api.project_settings(schemas=schemas)  # a bad setting fails before EVENTS is opened
    path = None if events == "-" else Path(events)
    stream, size = open_input(path)  # a bad EVENTS fails before the schemas are compiled
    try:
        lines = read_lines(stream, events, max_line_bytes)
        if size is not None and size >= PROGRESS_MIN_BYTES and sys.stderr.isatty():
            lines = _with_progress(lines, size)
        run = api.validate(
            lines,
            versions=version,
            json_lines=input_mode(path) == "lines",
            schemas=schemas,
            max_line_bytes=max_line_bytes,
        )

        def summary() -> str:
            return json.dumps({"summary": run.tally.as_json()}) if fmt == "json" else run.tally.text()

        try:
            for verdict in run:
                if failures_only and verdict.ok:
                    continue
                sys.stdout.write((json_line(verdict) if fmt == "json" else text_line(verdict, run.versions)) + "\n")
        except KeyboardInterrupt:
            sys.stdout.write(summary() + "\n")
            sys.stdout.flush()
            typer.echo(f"cwscodegen: interrupted after {run.tally.events} events", err=True)
            raise typer.Exit(130) from None
        sys.stdout.write(summary() + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `validate big.jsonl | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    finally:
        if path is not None:
            stream.close()
    raise typer.Exit(0 if run.ok else 1)


def _with_progress(lines: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The `lines`, advancing a progress bar on stderr (only used on a terminal).

    Event lines keep going to standard output: through the bar's console when standard output is
    the same terminal (so they scroll above it), untouched when it is a pipe or a file."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("validating"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(
        *columns,
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("validating", total=size)
        pending = 0
        for raw in lines:
            pending += len(raw)
            if pending >= 1 << 18:
                bar.advance(task, pending)
                pending = 0
            yield raw


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


JobsOpt = Annotated[
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
    jobs: JobsOpt = None,
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
    jobs: JobsOpt = None,
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

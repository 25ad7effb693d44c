"""The command line: parse options, call the library, render. Nothing else lives here.

Heavy modules (the code generator, black, the compatibility engine) are imported inside the
command that needs them, so `--help`, `list` and a no-op `check` start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from cwscodegen.config import Settings, load_settings
from cwscodegen.errors import UserError

app = typer.Typer(
    name="cwscodegen",
    help="Versioned CWS backend-event schemas: Python bindings, compatibility diff, release review.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SchemasOpt = Annotated[Optional[Path], typer.Option("--schemas", help="Snapshot folder (overrides [tool.cwscodegen] schemas).")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", help="Bindings folder (overrides [tool.cwscodegen] output).")]


def _settings(**overrides: object) -> Settings:
    return load_settings().with_overrides(**overrides)


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2: how every user error ends."""
    typer.echo(f"cwscodegen: error: {message}", err=True)
    raise typer.Exit(2)


@app.command("list")
def list_cmd(schemas: SchemasOpt = None) -> None:
    """List the snapshots in version order, with their provenance."""
    from cwscodegen.snapshots import list_versions, load_provenance

    settings = _settings(schemas=schemas)
    provenance = load_provenance(settings.schemas)
    for name in list_versions(settings.schemas):
        entry = provenance.get(name, {})
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
        typer.echo(f"{name:<6} {'  '.join(parts) or '(no provenance recorded)'}")


@app.callback()
def _root() -> None:
    """Versioned CWS backend-event schemas: Python bindings, compatibility diff, release review."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; user errors and bad flags end as one line and exit code 2."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="cwscodegen")
    except UserError as exc:
        typer.echo(f"cwscodegen: error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("cwscodegen: aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown flag, missing argument, bad value
        message = exc.format_message()
        if message:  # empty when no command was given and the help was shown instead
            typer.echo(f"cwscodegen: error: {message}", err=True)
        sys.exit(2)
    sys.exit(result if isinstance(result, int) else 0)

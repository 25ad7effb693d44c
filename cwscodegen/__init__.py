"""cwscodegen: versioned CWS backend-event schemas, their Python bindings and their compatibility.

The library API (the CLI is a thin shell over it):

- snapshots: `list_snapshots`, `load_snapshot` (a name, a file, or a file at a git ref);
- compatibility: `diff` (change records and verdicts for one pair), `compat` (every snapshot
  against its predecessor), `matrix` (every ordered pair), `changelog` (releases over a range);
- events: `validate` (lines or documents, lazily, against the snapshots you name), `impact`
  (how many events a change breaks, and through which change);
- bindings: `generate`, `check`; and `docs`, the Markdown reference of a snapshot.

Functions return records and raise `UserError` on bad input; they never print or exit. Settings
come from `[tool.cwscodegen]` in the nearest pyproject.toml, overridden by keyword arguments.
"""

from __future__ import annotations

from cwscodegen.api import (
    Compat,
    Pair,
    SnapshotInfo,
    Validation,
    changelog,
    check,
    compat,
    diff,
    docs,
    generate,
    impact,
    list_snapshots,
    load_snapshot,
    matrix,
    project_settings,
    validate,
)
from cwscodegen.errors import UserError

__all__ = [
    "Compat",
    "Pair",
    "SnapshotInfo",
    "UserError",
    "Validation",
    "__version__",
    "changelog",
    "check",
    "compat",
    "diff",
    "docs",
    "generate",
    "impact",
    "list_snapshots",
    "load_snapshot",
    "matrix",
    "project_settings",
    "validate",
]

UNKNOWN_VERSION = "0+unknown"


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed distribution on first use: importing
    importlib.metadata costs more than the CLI's whole start-up, so it waits until asked."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version(__name__)
    except PackageNotFoundError:  # run from a source tree that was never installed
        found = UNKNOWN_VERSION
    globals()["__version__"] = found
    return found


def __dir__() -> list[str]:
    return sorted({*globals(), "__version__"})

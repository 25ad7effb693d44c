"""Shared fixtures: paths to the project's own test data (tests/data; nothing outside the repository)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
HISTORY = DATA / "cws-schema-history"
SHIPPED = ROOT / "schemas" / "versions"


def _history_as_snapshots() -> Path:
    """The 59 upstream versions as a snapshot folder: `h01`..`h59`, names the version rule admits
    (the history's own file names start with a digit). Made once per test process, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="cwscodegen-history-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for path in sorted(HISTORY.glob("[0-9][0-9]_*.json")):
        (folder / f"h{path.name[:2]}.json").write_bytes(path.read_bytes())
    return folder


HISTORY_SNAPSHOTS = _history_as_snapshots()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def history_dir() -> Path:
    return HISTORY


@pytest.fixture(scope="session")
def shipped_dir() -> Path:
    return SHIPPED

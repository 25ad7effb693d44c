"""Shared fixtures: paths to the project's own test data (tests/data; nothing outside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
HISTORY = DATA / "cws-schema-history"
SHIPPED = ROOT / "schemas" / "versions"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def history_dir() -> Path:
    return HISTORY


@pytest.fixture(scope="session")
def shipped_dir() -> Path:
    return SHIPPED

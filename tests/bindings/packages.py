"""Importing a generated package from any folder, as a user would, without touching sys.path."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path


def load_module(folder: Path, package: str, module: str) -> types.ModuleType:
    """`folder/<module>.py` of the generated package in `folder`, imported as `<package>.<module>`
    (`package` is a private, unique name; the package is imported once per name)."""
    if package not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            package, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert spec is not None and spec.loader is not None
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[package] = loaded
        spec.loader.exec_module(loaded)
    return importlib.import_module(f"{package}.{module}")

"""Writing a file so that a reader never sees half of it, even if the process dies midway.

The text goes to a temporary file in the destination folder (same file system), is flushed to
disk, and only then renamed over the destination: a rename within one file system is atomic.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cwscodegen.errors import UserError


def check_folder(path: Path) -> Path:
    """The folder `path` would be written in; a UserError if it does not exist.

    Commands call this before any slow work, so a typo in `--output` fails at once.
    """
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"{path}: cannot write: folder {folder} does not exist")
    if path.is_dir():
        raise UserError(f"{path}: cannot write: it is a folder")
    return folder


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` (text is written as UTF-8) in one step, or leave it untouched."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = check_folder(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        os.chmod(temporary, _mode_for(path))
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        os.unlink(temporary)
        raise UserError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        os.unlink(temporary)
        raise


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 minus the umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask

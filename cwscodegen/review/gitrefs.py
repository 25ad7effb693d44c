"""Reading a snapshot as it is at a git ref (`origin/main`, a tag, `HEAD~1`), straight from git.

No checkout, no working-tree change: the blob is read with `git cat-file`. Every failure a user
can cause (not a repository, unknown ref, file absent at that ref, git missing) is a one-line
`UserError`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from cwscodegen.errors import UserError
from cwscodegen.store.snapshots import Snapshot, snapshot_from_text


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=False)
    except FileNotFoundError:
        raise UserError("git: command not found (needed for --against)") from None


def _first_line(raw: bytes) -> str:
    lines = raw.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "unknown git error"


def toplevel(folder: Path) -> Path:
    """The root of the git work tree that holds `folder`."""
    done = _git(["rev-parse", "--show-toplevel"], folder)
    if done.returncode != 0:
        raise UserError(f"{folder}: not a git repository ({_first_line(done.stderr)})")
    return Path(done.stdout.decode("utf-8").strip()).resolve()


def check_ref(ref: str, top: Path) -> str:
    """The commit id `ref` names, or a `UserError` when there is no such ref."""
    if not ref or ref.startswith("-") or any(ch in ref for ch in "\0\n"):
        raise UserError(f"--against: {ref!r} is not a git ref")
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top)
    if done.returncode != 0:
        raise UserError(f"--against {ref}: no such git ref (commit, branch or tag) in {top}")
    return done.stdout.decode().strip()


def read_at_ref(path: Path, ref: str) -> tuple[str, str]:
    """`(text, "REF:relative/path")` of the file `path` as committed at `ref`."""
    folder = path.parent if path.parent.is_dir() else Path.cwd()
    top = toplevel(folder)
    commit = check_ref(ref, top)
    try:
        rel = path.resolve().relative_to(top).as_posix()
    except ValueError:
        raise UserError(f"{path}: not inside the git repository {top}") from None
    where = f"{ref}:{rel}"
    done = _git(["cat-file", "blob", f"{commit}:{rel}"], top)
    if done.returncode != 0:
        raise UserError(f"{where}: {rel} does not exist at git ref {ref}")
    try:
        return done.stdout.decode("utf-8"), where
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: not UTF-8 text: {exc}") from None


def snapshot_at_ref(path: Path, ref: str, name: str) -> Snapshot:
    """The snapshot at `path` as of `ref`, named `name@ref`, with the same path (for line numbers
    and annotations: it is the same file, at another point in history)."""
    text, where = read_at_ref(path, ref)
    return snapshot_from_text(text, where, path, f"{name}@{ref}")

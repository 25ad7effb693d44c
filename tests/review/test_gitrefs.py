"""Reading snapshots at git refs, on a real repository made in tmp_path (no global git config)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from cwscodegen.errors import UserError
from cwscodegen.review.gitrefs import read_at_ref, snapshot_at_ref, toplevel

V1 = {"type": "object", "properties": {"a": {"type": "string"}}}
V2 = {"type": "object", "properties": {"a": {"type": "integer"}}}


def isolated_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Make git ignore the machine's configuration and have an identity, as on a clean CI box."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n")
    for key, value in {
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "HOME": str(home),
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=os.environ)
    return done.stdout


def write(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n")


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repo with schemas/versions/v1.json committed twice (V1 then V2, tagged r1 and r2), and the
    working tree changed again (V2 plus a property)."""
    isolated_git(monkeypatch, tmp_path / "home")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    snap = root / "schemas" / "versions" / "v1.json"
    write(snap, V1)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    git(root, "tag", "r1")
    write(snap, V2)
    git(root, "commit", "-q", "-am", "two")
    git(root, "tag", "r2")
    write(snap, {**V2, "required": ["a"]})
    return root


def test_reads_the_file_at_each_ref(repo: Path) -> None:
    snap = repo / "schemas" / "versions" / "v1.json"
    text, where = read_at_ref(snap, "r1")
    assert json.loads(text) == V1 and where == "r1:schemas/versions/v1.json"
    assert json.loads(read_at_ref(snap, "HEAD")[0]) == V2
    assert json.loads(read_at_ref(snap, "HEAD~1")[0]) == V1
    assert json.loads(read_at_ref(snap, "main")[0]) == V2
    old = snapshot_at_ref(snap, "r1", "v1")
    assert old.name == "v1@r1" and old.document == V1 and old.path == snap
    assert json.loads(snap.read_text())["required"] == ["a"]  # the working tree is left alone
    assert git(repo, "status", "--porcelain") == " M schemas/versions/v1.json\n"


def test_toplevel_from_a_subfolder(repo: Path) -> None:
    assert toplevel(repo / "schemas" / "versions") == repo.resolve()


def test_not_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolated_git(monkeypatch, tmp_path / "home")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    lone = tmp_path / "lone" / "v1.json"
    write(lone, V1)
    with pytest.raises(UserError, match=r"lone: not a git repository"):
        read_at_ref(lone, "HEAD")


@pytest.mark.parametrize("ref", ["no-such-tag", "HEAD~5", "-h", ""])
def test_unknown_ref(repo: Path, ref: str) -> None:
    with pytest.raises(UserError, match=r"--against"):
        read_at_ref(repo / "schemas" / "versions" / "v1.json", ref)


def test_file_absent_at_ref(repo: Path) -> None:
    newer = repo / "schemas" / "versions" / "v2.json"
    write(newer, V2)
    with pytest.raises(
        UserError, match=r"^r1:schemas/versions/v2.json: schemas/versions/v2.json does not exist at git ref r1$"
    ):
        read_at_ref(newer, "r1")


def test_bad_json_at_ref_names_ref_and_line(repo: Path) -> None:
    snap = repo / "schemas" / "versions" / "v1.json"
    snap.write_text('{\n  "type": \n}\n')
    git(repo, "commit", "-q", "-am", "broken")
    with pytest.raises(UserError, match=r"^HEAD:schemas/versions/v1.json:3:1: invalid JSON"):
        snapshot_at_ref(snap, "HEAD", "v1")

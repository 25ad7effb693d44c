"""The `cwscodegen-check` hook, driven by the real `pre-commit` in throw-away git repositories.

The hook comes from this repository's `.pre-commit-hooks.yaml` (copied as it is in the working
tree into a temporary hook repository). The consumer's config overrides only `language`, to
`unsupported`: with the manifest's `language: python`, pre-commit would build a virtualenv and
pip-install this project and its dependencies from the network; this way it runs the manifest's
`entry` from the test's virtual environment instead, and nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SHIPPED

BIN = Path(sys.executable).parent
HOOK_ID = "cwscodegen-check"


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def git(cwd: Path, env: dict[str, str], *argv: str) -> None:
    done = run(["git", *argv], cwd, env)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No user git or pre-commit configuration, the venv's tools first on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "NO_COLOR": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


@pytest.fixture
def hook_repo(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A git repository holding this project's hook manifest; returns (path, commit)."""
    repo = tmp_path / "hooks"
    repo.mkdir()
    shutil.copyfile(ROOT / ".pre-commit-hooks.yaml", repo / ".pre-commit-hooks.yaml")
    git(repo, env, "init", "-q", "-b", "main")
    git(repo, env, "add", ".pre-commit-hooks.yaml")
    git(repo, env, "commit", "-q", "-m", "hooks")
    sha = run(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()
    return repo, sha


@pytest.fixture
def consumer(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> Path:
    """A project with one snapshot and its generated bindings, committed, the hook installed."""
    project = tmp_path / "consumer"
    (project / "schemas").mkdir(parents=True)
    shutil.copyfile(SHIPPED / "v1.json", project / "schemas" / "v1.json")
    (project / "pyproject.toml").write_text('[tool.cwscodegen]\nschemas = "schemas"\noutput = "generated"\n')
    repo, sha = hook_repo
    config = {"repos": [{"repo": str(repo), "rev": sha, "hooks": [{"id": HOOK_ID, "language": "unsupported"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, env, "init", "-q", "-b", "main")
    done = run(["cwscodegen", "generate"], project, env)
    assert done.returncode == 0, done.stderr
    git(project, env, "add", ".")
    git(project, env, "commit", "-q", "-m", "snapshot v1 and its bindings")
    done = run(["pre-commit", "install"], project, env)
    assert done.returncode == 0, done.stdout + done.stderr
    return project


def edit_snapshot(project: Path) -> None:
    """A real schema change: a new optional property on the root object."""
    path = project / "schemas" / "v1.json"
    text = path.read_text()
    assert '"properties": {' in text
    path.write_text(text.replace('"properties": {', '"properties": {\n    "cwscodegen_new": {"type": "string"},', 1))


def test_manifest_and_project_config_are_valid_and_agree(env: dict[str, str]) -> None:
    for command in ("validate-manifest", "validate-config"):
        name = ".pre-commit-hooks.yaml" if command == "validate-manifest" else ".pre-commit-config.yaml"
        done = run(["pre-commit", command, name], ROOT, env)
        assert done.returncode == 0, done.stdout + done.stderr
    manifest = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {"cwscodegen-compat", HOOK_ID} <= set(manifest)
    shipped = manifest[HOOK_ID]
    assert shipped["entry"] == "cwscodegen check" and shipped["language"] == "python"
    ours = [
        hook
        for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
        for hook in repo["hooks"]
    ]
    for hook_id in (HOOK_ID, "cwscodegen-compat"):
        own = next(hook for hook in ours if hook["id"] == hook_id)
        for key in ("entry", "pass_filenames", "always_run"):
            assert own[key] == manifest[hook_id][key], (hook_id, key)
        assert "files" not in manifest[hook_id], f"{hook_id}: a files filter would skip other snapshot folders"


def test_commit_fails_on_stale_bindings_and_passes_after_generate(consumer: Path, env: dict[str, str]) -> None:
    # Up to date: the hook passes on its own.
    done = run(["pre-commit", "run", "--all-files"], consumer, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout

    # A snapshot edit without regenerating: the git commit is refused, naming the stale files.
    edit_snapshot(consumer)
    git(consumer, env, "add", "schemas/v1.json")
    done = run(["git", "commit", "-m", "new property"], consumer, env)
    report = done.stdout + done.stderr  # git shows the hook's output on stderr
    assert done.returncode != 0
    assert "Failed" in report
    for name in ("pydantic_models.py", "dataclasses_models.py", "typeddicts.py", "_manifest.json"):
        assert f"stale: generated/v1/{name}" in report
    assert "codec.py" not in report  # the codec does not depend on the schema
    assert "run `cwscodegen generate`" in report
    assert run(["git", "rev-list", "--count", "HEAD"], consumer, env).stdout.strip() == "1"

    # After `generate`, the same commit goes through, and the bindings know the new property.
    done = run(["cwscodegen", "generate"], consumer, env)
    assert done.returncode == 0, done.stderr
    assert "cwscodegen_new" in (consumer / "generated" / "v1" / "pydantic_models.py").read_text()
    git(consumer, env, "add", "generated")
    done = run(["git", "commit", "-m", "new property"], consumer, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout + done.stderr
    log = run(["git", "log", "--format=%s"], consumer, env).stdout.split("\n")
    assert log[0] == "new property"


def test_hook_reports_missing_and_extra_files(consumer: Path, env: dict[str, str]) -> None:
    (consumer / "generated" / "v1" / "typeddicts.py").unlink()
    stray = consumer / "generated" / "v9"
    stray.mkdir()
    shutil.copyfile(consumer / "generated" / "v1" / "__init__.py", stray / "__init__.py")
    (consumer / "generated" / "v1" / "notes.txt").write_text("a file the tool did not write\n")
    done = run(["pre-commit", "run", "--all-files"], consumer, env)
    assert done.returncode == 1
    assert "missing: generated/v1/typeddicts.py" in done.stdout
    assert "extra: generated/v9/__init__.py" in done.stdout
    assert "notes.txt" not in done.stdout


def test_project_config_runs_the_installed_cwscodegen(consumer: Path, env: dict[str, str]) -> None:
    """This repository's own config (a local hook) works the same in a project."""
    shutil.copyfile(ROOT / ".pre-commit-config.yaml", consumer / ".pre-commit-config.yaml")
    done = run(["pre-commit", "run", HOOK_ID, "--all-files"], consumer, env)
    assert done.returncode == 0, done.stdout + done.stderr
    edit_snapshot(consumer)
    done = run(["pre-commit", "run", HOOK_ID, "--all-files"], consumer, env)
    assert done.returncode == 1
    assert "stale: generated/v1/pydantic_models.py" in done.stdout


def compat_consumer(project: Path, folder: str, env: dict[str, str], hook_repo: tuple[Path, str]) -> Path:
    """A committed project with snapshot v12 in `folder` (its `schemas` setting) and the compat hook
    as shipped, installed; returns the snapshot folder."""
    snapshots = project / folder
    snapshots.mkdir(parents=True)
    shutil.copyfile(SHIPPED / "v12.json", snapshots / "v12.json")
    (project / "pyproject.toml").write_text(f'[tool.cwscodegen]\nschemas = "{folder}"\n')
    repo, sha = hook_repo
    config = {
        "repos": [{"repo": str(repo), "rev": sha, "hooks": [{"id": "cwscodegen-compat", "language": "unsupported"}]}]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, env, "init", "-q", "-b", "main")
    git(project, env, "add", ".")
    git(project, env, "commit", "-q", "-m", "v12")
    assert run(["pre-commit", "install"], project, env).returncode == 0
    return snapshots


def test_compat_hook_refuses_a_break_until_it_is_accepted(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    """`cwscodegen-compat`: a new snapshot that breaks its predecessor blocks the commit; a reviewed
    accepted-breaks entry lets it through; an entry that matches nothing blocks it again."""
    project = tmp_path / "compat"
    compat_consumer(project, "schemas/versions", env, hook_repo)

    shutil.copyfile(SHIPPED / "v13.json", project / "schemas" / "versions" / "v13.json")  # #23493: required root keys
    git(project, env, "add", "schemas/versions/v13.json")
    done = run(["git", "commit", "-m", "v13"], project, env)
    report = done.stdout + done.stderr
    assert done.returncode != 0 and "FAIL v12 → v13" in report and "required-property-added" in report

    hashes = "".join(
        f'{side}_sha256 = "{hashlib.sha256((SHIPPED / name).read_text(encoding="utf-8").encode()).hexdigest()}"\n'
        for side, name in (("old", "v12.json"), ("new", "v13.json"))
    )
    entries = "".join(
        f'[[accepted]]\nold = "v12"\nnew = "v13"\n{hashes}rule = "required-property-added"\npointer = "/required"\n'
        f'reason = "agent and title are always sent since {v}"\n\n'
        for v in ("7.52",)
    )
    (project / "schemas" / "versions" / "accepted-breaks.toml").write_text(entries)
    git(project, env, "add", "schemas")
    done = run(["git", "commit", "-m", "v13"], project, env)
    assert done.returncode == 0, done.stdout + done.stderr

    stale = (
        entries + '[[accepted]]\nold = "v12"\nnew = "v13"\nrule = "property-removed"\npointer = "/x"\nreason = "old"\n'
    )
    (project / "schemas" / "versions" / "accepted-breaks.toml").write_text(stale)
    git(project, env, "add", "schemas")
    done = run(["git", "commit", "-m", "stale entry"], project, env)
    assert done.returncode != 0 and "stale" in (done.stdout + done.stderr)


def test_compat_hook_runs_for_snapshots_outside_the_default_folder(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    """A consumer keeping its snapshots in `contracts/cws/` uses the hook as shipped (no `files`
    override): a breaking snapshot there still blocks the commit, and the hook is never skipped."""
    project = tmp_path / "elsewhere"
    folder = compat_consumer(project, "contracts/cws", env, hook_repo)

    (project / "notes.txt").write_text("no snapshot touched\n")
    git(project, env, "add", "notes.txt")
    done = run(["git", "commit", "-m", "notes"], project, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout + done.stderr and "Skipped" not in done.stdout + done.stderr

    shutil.copyfile(SHIPPED / "v13.json", folder / "v13.json")  # new required root keys: a break
    git(project, env, "add", "contracts")
    done = run(["git", "commit", "-m", "v13"], project, env)
    report = done.stdout + done.stderr
    assert done.returncode != 0 and "FAIL v12 → v13" in report and "required-property-added" in report


def test_project_config_runs_ruff_and_mypy_from_the_venv(tmp_path: Path, env: dict[str, str]) -> None:
    """The code hooks of this repository's config: ruff lint, ruff format and mypy --strict refuse
    bad code, using the configuration in pyproject.toml (a small package stands in for ours)."""
    project = tmp_path / "code"
    (project / "pkg").mkdir(parents=True)
    shutil.copyfile(ROOT / ".pre-commit-config.yaml", project / ".pre-commit-config.yaml")
    (project / "pyproject.toml").write_text(
        "[tool.ruff]\nline-length = 120\n[tool.ruff.lint]\nselect = ['F']\n"
        "[tool.mypy]\nstrict = true\npackages = ['pkg']\n"
    )
    (project / "pkg" / "__init__.py").write_text("import os\n\n\ndef f(x):\n    return  x\n")
    git(project, env, "init", "-q")
    git(project, env, "add", ".")
    lint = run(["pre-commit", "run", "ruff-check", "--all-files"], project, env)
    assert lint.returncode == 1 and "F401" in lint.stdout, lint.stdout
    formatted = run(["pre-commit", "run", "ruff-format", "--all-files"], project, env)
    assert formatted.returncode == 1 and "1 file reformatted" in formatted.stdout, formatted.stdout
    assert "return x\n" in (project / "pkg" / "__init__.py").read_text()
    typed = run(["pre-commit", "run", "mypy", "--all-files"], project, env)
    assert typed.returncode == 1 and "Function is missing a type annotation" in typed.stdout, typed.stdout
    (project / "pkg" / "__init__.py").write_text("def f(x: int) -> int:\n    return x\n")
    git(project, env, "add", ".")
    for hook in ("ruff-check", "ruff-format", "mypy"):
        done = run(["pre-commit", "run", hook, "--all-files"], project, env)
        assert done.returncode == 0, done.stdout

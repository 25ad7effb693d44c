"""The CLI shell: `list`, help, and the one-line error contract (exit 2, no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cwscodegen.cli import main

from .conftest import ROOT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_list_shows_versions_in_order_with_provenance(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(["list"], capsys)
    lines = out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in lines][:3] == ["v1", "v2", "v3"]
    assert [line.split()[0] for line in lines].index("v10") == 9
    assert "seed document" in lines[0]
    v8 = next(line for line in lines if line.startswith("v8 "))
    assert "upstream #23" in v8 and "commit 6576cbad04d5" in v8 and "2023-01-18" in v8 and "PR #15097" in v8


def test_list_works_from_any_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["list", "--schemas", str(ROOT / "schemas" / "versions")], capsys)
    assert code == 0 and out.splitlines()[-1].startswith("v15")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "--bogus"], "No such option: --bogus"),
        (["list", "--schemas", "/nonexistent/folder"], "/nonexistent/folder: snapshot folder does not exist"),
        (["nosuchcommand"], "No such command"),
    ],
)
def test_user_errors_are_one_line_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_python_dash_m_works() -> None:
    done = subprocess.run([sys.executable, "-m", "cwscodegen", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0
    assert "Usage: cwscodegen" in done.stdout
    assert "list" in done.stdout

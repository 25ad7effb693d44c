"""Settings come from [tool.cwscodegen] and CLI flags override them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cwscodegen.config import load_settings
from cwscodegen.errors import UserError


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(body)
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    return sub


def test_settings_found_from_a_subfolder(tmp_path: Path) -> None:
    sub = write(
        tmp_path,
        '[tool.cwscodegen]\nschemas = "s"\noutput = "o"\ntargets = ["typeddict"]\nroot-class = "Ev"\nmode = "full"\n',
    )
    s = load_settings(sub)
    assert s.root == tmp_path
    assert (s.schemas, s.output) == (tmp_path / "s", tmp_path / "o")
    assert (s.targets, s.root_class, s.mode) == (("typeddict",), "Ev", "full")


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    s = load_settings(tmp_path)
    assert s.schemas == tmp_path / "schemas/versions"
    assert s.targets == ("pydantic", "dataclasses", "typeddict")
    assert s.root_class == "BackendEvent"


def test_flags_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "[tool.cwscodegen]\n")
    monkeypatch.chdir(tmp_path)
    s = load_settings().with_overrides(mode="forward", targets=["pydantic"], output=Path("x"), root_class=None)
    assert (s.mode, s.targets, s.output, s.root_class) == ("forward", ("pydantic",), tmp_path / "x", "BackendEvent")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[tool.cwscodegen]\nmode = "sideways"\n', "unknown mode 'sideways'"),
        ('[tool.cwscodegen]\ntargets = ["attrs"]\n', "unknown target 'attrs'"),
        ('[tool.cwscodegen]\nroot-class = "not valid"\n', "not a valid Python class name"),
        ('[tool.cwscodegen]\ncolour = "red"\n', "unknown setting 'colour'"),
        ("[tool.cwscodegen\n", "invalid TOML"),
    ],
)
def test_bad_settings_are_one_clear_error(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(body)
    if "invalid TOML" in message:
        with pytest.raises(UserError, match=message):
            load_settings(tmp_path)
        return
    with pytest.raises(UserError, match=message):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("[tool]\ncwscodegen = 5\n", r"^pyproject\.toml: \[tool\.cwscodegen\]: expected a table, got an integer$"),
        ('[tool.cwscodegen]\ntargets = "pydantic"\n', r"\] targets: expected a list of strings, got a string$"),
        ("[tool.cwscodegen]\ntargets = []\n", r"\] targets: expected at least one target \(choose from pydantic"),
        ("[tool.cwscodegen]\ntargets = [1]\n", r"\] targets: expected a list of strings, got an array$"),
        ("[tool.cwscodegen]\nschemas = 5\n", r"\] schemas: expected a string \(a folder\), got an integer$"),
        ("[tool.cwscodegen]\noutput = true\n", r"\] output: expected a string \(a folder\), got a boolean$"),
        ('[tool.cwscodegen]\noutput = ""\n', r"\] output: expected a folder, got ''$"),
        (
            '[tool.cwscodegen]\nschemas = "../../elsewhere"\n',
            r"\] schemas: '\.\./\.\./elsewhere' is outside the project",
        ),
        ("[tool.cwscodegen]\nmode = [1]\n", r"\] mode: expected a string, got an array$"),
        ("[tool.cwscodegen]\nroot-class = {}\n", r"\] root-class: expected a string, got a table$"),
        ('[tool.cwscodegen]\nroot-class = "None"\n', r"\] root-class: 'None' is not a valid Python class name$"),
        ('[tool]\ncwscodegen = {mode = "x\xff"}\n', r"^pyproject\.toml: not UTF-8 \(byte \d+\)"),
        ("tool = 5\n", None),
    ],
)
def test_every_setting_is_type_checked_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, pattern: str | None
) -> None:
    """Issue 8, P14 and P23: each of these used to crash every command or mislead."""
    (tmp_path / "pyproject.toml").write_bytes(body.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    monkeypatch.chdir(tmp_path)
    if pattern is None:  # a pyproject without [tool.cwscodegen] is not ours: defaults apply
        assert load_settings().schemas == tmp_path / "schemas/versions"
        return
    with pytest.raises(UserError, match=pattern):
        load_settings()


def test_cli_root_class_is_checked_like_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=r"^--root-class: 'True' is not a valid Python class name$"):
        load_settings().with_overrides(root_class="True")

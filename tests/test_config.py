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

"""The CLI shell: `list`, help, and the one-line error contract (exit 2, no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import typer.main

from cwscodegen.cli import app, fastparams, main
from tests.conftest import ROOT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_list_shows_versions_in_order_with_provenance(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(["list"], capsys)
    lines = out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in lines][:3] == ["v1", "v2", "v3"]
    assert [line.split()[0] for line in lines].index("v10") == 9
    assert "seed document" in lines[0]
    v8 = next(line for line in lines if line.startswith("v8 "))
    assert "upstream #23" in v8 and "commit 6576cbad04d5" in v8 and "2023-01-18" in v8 and "PR #15097" in v8


def test_list_works_from_any_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


# --- help for every command, and start-up cost (generate/check issue) ---------------------------

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
# Modules that `--help`, `list` and a no-op `check` must not import (see benchmarks/codegen_bench.py).
HEAVY = ("black", "datamodel_code_generator", "pydantic", "rich", "jsonschema", "typer._adapters", "importlib.metadata")


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert {"list", "generate", "check"} <= set(COMMANDS)
    for name in COMMANDS:
        code, out, err = run([name, "--help"], capsys)
        assert code == 0, (name, err)
        assert out.startswith(f"Usage: cwscodegen {name} ")
        summary = typer.main.get_command(app).commands[name].help  # type: ignore[attr-defined]
        assert summary and " ".join(summary.split()[:4]) in " ".join(out.split()), name


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["generate", "--help"], ["check", "--help"]])
def test_start_up_imports_nothing_heavy(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cwscodegen", *argv], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "cwscodegen.cli" in imported
    heavy = sorted(name for name in imported if any(name == h or name.startswith(h + ".") for h in HEAVY))
    assert not heavy


def test_plain_parameter_conversion_matches_typer() -> None:
    """fastparams converts str/Path/list/bool parameters itself: the values must be Typer's."""
    from typer._coercion import build_runtime_param

    group = typer.main.get_command(app)
    params = [p for command in group.commands.values() for p in command.params]  # type: ignore[attr-defined]
    samples: dict[str, list[object]] = {
        "str": ["v3", "", "a b", "ünïcødé", "-"],
        "Path": ["schemas/versions", "", ".", "~/x", "a//b/"],
        "bool": [True, False],
    }
    compared = 0
    for param in params:
        descriptor = param.type_descriptor
        plain = fastparams.PlainRuntimeParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
        reference = build_runtime_param(descriptor)
        annotation = descriptor.annotation
        many = typing.get_origin(annotation) is list
        kind = typing.get_args(annotation)[0] if many else annotation
        for value in samples.get(getattr(kind, "__name__", ""), []):
            raw: object = (value, value) if many else value
            assert plain._coerce_value(raw, param, None) == reference._coerce_value(raw, param, None), (param.name, raw)
            compared += 1
    assert compared > 40


def test_other_parameter_types_still_go_through_typer() -> None:
    """A type fastparams does not handle (an int here) is converted, and checked, by Typer."""
    import typer as typer_module
    from typer._click.exceptions import BadParameter

    probe = typer_module.Typer(cls=fastparams.FastGroup)

    @probe.command()
    def count(n: int = 1, name: str = "x") -> None:
        print(n * 2, name)

    @probe.command()
    def other() -> None: ...

    command = typer.main.get_command(probe)
    ctx = command.make_context("probe", ["count", "--n", "21", "--name", "y"])
    sub = command.get_command(ctx, "count")  # type: ignore[attr-defined]
    sub_ctx = sub.make_context("count", ["--n", "21", "--name", "y"], parent=ctx)
    assert sub_ctx.params == {"n": 21, "name": "y"}
    assert type(next(p for p in sub.params if p.name == "name")._runtime_param) is fastparams.PlainRuntimeParam
    with pytest.raises(BadParameter):
        sub.make_context("count", ["--n", "many"], parent=ctx)


# --- --version and shell completion (issue 9) ------------------------------------------------------


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, err = run(["--version"], capsys)
    assert (code, out, err) == (0, f"cwscodegen {version('cwscodegen')}\n", "")


def test_version_wins_over_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    """Eager: `--version` answers before the command's arguments are even looked at."""
    code, out, _ = run(["--version", "diff"], capsys)
    assert code == 0 and out.startswith("cwscodegen ")


def complete(words: str, cword: int) -> subprocess.CompletedProcess[str]:
    """What bash's completion function would get from the installed `cwscodegen`."""
    env = {**os.environ, "_CWSCODEGEN_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    return subprocess.run([sys.executable, "-m", "cwscodegen"], capture_output=True, text=True, cwd=ROOT, env=env)


def test_shell_completion_completes_commands_and_options() -> None:
    assert complete("cwscodegen di", 1).stdout.split() == ["diff"]
    assert complete("cwscodegen diff --for", 2).stdout.split() == ["--format"]
    assert complete("cwscodegen --ver", 1).stdout.split() == ["--version"]


def test_show_completion_prints_the_bash_script(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--show-completion", "bash"], capsys)
    assert code == 0
    assert "complete -o default -F _cwscodegen_completion cwscodegen" in out
    assert "_CWSCODEGEN_COMPLETE=complete_bash" in out

"""Every ```console block in README.md and docs/ is real output: each `$ ` command is run and compared.

The commands run with bash in a temporary copy of the project (snapshots, generated bindings, the
test events and the seed document, committed to a fresh git repository so `diff --against HEAD`
works), with the virtual environment's `cwscodegen` first on PATH and NO_COLOR set. Stdout and
stderr are shown together, as a terminal shows them. In the expected output a line `...` stands
for any number of lines, and the copy's absolute path is written `/path/to/cwscodegen`. Blocks
that show output which cannot be re-run here (a hook refusing a commit, an edited snapshot) use
a ```text fence instead. Each distinct command runs once, whatever the number of pages that show it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.review.test_gitrefs import git, isolated_git

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
PLACEHOLDER = "/path/to/cwscodegen"
ELISION = "..."
COPIED = (
    "pyproject.toml",
    "schemas",
    "generated",
    "tests/data/events",
    "tests/data/seed",
    "tests/data/real-events",
    "tests/data/shards",
)
_FENCE = re.compile(r"^(?P<fence>```+|~~~+)console\s*$")


@dataclass(frozen=True)
class Step:
    """One `$ command` of a block and the output shown under it."""

    page: str
    line: int
    command: str
    expected: tuple[str, ...]


def console_blocks(text: str, page: str) -> list[list[Step]]:
    """The console blocks of a Markdown text, each as its steps in order."""
    blocks: list[list[Step]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        index += 1
        if not opening:
            continue
        fence = opening["fence"]
        steps: list[Step] = []
        while index < len(lines) and lines[index] != fence:
            line = lines[index]
            if line.startswith("$ "):
                steps.append(Step(page, index + 1, line[2:], ()))
            elif steps:
                last = steps[-1]
                steps[-1] = Step(last.page, last.line, last.command, (*last.expected, line))
            elif line.strip():
                raise AssertionError(f"{page}:{index + 1}: console block output before any `$ ` command")
            index += 1
        blocks.append(steps)
        index += 1
    return blocks


def matches(expected: tuple[str, ...], actual: list[str]) -> bool:
    """Line by line, trailing blanks ignored; an `...` line matches any run of lines (even none)."""
    want = _trim([line.rstrip() for line in expected])
    have = _trim([line.rstrip() for line in actual])
    # reachable[j]: the expected lines so far can match exactly the first j actual lines
    reachable = [True] + [False] * len(have)
    for line in want:
        if line == ELISION:
            for j in range(1, len(have) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            reachable = [False] + [reachable[j - 1] and have[j - 1] == line for j in range(1, len(have) + 1)]
    return reachable[-1]


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines.pop()
    return lines


def make_project(folder: Path) -> Path:
    """The project's files the examples read, committed to a new git repository."""
    for name in COPIED:
        source, target = ROOT / name, folder / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "examples")
    return folder


class Shell:
    """Runs commands in the project copy and remembers their output (each distinct one runs once)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "NO_COLOR": "1",
            "COLUMNS": "120",
            "LC_ALL": "C.UTF-8",
        }
        self.seen: dict[tuple[str, int], tuple[list[str], int]] = {}

    def run(self, command: str, status_before: int) -> tuple[list[str], int]:
        """(output lines with the copy's path as PLACEHOLDER, exit status); `$?` is status_before."""
        key = (command, status_before if "$?" in command else 0)
        if key not in self.seen:
            done = subprocess.run(
                ["bash", "-c", f"(exit {status_before}); {command}"],
                cwd=self.project,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=300,
            )
            text = done.stdout.replace(str(self.project), PLACEHOLDER)
            self.seen[key] = (text.splitlines(), done.returncode)
        return self.seen[key]


def mismatches(blocks: list[list[Step]], shell: Shell) -> list[str]:
    """One message per step whose real output differs from the one shown."""
    problems = []
    for steps in blocks:
        status = 0
        for step in steps:
            actual, status = shell.run(step.command, status)
            if not matches(step.expected, actual):
                shown = "\n".join(actual[:40])
                problems.append(f"{step.page}:{step.line}: $ {step.command}\n--- real output ---\n{shown}")
    return problems


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shell]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolated_git(monkeypatch, tmp_path_factory.mktemp("home"))
        yield Shell(make_project(tmp_path_factory.mktemp("project")))


def test_every_console_block_is_real_output(shell: Shell) -> None:
    blocks = [block for page in PAGES for block in console_blocks(page.read_text(), str(page.relative_to(ROOT)))]
    assert sum(len(steps) for steps in blocks) > 20  # the pages do show examples
    problems = mismatches(blocks, shell)
    assert not problems, "\n\n".join(problems)


def test_a_wrong_block_is_caught(shell: Shell) -> None:
    page = "```console\n$ cwscodegen list\nv1     seed\n...\n$ echo $?\n0\n$ cwscodegen check --bogus\nfine\n```\n"
    problems = mismatches(console_blocks(page, "wrong.md"), shell)
    assert [problem.splitlines()[0] for problem in problems] == [
        "wrong.md:2: $ cwscodegen list",
        "wrong.md:7: $ cwscodegen check --bogus",
    ]
    assert "No such option: --bogus" in problems[1]


def test_a_right_block_passes(shell: Shell) -> None:
    page = "~~~~console\n$ cwscodegen check --bogus\n...\n$ echo $?\n2\n$ echo one; echo two; echo three\none\n...\nthree\n~~~~\n"
    assert mismatches(console_blocks(page, "right.md"), shell) == []


@pytest.mark.parametrize(
    ("expected", "actual", "result"),
    [
        (("a", "b"), ["a", "b"], True),
        (("a", "b"), ["a", "b", "c"], False),
        (("a", "...", "c"), ["a", "c"], True),
        (("a", "...", "c"), ["a", "x", "y", "c"], True),
        (("...", "c"), ["a", "b"], False),
        (("a", "..."), ["a", "b", "c"], True),
        (("a", "", ""), ["a"], True),
        (("b",), ["a", "b"], False),
    ],
)
def test_elision(expected: tuple[str, ...], actual: list[str], result: bool) -> None:
    assert matches(expected, actual) is result

"""The documentation stays navigable and true to the source tree.

Every relative link in README.md and docs/ must reach a file of the project, and docs/layout.md must
name every module of the package and draw the layers that tests/test_layout.py enforces. Links are
read from the Markdown text outside code (fenced blocks and inline code are skipped), in both the
inline form `[text](target)` and the reference form `[label]: target`.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT
from tests.test_layout import LAYER, PACKAGE

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_INLINE_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The numbered lines of a Markdown text outside fenced code, with inline code blanked."""
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opening = _FENCE.match(line)
        if opening and (fence is None or opening[1] == fence):
            fence = opening[1] if fence is None else None
            continue
        if fence is None:
            lines.append((number, _INLINE_CODE.sub("``", line)))
    return lines


def relative_links(text: str) -> list[tuple[int, str]]:
    """(line, target) of each link that names a file of the project (no scheme, not `#anchor` only)."""
    found = []
    for number, line in prose_lines(text):
        targets = [match[1] for match in _INLINE_LINK.finditer(line)]
        reference = _REFERENCE_LINK.match(line)
        if reference:
            targets.append(reference[1])
        for target in targets:
            path = target.split("#", 1)[0].split("?", 1)[0]
            if path and not _SCHEME.match(path) and not path.startswith("//"):
                found.append((number, path))
    return found


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """`page:line: target` for each relative link that reaches no file or folder inside `root`."""
    problems = []
    for number, target in relative_links(page.read_text(encoding="utf-8")):
        resolved = (page.parent / target).resolve()
        inside = resolved == root or root in resolved.parents
        if not inside or not resolved.exists():
            problems.append(f"{page.relative_to(root)}:{number}: {target}")
    return problems


def test_every_relative_link_resolves() -> None:
    problems = [problem for page in PAGES for problem in broken_links(page)]
    assert problems == [], "\n".join(problems)


def test_the_link_reader_finds_what_it_should() -> None:
    text = "\n".join(
        [
            'See [a](a.md), ![pic](img/b.svg "title") and [c](../c.md#part), [web](https://x.org/y.md),',
            "[anchor](#here), `[code](not-a-link.md)` and [ref]: d.md",
            "[ref]: e.md",
            "```",
            "[fenced](f.md)",
            "```",
        ]
    )
    assert relative_links(text) == [(1, "a.md"), (1, "img/b.svg"), (1, "../c.md"), (3, "e.md")]


def test_a_broken_link_is_reported(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "docs" / "commands").mkdir(parents=True)
    (root / "docs" / "here.md").write_text("x\n")
    page = root / "docs" / "commands" / "page.md"
    page.write_text("[ok](../here.md) [gone](no-such.md)\n\n[out](../../../outside.md) [dir](..)\n")
    assert broken_links(page, root) == [
        "docs/commands/page.md:1: no-such.md",
        "docs/commands/page.md:3: ../../../outside.md",
    ]


# --- docs/layout.md against the source tree -----------------------------------------------------

LAYOUT = ROOT / "docs" / "layout.md"


def test_layout_names_every_module() -> None:
    """Each module appears in backticks by its path under cwscodegen/; the sub-packages' docstring-only
    `__init__.py` files are covered by the row for `__init__.py`."""
    text = LAYOUT.read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.py)`", text))
    modules = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")}
    needed = {m for m in modules if not m.endswith("/__init__.py") or m == "cli/__init__.py"}
    assert "__init__.py" in named
    assert sorted(needed - named) == []


def test_layout_draws_the_enforced_layers() -> None:
    text = LAYOUT.read_text(encoding="utf-8")
    drawn = next(line for line in text.splitlines() if "->" in line and "errors" in line)
    layers = [sorted(part.strip() for part in step.split("|")) for step in drawn.split("->")]
    enforced = [
        sorted(name for name, rank in LAYER.items() if rank == level)
        for level in sorted(set(LAYER.values()), reverse=True)
    ]
    assert layers == enforced


_CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)  # `=======` alone is also a setext underline


def test_no_page_holds_merge_conflict_markers() -> None:
    """A merge that left `<<<<<<<`/`=======`/`>>>>>>>` lines in a page would show both versions to readers."""
    marked = [
        f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, found.start()) + 1}"
        for page in [*PAGES, ROOT / "CHANGELOG.md"]
        for text in [page.read_text(encoding="utf-8")]
        for found in _CONFLICT_MARKER.finditer(text)
    ]
    assert marked == []


def test_the_conflict_marker_check_finds_a_marker() -> None:
    assert _CONFLICT_MARKER.search("text\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> main\n")
    assert not _CONFLICT_MARKER.search("a heading\n=======\n")

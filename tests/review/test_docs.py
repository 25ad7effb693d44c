"""`cwscodegen docs`: the Markdown reference of a snapshot in the seed document's layout."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.cli import main
from cwscodegen.review.docs import anchor, render
from cwscodegen.store.refs import definitions
from cwscodegen.store.snapshots import Snapshot, list_versions, load_schema_file
from tests.conftest import DATA, HISTORY_SNAPSHOTS, SHIPPED

SEED = DATA / "seed" / "backend_event_doc.md"


@dataclass
class Section:
    """One part of the document: the root (heading None) or a definition."""

    heading: str | None
    code: str = ""
    tables: list[list[list[str]]] = field(default_factory=list)


def structure(markdown: str) -> list[Section]:
    """The document as sections: the code block and the tables of each, in order."""
    sections = [Section(None)]
    lines = markdown.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            sections.append(Section(line[3:]))
        elif line == "```":
            end = lines.index("```", index + 1)
            sections[-1].code = "\n".join(lines[index + 1 : end])
            index = end
        elif line.startswith("|"):
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", lines[index])[1:-1]])
                index += 1
            sections[-1].tables.append(rows)
            continue
        index += 1
    return sections


def test_v1_renders_exactly_the_seed_document() -> None:
    v1 = load_schema_file(SHIPPED / "v1.json")
    assert render(v1.document) == SEED.read_text(encoding="utf-8")


def test_v1_has_the_seeds_sections_in_order_and_the_same_tables() -> None:
    """The same comparison, by structure: what a reader of the seed relies on."""
    ours = structure(render(load_schema_file(SHIPPED / "v1.json").document))
    seed = structure(SEED.read_text(encoding="utf-8"))
    assert [s.heading for s in ours] == [s.heading for s in seed]
    assert [s.heading for s in seed][1:5] == ["`ContainerContext`", "`EventContext`", "`File`", "`FileEvent`"]
    assert len(seed) == 13
    for mine, theirs in zip(ours, seed):
        assert mine.tables == theirs.tables
        assert json.loads(mine.code.removeprefix("BACKEND_EVENT_SCHEMA = ")) == json.loads(
            theirs.code.removeprefix("BACKEND_EVENT_SCHEMA = ")
        )
    root_table = seed[0].tables[0]
    assert root_table[0] == ["Parameter", "Type", "Description"]
    assert ["`file`", "$ref", "Please see [FileEvent](#fileevent)"] in root_table
    file_event = next(s for s in seed if s.heading == "`FileEvent`")
    assert file_event.tables[0][0] == ["Field", "Description"]
    assert file_event.tables[0][2] == ["`path`", "File path"]
    assert file_event.tables[1] == [["References"], ["----------"], ["[File](#file)"]]


def _all() -> list[Snapshot]:
    shipped = [load_schema_file(SHIPPED / f"{n}.json", n) for n in list_versions(SHIPPED)]
    history = [load_schema_file(HISTORY_SNAPSHOTS / f"{n}.json", n) for n in list_versions(HISTORY_SNAPSHOTS)]
    return shipped + history


@pytest.mark.parametrize("snapshot", _all(), ids=lambda s: s.name[:2] if s.name[0].isdigit() else s.name)
def test_every_snapshot_renders_its_own_content(snapshot: Snapshot) -> None:
    """Shipped and historical snapshots (draft-04 `definitions` and 2020-12 `$defs`): every
    definition once, sorted, its JSON verbatim, its described fields, working links."""
    document: dict[str, Any] = snapshot.document
    text = render(document)
    sections = structure(text)
    table = definitions(document)
    assert [s.heading for s in sections[1:]] == [f"`{name}`" for name in sorted(table)]
    root = json.loads(sections[0].code.removeprefix("BACKEND_EVENT_SCHEMA = "))
    assert root == {k: v for k, v in document.items() if k not in ("definitions", "$defs")}
    rows = sections[0].tables[0][2:]
    assert [row[0] for row in rows] == [f"`{key}`" for key in document["properties"]]
    headings = {anchor(name) for name in table}
    for section in sections[1:]:
        name = section.heading.strip("`") if section.heading else ""
        schema = table[name][1]
        assert json.loads(section.code) == schema
        described = [
            key
            for key, prop in schema.get("properties", {}).items()
            if isinstance(prop, dict) and prop.get("description")
        ]
        fields = next((t for t in section.tables if t[0] == ["Field", "Description"]), None)
        assert ([row[0] for row in fields[2:]] if fields else []) == [f"`{key}`" for key in described]
        if fields:
            for row, key in zip(fields[2:], described):
                assert row[1] == schema["properties"][key]["description"].replace("|", "\\|").replace("\n", " ")
        references = next((t for t in section.tables if t[0] == ["References"]), None)
        if references:
            for (cell,) in references[2:]:
                target = re.fullmatch(r"\[(.+)\]\(#(.+)\)", cell)
                assert target and target.group(2) in headings and target.group(1) in table
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert set(links) <= headings
    assert text.endswith("\n\n")


def test_table_cells_cannot_break_a_table() -> None:
    document = {
        "properties": {"a": {"$ref": "#/definitions/D"}, "b|c": {"type": "string", "description": "x | y\nz"}},
        "definitions": {"D": {"properties": {"p": {"type": "string", "description": "one\r\ntwo | three"}}}},
    }
    sections = structure(render(document))
    assert sections[0].tables[0][3] == ["`b\\|c`", "string", "x \\| y z"]
    assert sections[1].tables[0][2] == ["`p`", "one two \\| three"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_cli_to_stdout_and_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(["docs", "--schemas", str(SHIPPED), "v1"], capsys)
    assert (code, err) == (0, "") and out == SEED.read_text(encoding="utf-8")
    target = tmp_path / "v15.md"
    code, out, err = run(["docs", "--schemas", str(SHIPPED), "v15", "--output", str(target)], capsys)
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == render(load_schema_file(SHIPPED / "v15.json").document)
    assert "## `AgentContext`" in target.read_text(encoding="utf-8")
    newest = HISTORY_SNAPSHOTS / f"{list_versions(HISTORY_SNAPSHOTS)[-1]}.json"
    code, out, _ = run(["docs", str(newest)], capsys)
    assert code == 0 and out == render(load_schema_file(newest).document)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["docs", "v99"], "v99.json: unknown version 'v99' (known: v1, v2,"),
        (["docs", "nosuch.json"], "nosuch.json: no such file"),
        (
            ["docs", "v1", "--output", "/nonexistent/folder/x.md"],
            "/nonexistent/folder/x.md: cannot write: folder /nonexistent/folder does not exist",
        ),
        (["docs", "../v1"], "../v1: no such file"),
        (["docs"], "Missing argument 'VERSION'."),
    ],
)
def test_cli_errors_are_one_line_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*argv, "--schemas", str(SHIPPED)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("cwscodegen: error: ") and message in err and len(err.splitlines()) == 1


def test_cli_errors_leave_an_existing_output_untouched(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"properties": {"a": {"$ref": "#/definitions/Nope"}}}', encoding="utf-8")
    target = tmp_path / "out.md"
    target.write_text("keep me", encoding="utf-8")
    code, _, err = run(["docs", str(bad), "--output", str(target)], capsys)
    assert code == 2 and "$ref at /properties/a: '#/definitions/Nope' does not resolve" in err
    code, _, err = run(["docs", "--schemas", str(SHIPPED), "v99", "--output", str(target)], capsys)
    assert code == 2
    assert target.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "out.md"]  # no temporary left
    code, _, err = run(["docs", "--schemas", str(SHIPPED), "v1", "--output", str(tmp_path)], capsys)
    assert code == 2 and err.strip() == f"cwscodegen: error: {tmp_path}: cannot write: it is a folder"

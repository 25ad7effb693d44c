"""The public library API: what `import cwscodegen` offers, pinned, and each function on real data.

The pinned names and signatures make a rename or a changed parameter a conscious act: change the
table below in the same commit, and say so in CHANGELOG.md.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import cwscodegen
from cwscodegen import UserError
from cwscodegen.engine.changes import Effect
from tests.conftest import DATA, ROOT, SHIPPED
from tests.review.test_gitrefs import git, isolated_git, write

PUBLIC = {
    "Compat": "(pairs: 'tuple[Pair, ...]', stale: 'tuple[dict[str, Any], ...]', mode: 'str') -> None",
    "Pair": "(old: 'Snapshot', new: 'Snapshot', report: 'Report') -> None",
    "SnapshotInfo": "(name: 'str', path: 'Path', provenance: 'Mapping[str, Any]' = <factory>) -> None",
    "UserError": None,
    "Validation": "(verdicts: 'Iterator[Verdict]', versions: 'tuple[str, ...]', tally: 'Tally') -> 'None'",
    "__version__": None,
    "changelog": "(start: 'str | None' = None, end: 'str | None' = None, *, mode: 'str | None' = None, "
    "accepted: 'PathLike | None' = None, schemas: 'PathLike | None' = None, root: 'PathLike | None' = None"
    ", default_draft: 'str | None' = None) -> 'Changelog'",
    "check": "(versions: 'Iterable[str] | None' = None, *, schemas: 'PathLike | None' = None, "
    "output: 'PathLike | None' = None, targets: 'Sequence[str] | None' = None, root_class: 'str | None' = None, "
    "root: 'PathLike | None' = None, full: 'bool' = False, jobs: 'int | None' = None) -> 'CheckResult'",
    "compat": "(*, mode: 'str | None' = None, accepted: 'PathLike | None' = None, witnesses: 'bool' = False, "
    "schemas: 'PathLike | None' = None, root: 'PathLike | None' = None, default_draft: 'str | None' = None) -> 'Compat'",
    "diff": "(old: 'SnapshotSpec', new: 'SnapshotSpec', *, accepted: 'PathLike | None' = None, "
    "witnesses: 'bool' = True, schemas: 'PathLike | None' = None, root: 'PathLike | None' = None"
    ", default_draft: 'str | None' = None) -> 'Report'",
    "docs": "(version: 'SnapshotSpec', *, schemas: 'PathLike | None' = None, root: 'PathLike | None' = None) -> 'str'",
    "generate": "(versions: 'Iterable[str] | None' = None, *, schemas: 'PathLike | None' = None, "
    "output: 'PathLike | None' = None, targets: 'Sequence[str] | None' = None, root_class: 'str | None' = None, "
    "root: 'PathLike | None' = None, jobs: 'int | None' = None) -> 'GenerateResult'",
    "impact": "(old: 'SnapshotSpec', new: 'SnapshotSpec', events: 'Iterable[Any]', *, mode: 'str | None' = None, "
    "source: 'str' = '<events>', schemas: 'PathLike | None' = None, root: 'PathLike | None' = None) -> 'ImpactView'",
    "list_snapshots": "(*, schemas: 'PathLike | None' = None, root: 'PathLike | None' = None) -> 'list[SnapshotInfo]'",
    "load_snapshot": "(spec: 'str | os.PathLike[str] | None' = None, *, at: 'str | None' = None, "
    "schemas: 'PathLike | None' = None, root: 'PathLike | None' = None) -> 'Snapshot'",
    "matrix": "(*, mode: 'str | None' = None, schemas: 'PathLike | None' = None, root: 'PathLike | None' = None"
    ", default_draft: 'str | None' = None) -> 'Matrix'",
    "project_settings": "(*, root: 'PathLike | None' = None, schemas: 'PathLike | None' = None, "
    "output: 'PathLike | None' = None, targets: 'Sequence[str] | None' = None, root_class: 'str | None' = None, "
    "mode: 'str | None' = None, default_draft: 'str | None' = None) -> 'Settings'",
    "validate": "(events: 'Iterable[Any]', *, versions: 'Sequence[str] | None' = None, json_lines: 'bool' = False, "
    "schemas: 'PathLike | None' = None, root: 'PathLike | None' = None, max_line_bytes: 'int | None' = None) "
    "-> 'Validation'",
}


def test_the_public_names_are_pinned() -> None:
    assert sorted(cwscodegen.__all__) == sorted(PUBLIC)


@pytest.mark.parametrize("name", sorted(name for name, signature in PUBLIC.items() if signature))
def test_the_public_signatures_are_pinned(name: str) -> None:
    assert str(inspect.signature(getattr(cwscodegen, name))) == PUBLIC[name]


@pytest.mark.parametrize("name", sorted(name for name in PUBLIC if not name.startswith("__")))
def test_every_public_name_is_documented(name: str) -> None:
    assert (inspect.getdoc(getattr(cwscodegen, name)) or "").strip(), name


def test_help_shows_the_api_and_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import cwscodegen; help(cwscodegen)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PAGER": "cat", "TERM": "dumb"},
    )
    assert done.returncode == 0, done.stderr
    for name in ("load_snapshot(", "diff(", "validate(", "generate(", "check(", "matrix(", "changelog(", "docs("):
        assert f"\n    {name}" in done.stdout, name
    assert f"VERSION\n    {cwscodegen.__version__}" in done.stdout


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert cwscodegen.__version__ == version("cwscodegen")
    with pytest.raises(AttributeError, match="no_such_name"):
        cwscodegen.no_such_name  # noqa: B018


def test_importing_the_package_imports_nothing_heavy() -> None:
    probe = (
        "import sys, cwscodegen\n"
        "heavy = ('jsonschema', 'pydantic', 'black', 'datamodel_code_generator', 'rich', 'deepdiff', 'importlib.metadata')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m == 'importlib.metadata'))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


# --- the snapshot store --------------------------------------------------------------------------


def test_list_snapshots_in_version_order_with_provenance() -> None:
    listed = cwscodegen.list_snapshots(root=ROOT)
    assert [s.name for s in listed] == [f"v{n}" for n in range(1, 16)]
    v8 = listed[7]
    assert v8.path == SHIPPED / "v8.json"
    assert (v8.provenance["commit"], v8.provenance["pr"]) == ("6576cbad04d5", 15097)


def test_list_snapshots_of_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "history"
    folder.mkdir()
    for path in sorted((DATA / "cws-schema-history").glob("[0-9]*.json")):
        (folder / f"u{path.name[:2]}.json").write_bytes(path.read_bytes())
    history = cwscodegen.list_snapshots(schemas=folder)
    assert len(history) == 59


def test_load_snapshot_by_name_by_path_and_newest() -> None:
    by_name = cwscodegen.load_snapshot("v15", root=ROOT)
    assert (by_name.name, by_name.draft) == ("v15", "draft2020-12")
    assert cwscodegen.load_snapshot(SHIPPED / "v15.json").document == by_name.document
    assert cwscodegen.load_snapshot(root=ROOT).name == "v15"


@pytest.mark.parametrize(
    ("spec", "message"),
    [("v99", r"unknown version 'v99'"), ("v1..v2", r"invalid version name 'v1\.\.v2'"), ("../v1", "no such file")],
)
def test_load_snapshot_errors_are_user_errors(spec: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        cwscodegen.load_snapshot(spec, root=ROOT)


def test_load_snapshot_at_a_git_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolated_git(monkeypatch, tmp_path / "home")
    repo = tmp_path / "repo"
    snap = repo / "schemas" / "versions" / "v1.json"
    write(snap, {"type": "object", "properties": {"a": {"type": "string"}}})
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    write(snap, {"type": "object", "properties": {"a": {"type": "integer"}}})
    monkeypatch.chdir(repo)
    old = cwscodegen.load_snapshot("v1", at="HEAD")
    assert old.name == "v1@HEAD"
    assert old.document["properties"]["a"] == {"type": "string"}
    report = cwscodegen.diff(old, "v1")
    assert (report.backward, report.forward) == (Effect.BREAKING, Effect.BREAKING)


# --- compatibility -------------------------------------------------------------------------------


def test_diff_returns_records_with_accepted_breaks_marked() -> None:
    report = cwscodegen.diff("v12", "v13", root=ROOT)
    assert (report.old_name, report.new_name) == ("v12", "v13")
    assert report.backward is Effect.BREAKING
    required = [c for c in report.changes if c.rule == "required-property-added"]
    assert len(required) == 2 and all(c.accepted for c in required)
    assert all(c.witnesses and all(w.verified for w in c.witnesses) for c in required)
    assert report.stale_accepted == ()


def test_diff_without_accepted_breaks_fails_and_takes_snapshots() -> None:
    from cwscodegen.review.accepted import fails

    old, new = cwscodegen.load_snapshot("v12", root=ROOT), cwscodegen.load_snapshot("v13", root=ROOT)
    report = cwscodegen.diff(old, new, accepted=os.devnull, witnesses=False, root=ROOT)
    assert not any(c.accepted for c in report.changes)
    assert not any(c.witnesses for c in report.changes)
    assert fails(report, "backward", True)


def test_diff_of_identical_files_has_no_changes() -> None:
    report = cwscodegen.diff(SHIPPED / "v15.json", "v15", root=ROOT)
    assert (report.changes, report.backward, report.forward) == ((), Effect.NONE, Effect.NONE)


def test_compat_of_the_shipped_history_passes() -> None:
    result = cwscodegen.compat(root=ROOT)
    assert [(p.old.name, p.new.name) for p in result.pairs][:2] == [("v1", "v2"), ("v2", "v3")]
    assert len(result.pairs) == 14
    assert (result.stale, result.mode, result.failing()) == ((), "backward", False)


def test_compat_with_only_a_stale_entry_fails_on_both_counts(tmp_path: Path) -> None:
    accepted = tmp_path / "accepted.toml"
    accepted.write_text(
        '[[accepted]]\nold = "v14"\nnew = "v15"\nrule = "type-changed"\npointer = "/nowhere"\nreason = "test"\n'
    )
    result = cwscodegen.compat(accepted=accepted, root=ROOT)
    assert [entry["pointer"] for entry in result.stale] == ["/nowhere"]
    assert not any(c.accepted for p in result.pairs for c in p.report.changes)
    assert result.failing() and replace(result, stale=()).failing(api=False)


def test_matrix_of_the_shipped_snapshots(tmp_path: Path) -> None:
    result = cwscodegen.matrix(root=ROOT)
    assert [(s.old, s.new, s.code) for s in (result.cell("v2", "v3"), result.cell("v12", "v13"))] == [
        ("v2", "v3", "B-"),
        ("v12", "v13", "--"),
    ]
    v11 = result.summary(result.versions.index("v11"))
    assert (v11.older, v11.compatible_older, v11.oldest_in_run) == (10, 2, "v9")
    shutil.copy(SHIPPED / "v1.json", tmp_path / "v1.json")
    with pytest.raises(UserError, match="a matrix needs at least two snapshots, found 1"):
        cwscodegen.matrix(schemas=tmp_path, root=ROOT)


def test_changelog_over_a_range() -> None:
    log = cwscodegen.changelog("v12", "v15", root=ROOT)
    assert [(s.old.name, s.new.name) for s in log.steps] == [("v12", "v13"), ("v13", "v14"), ("v14", "v15")]
    assert log.bump.value == "major"
    with pytest.raises(UserError, match="must be older than"):
        cwscodegen.changelog("v15", "v12", root=ROOT)


def test_docs_of_the_seed_snapshot_is_the_seed_document() -> None:
    text = cwscodegen.docs("v1", root=ROOT)
    assert text == (DATA / "seed" / "backend_event_doc.md").read_text()


# --- events --------------------------------------------------------------------------------------


def test_validate_lines_of_a_file() -> None:
    with (DATA / "events" / "mixed.jsonl").open("rb") as lines:
        run = cwscodegen.validate(lines, versions=["v15", "v14"], json_lines=True, root=ROOT)
        verdicts = list(run)
    assert run.versions == ("v14", "v15")
    assert [v.line for v in verdicts] == [1, 2, 3, 5, 6, 7, 8]
    assert [v.ok for v in verdicts] == [True, False, False, False, False, False, True]
    assert verdicts[2].malformed is not None and verdicts[2].malformed.column == 86
    assert (run.tally.events, run.tally.passed, run.tally.malformed, run.ok) == (7, 2, 2, False)


def test_validate_documents_and_text_lines() -> None:
    event = json.loads((DATA / "events" / "mixed.jsonl").read_text().splitlines()[0])
    from_documents = list(cwscodegen.validate([event, {"title": 1}], versions=["v15"], root=ROOT))
    assert [(v.line, v.ok) for v in from_documents] == [(1, True), (2, False)]
    assert from_documents[1].rejected[0].pointer in ("", "/title")
    pretty = json.dumps(event, indent=2).splitlines(keepends=True)  # one event over many str lines
    from_text = list(cwscodegen.validate(pretty, versions=["v15"], root=ROOT))
    assert [(v.line, v.ok) for v in from_text] == [(1, True)]


def test_validate_mixing_lines_and_documents_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="lines or documents"):
        list(cwscodegen.validate(['{"a": 1}\n', {"a": 1}], versions=["v15"], root=ROOT))


@pytest.mark.parametrize("whole", ['{"title": "t"}\n', b'{"title": "t"}\n'])
def test_validate_refuses_one_whole_string(whole: str | bytes) -> None:
    with pytest.raises(TypeError, match="not one string"):
        cwscodegen.validate(whole, versions=["v15"], root=ROOT)


def test_validate_rejects_an_unknown_version_before_reading_events() -> None:
    def never() -> Iterator[bytes]:
        raise AssertionError("events were read")
        yield b""

    with pytest.raises(UserError, match=r"--version: unknown version 'v16'"):
        cwscodegen.validate(never(), versions=["v16"], root=ROOT)


def test_validate_is_lazy() -> None:
    seen: list[int] = []

    def events() -> Iterator[dict[str, object]]:
        for number in range(1, 1_000_000):
            seen.append(number)
            yield {"title": "t"}

    run = cwscodegen.validate(events(), versions=["v15"], root=ROOT)
    first = next(run)
    assert (first.line, len(seen), run.tally.events) == (1, 1, 1)


# --- bindings ------------------------------------------------------------------------------------


def test_generate_then_check(tmp_path: Path) -> None:
    schema = tmp_path / "schemas" / "v1.json"
    write(schema, {"type": "object", "properties": {"pid": {"type": "integer"}}, "required": ["pid"]})
    (tmp_path / "pyproject.toml").write_text('[tool.cwscodegen]\nschemas = "schemas"\noutput = "out"\n')
    written = cwscodegen.generate(targets=["typeddict"], root=tmp_path)
    assert written.versions == ["v1"]
    assert sorted(written.written) == ["out/v1/__init__.py", "out/v1/_manifest.json", "out/v1/typeddicts.py"]
    assert "class BackendEvent(TypedDict" in (tmp_path / "out" / "v1" / "typeddicts.py").read_text()
    assert cwscodegen.check(targets=["typeddict"], root=tmp_path).ok
    write(schema, {"type": "object", "properties": {"pid": {"type": "string"}}})
    stale = cwscodegen.check(targets=["typeddict"], root=tmp_path)
    assert not stale.ok and ("stale", "out/v1/typeddicts.py") in stale.problems


def test_shipped_bindings_are_up_to_date() -> None:
    assert cwscodegen.check(root=ROOT).ok


def test_bad_root_class_is_a_user_error() -> None:
    with pytest.raises(UserError, match=r"'class' is not a valid Python class name"):
        cwscodegen.generate(root_class="class", root=ROOT)

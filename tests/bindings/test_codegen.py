"""`cwscodegen generate` and `check` on small throw-away projects, through the real command line.

One project with snapshots v1 and v2 (the two smallest shipped ones) is generated once per module;
each test works on its own copy, so the slow code generator runs only where a test needs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import black
import pytest

from cwscodegen.bindings import codegen, manifest
from cwscodegen.config import Settings
from tests.bindings.packages import load_module
from tests.conftest import SHIPPED

PYPROJECT = '[tool.cwscodegen]\nschemas = "schemas"\noutput = "out"\n'
PACKAGE = ["__init__.py", "_manifest.json", "codec.py", "dataclasses_models.py", "pydantic_models.py", "typeddicts.py"]


def cli(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m cwscodegen ARGV` in `cwd`, as a user runs it."""
    return subprocess.run(
        [sys.executable, *argv] if argv[0] == "-X" else [sys.executable, "-m", "cwscodegen", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )


def make_project(root: Path, versions: tuple[str, ...] = ("v1", "v2"), pyproject: str = PYPROJECT) -> Path:
    (root / "schemas").mkdir(parents=True)
    for version in versions:
        shutil.copyfile(SHIPPED / f"{version}.json", root / "schemas" / f"{version}.json")
    (root / "pyproject.toml").write_text(pyproject)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative posix path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def add_property(path: Path, name: str = "cwscodegen_new") -> None:
    """A real schema change: a new optional string property on the root object."""
    document = json.loads(path.read_text())
    document["properties"][name] = {"type": "string"}
    path.write_text(json.dumps(document, indent=2))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("base") / "project")
    done = cli(["generate"], project)
    assert done.returncode == 0, done.stderr
    return project


@pytest.fixture
def project(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(base, copy)
    return copy


# --- generate -----------------------------------------------------------------------------------


def test_generate_writes_one_package_per_snapshot(base: Path) -> None:
    out = base / "out"
    assert sorted(p.name for p in out.iterdir()) == ["v1", "v2"]
    for version in ("v1", "v2"):
        assert sorted(p.name for p in (out / version).iterdir()) == PACKAGE
        record = json.loads((out / version / "_manifest.json").read_text())
        assert record["snapshot"] == {
            "path": f"schemas/{version}.json",
            "sha256": manifest.sha256((base / "schemas" / f"{version}.json").read_bytes()),
        }
        assert record["files"] == {
            name: manifest.sha256((out / version / name).read_bytes()) for name in PACKAGE if name != "_manifest.json"
        }
        assert record["generator"]["root-class"] == "BackendEvent"
        assert record["generator"]["black"] == metadata.version("black")


def test_packages_import_from_the_project_and_hold_an_event(base: Path) -> None:
    script = """
import json
from datetime import datetime
from out.v1 import ROOT_CLASS, SNAPSHOT
from out.v1.pydantic_models import BackendEvent as Model
from out.v1.dataclasses_models import BackendEvent as Data, from_dict, to_dict
from out.v1.typeddicts import BackendEvent as Typed

event: Typed = {"file": {"uid": 0, "gid": 0, "path": "/etc/passwd"}, "date": "2021-09-28T10:00:00Z"}
model = Model.model_validate(event)
data = from_dict(Data, event)
assert isinstance(model.date, datetime) and model.date.tzinfo is not None
assert isinstance(data.date, datetime) and data.date.tzinfo is not None
assert to_dict(data) == event
print(SNAPSHOT, ROOT_CLASS, model.file.uid, data.file.path)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=base, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["v1", "BackendEvent", "0", "/etc/passwd"]


def test_generated_python_is_black_formatted_and_marked(base: Path) -> None:
    for path in sorted((base / "out").rglob("*.py")):
        text = path.read_text()
        assert black.format_str(text, mode=black.Mode()) == text, path
        assert text.startswith(f"# {manifest.MARKER}schemas/{path.parent.name}.json. DO NOT EDIT.\n"), path
        assert manifest.is_generated(path)
        compile(text, str(path), "exec")


def test_output_is_byte_identical_across_locations_and_working_folders(base: Path, tmp_path: Path) -> None:
    """No timestamp, absolute path or hash-seed dependence: three runs from different places agree."""
    expected = tree(base / "out")
    assert not any(str(base).encode() in data or str(tmp_path).encode() in data for data in expected.values())
    # Elsewhere on disk, run from a subfolder of the project, with another hash seed.
    other = make_project(tmp_path / "deeper" / "location" / "project")
    assert cli(["generate"], other / "schemas", PYTHONHASHSEED="123").returncode == 0
    # From outside any project, the folders given as flags (relative to the working folder).
    third = make_project(tmp_path / "third", pyproject="")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = cli(["generate", "--schemas", "../third/schemas", "--output", "../third/out"], outside, PYTHONHASHSEED="7")
    assert done.returncode == 0, done.stderr
    assert tree(other / "out") == expected
    assert tree(third / "out") == expected


def test_generate_again_rewrites_nothing(project: Path) -> None:
    before = stamps(project / "out")
    done = cli(["generate"], project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "2 snapshot(s): 0 file(s) written, 0 removed, 12 unchanged"
    assert stamps(project / "out") == before


def test_generate_one_version_leaves_the_others_alone(project: Path) -> None:
    add_property(project / "schemas" / "v1.json")
    add_property(project / "schemas" / "v2.json")
    before = stamps(project / "out")
    done = cli(["generate", "v1"], project)
    assert done.returncode == 0, done.stderr
    after = stamps(project / "out")
    assert {name for name in after if after[name] != before[name]} == {
        "v1/_manifest.json",
        "v1/dataclasses_models.py",
        "v1/pydantic_models.py",
        "v1/typeddicts.py",
    }
    assert "cwscodegen_new" in (project / "out" / "v1" / "pydantic_models.py").read_text()
    done = cli(["check"], project)
    assert done.returncode == 1
    assert all(line.startswith("stale: out/v2/") for line in done.stdout.splitlines())


def test_output_of_a_removed_snapshot_goes_only_if_the_tool_wrote_it(project: Path) -> None:
    out = project / "out"
    (project / "schemas" / "v2.json").unlink()
    (out / "v2" / "mine.py").write_text("# written by hand\n")
    (out / "notes.md").write_text("kept\n")
    lone = out / "v9"
    lone.mkdir()
    shutil.copyfile(out / "v1" / "codec.py", lone / "codec.py")

    done = cli(["generate", "v1"], project)  # named versions: other packages are not looked at
    assert done.returncode == 0, done.stderr
    assert (out / "v2" / "pydantic_models.py").is_file() and (lone / "codec.py").is_file()

    done = cli(["generate"], project)
    assert done.returncode == 0, done.stderr
    removed = sorted(line.removeprefix("removed ") for line in done.stdout.splitlines() if line.startswith("removed "))
    assert removed == [f"out/v2/{name}" for name in PACKAGE] + ["out/v9/codec.py"]
    assert sorted(p.name for p in (out / "v2").iterdir()) == ["mine.py"]  # unmarked: kept, so is its folder
    assert not lone.exists()  # emptied by the tool: gone
    assert (out / "notes.md").read_text() == "kept\n"
    assert sorted(p.name for p in (out / "v1").iterdir()) == PACKAGE


def test_dropping_a_target_removes_its_files(project: Path) -> None:
    done = cli(["generate", "--target", "pydantic"], project)
    assert done.returncode == 0, done.stderr
    for version in ("v1", "v2"):
        assert sorted(p.name for p in (project / "out" / version).iterdir()) == [
            "__init__.py",
            "_manifest.json",
            "pydantic_models.py",
        ]
    assert cli(["check", "--target", "pydantic"], project).returncode == 0
    assert cli(["check"], project).returncode == 1


def test_settings_from_pyproject_and_flags_override(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        ("v1",),
        pyproject='[tool.cwscodegen]\nschemas = "schemas"\noutput = "gen"\ntargets = ["pydantic"]\nroot-class = "Event"\n',
    )
    assert cli(["generate"], project).returncode == 0
    package = project / "gen" / "v1"
    assert sorted(p.name for p in package.iterdir()) == ["__init__.py", "_manifest.json", "pydantic_models.py"]
    models = (package / "pydantic_models.py").read_text()
    assert "\nclass Event(BaseModel):" in models and "class BackendEvent" not in models

    done = cli(
        [
            "generate",
            "--output",
            "other",
            "--target",
            "typeddict",
            "--target",
            "dataclasses",
            "--root-class",
            "CwsEvent",
        ],
        project,
    )
    assert done.returncode == 0, done.stderr
    package = project / "other" / "v1"
    assert sorted(p.name for p in package.iterdir()) == [
        "__init__.py",
        "_manifest.json",
        "codec.py",
        "dataclasses_models.py",
        "typeddicts.py",
    ]
    assert "\nclass CwsEvent(TypedDict" in (package / "typeddicts.py").read_text()
    assert json.loads((package / "_manifest.json").read_text())["generator"]["targets"] == ["dataclasses", "typeddict"]
    assert cli(["check"], project).returncode == 0  # gen/ still matches the pyproject settings


# --- check --------------------------------------------------------------------------------------


def test_noop_check_passes_without_importing_the_generator(project: Path) -> None:
    done = cli(["-X", "importtime", "-m", "cwscodegen", "check"], project)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2 snapshot(s): generated bindings are up to date\n"
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "cwscodegen.bindings.codegen" in imported
    heavy = {
        name
        for name in imported
        if name.split(".")[0] in ("black", "datamodel_code_generator", "pydantic", "rich", "jsonschema")
    }
    assert not heavy, sorted(heavy)


def test_check_names_stale_missing_and_extra_files(project: Path) -> None:
    out = project / "out"
    with (out / "v1" / "pydantic_models.py").open("a") as stream:
        stream.write("# edited by hand\n")
    (out / "v2" / "typeddicts.py").unlink()
    (out / "v7").mkdir()
    shutil.copyfile(out / "v1" / "__init__.py", out / "v7" / "__init__.py")  # marked: the tool's
    (out / "v1" / "helpers.py").write_text("def f() -> None: ...\n")  # unmarked: the user's
    (out / "README.md").write_text("notes\n")
    done = cli(["check"], project)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "stale: out/v1/pydantic_models.py",
        "missing: out/v2/typeddicts.py",
        "extra: out/v7/__init__.py",
    ]
    assert done.stderr == "cwscodegen: 3 generated file(s) out of date; run `cwscodegen generate`\n"


def test_check_renders_when_the_snapshot_changes(project: Path) -> None:
    add_property(project / "schemas" / "v2.json")
    done = cli(["-X", "importtime", "-m", "cwscodegen", "check"], project)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"stale: out/v2/{name}"
        for name in ("_manifest.json", "dataclasses_models.py", "pydantic_models.py", "typeddicts.py")
    ]
    assert "datamodel_code_generator" in done.stderr  # this time the generator had to run
    assert cli(["generate"], project).returncode == 0
    assert cli(["check"], project).returncode == 0


def test_check_notices_changed_generator_settings(project: Path) -> None:
    done = cli(["check", "--root-class", "Event"], project)
    assert done.returncode == 1
    assert "stale: out/v1/pydantic_models.py" in done.stdout and "stale: out/v1/__init__.py" in done.stdout


def test_check_compares_the_manifest_itself(project: Path) -> None:
    """A tampered generator record makes the hashes untrustworthy: check renders, and names the
    manifest (the only file that differs from a fresh rendering)."""
    path = project / "out" / "v1" / "_manifest.json"
    record = json.loads(path.read_text())
    record["generator"]["black"] = "0.0"
    path.write_text(json.dumps(record))
    done = cli(["check"], project)
    assert done.returncode == 1
    assert done.stdout.splitlines() == ["stale: out/v1/_manifest.json"]


# --- bad input ----------------------------------------------------------------------------------

BAD_SNAPSHOTS = {
    "invalid JSON": (
        '{"type": "object",\n  "properties": }',
        r"^schemas/v0\.json:2:17: invalid JSON: Expecting value$",
    ),
    "not an object": ("[1, 2]", r"^schemas/v0\.json: a schema must be a JSON object \(or boolean\), got list$"),
    "boolean schema": ("true", r"^schemas/v0\.json: cannot generate bindings: the schema is a boolean, not an object$"),
    "unresolvable $ref": (
        '{"type": "object", "properties": {"f": {"$ref": "#/definitions/Missing"}}}',
        r"^schemas/v0\.json: \$ref at /properties/f: '#/definitions/Missing' does not resolve \(nothing at /definitions/Missing\)$",
    ),
    "remote $ref": (
        '{"type": "object", "properties": {"f": {"$ref": "https://example.invalid/s.json#/x"}}}',
        r"^schemas/v0\.json: \$ref at /properties/f: 'https://example\.invalid/s\.json#/x' points outside this document \(remote references are never fetched\)$",
    ),
    "relative file $ref": (
        '{"type": "object", "properties": {"f": {"$ref": "other.json#/x"}}}',
        r"^schemas/v0\.json: \$ref at /properties/f: 'other\.json#/x' points outside this document",
    ),
    "meta-schema violation": (
        '{"type": "object", "properties": {"f": {"type": 5}}}',
        r"^schemas/v0\.json: not a valid JSON Schema at /properties/f/type: 5 is not valid under any of the given schemas$",
    ),
}


def one_line_error(done: subprocess.CompletedProcess[str], pattern: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert re.search(pattern, lines[0].removeprefix("cwscodegen: error: ")), lines[0]


@pytest.mark.parametrize("case", sorted(BAD_SNAPSHOTS))
def test_bad_snapshot_is_one_line_exit_2_and_nothing_written(project: Path, case: str) -> None:
    text, pattern = BAD_SNAPSHOTS[case]
    (project / "schemas" / "v0.json").write_text(text)
    add_property(project / "schemas" / "v1.json")  # v1 is due for regeneration: it must not happen
    before = stamps(project / "out")
    one_line_error(cli(["generate"], project), pattern)
    assert stamps(project / "out") == before
    one_line_error(cli(["generate", "v0"], project), pattern)
    one_line_error(cli(["check", "v0"], project), pattern)
    assert stamps(project / "out") == before
    assert not (project / "out" / "v0").exists()


def test_a_bad_snapshot_rendered_last_still_writes_nothing(project: Path) -> None:
    """The last snapshot fails only in the generator (its JSON and meta-schema are fine); the
    earlier ones were rendered by then, and are not written either."""
    loop = {"type": "object", "properties": {"a": {"$ref": "#/properties/a"}}}  # a $ref to itself
    (project / "schemas" / "v9.json").write_text(json.dumps(loop))
    add_property(project / "schemas" / "v1.json")
    before = stamps(project / "out")
    done = cli(["generate"], project)
    one_line_error(done, r"^schemas/v9\.json: .*loop back")  # refused at load since issue 8 (P9)
    assert stamps(project / "out") == before
    assert not [p for p in (project / "out").rglob("*.tmp")]


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["generate", "v99"], r"^schemas/v99\.json: unknown version 'v99' \(known: v1, v2\)$"),
        (["check", "v99"], r"^schemas/v99\.json: unknown version 'v99' \(known: v1, v2\)$"),
        (["generate", "../v1"], r"^invalid version name '\.\./v1': use a letter, then letters, digits or '_'"),
        (["generate", "schemas/v1"], r"^invalid version name 'schemas/v1'"),
        (["check", ".."], r"^invalid version name '\.\.'"),
        (
            ["generate", "--target", "java"],
            r"^--target: unknown target 'java' \(choose from pydantic, dataclasses, typeddict\)$",
        ),
        (
            ["generate", "--root-class", "not a class"],
            r"^--root-class: 'not a class' is not a valid Python class name$",
        ),
        (["generate", "--schemas", "nowhere"], r"nowhere: snapshot folder does not exist$"),
    ],
)
def test_bad_arguments_are_one_line_exit_2(project: Path, argv: list[str], pattern: str) -> None:
    before = stamps(project / "out")
    one_line_error(cli(argv, project), pattern)
    assert stamps(project / "out") == before


def test_output_folder_that_is_a_file(project: Path) -> None:
    (project / "file").write_text("")
    one_line_error(cli(["generate", "--output", "file"], project), r"^file: output folder is a file$")


# --- library pieces -----------------------------------------------------------------------------


def test_tool_version_reads_the_installed_distribution() -> None:
    assert codegen.tool_version("black", "black") == metadata.version("black")
    assert codegen.tool_version("datamodel_code_generator", "datamodel-code-generator") == metadata.version(
        "datamodel-code-generator"
    )


def test_generator_settings_fingerprint_the_codec_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, schemas=tmp_path, output=tmp_path / "out")
    first = codegen.generator_settings(settings)
    assert first == codegen.generator_settings(settings)
    real = Path.read_bytes

    def edited(path: Path) -> bytes:
        data = real(path)
        return data + b"# edit\n" if path.name == "dataclass_codec.py" else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert codegen.generator_settings(settings)["codegen"] != first["codegen"]


def test_field_aliases_never_collide() -> None:
    document: dict[str, Any] = {
        "properties": {"class": {}, "class_": {}, "mountpoint.path": {}, "_x": {}, "x": {}, "1st": {}}
    }
    aliases = codegen.field_aliases(document)
    assert aliases == {"1st": "field_1st", "_x": "x_", "class": "class__", "mountpoint.path": "mountpoint_path"}
    names = set(document["properties"])
    assert not set(aliases.values()) & names


def test_prepare_spells_out_open_objects_only() -> None:
    document: dict[str, Any] = {
        "type": "object",
        "properties": {"a": {"type": "object"}, "b": {"type": "object", "properties": {"c": {}}}, "r": {"$ref": "#/x"}},
        "additionalProperties": False,
    }
    prepared = codegen.prepare(document)
    assert prepared["additionalProperties"] is False
    assert prepared["properties"]["a"]["additionalProperties"] == {}
    assert prepared["properties"]["b"]["additionalProperties"] is True
    assert prepared["properties"]["r"] == {"$ref": "#/x"}
    assert "additionalProperties" not in document["properties"]["a"]  # the input is not modified


# --- only the tool's own files, and nothing outside (issue 8: P4, P5, P20) -----------------------


def test_a_symlinked_package_of_a_deleted_snapshot_is_never_followed(project: Path, tmp_path: Path) -> None:
    """P4: `out/v99 -> elsewhere` with no snapshot v99: the marked files there are not the tool's."""
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project / "out" / "v1", elsewhere)
    before = tree(elsewhere)
    (project / "out" / "v99").symlink_to(elsewhere, target_is_directory=True)
    done = cli(["generate"], project)
    assert done.returncode == 0, done.stderr
    assert not [line for line in done.stdout.splitlines() if line.startswith("removed ")]
    assert tree(elsewhere) == before and (project / "out" / "v99").is_symlink()
    assert cli(["check"], project).returncode == 0


def test_a_user_file_that_quotes_the_marker_is_neither_extra_nor_removed(project: Path) -> None:
    """P5: only an exact marker first line (or a manifest listing) makes a file the tool's."""
    quoting = f"# My notes.\n# Files starting with '# {manifest.MARKER}schemas/v1.json. DO NOT EDIT.' are generated.\n"
    (project / "out" / "v1" / "notes.py").write_text(quoting)
    (project / "out" / "v2" / "notes.py").write_text(quoting)
    (project / "schemas" / "v2.json").unlink()
    done = cli(["check", "v1"], project)
    assert done.returncode == 0, done.stdout
    done = cli(["generate"], project)
    assert done.returncode == 0, done.stderr
    assert (project / "out" / "v1" / "notes.py").read_text() == quoting
    assert sorted(p.name for p in (project / "out" / "v2").iterdir()) == ["notes.py"]


def test_a_file_listed_in_the_manifest_is_the_tools_even_without_the_marker(project: Path) -> None:
    path = project / "out" / "v2" / "_manifest.json"
    record = json.loads(path.read_text())
    record["files"]["retired.py"] = manifest.sha256(b"x = 1\n")
    path.write_text(json.dumps(record))
    (project / "out" / "v2" / "retired.py").write_text("x = 1\n")
    (project / "schemas" / "v2.json").unlink()
    done = cli(["generate"], project)
    assert done.returncode == 0, done.stderr
    assert "removed out/v2/retired.py" in done.stdout.splitlines()
    assert not (project / "out" / "v2").exists()


def test_writing_through_a_symlinked_package_folder_is_refused(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / "out" / "v1", elsewhere)
    (project / "out" / "v1").symlink_to(elsewhere, target_is_directory=True)
    add_property(project / "schemas" / "v1.json")
    before = stamps(elsewhere)
    one_line_error(cli(["generate"], project), r"^out/v1: package folder is a symlink; refusing to write through it$")
    assert stamps(elsewhere) == before


def test_a_package_path_under_a_file_stops_generate_before_the_first_write(project: Path) -> None:
    """P20: v1 is due for a rewrite, but `out/v2` is a file, so nothing is written at all."""
    shutil.rmtree(project / "out" / "v2")
    (project / "out" / "v2").write_text("in the way\n")
    add_property(project / "schemas" / "v1.json")
    before = stamps(project / "out")
    one_line_error(cli(["generate"], project), r"^out/v2: cannot create folder: out/v2 is a file$")
    assert stamps(project / "out") == before


def test_an_unwritable_package_stops_generate_before_the_first_write(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """P20, in-process: a folder that refuses new files (as a read-only mount would, even for root)."""
    import tempfile

    from cwscodegen.config import load_settings
    from cwscodegen.errors import UserError

    add_property(project / "schemas" / "v1.json")
    add_property(project / "schemas" / "v2.json")
    refused = project / "out" / "v2"
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(kwargs.get("dir") or ".") == refused:
            raise OSError(30, "Read-only file system")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    before = stamps(project / "out")
    with pytest.raises(UserError, match=r"^out/v2: cannot write: Read-only file system$"):
        codegen.generate(load_settings(project), jobs=1)
    assert stamps(project / "out") == before


# --- check --full (P17) ------------------------------------------------------------------------


def test_a_hand_edit_with_a_forged_hash_passes_the_quick_check_but_not_full(project: Path) -> None:
    """What the manifest can and cannot prove: the quick check trusts a recomputed hash."""
    module = project / "out" / "v1" / "pydantic_models.py"
    module.write_text(module.read_text() + "\nBACKDOOR = True\n")
    path = project / "out" / "v1" / "_manifest.json"
    record = json.loads(path.read_text())
    record["files"]["pydantic_models.py"] = manifest.sha256(module.read_bytes())
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    assert cli(["check"], project).returncode == 0
    done = cli(["check", "--full"], project)
    assert done.returncode == 1
    assert done.stdout.splitlines() == ["stale: out/v1/_manifest.json", "stale: out/v1/pydantic_models.py"]


def test_check_full_passes_on_fresh_bindings(base: Path) -> None:
    done = cli(["check", "--full", "--jobs", "2"], base)
    assert done.returncode == 0, done.stdout + done.stderr


# --- names: the root class (P8) and package names of dotted versions ---------------------------

ROOT_NAMED_DEFINITION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"inner": {"$ref": "#/$defs/BackendEvent"}, "id": {"type": "integer"}},
    "required": ["inner", "id"],
    "additionalProperties": False,
    "$defs": {
        "BackendEvent": {
            "type": "object",
            "properties": {"x": {"type": "string"}},
            "required": ["x"],
            "additionalProperties": False,
        }
    },
}


def load_package(out: Path, name: str, module: str) -> tuple[Any, Any]:
    """`out/<name>/<module>.py` and its package, imported under a name unique to the project."""
    package = f"_cwsgen_codegen_{out.parent.name}_{name}"
    loaded = load_module(out / name, package, module)
    return loaded, sys.modules[package]


def test_a_definition_named_like_the_root_class_does_not_take_its_name(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p8", versions=())
    (project / "schemas" / "v1.json").write_text(json.dumps(ROOT_NAMED_DEFINITION))
    done = cli(["generate"], project)
    assert done.returncode == 0, done.stderr
    event = {"inner": {"x": "a"}, "id": 1}
    models, package = load_package(project / "out", "v1", "pydantic_models")
    assert package.ROOT_CLASS == "BackendEvent"
    root = getattr(models, package.ROOT_CLASS)
    assert root.model_validate(event).model_dump() == event
    assert models.BackendEventDefinition.model_validate({"x": "a"}).x == "a"
    dataclasses_models, _ = load_package(project / "out", "v1", "dataclasses_models")
    assert dataclasses_models.to_dict(dataclasses_models.from_dict(dataclasses_models.BackendEvent, event)) == event
    typeddicts, _ = load_package(project / "out", "v1", "typeddicts")
    assert typeddicts.BackendEvent.__required_keys__ == {"inner", "id"}


def test_root_class_file_on_v15_names_the_root_and_renames_the_definition(tmp_path: Path) -> None:
    project = make_project(tmp_path / "v15root", versions=("v15",))
    done = cli(["generate", "--root-class", "File", "--target", "pydantic"], project)
    assert done.returncode == 0, done.stderr
    models, package = load_package(project / "out", "v15", "pydantic_models")
    assert package.ROOT_CLASS == "File"
    document = json.loads((project / "schemas" / "v15.json").read_text())
    assert set(models.File.model_fields) >= set(document["properties"])
    assert set(models.FileDefinition.model_fields) >= set(document["$defs"]["File"]["properties"])


def test_a_dotted_version_is_refused_by_generate_and_check_alike(tmp_path: Path) -> None:
    """`v2.1` could only become a folder no import can load: one line, exit 2, nothing written."""
    project = make_project(tmp_path / "dotted", versions=())
    shutil.copyfile(SHIPPED / "v1.json", project / "schemas" / "v2.1.json")
    for command in ("generate", "check"):
        one_line_error(cli([command], project), r"^schemas/v2\.1\.json: invalid version name 'v2\.1': use a letter")
    assert not (project / "out").exists()


# --- parallel rendering (issue 10) -------------------------------------------------------------


def test_parallel_generate_writes_the_same_bytes_as_one_process(base: Path, tmp_path: Path) -> None:
    copy = tmp_path / "serial"
    shutil.copytree(base, copy, ignore=shutil.ignore_patterns("out"))
    done = cli(["generate", "--jobs", "1"], copy)
    assert done.returncode == 0, done.stderr
    parallel = cli(["generate", "--jobs", "2", "--output", "out2"], copy)
    assert parallel.returncode == 0, parallel.stderr
    assert tree(copy / "out") == tree(base / "out") == tree(copy / "out2")

"""`diff` and `compat` end to end, on the shipped snapshots and on small folders made here:
exit codes per mode, the four formats, accepted breaks, `--against` on a real git repository,
and the one-line error contract. (The renderers themselves are tested in test_render.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.cli import main
from cwscodegen.store.validators import make_validator
from tests.conftest import ROOT, SHIPPED

NO_ACCEPTED = ["--accepted", "/dev/null"]  # see each break, as before anything was accepted


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def folder(tmp_path: Path, names: list[str]) -> Path:
    target = tmp_path / "versions"
    target.mkdir()
    for name in names:
        shutil.copy(SHIPPED / f"{name}.json", target / f"{name}.json")
    return target


def test_breaking_pair_exits_1_and_shows_a_witness(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["diff", "v12", "v13", "--schemas", str(SHIPPED), *NO_ACCEPTED], capsys)
    assert code == 1
    assert out.startswith("v12 → v13: backward breaking, forward breaking, api breaking")
    assert "required-property-added" in out and "(root).agent: required property agent added" in out
    assert "backward witness (accepted by old, rejected by new" in out


@pytest.mark.parametrize(("mode", "extra", "code"), [("backward", [], 1), ("forward", [], 1), ("full", [], 1)])
def test_exit_code_follows_the_mode(mode: str, extra: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["diff", "v12", "v13", "--mode", mode, *extra, "--schemas", str(SHIPPED), *NO_ACCEPTED], capsys)[0] == code
    )


def test_added_optional_fields_pass_backward_and_fail_forward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = json.loads((SHIPPED / "v15.json").read_text())
    new = json.loads(json.dumps(old))
    new["$defs"]["File"]["properties"]["color"] = {"type": "string"}
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    args = [str(tmp_path / "old.json"), str(tmp_path / "new.json"), *NO_ACCEPTED]
    assert run(["diff", *args], capsys)[0] == 0
    code, out, _ = run(["diff", *args, "--mode", "forward"], capsys)
    assert code == 1 and "File.color: property color added" in out


def test_api_break_counts_unless_no_api(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["diff", "v3", "v4", "--schemas", str(SHIPPED), *NO_ACCEPTED]  # ProcessCacheEntry -> Process
    code, out, _ = run(base, capsys)
    assert code == 1 and "definition ProcessCacheEntry renamed to Process" in out
    assert out.startswith("v3 → v4: backward compatible, forward compatible, api breaking")
    assert run([*base, "--no-api"], capsys)[0] == 0


def test_json_format_is_versioned_and_its_witnesses_verify(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["diff", "v7", "v8", "--format", "json", "--schemas", str(SHIPPED), *NO_ACCEPTED], capsys)
    data = json.loads(out)
    assert code == 1 and data["format"] == "cwscodegen.diff" and data["version"] == 1
    judges = {
        side: make_validator(json.loads((SHIPPED / f"{name}.json").read_text()))
        for side, name in (("old", "v7"), ("new", "v8"))
    }
    witnessed = 0
    for change in data["changes"]:
        assert {"rule", "old_pointer", "new_pointer", "backward", "forward", "api"} <= set(change)
        for witness in change["witnesses"]:
            assert judges[witness["accepted_by"]].is_valid(witness["event"])
            assert not judges[witness["rejected_by"]].is_valid(witness["event"])
            witnessed += 1
    assert witnessed >= 6  # #15097 renamed six MountEvent fields


def test_markdown_has_summary_table_and_witness_blocks(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["diff", "v12", "v13", "--format", "markdown", "--schemas", str(SHIPPED), *NO_ACCEPTED], capsys)
    assert out.startswith("### ❌ Schema diff `v12` → `v13`")
    assert "| | rule | place | message | backward | forward | api |" in out
    assert "```json" in out


def test_github_annotations_point_at_the_snapshot_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _, out, _ = run(["diff", "v12", "v13", "--format", "github", *NO_ACCEPTED], capsys)
    first = out.splitlines()[1]  # after the summary line
    assert first.startswith("::error file=schemas/versions/v13.json,line=")
    line = int(first.split("line=")[1].split(",")[0])
    assert '"required"' in (SHIPPED / "v13.json").read_text().splitlines()[line - 1]


def sha256_of(path: Path) -> str:
    """What an accepted-breaks entry records for a snapshot: SHA-256 of its text."""
    import hashlib

    return hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()


def test_accepted_break_passes_and_stale_entry_fails_compat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schemas = folder(tmp_path, ["v12", "v13"])
    entries = [
        ("required-property-added", "/required", "PR #23493 adds agent metadata; consumers upgraded first"),
    ]
    hashes = "".join(
        f'{side}_sha256 = "{sha256_of(schemas / (name + ".json"))}"\n'
        for side, name in (("old", "v12"), ("new", "v13"))
    )
    text = "".join(
        f'[[accepted]]\nold = "v12"\nnew = "v13"\n{hashes}rule = "{rule}"\npointer = "{ptr}"\nreason = "{why}"\n\n'
        for rule, ptr, why in entries
    )
    (schemas / "accepted-breaks.toml").write_text(text)
    code, out, _ = run(["diff", "v12", "v13", "--schemas", str(schemas)], capsys)
    assert code == 0 and "accepted: PR #23493" in out
    assert run(["compat", "--schemas", str(schemas)], capsys)[0] == 0
    stale = (
        text
        + '[[accepted]]\nold = "v12"\nnew = "v13"\nrule = "property-removed"\npointer = "/nowhere"\nreason = "typo"\n'
    )
    (schemas / "accepted-breaks.toml").write_text(stale)
    code, out, _ = run(["compat", "--schemas", str(schemas)], capsys)
    assert code == 1 and "/nowhere" in out


def test_compat_on_the_shipped_history_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["compat", "--schemas", str(SHIPPED)], capsys)
    assert code == 0 and "14 pairs checked, 0 failing, 0 stale accepted" in out


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    schemas = repo / "schemas" / "versions"
    schemas.mkdir(parents=True)
    shutil.copy(SHIPPED / "v15.json", schemas / "v15.json")
    (repo / "pyproject.toml").write_text('[tool.cwscodegen]\nschemas = "schemas/versions"\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "v15")
    return repo


def test_against_a_git_ref_without_checkout(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    path = repo / "schemas" / "versions" / "v15.json"
    assert run(["diff", "--against", "HEAD"], capsys)[:2] == (
        0,
        "v15@HEAD → v15: backward none, forward none, api none; 0 changes\nmode backward (counts backward+api): OK\n",
    )
    document: dict[str, Any] = json.loads(path.read_text())
    document["required"].append("container")
    path.write_text(json.dumps(document, indent=2))
    code, out, _ = run(["diff", "--against", "HEAD", "v15"], capsys)
    assert code == 1 and "(root).container: required property container added" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "--against", "no-such-ref"], "no-such-ref"),
        (["diff", "v99", "v15"], "unknown version 'v99'"),
        (["diff", "v15", "v15", "--mode", "sideways"], "--mode"),
        (["diff", "v15", "v15", "--format", "yaml"], "--format"),
        (["diff", "v15"], "diff needs OLD and NEW"),
        (["diff", "../v15", "v15"], "v15"),
    ],
)
def test_user_errors(
    repo: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    code, _out, err = run(argv, capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_not_a_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schemas = folder(tmp_path, ["v15"])
    code, _, err = run(["diff", "--against", "HEAD", "--schemas", str(schemas)], capsys)
    assert code == 2 and "git" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "object",\n  "properties": {]}', "bad.json:2:18: invalid JSON"),
        ('{"properties": {"a": {"$ref": "#/$defs/Missing"}}}', "/properties/a"),
        ('{"properties": {"a": {"$ref": "https://example.com/s.json"}}}', "remote references are never fetched"),
        ("[1, 2]", "bad.json"),
        ('{"properties": {"a": {"type": "strin"}}}', "not a valid JSON Schema at /properties/a/type"),
        ('{"properties": {"a": {"pattern": "(("}}}', "not a valid JSON Schema at /properties/a/pattern"),
        ('{"properties": {"a": {"minimum": "x"}}}', "not a valid JSON Schema at /properties/a/minimum"),
    ],
)
def test_bad_schema_files_are_one_line_errors(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text(content)
    code, _out, err = run(["diff", str(SHIPPED / "v15.json"), str(tmp_path / "bad.json"), *NO_ACCEPTED], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_diff_never_imports_the_code_generator() -> None:
    script = (
        "import sys\nfrom cwscodegen.cli import main\n"
        f"try:\n    main(['diff', 'v14', 'v15', '--schemas', {str(SHIPPED)!r}])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('datamodel_code_generator', 'black') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.stderr.strip().splitlines()[-1] == "none"

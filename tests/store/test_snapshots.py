"""The snapshot store: ordering, provenance, loading errors, and v1 == the seed's schema."""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path

import pytest

from cwscodegen.errors import UserError
from cwscodegen.store.snapshots import (
    check_version_name,
    list_versions,
    load_all,
    load_provenance,
    load_snapshot,
    package_name,
    resolve_spec,
    version_key,
)
from tests.conftest import DATA, HISTORY, SHIPPED


def seed_schema() -> dict[str, object]:
    """Rebuild the schema the seed document describes: root block plus each definition block."""
    text = (DATA / "seed" / "backend_event_doc.md").read_text(encoding="utf-8")
    root = json.loads(re.findall(r"```\n(.*?)```", text, re.S)[0].split("=", 1)[1])
    defs = {m.group(1): json.loads(m.group(2)) for m in re.finditer(r"^## `(\w+)`\n\n```\n(.*?)```", text, re.S | re.M)}
    root["definitions"] = defs
    return root


def test_v1_is_exactly_the_seed_schema() -> None:
    v1 = load_snapshot(SHIPPED, "v1").document
    assert v1 == seed_schema()
    assert len(v1["definitions"]) == 12
    assert list(v1["properties"]) == ["evt", "file", "selinux", "usr", "process", "container", "date"]
    assert v1["additionalProperties"] is False
    assert v1["definitions"]["File"]["required"] == ["uid", "gid"]


def test_versions_sort_naturally() -> None:
    names = list_versions(SHIPPED)
    assert names[:3] == ["v1", "v2", "v3"]
    assert names.index("v2") < names.index("v10")
    assert sorted(["v10", "v2", "v1b", "v1"], key=version_key) == ["v1", "v1b", "v2", "v10"]


def test_shipped_history_covers_required_changes() -> None:
    """The issue asks the shipped history to contain these real upstream changes."""
    prov = load_provenance(SHIPPED)
    upstream = [prov[n]["upstream"] for n in list_versions(SHIPPED) if n != "v1"]
    assert len(upstream) >= 8 and upstream == sorted(upstream)
    for pair in [(16, 17), (10, 11), (22, 23), (50, 51)]:
        assert upstream.index(pair[1]) == upstream.index(pair[0]) + 1, pair
    assert upstream[-1] == 59
    for name in list_versions(SHIPPED)[1:]:
        entry = prov[name]
        shipped = (SHIPPED / f"{name}.json").read_bytes()
        source = next(HISTORY.glob(f"{entry['upstream']:02d}_*_{entry['commit']}.json"))
        assert shipped == source.read_bytes()


def test_load_all_loads_every_snapshot_with_draft() -> None:
    snaps = load_all(SHIPPED)
    assert [s.name for s in snaps] == list_versions(SHIPPED)
    drafts = {s.name: s.draft for s in snaps}
    assert drafts["v2"] == "draft4" and drafts["v15"] == "draft2020-12"


@pytest.mark.parametrize(
    "name",
    [
        "../v1",
        "a/b",
        "..",
        "",
        "v1\\x",
        ".hidden",
        "v2.1",
        "v 3",
        "-rf",
        "_v",
        "v1\n",
        "3v",
        "class",
        "v1-rc",
        "v" * 65,
    ],
)
def test_bad_version_names_are_rejected(name: str) -> None:
    with pytest.raises(UserError, match="invalid version name"):
        check_version_name(name)
    with pytest.raises(UserError, match="invalid version name"):
        package_name(name)


@pytest.mark.parametrize("name", ["v1", "v15", "V2_rc1", "h01", "release_2024_01", "v" * 64])
def test_good_version_names_are_their_own_package_names(name: str) -> None:
    assert check_version_name(name) == name
    assert package_name(name) == name
    assert name.isidentifier() and not keyword.iskeyword(name)


@pytest.mark.parametrize("stem", ["-rf", "v 3", ".hidden", "v2.1"])
def test_listing_refuses_a_file_whose_name_breaks_the_rule(
    stem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "v1.json").write_text("{}")
    (tmp_path / f"{stem}.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=rf"^{re.escape(stem)}\.json: invalid version name"):
        list_versions(tmp_path)
    with pytest.raises(UserError, match="invalid version name"):
        load_all(tmp_path)


def test_unknown_version_names_known_ones() -> None:
    with pytest.raises(UserError, match=r"unknown version 'v99' \(known: v1, v2"):
        load_snapshot(SHIPPED, "v99")


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "type": "object",\n  "properties": {,}\n}\n')
    with pytest.raises(UserError, match=r"bad\.json:3:18: invalid JSON"):
        resolve_spec(str(bad), SHIPPED)


def test_non_object_schema_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    with pytest.raises(UserError, match="must be a JSON object"):
        resolve_spec(str(bad), SHIPPED)


def test_unresolvable_ref_names_pointer(tmp_path: Path) -> None:
    bad = tmp_path / "ref.json"
    bad.write_text(json.dumps({"properties": {"a": {"$ref": "#/definitions/Nope"}}}))
    with pytest.raises(UserError, match=r"ref\.json: \$ref at /properties/a: '#/definitions/Nope' does not resolve"):
        resolve_spec(str(bad), SHIPPED)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        resolve_spec(str(tmp_path / "none.json"), SHIPPED)


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        (
            '{"v1": {"upstream": "abc"}}',
            r"^provenance\.json: at /v1/upstream: expected an integer .* or null, got 'abc'$",
        ),
        ('{"v1": 5}', r"^provenance\.json: at /v1: expected an object of source, upstream, .*, got 5$"),
        ('{"v1": {"pr": true}}', r"^provenance\.json: at /v1/pr: expected an integer"),
        ('{"v1": {"date": 20240101}}', r"^provenance\.json: at /v1/date: expected a string or null, got 20240101$"),
        ("[1]", r"^provenance\.json: expected a JSON object"),
        ("{", r"^provenance\.json:1:2: invalid JSON"),
    ],
)
def test_bad_provenance_is_one_line(body: str, pattern: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 8, P13: these crashed `list`."""
    (tmp_path / "provenance.json").write_text(body)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=pattern):
        load_provenance(tmp_path)


def test_provenance_nulls_read_as_absent_and_other_fields_are_kept(tmp_path: Path) -> None:
    (tmp_path / "provenance.json").write_text('{"v1": {"upstream": null, "pr": 7, "licence": "MIT"}}')
    assert load_provenance(tmp_path) == {"v1": {"pr": 7, "licence": "MIT"}}

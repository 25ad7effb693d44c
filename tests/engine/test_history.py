"""The engine on the real 59-version history of the CWS backend-event schema.

Every consecutive pair of `tests/data/cws-schema-history/` (order from its `index.tsv`) must diff
without error, and the verdicts must match what the upstream pull requests did. The expectations
come from the history's README and index (the PR subjects), never from engine output:

- every object is closed (`additionalProperties: false`), so adding a field is backward compatible
  but not forward compatible, and removing or renaming one breaks backward compatibility;
- #15097 renames fields (BACKWARD and FORWARD break), #23493 makes `agent` and `title` required at
  the root (BACKWARD breaks; the new root keys also break FORWARD);
- 46 is a revert of 45 and 47 re-applies it: index.tsv gives 46 the blob of 44 and 47 the blob of
  45, so 45 -> 47 changes nothing and 45 -> 46 is 44 -> 45 with the directions swapped;
- 01-16 are draft-04 (`definitions`), 17 on are 2020-12 (`$defs`): the switch widens every
  `integer` (draft-04 rejects `1.0`, 2020-12 accepts it, `Draft4Validator` agrees), so it breaks
  FORWARD (`type-widened`, with a `1.0`-style witness) and nothing else.

The shipped snapshots v1..v15 are copies of some of these versions (schemas/versions/provenance.json);
every consecutive shipped pair must diff too, and with the same verdicts as the history pair.
"""

from __future__ import annotations

import copy
import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cwscodegen.engine import compare
from cwscodegen.engine.changes import Direction, Effect, Report
from cwscodegen.engine.rules import CATALOGUE
from cwscodegen.store.snapshots import list_versions, load_provenance, load_snapshot
from cwscodegen.store.validators import make_validator
from tests.conftest import HISTORY, SHIPPED

# Rules that assert nothing about documents (all default effects NONE): documentation and meta.
DOCUMENTATION_RULES = frozenset(
    rule.id for rule in CATALOGUE.values() if {rule.backward, rule.forward} == {Effect.NONE}
)
ANNOTATIONS = ("description", "title", "$comment", "examples", "$schema", "$id")


@dataclass(frozen=True)
class Version:
    number: int
    date: str
    commit: str
    blob: str
    subject: str
    path: Path


@cache
def versions() -> tuple[Version, ...]:
    """The history in index.tsv order; the `--` row (a commit that deleted the file) is skipped."""
    rows = []
    with (HISTORY / "index.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if not row["NN"].isdigit():
                continue
            number = int(row["NN"])
            path = HISTORY / f"{row['NN']}_{row['date']}_{row['commit']}.json"
            rows.append(Version(number, row["date"], row["commit"], row["blob"], row["subject"], path))
    return tuple(rows)


@cache
def document(number: int) -> Any:
    return json.loads(versions()[number - 1].path.read_text(encoding="utf-8"))


def fresh(number: int) -> Any:
    """A private copy, so that no test can alter another one's document."""
    return copy.deepcopy(document(number))


@cache
def report(old: int, new: int) -> Report:
    return compare.diff_documents(fresh(old), fresh(new), old_name=f"{old:02d}", new_name=f"{new:02d}", witnesses=False)


def breaks(old: int, new: int) -> tuple[bool, bool]:
    r = report(old, new)
    return r.backward.breaks, r.forward.breaks


def wire_rules(r: Report) -> set[str]:
    return {c.rule for c in r.changes if c.rule not in DOCUMENTATION_RULES}


def strip_annotations(node: Any) -> Any:
    """The schema without annotations and with one spelling of definitions, for an independent
    'nothing but documentation changed' oracle."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ANNOTATIONS:
                continue
            if key == "$ref" and isinstance(value, str):
                value = value.replace("#/definitions/", "#/$defs/")
            out["$defs" if key == "definitions" else key] = strip_annotations(value)
        return out
    if isinstance(node, list):
        return [strip_annotations(v) for v in node]
    return node


PAIRS = [(v.number - 1, v.number) for v in versions()[1:]]


# --------------------------------------------------------------------------- the data itself


def test_index_lists_59_versions_in_order_and_every_file_exists() -> None:
    numbers = [v.number for v in versions()]
    assert numbers == list(range(1, 60))
    assert all(v.path.is_file() for v in versions())
    assert [v.date for v in versions()] == sorted(v.date for v in versions())


def test_revert_and_reapply_are_byte_copies_as_the_index_says() -> None:
    v = versions()
    assert v[45].blob == v[43].blob and v[46].blob == v[44].blob  # 46 = 44, 47 = 45
    assert v[45].path.read_bytes() == v[43].path.read_bytes()
    assert v[46].path.read_bytes() == v[44].path.read_bytes()
    assert v[45].subject.startswith('Revert "[CWS] Send context of variables in events (#21675)"')


# --------------------------------------------------------------------------- every pair diffs


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"{o:02d}-{n:02d}" for o, n in PAIRS])
def test_consecutive_pair_diffs_without_error(old: int, new: int) -> None:
    r = report(old, new)
    assert all(c.rule in CATALOGUE for c in r.changes)
    # The fast path agrees with the full diff on whether each direction holds.
    back, fwd = compare.verdicts_documents(fresh(old), fresh(new))
    assert (back.breaks, fwd.breaks) == (r.backward.breaks, r.forward.breaks)
    # A pair whose documents differ only in annotations changes nothing on the wire.
    if strip_annotations(document(old)) == strip_annotations(document(new)):
        assert not r.backward.breaks and not r.forward.breaks
        assert wire_rules(r) == set(), [c.rule for c in r.changes]


def test_some_pairs_change_only_documentation() -> None:
    """The oracle above is not vacuous: the generator bumps (#14263, #20174) and a few others
    change no keyword that asserts anything."""
    quiet = [(o, n) for o, n in PAIRS if strip_annotations(document(o)) == strip_annotations(document(n))]
    assert (20, 21) in quiet and (36, 37) in quiet
    assert len(quiet) >= 5


# --------------------------------------------------------------------------- what the PRs did

# (old, new): (BACKWARD breaks, FORWARD breaks, why), from the README and the PR subjects.
ADDED = "adds fields or events to closed objects: old documents stay valid, new ones carry unknown keys"
EXPECTED: dict[tuple[int, int], tuple[bool, bool | None, str]] = {
    (1, 2): (False, True, "#9085 add trace/span context to event: " + ADDED),
    (2, 3): (False, True, "#9832 introduce BPF kernel events: " + ADDED),
    (7, 8): (False, True, "#10585 add load_module and unload_module events: " + ADDED),
    (8, 9): (False, True, "#10751 adding new signal event: " + ADDED),
    (9, 10): (False, True, "#11235 add splice event type: " + ADDED),
    (13, 14): (False, True, "#11817 adding new bind event: " + ADDED),
    (14, 15): (False, True, "#12303 add new process.is_thread field: " + ADDED),
    (15, 16): (False, True, "#12116 add new exit secl rule: " + ADDED),
    (21, 22): (False, True, "#14151 export mount events: " + ADDED),
    (25, 26): (False, True, "#15033 add container.created_at attribute: " + ADDED),
    (39, 40): (False, True, "#21239 add origin of events: " + ADDED),
    (44, 45): (False, True, "#21675 send context of variables in events: " + ADDED),
    (52, 53): (False, True, "#25693 add mount origin and source: " + ADDED),
    (55, 56): (False, True, "#25768 add syscall context: " + ADDED),
    (6, 7): (
        True,
        True,
        "#10945 moves `file` in the mmap event and renames an mprotect field: old and new names are each rejected by the other side",
    ),
    (22, 23): (
        True,
        True,
        "#15097 renames JSON fields: documents with the old names are rejected by NEW, with the new names by OLD",
    ),
    (42, 43): (
        True,
        True,
        "#22604 renames evt.suppressed: the old key is gone from a closed object, the new one is unknown to OLD",
    ),
    (31, 32): (True, None, "#17222 removes the unused mount group id field: old documents that carry it are rejected"),
    (48, 49): (
        True,
        None,
        "#23109 stops serialising process-scoped variables on the process: old documents with them are rejected",
    ),
    (49, 50): (True, None, "#23152 fix origin/mode: removes a field from a closed object"),
    (50, 51): (
        True,
        True,
        "#23493 makes `agent` and `title` required at the (closed) root: old events lack them, new events carry keys OLD rejects",
    ),
    (57, 58): (True, True, "#27059 replaces the 64-bit integer trace/span ids by 128-bit ones serialised as strings"),
}


@pytest.mark.parametrize("pair", sorted(EXPECTED), ids=[f"{o:02d}-{n:02d}" for o, n in sorted(EXPECTED)])
def test_verdict_matches_what_the_pull_request_did(pair: tuple[int, int]) -> None:
    backward, forward, why = EXPECTED[pair]
    got_back, got_fwd = breaks(*pair)
    assert got_back is backward, f"BACKWARD: {why}; engine {report(*pair).backward.value}"
    if forward is not None:
        assert got_fwd is forward, f"FORWARD: {why}; engine {report(*pair).forward.value}"


def verified_witness(old: int, new: int, direction: Direction) -> Any:
    """A witness from a full diff, re-checked here with the project's validator."""
    r = compare.diff_documents(fresh(old), fresh(new), witnesses=True)
    v_old, v_new = make_validator(document(old)), make_validator(document(new))
    for change in r.changes:
        for witness in change.witnesses:
            if witness.direction is not direction:
                continue
            valid_old, valid_new = v_old.is_valid(witness.event), v_new.is_valid(witness.event)
            if direction is Direction.BACKWARD and valid_old and not valid_new:
                return witness.event
            if direction is Direction.FORWARD and valid_new and not valid_old:
                return witness.event
    return None


def test_field_renames_of_15097_come_with_a_document_that_proves_it() -> None:
    event = verified_witness(22, 23, Direction.BACKWARD)
    assert event is not None, "no verified BACKWARD witness for #15097"


def test_required_root_keys_of_23493_are_reported_and_proved() -> None:
    r = report(50, 51)
    required = {c.property for c in r.changes if c.rule == "required-property-added" and c.definition is None}
    assert {"agent", "title"} <= required
    event = verified_witness(50, 51, Direction.BACKWARD)
    assert event is not None and not ({"agent", "title"} <= set(event))


# --------------------------------------------------------------------------- revert and re-apply


def test_revert_then_reapply_cancels_out() -> None:
    r = report(45, 47)
    assert r.changes == ()
    assert not r.backward.breaks and not r.forward.breaks
    assert report(44, 46).changes == ()


def test_revert_is_the_change_with_the_directions_swapped() -> None:
    assert breaks(45, 46) == tuple(reversed(breaks(44, 45)))
    assert breaks(46, 47) == breaks(44, 45)
    assert breaks(44, 45) == (False, True)  # adding the variables context: EXPECTED above


# --------------------------------------------------------------------------- the draft switch


def test_dialect_switch_widens_every_integer_forward() -> None:
    """16 -> 17 only respells draft-04 as 2020-12, but `1.0` becomes an integer: an event with
    `"pid": 1.0` is valid under 17 and rejected by 16's own validator."""
    r = report(16, 17)
    assert "schema-dialect-changed" in {c.rule for c in r.changes}
    assert wire_rules(r) == {"type-widened"}, [c.rule for c in r.changes]
    assert {(c.details["old"], c.details["new"]) for c in r.changes if c.rule == "type-widened"} == {
        ("integer(draft-04)", "integer")
    }
    assert not r.backward.breaks and r.forward.breaks
    assert not [c for c in r.changes if c.rule.startswith("definition-")]  # definitions -> $defs is no rename
    event = verified_witness(16, 17, Direction.FORWARD)
    assert event is not None and any(isinstance(v, float) and v.is_integer() for v in leaves(event)), event


def test_dialect_switch_and_the_next_pull_request_break_forward_too() -> None:
    assert breaks(16, 18)[1] is True
    assert "type-widened" in wire_rules(report(16, 18))


def test_dialect_switch_inside_a_range_keeps_the_real_changes_verdicts() -> None:
    """15 -> 17 is #12116 (add exit event) plus the switch: 15 -> 16's wire rules plus the integer widening."""
    assert breaks(15, 17) == breaks(15, 16) == (False, True)
    assert wire_rules(report(15, 17)) == wire_rules(report(15, 16)) | {"type-widened"}
    assert "schema-dialect-changed" in {c.rule for c in report(15, 17).changes}
    assert "schema-dialect-changed" not in {c.rule for c in report(15, 16).changes}


def leaves(value: Any) -> list[Any]:
    """Every scalar inside a JSON value."""
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


def to_2020_12(draft04: dict[str, Any]) -> dict[str, Any]:
    """The same schema spelled in draft 2020-12: `$defs`, `#/$defs/...` refs, no nested `$schema`."""

    def convert(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                ("$defs" if k == "definitions" else k): (
                    v.replace("#/definitions/", "#/$defs/") if k == "$ref" else convert(v)
                )
                for k, v in node.items()
                if k != "$schema"
            }
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    out = convert(draft04)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **out}


def test_respelling_a_draft04_version_as_2020_12_widens_only_integers() -> None:
    r = compare.diff_documents(fresh(16), to_2020_12(fresh(16)), witnesses=False)
    assert "schema-dialect-changed" in {c.rule for c in r.changes}
    assert wire_rules(r) == {"type-widened"}, [c.rule for c in r.changes]
    assert not r.backward.breaks and r.forward.breaks


def test_respelling_with_integers_as_whole_multiples_keeps_both_directions() -> None:
    """Spelled without `integer` (a whole-number `multipleOf`), the respelling accepts the same events."""

    def no_integer(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: no_integer(v) for k, v in node.items()}
            if out.get("type") == "integer":
                out.update(type="number", multipleOf=1)
            return out
        return [no_integer(v) for v in node] if isinstance(node, list) else node

    old = no_integer(fresh(16))
    r = compare.diff_documents(old, to_2020_12(copy.deepcopy(old)), witnesses=False)
    assert wire_rules(r) == set(), [c.rule for c in r.changes]
    assert not r.backward.breaks and not r.forward.breaks


def test_definition_renamed_when_process_cache_entry_becomes_process() -> None:
    """#11245 (10 -> 11): `ProcessCacheEntry` becomes `Process` with the same content."""
    r = report(10, 11)
    renamed = [c for c in r.changes if c.rule == "definition-renamed"]
    assert [(c.details.get("old_definition"), c.definition) for c in renamed] == [("ProcessCacheEntry", "Process")]
    assert renamed[0].api is Effect.BREAKING
    assert not r.backward.breaks and not r.forward.breaks


# --------------------------------------------------------------------------- the shipped snapshots

SHIPPED_NAMES = list_versions(SHIPPED)
SHIPPED_PAIRS = list(zip(SHIPPED_NAMES, SHIPPED_NAMES[1:]))


@pytest.mark.parametrize(("old", "new"), SHIPPED_PAIRS, ids=[f"{o}-{n}" for o, n in SHIPPED_PAIRS])
def test_shipped_consecutive_pair_diffs_like_its_history_pair(old: str, new: str) -> None:
    a, b = load_snapshot(SHIPPED, old), load_snapshot(SHIPPED, new)
    r = compare.diff(a, b, witnesses=False)
    assert all(c.rule in CATALOGUE for c in r.changes)
    back, fwd = compare.verdicts(a, b)
    assert (back.breaks, fwd.breaks) == (r.backward.breaks, r.forward.breaks)
    up_old, up_new = a.provenance.get("upstream"), b.provenance.get("upstream")
    if up_old is not None and up_new is not None:
        assert a.text == versions()[up_old - 1].path.read_text(encoding="utf-8")
        assert b.text == versions()[up_new - 1].path.read_text(encoding="utf-8")
        assert (r.backward.breaks, r.forward.breaks) == breaks(up_old, up_new)


def test_shipped_snapshots_cover_the_landmarks() -> None:
    """v7 -> v8 is #15097, v9 -> v10 -> v11 the revert and re-apply, v12 -> v13 is #23493."""
    provenance = load_provenance(SHIPPED)
    upstream = {name: entry.get("upstream") for name, entry in provenance.items()}
    assert (upstream["v7"], upstream["v8"]) == (22, 23)
    assert (upstream["v9"], upstream["v10"], upstream["v11"]) == (45, 46, 47)
    assert (upstream["v12"], upstream["v13"]) == (50, 51)
    v9, v11 = load_snapshot(SHIPPED, "v9"), load_snapshot(SHIPPED, "v11")
    assert compare.diff(v9, v11, witnesses=False).changes == ()


def test_seed_snapshot_has_fields_version_01_dropped() -> None:
    """README: the seed (v1) has four `executable_*` fields that version 01 (v2) does not have, in
    closed objects, so v1 -> v2 breaks BACKWARD."""
    r = compare.diff(load_snapshot(SHIPPED, "v1"), load_snapshot(SHIPPED, "v2"), witnesses=False)
    assert r.backward.breaks
    removed = {c.property for c in r.changes if c.rule == "property-removed"}
    assert any(name and name.startswith("executable") for name in removed), sorted(filter(None, removed))

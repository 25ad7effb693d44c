"""The compatibility matrix: pair verdicts, statuses, the transitive view, and its text forms.

Unit tests judge tiny `enum` schemas with a model engine (backward holds when OLD's values are a
subset of NEW's), so every expected cell can be worked out by hand; the last tests run the real
engine over the shipped snapshots and check verdicts known from the upstream history.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cwscodegen.engine import compare, normalize
from cwscodegen.engine.changes import Effect
from cwscodegen.review import derive
from cwscodegen.review.derive import Kind, Proof, Search, settle
from cwscodegen.review.matrix import (
    Cell,
    Matrix,
    Status,
    column_labels,
    compute,
    to_json,
    to_markdown,
    to_text,
)
from cwscodegen.store.snapshots import Snapshot, canonical, load_all, snapshot_from_text
from cwscodegen.store.validators import make_validator
from tests.cli.test_cli import run
from tests.conftest import HISTORY_SNAPSHOTS, SHIPPED


def enum_snapshot(name: str, *values: object) -> Snapshot:
    text = json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "enum": list(values)})
    return snapshot_from_text(text, name, Path(f"{name}.json"), name)


class SubsetEngine:
    """BACKWARD holds iff old values ⊆ new values; FORWARD iff new ⊆ old. `undecided` pairs by name."""

    def __init__(self, undecided: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.calls: list[tuple[str, str]] = []
        self.undecided = undecided

    def __call__(self, old: Snapshot, new: Snapshot) -> tuple[Effect, Effect]:
        self.calls.append((old.name, new.name))
        if (old.name, new.name) in self.undecided:
            return Effect.UNDECIDED, Effect.UNDECIDED
        a, b = set(old.document["enum"]), set(new.document["enum"])
        back = Effect.COMPATIBLE if a <= b else Effect.BREAKING
        fwd = Effect.COMPATIBLE if b <= a else Effect.BREAKING
        return back, fwd


# v1 {1}; v2 {1,2} adds; v3 {2} removes 1; v4 {1,2} brings it back (same document as v2); v5 {1,2} too.
HISTORY = [
    enum_snapshot("v1", 1),
    enum_snapshot("v2", 1, 2),
    enum_snapshot("v3", 2),
    enum_snapshot("v4", 1, 2),
    enum_snapshot("v5", 1, 2),
]


def test_every_ordered_pair_gets_the_right_status() -> None:
    m = compute(HISTORY, "backward", SubsetEngine())
    assert len(m.cells) == 10
    assert m.cell("v1", "v2").status is Status.BACKWARD
    assert m.cell("v2", "v3").status is Status.FORWARD
    assert m.cell("v1", "v3").status is Status.NONE
    assert m.cell("v2", "v4").status is Status.FULL
    assert m.cell("v3", "v4").status is Status.BACKWARD
    assert m.cell("v1", "v2").code == "B-"
    assert m.cell("v2", "v3").code == "-F"
    assert m.cell("v1", "v3").code == "--"
    assert m.cell("v2", "v4").code == "BF"


def test_identical_documents_and_repeated_pairs_cost_no_engine_call() -> None:
    engine = SubsetEngine()
    m = compute(HISTORY, "backward", engine, derive=False)
    # v2, v4, v5 are one document: (v4,v5), (v2,v4), (v2,v5) need no call, and (v1,v4), (v1,v5)
    # reuse (v1,v2); (v3,v5) reuses (v3,v4).
    assert sorted(engine.calls) == [("v1", "v2"), ("v1", "v3"), ("v2", "v3"), ("v3", "v4")]
    assert m.cell("v4", "v5").backward is Effect.NONE and m.cell("v4", "v5").status is Status.FULL
    assert m.cell("v1", "v5") == Cell("v1", "v5", Effect.COMPATIBLE, Effect.BREAKING)


def test_canonical_keeps_true_and_one_apart() -> None:
    assert canonical({"const": True}) != canonical({"const": 1})
    assert canonical({"a": 1, "b": 2}) == canonical({"b": 2, "a": 1})


def test_undecided_is_shown_distinctly_and_counts_as_breaking() -> None:
    m = compute(HISTORY[:3], "backward", SubsetEngine(frozenset({("v1", "v2")})))
    cell = m.cell("v1", "v2")
    assert cell.status is Status.UNDECIDED and cell.code == "??"
    assert not cell.passes("backward") and not cell.passes("forward")
    partly = Cell("a", "b", Effect.COMPATIBLE, Effect.UNDECIDED)
    assert partly.status is Status.BACKWARD and partly.partly_undecided and partly.code == "B?"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # (all older?, compatible count, oldest in run) for v1..v5
        ("backward", [(True, 0, None), (True, 1, "v1"), (False, 0, None), (True, 3, "v1"), (True, 4, "v1")]),
        ("forward", [(True, 0, None), (False, 0, None), (False, 1, "v2"), (False, 1, None), (False, 2, "v4")]),
        ("full", [(True, 0, None), (False, 0, None), (False, 0, None), (False, 1, None), (False, 2, "v4")]),
    ],
)
def test_transitive_view_per_mode(mode: str, expected: list[tuple[bool, int, str | None]]) -> None:
    m = compute(HISTORY, mode, SubsetEngine())
    got = [(s.with_all_older, s.compatible_older, s.oldest_in_run) for s in m.summaries()]
    assert got == expected


def test_markdown_has_one_row_per_version_and_the_summary_columns() -> None:
    text = to_markdown(compute(HISTORY, "backward", SubsetEngine()))
    rows = [line for line in text.splitlines() if line.startswith("| v")]
    assert len(rows) == 5
    assert rows[0].startswith("| v1 |") and rows[0].endswith("| - | (first) |")
    assert rows[2] == "| v3 | -- | -F |  |  | no (0/2) | (none) |"
    assert rows[4] == "| v5 | B- | BF | B- | BF | yes | v1 |"
    assert "(mode: backward)" in text and "`B-`: backward: the newer version accepts every older document" in text


def test_long_names_get_numbered_columns() -> None:
    assert column_labels(["v1", "v10"]) == ["v1", "v10"]
    assert column_labels(["01_2021-09-28_32ad4e515700", "02_x"]) == ["1", "2"]
    snaps = [enum_snapshot(f"{n:02d}_2021-01-01_abc", n) for n in range(1, 4)]
    text = to_markdown(compute(snaps, "backward", SubsetEngine()))
    assert "| # | version | 1 | 2 | all older | oldest in run |" in text
    assert "| 3 | 03_2021-01-01_abc | -- | -- | no (0/2) | (none) |" in text


def test_text_grid_is_coloured_by_status_and_aligned() -> None:
    m = compute(HISTORY, "backward", SubsetEngine())
    text = to_text(m)
    lines = text.plain.splitlines()
    assert lines[0].split() == ["v1", "v2", "v3", "v4", "all", "older", "|", "oldest", "in", "run"]
    assert lines[5].split()[:5] == ["v5", "B-", "BF", "B-", "BF"]
    assert len({line.index(" | ") for line in lines[:6]}) == 1  # the summary columns line up
    styles = {text.plain[span.start : span.end]: span.style for span in text.spans}
    assert styles["BF"] == "bold green" and styles["--"] == "bold red"


def test_json_lists_pairs_row_by_row() -> None:
    doc = json.loads(to_json(compute(HISTORY[:3], "full", SubsetEngine())))
    assert [(p["old"], p["new"]) for p in doc["pairs"]] == [("v1", "v2"), ("v1", "v3"), ("v2", "v3")]
    assert doc["pairs"][0] == {
        "old": "v1",
        "new": "v2",
        "backward": "compatible",
        "forward": "breaking",
        "status": "backward",
        "passes": False,
        "proof": {"backward": {"kind": "engine"}, "forward": {"kind": "engine"}},
    }
    assert doc["summary"][1]["oldest_in_run"] is None and doc["mode"] == "full"


# ------------------------------------------------------------------ the real engine, shipped history


@pytest.fixture(scope="module")
def shipped() -> Matrix:
    return compute(load_all(SHIPPED), "backward")


def test_shipped_v13_adds_required_root_keys_so_breaks_backward(shipped: Matrix) -> None:
    cell = shipped.cell("v12", "v13")  # upstream #23493 makes `agent` and `title` required
    assert cell.backward.breaks
    assert all(shipped.cell(old, "v13").backward.breaks for old in shipped.versions[:12])


def test_shipped_revert_and_reapply_is_fully_compatible(shipped: Matrix) -> None:
    assert shipped.cell("v9", "v11").status is Status.FULL  # #22863 re-applies what #22862 reverted
    assert shipped.cell("v9", "v10").status is not Status.FULL


def test_shipped_summaries_follow_the_upstream_breaks(shipped: Matrix) -> None:
    by_name = {s.name: s for s in shipped.summaries()}
    # v15 (upstream 59) makes ProcessCredentials.auid required: no older event is safe any more.
    assert by_name["v15"].compatible_older == 0 and by_name["v15"].oldest_in_run is None
    # v11 re-applies (#22863) what v10 reverted, so it accepts v9's and v10's events again.
    assert by_name["v11"].oldest_in_run == "v9" and by_name["v11"].compatible_older == 2
    # v8 (#15097) renames MountEvent fields that v7 (#14151) introduced: v7 breaks, v2..v6 do not.
    assert by_name["v8"].oldest_in_run is None and by_name["v8"].compatible_older == 5


# ------------------------------------------------------------------ the command


def test_matrix_command_markdown_and_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # settings come from --schemas, not from the working directory
    code, out, _ = run(["matrix", "--schemas", str(SHIPPED), "--format", "markdown"], capsys)
    assert code == 0
    v13 = next(line for line in out.splitlines() if line.startswith("| v13 |"))
    assert v13.split(" | ")[12] == "--"  # the v12 column: required root keys (backward) in a closed root (forward)
    v11 = next(line for line in out.splitlines() if line.startswith("| v11 |"))
    assert v11.split(" | ")[9] == "BF"  # the v9 column: the re-applied change is fully compatible
    code, out, _ = run(["matrix", "--schemas", str(SHIPPED), "--format", "json", "--mode", "full"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["mode"] == "full" and len(doc["pairs"]) == 105


def test_matrix_command_writes_files_atomically(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "matrix.svg"
    code, out, _ = run(["matrix", "--schemas", str(SHIPPED), "--format", "svg", "--output", str(target)], capsys)
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["matrix.svg"]  # no temporary file left behind
    code, out, _ = run(["matrix", "--schemas", str(SHIPPED), "--output", str(tmp_path / "m.txt")], capsys)
    assert code == 0 and "\x1b[" not in (tmp_path / "m.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["matrix", "--format", "png"], "--format: unknown format 'png' (choose from table, markdown, svg, json)"),
        (["matrix", "--mode", "sideways"], "--mode: unknown mode 'sideways'"),
        (["matrix", "--schemas", "/nonexistent/folder"], "/nonexistent/folder: snapshot folder does not exist"),
        (
            ["matrix", "--output", "/nonexistent/folder/m.svg", "--format", "svg"],
            "/nonexistent/folder/m.svg: cannot write",
        ),
    ],
)
def test_matrix_user_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*argv, "--schemas", str(SHIPPED)] if "--schemas" not in argv else argv, capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_matrix_needs_two_snapshots(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "v1.json").write_text("{}")
    code, _, err = run(["matrix", "--schemas", str(tmp_path)], capsys)
    assert code == 2 and "a matrix needs at least two snapshots, found 1" in err


def test_matrix_and_changelog_do_not_import_the_code_generator(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from cwscodegen.cli import main\n"
        f"for argv in (['matrix', '--schemas', {str(SHIPPED)!r}], ['changelog', 'v12', 'v13', '--schemas', {str(SHIPPED)!r}]):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "heavy = sorted(m for m in ('datamodel_code_generator', 'black') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


# ------------------------------------------------------------------ derived pairs and the cache


def direction_holds(m: Matrix, sub: str, sup: str) -> bool:
    """Whether the matrix says every document `sub` accepts is accepted by `sup`."""
    order = m.versions.index
    if order(sub) < order(sup):
        return not m.cell(sub, sup).backward.breaks
    return not m.cell(sup, sub).forward.breaks


def shows_break(witness: object, sub: object, sup: object, validators: Validators) -> bool:
    """Whether fresh validators accept `witness` under `sub` and reject it under `sup`, under some
    reading of a document that declares no draft (the engine's verdict is the worst over them)."""
    for _label, (draft_sub, draft_sup) in compare.readings(sub, sup, ("sub", "sup")):
        if validators(sub, draft_sub).is_valid(witness) and not validators(sup, draft_sup).is_valid(witness):
            return True
    return False


class Validators:
    """A fresh `make_validator` per document and reading, made once per test (documents by identity)."""

    def __init__(self) -> None:
        self.made: dict[tuple[int, str | None], tuple[object, Any]] = {}

    def __call__(self, document: object, draft: str | None) -> Any:
        key = (id(document), draft)
        if key not in self.made:
            self.made[key] = (document, make_validator(document, draft=draft))
        return self.made[key][1]


def check_proofs(m: Matrix, snapshots: list[Snapshot]) -> Counter[Kind]:
    """Every verdict's proof re-checked: a witness with fresh validators of both versions (under a
    reading, for a document that declares no draft), a chain against the two cells it links. Every
    breaking verdict has a witness behind it. Returns how many of each kind there were."""
    documents = {s.name: s.document for s in snapshots}
    validators = Validators()
    kinds: Counter[Kind] = Counter()
    for cell in m.pairs():
        for (sub, sup), effect, proof in zip(
            ((cell.old, cell.new), (cell.new, cell.old)), (cell.backward, cell.forward), cell.proofs
        ):
            kinds[proof.kind] += 1
            assert (effect is Effect.BREAKING) == (proof.kind is Kind.WITNESS), (sub, sup, effect, proof)
            if proof.kind is Kind.WITNESS:
                assert shows_break(proof.witness, documents[sub], documents[sup], validators), (sub, sup, proof)
            elif proof.kind is Kind.CHAIN:
                assert proof.via is not None and not effect.breaks
                assert direction_holds(m, sub, proof.via) and direction_holds(m, proof.via, sup), (sub, sup, proof)
    return kinds


def same_verdicts(derived: Matrix, plain: Matrix) -> None:
    """Cell for cell the same verdicts (proofs are not compared), except that a verified witness
    carried over from a neighbouring break makes a direction "breaking" where the engine's own
    search for that pair found none ("undecided"): the event decides, and check_proofs checks it."""
    assert derived.cells.keys() == plain.cells.keys()
    for key, cell in derived.cells.items():
        other = plain.cells[key]
        for names, effect, proof, reference in zip(
            ((cell.old, cell.new), (cell.new, cell.old)),
            (cell.backward, cell.forward),
            cell.proofs,
            (other.backward, other.forward),
        ):
            carried = proof.kind is Kind.WITNESS and proof.found_for != names
            if effect is not reference:
                assert carried and (effect, reference) == (Effect.BREAKING, Effect.UNDECIDED), (key, cell, other)


def test_derived_matrix_equals_the_plain_one_on_the_upstream_history() -> None:
    snapshots = load_all(HISTORY_SNAPSHOTS)
    derived = compute(snapshots, "backward")
    plain = compute(snapshots, "backward", derive=False)
    same_verdicts(derived, plain)
    kinds = check_proofs(derived, snapshots)
    assert kinds[Kind.WITNESS] > 1000 and kinds[Kind.CHAIN] > 100 and kinds[Kind.ENGINE] < 1000
    # Every breaking cell of both matrices has a checked event behind it, none the engine's word.
    check_proofs(plain, snapshots)
    breaking = sum(e is Effect.BREAKING for c in plain.pairs() for e in (c.backward, c.forward))
    assert breaking > 1000


DRAFT_04 = "http://json-schema.org/draft-04/schema#"
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


def object_schema(draw: st.DrawFn) -> dict[str, object]:
    names = draw(st.lists(st.sampled_from("abc"), unique=True, max_size=3))
    props = {n: {"type": draw(st.sampled_from(["string", "integer", "number"]))} for n in names}
    required = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    schema: dict[str, object] = {"type": "object", "properties": props, "additionalProperties": draw(st.booleans())}
    dialect = draw(st.sampled_from([DRAFT_04, DRAFT_2020, None]))  # undeclared: the engine's only
    if dialect is not None:
        schema["$schema"] = dialect
    if required:
        schema["required"] = required
    return schema


@st.composite
def families(draw: st.DrawFn) -> list[Snapshot]:
    others = st.sampled_from([True, False, {}, {"$schema": DRAFT_2020, "type": "string"}])
    schema = st.one_of(st.composite(object_schema)(), others)
    schemas = draw(st.lists(schema, min_size=2, max_size=7))
    return [snapshot_from_text(json.dumps(s), f"s{n}", Path(f"s{n}.json"), f"s{n}") for n, s in enumerate(schemas)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(families())
def test_derived_matrix_equals_the_plain_one_on_synthetic_families(snapshots: list[Snapshot]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(derive, "SEARCH_WORTH", 0)  # search witnesses even in a family of seven
        derived = compute(snapshots, "full")
    plain = compute(snapshots, "full", derive=False)
    same_verdicts(derived, plain)
    check_proofs(derived, snapshots)
    check_proofs(plain, snapshots)


def test_undecided_is_never_a_link_of_a_chain() -> None:
    chain = [enum_snapshot("v1", 1), enum_snapshot("v2", 1, 2), enum_snapshot("v3", 1, 2, 3)]
    engine = SubsetEngine(frozenset({("v1", "v2")}))
    m = compute(chain, "backward", engine)
    assert m.cell("v1", "v2").backward is Effect.UNDECIDED
    assert ("v1", "v3") in engine.calls  # v1 ⊆ v2 is not proven, so v1 ⊆ v3 needs the engine
    assert m.cell("v1", "v3").backward is Effect.COMPATIBLE and m.cell("v1", "v3").proofs[0].kind is Kind.ENGINE
    assert m.cells == compute(chain, "backward", SubsetEngine(frozenset({("v1", "v2")})), derive=False).cells


def test_a_proven_chain_skips_the_engine_and_names_its_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derive, "SEARCH_WORTH", 0)  # search witnesses even for three versions
    chain = [enum_snapshot("v1", 1), enum_snapshot("v2", 1, 2), enum_snapshot("v3", 1, 2, 3)]
    engine = SubsetEngine()
    m = compute(chain, "backward", engine)
    assert ("v1", "v3") not in engine.calls
    assert m.cell("v1", "v3").backward is Effect.COMPATIBLE and m.cell("v1", "v3").proofs[0] == Proof(
        Kind.CHAIN, via="v2"
    )
    # v3 ⊄ v1: the witness 2, found for the neighbours v2/v1, is accepted by v3 too (checked).
    proof = m.cell("v1", "v3").proofs[1]
    assert proof == Proof(Kind.WITNESS, witness=2, found_for=("v2", "v1"))
    assert m.cell("v1", "v3").forward is Effect.BREAKING


def test_a_witness_known_to_the_accepting_version_settles_a_later_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """v1 ⊄ v4: no neighbouring break's run reaches the pair (v3 accepts 2 again), but the witness 2
    found for v1/v2 is one v1 accepts, and v4's validator rejects it: no engine call is needed."""
    monkeypatch.setattr(derive, "SEARCH_WORTH", 0)
    history = [enum_snapshot("v1", 1, 2), enum_snapshot("v2", 1), enum_snapshot("v3", 2, 1), enum_snapshot("v4", 1, 4)]
    engine = SubsetEngine()
    m = compute(history, "backward", engine)
    assert ("v1", "v4") not in engine.calls
    assert m.cell("v1", "v4").backward is Effect.BREAKING
    assert m.cell("v1", "v4").proofs[0] == Proof(Kind.WITNESS, witness=2, found_for=("v1", "v2"))
    assert m.cells == compute(history, "backward", SubsetEngine(), derive=False).cells


def test_a_witness_the_validator_does_not_confirm_refutes_nothing() -> None:
    history = [enum_snapshot("v1", 1), enum_snapshot("v2", 2), enum_snapshot("v3", 3)]
    lying: Search = lambda accept, reject: 99  # noqa: E731 - accepted by none of them
    engine = SubsetEngine()
    docs_known, calls = settle(history, engine, search=lying)
    assert calls == 3 and len(engine.calls) == 3  # every pair went to the engine
    assert all(proof.kind is Kind.ENGINE for _, proof in docs_known.values())


def test_every_document_is_prepared_once_whatever_the_cache_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize, "_CACHE_SIZE", 2)
    made: list[object] = []
    original = normalize.Prepared.__init__

    def counting(self: normalize.Prepared, document: object, source: str, draft: str | None = None) -> None:
        made.append(document)
        original(self, document, source, draft)

    monkeypatch.setattr(normalize.Prepared, "__init__", counting)
    snapshots = [enum_snapshot(f"v{n}", *range(n + 1)) for n in range(6)]
    compute(snapshots, "backward", derive=False)  # the cyclic row scan: 15 pairs over 6 documents
    assert len(made) == 6 and not normalize._PINNED and not normalize._PIN_HOLDS


def test_json_lists_each_witness_once_and_pairs_refer_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derive, "SEARCH_WORTH", 0)
    chain = [enum_snapshot("v1", 1), enum_snapshot("v2", 1, 2), enum_snapshot("v3", 1, 2, 3)]
    doc = json.loads(to_json(compute(chain, "backward", SubsetEngine())))
    v1_v3 = next(p for p in doc["pairs"] if (p["old"], p["new"]) == ("v1", "v3"))
    assert v1_v3["proof"] == {"backward": {"kind": "chain", "via": "v2"}, "forward": {"kind": "witness", "witness": 0}}
    assert doc["witnesses"][0] == {"event": 2, "found_for": ["v2", "v1"]}
    used = [
        p["proof"][d]["witness"]
        for p in doc["pairs"]
        for d in ("backward", "forward")
        if p["proof"][d]["kind"] == "witness"
    ]
    assert sorted(set(used)) == list(range(len(doc["witnesses"])))


def test_documents_without_a_declared_draft_are_left_to_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine judges an undeclared document under every plausible draft; a chain or a witness
    # would only hold under one, so nothing is derived for it.
    monkeypatch.setattr(derive, "SEARCH_WORTH", 0)
    undeclared = [
        snapshot_from_text(json.dumps({"enum": values}), f"v{n}", Path(f"v{n}.json"), f"v{n}")
        for n, values in enumerate([[1], [1, 2], [1, 2, 3]], start=1)
    ]
    engine = SubsetEngine()
    m = compute(undeclared, "backward", engine)
    assert sorted(engine.calls) == [("v1", "v2"), ("v1", "v3"), ("v2", "v3")]
    assert all(p.kind is Kind.ENGINE for cell in m.pairs() for p in cell.proofs)

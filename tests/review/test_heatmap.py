"""The SVG heat map: well-formed, one coloured cell per ordered pair, labels, legend, same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cwscodegen.engine.changes import Effect
from cwscodegen.review.heatmap import COLOURS, FAIL, PASS, render_svg
from cwscodegen.review.matrix import Matrix, Status, compute
from cwscodegen.store.snapshots import load_all
from tests.conftest import HISTORY_SNAPSHOTS as HISTORY_DIR
from tests.conftest import SHIPPED

from .test_matrix import HISTORY, SubsetEngine, enum_snapshot

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def cells(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iterfind(".//svg:rect", NS) if r.get("class", "").startswith("cell ")]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iterfind(".//svg:text", NS)]


def small() -> Matrix:
    return compute(HISTORY, "backward", SubsetEngine(frozenset({("v1", "v3")})))


def test_one_cell_per_pair_with_the_colour_of_its_status() -> None:
    matrix = small()
    root = parse(render_svg(matrix))
    found = cells(root)
    assert len(found) == 10
    for rect in found:
        cell = matrix.cell(rect.get("data-old", ""), rect.get("data-new", ""))
        assert rect.get("class") == f"cell {cell.status.value}"
        assert rect.get("fill") == COLOURS[cell.status]
        tip = rect.find("svg:title", NS)
        assert tip is not None and f"backward {cell.backward.value}" in (tip.text or "")
    by_pair = {(r.get("data-old"), r.get("data-new")): r.get("fill") for r in found}
    assert by_pair[("v1", "v3")] == COLOURS[Status.UNDECIDED]
    assert by_pair[("v2", "v3")] == COLOURS[Status.FORWARD]
    assert by_pair[("v2", "v4")] == COLOURS[Status.FULL]
    assert by_pair[("v1", "v2")] == COLOURS[Status.BACKWARD]


def test_cells_form_the_lower_triangle_on_a_regular_grid() -> None:
    found = cells(parse(render_svg(small())))
    xs = sorted({int(r.get("x", "0")) for r in found})
    ys = sorted({int(r.get("y", "0")) for r in found})
    assert len(xs) == 4 and len(ys) == 4  # columns v1..v4, rows v2..v5
    step = xs[1] - xs[0]
    assert all(b - a == step for a, b in zip(xs, xs[1:])) and all(b - a == step for a, b in zip(ys, ys[1:]))
    for rect in found:
        assert xs.index(int(rect.get("x", "0"))) <= ys.index(int(rect.get("y", "0")))


def test_labels_legend_and_transitive_column() -> None:
    root = parse(render_svg(small()))
    words = texts(root)
    for name in ("v1", "v2", "v3", "v4", "v5", "all older", "oldest in run"):
        assert name in words
    for status in Status:
        assert any(w.startswith(f"{status.value} — ") for w in words)
    legend = [r.get("fill") for r in root.iterfind(".//svg:rect", NS) if r.get("class") == "legend"]
    assert set(COLOURS.values()) <= set(legend)
    summary = {
        r.get("data-version"): r.get("fill")
        for r in root.iterfind(".//svg:rect", NS)
        if r.get("class", "").startswith("summary")
    }
    assert summary == {"v2": PASS, "v3": FAIL, "v4": PASS, "v5": PASS}
    assert "(mode: backward)" in (root.findtext("svg:title", namespaces=NS) or "")


def test_partly_undecided_cells_get_a_question_mark() -> None:
    snaps = HISTORY[:2]

    def engine(old: object, new: object) -> tuple[Effect, Effect]:
        return Effect.COMPATIBLE, Effect.UNDECIDED

    svg = render_svg(compute(snaps, "backward", engine))
    assert "?" in texts(parse(svg))


def test_names_are_escaped() -> None:
    snaps = [enum_snapshot("a&b", 1), enum_snapshot("c<d", 1, 2)]
    root = parse(render_svg(compute(snaps, "full", SubsetEngine())))
    assert cells(root)[0].get("data-old") == "a&b"
    assert "c<d" in texts(root)


def test_same_matrix_same_bytes() -> None:
    assert render_svg(small()) == render_svg(small())


def test_shipped_heat_map_marks_v13_breaking() -> None:
    shipped = render_svg(compute(load_all(SHIPPED), "backward"))
    found = cells(parse(shipped))
    assert len(found) == 15 * 14 // 2
    v12_v13 = next(r for r in found if (r.get("data-old"), r.get("data-new")) == ("v12", "v13"))
    assert v12_v13.get("fill") in (COLOURS[Status.FORWARD], COLOURS[Status.NONE], COLOURS[Status.UNDECIDED])


def test_history_heat_map_has_1711_cells() -> None:
    svg = render_svg(compute(load_all(HISTORY_DIR), "backward"))
    assert len(cells(parse(svg))) == 59 * 58 // 2


def test_the_picture_in_the_readme_is_what_the_command_writes() -> None:
    """README.md shows docs/compatibility-matrix.svg, written by `cwscodegen matrix --format svg`."""
    from tests.conftest import ROOT

    expected = render_svg(compute(load_all(SHIPPED), "backward"))
    assert (ROOT / "docs" / "compatibility-matrix.svg").read_text() == expected

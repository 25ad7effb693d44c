"""The compatibility matrix as an SVG heat map, for release notes.

Hand-written SVG rather than a plotting library: no dependency, and the same matrix always gives
the same bytes (integer coordinates, fixed attribute order, no timestamps), so the picture can be
committed and diffed. Rows are the newer version, columns the older one (the lower triangle), as
in the terminal and Markdown tables; each cell carries a tooltip with both verdicts. A column at
the right shows the transitive view: compatible with all older versions (in the mode), and the
oldest version of the unbroken compatible run. PNG is not offered: converting SVG needs a
rasteriser (e.g. cairosvg) that the project does not depend on.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from cwscodegen.review.matrix import LEGEND, Matrix, Status, Summary

COLOURS: Mapping[Status, str] = {
    Status.FULL: "#1a9850",
    Status.BACKWARD: "#4575b4",
    Status.FORWARD: "#fdae61",
    Status.NONE: "#d73027",
    Status.UNDECIDED: "#8c8c8c",
}
PASS, FAIL = "#1a9850", "#d73027"

CHAR = 7  # width of one character of the 11px monospace font, rounded up
MARGIN = 12
GAP = 10
TITLE_HEIGHT = 44
SWATCH = 14


def cell_size(count: int) -> int:
    """Bigger cells for the short shipped history, smaller ones for the long upstream one."""
    return 22 if count <= 20 else 14


def render_svg(matrix: Matrix, title: str = "CWS backend event schema compatibility") -> str:
    """The heat map as an SVG document (UTF-8 text, ends with a newline)."""
    versions = matrix.versions
    rows, columns = versions[1:], versions[:-1]
    size = cell_size(len(versions))
    label_width = CHAR * max([1, *(len(v) for v in versions)]) + GAP
    header_height = CHAR * max([len("oldest in run"), *(len(v) for v in columns)]) + GAP
    left = MARGIN + label_width
    top = MARGIN + TITLE_HEIGHT + header_height
    grid_right = left + size * len(columns)
    summary_x = grid_right + GAP
    run_x = summary_x + size + GAP
    run_width = CHAR * max([len("(none)"), *(len(v) for v in versions)])
    legend_top = top + size * len(rows) + 2 * GAP
    legend_lines = _legend_lines(matrix.mode)
    width = max(run_x + run_width, MARGIN + SWATCH + GAP + CHAR * max(len(t) for _, t in legend_lines)) + MARGIN
    height = legend_top + (SWATCH + 6) * len(legend_lines) + MARGIN

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="11">',
        f"<title>{escape(title)} (mode: {escape(matrix.mode)})</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 16}" font-size="14" font-weight="bold">'
        f"{escape(title)} (mode: {escape(matrix.mode)})</text>",
        f'<text x="{MARGIN}" y="{MARGIN + 36}" fill="#555555">rows: newer version; columns: older version</text>',
    ]
    for i, old in enumerate(columns):
        out.append(_vertical_label(left + i * size + size // 2 + 4, top - 4, old))
    out.append(_vertical_label(summary_x + size // 2 + 4, top - 4, "all older"))
    out.append(_vertical_label(run_x + 4, top - 4, "oldest in run"))
    summaries = matrix.summaries()
    for r, new in enumerate(rows):
        y = top + r * size
        out.append(f'<text x="{left - 4}" y="{y + size // 2 + 4}" text-anchor="end">{escape(new)}</text>')
        for i, old in enumerate(columns[: r + 1]):
            out.append(_cell(matrix, old, new, left + i * size, y, size))
        out.append(_summary(summaries[r + 1], matrix.mode, summary_x, y, size))
        run = summaries[r + 1].oldest_in_run or "(none)"
        out.append(f'<text x="{run_x}" y="{y + size // 2 + 4}">{escape(run)}</text>')
    for n, (fill, text) in enumerate(legend_lines):
        y = legend_top + n * (SWATCH + 6)
        if fill:
            out.append(f'<rect class="legend" x="{MARGIN}" y="{y}" width="{SWATCH}" height="{SWATCH}" fill="{fill}"/>')
        out.append(f'<text x="{MARGIN + SWATCH + GAP}" y="{y + SWATCH - 3}">{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _vertical_label(x: int, y: int, text: str) -> str:
    return f'<text transform="translate({x},{y}) rotate(-90)">{escape(text)}</text>'


def _cell(matrix: Matrix, old: str, new: str, x: int, y: int, size: int) -> str:
    cell = matrix.cell(old, new)
    status = cell.status
    tip = f"{new} vs {old}: backward {cell.backward.value}, forward {cell.forward.value} ({status.value})"
    parts = [
        f'<rect class="cell {status.value}" x="{x}" y="{y}" width="{size}" height="{size}" '
        f'fill="{COLOURS[status]}" stroke="#ffffff" data-old={quoteattr(old)} data-new={quoteattr(new)}>'
        f"<title>{escape(tip)}</title></rect>"
    ]
    if cell.partly_undecided and status is not Status.UNDECIDED:
        parts.append(f'<text x="{x + size // 2}" y="{y + size // 2 + 4}" text-anchor="middle" fill="#000000">?</text>')
    return "".join(parts)


def _summary(summary: Summary, mode: str, x: int, y: int, size: int) -> str:
    verdict = "pass" if summary.with_all_older else "fail"
    tip = f"{summary.name}: compatible ({mode}) with {summary.compatible_older} of {summary.older} older versions"
    return (
        f'<rect class="summary {verdict}" x="{x}" y="{y}" width="{size}" height="{size}" '
        f'fill="{PASS if summary.with_all_older else FAIL}" stroke="#ffffff" data-version={quoteattr(summary.name)}>'
        f"<title>{escape(tip)}</title></rect>"
    )


def _legend_lines(mode: str) -> list[tuple[str, str]]:
    lines = [(COLOURS[status], f"{status.value} — {LEGEND[status]}") for status in Status]
    lines.append(("", "? on a cell — one direction is undecided (counted as breaking)"))
    lines.append((PASS, f"all older: pass — compatible ({mode}) with every older version"))
    lines.append((FAIL, f"all older: fail — breaks ({mode}) with at least one older version"))
    return lines

"""Archive inputs: folders, globs, .gz/.zst shards, fsspec URLs, the line-length limit, progress,
and the chunked reading behind `--jobs` (same events, same line numbers as one pass)."""

from __future__ import annotations

import gzip
from pathlib import Path

import fsspec
import pytest
import zstandard

from cwscodegen.errors import UserError
from cwscodegen.events import runner
from cwscodegen.events.inputs import Shard, expand, read_lines, total_size
from cwscodegen.events.validate import Event, Malformed, iter_events

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real-events" / "all.jsonl"
MIXED = ROOT / "tests" / "data" / "events" / "mixed.jsonl"


def shard_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "shards"
    (folder / "day2").mkdir(parents=True)
    data = REAL.read_bytes()
    (folder / "b.jsonl").write_bytes(data)
    (folder / "a.json.gz").write_bytes(gzip.compress(data))
    (folder / "day2" / "c.ndjson.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    (folder / "notes.txt").write_text("not events")
    return folder


def test_a_folder_expands_to_its_event_files_sorted_recursively(tmp_path: Path) -> None:
    folder = shard_folder(tmp_path)
    names = [Path(s.name).relative_to(folder).as_posix() for s in expand([str(folder)])]
    assert names == ["a.json.gz", "b.jsonl", "day2/c.ndjson.zst"]


def test_globs_and_files_keep_the_order_given(tmp_path: Path) -> None:
    folder = shard_folder(tmp_path)
    shards = expand([str(folder / "b.jsonl"), str(folder / "**" / "*.zst")])
    assert [Path(s.name).name for s in shards] == ["b.jsonl", "c.ndjson.zst"]
    assert total_size(shards) == sum(Path(s.name).stat().st_size for s in shards)


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["nosuch.jsonl"], "nosuch.jsonl: no such file"),
        (["*.nomatch"], "*.nomatch: no event files found"),
        (["-", "-"], "-: standard input can be read only once"),
        ([], "no events given"),
        (["nosuchscheme://bucket/x.jsonl"], "nosuchscheme://bucket/x.jsonl: no fsspec backend for this URL"),
    ],
)
def test_bad_inputs_are_one_clear_error(
    specs: list[str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match="^" + message.replace("*", r"\*").replace(".", r"\.")):
        expand(specs)


def test_plain_gzip_and_zstd_shards_give_the_same_lines(tmp_path: Path) -> None:
    folder = shard_folder(tmp_path)
    expected = REAL.read_bytes().splitlines(keepends=True)
    for shard in expand([str(folder)]):
        assert list(read_lines(shard)) == expected, shard.name


def test_several_zstd_frames_are_read_in_order(tmp_path: Path) -> None:
    path = tmp_path / "frames.jsonl.zst"
    compressor = zstandard.ZstdCompressor()
    path.write_bytes(compressor.compress(b'{"a": 1}\n') + compressor.compress(b'{"a": 2}\n'))
    assert list(read_lines(Shard(str(path)))) == [b'{"a": 1}\n', b'{"a": 2}\n']


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_a_truncated_archive_is_an_error_not_fewer_events(tmp_path: Path, suffix: str) -> None:
    data = REAL.read_bytes()
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    path = tmp_path / f"cut.jsonl{suffix}"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(UserError, match="cannot decompress"):
        list(read_lines(Shard(str(path))))


def test_a_line_longer_than_the_limit_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"a": 1}\n' + b"x" * 5000)  # no newline: a file that never ends its line
    with pytest.raises(UserError, match=f"^{path}: line 2: longer than 1000 bytes"):
        list(read_lines(Shard(str(path)), max_line_bytes=1000))


def test_progress_counts_the_compressed_bytes(tmp_path: Path) -> None:
    folder = shard_folder(tmp_path)
    seen: list[int] = []
    shards = expand([str(folder)])
    for shard in shards:
        list(read_lines(shard, progress=seen.append))
    assert sum(seen) == total_size(shards)


def test_fsspec_urls_are_read_like_files() -> None:
    filesystem = fsspec.filesystem("memory")
    filesystem.pipe("/archive/2026-11-30/part-0.jsonl.gz", gzip.compress(REAL.read_bytes()))
    filesystem.pipe("/archive/2026-11-30/part-1.jsonl", MIXED.read_bytes())
    try:
        shards = expand(["memory://archive/2026-11-30"])
        assert [s.name for s in shards] == [
            "memory:///archive/2026-11-30/part-0.jsonl.gz",
            "memory:///archive/2026-11-30/part-1.jsonl",
        ]
        assert list(read_lines(shards[0])) == REAL.read_bytes().splitlines(keepends=True)
        assert shards[1].mode == "lines"
    finally:
        filesystem.rm("/archive", recursive=True)


def _events(shard: Shard) -> list[Event | Malformed]:
    return list(iter_events(read_lines(shard), shard.mode))


def test_chunks_number_events_as_one_pass_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunk boundaries every 3 lines: a byte-order mark only on line 1, blank and malformed
    lines, all numbered as the whole shard reads them."""
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + MIXED.read_bytes() + b"\xef\xbb\xbf{}\n\n{\n")
    monkeypatch.setattr(runner, "CHUNK_LINES", 3)
    shard = Shard(str(path))
    chunks = list(runner._pieces(shard, 1 << 20, None))
    assert all(isinstance(c, runner.Chunk) for c in chunks) and len(chunks) > 3
    from_chunks = [event for chunk in chunks if isinstance(chunk, runner.Chunk) for event in chunk.events()]
    assert from_chunks == _events(shard)
    assert isinstance(from_chunks[-2], Malformed)  # the byte-order mark on a later line is not skipped


def test_pretty_printed_shards_are_read_whole_not_chunked(tmp_path: Path) -> None:
    path = tmp_path / "pretty.json"
    path.write_text('{\n  "a": 1\n}\n{\n  "a": 2\n}\n')
    [piece] = list(runner._pieces(Shard(str(path)), 1 << 20, None))
    assert not isinstance(piece, runner.Chunk)
    assert [e.value for e in piece if isinstance(e, Event)] == [{"a": 1}, {"a": 2}]


def test_validate_names_the_shard_of_each_event_when_there_are_several(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from cwscodegen.cli import main

    folder = shard_folder(tmp_path)
    schemas = str(ROOT / "schemas" / "versions")
    for fmt in ("text", "json"):
        with pytest.raises(SystemExit):
            main(["validate", "--schemas", schemas, "--version", "v12", "--format", fmt, str(folder)])
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 27 * 3 + 1
        if fmt == "text":
            assert lines[0] == f"{folder / 'a.json.gz'}: line 1: accepted by v12"
            assert lines[-2] == f"{folder / 'day2' / 'c.ndjson.zst'}: line 27: accepted by v12"
        else:
            first = json.loads(lines[0])
            assert first == {
                "source": str(folder / "a.json.gz"),
                "line": 1,
                "ok": True,
                "accepted": ["v12"],
                "rejected": [],
            }

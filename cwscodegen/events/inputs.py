"""Where events come from: files, folders and globs of shards, `.gz`/`.zst` JSON Lines, standard
input and fsspec URLs, read as a stream of lines with bounded memory.

Why a module of its own: `validate`, `impact`, the `--jobs` workers and the Dask tasks all read
shards the same way, so a shard is a small picklable `Shard` (a name and a size) that any process
can open again. Lines are read with a length limit (`max_line_bytes`), so input without newlines
(a binary file, a single huge value) cannot grow memory: it ends with one error naming the file
and the line. Progress is reported as compressed bytes read, through a callback (the library never
prints; the CLI draws the bar).

Folders are expanded to their event files (see `EVENT_SUFFIXES`, also compressed), recursively and
sorted, so the order of shards, hence of the output, is the same on every machine. fsspec is
optional (`cwscodegen[archive]`) and so is the backend of each scheme (s3fs for `s3://`, ...): a
missing one is one clear error.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cwscodegen.errors import UserError
from cwscodegen.events.validate import DEFAULT_MAX_LINE_BYTES as DEFAULT_MAX_LINE_BYTES

STDIN = "-"
COMPRESSED = (".gz", ".zst")
EVENT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".jsonlines")
LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
_GLOB_CHARS = frozenset("*?[")

Progress = Callable[[int], None]
"""Called with the number of (compressed) bytes just read."""


@dataclass(frozen=True)
class Shard:
    """One input: a local path, an fsspec URL or `-` (standard input), and its size when known."""

    name: str
    size: int | None = None
    location: str | None = None  # the absolute path to open (the name stays as given, for messages)

    @property
    def opens(self) -> str:
        """What to open: the absolute path, so a Dask worker in another folder finds the file."""
        return self.location or self.name

    @property
    def is_url(self) -> bool:
        return "://" in self.name

    @property
    def compression(self) -> str | None:
        """`.gz`, `.zst` or None, from the name (the suffix is the contract, as for `gzip -d`)."""
        lowered = self.name.lower()
        return next((suffix for suffix in COMPRESSED if lowered.endswith(suffix)), None)

    @property
    def mode(self) -> str:
        """`lines` for JSON Lines names (`x.jsonl`, `x.jsonl.gz`), else `auto` (see events.validate)."""
        lowered = self.name.lower()
        if self.compression is not None:
            lowered = lowered[: -len(self.compression)]
        return "lines" if lowered.endswith(LINES_SUFFIXES) else "auto"


def expand(specs: Sequence[str]) -> list[Shard]:
    """The shards named by `specs`, in the order given; folders and globs expand sorted.

    A name that matches nothing is a user error (a typo must not validate zero events)."""
    if not specs:
        raise UserError("no events given (a file, a folder, a glob, a URL or - for standard input)")
    shards: list[Shard] = []
    for spec in specs:
        found = _expand_one(spec)
        if not found:
            raise UserError(f"{spec}: no event files found")
        shards += found
    if sum(shard.name == STDIN for shard in shards) > 1:
        raise UserError("-: standard input can be read only once")
    return shards


def _expand_one(spec: str) -> list[Shard]:
    if spec == STDIN:
        if sys.stdin is None or sys.stdin.closed:  # `validate - <&-`
            raise UserError("-: standard input is closed (nothing to read events from)")
        return [Shard(STDIN, _stdin_size())]
    if "://" in spec:
        return _expand_url(spec)
    if _GLOB_CHARS & set(spec):
        return [shard for path in sorted(glob.glob(spec, recursive=True)) for shard in _expand_path(Path(path), spec)]
    path = Path(spec)
    if not path.exists():
        raise UserError(f"{spec}: no such file")
    return _expand_path(path, spec)


def _expand_path(path: Path, spec: str) -> list[Shard]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_event_file(p.name))
        return [Shard(str(p), p.stat().st_size, str(p.resolve())) for p in files]
    size = path.stat().st_size if path.is_file() else None  # a pipe or a device (/dev/stdin) is read too
    return [Shard(str(path), size, str(path.resolve()) if size is not None else str(path.absolute()))]


def _is_event_file(name: str) -> bool:
    lowered = name.lower()
    for suffix in COMPRESSED:
        lowered = lowered.removesuffix(suffix)
    return lowered.endswith(EVENT_SUFFIXES)


def _stdin_size() -> int | None:
    from stat import S_ISREG

    try:
        stat = os.fstat(sys.stdin.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. replaced in tests)
        return None
    return stat.st_size if S_ISREG(stat.st_mode) else None


def _filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem for `url` and the path inside it; one clear line when unavailable."""
    try:
        import fsspec  # type: ignore[import-untyped]
    except ImportError:
        raise UserError(f"{url}: reading URLs needs fsspec: pip install 'cwscodegen[archive]'") from None
    try:
        filesystem, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise UserError(f"{url}: no fsspec backend for this URL ({' '.join(str(exc).split())})") from None
    return filesystem, path


def _expand_url(url: str) -> list[Shard]:
    filesystem, path = _filesystem(url)
    protocol = url.split("://", 1)[0]
    try:
        if _GLOB_CHARS & set(path):
            paths = sorted(filesystem.glob(path))
        elif filesystem.isdir(path):
            paths = sorted(p for p in filesystem.find(path) if _is_event_file(p.rsplit("/", 1)[-1]))
        elif filesystem.exists(path):
            paths = [path]
        else:
            raise UserError(f"{url}: no such file")
        return [Shard(_unstrip(protocol, p), filesystem.size(p)) for p in paths]
    except UserError:
        raise
    except Exception as exc:  # a backend's own error (credentials, network): one line, no traceback
        raise UserError(f"{url}: {type(exc).__name__}: {' '.join(str(exc).split())}") from None


def _unstrip(protocol: str, path: str) -> str:
    return path if "://" in path else f"{protocol}://{path}"


class _Counting(io.RawIOBase):
    """A binary file that reports how many bytes were read from it (for the progress bar)."""

    def __init__(self, raw: Any, progress: Progress) -> None:
        self.raw = raw
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data: bytes = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.progress(len(data))
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_shard(shard: Shard, progress: Progress | None = None) -> io.BufferedIOBase | BinaryIO:
    """The decompressed bytes of `shard`; `progress` sees the bytes read before decompression."""
    raw: Any
    if shard.name == STDIN:
        raw = sys.stdin.buffer
    elif shard.is_url:
        filesystem, path = _filesystem(shard.name)
        try:
            raw = filesystem.open(path, "rb")
        except Exception as exc:
            raise UserError(f"{shard.name}: {type(exc).__name__}: {' '.join(str(exc).split())}") from None
    else:
        try:
            raw = open(shard.opens, "rb")  # noqa: SIM115 - closed by the caller (read_lines)
        except FileNotFoundError:
            raise UserError(f"{shard.name}: no such file") from None
        except IsADirectoryError:
            raise UserError(f"{shard.name}: is a folder, not an events file") from None
        except OSError as exc:
            raise UserError(f"{shard.name}: cannot read ({exc.strerror})") from None
    if progress is not None:
        raw = io.BufferedReader(_Counting(raw, progress))
    if shard.compression == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if shard.compression == ".zst":
        return io.BufferedReader(_ZstdFrames(raw))
    stream: BinaryIO = raw
    return stream


class _ZstdFrames(io.RawIOBase):
    """Decompressed bytes of a `.zst` stream of one or more frames, read in bounded chunks.

    Why not `zstandard`'s `stream_reader`: it ends quietly on a truncated frame, which would drop
    events without a word; here a stream that stops inside a frame raises `EOFError`."""

    CHUNK = 1 << 13  # compressed bytes per step: bounds the output of one step (zip bombs)

    def __init__(self, raw: Any) -> None:
        import zstandard

        self.raw = raw
        self.decompressor = zstandard.ZstdDecompressor()
        self.frame = self.decompressor.decompressobj()
        self.started = False
        self.pending = b""
        self.offset = 0
        self.error = zstandard.ZstdError

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.offset >= len(self.pending):
            self.pending, self.offset = b"", 0
            if not self._fill():
                return 0
        size = min(len(buffer), len(self.pending) - self.offset)
        buffer[:size] = self.pending[self.offset : self.offset + size]
        self.offset += size
        return size

    def _fill(self) -> bool:
        """Decompress one more chunk into `pending`; False at a clean end of input."""
        data = self.raw.read(self.CHUNK)
        if not data:
            if self.started and not self.frame.eof:
                raise EOFError("compressed data ends in the middle of a frame")
            return False
        while data:
            if self.frame.eof:
                self.frame = self.decompressor.decompressobj()
            self.started = True
            try:
                self.pending += self.frame.decompress(data)
            except self.error as exc:
                raise OSError(str(exc)) from None
            data = self.frame.unused_data if self.frame.eof else b""
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()


def read_lines(
    shard: Shard, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, progress: Progress | None = None
) -> Iterator[bytes]:
    """The raw lines of `shard` (newline kept), never more than `max_line_bytes` in memory each.

    A longer line, or a corrupt compressed stream, is a `UserError` naming the shard and line."""
    stream = open_shard(shard, progress)
    number = 0
    try:
        while True:
            try:
                line = stream.readline(max_line_bytes + 1)
            except (OSError, EOFError) as exc:  # gzip.BadGzipFile, zstd errors, truncated archives
                raise UserError(f"{shard.name}: line {number + 1}: cannot decompress ({exc})") from None
            if not line:
                return
            number += 1
            if len(line) > max_line_bytes:
                raise UserError(
                    f"{shard.name}: line {number}: longer than {max_line_bytes} bytes (see --max-line-bytes)"
                )
            yield line
    finally:
        if shard.name != STDIN:
            stream.close()


def total_size(shards: Sequence[Shard]) -> int | None:
    """Bytes to read over all shards (for one progress bar), None when a size is unknown."""
    sizes = [shard.size for shard in shards]
    return None if any(size is None for size in sizes) else sum(size for size in sizes if size is not None)

"""Running `validate` and `impact` over shards: in this process, on N local processes (`--jobs`),
or on an existing Dask cluster (`--dask ADDRESS`), with the same results in the same order.

A *job* (`ValidateJob`, `ImpactJob`) is plain picklable data: the snapshots' texts (so a Dask
worker needs no copy of the project) and, for impact, the changes to attribute. Each process
builds the checkers once (`_built`) and then turns a piece of input into a partial result: the
verdicts of a chunk for validate, an `ImpactTally` for impact. Partial results come back in input
order and are merged by the caller, so the output is byte-identical whatever the split.

Local processes get chunks of JSON Lines (bounded: `CHUNK_LINES` lines and `CHUNK_BYTES` bytes,
at most `2 * jobs` chunks in flight), so memory stays flat. A shard that is not JSON Lines
(pretty-printed events, read in `auto` mode) is read in this process, after the chunks before it.
Dask gets one task per shard: each worker reads its own shards (paths or URLs it can reach).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, Union

from cwscodegen.errors import UserError
from cwscodegen.events.impact import Impact, ImpactTally, Target
from cwscodegen.events.inputs import DEFAULT_MAX_LINE_BYTES, Progress, Shard, read_lines
from cwscodegen.events.validate import Event, Malformed, SnapshotChecker, Verdict, check_events, iter_events
from cwscodegen.store.snapshots import Snapshot

CHUNK_LINES = 2000
CHUNK_BYTES = 8 << 20

Sourced = tuple[str, Union[Event, Malformed]]


@dataclass(frozen=True)
class SnapshotText:
    """A snapshot as shipped to another process: its name, file path (for messages) and text."""

    name: str
    path: str
    text: str

    @classmethod
    def of(cls, snapshot: Snapshot) -> SnapshotText:
        return cls(snapshot.name, str(snapshot.path), snapshot.text)

    def load(self) -> Snapshot:
        from pathlib import Path

        from cwscodegen.store.snapshots import snapshot_from_text

        return snapshot_from_text(self.text, self.path, Path(self.path), self.name)


@dataclass(frozen=True)
class Verdicts:
    """The verdicts of consecutive events of one shard."""

    source: str
    verdicts: tuple[Verdict, ...]


@dataclass(frozen=True)
class ValidateJob:
    """`validate` against `snapshots` (in version order)."""

    snapshots: tuple[SnapshotText, ...]

    def build(self) -> Callable[[str, Iterable[Event | Malformed]], Verdicts]:
        checkers = [SnapshotChecker(s.load()) for s in self.snapshots]
        return lambda source, events: Verdicts(source, tuple(check_events(events, checkers)))


@dataclass(frozen=True)
class ImpactJob:
    """`impact` of OLD → NEW in `mode`, attributing to `targets`."""

    old: SnapshotText
    new: SnapshotText
    targets: tuple[Target, ...]
    mode: str

    def build(self) -> Callable[[str, Iterable[Event | Malformed]], ImpactTally]:
        impact = Impact(self.old.load(), self.new.load(), self.targets, self.mode)
        return lambda source, events: impact.tally((source, event) for event in events)


Job = Union[ValidateJob, ImpactJob]
_BUILT: dict[Job, Callable[[str, Iterable[Event | Malformed]], Any]] = {}


def _built(job: Job) -> Callable[[str, Iterable[Event | Malformed]], Any]:
    """The job's worker function, built once per process (compiling checkers costs ~0.1 s each)."""
    if job not in _BUILT:
        _BUILT.clear()
        _BUILT[job] = job.build()
    return _BUILT[job]


@dataclass(frozen=True)
class Chunk:
    """Consecutive JSON Lines of one shard; `first` is the number of the first line."""

    source: str
    first: int
    lines: tuple[bytes, ...]

    def events(self) -> Iterator[Event | Malformed]:
        """The chunk's events numbered as in the shard. Only the shard's line 1 may start with a
        byte-order mark, so later chunks get a blank line 1 of their own (blank lines are skipped)."""
        if self.first == 1:
            return iter_events(self.lines, "lines")
        offset = self.first - 2
        return (_shift(event, offset) for event in iter_events((b"\n", *self.lines), "lines"))


def _shift(event: Event | Malformed, offset: int) -> Event | Malformed:
    if isinstance(event, Event):
        return Event(event.line + offset, event.value)
    return Malformed(event.line + offset, event.column, event.message)


def shard_events(
    shard: Shard, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, progress: Progress | None = None
) -> Iterator[Event | Malformed]:
    """The events of one shard, lazily, in the shard's reading mode."""
    return iter_events(read_lines(shard, max_line_bytes, progress), shard.mode, max_line_bytes)


def run(
    job: Job,
    shards: Sequence[Shard],
    *,
    jobs: int = 1,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    progress: Progress | None = None,
) -> Iterator[Any]:
    """Partial results (`Verdicts` or `ImpactTally`) in input order, on `jobs` processes."""
    if jobs <= 1:
        work = _built(job)
        batch = 1 if isinstance(job, ValidateJob) else CHUNK_LINES  # validate prints each verdict at once
        for shard in shards:
            events = shard_events(shard, max_line_bytes, progress)
            for first in events:  # lazily, `batch` at a time: parsed events are never held
                yield work(shard.name, chain((first,), islice(events, batch - 1)))
        return
    yield from _run_pool(job, shards, jobs, max_line_bytes, progress)


def _run_pool(
    job: Job, shards: Sequence[Shard], jobs: int, max_line_bytes: int, progress: Progress | None
) -> Iterator[Any]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads (progress bar)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_install, initargs=(job,)) as pool:
        window: deque[Future[Any]] = deque()
        try:
            for shard in shards:
                for piece in _pieces(shard, max_line_bytes, progress):
                    if isinstance(piece, Chunk):
                        window.append(pool.submit(_run_chunk, piece))
                        while len(window) > 2 * jobs:
                            yield window.popleft().result()
                    else:  # not JSON Lines: drain, then read it here
                        while window:
                            yield window.popleft().result()
                        yield _built(job)(shard.name, piece)
            while window:
                yield window.popleft().result()
        finally:
            for future in window:
                future.cancel()


def _install(job: Job) -> None:
    """Worker start-up: build the checkers; Ctrl-C is the parent's to handle (no worker tracebacks)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _built(job)
    global _INSTALLED
    _INSTALLED = job


_INSTALLED: Job | None = None


def _run_chunk(chunk: Chunk) -> Any:
    assert _INSTALLED is not None
    return _built(_INSTALLED)(chunk.source, chunk.events())


def _pieces(
    shard: Shard, max_line_bytes: int, progress: Progress | None
) -> Iterator[Chunk | Iterator[Event | Malformed]]:
    """Bounded chunks of a JSON Lines shard; or, for a shard `auto` mode reads as multi-line values,
    its events (read here, lazily)."""
    lines = read_lines(shard, max_line_bytes, progress)
    head: list[bytes] = []
    if shard.mode == "auto":
        for raw in lines:
            head.append(raw)
            if raw.strip():
                break
        if head and not _complete(head[-1], len(head)):
            yield iter_events(chain(head, lines), "auto")
            return
    first, buffer, size = 1, head, sum(map(len, head))
    for raw in lines:
        buffer.append(raw)
        size += len(raw)
        if len(buffer) >= CHUNK_LINES or size >= CHUNK_BYTES:
            yield Chunk(shard.name, first, tuple(buffer))
            first, buffer, size = first + len(buffer), [], 0
    if buffer:
        yield Chunk(shard.name, first, tuple(buffer))


def _complete(raw: bytes, number: int) -> bool:
    """Is the first non-blank line one whole JSON value (so `auto` reads the shard as JSON Lines)?"""
    from cwscodegen.events.validate import parse_line

    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        return False
    return isinstance(parse_line(text.rstrip("\r\n"), number), Event)


# ---------------------------------------------------------------- Dask


def run_dask(
    address: str, job: Job, shards: Sequence[Shard], max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[Any]:
    """Partial results in input order, one Dask task per shard on the cluster at `address`.

    Standard input cannot be read by a worker; every other shard is read by the worker that runs
    its task (so paths must be reachable from the workers: a shared folder or an object store)."""
    if any(shard.name == "-" for shard in shards):
        raise UserError("--dask: standard input cannot be read by Dask workers; pass files, folders or URLs")
    try:
        from distributed import Client
    except ImportError:
        raise UserError("--dask needs dask.distributed: pip install 'cwscodegen[dask]'") from None
    try:
        client = Client(address)  # type: ignore[no-untyped-call]  # timeout: distributed.comm.timeouts.connect
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserError(f"--dask: cannot connect to the scheduler at {address} ({exc})") from None
    with client:
        shipped = client.scatter(job, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        futures = [client.submit(_dask_shard, shipped, shard, max_line_bytes, pure=False) for shard in shards]
        try:
            for future in futures:
                yield future.result()
                future.release()  # type: ignore[no-untyped-call]
        finally:
            client.cancel(futures)  # type: ignore[no-untyped-call]


def _dask_shard(job: Job, shard: Shard, max_line_bytes: int) -> Any:
    """One shard's partial result, on a Dask worker."""
    return _built(job)(shard.name, shard_events(shard, max_line_bytes))


def merge_tallies(parts: Iterable[ImpactTally]) -> ImpactTally:
    """One tally from partial ones given in input order."""
    total = ImpactTally()
    for part in parts:
        total.merge(part)
    return total

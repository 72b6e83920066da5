"""The import service: stores parsed runs as jobs, steps and human requests, idempotently.

Each job keeps its external id; importing a run whose external id the assignment already
has adds nothing. Runs are written in batches, one transaction each; if a batch fails in
the database, its runs are retried one by one so one bad run loses nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.formats import read_runs
from sopwatch.ingest.layout import spread_times
from sopwatch.ingest.records import RecordError, RunRecord
from sopwatch.ingest.writer import BatchWriter

BATCH_SIZE = 500


@dataclass(kw_only=True)
class ImportOptions:
    """How to import: target assignment (overrides each run's own), format, time layout.

    ``spread``/``end`` lay out runs that carry no timestamp evenly over ``spread`` ending at
    ``end`` (UTC). ``fmt`` None means auto-detect per file. ``revision`` (when set) is the
    revision number of every run, overriding each run's own.
    """

    team_id: int
    assignment: str | None
    fmt: str | None
    revision: int | None = None
    spread: timedelta
    end: datetime
    payload_limit: int = 16_384


@dataclass(kw_only=True)
class ImportResult:
    """What an import did: counts and every record that could not be read or stored."""

    files: int = 0
    read: int = 0
    imported: int = 0
    skipped: int = 0
    steps: int = 0
    laid_out: int = 0
    errors: list[RecordError] = field(default_factory=list)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to import: each file as given; each directory's ``*.json``/``*.jsonl`` files,
    recursively, sorted. Raises ``InvalidInput("PATH", ...)`` for a path that does not exist.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl")))
        elif path.is_file():
            out.append(path)
        else:
            raise InvalidInput("PATH", f"{path} does not exist")
    return out


def import_paths(
    engine: sa.Engine,
    paths: list[Path],
    options: ImportOptions,
    on_progress: Callable[[Path, int], None] | None = None,
) -> ImportResult:
    """Import every run in ``paths``; ``on_progress(path, runs_done)`` is called per batch.

    Bad files and records are reported in ``result.errors``; they never stop the import.
    """
    result = ImportResult()
    writer = BatchWriter(engine, options.team_id, options.payload_limit)
    for path in paths:
        result.files += 1
        done = 0
        for batch in _batches(_records(path, options, result), BATCH_SIZE):
            writer.write(batch, options.assignment, result)
            done += len(batch)
            if on_progress is not None:
                on_progress(path, done)
    return result


def _records(path: Path, options: ImportOptions, result: ImportResult) -> Iterator[RunRecord]:
    """The file's runs in order; errors go to ``result``; untimed runs are laid out last."""
    untimed: list[RunRecord] = []
    try:
        stream = read_runs(path, options.fmt)
        for item in stream:
            if isinstance(item, RecordError):
                result.errors.append(item)
                continue
            result.read += 1
            if options.revision is not None:
                item = replace(item, revision=options.revision)
            if item.created_at is None and item.started_at is None:
                untimed.append(item)
            else:
                yield item
    except InvalidInput as exc:
        result.errors.append(RecordError(where=str(path), problem=str(exc)))
        return
    times = spread_times(len(untimed), options.spread, options.end)
    result.laid_out += len(untimed)
    for record, at in zip(untimed, times, strict=True):
        yield _with_time(record, at)


def _with_time(record: RunRecord, at: datetime) -> RunRecord:
    return replace(record, created_at=at)


def _batches(items: Iterator[RunRecord], size: int) -> Iterator[list[RunRecord]]:
    batch: list[RunRecord] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

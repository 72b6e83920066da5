"""The import service: stores parsed runs as jobs, steps and human requests, idempotently.

Each job keeps its external id; importing a run whose external id the assignment already
has adds nothing, and a second run with the same id in one import is an error (the first
is kept). Every run is checked against ``limits`` before it is written. Runs are written in
batches, one transaction each; if a batch fails in the database, its runs are retried one
by one so one bad run loses nothing else. Runs without an assignment (no ``--assignment``
and none in the file) are reported once per file.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.files import Input, open_inputs
from sopwatch.ingest.files import expand_paths as expand_paths
from sopwatch.ingest.formats import read_runs
from sopwatch.ingest.layout import spread_times
from sopwatch.ingest.limits import EARLIEST, FUTURE_SLACK, iso, name_problem
from sopwatch.ingest.records import FileNote, RecordError, RunRecord
from sopwatch.ingest.writer import BatchWriter
from sopwatch.store.audit import record_event
from sopwatch.store.base import utcnow

#: Runs per transaction, and steps: a batch ends at whichever it reaches first. Our
#: choice (issue #7): at 10 steps a run, 2,000 runs took ~6% less CPU than 500 (fewer
#: lookups, commits and statements per row); the step cap bounds memory for long runs.
BATCH_SIZE = 2_000
BATCH_STEPS = 20_000


@dataclass(kw_only=True)
class ImportOptions:
    """How to import: target assignment (overrides each run's own), format, time layout.

    ``spread``/``end`` lay out runs that carry no timestamp evenly over ``spread`` ending at
    ``end`` (UTC). ``fmt`` None means auto-detect per file. ``revision`` (when set) is the
    revision number of every run, overriding each run's own. ``payload_limit`` is in UTF-8
    bytes; ``actor`` is who the audit event names.
    """

    team_id: int
    assignment: str | None
    fmt: str | None
    revision: int | None = None
    spread: timedelta
    end: datetime
    payload_limit: int = 16_384
    actor: str = "sopwatch"


@dataclass(kw_only=True)
class ImportResult:
    """What an import did: counts and every record that could not be read or stored.

    - ``read``: every record found in the files (a JSONL line, a tau item, a tau2
      simulation, a trace), whether it could be read or not; it is ``imported`` +
      ``updated`` + ``unchanged`` + ``refused``. Errors about a whole file or document
      (it cannot be read, it is no known format) count no record (``file_errors``);
    - ``imported``: runs stored as new jobs; ``updated``: runs the assignment already had
      whose content changed (the stored job was brought up to date); ``unchanged``: runs
      already stored with the same content (nothing written);
    - ``steps``: steps written (new and updated jobs);
    - ``laid_out``: runs stored new with a time laid out by ``--spread``/``--end`` (they
      had none); a run already stored keeps its time and is not counted;
    - ``corrected``: runs stored ``needs_input`` although they said ``completed``, because
      one of their human requests is still pending;
    - ``estimated_costs``: model steps whose cost was computed from tokens (genai-prices);
      ``unknown_models``: model name → steps with tokens but no cost that genai-prices
      does not know (their cost stays unknown); ``too_large_costs``: model name → steps
      whose estimate is beyond what the cost column holds (``limits.BIGINT_MAX``
      micro-USD; left unknown); ``too_large_sums``: jobs whose steps' costs add up to
      more than that (the job's cost is left unknown);
    - ``notes``: things said once per file that are not errors (an empty file, fields a
      file lacks and what was inferred instead), as ``<path>: <note>``;
    - ``errors``: records that could not be read or stored, and files that could not be
      read, in file and line order (``RecordError.records`` says how many records each
      refused: one error may stand for several, e.g. runs without an assignment).
    """

    files: int = 0
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    steps: int = 0
    laid_out: int = 0
    corrected: int = 0
    estimated_costs: int = 0
    unknown_models: dict[str, int] = field(default_factory=dict)
    too_large_costs: dict[str, int] = field(default_factory=dict)
    too_large_sums: int = 0
    notes: list[str] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """Records refused: read, or found but unreadable, and not stored."""
        return sum(error.records for error in self.errors)

    @property
    def file_errors(self) -> int:
        """Errors about a whole file or document, which refused no record it could count."""
        return sum(1 for error in self.errors if error.records == 0)


def check_options(options: ImportOptions) -> None:
    """Refuse options that would make every run fail the same way, before anything is read.

    Raises ``InvalidInput`` for an ``--assignment`` that is no name (``limits.name_problem``:
    blank, too long, a control character, blanks around it), or an ``--end``/``--spread``
    that lays runs out before 1970 or more than ``FUTURE_SLACK`` after now (``limits``).
    """
    if options.assignment is not None:
        problem = name_problem(options.assignment)
        if problem is not None:
            raise InvalidInput("--assignment", problem)
    if options.end > utcnow() + FUTURE_SLACK:
        raise InvalidInput("--end", f"{iso(options.end)} is more than 1 day after now")
    if options.end - options.spread < EARLIEST:
        first = f"{EARLIEST:%Y-%m-%d}"
        raise InvalidInput("--spread", f"reaches back from --end to before {first}")


def import_paths(
    engine: sa.Engine,
    paths: list[Path],
    options: ImportOptions,
    on_progress: Callable[[Path, int], None] | None = None,
    stdin: BinaryIO | None = None,
) -> ImportResult:
    """Import every run in ``paths``; ``on_progress(path, runs_done)`` is called per batch.

    A path ``-`` reads ``stdin`` (default: the process's standard input), spooled once to
    a temporary file (``files.open_inputs``). Bad files and records are reported in
    ``result.errors``, in file order and, within a file, in line/record order (whether
    the parser or the writer found them); they never stop the import. Notes about whole
    files (an empty file, what a file's records lack) go to ``result.notes``. Raises
    ``InvalidInput`` for options no run could be stored with (``check_options``).
    """
    check_options(options)
    result = ImportResult()
    writer = BatchWriter(engine, options.team_id, options.payload_limit, options.actor)
    with _frozen_heap(), open_inputs(paths, stdin) as sources:
        for path, source in zip(paths, sources, strict=True):
            result.files += 1
            first_error = len(result.errors)
            done = 0
            unassigned = [0]
            records = _records(source, options, result, unassigned)
            for batch in _batches(records, BATCH_SIZE, BATCH_STEPS):
                writer.write(batch, options.assignment, result)
                done += len(batch)
                if on_progress is not None:
                    on_progress(path, done)
            if unassigned[0]:
                result.errors.append(_unassigned(source.name, unassigned[0]))
            _sort_errors(result.errors, first_error, source.name)
    _audit(engine, options, result, [str(p) for p in paths])
    return result


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Objects that exist when the import starts (modules, the engine: ~75,000 of them)
    are kept out of the garbage collector's full collections until it ends
    (``gc.freeze``). Each batch's records live long enough to trigger full collections,
    which would otherwise walk all of them every time: measured on 1,000,000 steps, 38 s
    of CPU with the collections against 28 s without, and a rate falling by a quarter."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_POSITION = re.compile(r"(?:document (\d+)(?::|$))? ?(?:(?:line|simulation|item) (\d+))?")


def _sort_errors(errors: list[RecordError], start: int, name: str) -> None:
    """Sort ``errors[start:]`` (one file's, found by the parser and the writer) by their
    document (of several in the file) and line or record number, stably; errors about the
    whole file (or a whole document) come first."""

    def position(error: RecordError) -> tuple[int, int]:
        rest = error.where[len(name) + 2 :] if error.where.startswith(name + ": ") else ""
        found = _POSITION.match(rest)
        document, record = found.groups() if found is not None else (None, None)
        return int(document or 0), int(record) if record else -1

    errors[start:] = sorted(errors[start:], key=position)


def _audit(
    engine: sa.Engine, options: ImportOptions, result: ImportResult, paths: list[str]
) -> None:
    """One audit event per import that stored or updated anything: who, what files, what
    counts (each updated job also has its own ``job.updated`` event)."""
    if not result.imported and not result.updated:
        return
    with engine.begin() as conn:
        record_event(
            conn,
            team_id=options.team_id,
            actor=options.actor,
            action="jobs.imported",
            entity="import",
            reason="sopwatch import",
            details={
                "files": paths[:100],
                "assignment": options.assignment,
                "imported": result.imported,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "steps": result.steps,
                "corrected": result.corrected,
                "estimated_costs": result.estimated_costs,
                "refused": result.refused,
                "errors": len(result.errors),
            },
        )


def _unassigned(name: str, count: int) -> RecordError:
    """The one error for a file's runs that have no assignment."""
    runs = "1 run has" if count == 1 else f"{count:,} runs have"
    problem = f"{runs} no assignment: give --assignment NAME (or an 'assignment' field in JSONL)"
    return RecordError(where=name, problem=problem, records=count)


def _records(
    source: Input, options: ImportOptions, result: ImportResult, unassigned: list[int]
) -> Iterator[RunRecord]:
    """The file's runs in order; errors go to ``result.errors`` and notes to
    ``result.notes`` (as ``str(note)``); untimed runs are laid out last.

    Runs with no assignment (none given, none in the file) are only counted, in
    ``unassigned[0]``.
    """
    untimed: list[RunRecord] = []
    try:
        stream = read_runs(source, options.fmt)
        for item in stream:
            if isinstance(item, RecordError):
                result.errors.append(item)
                result.read += item.records  # records found that could not be read
                continue
            if isinstance(item, FileNote):
                result.notes.append(str(item))
                continue
            result.read += 1
            if options.assignment is None and not item.assignment:
                unassigned[0] += 1
                continue
            if options.revision is not None:
                item = replace(item, revision=options.revision)
            if item.created_at is None and item.started_at is None and item.finished_at is None:
                untimed.append(item)
            else:
                yield item
    except InvalidInput as exc:
        result.errors.append(RecordError(where=source.name, problem=exc.problem, records=0))
        return
    times = spread_times(len(untimed), options.spread, options.end)
    for record, at in zip(untimed, times, strict=True):
        yield _with_time(record, at)


def _with_time(record: RunRecord, at: datetime) -> RunRecord:
    return replace(record, created_at=at, laid_out=True)


def _batches(items: Iterator[RunRecord], size: int, max_steps: int) -> Iterator[list[RunRecord]]:
    """``items`` in lists of ``size`` runs, or fewer when they hold ``max_steps`` steps."""
    batch: list[RunRecord] = []
    steps = 0
    for item in items:
        batch.append(item)
        steps += len(item.steps)
        if len(batch) >= size or steps >= max_steps:
            yield batch
            batch = []
            steps = 0
    if batch:
        yield batch

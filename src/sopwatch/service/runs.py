"""Importing agent runs as jobs (``sopwatch import``): expand paths, check options, import
with progress, time it. The counts are ``ingest.importer.ImportResult``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.files import RUN_FILE_NAMES
from sopwatch.ingest.importer import ImportOptions, ImportResult, expand_paths, import_paths
from sopwatch.ingest.limits import INT_MAX
from sopwatch.service.store import Store
from sopwatch.service.values import parse_format

__all__ = ["ImportProgress", "ImportResult", "ImportSummary", "import_runs"]


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportProgress:
    """Where an import is: ``runs`` of file ``path`` (number ``file_number`` of ``files``,
    counted from 1) are done. Reported after each batch of runs."""

    path: Path
    file_number: int
    files: int
    runs: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportSummary:
    """What an import did (``result``: every count and error, see ``ImportResult``), how
    runs without timestamps were laid out (over ``spread`` ending at ``end``, UTC), and how
    long it took (``seconds``, wall clock)."""

    result: ImportResult
    spread: timedelta
    end: datetime
    seconds: float


def import_runs(
    store: Store,
    paths: Sequence[Path],
    *,
    assignment: str | None = None,
    fmt: str | None = None,
    revision: int | None = None,
    spread: timedelta = timedelta(days=7),
    end: datetime | None = None,
    actor: str = "sopwatch",
    on_progress: Callable[[ImportProgress], None] | None = None,
) -> ImportSummary:
    """Import every run in ``paths`` (files, or directories searched for ``*.json`` and
    ``*.jsonl``) for the store's team, idempotently.

    ``assignment`` overrides each run's own; ``fmt`` (one of ``values.FORMATS``, None:
    detect per file); ``revision`` (1 … 2³¹−1) the revision of every run; runs without
    timestamps are laid out over ``spread`` ending at ``end`` (default now).
    ``on_progress`` is called after each batch.

    Bad files and records are counted in ``result.errors`` and never stop the import.
    Raises ``InvalidInput`` before anything is read for a path that does not exist, paths
    holding no run files, or an option no run could be stored with.
    """
    fmt = parse_format(fmt)
    if revision is not None and not 1 <= revision <= INT_MAX:
        raise InvalidInput("--revision", f"must be from 1 to {INT_MAX:,}; got {revision:,}")
    files = _run_files(paths)
    options = ImportOptions(
        team_id=store.team_id,
        assignment=assignment,
        fmt=fmt,
        revision=revision,
        spread=spread,
        end=end or datetime.now(UTC),
        payload_limit=store.settings.payload_limit_bytes,
        actor=actor,
    )
    numbers = {path: i for i, path in enumerate(files, start=1)}

    def progress(path: Path, runs: int) -> None:
        if on_progress is not None:
            number = numbers.get(path, 0)
            on_progress(ImportProgress(path=path, file_number=number, files=len(files), runs=runs))

    started = time.monotonic()
    result = import_paths(store.engine, files, options, progress)
    seconds = time.monotonic() - started
    return ImportSummary(result=result, spread=spread, end=options.end, seconds=seconds)


def _run_files(paths: Sequence[Path]) -> list[Path]:
    """``expand_paths(paths)``; raises ``InvalidInput("PATH", ...)`` when that finds none."""
    files = expand_paths(paths)
    if not files:
        shown = ", ".join(str(p) for p in paths[:3]) + (" …" if len(paths) > 3 else "")
        kinds = ", ".join(f"*{name}" for name in RUN_FILE_NAMES)
        raise InvalidInput("PATH", f"no run files ({kinds}) found in {shown}")
    return files

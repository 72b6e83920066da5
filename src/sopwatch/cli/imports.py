"""``sopwatch import``: load agent runs from files as jobs and steps."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sopwatch.cli.common import (
    console,
    fail,
    format_span,
    open_store,
    parse_time,
    print_json,
)
from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.formats import FORMATS
from sopwatch.ingest.importer import ImportOptions, ImportResult, expand_paths, import_paths
from sopwatch.ingest.layout import parse_span

MAX_ERRORS_SHOWN = 20


def plural(count: int, word: str) -> str:
    """``1 job``, ``3 jobs``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def import_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories of agent runs.")],
    assignment: Annotated[
        str | None, typer.Option("--assignment", "-a", help="Assignment for every run.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")
    ] = None,
    revision: Annotated[
        int | None, typer.Option(min=1, max=2**31 - 1, help="Revision number for every run.")
    ] = None,
    spread: Annotated[
        str, typer.Option(help="Lay runs without timestamps evenly over this span (e.g. 7d).")
    ] = "7d",
    end: Annotated[
        str, typer.Option(help="…ending at this time (ISO 8601, UTC; default now).")
    ] = "now",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import agent runs (tau, tau2, openinference, jsonl) as jobs, idempotently.

    Example: sopwatch import data/tau2-bench/ --assignment airline-support
    """
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput("--format", f"must be one of {', '.join(FORMATS)}; got {fmt!r}")
    span = parse_span(spread, "--spread")
    end_time = parse_time(end, "--end")
    files = expand_paths(paths)
    if not files:
        fail("PATH: no .json or .jsonl files found")
    store = open_store()
    options = ImportOptions(
        team_id=store.team_id,
        assignment=assignment,
        fmt=fmt,
        revision=revision,
        spread=span,
        end=end_time,
        payload_limit=store.settings.payload_limit_bytes,
        actor=getpass.getuser(),
    )
    started = datetime.now(UTC)
    result = _import_with_progress(store.engine, files, options, show=not as_json)
    seconds = (datetime.now(UTC) - started).total_seconds()
    _report(result, options, seconds, as_json)


def _import_with_progress(
    engine: sa.Engine, files: list[Path], options: ImportOptions, show: bool
) -> ImportResult:
    """``import_paths`` under a Rich progress bar (files done; runs of the current file)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not show,
    ) as progress:
        task = progress.add_task("importing", total=len(files))
        seen: set[Path] = set()

        def on_progress(path: Path, runs: int) -> None:
            if path not in seen:
                seen.add(path)
                progress.advance(task)
            progress.update(task, description=f"{path.name}: {runs} runs")

        return import_paths(engine, files, options, on_progress)


def _report(result: ImportResult, options: ImportOptions, seconds: float, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "files": result.files,
                "read": result.read,
                "imported": result.imported,
                "unchanged": result.unchanged,
                "steps": result.steps,
                "laid_out": result.laid_out,
                "errors": [str(e) for e in result.errors],
                "seconds": round(seconds, 3),
            }
        )
        raise typer.Exit(1 if result.errors else 0)
    console.print(
        f"Imported [bold]{plural(result.imported, 'job')}[/] ({plural(result.steps, 'step')}) "
        f"from {plural(result.files, 'file')} in {seconds:.1f} s; "
        f"{result.unchanged} already imported, {plural(len(result.errors), 'error')}."
    )
    if result.laid_out and result.imported:
        console.print(
            f"{result.laid_out} runs had no timestamps: laid out evenly over "
            f"{format_span(options.spread)} ending {options.end:%Y-%m-%d %H:%M} UTC "
            "(--spread/--end)."
        )
    for error in result.errors[:MAX_ERRORS_SHOWN]:
        console.print(f"  [red]error[/] {error}", highlight=False)
    if len(result.errors) > MAX_ERRORS_SHOWN:
        console.print(f"  … and {len(result.errors) - MAX_ERRORS_SHOWN} more errors (use --json)")
    if result.errors:
        raise typer.Exit(1)

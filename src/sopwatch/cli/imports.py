"""``sopwatch import``: load agent runs from files as jobs and steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sopwatch.cli.common import console, current_user, open_store, print_json, say
from sopwatch.cli.text import listing, plural, span, visible
from sopwatch.domain.options import FORMATS

# The service layer (the importer, SQLAlchemy, settings) and Rich's progress bar are
# imported inside the command: -h stays fast.
if TYPE_CHECKING:
    from sopwatch.service.runs import ImportProgress, ImportResult, ImportSummary

#: Errors (and notes) printed as text before "… and N more (use --json)".
MAX_SHOWN = 20
#: A cost the database cannot hold: more than 2**63 - 1 micro-USD.
TOO_LARGE = "too large to store (over 9.2 trillion USD)"


def import_command(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Files or directories of agent runs.")
    ],
    assignment: Annotated[
        str | None,
        typer.Option("--assignment", "-a", metavar="NAME", help="Assignment for every run."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="F", help=f"One of {', '.join(FORMATS)}."),
    ] = None,
    revision: Annotated[
        int | None, typer.Option(metavar="N", help="Revision number for every run.")
    ] = None,
    spread: Annotated[
        str,
        typer.Option(
            metavar="SPAN", help="Lay runs without timestamps evenly over this span (e.g. 7d)."
        ),
    ] = "7d",
    end: Annotated[
        str, typer.Option(metavar="TIME", help="…ending at this time (ISO 8601, UTC; default now).")
    ] = "now",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import agent runs (tau, tau2, openinference, jsonl) as jobs, idempotently.

    Exit status 0 when every record was stored (notes are not errors), 1 when any was
    refused, 2 on a usage error.

    Example: sopwatch import data/tau2-bench/ --assignment airline-support
    """
    from sopwatch.service.runs import import_runs
    from sopwatch.service.values import parse_span, parse_time

    spread_span = parse_span(spread, "--spread")
    end_time = parse_time(end, "--end", ahead=False)
    store = open_store()
    with _progress_bar(show=not as_json) as on_progress:
        summary = import_runs(
            store,
            paths,
            assignment=assignment,
            fmt=fmt,
            revision=revision,
            spread=spread_span,
            end=end_time,
            actor=current_user(),
            on_progress=on_progress,
        )
    if as_json:
        print_json(summary_dict(summary))
    else:
        for line in summary_lines(summary):
            say(line)
    raise typer.Exit(exit_status(summary))


def exit_status(summary: ImportSummary) -> int:
    """1 when any record was refused (an error), else 0: notes are not errors."""
    return 1 if summary.result.errors else 0


@contextmanager
def _progress_bar(show: bool) -> Iterator[Callable[[ImportProgress], None]]:
    """A transient Rich progress bar (files done; runs of the current file) on a terminal,
    shown from the first batch on (so an error before any run is read prints alone);
    yields the ``on_progress`` callback for ``import_runs``."""
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
        disable=not (show and console().is_terminal),
    )
    task = progress.add_task("importing", total=None)

    def update(at: ImportProgress) -> None:
        if not progress.live.is_started:
            progress.start()
        progress.update(
            task,
            total=at.files,
            completed=at.file_number - 1,
            description=escape(f"{visible(at.path.name)}: {plural(at.runs, 'run')}"),
        )

    try:
        yield update
    finally:
        if progress.live.is_started:
            progress.stop()


def summary_dict(summary: ImportSummary) -> dict[str, Any]:
    """The ``--json`` summary: every count of ``ImportResult``, errors as text in order."""
    r = summary.result
    return {
        "files": r.files,
        "read": r.read,
        "imported": r.imported,
        "updated": r.updated,
        "unchanged": r.unchanged,
        "refused": r.refused,
        "file_errors": r.file_errors,
        "steps": r.steps,
        "laid_out": r.laid_out,
        "corrected": r.corrected,
        "estimated_costs": r.estimated_costs,
        "unknown_models": dict(r.unknown_models),
        "too_large_costs": dict(r.too_large_costs),
        "too_large_sums": r.too_large_sums,
        "notes": list(r.notes),
        "errors": [str(e) for e in r.errors],
        "seconds": round(summary.seconds, 3),
    }


def summary_lines(summary: ImportSummary) -> list[str]:
    """The text summary: counts that add up (records read = new + updated + unchanged +
    refused; errors about a whole file apart), then what was laid out, corrected and
    estimated, unknown models (each named once), notes, and errors in the order they were
    found."""
    r = summary.result
    whole = f"; {plural(r.file_errors, 'error')} about a whole file" if r.file_errors else ""
    lines = [
        f"Read {plural(r.read, 'record')} from {plural(r.files, 'file')} in "
        f"{summary.seconds:.1f} s: {r.imported:,} new, {r.updated:,} updated, "
        f"{r.unchanged:,} unchanged, {r.refused:,} refused ({plural(r.steps, 'step')} "
        f"written){whole}."
    ]
    if r.laid_out:
        lines.append(
            f"{plural(r.laid_out, 'run')} had no timestamps: laid out evenly over "
            f"{span(summary.spread)} ending {summary.end:%Y-%m-%d %H:%M} UTC (--spread/--end)."
        )
    if r.corrected:
        lines.append(
            f"{plural(r.corrected, 'run')} said completed but still had a pending human "
            "request: stored as needs_input."
        )
    lines += cost_lines(r)
    lines += _capped("note", r.notes)
    lines += _capped("error", [str(e) for e in r.errors])
    return lines


def cost_lines(r: ImportResult) -> list[str]:
    """What the summary says of costs, when there is anything: estimated from tokens;
    unknown because genai-prices does not know the model, or because an estimate or a
    job's sum is too large to store (each model named once)."""
    lines = []
    if r.estimated_costs:
        lines.append(
            f"{plural(r.estimated_costs, 'model step')}: cost estimated from tokens (genai-prices)."
        )
    if r.unknown_models:
        models = [f"{m} ({plural(n, 'step')})" for m, n in sorted(r.unknown_models.items())]
        lines.append(f"Cost unknown, model not priced by genai-prices: {listing(models)}.")
    if r.too_large_costs:
        models = [f"{m} ({plural(n, 'step')})" for m, n in sorted(r.too_large_costs.items())]
        lines.append(f"Cost unknown, estimate {TOO_LARGE}: {listing(models)}.")
    if r.too_large_sums:
        whose = "its" if r.too_large_sums == 1 else "their"
        lines.append(
            f"Cost unknown for {plural(r.too_large_sums, 'job')}: {whose} steps' costs add "
            f"up to a sum {TOO_LARGE}."
        )
    return lines


def _capped(label: str, items: list[str]) -> list[str]:
    """``  <label>: <item>`` for the first ``MAX_SHOWN`` items, then how many more."""
    lines = [f"  {label}: {item}" for item in items[:MAX_SHOWN]]
    if len(items) > MAX_SHOWN:
        lines.append(f"  … and {plural(len(items) - MAX_SHOWN, 'more ' + label)} (use --json)")
    return lines

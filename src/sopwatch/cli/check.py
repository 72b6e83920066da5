"""``sopwatch check``: the seed's daily first-week check of one assignment."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer

from sopwatch.cli.common import err_console, open_store, parse_time, print_json
from sopwatch.ingest.layout import parse_span
from sopwatch.store.assignments import get_assignment


class OutputFormat(StrEnum):
    """How ``check`` prints its report."""

    text = "text"
    json = "json"
    markdown = "markdown"


def check_command(
    assignment: Annotated[str, typer.Argument(help="The assignment to check.")],
    at: Annotated[
        str | None,
        typer.Option(
            help="End of the window (ISO 8601, UTC). Default: now, or just after "
            "the newest job when that job was imported."
        ),
    ] = None,
    window: Annotated[str, typer.Option(help="Length of the window, e.g. 24h or 7d.")] = "24h",
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text, json or markdown.")] = (
        OutputFormat.text
    ),
    seed: Annotated[
        int | None, typer.Option(help="Seed for the random spot-check (reproducible).")
    ] = None,
    stale_after: Annotated[
        str, typer.Option(help="A pending human request older than this is stale.")
    ] = "4h",
    loop_threshold: Annotated[
        int, typer.Option(min=2, help="Same tool, same arguments this many times is a loop.")
    ] = 3,
) -> None:
    """Run the daily check: exit 0 when nothing needs action, 1 when a finding is `act`.

    Example: sopwatch check airline-support --format json
    """
    # The monitor (and scipy under it) is imported here, not at start-up, so other
    # commands and --help start fast.
    from sopwatch.monitor.context import CheckSettings
    from sopwatch.monitor.daily_check import run_daily_check
    from sopwatch.monitor.load import default_at, load_context
    from sopwatch.monitor.report import render_markdown, render_text

    length = parse_span(window, "--window")
    stale = parse_span(stale_after, "--stale-after")
    at_time = parse_time(at, "--at") if at is not None else None
    settings = CheckSettings(
        stale_after_ms=int(stale.total_seconds() * 1000), loop_min_repeats=loop_threshold, seed=seed
    )
    store = open_store()
    with store.engine.connect() as conn:
        found = get_assignment(conn, store.team_id, assignment)
        now = datetime.now(UTC)
        end = at_time or default_at(conn, found, now)
        if at_time is None and end != now:
            err_console.print(
                f"note: imported history: the window ends just after the newest imported job "
                f"({end:%Y-%m-%d %H:%M:%S} UTC); use --at now to check up to now.",
                highlight=False,
            )
        context = load_context(conn, found, end, length, settings)
    report = run_daily_check(context)
    if fmt is OutputFormat.json:
        print_json(report.to_dict())
    elif fmt is OutputFormat.markdown:
        sys.stdout.write(render_markdown(report) + "\n")
    else:
        sys.stdout.write(render_text(report) + "\n")
    raise typer.Exit(report.exit_code)

"""``sopwatch check``: the daily first-week check of one assignment."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from sopwatch.cli.common import note, open_store, print_json
from sopwatch.cli.text import visible
from sopwatch.domain.options import DEFAULT_LOOP_THRESHOLD


class OutputFormat(StrEnum):
    """How ``check`` prints its report."""

    text = "text"
    json = "json"
    markdown = "markdown"


def check_command(
    assignment: Annotated[
        str, typer.Argument(metavar="ASSIGNMENT", help="The assignment to check.")
    ],
    at: Annotated[
        str | None,
        typer.Option(
            metavar="TIME",
            help="End of the window (ISO 8601, UTC, or 'now'). Default: now, or just after "
            "the newest job when that job was imported.",
        ),
    ] = None,
    window: Annotated[
        str, typer.Option(metavar="SPAN", help="Length of the window, e.g. 24h or 7d.")
    ] = "24h",
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", metavar="F", case_sensitive=False, help="text, json or markdown."),
    ] = OutputFormat.text,
    seed: Annotated[
        int | None, typer.Option(metavar="N", help="Seed for the random spot-check (reproducible).")
    ] = None,
    stale_after: Annotated[
        str, typer.Option(metavar="SPAN", help="A pending human request older than this is stale.")
    ] = "4h",
    loop_threshold: Annotated[
        int,
        typer.Option(
            min=2, metavar="N", help="Same tool, arguments and result this many times is a loop."
        ),
    ] = DEFAULT_LOOP_THRESHOLD,
) -> None:
    """Run the daily check: exit 0 when nothing needs action, 1 when a finding is `act`.

    Example: sopwatch check airline-support --format json
    """
    # Imported here, not at the top, so `sopwatch --help` loads none of it.
    from sopwatch.service.check import run_check
    from sopwatch.service.values import parse_span, parse_time

    ran = run_check(
        open_store(),
        assignment,
        at=parse_time(at, "--at", ahead=False) if at is not None else None,
        window=parse_span(window, "--window"),
        stale_after=parse_span(stale_after, "--stale-after"),
        loop_threshold=loop_threshold,
        seed=seed,
    )
    report = ran.report
    if ran.followed_history:
        note(
            "note: imported history: the window ends just after the newest imported job "
            f"({report.window.end:%Y-%m-%d %H:%M:%S} UTC); use --at now to check up to now."
        )
    if fmt is OutputFormat.json:
        print_json(report.to_dict())
    else:
        # The renderers live with the report.
        from sopwatch.monitor.report import render_markdown, render_text

        render = render_markdown if fmt is OutputFormat.markdown else render_text
        # ids, errors and step names in the report come from the data
        sys.stdout.write(visible(render(report), layout=True) + "\n")
    raise typer.Exit(report.exit_code)

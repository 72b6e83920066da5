"""``sopwatch jobs`` and ``sopwatch job``: the Jobs List and one job in full."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sopwatch.cli.common import console, open_store, print_json, say
from sopwatch.cli.job_view import job_dict, job_lines, one_line
from sopwatch.cli.text import plural, usd, visible, when
from sopwatch.domain.enums import JobStatus
from sopwatch.domain.options import MAX_LIMIT
from sopwatch.domain.payload import error_line

# The service layer (SQLAlchemy, settings) and Rich's tables are imported inside each
# command: -h stays fast.
if TYPE_CHECKING:
    from rich.table import Table

    from sopwatch.domain.job import Job

#: Characters of a failure or error shown in the Jobs List.
ERROR_CHARS = 60


def jobs_command(
    assignment: Annotated[
        str, typer.Argument(metavar="ASSIGNMENT", help="The assignment whose jobs to list.")
    ],
    needs_attention: Annotated[
        bool, typer.Option("--needs-attention", help="Only failed and needs-input jobs.")
    ] = False,
    status: Annotated[
        list[JobStatus] | None,
        typer.Option(
            "--status",
            "-s",
            metavar="STATUS",
            case_sensitive=False,
            help="Only this status (repeat).",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_LIMIT, metavar="N", help="At most this many.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List an assignment's jobs, newest first (the Jobs List).

    Example: sopwatch jobs airline-support --needs-attention
    """
    from sopwatch.service.jobs import list_jobs

    rows = list_jobs(
        open_store(),
        assignment,
        statuses=status or [],
        needs_attention=needs_attention,
        limit=limit,
    )
    if as_json:
        print_json([job_dict(j, assignment) for j in rows])
        return
    if rows:
        console().print(_jobs_table(rows))
    shown = plural(len(rows), "job")
    say(shown + (f" (the newest {limit:,}: --limit for more)" if len(rows) == limit else ""))


def _jobs_table(rows: list[Job]) -> Table:
    """The Jobs List as a table; cells are plain text (ids may hold ``[``), control
    characters shown as escapes (``text.visible``)."""
    from rich.table import Table
    from rich.text import Text

    table = Table("job", "status", "created (UTC)", "rev", "source", "cost", "failure / error")
    for job in rows:
        problem = job.failure_kind or error_line(job.error) or ""
        cells = (
            job.label,
            str(job.status),
            when(job.created_at),
            "" if job.revision_number is None else f"{job.revision_number:,}",
            str(job.source),
            usd(job.cost_micros, unknown=""),
            one_line(problem, ERROR_CHARS),
        )
        table.add_row(*(Text(visible(cell)) for cell in cells))
    return table


def job_command(
    job_id: Annotated[
        str,
        typer.Argument(
            metavar="JOB_ID",
            help="External id (or its first 6+ characters), job-<id> or numeric id.",
        ),
    ],
    assignment: Annotated[
        str | None,
        typer.Option("--assignment", "-a", metavar="NAME", help="When the id is ambiguous."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one job in full: its payloads, steps and human requests.

    JSON payloads are pretty-printed; text cut at the payload limit says how much was kept.

    Example: sopwatch job fcbc7985 --assignment airline-support
    """
    from sopwatch.service.jobs import show_job

    detail = show_job(open_store(), job_id, assignment=assignment)
    if as_json:
        print_json(job_dict(detail.job, detail.assignment, detail))
        return
    for line in job_lines(detail):
        say(line)

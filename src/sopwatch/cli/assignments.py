"""``sopwatch assignments``: list, set expectations, rename and delete assignments."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from sopwatch.cli.common import (
    USAGE_ERROR,
    current_user,
    error_line,
    open_store,
    print_json,
    say,
)
from sopwatch.cli.help import MARKUP, HelpCommand
from sopwatch.cli.text import listing, number, plural
from sopwatch.cli.usage import CommandGroup

# The service layer (SQLAlchemy, settings) is imported inside each command: -h stays fast.
if TYPE_CHECKING:
    from sopwatch.domain.assignment import Assignment
    from sopwatch.service.assignments import AssignmentRows

app = typer.Typer(
    cls=CommandGroup,
    help="List assignments, set their expectations, rename or delete them.",
    rich_markup_mode=MARKUP,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.callback(no_args_is_help=True)
def assignments_group() -> None:
    """List assignments, set their expectations, rename or delete them."""


@app.command("list", cls=HelpCommand)
def list_command(as_json: JsonOption = False) -> None:
    """List the team's assignments with stage and expectations."""
    from sopwatch.service import assignments as service

    found = service.list_assignments(open_store())
    if as_json:
        print_json([_assignment_dict(a) for a in found])
        return
    if not found:
        say("No assignments yet: import runs with `sopwatch import PATH --assignment NAME`.")
    for a in found:
        say(_assignment_line(a))


@app.command("set", cls=HelpCommand)
def set_command(
    assignment: Annotated[
        str, typer.Argument(metavar="ASSIGNMENT", help="The assignment to change.")
    ],
    expected_runs_per_day: Annotated[
        float | None,
        typer.Option(metavar="N", help="Jobs you expect per day (for the run-volume check)."),
    ] = None,
    testing_from: Annotated[
        str | None,
        typer.Option(
            metavar="TIME", help="Start of the testing period (ISO 8601, UTC): the baseline."
        ),
    ] = None,
    testing_until: Annotated[
        str | None, typer.Option(metavar="TIME", help="End of the testing period (ISO 8601, UTC).")
    ] = None,
    read_tools: Annotated[
        str | None,
        typer.Option(
            metavar="NAMES",
            help="Tools that only read, comma-separated (ping,vendor_score); replaces "
            "the list, '' clears it. Their repeated calls are never duplicate side effects.",
        ),
    ] = None,
) -> None:
    """Set an assignment's expected volume, testing period (the baseline) and read tools.

    Example: sopwatch assignments set airline-support --expected-runs-per-day 30
    """
    from sopwatch.service import assignments as service
    from sopwatch.service.values import parse_time

    changed = service.set_assignment(
        open_store(),
        assignment,
        expected_runs_per_day=expected_runs_per_day,
        testing_from=parse_time(testing_from, "--testing-from") if testing_from else None,
        testing_until=parse_time(testing_until, "--testing-until") if testing_until else None,
        read_tools=None if read_tools is None else _names(read_tools),
        actor=current_user(),
    )
    say(_assignment_line(changed))


def _names(text: str) -> list[str]:
    """``"a, b"`` → ``["a", "b"]``; blank text → ``[]`` (clear the list)."""
    return [part.strip() for part in text.split(",")] if text.strip() else []


@app.command("rename", cls=HelpCommand)
def rename_command(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The assignment's name now.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Its new name (must be free).")],
) -> None:
    """Rename an assignment; its jobs, revisions and history go with it.

    Example: sopwatch assignments rename airline airline-support
    """
    from sopwatch.service import assignments as service

    service.rename_assignment(open_store(), old, new, actor=current_user())
    say(f"Renamed assignment {old!r} to {new!r}.")


@app.command("delete", cls=HelpCommand)
def delete_command(
    assignment: Annotated[
        str, typer.Argument(metavar="ASSIGNMENT", help="The assignment to delete.")
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Really delete (without it, say what would go).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete an assignment with its jobs, steps, human requests and revisions.

    Cases stay in their queues. Without --yes nothing is deleted: the command says what
    would be and exits 2.

    Example: sopwatch assignments delete scratch --yes
    """
    from sopwatch.service import assignments as service

    done = service.delete_assignment(open_store(), assignment, confirm=yes, actor=current_user())
    if as_json:
        print_json({"assignment": done.assignment, "deleted": done.deleted} | asdict(done.rows))
    if not done.deleted:
        if not as_json:
            cases = f" ({_cases(done.rows)})" if done.rows.cases_linked else ""
            error_line(
                f"--yes: deleting assignment {assignment!r} would remove {_rows(done.rows)}"
                f"{cases}; nothing was deleted: run again with --yes to delete"
            )
        raise typer.Exit(USAGE_ERROR)
    if not as_json:
        cases = f" {_cases(done.rows)}." if done.rows.cases_linked else ""
        say(f"Deleted assignment {assignment!r}: {_rows(done.rows)}.{cases}")


def _rows(rows: AssignmentRows) -> str:
    """``25 jobs, 1,234 steps, 11 human requests and 1 revision`` (alerts, schedules and
    triggers only when there are any)."""
    parts = [
        plural(rows.jobs, "job"),
        plural(rows.steps, "step"),
        plural(rows.human_requests, "human request"),
        plural(rows.revisions, "revision"),
    ]
    parts += [plural(n, w) for n, w in ((rows.alerts, "alert"), (rows.schedules, "schedule"),
                                        (rows.triggers, "trigger")) if n]  # fmt: skip
    return listing(parts)


def _cases(rows: AssignmentRows) -> str:
    """``25 cases stay in their queues`` (empty when the jobs worked on no case)."""
    if rows.cases_linked == 1:
        return "1 case stays in its queue"
    return f"{number(rows.cases_linked)} cases stay in their queues" if rows.cases_linked else ""


def _assignment_line(a: Assignment) -> str:
    testing = (
        f"{a.testing_from:%Y-%m-%d %H:%M} to {a.testing_until:%Y-%m-%d %H:%M} UTC"
        if a.testing_from and a.testing_until
        else "not set (baseline: the 7 days before each window)"
    )
    expected = "not set" if a.expected_runs_per_day is None else number(a.expected_runs_per_day)
    line = f"{a.name}  stage {a.stage}  expected runs/day {expected}  testing period {testing}"
    return line + (f"  read tools {', '.join(a.read_tools)}" if a.read_tools else "")


def _assignment_dict(a: Assignment) -> dict[str, object]:
    return {
        "name": a.name,
        "stage": str(a.stage),
        "expected_runs_per_day": a.expected_runs_per_day,
        "testing_from": a.testing_from,
        "testing_until": a.testing_until,
        "read_tools": list(a.read_tools),
    }

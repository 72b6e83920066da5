"""``sopwatch assignments``: list assignments and set what the checks compare against."""

from __future__ import annotations

import getpass
import math
from typing import Annotated

import typer

from sopwatch.cli.common import console, fail, open_store, parse_time, print_json, user_errors
from sopwatch.domain.errors import InvalidInput
from sopwatch.store import assignments as store_assignments
from sopwatch.store.audit import record_event

#: Upper bound of ``--expected-runs-per-day`` (our choice: ten million a day is beyond any
#: assignment; it keeps the report's numbers readable).
MAX_RUNS_PER_DAY = 10_000_000

app = typer.Typer(help="List assignments and set their expectations.", no_args_is_help=True)


@app.command("list")
@user_errors
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the team's assignments with stage and expectations."""
    store = open_store()
    with store.engine.connect() as conn:
        found = store_assignments.list_assignments(conn, store.team_id)
    rows = [
        {
            "name": a.name,
            "stage": str(a.stage),
            "expected_runs_per_day": a.expected_runs_per_day,
            "testing_from": a.testing_from,
            "testing_until": a.testing_until,
        }
        for a in found
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(
            "No assignments yet: import runs with `sopwatch import PATH --assignment NAME`."
        )
    for a in found:
        testing = (
            f"{a.testing_from:%Y-%m-%d %H:%M} to {a.testing_until:%Y-%m-%d %H:%M} UTC"
            if a.testing_from and a.testing_until
            else "not set (baseline: the 7 days before each window)"
        )
        expected = "not set" if a.expected_runs_per_day is None else f"{a.expected_runs_per_day:g}"
        console.print(
            f"[bold]{a.name}[/]  stage {a.stage}  expected runs/day {expected}  "
            f"testing period {testing}"
        )


@app.command("set")
@user_errors
def set_command(
    assignment: Annotated[str, typer.Argument(help="The assignment to change.")],
    expected_runs_per_day: Annotated[
        float | None,
        typer.Option(min=0, help="Jobs you expect per day (for the run-volume check)."),
    ] = None,
    testing_from: Annotated[
        str | None, typer.Option(help="Start of the testing period (ISO 8601, UTC): the baseline.")
    ] = None,
    testing_until: Annotated[
        str | None, typer.Option(help="End of the testing period (ISO 8601, UTC).")
    ] = None,
) -> None:
    """Set an assignment's expected volume and testing period (the baseline).

    Example: sopwatch assignments set airline-support --expected-runs-per-day 30
    """
    values: dict[str, object] = {}
    if expected_runs_per_day is not None:
        if not math.isfinite(expected_runs_per_day) or expected_runs_per_day > MAX_RUNS_PER_DAY:
            raise InvalidInput(
                "--expected-runs-per-day", f"must be a number from 0 to {MAX_RUNS_PER_DAY:,}"
            )
        values["expected_runs_per_day"] = expected_runs_per_day
    if (testing_from is None) != (testing_until is None):
        raise InvalidInput("--testing-from/--testing-until", "give both ends of the period")
    if testing_from is not None and testing_until is not None:
        start = parse_time(testing_from, "--testing-from")
        end = parse_time(testing_until, "--testing-until")
        if end <= start:
            raise InvalidInput("--testing-until", "must be after --testing-from")
        values.update(testing_from=start, testing_until=end)
    if not values:
        fail("nothing to set: give --expected-runs-per-day or --testing-from/--testing-until")
    store = open_store()
    with store.engine.begin() as conn:
        found = store_assignments.get_assignment(conn, store.team_id, assignment)
        store_assignments.update_assignment(conn, found.id, **values)
        record_event(
            conn,
            team_id=store.team_id,
            actor=getpass.getuser(),
            action="assignment.updated",
            entity="assignment",
            entity_id=found.id,
            reason="sopwatch assignments set",
            details={k: str(v) for k, v in values.items()},
        )
    console.print(f"{assignment}: " + ", ".join(f"{k}={v}" for k, v in values.items()))

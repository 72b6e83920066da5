"""The ``sopwatch`` command: import runs, check assignments, list jobs.

Every command exits 2 with ``error: <field>: <problem>`` on a usage error, never a
traceback.
"""

from __future__ import annotations

import typer

from sopwatch.cli import assignments, check, imports, jobs
from sopwatch.domain.errors import SopwatchError

app = typer.Typer(
    name="sopwatch",
    help="Run AI-agent assignments as jobs and keep them healthy in production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("import")(imports.import_command)
app.command("check")(check.check_command)
app.command("jobs")(jobs.jobs_command)
app.command("job")(jobs.job_command)
app.add_typer(assignments.app, name="assignments")


def main() -> None:
    """Entry point of the ``sopwatch`` script."""
    try:
        app()
    except SopwatchError as exc:  # a user mistake that escaped a command: still no traceback
        from sopwatch.cli.common import fail

        fail(str(exc))


if __name__ == "__main__":
    main()

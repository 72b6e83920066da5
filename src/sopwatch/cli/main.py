"""The ``sopwatch`` command: import runs, check assignments, list jobs.

Every command exits 2 with ``error: <field>: <problem>`` on a usage error, never a
traceback.
"""

from __future__ import annotations

import typer

from sopwatch.cli import assignments, check, imports, jobs
from sopwatch.cli.common import user_errors

app = typer.Typer(
    name="sopwatch",
    help="Run AI-agent assignments as jobs and keep them healthy in production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("import")(user_errors(imports.import_command))
app.command("check")(user_errors(check.check_command))
app.command("jobs")(user_errors(jobs.jobs_command))
app.command("job")(user_errors(jobs.job_command))
app.add_typer(assignments.app, name="assignments")


def main() -> None:
    """Entry point of the ``sopwatch`` script."""
    app()


if __name__ == "__main__":
    main()

"""The ``sopwatch`` command: import runs, check assignments, list jobs, manage assignments,
describe the database.

Every usage error is one line, ``error: <field>: <problem>``, with exit status 2
(``cli.usage``); never a traceback. ``-h`` works like ``--help`` on every command.
"""

from __future__ import annotations

from importlib import metadata
from typing import Annotated

import typer

from sopwatch import __version__
from sopwatch.cli import assignments, check, db, imports, jobs
from sopwatch.cli.help import HelpCommand
from sopwatch.cli.usage import SopwatchGroup

app = typer.Typer(
    name="sopwatch",
    cls=SopwatchGroup,
    help="Run AI-agent assignments as jobs and keep them healthy in production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("import", cls=HelpCommand)(imports.import_command)
app.command("check", cls=HelpCommand)(check.check_command)
app.command("jobs", cls=HelpCommand)(jobs.jobs_command)
app.command("job", cls=HelpCommand)(jobs.job_command)
app.add_typer(assignments.app, name="assignments")
app.add_typer(db.app, name="db")


def version() -> str:
    """The installed package's version (``__version__`` when running from a source tree
    that is not installed)."""
    try:
        return metadata.version("sopwatch")
    except metadata.PackageNotFoundError:
        return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"sopwatch {version()}")
        raise typer.Exit()


@app.callback()
def root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Run AI-agent assignments as jobs and keep them healthy in production.

    Exit status: 0 ok, 1 findings to act on (check) or records refused (import),
    2 usage error. Settings: SOPWATCH_DATABASE_URL, SOPWATCH_TEAM (docs/configuration.md).
    """


def main() -> None:
    """Entry point of the ``sopwatch`` script and ``python -m sopwatch``."""
    app()


if __name__ == "__main__":
    main()

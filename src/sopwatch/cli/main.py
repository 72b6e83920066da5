"""The ``sopwatch`` command: import runs, check assignments, list jobs, manage assignments,
describe the database.

Every usage error is one line, ``error: <field>: <problem>``, with exit status 2
(``cli.usage``); never a traceback. ``-h`` works like ``--help`` on every command.

Start-up is kept short (docs/performance.md "Start-up"): the modules imported here, and
the command modules at their top, load only Typer, Rich and our own small modules. Each
command imports the service layer (and with it SQLAlchemy, the settings, the monitor)
inside its function, so ``--help``, ``-h`` and ``--version`` pay for none of it.
"""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from sopwatch import __version__
from sopwatch.cli import assignments, check, db, imports, jobs
from sopwatch.cli.common import begin_start_up
from sopwatch.cli.help import HELP_WIDTH, MARKUP, HelpCommand
from sopwatch.cli.usage import SopwatchGroup

app = typer.Typer(
    name="sopwatch",
    cls=SopwatchGroup,
    help="Run AI-agent assignments as jobs and keep them healthy in production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=MARKUP,
    # help wraps at the terminal's width (Click's default stops at 80 columns)
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": HELP_WIDTH},
)
app.command("import", cls=HelpCommand)(imports.import_command)
app.command("check", cls=HelpCommand)(check.check_command)
app.command("jobs", cls=HelpCommand)(jobs.jobs_command)
app.command("job", cls=HelpCommand)(jobs.job_command)
app.add_typer(assignments.app, name="assignments")
app.add_typer(db.app, name="db")


def version() -> str:
    """sopwatch's version: ``sopwatch.__version__``, which is also the installed package's
    (``pyproject.toml`` reads it from there), so no package metadata is read (~30 ms)."""
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
    """Entry point of the ``sopwatch`` script and ``python -m sopwatch``: the command line
    with the start-up phase of ``cli.common`` (the garbage collector off while modules
    load). At the end everything left is frozen, so Python's last collection before the
    process exits (~0.1 s after a check) has nothing to walk; the stores' connections are
    closed by then (``common.close_stores``)."""
    begin_start_up()
    try:
        app()
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()

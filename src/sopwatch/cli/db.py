"""``sopwatch db``: which database sopwatch uses and what is in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sopwatch.cli.common import print_json, say
from sopwatch.cli.help import MARKUP, HelpCommand
from sopwatch.cli.text import number, plural
from sopwatch.cli.usage import CommandGroup

# The service layer (SQLAlchemy, settings) is imported inside the command: -h stays fast.
if TYPE_CHECKING:
    from sopwatch.service.db import DbInfo

app = typer.Typer(cls=CommandGroup, help="Describe the database.", rich_markup_mode=MARKUP)


@app.callback(no_args_is_help=True)
def db_group() -> None:
    """Describe the database."""


@app.command("info", cls=HelpCommand)
def info_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the database URL (password hidden), its schema revision, row counts and the
    team. Reads only: nothing is created or migrated.

    Example: SOPWATCH_DATABASE_URL=postgres://me@db/sopwatch sopwatch db info
    """
    from sopwatch.service import db as service

    found = service.info()
    if as_json:
        print_json(
            {
                "url": found.url,
                "backend": found.backend,
                "exists": found.exists,
                "revision": found.revision,
                "newest_revision": found.newest,
                "current": found.current,
                "team": found.team,
                "team_exists": found.team_exists,
                "counts": found.counts,
            }
        )
        return
    say(f"database  {found.url}")
    say(f"backend   {found.backend}")
    say(f"schema    {_schema(found)}")
    say(f"team      {found.team}" + ("" if found.team_exists else " (not created yet)"))
    if found.counts:
        width = max(len(name) for name in found.counts)
        say("rows      (all teams)")
        for name, count in found.counts.items():
            say(f"  {name:<{width}}  {number(count):>12}")


def _schema(found: DbInfo) -> str:
    if not found.exists:
        return "none: the file does not exist yet (the first command creates it)"
    if found.revision is None:
        return f"none yet (the next command creates revision {found.newest})"
    if found.current:
        return f"revision {found.revision} (the newest)"
    behind = f"revision {found.revision}, behind the newest {found.newest}"
    return behind + " (the next command migrates it)"


@app.command("rebuild-facts", cls=HelpCommand)
def rebuild_facts_command(
    assignment: Annotated[
        str | None,
        typer.Option("--assignment", "-a", metavar="NAME", help="Only this assignment's jobs."),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Derive every job's facts, not only missing ones.")
    ] = False,
) -> None:
    """Derive again the facts the check reads instead of steps, for jobs stored before
    they existed (or by older rules); safe to stop and run again.

    Example: sopwatch db rebuild-facts --assignment airline-support
    """
    from sopwatch.service.facts import rebuild_facts
    from sopwatch.service.store import open_store

    done = rebuild_facts(open_store(), assignment=assignment, everything=everything)
    say(f"Derived the facts of {plural(done.jobs, 'job')} (rules version {done.version}).")

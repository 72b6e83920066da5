"""Help as people read it: one style for every command's ``-h``.

Typer's own help shows each value's Python type (``<str>``, ``<bool>``, ``<list[Path]>``)
and keeps a docstring's line breaks, so a paragraph wraps mid-sentence. Every command and
group of the CLI uses the classes here instead, which, before the help is formatted:

- reflow each paragraph of the command's help into one line (the terminal wraps it);
  a paragraph starting with ``\\b`` keeps its lines, as in Click;
- name an option's value by its metavar (``--assignment NAME``): the one given in its
  declaration, else its name in capitals; a flag (``--json``, ``-h``) shows none;
- show an argument by its name alone (``PATH...``), in the usage line too
  (``sopwatch import [OPTIONS] PATH...``), not ``{PATH}...`` and ``<list[Path]>``;
- list a group's commands each with the first sentence of its help, whole (wrapped, not
  cut with ``...``).

Help is Click's plain text (``MARKUP``), not Typer's Rich panels, and the help option
behaves as described below: both keep ``sopwatch --help`` and ``-h`` fast
(docs/performance.md "Start-up").

The classes also give the help option (``-h``, ``--help``) the value False when it is not given
(``quiet_help_option``): Typer (0.29) checks a flag's value without Pydantic only when it
is a bool, and the help option's default is None, so every command line that names a
subcommand (``sopwatch check -h``, ``sopwatch check A``) imported Pydantic and built a
validator (~0.1 s) for the root's help option alone.
"""

from __future__ import annotations

from types import MethodType
from typing import Any

from typer.core import TyperCommand, TyperGroup

#: Typer's ``rich_markup_mode`` for every group and command: None, Click's plain help.
#: Typer's Rich help imports ``typer.rich_utils``, which loads ``rich.markdown``
#: (markdown-it, Pygments) and ``rich.traceback`` whatever the mode: about 50 ms more per
#: ``-h`` (measured: ~0.10 s plain against ~0.15 s with Rich on the 2-core machine).
MARKUP = None
#: Help is wrapped at the terminal's width up to this many columns (Click stops at 80).
HELP_WIDTH = 1_000
#: A command's first sentence is shown whole in its group's list up to this length.
SENTENCE_CHARS = 1_000


def reflow(text: str) -> str:
    """Each paragraph of ``text`` (blocks between blank lines) on one line, blanks folded;
    a paragraph starting with ``\\b`` is kept as it is."""
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(
        p if p.lstrip().startswith("\b") else " ".join(p.split()) for p in paragraphs
    )


def _no_type(_param: Any, ctx: Any) -> None:
    """An argument's type column: empty (its name says what it is)."""
    return None


def tidy(command: Any, ctx: Any) -> None:
    """Prepare ``command``'s help for people (module docstring); idempotent."""
    if command.help:
        command.help = reflow(command.help)
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            param.display_type_rich = MethodType(_no_type, param)
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.metavar is None:
            param.metavar = (param.name or "value").upper()


def usage_pieces(command: Any, ctx: Any) -> list[str]:
    """The usage line after the command's name: ``[OPTIONS]`` and each argument as
    ``NAME``, ``[NAME]`` when optional, ``NAME...`` when it takes several."""
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name != "argument":
            continue
        name = param.metavar or (param.name or "value").upper()
        name = name if param.required else f"[{name}]"
        pieces.append(name + ("..." if param.nargs != 1 else ""))
    return pieces


def quiet_help_option(option: Any) -> Any:
    """``option`` (the help option of a command or group, or None) with the default False
    rather than None, so Typer takes the absent flag as it is instead of building a
    Pydantic validator for it (module docstring). Shows and does the same."""
    if option is not None and option.default is None:
        option.default = False
    return option


class HelpCommand(TyperCommand):
    """A command whose help follows this module's style."""

    def get_help_option(self, ctx: Any) -> Any:
        return quiet_help_option(super().get_help_option(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        tidy(self, ctx)
        super().format_help(ctx, formatter)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return usage_pieces(self, ctx)


class HelpGroup(TyperGroup):
    """A group of commands (``sopwatch``, ``sopwatch assignments``) whose help follows
    this module's style."""

    def get_help_option(self, ctx: Any) -> Any:
        return quiet_help_option(super().get_help_option(ctx))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=SENTENCE_CHARS)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        tidy(self, ctx)
        super().format_help(ctx, formatter)

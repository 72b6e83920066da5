"""Help as people read it: one style for every command's ``-h``.

Typer's own help shows each value's Python type (``<str>``, ``<bool>``, ``<list[Path]>``)
and keeps a docstring's line breaks, so a paragraph wraps mid-sentence. Every command and
group of the CLI uses the classes here instead, which, before the help is formatted:

- reflow each paragraph of the command's help into one line (the terminal wraps it);
  a paragraph starting with ``\\b`` keeps its lines, as in Click;
- name an option's value by its metavar (``--assignment NAME``): the one given in its
  declaration, else its name in capitals; a flag (``--json``, ``-h``) shows none;
- show an argument by its name alone (``PATH...``), in the usage line too
  (``sopwatch import [OPTIONS] PATH...``), not ``{PATH}...`` and ``<list[Path]>``.
"""

from __future__ import annotations

from types import MethodType
from typing import Any

from typer.core import TyperCommand, TyperGroup


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


class HelpCommand(TyperCommand):
    """A command whose help follows this module's style."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        tidy(self, ctx)
        super().format_help(ctx, formatter)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return usage_pieces(self, ctx)


class HelpGroup(TyperGroup):
    """A group of commands (``sopwatch``, ``sopwatch assignments``) whose help follows
    this module's style."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        tidy(self, ctx)
        super().format_help(ctx, formatter)

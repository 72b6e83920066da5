"""One style for every usage error: ``error: <field>: <problem>`` on stderr, exit 2.

Typer (Click) reports its own usage errors (a bad option value, a missing argument, an
unknown option or command) in a boxed panel. ``SopwatchGroup`` runs the command line
without Click's standalone handling and writes those errors, and ours
(``SopwatchError``: ``InvalidInput``, ``NotFound``), as one line instead. Exit statuses
stay: 0 ok, 1 findings to act on or records refused, 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer

from sopwatch.cli.common import USAGE_ERROR, close_stores, error_line
from sopwatch.cli.help import HelpGroup
from sopwatch.domain.errors import SopwatchError

try:  # Typer ≥ 0.2x ships its own copy of Click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older Typer on Click
    from click import exceptions as click_errors  # type: ignore[no-redef]


class CommandGroup(HelpGroup):
    """A group of commands (``sopwatch``, ``sopwatch assignments``, ``sopwatch db``): help
    in our style (``cli.help``), and an unknown command suggested the way every "did you
    mean" is (``service.errors.did_you_mean``)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click_errors.UsageError as exc:
            if args and exc.message.startswith("No such command"):
                from sopwatch.service.errors import close_names, did_you_mean

                exc.message = f"No such command {args[0]!r}"
                suggestions = close_names(args[0], self.list_commands(ctx))
                if suggestions:
                    exc.message += "; " + did_you_mean(suggestions)
            raise


class SopwatchGroup(CommandGroup):
    """The root command: Click's errors and ours become ``error: <field>: <problem>``."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; close the stores it opened (``common.close_stores``);
        exit (``sys.exit``) with its status."""
        try:
            status = self._run(args, prog_name, complete_var, extra)
        finally:
            close_stores()
        sys.exit(status if isinstance(status, int) else 0)

    def _run(
        self,
        args: Sequence[str] | None,
        prog_name: str | None,
        complete_var: str | None,
        extra: dict[str, Any],
    ) -> Any:
        """The command line's exit status, its errors written as one line each."""
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as exc:
            # Typer's Rich help is printed while the error is made (its text is then
            # empty); plain help (cli.help.MARKUP) is the text: print it once either way.
            if exc.format_message().strip():
                sys.stdout.write(exc.format_message() + "\n")
            status = 0
        except click_errors.UsageError as exc:
            error_line(usage_message(exc))
            status = USAGE_ERROR
        except click_errors.ClickException as exc:
            error_line(exc.format_message())
            status = exc.exit_code
        except typer.Abort:
            error_line("aborted")
            status = 1
        except SopwatchError as exc:
            error_line(str(exc))
            status = USAGE_ERROR
        return status


def usage_message(exc: Any) -> str:
    """``<field>: <problem>`` for one of Click's usage errors."""
    param = getattr(exc, "param", None)
    if isinstance(exc, click_errors.MissingParameter):
        return f"{param_field(param, exc)}: missing{_usage(exc)}"
    if isinstance(exc, click_errors.BadParameter):
        return f"{param_field(param, exc)}: {_sentence(exc.message)}"
    if isinstance(exc, click_errors.NoSuchOption):
        from sopwatch.service.errors import did_you_mean

        problem = "no such option"
        if exc.possibilities:
            problem += "; " + did_you_mean(sorted(exc.possibilities))
        elif _dash_value(exc):
            problem += (
                f"; a value starting with '-' goes after `--`: "
                f"`{getattr(exc.ctx, 'command_path', 'sopwatch')} -- {exc.option_name}`"
            )
        return f"{exc.option_name}: {problem}"
    if isinstance(exc, click_errors.BadOptionUsage):
        message = exc.message
        if "requires an argument" in message:
            message = "needs a value"
        return f"{exc.option_name}: {_sentence(message)}"
    message = _sentence(exc.message)
    if message.startswith("no such command"):
        return f"COMMAND: {message}" + ("" if "did you mean" in message else _usage(exc))
    where = exc.ctx.command_path if exc.ctx is not None else "sopwatch"
    return f"{where}: {message}{_usage(exc)}"


def _dash_value(exc: Any) -> bool:
    """True when an unknown short option (``-1``, ``-x``) was probably a value: the command
    takes an argument (an id or a name), which may start with ``-`` and must then follow
    ``--``."""
    command = getattr(exc.ctx, "command", None)
    params = getattr(command, "params", [])
    takes = any(getattr(p, "param_type_name", "") == "argument" for p in params)
    return takes and not exc.option_name.startswith("--")


def param_field(param: Any, exc: Any) -> str:
    """How a parameter is named in errors: its long option (``--window``) or, for an
    argument, its name in capitals (``ASSIGNMENT``)."""
    if param is None:
        hint = getattr(exc, "param_hint", None)
        return str(hint).strip("'\"") if hint else "value"
    if getattr(param, "param_type_name", "") == "option":
        opts = [o for o in param.opts if o.startswith("--")] or list(param.opts)
        return str(opts[0])
    return str(param.metavar or param.name or "value").upper().removesuffix("...")


#: Typer's wording → ours (Typer words value errors the way pydantic does).
_REWORDED = (
    ("Value error, ", ""),
    ("Input should be ", "must be "),
    (". Did you mean", "; did you mean"),
)


def _sentence(message: str) -> str:
    """One line, no final full stop, lower case first (unless an acronym):
    ``"Input should be a valid integer."`` → ``must be a valid integer``."""
    text = " ".join(str(message).split()).rstrip(".")
    for old, new in _REWORDED:
        text = text.replace(old, new)
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _usage(exc: Any) -> str:
    """``; see `sopwatch check -h``` when the command is known."""
    ctx = getattr(exc, "ctx", None)
    return "" if ctx is None else f"; see `{ctx.command_path} -h`"

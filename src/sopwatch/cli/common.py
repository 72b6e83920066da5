"""What every command shares: the consoles, JSON output, who is acting, failing cleanly."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

# Piped output is not cut to 80 columns: ids and errors stay whole for grep and less.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, soft_wrap=True)

#: Exit status of a usage error (0: ok; 1: findings to act on, or records refused).
USAGE_ERROR = 2


def error_line(message: str) -> None:
    """Print ``error: <message>`` on stderr (one line; ``message`` is ``field: problem``)."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, emoji=False)


def say(text: str) -> None:
    """Print ``text`` on stdout as it is (no Rich markup or highlighting)."""
    console.print(text, markup=False, highlight=False, emoji=False)


def current_user() -> str:
    """Who audit events name: the login name, or ``unknown`` when there is none (e.g. a
    container running under a numeric uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (datetimes as ISO 8601)."""
    sys.stdout.write(json.dumps(data, indent=2, default=_default, ensure_ascii=False) + "\n")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)

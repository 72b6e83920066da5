"""What every command shares: the store, the consoles, JSON output, who is acting, failing
cleanly, and the start-up phase.

Rich (~20 ms to import) is loaded when a console is first used, not when a command
module is imported, so ``--help`` and ``--version`` do without it.

Start-up (docs/performance.md "Start-up"): a command line run as a program (``main``)
begins with Python's garbage collector off (``begin_start_up``). Loading the command's
modules (SQLAlchemy, the monitor, SciPy) creates hundreds of thousands of objects that
live until the process exits; collecting meanwhile only walks them again and again
(~0.1 s of ``sopwatch check``). When the command opens its store (``open_store``), its
modules are loaded: what exists then is frozen (``gc.freeze``: never walked again) and
the collector resumes for the command's own work. Run in-process (tests), none of this
happens.
"""

from __future__ import annotations

import gc
import getpass
import json
import os
import re
import sys
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sopwatch.cli.text import visible

if TYPE_CHECKING:
    from rich.console import Console

    from sopwatch.service.store import Store

#: True from ``begin_start_up`` until the start-up phase ends (module docstring).
_starting = False
#: The stores the command line opened; ``close_stores`` closes them when it ends.
_opened: list[Store] = []


def begin_start_up() -> None:
    """Turn the garbage collector off until the command's modules are loaded (module
    docstring); for a whole program run, not for a command run in-process.

    Also asks OpenBLAS (loaded with NumPy under SciPy) for one thread unless the
    environment says otherwise: sopwatch calls only SciPy's scalar distribution functions,
    never linear algebra, and starting a thread per core costs ~30 ms of a check's start
    on 2 cores (docs/performance.md "Start-up")."""
    global _starting
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    gc.disable()
    _starting = True


def end_start_up() -> None:
    """Freeze what start-up made and turn the garbage collector back on (once; nothing
    when ``begin_start_up`` was not called)."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()


def open_store() -> Store:
    """The store for this command (``service.store.open_store``): the start-up phase ends
    here (the command's modules are loaded by then), and the store's connections are
    closed when the command line ends (``close_stores``)."""
    from sopwatch.service.store import open_store as open_team_store

    end_start_up()
    store = open_team_store()
    _opened.append(store)
    return store


def close_stores() -> None:
    """Close the connections of every store the command line opened (SQLite then removes
    its WAL file; PostgreSQL sees a clean goodbye)."""
    while _opened:
        _opened.pop().engine.dispose()


@cache
def console() -> Console:
    """The Rich console on stdout. Piped output is not cut to 80 columns: ids and errors
    stay whole for grep and less."""
    from rich.console import Console

    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)


@cache
def err_console() -> Console:
    """The Rich console on stderr."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


#: Exit status of a usage error (0: ok; 1: findings to act on, or records refused).
USAGE_ERROR = 2


def error_line(message: str) -> None:
    """Print ``error: <message>`` on stderr (one line; ``message`` is ``field: problem``),
    control characters from the data shown as escapes (``text.visible``), a newline in a
    path or name too, so the error stays one line."""
    from rich.markup import escape

    shown = escape(visible(message))
    err_console().print(f"[bold red]error:[/] {shown}", highlight=False, emoji=False)


def say(text: str) -> None:
    """Print one line ``text`` on stdout as it is (no Rich markup or highlighting), control
    characters from the data shown as escapes (``text.visible``)."""
    console().print(visible(text), markup=False, highlight=False, emoji=False)


def note(text: str) -> None:
    """Print one line ``text`` on stderr as it is (a remark beside the output, such as
    which window a check chose); no Rich needed."""
    sys.stderr.write(text + "\n")


def current_user() -> str:
    """Who audit events name: the login name, or ``unknown`` when there is none (e.g. a
    container running under a numeric uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (datetimes as ISO 8601). Non-ASCII text is
    written as it is, except what a terminal would act on: JSON escapes the C0 controls,
    and DEL, the C1 controls and lone surrogates are written ``\\u007f``, ``\\u009b``,
    ``\\udc80`` (the same JSON value)."""
    text = json.dumps(data, indent=2, default=_default, ensure_ascii=False)
    sys.stdout.write(_JSON_UNSHOWABLE.sub(lambda c: f"\\u{ord(c.group()):04x}", text) + "\n")


_JSON_UNSHOWABLE = re.compile("[\x7f-\x9f\ud800-\udfff]")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)

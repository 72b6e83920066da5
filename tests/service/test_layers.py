"""The CLI is a face: it parses, calls the service and renders; no SQL, no store."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sopwatch.cli

CLI = Path(sopwatch.cli.__file__).parent
#: Modules no CLI module may import (the brief of issue #5: the face holds no SQL).
FORBIDDEN = ("sqlalchemy", "sopwatch.store", "sopwatch.ingest", "sopwatch.monitor")
#: …except these (rendering a daily-check report for people lives with the report).
ALLOWED = ("sopwatch.monitor.report",)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a Python file, ``from x import y`` as ``x.y``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _forbidden(module: str) -> bool:
    if any(module == a or module.startswith(a + ".") for a in ALLOWED):
        return False
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_cli_modules_import_no_store_no_sql() -> None:
    files = sorted(CLI.glob("*.py"))
    assert len(files) >= 8
    bad = [
        f"{path.name}:{line}: {module}"
        for path in files
        for line, module in imported_modules(path)
        if _forbidden(module)
    ]
    assert bad == []


def test_the_check_above_catches_a_store_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlalchemy as sa\n"
        "from sopwatch.store.jobs import jobs\n"
        "from sopwatch.ingest import writer\n"
        "from sopwatch.monitor.report import render_text\n"
    )
    flagged = [m for _, m in imported_modules(sample) if _forbidden(m)]
    assert flagged == ["sqlalchemy", "sopwatch.store.jobs.jobs", "sopwatch.ingest.writer"]


#: What help and the version must not load (docs/performance.md "Start-up"): the service
#: layer and all under it (SQLAlchemy, the settings and pydantic-settings, the importer,
#: the monitor, SciPy), nor Pydantic, which Typer loads for a command's values, nor Rich,
#: which only a command's output needs.
NOT_AT_START = (
    "sopwatch.service", "sopwatch.store", "sopwatch.ingest", "sopwatch.monitor",
    "sopwatch.settings", "sqlalchemy", "alembic", "pydantic", "pydantic_core",
    "pydantic_settings", "platformdirs", "scipy", "numpy", "genai_prices", "rich",
    "importlib.metadata",
)  # fmt: skip
#: Command lines that print help or the version and nothing else.
HELP_LINES = (
    [], ["--help"], ["-h"], ["--version"], ["import", "-h"], ["check", "-h"], ["jobs", "-h"],
    ["job", "--help"], ["assignments"], ["assignments", "-h"], ["assignments", "set", "-h"],
    ["assignments", "delete", "-h"], ["db", "-h"], ["db", "info", "-h"],
)  # fmt: skip


def loaded_by(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    """The modules of ``NOT_AT_START`` loaded by ``sopwatch ARGS`` in a new interpreter (the
    command runs as the ``sopwatch`` script runs it; ``env`` added to the environment);
    fails if it does not exit 0."""
    code = (
        "import sys\n"
        "from sopwatch.cli.main import main\n"
        f"sys.argv = ['sopwatch', *{args!r}]\n"
        "try:\n    main()\n"
        "except SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
        f"names = {NOT_AT_START!r}\n"
        "print(sorted(m for m in sys.modules if m.startswith(names)), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    loaded: list[str] = ast.literal_eval(out.stderr.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("args", HELP_LINES, ids=lambda a: " ".join(a) or "sopwatch")
def test_help_and_version_load_nothing_heavy(args: list[str]) -> None:
    assert loaded_by(args) == []


def test_the_check_above_sees_a_command_load_the_service(tmp_path: Path) -> None:
    """A command that does its work loads what help must not (so an empty list above
    means the modules were not loaded, not that the check cannot see them)."""
    url = f"sqlite:///{tmp_path / 'none.db'}"  # db info creates no file
    loaded = loaded_by(["db", "info"], {"SOPWATCH_DATABASE_URL": url})
    assert {"sopwatch.service", "sqlalchemy"} <= set(loaded)

"""The CLI is a face: it parses, calls the service and renders; no SQL, no store."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


def test_help_does_not_load_the_monitor() -> None:
    code = (
        "import sys, sopwatch.cli.main\n"
        "print(sorted(m for m in sys.modules if m.startswith(('scipy', 'sopwatch.monitor'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

"""Terminal escape sequences in the data (ids, errors, outputs, step names, file names)
reach the terminal as visible escapes from every command, never raw: ``\\x1b[2J`` would
clear the screen, ``\\x1b]0;…`` set the window title, ``\\x9b`` start a C1 sequence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

CLEAR, TITLE, RED, CSI = "\x1b[2J", "\x1b]0;pwned\x07", "\x1b[31m", "\x9b"
RAW = ("\x1b", "\x07", "\x9b")


def _runs() -> list[dict[str, object]]:
    step = {"kind": "tool", "name": f"{RED}lookup", "status": "error", "error": f"{TITLE}boom"}
    return [
        {
            "id": f"c{CLEAR}{i}",
            "status": "failed",
            "created_at": f"2026-03-01T1{i}:00:00Z",
            "error": f"{TITLE}{CSI}timeout",
            "output": f"{RED}red\nline two",
            "steps": [step],
        }
        for i in range(3)
    ]


@pytest.fixture
def imported(cli: Cli, tmp_path: Path) -> Cli:
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(run) + "\n" for run in _runs()))
    assert cli("import", str(path), "-a", "esc").code == 0
    return cli


def _no_raw_controls(text: str) -> None:
    assert not any(char in text for char in RAW), repr(text)


def test_jobs_list(imported: Cli) -> None:
    ran = imported("jobs", "esc")
    _no_raw_controls(ran.out)
    assert "c\\x1b[2J0" in ran.out


def test_job_view(imported: Cli) -> None:
    ran = imported("job", f"c{CLEAR}0")
    assert ran.code == 0, ran.err
    _no_raw_controls(ran.out)
    assert "job c\\x1b[2J0" in ran.out
    assert "error     \\x1b]0;pwned\\x07\\x9btimeout" in ran.out
    assert "\\x1b[31mlookup" in ran.out
    assert "    \\x1b[31mred" in ran.out.splitlines()  # the payload's own lines stay lines


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_check_report(imported: Cli, fmt: str) -> None:
    ran = imported("check", "esc", "--format", fmt)
    assert ran.code in (0, 1), ran.err
    _no_raw_controls(ran.out)
    if fmt == "json":
        assert json.loads(ran.out)  # still the same JSON values
    else:
        assert "c\\x1b[2J" in ran.out


def test_errors_from_the_data(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / f"runs{CLEAR}.jsonl"  # a file name is data too
    path.write_text(json.dumps({"id": "x", "status": "done"}) + "\n")
    ran = cli("import", str(path), "-a", "esc")
    assert ran.code == 1
    _no_raw_controls(ran.out)
    assert "runs\\x1b[2J.jsonl: line 1: field 'status'" in ran.out
    missing = cli("check", f"nope{TITLE}")
    assert missing.code == 2
    _no_raw_controls(missing.err)
    assert missing.err.count("\n") == 1


_ESCAPES = {ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"}


@pytest.mark.parametrize("name", ["new\nline.jsonl", "tab\tand\rreturn.jsonl"])
def test_a_path_with_control_characters_keeps_errors_on_one_line(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(json.dumps({"id": "x", "status": "done"}) + "\n")
    ran = cli("import", str(path), "-a", "paths")
    assert ran.code == 1
    (error,) = [line for line in ran.out.splitlines() if line.startswith("  error: ")]
    assert error.startswith(f"  error: {str(path).translate(_ESCAPES)}: line 1: field 'status'")
    gone = tmp_path / f"gone-{name}"
    missing = cli("import", str(gone), "-a", "paths")
    assert missing.code == 2
    assert missing.err == f"error: PATH: {str(gone).translate(_ESCAPES)} does not exist\n"

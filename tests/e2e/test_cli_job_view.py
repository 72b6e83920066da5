"""``sopwatch job``: JSON payloads pretty, JSON errors as ``code: message``, cut text marked
with what was kept of the recorded full size, and every stored field in ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from sopwatch.domain.payload import canonical_json
from sopwatch.store.engine import make_engine
from sopwatch.store.jobs import jobs, steps
from tests.e2e.conftest import Cli

LIMIT = 256
ARGUMENTS = {"customer": "é" * 200}
RUN = {
    "id": "j1",
    "status": "failed",
    "created_at": "2026-03-01T10:00:00Z",
    "input": json.dumps({"invoice": {"number": 42, "lines": [1, 2]}}),
    "output": "x" * 1000,
    "error": json.dumps({"error": {"message": "Rate limited", "code": "rate_limited"}}),
    "steps": [
        {"kind": "model", "name": "gpt-4o", "input_tokens": 1200, "output_tokens": 4096,
         "cost_usd": 0.0123},
        {"kind": "tool", "name": "crm", "arguments": ARGUMENTS, "result": {"ok": True},
         "error": json.dumps({"error": "invalid_grant", "error_description": "Token expired"})},
    ],
}  # fmt: skip


@pytest.fixture
def one_job(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("SOPWATCH_PAYLOAD_LIMIT_BYTES", str(LIMIT))
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps(RUN) + "\n")
    assert cli("import", str(path), "-a", "view").code == 0
    return cli


def test_text_pretty_prints_json_and_marks_cut_text(one_job: Cli) -> None:
    ran = one_job("job", "j1")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    at = lines.index("input:")
    assert lines[at + 1 : at + 4] == ["    {", '      "invoice": {', '        "lines": [']
    assert "error     rate_limited: Rate limited" in lines
    assert "      error: invalid_grant: Token expired" in lines
    assert "    … (cut: 256 of 1,000 bytes kept)" in lines
    full = len(canonical_json(ARGUMENTS).encode())  # "é" is 2 bytes: stored as it is
    assert full == 415
    # '{"customer":"' is 13 bytes, then 121 "é" fit in 256: cut on a character boundary
    assert f"          … (cut: 255 of {full:,} bytes kept)" in lines
    result = lines.index("      result:")
    assert lines[result + 1 : result + 4] == [
        "          {",
        '            "ok": true',
        "          }",
    ]
    assert "  #1 model gpt-4o  ok  tokens 1,200 in, 4,096 out  $0.0123" in lines


def test_json_has_full_sizes_and_model_details(one_job: Cli, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.update(steps)
            .where(steps.c.seq == 1)
            .values(finish_reason="length", max_tokens=4096, cache_read_tokens=300,
                    cache_write_tokens=50, cost_estimated=True)
        )  # fmt: skip
        conn.execute(sa.update(jobs).values(cost_estimated=True))
    engine.dispose()
    job = one_job("job", "j1", "--json").json()
    assert (job["input_bytes"], job["output_bytes"], job["cost_estimated"]) == (None, 1000, True)
    assert job["output"] == "x" * LIMIT
    model, tool = job["steps"]
    assert model["finish_reason"] == "length" and model["max_tokens"] == 4096
    assert (model["cache_read_tokens"], model["cache_write_tokens"]) == (300, 50)
    assert (model["cost_usd"], model["cost_estimated"]) == (0.0123, True)
    assert tool["arguments_bytes"] == len(canonical_json(ARGUMENTS).encode())
    assert tool["result_bytes"] is None and tool["finish_reason"] is None
    text = one_job("job", "j1").out.splitlines()
    assert (
        "  #1 model gpt-4o  ok  tokens 1,200 in (300 cache read, 50 cache write), 4,096 out "
        "of max 4,096  finish length  $0.0123 (estimated)"
    ) in text
    assert any(line.startswith("cost      $0.0123 (estimated)") for line in text)


def test_jobs_list_formats_cost_and_counts(one_job: Cli) -> None:
    ran = one_job("jobs", "view")
    assert ran.code == 0
    assert "$0.0123" in ran.out and "rate_limited: Rate limited" in ran.out
    assert ran.out.endswith("\n1 job\n")


def test_payload_text_is_shown_verbatim(cli: Cli, tmp_path: Path) -> None:
    run = {"id": "[b]j2", "status": "completed", "created_at": "2026-03-01T10:00:00Z",
           "output": "great :thumbs_up: [red]x[/red]"}  # fmt: skip
    path = tmp_path / "v.jsonl"
    path.write_text(json.dumps(run) + "\n")
    assert cli("import", str(path), "-a", "verbatim").code == 0
    ran = cli("job", "[b]j2")
    assert ran.out.startswith("job [b]j2  (assignment verbatim")
    assert "    great :thumbs_up: [red]x[/red]" in ran.out.splitlines()
    assert "[b]j2" in cli("jobs", "verbatim").out


def test_non_ascii_payloads_are_stored_and_shown_as_they_are(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    run = {"id": "jp", "created_at": "2026-03-01T10:00:00Z", "output": {"answer": "日本" * 3}}
    path.write_text(json.dumps(run) + "\n")  # the file escapes it: \u65e5\u672c
    assert cli("import", str(path), "-a", "jp").code == 0
    shown = cli("job", "jp", "--json").json()
    assert shown["output"] == '{"answer":"日本日本日本"}' and shown["output_bytes"] is None
    assert '      "answer": "日本日本日本"' in cli("job", "jp").out.splitlines()

"""A first-week day written in our JSONL format, checked end to end on both databases.

Baseline: 7 quiet days (cheap jobs, cases completed, scheduled). Window: a bad day with an
expired CRM credential failing six jobs at the same step, expensive jobs, failed and
postponed cases and a burst of manual runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Cli

END = datetime(2026, 3, 10, tzinfo=UTC)


def _job(i: int, at: datetime, **extra: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "id": f"j{i}",
        "status": "completed",
        "source": "scheduled",
        "created_at": at.isoformat(),
        "finished_at": (at + timedelta(minutes=2)).isoformat(),
        "input_type": "email",
        "output": f"Invoice {i} filed.",
        "verdict": "accepted",
        "case": {"id": f"c{i}", "queue": "invoices", "status": "completed"},
        "steps": [
            {"kind": "model", "name": "gpt-4o", "cost_usd": 0.010, "input_tokens": 900},
            {"kind": "tool", "name": "crm_lookup", "connection": "crm", "arguments": {"n": i}},
        ],
    }
    job.update(extra)
    return job


def _write(path: Path) -> None:
    lines = []
    for i in range(140):  # baseline: 20 a day for 7 days
        lines.append(_job(i, END - timedelta(days=8) + timedelta(hours=1.2 * i)))
    for i in range(140, 170):  # the window: 30 jobs in the last 24 h
        at = END - timedelta(hours=23) + timedelta(minutes=40 * (i - 140))
        job = _job(i, at)
        if i < 146:  # the expired credential: same step, same connection, six jobs
            job["status"] = "failed"
            job["case"]["status"] = "failed"
            job["steps"][1] |= {"status": "error", "error": "HTTP 401 Unauthorized: token expired"}
        elif i < 152:
            job["case"]["status"] = "postponed"
        if i >= 150:
            job["steps"][0]["cost_usd"] = 0.05  # five times the baseline cost
        if i >= 160:
            job["source"] = "manual"
        lines.append(job)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_bad_day_is_found(cli: Cli, tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    _write(runs)
    summary = cli("import", str(runs), "--assignment", "invoices", "--json").json()
    assert (summary["imported"], summary["errors"]) == (170, [])
    assert cli("assignments", "set", "invoices", "--expected-runs-per-day", "20").code == 0
    ran = cli("check", "invoices", "--at", END.isoformat(), "--format", "json", "--seed", "1")
    assert ran.code == 1
    report = ran.json()
    assert report["baseline"]["kind"] == "trailing_7d"
    found = {}
    for f in report["findings"]:
        found.setdefault(f["kind"], f)
    auth = found["connection_auth"]
    assert auth["severity"] == "act"
    assert auth["evidence"]["connection"] == "crm"
    assert auth["evidence"]["error_class"] == "auth"
    assert len(auth["evidence"]["job_ids"]) == 6
    # one cause, one finding: the failure cluster of the same six jobs is folded into it
    (cluster,) = [v for v in auth["evidence"]["also"] if v["kind"] == "failure_cluster"]
    assert (cluster["view"], cluster["shared_jobs"]) == ("cause", 6)
    assert found["failure_cluster"]["severity"] == "ok"
    assert "folded" in found["failure_cluster"]["title"]
    assert found["case_failed_rate"]["severity"] == "act"
    assert found["case_postponed_rate"]["severity"] in {"watch", "act"}
    assert found["cost_spike"]["severity"] == "act"
    assert found["source_breakdown"]["severity"] == "watch"
    assert found["needs_attention"]["severity"] == "act"
    assert found["run_volume"]["severity"] in {"ok", "watch"}
    assert len(found["spot_check"]["evidence"]["job_ids"]) in range(3, 6)


def test_quiet_day_is_ok(cli: Cli, tmp_path: Path) -> None:
    runs = tmp_path / "quiet.jsonl"
    lines = [_job(i, END - timedelta(days=8) + timedelta(hours=1.2 * i)) for i in range(160)]
    runs.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert cli("import", str(runs), "--assignment", "quiet").code == 0
    ran = cli("check", "quiet", "--at", END.isoformat(), "--format", "json")
    severities = {f["kind"]: f["severity"] for f in ran.json()["findings"]}
    assert ran.code == 0, severities
    assert "act" not in severities.values()
    markdown = cli("check", "quiet", "--at", END.isoformat(), "--format", "markdown")
    assert markdown.code == 0 and markdown.out.startswith("#")

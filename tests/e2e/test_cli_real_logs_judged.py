"""Real logs, imported as they come, judged right by the check (issue #5's must-shows):
tool loops through JSON-string arguments, a re-import that answers a stale request, status
that contradicts the run's own data, and a cost spike resting on token estimates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Cli

DAY = datetime(2026, 3, 10, tzinfo=UTC)


def _write(path: Path, runs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(run) + "\n" for run in runs))
    return path


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _findings(cli: Cli, assignment: str, *extra: str) -> list[dict[str, Any]]:
    ran = cli("check", assignment, "--format", "json", *extra)
    assert ran.code in (0, 1), ran.err
    findings: list[dict[str, Any]] = ran.json()["findings"]
    return findings


def test_twelve_calls_differing_only_in_spacing_and_key_order_are_one_loop(
    cli: Cli, tmp_path: Path
) -> None:
    spellings = [
        '{"order_id": 8812, "a": 1}',
        '{"a":1,"order_id":8812}',
        '{ "a" : 1 ,\n "order_id" : 8812 }',
    ]
    steps: list[dict[str, Any]] = []
    for i in range(12):
        steps.append({"kind": "model", "name": "gpt-4o"})
        steps.append({"kind": "tool", "name": "lookup_order", "arguments": spellings[i % 3]})
    steps.append({"kind": "tool", "name": "lookup_order", "arguments": {"a": 1, "order_id": 9}})
    run = {"id": "loop-1", "status": "completed", "created_at": _iso(DAY), "steps": steps}
    summary = cli("import", str(_write(tmp_path / "r.jsonl", [run])), "-a", "orders", "--json")
    assert (summary.code, summary.json()["errors"]) == (0, [])

    loops = [f for f in _findings(cli, "orders") if f["kind"] == "tool_loop"]
    assert len(loops) == 1
    assert loops[0]["severity"] == "act"
    assert loops[0]["evidence"]["count"] == 12
    assert loops[0]["evidence"]["arguments"] == '{"a":1,"order_id":8812}'


def _waiting(at: datetime) -> dict[str, Any]:
    """A refund run paused on an approval nobody has given yet."""
    return {
        "id": "refund-7",
        "status": "needs_input",
        "created_at": _iso(at),
        "steps": [
            {"kind": "model", "name": "gpt-4o"},
            {"kind": "gate", "name": "refund_over_500"},
        ],
        "human_requests": [
            {"type": "approval", "gate": "refund_over_500", "step": 2, "question": "Refund?"}
        ],
    }


def test_reimport_with_the_request_approved_completes_the_job_and_clears_the_stale_request(
    cli: Cli, tmp_path: Path
) -> None:
    at = DAY - timedelta(hours=10)
    other = {"id": "other", "status": "completed", "created_at": _iso(DAY - timedelta(hours=1))}
    path = _write(tmp_path / "runs.jsonl", [_waiting(at), other])
    assert cli("import", str(path), "-a", "refunds").code == 0
    stale = [f for f in _findings(cli, "refunds") if f["kind"] == "inbox_stale"]
    assert stale[0]["severity"] == "act" and stale[0]["evidence"]["job_ids"] == ["refund-7"]

    answered = _waiting(at) | {"status": "completed", "finished_at": _iso(at + timedelta(hours=2))}
    answered["human_requests"][0] |= {
        "status": "approved",
        "answered_at": _iso(at + timedelta(hours=2)),
    }
    ran = cli("import", str(_write(path, [answered, other])), "-a", "refunds")
    assert ran.code == 0
    assert "1 updated" in ran.out and "1 unchanged" in ran.out

    job = cli("job", "refund-7", "--json").json()
    assert job["status"] == "completed"
    assert [r["status"] for r in job["human_requests"]] == ["approved"]
    stale = [f for f in _findings(cli, "refunds") if f["kind"] == "inbox_stale"]
    assert [f["severity"] for f in stale] == ["ok"]
    assert stale[0]["evidence"]["job_ids"] == []


def test_status_that_contradicts_the_run_is_corrected_or_reported(cli: Cli, tmp_path: Path) -> None:
    said_done = _waiting(DAY - timedelta(hours=2)) | {"status": "completed"}
    no_model = {
        "id": "no-model",
        "status": "completed",
        "created_at": _iso(DAY - timedelta(hours=1)),
        "output": "Invoice approved.",
        "steps": [
            {"kind": "model", "name": "gpt-4o", "error": "HTTP 401 Unauthorized"},
            {"kind": "model", "name": "gpt-4o", "error": {"error": "invalid_api_key"}},
        ],
    }
    path = _write(tmp_path / "r.jsonl", [said_done, no_model])
    first = cli("import", str(path), "-a", "inv", "--json")
    assert (first.code, first.json()["imported"], first.json()["corrected"]) == (0, 2, 1)
    assert cli("import", str(path), "-a", "inv", "--json").json()["unchanged"] == 2
    assert cli("job", "refund-7", "--json").json()["status"] == "needs_input"

    contradictions = [f for f in _findings(cli, "inv") if f["kind"] == "status_contradiction"]
    acts = [f for f in contradictions if f["severity"] == "act"]
    assert len(acts) == 1
    assert acts[0]["evidence"]["job_ids"] == ["no-model"]


def test_ten_times_the_input_tokens_on_the_last_day_is_an_estimated_cost_spike(
    cli: Cli, tmp_path: Path
) -> None:
    runs = []
    for i in range(7 * 12):  # a week before, 12 runs a day, no costs logged
        at = DAY - timedelta(days=7) + timedelta(hours=2 * i)
        runs.append(_priced_run(f"base-{i}", at, input_tokens=3_000 + 10 * (i % 7)))
    for i in range(12):  # the last day: ten times the input per job
        at = DAY + timedelta(hours=2 * i)
        runs.append(_priced_run(f"day-{i}", at, input_tokens=30_000 + 10 * i))
    ran = cli("import", str(_write(tmp_path / "r.jsonl", runs)), "-a", "triage", "--json")
    summary = ran.json()
    assert (ran.code, summary["errors"], summary["estimated_costs"]) == (0, [], 96)
    assert summary["unknown_models"] == {}

    end = _iso(DAY + timedelta(days=1))
    (cost,) = [f for f in _findings(cli, "triage", "--at", end) if f["kind"] == "cost_spike"]
    assert cost["severity"] == "act"
    assert "estimated from tokens" in cost["title"]
    assert cost["evidence"]["cost_estimated_jobs"] == 12


def _priced_run(name: str, at: datetime, input_tokens: int) -> dict[str, Any]:
    """A completed run with one gpt-4o call that logged tokens but no cost."""
    step = {"kind": "model", "name": "gpt-4o", "model": "gpt-4o"}
    step |= {"input_tokens": input_tokens, "output_tokens": 300}
    return {"id": name, "status": "completed", "created_at": _iso(at), "steps": [step]}

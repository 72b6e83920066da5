"""A realistic invoice-triage agent log in the JSONL format, written the way agents write
them: payloads as JSON objects, tool arguments as JSON strings (OpenAI tool-call style)
with varied spacing and key order, timestamps as epoch seconds, epoch milliseconds and
ISO 8601 with a lowercase ``t``/``z``, counts as integral floats, enum values in upper or
mixed case. Deterministic: the same call writes the same text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

ASSIGNMENT = "invoice-triage"
START = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
VENDOR_ARGUMENTS = (  # the same call logged three ways: one canonical text
    '{"vendor_id": 8812, "country": "DE"}',
    '{"country":"DE","vendor_id":8812}',
    '{ "country" : "DE" ,\n "vendor_id" : 8812 }',
)
CANONICAL_VENDOR_ARGUMENTS = '{"country":"DE","vendor_id":8812}'
_STATUS = ("COMPLETED", "Completed", "completed", "FAILED", "NEEDS_INPUT")


def _times(i: int) -> tuple[object, object, object]:
    """``(created_at, started_at, finished_at)`` of run ``i`` in three notations."""
    at = START + timedelta(hours=3 * i)
    done = at + timedelta(seconds=4, milliseconds=250)
    created: object = int(at.timestamp())  # epoch seconds
    started: object = at.timestamp() * 1000 + 0.0  # epoch milliseconds, as a float
    finished: object = _iso(done)
    if i % 4 == 1:
        created = at.isoformat().replace("+00:00", "z")
    return created, started, finished


def _iso(at: datetime) -> str:
    """ISO 8601 with a lowercase ``t`` and ``z``: ``2026-02-02t08:00:04.250000z``."""
    return at.isoformat().replace("+00:00", "z").replace("T", "t")


def _steps(i: int, status: str) -> list[dict[str, Any]]:
    at_ms = (START + timedelta(hours=3 * i)).timestamp() * 1000
    model = {
        "kind": "MODEL" if i % 2 else "Model",
        "name": "gpt-4o-mini",
        "model": "gpt-4o-mini",
        "started_at": at_ms + 10,
        "duration_ms": 850.0,
        "input_tokens": 1200.0,
        "output_tokens": 96,
        "cache_read_tokens": 1024.0,
        "cache_write_tokens": 0,
        "max_tokens": 1024.0,
        "finish_reason": "tool_calls",
        "cost_usd": 0.00042,
    }
    lookup = {
        "kind": "TOOL",
        "name": "lookup_vendor",
        "connection": "erp",
        "arguments": VENDOR_ARGUMENTS[i % 3],
        "result": {"vendor": "Acme GmbH", "iban_verified": True, "terms_days": 30},
        "started_at": (at_ms + 900) / 1000,  # epoch seconds, fractional
        "duration_ms": 120,
        "status": "OK",
    }
    post: dict[str, Any] = {
        "kind": "tool",
        "name": "post_invoice",
        "connection": "erp",
        "arguments": {"invoice": f"INV-{4100 + i}", "amount": 1250.0 + i, "currency": "EUR"},
        "result": {"posted": True, "ledger_id": 90000 + i},
        "started_at": _iso(START + timedelta(hours=3 * i, seconds=2)),
        "duration_ms": 300.0,
    }
    if status == "FAILED":
        post |= {
            "status": "ERROR",
            "result": None,
            "error": {"error": {"message": "Rate limited", "code": "rate_limited"}},
        }
    steps = [model, lookup, post]
    if status == "NEEDS_INPUT":
        steps.append({"kind": "GATE", "name": "amount_over_5000", "started_at": at_ms + 3000})
    return steps


def invoice_runs(count: int = 20) -> list[dict[str, Any]]:
    """``count`` runs of the invoice-triage agent, as JSON-ready dicts, in time order."""
    runs = []
    for i in range(count):
        status = _STATUS[i % len(_STATUS)]
        created, started, finished = _times(i)
        run: dict[str, Any] = {
            "id": f"inv-run-{i:03d}" if i != 7 else 1007,
            "assignment": ASSIGNMENT,
            "revision": 2.0,
            "source": ("TRIGGER", "Scheduled", "api")[i % 3],
            "status": status,
            "created_at": created,
            "started_at": started,
            "finished_at": finished,
            "duration_ms": 4250.0,
            "input": {
                "email": {"from": f"billing{i}@acme.example", "subject": f"Invoice INV-{4100 + i}"},
                "attachments": [{"name": f"INV-{4100 + i}.pdf", "pages": 2}],
            },
            "input_type": "email",
            "output": {"decision": "post", "invoice": f"INV-{4100 + i}", "amount": 1250.0 + i},
            "verdict": ("ACCEPTED", "Rejected")[i % 2],
            "cost_usd": 0.00042,
            "model": "gpt-4o-mini",
            "case": {"id": f"INV-{4100 + i}", "queue": "invoices", "status": "COMPLETED"},
            "steps": _steps(i, status),
        }
        if status == "FAILED":
            run |= {
                "output": None,
                "failure_kind": "tool_error",
                "error": {"error": {"message": "Rate limited", "code": "rate_limited"}},
                "case": run["case"] | {"status": "Postponed", "postponed_until": 1893456000},
            }
        if status == "NEEDS_INPUT":
            run["human_requests"] = [
                {
                    "type": "APPROVAL",
                    "status": "Pending",
                    "gate": "amount_over_5000",
                    "question": f"Post INV-{4100 + i} over 5,000 EUR?",
                    "created_at": (START + timedelta(hours=3 * i, seconds=3)).timestamp() * 1000,
                    "step": 4.0,
                }
            ]
            run["case"] = run["case"] | {"status": "needs_input"}
        runs.append(run)
    return runs


def invoice_jsonl(count: int = 20) -> str:
    """The runs as JSONL text, each line written with different JSON spacing."""
    styles: list[dict[str, Any]] = [{}, {"separators": (",", ":")}, {"sort_keys": True}]
    lines = [json.dumps(run, **styles[i % 3]) for i, run in enumerate(invoice_runs(count))]
    return "\n".join(lines) + "\n"

"""Scenarios of the first daily-check list (docs/daily-check.md): the Activity Inbox, the
Case Queue and the Jobs List. The Team Insights items (latency, spot-check, volume,
sources) are in ``cases_first_insights``.

Each twin is the same week without the fault: the inbox week keeps its few answered
approvals, the case week its baseline of failed and Needs Input cases, the invoice week
its rare failures.
"""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.framework import Scenario
from tests.scenarios.weeks import (
    WINDOW_END,
    Run,
    Week,
    ask,
    fail_at,
    iso,
    quiet_week,
    with_cases,
)

# --- Activity Inbox ------------------------------------------------------------------------

AMOUNT_GATE = "amount_over_limit"
VENDOR_GATE = "vendor_not_in_master_data"


def _approvals() -> Week:
    """Hourly invoice filing; one run in twelve (an amount over the limit) waits for an
    approval that a person gives within 20 minutes: 14 in the baseline, 2 in the window."""
    week = quiet_week("invoice-approvals", seed=71)
    for n, run in enumerate(week.runs):
        if n % 12 == 5:
            ask(
                run, AMOUNT_GATE, f"Approve invoice {run['id']} over 10,000 EUR?", answer="approved"
            )
    return week


def _needs_input_spike() -> tuple[list[Week], set[str]]:
    """From 06:00 the invoices name vendors missing from the master data: seven window
    runs ask whether to create the vendor (9 requests raised against about 2 expected);
    the first five were answered, the last two wait."""
    week = _approvals()
    asking = [run for run in week.window[6:23:2] if "human_requests" not in run][:7]
    for n, run in enumerate(asking):
        question = f"Vendor of {run['id']} is not in the master data: create it?"
        answer = "answered" if n < 5 else None
        ask(run, VENDOR_GATE, question, kind="question", answer=answer)
    return [week], {run["id"] for run in asking}


def _approval_left_pending() -> tuple[list[Week], set[str]]:
    """The window's 05:30 approval (over 18 h before the window end) was never answered:
    the run still waits in Needs Input."""
    week = _approvals()
    run = next(r for r in week.window if "human_requests" in r)
    request = run["human_requests"][0]
    week.runs[week.runs.index(run)] = _unanswered(run, request)
    return [week], {run["id"]}


def _unanswered(run: Run, request: Run) -> Run:
    """``run`` as it looks when ``request`` (its gate's) was never answered."""
    gate = next(step for step in run["steps"] if step["kind"] == "gate")
    run["steps"] = run["steps"][: run["steps"].index(gate) + 1]
    gate.pop("duration_ms", None)
    for key in ("finished_at", "output", "verdict"):
        run.pop(key, None)
    run["status"] = "needs_input"
    for key in ("status", "response", "answered_at"):
        request.pop(key)
    return run


# --- Case Queue ----------------------------------------------------------------------------

CASE_FAILURES = (
    ("file_invoice", "E1001: purchase order is closed"),
    ("lookup_invoice", "Vendor VAT id missing on the invoice"),
)


def _case_queue() -> Week:
    """Runs started from the invoice queue at random times, about 1 an hour, each on a case
    of its own. Baseline: 1 case in 60 failed, 1 in 24 waits on the requester (Needs
    Input); postponed cases were all taken back and completed since (statuses are today's,
    so the baseline has none)."""
    week = with_cases(quiet_week("invoice-queue", seed=72, source="case"), "invoices")
    for n, run in enumerate(week.runs):
        if n % 60 == 17:
            _fail_case(run, n)
        elif n % 24 == 9:
            _wait_on_requester(run)
        elif n % 30 == 3 and n + 2 < len(week.runs):
            _postponed_and_taken_back(run, week.runs[n + 2])
    return week


def _fail_case(run: Run, n: int) -> Run:
    """The run failed and so did its case."""
    step, error = CASE_FAILURES[n % len(CASE_FAILURES)]
    fail_at(run, step, error, failure_kind="tool_error")
    run["case"]["status"] = "failed"
    return run


def _wait_on_requester(run: Run) -> Run:
    """The run asked the invoice's requester for its PO number through the queue: the run
    completed, the case waits (Needs Input)."""
    run["case"]["status"] = "needs_input"
    run["output"] = {"asked": "requester", "missing": "purchase order number"}
    return run


def _postponed_and_taken_back(run: Run, later: Run) -> None:
    """``run`` postponed its case until ``later`` started; ``later`` took it up again and
    completed it (``later`` worked on that case instead of its own)."""
    run["case"] |= {"status": "postponed", "postponed_until": later["created_at"]}
    later["case"] = dict(run["case"], status="completed")
    later["case"].pop("postponed_until")


def _cases_failed() -> tuple[list[Week], set[str]]:
    """Five window cases fail on closed purchase orders (the ERP closed last month's)."""
    week = _case_queue()
    failed = [r for r in week.window if r["case"]["status"] == "completed"][2:22:4]
    for run in failed:
        fail_at(run, "file_invoice", "E1001: purchase order is closed", failure_kind="tool_error")
        run["case"]["status"] = "failed"
    return [week], {run["id"] for run in failed}


def _cases_waiting() -> tuple[list[Week], set[str]]:
    """Six window cases wait on their requester (a new invoice form without the PO number
    field): 25% against about 4% in the baseline."""
    week = _case_queue()
    waiting = [r for r in week.window if r["case"]["status"] == "completed"][1:19:3]
    for run in waiting:
        _wait_on_requester(run)
    return [week], {run["id"] for run in waiting}


def _cases_postponed() -> tuple[list[Week], set[str]]:
    """The ERP answers 'retry later' from 12:00: the runs postpone their cases until 6 h
    after the window end (not yet due, so not overdue)."""
    week = _case_queue()
    postponed = [r for r in week.window[12:] if r["case"]["status"] == "completed"][:5]
    for run in postponed:
        run["case"] |= {
            "status": "postponed",
            "postponed_until": iso(WINDOW_END + timedelta(hours=6)),
        }
        run["output"] = {"postponed": "ERP answered 503: retry later"}
    return [week], {run["id"] for run in postponed}


# --- Jobs List: failed jobs, contradictions, connection auth --------------------------------

SPIKE_ERRORS = (
    ("file_invoice", "E1001: purchase order is closed"),
    ("lookup_invoice", "Vendor VAT id missing on the invoice"),
    ("file_invoice", "422 Unprocessable Entity: field 'cost_center' is required"),
)


def _invoices() -> Week:
    """Hourly invoice filing; 1 run in 60 fails (3 of 168 in the baseline)."""
    week = quiet_week("invoice-filing", seed=73)
    for n, run in enumerate(week.runs):
        if n % 60 == 41:
            step, error = SPIKE_ERRORS[n % 2]
            fail_at(run, step, error, failure_kind="tool_error")
    return week


def _failed_spike() -> tuple[list[Week], set[str]]:
    """Six window jobs (email and pdf alike) fail at two steps with three different
    errors (a new invoice layout): 25% failed against 1.8% in the baseline."""
    week = _invoices()
    failed = [r for r in week.window if r["status"] == "completed"][1:24:3][:6]
    for n, run in enumerate(failed):
        step, error = SPIKE_ERRORS[n % 3]
        fail_at(run, step, error, failure_kind="tool_error")
    return [week], {run["id"] for run in failed}


PROVIDER_DOWN = "openai.APIConnectionError: Connection error."


def _completed_without_model() -> tuple[list[Week], set[str]]:
    """During a provider blip at 14:00–16:00 the model call of two runs failed, and the
    agent answered with its fallback text and reported the run completed."""
    week = quiet_week("invoice-summaries", seed=74)
    runs = week.window[14:16]
    for run in runs:
        model = run["steps"][0]
        for key in ("cost_usd", "input_tokens", "output_tokens", "finish_reason"):
            model.pop(key, None)
        model["error"] = PROVIDER_DOWN
        run["steps"] = [model]
        run["output"] = "Invoice processed."
        run.pop("verdict")
    return [week], {run["id"] for run in runs}


TOKEN_EXPIRED = {
    "error": "invalid_grant",
    "error_description": "Token has been expired or revoked.",
}


def _token_expired() -> tuple[list[Week], set[str]]:
    """The ERP connection's OAuth token expires at 13:00: from then on every run's first
    ERP call fails with invalid_grant (11 jobs)."""
    week = quiet_week("invoice-erp", seed=75)
    failed = week.window[13:]
    for run in failed:
        fail_at(run, "lookup_invoice", TOKEN_EXPIRED, failure_kind="tool_error")
    return [week], {run["id"] for run in failed}


SCENARIOS = [
    Scenario(
        name="inbox_needs_input_spike_at_one_gate",
        kind="inbox_pending",
        severity="watch",
        build=_needs_input_spike,
        twin=lambda: [_approvals()],
    ),
    Scenario(
        name="inbox_approval_unanswered_18_hours",
        kind="inbox_stale",
        severity="act",
        build=_approval_left_pending,
        twin=lambda: [_approvals()],
    ),
    Scenario(
        name="case_failed_rate_closed_purchase_orders",
        kind="case_failed_rate",
        severity="act",
        build=_cases_failed,
        twin=lambda: [_case_queue()],
    ),
    Scenario(
        name="case_needs_input_rate_missing_po_number",
        kind="case_needs_input_rate",
        severity="watch",
        build=_cases_waiting,
        twin=lambda: [_case_queue()],
    ),
    Scenario(
        name="case_postponed_rate_erp_retry_later",
        kind="case_postponed_rate",
        severity="watch",
        build=_cases_postponed,
        twin=lambda: [_case_queue()],
    ),
    Scenario(
        name="needs_attention_failed_jobs_spike",
        kind="needs_attention",
        severity="act",
        build=_failed_spike,
        twin=lambda: [_invoices()],
    ),
    Scenario(
        name="status_completed_though_every_model_call_failed",
        kind="status_contradiction",
        severity="act",
        build=_completed_without_model,
        twin=lambda: [quiet_week("invoice-summaries", seed=74)],
    ),
    Scenario(
        name="connection_auth_token_expires_mid_window",
        kind="connection_auth",
        severity="act",
        build=_token_expired,
        twin=lambda: [quiet_week("invoice-erp", seed=75)],
        absent=("failure_cluster",),
    ),
]

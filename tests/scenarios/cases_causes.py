"""Scenarios of issue #6 "one cause, one finding": error classes with their own responses,
views of one cause folded into it, honest concentration claims.

Each fault comes with its clean twin: the same week without it (for the input-type
scenario, the same failures spread evenly over the input types).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.scenarios.framework import Scenario
from tests.scenarios.weeks import (
    WINDOW_START,
    Run,
    Week,
    burst,
    connect_tools,
    fail_at,
    quiet_week,
)


def _refused(model_step: Run) -> None:
    """A model call the provider refused: no tokens used, nothing billed."""
    for key in ("cost_usd", "input_tokens", "output_tokens"):
        model_step.pop(key, None)


# --- connection auth across three assignments (crm-oauth) ---------------------------------

CRM_ASSIGNMENTS = (("crm-sales", 14), ("crm-support", 13), ("crm-billing", 13))  # 40 jobs
AUTH_ERRORS: tuple[Any, ...] = (
    "HTTP 401",
    {"error": "invalid_grant"},
    "Request failed with status code 401",
)
CRM_BURST_AT = WINDOW_START + timedelta(hours=14, minutes=5)


def _crm_weeks(fail: bool) -> tuple[list[Week], set[str]]:
    """Three assignments on connection crm-oauth; each gets a ten-minute batch of runs at
    14:05, which (``fail``) all fail on the connection with one of three 401 wordings."""
    weeks, injected = [], set()
    for n, (name, count) in enumerate(CRM_ASSIGNMENTS):
        week = quiet_week(
            name, seed=n, tools=("lookup_contact", "update_contact"), connection="crm-oauth"
        )
        batch = burst(
            week,
            CRM_BURST_AT,
            count,
            prefix=f"{name}-batch",
            tools=("lookup_contact", "update_contact"),
            connection="crm-oauth",
        )
        if fail:
            for i, run in enumerate(batch):
                fail_at(run, "update_contact", AUTH_ERRORS[(i + n) % 3])
                injected.add(run["id"])
        weeks.append(week)
    return weeks, injected


# --- model_not_found ×40 -------------------------------------------------------------------

MODEL_GONE: tuple[Any, ...] = (
    {
        "error": {
            "message": "The model `gpt-4-0314` has been deprecated, learn more here: "
            "https://platform.openai.com/docs/deprecations",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
    },
    "404 model not found",
    "The model `gpt-4-0314` does not exist or you do not have access to it.",
    "openai.NotFoundError: Error code: 404 - {'error': {'message': 'The model `gpt-4-0314` "
    "does not exist or you do not have access to it.', 'type': 'invalid_request_error', "
    "'param': None, 'code': 'model_not_found'}}",
)


def _reports_week() -> Week:
    return quiet_week("report-writer", seed=2, per_hour=2)


def _model_gone() -> tuple[list[Week], set[str]]:
    """From 04:00 on, a new revision calls the retired gpt-4-0314: its only model call
    fails (four wordings), 40 jobs."""
    week = _reports_week()
    injected = set()
    for i, run in enumerate(week.window[-40:]):
        model = run["steps"][0]
        model["name"] = model["model"] = "gpt-4-0314"
        _refused(model)
        fail_at(run, "gpt-4-0314", MODEL_GONE[i % 4], failure_kind="model_error")
        injected.add(run["id"])
    return [week], injected


# --- rate-limit burst ----------------------------------------------------------------------

RATE_LIMITED: tuple[Any, ...] = (
    {
        "error": {
            "message": "Rate limit reached for gpt-4o in organization org-7 on tokens per min "
            "(TPM): Limit 30000, Used 29750, Requested 1200. Please try again in 1.9s.",
            "type": "tokens",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    },
    "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for "
    "gpt-4o', 'code': 'rate_limit_exceeded'}}",
    "429 Too Many Requests",
)
RATE_BURST_AT = WINDOW_START + timedelta(hours=9)


def _triage_week(fail: bool) -> tuple[list[Week], set[str]]:
    """A batch of 12 runs within 20 minutes at 09:00; (``fail``) their model call is
    rate limited."""
    week = quiet_week("ticket-triage", seed=3)
    batch = burst(week, RATE_BURST_AT, 12, minutes=20)
    injected = set()
    if fail:
        for i, run in enumerate(batch):
            fail_at(run, "gpt-4o", RATE_LIMITED[i % 3], failure_kind="retries_exhausted")
            injected.add(run["id"])
    return [week], injected


# --- context overflow ----------------------------------------------------------------------

OVERFLOW = {
    "error": {
        "message": "This model's maximum context length is 128000 tokens. However, your "
        "messages resulted in 131072 tokens. Please reduce the length of the messages.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "context_length_exceeded",
    }
}


def _contracts_week() -> Week:
    return quiet_week("contract-review", seed=4, tools=("fetch_document", "file_summary"))


def _overflowing(run: Run, size: int) -> None:
    """``run`` fetched a ``size``-character document, then its next model call overflowed."""
    model, fetch = run["steps"][0], run["steps"][1]
    fetch["result"] = "clause " * (size // 7)
    second = dict(model, error=OVERFLOW)
    _refused(second)
    run["steps"] = [model, fetch, second]  # (fail_at would stop at the first gpt-4o step)
    run |= {"status": "failed", "error": OVERFLOW, "failure_kind": "model_error"}
    run.pop("output")
    run.pop("verdict")


def _context_overflow() -> tuple[list[Week], set[str]]:
    """Six window jobs fetch a document of 300–400 kB; the next model call overflows."""
    week = _contracts_week()
    injected = set()
    for i, run in enumerate(week.window[2:20:3]):
        _overflowing(run, 300_000 + 20_000 * i)
        injected.add(run["id"])
    return [week], injected


# --- invalid input on the first step -------------------------------------------------------

BAD_INPUT: tuple[Any, ...] = (
    {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "messages: text content blocks must be non-empty",
        },
    },
    {
        "error": {
            "message": "Invalid 'messages[1].content[0].image_url.url': Expected a base64-"
            "encoded data URL with an image MIME type, but got unsupported MIME type "
            "'application/octet-stream'.",
            "type": "invalid_request_error",
            "param": "messages[1].content[0].image_url.url",
            "code": "invalid_value",
        }
    },
)


def _intake_week() -> Week:
    return quiet_week("invoice-intake", seed=5)


def _bad_input() -> tuple[list[Week], set[str]]:
    """Six window jobs arrive with an empty or unreadable input; their first step (the
    model call) fails."""
    week = _intake_week()
    injected = set()
    for i, run in enumerate(week.window[1:19:3]):
        run["input"] = {} if i % 2 == 0 else {"attachment": "blob:7f3a"}
        first = run["steps"][0]
        _refused(first)
        fail_at(run, first["name"], BAD_INPUT[i % 2], failure_kind="model_error")
        injected.add(run["id"])
    return [week], injected


# --- failures on one input type ------------------------------------------------------------

CODE_ERRORS = (
    ("lookup_invoice", "KeyError: 'total'"),
    ("file_invoice", "ValueError: could not convert string to float: 'N/A'"),
    ("lookup_invoice", "IndexError: list index out of range"),
    ("file_invoice", "TypeError: unsupported operand type(s) for +: 'int' and 'str'"),
    ("lookup_invoice", "AttributeError: 'NoneType' object has no attribute 'pages'"),
    ("file_invoice", "ZeroDivisionError: division by zero"),
    ("lookup_invoice", "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe2"),
    ("file_invoice", "RecursionError: maximum recursion depth exceeded"),
)
INPUT_TYPES = ("email", "pdf", "form")


def _documents_week() -> Week:
    return quiet_week("document-filing", seed=6, per_hour=8, input_types=INPUT_TYPES)


def _fail_eight(week: Week, runs: list[Run]) -> set[str]:
    """The same eight failures (steps and errors) on ``runs``."""
    for run, (step, error) in zip(runs, CODE_ERRORS, strict=True):
        fail_at(run, step, error, failure_kind="tool_error")
    return {run["id"] for run in runs}


def _on_pdf() -> tuple[list[Week], set[str]]:
    """Eight window jobs fail, all of them pdf (a third of all jobs are)."""
    week = _documents_week()
    pdfs = [r for r in week.window if r["input_type"] == "pdf"]
    return [week], _fail_eight(week, pdfs[3:59:7])


def _spread_over_types() -> list[Week]:
    """The same eight failures on jobs of every input type."""
    week = _documents_week()
    _fail_eight(week, week.window[3:176:22])
    return [week]


# --- failures in one hour (an outage) ------------------------------------------------------

OVERLOADED = {
    "error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}
}
READ_TIMEOUT = (
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='erp.example.com', port=443): "
    "Read timed out. (read timeout=30)"
)
OUTAGE: tuple[tuple[str, Any], ...] = (("gpt-4o", OVERLOADED), ("lookup_order", READ_TIMEOUT))


def _orders_week() -> Week:
    return quiet_week("order-updates", seed=7, per_hour=6, tools=("lookup_order", "update_order"))


def _outage() -> tuple[list[Week], set[str]]:
    """Every job started between 14:00 and 15:00 fails: half on the model (503), half on
    the ERP connection (timeouts). No single error or place covers them; the hour does."""
    week = _orders_week()
    hour = [r for r in week.window if r["created_at"][11:13] == "14"]
    for i, run in enumerate(hour):
        step, error = OUTAGE[i % 2]
        fail_at(run, step, error, failure_kind="infrastructure_error")
    return [week], {run["id"] for run in hour}


# --- failures spread over many connections (SOP logic) -------------------------------------

ONBOARDING_TOOLS = {
    "lookup_customer": "crm",
    "create_ticket": "helpdesk",
    "send_email": "gmail",
    "append_row": "sheets",
}
LOGIC_ERRORS = (
    ("lookup_customer", "KeyError: 'customer_id'"),
    ("create_ticket", "422 Unprocessable Entity: field 'email' is required"),
    ("send_email", "ValueError: recipient list is empty"),
    ("append_row", "400 Bad Request: Unable to parse range: Sheet1!A0"),
    ("lookup_customer", "TypeError: 'NoneType' object is not subscriptable"),
    ("create_ticket", "409 Conflict: ticket already exists for this thread"),
    ("send_email", "Invalid To header: missing address"),
    ("append_row", "Requested entity was not found: worksheet 'Onboarding'"),
)


def _onboarding_week() -> Week:
    week = quiet_week("customer-onboarding", seed=8, tools=tuple(ONBOARDING_TOOLS))
    return connect_tools(week, ONBOARDING_TOOLS)


def _sop_logic() -> tuple[list[Week], set[str]]:
    """Eight window jobs fail at four different tools on four connections with data and
    logic errors: no common step or connection, the SOP is at fault."""
    week = _onboarding_week()
    runs = week.window[2:24:3][:8]
    for run, (step, error) in zip(runs, LOGIC_ERRORS, strict=True):
        fail_at(run, step, error, failure_kind="tool_error")
    return [week], {run["id"] for run in runs}


SCENARIOS = [
    Scenario(
        name="connection_auth_crm_oauth_three_assignments",
        kind="connection_auth",
        severity="act",
        build=lambda: _crm_weeks(fail=True),
        twin=lambda: _crm_weeks(fail=False)[0],
        absent=("failure_cluster",),
    ),
    Scenario(
        name="model_not_found_40_jobs",
        kind="failure_cluster",
        severity="act",
        build=_model_gone,
        twin=lambda: [_reports_week()],
    ),
    Scenario(
        name="rate_limit_burst",
        kind="failure_cluster",
        severity="act",
        build=lambda: _triage_week(fail=True),
        twin=lambda: _triage_week(fail=False)[0],
    ),
    Scenario(
        name="context_overflow_largest_output",
        kind="failure_cluster",
        severity="act",
        build=_context_overflow,
        twin=lambda: [_contracts_week()],
    ),
    Scenario(
        name="invalid_input_first_step",
        kind="failure_cluster",
        severity="act",
        build=_bad_input,
        twin=lambda: [_intake_week()],
    ),
    Scenario(
        name="failures_on_one_input_type",
        kind="failure_cluster",
        severity="act",
        build=_on_pdf,
        twin=_spread_over_types,
    ),
    Scenario(
        name="failures_in_one_hour_outage",
        kind="failure_cluster",
        severity="act",
        build=_outage,
        twin=lambda: [_orders_week()],
    ),
    Scenario(
        name="failures_spread_over_connections_sop_logic",
        kind="failure_cluster",
        severity="act",
        build=_sop_logic,
        twin=lambda: [_onboarding_week()],
    ),
]

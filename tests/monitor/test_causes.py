"""One cause, one finding, over the whole daily check: error classes with their own
responses, the views of one cause folded into it, honest concentration claims."""

from __future__ import annotations

from typing import Any

from scipy.stats import fisher_exact

from sopwatch.domain.enums import JobStatus, Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks._causes import (
    RESPONSE_INVALID_INPUT,
    RESPONSE_MODEL_NOT_FOUND,
    RESPONSE_RATE_LIMIT,
    RESPONSE_REAUTHORIZE,
)
from sopwatch.monitor.checks._concentration import concentration
from sopwatch.monitor.checks.clusters import RESPONSE_MANY_CONNECTIONS, check_failure_clusters
from sopwatch.monitor.daily_check import run_daily_check

from .builders import Ctx, model, tool

AUTH_ERRORS = ["HTTP 401", '{"error":"invalid_grant"}', "Request failed with status code 401"]
MODEL_GONE = [
    '{"error":{"message":"The model `gpt-4-0314` has been deprecated","type":'
    '"invalid_request_error","code":"model_not_found"}}',
    "404 model not found",
    "The model `gpt-4-0314` does not exist or you do not have access to it.",
    "openai.NotFoundError: Error code: 404 - {'error': {'message': 'The model `gpt-4-0314` "
    "does not exist', 'type': 'invalid_request_error', 'code': 'model_not_found'}}",
]


def _model(error: str | None = None, name: str = "gpt-4o", **extra: Any) -> dict[str, Any]:
    return {**model(0.004, error=error), "name": name, "model": name, **extra}


def _day(ctx: Ctx, jobs: int = 40) -> None:
    """Healthy jobs spread over the window day, and a healthy baseline."""
    ctx.baseline(200)
    for i in range(jobs):
        steps = [_model(), tool("lookup_contact", connection="crm-oauth")]
        ctx.job(at=i * 24 / jobs, steps=steps, input_type=["email", "pdf"][i % 2])


def _loud(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity != Severity.OK]


def _failure_kinds(findings: list[Finding]) -> list[str]:
    """The kinds of the watch/act findings about failures (volume and cost aside)."""
    failures = ("needs_attention", "failure_cluster", "connection_auth", "status_contradiction")
    return [f.kind for f in _loud(findings) if f.kind in failures]


def test_auth_errors_worded_three_ways_give_one_connection_auth_finding() -> None:
    ctx = Ctx()
    _day(ctx)
    for i in range(13):  # ten minutes of failures on one connection
        error = AUTH_ERRORS[i % 3]
        steps = [_model(), tool("update_contact", error=error, connection="crm-oauth")]
        ctx.job(JobStatus.FAILED, at=14 + i / 78, steps=steps, external_id=f"auth-{i}")
    findings = run_daily_check(ctx.build()).findings
    (auth,) = [f for f in findings if f.kind == "connection_auth"]
    assert auth.severity == Severity.ACT
    assert auth.evidence["job_ids"] == [f"auth-{i}" for i in range(13)]
    assert auth.evidence["error_class"] == "auth"
    assert auth.response == RESPONSE_REAUTHORIZE
    views = {v["view"]: v for v in auth.evidence["also"]}
    assert set(views) == {"cause", "hour"}  # by error and by hour: the same 13 jobs
    assert views["cause"]["fingerprints"] == {
        "HTTP 401": 5,
        "invalid_grant": 4,
        "Request failed with status code 401": 4,
    }
    assert views["hour"]["hour_utc"] == 14 and views["hour"]["p_value"] < 0.05
    assert _failure_kinds(findings) == ["needs_attention", "connection_auth"]


def test_a_retired_model_worded_four_ways_is_one_model_not_found_finding() -> None:
    ctx = Ctx()
    _day(ctx, jobs=8)
    for i in range(40):
        steps = [_model(MODEL_GONE[i % 4], name="gpt-4-0314")]
        ctx.job(JobStatus.FAILED, at=i * 0.5, steps=steps, external_id=f"m-{i}")
    findings = run_daily_check(ctx.build()).findings
    classed = [f for f in findings if f.evidence.get("error_class") == "model_not_found"]
    (finding,) = classed
    assert (finding.kind, finding.severity) == ("failure_cluster", Severity.ACT)
    assert finding.evidence["job_ids"] == [f"m-{i}" for i in range(40)]
    assert finding.evidence["model"] == "gpt-4-0314"
    assert finding.response == RESPONSE_MODEL_NOT_FOUND
    assert finding.title.startswith("Model gpt-4-0314 fails with model not found in 40 jobs")
    assert "(+3 variants)" in finding.title
    assert _failure_kinds(findings) == ["needs_attention", "failure_cluster"]


def test_a_rate_limit_burst_gets_the_rate_limit_response_and_the_hour() -> None:
    ctx = Ctx()
    _day(ctx)
    burst = [
        '{"type":"error","error":{"type":"rate_limit_error","message":"Number of request '
        'tokens has exceeded your per-minute rate limit"}}',
        "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o', "
        "'code': 'rate_limit_exceeded'}}",
        "429 Too Many Requests",
    ]
    for i in range(9):
        ctx.job(JobStatus.FAILED, at=9 + i / 30, steps=[_model(), _model(burst[i % 3])])
    (finding,) = _loud(check_failure_clusters(ctx.build()))
    assert finding.evidence["error_class"] == "rate_limit"
    assert finding.response.startswith(RESPONSE_RATE_LIMIT)
    assert "between 09:00 and 10:00 UTC" in finding.response
    assert finding.evidence["also"][0]["view"] == "hour"


def test_context_overflow_names_the_step_whose_output_was_largest() -> None:
    ctx = Ctx()
    _day(ctx)
    overflow = (
        '{"error":{"message":"This model\'s maximum context length is 128000 tokens. However, '
        'your messages resulted in 131072 tokens.","code":"context_length_exceeded"}}'
    )
    for i in range(6):
        steps = [
            _model(),
            {**tool("fetch_document"), "result": "x" * 100, "result_bytes": 400_000 + i},
            {**tool("lookup_contact"), "result": "y" * 2_000},
            _model(overflow),
        ]
        ctx.job(JobStatus.FAILED, at=i * 3, steps=steps, external_id=f"c-{i}")
    (finding,) = _loud(check_failure_clusters(ctx.build()))
    ev = finding.evidence
    assert ev["error_class"] == "context_overflow"
    assert (ev["largest_output_step"], ev["largest_output_bytes"]) == ("fetch_document", 400_005)
    assert ev["largest_outputs"][0] == {
        "job_id": "c-0",
        "step": "fetch_document",
        "seq": 2,
        "bytes": 400_000,
    }
    assert "the largest here: fetch_document, 400,005 bytes in job c-5" in finding.response


def test_first_step_failures_read_as_invalid_input() -> None:
    ctx = Ctx()
    _day(ctx)
    errors = [
        '{"type":"error","error":{"type":"invalid_request_error","message":"messages: text '
        'content blocks must be non-empty"}}',
        "ValueError: invoice input has no 'amount' field",
        "Error code: 400 - unsupported image type",
    ]
    for i in range(6):  # worded three ways, one cause: the input
        ctx.job(JobStatus.FAILED, at=i * 4, steps=[_model(errors[i % 3])])
    (finding,) = _loud(check_failure_clusters(ctx.build()))
    assert finding.evidence["error_class"] == "invalid_input"
    assert finding.evidence["job_count"] == 6 and len(finding.evidence["fingerprints"]) == 3
    assert finding.response == RESPONSE_INVALID_INPUT


def test_logic_errors_spread_over_connections_point_to_the_sop() -> None:
    errors = [
        ("lookup_customer", "crm", "KeyError: 'customer_id'"),
        ("create_ticket", "helpdesk", "422 Unprocessable Entity: field 'email' is required"),
        ("append_row", "sheets", "ValueError: amount must be positive, got -12"),
    ]
    for base_failed, severity in ((0, Severity.ACT), (30, Severity.WATCH)):
        ctx = Ctx()
        _day(ctx)
        ctx.baseline(base_failed, JobStatus.FAILED)
        for i in range(6):
            name, conn, error = errors[i % 3]
            steps = [_model(), tool(name, error=f"{error} ({i})", connection=conn)]
            ctx.job(JobStatus.FAILED, at=i * 4, steps=steps)
        findings = [f for f in check_failure_clusters(ctx.build()) if f.severity != "ok"]
        spread = [f for f in findings if f.evidence["dimension"] == "connections"]
        assert len(spread) == 1 and spread[0].severity == severity, findings
        assert spread[0].response == RESPONSE_MANY_CONNECTIONS
        assert spread[0].evidence["connections"] == {"crm": 2, "helpdesk": 2, "sheets": 2}
        assert spread[0].title == (
            "6 failed jobs fail on 3 connections (crm: 2, helpdesk: 2, sheets: 2) with data or "
            "logic errors"
        )


def test_failures_mostly_on_one_input_type_are_worded_as_counted() -> None:
    ctx = Ctx()
    for i in range(42):
        ctx.job(at=i / 2, input_type="pdf" if i < 2 else "email")
    for i in range(6):
        steps = [_model(), tool(f"tool_{i}", error=f"E{i}")]
        ctx.job(JobStatus.FAILED, at=i * 4, steps=steps, input_type="pdf" if i else "email")
    (finding,) = [f for f in check_failure_clusters(ctx.build()) if f.severity != "ok"]
    assert finding.evidence["dimension"] == "input_type"
    assert finding.title == (
        "5 of 6 failed jobs have input type pdf, against 4.8% of the other 42 jobs (p < 0.001)"
    )
    assert finding.response.startswith("Failures concentrate on input type pdf (5 of 6 jobs)")
    assert "only" not in finding.response
    assert finding.evidence["count"] == 5 and finding.evidence["of"] == 6


def test_no_claim_without_a_test_supporting_it() -> None:
    ctx = Ctx()
    for i in range(42):  # half of all other jobs are pdf: 5 of 6 is no concentration
        ctx.job(at=i / 2, input_type=["pdf", "email"][i % 2])
    for i in range(6):
        steps = [_model(), tool(f"tool_{i}", error=f"E{i}")]
        ctx.job(JobStatus.FAILED, at=i * 4, steps=steps, input_type="pdf" if i else "email")
    findings = check_failure_clusters(ctx.build())
    assert [f.severity for f in findings] == [Severity.OK]


def test_the_concentration_test_is_corrected_for_the_values_it_could_pick() -> None:
    window: dict[int | None, int] = {h: 4 for h in range(24)}
    window[3] += 3
    window[7] += 1
    window[8] += 1
    window[9] += 1
    values = [3, 3, 3, 7, 8, 9]  # 3 of 6 failed jobs at 03:00, where 4 of 96 other jobs are
    _, raw = fisher_exact([[3, 3], [4, 92]], alternative="greater")
    assert raw < 0.05  # uncorrected, a "concentration"
    assert concentration(values, window, 102, 0.05) is None  # not after × 24 values
    hit = concentration(values, window, 102, 0.5)
    assert hit is not None and hit.values == 24 and abs(hit.p_value - 24 * raw) < 1e-9
    assert concentration([None, None], {None: 2, 1: 3}, 5, 0.05) is None
    assert concentration([1, 1], {1: 5}, 5, 0.05) is None  # every job has it

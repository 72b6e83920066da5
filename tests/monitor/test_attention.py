"""Jobs needing attention: failed and Needs Input jobs with the step where they stopped."""

from __future__ import annotations

from sopwatch.domain.enums import JobStatus, Severity
from sopwatch.monitor.checks._common import RESPONSE_FAILED_SPIKE
from sopwatch.monitor.checks.attention import check_needs_attention

from .builders import Ctx, gate, model, tool


def test_no_failed_or_waiting_jobs_is_ok() -> None:
    ctx = Ctx()
    ctx.job(steps=[model(), tool("search")])
    (finding,) = check_needs_attention(ctx.build())
    assert finding.kind == "needs_attention"
    assert finding.severity == Severity.OK
    assert finding.evidence["job_ids"] == []


def test_rows_name_the_failing_step_and_the_gate() -> None:
    ctx = Ctx()
    ctx.baseline(100)
    ctx.baseline(10, JobStatus.FAILED)
    for i in range(40):
        ctx.job(at=i % 24)
    failed = ctx.job(
        JobStatus.FAILED,
        steps=[model(), tool("lookup", error="KeyError: " + "x" * 300), model(), tool("send")],
        failure_kind="tool_error",
        external_id="run-17",
    )
    waiting = ctx.job(JobStatus.NEEDS_INPUT, steps=[model(), gate("refund_approval")])
    ctx.request(waiting, gate=None)
    (finding,) = check_needs_attention(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["job_ids"] == ["run-17", waiting.label]
    row_failed, row_waiting = finding.evidence["jobs"]
    assert row_failed["job_id"] == failed.label == "run-17"
    assert row_failed["step"] == "lookup"
    assert row_failed["failure_kind"] == "tool_error"
    assert row_failed["error_class"] == "code_error"
    assert finding.evidence["error_classes"] == {"code_error": 1}
    assert len(row_failed["error"]) == 120
    assert row_waiting == {
        "job_id": waiting.label,
        "status": "needs_input",
        "step": "refund_approval",
        "failure_kind": None,
        "error": None,
        "error_class": None,
    }


def test_failed_job_without_error_step_names_its_last_step() -> None:
    ctx = Ctx()
    ctx.job(JobStatus.FAILED, steps=[model(), tool("a"), tool("b")], error="boom")
    (finding,) = check_needs_attention(ctx.build())
    assert finding.evidence["jobs"][0]["step"] == "b"
    assert finding.evidence["jobs"][0]["error"] == "boom"


def test_failed_spike_is_act() -> None:
    ctx = Ctx()
    ctx.baseline(100)
    ctx.baseline(1, JobStatus.FAILED)
    for i in range(40):
        ctx.job(at=i % 24)
    for _ in range(10):
        ctx.job(JobStatus.FAILED, steps=[tool("x", error="boom")])
    (finding,) = check_needs_attention(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_FAILED_SPIKE
    assert finding.evidence["failed_steps"] == {"x": 10}


def test_failed_rate_under_five_percent_is_watch() -> None:
    ctx = Ctx()
    for i in range(40):
        ctx.job(at=i % 24)
    ctx.job(JobStatus.FAILED)  # 1 of 41 = 2.4%
    (finding,) = check_needs_attention(ctx.build())
    assert finding.severity == Severity.WATCH


def test_json_errors_show_as_their_summary_line() -> None:
    ctx = Ctx()
    ctx.job(
        JobStatus.FAILED,
        steps=[tool("crm", error='{"error":"invalid_grant","error_description":"Token expired"}')],
    )
    ctx.job(JobStatus.FAILED, error='{"error":{"code":"rate_limited","message":"Slow down"}}')
    (finding,) = check_needs_attention(ctx.build())
    assert [row["error"] for row in finding.evidence["jobs"]] == [
        "invalid_grant: Token expired",
        "rate_limited: Slow down",
    ]

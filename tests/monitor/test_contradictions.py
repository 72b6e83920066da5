"""Status contradictions: Needs Input nobody was asked for, completed after a failure."""

from __future__ import annotations

from sopwatch.domain.enums import HumanRequestStatus, JobStatus, Severity
from sopwatch.monitor.checks.contradictions import (
    ALL_MODEL_CALLS_FAILED,
    FAILED_LAST_STEP,
    NO_PENDING_REQUEST,
    RESPONSE_ALL_MODEL_CALLS_FAILED,
    RESPONSE_FAILED_LAST_STEP,
    RESPONSE_NO_PENDING_REQUEST,
    check_status_contradictions,
)

from .builders import Ctx, agent, gate, model, tool

JSON_ERROR = '{"error":{"code":"rate_limited","message":"Slow down"}}'


def test_consistent_jobs_are_ok() -> None:
    ctx = Ctx()
    ctx.job(steps=[model(), tool("search"), model()])
    waiting = ctx.job(JobStatus.NEEDS_INPUT, steps=[model(), gate("refund")])
    ctx.request(waiting, gate="refund")
    ctx.job(JobStatus.FAILED, steps=[model(error="boom")])  # failed: no contradiction
    ctx.job()  # completed without steps: nothing to contradict
    (finding,) = check_status_contradictions(ctx.build())
    assert finding.kind == "status_contradiction"
    assert finding.severity == Severity.OK
    assert finding.evidence["job_ids"] == []


def test_recovered_early_tool_failure_is_not_a_contradiction() -> None:
    ctx = Ctx()
    ctx.job(steps=[model(), tool("lookup", error="HTTP 503"), model(), tool("lookup"), model()])
    ctx.job(steps=[model(error="overloaded"), model(), tool("send")])  # one model call failed
    (finding,) = check_status_contradictions(ctx.build())
    assert finding.severity == Severity.OK


def test_needs_input_without_pending_request_is_watch() -> None:
    ctx = Ctx()
    nobody = ctx.job(JobStatus.NEEDS_INPUT, steps=[model(), gate("approve")], external_id="r-1")
    answered = ctx.job(JobStatus.NEEDS_INPUT, steps=[model()], external_id="r-2")
    ctx.request(answered, status=HumanRequestStatus.APPROVED)
    asked = ctx.job(JobStatus.NEEDS_INPUT, external_id="r-3")
    ctx.request(asked, age_hours=-2)  # pending, raised after the window end: still asked
    (finding,) = check_status_contradictions(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.response == RESPONSE_NO_PENDING_REQUEST
    assert finding.evidence["contradiction"] == NO_PENDING_REQUEST
    assert finding.evidence["job_ids"] == [nobody.label, answered.label] == ["r-1", "r-2"]
    assert finding.evidence["jobs"] == [
        {"job_id": "r-1", "step": "approve", "requests": {}},
        {"job_id": "r-2", "step": "llm", "requests": {"approved": 1}},
    ]
    assert "steps" not in finding.evidence
    assert finding.title == "2 jobs in Needs Input with no pending human request"


def test_completed_after_failed_last_tool_step_is_watch_and_names_the_step() -> None:
    ctx = Ctx()
    job = ctx.job(
        steps=[model(), tool("refund", error=JSON_ERROR), gate("review"), agent("parse", "x")],
        external_id="r-9",
    )
    (finding,) = check_status_contradictions(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.response == RESPONSE_FAILED_LAST_STEP
    assert finding.evidence["contradiction"] == FAILED_LAST_STEP
    assert finding.evidence["job_ids"] == [job.label]
    assert finding.evidence["jobs"] == [
        {
            "job_id": "r-9",
            "step": "refund",
            "seq": 2,
            "kind": "tool",
            "error": "rate_limited: Slow down",
            "error_class": "rate_limit",
            "model_calls": 1,
        }
    ]
    assert finding.evidence["steps"] == {"refund": 1}
    assert finding.title == "1 completed job whose last model or tool step failed (refund)"


def test_completed_after_failed_last_model_step_is_watch() -> None:
    ctx = Ctx()
    for name in ("a", "b", "a"):
        ctx.job(steps=[model(), tool(name), model(error="context length exceeded")])
    ctx.job(steps=[model(), tool("c", error="E")])
    (finding,) = check_status_contradictions(ctx.build())
    assert finding.evidence["steps"] == {"llm": 3, "c": 1}
    assert finding.title.endswith("failed (most at llm: 3 jobs)")
    assert finding.evidence["count"] == 4


def test_completed_with_every_model_call_failed_is_act_and_counted_once() -> None:
    ctx = Ctx()
    ctx.job(steps=[model(error="401 Unauthorized"), tool("search"), model(error="401")])
    ctx.job(steps=[model(), tool("x", error="E")])  # last step failed only
    findings = check_status_contradictions(ctx.build())
    assert [(f.evidence["contradiction"], f.severity) for f in findings] == [
        (ALL_MODEL_CALLS_FAILED, Severity.ACT),
        (FAILED_LAST_STEP, Severity.WATCH),
    ]
    act = findings[0]
    assert act.response == RESPONSE_ALL_MODEL_CALLS_FAILED
    assert act.evidence["job_ids"] == ["job-1"]
    row = act.evidence["jobs"][0]
    assert (row["seq"], row["error"], row["model_calls"]) == (3, "401", 2)
    assert findings[1].evidence["job_ids"] == ["job-2"]  # job-1 is not listed twice
    assert act.title.startswith("1 completed job with every model call failed")


def test_a_completed_job_without_model_calls_is_judged_on_its_last_tool_step() -> None:
    ctx = Ctx()
    ctx.job(steps=[tool("a"), tool("b")])
    ctx.job(steps=[tool("a"), tool("b", error="E")])
    (finding,) = check_status_contradictions(ctx.build())
    assert finding.evidence["contradiction"] == FAILED_LAST_STEP
    assert finding.evidence["job_ids"] == ["job-2"]


def test_rows_are_capped_but_job_ids_are_complete() -> None:
    ctx = Ctx()
    for _ in range(60):
        ctx.job(steps=[model(error="E")])
    (finding,) = check_status_contradictions(ctx.build())
    assert len(finding.evidence["job_ids"]) == 60
    assert len(finding.evidence["jobs"]) == 50
    assert finding.title.startswith("60 completed jobs")

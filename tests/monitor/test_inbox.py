"""Activity Inbox: pending requests against the baseline, and stale requests."""

from __future__ import annotations

from sopwatch.domain.enums import HumanRequestStatus, JobStatus, Severity
from sopwatch.monitor.checks.inbox import RESPONSE_NEEDS_INPUT_SPIKE, RESPONSE_STALE, check_inbox
from sopwatch.monitor.context import CheckSettings

from .builders import Ctx, gate, kinds, only


def test_empty_window_gives_two_ok_findings() -> None:
    findings = check_inbox(Ctx().build())
    assert kinds(findings) == ["inbox_pending", "inbox_stale"]
    assert all(f.severity == Severity.OK for f in findings)
    assert only(findings, "inbox_pending").title == (
        "No human requests raised in the window; none pending"
    )


def _waiting(ctx: Ctx, count: int, *, gate_name: str = "refund", age: float = 1.0) -> None:
    for i in range(count):
        job = ctx.job(JobStatus.NEEDS_INPUT, at=i % 20, steps=[gate(gate_name)])
        ctx.request(job, gate=gate_name, age_hours=age)


def test_spike_above_baseline_is_watch_with_gates() -> None:
    ctx = Ctx()
    ctx.baseline(100)
    ctx.baseline_requests = 5  # 0.05 requests per job
    for i in range(20):
        ctx.job(at=i)
    _waiting(ctx, 6, gate_name="refund")
    _waiting(ctx, 1, gate_name="rebook")
    finding = only(check_inbox(ctx.build()), "inbox_pending")
    assert finding.severity == Severity.WATCH
    assert finding.evidence["raised_in_window"] == finding.evidence["pending"] == 7
    assert finding.evidence["expected"] == 1.35  # 0.05 × 27 window jobs
    assert finding.evidence["gates"] == {"refund": 6, "rebook": 1}
    assert finding.evidence["top_gate"] == "refund"
    assert len(finding.evidence["job_ids"]) == 7
    assert finding.response.startswith(RESPONSE_NEEDS_INPUT_SPIKE)


def test_pending_in_line_with_baseline_is_ok() -> None:
    ctx = Ctx()
    ctx.baseline(100)
    ctx.baseline_requests = 30
    for i in range(20):
        ctx.job(at=i)
    _waiting(ctx, 6)
    finding = only(check_inbox(ctx.build()), "inbox_pending")
    assert finding.severity == Severity.OK
    assert finding.evidence["pending"] == 6


def test_pending_without_baseline_is_ok_not_a_spike() -> None:
    ctx = Ctx()
    _waiting(ctx, 3)
    finding = only(check_inbox(ctx.build()), "inbox_pending")
    assert finding.severity == Severity.OK
    assert "no baseline" in finding.title


def test_answered_requests_are_not_pending() -> None:
    ctx = Ctx()
    ctx.baseline(10)
    job = ctx.job()
    ctx.request(job, status=HumanRequestStatus.APPROVED, age_hours=30)
    findings = check_inbox(ctx.build())
    assert all(f.severity == Severity.OK for f in findings)


def test_backlog_is_not_counted_as_a_spike() -> None:
    ctx = Ctx()
    ctx.baseline(100)
    ctx.baseline_requests = 10  # 0.1 per job
    for i in range(20):
        ctx.job(at=i)
    for _ in range(30):  # an old backlog, raised before the window
        ctx.request(ctx.old_job(), age_hours=48)
    _waiting(ctx, 2)
    finding = only(check_inbox(ctx.build()), "inbox_pending")
    assert finding.severity == Severity.OK
    assert finding.evidence["raised_in_window"] == 2
    assert finding.evidence["pending"] == 32
    assert "32 pending in all" in finding.title


def test_two_requests_against_an_empty_baseline_are_not_a_spike() -> None:
    ctx = Ctx()
    ctx.baseline(50)
    _waiting(ctx, 2)
    assert only(check_inbox(ctx.build()), "inbox_pending").severity == Severity.OK
    _waiting(ctx, 1)
    assert only(check_inbox(ctx.build()), "inbox_pending").severity == Severity.WATCH


def test_stale_request_is_act_with_oldest_age() -> None:
    ctx = Ctx()
    old = ctx.old_job()
    ctx.request(old, age_hours=27.5, gate="refund")
    _waiting(ctx, 2, age=1.0)
    finding = only(check_inbox(ctx.build()), "inbox_stale")
    assert finding.severity == Severity.ACT
    assert finding.evidence["job_ids"] == [old.label]
    assert finding.evidence["oldest_age_hours"] == 27.5
    assert finding.response == RESPONSE_STALE


def test_stale_boundary_follows_settings() -> None:
    ctx = Ctx(settings=CheckSettings(stale_after_ms=2 * 3_600_000))
    _waiting(ctx, 1, age=1.9)
    assert only(check_inbox(ctx.build()), "inbox_stale").severity == Severity.OK
    ctx = Ctx(settings=CheckSettings(stale_after_ms=2 * 3_600_000))
    _waiting(ctx, 1, age=2.1)
    assert only(check_inbox(ctx.build()), "inbox_stale").severity == Severity.ACT

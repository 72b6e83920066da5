"""Overdue waits: postponed cases past their time, pending requests past their expiry."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta

from sopwatch.domain.case import Case
from sopwatch.domain.enums import (
    CaseStatus,
    HumanRequestStatus,
    HumanRequestType,
    JobStatus,
    Severity,
    Source,
)
from sopwatch.domain.job import HumanRequest, Job
from sopwatch.monitor.checks.waits import RESPONSE_CASE, RESPONSE_REQUEST, check_overdue_waits
from sopwatch.monitor.context import CheckContext, CheckSettings

from .builders import WINDOW_END, WINDOW_START, Ctx, kinds


def _hours(h: float) -> datetime:
    return WINDOW_START + timedelta(hours=h)


def _request(
    ctx: Ctx,
    job: Job,
    expires: datetime | None,
    *,
    status: HumanRequestStatus = HumanRequestStatus.PENDING,
    gate: str | None = "refund_over_500",
) -> HumanRequest:
    """A request raised by ``job`` when it was created, expiring at ``expires``."""
    request = HumanRequest(
        id=len(ctx.requests) + 100,
        job_id=job.id,
        type=HumanRequestType.APPROVAL,
        status=status,
        created_at=job.created_at,
        gate=gate,
        expires_at=expires,
    )
    ctx.requests.append(request)
    ctx.request_jobs[job.id] = job
    return request


def _case(case_id: int, until: datetime | None, status: CaseStatus = CaseStatus.POSTPONED) -> Case:
    return Case(
        id=case_id,
        queue_id=1,
        status=status,
        created_at=WINDOW_START - timedelta(days=2),
        updated_at=WINDOW_START - timedelta(days=2),
        external_id=f"C-{case_id}",
        title="Broken item",
        postponed_until=until,
    )


def _with_cases(built: CheckContext, *pairs: tuple[Case, tuple[Job, ...]]) -> CheckContext:
    return replace(
        built,
        postponed_cases={case.id: case for case, _ in pairs},
        postponed_case_jobs={case.id: jobs for case, jobs in pairs if jobs},
    )


_ids = itertools.count(1000)


def _job_at(when: datetime, name: str, case_id: int | None = None) -> Job:
    """A job (not a window job) created at ``when`` working on ``case_id``."""
    return Job(
        id=next(_ids),
        team_id=1,
        assignment_id=1,
        status=JobStatus.COMPLETED,
        source=Source.SCHEDULED,
        created_at=when,
        external_id=name,
        case_id=case_id,
    )


def test_pending_request_past_its_expiry_is_act() -> None:
    ctx = Ctx()
    job = ctx.job(JobStatus.NEEDS_INPUT, at=20.5, external_id="run-20")
    request = _request(ctx, job, _hours(21.5))
    (finding,) = check_overdue_waits(ctx.build())
    assert finding.kind == "overdue_wait"
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_REQUEST
    assert finding.evidence["wait"] == "request"
    assert finding.evidence["job_ids"] == ["run-20"]
    assert finding.title == (
        f"Human request {request.id} at gate refund_over_500 of job run-20 expired at 21:30, "
        "2.5 h ago, and is still pending"
    )
    (row,) = finding.evidence["waits"]
    assert row["overdue_minutes"] == 150.0
    assert row["expires_at"] == _hours(21.5).isoformat()


def test_requests_not_overdue_are_not_named() -> None:
    ctx = Ctx()
    job = ctx.job(JobStatus.NEEDS_INPUT, at=20)
    _request(ctx, job, WINDOW_END - timedelta(minutes=4))  # within the 5 min grace
    _request(ctx, job, WINDOW_END + timedelta(hours=1))  # not yet due
    _request(ctx, job, None)  # never expires
    _request(ctx, job, _hours(21), status=HumanRequestStatus.APPROVED)  # answered
    (finding,) = check_overdue_waits(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.title == (
        "No postponed case or pending human request overdue by more than 5.0 min"
    )


def test_the_grace_is_a_setting() -> None:
    ctx = Ctx(settings=CheckSettings(overdue_grace_ms=3 * 3_600_000))
    job = ctx.job(JobStatus.NEEDS_INPUT, at=20)
    _request(ctx, job, _hours(22))  # 2 h past expiry, within a 3 h grace
    assert check_overdue_waits(ctx.build())[0].severity == Severity.OK


def test_a_request_of_a_job_from_before_the_window_is_named() -> None:
    ctx = Ctx()
    old = replace(ctx.old_job(days_ago=3), external_id="old-9")
    _request(ctx, old, WINDOW_START - timedelta(days=2))
    (finding,) = check_overdue_waits(ctx.build())
    assert finding.evidence["job_ids"] == ["old-9"]
    assert "expired at 2025-11-24 00:00, 3.0 days ago" in finding.title


def test_postponed_case_past_its_time_with_no_later_job_is_act() -> None:
    postponer = _job_at(_hours(10.5), "run-10", case_id=77)
    built = _with_cases(Ctx().build(), (_case(77, _hours(12)), (postponer,)))
    (finding,) = check_overdue_waits(built)
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_CASE
    assert finding.evidence["wait"] == "case"
    assert finding.evidence["job_ids"] == ["run-10"]
    assert finding.title == (
        "Postponed case C-77 (job run-10) due back at 12:00, 12.0 h ago, and no job has taken it up"
    )
    (row,) = finding.evidence["waits"]
    assert (row["case"], row["job_id"], row["overdue_minutes"]) == ("C-77", "run-10", 720.0)


def test_a_later_job_on_the_case_means_it_was_taken_up() -> None:
    ctx = Ctx()
    later = ctx.job(at=12.5, external_id="run-12")
    built = replace(ctx.build(), jobs=(replace(later, case_id=77),))  # a window job
    postponer = _job_at(_hours(10.5), "run-10", case_id=77)
    case = _case(77, _hours(12))
    assert check_overdue_waits(_with_cases(built, (case, (postponer,))))[0].severity == (
        Severity.OK
    )
    taken = _job_at(_hours(13), "run-13-from-lookback", case_id=77)
    pair = (case, (postponer, taken))
    assert check_overdue_waits(_with_cases(Ctx().build(), pair))[0].severity == Severity.OK
    early = _job_at(_hours(11.9), "run-11", case_id=77)  # before it came due: no help
    pair = (case, (postponer, early))
    assert check_overdue_waits(_with_cases(Ctx().build(), pair))[0].severity == Severity.ACT


def test_cases_not_overdue_are_not_named() -> None:
    built = Ctx().build()
    pairs = [
        (_case(1, WINDOW_END + timedelta(hours=2)), ()),  # not yet due
        (_case(2, WINDOW_END - timedelta(minutes=3)), ()),  # within the grace
        (_case(3, None), ()),  # postponed without a time
        (_case(4, _hours(1), CaseStatus.PENDING), ()),  # back in the queue
    ]
    (finding,) = check_overdue_waits(_with_cases(built, *pairs))
    assert finding.severity == Severity.OK


def test_cases_and_requests_give_one_finding_each_oldest_first() -> None:
    ctx = Ctx()
    job = ctx.job(JobStatus.NEEDS_INPUT, at=2, external_id="run-2")
    _request(ctx, job, _hours(3))
    pairs = [(_case(8, _hours(9)), ()), (_case(5, _hours(5)), ())]
    findings = check_overdue_waits(_with_cases(ctx.build(), *pairs))
    assert kinds(findings) == ["overdue_wait", "overdue_wait"]
    cases, requests = findings
    assert cases.evidence["wait"] == "case" and requests.evidence["wait"] == "request"
    assert [row["case"] for row in cases.evidence["waits"]] == ["C-5", "C-8"]
    assert cases.title.startswith("2 postponed cases overdue; oldest: Postponed case C-5 due")
    assert cases.evidence["job_ids"] == []

"""Overdue waits: work that was put off until a moment that has passed, and still waits.

Finding ``overdue_wait``, one per kind of wait (``wait`` in the evidence):

- ``case``: a case still ``postponed`` whose ``postponed_until`` is more than
  ``settings.overdue_grace_ms`` before the window end, and on which no job of the
  assignment worked from ``postponed_until`` on (seed, Case Queue: postponed cases are
  "due to run again"; nobody took this one back);
- ``request``: a human request still ``pending`` whose ``expires_at`` is more than the
  grace before the window end (seed, Activity Inbox: "unanswered requests pause the Jobs
  that created them"; this one should have expired and freed its job).

Both are ``act`` (our choice: each names a piece of work that is stuck for good unless
someone acts; nothing in the data will move it). Cases come from
``ctx.postponed_cases`` (postponed cases that jobs of the window or the 7 days before it
worked on), requests from ``ctx.human_requests`` (the first ``MAX_LISTED_REQUESTS``
pending requests of the assignment past their expiry, counted in all by
``ctx.pending``). Overdue spans are minutes in the evidence.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sopwatch.domain.case import Case
from sopwatch.domain.enums import CaseStatus, Severity
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import HumanRequest, Job
from sopwatch.monitor.checks._common import (
    MAX_DETAIL_ROWS,
    jobs_by_id,
    label_of,
    listed,
    ok_finding,
    pending_counts,
    pending_requests,
    plural,
)
from sopwatch.monitor.checks._time import clock, ms_between, span
from sopwatch.monitor.context import CheckContext

#: Our choice, after the seed's Case Queue "Postponed" status and its response to a rising
#: postponed rate ("when the postponed cases are due to run again").
RESPONSE_CASE = (
    "Postponed cases are past the time they were postponed until and no job has taken them "
    "back: check that the trigger or schedule that claims cases from this queue is running, "
    "then put the cases back in the queue or handle them by hand."
)
#: Seed, Activity Inbox ("unanswered requests pause the Jobs that created them"); the rest
#: our choice.
RESPONSE_REQUEST = (
    "Human requests are past their expiry and still pending, so the Jobs that raised them "
    "stay paused: answer or deny them in the Activity Inbox, and check the process that "
    "expires requests (it should have marked them expired and let the Jobs go on)."
)


def check_overdue_waits(ctx: CheckContext) -> list[Finding]:
    """``overdue_wait``: ``[case finding, request finding]`` for the kinds with anything
    overdue (act), or one ok finding when nothing is. Evidence ``waits`` rows (at most
    50; ``job_ids`` lists every job): for cases ``{"case", "case_id", "title", "job_id",
    "postponed_until", "overdue_minutes"}``, for requests ``{"request_id", "job_id",
    "gate", "expires_at", "overdue_minutes"}``; oldest due first."""
    grace = timedelta(milliseconds=ctx.settings.overdue_grace_ms)
    cutoff = ctx.window.end - grace
    findings = [f for f in (_cases(ctx, cutoff), _requests(ctx, cutoff)) if f is not None]
    if findings:
        return findings
    title = (
        "No postponed case or pending human request overdue by more than "
        f"{span(ctx.settings.overdue_grace_ms)}"
    )
    return [ok_finding("overdue_wait", title, {"grace_minutes": _minutes(grace)})]


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def _case_name(case: Case) -> str:
    """The case's external id, else ``case-<id>``."""
    return case.external_id if case.external_id is not None else f"case-{case.id}"


def _overdue_cases(ctx: CheckContext, cutoff: datetime) -> list[tuple[Case, Job | None]]:
    """(case, the job that last worked on it before it came due) for each overdue case."""
    found: list[tuple[Case, Job | None]] = []
    window_jobs: dict[int, list[Job]] = {}
    for job in ctx.jobs:
        if job.case_id is not None:
            window_jobs.setdefault(job.case_id, []).append(job)
    for case in ctx.postponed_cases.values():
        due = case.postponed_until
        if case.status != CaseStatus.POSTPONED or due is None or due >= cutoff:
            continue
        worked = list(ctx.postponed_case_jobs.get(case.id, ())) + window_jobs.get(case.id, [])
        if any(job.created_at >= due for job in worked):
            continue
        before = max(worked, key=lambda j: (j.created_at, j.id), default=None)
        found.append((case, before))
    return sorted(found, key=lambda pair: (pair[0].postponed_until or cutoff, pair[0].id))


def _cases(ctx: CheckContext, cutoff: datetime) -> Finding | None:
    """The ``case`` finding, or None when no case is overdue."""
    overdue = _overdue_cases(ctx, cutoff)
    if not overdue:
        return None
    end = ctx.window.end
    rows: list[dict[str, Any]] = []
    for case, job in overdue:
        due = case.postponed_until or end
        rows.append(
            {
                "case": _case_name(case),
                "case_id": case.id,
                "title": case.title,
                "job_id": None if job is None else job.label,
                "postponed_until": due.isoformat(),
                "overdue_minutes": _minutes(end - due),
            }
        )
    first, job = overdue[0]
    due = first.postponed_until or end
    by = "" if job is None else f" (job {job.label})"
    title = (
        f"Postponed case {_case_name(first)}{by} due back at {clock(due, end)}, "
        f"{span(ms_between(due, end))} ago, and no job has taken it up"
    )
    if len(overdue) > 1:
        title = f"{plural(len(overdue), 'postponed case')} overdue; oldest: " + title
    labels = [job.label for _, job in overdue if job is not None]
    evidence = {"job_ids": list(dict.fromkeys(labels)), "wait": "case", "count": len(overdue)}
    evidence["waits"] = rows[:MAX_DETAIL_ROWS]
    return Finding(
        kind="overdue_wait",
        severity=Severity.ACT,
        title=title,
        response=RESPONSE_CASE,
        evidence=evidence,
    )


def _requests(ctx: CheckContext, cutoff: datetime) -> Finding | None:
    """The ``request`` finding, or None when no pending request is past its expiry."""
    expired: list[HumanRequest] = [
        r for r in pending_requests(ctx) if r.expires_at is not None and r.expires_at < cutoff
    ]
    if not expired:
        return None
    expired = listed(sorted(expired, key=lambda r: (r.expires_at or cutoff, r.id)))
    end = ctx.window.end
    table = jobs_by_id(ctx)
    rows = [
        {
            "request_id": r.id,
            "job_id": label_of(r.job_id, table),
            "gate": r.gate,
            "expires_at": (r.expires_at or end).isoformat(),
            "overdue_minutes": _minutes(end - (r.expires_at or end)),
        }
        for r in expired
    ]
    first = expired[0]
    due = first.expires_at or end
    gate = f" at gate {first.gate}" if first.gate else ""
    title = (
        f"Human request {first.id}{gate} of job {label_of(first.job_id, table)} expired at "
        f"{clock(due, end)}, {span(ms_between(due, end))} ago, and is still pending"
    )
    count = pending_counts(ctx).expired
    if count > 1:
        title = f"{plural(count, 'pending human request')} past expiry; oldest: " + title
    evidence: dict[str, Any] = {
        "job_ids": list(dict.fromkeys(row["job_id"] for row in rows)),
        "wait": "request",
        "count": count,
        "waits": rows[:MAX_DETAIL_ROWS],
    }
    return Finding(
        kind="overdue_wait",
        severity=Severity.ACT,
        title=title,
        response=RESPONSE_REQUEST,
        evidence=evidence,
    )

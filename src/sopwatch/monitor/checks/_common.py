"""Helpers shared by the checks: job naming, number formats, error text, failing steps.

Private to ``sopwatch.monitor.checks``. Money arrives in integer micro-dollars and is
converted to USD (÷ 1e6, rounded to 6 places) only here, for evidence and titles.

Titles format numbers one way (our choice, so a report reads alike from item to item):
counts with thousands separators (``17,780``, ``plural``: ``1 job``/``2 jobs``), other
quantities with one decimal (``fmt_num``: ``1,234.5``), shares as percentages with one
decimal (``pct``: ``12.5%``), money as USD with four decimals (``fmt_usd``: ``$0.0123``).
Errors are shown, matched and fingerprinted by their one-line summary
(``domain.payload.error_line``), so an error logged as a JSON object reads as its code
and message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sopwatch.domain.connection import is_auth_error, is_unavailable_error
from sopwatch.domain.enums import HumanRequestStatus, JobStatus, Severity, StepStatus
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import MICROS_PER_USD, BaselineJob, HumanRequest, Job, Step
from sopwatch.domain.payload import error_line, summarize_error
from sopwatch.monitor.context import (
    MAX_LISTED_REQUESTS,
    CheckContext,
    PendingRequests,
    summarize_pending,
)

_J = TypeVar("_J", Job, BaselineJob)

#: The response of every ``ok`` finding.
OK_RESPONSE = "No action needed."

#: At most this many per-job detail rows in one finding's evidence (our choice: keeps the
#: JSON of a bad day with thousands of failed jobs readable; ``job_ids`` stays complete).
MAX_DETAIL_ROWS = 50

#: Seed, "Spike in Failed Jobs" (paraphrased closely).
RESPONSE_FAILED_SPIKE = (
    "Spike in Failed Jobs: this requires immediate investigation. Open two or three failed "
    "Jobs and read through their steps to find where each failed. If they all fail at the "
    "same step, that step has a problem (a Connection issue, a data format mismatch, or a "
    "logic error in the SOP); if they fail at different steps, look for a common thread: the "
    "same Connection, the same input type, or the same time of day (an external service "
    "outage). If the failure rate is high and you cannot fix the root cause at once, consider "
    "pausing the assignment (disable the schedule or trigger) and tell your team while you "
    "investigate."
)


def usd(micros: float | None) -> float | None:
    """Micro-dollars → USD rounded to 6 places; None stays None."""
    if micros is None:
        return None
    return round(micros / MICROS_PER_USD, 6)


def fmt_usd(micros: float | None) -> str:
    """Micro-dollars as a display string (``$0.0123``), ``unknown`` for None."""
    value = usd(micros)
    return "unknown" if value is None else f"${value:,.4f}"


def truncate(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters with a trailing ``…`` when cut; None stays None."""
    if text is None or len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


def pct(share: float) -> str:
    """A share 0..1 as a percentage string with one decimal (``12.5%``, ``1,250.0%``)."""
    return f"{share * 100:,.1f}%"


def fmt_count(count: int) -> str:
    """A count with thousands separators (``17,780``)."""
    return f"{count:,}"


def fmt_num(value: float, places: int = 1, *, trim: bool = False) -> str:
    """A quantity with thousands separators and ``places`` decimals (``1,234.5``);
    ``trim`` drops trailing zeros, for settings a person typed (``4``, ``0.25``)."""
    text = f"{value:,.{places}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 job`` / ``3 jobs`` / ``17,780 jobs`` (``many`` overrides the plural form)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def error_text(error: str | None, limit: int) -> str | None:
    """An error as reports show it: its one-line summary (``payload.error_line``: a JSON
    error object reads ``code: message``) cut to ``limit`` characters; None stays None."""
    return truncate(error_line(error), limit)


def _status_text(error: str | None) -> str | None:
    """``status <code>`` for an error whose JSON names a code (``{"status": 401, …}``),
    so the domain's HTTP-status patterns can read it; else None."""
    summary = summarize_error(error)
    if summary is None or summary.code is None:
        return None
    return f"status {summary.code}"


def reads_as_auth(error: str | None) -> bool:
    """The error's summary (``payload.error_line``) or its JSON code reads as an
    authorization failure (``domain.connection.is_auth_error``: 401/403, invalid_grant,
    expired token …)."""
    return is_auth_error(error_line(error)) or is_auth_error(_status_text(error))


def reads_as_outage(error: str | None) -> bool:
    """The error's summary or its JSON code reads as the service being down or
    overloaded (``domain.connection.is_unavailable_error``: 5xx, 429, timeouts …)."""
    return is_unavailable_error(error_line(error)) or is_unavailable_error(_status_text(error))


def labels(jobs: Iterable[Job]) -> list[str]:
    """``Job.label`` of each job, in order, without duplicates."""
    return list(dict.fromkeys(job.label for job in jobs))


def jobs_by_id(ctx: CheckContext) -> dict[int, Job]:
    """Window jobs plus the jobs that ``ctx.human_requests`` name, keyed by job id."""
    table = dict(ctx.request_jobs)
    table.update((job.id, job) for job in ctx.jobs)
    return table


def label_of(job_id: int, table: Mapping[int, Job]) -> str:
    """The label of job ``job_id``; ``job-<id>`` when the job is not loaded."""
    job = table.get(job_id)
    return job.label if job is not None else f"job-{job_id}"


def failing_step(steps: Sequence[Step]) -> Step | None:
    """Where a failed job failed: its last step with status error, else its last step;
    None for a job without steps."""
    for step in reversed(steps):
        if step.status == StepStatus.ERROR:
            return step
    return steps[-1] if steps else None


def pending_requests(ctx: CheckContext) -> list[HumanRequest]:
    """Human requests still pending (created before the window end), oldest first."""
    found = [
        r
        for r in ctx.human_requests
        if r.status == HumanRequestStatus.PENDING and r.created_at < ctx.window.end
    ]
    return sorted(found, key=lambda r: (r.created_at, r.id))


def pending_counts(ctx: CheckContext) -> PendingRequests:
    """The pending requests counted by age: ``ctx.pending`` as loaded (counted in SQL),
    else counted over ``ctx.human_requests`` (a context built by hand)."""
    if ctx.pending is not None:
        return ctx.pending
    settings = ctx.settings
    return summarize_pending(
        ctx.human_requests, ctx.window.end, settings.stale_after_ms, settings.overdue_grace_ms
    )


def listed(requests: list[HumanRequest]) -> list[HumanRequest]:
    """The first ``MAX_LISTED_REQUESTS`` of ``requests`` (already in the order listed):
    the rows a finding names, as ``monitor.load`` loads them."""
    return requests[:MAX_LISTED_REQUESTS]


def sampled_steps(ctx: CheckContext) -> list[tuple[Step, ...]]:
    """The steps the per-model and per-tool tallies read, per job in window order: every
    loaded job's when ``ctx.step_sample`` is None, else the sampled jobs'."""
    if ctx.step_sample is None:
        return list(ctx.steps.values())
    sample = ctx.step_sample
    return [ctx.steps.get(job.id, ()) for job in ctx.jobs if job.id in sample]


def failed_jobs(jobs: Iterable[_J]) -> list[_J]:
    """The jobs (``Job`` or ``BaselineJob``) with status ``failed``."""
    return [job for job in jobs if job.status == JobStatus.FAILED]


def ok_finding(kind: str, title: str, evidence: dict[str, Any] | None = None) -> Finding:
    """An ``ok`` finding of ``kind`` (the checklist item was done, nothing to act on)."""
    return Finding(
        kind=kind,
        severity=Severity.OK,
        title=title,
        response=OK_RESPONSE,
        evidence={} if evidence is None else evidence,
    )

"""Jobs needing attention (seed daily check 3, Jobs List "Needs attention" filter).

Finding ``needs_attention``: the window's failed and Needs Input jobs, each with the step
where it stopped, and the failed-job rate compared with the baseline's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sopwatch.domain.enums import JobStatus, Severity, StepKind
from sopwatch.domain.error_class import classify_job
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import HumanRequest, Job
from sopwatch.monitor.checks._common import (
    MAX_DETAIL_ROWS,
    OK_RESPONSE,
    RESPONSE_FAILED_SPIKE,
    error_text,
    failed_jobs,
    failing_step,
    fmt_count,
    pct,
    pending_requests,
    plural,
)
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import rate_higher_p

#: Seed, Jobs List: what to do with each failed or Needs Input job.
RESPONSE_ATTENTION = (
    "For each failed Job, open it and note which step failed. Look for clustering: if five "
    "Jobs all fail at the same step, that is a SOP or Connection issue, not random noise. If "
    "a Job failed due to a Connection error, go to Connections, check whether the Connection "
    "is still authorized, and re-authorize if needed. Answer the Needs Input Jobs' requests "
    "in the Activity Inbox."
)
#: Statuses of the Jobs List "Needs attention" filter (seed: "any Failed or Needs Input Jobs").
_FLAGGED = (JobStatus.FAILED, JobStatus.NEEDS_INPUT)
#: Longest error text kept per job row (our choice: one line in a report).
ERROR_CHARS = 120


def check_needs_attention(ctx: CheckContext) -> list[Finding]:
    """``needs_attention``: failed and Needs Input window jobs.

    ok when there are none; watch when there are some; act when the failed rate (failed /
    window jobs) is ≥ ``settings.failed_rate_healthy`` (seed: "under 5%") and either the
    baseline has no jobs or the rate is significantly above the baseline's (one-sided
    Fisher p < ``settings.significance``; seed: "Spike in Failed Jobs … requires immediate
    investigation"). No baseline counts like a spike, as in ``case_failed_rate`` (our
    choice). Evidence ``jobs`` rows: ``{"job_id", "status", "step", "failure_kind",
    "error", "error_class"}`` (``domain.error_class``; None for Needs Input), at most 50
    (``job_ids`` lists all); ``error_classes``: class → failed jobs, most first.
    """
    failed = failed_jobs(ctx.jobs)
    waiting = [job for job in ctx.jobs if job.status == JobStatus.NEEDS_INPUT]
    flagged = [job for job in ctx.jobs if job.status in _FLAGGED]
    evidence = _rate_evidence(ctx, len(failed))
    evidence["job_ids"] = [job.label for job in flagged]
    if not flagged:
        title = "No failed or Needs Input jobs in the window"
        return [_finding(Severity.OK, title, OK_RESPONSE, evidence)]
    requests = _latest_pending(pending_requests(ctx))
    rows = [_row(ctx, job, requests.get(job.id)) for job in flagged]
    evidence["jobs"] = rows[:MAX_DETAIL_ROWS]
    evidence["failed_steps"] = dict(
        Counter(row["step"] for row in rows if row["status"] == "failed").most_common()
    )
    evidence["error_classes"] = dict(
        Counter(row["error_class"] for row in rows if row["error_class"]).most_common()
    )
    title = f"{plural(len(failed), 'failed job')} and {fmt_count(len(waiting))} Needs Input"
    title += f"; failed rate {pct(evidence['failed_rate'])}"
    if evidence["baseline_failed_rate"] is not None:
        title += f" (baseline {pct(evidence['baseline_failed_rate'])})"
    if failed and not ctx.baseline.jobs:
        mark_skipped(evidence, ctx, "jobs")  # the failed rate meets the seed's 5% only
    if _is_spike(ctx, len(failed)):
        return [_finding(Severity.ACT, title, RESPONSE_FAILED_SPIKE, evidence)]
    return [_finding(Severity.WATCH, title, RESPONSE_ATTENTION, evidence)]


def _finding(severity: Severity, title: str, response: str, evidence: dict[str, Any]) -> Finding:
    """A ``needs_attention`` finding."""
    return Finding(
        kind="needs_attention", severity=severity, title=title, response=response, evidence=evidence
    )


def _rate_evidence(ctx: CheckContext, failed: int) -> dict[str, Any]:
    """Failed counts and rates of window and baseline, with the one-sided p-value."""
    n = len(ctx.jobs)
    base = ctx.baseline.jobs
    base_failed = len(failed_jobs(base))
    return {
        "failed": failed,
        "needs_input": sum(1 for job in ctx.jobs if job.status == JobStatus.NEEDS_INPUT),
        "window_jobs": n,
        "failed_rate": round(failed / n, 4) if n else 0.0,
        "baseline_failed": base_failed,
        "baseline_jobs": len(base),
        "baseline_failed_rate": round(base_failed / len(base), 4) if base else None,
        "p_value": round(rate_higher_p(failed, n, base_failed, len(base)), 6),
    }


def _is_spike(ctx: CheckContext, failed: int) -> bool:
    """Failed rate ≥ the healthy limit and (no baseline or significantly above it)."""
    n, base = len(ctx.jobs), ctx.baseline.jobs
    if not n or failed / n < ctx.settings.failed_rate_healthy:
        return False
    if not base:
        return True
    p_value = rate_higher_p(failed, n, len(failed_jobs(base)), len(base))
    return p_value < ctx.settings.significance


def _latest_pending(requests: list[HumanRequest]) -> dict[int, HumanRequest]:
    """Job id → its most recent pending request (``requests`` are oldest first)."""
    return {request.job_id: request for request in requests}


def _row(ctx: CheckContext, job: Job, request: HumanRequest | None) -> dict[str, Any]:
    """One ``jobs`` row: where the job stopped and why."""
    steps = ctx.steps.get(job.id, ())
    error_class = classify_job(job, steps)
    if job.status == JobStatus.FAILED:
        step = failing_step(steps)
        step_name = step.name if step is not None else None
        error = job.error or (step.error if step is not None else None)
    else:
        step_name = _gate_name(ctx, job, request)
        error = None
    return {
        "job_id": job.label,
        "status": str(job.status),
        "step": step_name,
        "failure_kind": job.failure_kind,
        "error": error_text(error, ERROR_CHARS),
        "error_class": None if error_class is None else str(error_class),
    }


def _gate_name(ctx: CheckContext, job: Job, request: HumanRequest | None) -> str | None:
    """Where a Needs Input job waits: its pending request's gate, else the step the request
    names, else its last gate step, else its last step."""
    steps = ctx.steps.get(job.id, ())
    if request is not None:
        if request.gate:
            return request.gate
        for step in steps:
            if step.seq == request.step_seq:
                return step.name
    gates = [step for step in steps if step.kind == StepKind.GATE]
    if gates:
        return gates[-1].name
    return steps[-1].name if steps else None

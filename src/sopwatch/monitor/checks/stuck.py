"""Stuck jobs: jobs still ``running`` far longer than the assignment's jobs take.

Finding ``job_stuck`` (our choice: the seed's Jobs List shows jobs needing attention by
status; a job that never ends never reaches Failed, so no status filter shows it). It
looks at every job of the assignment still running at the window end: those created in
the window (``ctx.jobs``) and those created before it (``ctx.running_before``, loaded
whatever their age). A job is stuck when it has been running (window end − its start,
else its creation) longer than its **bound**:

- the revision's time limit when the job's revision sets one
  (``config["limits"]["max_duration_ms"]``, ``ctx.time_limits_ms``): the operator said
  how long a job may take;
- else ``max(P99_MULTIPLE × baseline p99 duration, FLOOR_MS)`` when the baseline has at
  least ``MIN_BASELINE_DURATIONS`` jobs with a duration;
- else ``FALLBACK_BOUND_MS``, and the finding is only ``watch``: without a baseline
  nobody knows how long the jobs take.

Durations are milliseconds; moments UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sopwatch.domain.enums import JobStatus, Severity
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import MAX_DETAIL_ROWS, ok_finding, plural
from sopwatch.monitor.checks._time import clock, ms_between, span
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import percentile

#: The bound is this multiple of the baseline's 99th-percentile job duration (our choice:
#: 1 job in 100 takes longer than the p99 by definition; three times it is well outside
#: what the assignment does) …
P99_MULTIPLE = 3
#: … and never shorter than this (our choice: 15 min, so a job of a fast assignment that
#: is simply mid-run, or waiting on one slow call, is not named).
FLOOR_MS = 15 * 60_000
#: Fewer baseline jobs with a duration than this give no usable p99 (our choice: with 20
#: the p99 is already close to the maximum; fewer say little about the tail).
MIN_BASELINE_DURATIONS = 20
#: The bound without a usable baseline or a time limit (our choice: 1 h; the finding is
#: then ``watch`` only).
FALLBACK_BOUND_MS = 60 * 60_000

#: Our choice (the seed has no stuck-job pattern); the steps follow its Jobs List advice
#: ("open it and note which step failed").
RESPONSE_STUCK = (
    "Stuck job: it has been running far longer than this assignment's jobs take and has not "
    "finished. Open the job and look at its last step: a tool call waiting on an external "
    "service that never answered (give the tool or its Connection a timeout), a model call "
    "that hung, or an agent going round without ending. Stop the job and run it again if its "
    "work is still needed; if several jobs are stuck at the same step, check that service's "
    "status."
)
#: Our choice: a time limit the operator set was passed, so the runtime did not enforce it.
RESPONSE_OVER_LIMIT = (
    " The job is past its revision's time limit (limits.max_duration_ms), which should have "
    "stopped it: check that the runtime enforces the limit."
)


@dataclass(frozen=True, slots=True)
class Bound:
    """How long a job may run: ``ms``, and ``basis`` ``limit``, ``baseline`` or
    ``fallback`` with ``text`` saying how it was set."""

    ms: int
    basis: str
    text: str


@dataclass(frozen=True, slots=True)
class _Stuck:
    """One job past its bound: running ``running_ms`` at the window end, with its last step
    and the moment it last moved (``since``)."""

    job: Job
    bound: Bound
    running_ms: int
    last_step: Step | None
    since: datetime
    moving: str


def baseline_bound(durations: list[float]) -> Bound:
    """The bound from the baseline's job durations (ms), else the fallback (module rules)."""
    if len(durations) < MIN_BASELINE_DURATIONS:
        text = (
            f"{span(FALLBACK_BOUND_MS)}: fewer than {MIN_BASELINE_DURATIONS} baseline jobs "
            "with a duration"
        )
        return Bound(FALLBACK_BOUND_MS, "fallback", text)
    p99 = percentile(durations, 99.0) or 0.0
    ms = max(int(P99_MULTIPLE * p99), FLOOR_MS)
    text = f"{span(ms)}: {P99_MULTIPLE} × baseline p99 of {span(p99)}, at least {span(FLOOR_MS)}"
    return Bound(ms, "baseline", text)


def check_stuck_jobs(ctx: CheckContext) -> list[Finding]:
    """``job_stuck``: one finding naming every stuck job, longest-running first.

    act when a stuck job is past its revision's time limit or the baseline bound; watch
    when every stuck job is judged by the fallback bound only; ok when no running job is
    past its bound (jobs within it are not named). Evidence ``jobs`` rows (at most 50,
    ``job_ids`` lists all): ``{"job_id", "running_minutes", "bound_minutes",
    "bound_basis", "last_step", "last_step_kind", "last_step_seq", "since",
    "idle_minutes"}``.
    """
    running = [j for j in ctx.jobs if j.status == JobStatus.RUNNING] + list(ctx.running_before)
    durations = [float(j.duration_ms) for j in ctx.baseline.jobs if j.duration_ms is not None]
    derived = baseline_bound(durations)
    stuck: list[_Stuck] = []
    for job in running:
        found = _judge(ctx, job, derived)
        if found is not None:
            stuck.append(found)
    evidence: dict[str, Any] = {
        "running": len(running),
        "baseline_durations": len(durations),
        "baseline_bound_minutes": round(derived.ms / 60_000, 1),
        "baseline_bound_basis": derived.basis,
    }
    if not running:
        return [ok_finding("job_stuck", "No job still running at the window end", evidence)]
    if not stuck:
        title = (
            f"No job running longer than its bound ({plural(len(running), 'job')} running; "
            f"bound {derived.text})"
        )
        return [ok_finding("job_stuck", title, evidence)]
    stuck.sort(key=lambda s: (-s.running_ms, s.job.id))
    evidence["job_ids"] = [s.job.label for s in stuck]
    evidence["jobs"] = [_row(s, ctx.window.end) for s in stuck[:MAX_DETAIL_ROWS]]
    acts = any(s.bound.basis != "fallback" for s in stuck)
    over_limit = any(s.bound.basis == "limit" for s in stuck)
    return [
        Finding(
            kind="job_stuck",
            severity=Severity.ACT if acts else Severity.WATCH,
            title=_title(stuck, ctx.window.end),
            response=RESPONSE_STUCK + (RESPONSE_OVER_LIMIT if over_limit else ""),
            evidence=evidence,
        )
    ]


def _judge(ctx: CheckContext, job: Job, derived: Bound) -> _Stuck | None:
    """The job as stuck when it has run longer than its bound at the window end, else None."""
    end = ctx.window.end
    start = job.started_at or job.created_at
    running_ms = ms_between(start, end)
    limit = ctx.time_limits_ms.get(job.revision_id) if job.revision_id is not None else None
    bound = derived
    if limit is not None:
        bound = Bound(limit, "limit", f"{span(limit)}: the revision's time limit")
    if running_ms <= bound.ms:
        return None
    steps = ctx.steps.get(job.id)
    last = steps[-1] if steps else ctx.last_steps.get(job.id)
    since, moving = _last_moved(last, start)
    return _Stuck(job, bound, running_ms, last, min(since, end), moving)


def _last_moved(last: Step | None, start: datetime) -> tuple[datetime, str]:
    """When the job last moved, and how to say it (``{at}`` stands for that moment): the
    end of its last step (start + duration), the start of a last step still in progress,
    else the job's start."""
    if last is not None and last.started_at is not None:
        step = f"{last.kind} step {last.name} (seq {last.seq})"
        if last.duration_ms is not None:
            end = last.started_at + timedelta(milliseconds=last.duration_ms)
            return end, f"idle after {step} since {{at}}"
        return last.started_at, f"in {step} since {{at}}"
    if last is not None:
        return start, f"no timed step since {{at}} (last: {last.kind} step {last.name})"
    return start, "no step recorded since {at}"


def _describe(s: _Stuck, end: datetime) -> str:
    """``run-7 running for 1.0 h (bound 15.0 min: …): in tool step http_get (seq 2) since
    23:00, 60.0 min without progress``."""
    idle = max(ms_between(s.since, end), 0)
    moving = s.moving.format(at=clock(s.since, end))
    return (
        f"{s.job.label} running for {span(s.running_ms)} (bound {s.bound.text}): "
        f"{moving}, {span(idle)} without progress"
    )


def _title(stuck: list[_Stuck], end: datetime) -> str:
    """The one stuck job described, or the count and the longest-running one."""
    if len(stuck) == 1:
        return "Job " + _describe(stuck[0], end)
    return f"{plural(len(stuck), 'job')} stuck; longest: " + _describe(stuck[0], end)


def _row(s: _Stuck, end: datetime) -> dict[str, Any]:
    """One evidence row (minutes with one decimal, ``since`` ISO 8601 UTC)."""
    last = s.last_step
    return {
        "job_id": s.job.label,
        "running_minutes": round(s.running_ms / 60_000, 1),
        "bound_minutes": round(s.bound.ms / 60_000, 1),
        "bound_basis": s.bound.basis,
        "last_step": None if last is None else last.name,
        "last_step_kind": None if last is None else str(last.kind),
        "last_step_seq": None if last is None else last.seq,
        "since": s.since.isoformat(),
        "idle_minutes": round(max(ms_between(s.since, end), 0) / 60_000, 1),
    }

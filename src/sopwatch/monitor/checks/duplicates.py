"""Duplicate side effects: the same write succeeding more than once.

Finding ``duplicate_side_effect``: a tool call that writes (``domain.tools.is_read_tool``
is False for its name and the assignment's ``read_tools``) succeeding (step status ``ok``)
more than once with the same arguments (the same canonical JSON text), either within one
job (the call was retried after it had already worked) or across window jobs, each
success within ``settings.duplicate_interval_ms`` (default 1 h) of the one before. Each
success had its effect: a report sent three times reached its readers three times, a
charge retried after it went through was charged twice.

Calls whose arguments were not logged or were cut at the payload limit are left out:
they cannot be told apart (our choice: a missed duplicate beats a false one).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sopwatch.domain.enums import Severity, StepKind, StepStatus
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step, step_time
from sopwatch.domain.loops import Repeat, job_loop
from sopwatch.domain.payload import short_digest
from sopwatch.domain.tools import is_read_tool
from sopwatch.monitor.checks._common import fmt_count, fmt_num, ok_finding, plural, truncate
from sopwatch.monitor.checks._digest import minutes
from sopwatch.monitor.context import CheckContext, WriteCall

#: At most this many findings, worst first; the rest are summarised in one more finding
#: (our choice, as for tool loops: a report a person reads in under a minute).
MAX_DUPLICATE_FINDINGS = 10
#: A write that succeeded this many times across jobs is ``act`` (our choice: two jobs
#: doing the same write can be a person re-running one job by hand, the seed's
#: "retriggering Jobs manually"; a third is a pattern, not a person).
ACT_ACROSS_JOBS = 3
ARGUMENT_CHARS = 200

#: Our choice (the seed has no words for a duplicated write): undo the extra effects,
#: then stop them recurring.
RESPONSE_DUPLICATE = (
    "The same write succeeded more than once: the effect happened each time (a message "
    "sent again, a payment charged again). Check in the system the tool writes to whether "
    "the duplicates took effect and undo them. Then stop it recurring: make the tool "
    "idempotent (an idempotency key from the job's input), or update the SOP so the "
    "assignment checks whether the action was already done before doing it again and never "
    "retries a call that succeeded. If the jobs were started by the same event, see "
    "repeated_input. If this tool only reads, mark it: "
    "`sopwatch assignments set ASSIGNMENT --read-tools NAME`."
)


@dataclass(frozen=True, slots=True)
class _Call:
    """One successful write: the job and when it ran (UTC)."""

    job: Job
    at: datetime


@dataclass(slots=True)
class _Duplicate:
    """Successful calls of one (tool, arguments) that count as one duplicated effect."""

    tool: str
    arguments: str
    calls: list[_Call] = field(default_factory=list)

    @property
    def jobs(self) -> list[Job]:
        """The jobs that made the calls, in time order, each once."""
        return list({call.job.id: call.job for call in self.calls}.values())

    @property
    def retried_in_a_job(self) -> bool:
        """True when one job made the call more than once."""
        return len(self.jobs) < len(self.calls)


def check_duplicate_side_effects(ctx: CheckContext) -> list[Finding]:
    """``duplicate_side_effect`` findings, worst first; one ok finding when none.

    Severity: ``act`` when one job made the same successful write twice or more, or the
    write succeeded ≥ ``ACT_ACROSS_JOBS`` (3) times across jobs; ``watch`` for two jobs
    making it once each (our choice, see ``ACT_ACROSS_JOBS``). A write repeated inside
    one job that the ``tool_loop`` check reports as that job's loop (same result each
    time) is left to it, which rates it act and names it a write.
    """
    interval = timedelta(milliseconds=ctx.settings.duplicate_interval_ms)
    loops: dict[int, Repeat | None] = {}
    duplicates: list[_Duplicate] = []
    made_by = _writes(ctx) if ctx.writes is None else _listed_writes(ctx, ctx.writes)
    for (tool, arguments), calls in made_by.items():
        if len(calls) < 2:
            continue
        if _close(calls, interval):
            found = _episodes(tool, arguments, calls, interval)
            duplicates.extend(d for d in found if not _left_to_loops(ctx, d, loops))
    if not duplicates:
        title = "No write succeeded twice with the same arguments"
        return [ok_finding("duplicate_side_effect", title)]
    duplicates.sort(key=lambda d: (_severity(d) != Severity.ACT, -len(d.calls)))
    findings = [_finding(ctx, duplicate) for duplicate in duplicates[:MAX_DUPLICATE_FINDINGS]]
    return findings + _rest(duplicates[MAX_DUPLICATE_FINDINGS:])


def _listed_writes(
    ctx: CheckContext, writes: Sequence[WriteCall]
) -> dict[tuple[str, str], list[_Call]]:
    """(tool, arguments) → calls, as ``_writes`` gives them, from the repeated writes the
    context lists (``ctx.writes``, a sampled window's) instead of steps: in job then step
    order, pairs in the order they came back, calls of the assignment's read tools left
    out."""
    order = {job.id: i for i, job in enumerate(ctx.jobs)}
    jobs = {job.id: job for job in ctx.jobs}
    read_tools = frozenset(ctx.assignment.read_tools)
    reads: dict[str, bool] = {}
    first: dict[tuple[str, str], _Call] = {}
    found: dict[tuple[str, str], list[_Call]] = {}
    for write in sorted(writes, key=lambda w: (order.get(w.job_id, -1), w.seq)):
        read = reads.get(write.tool)
        if read is None:
            read = reads[write.tool] = is_read_tool(write.tool, read_tools)
        if read or write.job_id not in jobs:
            continue
        call, key = _Call(job=jobs[write.job_id], at=write.at), (write.tool, write.arguments)
        seen = first.setdefault(key, call)
        if seen is not call:
            found.setdefault(key, [seen]).append(call)
    return found


def _writes(ctx: CheckContext) -> dict[tuple[str, str], list[_Call]]:
    """(tool, arguments) → the successful write calls of window jobs with their job, in
    job then step order, for the pairs called at least twice; calls without logged
    arguments or with arguments cut are left out.

    The hot loop of this check runs over every window step, so it allocates nothing per
    call until a pair comes back: a first call is remembered by reference
    (``first[tool][arguments]``). A check that kept tens of thousands of new objects
    alive would set off a full garbage collection over the whole context (about 100 ms on
    the benchmark's window, docs/performance.md)."""
    reads: dict[str, bool] = {}
    first: dict[str, dict[str, Step]] = {}
    again: dict[tuple[str, str], list[Step]] = {}
    read_tools = frozenset(ctx.assignment.read_tools)
    tool, ok, steps_of = StepKind.TOOL, StepStatus.OK, ctx.steps
    for job in ctx.jobs:
        for step in steps_of.get(job.id, ()):
            if step.kind is not tool or step.status is not ok:
                continue
            name, arguments = step.name, step.arguments
            read = reads.get(name)
            if read is None:
                read = reads[name] = is_read_tool(name, read_tools)
                first[name] = {}
            if read or not arguments or step.arguments_bytes is not None:
                continue
            seen = first[name].get(arguments)
            if seen is None:
                first[name][arguments] = step
            else:
                again.setdefault((name, arguments), [seen]).append(step)
    jobs = {job.id: job for job in ctx.jobs}
    return {
        key: [_Call(job=jobs[s.job_id], at=step_time(s, jobs[s.job_id])) for s in calls]
        for key, calls in again.items()
    }


def _close(calls: list[_Call], interval: timedelta) -> bool:
    """True when some two of one (tool, arguments)'s calls could be a duplicate: one job
    made two, or two come within ``interval`` (a cheap test before ``_episodes``)."""
    if len({call.job.id for call in calls}) < len(calls):
        return True
    times = sorted(call.at for call in calls)
    return any(later - earlier <= interval for earlier, later in pairwise(times))


def _left_to_loops(
    ctx: CheckContext, duplicate: _Duplicate, loops: dict[int, Repeat | None]
) -> bool:
    """True when the duplicate is one job's same-call loop of this write with the same
    result each time: ``tool_loop`` reports it (act, "a write that succeeded each
    time"), so the report says it once. ``loops`` caches each job's loop."""
    jobs = duplicate.jobs
    if len(jobs) != 1:
        return False
    job = jobs[0]
    if job.id not in loops:
        settings = ctx.settings
        steps = ctx.steps.get(job.id, ())
        loops[job.id] = job_loop(steps, settings.loop_min_repeats, settings.loop_cycle_rounds)
    loop = loops[job.id]
    return (
        loop is not None
        and loop.pattern == "same_call"
        and not loop.failed
        and (loop.tools[0], loop.arguments) == (duplicate.tool, duplicate.arguments)
    )


def _episodes(
    tool: str, arguments: str, calls: list[_Call], interval: timedelta
) -> Iterator[_Duplicate]:
    """The duplicates among one (tool, arguments)'s calls: a job's calls stay together;
    jobs are joined, in time order, while each one's first call comes within
    ``interval`` of the latest call so far. Yields each group of ≥ 2 calls."""
    by_job: dict[int, list[_Call]] = {}
    for call in calls:
        by_job.setdefault(call.job.id, []).append(call)
    units = sorted(by_job.values(), key=lambda own: (min(c.at for c in own), own[0].job.id))
    current = _Duplicate(tool, arguments)
    latest: datetime | None = None
    for own in units:
        first = min(c.at for c in own)
        if latest is not None and first - latest > interval:
            if len(current.calls) >= 2:
                yield current
            current, latest = _Duplicate(tool, arguments), None
        current.calls.extend(own)
        last = max(c.at for c in own)
        latest = last if latest is None else max(latest, last)
    if len(current.calls) >= 2:
        yield current


def _severity(duplicate: _Duplicate) -> Severity:
    """act for a retry inside one job or ≥ ``ACT_ACROSS_JOBS`` successes; else watch."""
    if duplicate.retried_in_a_job or len(duplicate.calls) >= ACT_ACROSS_JOBS:
        return Severity.ACT
    return Severity.WATCH


def _finding(ctx: CheckContext, duplicate: _Duplicate) -> Finding:
    """One finding for one duplicated write.

    Evidence: ``tool``, ``arguments_digest`` (``domain.payload.short_digest`` of the arguments
    text), ``arguments`` (cut to 200 characters), ``count`` (successful calls), ``jobs``
    (how many jobs made them), ``retried_in_a_job``, ``first_at``/``last_at`` (ISO UTC),
    ``calls_per_job`` (label → calls, at most 50 rows).
    """
    jobs = duplicate.jobs
    count = len(duplicate.calls)
    digest = short_digest(duplicate.arguments)
    times = sorted(call.at for call in duplicate.calls)
    per_job: dict[str, int] = {}
    for call in duplicate.calls:
        per_job[call.job.label] = per_job.get(call.job.label, 0) + 1
    evidence: dict[str, Any] = {
        "job_ids": [job.label for job in jobs],
        "tool": duplicate.tool,
        "arguments_digest": digest,
        "arguments": truncate(duplicate.arguments, ARGUMENT_CHARS),
        "count": count,
        "jobs": len(jobs),
        "retried_in_a_job": duplicate.retried_in_a_job,
        "first_at": times[0].isoformat(),
        "last_at": times[-1].isoformat(),
        "calls_per_job": dict(list(per_job.items())[:50]),
    }
    head = (
        f"{duplicate.tool} succeeded {plural(count, 'time')} with the same arguments "
        f"(sha256 {digest})"
    )
    if len(jobs) == 1:
        where = f" in job {jobs[0].label}"
    else:
        span = fmt_num(minutes(times[0], times[-1]))
        where = f" across {fmt_count(len(jobs))} jobs within {span} min"
        if duplicate.retried_in_a_job:
            where += ", retried inside a job"
    return Finding(
        kind="duplicate_side_effect",
        severity=_severity(duplicate),
        title=head + where,
        response=RESPONSE_DUPLICATE,
        evidence=evidence,
    )


def _rest(rest: list[_Duplicate]) -> list[Finding]:
    """One finding naming the jobs of the duplicates left out of the report, if any (no
    finding is built for each: a busy window can hold thousands)."""
    if not rest:
        return []
    severity = Severity.ACT if any(_severity(d) == Severity.ACT for d in rest) else Severity.WATCH
    jobs = list(dict.fromkeys(job.label for d in rest for job in d.jobs))
    return [
        Finding(
            kind="duplicate_side_effect",
            severity=severity,
            title=f"{plural(len(rest), 'more duplicated write')} not listed",
            response=RESPONSE_DUPLICATE,
            evidence={"job_ids": jobs},
        )
    ]

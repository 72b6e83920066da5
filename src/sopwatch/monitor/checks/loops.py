"""Tool-call loops (seed "Cost spike": "many repeated calls to the same tool — a sign of a
loop").

Finding ``tool_loop``: one per window job that calls the same tool with the same
``arguments`` at least ``settings.loop_min_repeats`` times (issue #2 default 3).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sopwatch.domain.enums import FailureKind, JobStatus, Severity, StepKind
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import (
    fmt_count,
    fmt_usd,
    ok_finding,
    plural,
    truncate,
    usd,
)
from sopwatch.monitor.context import CheckContext

#: Failure kinds that mean the job ran into a limit, so a loop in it is ``act`` whatever
#: its length (issue #2).
LIMIT_FAILURES = frozenset(
    {FailureKind.MAX_STEPS, FailureKind.BUDGET_EXCEEDED, FailureKind.LOOP_DETECTED}
)
#: At most this many loop findings, longest first; the rest are summarised in one more
#: finding (our choice: a report a person reads in under a minute).
MAX_LOOP_FINDINGS = 10
ARGUMENT_CHARS = 200

#: Seed, "Cost spike" pattern, "If you see a tool-call loop …".
RESPONSE_LOOP = (
    "Tool-call loop: the assignment calls a tool, gets an unexpected result, and tries again "
    "repeatedly. Open the Job and scroll through the steps to find where the calls repeat, "
    "then update the SOP to give the assignment a clear exit condition. For example: 'If you "
    "do not find the record after searching twice, stop and request HITL.'"
)


@dataclass(frozen=True, slots=True)
class _Loop:
    """The most repeated (tool, arguments) pair of one job."""

    job: Job
    tool: str
    arguments: str | None
    count: int
    longest_run: int
    cost_micros: float | None
    cost_estimated: bool = False


def check_tool_loops(ctx: CheckContext) -> list[Finding]:
    """``tool_loop`` findings, longest first; one ok finding when no job loops.

    Severity: ``act`` when the count is ≥ ``settings.loop_act_repeats`` (our choice, 10)
    or the job failed with failure kind ``max_steps``, ``budget_exceeded`` or
    ``loop_detected``; else ``watch``. ``cost_usd`` is the summed cost of the repeated
    steps when any of them has one, else the job's cost × repeated / all tool steps, else
    None (unknown).
    """
    loops: list[_Loop] = []
    for job in ctx.jobs:
        loop = _find_loop(job, ctx.steps.get(job.id, ()), ctx.settings.loop_min_repeats)
        if loop is not None:
            loops.append(loop)
    if not loops:
        title = (
            f"No tool called {fmt_count(ctx.settings.loop_min_repeats)} or more times with the "
            "same arguments in one job"
        )
        return [ok_finding("tool_loop", title)]
    loops.sort(key=lambda loop: (-loop.count, -loop.longest_run, loop.job.id))
    findings = [_finding(ctx, loop) for loop in loops]
    return findings[:MAX_LOOP_FINDINGS] + _rest(findings[MAX_LOOP_FINDINGS:])


def _find_loop(job: Job, steps: tuple[Step, ...], minimum: int) -> _Loop | None:
    """The job's most repeated (tool, arguments) pair when repeated ≥ ``minimum`` times.
    ``longest_run`` counts consecutive repeats, ignoring non-tool steps in between."""
    tools = [step for step in steps if step.kind == StepKind.TOOL]
    if len(tools) < minimum:
        return None
    counts = Counter((step.name, step.arguments) for step in tools)
    (name, arguments), count = counts.most_common(1)[0]
    if count < minimum:
        return None
    longest = run = 0
    for step in tools:
        run = run + 1 if (step.name, step.arguments) == (name, arguments) else 0
        longest = max(longest, run)
    repeated = [step for step in tools if (step.name, step.arguments) == (name, arguments)]
    cost, estimated = _burned(job, repeated, len(tools))
    return _Loop(
        job=job,
        tool=name,
        arguments=arguments,
        count=count,
        longest_run=longest,
        cost_micros=cost,
        cost_estimated=estimated,
    )


def _burned(job: Job, repeated: list[Step], tool_steps: int) -> tuple[float | None, bool]:
    """Micro-dollars the repeated calls cost (their own costs, else the job's share) and
    whether that rests on a cost estimated from tokens."""
    own = [step for step in repeated if step.cost_micros is not None]
    if own:
        total = float(sum(step.cost_micros or 0 for step in own))
        return total, any(step.cost_estimated for step in own)
    if job.cost_micros is not None and tool_steps:
        return job.cost_micros * len(repeated) / tool_steps, job.cost_estimated
    return None, False


def _severity(ctx: CheckContext, loop: _Loop) -> Severity:
    """act at ≥ ``loop_act_repeats`` or when the job failed on a limit; else watch."""
    if loop.count >= ctx.settings.loop_act_repeats:
        return Severity.ACT
    hit_limit = loop.job.status == JobStatus.FAILED and loop.job.failure_kind in LIMIT_FAILURES
    return Severity.ACT if hit_limit else Severity.WATCH


def _finding(ctx: CheckContext, loop: _Loop) -> Finding:
    """One finding for one looping job."""
    evidence: dict[str, Any] = {
        "job_ids": [loop.job.label],
        "tool": loop.tool,
        "arguments": truncate(loop.arguments, ARGUMENT_CHARS),
        "count": loop.count,
        "longest_run": loop.longest_run,
        "cost_usd": usd(loop.cost_micros),
        "cost_estimated": loop.cost_estimated,
        "failure_kind": loop.job.failure_kind,
        "job_status": str(loop.job.status),
    }
    title = (
        f"{loop.tool} called {plural(loop.count, 'time')} with the same arguments in job "
        f"{loop.job.label} ({fmt_count(loop.longest_run)} in a row at most"
    )
    if loop.cost_micros is not None:
        title += f", {fmt_usd(loop.cost_micros)}"
        title += " estimated from tokens" if loop.cost_estimated else ""
    if loop.job.status == JobStatus.FAILED and loop.job.failure_kind:
        title += f"; job failed: {loop.job.failure_kind}"
    return Finding(
        kind="tool_loop",
        severity=_severity(ctx, loop),
        title=title + ")",
        response=RESPONSE_LOOP,
        evidence=evidence,
    )


def _rest(rest: list[Finding]) -> list[Finding]:
    """One finding naming the looping jobs left out of the report, if any."""
    if not rest:
        return []
    severity = Severity.ACT if any(f.severity == Severity.ACT for f in rest) else Severity.WATCH
    return [
        Finding(
            kind="tool_loop",
            severity=severity,
            title=f"{plural(len(rest), 'more job')} with tool-call loops not listed",
            response=RESPONSE_LOOP,
            evidence={"job_ids": [f.evidence["job_ids"][0] for f in rest]},
        )
    ]

"""Tool-call loops (seed "Cost spike": "many repeated calls to the same tool — a sign of a
loop").

Finding ``tool_loop``: one per window job whose tool calls repeat in one of two patterns
(``_loop_patterns``): the same tool with the same ``arguments`` returning the same result
or error at least ``settings.loop_min_repeats`` times (issue #2 default 3; a call whose
result changes, such as polling a status until it is done, is progress, not a loop), or
two tools called in turn for at least ``settings.loop_cycle_rounds`` rounds whatever their
arguments (issue #6 default 5). A loop's cost is that of its calls plus that of the model
calls that issued them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sopwatch.domain.enums import FailureKind, JobStatus, Severity, StepKind
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.domain.loops import Repeat, issuing_model_steps, job_loop
from sopwatch.domain.tools import is_read_tool
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
#: Our choice, added to the seed's response when the repeated call is a write that
#: succeeded each time (the duplicate_side_effect check leaves such a loop to this one).
RESPONSE_WRITE_LOOP = (
    " Each repeated call was a write that succeeded, so its effect may have happened every "
    "time: check the system the tool writes to and undo the extra ones. If the tool only "
    "reads, mark it: `sopwatch assignments set ASSIGNMENT --read-tools NAME`."
)


@dataclass(frozen=True, slots=True)
class _Loop:
    """The loop reported for one job: its pattern, what it cost, and whether its calls
    are one write that succeeded each time (``domain.tools.is_read_tool`` is False)."""

    job: Job
    repeat: Repeat
    cost_micros: float | None
    cost_estimated: bool = False
    writes: bool = False

    @property
    def count(self) -> int:
        """Tool calls in the loop."""
        return self.repeat.count


def check_tool_loops(ctx: CheckContext) -> list[Finding]:
    """``tool_loop`` findings, most calls first; one ok finding when no job loops.

    Per job, the loop with more calls of the two patterns (``_loop_patterns``): the same
    call with the same outcome ≥ ``settings.loop_min_repeats`` times, or two tools in turn
    for ≥ ``settings.loop_cycle_rounds`` rounds. Severity: ``act`` when a same-call loop
    has ≥ ``settings.loop_act_repeats`` calls or a cycle that many rounds (our choice,
    10), or the repeated call is a write that succeeded each time (its effect happened
    each time, as ``duplicate_side_effect`` rates it), or the job failed with failure
    kind ``max_steps``, ``budget_exceeded`` or ``loop_detected``; else ``watch``.
    ``cost_usd`` is the summed cost of the loop's calls and of the model steps that
    issued them (the model step before each call) when any of them has one, else the
    job's cost × loop calls / all tool calls, else None.
    """
    loops: list[_Loop] = []
    for job in ctx.jobs:
        loop = _find_loop(job, ctx.steps.get(job.id, ()), ctx)
        if loop is not None:
            loops.append(loop)
    if not loops:
        title = (
            f"No tool called {fmt_count(ctx.settings.loop_min_repeats)} or more times with the "
            "same arguments and result in one job"
        )
        return [ok_finding("tool_loop", title)]
    loops.sort(key=lambda loop: (-loop.count, -loop.repeat.longest_run, loop.job.id))
    findings = [_finding(ctx, loop) for loop in loops]
    return findings[:MAX_LOOP_FINDINGS] + _rest(findings[MAX_LOOP_FINDINGS:])


def _find_loop(job: Job, steps: tuple[Step, ...], ctx: CheckContext) -> _Loop | None:
    """The job's loop with the most calls, or None when its calls do not repeat."""
    settings = ctx.settings
    repeat = job_loop(steps, settings.loop_min_repeats, settings.loop_cycle_rounds)
    if repeat is None:
        return None
    writes = (
        repeat.pattern == "same_call"
        and not repeat.failed
        and not is_read_tool(repeat.tools[0], ctx.assignment.read_tools)
    )
    tool_calls = sum(1 for step in steps if step.kind == StepKind.TOOL)
    cost, estimated = _burned(job, steps, repeat.calls, tool_calls)
    return _Loop(job=job, repeat=repeat, cost_micros=cost, cost_estimated=estimated, writes=writes)


def _burned(
    job: Job, steps: Sequence[Step], calls: Sequence[int], tool_calls: int
) -> tuple[float | None, bool]:
    """Micro-dollars the loop cost and whether that rests on a cost estimated from tokens:
    the costs of its calls and of the model steps that issued them when any has one,
    else the job's cost × loop calls / all tool calls, else None."""
    spent = [steps[i] for i in (*calls, *issuing_model_steps(steps, calls))]
    own = [step for step in spent if step.cost_micros is not None]
    if own:
        total = float(sum(step.cost_micros or 0 for step in own))
        return total, any(step.cost_estimated for step in own)
    if job.cost_micros is not None and tool_calls:
        return job.cost_micros * len(calls) / tool_calls, job.cost_estimated
    return None, False


def _severity(ctx: CheckContext, loop: _Loop) -> Severity:
    """act at ≥ ``loop_act_repeats`` calls (a same-call loop) or rounds (a cycle), when
    the calls are a write that succeeded each time (as ``duplicate_side_effect`` rates a
    write repeated in one job), or when the job failed on a limit; else watch."""
    repeat = loop.repeat
    length = repeat.rounds if repeat.pattern == "cycle" else repeat.count
    if length >= ctx.settings.loop_act_repeats or loop.writes:
        return Severity.ACT
    hit_limit = loop.job.status == JobStatus.FAILED and loop.job.failure_kind in LIMIT_FAILURES
    return Severity.ACT if hit_limit else Severity.WATCH


def _finding(ctx: CheckContext, loop: _Loop) -> Finding:
    """One finding for one looping job.

    Evidence: ``tool`` (the first tool), ``tools``, ``pattern`` (``same_call`` or
    ``cycle``), ``arguments`` and ``outcome`` (same call; cut to 200 characters),
    ``count`` (tool calls in the loop), ``rounds`` (cycle), ``longest_run``,
    ``cost_usd``, ``cost_estimated``, ``failure_kind``, ``job_status``, ``writes``
    (the calls are a write that succeeded each time).
    """
    repeat = loop.repeat
    evidence: dict[str, Any] = {
        "job_ids": [loop.job.label],
        "tool": repeat.tools[0],
        "tools": list(repeat.tools),
        "pattern": repeat.pattern,
        "arguments": truncate(repeat.arguments, ARGUMENT_CHARS),
        "outcome": truncate(repeat.outcome, ARGUMENT_CHARS),
        "count": repeat.count,
        "rounds": repeat.rounds,
        "longest_run": repeat.longest_run,
        "cost_usd": usd(loop.cost_micros),
        "cost_estimated": loop.cost_estimated,
        "failure_kind": loop.job.failure_kind,
        "job_status": str(loop.job.status),
        "writes": loop.writes,
    }
    return Finding(
        kind="tool_loop",
        severity=_severity(ctx, loop),
        title=_title(loop),
        response=RESPONSE_LOOP + (RESPONSE_WRITE_LOOP if loop.writes else ""),
        evidence=evidence,
    )


def _title(loop: _Loop) -> str:
    """``t called 12 times with the same arguments and result in job J (12 in a row at
    most, $0.24; job failed: max_steps)`` ("and error" when the calls failed alike), or
    for a cycle ``a and b called in turn 6 rounds (12 calls) in job J ($0.24)``."""
    repeat = loop.repeat
    cost = ""
    if loop.cost_micros is not None:
        cost = fmt_usd(loop.cost_micros)
        cost += " estimated from tokens" if loop.cost_estimated else ""
    failed = ""
    if loop.job.status == JobStatus.FAILED and loop.job.failure_kind:
        failed = f"job failed: {loop.job.failure_kind}"
    if repeat.pattern == "cycle":
        first, second = repeat.tools
        title = (
            f"{first} and {second} called in turn {plural(repeat.rounds, 'round')} "
            f"({plural(repeat.count, 'call')}) in job {loop.job.label}"
        )
        details = "; ".join(part for part in (cost, failed) if part)
        return f"{title} ({details})" if details else title
    same = "error" if repeat.failed else "result"
    title = (
        f"{repeat.tools[0]} called {plural(repeat.count, 'time')} with the same arguments "
        f"and {same} in job {loop.job.label} ({fmt_count(repeat.longest_run)} in a row at most"
    )
    title += f", {cost}" if cost else ""
    title += "; a write that succeeded each time" if loop.writes else ""
    title += f"; {failed}" if failed else ""
    return title + ")"


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

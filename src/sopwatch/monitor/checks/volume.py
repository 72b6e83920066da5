"""Run volume vs expected (seed Team Insights signal "Run volume vs expected").

Finding ``run_volume``: the number of window jobs against the operator's expectation
(``Assignment.expected_runs_per_day`` × window days), else the baseline's jobs per day
scaled to the window; then, by source, missed scheduled runs (``schedule.py``,
``pattern: schedule_gap``) and bursts of jobs within minutes (``pattern: burst``). Every
judgement is Poisson-aware: a count is only called too low or too high when chance
explains it poorly.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks._common import OK_RESPONSE, failed_jobs, fmt_num, pct, plural
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.checks._time import clock, p_text
from sopwatch.monitor.checks.schedule import schedule_findings
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import poisson_high_p, poisson_low_p

#: Seed, "Significantly fewer Jobs than expected".
RESPONSE_TOO_FEW = (
    "Significantly fewer Jobs than expected: the trigger may not be firing (check the trigger "
    "configuration and the schedule), or Jobs are failing before they complete (check the "
    "Failed count)."
)
#: Seed, "Significantly more Jobs than expected".
RESPONSE_TOO_MANY = (
    "Significantly more Jobs than expected: the trigger may be firing on events you did not "
    "intend. Check the trigger source configuration and consider adding a filter in the SOP."
)
RESPONSE_NO_EXPECTATION = (
    "No expectation set; set one with "
    "`sopwatch assignments set ASSIGNMENT --expected-runs-per-day N`."
)
#: A burst is the most jobs created within this span (our choice: 5 min; a trigger storm
#: or a replay shows within minutes) …
BURST_MS = 5 * 60_000
#: … watch from this many jobs in it (our choice: fewer are not a pattern whatever the rate)
BURST_WATCH_JOBS = 5
#: … act from this many, and at least the whole window's expected volume (our choice: a
#: burst that alone brings a window's worth of jobs is a trigger firing on events it should
#: not, or a replay, not a busy moment).
BURST_ACT_JOBS = 10
#: Seed, "Significantly more Jobs than expected", for a burst; the rest our choice.
RESPONSE_BURST = RESPONSE_TOO_MANY + (
    " A burst within minutes is often a replay of the same events or a trigger firing on its "
    "own output: look at what started these Jobs (their source and trigger key)."
)


def _expectation(ctx: CheckContext) -> tuple[float, str] | None:
    """(expected jobs in the window, basis) or None when there is no expectation."""
    days = ctx.window.days
    per_day = ctx.assignment.expected_runs_per_day
    if per_day is not None:
        return per_day * days, f"expected_runs_per_day {fmt_num(per_day, 2, trim=True)}"
    base = ctx.baseline
    if base.jobs and base.days > 0:
        per_day = len(base.jobs) / base.days
        return per_day * days, f"baseline {fmt_num(per_day)}/day"
    return None


def check_run_volume(ctx: CheckContext) -> list[Finding]:
    """``run_volume``: the count finding, then the scheduled runs' finding when the
    baseline shows a schedule (``schedule.schedule_findings``), then a burst finding when
    there is a burst (``_burst``).

    The count: watch when it is outside ±``settings.volume_tolerance`` of expected (default
    ±50%) AND the one-sided Poisson test in that direction gives p <
    ``settings.significance`` (docs/architecture.md: "counts use Poisson"), so small counts
    are not flagged by chance; act when there are 0 jobs and P(0 | Poisson(expected)) =
    exp(−expected) < ``settings.act_significance`` (seed: "the trigger is not firing"; 0.001:
    about 7 jobs expected; an empty hour at 1 job an hour, P = 0.37, is ordinary). ok
    without an expectation.
    """
    expectation = _expectation(ctx)
    findings = [_count_finding(ctx, expectation)]
    findings.extend(schedule_findings(ctx))
    if expectation is not None:
        findings.extend(_burst(ctx, expectation))
    return findings


def _count_finding(ctx: CheckContext, expectation: tuple[float, str] | None) -> Finding:
    """The count finding (``check_run_volume``)."""
    n = len(ctx.jobs)
    evidence: dict[str, Any] = {
        "job_ids": [],
        "jobs": n,
        "failed": len(failed_jobs(ctx.jobs)),
        "window_days": round(ctx.window.days, 4),
    }
    if expectation is None:
        title = f"{plural(n, 'job')} in the window; no expectation set"
        mark_skipped(evidence, ctx, "jobs")
        return _finding(Severity.OK, title, RESPONSE_NO_EXPECTATION, evidence)
    expected, basis = expectation
    low, high = poisson_low_p(n, expected), poisson_high_p(n, expected)
    deviation = (n - expected) / expected if expected > 0 else (0.0 if n == 0 else 1.0)
    evidence.update(
        expected=round(expected, 2),
        basis=basis,
        deviation=round(deviation, 4),
        p_value=round(min(low, high), 6),
    )
    sig, tol = ctx.settings.significance, ctx.settings.volume_tolerance
    title = f"{plural(n, 'job')} in the window, expected about {fmt_num(expected)} ({basis})"
    if n == 0 and low < ctx.settings.act_significance:
        title += ": the trigger may not be firing"
        return _finding(Severity.ACT, title, RESPONSE_TOO_FEW, evidence)
    if n < expected and -deviation > tol and low < sig:
        title += f": {pct(-deviation)} fewer"
        return _finding(Severity.WATCH, title, RESPONSE_TOO_FEW, evidence)
    if n > expected and deviation > tol and high < sig:
        title += f": {pct(deviation)} more"
        return _finding(Severity.WATCH, title, RESPONSE_TOO_MANY, evidence)
    return _finding(Severity.OK, title, OK_RESPONSE, evidence)


def _densest(ctx: CheckContext) -> tuple[int, int]:
    """``(first, count)``: the window jobs (oldest first) created within ``BURST_MS`` of
    job ``first`` are the most of any such stretch; ``(0, 0)`` without jobs."""
    times = [job.created_at for job in ctx.jobs]
    span = timedelta(milliseconds=BURST_MS)
    best, first, last = (0, 0), 0, 0
    for first, at in enumerate(times):
        last = max(last, first)
        while last < len(times) and times[last] < at + span:
            last += 1
        if last - first > best[1]:
            best = (first, last - first)
    return best


def _burst(ctx: CheckContext, expectation: tuple[float, str]) -> list[Finding]:
    """``[run_volume]`` (``pattern: burst``) for the densest ``BURST_MS`` stretch, or ``[]``.

    Test: P(X ≥ count) for X ~ Poisson(expected × BURST_MS / window length), one-sided,
    Bonferroni-corrected by the number of ``BURST_MS`` stretches in the window (the densest
    of them is picked after looking). watch when the corrected p < ``settings.significance``
    and the stretch holds ≥ ``BURST_WATCH_JOBS`` jobs; act when p <
    ``settings.act_significance`` and it holds ≥ ``BURST_ACT_JOBS`` jobs and at least the
    whole window's expected count (400 jobs in 5 min against 20 a day: act).
    """
    expected, basis = expectation
    first, count = _densest(ctx)
    window_ms = ctx.window.length / timedelta(milliseconds=1)
    if count < BURST_WATCH_JOBS or window_ms <= 0:
        return []
    mu = expected * BURST_MS / window_ms
    stretches = max(1.0, window_ms / BURST_MS)
    p_value = min(1.0, poisson_high_p(count, mu) * stretches)
    settings = ctx.settings
    if p_value < settings.act_significance and count >= max(BURST_ACT_JOBS, expected):
        severity = Severity.ACT
    elif p_value < settings.significance:
        severity = Severity.WATCH
    else:
        return []
    burst = ctx.jobs[first : first + count]
    evidence: dict[str, Any] = {
        "job_ids": [job.label for job in burst],
        "pattern": "burst",
        "jobs_in_burst": count,
        "from": burst[0].created_at.isoformat(),
        "to": burst[-1].created_at.isoformat(),
        "expected_in_burst_span": round(mu, 4),
        "p_value": float(f"{p_value:.3g}"),
        "sources": dict(Counter(str(job.source) for job in burst)),
    }
    title = (
        f"{plural(count, 'job')} within 5 min from {clock(burst[0].created_at, ctx.window.end)}, "
        f"against about {fmt_num(mu, 2)} expected in 5 min ({basis}; Poisson p = "
        f"{p_text(p_value)}, corrected for {fmt_num(stretches, 0)} such spans)"
    )
    return [_finding(severity, title, RESPONSE_BURST, evidence)]


def _finding(severity: Severity, title: str, response: str, evidence: dict[str, Any]) -> Finding:
    """A ``run_volume`` finding."""
    return Finding(
        kind="run_volume", severity=severity, title=title, response=response, evidence=evidence
    )

"""Run volume vs expected (seed Team Insights signal "Run volume vs expected").

Finding ``run_volume``: the number of window jobs against the operator's expectation
(``Assignment.expected_runs_per_day`` × window days), else the baseline's jobs per day
scaled to the window.
"""

from __future__ import annotations

from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks._common import OK_RESPONSE, failed_jobs, fmt_num, pct, plural
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
#: 0 jobs is ``act`` when at least this many were expected (our choice: below one
#: expected run, an empty window is ordinary chance; seed: "trigger is not firing").
ACT_MIN_EXPECTED = 1.0


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
    """``run_volume``: one finding.

    watch when the count is outside ±``settings.volume_tolerance`` of expected (default
    ±50%) AND the one-sided Poisson test in that direction gives p <
    ``settings.significance`` (docs/architecture.md: "counts use Poisson"), so small counts are not
    flagged by chance; act when there are 0 jobs but ≥ 1 was expected (seed: "the trigger
    is not firing"; our choice: no Poisson test here, since schedules are not random and
    one missed daily run matters). ok without an expectation.
    """
    n = len(ctx.jobs)
    evidence: dict[str, Any] = {
        "job_ids": [],
        "jobs": n,
        "failed": len(failed_jobs(ctx.jobs)),
        "window_days": round(ctx.window.days, 4),
    }
    expectation = _expectation(ctx)
    if expectation is None:
        title = f"{plural(n, 'job')} in the window; no expectation set"
        return [_finding(Severity.OK, title, RESPONSE_NO_EXPECTATION, evidence)]
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
    if n == 0 and expected >= ACT_MIN_EXPECTED:
        title += ": the trigger may not be firing"
        return [_finding(Severity.ACT, title, RESPONSE_TOO_FEW, evidence)]
    if n < expected and -deviation > tol and low < sig:
        title += f": {pct(-deviation)} fewer"
        return [_finding(Severity.WATCH, title, RESPONSE_TOO_FEW, evidence)]
    if n > expected and deviation > tol and high < sig:
        title += f": {pct(deviation)} more"
        return [_finding(Severity.WATCH, title, RESPONSE_TOO_MANY, evidence)]
    return [_finding(Severity.OK, title, OK_RESPONSE, evidence)]


def _finding(severity: Severity, title: str, response: str, evidence: dict[str, Any]) -> Finding:
    """A ``run_volume`` finding."""
    return Finding(
        kind="run_volume", severity=severity, title=title, response=response, evidence=evidence
    )

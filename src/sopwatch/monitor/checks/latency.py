"""Latency drift (seed "Latency drift" pattern; graduation: "no cost or latency spikes").

Finding ``latency_drift``: job duration in the window against the baseline, over the jobs
whose ``duration_ms`` is known, judged like cost (``_spread.judge``): consistent drift of
the median, or isolated slow runs beyond chance.
"""

from __future__ import annotations

from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job
from sopwatch.monitor.checks._common import OK_RESPONSE, fmt_count, fmt_num, plural
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.checks._spread import DRIFT_RATIO, Pattern, judge, ratio_note
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import SpreadComparison, compare_spread, median

#: Jobs named as the slowest (our choice: top 5).
TOP_JOBS = 5

#: Seed, "Latency drift", when the drift is consistent across Jobs.
RESPONSE_CONSISTENT = (
    "Latency drift: Jobs take significantly longer than in the baseline, consistently across "
    "Jobs. Compare the volume of data the assignment processes now with testing: real-world "
    "volumes are often larger. Update the SOP to process in smaller batches, or add a volume "
    "cap while you investigate. If Job duration approaches your business process SLA, run "
    "more often in smaller batches or add a volume limit to the SOP."
)
#: Seed, "Latency drift", when it is isolated to specific runs.
RESPONSE_ISOLATED = (
    "Latency drift isolated to specific runs: the upstream system may have been slow at that "
    "time. Check the external services' status pages or your own infrastructure logs for "
    "when these Jobs ran."
)


def check_latency(ctx: CheckContext) -> list[Finding]:
    """``latency_drift``: one finding; durations in evidence are seconds (ms ÷ 1000).

    ok "no durations recorded" when no window job has one; ok without comparison when the
    baseline has none; else severity and pattern from ``_spread.judge``. ``job_ids`` are
    the five slowest jobs, or, at watch or act, every job above the drift's bar, slowest
    first (as ``cost_spike`` names its jobs: docs/daily-check.md "Who is named"), so a
    drift across every job names every job; ``slowest`` keeps the five slowest.
    """
    timed = [job for job in ctx.jobs if job.duration_ms is not None]
    base = [float(j.duration_ms) for j in ctx.baseline.jobs if j.duration_ms is not None]
    if not timed:
        return [_finding(Severity.OK, "No durations recorded for jobs in the window", {})]
    slowest = sorted(timed, key=lambda job: (-(job.duration_ms or 0), job.id))[:TOP_JOBS]
    evidence: dict[str, Any] = {
        "job_ids": [job.label for job in slowest],
        "slowest": [{"job_id": j.label, "seconds": _s(j.duration_ms)} for j in slowest],
        "window_jobs_with_duration": len(timed),
    }
    durations = [float(job.duration_ms or 0) for job in timed]
    comparison = compare_spread(durations, base, min_ratio_above=DRIFT_RATIO)
    if comparison is None:
        title = (
            f"Median job duration {_secs(median(durations))} over "
            f"{plural(len(timed), 'job')}; no baseline durations"
        )
        return [_finding(Severity.OK, title, mark_skipped(evidence, ctx, "durations"))]
    severity, pattern = judge(comparison, ctx.settings.significance)
    evidence.update(_comparison(comparison), pattern=str(pattern))
    if severity != Severity.OK:
        evidence["job_ids"] = _drifted_jobs(timed, comparison)
    response = {
        Pattern.CONSISTENT: RESPONSE_CONSISTENT,
        Pattern.ISOLATED: RESPONSE_ISOLATED,
        Pattern.NONE: OK_RESPONSE,
    }[pattern]
    return [_finding(severity, _title(comparison), evidence, response)]


def _drifted_jobs(timed: list[Job], c: SpreadComparison) -> list[str]:
    """Labels of the jobs above the bar ``compare_spread`` counts them against (the
    baseline p95, or ``DRIFT_RATIO`` × its median when higher), slowest first."""
    bar = max(c.baseline_p95, DRIFT_RATIO * c.baseline_median)
    above = [job for job in timed if (job.duration_ms or 0) > bar]
    return [job.label for job in sorted(above, key=lambda job: (-(job.duration_ms or 0), job.id))]


def _finding(
    severity: Severity, title: str, evidence: dict[str, Any], response: str = OK_RESPONSE
) -> Finding:
    return Finding(
        kind="latency_drift", severity=severity, title=title, response=response, evidence=evidence
    )


def _s(ms: float | None) -> float | None:
    """Milliseconds as seconds, 1 decimal."""
    return None if ms is None else round(ms / 1000, 1)


def _secs(ms: float | None) -> str:
    """Milliseconds as a display string of seconds, 1 decimal (``1,234.5 s``)."""
    return "unknown" if ms is None else f"{fmt_num(ms / 1000)} s"


def _comparison(c: SpreadComparison) -> dict[str, Any]:
    """Medians and p95 in seconds, the ratio and the jobs above the baseline p95."""
    return {
        "window_median_seconds": _s(c.window_median),
        "baseline_median_seconds": _s(c.baseline_median),
        "baseline_p95_seconds": _s(c.baseline_p95),
        "median_ratio": None
        if c.median_ratio in (None, float("inf"))
        else round(c.median_ratio or 0, 3),
        "jobs_above_baseline_p95": c.count_above_p95,
    }


def _title(c: SpreadComparison) -> str:
    """``Job duration: median 39.2 s vs baseline 4.9 s (8.0×); 3 of 40 jobs above p95 …``."""
    ratio_text = ratio_note(c)
    return (
        f"Job duration: median {_secs(c.window_median)} vs baseline "
        f"{_secs(c.baseline_median)}{ratio_text}; {fmt_count(c.count_above_p95)} of "
        f"{plural(c.window_count, 'job')} above the baseline p95 ({_secs(c.baseline_p95)})"
    )

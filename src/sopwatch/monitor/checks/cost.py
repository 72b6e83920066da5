"""Cost per job trend (seed daily check 4 and "Cost spike" pattern).

Finding ``cost_spike``: the window's cost per job against the baseline's, over the jobs
whose ``cost_micros`` is known, with robust statistics (docs/architecture.md "Monitoring": median,
MAD, share above the baseline p95) so one expensive job does not read as a trend, yet a
job far above the baseline is named. A spike is explained (``cost_drivers``): the step and
model whose cost per job grew most and its token change, and the new revision it began
with.

Costs computed from tokens at import (``Job.cost_estimated``, genai-prices) are used like
reported ones, but the title says how many of the figures rest on them ("Cost per job
(estimated from tokens for 40 of 40 jobs): …") and the evidence counts them.
"""

from __future__ import annotations

from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import BaselineJob, Job
from sopwatch.monitor.checks._common import (
    MAX_DETAIL_ROWS,
    OK_RESPONSE,
    fmt_count,
    fmt_num,
    fmt_usd,
    labels,
    ok_finding,
    pct,
    plural,
    usd,
)
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.checks._spread import DRIFT_RATIO, Pattern, judge, ratio_note
from sopwatch.monitor.checks.cost_drivers import (
    OUTLIER_MEDIAN_RATIO,
    OUTLIER_P99_RATIO,
    cost_driver,
    new_revision,
    outliers,
)
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import SpreadComparison, compare_spread

#: Jobs named as driving the cost (our choice: top 5).
TOP_JOBS = 5

#: Seed, "Cost spike" pattern (paraphrased closely).
RESPONSE_COST_SPIKE = (
    "Cost spike: individual Jobs are consuming significantly more than your baseline. Open "
    "one of the high-cost Jobs and scroll through the steps; count how many tool calls it "
    "made. Many repeated calls to the same tool are a sign of a loop: update the SOP to give "
    "the assignment a clear exit condition (for example: 'If you do not find the record "
    "after searching twice, stop and request HITL.'). If the tool calls look reasonable, the "
    "inputs may be much larger than expected: batch or pre-filter the input before the "
    "assignment processes it."
)


def check_cost(ctx: CheckContext) -> list[Finding]:
    """``cost_spike``: one finding.

    Severity from ``_spread.judge``: consistent drift (window median > 1.5 × baseline
    median: watch; ≥ 2×: act) or isolated expensive jobs (more jobs above the baseline p95,
    and above 1.5 × its median, than chance explains: watch). Besides, any job far above
    the baseline (``cost_drivers.outliers``: over 10 × the baseline median and over 3 × its
    p99) makes it at least watch, pattern ``outlier``, even when the median is unchanged.
    A finding at watch or act names every job above the spike's bar (costliest first) and
    explains itself (``_explain``). ok with "no cost recorded for jobs in the window" when
    no window job has a cost, and ok without comparison (``evidence["skipped"]``) when the
    baseline has none. Evidence money is USD (micro-dollars ÷ 1e6, 6 decimals);
    ``cost_estimated_jobs`` / ``baseline_cost_estimated_jobs`` count the jobs whose cost
    was computed from tokens, and the title names them when there are any.
    """
    window = [job for job in ctx.jobs if job.cost_micros is not None]
    base_jobs = [job for job in ctx.baseline.jobs if job.cost_micros is not None]
    if not window:
        return [ok_finding("cost_spike", "No cost recorded for jobs in the window", {})]
    costs = [float(job.cost_micros or 0) for job in window]
    base = [float(job.cost_micros or 0) for job in base_jobs]
    evidence = _base_evidence(window, costs, base_jobs)
    subject = "Cost per job" + estimate_note(window, base_jobs)
    comparison = compare_spread(costs, base, min_ratio_above=DRIFT_RATIO)
    if comparison is None:
        title = (
            f"{subject}: mean {fmt_usd(evidence['window_mean_micros'])} over "
            f"{plural(len(window), 'job')}; no baseline cost to compare with"
        )
        return [ok_finding("cost_spike", title, mark_skipped(_public(evidence), ctx, "cost"))]
    evidence.update(_comparison_evidence(comparison))
    severity, pattern = judge(comparison, ctx.settings.significance)
    far = outliers(window, base)
    if far and severity == Severity.OK:
        severity = Severity.WATCH
    evidence["pattern"] = str(pattern) if pattern != Pattern.NONE or not far else "outlier"
    title = _title(subject, comparison, len(window))
    if severity != Severity.OK:
        evidence["job_ids"] = _spike_jobs(window, comparison, far)
        title += _explain(ctx, window, comparison, far, evidence)
    response = OK_RESPONSE if severity == Severity.OK else RESPONSE_COST_SPIKE
    return [
        Finding(
            kind="cost_spike",
            severity=severity,
            title=title,
            response=response,
            evidence=_public(evidence),
        )
    ]


def _spike_jobs(window: list[Job], c: SpreadComparison, far: list[Job]) -> list[str]:
    """Labels of the jobs above the spike's bar (the baseline p95, or 1.5 × its median
    when higher, as ``compare_spread`` counts them) and of the jobs far above the
    baseline, costliest first."""
    bar = max(c.baseline_p95, DRIFT_RATIO * c.baseline_median)
    above = {job.id for job in far} | {job.id for job in window if (job.cost_micros or 0) > bar}
    picked = [job for job in window if job.id in above]
    return labels(sorted(picked, key=lambda job: (-(job.cost_micros or 0), job.id)))


def _explain(
    ctx: CheckContext,
    window: list[Job],
    c: SpreadComparison,
    far: list[Job],
    evidence: dict[str, Any],
) -> str:
    """The title's explanation of a spike, also written to ``evidence``: the jobs far
    above the baseline (``far_above_baseline`` rows), the step and model whose cost per
    job grew most with its token change (``cost_driver``), and the new revision it began
    with (``new_revision``)."""
    text = ""
    if far:
        evidence["far_above_baseline"] = [
            {
                "job_id": job.label,
                "cost_usd": usd(job.cost_micros),
                "times_baseline_median": _round((job.cost_micros or 0) / c.baseline_median)
                if c.baseline_median
                else "inf",
            }
            for job in far[:MAX_DETAIL_ROWS]
        ]
        top = far[0]
        text += (
            f"; {plural(len(far), 'job')} far above the baseline (over "
            f"{fmt_num(OUTLIER_MEDIAN_RATIO, trim=True)}× its median and "
            f"{fmt_num(OUTLIER_P99_RATIO, trim=True)}× its p99): {top.label} "
            f"{fmt_usd(top.cost_micros)}"
        )
    driver = cost_driver(ctx, window)
    if driver is not None:
        evidence["cost_driver"] = driver.evidence()
        text += f"; most of the rise: {driver.describe()}"
    revision = new_revision(window, ctx.baseline.jobs, c.baseline_median)
    if revision is not None:
        evidence["new_revision"] = revision.evidence()
        text += f"; {revision.describe(len(window))}"
    return text


def estimate_note(window: list[Job], baseline: list[BaselineJob]) -> str:
    """`` (estimated from tokens for 40 of 40 jobs; baseline 199 of 199)`` — how many of
    the jobs with a cost (``window``, ``baseline``) have one computed from tokens; ``""``
    when none has."""
    window_est = sum(1 for job in window if job.cost_estimated)
    base_est = sum(1 for job in baseline if job.cost_estimated)
    if not window_est and not base_est:
        return ""
    if not window_est:
        return (
            f" (baseline estimated from tokens for {fmt_count(base_est)} of "
            f"{plural(len(baseline), 'job')})"
        )
    note = f"estimated from tokens for {fmt_count(window_est)} of {plural(len(window), 'job')}"
    if base_est:
        note += f"; baseline {fmt_count(base_est)} of {fmt_count(len(baseline))}"
    return f" ({note})"


def _base_evidence(
    window: list[Job], costs: list[float], base: list[BaselineJob]
) -> dict[str, Any]:
    """Window mean/median, the top jobs, and counts (``*_micros`` keys are internal)."""
    top = sorted(window, key=lambda job: (-(job.cost_micros or 0), job.id))[:TOP_JOBS]
    return {
        "job_ids": [job.label for job in top],
        "window_mean_micros": sum(costs) / len(costs),
        "window_cost_per_job_usd": usd(sum(costs) / len(costs)),
        "window_jobs_with_cost": len(window),
        "baseline_jobs_with_cost": len(base),
        "cost_estimated_jobs": sum(1 for job in window if job.cost_estimated),
        "baseline_cost_estimated_jobs": sum(1 for job in base if job.cost_estimated),
        "top_jobs": [
            {
                "job_id": job.label,
                "cost_usd": usd(job.cost_micros),
                "cost_estimated": job.cost_estimated,
            }
            for job in top
        ],
    }


def _comparison_evidence(c: SpreadComparison) -> dict[str, Any]:
    """Medians, p95, MAD in USD, plus the ratio and share that decide the spike."""
    return {
        "window_median_cost_usd": usd(c.window_median),
        "baseline_cost_per_job_usd": usd(c.baseline_mean),
        "baseline_median_cost_usd": usd(c.baseline_median),
        "baseline_p95_cost_usd": usd(c.baseline_p95),
        "baseline_mad_usd": usd(c.baseline_mad),
        "median_ratio": _round(c.median_ratio),
        "robust_z": _round(c.robust_z),
        "share_above_baseline_p95": round(c.share_above_p95, 4),
    }


def _round(value: float | None) -> float | str | None:
    """Round to 3 places; infinity becomes the string ``"inf"`` (JSON has no infinity)."""
    if value is None:
        return None
    if value == float("inf"):
        return "inf"
    return round(value, 3)


def _public(evidence: dict[str, Any]) -> dict[str, Any]:
    """Evidence without the internal ``*_micros`` keys."""
    return {k: v for k, v in evidence.items() if not k.endswith("_micros")}


def _title(subject: str, c: SpreadComparison, jobs: int) -> str:
    """``Cost per job: median $0.1200 vs baseline $0.0500 (2.4×); mean …; 40.0% of 30 jobs
    above the baseline p95 ($0.0900)`` (``subject`` is ``Cost per job`` and its estimate
    note)."""
    ratio_text = ratio_note(c)
    return (
        f"{subject}: median {fmt_usd(c.window_median)} vs baseline "
        f"{fmt_usd(c.baseline_median)}{ratio_text}; mean {fmt_usd(c.window_mean)} vs "
        f"{fmt_usd(c.baseline_mean)}; {pct(c.share_above_p95)} of {plural(jobs, 'job')} above "
        f"the baseline p95 ({fmt_usd(c.baseline_p95)})"
    )

"""Source breakdown (seed Team Insights signal "Source breakdown").

Finding ``source_breakdown``: the share of window jobs per ``Source`` (manual, scheduled,
trigger, case, api, ingested) against the baseline's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sopwatch.domain.enums import Severity, Source
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks._common import OK_RESPONSE, pct
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import rate_differs_p

#: A source's share moving by at least this much (0..1) is a change in the mix; a new
#: source with this share counts the same way (our choice: 20 points).
SHIFT_POINTS = 0.2

#: Seed, Source breakdown example (a scheduled assignment suddenly showing manual runs).
RESPONSE_MANUAL = (
    "The source mix changed: more runs are started manually. Investigate whether team "
    "members are retriggering Jobs manually because they do not trust the automatic output; "
    "spot-check those Jobs' outputs and fix what they distrust."
)
#: Seed, Source breakdown ("If the source mix changes unexpectedly … investigate").
RESPONSE_SHIFT = (
    "The source mix changed unexpectedly: investigate where the extra runs come from (a "
    "changed schedule or trigger, a new caller of the API) and whether the drop in the other "
    "sources means a trigger stopped firing."
)


def check_sources(ctx: CheckContext) -> list[Finding]:
    """``source_breakdown``: one finding. watch when some source's share moved by ≥ 20
    points against the baseline (a new source with ≥ 20% share included) AND the change
    is significant (two-sided Fisher p < ``settings.significance``; our choice, so that a
    window of 3 jobs does not read as a new mix). Evidence: ``window`` and ``baseline``
    source → job count, ``shifts`` rows, and ``job_ids`` of the jobs of grown sources."""
    window = Counter(str(job.source) for job in ctx.jobs)
    base = Counter(str(job.source) for job in ctx.baseline.jobs)
    evidence: dict[str, Any] = {"job_ids": [], "window": dict(window), "baseline": dict(base)}
    if not window:
        return [_finding(Severity.OK, "Source breakdown: no jobs in the window", evidence)]
    if not base:
        title = f"Source breakdown: {_mix(window)}; no baseline to compare with"
        return [_finding(Severity.OK, title, mark_skipped(evidence, ctx, "jobs"))]
    shifts = _shifts(ctx, window, base)
    evidence["shifts"] = shifts
    if not shifts:
        title = f"Source mix in line with the baseline: {_mix(window)}"
        return [_finding(Severity.OK, title, evidence)]
    grown = {row["source"] for row in shifts if row["window_share"] > row["baseline_share"]}
    evidence["job_ids"] = [job.label for job in ctx.jobs if str(job.source) in grown]
    parts = [
        f"{row['source']} {pct(row['window_share'])} (baseline {pct(row['baseline_share'])})"
        for row in shifts
    ]
    response = RESPONSE_MANUAL if str(Source.MANUAL) in grown else RESPONSE_SHIFT
    title = "Source mix changed: " + ", ".join(parts)
    return [_finding(Severity.WATCH, title, evidence, response)]


def _shifts(ctx: CheckContext, window: Counter[str], base: Counter[str]) -> list[dict[str, Any]]:
    """Sources whose share moved by ≥ 20 points, significantly; biggest move first."""
    n, nb = sum(window.values()), sum(base.values())
    rows: list[dict[str, Any]] = []
    for source in sorted(set(window) | set(base)):
        share, base_share = window[source] / n, base[source] / nb
        p_value = rate_differs_p(window[source], n, base[source], nb)
        if abs(share - base_share) >= SHIFT_POINTS and p_value < ctx.settings.significance:
            rows.append(
                {
                    "source": source,
                    "window": window[source],
                    "baseline": base[source],
                    "window_share": round(share, 4),
                    "baseline_share": round(base_share, 4),
                    "p_value": round(p_value, 6),
                }
            )
    rows.sort(key=lambda row: -abs(row["window_share"] - row["baseline_share"]))
    return rows


def _mix(counts: Counter[str]) -> str:
    """``scheduled 90.0%, manual 10.0%`` (most first)."""
    total = sum(counts.values())
    return ", ".join(f"{source} {pct(count / total)}" for source, count in counts.most_common())


def _finding(
    severity: Severity, title: str, evidence: dict[str, Any], response: str = OK_RESPONSE
) -> Finding:
    """A ``source_breakdown`` finding."""
    return Finding(
        kind="source_breakdown",
        severity=severity,
        title=title,
        response=response,
        evidence=evidence,
    )

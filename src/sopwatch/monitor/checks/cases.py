"""Case Queue health (seed daily check 2): failed, needs-input and postponed case rates.

Rates are over the cases worked on by window jobs (``ctx.cases``), by ``Case.status``,
compared with the baseline's cases by a one-sided Fisher exact test (docs/architecture.md: "rates
use proportion tests against the baseline"). When no window job worked on a case the
check does not apply and emits one ``case_queue`` ok finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sopwatch.domain.case import Case
from sopwatch.domain.enums import CaseStatus, Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks._common import (
    OK_RESPONSE,
    RESPONSE_FAILED_SPIKE,
    fmt_count,
    ok_finding,
    pct,
    plural,
)
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.checks.inbox import RESPONSE_NEEDS_INPUT_SPIKE
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import rate_higher_p

#: Seed table "Case Queue health": failed rate healthy range.
RESPONSE_FAILED_ABOVE_HEALTHY = (
    "The failed rate is above the healthy range (seed: under 5% of cases processed) though "
    "not above the baseline: open the failed cases, note which step failed, and fix the SOP "
    "before graduating (graduation needs a failed rate under 5% and stable or declining)."
)
#: Seed table "Case Queue health": "Rising rate signals a SOP gap".
RESPONSE_NEEDS_INPUT_RISING = "A rising Needs Input rate signals a SOP gap. " + (
    RESPONSE_NEEDS_INPUT_SPIKE
)
#: Seed table "Case Queue health": "Rising rate may indicate an upstream system is slow".
RESPONSE_POSTPONED_RISING = (
    "A rising Postponed rate may indicate an upstream system is slow: check the status of "
    "the external systems the assignment waits on (status pages, your infrastructure logs) "
    "and when the postponed cases are due to run again."
)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Rate:
    """One status rate: window ``count/total`` vs baseline ``base_count/base_total``."""

    status: CaseStatus
    count: int
    total: int
    base_count: int
    base_total: int
    p_value: float

    @property
    def rate(self) -> float:
        return self.count / self.total if self.total else 0.0

    @property
    def base_rate(self) -> float | None:
        return self.base_count / self.base_total if self.base_total else None


def check_cases(ctx: CheckContext) -> list[Finding]:
    """Case Queue health: ``[case_failed_rate, case_needs_input_rate, case_postponed_rate]``,
    or ``[case_queue]`` (ok, "not applicable: no cases") when no window job has a case."""
    cases = list(ctx.cases.values())
    if not cases:
        return [ok_finding("case_queue", "Case Queue health: not applicable: no cases")]
    rates = {status: _rate(status, cases, ctx.baseline.cases) for status in _STATUSES}
    case_jobs = _case_job_labels(ctx)
    findings = [
        _failed_finding(ctx, rates[CaseStatus.FAILED], cases, case_jobs),
        _rising_finding(ctx, rates[CaseStatus.NEEDS_INPUT], cases, case_jobs),
        _rising_finding(ctx, rates[CaseStatus.POSTPONED], cases, case_jobs),
    ]
    if not ctx.baseline.cases:  # failed meets the seed's 5% only; the others stay ok
        for finding in findings:
            mark_skipped(finding.evidence, ctx, "cases")
    return findings


_STATUSES = (CaseStatus.FAILED, CaseStatus.NEEDS_INPUT, CaseStatus.POSTPONED)
_KIND = {
    CaseStatus.FAILED: "case_failed_rate",
    CaseStatus.NEEDS_INPUT: "case_needs_input_rate",
    CaseStatus.POSTPONED: "case_postponed_rate",
}
_WORD = {
    CaseStatus.FAILED: "failed",
    CaseStatus.NEEDS_INPUT: "Needs Input",
    CaseStatus.POSTPONED: "postponed",
}


def _rate(status: CaseStatus, cases: Sequence[Case], base: Sequence[Case]) -> _Rate:
    """Count ``status`` in the window and baseline cases and test window > baseline."""
    count = sum(1 for c in cases if c.status == status)
    base_count = sum(1 for c in base if c.status == status)
    p_value = rate_higher_p(count, len(cases), base_count, len(base))
    return _Rate(
        status=status,
        count=count,
        total=len(cases),
        base_count=base_count,
        base_total=len(base),
        p_value=p_value,
    )


def _case_job_labels(ctx: CheckContext) -> dict[int, list[str]]:
    """Case id → labels of the window jobs that worked on it."""
    table: dict[int, list[str]] = defaultdict(list)
    for job in ctx.jobs:
        if job.case_id is not None:
            table[job.case_id].append(job.label)
    return table


def _evidence(
    rate: _Rate, cases: Sequence[Case], case_jobs: dict[int, list[str]]
) -> dict[str, Any]:
    """Evidence of one rate: job ids of the cases with that status, counts, rates, p."""
    ids = [c.id for c in cases if c.status == rate.status]
    base_rate = rate.base_rate
    return {
        "job_ids": _labels_from(case_jobs, ids),
        "case_ids": ids,
        "count": rate.count,
        "cases": rate.total,
        "rate": round(rate.rate, 4),
        "baseline_count": rate.base_count,
        "baseline_cases": rate.base_total,
        "baseline_rate": None if base_rate is None else round(base_rate, 4),
        "p_value": round(rate.p_value, 6),
    }


def _labels_from(case_jobs: dict[int, list[str]], case_ids: Sequence[int]) -> list[str]:
    """Job labels of the given cases, in order, without duplicates."""
    return list(dict.fromkeys(label for cid in case_ids for label in case_jobs.get(cid, [])))


def _title(rate: _Rate) -> str:
    """``Case failed rate 12.0% (6 of 50 cases); baseline 2.0%``."""
    base = rate.base_rate
    base_text = "no baseline cases" if base is None else f"baseline {pct(base)}"
    return (
        f"Case {_WORD[rate.status]} rate {pct(rate.rate)} "
        f"({fmt_count(rate.count)} of {plural(rate.total, 'case')}); {base_text}"
    )


def _failed_finding(
    ctx: CheckContext, rate: _Rate, cases: Sequence[Case], case_jobs: dict[int, list[str]]
) -> Finding:
    """``case_failed_rate``. act: rate ≥ ``settings.failed_rate_healthy`` (seed: "under 5%
    of cases processed") and (no baseline cases, or significantly above the baseline:
    one-sided Fisher p < ``settings.significance``); watch: ≥ 5% but not above the
    baseline, or significantly above the baseline but under 5%; else ok."""
    settings = ctx.settings
    unhealthy = rate.rate >= settings.failed_rate_healthy
    no_base = rate.base_total == 0
    above = not no_base and rate.p_value < settings.significance
    if unhealthy and (no_base or above):
        severity, response = Severity.ACT, RESPONSE_FAILED_SPIKE
    elif unhealthy:
        severity, response = Severity.WATCH, RESPONSE_FAILED_ABOVE_HEALTHY
    elif above:
        severity, response = Severity.WATCH, RESPONSE_FAILED_SPIKE
    else:
        severity, response = Severity.OK, OK_RESPONSE
    return Finding(
        kind=_KIND[rate.status],
        severity=severity,
        title=_title(rate),
        response=response,
        evidence=_evidence(rate, cases, case_jobs),
    )


def _rising_finding(
    ctx: CheckContext, rate: _Rate, cases: Sequence[Case], case_jobs: dict[int, list[str]]
) -> Finding:
    """``case_needs_input_rate`` / ``case_postponed_rate``: watch when significantly above
    the baseline (one-sided Fisher p < ``settings.significance``; seed: "stable or
    declining" / "stable"); ok otherwise, including when there are no baseline cases."""
    rising = rate.count > 0 and rate.p_value < ctx.settings.significance
    if rate.status == CaseStatus.NEEDS_INPUT:
        watch_response = RESPONSE_NEEDS_INPUT_RISING
    else:
        watch_response = RESPONSE_POSTPONED_RISING
    return Finding(
        kind=_KIND[rate.status],
        severity=Severity.WATCH if rising else Severity.OK,
        title=_title(rate) + (" (rising)" if rising else ""),
        response=watch_response if rising else OK_RESPONSE,
        evidence=_evidence(rate, cases, case_jobs),
    )

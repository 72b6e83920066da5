"""Rejection rate: the share of reviewed outputs rejected, window against baseline (seed
output spot-check: "would a human reviewer accept it?").

Finding ``rejection_rate``, over the jobs with a verdict (``Job.verdict`` accepted or
rejected, from a reviewer or a benchmark's reward):

- watch when at least ``MIN_REJECTED`` window jobs were rejected (our choice: one or two
  rejections are not a trend, as for the Needs Input spike), the window's rejected share
  is above the baseline's, and a one-sided Fisher exact test says so at p <
  ``settings.significance`` (docs/architecture.md: rates use proportion tests against the
  baseline);
- act when, besides, the window's rejected share is at least ``ACT_RATIO`` (2) × the
  baseline's (our choice, as for cost and latency: the share of outputs a reviewer
  rejects has doubled; from a baseline without rejections, any significant rise).

With no baseline verdicts the comparison is skipped (``evidence["skipped"]``): the seed
gives no healthy range for rejections, so the finding is ok and states the window's share.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sopwatch.domain.enums import Severity, Verdict
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job
from sopwatch.monitor.checks._common import fmt_count, labels, ok_finding, pct
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.checks._spread import ACT_RATIO
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import rate_higher_p

#: Fewest rejected window jobs that can make a finding.
MIN_REJECTED = 3

#: Seed, output spot-check ("would a human reviewer accept it? … edge cases cluster").
RESPONSE_REJECTIONS = (
    "More outputs are rejected than in the baseline. Open the rejected Jobs and read each "
    "output against its input: would a human reviewer accept it? Edge cases cluster: look "
    "for what the rejected Jobs share (the same input shape, the same step, a new revision) "
    "and handle that case in the SOP. If the rise began with a new revision, compare it with "
    "the one before and consider going back to it."
)


def check_rejection_rate(ctx: CheckContext) -> list[Finding]:
    """``rejection_rate``: one finding (module rules). Evidence: counts and shares of
    both sides, the Fisher p-value, ``job_ids`` of the rejected window jobs, and
    ``by_revision`` (revision → rejected, reviewed) when the window ran several."""
    reviewed = [job for job in ctx.jobs if job.verdict is not None]
    rejected = [job for job in reviewed if job.verdict == Verdict.REJECTED]
    base = [job for job in ctx.baseline.jobs if job.verdict is not None]
    base_rejected = sum(1 for job in base if job.verdict == Verdict.REJECTED)
    if not reviewed:
        return [ok_finding("rejection_rate", "No verdicts on jobs in the window")]
    evidence = _evidence(reviewed, rejected, len(base), base_rejected)
    share = len(rejected) / len(reviewed)
    title = f"Rejected outputs: {fmt_count(len(rejected))} of {fmt_count(len(reviewed))} jobs "
    title += f"with a verdict ({pct(share)})"
    if not base:
        title += "; no baseline verdicts to compare with"
        return [ok_finding("rejection_rate", title, mark_skipped(evidence, ctx, "verdicts"))]
    base_share = base_rejected / len(base)
    title += (
        f" vs baseline {pct(base_share)} ({fmt_count(base_rejected)} of {fmt_count(len(base))})"
    )
    rising = (
        len(rejected) >= MIN_REJECTED
        and share > base_share
        and evidence["p_value"] < ctx.settings.significance
    )
    if not rising:
        return [ok_finding("rejection_rate", title, evidence)]
    severity = Severity.ACT if share >= ACT_RATIO * base_share else Severity.WATCH
    p_value = evidence["p_value"]
    title += "; Fisher p < 0.0001" if p_value < 0.0001 else f"; Fisher p = {p_value:.4f}"
    return [
        Finding(
            kind="rejection_rate",
            severity=severity,
            title=title,
            response=RESPONSE_REJECTIONS,
            evidence=evidence,
        )
    ]


def _evidence(
    reviewed: list[Job], rejected: list[Job], base_reviewed: int, base_rejected: int
) -> dict[str, Any]:
    """Counts, shares, the one-sided Fisher p-value, and rejections per revision."""
    evidence: dict[str, Any] = {
        "job_ids": labels(rejected),
        "rejected": len(rejected),
        "reviewed": len(reviewed),
        "share": round(len(rejected) / len(reviewed), 4),
        "baseline_rejected": base_rejected,
        "baseline_reviewed": base_reviewed,
        "baseline_share": round(base_rejected / base_reviewed, 4) if base_reviewed else None,
        "p_value": round(
            rate_higher_p(len(rejected), len(reviewed), base_rejected, base_reviewed), 6
        ),
    }
    revisions = Counter(job.revision_number for job in reviewed)
    if len(revisions) > 1:
        bad = Counter(job.revision_number for job in rejected)
        evidence["by_revision"] = {
            str(revision): {"rejected": bad.get(revision, 0), "reviewed": count}
            for revision, count in sorted(revisions.items(), key=lambda kv: str(kv[0]))
        }
    return evidence

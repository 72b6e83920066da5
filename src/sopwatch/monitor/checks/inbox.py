"""Activity Inbox check (seed daily check 1): pending human requests and stale ones.

Findings: ``inbox_pending`` (more requests raised than the baseline predicts) and
``inbox_stale`` (requests unanswered for longer than ``settings.stale_after_ms``).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import HumanRequest
from sopwatch.monitor.checks._common import (
    OK_RESPONSE,
    fmt_count,
    fmt_num,
    jobs_by_id,
    label_of,
    listed,
    ok_finding,
    pending_counts,
    pending_requests,
    plural,
)
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import poisson_high_p

#: Seed, "Spike in Needs Input" (paraphrased closely).
RESPONSE_NEEDS_INPUT_SPIKE = (
    "Spike in Needs Input: the assignment keeps reaching a decision point it is not confident "
    "about. Open several recent Needs Input requests in the Activity Inbox and read them; "
    "identify what they have in common (the same type of question, the same step, the same "
    "data condition); update the SOP to handle that condition explicitly, either with a rule "
    "to follow or a wider HITL gate with a clearer decision framework. If the condition should "
    "always require human approval, tighten the HITL gate description so reviewers understand "
    "what they are approving."
)
#: Seed, "HITL approval rate by branch".
RESPONSE_GATE_DOMINANT = (
    " A single gate driving most of the Needs Input volume is usually the first SOP gap to fix."
)
#: Seed, Activity Inbox: "Are requests sitting unanswered for more than a few hours?"
RESPONSE_STALE = (
    "Unanswered requests pause the Jobs that created them: answer them in the Activity Inbox. "
    "If your team is not seeing the notifications, adjust the escalation path in the SOP or "
    "your Slack/email notification setup."
)
#: A gate holding more than this share of the pending requests dominates (our choice:
#: "most of the Needs Input volume" read as more than half).
GATE_DOMINANT_SHARE = 0.5
_NO_GATE = "(no gate)"
#: Fewer requests than this are never called a spike, whatever the baseline (our choice:
#: one or two requests against a baseline of none are not a pattern yet).
MIN_SPIKE = 3


def check_inbox(ctx: CheckContext) -> list[Finding]:
    """Activity Inbox: ``[inbox_pending, inbox_stale]`` findings (always both)."""
    return [_pending_finding(ctx, pending_counts(ctx).count), _stale_finding(ctx)]


def _gates(requests: list[HumanRequest]) -> dict[str, int]:
    """Gate name → number of requests, most first (``(no gate)`` for requests without)."""
    return dict(Counter(r.gate or _NO_GATE for r in requests).most_common())


def _expected_pending(ctx: CheckContext) -> float | None:
    """Requests expected for the window: baseline requests per job × window job count;
    None when the baseline has no jobs."""
    if not ctx.baseline.jobs:
        return None
    return ctx.baseline.human_request_count / len(ctx.baseline.jobs) * len(ctx.jobs)


def _pending_finding(ctx: CheckContext, pending: int) -> Finding:
    """``inbox_pending``: requests raised in the window against the baseline expectation.

    The spike test compares like with like: requests raised by window jobs against
    baseline requests per job × window jobs; the whole backlog (``pending`` requests,
    whatever their age) is reported beside it, and old requests are ``inbox_stale``'s
    business. watch when the raised count is at least ``MIN_SPIKE``, above expectation
    and Poisson-significant (P(X ≥ raised | expected) < ``settings.significance``); never
    act by itself. Without a baseline the count is reported as ok (our choice: no
    expectation, no spike claim).
    """
    window_ids = {job.id for job in ctx.jobs}
    raised = [r for r in ctx.human_requests if r.job_id in window_ids]
    expected = _expected_pending(ctx)
    gates = _gates(raised)
    evidence = _pending_evidence(ctx, raised, pending, expected, gates)
    backlog = f"; {fmt_count(pending)} pending in all" if pending else "; none pending"
    if not raised:
        return ok_finding(
            "inbox_pending", f"No human requests raised in the window{backlog}", evidence
        )
    title = f"{plural(len(raised), 'human request')} raised in the window"
    if expected is None:
        mark_skipped(evidence, ctx, "jobs")
        return ok_finding(
            "inbox_pending", f"{title}{backlog}; no baseline to compare with", evidence
        )
    p_value = poisson_high_p(len(raised), expected)
    evidence["p_value"] = round(p_value, 6)
    spike = (
        len(raised) >= MIN_SPIKE and len(raised) > expected and p_value < ctx.settings.significance
    )
    title += f", expected about {fmt_num(expected)}{backlog}"
    response = RESPONSE_NEEDS_INPUT_SPIKE if spike else OK_RESPONSE
    top_gate, top_count = next(iter(gates.items()))
    if spike and len(gates) > 1 and top_count / len(raised) > GATE_DOMINANT_SHARE:
        title += f"; gate {top_gate} raised {fmt_count(top_count)} of them"
        evidence["top_gate"] = top_gate
        response += RESPONSE_GATE_DOMINANT
    return Finding(
        kind="inbox_pending",
        severity=Severity.WATCH if spike else Severity.OK,
        title=title,
        response=response,
        evidence=evidence,
    )


def _pending_evidence(
    ctx: CheckContext,
    raised: list[HumanRequest],
    pending: int,
    expected: float | None,
    gates: dict[str, int],
) -> dict[str, Any]:
    """Labels of the jobs that raised requests in the window; raised, pending (backlog)
    and expected counts; requests per gate."""
    table = jobs_by_id(ctx)
    return {
        "job_ids": list(dict.fromkeys(label_of(r.job_id, table) for r in raised)),
        "raised_in_window": len(raised),
        "pending": pending,
        "expected": None if expected is None else round(expected, 2),
        "gates": gates,
    }


def _stale_finding(ctx: CheckContext) -> Finding:
    """``inbox_stale``: act when any pending request is older than
    ``settings.stale_after_ms`` at the window end (issue #2 default 4 h; seed: "sitting
    unanswered for more than a few hours"). Evidence ages are in hours; ``count`` and
    ``gates`` count every stale request, ``job_ids`` names the jobs of the oldest
    ``MAX_LISTED_REQUESTS`` (``_common.listed``)."""
    limit_ms = ctx.settings.stale_after_ms
    end = ctx.window.end
    before = end - timedelta(milliseconds=limit_ms)
    stale = listed([r for r in pending_requests(ctx) if r.created_at < before])
    counts = pending_counts(ctx)
    limit_h = round(limit_ms / 3_600_000, 2)
    table = jobs_by_id(ctx)
    evidence: dict[str, Any] = {
        "job_ids": list(dict.fromkeys(label_of(r.job_id, table) for r in stale)),
        "count": counts.stale,
        "stale_after_hours": limit_h,
    }
    if not stale:
        title = f"No pending human request older than {fmt_num(limit_h, 2, trim=True)} h"
        return ok_finding("inbox_stale", title, evidence)
    oldest_h = round((end - stale[0].created_at).total_seconds() / 3600, 1)
    evidence["oldest_age_hours"] = oldest_h
    evidence["gates"] = {gate or _NO_GATE: n for gate, n in counts.stale_gates}
    title = (
        f"{plural(counts.stale, 'human request')} unanswered for more than "
        f"{fmt_num(limit_h, 2, trim=True)} h (oldest {fmt_num(oldest_h)} h)"
    )
    return Finding(
        kind="inbox_stale",
        severity=Severity.ACT,
        title=title,
        response=RESPONSE_STALE,
        evidence=evidence,
    )

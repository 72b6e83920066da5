"""Status contradictions: window jobs whose status disagrees with their own record.

Finding ``status_contradiction``, one per kind of contradiction found (``contradiction``
in the evidence), else one ok finding:

- ``completed_all_model_calls_failed`` (act): status ``completed`` although the job made
  at least one model call and every one failed, so its output cannot come from the model.
- ``completed_after_failed_step`` (watch): status ``completed`` although the job's last
  model or tool step (gate and agent-logic steps aside) failed.
- ``needs_input_without_request`` (watch): status ``needs_input`` with no pending human
  request: a sign-off nobody was asked for, so nobody will give it.

A job counts under one kind only, the first that applies in this order. The seed has no
words for these cases; the kinds, severities and responses are our choice (reasons in
``check_status_contradictions``). A completed job whose early tool step failed and whose
later steps succeeded is no contradiction: the agent recovered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sopwatch.domain.enums import HumanRequestStatus, JobStatus, Severity, StepKind, StepStatus
from sopwatch.domain.error_class import classify_step
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import MAX_DETAIL_ROWS, error_text, ok_finding, plural
from sopwatch.monitor.context import CheckContext

KIND = "status_contradiction"
ALL_MODEL_CALLS_FAILED = "completed_all_model_calls_failed"
FAILED_LAST_STEP = "completed_after_failed_step"
NO_PENDING_REQUEST = "needs_input_without_request"
#: Longest error text kept per job row (our choice: one line in a report).
ERROR_CHARS = 120

#: Our choice: the job claims a success its record cannot support.
RESPONSE_ALL_MODEL_CALLS_FAILED = (
    "These Jobs completed although every model call they made failed, so their output "
    "cannot come from the model: treat them as failed (they are missing from the failed "
    "rate). Open one and read the failed model calls (credentials, quota, model name, "
    "request size), then make the agent fail a Job that has no successful model call."
)
#: Our choice, after the seed's Jobs List ("open it and note which step failed") and
#: Output spot-check ("Would a human reviewer accept it?").
RESPONSE_FAILED_LAST_STEP = (
    "These Jobs completed although their last model or tool step failed. Open them, note "
    "which step failed and read the output: would a human reviewer accept it? If not, the "
    "assignment reports success it did not achieve: update the SOP so that a failed final "
    "step fails the Job or requests HITL."
)
#: Our choice, after the seed's Activity Inbox ("Unanswered requests pause the Jobs that
#: created them").
RESPONSE_NO_PENDING_REQUEST = (
    "These Jobs wait in Needs Input, but no pending request in the Activity Inbox asks "
    "anyone for that input, so nobody will answer and they stay paused. Open each Job at "
    "the step where it stopped, then raise the request again or stop the Job; if it keeps "
    "happening, the gate (or the importer that set the status) is at fault."
)

#: (contradiction, severity, response), in the order of the findings.
_Rule = tuple[str, Severity, str]
_RULES: tuple[_Rule, ...] = (
    (ALL_MODEL_CALLS_FAILED, Severity.ACT, RESPONSE_ALL_MODEL_CALLS_FAILED),
    (FAILED_LAST_STEP, Severity.WATCH, RESPONSE_FAILED_LAST_STEP),
    (NO_PENDING_REQUEST, Severity.WATCH, RESPONSE_NO_PENDING_REQUEST),
)


def check_status_contradictions(ctx: CheckContext) -> list[Finding]:
    """``status_contradiction`` findings in the order of the module docstring; one ok
    finding when no window job contradicts its status.

    Severity (our choice): ``act`` for a completed job whose every model call failed,
    because its output cannot come from the model and the failed rate undercounts it;
    ``watch`` for a completed job whose last model or tool step failed, because the agent
    may have reported the failure in its output (a person reads it); ``watch`` for a Needs
    Input job without a pending request, because the record may come from an importer or
    runtime fault rather than the assignment. A request counts as pending by its status
    today, whenever it was raised (statuses are today's, docs/daily-check.md).

    Evidence: ``job_ids``, ``contradiction``, ``count``, ``jobs`` rows (at most 50): for
    the completed kinds ``{"job_id", "step", "seq", "kind", "error", "model_calls"}`` naming
    the failed step (the last failed model call for ``completed_all_model_calls_failed``)
    and ``error_class``, the step's class (``domain.error_class``);
    for ``needs_input_without_request`` ``{"job_id", "step", "requests"}`` (the job's last
    step and its requests by status, e.g. ``{"approved": 1}``); for the completed kinds also
    ``steps``: failed step name → jobs, most first.
    """
    requests: dict[int, Counter[str]] = {}
    for request in ctx.human_requests:
        requests.setdefault(request.job_id, Counter())[str(request.status)] += 1
    found: dict[str, list[dict[str, Any]]] = {rule[0]: [] for rule in _RULES}
    for job in ctx.jobs:
        hit = _contradiction(job, ctx.steps.get(job.id, ()), requests.get(job.id, Counter()))
        if hit is not None:
            found[hit[0]].append(hit[1])
    findings = [
        _finding(name, severity, response, found[name])
        for name, severity, response in _RULES
        if found[name]
    ]
    if findings:
        return findings
    return [ok_finding(KIND, "No job's status contradicts its steps or requests")]


def _contradiction(
    job: Job, steps: Sequence[Step], requests: Counter[str]
) -> tuple[str, dict[str, Any]] | None:
    """(contradiction, detail row) for one job, or None when its status fits its record;
    ``requests`` counts the job's human requests by status."""
    if job.status == JobStatus.NEEDS_INPUT and not requests[str(HumanRequestStatus.PENDING)]:
        return NO_PENDING_REQUEST, {
            "job_id": job.label,
            "step": steps[-1].name if steps else None,
            "requests": dict(requests.most_common()),
        }
    if job.status != JobStatus.COMPLETED:
        return None
    models = [s for s in steps if s.kind == StepKind.MODEL]
    if models and all(s.status == StepStatus.ERROR for s in models):
        return ALL_MODEL_CALLS_FAILED, _step_row(job, steps, models[-1], len(models))
    acting = [s for s in steps if s.kind in (StepKind.MODEL, StepKind.TOOL)]
    if acting and acting[-1].status == StepStatus.ERROR:
        return FAILED_LAST_STEP, _step_row(job, steps, acting[-1], len(models))
    return None


def _step_row(job: Job, steps: Sequence[Step], step: Step, model_calls: int) -> dict[str, Any]:
    """A detail row naming the failed step of a completed job, with its error class."""
    return {
        "job_id": job.label,
        "step": step.name,
        "seq": step.seq,
        "kind": str(step.kind),
        "error": error_text(step.error, ERROR_CHARS),
        "error_class": str(classify_step(step, first=step.seq == steps[0].seq)),
        "model_calls": model_calls,
    }


_TITLES: dict[str, Callable[[int], str]] = {
    ALL_MODEL_CALLS_FAILED: lambda n: (
        f"{plural(n, 'completed job')} with every model call failed: the output cannot "
        "come from the model"
    ),
    FAILED_LAST_STEP: lambda n: (
        f"{plural(n, 'completed job')} whose last model or tool step failed"
    ),
    NO_PENDING_REQUEST: lambda n: (
        f"{plural(n, 'job')} in Needs Input with no pending human request"
    ),
}


def _finding(name: str, severity: Severity, response: str, rows: list[dict[str, Any]]) -> Finding:
    """One finding for one kind of contradiction."""
    failed = name != NO_PENDING_REQUEST
    steps = Counter(row["step"] for row in rows if failed and row["step"] is not None)
    title = _TITLES[name](len(rows))
    if steps:
        top, count = steps.most_common(1)[0]
        title += f" (most at {top}: {plural(count, 'job')})" if len(steps) > 1 else f" ({top})"
    evidence: dict[str, Any] = {
        "job_ids": [row["job_id"] for row in rows],
        "contradiction": name,
        "count": len(rows),
        "jobs": rows[:MAX_DETAIL_ROWS],
    }
    if failed:
        evidence["steps"] = dict(steps.most_common())
    return Finding(kind=KIND, severity=severity, title=title, response=response, evidence=evidence)

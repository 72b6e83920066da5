"""Connection authorization (seed Jobs List: "If a Job failed due to a Connection error").

Finding ``connection_auth``: one ``act`` finding per connection (or per tool, for tool
steps without a connection) whose failed steps are of error class ``auth``
(``domain.error_class``: 401/403, invalid_grant, expired or revoked tokens, bad API keys,
read from the text, its one-line summary and its JSON code); a failed job whose own error
reads so, with no such step, counts under ``(unknown connection)``. Evidence keeps
``error_class: "auth"``; failure clusters of the same jobs fold into it (``monitor.fold``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sopwatch.domain.enums import JobStatus, Severity, StepKind, StepStatus
from sopwatch.domain.error_class import ErrorClass, classify_error
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._causes import RESPONSE_REAUTHORIZE, failed_step_classes
from sopwatch.monitor.checks._common import error_text, ok_finding, plural
from sopwatch.monitor.context import CheckContext

__all__ = ["RESPONSE_REAUTHORIZE", "UNKNOWN_CONNECTION", "check_connections"]

UNKNOWN_CONNECTION = "(unknown connection)"
SAMPLE_ERROR_CHARS = 300


@dataclass(slots=True)
class _AuthGroup:
    """Authorization failures through one connection (or one tool without connection)."""

    connection: str | None
    tool: str | None
    job_ids: dict[str, None] = field(default_factory=dict)  # ordered set of labels
    steps: int = 0
    tools: Counter[str] = field(default_factory=Counter)
    sample_error: str | None = None

    def add(self, job: Job, step: Step | None, error: str | None) -> None:
        """Count one failed step (or, with ``step`` None, one failed job) of ``job``."""
        self.job_ids[job.label] = None
        if step is not None:
            self.steps += 1
            self.tools[step.name] += 1
        if self.sample_error is None:
            self.sample_error = error


def check_connections(ctx: CheckContext) -> list[Finding]:
    """``connection_auth`` findings, most jobs first; one ok finding when there is none."""
    groups: dict[str, _AuthGroup] = {}
    for job in ctx.jobs:
        if not _add_steps(groups, job, ctx.steps.get(job.id, ())) and _job_auth_failed(job):
            group = groups.setdefault(UNKNOWN_CONNECTION, _AuthGroup(UNKNOWN_CONNECTION, None))
            group.add(job, None, job.error)
    if not groups:
        return [ok_finding("connection_auth", "No authorization errors on connections or tools")]
    ordered = sorted(groups.values(), key=lambda g: (-len(g.job_ids), -g.steps))
    return [_finding(group) for group in ordered]


def _job_auth_failed(job: Job) -> bool:
    """A failed job whose own error reads as an authorization failure."""
    if job.status != JobStatus.FAILED:
        return False
    return classify_error(job.error, failure_kind=job.failure_kind) == ErrorClass.AUTH


def _add_steps(groups: dict[str, _AuthGroup], job: Job, steps: tuple[Step, ...]) -> bool:
    """Add ``job``'s failed tool/connection steps of class ``auth``; True if any."""
    found = False
    classes = failed_step_classes(job, steps)
    for step in steps:
        if step.status != StepStatus.ERROR:
            continue
        if step.kind != StepKind.TOOL and not step.connection:
            continue
        if classes[step.seq] != ErrorClass.AUTH:
            continue
        key = f"connection:{step.connection}" if step.connection else f"tool:{step.name}"
        group = groups.get(key)
        if group is None:
            tool = None if step.connection else step.name
            group = groups[key] = _AuthGroup(step.connection, tool)
        group.add(job, step, step.error)
        found = True
    return found


def _finding(group: _AuthGroup) -> Finding:
    """One act finding for one connection or tool."""
    jobs = plural(len(group.job_ids), "job")
    if group.connection is not None:
        subject = f"Connection {group.connection}"
    else:
        subject = f"Tool {group.tool}"
    where = f"{plural(group.steps, 'step')} of {jobs}" if group.steps else jobs
    evidence: dict[str, Any] = {
        "job_ids": list(group.job_ids),
        "connection": group.connection,
        "tool": group.tool if group.tool else _top_tool(group),
        "tools": dict(group.tools.most_common()),
        "count": group.steps,
        "job_count": len(group.job_ids),
        "error_class": str(ErrorClass.AUTH),
        "sample_error": error_text(group.sample_error, SAMPLE_ERROR_CHARS),
    }
    return Finding(
        kind="connection_auth",
        severity=Severity.ACT,
        title=f"{subject}: authorization errors in {where}",
        response=RESPONSE_REAUTHORIZE,
        evidence=evidence,
    )


def _top_tool(group: _AuthGroup) -> str | None:
    """The tool with most auth failures in the group, None when only job errors."""
    top = group.tools.most_common(1)
    return top[0][0] if top else None

"""Connection authorization (seed Jobs List: "If a Job failed due to a Connection error").

Finding ``connection_auth``: one ``act`` finding per connection (or per tool, for tool
steps without a connection) whose failed steps read as authorization failures
(``domain.connection.is_auth_error`` over the error's one-line summary, and its code when
the error is a JSON object: 401/403, invalid_grant, expired or revoked tokens …); a failed
job whose own error reads so, with no such step, counts under ``(unknown connection)``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sopwatch.domain.enums import JobStatus, Severity, StepKind, StepStatus
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import error_text, ok_finding, plural, reads_as_auth
from sopwatch.monitor.context import CheckContext

#: Seed, Jobs List and Post-Incident Template ("A Connection error points to a credential
#: issue").
RESPONSE_REAUTHORIZE = (
    "A Connection error points to a credential issue: go to Connections, check whether the "
    "Connection is still authorized, and re-authorize if needed. If it is authorized, check "
    "the third-party service status page."
)
UNKNOWN_CONNECTION = "(unknown connection)"
SAMPLE_ERROR_CHARS = 300

_is_auth = lru_cache(maxsize=4_096)(reads_as_auth)


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
    return job.status == JobStatus.FAILED and _is_auth(job.error)


def _add_steps(groups: dict[str, _AuthGroup], job: Job, steps: tuple[Step, ...]) -> bool:
    """Add ``job``'s failed tool/connection steps with auth errors; True if any."""
    found = False
    for step in steps:
        if step.status != StepStatus.ERROR:
            continue
        if step.kind != StepKind.TOOL and not step.connection:
            continue
        if not _is_auth(step.error):
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

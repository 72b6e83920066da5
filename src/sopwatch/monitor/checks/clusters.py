"""Failure clusters (seed "Failure clusters" and "Spike in Failed Jobs"): one finding each.

Groups, over the window (docs/architecture.md: "group failed jobs by step, connection, input type,
error fingerprint and hour"):

- ``error``: failed model/tool/agent steps of ANY window job by (step name, error
  fingerprint). Completed jobs count too: imported runs often complete despite failing
  tool calls. Model steps are included as well as tool and agent steps (our choice: a
  provider outage clusters the same way).
- ``step``: failed jobs by the step where they failed (last error step, else last step);
  skipped when an ``error`` group of the same step already covers the same jobs.
- ``connection``: failed steps by connection; skipped when all of a connection's failed
  steps are one ``error`` group (that finding already names the connection).
- ``input_type`` / ``hour``: failed jobs concentrated in one input type or one UTC hour of
  day of ``Job.created_at``.

Severity: a group spanning ≥ ``settings.cluster_min_jobs`` jobs is ``act`` (seed: "if five
Jobs all fail at the same step, that is a SOP or Connection issue, not random noise"),
2..min−1 jobs ``watch``; one job is no cluster. Single pass over the steps, fingerprints
memoised: ~3,500 jobs × 10 steps take a few milliseconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sopwatch.domain.enums import Severity, StepKind, StepStatus
from sopwatch.domain.finding import Finding, worst
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import (
    MAX_DETAIL_ROWS,
    error_text,
    failed_jobs,
    failing_step,
    fmt_count,
    ok_finding,
    pct,
    plural,
    reads_as_auth,
    reads_as_outage,
    truncate,
)
from sopwatch.monitor.checks.loops import LIMIT_FAILURES
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.fingerprint import fingerprint, normalise_step_name

#: A group is concentrated in one value when ≥ this share of its jobs have it (our
#: choice; seed: "failures only on certain input types", "the same time of day") …
CONCENTRATION_SHARE = 0.8
#: … and that share is at least this far above the value's share among all window jobs
#: (our choice: a value every job has, e.g. one daily schedule hour, is no concentration).
CONCENTRATION_LIFT = 0.2
#: At most this many cluster findings, biggest first; the rest are summarised in one more
#: finding (our choice: a report a person reads in under a minute).
MAX_CLUSTER_FINDINGS = 10
#: Longest ``sample_error`` kept in evidence, and longest fingerprint shown in a title.
SAMPLE_ERROR_CHARS = 300
TITLE_FINGERPRINT_CHARS = 120
_NO_STEPS = "(before the first step)"


RESPONSE_SAME_STEP = (
    "These Jobs fail at the same step, so that step has a problem: a Connection issue, a data "
    "format mismatch, or a logic error in the SOP (seed: Spike in Failed Jobs). Open two or "
    "three of them, read the step, and fix it before making other SOP changes."
)
RESPONSE_ONE_CONNECTION = (
    "A single Connection failing repeatedly: the external service may be experiencing "
    "issues, or the Connection credentials expired. Check the third-party service status "
    "page, and in Connections check whether the Connection is still authorized and "
    "re-authorize it if needed."
)
RESPONSE_MANY_CONNECTIONS = (
    "Failures spread across multiple Connections usually point to a SOP logic issue: the "
    "assignment is attempting something in the wrong order or with the wrong data. Read the "
    "steps of two or three of these Jobs and correct the SOP."
)
RESPONSE_INPUT_TYPE = (
    "Failures only on input type {value}: your SOP needs to handle that input shape. Add a "
    "HITL gate to catch it while you refine the SOP."
)
RESPONSE_FIRST_STEP = (
    "A failure on the very first step often means the input data was missing or malformed."
)
#: When every job of a step cluster ran into a limit (step limit, budget, loop guard),
#: the step is where a loop ended, not what broke (seed: "Cost spike … tool-call loop").
RESPONSE_LIMIT = (
    "These Jobs all ran into a limit ({kinds}) at this step: the step is where a tool-call "
    "loop or an open-ended search ended, not necessarily what broke. Open one and scroll "
    "through the steps to find where calls repeat, then give the SOP a clear exit "
    "condition (see tool_loop)."
)
RESPONSE_HOUR = (
    "Failures concentrated between {value}:00 and {end}:00 UTC may indicate an external "
    "service outage at that time: check the third-party service status pages and your "
    "infrastructure logs for that hour."
)


@dataclass(slots=True)
class _Group:
    """A candidate cluster: which jobs and steps share one failure dimension."""

    dimension: str  # error | step | connection | input_type | hour
    name: str
    fingerprint: str | None = None
    tool: bool = False
    job_ids: dict[int, None] = field(default_factory=dict)  # ordered set
    step_count: int = 0
    connections: Counter[str] = field(default_factory=Counter)  # of failed steps only
    keys: set[tuple[str, str]] = field(default_factory=set)
    sample_error: str | None = None
    first_step_only: bool = True  # every counted step is the job's first (seq 1)
    service_errors: int = 0  # failed steps whose error reads as auth or outage

    def add(self, job_id: int, step: Step | None) -> None:
        """Count ``step`` of job ``job_id`` into the group."""
        self.job_ids[job_id] = None
        if step is None:
            return
        self.step_count += 1
        self.first_step_only = self.first_step_only and step.seq == 1
        if step.connection and step.status == StepStatus.ERROR:
            self.connections[step.connection] += 1
        if reads_as_auth(step.error) or reads_as_outage(step.error):
            self.service_errors += 1
        if self.sample_error is None and step.error:
            self.sample_error = step.error


@dataclass(frozen=True, slots=True)
class _Window:
    """Window-wide lookups shared by the grouping functions."""

    jobs: dict[int, Job]
    input_types: Counter[str | None]
    hours: Counter[int]
    size: int


def check_failure_clusters(ctx: CheckContext) -> list[Finding]:
    """``failure_cluster`` findings, biggest first; one ok finding when there is none."""
    win = _Window(
        jobs={job.id: job for job in ctx.jobs},
        input_types=Counter(job.input_type for job in ctx.jobs),
        hours=Counter(job.created_at.hour for job in ctx.jobs),
        size=len(ctx.jobs),
    )
    errors, connections = _error_groups(ctx)
    failed = failed_jobs(ctx.jobs)
    groups = list(errors.values())
    groups += _step_groups(ctx, failed, errors.values())
    groups += [g for g in connections.values() if len(g.keys) > 1]
    groups += _concentration_groups(ctx, failed, win)
    findings = [_finding(ctx, g, win, len(failed)) for g in groups if len(g.job_ids) >= 2]
    findings.sort(key=_order)
    if not findings:
        return [
            ok_finding(
                "failure_cluster",
                "No failure clusters: no step failed the same way in two or more jobs",
            )
        ]
    return findings[:MAX_CLUSTER_FINDINGS] + _rest(findings[MAX_CLUSTER_FINDINGS:])


def _error_groups(ctx: CheckContext) -> tuple[dict[tuple[str, str], _Group], dict[str, _Group]]:
    """Failed non-gate steps of every window job by (step name, fingerprint) and by
    connection, in one pass."""
    errors: dict[tuple[str, str], _Group] = {}
    connections: dict[str, _Group] = {}
    for job in ctx.jobs:
        for step in ctx.steps.get(job.id, ()):
            if step.status != StepStatus.ERROR or step.kind == StepKind.GATE:
                continue
            key = (normalise_step_name(step.name), fingerprint(step.error))
            group = errors.get(key)
            if group is None:
                group = errors[key] = _Group(
                    "error", key[0], fingerprint=key[1], tool=step.kind == StepKind.TOOL
                )
            group.add(job.id, step)
            if step.connection:
                conn = connections.get(step.connection)
                if conn is None:
                    conn = connections[step.connection] = _Group("connection", step.connection)
                conn.add(job.id, step)
                conn.keys.add(key)
    return errors, connections


def _step_groups(
    ctx: CheckContext, failed: Sequence[Job], errors: Iterable[_Group]
) -> list[_Group]:
    """Failed jobs by the step where they failed, minus groups an error group covers."""
    groups: dict[str, _Group] = {}
    for job in failed:
        step = failing_step(ctx.steps.get(job.id, ()))
        name = normalise_step_name(step.name) if step is not None else _NO_STEPS
        groups.setdefault(name, _Group("step", name)).add(job.id, step)
    covered: dict[str, list[set[int]]] = {}
    for group in errors:
        covered.setdefault(group.name, []).append(set(group.job_ids))
    return [
        g
        for g in groups.values()
        if not any(set(g.job_ids) <= ids for ids in covered.get(g.name, []))
    ]


def _concentrated(
    values: Sequence[Any], window_counts: Counter[Any], window_size: int
) -> tuple[Any, int] | None:
    """The value ≥ 80% of ``values`` share, when its share among all window jobs is at least
    20 points lower; else None. None values never concentrate."""
    known = Counter(v for v in values if v is not None)
    if not known or not values:
        return None
    value, count = known.most_common(1)[0]
    share = count / len(values)
    base_share = window_counts[value] / window_size if window_size else 1.0
    if share >= CONCENTRATION_SHARE and base_share <= share - CONCENTRATION_LIFT:
        return value, count
    return None


def _concentration_groups(ctx: CheckContext, failed: Sequence[Job], win: _Window) -> list[_Group]:
    """Failed jobs concentrated in one input type or one UTC hour of day (≥ min jobs)."""
    groups: list[_Group] = []
    minimum = ctx.settings.cluster_min_jobs
    dims: list[tuple[str, list[Any], Counter[Any]]] = [
        ("input_type", [job.input_type for job in failed], win.input_types),
        ("hour", [job.created_at.hour for job in failed], win.hours),
    ]
    for dimension, values, counts in dims:
        hit = _concentrated(values, counts, win.size)
        if hit is None or hit[1] < minimum:
            continue
        group = _Group(dimension, str(hit[0]))
        for job, value in zip(failed, values, strict=True):
            if value == hit[0]:
                group.add(job.id, None)
        groups.append(group)
    return groups


def _severity(ctx: CheckContext, group: _Group) -> Severity:
    """act at ≥ ``cluster_min_jobs`` jobs (seed: five), else watch."""
    if len(group.job_ids) >= ctx.settings.cluster_min_jobs:
        return Severity.ACT
    return Severity.WATCH


def _title(group: _Group, win: _Window, failed_total: int) -> str:
    """One line naming the cluster, its size and its error."""
    jobs, steps = plural(len(group.job_ids), "job"), plural(group.step_count, "step")
    if group.dimension == "error":
        error = truncate(group.fingerprint or "(no error text)", TITLE_FINGERPRINT_CHARS)
        return f"{group.name} fails with the same error in {jobs} ({steps}): {error}"
    if group.dimension == "step":
        return f"{plural(len(group.job_ids), 'failed job')} fail at the same step: {group.name}"
    if group.dimension == "connection":
        errors = plural(len(group.keys), "different error")
        return f"Connection {group.name} fails in {jobs} ({steps}, {errors})"
    share = pct(_window_share(group, win))
    of_failed = f"{fmt_count(len(group.job_ids))} of {plural(failed_total, 'failed job')}"
    if group.dimension == "input_type":
        return f"{of_failed} have input type {group.name} ({share} of all jobs)"
    hour = int(group.name)
    return (
        f"{of_failed} started between {hour:02d}:00 and "
        f"{(hour + 1) % 24:02d}:00 UTC ({share} of all jobs)"
    )


def _window_share(group: _Group, win: _Window) -> float:
    """Share of all window jobs that have the group's input type or hour."""
    if not win.size:
        return 0.0
    if group.dimension == "hour":
        return win.hours[int(group.name)] / win.size
    return win.input_types[group.name] / win.size


def _hints(group: _Group, win: _Window) -> list[str]:
    """Extra seed responses when the group's jobs share an input type or an hour."""
    if group.dimension in ("input_type", "hour"):
        return []
    jobs = [win.jobs[i] for i in group.job_ids if i in win.jobs]
    hints: list[str] = []
    if group.name == _NO_STEPS or (group.step_count and group.first_step_only):
        hints.append(RESPONSE_FIRST_STEP)
    hit = _concentrated([j.input_type for j in jobs], win.input_types, win.size)
    if hit is not None:
        hints.append(RESPONSE_INPUT_TYPE.format(value=hit[0]))
    hour_hit = _concentrated([j.created_at.hour for j in jobs], win.hours, win.size)
    if hour_hit is not None:
        hints.append(_hour_response(int(hour_hit[0])))
    return hints


def _hour_response(hour: int) -> str:
    """``RESPONSE_HOUR`` for one hour of day."""
    return RESPONSE_HOUR.format(value=f"{hour:02d}", end=f"{(hour + 1) % 24:02d}")


def _response(group: _Group, win: _Window) -> str:
    """The seed's wording for the likely cause, plus input-type and hour hints."""
    if group.dimension == "input_type":
        return RESPONSE_INPUT_TYPE.format(value=group.name)
    if group.dimension == "hour":
        return _hour_response(int(group.name))
    limits = {win.jobs[i].failure_kind for i in group.job_ids if i in win.jobs}
    if group.dimension == "step" and limits and limits <= LIMIT_FAILURES:
        base = RESPONSE_LIMIT.format(kinds=", ".join(sorted(k for k in limits if k)))
    elif (group.dimension == "connection" or len(group.connections) == 1) and (
        group.service_errors * 2 >= max(group.step_count, 1)
    ):
        # The seed's "single Connection failing repeatedly" reading (credentials or an
        # outage) only when most errors say so; a data or logic error on one connection
        # is the step's problem.
        base = RESPONSE_ONE_CONNECTION
    elif len(group.connections) > 1:
        base = RESPONSE_MANY_CONNECTIONS
    else:
        base = RESPONSE_SAME_STEP
    return " ".join([base, *_hints(group, win)])


def _evidence(group: _Group, win: _Window) -> dict[str, Any]:
    """``job_ids``, the step/tool/connection, fingerprint, counts and a sample error."""
    labels = [win.jobs[i].label if i in win.jobs else f"job-{i}" for i in group.job_ids]
    evidence: dict[str, Any] = {"job_ids": labels, "dimension": group.dimension}
    if group.dimension in ("error", "step"):
        evidence["step"] = group.name
    if group.tool:
        evidence["tool"] = group.name
    if group.dimension == "connection":
        evidence["connection"] = group.name
    elif len(group.connections) == 1:
        evidence["connection"] = next(iter(group.connections))
    elif group.connections:
        evidence["connections"] = dict(group.connections.most_common())
    if group.dimension == "input_type":
        evidence["input_type"] = group.name
    if group.dimension == "hour":
        evidence["hour_utc"] = int(group.name)
    evidence["fingerprint"] = group.fingerprint
    evidence["job_count"] = len(group.job_ids)
    evidence["step_count"] = group.step_count
    evidence["sample_error"] = error_text(group.sample_error, SAMPLE_ERROR_CHARS)
    return evidence


def _finding(ctx: CheckContext, group: _Group, win: _Window, failed_total: int) -> Finding:
    """One ``failure_cluster`` finding for ``group`` (``failed_total``: failed window jobs)."""
    return Finding(
        kind="failure_cluster",
        severity=_severity(ctx, group),
        title=_title(group, win, failed_total),
        response=_response(group, win),
        evidence=_evidence(group, win),
    )


_RANK = {Severity.ACT: 0, Severity.WATCH: 1, Severity.OK: 2}


def _order(finding: Finding) -> tuple[int, int, int, str]:
    """Sort key: act first, then most jobs, then most steps, then title."""
    ev = finding.evidence
    return (_RANK[finding.severity], -ev["job_count"], -ev["step_count"], finding.title)


def _rest(rest: list[Finding]) -> list[Finding]:
    """One watch finding naming the clusters left out of the report, if any."""
    if not rest:
        return []
    job_ids = list(dict.fromkeys(j for f in rest for j in f.evidence["job_ids"]))
    return [
        Finding(
            kind="failure_cluster",
            severity=worst([f.severity for f in rest]),
            title=(
                f"{plural(len(rest), 'smaller failure cluster')} not listed "
                f"({plural(len(job_ids), 'job')})"
            ),
            response=RESPONSE_SAME_STEP,
            evidence={"job_ids": job_ids, "clusters": [f.title for f in rest[:MAX_DETAIL_ROWS]]},
        )
    ]

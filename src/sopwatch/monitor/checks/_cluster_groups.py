"""The candidate groups of ``failure_cluster``: which jobs and steps share one cause, one
error, one place or one common thread.

Private to ``sopwatch.monitor.checks``; ``clusters.py`` turns groups into findings. Each
failed step is classified once (``_causes.failed_step_classes``) and each failed job once
(``domain.error_class.classify_job``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sopwatch.domain.enums import JobStatus, StepKind, StepStatus
from sopwatch.domain.error_class import SERVICE_CLASSES, ErrorClass, classify_job
from sopwatch.domain.fingerprint import fingerprint, normalise_step_name
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._causes import LargestOutput, failed_step_classes, largest_output
from sopwatch.monitor.checks._common import failing_step
from sopwatch.monitor.checks._concentration import Concentration, concentration
from sopwatch.monitor.context import CheckContext

#: The step name of a job that failed before its first step.
NO_STEPS = "(before the first step)"
#: Classes grouped by cause (class and place) rather than by fingerprint: a service's
#: answer worded many ways by providers and libraries, and a first-step failure (the
#: input, whatever the error says).
CAUSE_CLASSES = SERVICE_CLASSES | {ErrorClass.INVALID_INPUT}
#: Failures spread over connections: no single connection may hold more than this share
#: of them (our choice: then no connection is "the" common thread).
SPREAD_MAX_SHARE = 0.5


@dataclass(slots=True)
class Group:
    """A candidate cluster: which jobs and steps share one failure dimension.

    ``dimension``: ``cause`` (one error class at one place: a connection, a model or a
    step), ``error`` (one step, one error fingerprint), ``step``, ``connection``,
    ``connections`` (spread over several), ``input_type``, ``hour``.
    """

    dimension: str
    name: str
    fingerprint: str | None = None
    tool: bool = False
    error_class: ErrorClass | None = None  # cause groups: the class they share
    locus: str | None = None  # cause groups: connection | model | step
    job_ids: dict[int, None] = field(default_factory=dict)  # ordered set
    step_count: int = 0
    connections: Counter[str] = field(default_factory=Counter)  # of failed steps only
    keys: set[tuple[str, str]] = field(default_factory=set)
    steps: set[str] = field(default_factory=set)  # normalised names of the counted steps
    classes: Counter[ErrorClass] = field(default_factory=Counter)
    fingerprints: Counter[str] = field(default_factory=Counter)
    sample_error: str | None = None
    first_step_only: bool = True  # every counted step is its job's first
    hit: Concentration | None = None  # input_type / hour groups: the tested claim
    largest: list[LargestOutput] = field(default_factory=list)  # context overflows

    def add(
        self, job_id: int, step: Step | None, error_class: ErrorClass | None, *, first: bool
    ) -> None:
        """Count ``step`` (None: the job alone) of job ``job_id`` with its class;
        ``first`` when the step is the job's first (or the job has none)."""
        self.job_ids[job_id] = None
        if error_class is not None:
            self.classes[error_class] += 1
        if step is None:
            return
        self.step_count += 1
        self.steps.add(normalise_step_name(step.name))
        self.first_step_only = self.first_step_only and first
        if step.status == StepStatus.ERROR:
            if step.connection:
                self.connections[step.connection] += 1
            self.fingerprints[fingerprint(step.error)] += 1
        if self.sample_error is None and step.error:
            self.sample_error = step.error


@dataclass(frozen=True, slots=True)
class Window:
    """Window-wide lookups shared by the grouping functions; ``classes``: failed job id →
    its class."""

    jobs: dict[int, Job]
    input_types: Counter[str | None]
    hours: Counter[int]
    size: int
    classes: dict[int, ErrorClass]

    @classmethod
    def of(cls, ctx: CheckContext) -> Window:
        """The lookups of ``ctx``'s window."""
        classes: dict[int, ErrorClass] = {}
        for job in ctx.jobs:
            if job.status == JobStatus.FAILED:
                found = classify_job(job, ctx.steps.get(job.id, ()))
                if found is not None:
                    classes[job.id] = found
        return cls(
            jobs={job.id: job for job in ctx.jobs},
            input_types=Counter(job.input_type for job in ctx.jobs),
            hours=Counter(job.created_at.hour for job in ctx.jobs),
            size=len(ctx.jobs),
            classes=classes,
        )


def _jobs_using(ctx: CheckContext) -> Counter[str]:
    """Connection → window jobs with a step through it: from each job's facts
    (``JobFacts.connections``), else from its steps."""
    used: Counter[str] = Counter()
    for job in ctx.jobs:
        facts = ctx.facts.get(job.id)
        if facts is not None:
            used.update(facts.connections)
        else:
            used.update({s.connection for s in ctx.steps.get(job.id, ()) if s.connection})
    return used


def _locus(step: Step, error_class: ErrorClass) -> tuple[str, str]:
    """Where a failure of a cause class happened: ``(connection, name)``, ``(model,
    name)`` or ``(step, normalised step name)`` (always the step for invalid input: the
    first step is the place, whatever it calls)."""
    if error_class == ErrorClass.INVALID_INPUT:
        return "step", normalise_step_name(step.name)
    if step.connection:
        return "connection", step.connection
    if step.kind == StepKind.MODEL:
        return "model", step.model or step.name
    return "step", normalise_step_name(step.name)


def error_groups(ctx: CheckContext) -> tuple[dict[tuple[str, str], Group], dict[str, Group]]:
    """Failed non-gate steps of every window job, in one pass: by cause (a class of
    ``CAUSE_CLASSES`` at one connection, model or step) or else by (step name,
    fingerprint); and by connection."""
    errors: dict[tuple[str, str], Group] = {}
    connections: dict[str, Group] = {}
    for job in ctx.jobs:
        steps = ctx.steps.get(job.id, ())
        classes = failed_step_classes(job, steps)
        for step in steps:
            if step.status != StepStatus.ERROR or step.kind == StepKind.GATE:
                continue
            error_class = classes[step.seq]
            key, group = _error_group(errors, step, error_class)
            first = step.seq == steps[0].seq
            group.add(job.id, step, error_class, first=first)
            if error_class == ErrorClass.CONTEXT_OVERFLOW:
                largest = largest_output(job, steps, step.seq)
                if largest is not None:
                    group.largest.append(largest)
            if step.connection:
                conn = connections.get(step.connection)
                if conn is None:
                    conn = connections[step.connection] = Group("connection", step.connection)
                conn.add(job.id, step, error_class, first=first)
                conn.keys.add(key)
    return errors, connections


def _error_group(
    errors: dict[tuple[str, str], Group], step: Step, error_class: ErrorClass
) -> tuple[tuple[str, str], Group]:
    """The cause or error group a failed step belongs to (created when new)."""
    if error_class in CAUSE_CLASSES:
        locus, where = _locus(step, error_class)
        key = (f"{error_class}@{locus}", where)
        if key not in errors:
            tool = locus == "step" and step.kind == StepKind.TOOL
            errors[key] = Group("cause", where, error_class=error_class, locus=locus, tool=tool)
        return key, errors[key]
    key = (normalise_step_name(step.name), fingerprint(step.error))
    if key not in errors:
        errors[key] = Group("error", key[0], fingerprint=key[1], tool=step.kind == StepKind.TOOL)
    return key, errors[key]


def connection_groups(ctx: CheckContext, connections: Iterable[Group], win: Window) -> list[Group]:
    """The connections worth a finding of their own: failing with more than one error
    (else their one cause or error group names them), and a likely cause — most of their
    failures are the service's own answers (seed: "a single Connection failing
    repeatedly"), or the jobs using the connection fail more than the window's other jobs
    (``_concentration``; a connection every job uses is no common thread)."""
    found = []
    used: Counter[str] | None = None  # counted only when needed
    for group in connections:
        if len(group.keys) < 2:
            continue
        service = sum(n for c, n in group.classes.items() if c in SERVICE_CLASSES)
        if service * 2 <= sum(group.classes.values()):
            used = _jobs_using(ctx) if used is None else used
            values = [group.name] * len(group.job_ids)
            group.hit = concentration(values, used, win.size, ctx.settings.significance)
            if group.hit is None:
                continue
        found.append(group)
    return found


def step_groups(
    ctx: CheckContext, failed: Sequence[Job], errors: Iterable[Group], win: Window
) -> list[Group]:
    """Failed jobs by the step where they failed, minus groups a cause or error group of
    the same step already covers."""
    groups: dict[str, Group] = {}
    for job in failed:
        steps = ctx.steps.get(job.id, ())
        step = failing_step(steps)
        name = normalise_step_name(step.name) if step is not None else NO_STEPS
        first = step is None or step.seq == steps[0].seq
        group = groups.setdefault(name, Group("step", name))
        group.add(job.id, step, win.classes.get(job.id), first=first)
    covered: dict[str, list[set[int]]] = {}
    for group in errors:
        for name in group.steps:
            covered.setdefault(name, []).append(set(group.job_ids))
    return [
        g
        for g in groups.values()
        if not any(set(g.job_ids) <= ids for ids in covered.get(g.name, []))
    ]


def spread_group(ctx: CheckContext, failed: Sequence[Job], win: Window) -> Group | None:
    """Failed jobs that ended on a failed connection step with a data or logic error (a
    class other than the service classes, ``limit`` and ``invalid_input``), when they are
    at least ``cluster_min_jobs``, spread over two or more connections with none holding
    more than half (seed: "failures spread across multiple Connections usually point to a
    SOP logic issue")."""
    group = Group("connections", "")
    for job in failed:
        error_class = win.classes.get(job.id)
        if (
            error_class is None
            or error_class in SERVICE_CLASSES
            or error_class
            in (
                ErrorClass.LIMIT,
                ErrorClass.INVALID_INPUT,
            )
        ):
            continue
        steps = ctx.steps.get(job.id, ())
        step = failing_step(steps)
        if step is None or step.status != StepStatus.ERROR or not step.connection:
            continue
        group.add(job.id, step, error_class, first=step.seq == steps[0].seq)
    total = sum(group.connections.values())
    if len(group.connections) < 2 or len(group.job_ids) < ctx.settings.cluster_min_jobs:
        return None
    if group.connections.most_common(1)[0][1] > SPREAD_MAX_SHARE * total:
        return None
    group.name = f"{len(group.connections)} connections"
    return group


def concentration_groups(ctx: CheckContext, failed: Sequence[Job], win: Window) -> list[Group]:
    """Failed jobs concentrated in one input type or one UTC hour of day: at least
    ``cluster_min_jobs`` of them, tested (``_concentration``)."""
    groups: list[Group] = []
    dims: list[tuple[str, list[str | int | None], Mapping[Any, int]]] = [
        ("input_type", [job.input_type for job in failed], win.input_types),
        ("hour", [job.created_at.hour for job in failed], win.hours),
    ]
    for dimension, values, counts in dims:
        hit = concentration(values, counts, win.size, ctx.settings.significance)
        if hit is None or hit.count < ctx.settings.cluster_min_jobs:
            continue
        group = Group(dimension, str(hit.value), hit=hit)
        for job, value in zip(failed, values, strict=True):
            if value == hit.value:
                group.add(job.id, None, win.classes.get(job.id), first=False)
        groups.append(group)
    return groups

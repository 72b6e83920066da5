"""Loads a ``CheckContext`` from the store: the window's jobs with steps, and the baseline.

Reads only the window and the baseline period through the (assignment, created_at) index,
never whole tables (docs/architecture.md "Facts measured").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from sopwatch.domain.assignment import Assignment
from sopwatch.domain.case import Case
from sopwatch.domain.enums import CaseStatus, StepKind
from sopwatch.domain.job import HumanRequest, Job, Step
from sopwatch.monitor.context import Baseline, CheckContext, CheckSettings, StepFigures, Window
from sopwatch.store.assignments import list_revisions
from sopwatch.store.cases import case_from_row, cases
from sopwatch.store.jobs import (
    count_requests,
    jobs,
    jobs_between,
    pending_requests,
    requests_of,
    steps,
    steps_of,
)
from sopwatch.store.unfinished import jobs_on_postponed_cases, last_steps_of, running_jobs_before

TRAILING_BASELINE = timedelta(days=7)  # docs/architecture.md: "else the trailing 7 days"
#: At most this many running jobs from before the window are loaded (our choice: bounds
#: the read; more than this many jobs running at once is itself the finding).
MAX_RUNNING_BEFORE = 1_000
#: Postponed cases are looked for among the jobs of the window and this long before it
#: (our choice: a bounded index range; a case overdue for longer was named by every daily
#: check of that week).
POSTPONED_LOOKBACK = timedelta(days=7)


def default_at(conn: sa.Connection, assignment: Assignment, now: datetime) -> datetime:
    """Where a check's window ends when ``--at`` is not given.

    ``now`` — unless the assignment's newest job was imported (``sopwatch import``): then
    just after the last moment of the imported history (the latest job start or finish),
    so a check of imported history covers it, including requests raised late in a run
    (issue #2: "for imported history, to the newest job's time").
    """
    newest = conn.execute(
        sa.select(jobs.c.imported)
        .where(jobs.c.assignment_id == assignment.id)
        .order_by(jobs.c.created_at.desc())
        .limit(1)
    ).scalar()
    if not newest:
        return now
    row = conn.execute(
        sa.select(sa.func.max(jobs.c.created_at), sa.func.max(jobs.c.finished_at)).where(
            jobs.c.assignment_id == assignment.id, jobs.c.imported.is_(True)
        )
    ).one()
    last: datetime = max(t for t in row if t is not None)
    return last + timedelta(milliseconds=1)


def load_context(
    conn: sa.Connection,
    assignment: Assignment,
    at: datetime,
    length: timedelta,
    settings: CheckSettings,
) -> CheckContext:
    """The context of a check of ``assignment`` over ``[at - length, at)`` (UTC)."""
    window = Window(start=at - length, end=at)
    window_jobs = jobs_between(conn, assignment.id, window.start, window.end)
    job_ids = [j.id for j in window_jobs]
    requests = requests_of(conn, job_ids)
    request_jobs: dict[int, Job] = {j.id: j for j in window_jobs}
    seen = {r.id for r in requests}
    older: list[HumanRequest] = []
    for request, job in pending_requests(conn, assignment.id, window.end):
        if request.id not in seen:
            older.append(request)
            request_jobs[job.id] = job
    running_before, last_steps = load_running_before(conn, assignment, window)
    baseline = load_baseline(conn, assignment, window)
    window_cases = _cases(conn, window_jobs)
    postponed_cases, postponed_case_jobs = load_postponed_cases(
        conn, assignment, window, (window_jobs, window_cases), baseline
    )
    return CheckContext(
        assignment=assignment,
        window=window,
        baseline=baseline,
        jobs=tuple(window_jobs),
        steps=steps_of(conn, job_ids),
        human_requests=tuple(older + requests),
        request_jobs=request_jobs,
        cases=window_cases,
        settings=settings,
        running_before=running_before,
        last_steps=last_steps,
        time_limits_ms=load_time_limits(conn, assignment),
        postponed_cases=postponed_cases,
        postponed_case_jobs=postponed_case_jobs,
        baseline_steps=load_baseline_steps(conn, baseline.jobs),
    )


def load_baseline(conn: sa.Connection, assignment: Assignment, window: Window) -> Baseline:
    """The testing period when the assignment has one, else the 7 days before the window."""
    if assignment.testing_from is not None and assignment.testing_until is not None:
        # A testing period reaching into the window is cut at the window's start: the
        # window is never its own baseline.
        kind, start = "testing", assignment.testing_from
        end = max(start, min(assignment.testing_until, window.start))
    else:
        kind, start, end = "trailing_7d", window.start - TRAILING_BASELINE, window.start
    base_jobs = jobs_between(conn, assignment.id, start, end, light=True)
    if not base_jobs:
        kind = "none" if kind == "trailing_7d" else kind
    return Baseline(
        kind=kind,
        start=start,
        end=end,
        jobs=tuple(base_jobs),
        cases=tuple(_cases(conn, base_jobs).values()),
        human_request_count=count_requests(conn, [j.id for j in base_jobs]),
    )


#: Most baseline jobs whose steps a check loads (our choice: 250 jobs give over a thousand
#: model and tool calls of an agent that makes a few per job, enough for stable medians,
#: 95th percentiles and Mann–Whitney tests per model and tool, and a tool used by one job
#: in 25 still has its 10 calls; loading them costs about 1% of the check's time on the
#: 1M-step benchmark: docs/performance.md).
BASELINE_STEP_SAMPLE = 250

_KIND = {member.value: member for member in StepKind}


def evenly_spaced(items: Sequence[Job], limit: int) -> list[Job]:
    """At most ``limit`` of ``items``, evenly spaced in their order: all of them when there
    are no more than ``limit``, else ``items[i * n // limit]`` for ``i < limit``.
    Deterministic, so the same baseline always gives the same sample."""
    n = len(items)
    if n <= limit:
        return list(items)
    return [items[i * n // limit] for i in range(max(limit, 0))]


def load_baseline_steps(
    conn: sa.Connection, baseline_jobs: Sequence[Job], limit: int = BASELINE_STEP_SAMPLE
) -> dict[int, tuple[StepFigures, ...]]:
    """job id → the ``StepFigures`` of its steps, for a sample of ``baseline_jobs`` (oldest
    first): at most ``limit`` jobs, evenly spaced (``evenly_spaced``); a sampled job
    without steps maps to ``()``. Reads only figure columns (no text) through the
    (job_id, seq) index in chunks of 900 ids, so its cost is bounded by ``limit``."""
    sample = [job.id for job in evenly_spaced(baseline_jobs, limit)]
    found: dict[int, list[StepFigures]] = defaultdict(list)
    columns = [steps.c[name] for name in StepFigures._fields]
    for i in range(0, len(sample), 900):
        query = sa.select(*columns).where(steps.c.job_id.in_(sample[i : i + 900]))
        for job_id, kind, *figures in conn.execute(query):
            found[job_id].append(StepFigures(job_id, _KIND[kind], *figures))
    return {job_id: tuple(found.get(job_id, ())) for job_id in sample}


def _cases(conn: sa.Connection, some_jobs: list[Job]) -> dict[int, Case]:
    ids = sorted({j.case_id for j in some_jobs if j.case_id is not None})
    found: dict[int, Case] = {}
    for i in range(0, len(ids), 900):
        for row in conn.execute(sa.select(cases).where(cases.c.id.in_(ids[i : i + 900]))):
            case = case_from_row(row)
            found[case.id] = case
    return found


def load_running_before(
    conn: sa.Connection, assignment: Assignment, window: Window
) -> tuple[tuple[Job, ...], dict[int, Step]]:
    """The assignment's jobs still running that were created before the window (at most
    ``MAX_RUNNING_BEFORE``, oldest first; the (assignment, status) index), and the last
    step of each (one row per job; the (job, seq) index)."""
    found = running_jobs_before(conn, assignment.id, window.start, MAX_RUNNING_BEFORE)
    return tuple(found), last_steps_of(conn, [j.id for j in found])


def load_time_limits(conn: sa.Connection, assignment: Assignment) -> dict[int, int]:
    """Revision id → time limit for one job in ms, for the assignment's revisions that set
    ``config["limits"]["max_duration_ms"]`` (an assignment has few revisions)."""
    limits: dict[int, int] = {}
    for revision in list_revisions(conn, assignment.id):
        limit = revision.max_duration_ms
        if limit is not None:
            limits[revision.id] = limit
    return limits


def load_postponed_cases(
    conn: sa.Connection,
    assignment: Assignment,
    window: Window,
    loaded: tuple[list[Job], dict[int, Case]],
    baseline: Baseline,
) -> tuple[dict[int, Case], dict[int, tuple[Job, ...]]]:
    """The cases still postponed that the assignment's jobs created in ``[window.start −
    POSTPONED_LOOKBACK, window.end)`` worked on (case id → case), and those jobs per case
    (oldest first, without input/output).

    ``loaded`` holds the window's jobs and their cases. The baseline's jobs and cases are
    used for the lookback when the baseline covers it (the trailing 7 days do), so no
    query runs; otherwise the lookback's jobs on postponed cases are read through the
    (team, assignment, created_at) index.
    """
    start = window.start - POSTPONED_LOOKBACK
    window_jobs, window_cases = loaded
    pairs = [(j, window_cases[j.case_id]) for j in window_jobs if j.case_id in window_cases]
    if baseline.start <= start and baseline.end == window.start:
        base_cases = {case.id: case for case in baseline.cases}
        earlier = [
            (j, base_cases[j.case_id])
            for j in baseline.jobs
            if j.created_at >= start and j.case_id in base_cases
        ]
    else:
        earlier = jobs_on_postponed_cases(
            conn, assignment.team_id, assignment.id, start, window.start
        )
    found: dict[int, Case] = {}
    case_jobs: dict[int, list[Job]] = {}
    for job, case in earlier + pairs:
        if case.status == CaseStatus.POSTPONED:
            found[case.id] = case
            case_jobs.setdefault(case.id, []).append(job)
    return found, {case_id: tuple(js) for case_id, js in case_jobs.items()}

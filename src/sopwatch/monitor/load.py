"""Loads a ``CheckContext`` from the store: the window's jobs with steps, and the baseline.

Reads only the window and the baseline period through the (assignment, created_at) index,
never whole tables (docs/architecture.md "Facts measured").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa

from sopwatch.domain.assignment import Assignment
from sopwatch.domain.case import Case
from sopwatch.domain.enums import CaseStatus, JobStatus, StepKind
from sopwatch.domain.facts import JobFacts
from sopwatch.domain.job import BaselineJob, HumanRequest, Job, Step
from sopwatch.monitor.context import (
    MAX_LISTED_REQUESTS,
    Baseline,
    CheckContext,
    CheckSettings,
    PendingRequests,
    StepFigures,
    Window,
    WriteCall,
    summarize_pending,
)
from sopwatch.store.assignments import list_revisions
from sopwatch.store.cases import case_from_row, cases
from sopwatch.store.jobs import (
    jobs,
    jobs_by_id,
    requests_of,
    steps,
    steps_of,
)
from sopwatch.store.pending import count_pending, listed_pending, stale_gates
from sopwatch.store.unfinished import jobs_on_postponed_cases, last_steps_of, running_jobs_before
from sopwatch.store.window import (
    baseline_jobs,
    count_requests_between,
    repeated_writes,
    window_jobs,
)

TRAILING_BASELINE = timedelta(days=7)  # docs/architecture.md: "else the trailing 7 days"
#: ``default_at`` looks for the latest finish among the imported jobs created this long
#: before the newest one (our choice: the length of a daily check's window; a job of
#: imported history that ran longer and finished after every later job is missed, and
#: the window then ends at the newest start. Reading every job of the assignment cost
#: 0.35 s of CPU at 1M jobs and grew with history, one day of jobs costs 0.07 s:
#: docs/performance.md).
FINISH_LOOKBACK = timedelta(days=1)
#: At most this many running jobs from before the window are loaded (our choice: bounds
#: the read; more than this many jobs running at once is itself the finding).
MAX_RUNNING_BEFORE = 1_000
#: Postponed cases are looked for among the jobs of the window and this long before it
#: (our choice: a bounded index range; a case overdue for longer was named by every daily
#: check of that week).
POSTPONED_LOOKBACK = timedelta(days=7)
#: Most window jobs whose steps the per-model and per-tool tallies read (our choice:
#: 1,000 jobs give thousands of calls, enough for stable medians, 95th percentiles, cut
#: shares and cost per job of every model and tool a job in a hundred uses; a window of
#: at most this many jobs is read whole, so the findings on it are exact; loading them
#: costs a bounded ~0.1 s however busy the window).
STEP_SAMPLE = 1_000
#: Statuses of a job that has not finished: its last step says where it waits or stuck.
_UNFINISHED = frozenset({JobStatus.PENDING, JobStatus.RUNNING, JobStatus.NEEDS_INPUT})


def default_at(conn: sa.Connection, assignment: Assignment, now: datetime) -> datetime:
    """Where a check's window ends when ``--at`` is not given.

    ``now`` — unless the assignment's newest job was imported (``sopwatch import``): then
    just after the last moment of the imported history (the latest job start or finish),
    so a check of imported history covers it, including requests raised late in a run
    (issue #2: "for imported history, to the newest job's time"). The latest finish is
    looked for among the imported jobs created in the ``FINISH_LOOKBACK`` before the
    newest one (two queries through the (team, assignment, created_at) index, so the
    cost does not grow with history).
    """
    newest = conn.execute(
        sa.select(jobs.c.imported, jobs.c.created_at)
        .where(jobs.c.team_id == assignment.team_id, jobs.c.assignment_id == assignment.id)
        .order_by(jobs.c.created_at.desc())
        .limit(1)
    ).first()
    if newest is None or not newest[0]:
        return now
    created: datetime = newest[1]  # the newest job is imported: the latest imported start
    since = created - FINISH_LOOKBACK
    finished = conn.execute(
        sa.select(sa.func.max(jobs.c.finished_at)).where(
            jobs.c.team_id == assignment.team_id,
            jobs.c.assignment_id == assignment.id,
            jobs.c.created_at >= since,
            jobs.c.imported.is_(True),
        )
    ).scalar()
    last = created if finished is None else max(created, finished)
    return last + timedelta(milliseconds=1)


def load_context(
    conn: sa.Connection,
    assignment: Assignment,
    at: datetime,
    length: timedelta,
    settings: CheckSettings,
    step_sample: int = STEP_SAMPLE,
) -> CheckContext:
    """The context of a check of ``assignment`` over ``[at - length, at)`` (UTC).

    Steps are read for every window job when the window has at most ``step_sample``
    jobs, or when any of its jobs lacks current facts (``sopwatch db rebuild-facts``);
    else only for the jobs a finding may name (``steps_needed``) and an evenly spaced
    sample of ``step_sample`` jobs for the per-model and per-tool tallies
    (``CheckContext.step_sample``), and the duplicate check reads the repeated writes
    (``CheckContext.writes``)."""
    window = Window(start=at - length, end=at)
    loaded, facts = window_jobs(conn, assignment.team_id, assignment.id, window.start, window.end)
    pending, requests, request_jobs = _requests(conn, assignment, window, settings, loaded)
    running_before, last_steps = load_running_before(conn, assignment, window)
    baseline = load_baseline(conn, assignment, window)
    window_cases = _cases(conn, loaded)
    postponed_cases, postponed_case_jobs = load_postponed_cases(
        conn, assignment, window, (loaded, window_cases), baseline
    )
    steps, sample, writes = load_window_steps(
        conn, assignment, window, (loaded, facts), settings, step_sample
    )
    return CheckContext(
        assignment=assignment,
        window=window,
        baseline=baseline,
        jobs=tuple(loaded),
        steps=steps,
        step_sample=sample,
        writes=writes,
        facts=facts,
        human_requests=requests,
        pending=pending,
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


def _requests(
    conn: sa.Connection,
    assignment: Assignment,
    window: Window,
    settings: CheckSettings,
    loaded: list[Job],
) -> tuple[PendingRequests, tuple[HumanRequest, ...], dict[int, Job]]:
    """The pending requests counted (``load_pending``); the requests of the window jobs
    and the pending ones listed, oldest first, each once; job id → job for the window
    jobs and the listed requests' jobs."""
    requests = requests_of(conn, [job.id for job in loaded])
    request_jobs: dict[int, Job] = {job.id: job for job in loaded}
    pending, older = load_pending(conn, assignment, window, settings)
    seen = {r.id for r in requests}
    for request, job in older:
        if request.id not in seen:
            seen.add(request.id)
            requests.append(request)
            request_jobs[job.id] = job
    requests.sort(key=lambda r: (r.created_at, r.id))
    return pending, tuple(requests), request_jobs


def load_window_steps(
    conn: sa.Connection,
    assignment: Assignment,
    window: Window,
    loaded: tuple[list[Job], dict[int, JobFacts]],
    settings: CheckSettings,
    step_sample: int = STEP_SAMPLE,
) -> tuple[dict[int, tuple[Step, ...]], frozenset[int] | None, tuple[WriteCall, ...] | None]:
    """``(steps, sample, writes)`` of ``CheckContext`` for the window's jobs and their
    facts (``loaded``): every job's steps, None, None when the window has at most
    ``step_sample`` jobs or a job without current facts; else the steps of the jobs of
    ``steps_needed`` and of ``evenly_spaced(jobs, step_sample)``, the sampled ids, and
    the window's repeated writes that could be a duplicate (``store.window.repeated_writes``
    within ``settings.duplicate_interval_ms``)."""
    jobs_, facts = loaded
    ids = [job.id for job in jobs_]
    if len(jobs_) <= step_sample or len(facts) < len(jobs_):
        return steps_of(conn, ids), None, None
    sample = frozenset(job.id for job in evenly_spaced(jobs_, step_sample))
    needed = steps_needed(jobs_, facts, settings) | sample
    found = repeated_writes(
        conn,
        assignment.team_id,
        assignment.id,
        window.start,
        window.end,
        within_ms=settings.duplicate_interval_ms,
    )
    writes = tuple(WriteCall(*row) for row in found)
    return steps_of(conn, [i for i in ids if i in needed]), sample, writes


def load_pending(
    conn: sa.Connection,
    assignment: Assignment,
    window: Window,
    settings: CheckSettings,
    limit: int = MAX_LISTED_REQUESTS,
) -> tuple[PendingRequests, list[tuple[HumanRequest, Job]]]:
    """The assignment's requests pending at ``window.end``, counted by age in SQL, and the
    rows the findings list with their jobs: the oldest ``limit`` stale ones and the first
    ``limit`` past their expiry (``PendingRequests``; a request both stale and expired
    comes twice). Three
    queries, four when more requests are stale than are listed (their gates are then
    counted in SQL, else over the listed rows); none loads the whole backlog."""
    end = window.end
    stale_before = end - timedelta(milliseconds=settings.stale_after_ms)
    expired_before = end - timedelta(milliseconds=settings.overdue_grace_ms)
    count, stale, expired = count_pending(conn, assignment.id, end, stale_before, expired_before)
    listed: list[tuple[HumanRequest, Job]] = []
    if stale:
        listed += listed_pending(conn, assignment.id, end, stale_before=stale_before, limit=limit)
    if stale > len(listed):
        gates = tuple(stale_gates(conn, assignment.id, end, stale_before))
    else:
        counted = summarize_pending((r for r, _ in listed), end, settings.stale_after_ms, 0)
        gates = counted.stale_gates
    if expired:
        listed += listed_pending(
            conn, assignment.id, end, expired_before=expired_before, limit=limit
        )
    summary = PendingRequests(count=count, stale=stale, stale_gates=gates, expired=expired)
    return summary, listed


def steps_needed(
    window_jobs: Sequence[Job], facts: Mapping[int, JobFacts], settings: CheckSettings
) -> set[int]:
    """Ids of the window jobs whose steps a finding may read, from their facts alone:
    failed or unfinished jobs (attention, clusters, contradictions, stuck), jobs with a
    failed step (connections, clusters, contradictions) or a cut model call
    (``truncated_output``), jobs whose calls repeat up to the loop thresholds of
    ``settings`` (``tool_loop``, and ``duplicate_side_effect`` leaving a job's looping
    write to it: ``JobFacts`` loop figures), and every job without current facts."""
    needed: set[int] = set()
    repeats, rounds = settings.loop_min_repeats, settings.loop_cycle_rounds
    for job in window_jobs:
        found = facts.get(job.id)
        if (
            found is None
            or job.status == JobStatus.FAILED
            or job.status in _UNFINISHED
            or found.failed_steps
            or found.truncated_calls
            or found.loop_calls >= repeats
            or found.loop_rounds >= rounds
        ):
            needed.add(job.id)
    return needed


def load_baseline(conn: sa.Connection, assignment: Assignment, window: Window) -> Baseline:
    """The testing period when the assignment has one, else the 7 days before the window."""
    if assignment.testing_from is not None and assignment.testing_until is not None:
        # A testing period reaching into the window is cut at the window's start: the
        # window is never its own baseline.
        kind, start = "testing", assignment.testing_from
        end = max(start, min(assignment.testing_until, window.start))
    else:
        kind, start, end = "trailing_7d", window.start - TRAILING_BASELINE, window.start
    base_jobs = baseline_jobs(conn, assignment.team_id, assignment.id, start, end)
    if not base_jobs:
        kind = "none" if kind == "trailing_7d" else kind
    return Baseline(
        kind=kind,
        start=start,
        end=end,
        jobs=tuple(base_jobs),
        cases=tuple(_cases(conn, base_jobs).values()),
        human_request_count=count_requests_between(
            conn, assignment.team_id, assignment.id, start, end
        ),
    )


#: Most baseline jobs whose steps a check loads (our choice: 250 jobs give over a thousand
#: model and tool calls of an agent that makes a few per job, enough for stable medians,
#: 95th percentiles and Mann–Whitney tests per model and tool, and a tool used by one job
#: in 25 still has its 10 calls; loading them costs about 1% of the check's time on the
#: 1M-step benchmark: docs/performance.md).
BASELINE_STEP_SAMPLE = 250

_KIND = {member.value: member for member in StepKind}
_T = TypeVar("_T")


def evenly_spaced(items: Sequence[_T], limit: int) -> list[_T]:
    """At most ``limit`` of ``items``, evenly spaced in their order: all of them when there
    are no more than ``limit``, else ``items[i * n // limit]`` for ``i < limit``.
    Deterministic, so the same baseline always gives the same sample."""
    n = len(items)
    if n <= limit:
        return list(items)
    return [items[i * n // limit] for i in range(max(limit, 0))]


def load_baseline_steps(
    conn: sa.Connection, baseline_jobs: Sequence[BaselineJob], limit: int = BASELINE_STEP_SAMPLE
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


def _cases(conn: sa.Connection, some_jobs: Sequence[Job | BaselineJob]) -> dict[int, Case]:
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
    used for the lookback when the baseline covers it (the trailing 7 days do), so only
    the jobs on postponed cases are read, by id; otherwise the lookback's jobs on
    postponed cases are read through the (team, assignment, created_at) index.
    """
    start = window.start - POSTPONED_LOOKBACK
    window_jobs, window_cases = loaded
    pairs = [(j, window_cases[j.case_id]) for j in window_jobs if j.case_id in window_cases]
    if baseline.start <= start and baseline.end == window.start:
        earlier = _postponed_in_baseline(conn, baseline, start)
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


def _postponed_in_baseline(
    conn: sa.Connection, baseline: Baseline, start: datetime
) -> list[tuple[Job, Case]]:
    """(job, its case) for the baseline jobs created at or after ``start`` whose case is
    ``postponed``, oldest first; the jobs read by id without input/output."""
    postponed = {c.id: c for c in baseline.cases if c.status == CaseStatus.POSTPONED}
    picked = [j for j in baseline.jobs if j.created_at >= start and j.case_id in postponed]
    found = jobs_by_id(conn, [j.id for j in picked], light=True)
    return [(found[j.id], postponed[j.case_id]) for j in picked if j.case_id is not None]

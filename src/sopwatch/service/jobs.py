"""The Jobs List of an assignment, and one job with its steps and human requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sopwatch.domain.enums import JobStatus
from sopwatch.domain.errors import InvalidInput
from sopwatch.domain.job import HumanRequest, Job, Step
from sopwatch.domain.options import MAX_LIMIT
from sopwatch.service.assignments import require_assignment
from sopwatch.service.errors import UnknownName
from sopwatch.service.store import Store
from sopwatch.store import jobs as store_jobs
from sopwatch.store.assignments import list_assignments

#: The Jobs List's "needs attention" filter.
NEEDS_ATTENTION = (JobStatus.FAILED, JobStatus.NEEDS_INPUT)


def list_jobs(
    store: Store,
    assignment: str,
    *,
    statuses: Sequence[JobStatus] = (),
    needs_attention: bool = False,
    limit: int = 50,
) -> list[Job]:
    """The assignment's jobs, newest first, at most ``limit`` (1 … ``MAX_LIMIT``), without
    their input and output text. ``statuses`` keeps only those; ``needs_attention`` adds
    failed and needs-input (alone: only those).

    Raises ``UnknownName`` for an unknown assignment, ``InvalidInput`` for a bad ``limit``.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("--limit", f"must be from 1 to {MAX_LIMIT:,}; got {limit:,}")
    wanted = {s.value for s in statuses}
    if needs_attention:
        wanted |= {s.value for s in NEEDS_ATTENTION}
    with store.engine.connect() as conn:
        found = require_assignment(conn, store.team_id, assignment)
        return store_jobs.list_jobs(conn, found.id, sorted(wanted), limit=limit)


@dataclass(frozen=True, kw_only=True, slots=True)
class JobDetail:
    """One job of ``assignment`` with its ``steps`` (by ``seq``) and the human ``requests``
    it raised (oldest first)."""

    job: Job
    assignment: str
    steps: tuple[Step, ...]
    requests: list[HumanRequest]


def show_job(store: Store, key: str, *, assignment: str | None = None) -> JobDetail:
    """The job named ``key``: its external id, else ``job-<id>`` or our numeric id, else a
    unique external-id prefix of 6 characters or more; within ``assignment`` when given.

    Raises ``UnknownName`` when no job (or no such assignment) matches, and
    ``InvalidInput("JOB_ID", ...)`` when ``key`` names several jobs (their ids and
    assignments are listed: give ``assignment``, or more of the id when it is a prefix).
    """
    with store.engine.connect() as conn:
        assignment_id = (
            require_assignment(conn, store.team_id, assignment).id if assignment else None
        )
        found = store_jobs.find_jobs(conn, store.team_id, key, assignment_id)
        names = {a.id: a.name for a in list_assignments(conn, store.team_id)}
        if not found:
            where = f"in assignment {assignment!r}" if assignment else "in any assignment"
            hint = f"no job has this id {where}; `sopwatch jobs ASSIGNMENT` lists job ids"
            raise UnknownName("job", key, hint)
        if len(found) > 1:
            raise InvalidInput("JOB_ID", _ambiguous(key, found, names))
        job = found[0]
        steps = store_jobs.steps_of(conn, [job.id])[job.id]
        requests = store_jobs.requests_of(conn, [job.id])
    return JobDetail(job=job, assignment=names[job.assignment_id], steps=steps, requests=requests)


def _ambiguous(key: str, found: list[Job], names: dict[int, str]) -> str:
    """``'c5' is the id of jobs in 2 assignments: airline, retail; give --assignment`` when
    ``key`` is each job's whole id (there is no more of it to give), else ``'86ffe650'
    names 2 jobs: 86ffe650-aaaa (airline), 86ffe650-bbbb (airline); give --assignment or
    more of the id``."""
    if all(job.label == key for job in found):
        assignments = sorted({names[job.assignment_id] for job in found})
        return (
            f"{key!r} is the id of jobs in {len(assignments):,} assignments: "
            f"{', '.join(assignments)}; give --assignment"
        )
    shown = ", ".join(f"{j.label} ({names[j.assignment_id]})" for j in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    count = f"{len(found)}+" if len(found) >= 20 else str(len(found))
    return f"{key!r} names {count} jobs: {shown}{more}; give --assignment or more of the id"

"""Jobs, their steps and human requests: tables, row mapping and the window queries.

Text payloads (job input/output, step arguments/result) longer than the payload limit
(``SOPWATCH_PAYLOAD_LIMIT_BYTES``) are truncated; ``*_bytes`` then holds the full UTF-8
size (NULL means the text is complete).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.enums import (
    HumanRequestStatus,
    HumanRequestType,
    JobStatus,
    Source,
    StepKind,
    StepStatus,
    Verdict,
)
from sopwatch.domain.job import HumanRequest, Job, Step
from sopwatch.store.base import Id, UtcDateTime, metadata

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("team_id", Id, sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("assignment_id", Id, sa.ForeignKey("assignments.id"), nullable=False),
    sa.Column("revision_id", Id, sa.ForeignKey("revisions.id")),
    sa.Column("external_id", sa.String(200)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    # True for jobs loaded by ``sopwatch import`` (whatever their original source).
    sa.Column("imported", sa.Boolean(), nullable=False, default=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("started_at", UtcDateTime()),
    sa.Column("finished_at", UtcDateTime()),
    sa.Column("duration_ms", sa.BigInteger()),
    sa.Column("input", sa.Text()),
    sa.Column("input_bytes", sa.Integer()),
    sa.Column("input_type", sa.String(100)),
    sa.Column("output", sa.Text()),
    sa.Column("output_bytes", sa.Integer()),
    sa.Column("verdict", sa.String(20)),
    sa.Column("failure_kind", sa.String(100)),
    sa.Column("error", sa.Text()),
    sa.Column("cost_micros", sa.BigInteger()),
    sa.Column("input_tokens", sa.BigInteger()),
    sa.Column("output_tokens", sa.BigInteger()),
    sa.Column("model", sa.String(200)),
    sa.Column("case_id", Id, sa.ForeignKey("cases.id")),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # True when any part of cost_micros was computed from tokens (genai-prices).
    sa.Column("cost_estimated", sa.Boolean(), nullable=False, server_default=sa.false()),
    # SHA-256 (hex) of the imported run's content: a re-import with the same hash changes
    # nothing; NULL for jobs sopwatch ran itself.
    sa.Column("content_hash", sa.String(64)),
    # What started the job, when a trigger or an upstream system names it (a record id, an
    # event id): many jobs with one key in minutes is a replay or a self-trigger chain.
    sa.Column("trigger_key", sa.String(200)),
    # Facts derived from the steps when the job is written (domain/facts.py: JobFacts);
    # NULL facts_version: not derived (or by rules of another version).
    sa.Column("tool_calls", sa.Integer()),
    sa.Column("model_calls", sa.Integer()),
    sa.Column("failed_steps", sa.Integer()),
    sa.Column("truncated_calls", sa.Integer()),
    sa.Column("loop_calls", sa.Integer()),
    sa.Column("loop_rounds", sa.Integer()),
    sa.Column("first_failed_seq", sa.Integer()),
    sa.Column("ending_seq", sa.Integer()),
    sa.Column("ending_name", sa.String(200)),
    sa.Column("error_class", sa.String(30)),
    sa.Column("error_fingerprint", sa.String(200)),
    sa.Column("connections", sa.Text()),
    sa.Column("input_digest", sa.String(12)),
    sa.Column("facts_version", sa.Integer()),
    sa.UniqueConstraint("assignment_id", "external_id"),
    sa.Index(None, "team_id", "assignment_id", "created_at"),
    sa.Index(None, "assignment_id", "status"),
)

steps = sa.Table(
    "steps",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("job_id", Id, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("connection", sa.String(200)),
    sa.Column("arguments", sa.Text()),
    sa.Column("arguments_bytes", sa.Integer()),
    sa.Column("result", sa.Text()),
    sa.Column("result_bytes", sa.Integer()),
    sa.Column("error", sa.Text()),
    sa.Column("started_at", UtcDateTime()),
    sa.Column("duration_ms", sa.BigInteger()),
    sa.Column("input_tokens", sa.BigInteger()),
    sa.Column("output_tokens", sa.BigInteger()),
    sa.Column("cost_micros", sa.BigInteger()),
    sa.Column("model", sa.String(200)),
    sa.Column("finish_reason", sa.String(40)),
    sa.Column("max_tokens", sa.BigInteger()),
    sa.Column("cache_read_tokens", sa.BigInteger()),
    sa.Column("cache_write_tokens", sa.BigInteger()),
    sa.Column("cost_estimated", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("job_id", "seq"),
)

human_requests = sa.Table(
    "human_requests",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("job_id", Id, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("step_seq", sa.Integer()),
    sa.Column("gate", sa.String(200)),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("question", sa.Text()),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("response", sa.Text()),
    sa.Column("escalations", sa.Integer(), nullable=False, default=0),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("answered_at", UtcDateTime()),
    # When the request stops waiting for an answer (NULL: it never expires).
    sa.Column("expires_at", UtcDateTime()),
    sa.Index(None, "status"),
    sa.Index(None, "job_id"),
)


# Value → member lookups: a dict get is several times cheaper than ``Enum(value)``, and
# a check builds tens of thousands of jobs and steps (docs/performance.md). The job ones
# are shared with ``store.window``.
JOB_STATUS_OF = {member.value: member for member in JobStatus}
SOURCE_OF = {member.value: member for member in Source}
VERDICT_OF = {member.value: member for member in Verdict}
_STEP_KIND = {member.value: member for member in StepKind}
_STEP_STATUS = {member.value: member for member in StepStatus}


def job_from_row(row: Any) -> Job:
    """A ``Job`` from a ``jobs`` row (which may carry an extra ``revision_number``, and
    may leave out ``input``/``output``)."""
    m = row._mapping
    return Job(
        id=m["id"],
        team_id=m["team_id"],
        assignment_id=m["assignment_id"],
        status=JOB_STATUS_OF[m["status"]],
        source=SOURCE_OF[m["source"]],
        created_at=m["created_at"],
        revision_id=m["revision_id"],
        revision_number=m.get("revision_number"),
        external_id=m["external_id"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
        duration_ms=m["duration_ms"],
        input=m.get("input"),
        input_type=m["input_type"],
        output=m.get("output"),
        verdict=VERDICT_OF[m["verdict"]] if m["verdict"] else None,
        failure_kind=m["failure_kind"],
        error=m["error"],
        cost_micros=m["cost_micros"],
        input_tokens=m["input_tokens"],
        output_tokens=m["output_tokens"],
        case_id=m["case_id"],
        cost_estimated=bool(m["cost_estimated"]),
        trigger_key=m["trigger_key"],
        input_bytes=m["input_bytes"],
        output_bytes=m["output_bytes"],
    )


def step_from_row(row: Any) -> Step:
    """A ``Step`` from a ``steps`` row."""
    return Step(
        job_id=row.job_id,
        seq=row.seq,
        kind=_STEP_KIND[row.kind],
        name=row.name,
        status=_STEP_STATUS[row.status],
        connection=row.connection,
        arguments=row.arguments,
        result=row.result,
        error=row.error,
        started_at=row.started_at,
        duration_ms=row.duration_ms,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost_micros=row.cost_micros,
        model=row.model,
        arguments_bytes=row.arguments_bytes,
        result_bytes=row.result_bytes,
        finish_reason=row.finish_reason,
        max_tokens=row.max_tokens,
        cache_read_tokens=row.cache_read_tokens,
        cache_write_tokens=row.cache_write_tokens,
        cost_estimated=bool(row.cost_estimated),
    )


def request_from_row(row: Any, prefix: str = "") -> HumanRequest:
    """A ``HumanRequest`` from a row holding the ``human_requests`` columns, each named
    ``prefix + column`` (a prefix tells them apart in a join)."""
    m = row._mapping
    return HumanRequest(
        id=m[prefix + "id"],
        job_id=m[prefix + "job_id"],
        type=HumanRequestType(m[prefix + "type"]),
        status=HumanRequestStatus(m[prefix + "status"]),
        created_at=m[prefix + "created_at"],
        gate=m[prefix + "gate"],
        step_seq=m[prefix + "step_seq"],
        question=m[prefix + "question"],
        answered_at=m[prefix + "answered_at"],
        response=m[prefix + "response"],
        expires_at=m[prefix + "expires_at"],
    )


def _job_select(light: bool = False) -> sa.Select[Any]:
    from sopwatch.store.assignments import revisions

    cols = [c for c in jobs.c if not (light and c.name in ("input", "output"))]
    return sa.select(*cols, revisions.c.number.label("revision_number")).outerjoin(
        revisions, revisions.c.id == jobs.c.revision_id
    )


def jobs_by_id(
    conn: sa.Connection, job_ids: Sequence[int], *, light: bool = False
) -> dict[int, Job]:
    """job id → ``Job`` for the given ids that exist; input and output included unless
    ``light`` (then both None)."""
    found: dict[int, Job] = {}
    for chunk in _chunks(job_ids, 900):
        for row in conn.execute(_job_select(light).where(jobs.c.id.in_(chunk))):
            job = job_from_row(row)
            found[job.id] = job
    return found


#: The ``steps`` columns ``steps_of`` reads, in the order ``_step`` takes them.
_STEP_COLUMNS = (
    "job_id", "seq", "kind", "name", "status", "connection", "arguments", "result", "error",
    "started_at", "duration_ms", "input_tokens", "output_tokens", "cost_micros", "model",
    "arguments_bytes", "result_bytes", "finish_reason", "max_tokens", "cache_read_tokens",
    "cache_write_tokens", "cost_estimated",
)  # fmt: skip


def _step(r: Sequence[Any]) -> Step:
    """A ``Step`` from a row of ``_STEP_COLUMNS``, by position (cheaper than by name for
    the tens of thousands of steps a check reads)."""
    return Step(
        job_id=r[0],
        seq=r[1],
        kind=_STEP_KIND[r[2]],
        name=r[3],
        status=_STEP_STATUS[r[4]],
        connection=r[5],
        arguments=r[6],
        result=r[7],
        error=r[8],
        started_at=r[9],
        duration_ms=r[10],
        input_tokens=r[11],
        output_tokens=r[12],
        cost_micros=r[13],
        model=r[14],
        arguments_bytes=r[15],
        result_bytes=r[16],
        finish_reason=r[17],
        max_tokens=r[18],
        cache_read_tokens=r[19],
        cache_write_tokens=r[20],
        cost_estimated=bool(r[21]),
    )


def steps_of(conn: sa.Connection, job_ids: Sequence[int]) -> dict[int, tuple[Step, ...]]:
    """job id → that job's steps in ``seq`` order, for the given jobs (chunked ``IN``)."""
    found: dict[int, list[Step]] = defaultdict(list)
    columns = [steps.c[name] for name in _STEP_COLUMNS]
    for chunk in _chunks(job_ids, 900):
        query = (
            sa.select(*columns)
            .where(steps.c.job_id.in_(chunk))
            .order_by(steps.c.job_id, steps.c.seq)
        )
        for row in conn.execute(query):
            found[row[0]].append(_step(row))
    return {job_id: tuple(found.get(job_id, ())) for job_id in job_ids}


def requests_of(conn: sa.Connection, job_ids: Sequence[int]) -> list[HumanRequest]:
    """The human requests raised by the given jobs, oldest first."""
    out: list[HumanRequest] = []
    for chunk in _chunks(job_ids, 900):
        query = sa.select(human_requests).where(human_requests.c.job_id.in_(chunk))
        out.extend(request_from_row(r) for r in conn.execute(query))
    return sorted(out, key=lambda r: (r.created_at, r.id))


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def list_jobs(
    conn: sa.Connection,
    assignment_id: int,
    statuses: Sequence[str] = (),
    since: datetime | None = None,
    limit: int = 50,
) -> list[Job]:
    """The assignment's jobs, newest first, optionally only ``statuses`` and since ``since``."""
    query = _job_select(light=True).where(jobs.c.assignment_id == assignment_id)
    if statuses:
        query = query.where(jobs.c.status.in_(list(statuses)))
    if since is not None:
        query = query.where(jobs.c.created_at >= since)
    query = query.order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit)
    return [job_from_row(r) for r in conn.execute(query)]


#: Shortest external-id prefix ``find_jobs`` matches on (our choice: 8 hex digits of a
#: UUID, as ``sopwatch jobs`` shows them, are unique in practice).
MIN_PREFIX = 6


def find_jobs(
    conn: sa.Connection, team_id: int, key: str, assignment_id: int | None = None
) -> list[Job]:
    """Jobs named ``key``: by external id; when none has it, by our own id written
    ``job-<id>`` or as a bare number; when still none, by an external id starting with
    ``key`` (at least ``MIN_PREFIX`` characters, as the Jobs List shows them cut). At most 20.
    """
    query = _job_select().where(jobs.c.team_id == team_id).limit(20)
    if assignment_id is not None:
        query = query.where(jobs.c.assignment_id == assignment_id)
    found = [job_from_row(r) for r in conn.execute(query.where(jobs.c.external_id == key))]
    bare = key.removeprefix("job-")
    if not found and bare.isdigit():
        found = [job_from_row(r) for r in conn.execute(query.where(jobs.c.id == int(bare)))]
    if not found and len(key) >= MIN_PREFIX:
        pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        prefixed = query.where(jobs.c.external_id.like(pattern, escape="\\"))
        found = [job_from_row(r) for r in conn.execute(prefixed)]
    return found

"""Re-import: bringing stored jobs up to date with runs whose content changed.

Rules (docs/importing.md, *Importing again*):

- The writer compares each run's content hash (``ingest.content``) with the stored job's:
  equal means unchanged and nothing is written. A job stored before content hashes
  existed (``content_hash`` NULL) counts as changed, so it is updated once.
- A changed run updates the job in place (same id): status, times, duration,
  input/output, verdict, failure kind, error, cost and tokens, model, revision, case,
  source, content hash; ``updated_at`` becomes now. A laid-out run (``laid_out``) keeps
  the stored ``created_at``: that time was chosen by an earlier import. Steps are
  replaced. Human requests are matched to the stored ones by (step, gate, type), in
  order: a match keeps its id and takes the new status, answered time, response and
  question; a new one is added; a stored one the run no longer has is deleted.
- Status: the stored status may stay, or change to one the job status machine
  (``domain.transitions.JOB_TRANSITIONS``) reaches from it in one or more steps: a run
  logged elsewhere went through the statuses in between unseen, e.g. ``needs_input →
  (running →) completed``. Anything else, e.g. ``completed → running``, is refused as a
  ``RecordError`` naming the record and both statuses, and the stored job stays as it
  was. A matched request's status follows the same rule in the human-request machine
  (an answered request never goes back to ``pending``).
- Each update writes the audit event ``job.updated`` (entity ``job``, the job's id):
  the changed columns, status from → to, steps before/after, requests
  updated/added/removed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.enums import JobStatus
from sopwatch.domain.facts import JobFacts
from sopwatch.domain.job import HumanRequest
from sopwatch.domain.transitions import reachable
from sopwatch.ingest.facts import facts_of
from sopwatch.ingest.pricing import Pricer
from sopwatch.ingest.records import HumanRequestRecord, RecordError, RunRecord
from sopwatch.ingest.rows import Row, RowBuilder, created_at, request_row, stored_status
from sopwatch.ingest.tally import Tally
from sopwatch.store import reimport as store
from sopwatch.store.audit import record_events
from sopwatch.store.base import utcnow
from sopwatch.store.bulk import insert_rows
from sopwatch.store.facts import side_effect_rows, side_effects
from sopwatch.store.jobs import human_requests, steps

#: ``jobs`` columns a re-import never changes.
_KEPT = frozenset({"team_id", "assignment_id", "external_id", "imported"})
#: Columns left out of an audit event's list of what changed (they change every time).
#: Columns whose change is not news: bookkeeping, and the facts derived from the steps
#: (the steps' change is reported as such).
_BOOKKEEPING = frozenset({"updated_at", "content_hash", *JobFacts().columns()})
#: Request columns a matched request takes from the new run.
_REQUEST_FIELDS = ("status", "answered_at", "response", "question", "expires_at")


@dataclass(frozen=True, slots=True)
class Change:
    """A run whose external id the assignment has, with content that differs."""

    record: RunRecord
    stored: store.StoredJob
    content_hash: str


@dataclass(slots=True)
class RequestMatch:
    """The new run's requests against the stored ones: ``pairs`` (stored request, index
    of the new one), ``added`` (indices of new ones) and ``removed`` (stored ones)."""

    pairs: list[tuple[HumanRequest, int]] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    removed: list[HumanRequest] = field(default_factory=list)


def match_requests(
    stored: Sequence[HumanRequest], new: Sequence[HumanRequestRecord]
) -> RequestMatch:
    """Pair requests by (step, gate, type): the n-th new one with a key takes the n-th
    stored one (in id order) with that key."""
    pool: dict[tuple[Any, ...], deque[HumanRequest]] = defaultdict(deque)
    for request in stored:
        pool[(request.step_seq, request.gate, request.type)].append(request)
    match = RequestMatch()
    for index, h in enumerate(new):
        waiting = pool.get((h.step_seq, h.gate, h.type))
        if waiting:
            match.pairs.append((waiting.popleft(), index))
        else:
            match.added.append(index)
    match.removed = [r for waiting in pool.values() for r in waiting]
    return match


@dataclass(slots=True)
class _Plan:
    """An accepted change: the record as it will be stored and its request match."""

    record: RunRecord
    job_id: int
    old_status: JobStatus
    content_hash: str
    requests: RequestMatch


def status_problem(rec: RunRecord, stored: JobStatus) -> str | None:
    """Why the stored job may not take ``rec``'s status (module rule), or None."""
    new = stored_status(rec)
    if new is stored or reachable("job", stored, new):
        return None
    why = ""
    if new is not rec.status:
        why = f" (the run says {rec.status.value!r} but a human request is still pending)"
    return (
        f"field 'status': the stored job is {stored.value!r} and a job cannot go from "
        f"{stored.value!r} to {new.value!r}{why}; the stored run was kept as it was"
    )


def _request_problem(rec: RunRecord, match: RequestMatch) -> str | None:
    """Why a matched request may not take its new status, or None."""
    for old, index in match.pairs:
        new = rec.human_requests[index].status
        if new is not old.status and not reachable("human_request", old.status, new):
            return (
                f"field 'human_requests[{index}].status': the stored request is "
                f"{old.status.value!r} and a request cannot go from {old.status.value!r} "
                f"to {new.value!r}; the stored run was kept as it was"
            )
    return None


def _accepted(conn: sa.Connection, changes: Sequence[Change], tally: Tally) -> list[_Plan]:
    """The changes the status rules allow; the others become errors in ``tally``."""
    allowed: list[Change] = []
    for change in changes:
        problem = status_problem(change.record, change.stored.status)
        if problem is None:
            allowed.append(change)
        else:
            tally.errors.append(_error(change.record, problem))
    stored_requests = store.requests_by_job(conn, [c.stored.id for c in allowed])
    plans = []
    for change in allowed:
        rec = change.record
        match = match_requests(stored_requests[change.stored.id], rec.human_requests)
        problem = _request_problem(rec, match)
        if problem is not None:
            tally.errors.append(_error(rec, problem))
            continue
        if rec.laid_out:
            rec = replace(rec, created_at=change.stored.created_at)
        plans.append(_Plan(rec, change.stored.id, change.stored.status, change.content_hash, match))
    return plans


def _error(rec: RunRecord, problem: str) -> RecordError:
    return RecordError(where=rec.where or f"run {rec.external_id}", problem=problem)


@dataclass(slots=True)
class _Writes:
    """Everything a batch of updates writes, gathered to be sent in bulk."""

    jobs: list[Row] = field(default_factory=list)
    steps: list[Row] = field(default_factory=list)
    request_updates: list[Row] = field(default_factory=list)
    request_deletes: list[int] = field(default_factory=list)
    request_inserts: list[Row] = field(default_factory=list)
    side_effects: list[Row] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def update_jobs(
    conn: sa.Connection,
    builder: RowBuilder,
    pricer: Pricer,
    assignment_id: int,
    changes: Sequence[Change],
    tally: Tally,
    actor: str,
) -> None:
    """Bring the stored jobs of ``changes`` up to date (module rules) inside ``conn``'s
    transaction; count into ``tally``; refused changes become errors there. Database
    errors propagate (the caller rolls back and retries in halves, down to one record)."""
    plans = _accepted(conn, changes, tally)
    if not plans:
        return
    ids = [p.job_id for p in plans]
    before = store.job_rows(conn, ids)
    counts = store.step_counts(conn, ids)
    now = utcnow()
    writes = _Writes()
    for plan in plans:
        costs = pricer.run_costs(plan.record)
        row = builder.job_row(conn, assignment_id, plan.record, plan.content_hash, costs)
        step_rows = builder.step_rows(plan.job_id, plan.record, costs)
        facts, effects = facts_of(row, step_rows)
        row.update(facts.columns())
        writes.side_effects.extend(side_effect_rows(assignment_id, plan.job_id, effects))
        values = {k: v for k, v in row.items() if k not in _KEPT}
        values["updated_at"] = now
        old = before[plan.job_id]
        changed = sorted(k for k, v in values.items() if k not in _BOOKKEEPING and old[k] != v)
        writes.jobs.append({"id": plan.job_id, **values})
        writes.steps.extend(step_rows)
        requests = _request_writes(plan, writes)
        writes.events.append(_event(plan, changed, (counts[plan.job_id], len(step_rows)), requests))
        tally.written(plan.record, costs, len(step_rows))
        tally.updated += 1
    _send(conn, ids, writes, builder.team_id, actor)


def _request_writes(plan: _Plan, writes: _Writes) -> dict[str, int]:
    """Add the plan's request updates, inserts and deletes to ``writes``; their counts."""
    rec = plan.record
    job_created = created_at(rec)
    updated = 0
    for old, index in plan.requests.pairs:
        new = request_row(plan.job_id, rec.human_requests[index], job_created)
        values = {k: new[k] for k in _REQUEST_FIELDS if new[k] != _stored_value(old, k)}
        if values:
            writes.request_updates.append({"id": old.id, **values})
            updated += 1
    for index in plan.requests.added:
        writes.request_inserts.append(
            request_row(plan.job_id, rec.human_requests[index], job_created)
        )
    writes.request_deletes.extend(r.id for r in plan.requests.removed)
    return {
        "updated": updated,
        "added": len(plan.requests.added),
        "removed": len(plan.requests.removed),
    }


def _stored_value(request: HumanRequest, column: str) -> Any:
    """A stored request's value in the form ``request_row`` writes it."""
    value = getattr(request, column)
    return value.value if column == "status" else value


def _event(
    plan: _Plan, changed: list[str], steps_count: tuple[int, int], requests: dict[str, int]
) -> dict[str, Any]:
    """The ``job.updated`` audit event of one plan."""
    new_status = stored_status(plan.record)
    details: dict[str, Any] = {
        "external_id": plan.record.external_id,
        "changed": changed,
        "steps": {"before": steps_count[0], "after": steps_count[1]},
        "requests": requests,
    }
    moved = new_status is not plan.old_status
    if moved:
        details["status"] = {"from": plan.old_status.value, "to": new_status.value}
    return {
        "entity_id": plan.job_id,
        "from_status": plan.old_status.value if moved else None,
        "to_status": new_status.value if moved else None,
        "details": details,
    }


def _send(conn: sa.Connection, ids: list[int], writes: _Writes, team_id: int, actor: str) -> None:
    """Write everything gathered, in bulk."""
    store.update_jobs(conn, writes.jobs)
    store.delete_steps(conn, ids)
    insert_rows(conn, steps, writes.steps)
    insert_rows(conn, side_effects, writes.side_effects)
    store.update_requests(conn, writes.request_updates)
    store.delete_requests(conn, writes.request_deletes)
    insert_rows(conn, human_requests, writes.request_inserts)
    record_events(
        conn,
        team_id=team_id,
        actor=actor,
        action="job.updated",
        entity="job",
        reason="sopwatch import: the run's content changed",
        events=writes.events,
    )

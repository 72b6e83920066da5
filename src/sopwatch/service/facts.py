"""Derive again the facts of stored jobs (``sopwatch db rebuild-facts``).

Facts are derived when a job is written (``domain/facts.py``). Jobs stored before facts
existed, or derived by rules of another ``FACTS_VERSION``, have none the check can trust:
the check then reads their steps, which is slow for a large window. This derives them
from the stored steps, 500 jobs per transaction, so it can be stopped and started again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sopwatch.domain.facts import (
    FACTS_VERSION,
    JobFacts,
    SideEffect,
    derive_facts,
    side_effects,
)
from sopwatch.service.assignments import require_assignment
from sopwatch.service.store import Store
from sopwatch.store.facts import jobs_without_facts, replace_facts
from sopwatch.store.jobs import jobs_by_id, steps_of

BATCH = 500


@dataclass(frozen=True, kw_only=True, slots=True)
class Rebuilt:
    """What a rebuild did: ``jobs`` whose facts were derived again (version
    ``version``)."""

    jobs: int
    version: int


def rebuild_facts(
    store: Store,
    *,
    assignment: str | None = None,
    everything: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> Rebuilt:
    """Derive the facts of the team's jobs that have none (or of another version), or of
    every job with ``everything``; only ``assignment``'s when named. ``on_progress(done)``
    is called after each batch. Raises ``UnknownName`` for an unknown assignment."""
    done = after = 0
    with store.engine.connect() as conn:
        only = require_assignment(conn, store.team_id, assignment).id if assignment else None
    while True:
        with store.engine.begin() as conn:
            batch = jobs_without_facts(
                conn,
                store.team_id,
                FACTS_VERSION,
                assignment_id=only,
                everything=everything,
                after_id=after,
                limit=BATCH,
            )
            if not batch:
                break
            ids = [job_id for job_id, _ in batch]
            found = jobs_by_id(conn, ids)
            stored = steps_of(conn, ids)
            by_assignment: dict[int, list[tuple[int, JobFacts, list[SideEffect]]]] = {}
            for job_id, assignment_id in batch:
                job, steps = found[job_id], stored[job_id]
                facts = (job_id, derive_facts(job, steps), side_effects(job, steps))
                by_assignment.setdefault(assignment_id, []).append(facts)
            for assignment_id, derived in by_assignment.items():
                replace_facts(conn, assignment_id, derived)
        done += len(batch)
        after = batch[-1][0]
        if on_progress is not None:
            on_progress(done)
    return Rebuilt(jobs=done, version=FACTS_VERSION)

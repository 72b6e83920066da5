"""The facts of a job being written (``domain/facts.py``), from the rows the writer is
about to store: derived from what is stored (payloads already cut at the payload limit),
so they equal what ``sopwatch db rebuild-facts`` derives from the stored steps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sopwatch.domain.enums import JobStatus, Source, StepKind, StepStatus
from sopwatch.domain.facts import JobFacts, SideEffect, derive_facts, side_effects
from sopwatch.domain.job import Job, Step

Row = dict[str, Any]

_KIND = {member.value: member for member in StepKind}
_STATUS = {member.value: member for member in StepStatus}


def facts_of(job_row: Row, step_rows: Sequence[Row]) -> tuple[JobFacts, list[SideEffect]]:
    """``(facts, side effects)`` of the job in ``job_row`` (a ``jobs`` row being written,
    with ``input``, ``input_bytes``, ``status``, ``failure_kind``, ``error``) and its
    ``step_rows`` (``steps`` rows, any order)."""
    job = Job(
        id=0,
        team_id=0,
        assignment_id=0,
        status=JobStatus(job_row["status"]),
        source=Source(job_row["source"]),
        created_at=job_row["created_at"],
        started_at=job_row.get("started_at"),
        input=job_row.get("input"),
        input_bytes=job_row.get("input_bytes"),
        failure_kind=job_row.get("failure_kind"),
        error=job_row.get("error"),
    )
    steps = [_step(row) for row in sorted(step_rows, key=lambda row: row["seq"])]
    return derive_facts(job, steps), side_effects(job, steps)


def _step(row: Row) -> Step:
    """A ``Step`` from a ``steps`` row being written (optional columns may be absent)."""
    get = row.get
    return Step(
        job_id=0,
        seq=row["seq"],
        kind=_KIND[row["kind"]],
        name=row["name"],
        status=_STATUS[row["status"]],
        connection=get("connection"),
        arguments=get("arguments"),
        result=get("result"),
        error=get("error"),
        started_at=get("started_at"),
        output_tokens=get("output_tokens"),
        model=get("model"),
        arguments_bytes=get("arguments_bytes"),
        result_bytes=get("result_bytes"),
        finish_reason=get("finish_reason"),
        max_tokens=get("max_tokens"),
    )

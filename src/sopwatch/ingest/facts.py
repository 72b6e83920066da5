"""The facts of a job being written (``domain/facts.py``), from the rows the writer is
about to store: derived from what is stored (payloads already cut at the payload limit),
so they equal what ``sopwatch db rebuild-facts`` derives from the stored steps.

Two ways, one result:

- ``facts_of`` (dict rows) builds the domain's ``Job`` and ``Step`` records and applies
  ``domain.facts`` itself: the reference, used by re-imports and by ``facts_of_values``
  for the jobs below.
- ``facts_of_values`` (value rows in ``rows.JOB_COLUMNS`` / ``rows.STEP_COLUMNS`` order,
  the import's hot path) reads the values in one pass without building records. It
  handles the common job whose answer needs no more than counting: not failed (so no
  error class, ending step nor fingerprint), steps in ``seq`` order, and no tool called
  twice with the same arguments (then no same-call loop and no polling, so the loop
  figures come from the tool names' longest alternation alone). Any other job goes to
  the reference. ``tests/ingest/test_facts_fast.py`` checks the two agree on generated
  and real runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sopwatch.domain.enums import JobStatus, Source, StepKind, StepStatus
from sopwatch.domain.facts import (
    CUT_REASONS,
    FACTS_VERSION,
    JobFacts,
    SideEffect,
    derive_facts,
    side_effects,
)
from sopwatch.domain.job import Job, Step
from sopwatch.domain.loops import longest_alternation
from sopwatch.domain.payload import short_digest
from sopwatch.domain.tools import reads_by_name
from sopwatch.ingest.rows import JOB_COLUMNS, STEP_COLUMNS

Row = dict[str, Any]

#: The ``jobs`` columns holding the facts, in the order ``facts_of_values`` gives them.
FACT_COLUMNS = tuple(JobFacts().columns())

_KIND = {member.value: member for member in StepKind}
_STATUS = {member.value: member for member in StepStatus}

_J_STATUS, _J_CREATED, _J_STARTED, _J_INPUT, _J_INPUT_BYTES = (
    JOB_COLUMNS.index(name)
    for name in ("status", "created_at", "started_at", "input", "input_bytes")
)
(
    _S_SEQ,
    _S_KIND,
    _S_NAME,
    _S_STATUS,
    _S_CONNECTION,
    _S_ARGUMENTS,
    _S_ARGUMENTS_BYTES,
    _S_STARTED,
    _S_OUTPUT_TOKENS,
    _S_FINISH,
    _S_MAX_TOKENS,
) = (
    STEP_COLUMNS.index(name)
    for name in (
        "seq",
        "kind",
        "name",
        "status",
        "connection",
        "arguments",
        "arguments_bytes",
        "started_at",
        "output_tokens",
        "finish_reason",
        "max_tokens",
    )
)


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


def reference_values(
    job: Sequence[Any], steps: Sequence[Sequence[Any]]
) -> tuple[tuple[Any, ...], list[SideEffect]]:
    """``facts_of`` for value rows (as ``facts_of_values`` takes them): the fact column
    values in ``FACT_COLUMNS`` order and the side effects."""
    facts, effects = facts_of(
        dict(zip(JOB_COLUMNS, job, strict=False)),
        [dict(zip(STEP_COLUMNS, step, strict=True)) for step in steps],
    )
    return tuple(facts.columns().values()), effects


@lru_cache(maxsize=4096)
def _reads(name: str) -> bool:
    """``tools.reads_by_name``, remembered per tool name (it is a pure function)."""
    return reads_by_name(name)


def _cut(reason: str | None, limit: int | None, written: int | None) -> bool:
    """``domain.facts.is_cut`` of a model step with these values."""
    if reason is not None and reason.strip().lower() in CUT_REASONS:
        return True
    return limit is not None and limit > 0 and written is not None and written >= limit


def facts_of_values(
    job: Sequence[Any], steps: Sequence[Sequence[Any]]
) -> tuple[tuple[Any, ...], list[SideEffect]]:
    """``(fact column values in FACT_COLUMNS order, side effects)`` of a job being
    written: ``job`` its values in ``JOB_COLUMNS`` order (at least), ``steps`` its steps'
    values in ``STEP_COLUMNS`` order, timestamps aware UTC. Equal to
    ``reference_values`` (module docstring)."""
    if job[_J_STATUS] == "failed":
        return reference_values(job, steps)
    tool_calls = model_calls = failed = cut = 0
    first_failed: int | None = None
    connections: set[str] = set()
    names: list[str] = []
    calls: set[tuple[str, str | None]] = set()
    effects: list[SideEffect] = []
    when = job[_J_STARTED] or job[_J_CREATED]
    last = None
    for step in steps:
        seq = step[_S_SEQ]
        if last is not None and seq <= last:
            return reference_values(job, steps)
        last = seq
        kind, status = step[_S_KIND], step[_S_STATUS]
        if kind == "tool":
            tool_calls += 1
            name, arguments = step[_S_NAME], step[_S_ARGUMENTS]
            call = (name, arguments)
            if call in calls:
                return reference_values(job, steps)
            calls.add(call)
            names.append(name)
            if (
                status == "ok"
                and arguments
                and step[_S_ARGUMENTS_BYTES] is None
                and not _reads(name)
            ):
                at = step[_S_STARTED] or when
                effects.append(SideEffect(seq, name, short_digest(arguments), at))
        elif kind == "model":
            model_calls += 1
            reason, limit = step[_S_FINISH], step[_S_MAX_TOKENS]
            if (reason is not None or limit is not None) and _cut(
                reason, limit, step[_S_OUTPUT_TOKENS]
            ):
                cut += 1
        if status == "error":
            failed += 1
            if first_failed is None:
                first_failed = seq
        connection = step[_S_CONNECTION]
        if connection:
            connections.add(connection)
    rounds = longest_alternation(names)[1] // 2 if len(names) >= 2 else 0
    text = job[_J_INPUT]
    digest = short_digest(text) if text and text.strip() and job[_J_INPUT_BYTES] is None else None
    values = (
        tool_calls,
        model_calls,
        failed,
        cut,
        0,  # loop_calls: no call repeats
        rounds if rounds >= 2 else 0,
        first_failed,
        None,  # ending_seq, ending_name, error_class, error_fingerprint: not failed
        None,
        None,
        None,
        "\n".join(sorted(connections)) or None,
        digest,
        FACTS_VERSION,
    )
    return values, effects

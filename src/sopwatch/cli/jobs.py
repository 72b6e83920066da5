"""``sopwatch jobs`` and ``sopwatch job``: the Jobs List and one job's steps."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from sopwatch.cli.common import console, fail, open_store, print_json
from sopwatch.domain.enums import JobStatus
from sopwatch.domain.errors import NotFound
from sopwatch.domain.job import Job, Step
from sopwatch.store.assignments import get_assignment
from sopwatch.store.jobs import find_jobs, list_jobs, requests_of, steps_of

NEEDS_ATTENTION = (JobStatus.FAILED.value, JobStatus.NEEDS_INPUT.value)


def jobs_command(
    assignment: Annotated[str, typer.Argument(help="The assignment whose jobs to list.")],
    needs_attention: Annotated[
        bool, typer.Option("--needs-attention", help="Only failed and needs-input jobs.")
    ] = False,
    status: Annotated[
        list[JobStatus] | None, typer.Option("--status", "-s", help="Only this status (repeat).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List an assignment's jobs, newest first (the Jobs List).

    Example: sopwatch jobs airline-support --needs-attention
    """
    statuses = [s.value for s in status or []]
    if needs_attention:
        statuses = (
            sorted(set(statuses) | set(NEEDS_ATTENTION)) if statuses else list(NEEDS_ATTENTION)
        )
    store = open_store()
    with store.engine.connect() as conn:
        found = get_assignment(conn, store.team_id, assignment)
        rows = list_jobs(conn, found.id, statuses, limit=limit)
    if as_json:
        print_json([_job_dict(j) for j in rows])
        return
    table = Table("job", "status", "created (UTC)", "rev", "source", "cost $", "failure / error")
    for job in rows:
        table.add_row(
            job.label,
            str(job.status),
            f"{job.created_at:%Y-%m-%d %H:%M:%S}",
            str(job.revision_number or ""),
            str(job.source),
            _usd(job.cost_micros),
            (job.failure_kind or job.error or "")[:60],
        )
    console.print(table)
    console.print(f"{len(rows)} jobs" + (f" (limit {limit})" if len(rows) == limit else ""))


def job_command(
    job_id: Annotated[str, typer.Argument(help="External id, job-<id> or numeric id.")],
    assignment: Annotated[
        str | None, typer.Option("--assignment", "-a", help="When the id is ambiguous.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one job and its steps.

    Example: sopwatch job fcbc7985-… --assignment airline-support
    """
    store = open_store()
    with store.engine.connect() as conn:
        assignment_id = get_assignment(conn, store.team_id, assignment).id if assignment else None
        found = find_jobs(conn, store.team_id, job_id, assignment_id)
        if not found:
            raise NotFound("job", job_id)
        if len(found) > 1:
            fail(f"job {job_id!r} names {len(found)} jobs; give --assignment")
        job = found[0]
        steps = steps_of(conn, [job.id])[job.id]
        requests = requests_of(conn, [job.id])
    if as_json:
        data = _job_dict(job) | {"input": job.input, "output": job.output}
        data["steps"] = [_step_dict(s) for s in steps]
        data["human_requests"] = [
            {
                "gate": r.gate,
                "type": str(r.type),
                "status": str(r.status),
                "step": r.step_seq,
                "question": r.question,
                "created_at": r.created_at,
            }
            for r in requests
        ]
        print_json(data)
        return
    _print_job(job, steps)
    for r in requests:
        console.print(
            f"human request at step {r.step_seq}: {r.status} {r.type} — {r.question or ''}"[:200]
        )


def _print_job(job: Job, steps: tuple[Step, ...]) -> None:
    console.print(
        f"[bold]{job.label}[/]  {job.status}  created {job.created_at:%Y-%m-%d %H:%M:%S} UTC  "
        f"cost ${_usd(job.cost_micros) or '?'}  verdict {job.verdict or '-'}"
    )
    if job.failure_kind or job.error:
        console.print(f"failure: {job.failure_kind or ''} {job.error or ''}", highlight=False)
    for name, text in (("input", job.input), ("output", job.output)):
        if text:
            console.print(f"{name}: {_one_line(text, 300)}", highlight=False, markup=False)
    table = Table("seq", "kind", "name", "status", "ms", "arguments / error")
    for s in steps:
        detail = s.error if s.error else (s.arguments or "")
        table.add_row(
            str(s.seq),
            str(s.kind),
            s.name,
            str(s.status),
            "" if s.duration_ms is None else str(s.duration_ms),
            (detail or "")[:80],
        )
    console.print(table)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _usd(micros: int | None) -> str:
    return "" if micros is None else f"{micros / 1_000_000:.4f}"


def _job_dict(job: Job) -> dict[str, Any]:
    return {
        "job_id": job.label,
        "id": job.id,
        "status": str(job.status),
        "source": str(job.source),
        "revision": job.revision_number,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "duration_ms": job.duration_ms,
        "cost_usd": None if job.cost_micros is None else job.cost_micros / 1_000_000,
        "verdict": None if job.verdict is None else str(job.verdict),
        "failure_kind": job.failure_kind,
        "error": job.error,
        "input_type": job.input_type,
    }


def _step_dict(s: Step) -> dict[str, Any]:
    return {
        "seq": s.seq,
        "kind": str(s.kind),
        "name": s.name,
        "status": str(s.status),
        "connection": s.connection,
        "arguments": s.arguments,
        "result": s.result,
        "error": s.error,
        "started_at": s.started_at,
        "duration_ms": s.duration_ms,
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
        "cost_usd": None if s.cost_micros is None else s.cost_micros / 1_000_000,
        "model": s.model,
    }

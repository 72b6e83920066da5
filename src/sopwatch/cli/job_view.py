"""One job for people (text) and machines (JSON): payloads, steps, human requests.

Payloads (job input/output, step arguments/results) that hold a JSON object or array are
pretty-printed (``domain.payload.pretty``); errors given as JSON objects read
``code: message`` (``domain.payload.error_line``). Text cut at the payload limit ends with
``… (cut: 16,384 of 52,100 bytes kept)``: the bytes stored and the recorded full size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sopwatch.cli.text import number, plural, usd, usd_value, when
from sopwatch.domain.payload import error_line, pretty

if TYPE_CHECKING:
    from sopwatch.domain.job import Job, Step
    from sopwatch.service.jobs import JobDetail

INDENT = "    "


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (blanks folded), cut to ``limit`` characters with ``…``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def cut_note(text: str, full_bytes: int | None) -> str | None:
    """``… (cut: 16,384 of 52,100 bytes kept)`` for a payload cut at the payload limit
    (``full_bytes`` is its recorded full UTF-8 size), else None."""
    if full_bytes is None:
        return None
    kept = len(text.encode("utf-8", errors="replace"))
    return f"… (cut: {kept:,} of {full_bytes:,} bytes kept)"


def payload_lines(label: str, text: str | None, full_bytes: int | None, indent: str) -> list[str]:
    """``label:`` then the payload, pretty when it is JSON, indented; [] for no payload."""
    if text is None:
        return []
    shown = pretty(text) or ""
    lines = [f"{indent}{label}:"]
    lines += [indent + INDENT + line for line in shown.splitlines() or [""]]
    note = cut_note(text, full_bytes)
    if note is not None:
        lines.append(indent + INDENT + note)
    return lines


def job_lines(detail: JobDetail) -> list[str]:
    """The whole job as text lines: header, payloads, steps, human requests."""
    job = detail.job
    lines = [
        f"job {job.label}  (assignment {detail.assignment}, revision "
        f"{'-' if job.revision_number is None else number(job.revision_number)}, id {job.id})",
        f"status    {job.status}   verdict {job.verdict or '-'}   source {job.source}",
        f"time      created {when(job.created_at)}  started {when(job.started_at)}  "
        f"finished {when(job.finished_at)} UTC  duration {_ms(job.duration_ms)}",
        f"cost      {_cost(job.cost_micros, job.cost_estimated)}   tokens "
        f"{_tokens(job.input_tokens)} in, {_tokens(job.output_tokens)} out",
    ]
    if job.failure_kind:
        lines.append(f"failure   {job.failure_kind}")
    if job.error:
        lines.append(f"error     {error_line(job.error)}")
    if job.input_type:
        lines.append(f"input type {job.input_type}")
    lines += payload_lines("input", job.input, job.input_bytes, "")
    lines += payload_lines("output", job.output, job.output_bytes, "")
    lines.append(f"steps: {len(detail.steps):,}")
    for step in detail.steps:
        lines += step_lines(step)
    if detail.requests:
        lines.append(f"{plural(len(detail.requests), 'human request')}:")
    for r in detail.requests:
        where = "" if r.step_seq is None else f"step {r.step_seq:,}  "
        gate = f"  gate {r.gate}" if r.gate else ""
        lines.append(
            f"  {where}{r.status} {r.type}{gate}  raised {when(r.created_at)} UTC"
            + (f"  answered {when(r.answered_at)} UTC" if r.answered_at else "")
        )
        lines += payload_lines("question", r.question, None, "    ")
        lines += payload_lines("response", r.response, None, "    ")
    return lines


def step_lines(s: Step) -> list[str]:
    """``#3 tool crm_lookup  error  120 ms …`` then its error, arguments and result."""
    head = [f"  #{s.seq:,} {s.kind} {s.name}", str(s.status)]
    if s.connection:
        head.append(f"via {s.connection}")
    if s.duration_ms is not None:
        head.append(_ms(s.duration_ms))
    if s.model and s.model != s.name:
        head.append(f"model {s.model}")
    if s.input_tokens is not None or s.output_tokens is not None:
        head.append(_step_tokens(s))
    if s.finish_reason:
        head.append(f"finish {s.finish_reason}")
    if s.cost_micros is not None:
        head.append(_cost(s.cost_micros, s.cost_estimated))
    lines = ["  ".join(head)]
    if s.error:
        lines.append(f"      error: {error_line(s.error)}")
    lines += payload_lines("arguments", s.arguments, s.arguments_bytes, "      ")
    lines += payload_lines("result", s.result, s.result_bytes, "      ")
    return lines


def _step_tokens(s: Step) -> str:
    """``tokens 900 in (100 cached), 120 out of 4,096``."""
    cache = [
        f"{number(n)} {what}"
        for n, what in ((s.cache_read_tokens, "cache read"), (s.cache_write_tokens, "cache write"))
        if n
    ]
    text = f"tokens {_tokens(s.input_tokens)} in"
    if cache:
        text += f" ({', '.join(cache)})"
    text += f", {_tokens(s.output_tokens)} out"
    if s.max_tokens is not None:
        text += f" of max {number(s.max_tokens)}"
    return text


def _tokens(n: int | None) -> str:
    return "?" if n is None else number(n)


def _ms(ms: int | None) -> str:
    return "-" if ms is None else f"{ms:,} ms"


def _cost(micros: int | None, estimated: bool) -> str:
    return usd(micros) + (" (estimated)" if estimated and micros is not None else "")


def job_dict(job: Job, assignment: str, detail: JobDetail | None = None) -> dict[str, Any]:
    """The JSON of a job; with ``detail``, also its payloads (and their full ``*_bytes``
    sizes when cut), steps and human requests."""
    data: dict[str, Any] = {
        "job_id": job.label,
        "id": job.id,
        "assignment": assignment,
        "status": str(job.status),
        "source": str(job.source),
        "revision": job.revision_number,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "duration_ms": job.duration_ms,
        "cost_usd": usd_value(job.cost_micros),
        "cost_estimated": job.cost_estimated,
        "input_tokens": job.input_tokens,
        "output_tokens": job.output_tokens,
        "verdict": None if job.verdict is None else str(job.verdict),
        "failure_kind": job.failure_kind,
        "error": job.error,
        "input_type": job.input_type,
    }
    if detail is None:
        return data
    data |= {
        "input": job.input,
        "input_bytes": job.input_bytes,
        "output": job.output,
        "output_bytes": job.output_bytes,
        "steps": [step_dict(s) for s in detail.steps],
        "human_requests": [
            {
                "gate": r.gate,
                "type": str(r.type),
                "status": str(r.status),
                "step": r.step_seq,
                "question": r.question,
                "response": r.response,
                "created_at": r.created_at,
                "answered_at": r.answered_at,
            }
            for r in detail.requests
        ],
    }
    return data


def step_dict(s: Step) -> dict[str, Any]:
    """The JSON of a step, with ``*_bytes`` (full sizes of cut payloads, else null)."""
    return {
        "seq": s.seq,
        "kind": str(s.kind),
        "name": s.name,
        "status": str(s.status),
        "connection": s.connection,
        "arguments": s.arguments,
        "arguments_bytes": s.arguments_bytes,
        "result": s.result,
        "result_bytes": s.result_bytes,
        "error": s.error,
        "started_at": s.started_at,
        "duration_ms": s.duration_ms,
        "model": s.model,
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
        "cache_read_tokens": s.cache_read_tokens,
        "cache_write_tokens": s.cache_write_tokens,
        "max_tokens": s.max_tokens,
        "finish_reason": s.finish_reason,
        "cost_usd": usd_value(s.cost_micros),
        "cost_estimated": s.cost_estimated,
    }

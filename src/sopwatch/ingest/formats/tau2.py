"""tau2-bench results files: ``{"info", "tasks", "simulations": [...]}``, one run per simulation.

Mapping (see ``parse``): each assistant message is a ``model`` step followed by one ``tool``
step per tool call; the ``role: tool`` message with the same ``id`` right after it is the
result (``error: true`` makes the step an error). ``termination_reason`` decides the status;
a ``transfer_to_human_agents`` call makes a clean run ``needs_input``; the reward is the verdict.

Variants seen in the wild import too (what a record lacks is inferred or left unknown, and
said once per file with a ``FileNote``): a bare JSON array of simulations (no ``info``:
model and domain unknown); values written as text (``tau2_text``); simulations with only
``id``, ``messages`` and ``reward_info`` (status inferred from the messages, times from the
message timestamps, else laid out by the importer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sopwatch.domain.enums import FailureKind, JobStatus, Verdict
from sopwatch.ingest.files import Input, as_input
from sopwatch.ingest.formats._common import (
    HANDOFF_TOOL,
    SHAPE_ERRORS,
    FieldError,
    enum_name,
    first_text,
    handoff_request,
    integer,
    last_text,
    parse_time,
    problem_text,
    seconds_ms,
    show,
    span_ms,
    usd,
    verdict_of,
)
from sopwatch.ingest.formats._documents import Documents, parse_documents
from sopwatch.ingest.formats.tau2_steps import Context, steps_of
from sopwatch.ingest.formats.tau2_text import literal, number_text, plain, plain_fields
from sopwatch.ingest.records import FileNote, HumanRequestRecord, ParsedItem, RecordError, RunRecord

_CLEAN_END = frozenset({"user_stop", "agent_stop"})
_FAILURES = {
    "max_steps": FailureKind.MAX_STEPS,
    "too_many_errors": FailureKind.TOO_MANY_ERRORS,
    "infrastructure_error": FailureKind.INFRASTRUCTURE_ERROR,
}
# What a simulation may lack, counted per file for its notes.
_NO_REASON = "termination_reason"
_TIMES_FROM_MESSAGES = "times from messages"
_NO_TIMES = "no times"


def parse(source: Path | Input, documents: Documents | None = None) -> Iterator[ParsedItem]:
    """Read a tau2-bench results file into one ``RunRecord`` per simulation, in file order.

    Times are UTC (naive tau2 timestamps are taken as UTC); ``duration`` seconds become
    ``duration_ms``; ``agent_cost`` USD becomes ``cost_micros`` (micro-dollars), else the sum
    of the assistant messages' ``cost`` when every one has it, else None. Without
    ``termination_reason`` the status is inferred from the messages (a
    ``transfer_to_human_agents`` call: needs_input; else completed); without
    ``start_time``/``end_time`` they are the first and last message timestamps, else None
    (the importer lays the run out). Never raises: an unreadable or invalid-JSON file
    yields one ``RecordError(where=<file>)``, an empty one a ``FileNote``; a bad simulation
    yields ``RecordError(where="<file>: simulation <index> (id <id>)")`` with the 0-based
    index, and the other simulations still come out. What the file's simulations lack is
    said once at the end, as ``FileNote``s. A file of several JSON documents one after
    another reads each (``<file>: document 2: simulation 0 (id …)``; see ``_documents``).
    """
    return parse_documents(as_input(source), parse_document, documents)


def parse_document(
    doc: Any, source: Path | Input, where: str | None = None
) -> Iterator[ParsedItem]:
    """``parse`` over one JSON document of the file, already read (format detection reads
    a document once and hands it over rather than reading the file a second time); its
    items are located at ``where`` (default: the file's name; ``<file>: document N`` for
    one of several documents in the file)."""
    source = as_input(source)
    name = source.name if where is None else where
    bare = isinstance(doc, list)
    if bare:
        simulations, info = doc, None
    elif isinstance(doc, dict) and isinstance(doc.get("simulations"), list):
        simulations, info = doc["simulations"], doc.get("info")
    else:
        problem = "field 'simulations': missing or not a list (not a tau2-bench results file)"
        yield RecordError(where=name, problem=problem, records=0)
        return
    try:
        context = _info(plain(info))
    except SHAPE_ERRORS as exc:
        yield RecordError(where=name, problem=problem_text(exc), records=0)
        return
    lacking: Counter[str] = Counter()
    for index, simulation in enumerate(simulations):
        where = f"{name}: simulation {index}"
        sim_id = simulation.get("id") if isinstance(simulation, dict) else None
        if isinstance(sim_id, str | int) and not isinstance(sim_id, bool) and sim_id != "":
            where += f" (id {str(sim_id)[:100]})"
        result: RunRecord | RecordError
        try:
            result, lacks = _run(simulation, context, where)
            lacking.update(lacks)
        except SHAPE_ERRORS as exc:
            result = RecordError(where=where, problem=problem_text(exc))
        yield result
    yield from _notes(name, bare, len(simulations), lacking)


def _notes(name: str, bare: bool, total: int, lacking: Counter[str]) -> Iterator[FileNote]:
    """What the file's simulations lacked and what was inferred instead, once per file."""
    if not total:
        yield FileNote(where=name, note="no simulations: nothing to import")
    if bare:
        yield FileNote(
            where=name,
            note="a JSON array of simulations without tau2's 'info' block: the agent's "
            "model and the domain are unknown",
        )

    def some(what: str) -> str:  # "1 of 14 simulations has", "3 of 14 … have"
        count = lacking[what]
        simulations = "1 simulation" if total == 1 else f"{total:,} simulations"
        return f"{count:,} of {simulations} {'has' if count == 1 else 'have'}"

    if lacking[_NO_REASON]:
        yield FileNote(
            where=name,
            note=f"{some(_NO_REASON)} no termination_reason: status inferred "
            f"from the messages ({HANDOFF_TOOL} called: needs_input; else completed)",
        )
    if lacking[_TIMES_FROM_MESSAGES]:
        yield FileNote(
            where=name,
            note=f"{some(_TIMES_FROM_MESSAGES)} no start_time/end_time: taken "
            "from their first and last message timestamps",
        )
    if lacking[_NO_TIMES]:
        yield FileNote(
            where=name,
            note=f"{some(_NO_TIMES)} no times at all: laid out evenly over "
            "--spread ending at --end",
        )


def _info(info: object) -> Context:
    """The file's ``info`` block: agent model, domain name, and the agent's ``max_tokens``
    (``agent_info.llm_args.max_tokens`` or ``max_completion_tokens``); None where absent."""
    if info is None:
        return Context()
    if not isinstance(info, dict):
        raise FieldError("info", f"must be an object; got {show(info)}")
    agent = plain(info.get("agent_info"))
    env = plain(info.get("environment_info"))
    model = agent.get("llm") if isinstance(agent, dict) else None
    domain = env.get("domain_name") if isinstance(env, dict) else None
    args = agent.get("llm_args") if isinstance(agent, dict) else None
    max_tokens = None
    if isinstance(args, dict):
        for key in ("max_tokens", "max_completion_tokens"):
            field = f"info.agent_info.llm_args.{key}"
            max_tokens = max_tokens or integer(number_text(args.get(key), field), field)
    return Context(
        model=model if isinstance(model, str) else None,
        domain=domain if isinstance(domain, str) else None,
        max_tokens=max_tokens,
    )


def _run(sim: object, context: Context, where: str) -> tuple[RunRecord, list[str]]:
    """One simulation as a ``RunRecord`` located at ``where``, and what it lacked (for the
    file's notes); raises ``FieldError`` on a bad field."""
    sim, sim_id, messages = _required(sim)
    steps, handoff, message_cost = steps_of(messages, context)
    lacks: list[str] = []
    reason = sim.get("termination_reason")
    if reason is None:
        lacks.append(_NO_REASON)
        status, failure_kind, error = JobStatus.COMPLETED, None, None
    else:
        status, failure_kind, error = _termination(reason)
    requests: tuple[HumanRequestRecord, ...] = ()
    if handoff is not None:
        requests = (handoff_request(handoff[0], handoff[1], failed=status is JobStatus.FAILED),)
        if status is JobStatus.COMPLETED:
            status = JobStatus.NEEDS_INPUT
    start, end, duration_ms, times = _times(sim, messages)
    lacks.extend(times)
    agent_cost = usd(number_text(sim.get("agent_cost"), "agent_cost"), "agent_cost")
    record = RunRecord(
        external_id=sim_id,
        status=status,
        where=where,
        created_at=start,
        started_at=start,
        finished_at=end,
        duration_ms=duration_ms,
        input=first_text(messages, "user"),
        input_type=context.domain,
        output=last_text(messages, "assistant"),
        verdict=_verdict(sim.get("reward_info")),
        failure_kind=failure_kind,
        error=error,
        cost_micros=agent_cost if agent_cost is not None else message_cost,
        model=context.model,
        steps=steps,
        human_requests=requests,
    )
    return record, lacks


def _required(sim: object) -> tuple[dict[str, Any], str, list[Any]]:
    """``(simulation with "None" read as null in its fields and its messages', id as
    text, messages)``; raises ``FieldError`` if one is missing or wrong."""
    if not isinstance(sim, dict):
        raise FieldError("", f"a simulation must be an object; got {show(sim)}")
    sim = plain_fields(sim)
    sim_id = sim.get("id")
    if isinstance(sim_id, float) and sim_id.is_integer():
        sim_id = int(sim_id)
    if not isinstance(sim_id, str | int) or isinstance(sim_id, bool) or not str(sim_id).strip():
        raise FieldError("id", f"must be a non-blank string; got {show(sim_id)}")
    messages = sim.get("messages")
    if not isinstance(messages, list):
        problem = "missing" if messages is None else f"must be a list; got {show(messages)}"
        raise FieldError("messages", problem)
    messages = [plain_fields(m) if isinstance(m, dict) else m for m in messages]
    return sim, str(sim_id), messages


def _verdict(reward_info: object) -> Verdict | None:
    """The verdict from ``reward_info.reward`` (an object, or JSON/Python-dict text)."""
    info = literal(reward_info, "reward_info")
    if info is None:
        return None
    if not isinstance(info, dict):
        raise FieldError("reward_info", f"must be an object; got {show(info)}")
    reward = number_text(info.get("reward"), "reward_info.reward")
    return verdict_of(reward, "reward_info.reward")


def _times(
    sim: dict[str, Any], messages: list[Any]
) -> tuple[datetime | None, datetime | None, int | None, list[str]]:
    """``(start, end, duration_ms, lacks)``: ``start_time``/``end_time``, else the first
    and last message timestamps; ``duration`` seconds, else end − start; None if unknown.
    ``lacks`` names what was inferred or missing (for the file's notes)."""
    start = parse_time(sim.get("start_time"), "start_time")
    end = parse_time(sim.get("end_time"), "end_time")
    duration = number_text(sim.get("duration"), "duration")
    duration_ms = seconds_ms(duration, "duration")
    lacks: list[str] = []
    if start is None and end is None:
        stamps = [
            parse_time(m.get("timestamp"), f"messages[{i}].timestamp")
            for i, m in enumerate(messages)
            if isinstance(m, dict) and m.get("timestamp") is not None
        ]
        known = [stamp for stamp in stamps if stamp is not None]
        if known:
            start, end = min(known), max(known)
            lacks.append(_TIMES_FROM_MESSAGES)
        else:
            lacks.append(_NO_TIMES)
    return start, end, duration_ms if duration_ms is not None else span_ms(start, end), lacks


def _termination(reason: object) -> tuple[JobStatus, str | None, str | None]:
    """``(status, failure_kind, error)`` for a ``termination_reason``.

    ``user_stop``/``agent_stop`` end cleanly (completed); the known failures map to their
    ``FailureKind``; any other reason fails with that reason as kind and in the error. The
    reason is read in any case and without an enum class prefix (``AGENT_STOP``,
    ``TerminationReason.USER_STOP``: ``enum_name``), and a kind is its lowercase name.
    """
    name = enum_name(reason)
    if not name:
        raise FieldError("termination_reason", f"must be a non-empty string; got {show(reason)}")
    if name in _CLEAN_END:
        return JobStatus.COMPLETED, None, None
    kind = _FAILURES.get(name)
    if kind is not None:
        return JobStatus.FAILED, kind.value, None
    return JobStatus.FAILED, name, f"termination_reason={name}"

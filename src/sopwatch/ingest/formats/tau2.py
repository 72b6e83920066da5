"""tau2-bench results files: ``{"info", "tasks", "simulations": [...]}``, one run per simulation.

Mapping (see ``parse``): each assistant message is a ``model`` step followed by one ``tool``
step per tool call; the ``role: tool`` message with the same ``id`` right after it is the
result (``error: true`` makes the step an error). ``termination_reason`` decides the status;
a ``transfer_to_human_agents`` call makes a clean run ``needs_input``; the reward is the verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sopwatch.domain.enums import FailureKind, JobStatus, StepKind, StepStatus
from sopwatch.ingest.formats._common import (
    HANDOFF_TOOL,
    SHAPE_ERRORS,
    FieldError,
    first_text,
    handoff_request,
    integer,
    last_text,
    load_json,
    parse_arguments,
    parse_time,
    problem_text,
    seconds_ms,
    show,
    span_ms,
    text_of,
    tool_messages,
    usd,
    verdict_of,
)
from sopwatch.ingest.records import HumanRequestRecord, RecordError, RunRecord, StepRecord

_CLEAN_END = frozenset({"user_stop", "agent_stop"})
_FAILURES = {
    "max_steps": FailureKind.MAX_STEPS,
    "too_many_errors": FailureKind.TOO_MANY_ERRORS,
    "infrastructure_error": FailureKind.INFRASTRUCTURE_ERROR,
}

# (the first hand-off tool step, its parsed arguments), or None
_Handoff = tuple[StepRecord, object] | None


def parse(path: Path) -> Iterator[RunRecord | RecordError]:
    """Read a tau2-bench results file into one ``RunRecord`` per simulation, in file order.

    Times are UTC (naive tau2 timestamps are taken as UTC); ``duration`` seconds become
    ``duration_ms``; ``agent_cost`` USD becomes ``cost_micros`` (micro-dollars), else the sum
    of the assistant messages' ``cost`` when every one has it, else None. Never raises: an
    unreadable or invalid-JSON file yields one ``RecordError(where=str(path))``; a bad
    simulation yields ``RecordError(where="<path>: simulation <index> (id <id>)")`` with the
    0-based index, and the other simulations still come out.
    """
    doc, error = load_json(path)
    if error is not None:
        yield error
        return
    yield from parse_document(doc, path)


def parse_document(doc: Any, path: Path) -> Iterator[RunRecord | RecordError]:
    """``parse`` over the file's JSON document, already read (format detection reads a
    document once and hands it over rather than reading the file a second time)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("simulations"), list):
        problem = "field 'simulations': missing or not a list (not a tau2-bench results file)"
        yield RecordError(where=str(path), problem=problem)
        return
    try:
        model, domain = _info(doc.get("info"))
    except SHAPE_ERRORS as exc:
        yield RecordError(where=str(path), problem=problem_text(exc))
        return
    for index, simulation in enumerate(doc["simulations"]):
        sim_id = simulation.get("id") if isinstance(simulation, dict) else None
        where = f"{path}: simulation {index}"
        if isinstance(sim_id, str | int) and not isinstance(sim_id, bool) and sim_id != "":
            where += f" (id {str(sim_id)[:100]})"
        result: RunRecord | RecordError
        try:
            result = _run(simulation, model, domain, where)
        except SHAPE_ERRORS as exc:
            result = RecordError(where=where, problem=problem_text(exc))
        yield result


def _info(info: object) -> tuple[str | None, str | None]:
    """``(agent model, domain name)`` from the file's ``info`` block; None where absent."""
    if info is None:
        return None, None
    if not isinstance(info, dict):
        raise FieldError("info", f"must be an object; got {show(info)}")
    agent = info.get("agent_info")
    env = info.get("environment_info")
    model = agent.get("llm") if isinstance(agent, dict) else None
    domain = env.get("domain_name") if isinstance(env, dict) else None
    return (
        model if isinstance(model, str) else None,
        domain if isinstance(domain, str) else None,
    )


def _run(sim: object, model: str | None, domain: str | None, where: str = "") -> RunRecord:
    """One simulation as a ``RunRecord`` located at ``where``; raises ``FieldError`` on a
    bad field."""
    sim, sim_id, messages = _required(sim)
    steps, handoff, message_cost = _steps(messages, model)
    status, failure_kind, error = _termination(sim.get("termination_reason"))
    requests: tuple[HumanRequestRecord, ...] = ()
    if handoff is not None:
        requests = (handoff_request(handoff[0], handoff[1], failed=status is JobStatus.FAILED),)
        if status is JobStatus.COMPLETED:
            status = JobStatus.NEEDS_INPUT
    start, end, duration_ms = _times(sim)
    agent_cost = usd(sim.get("agent_cost"), "agent_cost")
    reward_info = sim.get("reward_info")
    reward = reward_info.get("reward") if isinstance(reward_info, dict) else None
    return RunRecord(
        external_id=sim_id,
        status=status,
        where=where,
        created_at=start,
        started_at=start,
        finished_at=end,
        duration_ms=duration_ms,
        input=first_text(messages, "user"),
        input_type=domain,
        output=last_text(messages, "assistant"),
        verdict=verdict_of(reward, "reward_info.reward"),
        failure_kind=failure_kind,
        error=error,
        cost_micros=agent_cost if agent_cost is not None else message_cost,
        model=model,
        steps=steps,
        human_requests=requests,
    )


def _required(sim: object) -> tuple[dict[str, Any], str, list[Any]]:
    """``(simulation, id as text, messages)``; raises ``FieldError`` if one is missing/wrong."""
    if not isinstance(sim, dict):
        raise FieldError("", f"a simulation must be an object; got {show(sim)}")
    sim_id = sim.get("id")
    if not isinstance(sim_id, str | int) or isinstance(sim_id, bool) or not str(sim_id).strip():
        raise FieldError("id", f"must be a non-blank string; got {show(sim_id)}")
    messages = sim.get("messages")
    if not isinstance(messages, list):
        problem = "missing" if messages is None else f"must be a list; got {show(messages)}"
        raise FieldError("messages", problem)
    return sim, str(sim_id), messages


def _times(sim: dict[str, Any]) -> tuple[datetime | None, datetime | None, int | None]:
    """``(start, end, duration_ms)``: ``duration`` seconds, else end − start; None if unknown."""
    start = parse_time(sim.get("start_time"), "start_time")
    end = parse_time(sim.get("end_time"), "end_time")
    duration_ms = seconds_ms(sim.get("duration"), "duration")
    return start, end, duration_ms if duration_ms is not None else span_ms(start, end)


def _termination(reason: object) -> tuple[JobStatus, str | None, str | None]:
    """``(status, failure_kind, error)`` for a ``termination_reason``.

    ``user_stop``/``agent_stop`` end cleanly (completed); the known failures map to their
    ``FailureKind``; any other reason fails with that reason as kind and in the error.
    """
    if not isinstance(reason, str) or not reason:
        raise FieldError("termination_reason", f"must be a non-empty string; got {show(reason)}")
    if reason in _CLEAN_END:
        return JobStatus.COMPLETED, None, None
    kind = _FAILURES.get(reason)
    if kind is not None:
        return JobStatus.FAILED, kind.value, None
    return JobStatus.FAILED, reason, f"termination_reason={reason}"


def _steps(
    messages: list[Any], model: str | None
) -> tuple[tuple[StepRecord, ...], _Handoff, int | None]:
    """Steps of a run, its first hand-off, and the summed message cost (micro-dollars).

    The summed cost is None unless every assistant message reports a ``cost``.
    """
    steps: list[StepRecord] = []
    handoff: _Handoff = None
    costs: list[int] = []
    cost_known = True
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise FieldError(f"messages[{index}]", f"must be an object; got {show(message)}")
        if message.get("role") != "assistant":
            continue
        step = _model_step(message, f"messages[{index}]", len(steps) + 1, model)
        steps.append(step)
        if step.cost_micros is None:
            cost_known = False
        else:
            costs.append(step.cost_micros)
        results = tool_messages(messages, index, "id")
        for tool_step, arguments in _tool_steps(message, index, results, len(steps) + 1):
            steps.append(tool_step)
            if handoff is None and tool_step.name == HANDOFF_TOOL:
                handoff = (tool_step, arguments)
    total = sum(costs) if cost_known and costs else None
    return tuple(steps), handoff, total


def _model_step(message: dict[str, Any], where: str, seq: int, model: str | None) -> StepRecord:
    """The ``model`` step for one assistant message (tokens, cost, timestamp where present)."""
    usage = message.get("usage")
    if usage is not None and not isinstance(usage, dict):
        raise FieldError(f"{where}.usage", f"must be an object; got {show(usage)}")
    usage = usage or {}
    return StepRecord(
        seq=seq,
        kind=StepKind.MODEL,
        name=model or "model",
        started_at=parse_time(message.get("timestamp"), f"{where}.timestamp"),
        input_tokens=integer(usage.get("prompt_tokens"), f"{where}.usage.prompt_tokens"),
        output_tokens=integer(usage.get("completion_tokens"), f"{where}.usage.completion_tokens"),
        cost_micros=usd(message.get("cost"), f"{where}.cost"),
        model=model,
    )


def _tool_steps(
    message: dict[str, Any], index: int, results: dict[object, dict[str, Any]], seq: int
) -> Iterator[tuple[StepRecord, object]]:
    """``(tool step, parsed arguments)`` for each entry of the message's ``tool_calls``."""
    calls = message.get("tool_calls") or []
    if not isinstance(calls, list):
        raise FieldError(f"messages[{index}].tool_calls", f"must be a list; got {show(calls)}")
    started = parse_time(message.get("timestamp"), f"messages[{index}].timestamp")
    for offset, call in enumerate(calls):
        where = f"messages[{index}].tool_calls[{offset}]"
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise FieldError(f"{where}.name", "missing or not a string")
        arguments, arguments_text = parse_arguments(call.get("arguments"))
        result = results.get(call.get("id"))
        finished: datetime | None = None
        failed = False
        if result is not None:
            finished = parse_time(result.get("timestamp"), f"{where} result timestamp")
            failed = result.get("error") is True
        content = text_of(result.get("content")) if result is not None else None
        step = StepRecord(
            seq=seq + offset,
            kind=StepKind.TOOL,
            name=call["name"],
            status=StepStatus.ERROR if failed else StepStatus.OK,
            arguments=arguments_text,
            result=content,
            error=content if failed else None,
            started_at=started,
            duration_ms=span_ms(started, finished),
        )
        yield step, arguments

"""The steps of one tau2-bench simulation: a ``model`` step per assistant message (tokens,
cost, finish reason, cache counts), a ``tool`` step per tool call.

Model-call details, first found wins:

- ``finish_reason``: the message's ``finish_reason``; ``raw_data.finish_reason`` (an
  OpenAI choice); ``raw_data.choices[0].finish_reason`` (a whole completion);
  ``raw_data.stop_reason`` (Anthropic: ``end_turn``, ``tool_use``...). Only strings.
- ``cache_read_tokens``: ``usage.prompt_tokens_details.cached_tokens`` (OpenAI) or
  ``usage.cache_read_input_tokens``; ``cache_write_tokens``:
  ``usage.cache_creation_input_tokens``. In ``usage`` (LiteLLM's) these are parts of
  ``prompt_tokens``. Else from ``raw_data.usage`` the same keys; Anthropic's raw
  ``input_tokens`` leaves the cache out, so its cache counts are taken only when
  ``prompt_tokens`` equals ``input_tokens + cache_read + cache_creation`` (they are then
  parts of it), else left unknown.
- ``max_tokens``: the file's ``info.agent_info.llm_args`` (``Context.max_tokens``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sopwatch.domain.enums import StepKind, StepStatus
from sopwatch.ingest.formats._common import (
    HANDOFF_TOOL,
    FieldError,
    integer,
    parse_arguments,
    parse_time,
    show,
    span_ms,
    text_of,
    tool_messages,
    usd,
)
from sopwatch.ingest.formats.tau2_text import number_text, plain
from sopwatch.ingest.records import StepRecord

# (the first hand-off tool step, its parsed arguments), or None
Handoff = tuple[StepRecord, object] | None


@dataclass(frozen=True, slots=True)
class Context:
    """What the file's ``info`` block says about every simulation: the agent's model,
    the domain name, the agent's ``max_tokens``; None where unknown."""

    model: str | None = None
    domain: str | None = None
    max_tokens: int | None = None


def steps_of(
    messages: list[Any], context: Context
) -> tuple[tuple[StepRecord, ...], Handoff, int | None]:
    """Steps of a run, its first hand-off, and the summed message cost (micro-dollars).

    The summed cost is None unless every assistant message reports a ``cost``. Raises
    ``FieldError`` naming the message field at fault.
    """
    steps: list[StepRecord] = []
    handoff: Handoff = None
    costs: list[int] = []
    cost_known = True
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise FieldError(f"messages[{index}]", f"must be an object; got {show(message)}")
        if message.get("role") != "assistant":
            continue
        step = _model_step(message, f"messages[{index}]", len(steps) + 1, context)
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


def _model_step(message: dict[str, Any], where: str, seq: int, context: Context) -> StepRecord:
    """The ``model`` step for one assistant message (tokens, cost, timestamp, finish
    reason and cache counts where present)."""
    usage = _object(message.get("usage"), f"{where}.usage")
    raw = _object(message.get("raw_data"), f"{where}.raw_data")
    prompt = _count(usage, "prompt_tokens", f"{where}.usage")
    cache_read, cache_write = _cache(usage, raw, prompt, where)
    return StepRecord(
        seq=seq,
        kind=StepKind.MODEL,
        name=context.model or "model",
        started_at=parse_time(message.get("timestamp"), f"{where}.timestamp"),
        input_tokens=prompt,
        output_tokens=_count(usage, "completion_tokens", f"{where}.usage"),
        cost_micros=usd(number_text(message.get("cost"), f"{where}.cost"), f"{where}.cost"),
        model=context.model,
        finish_reason=_finish_reason(message, raw),
        max_tokens=context.max_tokens,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
    )


def _object(value: object, field: str) -> dict[str, Any]:
    """An optional object field (``"None"`` is null) as a dict; {} when absent."""
    value = plain(value)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldError(field, f"must be an object; got {show(value)}")
    return value


def _count(obj: dict[str, Any], key: str, at: str) -> int | None:
    """``obj[key]`` as a token count (a number, or decimal text); None when absent."""
    field = f"{at}.{key}"
    return integer(number_text(obj.get(key), field), field)


def _finish_reason(message: dict[str, Any], raw: dict[str, Any]) -> str | None:
    """Why the model stopped (rules in the module docstring); None when not said."""
    choices = raw.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else None
    candidates = (
        message.get("finish_reason"),
        raw.get("finish_reason"),
        choice.get("finish_reason") if isinstance(choice, dict) else None,
        raw.get("stop_reason"),
    )
    return next((value for value in candidates if isinstance(value, str) and value), None)


def _cache(
    usage: dict[str, Any], raw: dict[str, Any], prompt: int | None, where: str
) -> tuple[int | None, int | None]:
    """``(cache_read_tokens, cache_write_tokens)`` of a model call (module docstring)."""
    read, write = _cache_counts(usage, f"{where}.usage")
    if read is not None or write is not None:
        return read, write
    raw_usage = _object(raw.get("usage"), f"{where}.raw_data.usage")
    read, write = _cache_counts(raw_usage, f"{where}.raw_data.usage")
    if "input_tokens" in raw_usage and (read is not None or write is not None):
        uncached = _count(raw_usage, "input_tokens", f"{where}.raw_data.usage")
        if uncached is None or prompt != uncached + (read or 0) + (write or 0):
            return None, None
    return read, write


def _cache_counts(usage: dict[str, Any], at: str) -> tuple[int | None, int | None]:
    """Cache read/write token counts in one usage object, OpenAI or Anthropic keys."""
    details = plain(usage.get("prompt_tokens_details"))
    read = None
    if isinstance(details, dict):
        read = _count(details, "cached_tokens", f"{at}.prompt_tokens_details")
    if read is None:
        read = _count(usage, "cache_read_input_tokens", at)
    return read, _count(usage, "cache_creation_input_tokens", at)


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
        arguments, arguments_text = parse_arguments(plain(call.get("arguments")))
        result = results.get(call.get("id"))
        finished: datetime | None = None
        failed = False
        content = None
        if result is not None:
            finished = parse_time(result.get("timestamp"), f"{where} result timestamp")
            failed = result.get("error") in (True, "True", "true")
            content = text_of(result.get("content"))
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

"""Generated import files, valid and mutated, for the robustness tests and the fuzz bench.

Plain functions driven by a ``random.Random``, so ``bench/fuzz_import.py`` draws the same
inputs from a seed without pytest or hypothesis, and the property tests draw the seed with
hypothesis (``draw_input(fmt, random.Random(seed))``; a failing example notes the input's
mutations and bytes).

``valid_document(fmt, rng, runs)`` builds a small run file in the shape of the bundled
real files (tau-bench ``data/tau-bench``, tau2-bench ``data/tau2-bench``, TRAIL GAIA
OpenInference traces ``data/trail/GAIA``, and ``docs/jsonl-format.md``): a few messages,
steps or spans each, every timestamp in 2025. ``draw_input`` then usually mutates it:

- in the JSON tree, at a random path: a value of another JSON type; an extreme number
  (``2**63``, ``-1``, ``1e308``, bare ``NaN``/``Infinity``, ``1e400``, a 5,000-digit
  integer); odd text (lone surrogates written as ``\\ud800`` escapes, NUL, RTL marks,
  emoji, combining marks, strings just over a column's limit or 100,000 characters long,
  odd timestamps and durations, format keywords in the wrong place); deep nesting (up to
  100,000 levels); a dropped key or list item; a duplicated list item; a field some
  parser reads added where the file lacks it, with any of these values;
- in the serialized bytes: truncation at a random byte, binary noise inserted, a byte
  replaced, a BOM, CRLF line ends, raw (unescaped) surrogates, UTF-16 or UTF-32;
  pretty-printed JSON, blank JSONL lines.

``snapshot`` reads back every stored row of one assignment, to show an import left it alone.
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from sopwatch.store.assignments import assignments
from sopwatch.store.jobs import human_requests, jobs, steps

FORMATS = ("tau", "tau2", "openinference", "jsonl")

#: A path into a JSON tree: dict keys and list indices.
JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Raw:
    """JSON text that ``serialize`` writes verbatim (bare ``NaN``, ``1e400``, deep nesting)."""

    text: str


@dataclass(frozen=True)
class FuzzInput:
    """One generated input: the file's bytes and how they were made.

    ``tree`` is the (mutated) JSON value before serialization (for JSONL, the list of line
    values). ``mutations`` describes each mutation in order (empty for a valid input).
    ``batchable`` is True when the input's runs mean the same merged with other inputs'
    runs into one file (``merge_documents``): always for JSONL (lines stand alone); for tau
    and tau2 when every mutation lies inside one run, none can make the whole document
    unreadable, and the bytes are the plain serialization of ``tree``.
    """

    fmt: str
    data: bytes
    tree: Any
    mutations: tuple[str, ...]
    batchable: bool

    @property
    def suffix(self) -> str:
        """The file name suffix import uses for this format."""
        return ".jsonl" if self.fmt == "jsonl" else ".json"


# --------------------------------------------------------------------------- values

_BASE = datetime(2025, 1, 1, tzinfo=UTC)
# fmt: off
_WORDS = (
    "refund", "order", "flight", "cancel", "reservation", "baggage", "certificate", "user",
    "profile", "economy", "business", "passenger", "payment", "card", "insurance", "page",
    "search", "answer", "question", "final", "policy",
)
# fmt: on
_MODELS = ("gpt-4o", "gpt-4.1", "o3-mini", "claude-sonnet-4-5", "openai/gpt-oss-120b")
_TOOLS = (
    "get_user_details",
    "get_reservation_details",
    "search_direct_flight",
    "book_reservation",
    "cancel_reservation",
    "update_reservation_baggages",
    "calculate",
    "think",
)
_HANDOFF = "transfer_to_human_agents"

#: Words the parsers give meaning to, for a valid value in the wrong place.
# fmt: off
TOKENS = (
    "completed", "failed", "needs_input", "running", "stopped", "pending", "approved", "answered",
    "expired", "approval", "question", "manual", "trigger", "ingested", "accepted", "rejected",
    "model", "tool", "gate", "agent", "ok", "error", "assistant", "user", "system", "LLM", "TOOL",
    "AGENT", "CHAIN", "Ok", "Error", "Unset", "user_stop", "agent_stop", "max_steps",
    "too_many_errors", "infrastructure_error", _HANDOFF, "FinalAnswerTool", "final_answer",
    "Error: boom",
)
# fmt: on


#: Keys the parsers read, to add (with an odd value) where the valid file lacks them.
# fmt: off
FIELDS = (
    # JSONL (docs/jsonl-format.md)
    "id", "assignment", "revision", "source", "status", "created_at", "started_at", "finished_at",
    "duration_ms", "input", "input_type", "output", "verdict", "failure_kind", "error", "cost_usd",
    "model", "case", "steps", "human_requests", "seq", "kind", "name", "connection", "arguments",
    "result", "input_tokens", "output_tokens", "type", "gate", "question", "answered_at", "step",
    "queue", "title", "postponed_until",
    # tau and tau2
    "task_id", "trial", "reward", "traj", "role", "content", "tool_calls", "function",
    "tool_call_id", "simulations", "info", "agent_info", "llm", "environment_info", "domain_name",
    "messages", "termination_reason", "agent_cost", "reward_info", "start_time", "end_time",
    "duration", "usage", "prompt_tokens", "completion_tokens", "cost", "timestamp",
    # OpenInference
    "trace_id", "spans", "span_id", "span_name", "status_code", "status_message",
    "span_attributes", "child_spans", "openinference.span.kind", "llm.model_name",
    "llm.token_count.prompt", "llm.token_count.completion", "input.value", "output.value",
    "tool.name",
)
# fmt: on

ODD_TIMES = (
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999-05:00",
    "9999-12-31T23:59:59.999999",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2999-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2025-11-26T24:00:00",
    "2025-11-26T01:12:47.758826+23:59",
    "2025-11-26T01:12:47.758826-23:59",
    "2025-11-26",
    "20251126T011247Z",
    "2025-W48-3",
    "2025-11-26T01:12:47,5Z",
    "2025-11-26T01:12:47.1234567890Z",
    "now",
    "",
    " ",
)
ODD_DURATIONS = (
    "PT1M48.75533S",
    "PT0S",
    "P",
    "PT",
    "P1DT",
    "PT-1S",
    "PT1e3S",
    "P99999999999999D",
    "PT9223372036854775.807S",
    "PT9223372036854775.808S",
    "P" + "9" * 400 + "D",
    "PT" + "1" * 5000 + "S",
    "P2914000D",
    "PT1H2M3.5S",
)


def _extreme_numbers() -> tuple[object, ...]:
    return (
        2**63,
        2**63 - 1,
        2**64,
        2**31,
        2**31 - 1,
        -1,
        -(2**63) - 1,
        0,
        -0.0,
        0.5,
        5e-324,
        1e308,
        -1e308,
        1e-7,
        math.nan,
        math.inf,
        -math.inf,
        Raw("1e400"),
        Raw("-1e400"),
        10**30,
        10**400,
        Raw("1" + "0" * 5000),
        9007199254740993,
        1.5,
    )


EXTREME_NUMBERS = _extreme_numbers()


def _long(rng: random.Random) -> str:
    length = rng.choice((99, 100, 101, 199, 200, 201, 499, 500, 501, 16_384, 16_385, 100_000))
    unit = rng.choice(("x", "é", "😀", "\u0301", "a\u200f"))
    return (unit * length)[:length] if len(unit) == 1 else unit * (length // len(unit))


_ODD_TEXT: tuple[Callable[[random.Random], str], ...] = (
    lambda r: "\ud800",
    lambda r: "a\udfffb",
    lambda r: "\ud83d",  # half an emoji
    lambda r: "\udc00\ud800",  # surrogates in the wrong order
    lambda r: "x\x00y",
    lambda r: "\x00",
    lambda r: "\u200f\u202eevil\u202c\u200e",
    lambda r: "👩\u200d👩\u200d👧\u200d👦🚀",
    lambda r: "e\u0301\u0308\u0327" * r.randint(1, 60),
    lambda r: "Z\u0337\u0322\u031ba\u0336l\u0337g\u0338o\u0334",
    lambda r: "\ufeff",
    lambda r: "\u2028\u2029\x85",
    lambda r: "\x7f\x1b[31mred\x1b[0m",
    lambda r: "",
    lambda r: " ",
    lambda r: "\t\n\r",
    lambda r: "٣٤٥",  # non-ASCII digits
    lambda r: "123",
    lambda r: "-1",
    lambda r: "1e400",
    lambda r: "NaN",
    lambda r: '{"a": ',
    lambda r: '"\\ud800"',
    lambda r: '{"summary": "\\u0000"}',
    lambda r: "[" * 2000,
    lambda r: "\U0010ffff\ufffe\uffff",
    _long,
    lambda r: r.choice(TOKENS),
    lambda r: r.choice(ODD_TIMES),
    lambda r: r.choice(ODD_DURATIONS),
)


def odd_text(rng: random.Random) -> str:
    """A string likely to trouble a parser or a database (see the module docstring)."""
    return rng.choice(_ODD_TEXT)(rng)


def deep_nesting(rng: random.Random) -> Raw:
    """JSON text nested ``depth`` levels deep (arrays, objects or both)."""
    depth = rng.choice((30, 500, 900, 990, 1_000, 1_100, 5_000, 100_000))
    style = rng.randrange(3)
    if style == 0:
        return Raw("[" * depth + "]" * depth)
    if style == 1:
        return Raw('{"a":' * depth + "1" + "}" * depth)
    return Raw('[{"a":' * (depth // 2) + "null" + "}]" * (depth // 2))


def _odd_value(rng: random.Random) -> object:
    """Any value a mutation may write: odd text, an extreme number, a keyword, a timestamp,
    deep nesting, or a plain value of any JSON type."""
    roll = rng.random()
    if roll < 0.3:
        return odd_text(rng)
    if roll < 0.5:
        return rng.choice(EXTREME_NUMBERS)
    if roll < 0.6:
        return rng.choice(TOKENS)
    if roll < 0.7:
        return _iso(rng, _time(rng))
    if roll < 0.72:
        return deep_nesting(rng)
    return _other_type(rng, object())


def _other_type(rng: random.Random, old: object) -> object:
    """A JSON value of a different type than ``old``."""
    makers: list[Callable[[], object]] = [
        lambda: odd_text(rng) if rng.random() < 0.3 else rng.choice(_WORDS),
        lambda: rng.choice((0, 1, 7, 2**63, -1)),
        lambda: rng.choice((0.0, 1.5, -2.5, 1e308)),
        lambda: {rng.choice(_WORDS): rng.choice(_WORDS)},
        lambda: {},
        lambda: [rng.choice(_WORDS), 1],
        lambda: [],
        lambda: None,
        lambda: rng.random() < 0.5,
    ]
    for _ in range(10):
        new = rng.choice(makers)()
        if type(new) is not type(old):
            return new
    return None if old is not None else "x"


# --------------------------------------------------------------------------- valid shapes


def _time(rng: random.Random, start: datetime | None = None, within: float = 3600.0) -> datetime:
    if start is None:
        return _BASE + timedelta(seconds=rng.uniform(0, 300 * 86_400))
    return start + timedelta(seconds=rng.uniform(0, within))


def _iso(rng: random.Random, moment: datetime) -> str:
    """``moment`` as ISO 8601 in one of the spellings the real files use."""
    style = rng.randrange(4)
    if style == 0:
        return moment.isoformat().replace("+00:00", "Z")
    if style == 1:
        return moment.replace(tzinfo=None).isoformat()  # naive (tau2 writes these)
    if style == 2:
        return moment.isoformat()
    offset = timezone(timedelta(minutes=rng.choice((-480, -300, 120, 330, 840))))
    return moment.astimezone(offset).isoformat()


def _text(rng: random.Random, words: int = 6) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, words)))


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def _uuid(rng: random.Random) -> str:
    h = _hex(rng, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _tool_arguments(rng: random.Random) -> dict[str, Any]:
    return {
        "user_id": f"{rng.choice(_WORDS)}_{rng.randrange(10_000)}",
        "reservation_id": _hex(rng, 6).upper(),
        **({"amount": rng.choice((5, 250, 12.5))} if rng.random() < 0.3 else {}),
    }


def _tau_item(rng: random.Random) -> dict[str, Any]:
    """One tau-bench list item: ``{task_id, reward, info, traj, trial}``."""
    traj: list[dict[str, Any]] = [
        {"role": "system", "content": "# Airline Agent Policy\n\n" + _text(rng, 20)},
        {"role": "user", "content": "Hi! " + _text(rng)},
    ]
    for _ in range(rng.randint(0, 3)):
        calls = []
        for _ in range(rng.choice((0, 1, 1, 2))):
            name = _HANDOFF if rng.random() < 0.1 else rng.choice(_TOOLS)
            args: dict[str, Any] = (
                {"summary": _text(rng, 12)} if name == _HANDOFF else _tool_arguments(rng)
            )
            calls.append(
                {
                    "function": {"arguments": json.dumps(args), "name": name},
                    "id": f"call_{_hex(rng, 24)}",
                    "type": "function",
                }
            )
        traj.append(
            {"content": None, "role": "assistant", "tool_calls": calls}
            if calls
            else {"content": _text(rng), "role": "assistant"}
        )
        for call in calls:
            failed = rng.random() < 0.15
            traj.append(
                {
                    "role": "tool",
                    "tool_call_id": call["id"],
                    "name": call["function"]["name"],
                    "content": "Error: " + _text(rng, 4)
                    if failed
                    else json.dumps(_tool_arguments(rng)),
                }
            )
        traj.append({"role": "user", "content": _text(rng)})
    traj.append({"content": _text(rng), "role": "assistant"})
    return {
        "task_id": rng.choice((rng.randrange(50), rng.randrange(10**9), _hex(rng, 8))),
        "reward": rng.choice((0.0, 1.0, 1, 0)),
        "info": {
            "task": {"user_id": f"{rng.choice(_WORDS)}_{rng.randrange(10_000)}", "outputs": []},
            "source": "user",
            "user_cost": rng.uniform(0, 0.01),
            "reward_info": {"reward": 1.0, "info": {"r_actions": 1.0}},
        },
        "traj": traj,
        "trial": rng.randrange(10**9),
    }


def _tau2_simulation(rng: random.Random) -> dict[str, Any]:
    """One tau2-bench simulation with assistant/user/tool messages."""
    start = _time(rng)
    now = start
    messages: list[dict[str, Any]] = [
        {
            "role": "assistant",
            "content": "Hi! How can I help you today?",
            "tool_calls": None,
            "turn_idx": 0,
            "timestamp": _iso(rng, now),
            "cost": 0.0,
            "usage": None,
            "raw_data": None,
        }
    ]
    for _ in range(rng.randint(0, 3)):
        now = _time(rng, now, 5)
        messages.append(
            {
                "role": "user",
                "content": _text(rng),
                "tool_calls": None,
                "turn_idx": len(messages),
                "timestamp": _iso(rng, now),
                "cost": 0.0,
                "usage": {"completion_tokens": rng.randrange(500), "prompt_tokens": 481},
            }
        )
        calls = []
        for _ in range(rng.choice((0, 1, 1, 2))):
            name = _HANDOFF if rng.random() < 0.1 else rng.choice(_TOOLS)
            calls.append(
                {
                    "id": f"chatcmpl-tool-{_hex(rng, 32)}",
                    "name": name,
                    "arguments": {"summary": _text(rng, 12)}
                    if name == _HANDOFF
                    else _tool_arguments(rng),
                    "requestor": "assistant",
                }
            )
        now = _time(rng, now, 5)
        usage = rng.random() < 0.7
        messages.append(
            {
                "role": "assistant",
                "content": None if calls else _text(rng),
                "tool_calls": calls or None,
                "turn_idx": len(messages),
                "timestamp": _iso(rng, now),
                "cost": rng.uniform(0, 0.02) if usage else None,
                "usage": {
                    "completion_tokens": rng.randrange(2000),
                    "prompt_tokens": rng.randrange(20_000),
                }
                if usage
                else None,
                "raw_data": None,
            }
        )
        for call in calls:
            now = _time(rng, now, 2)
            messages.append(
                {
                    "id": call["id"],
                    "role": "tool",
                    "content": json.dumps(_tool_arguments(rng)),
                    "requestor": "assistant",
                    "error": rng.random() < 0.15,
                    "turn_idx": len(messages),
                    "timestamp": _iso(rng, now),
                }
            )
    end = _time(rng, now, 5)
    return {
        "id": _uuid(rng),
        "task_id": str(rng.randrange(50)),
        "timestamp": _iso(rng, end),
        "start_time": _iso(rng, start),
        "end_time": _iso(rng, end),
        "duration": (end - start).total_seconds(),
        "termination_reason": rng.choice(
            ("user_stop", "agent_stop", "max_steps", "too_many_errors", "infrastructure_error")
        ),
        "agent_cost": rng.choice((None, rng.uniform(0, 0.5))),
        "user_cost": None,
        "reward_info": {
            "reward": rng.choice((0.0, 1.0)),
            "db_check": {"db_match": True, "db_reward": 1.0},
            "reward_basis": ["DB", "COMMUNICATE"],
        },
        "messages": messages,
        "trial": 0,
        "seed": rng.randrange(10**6),
    }


def _tau2_document(rng: random.Random, runs: int) -> dict[str, Any]:
    return {
        "timestamp": _iso(rng, _time(rng)),
        "info": {
            "git_commit": _hex(rng, 40),
            "num_trials": 1,
            "max_steps": 200,
            "max_errors": 10,
            "user_info": {"implementation": "user_simulator", "llm": rng.choice(_MODELS)},
            "agent_info": {"implementation": "llm_agent", "llm": rng.choice(_MODELS)},
            "environment_info": {"domain_name": rng.choice(("airline", "retail", "telecom"))},
        },
        "tasks": [{"id": str(i)} for i in range(2)],
        "simulations": [_tau2_simulation(rng) for _ in range(runs)],
    }


def _duration(rng: random.Random, seconds: float) -> str:
    if seconds >= 60 and rng.random() < 0.5:
        return f"PT{int(seconds // 60)}M{seconds % 60:.6f}S"
    return f"PT{seconds:.6f}S"


class _Clock:
    """Hands out increasing span start times inside a trace."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start

    def tick(self) -> datetime:
        self.now = _time(self.rng, self.now, 3)
        return self.now


def _span(
    rng: random.Random,
    clock: _Clock,
    trace_id: str,
    name: str,
    kind: str | None,
    attrs: dict[str, Any],
    children: list[dict[str, Any]] | None = None,
    *,
    failed: bool = False,
    start: datetime | None = None,
) -> dict[str, Any]:
    start = start or clock.tick()
    children = children or []
    end = max([clock.tick(), *(_span_end(c) for c in children)])
    attributes = {"pat.app": "GAIA-Samples", **attrs}
    if kind is not None:
        attributes["openinference.span.kind"] = kind
    return {
        "timestamp": start.isoformat().replace("+00:00", "Z"),
        "trace_id": trace_id,
        "span_id": _hex(rng, 16),
        "parent_span_id": None,
        "span_name": name,
        "span_kind": "Internal",
        "duration": _duration(rng, (end - start).total_seconds()),
        "status_code": "Error" if failed else rng.choice(("Ok", "Unset")),
        "status_message": f"TypeError: {_text(rng, 3)}" if failed else "",
        "span_attributes": attributes,
        "child_spans": children,
        "_end": end,  # removed by _strip_ends
    }


def _span_end(span: dict[str, Any]) -> datetime:
    end: datetime = span["_end"]
    return end


def _strip_ends(span: dict[str, Any]) -> None:
    span.pop("_end", None)
    for child in span["child_spans"]:
        _strip_ends(child)


def _openinference_document(rng: random.Random) -> dict[str, Any]:
    """One TRAIL-like trace: main → CodeAgent.run (AGENT) → LLM calls, Steps, tools."""
    trace_id = _hex(rng, 32)
    clock = _Clock(rng, _time(rng))
    root_start = clock.now
    model = rng.choice(_MODELS)

    def llm() -> dict[str, Any]:
        return _span(
            rng,
            clock,
            trace_id,
            "LiteLLMModel.__call__",
            "LLM",
            {
                "input.value": json.dumps({"messages": [{"role": "user", "content": _text(rng)}]}),
                "llm.model_name": model,
                "llm.token_count.prompt": str(rng.randrange(10_000)),
                "llm.token_count.completion": str(rng.randrange(4_000)),
                "output.value": _text(rng),
            },
            failed=rng.random() < 0.05,
        )

    def tool(name: str, tool_name: str) -> dict[str, Any]:
        return _span(
            rng,
            clock,
            trace_id,
            name,
            "TOOL",
            {
                "tool.name": tool_name,
                "input.value": json.dumps({"args": [], "kwargs": {"query": _text(rng, 3)}}),
                "output.value": _text(rng),
            },
            failed=rng.random() < 0.15,
        )

    agent_start = clock.tick()
    first_call = llm()
    steps = []
    for number in range(1, rng.randint(1, 3) + 1):
        step_start = clock.tick()
        inner = [llm()]
        if rng.random() < 0.7:
            inner.append(tool(rng.choice(("PageDownTool", "SearchTool", "VisitTool")), "tool"))
        steps.append(
            _span(
                rng,
                clock,
                trace_id,
                f"Step {number}",
                "CHAIN",
                {"input.value": '{"memory_step": "ActionStep()"}'},
                inner,
                failed=rng.random() < 0.1,
                start=step_start,
            )
        )
    if rng.random() < 0.8:
        steps.append(tool("FinalAnswerTool", "final_answer"))
    agent = _span(
        rng,
        clock,
        trace_id,
        "CodeAgent.run",
        "AGENT",
        {
            "input.value": json.dumps({"task": _text(rng, 10)}),
            "output.value": _text(rng, 2),
            "llm.token_count.prompt": "3400",
        },
        [first_call, *steps],
        failed=rng.random() < 0.1,
        start=agent_start,
    )
    root = _span(rng, clock, trace_id, "main", None, {}, [agent], start=root_start)
    _strip_ends(root)
    return {"trace_id": trace_id, "spans": [root]}


def _jsonl_record(rng: random.Random) -> dict[str, Any]:
    """One JSONL run with every kind of field (docs/jsonl-format.md), all valid."""
    created = _time(rng)
    record: dict[str, Any] = {
        "id": rng.choice((f"run-{_hex(rng, 12)}", rng.randrange(1, 2**62))),
    }

    def maybe(key: str, value: object, p: float = 0.6) -> None:
        if rng.random() < p:
            record[key] = value

    maybe("assignment", "refunds")
    maybe("revision", rng.randrange(1, 5))
    maybe("source", rng.choice(("manual", "scheduled", "trigger", "case", "api", "ingested")))
    maybe("status", rng.choice(("completed", "failed", "needs_input", "stopped", "running")))
    maybe("created_at", _iso(rng, created))
    finished = _time(rng, created, 60)
    if rng.random() < 0.8:
        record["started_at"] = _iso(rng, created)
        maybe("finished_at", _iso(rng, finished))
    maybe("duration_ms", rng.randrange(100_000))
    maybe("input", _text(rng, 12))
    maybe("input_type", rng.choice(("email", "pdf", "airline")))
    maybe("output", _text(rng, 12))
    maybe("verdict", rng.choice(("accepted", "rejected")), 0.3)
    maybe("failure_kind", rng.choice(("tool_error", "max_steps", "loop_detected")), 0.2)
    maybe("error", "HTTP 503 from crm", 0.2)
    maybe("cost_usd", rng.choice((0, 0.0045, 1.25)), 0.4)
    maybe("model", rng.choice(_MODELS))
    maybe(
        "case",
        {
            "id": rng.choice((f"T-{rng.randrange(10_000)}", rng.randrange(10_000))),
            "queue": "refund-requests",
            "status": rng.choice(("pending", "in_progress", "completed", "postponed")),
            "title": _text(rng, 4),
            "postponed_until": _iso(rng, _time(rng, created, 30 * 86_400)),
        },
        0.3,
    )
    steps: list[dict[str, Any]] = []
    at = created
    for position in range(rng.randint(0, 4)):
        kind = rng.choice(("model", "tool", "tool", "gate", "agent"))
        step: dict[str, Any] = {"kind": kind, "name": rng.choice(_MODELS + _TOOLS)}
        if rng.random() < 0.5:
            step["seq"] = position + 1
        at = _time(rng, at, 5)
        step["started_at"] = _iso(rng, at)
        if rng.random() < 0.5:
            step["duration_ms"] = rng.randrange(10_000)
        else:
            step["finished_at"] = _iso(rng, _time(rng, at, 5))
        if kind == "model":
            step.update(
                input_tokens=rng.randrange(5_000),
                output_tokens=rng.randrange(500),
                cost_usd=rng.choice((0.0045, 0, 0.1)),
                model=rng.choice(_MODELS),
            )
        elif kind == "tool":
            step.update(
                connection=rng.choice(("crm", "shop")),
                arguments=rng.choice((_tool_arguments(rng), "order=8812", [1, 2])),
                result=rng.choice(({"total": 620}, "ok", None, 3)),
            )
            if rng.random() < 0.2:
                step.update(status="error", error="HTTP 503")
        steps.append(step)
    if steps or rng.random() < 0.5:
        record["steps"] = steps
    requests = []
    for _ in range(rng.choice((0, 0, 1, 2))):
        request: dict[str, Any] = {
            "type": rng.choice(("approval", "question")),
            "gate": "refund_over_500",
            "question": _text(rng),
            "status": rng.choice(("pending", "approved", "denied", "answered", "expired")),
            "created_at": _iso(rng, at),
        }
        if rng.random() < 0.5:
            request["answered_at"] = _iso(rng, _time(rng, at, 600))
        if steps and rng.random() < 0.6:
            request["step"] = rng.randint(1, len(steps))
        requests.append(request)
    if requests:
        record["human_requests"] = requests
    return record


def valid_document(fmt: str, rng: random.Random, runs: int) -> Any:
    """A valid file of ``fmt`` with ``runs`` runs as a JSON tree (for ``jsonl``, the list
    of line objects; ``openinference`` holds one run whatever ``runs`` says)."""
    if fmt == "tau":
        return [_tau_item(rng) for _ in range(runs)]
    if fmt == "tau2":
        return _tau2_document(rng, runs)
    if fmt == "openinference":
        return _openinference_document(rng)
    if fmt == "jsonl":
        return [_jsonl_record(rng) for _ in range(runs)]
    raise ValueError(f"unknown format {fmt!r}")


def run_count(fmt: str, tree: Any) -> int:
    """How many runs the valid tree ``valid_document`` returned holds."""
    if fmt == "tau2":
        return len(tree["simulations"])
    if fmt == "openinference":
        return 1
    return len(tree)


# --------------------------------------------------------------------------- serialization


def serialize(value: Any, *, ensure_ascii: bool = True, indent: int | None = None) -> str:
    """JSON text of ``value`` as Python's ``json`` writes it (bare ``NaN`` and ``Infinity``),
    with ``Raw`` nodes written verbatim; ``indent`` pretty-prints like ``json.dumps``."""
    parts: list[str] = []
    _emit(value, parts, ensure_ascii, indent, 0)
    return "".join(parts)


def _emit(value: Any, out: list[str], ascii_only: bool, indent: int | None, level: int) -> None:
    if isinstance(value, Raw):
        out.append(value.text)
    elif isinstance(value, float):
        if math.isnan(value):
            out.append("NaN")
        elif math.isinf(value):
            out.append("Infinity" if value > 0 else "-Infinity")
        else:
            out.append(repr(value))
    elif isinstance(value, str | int | bool) or value is None:
        out.append(json.dumps(value, ensure_ascii=ascii_only))
    elif isinstance(value, dict | list):
        items = list(value.items()) if isinstance(value, dict) else list(value)
        opener, closer = ("{", "}") if isinstance(value, dict) else ("[", "]")
        if not items:
            out.append(opener + closer)
            return
        inner = "" if indent is None else "\n" + " " * (indent * (level + 1))
        outer = "" if indent is None else "\n" + " " * (indent * level)
        separator = ", " if indent is None else ","
        out.append(opener)
        for index, item in enumerate(items):
            out.append((separator if index else "") + inner)
            if isinstance(value, dict):
                out.append(json.dumps(str(item[0]), ensure_ascii=ascii_only) + ": ")
                item = item[1]
            _emit(item, out, ascii_only, indent, level + 1)
        out.append(outer + closer)
    else:
        raise TypeError(f"cannot serialize {type(value).__name__}")


def encode(text: str) -> bytes:
    """UTF-8 bytes of ``text``; lone surrogates are written raw (not valid UTF-8)."""
    return text.encode("utf-8", "surrogatepass")


def to_bytes(fmt: str, tree: Any) -> bytes:
    """The plain file for ``tree``: JSONL one compact line per value, else one document."""
    if fmt == "jsonl":
        return encode("".join(serialize(line) + "\n" for line in tree))
    return encode(serialize(tree))


# --------------------------------------------------------------------------- mutations


def _paths(value: Any, prefix: JsonPath = ()) -> list[JsonPath]:
    """Every node's path in ``value`` (the root first), depth first."""
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.extend(_paths(child, (*prefix, index)))
    return out


def _get(tree: Any, path: JsonPath) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _replace(tree: Any, path: JsonPath, new: Any) -> Any:
    """``tree`` with the node at ``path`` replaced (in place below the root)."""
    if not path:
        return new
    _get(tree, path[:-1])[path[-1]] = new
    return tree


def _show(path: JsonPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "<root>"


def _brief(value: object) -> str:
    text = value.text if isinstance(value, Raw) else serialize(value)
    return text if len(text) <= 40 else f"{text[:30]}...({len(text):,} chars)"


def _pick(rng: random.Random, tree: Any, paths: list[JsonPath], kind: str) -> JsonPath:
    """A path to mutate: for odd text or a keyword usually a string's, for an extreme
    number usually a number's (so the file keeps its shape and the value reaches the
    checks after parsing), else any node."""
    wanted: type | tuple[type, ...] | None = None
    if kind in ("text", "token"):
        wanted = str
    elif kind == "number":
        wanted = (int, float)
    if wanted is not None and rng.random() < 0.8:
        typed = [p for p in paths if isinstance(_get(tree, p), wanted)]
        if typed:
            return rng.choice(typed)
    return rng.choice(paths)


def _mutate_tree(
    rng: random.Random, tree: Any, min_depth: int
) -> tuple[Any, str, JsonPath, bool] | None:
    """One random mutation of ``tree``: ``(new tree, description, path, whole)``; None if
    no node at least ``min_depth`` deep exists. ``whole`` is True when the new value may
    make the whole document unreadable (deep nesting, a 5,000-digit number)."""
    paths = [p for p in _paths(tree) if len(p) >= min_depth]
    if not paths:
        return None
    kind = rng.choices(
        ("type", "number", "text", "nest", "drop", "dup", "token", "field"),
        weights=(30, 20, 25, 5, 10, 5, 5, 10),
    )[0]
    if kind == "field":
        objects = [p for p in paths if isinstance(_get(tree, p), dict)]
        if objects:
            path = rng.choice(objects)
            key = rng.choice(FIELDS)
            new = _odd_value(rng)
            _get(tree, path)[key] = new
            whole = isinstance(new, Raw) and len(new.text) > 100
            return tree, f"field {_show((*path, key))} = {_brief(new)}", (*path, key), whole
        kind = "type"
    if kind == "drop":
        path = rng.choice(paths)
        if path:
            del _get(tree, path[:-1])[path[-1]]
            return tree, f"drop {_show(path)}", path, False
        kind = "type"
    if kind == "dup":
        lists = [
            p
            for p in _paths(tree)
            if len(p) >= min_depth - 1 and isinstance(_get(tree, p), list) and _get(tree, p)
        ]
        if lists:
            path = rng.choice(lists)
            items = _get(tree, path)
            items.insert(rng.randrange(len(items) + 1), copy.deepcopy(rng.choice(items)))
            return tree, f"dup item of {_show(path)}", path, False
        kind = "type"
    path = _pick(rng, tree, paths, kind)
    old = _get(tree, path)
    new: Any
    if kind == "number":
        new = rng.choice(EXTREME_NUMBERS)
    elif kind == "text":
        new = odd_text(rng)
        if isinstance(old, str) and rng.random() < 0.5:
            new = old + new if rng.random() < 0.5 else new + old
    elif kind == "nest":
        new = deep_nesting(rng)
    elif kind == "token":
        new = rng.choice(TOKENS)
    else:
        new = _other_type(rng, old)
    whole = isinstance(new, Raw) and len(new.text) > 100
    return _replace(tree, path, new), f"{kind} {_show(path)} = {_brief(new)}", path, whole


_NOISE = b'\x00\xff\xfe\xc0\x80\xed\xa0\xf4\x90\n\r\t {}[]",:\\'


def _mutate_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    kind = rng.choices(
        ("truncate", "noise", "replace", "bom", "crlf", "utf16"), weights=(35, 35, 15, 6, 5, 4)
    )[0]
    if kind == "truncate":
        at = rng.randrange(len(data)) if data else 0
        return data[:at], f"truncate at byte {at} of {len(data)}"
    if kind in ("noise", "replace"):
        count = rng.randint(1, 16)
        noise = bytes(
            rng.choice(_NOISE) if rng.random() < 0.6 else rng.randrange(256) for _ in range(count)
        )
        at = rng.randrange(len(data) + 1)
        if kind == "replace":
            return data[:at] + noise + data[at + count :], f"replace {count} bytes at {at}"
        return data[:at] + noise + data[at:], f"noise {noise!r} at byte {at}"
    if kind == "bom":
        bom = rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        return bom + data, f"bom {bom!r}"
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n"), "crlf"
    text = data.decode("utf-8", "surrogatepass") if _decodes(data) else None
    if text is None:
        return data[::-1], "reversed"
    codec = rng.choice(("utf-16", "utf-16-le", "utf-32"))
    return text.encode(codec, "surrogatepass"), f"encoded as {codec}"


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def _run_depth(fmt: str) -> int:
    """The depth of a run in the format's tree: mutations at least this deep stay in one run."""
    return 2 if fmt == "tau2" else 1


def draw_input(fmt: str, rng: random.Random, *, mutate: bool | None = None) -> FuzzInput:
    """A file of ``fmt`` drawn from ``rng``: valid (``mutate=False``), mutated
    (``mutate=True``), or either (None: mutated 85% of the time).

    A mutated input has 0–3 tree mutations and 0–2 byte mutations, at least one in all,
    and may be serialized unusually (pretty-printed, raw surrogates, blank lines).
    """
    runs = 1 if fmt == "openinference" else rng.randint(1, 3)
    tree = valid_document(fmt, rng, runs)
    if mutate is None:
        mutate = rng.random() < 0.85
    if not mutate:
        return FuzzInput(fmt, to_bytes(fmt, tree), tree, (), True)
    tree_count = rng.choice((0, 1, 1, 1, 2, 2, 3))
    byte_count = rng.choice((0, 0, 0, 0, 0, 1, 1, 2))
    if tree_count + byte_count == 0:
        tree_count = 1
    done: list[str] = []
    batchable = True
    min_depth = 1 if fmt == "jsonl" else 0  # a JSONL file's root is not one JSON value
    for _ in range(tree_count):
        found = _mutate_tree(rng, tree, min_depth)
        if found is None:
            continue
        tree, description, path, whole = found
        done.append(description)
        if whole or len(path) < _run_depth(fmt):
            batchable = False
    data, style = _styled(fmt, rng, tree)
    if style:
        done.append(style)
        batchable = False
    for _ in range(byte_count):
        data, description = _mutate_bytes(rng, data)
        done.append(description)
        batchable = False
    # JSONL lines stand alone: any input's bytes can share a file with others.
    return FuzzInput(fmt, data, tree, tuple(done), batchable or fmt == "jsonl")


def _styled(fmt: str, rng: random.Random, tree: Any) -> tuple[bytes, str]:
    """``tree`` serialized, sometimes in an unusual style: ``(bytes, style or "")``."""
    roll = rng.random()
    if fmt == "jsonl":
        if roll < 0.1:
            lines = [serialize(line, ensure_ascii=False) for line in tree]
            return encode("\n\n".join(lines)), "jsonl: raw non-ASCII, blank lines, no final newline"
        if roll < 0.13:
            return encode(serialize(tree, indent=2)), "jsonl: one pretty-printed array"
        return to_bytes(fmt, tree), ""
    if roll < 0.25:
        return encode(serialize(tree, indent=2)), "pretty-printed"
    if roll < 0.35:
        return encode(serialize(tree, ensure_ascii=False)), "raw non-ASCII"
    return to_bytes(fmt, tree), ""


def merge_documents(fmt: str, inputs: list[FuzzInput]) -> bytes:
    """One file holding the runs of several ``batchable`` inputs of ``fmt``, in order.

    tau: one list of every input's items; tau2: the first input's document with every
    input's simulations; jsonl: the inputs' bytes one after another (each ends its last
    line). Raises ``ValueError`` for openinference (one run per file) or a non-batchable
    input.
    """
    if fmt == "jsonl":
        return b"".join(
            item.data + (b"" if item.data.endswith(b"\n") else b"\n") for item in inputs
        )
    if any(not item.batchable for item in inputs):
        raise ValueError("only batchable inputs can be merged")
    if fmt == "tau":
        return encode(serialize([run for item in inputs for run in item.tree]))
    if fmt == "tau2":
        merged = dict(inputs[0].tree)
        merged["simulations"] = [sim for item in inputs for sim in item.tree["simulations"]]
        return encode(serialize(merged))
    raise ValueError(f"{fmt} holds one run per file")


# --------------------------------------------------------------------------- stored data


def snapshot(engine: sa.Engine, team_id: int, assignment: str) -> list[tuple[Any, ...]]:
    """Every stored row of the assignment's jobs, their steps and human requests, in a
    stable order, as tuples: what an import into another assignment must not change."""
    with engine.connect() as conn:
        assignment_id = conn.execute(
            sa.select(assignments.c.id).where(
                assignments.c.team_id == team_id, assignments.c.name == assignment
            )
        ).scalar_one()
        job_rows = conn.execute(
            sa.select(jobs).where(jobs.c.assignment_id == assignment_id).order_by(jobs.c.id)
        ).all()
        ids = [row.id for row in job_rows]
        step_rows = conn.execute(
            sa.select(steps).where(steps.c.job_id.in_(ids)).order_by(steps.c.job_id, steps.c.seq)
        ).all()
        request_rows = conn.execute(
            sa.select(human_requests)
            .where(human_requests.c.job_id.in_(ids))
            .order_by(human_requests.c.id)
        ).all()
    return [
        *(("job", *row) for row in job_rows),
        *(("step", *row) for row in step_rows),
        *(("request", *row) for row in request_rows),
    ]

"""Generated production weeks: a quiet baseline week and a window day of one assignment,
as JSONL run objects (docs/jsonl-format.md), deterministic for a seed.

A scenario takes a clean ``Week``, injects one fault into its window day (or baseline),
and keeps the clean week as its twin. Times are UTC; costs in USD as the JSONL format
takes them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

#: The end of every scenario's window day (the check runs ``--at`` this time).
WINDOW_END = datetime(2026, 3, 10, tzinfo=UTC)
WINDOW_START = WINDOW_END - timedelta(days=1)
BASELINE_START = WINDOW_START - timedelta(days=7)

Run = dict[str, Any]


def iso(at: datetime) -> str:
    """``2026-03-10T00:00:00Z``."""
    return at.isoformat().replace("+00:00", "Z")


@dataclass
class Week:
    """Eight days of one assignment's runs: 7 baseline days, then the window day.

    ``runs`` are JSONL run objects in time order; ``window`` and ``baseline`` give views of
    them. Each run has ``id`` ``<prefix>-<n>``. ``expected_runs_per_day`` is what the
    operator set (None: not set).
    """

    assignment: str
    runs: list[Run] = field(default_factory=list)
    expected_runs_per_day: float | None = None

    @property
    def window(self) -> list[Run]:
        """The runs created in the window day."""
        return [r for r in self.runs if r["created_at"] >= iso(WINDOW_START)]

    @property
    def baseline(self) -> list[Run]:
        """The runs created before the window day."""
        return [r for r in self.runs if r["created_at"] < iso(WINDOW_START)]

    def run(self, external_id: str) -> Run:
        """The run with this id (KeyError when there is none)."""
        for run in self.runs:
            if run["id"] == external_id:
                return run
        raise KeyError(external_id)


def quiet_week(
    assignment: str,
    *,
    seed: int = 0,
    per_hour: float = 1.0,
    source: str = "scheduled",
    tools: tuple[str, ...] = ("lookup_invoice", "file_invoice"),
    connection: str | None = "erp",
    model: str = "gpt-4o",
    cost_usd: float = 0.004,
    step_ms: int = 800,
    input_types: tuple[str, ...] = ("email", "pdf"),
    start: datetime = BASELINE_START,
    end: datetime = WINDOW_END,
    prefix: str = "run",
) -> Week:
    """A healthy week: about ``per_hour`` runs an hour (scheduled every 1/per_hour hours
    when ``source`` is ``scheduled``, else at random times), each a model call and one call
    of each tool, completed and accepted, costs and durations with a little noise, no
    failures, no human requests. ``expected_runs_per_day`` is set to ``24 × per_hour``.
    """
    rng = random.Random(f"{assignment}:{seed}")
    week = Week(assignment=assignment, expected_runs_per_day=24 * per_hour)
    for n, at in enumerate(_times(rng, start, end, per_hour, source == "scheduled")):
        week.runs.append(
            healthy_run(
                f"{prefix}-{n}",
                at,
                rng=rng,
                source=source,
                tools=tools,
                connection=connection,
                model=model,
                cost_usd=cost_usd,
                step_ms=step_ms,
                input_type=input_types[n % len(input_types)],
            )
        )
    return week


def _times(
    rng: random.Random, start: datetime, end: datetime, per_hour: float, scheduled: bool
) -> Iterator[datetime]:
    """Run start times in ``[start, end)``: a fixed cadence, or a Poisson process."""
    gap = timedelta(hours=1 / per_hour)
    at = start + (gap / 2 if scheduled else timedelta(0))
    while True:
        if not scheduled:
            at += timedelta(hours=rng.expovariate(per_hour))
        if at >= end:
            return
        yield at
        if scheduled:
            at += gap


def healthy_run(
    external_id: str,
    at: datetime,
    *,
    rng: random.Random,
    source: str = "scheduled",
    tools: tuple[str, ...] = ("lookup_invoice", "file_invoice"),
    connection: str | None = "erp",
    model: str = "gpt-4o",
    cost_usd: float = 0.004,
    step_ms: int = 800,
    input_type: str = "email",
) -> Run:
    """One healthy run started at ``at``: a model step, then one step per tool."""
    steps: list[Run] = []
    clock = at
    model_ms = int(step_ms * rng.uniform(0.8, 1.2))
    steps.append(
        {
            "kind": "model",
            "name": model,
            "model": model,
            "started_at": iso(clock),
            "duration_ms": model_ms,
            "input_tokens": int(1200 * rng.uniform(0.9, 1.1)),
            "output_tokens": int(150 * rng.uniform(0.9, 1.1)),
            "cost_usd": round(cost_usd * rng.uniform(0.9, 1.1), 6),
            "finish_reason": "tool_calls",
        }
    )
    clock += timedelta(milliseconds=model_ms)
    for i, name in enumerate(tools):
        ms = int(step_ms * rng.uniform(0.5, 1.5))
        step: Run = {
            "kind": "tool",
            "name": name,
            "arguments": {"invoice": external_id, "part": i},
            "result": {"ok": True},
            "started_at": iso(clock),
            "duration_ms": ms,
        }
        if connection is not None:
            step["connection"] = connection
        steps.append(step)
        clock += timedelta(milliseconds=ms)
    return {
        "id": external_id,
        "status": "completed",
        "source": source,
        "created_at": iso(at),
        "started_at": iso(at),
        "finished_at": iso(clock),
        "input": {"invoice": external_id, "type": input_type},
        "input_type": input_type,
        "output": {"filed": True, "invoice": external_id},
        "verdict": "accepted",
        "steps": steps,
    }


def fail_at(run: Run, step_name: str, error: object, *, failure_kind: str | None = None) -> Run:
    """``run`` failed at its step ``step_name`` with ``error`` (steps after it dropped)."""
    kept = []
    for step in run["steps"]:
        kept.append(step)
        if step["name"] == step_name:
            step["error"] = error
            break
    run["steps"] = kept
    run["status"] = "failed"
    run["error"] = error
    run.pop("output", None)
    run.pop("verdict", None)
    if failure_kind is not None:
        run["failure_kind"] = failure_kind
    return run


Inject = Callable[[Week], set[str]]


def burst(
    week: Week,
    at: datetime,
    count: int,
    *,
    minutes: float = 10,
    prefix: str = "burst",
    seed: int = 0,
    **run: Any,
) -> list[Run]:
    """Add ``count`` healthy runs started evenly within ``minutes`` from ``at`` (a batch,
    a replayed queue), ids ``<prefix>-<n>``, input types alternating email/pdf; ``run``
    goes to ``healthy_run``. The week's runs stay in time order and its expected runs
    per day grow by ``count``. Returns the added runs."""
    rng = random.Random(f"{week.assignment}:{prefix}:{seed}")
    step = timedelta(minutes=minutes) / max(count, 1)
    added = [
        healthy_run(
            f"{prefix}-{n}",
            at + step * n,
            rng=rng,
            **({"input_type": ("email", "pdf")[n % 2]} | run),
        )
        for n in range(count)
    ]
    week.runs = sorted(week.runs + added, key=lambda r: r["created_at"])
    if week.expected_runs_per_day is not None:
        week.expected_runs_per_day += count
    return added


def connect_tools(week: Week, connections: dict[str, str]) -> Week:
    """Give each tool step of the week the connection its tool name maps to."""
    for run in week.runs:
        for step in run["steps"]:
            if step["kind"] == "tool" and step["name"] in connections:
                step["connection"] = connections[step["name"]]
    return week


def retime(run: Run) -> Run:
    """``run`` with its steps laid end to end again from its ``started_at``, each taking its
    ``duration_ms``, and ``finished_at`` after the last (use after changing durations)."""
    clock = datetime.fromisoformat(run["started_at"].replace("Z", "+00:00"))
    for step in run["steps"]:
        step["started_at"] = iso(clock)
        clock += timedelta(milliseconds=step.get("duration_ms") or 0)
    run["finished_at"] = iso(clock)
    return run


def ask(
    run: Run,
    gate: str,
    question: str,
    *,
    kind: str = "approval",
    answer: str | None = None,
    after: timedelta = timedelta(minutes=20),
) -> Run:
    """``run`` stops at a gate step ``gate`` before its last step and raises a human
    request of ``kind`` there. With ``answer`` (``approved``, ``denied``, ``answered``) a
    person answered ``after`` the request and the run went on (the gate step lasts
    ``after``); without one the request is pending and the run waits in ``needs_input``
    (its last step, finish, output and verdict dropped)."""
    at = len(run["steps"]) - 1
    gate_step: Run = {"kind": "gate", "name": gate}
    request: Run = {"type": kind, "gate": gate, "question": question, "step": at + 1}
    if answer is None:
        run["steps"] = [*run["steps"][:at], gate_step]
        retime(run)
        del run["finished_at"]
        run.pop("output", None)
        run.pop("verdict", None)
        run["status"] = "needs_input"
    else:
        gate_step["duration_ms"] = int(after.total_seconds() * 1000)
        run["steps"].insert(at, gate_step)
        retime(run)
        request |= {"status": answer, "response": answer}
    raised = datetime.fromisoformat(gate_step["started_at"].replace("Z", "+00:00"))
    request["created_at"] = iso(raised)
    if answer is not None:
        request["answered_at"] = iso(raised + after)
    run["human_requests"] = [*run.get("human_requests", []), request]
    return run


def with_cases(week: Week, queue: str) -> Week:
    """Every run of the week works on a case of its own in ``queue`` (id ``C-<run id>``)
    and completes it."""
    for run in week.runs:
        run["case"] = {"id": f"C-{run['id']}", "queue": queue, "status": "completed"}
    return week


def slow_down(run: Run, factor: float) -> Run:
    """Every step of ``run`` takes ``factor`` times as long, laid end to end again."""
    for step in run["steps"]:
        if step.get("duration_ms") is not None:
            step["duration_ms"] = int(step["duration_ms"] * factor)
    return retime(run)

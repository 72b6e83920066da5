"""Facts about a job derived from its steps when the job is written, so the check reads
job rows and aggregates instead of every step (issue #7), and loads steps only for the
jobs it may name.

The rules are the check's own, applied once: loop patterns (``domain/loops.py``), error
classes (``domain/error_class.py``), fingerprints (``domain/fingerprint.py``), cut model
calls (``is_cut``), the failing step (``error_class.ending_step``). A fact is exact for
the steps as stored (payloads already cut at the payload limit). ``FACTS_VERSION`` names
the rules: a job whose stored ``facts_version`` differs was derived by other rules (or
none) and is treated as having no facts (the check then reads its steps), until
``sopwatch db rebuild-facts`` derives them again.

Successful calls of tools that write (``side_effects``) are kept in a table of their own
with a digest of their arguments, so the duplicate check finds repeated writes across
a window with one grouped query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sopwatch.domain.enums import StepKind, StepStatus
from sopwatch.domain.error_class import classify_job, ending_step
from sopwatch.domain.fingerprint import fingerprint
from sopwatch.domain.job import Job, Step, step_time
from sopwatch.domain.loops import longest_alternation, polls_between, same_call
from sopwatch.domain.payload import short_digest
from sopwatch.domain.tools import reads_by_name

#: The version of the rules below; bump it when a rule changes, so stored facts derived
#: by the old rules are not trusted (the check reads those jobs' steps instead).
FACTS_VERSION = 1

#: Finish reasons that mean a model call was stopped by its output-token limit (OpenAI
#: ``length``, Anthropic ``max_tokens``, Google ``MAX_TOKENS`` / ``max_output_tokens``).
CUT_REASONS = frozenset({"length", "max_tokens", "max_output_tokens"})


class ModelCall(Protocol):
    """What ``is_cut`` reads of a step (a ``Step`` or a lighter figure record)."""

    @property
    def kind(self) -> StepKind: ...
    @property
    def finish_reason(self) -> str | None: ...
    @property
    def max_tokens(self) -> int | None: ...
    @property
    def output_tokens(self) -> int | None: ...


def is_cut(step: ModelCall) -> bool:
    """True for a model call stopped by its output-token limit: its finish reason is one
    of ``CUT_REASONS`` (any case), or it wrote ``max_tokens`` output tokens or more."""
    reason, limit, written = step.finish_reason, step.max_tokens, step.output_tokens
    if step.kind != StepKind.MODEL or (reason is None and limit is None):
        return False
    if reason is not None and reason.strip().lower() in CUT_REASONS:
        return True
    return limit is not None and limit > 0 and written is not None and written >= limit


@dataclass(frozen=True, slots=True)
class JobFacts:
    """What the check needs to know about one job without reading its steps.

    - ``tool_calls``, ``model_calls``, ``failed_steps``, ``truncated_calls``: counts of
      the job's tool steps, model steps, steps with status error, model steps cut at
      their output-token limit (``is_cut``);
    - ``loop_calls``: calls of the job's most repeated same call (one tool, the same
      arguments, the same outcome; ``loops.same_call`` with a minimum of 2, polling that
      ended excepted), 0 when no call repeats; ``loop_rounds``: rounds of its longest
      alternation of two tools that is not polling (``loops.job_loop``'s rule), 0 when
      under 2 — so ``job_loop(steps, m, r)`` finds a loop exactly when
      ``loop_calls >= m or loop_rounds >= r``;
    - ``first_failed_seq``: the first step with status error; ``ending_seq`` /
      ``ending_name``: where a failed job ended (``error_class.ending_step``), None for
      other jobs;
    - ``error_class`` (failed jobs, ``classify_job``) and ``error_fingerprint`` (the
      fingerprint of the ending step's error, else the job's, for failed jobs);
    - ``connections``: the connections the steps used, sorted, without repeats;
    - ``input_digest``: ``short_digest`` of the input text when it is whole and not
      blank (repeated inputs), else None.
    """

    tool_calls: int = 0
    model_calls: int = 0
    failed_steps: int = 0
    truncated_calls: int = 0
    loop_calls: int = 0
    loop_rounds: int = 0
    first_failed_seq: int | None = None
    ending_seq: int | None = None
    ending_name: str | None = None
    error_class: str | None = None
    error_fingerprint: str | None = None
    connections: tuple[str, ...] = ()
    input_digest: str | None = None

    def columns(self) -> dict[str, Any]:
        """The ``jobs`` columns holding these facts, ``facts_version`` included;
        ``connections`` as newline-separated text (None when there are none)."""
        return {
            "tool_calls": self.tool_calls,
            "model_calls": self.model_calls,
            "failed_steps": self.failed_steps,
            "truncated_calls": self.truncated_calls,
            "loop_calls": self.loop_calls,
            "loop_rounds": self.loop_rounds,
            "first_failed_seq": self.first_failed_seq,
            "ending_seq": self.ending_seq,
            "ending_name": self.ending_name,
            "error_class": self.error_class,
            "error_fingerprint": self.error_fingerprint,
            "connections": "\n".join(self.connections) or None,
            "input_digest": self.input_digest,
            "facts_version": FACTS_VERSION,
        }


def derive_facts(job: Job, steps: Sequence[Step]) -> JobFacts:
    """The facts of ``job`` from its ``steps`` as stored (in ``seq`` order)."""
    tool_calls = model_calls = failed = cut = 0
    first_failed: int | None = None
    connections: set[str] = set()
    for step in steps:
        if step.kind is StepKind.TOOL:
            tool_calls += 1
        elif step.kind is StepKind.MODEL:
            model_calls += 1
            cut += is_cut(step)
        if step.status is StepStatus.ERROR:
            failed += 1
            if first_failed is None:
                first_failed = step.seq
        if step.connection:
            connections.add(step.connection)
    loop_calls, loop_rounds = _loop_figures(steps)
    ending, error_class, print_ = _ending(job, steps)
    return JobFacts(
        tool_calls=tool_calls,
        model_calls=model_calls,
        failed_steps=failed,
        truncated_calls=cut,
        loop_calls=loop_calls,
        loop_rounds=loop_rounds,
        first_failed_seq=first_failed,
        ending_seq=None if ending is None else ending.seq,
        ending_name=None if ending is None else ending.name,
        error_class=error_class,
        error_fingerprint=print_,
        connections=tuple(sorted(connections)),
        input_digest=_input_digest(job),
    )


def _loop_figures(steps: Sequence[Step]) -> tuple[int, int]:
    """``(loop_calls, loop_rounds)`` by ``loops.job_loop``'s rules at their smallest
    thresholds (2 calls, 2 rounds)."""
    tools = [i for i, step in enumerate(steps) if step.kind is StepKind.TOOL]
    if len(tools) < 2:
        return 0, 0
    start, length = longest_alternation([steps[i].name for i in tools])
    rounds = length // 2
    stretch = tools[start : start + 2 * rounds]
    polling = rounds >= 2 and polls_between(steps, stretch)
    waits = set(stretch) if polling else set()
    repeat = same_call(steps, [i for i in tools if i not in waits], 2)
    return (0 if repeat is None else repeat.count), (0 if polling or rounds < 2 else rounds)


def _ending(job: Job, steps: Sequence[Step]) -> tuple[Step | None, str | None, str | None]:
    """(ending step, error class, fingerprint) of a failed job; Nones for other jobs."""
    error_class = classify_job(job, steps)
    if error_class is None:
        return None, None, None
    ending = ending_step(steps)
    text = ending.error if ending is not None and ending.error else job.error
    return ending, str(error_class), (fingerprint(text) or None) if text else None


def _input_digest(job: Job) -> str | None:
    """``short_digest`` of a whole, non-blank input; else None."""
    if job.input and job.input.strip() and job.input_bytes is None:
        return short_digest(job.input)
    return None


@dataclass(frozen=True, slots=True)
class SideEffect:
    """One successful call of a tool that writes: its step ``seq``, ``tool``, the
    ``short_digest`` of its arguments, and when it ran (``step_time``, UTC)."""

    seq: int
    tool: str
    digest: str
    at: datetime


def side_effects(job: Job, steps: Sequence[Step]) -> list[SideEffect]:
    """The job's successful calls of tools whose names do not read as reads
    (``tools.reads_by_name``; an assignment's own read tools are left to the check),
    with logged, whole arguments (the duplicate check's rule: a cut or missing argument
    text cannot be compared)."""
    found = []
    for step in steps:
        if step.kind is not StepKind.TOOL or step.status is not StepStatus.OK:
            continue
        if not step.arguments or step.arguments_bytes is not None or reads_by_name(step.name):
            continue
        found.append(
            SideEffect(step.seq, step.name, short_digest(step.arguments), step_time(step, job))
        )
    return found

"""What a check looks at: the window's jobs with their steps, the baseline, the settings.

The context is loaded once from the store (``monitor.load``) and every check is a pure
function ``CheckContext -> list[Finding]`` over it, so checks are tested without a database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sopwatch.domain.assignment import Assignment
from sopwatch.domain.case import Case
from sopwatch.domain.enums import HumanRequestStatus, StepKind
from sopwatch.domain.facts import JobFacts
from sopwatch.domain.job import BaselineJob, HumanRequest, Job, Step


@dataclass(frozen=True, kw_only=True, slots=True)
class Window:
    """The checked period ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """``end - start``."""
        return self.end - self.start

    @property
    def days(self) -> float:
        """Length in days (24 h = 1.0)."""
        return self.length.total_seconds() / 86_400


@dataclass(frozen=True, kw_only=True, slots=True)
class Baseline:
    """The reference the window is compared with (docs/architecture.md "baseline").

    ``kind`` is ``testing`` (the assignment's testing period), ``trailing_7d`` (the 7 days
    before the window) or ``none`` (no jobs in either; comparisons are skipped and the
    report says so). ``jobs`` are the baseline's jobs, oldest first, as ``BaselineJob``
    (the fields the checks read); ``cases`` the cases of those jobs;
    ``human_request_count`` how many human requests those jobs raised.
    """

    kind: str
    start: datetime
    end: datetime
    jobs: tuple[BaselineJob, ...] = ()
    cases: tuple[Case, ...] = ()
    human_request_count: int = 0

    @property
    def days(self) -> float:
        """Length of the baseline period in days."""
        return (self.end - self.start).total_seconds() / 86_400

    def describe(self) -> str:
        """One line naming the baseline for the report (``…, 1,234 jobs``)."""
        span = f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"
        count = len(self.jobs)
        jobs = f"{count:,} job" + ("" if count == 1 else "s")
        if self.kind == "testing":
            return f"testing period ({span}), {jobs}"
        if self.kind == "trailing_7d":
            return f"the 7 days before the window ({span}), {jobs}"
        return f"none: no jobs in the testing period or the 7 days before the window ({span})"


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckSettings:
    """Thresholds of the daily check; defaults and their sources.

    - ``stale_after_ms``: a pending human request older than this is stale (issue #2
      default 4 h; seed: "sitting unanswered for more than a few hours").
    - ``loop_min_repeats``: the same tool with the same arguments and the same result or
      error this many times in a job is a tool-call loop (issue #2 default 3; issue #6:
      a changing result is progress).
    - ``loop_act_repeats``: a loop this long is ``act`` even if the job did not hit a step
      limit (our choice: 10, more than three times the detection threshold).
    - ``cluster_min_jobs``: failures at the same place across this many jobs are a SOP or
      connection problem, not noise (seed: "if five Jobs all fail at the same step").
    - ``failed_rate_healthy``: seed "Failed rate: under 5% of cases processed".
    - ``spot_check_size``: seed "pick three to five completed Jobs at random"; ``seed``
      makes the pick reproducible.
    - ``significance``: p-value under which a rate differs from its baseline.
    - ``volume_tolerance``: run volume within ±this share of expected is on target.
    - ``overdue_grace_ms``: a postponed case or a pending human request is overdue this
      long after its ``postponed_until`` / ``expires_at`` (our choice: 5 min, so a queue or
      an expiry sweep that runs every few minutes is not caught between two passes).
    - ``act_significance``: p-value under which a run-volume count is so unlikely that it
      is ``act`` rather than ``watch`` (our choice: 0.001, for an empty window, missed
      scheduled runs and bursts; at one check a day a false alarm comes about once in
      three years per item).
    - ``loop_cycle_rounds``: two tools called in turn (A B A B …) this many rounds in a job
      is a tool-call loop whatever their arguments (issue #6 default 5).
    - ``duplicate_interval_ms``: the same write succeeding again in another job within
      this time of the previous one is a duplicate side effect (our choice: 1 h, longer
      than any retry or replay we know of and shorter than an hourly schedule's period).
    - ``repeat_min_jobs``/``repeat_interval_ms``: this many jobs started by the same input
      or trigger key within this time are a burst to test (issue #6: "≥ 5 jobs within 10
      minutes"); ``repeat_act_jobs``: a burst this big is ``act`` (our choice: twice the
      detection threshold, a runaway chain rather than one replay).
    """

    stale_after_ms: int = 4 * 3_600_000
    loop_min_repeats: int = 3
    loop_act_repeats: int = 10
    cluster_min_jobs: int = 5
    failed_rate_healthy: float = 0.05
    spot_check_size: int = 5
    seed: int | None = None
    significance: float = 0.05
    volume_tolerance: float = 0.5
    overdue_grace_ms: int = 5 * 60_000
    act_significance: float = 0.001
    loop_cycle_rounds: int = 5
    duplicate_interval_ms: int = 3_600_000
    repeat_min_jobs: int = 5
    repeat_interval_ms: int = 600_000
    repeat_act_jobs: int = 10


class StepFigures(NamedTuple):
    """The figures of one baseline step, without its text: what the per-model and per-tool
    comparisons read (a tuple, several times cheaper to build than a ``Step``, for the
    thousands of sampled baseline steps). Same meaning and units as the ``Step`` fields
    of the same names: ``duration_ms`` in ms, ``cost_micros`` in micro-dollars."""

    job_id: int
    kind: StepKind
    name: str
    model: str | None = None
    duration_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_micros: int | None = None
    finish_reason: str | None = None
    max_tokens: int | None = None


#: Most stale, and most expired, pending human requests a context lists (our choice: the
#: reports name the jobs of at most this many, oldest first, and count the rest; a thousand
#: is already past reading, and loading them costs a few ms however long the backlog).
MAX_LISTED_REQUESTS = 1_000


@dataclass(frozen=True, kw_only=True, slots=True)
class PendingRequests:
    """The assignment's human requests still pending at ``window.end``, counted whatever
    their age (``monitor.load`` counts them in SQL, so the check's time does not grow with
    the backlog):

    - ``count``: pending requests created before the window end;
    - ``stale``: those created more than ``settings.stale_after_ms`` before the window end;
    - ``stale_gates``: gate → stale requests, most first, ties in order of each gate's
      oldest request (``None`` for requests without a gate or with an empty one);
    - ``expired``: pending requests whose ``expires_at`` is more than
      ``settings.overdue_grace_ms`` before the window end.

    The rows themselves are in ``CheckContext.human_requests`` only for the oldest
    ``MAX_LISTED_REQUESTS`` stale ones (by ``created_at``, id) and the first
    ``MAX_LISTED_REQUESTS`` expired ones (by ``expires_at``, id).
    """

    count: int = 0
    stale: int = 0
    stale_gates: tuple[tuple[str | None, int], ...] = ()
    expired: int = 0


def summarize_pending(
    requests: Iterable[HumanRequest], end: datetime, stale_after_ms: int, grace_ms: int
) -> PendingRequests:
    """``PendingRequests`` of the pending ones among ``requests`` (each counted once, by
    id), with the window ending at ``end`` (UTC): what ``monitor.load`` counts in SQL, for
    contexts built without those counts (tests) and for gates of a listed backlog."""
    unique = {r.id: r for r in requests if r.status == HumanRequestStatus.PENDING}
    pending = sorted(
        (r for r in unique.values() if r.created_at < end), key=lambda r: (r.created_at, r.id)
    )
    stale_before = end - timedelta(milliseconds=stale_after_ms)
    expired_before = end - timedelta(milliseconds=grace_ms)
    stale = [r for r in pending if r.created_at < stale_before]
    return PendingRequests(
        count=len(pending),
        stale=len(stale),
        stale_gates=tuple(Counter(r.gate or None for r in stale).most_common()),
        expired=sum(
            1 for r in pending if r.expires_at is not None and r.expires_at < expired_before
        ),
    )


class WriteCall(NamedTuple):
    """One successful write of a window job whose tool and arguments another window
    job's write has too (``store.window.repeated_writes``): the job, the step's ``seq``,
    the tool, the arguments text (whole), and when the step ran (UTC)."""

    job_id: int
    seq: int
    tool: str
    arguments: str
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckContext:
    """Everything one run of the daily check reads.

    - ``jobs``: the assignment's jobs created in the window, oldest first;
    - ``steps``: job id → that job's steps in ``seq`` order, for the window jobs whose
      steps a finding may read (``monitor.load.steps_needed``: failed, unfinished,
      looping, with a failed or cut step, with a repeated write, without facts) and for
      the jobs of ``step_sample``; a job not in it has steps no finding names;
    - ``step_sample``: the window jobs whose steps the per-model and per-tool tallies
      read (``step_latency``, ``truncated_output``, the cost driver): an evenly spaced
      sample (``monitor.load.STEP_SAMPLE``); None when ``steps`` holds every window job's
      steps (a window no larger than the sample, or a context built by hand);
    - ``writes``: with a sampled window, the repeated successful writes of its jobs
      (``WriteCall``, any order), which ``duplicate_side_effect`` reads instead of
      steps; None when ``steps`` holds every window job's steps;
    - ``facts``: job id → the ``JobFacts`` derived when the job was written, for window
      jobs whose facts are current (empty for a context built by hand);
    - ``human_requests``: requests raised by window jobs, plus the assignment's pending
      requests that ``pending`` lists (the oldest stale and first expired ones, at most
      ``MAX_LISTED_REQUESTS`` of each); a context built by hand may hold every pending
      request instead;
    - ``pending``: the pending requests counted by age (``PendingRequests``); None when
      the context was built by hand, and the checks count ``human_requests`` instead;
    - ``request_jobs``: job id → job for every job a request in ``human_requests`` names;
    - ``cases``: the cases worked on by window jobs (case id → case);
    - ``running_before``: the assignment's jobs still ``running`` that were created before
      the window (those created in it are in ``jobs``), oldest first, at most
      ``load.MAX_RUNNING_BEFORE``;
    - ``last_steps``: job id → the last step (highest ``seq``) of each ``running_before``
      job that has steps;
    - ``time_limits_ms``: revision id → the revision's time limit for one job in ms
      (``Revision.max_duration_ms``), for the revisions that set one;
    - ``postponed_cases``: case id → case, for the cases still ``postponed`` that jobs of
      the assignment created in the window or the 7 days before it worked on;
    - ``postponed_case_jobs``: case id → those jobs (without input/output), oldest first.
    - ``baseline_steps``: job id → ``StepFigures`` of its steps, for a bounded sample of
      baseline jobs (``monitor.load.load_baseline_steps``: at most 250 jobs, evenly spaced
      in creation order; a sampled job without steps maps to ``()``). The per-model and
      per-tool baseline figures rest on it; empty when the baseline has no jobs.
    """

    assignment: Assignment
    window: Window
    baseline: Baseline
    jobs: tuple[Job, ...]
    steps: Mapping[int, tuple[Step, ...]]
    human_requests: tuple[HumanRequest, ...] = ()
    request_jobs: Mapping[int, Job] = field(default_factory=dict)
    cases: Mapping[int, Case] = field(default_factory=dict)
    settings: CheckSettings = field(default_factory=CheckSettings)
    running_before: tuple[Job, ...] = ()
    last_steps: Mapping[int, Step] = field(default_factory=dict)
    time_limits_ms: Mapping[int, int] = field(default_factory=dict)
    postponed_cases: Mapping[int, Case] = field(default_factory=dict)
    postponed_case_jobs: Mapping[int, tuple[Job, ...]] = field(default_factory=dict)
    baseline_steps: Mapping[int, tuple[StepFigures, ...]] = field(default_factory=dict)
    pending: PendingRequests | None = None
    step_sample: frozenset[int] | None = None
    writes: tuple[WriteCall, ...] | None = None
    facts: Mapping[int, JobFacts] = field(default_factory=dict)

"""What makes a cost spike: the step and model whose cost per job grew most, the token
change behind it, jobs far above the baseline, and a new revision or model it began with.

Private to ``checks.cost``. Per-job figures throughout (a step's cost summed over jobs,
divided by the number of jobs), so cost that rises only because more jobs ran is no
driver. The window side reads every window job's steps; the baseline side reads the
sampled baseline steps (``CheckContext.baseline_steps``, at most 250 jobs evenly spaced:
``monitor.load``). Money is in micro-dollars, tokens are counts per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sopwatch.domain.enums import StepKind
from sopwatch.domain.job import BaselineJob, Job, Step
from sopwatch.monitor.checks._common import fmt_count, fmt_num, fmt_usd, usd
from sopwatch.monitor.checks._spread import DRIFT_RATIO
from sopwatch.monitor.context import CheckContext, StepFigures
from sopwatch.monitor.stats import median, percentile

#: A job costing more than this multiple of the baseline median … (our choice: an order of
#: magnitude, far beyond the day-to-day spread of a job's cost) …
OUTLIER_MEDIAN_RATIO = 10.0
#: … and more than this multiple of the baseline's 99th percentile (our choice: beyond
#: the costliest jobs the baseline had, by a wide margin) is far above the baseline.
OUTLIER_P99_RATIO = 3.0
#: The outlier rule needs at least this many baseline jobs with a cost (our choice: a p99
#: of fewer jobs is just their maximum, and a median of a handful is noisy).
OUTLIER_MIN_BASELINE = 10
#: A per-job or per-call figure "changed" when it moved by at least this factor either
#: way (our choice: a quarter, well beyond the noise of token counts for the same task).
CHANGE_FACTOR = 1.25

StepLike = Step | StepFigures


def outliers(window: Sequence[Job], baseline_costs: Sequence[float]) -> list[Job]:
    """Window jobs costing more than ``OUTLIER_MEDIAN_RATIO`` × the baseline median and
    more than ``OUTLIER_P99_RATIO`` × the baseline p99 (both rules must hold), costliest
    first; ``[]`` with fewer than ``OUTLIER_MIN_BASELINE`` baseline costs (micro-dollars)."""
    if len(baseline_costs) < OUTLIER_MIN_BASELINE:
        return []
    bar = outlier_bar(baseline_costs)
    found = [job for job in window if job.cost_micros is not None and job.cost_micros > bar]
    return sorted(found, key=lambda job: (-(job.cost_micros or 0), job.id))


def outlier_bar(baseline_costs: Sequence[float]) -> float:
    """The cost (micro-dollars) a job must exceed to be far above the baseline."""
    p99 = percentile(baseline_costs, 99.0) or 0.0
    return max(OUTLIER_MEDIAN_RATIO * (median(baseline_costs) or 0.0), OUTLIER_P99_RATIO * p99)


@dataclass
class _Tally:
    """Sums over one step key's calls: cost (micro-dollars), calls, tokens."""

    cost: float = 0.0
    calls: int = 0
    input_sum: float = 0.0
    input_calls: int = 0
    output_sum: float = 0.0
    output_calls: int = 0

    def add(self, step: StepLike) -> None:
        self.cost += step.cost_micros or 0
        self.calls += 1
        if step.input_tokens is not None:
            self.input_sum += step.input_tokens
            self.input_calls += 1
        if step.output_tokens is not None:
            self.output_sum += step.output_tokens
            self.output_calls += 1

    @property
    def input_per_call(self) -> float | None:
        return self.input_sum / self.input_calls if self.input_calls else None

    @property
    def output_per_call(self) -> float | None:
        return self.output_sum / self.output_calls if self.output_calls else None


Key = tuple[str, str, str | None]  # (step kind, step name, model)


def _tally(steps: Iterable[StepLike]) -> dict[Key, _Tally]:
    """Step key → tally over the steps that have a cost (model and tool steps)."""
    found: dict[Key, _Tally] = {}
    for step in steps:
        if step.cost_micros is None:
            continue
        key = (str(step.kind), step.name, step.model)
        found.setdefault(key, _Tally()).add(step)
    return found


@dataclass(frozen=True, kw_only=True, slots=True)
class CostDriver:
    """The step whose cost per job grew most from the baseline to the window.

    Money in micro-dollars per job; ``*_calls`` are calls per job; ``*_input`` /
    ``*_output`` tokens per call (None: not recorded). ``new_step``: the baseline sample
    has no such step; ``new_model``: no baseline sample step used its model.
    """

    kind: str
    step: str
    model: str | None
    window_cost: float
    baseline_cost: float
    window_calls: float
    baseline_calls: float
    window_input: float | None
    baseline_input: float | None
    window_output: float | None
    baseline_output: float | None
    new_step: bool
    new_model: bool

    def name(self) -> str:
        """``model step gpt-4o``, ``step draft (model gpt-4o)`` or ``tool step search``."""
        if self.kind == StepKind.MODEL and self.model in (None, self.step):
            return f"model step {self.step}"
        if self.model is not None:
            return f"step {self.step} (model {self.model})"
        return f"{self.kind} step {self.step}"

    def describe(self) -> str:
        """``model step gpt-4o $0.0040 → $0.0330 per job (prompt tokens 8k → 65k)``."""
        text = f"{self.name()} {fmt_usd(self.baseline_cost)} → {fmt_usd(self.window_cost)} per job"
        changes = self.changes()
        if self.new_model and self.model is not None:
            changes.insert(0, f"model {self.model} not in the baseline")
        elif self.new_step:
            changes.insert(0, "new in the window")
        return f"{text} ({', '.join(changes)})" if changes else text

    def changes(self) -> list[str]:
        """The per-job and per-call figures that moved by ``CHANGE_FACTOR`` or more."""
        found = []
        pairs = (
            ("calls per job", self.baseline_calls, self.window_calls, _fmt_calls),
            ("prompt tokens", self.baseline_input, self.window_input, fmt_tokens),
            ("output tokens", self.baseline_output, self.window_output, fmt_tokens),
        )
        for label, before, after, fmt in pairs:
            if before and after and _changed(before, after):
                found.append(f"{label} {fmt(before)} → {fmt(after)}")
        if not found and not self.new_step and self.baseline_calls and self.window_calls:
            before_call = self.baseline_cost / self.baseline_calls
            after_call = self.window_cost / self.window_calls
            if _changed(before_call, after_call):
                found.append(f"cost per call {fmt_usd(before_call)} → {fmt_usd(after_call)}")
        return found

    def evidence(self) -> dict[str, Any]:
        """JSON: money in USD per job, calls per job, tokens per call (1 decimal)."""
        return {
            "kind": self.kind,
            "step": self.step,
            "model": self.model,
            "window_cost_per_job_usd": usd(self.window_cost),
            "baseline_cost_per_job_usd": usd(self.baseline_cost),
            "window_calls_per_job": round(self.window_calls, 3),
            "baseline_calls_per_job": round(self.baseline_calls, 3),
            "window_input_tokens_per_call": _round1(self.window_input),
            "baseline_input_tokens_per_call": _round1(self.baseline_input),
            "window_output_tokens_per_call": _round1(self.window_output),
            "baseline_output_tokens_per_call": _round1(self.baseline_output),
            "new_step": self.new_step,
            "new_model": self.new_model,
        }


def cost_driver(ctx: CheckContext, window: Sequence[Job]) -> CostDriver | None:
    """The step key (kind, name, model) whose cost per job grew most from the sampled
    baseline jobs with a cost to the ``window`` jobs (those with a cost; of a sampled
    window, ``ctx.step_sample``, those sampled); None when the sample has no job with a
    cost, or no step's cost per job grew."""
    base_jobs = _sampled_with_cost(ctx.baseline.jobs, ctx.baseline_steps)
    if ctx.step_sample is not None:
        window = [job for job in window if job.id in ctx.step_sample]
    if not window or not base_jobs:
        return None
    now = _tally(step for job in window for step in ctx.steps.get(job.id, ()))
    before = _tally(step for job_id in base_jobs for step in ctx.baseline_steps[job_id])
    n, nb = len(window), len(base_jobs)
    growth = {
        key: tally.cost / n - (before[key].cost / nb if key in before else 0.0)
        for key, tally in now.items()
    }
    if not growth:
        return None
    key = max(growth, key=lambda k: (growth[k], k[1], k[2] or ""))
    if growth[key] <= 0:
        return None
    base_models = {step.model for steps in ctx.baseline_steps.values() for step in steps}
    t, b = now[key], before.get(key, _Tally())
    return CostDriver(
        kind=key[0],
        step=key[1],
        model=key[2],
        window_cost=t.cost / n,
        baseline_cost=b.cost / nb,
        window_calls=t.calls / n,
        baseline_calls=b.calls / nb,
        window_input=t.input_per_call,
        baseline_input=b.input_per_call,
        window_output=t.output_per_call,
        baseline_output=b.output_per_call,
        new_step=key not in before,
        new_model=key[2] is not None and key[2] not in base_models,
    )


def _sampled_with_cost(
    baseline: Sequence[BaselineJob], sample: Mapping[int, tuple[StepFigures, ...]]
) -> list[int]:
    """Ids of the sampled baseline jobs that have a cost."""
    if not sample:
        return []
    return [job.id for job in baseline if job.id in sample and job.cost_micros is not None]


@dataclass(frozen=True, kw_only=True, slots=True)
class NewRevision:
    """A revision no baseline job ran, whose window jobs cost more than the baseline:
    ``jobs`` its window jobs (with a cost), ``median`` their median cost (micro-dollars),
    ``ratio`` that median over the baseline median."""

    revision: int
    jobs: list[Job]
    median: float
    ratio: float

    def describe(self, window_jobs: int) -> str:
        """``began with revision 2, new in the window (16 of 24 jobs from 08:00 UTC,
        median $0.0300, 6.0× the baseline's)``."""
        first = min(job.created_at for job in self.jobs)
        return (
            f"began with revision {self.revision}, new in the window ({fmt_count(len(self.jobs))}"
            f" of {fmt_count(window_jobs)} jobs from {first:%H:%M} UTC, median "
            f"{fmt_usd(self.median)}, {fmt_num(self.ratio)}× the baseline's)"
        )

    def evidence(self) -> dict[str, Any]:
        """JSON: the revision, its job count, first job time, median cost in USD."""
        return {
            "revision": self.revision,
            "jobs": len(self.jobs),
            "first_job_at": min(job.created_at for job in self.jobs).isoformat(),
            "median_cost_usd": usd(self.median),
            "median_ratio": round(self.ratio, 3),
        }


def new_revision(
    window: Sequence[Job], baseline: Sequence[BaselineJob], baseline_median: float
) -> NewRevision | None:
    """The revision no baseline job ran that the spike began with: its window jobs' median
    cost is above ``DRIFT_RATIO`` × ``baseline_median`` while the window jobs of the
    revisions the baseline knows stayed at or under it (when there are any). The one with
    the highest median when several qualify; None when none does."""
    known = {job.revision_number for job in baseline}
    by_revision: dict[int, list[Job]] = {}
    old: list[float] = []
    for job in window:
        if job.revision_number is not None and job.revision_number not in known:
            by_revision.setdefault(job.revision_number, []).append(job)
        else:
            old.append(float(job.cost_micros or 0))
    old_median = median(old)
    if old_median is not None and old_median > DRIFT_RATIO * baseline_median:
        return None  # the jobs of known revisions rose too: the revision is not the start
    found: list[NewRevision] = []
    for revision, jobs in sorted(by_revision.items()):
        mid = median([float(job.cost_micros or 0) for job in jobs]) or 0.0
        ratio = mid / baseline_median if baseline_median > 0 else float("inf")
        if ratio > DRIFT_RATIO:
            found.append(NewRevision(revision=revision, jobs=jobs, median=mid, ratio=ratio))
    return max(found, key=lambda r: (r.ratio, r.revision), default=None)


def fmt_tokens(count: float) -> str:
    """A token count as people say it: ``850``, ``1.2k``, ``8k``, ``65k``, ``1,250k``."""
    if count < 1000:
        return f"{count:,.0f}"
    if count < 10_000:
        return fmt_num(count / 1000, 1, trim=True) + "k"
    return f"{count / 1000:,.0f}k"


def _fmt_calls(value: float) -> str:
    return fmt_num(value, 1)


def _changed(before: float, after: float) -> bool:
    """``after`` is at least ``CHANGE_FACTOR`` × ``before`` or at most its inverse."""
    if before <= 0:
        return after > 0
    ratio = after / before
    return ratio >= CHANGE_FACTOR or ratio <= 1 / CHANGE_FACTOR


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)

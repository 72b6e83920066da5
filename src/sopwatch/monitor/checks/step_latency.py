"""Latency per model and per tool (seed "Latency drift"; graduation: "no cost or latency
spikes").

Finding ``step_latency``: the durations of each model's calls (model steps grouped by
``model``, else by step name) and each tool's calls (tool steps by name) in the window,
against the same model's or tool's calls in the sampled baseline steps
(``CheckContext.baseline_steps``). Job duration (``latency_drift``) hides a model that got
4× slower when slow tool waits make most of a job's time; this check does not.

A model or tool has **drifted** when all of these hold (one slow call never does):

- at least ``MIN_CALLS`` calls with a duration in the window and in the baseline sample
  (our choice: fewer give no stable median);
- the window median is above ``DRIFT_RATIO`` (1.5) × the baseline median and at least
  ``MIN_DELTA_MS`` slower (our choice: a tenth of a second nobody waits for);
- a one-sided Mann–Whitney U test says the window's durations are larger, p <
  ``settings.significance`` (0.05).

Severity: watch; act when the median ratio is at least ``ACT_RATIO`` (2.0), as for job
duration (``_spread``). Durations in evidence are seconds (ms ÷ 1000).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sopwatch.domain.enums import Severity, StepKind
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import (
    MAX_DETAIL_ROWS,
    fmt_count,
    fmt_num,
    labels,
    ok_finding,
    plural,
    sampled_steps,
)
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.checks._spread import ACT_RATIO, DRIFT_RATIO
from sopwatch.monitor.checks.cost_drivers import fmt_tokens
from sopwatch.monitor.context import CheckContext, StepFigures
from sopwatch.monitor.stats import mann_whitney_greater_p, median, percentile

#: Fewest calls with a duration, in the window and in the baseline sample, to compare.
MIN_CALLS = 10
#: Least rise of the median (ms) that counts as drift.
MIN_DELTA_MS = 100
#: At most this many drifted models and tools are listed, the biggest ratio first.
MAX_FINDINGS = 10
#: Slowest calls listed per finding.
TOP_CALLS = 5

#: Seed "Latency drift" (consistent / isolated), applied to one model's calls.
RESPONSE_MODEL = (
    "Calls to this model take significantly longer than in the baseline, whatever the tools "
    "do. Check the model provider's status page (seed: an upstream system may be slow); "
    "compare the prompt and output sizes in the evidence with the baseline, since larger "
    "real-world inputs take longer (seed: process in smaller batches, or add a volume cap "
    "to the SOP); if a new revision or model began, compare it with the one before. If Job "
    "duration approaches your business process SLA, run more often in smaller batches or "
    "add a volume limit to the SOP."
)
#: Seed "Latency drift", applied to one tool's calls.
RESPONSE_TOOL = (
    "Calls to this tool take significantly longer than in the baseline: the system behind "
    "it may be slow. Check the external service's status page or your own infrastructure "
    "logs for when these Jobs ran (seed: latency drift isolated to an upstream system); if "
    "larger inputs make the calls slower, process in smaller batches or add a volume cap to "
    "the SOP. If Job duration approaches your business process SLA, run more often in "
    "smaller batches."
)

Group = tuple[StepKind, str]  # (model or tool, the model's or tool's name)
S = TypeVar("S", Step, StepFigures)


def group_of(step: Step | StepFigures) -> Group | None:
    """``(model, <model or step name>)`` for a model step, ``(tool, <name>)`` for a tool
    step, None for gates and agent steps or a step without a duration."""
    if step.duration_ms is None:
        return None
    if step.kind == StepKind.MODEL:
        return StepKind.MODEL, step.model or step.name
    if step.kind == StepKind.TOOL:
        return StepKind.TOOL, step.name
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class Drift:
    """One model's or tool's drift: its window ``calls`` and baseline ``base`` figures
    (durations in ms, tokens per call), the median ratio and the test's p-value."""

    group: Group
    calls: list[Step]
    base: list[StepFigures]
    ratio: float
    p_value: float

    @property
    def severity(self) -> Severity:
        return Severity.ACT if self.ratio >= ACT_RATIO else Severity.WATCH


def check_step_latency(ctx: CheckContext) -> list[Finding]:
    """``step_latency``: one finding per drifted model or tool (module rules), at most
    ``MAX_FINDINGS``, act first; else one ok finding whose ``compared`` evidence gives, per
    model and tool compared, the calls and the p50 and p95 (seconds) of window and
    baseline. ok with ``evidence["skipped"]`` when the baseline sample has no step
    durations."""
    window, window_ms = _grouped(sampled_steps(ctx))
    if not window:
        return [ok_finding("step_latency", "No model or tool call durations in the window")]
    base, base_ms = _grouped(ctx.baseline_steps.values())
    if not base:
        title = "Model and tool call durations: no baseline call durations to compare with"
        return [ok_finding("step_latency", title, mark_skipped({}, ctx, "call durations"))]
    compared, drifts = [], []
    for group, calls in sorted(window.items()):
        base_calls = base.get(group, [])
        if len(calls) < MIN_CALLS or len(base_calls) < MIN_CALLS:
            continue
        now, before = sorted(window_ms[group]), sorted(base_ms[group])
        compared.append(_row(group, now, before))
        drift = _drift(group, calls, base_calls, now, before, ctx.settings.significance)
        if drift is not None:
            drifts.append(drift)
    if not drifts:
        return [_in_line(compared)]
    drifts.sort(key=lambda d: (d.severity != Severity.ACT, -d.ratio, d.group))
    jobs = {job.id: job for job in ctx.jobs}
    return [_finding(drift, jobs) for drift in drifts[:MAX_FINDINGS]]


def _grouped(
    steps_by_job: Iterable[Sequence[S]],
) -> tuple[dict[Group, list[S]], dict[Group, list[float]]]:
    """Group → the steps of that model or tool that have a duration, and group → their
    durations (ms), in one pass (``group_of`` inlined: this runs over every window step)."""
    found: dict[Group, list[S]] = defaultdict(list)
    durations: dict[Group, list[float]] = defaultdict(list)
    model, tool = StepKind.MODEL, StepKind.TOOL
    for steps in steps_by_job:
        for step in steps:
            ms = step.duration_ms
            if ms is None:
                continue
            kind = step.kind
            if kind == model:
                group: Group = (model, step.model or step.name)
            elif kind == tool:
                group = (tool, step.name)
            else:
                continue
            found[group].append(step)
            durations[group].append(ms)
    return found, durations


def _row(group: Group, now: list[float], before: list[float]) -> dict[str, Any]:
    """One compared model or tool: its calls and p50/p95 (seconds) in window and baseline
    (``now`` and ``before`` are its durations in ms)."""
    return {
        str(group[0]): group[1],
        "window_calls": len(now),
        "baseline_calls": len(before),
        "window_p50_seconds": _s(median(now)),
        "baseline_p50_seconds": _s(median(before)),
        "window_p95_seconds": _s(percentile(now, 95.0)),
        "baseline_p95_seconds": _s(percentile(before, 95.0)),
    }


def _drift(
    group: Group,
    calls: list[Step],
    base: list[StepFigures],
    now: list[float],
    before: list[float],
    significance: float,
) -> Drift | None:
    """The drift of one model or tool (``now``/``before``: its durations in ms), or None
    when the module's rules do not all hold."""
    now_mid, before_mid = median(now) or 0.0, median(before) or 0.0
    if now_mid - before_mid < MIN_DELTA_MS or now_mid <= DRIFT_RATIO * before_mid:
        return None
    p_value = mann_whitney_greater_p(now, before)
    if p_value >= significance:
        return None
    ratio = now_mid / before_mid if before_mid > 0 else float("inf")
    return Drift(group=group, calls=calls, base=base, ratio=ratio, p_value=p_value)


def _in_line(compared: list[dict[str, Any]]) -> Finding:
    """The ok finding: what was compared (or that nothing had enough calls)."""
    names = [str(row.get("model", row.get("tool"))) for row in compared]
    if not names:
        title = f"Model and tool calls: none with {MIN_CALLS} calls in the window and baseline"
    else:
        title = (
            f"Model and tool call durations in line with the baseline ({fmt_count(len(names))}"
            f" compared: {', '.join(names[:5])}{', …' if len(names) > 5 else ''})"
        )
    return ok_finding("step_latency", title, {"compared": compared[:MAX_DETAIL_ROWS]})


def _finding(drift: Drift, jobs: dict[int, Job]) -> Finding:
    """The finding of one drift: the jobs whose calls were slow, slowest first."""
    kind = drift.group[0]
    before = [float(s.duration_ms or 0) for s in drift.base]
    bar = max(percentile(before, 95.0) or 0.0, DRIFT_RATIO * (median(before) or 0.0))
    slow = sorted(
        (s for s in drift.calls if (s.duration_ms or 0) > bar),
        key=lambda s: (-(s.duration_ms or 0), s.job_id, s.seq),
    )
    slow_jobs = [jobs[s.job_id] for s in slow if s.job_id in jobs]
    evidence = _evidence(drift, before)
    evidence.update(
        job_ids=labels(slow_jobs),
        calls_above_baseline_p95=len(slow),
        slowest=[
            {"job_id": jobs[s.job_id].label, "seq": s.seq, "seconds": _s(s.duration_ms)}
            for s in slow[:TOP_CALLS]
            if s.job_id in jobs
        ],
    )
    return Finding(
        kind="step_latency",
        severity=drift.severity,
        title=_title(drift, before),
        response=RESPONSE_MODEL if kind == StepKind.MODEL else RESPONSE_TOOL,
        evidence=evidence,
    )


def _evidence(drift: Drift, before: list[float]) -> dict[str, Any]:
    """Counts, medians and p95s in seconds, ratio, p-value; tokens per call for a model."""
    kind, name = drift.group
    now = [float(s.duration_ms or 0) for s in drift.calls]
    evidence: dict[str, Any] = {
        str(kind): name,
        "window_calls": len(now),
        "baseline_calls": len(before),
        "window_median_seconds": _s(median(now)),
        "baseline_median_seconds": _s(median(before)),
        "window_p95_seconds": _s(percentile(now, 95.0)),
        "baseline_p95_seconds": _s(percentile(before, 95.0)),
        "median_ratio": "inf" if drift.ratio == float("inf") else round(drift.ratio, 3),
        "p_value": _p(drift.p_value),
    }
    if kind == StepKind.MODEL:
        for side, steps in (("window", drift.calls), ("baseline", drift.base)):
            for field in ("input_tokens", "output_tokens"):
                evidence[f"{side}_{field}_per_call"] = _mean(getattr(s, field) for s in steps)
    return evidence


def _title(drift: Drift, before: list[float]) -> str:
    """``Model gpt-4o calls slower: median 800 ms → 3.2 s (4.0×), p95 960 ms → 3.8 s over 24
    calls (baseline 168 sampled; Mann–Whitney p < 0.0001); output tokens 150 → 600``."""
    kind, name = drift.group
    now = [float(s.duration_ms or 0) for s in drift.calls]
    ratio = "" if drift.ratio == float("inf") else f" ({fmt_num(drift.ratio)}×)"
    title = (
        f"{'Model' if kind == StepKind.MODEL else 'Tool'} {name} calls slower: median "
        f"{_secs(median(before))} → {_secs(median(now))}{ratio}, p95 "
        f"{_secs(percentile(before, 95.0))} → {_secs(percentile(now, 95.0))} over "
        f"{plural(len(now), 'call')} (baseline {fmt_count(len(before))} sampled; "
        f"Mann–Whitney {_p_text(drift.p_value)})"
    )
    if kind == StepKind.MODEL:
        title += _token_note(drift)
    return title


def _token_note(drift: Drift) -> str:
    """``; output tokens 150 → 600`` for token counts per call that moved by a quarter."""
    parts = []
    for field, label in (("input_tokens", "prompt tokens"), ("output_tokens", "output tokens")):
        now = _mean(getattr(s, field) for s in drift.calls)
        before = _mean(getattr(s, field) for s in drift.base)
        if now and before and not 0.8 < now / before < 1.25:
            parts.append(f"{label} {fmt_tokens(before)} → {fmt_tokens(now)}")
    return "; " + ", ".join(parts) if parts else ""


def _mean(values: Iterable[int | None]) -> float | None:
    """The mean of the values that are not None (1 decimal); None when there are none."""
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 1) if known else None


def _s(ms: float | None) -> float | None:
    """Milliseconds as seconds, 3 decimals."""
    return None if ms is None else round(ms / 1000, 3)


def _secs(ms: float | None) -> str:
    """``3.2 s`` (one decimal), or ``120 ms`` under a second."""
    if ms is None:
        return "unknown"
    return f"{fmt_num(ms, 0)} ms" if ms < 1000 else f"{fmt_num(ms / 1000)} s"


def _p(p_value: float) -> float:
    """A p-value for JSON: 6 significant digits."""
    return float(f"{p_value:.6g}")


def _p_text(p_value: float) -> str:
    """``p < 0.0001`` or ``p = 0.0123``."""
    return "p < 0.0001" if p_value < 0.0001 else f"p = {p_value:.4f}"

"""Truncated output: model calls cut off at their output-token limit.

Finding ``truncated_output``. A model call is **cut** when its ``finish_reason`` says the
limit stopped it (``length``: OpenAI; ``max_tokens``: Anthropic, and Google's
``MAX_TOKENS``; ``max_output_tokens``: the OpenAI Responses API; any case), or when its
``output_tokens`` reached its ``max_tokens``. A cut answer or tool call is incomplete, so
the job may have acted on half of it. The seed has no words for this; the thresholds are
our choice:

- per model (calls grouped by ``model``, else step name), a finding when some job had at
  least ``JOB_SHARE`` (half) of its calls of that model cut, or when at least
  ``MIN_CUT`` calls and at least ``WINDOW_SHARE`` (5%) of the window's calls of that model
  were cut: watch;
- act when at least ``ACT_SHARE`` (20%) of the window's calls of that model were cut
  (and at least ``MIN_CUT``) and that share is above the sampled baseline's for the model
  (one-sided Fisher exact test, p < ``settings.significance``). Without baseline calls of
  the model the comparison is skipped (``evidence["skipped"]``) and the finding stays
  watch: an agent that always writes up to its limit is not news.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sopwatch.domain.enums import Severity, StepKind
from sopwatch.domain.facts import is_cut
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import (
    MAX_DETAIL_ROWS,
    fmt_count,
    ok_finding,
    pct,
    plural,
    sampled_steps,
)
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.context import CheckContext, StepFigures
from sopwatch.monitor.stats import rate_higher_p

#: A job with at least this share of its calls of one model cut is named.
JOB_SHARE = 0.5
#: The window's cut share of one model's calls that makes a finding …
WINDOW_SHARE = 0.05
#: … and that makes it act (when above the baseline's).
ACT_SHARE = 0.2
#: Fewest cut calls for the window-share rules (one or two cut calls among many are noise).
MIN_CUT = 3
#: At most this many models are listed, the most cut calls first.
MAX_FINDINGS = 10

#: Our choice (the seed has none): what to do about cut outputs.
RESPONSE_TRUNCATED = (
    "Model output was cut at its token limit: the answer or tool call it was writing is "
    "incomplete, and the Job may have acted on half of it. Open the named Jobs and read the "
    "cut step's output. Raise that step's output-token limit (max_tokens), or have the SOP "
    "ask for shorter output (a summary, fewer items per call); if the inputs grew, batch or "
    "pre-filter them before the assignment processes them (seed: cost spike, large inputs)."
)


def check_truncated_output(ctx: CheckContext) -> list[Finding]:
    """``truncated_output``: one finding per model whose cut calls meet the module's rules
    (at most ``MAX_FINDINGS``, most cut first); else one ok finding."""
    window = _tally(sampled_steps(ctx))
    base = _tally(ctx.baseline_steps.values())
    jobs = {job.id: job for job in ctx.jobs}
    findings = []
    for model in sorted(window, key=lambda model: (-len(window[model].cut), model)):
        finding = _model_finding(ctx, model, window[model], base.get(model), jobs)
        if finding is not None:
            findings.append(finding)
    if findings:
        return findings[:MAX_FINDINGS]
    total = sum(t.calls for t in window.values())
    cut = sum(len(t.cut) for t in window.values())
    title = f"No model output cut at its token limit ({plural(total, 'model call')})"
    if cut:
        title = f"{plural(cut, 'model call')} of {fmt_count(total)} cut at the token limit"
        title += ", below the thresholds"
    return [ok_finding("truncated_output", title, {"cut_calls": cut, "model_calls": total})]


@dataclass
class _Calls:
    """One model's calls: how many, and the cut ones."""

    calls: int = 0
    cut: list[Any] = field(default_factory=list)


def _tally(steps_by_job: Iterable[Sequence[Step | StepFigures]]) -> dict[str, _Calls]:
    """Model (or the step name when no model is recorded) → its calls; one pass over every
    step, ``is_cut`` only for calls that report a finish reason or a limit."""
    found: dict[str, _Calls] = defaultdict(_Calls)
    model_kind = StepKind.MODEL
    for steps in steps_by_job:
        for step in steps:
            if step.kind != model_kind:
                continue
            tally = found[step.model or step.name]
            tally.calls += 1
            if (step.finish_reason is not None or step.max_tokens is not None) and is_cut(step):
                tally.cut.append(step)
    return found


def _named_jobs(ctx: CheckContext, model: str, cut: list[Step]) -> list[int]:
    """Jobs with at least ``JOB_SHARE`` of their calls of ``model`` cut."""
    per_job = Counter(step.job_id for step in cut)
    named = []
    for job_id, count in per_job.items():
        calls = sum(
            1
            for step in ctx.steps.get(job_id, ())
            if step.kind == StepKind.MODEL and (step.model or step.name) == model
        )
        if calls and count / calls >= JOB_SHARE:
            named.append(job_id)
    return named


def _model_finding(
    ctx: CheckContext, model: str, window: _Calls, base: _Calls | None, jobs: dict[int, Job]
) -> Finding | None:
    """The finding for one model's calls, or None when its cuts meet no rule."""
    cut = window.cut
    if not cut:
        return None
    share = len(cut) / window.calls
    widespread = len(cut) >= MIN_CUT and share >= WINDOW_SHARE
    if not widespread and not _named_jobs(ctx, model, cut):
        return None
    base = base or _Calls()
    evidence = _evidence(model, window, base, jobs)
    severity = Severity.WATCH
    if len(cut) >= MIN_CUT and share >= ACT_SHARE:
        if not base.calls:
            mark_skipped(evidence, ctx, f"calls of {model}")
        elif evidence["p_value"] < ctx.settings.significance:
            severity = Severity.ACT
    return Finding(
        kind="truncated_output",
        severity=severity,
        title=_title(model, window, base),
        response=RESPONSE_TRUNCATED,
        evidence=evidence,
    )


def _evidence(model: str, window: _Calls, base: _Calls, jobs: dict[int, Job]) -> dict[str, Any]:
    """Every job with a cut call (most cut first), counts, shares, the Fisher p-value
    against the baseline, and a row per cut call (at most 50)."""
    cut: list[Step] = window.cut
    order = Counter(step.job_id for step in cut)
    cut_jobs = sorted(order, key=lambda job_id: (-order[job_id], job_id))
    base_cut = len(base.cut)
    return {
        "job_ids": [jobs[job_id].label for job_id in cut_jobs if job_id in jobs],
        "model": model,
        "cut_calls": len(cut),
        "model_calls": window.calls,
        "share": round(len(cut) / window.calls, 4),
        "baseline_cut_calls": base_cut,
        "baseline_model_calls": base.calls,
        "baseline_share": round(base_cut / base.calls, 4) if base.calls else None,
        "p_value": round(rate_higher_p(len(cut), window.calls, base_cut, base.calls), 6),
        "finish_reasons": dict(Counter(str(step.finish_reason) for step in cut).most_common()),
        "calls": [
            {
                "job_id": jobs[step.job_id].label if step.job_id in jobs else None,
                "step": step.name,
                "seq": step.seq,
                "finish_reason": step.finish_reason,
                "output_tokens": step.output_tokens,
                "max_tokens": step.max_tokens,
            }
            for step in cut[:MAX_DETAIL_ROWS]
        ],
    }


def _title(model: str, window: _Calls, base: _Calls) -> str:
    """``gpt-4o output cut at the token limit in 6 of 24 calls (25.0%), 6 jobs; baseline
    0.0% of 168 sampled calls``."""
    cut = window.cut
    jobs = len({step.job_id for step in cut})
    title = (
        f"{model} output cut at the token limit in {fmt_count(len(cut))} of "
        f"{plural(window.calls, 'call')} ({pct(len(cut) / window.calls)}), {plural(jobs, 'job')}"
    )
    if base.calls:
        share = len(base.cut) / base.calls
        title += f"; baseline {pct(share)} of {fmt_count(base.calls)} sampled calls"
    else:
        title += "; no baseline calls of this model"
    return title

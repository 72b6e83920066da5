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
from collections.abc import Iterable
from typing import Any, TypeVar

from sopwatch.domain.enums import Severity, StepKind
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks._common import MAX_DETAIL_ROWS, fmt_count, ok_finding, pct, plural
from sopwatch.monitor.checks._skipped import mark_skipped
from sopwatch.monitor.context import CheckContext, StepFigures
from sopwatch.monitor.stats import rate_higher_p

#: ``finish_reason`` values (lower case) meaning the output-token limit stopped the call.
CUT_REASONS = frozenset({"length", "max_tokens", "max_output_tokens"})
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

S = TypeVar("S", Step, StepFigures)

#: Our choice (the seed has none): what to do about cut outputs.
RESPONSE_TRUNCATED = (
    "Model output was cut at its token limit: the answer or tool call it was writing is "
    "incomplete, and the Job may have acted on half of it. Open the named Jobs and read the "
    "cut step's output. Raise that step's output-token limit (max_tokens), or have the SOP "
    "ask for shorter output (a summary, fewer items per call); if the inputs grew, batch or "
    "pre-filter them before the assignment processes them (seed: cost spike, large inputs)."
)


def is_cut(step: Step | StepFigures) -> bool:
    """True for a model call stopped by its output-token limit (module rules)."""
    reason, limit, written = step.finish_reason, step.max_tokens, step.output_tokens
    if step.kind != StepKind.MODEL or (reason is None and limit is None):
        return False
    if reason is not None and reason.strip().lower() in CUT_REASONS:
        return True
    return limit is not None and limit > 0 and written is not None and written >= limit


def check_truncated_output(ctx: CheckContext) -> list[Finding]:
    """``truncated_output``: one finding per model whose cut calls meet the module's rules
    (at most ``MAX_FINDINGS``, most cut first); else one ok finding."""
    calls = _by_model(step for steps in ctx.steps.values() for step in steps)
    total = sum(len(steps) for steps in calls.values())
    base = _by_model(step for steps in ctx.baseline_steps.values() for step in steps)
    jobs = {job.id: job for job in ctx.jobs}
    cuts = {model: [step for step in steps if is_cut(step)] for model, steps in calls.items()}
    findings = []
    for model in sorted(calls, key=lambda model: (-len(cuts[model]), model)):
        finding = _model_finding(ctx, model, calls[model], cuts[model], base.get(model, []), jobs)
        if finding is not None:
            findings.append(finding)
    if findings:
        return findings[:MAX_FINDINGS]
    cut = sum(len(found) for found in cuts.values())
    title = f"No model output cut at its token limit ({plural(total, 'model call')})"
    if cut:
        title = f"{plural(cut, 'model call')} of {fmt_count(total)} cut at the token limit"
        title += ", below the thresholds"
    return [ok_finding("truncated_output", title, {"cut_calls": cut, "model_calls": total})]


def _by_model(steps: Iterable[S]) -> dict[str, list[S]]:
    """Model (or the step name when no model is recorded) → its model calls."""
    found: dict[str, list[S]] = defaultdict(list)
    for step in steps:
        if step.kind == StepKind.MODEL:
            found[step.model or step.name].append(step)
    return found


def _cut_count(steps: Iterable[Step | StepFigures]) -> int:
    return sum(1 for step in steps if is_cut(step))


def _model_finding(
    ctx: CheckContext,
    model: str,
    calls: list[Step],
    cut: list[Step],
    base: list[StepFigures],
    jobs: dict[int, Job],
) -> Finding | None:
    """The finding for one model's ``calls`` of which ``cut`` were cut, or None when the
    cuts meet no rule."""
    if not cut:
        return None
    share = len(cut) / len(calls)
    per_job = Counter(step.job_id for step in calls)
    cut_per_job = Counter(step.job_id for step in cut)
    named = [job_id for job_id in cut_per_job if cut_per_job[job_id] / per_job[job_id] >= JOB_SHARE]
    widespread = len(cut) >= MIN_CUT and share >= WINDOW_SHARE
    if not named and not widespread:
        return None
    evidence = _evidence(model, calls, cut, base, jobs)
    severity = Severity.WATCH
    if len(cut) >= MIN_CUT and share >= ACT_SHARE:
        if not base:
            mark_skipped(evidence, ctx, f"calls of {model}")
        elif evidence["p_value"] < ctx.settings.significance:
            severity = Severity.ACT
    return Finding(
        kind="truncated_output",
        severity=severity,
        title=_title(model, calls, cut, base),
        response=RESPONSE_TRUNCATED,
        evidence=evidence,
    )


def _evidence(
    model: str,
    calls: list[Step],
    cut: list[Step],
    base: list[StepFigures],
    jobs: dict[int, Job],
) -> dict[str, Any]:
    """Every job with a cut call (most cut first), counts, shares, the Fisher p-value
    against the baseline, and a row per cut call (at most 50)."""
    base_cut = _cut_count(base)
    order = Counter(step.job_id for step in cut)
    cut_jobs = sorted(order, key=lambda job_id: (-order[job_id], job_id))
    return {
        "job_ids": [jobs[job_id].label for job_id in cut_jobs if job_id in jobs],
        "model": model,
        "cut_calls": len(cut),
        "model_calls": len(calls),
        "share": round(len(cut) / len(calls), 4),
        "baseline_cut_calls": base_cut,
        "baseline_model_calls": len(base),
        "baseline_share": round(base_cut / len(base), 4) if base else None,
        "p_value": round(rate_higher_p(len(cut), len(calls), base_cut, len(base)), 6),
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


def _title(model: str, calls: list[Step], cut: list[Step], base: list[StepFigures]) -> str:
    """``gpt-4o output cut at the token limit in 6 of 24 calls (25.0%), 6 jobs; baseline
    0.0% of 168 sampled calls``."""
    jobs = len({step.job_id for step in cut})
    title = (
        f"{model} output cut at the token limit in {fmt_count(len(cut))} of "
        f"{plural(len(calls), 'call')} ({pct(len(cut) / len(calls))}), {plural(jobs, 'job')}"
    )
    if base:
        share = _cut_count(base) / len(base)
        title += f"; baseline {pct(share)} of {fmt_count(len(base))} sampled calls"
    else:
        title += "; no baseline calls of this model"
    return title

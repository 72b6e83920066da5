"""Scenarios of issue #6's signals: cost explained, latency per model, truncated output,
rejection rate, no baseline. Each twin is the same week without the fault (for the
prompt-size spike: a week whose volume doubles at a constant cost per job, which is no
spike)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from tests.scenarios.framework import Scenario
from tests.scenarios.weeks import WINDOW_START, Run, Week, iso, quiet_week, retime

HOUR_8 = iso(WINDOW_START.replace(hour=8))


def _model_step(run: Run) -> dict[str, Any]:
    return next(step for step in run["steps"] if step["kind"] == "model")


#: Spread of prompt sizes around their mean (±4%, even, so the mean stays put).
SPREAD = (0.96, 0.98, 1.0, 1.02, 1.04)


def _with_prompts(week: Week, tokens: int, cost: float, runs: list[Run] | None = None) -> Week:
    """Each run's model call reads about ``tokens`` prompt tokens and costs about ``cost``."""
    for n, run in enumerate(week.runs if runs is None else runs):
        step, noise = _model_step(run), SPREAD[n % len(SPREAD)]
        step["input_tokens"] = int(tokens * noise)
        step["cost_usd"] = round(cost * noise, 6)
    return week


# 1. A $24 job among $0.03 jobs.


def _cents(name: str = "cost-outlier") -> Week:
    return quiet_week(name, seed=61, cost_usd=0.03)


def _one_costly_job() -> tuple[list[Week], set[str]]:
    week = _cents()
    run = week.window[7]
    step = _model_step(run)
    step["input_tokens"], step["cost_usd"] = 9_600_000, 24.0
    return [week], {run["id"]}


# 2. Prompt size 8k → 65k on the model step, at twice the volume (twin: the same doubled
#    volume at a constant cost per job).


def _doubled() -> Week:
    """Baseline at 1 job an hour, then the window day at 2 an hour, same cost per job."""
    week = quiet_week("cost-prompt", seed=62, end=WINDOW_START)
    busy = quiet_week("cost-prompt", seed=63, per_hour=2, start=WINDOW_START, prefix="busy")
    week.runs += busy.runs
    return _with_prompts(week, 8000, 0.02)


def _prompt_spike() -> tuple[list[Week], set[str]]:
    week = _doubled()
    _with_prompts(week, 65_000, 0.1625, week.window)
    return [week], {run["id"] for run in week.window}


# 3. A model 4× slower while slow tools make most of each job's time.


def _slow_tools() -> Week:
    week = quiet_week("model-latency", seed=64)
    rng = random.Random(64)
    for run in week.runs:
        for step in run["steps"]:
            if step["kind"] == "tool":
                step["duration_ms"] = int(20_000 * rng.uniform(0.8, 1.2))
        retime(run)
    return week


def _slower_model() -> tuple[list[Week], set[str]]:
    week = _slow_tools()
    for run in week.window:
        _model_step(run)["duration_ms"] *= 4
        retime(run)
    return [week], {run["id"] for run in week.window}


# 4. Outputs cut at the token limit (OpenAI "length", Anthropic "max_tokens", and output
#    tokens reaching max_tokens).


def _limited() -> Week:
    week = quiet_week("truncated", seed=65)
    for run in week.runs:
        _model_step(run)["max_tokens"] = 1024
    return week


def _cut_outputs() -> tuple[list[Week], set[str]]:
    week = _limited()
    cut = week.window[3:9]
    reasons = ["length", "length", "max_tokens", "max_tokens", "stop", None]
    for run, reason in zip(cut, reasons, strict=True):
        step = _model_step(run)
        step["output_tokens"], step["finish_reason"] = 1024, reason
    return [week], {run["id"] for run in cut}


# 5. A rising rejection rate (baseline: 1 output in 20 rejected).


def _reviewed() -> Week:
    week = quiet_week("rejections", seed=66)
    for n, run in enumerate(week.runs):
        if n % 20 == 0:
            run["verdict"] = "rejected"
    return week


def _more_rejected() -> tuple[list[Week], set[str]]:
    week = _reviewed()
    flipped = [run for run in week.window if run["verdict"] == "accepted"][:8]
    for run in flipped:
        run["verdict"] = "rejected"
    return [week], {run["id"] for run in flipped}


# 6. A cost spike that begins with a new revision at 08:00 (twin: revision 2 at 08:00 at
#    the same cost).


def _revised() -> Week:
    week = quiet_week("cost-revision", seed=67, cost_usd=0.005)
    for run in week.runs:
        run["revision"] = 2 if run["created_at"] >= HOUR_8 else 1
    return week


def _revision_spike() -> tuple[list[Week], set[str]]:
    week = _revised()
    new = [run for run in week.runs if run["revision"] == 2]
    _with_prompts(week, 7200, 0.03, new)
    return [week], {run["id"] for run in new}


# 7. No baseline: the first day, 3 of 24 jobs failed (12.5%, over the seed's 5%).


def _first_day() -> Week:
    return quiet_week("first-day", seed=68, start=WINDOW_START)


def _first_day_failures() -> tuple[list[Week], set[str]]:
    week = _first_day()
    failed = week.window[4:7]
    for run in failed:
        run["steps"] = run["steps"][:2]
        run["steps"][1]["error"] = "HTTP 500 from erp"
        run |= {"status": "failed", "error": "HTTP 500 from erp"}
        run.pop("output"), run.pop("verdict")
    return [week], {run["id"] for run in failed}


def _twin(make: Callable[[], Week]) -> Callable[[], list[Week]]:
    return lambda: [make()]


SCENARIOS = [
    Scenario(
        name="cost_one_24_dollar_job_among_3_cent_jobs",
        kind="cost_spike",
        severity="watch",
        build=_one_costly_job,
        twin=_twin(_cents),
    ),
    Scenario(
        name="cost_spike_prompt_tokens_8k_to_65k",
        kind="cost_spike",
        severity="act",
        build=_prompt_spike,
        twin=_twin(_doubled),
    ),
    Scenario(
        name="step_latency_model_4x_slower_under_slow_tools",
        kind="step_latency",
        severity="act",
        build=_slower_model,
        twin=_twin(_slow_tools),
    ),
    Scenario(
        name="truncated_output_at_the_token_limit",
        kind="truncated_output",
        severity="act",
        build=_cut_outputs,
        twin=_twin(_limited),
    ),
    Scenario(
        name="rejection_rate_rising",
        kind="rejection_rate",
        severity="act",
        build=_more_rejected,
        twin=_twin(_reviewed),
    ),
    Scenario(
        name="cost_spike_begins_with_new_revision",
        kind="cost_spike",
        severity="act",
        build=_revision_spike,
        twin=_twin(_revised),
    ),
    Scenario(
        name="no_baseline_failed_rate_over_5_percent",
        kind="needs_attention",
        severity="act",
        build=_first_day_failures,
        twin=_twin(_first_day),
    ),
]

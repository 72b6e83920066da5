"""Latency per model and tool: a model 4× slower is found even when slow tools make most
of a job's time; one slow call, a small absolute rise or a rise chance explains is not
drift."""

from __future__ import annotations

from sopwatch.domain.enums import Severity
from sopwatch.monitor.checks.latency import check_latency
from sopwatch.monitor.checks.step_latency import RESPONSE_MODEL, RESPONSE_TOOL, check_step_latency

from .builders import only
from .sampled import SampledCtx, call, use

TOOLS_MS = 20_000


def _baseline(ctx: SampledCtx, model_ms: int = 800, tool_ms: int = TOOLS_MS) -> None:
    """168 baseline jobs: a model call (±10% around ``model_ms``) and two slow tools."""
    for spread in (0.9, 0.95, 1.0, 1.05, 1.1, 1.0):
        ms = int(model_ms * spread)
        steps = [call(ms=ms), use("lookup", ms=tool_ms), use("file", ms=tool_ms)]
        ctx.baseline_with_steps(28, steps, duration_ms=ms + 2 * tool_ms)


def _window(ctx: SampledCtx, model_ms: list[int], tool_ms: int = TOOLS_MS, **call_kw: int) -> None:
    for i, ms in enumerate(model_ms):
        steps = [call(ms=ms, **call_kw), use("lookup", ms=tool_ms), use("file", ms=tool_ms)]
        ctx.job(at=i % 24, steps=steps, duration_ms=ms + 2 * tool_ms, external_id=f"r{i}")


def test_a_model_4x_slower_is_found_under_slow_tools() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    _window(ctx, [int(3200 * (0.9 + 0.01 * (i % 20))) for i in range(24)])
    built = ctx.build()
    assert check_latency(built)[0].severity == Severity.OK  # jobs took 6% longer
    finding = only(check_step_latency(built), "step_latency")
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_MODEL
    assert finding.title.startswith("Model gpt-4o calls slower: median 800 ms → 3.1 s (3.9×)")
    assert "over 24 calls (baseline 168 sampled; Mann–Whitney p < 0.0001)" in finding.title
    ev = finding.evidence
    assert ev["model"] == "gpt-4o"
    assert sorted(ev["job_ids"]) == sorted(f"r{i}" for i in range(24))
    assert ev["baseline_median_seconds"] == 0.8
    assert ev["p_value"] < 1e-6


def test_one_slow_call_is_not_drift() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    _window(ctx, [800] * 23 + [60_000])
    (finding,) = check_step_latency(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.title == (
        "Model and tool call durations in line with the baseline (3 compared: gpt-4o, file, lookup)"
    )
    assert finding.evidence["compared"][0] == {
        "model": "gpt-4o",
        "window_calls": 24,
        "baseline_calls": 168,
        "window_p50_seconds": 0.8,
        "baseline_p50_seconds": 0.8,
        "window_p95_seconds": 0.8,
        "baseline_p95_seconds": 0.88,
    }


def test_a_slower_tool_is_watch_with_the_tool_response() -> None:
    ctx = SampledCtx()
    _baseline(ctx, tool_ms=1000)
    _window(ctx, [800] * 20, tool_ms=1700)
    findings = check_step_latency(ctx.build())
    assert [(f.evidence.get("tool"), f.severity) for f in findings] == [
        ("file", Severity.WATCH),
        ("lookup", Severity.WATCH),
    ]
    assert findings[0].response == RESPONSE_TOOL


def test_a_rise_of_a_few_milliseconds_is_not_drift() -> None:
    ctx = SampledCtx()
    _baseline(ctx, model_ms=20, tool_ms=10)
    _window(ctx, [60] * 20, tool_ms=30)  # 3× slower, yet 40 ms
    assert check_step_latency(ctx.build())[0].severity == Severity.OK


def test_a_median_ratio_chance_explains_is_not_drift() -> None:
    ctx = SampledCtx()
    ctx.baseline_with_steps(10, [call(ms=500)])
    ctx.baseline_with_steps(10, [call(ms=2000)])
    _window(ctx, [2000] * 6 + [500] * 4)  # median 2 s vs 1.25 s, 1.6×, but overlapping
    findings = check_step_latency(ctx.build())
    assert all(f.severity == Severity.OK for f in findings)


def test_too_few_calls_are_not_compared() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    _window(ctx, [8000] * 9)
    (finding,) = check_step_latency(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.title == "Model and tool calls: none with 10 calls in the window and baseline"


def test_token_growth_is_named_beside_a_slower_model() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    _window(ctx, [3000] * 20, tokens_out=600)
    finding = only(check_step_latency(ctx.build()), "step_latency")
    assert finding.title.endswith("; output tokens 150 → 600")
    assert finding.evidence["window_output_tokens_per_call"] == 600.0


def test_without_baseline_steps_the_comparison_is_skipped() -> None:
    ctx = SampledCtx()
    ctx.baseline(10)
    _window(ctx, [3000] * 20)
    (finding,) = check_step_latency(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.evidence["skipped"] == "no baseline call durations"
    ctx.baseline_jobs.clear()
    assert check_step_latency(ctx.build())[0].evidence["skipped"] == "no baseline jobs"

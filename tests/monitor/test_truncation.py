"""Truncated output: model calls cut at their token limit, by finish reason or by output
tokens reaching max_tokens, named per model with the jobs, against the baseline's share."""

from __future__ import annotations

from typing import Any

import pytest

from sopwatch.domain.enums import Severity, StepKind
from sopwatch.monitor.checks.truncation import RESPONSE_TRUNCATED, check_truncated_output, is_cut
from sopwatch.monitor.context import StepFigures

from .sampled import SampledCtx, call, use


def _cut(reason: str | None = "length", **kw: Any) -> dict[str, Any]:
    return call(finish_reason=reason, tokens_out=1024, max_tokens=1024, **kw)


def _baseline(ctx: SampledCtx, count: int = 168, steps: list[dict[str, Any]] | None = None) -> None:
    ctx.baseline_with_steps(count, steps or [call(max_tokens=1024), use("lookup")])


def test_cut_outputs_of_every_spelling_are_act_when_above_the_baseline() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    cuts = [_cut("length"), _cut("stop"), _cut("max_tokens"), _cut("MAX_TOKENS"), _cut(None)]
    for i in range(24):
        first = cuts[i] if i < len(cuts) else call(max_tokens=1024)
        ctx.job(at=i, steps=[first, use("lookup")], external_id=f"r{i}")
    (finding,) = check_truncated_output(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_TRUNCATED
    assert finding.title == (
        "gpt-4o output cut at the token limit in 5 of 24 calls (20.8%), 5 jobs; baseline 0.0% "
        "of 168 sampled calls"
    )
    ev = finding.evidence
    assert ev["job_ids"] == ["r0", "r1", "r2", "r3", "r4"]
    assert ev["model"] == "gpt-4o"
    assert ev["finish_reasons"] == {
        "length": 1,
        "stop": 1,
        "max_tokens": 1,
        "MAX_TOKENS": 1,
        "None": 1,
    }
    assert ev["calls"][0] == {
        "job_id": "r0",
        "step": "gpt-4o",
        "seq": 1,
        "finish_reason": "length",
        "output_tokens": 1024,
        "max_tokens": 1024,
    }


def test_a_job_whose_only_answer_was_cut_is_named_at_watch() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    for i in range(39):
        ctx.job(at=i % 24, steps=[call()])
    ctx.job(at=3, steps=[_cut()], external_id="cut")
    (finding,) = check_truncated_output(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["job_ids"] == ["cut"]


def test_one_cut_call_among_many_in_a_job_is_ok() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    for i in range(40):
        steps = [call()] * 9 + [_cut() if i == 0 else call()]
        ctx.job(at=i % 24, steps=steps)
    (finding,) = check_truncated_output(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.title == "1 model call of 400 cut at the token limit, below the thresholds"


def test_a_few_percent_cut_across_the_window_is_watch() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    for i in range(20):
        steps = [call()] * 9 + [_cut() if i < 4 else call()]  # 4 of 200 calls: 2%
        ctx.job(at=i, steps=steps)
    assert check_truncated_output(ctx.build())[0].severity == Severity.OK
    for i in range(8):
        ctx.job(at=i, steps=[call()] * 9 + [_cut()])  # 12 of 280: 4.3%
    for i in range(4):
        ctx.job(at=i, steps=[call()] * 9 + [_cut()])  # 16 of 320: 5%
    (finding,) = check_truncated_output(ctx.build())
    assert finding.severity == Severity.WATCH
    assert len(finding.evidence["job_ids"]) == 16


def test_an_agent_that_always_writes_to_its_limit_is_not_act() -> None:
    ctx = SampledCtx()
    _baseline(ctx, 100, [_cut()])
    _baseline(ctx, 100, [call()])
    for i in range(24):
        ctx.job(at=i, steps=[_cut() if i % 2 else call()])
    (finding,) = check_truncated_output(ctx.build())
    assert finding.severity == Severity.WATCH  # 50% cut, as in the baseline
    assert finding.evidence["baseline_share"] == 0.5


def test_without_baseline_calls_the_act_comparison_is_skipped() -> None:
    ctx = SampledCtx()
    for i in range(10):
        ctx.job(at=i, steps=[_cut()])
    (finding,) = check_truncated_output(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["skipped"] == "no baseline jobs"
    assert finding.title.endswith("; no baseline calls of this model")
    _baseline(ctx, 20, [call("gpt-4.1")])
    (finding,) = check_truncated_output(ctx.build())
    assert finding.evidence["skipped"] == "no baseline calls of gpt-4o"


def test_one_finding_per_model_most_cut_first() -> None:
    ctx = SampledCtx()
    _baseline(ctx)
    for i in range(10):
        ctx.job(at=i, steps=[_cut("length", model="small"), _cut("length") if i < 4 else call()])
    findings = check_truncated_output(ctx.build())
    assert [(f.evidence["model"], f.evidence["cut_calls"]) for f in findings] == [
        ("small", 10),
        ("gpt-4o", 4),
    ]


@pytest.mark.parametrize(
    ("reason", "out", "limit", "cut"),
    [
        ("length", 10, None, True),
        (" Max_Tokens ", None, None, True),
        ("max_output_tokens", None, None, True),
        ("stop", 1024, 1024, True),
        ("stop", 1500, 1024, True),
        ("stop", 1023, 1024, False),
        ("stop", 0, 0, False),
        ("tool_calls", None, 1024, False),
        (None, None, None, False),
    ],
)
def test_what_counts_as_cut(
    reason: str | None, out: int | None, limit: int | None, cut: bool
) -> None:
    step = StepFigures(
        1, StepKind.MODEL, "m", finish_reason=reason, output_tokens=out, max_tokens=limit
    )
    assert is_cut(step) is cut
    assert not is_cut(step._replace(kind=StepKind.TOOL))

"""Cost, explained: a job far above the baseline is named, a spike names the step and model
whose cost per job grew most with its token change, and the new revision it began with;
more jobs at the same cost per job is no spike."""

from __future__ import annotations

from sopwatch.domain.enums import Severity
from sopwatch.monitor.checks.cost import check_cost
from sopwatch.monitor.checks.cost_drivers import fmt_tokens

from .sampled import SampledCtx, call, use


def _steady(ctx: SampledCtx, count: int = 168, cost: float = 0.03, **fields: object) -> None:
    """A baseline of ``count`` jobs, each one gpt-4o call costing ``cost`` and a tool call."""
    ctx.baseline_with_steps(
        count, [call(cost=cost, tokens_in=8000), use("search")], cost=cost, **fields
    )


def test_a_24_dollar_job_among_3_cent_jobs_is_named_at_watch() -> None:
    ctx = SampledCtx()
    _steady(ctx)
    for i in range(23):
        ctx.job(at=i, cost=0.03, steps=[call(cost=0.03, tokens_in=8000)], external_id=f"r{i}")
    ctx.job(at=23.5, cost=24.0, steps=[call(cost=24.0, tokens_in=6_400_000)], external_id="big")
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["job_ids"] == ["big"]
    assert finding.evidence["pattern"] == "outlier"
    assert finding.evidence["window_median_cost_usd"] == 0.03  # the median did not move
    assert "1 job far above the baseline (over 10× its median and 3× its p99): big $24.0000" in (
        finding.title
    )
    assert finding.evidence["far_above_baseline"] == [
        {"job_id": "big", "cost_usd": 24.0, "times_baseline_median": 800.0}
    ]


def test_a_prompt_size_spike_names_the_step_and_the_token_change() -> None:
    ctx = SampledCtx()
    _steady(ctx, cost=0.02)
    for i in range(24):
        ctx.job(at=i, cost=0.1625, steps=[call(cost=0.1625, tokens_in=65_000), use("search")])
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.title.endswith(
        "; most of the rise: model step gpt-4o $0.0200 → $0.1625 per job (prompt tokens 8k → 65k)"
    )
    driver = finding.evidence["cost_driver"]
    assert (driver["step"], driver["model"], driver["kind"]) == ("gpt-4o", "gpt-4o", "model")
    assert driver["baseline_input_tokens_per_call"] == 8000.0
    assert driver["window_input_tokens_per_call"] == 65000.0
    assert len(finding.evidence["job_ids"]) == 24


def test_the_driver_is_the_step_that_grew_most_not_the_costliest() -> None:
    ctx = SampledCtx()
    steps = [call(cost=0.05, name="plan"), call(cost=0.01, name="draft", tokens_out=150)]
    ctx.baseline_with_steps(100, steps, cost=0.06)
    grown = [call(cost=0.05, name="plan"), call(cost=0.05, name="draft", tokens_out=750)]
    for i in range(20):
        ctx.job(at=i, cost=0.10, steps=grown)
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.WATCH  # 1.7× the median
    assert finding.title.endswith(
        "; most of the rise: step draft (model gpt-4o) $0.0100 → $0.0500 per job "
        "(output tokens 150 → 750)"
    )
    assert finding.evidence["cost_driver"]["step"] == "draft"


def test_more_calls_per_job_are_named_as_such() -> None:
    ctx = SampledCtx()
    ctx.baseline_with_steps(100, [call(cost=0.01)], cost=0.01)
    for i in range(20):
        ctx.job(at=i, cost=0.04, steps=[call(cost=0.01)] * 4)
    (finding,) = check_cost(ctx.build())
    assert "(calls per job 1.0 → 4.0)" in finding.title


def test_a_price_change_with_the_same_tokens_is_named_as_cost_per_call() -> None:
    ctx = SampledCtx()
    ctx.baseline_with_steps(100, [call(cost=0.01)], cost=0.01)
    for i in range(20):
        ctx.job(at=i, cost=0.03, steps=[call(cost=0.03)])
    (finding,) = check_cost(ctx.build())
    assert "(cost per call $0.0100 → $0.0300)" in finding.title


def test_twice_the_jobs_at_the_same_cost_per_job_is_no_spike() -> None:
    ctx = SampledCtx()
    _steady(ctx)  # 24 jobs a day
    for i in range(48):
        ctx.job(at=i / 2, cost=0.03, steps=[call(cost=0.03, tokens_in=8000), use("search")])
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.OK
    assert "cost_driver" not in finding.evidence


def test_a_spike_that_began_with_a_new_revision_says_so() -> None:
    ctx = SampledCtx()
    _steady(ctx, cost=0.01, revision_number=1)
    for i in range(24):
        new = i >= 8
        cost = 0.06 if new else 0.01
        ctx.job(
            at=i,
            cost=cost,
            steps=[call(cost=cost, tokens_in=48_000 if new else 8000)],
            revision_number=2 if new else 1,
            external_id=f"r{i}",
        )
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.title.endswith(
        "; began with revision 2, new in the window (16 of 24 jobs from 08:00 UTC, median "
        "$0.0600, 6.0× the baseline's)"
    )
    assert finding.evidence["new_revision"]["revision"] == 2
    assert sorted(finding.evidence["job_ids"]) == sorted(f"r{i}" for i in range(8, 24))


def test_a_new_revision_at_the_old_cost_is_not_blamed() -> None:
    ctx = SampledCtx()
    _steady(ctx, cost=0.01, revision_number=1)
    for i in range(24):
        cost = 0.03 if i % 2 else 0.01  # the spike comes from both revisions alike
        ctx.job(at=i, cost=cost, steps=[call(cost=cost)], revision_number=2 if i >= 12 else 1)
    (finding,) = check_cost(ctx.build())
    assert finding.severity != Severity.OK
    assert "new_revision" not in finding.evidence
    assert "revision" not in finding.title


def test_a_spike_on_a_new_model_names_the_model() -> None:
    ctx = SampledCtx()
    _steady(ctx, cost=0.01)
    for i in range(24):
        ctx.job(at=i, cost=0.05, steps=[call("gpt-4.1", cost=0.05, tokens_in=8000)])
    (finding,) = check_cost(ctx.build())
    assert finding.title.endswith(
        "; most of the rise: model step gpt-4.1 $0.0000 → $0.0500 per job "
        "(model gpt-4.1 not in the baseline)"
    )
    assert finding.evidence["cost_driver"]["new_model"] is True


def test_a_spike_without_baseline_steps_is_reported_unexplained() -> None:
    ctx = SampledCtx()
    ctx.baseline(100, cost=0.01)  # baseline jobs without steps in the sample
    for i in range(20):
        ctx.job(at=i, cost=0.05, steps=[call(cost=0.05)])
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.ACT
    assert "cost_driver" not in finding.evidence
    assert "most of the rise" not in finding.title


def test_no_baseline_says_the_comparison_was_skipped() -> None:
    ctx = SampledCtx()
    ctx.job(cost=24.0)
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.evidence["skipped"] == "no baseline jobs"
    ctx.baseline(20)  # jobs, but without a cost
    assert check_cost(ctx.build())[0].evidence["skipped"] == "no baseline cost"


def test_token_counts_read_as_people_say_them() -> None:
    assert [fmt_tokens(n) for n in (850, 1200, 8000, 65_000, 1_250_000)] == [
        "850",
        "1.2k",
        "8k",
        "65k",
        "1,250k",
    ]

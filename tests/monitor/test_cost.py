"""Cost per job against the baseline, with robust statistics."""

from __future__ import annotations

from sopwatch.domain.enums import Severity
from sopwatch.monitor.checks.cost import RESPONSE_COST_SPIKE, check_cost

from .builders import Ctx


def _costs(ctx: Ctx, costs: list[float]) -> None:
    for i, cost in enumerate(costs):
        ctx.job(at=i % 24, cost=cost, external_id=f"run-{i}")


def test_no_cost_data_says_so() -> None:
    ctx = Ctx()
    ctx.baseline(10, cost=0.01)
    ctx.job()
    (finding,) = check_cost(ctx.build())
    assert finding.kind == "cost_spike"
    assert finding.severity == Severity.OK
    assert finding.title == "No cost recorded for jobs in the window"


def test_no_baseline_cost_is_ok_with_window_figures() -> None:
    ctx = Ctx()
    ctx.baseline(10)
    _costs(ctx, [0.02, 0.04])
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.OK
    assert "no baseline cost" in finding.title
    assert finding.evidence["window_cost_per_job_usd"] == 0.03
    assert "window_mean_micros" not in finding.evidence


def test_steady_cost_is_ok() -> None:
    ctx = Ctx()
    ctx.baseline(50, cost=0.010)
    ctx.baseline(50, cost=0.012)
    _costs(ctx, [0.010, 0.011, 0.012] * 10)
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.evidence["baseline_cost_per_job_usd"] == 0.011


def test_median_doubling_is_act_and_names_top_jobs() -> None:
    ctx = Ctx()
    ctx.baseline(40, cost=0.010)
    _costs(ctx, [0.025] * 20 + [0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_COST_SPIKE
    ev = finding.evidence
    assert ev["job_ids"][:5] == ["run-20", "run-21", "run-22", "run-23", "run-24"]
    assert len(ev["job_ids"]) == 26  # every job above the bar (1.5 × the baseline median)
    assert ev["top_jobs"][0] == {"job_id": "run-20", "cost_usd": 0.5, "cost_estimated": False}
    assert ev["window_median_cost_usd"] == 0.025
    assert ev["baseline_median_cost_usd"] == 0.01
    assert ev["median_ratio"] == 2.5


def test_median_ratio_between_one_and_a_half_and_two_is_watch() -> None:
    ctx = Ctx()
    ctx.baseline(40, cost=0.010)
    _costs(ctx, [0.0175] * 10)
    assert check_cost(ctx.build())[0].severity == Severity.WATCH
    ctx = Ctx()
    ctx.baseline(40, cost=0.010)
    _costs(ctx, [0.0149] * 10)
    assert check_cost(ctx.build())[0].severity == Severity.OK


def test_many_jobs_above_baseline_p95_is_watch_even_with_same_median() -> None:
    ctx = Ctx()
    ctx.baseline(100, cost=0.010)
    _costs(ctx, [0.010] * 7 + [0.05] * 3)  # median unchanged, 30% above p95
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["share_above_baseline_p95"] == 0.3


def test_one_outlier_is_not_a_spike_pattern_but_is_named_at_watch() -> None:
    ctx = Ctx()
    ctx.baseline(100, cost=0.010)
    _costs(ctx, [0.010] * 19 + [1.0])
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.WATCH  # far above the baseline: 100× its median
    assert finding.evidence["pattern"] == "outlier"
    assert finding.evidence["job_ids"] == ["run-19"]


def test_one_job_a_few_times_the_median_is_ok() -> None:
    ctx = Ctx()
    ctx.baseline(100, cost=0.010)
    _costs(ctx, [0.010] * 19 + [0.05])  # 5× the median: not far above the baseline
    assert check_cost(ctx.build())[0].severity == Severity.OK


def test_a_few_very_expensive_jobs_beyond_chance_are_a_watch() -> None:
    ctx = Ctx()
    ctx.baseline(50, cost=0.010)
    ctx.baseline(50, cost=0.012)
    _costs(ctx, [0.011] * 35 + [0.07] * 5)  # 12.5% of jobs at 6x: a loop, say
    (finding,) = check_cost(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["pattern"] == "isolated"
    assert finding.response == RESPONSE_COST_SPIKE
    assert finding.evidence["top_jobs"][0]["cost_usd"] == 0.07


def test_estimated_costs_are_named_in_title_and_evidence() -> None:
    ctx = Ctx()
    ctx.baseline(40, cost=0.010)
    for i in range(20):
        ctx.job(at=i % 24, cost=0.025, cost_estimated=i < 15)
    (finding,) = check_cost(ctx.build())
    assert finding.title.startswith(
        "Cost per job (estimated from tokens for 15 of 20 jobs): median $0.0250 vs baseline "
        "$0.0100 (2.5×)"
    )
    assert finding.evidence["cost_estimated_jobs"] == 15
    assert finding.evidence["baseline_cost_estimated_jobs"] == 0
    assert finding.evidence["top_jobs"][0]["cost_estimated"] is True


def test_estimated_baseline_costs_are_named_too() -> None:
    ctx = Ctx()
    ctx.baseline(40, cost=0.010, cost_estimated=True)
    _costs(ctx, [0.010] * 10)
    (finding,) = check_cost(ctx.build())
    assert finding.title.startswith(
        "Cost per job (baseline estimated from tokens for 40 of 40 jobs): median"
    )
    assert finding.evidence["baseline_cost_estimated_jobs"] == 40
    ctx.jobs.clear()
    ctx.job(cost=0.01, cost_estimated=True)
    (finding,) = check_cost(ctx.build())
    assert finding.title.startswith(
        "Cost per job (estimated from tokens for 1 of 1 job; baseline 40 of 40): median"
    )


def test_estimated_cost_without_baseline_says_so() -> None:
    ctx = Ctx()
    ctx.job(cost=0.02, cost_estimated=True)
    ctx.job(cost=0.04)
    (finding,) = check_cost(ctx.build())
    assert finding.title == (
        "Cost per job (estimated from tokens for 1 of 2 jobs): mean $0.0300 over 2 jobs; "
        "no baseline cost to compare with"
    )
    assert finding.evidence["cost_estimated_jobs"] == 1


def test_reported_costs_carry_no_estimate_note() -> None:
    ctx = Ctx()
    ctx.baseline(40, cost=0.010)
    _costs(ctx, [0.010] * 10)
    (finding,) = check_cost(ctx.build())
    assert finding.title.startswith("Cost per job: median $0.0100")
    assert finding.evidence["cost_estimated_jobs"] == 0

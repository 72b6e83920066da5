"""Rejection rate: a rising rejected share of verdicts against the baseline, by Fisher's
exact test with a minimum count; skipped without baseline verdicts."""

from __future__ import annotations

from sopwatch.domain.enums import Severity, Verdict
from sopwatch.monitor.checks.verdicts import RESPONSE_REJECTIONS, check_rejection_rate

from .builders import Ctx


def _baseline(ctx: Ctx, accepted: int = 160, rejected: int = 8) -> None:
    ctx.baseline(accepted, verdict=Verdict.ACCEPTED, revision_number=1)
    ctx.baseline(rejected, verdict=Verdict.REJECTED, revision_number=1)


def _window(ctx: Ctx, rejected: int, accepted: int, **fields: object) -> None:
    for i in range(rejected):
        ctx.job(at=i % 24, verdict=Verdict.REJECTED, external_id=f"bad-{i}", **fields)
    for i in range(accepted):
        ctx.job(at=i % 24, verdict=Verdict.ACCEPTED, external_id=f"ok-{i}", **fields)


def test_a_rising_rejection_rate_is_act_naming_the_rejected_jobs() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, rejected=8, accepted=16)
    (finding,) = check_rejection_rate(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_REJECTIONS
    assert finding.title == (
        "Rejected outputs: 8 of 24 jobs with a verdict (33.3%) vs baseline 4.8% (8 of 168); "
        "Fisher p = 0.0001"
    )
    assert finding.evidence["job_ids"] == [f"bad-{i}" for i in range(8)]
    assert finding.evidence["baseline_share"] == 0.0476


def test_a_significant_rise_short_of_double_is_watch() -> None:
    ctx = Ctx()
    _baseline(ctx, accepted=700, rejected=300)  # 30%
    _window(ctx, rejected=55, accepted=45)  # 55%: significant, not double
    (finding,) = check_rejection_rate(ctx.build())
    assert finding.severity == Severity.WATCH


def test_the_baseline_rate_is_no_finding() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, rejected=1, accepted=23)
    (finding,) = check_rejection_rate(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.evidence["job_ids"] == ["bad-0"]


def test_two_rejections_are_never_a_finding() -> None:
    ctx = Ctx()
    ctx.baseline(168, verdict=Verdict.ACCEPTED)
    _window(ctx, rejected=2, accepted=0)  # 100% of 2, p < 0.001, yet two jobs
    assert check_rejection_rate(ctx.build())[0].severity == Severity.OK
    _window(ctx, rejected=3, accepted=0)
    assert check_rejection_rate(ctx.build())[0].severity == Severity.ACT


def test_rejections_by_revision_when_the_window_ran_several() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, rejected=6, accepted=2, revision_number=2)
    _window(ctx, rejected=0, accepted=16, revision_number=1)
    (finding,) = check_rejection_rate(ctx.build())
    assert finding.evidence["by_revision"] == {
        "1": {"rejected": 0, "reviewed": 16},
        "2": {"rejected": 6, "reviewed": 8},
    }


def test_without_baseline_verdicts_the_comparison_is_skipped() -> None:
    ctx = Ctx()
    _window(ctx, rejected=20, accepted=4)
    (finding,) = check_rejection_rate(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.evidence["skipped"] == "no baseline jobs"
    assert finding.title.endswith("(83.3%); no baseline verdicts to compare with")
    ctx.baseline(30)  # jobs without verdicts
    assert check_rejection_rate(ctx.build())[0].evidence["skipped"] == "no baseline verdicts"


def test_no_verdicts_in_the_window() -> None:
    ctx = Ctx()
    _baseline(ctx)
    ctx.job()
    (finding,) = check_rejection_rate(ctx.build())
    assert (finding.severity, finding.title) == (Severity.OK, "No verdicts on jobs in the window")

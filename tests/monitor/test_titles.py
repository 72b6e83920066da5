"""Every check's titles format numbers alike: separators, one-decimal shares, plurals."""

from __future__ import annotations

import re

import pytest

from sopwatch.domain.enums import CaseStatus, JobStatus
from sopwatch.monitor.checks._common import fmt_count, fmt_num, fmt_usd, pct, plural
from sopwatch.monitor.daily_check import run_daily_check

from .builders import Ctx, model, synthetic, tool

#: A run of 4+ digits that is not part of a word, an id or a decimal fraction.
BARE_THOUSANDS = re.compile(r"(?<![\w.,$-])\d{4,}(?![\w-])")
#: "1 jobs", "1 failed jobs", "1 of 1 cases" …
SINGULAR_AS_PLURAL = re.compile(
    r"(?<![\d.,])1 (?:completed |failed |human |different |more )?"
    r"(?:jobs|steps|cases|requests|times|errors)\b"
)
#: A percentage without exactly one decimal.
BAD_PERCENT = re.compile(r"(?<![\d.])(?:\d+|\d+\.\d{2,})%")


def _titles(report_findings: list[object]) -> list[str]:
    return [f.title for f in report_findings]  # type: ignore[attr-defined]


def _without_labels(findings: list[object]) -> list[str]:
    """Titles with the job labels they name taken out (labels are ids, not numbers)."""
    titles = []
    for finding in findings:
        title = finding.title  # type: ignore[attr-defined]
        for label in finding.evidence.get("job_ids", []):  # type: ignore[attr-defined]
            title = title.replace(str(label), "<job>")
        titles.append(title)
    return titles


def test_helpers() -> None:
    assert fmt_count(17_780) == "17,780"
    assert fmt_num(1234.56) == "1,234.6"
    assert fmt_num(4.0, 2, trim=True) == "4"
    assert fmt_num(0.25, 2, trim=True) == "0.25"
    assert pct(0.125) == "12.5%" and pct(12.5) == "1,250.0%"
    assert fmt_usd(12_300) == "$0.0123"
    assert plural(1, "job") == "1 job" and plural(2, "job") == "2 jobs"
    assert plural(17_780, "job") == "17,780 jobs"


def test_busy_day_titles_separate_thousands_and_give_one_decimal_percentages() -> None:
    report = run_daily_check(synthetic())
    titles = _without_labels(report.findings)
    assert any("3,500" in t for t in titles)  # the fixture does reach the thousands
    for title in titles:
        assert not BARE_THOUSANDS.search(title), title
        assert not BAD_PERCENT.search(title), title


def _one_of_everything() -> Ctx:
    """A window where every count a title shows is 1."""
    ctx = Ctx(expected_runs_per_day=1)
    ctx.baseline(1, cost=0.01, duration_ms=1000, case=CaseStatus.FAILED)
    job = ctx.job(
        JobStatus.FAILED,
        steps=[tool("a", "{}", error="401 Unauthorized", connection="c")] * 3,
        cost=0.05,
        duration_ms=5000,
        case=CaseStatus.FAILED,
    )
    ctx.request(job, age_hours=6)
    return ctx


@pytest.mark.parametrize(
    "build",
    [
        _one_of_everything,
        lambda: _with(Ctx(), lambda c: c.job(steps=[model(error="E")], cost=0.01)),
        lambda: _with(Ctx(), lambda c: c.job(JobStatus.NEEDS_INPUT)),
        lambda: _with(Ctx(), lambda c: c.job(output="o")),
    ],
)
def test_a_count_of_one_reads_singular(build: object) -> None:
    ctx = build()  # type: ignore[operator]
    titles = _titles(run_daily_check(ctx.build()).findings)
    assert any(re.search(r"\b1 (?:\w+ )?(?:job|case|request|step)\b", t) for t in titles)
    for title in titles:
        assert not SINGULAR_AS_PLURAL.search(title), title


def _with(ctx: Ctx, add: object) -> Ctx:
    add(ctx)  # type: ignore[operator]
    return ctx


def test_volume_cases_latency_and_loop_titles_use_the_shared_formats() -> None:
    report = run_daily_check(_one_of_everything().build())
    titles = {f.kind: f.title for f in report.findings}
    assert titles["run_volume"].startswith("1 job in the window, expected about 1.0")
    assert titles["case_failed_rate"] == "Case failed rate 100.0% (1 of 1 case); baseline 100.0%"
    assert titles["latency_drift"] == (
        "Job duration: median 5.0 s vs baseline 1.0 s (5.0×); 1 of 1 job above the baseline "
        "p95 (1.0 s)"
    )
    assert titles["tool_loop"].startswith("a called 3 times with the same arguments")
    assert titles["inbox_stale"] == "1 human request unanswered for more than 4 h (oldest 6.0 h)"


def test_baseline_description_counts_jobs_alike() -> None:
    one = Ctx()
    one.baseline(1)
    assert one.build().baseline.describe().endswith("UTC), 1 job")
    many = Ctx()
    many.baseline(1_234)
    assert many.build().baseline.describe().endswith("UTC), 1,234 jobs")

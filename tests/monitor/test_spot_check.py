"""Output spot-check: a reproducible random pick of completed jobs."""

from __future__ import annotations

from sopwatch.domain.enums import JobStatus, Severity, Verdict
from sopwatch.monitor.checks.spot_check import (
    PREVIEW_WIDTH,
    RESPONSE_REJECTED,
    check_spot_check,
    output_preview,
)
from sopwatch.monitor.context import CheckSettings

from .builders import Ctx


def _window(seed: int | None, size: int = 5, completed: int = 30) -> Ctx:
    ctx = Ctx(settings=CheckSettings(seed=seed, spot_check_size=size))
    for i in range(completed):
        ctx.job(at=i % 24, output=f"answer {i} " + "x" * 500, verdict=Verdict.ACCEPTED)
    ctx.job(JobStatus.FAILED, output="never picked")
    return ctx


def test_same_seed_same_pick() -> None:
    first = check_spot_check(_window(seed=7).build())[0]
    again = check_spot_check(_window(seed=7).build())[0]
    other = check_spot_check(_window(seed=8).build())[0]
    assert first.evidence["job_ids"] == again.evidence["job_ids"]
    assert first.evidence["job_ids"] != other.evidence["job_ids"]
    assert len(first.evidence["job_ids"]) == 5
    assert len(set(first.evidence["job_ids"])) == 5


def test_pick_is_completed_jobs_with_truncated_output() -> None:
    ctx = _window(seed=1)
    built = ctx.build()
    (finding,) = check_spot_check(built)
    completed = {j.label for j in built.jobs if j.status == JobStatus.COMPLETED}
    assert set(finding.evidence["job_ids"]) <= completed
    row = finding.evidence["jobs"][0]
    assert set(row) == {"job_id", "verdict", "output", "output_lines"}
    assert len(row["output"]) == 300
    assert row["output_lines"][0].startswith("answer ")
    assert row["verdict"] == "accepted"
    assert finding.severity == Severity.OK
    assert finding.evidence["verdicts"] == {"accepted": 30, "rejected": 0}


def test_size_is_capped_by_completed_jobs() -> None:
    (finding,) = check_spot_check(_window(seed=1, size=5, completed=2).build())
    assert len(finding.evidence["job_ids"]) == 2


def test_rejected_pick_is_watch() -> None:
    ctx = Ctx(settings=CheckSettings(seed=3, spot_check_size=3))
    for i in range(3):
        ctx.job(at=i, verdict=Verdict.REJECTED if i == 1 else Verdict.ACCEPTED, output="o")
    (finding,) = check_spot_check(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.response == RESPONSE_REJECTED
    assert len(finding.evidence["rejected"]) == 1


def test_no_completed_jobs_is_not_applicable() -> None:
    ctx = Ctx()
    ctx.job(JobStatus.FAILED)
    (finding,) = check_spot_check(ctx.build())
    assert finding.severity == Severity.OK
    assert "not applicable" in finding.title
    assert "verdicts" not in finding.evidence


def test_preview_pretty_prints_json_and_marks_cuts() -> None:
    text = '{"b":[1,2,3,4,5],"a":"' + "x" * 200 + '"}'
    lines = output_preview(text)
    assert lines[0] == "{"
    assert lines[1] == ('  "a": "' + "x" * 200)[: PREVIEW_WIDTH - 1] + "…"
    assert lines[2:] == ['  "b": [', "    1,", "    2,…"]  # 5 lines at most


def test_preview_wraps_text_and_drops_blank_lines_and_control_characters() -> None:
    # indentation kept (tab = 4 spaces), the escape character shown as a space
    assert output_preview("Done.\n\n\tRefund \x1b[1missued") == ["Done.", "    Refund  [1missued"]
    assert output_preview("word " * 30, width=20) == [
        "word word word word",
        "word word word word",
        "word word word word",
        "word word word word",
        "word word word word…",
    ]
    assert output_preview(None) == [] and output_preview("  \n") == []


def test_preview_marks_an_output_cut_at_the_payload_limit() -> None:
    assert output_preview("short", cut=True) == ["short…"]
    assert output_preview("x" * PREVIEW_WIDTH, cut=True) == ["x" * (PREVIEW_WIDTH - 1) + "…"]
    ctx = Ctx()
    ctx.job(output="partial answer", output_bytes=40_000)
    (finding,) = check_spot_check(ctx.build())
    assert finding.evidence["jobs"][0]["output_lines"] == ["partial answer…"]

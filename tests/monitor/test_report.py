"""Rendering a report as plain text and as Markdown."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from sopwatch.domain.enums import Severity, Verdict
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks.spot_check import check_spot_check
from sopwatch.monitor.context import CheckSettings
from sopwatch.monitor.daily_check import Report, run_daily_check
from sopwatch.monitor.report import md_code, md_text, render_markdown, render_text

from .builders import Ctx


def _report(findings: list[Finding]) -> Report:
    base = run_daily_check(Ctx().build(), checks=())
    return Report(
        assignment="airline-support",
        window=base.window,
        baseline=base.baseline,
        findings=findings,
    )


ACT = Finding(
    kind="failure_cluster",
    severity=Severity.ACT,
    title="PageDownTool fails | with the same error in 8 jobs",
    response="Fix the step.",
    evidence={
        "job_ids": [f"trace-{i}" for i in range(8)],
        "step": "PageDownTool",
        "step_count": 12,
        "jobs": [{"job_id": f"trace-{i}", "error": "E"} for i in range(7)],
        "gates": {"refund": 3},
    },
)
WATCH = Finding(
    kind="tool_loop",
    severity=Severity.WATCH,
    title="search called 3 times",
    response="Fix the step.",
    evidence={"job_ids": ["job-1"]},
)
OK = Finding(kind="run_volume", severity=Severity.OK, title="On target", response="Nothing.")


def test_text_header_and_one_line_per_finding() -> None:
    text = render_text(_report([ACT, WATCH, OK]))
    lines = text.splitlines()
    assert lines[0] == "Daily check: airline-support"
    assert lines[1] == "Window:   2025-11-26 00:00 → 2025-11-27 00:00 UTC (24 h)"
    assert lines[2].startswith("Baseline: none: no jobs")
    assert lines[3] == "Result:   ACT: 1 act, 1 watch, 1 ok"
    assert any(line.startswith("ACT    failure_cluster  PageDownTool fails") for line in lines)
    assert any(line.startswith("WATCH  tool_loop        search called 3 times") for line in lines)
    assert any(line.startswith("ok     run_volume       On target") for line in lines)


def test_text_shows_five_job_ids_and_the_response_under_act_and_watch_only() -> None:
    text = render_text(_report([ACT, WATCH, OK]))
    assert "jobs: trace-0, trace-1, trace-2, trace-3, trace-4 +3 more" in text
    assert "→ Fix the step." in text
    assert "→ same response as above" in text  # WATCH repeats ACT's response
    assert "Nothing." not in text
    assert "jobs: job-1\n" in text


def test_markdown_has_table_and_sections_for_act_and_watch() -> None:
    md = render_markdown(_report([ACT, WATCH, OK]))
    assert md.startswith("# Daily check: airline-support\n")
    assert "| Severity | Check | Finding |" in md
    assert "| ACT | failure_cluster | PageDownTool fails \\| with the same error in 8 jobs |" in md
    assert "| ok | run_volume | On target |" in md
    assert md.count("\n## ") == 2
    assert "## ACT — failure_cluster:" in md
    assert "- **job_ids** (8): `trace-0`, `trace-1`, `trace-2`, `trace-3`, `trace-4` +3 more" in md
    assert "- **step**: `PageDownTool`" in md
    assert "- **jobs** (7):" in md and "  - +2 more" in md
    assert "- **gates**: refund: 3" in md
    assert md.count("**Response:** Fix the step.") == 2


def test_real_report_renders() -> None:
    ctx = Ctx()
    ctx.job()
    report = run_daily_check(ctx.build())
    text = render_text(report)
    # all ok: no extra lines but the spot-check's picked job and its (missing) output, and
    # the two lines on the comparisons skipped for want of a baseline
    assert len(text.splitlines()) == 7 + len(report.findings) + 2
    assert (
        "\nSkipped:  compared with nothing, so judged on absolute rules only: run_volume, "
        "source_breakdown (no\n          baseline jobs)\n"
    ) in text
    assert "       job-1:\n         (no output)\n" in text
    assert render_markdown(report).count("\n## ") == 0


def test_text_lists_act_findings_first_under_act_now() -> None:
    lines = render_text(_report([WATCH, OK, ACT])).splitlines()
    start = lines.index("Act now:")
    assert start == 4
    assert lines[start + 1] == "  - PageDownTool fails | with the same error in 8 jobs"
    assert lines[start + 2] == ""
    assert "Act now:" not in render_text(_report([WATCH, OK]))


def _spot_check_report(severity: Severity = Severity.OK) -> str:
    ctx = Ctx(settings=CheckSettings(seed=1, spot_check_size=2))
    answer = {"answer": "Refund issued for order 8812. " * 6, "items": list(range(8))}
    ctx.job(output=json.dumps(answer), verdict=Verdict.ACCEPTED, external_id="run-json")
    ctx.job(output="I cancelled the reservation. " * 40, external_id="run-text")
    (finding,) = check_spot_check(ctx.build())
    return render_text(_report([replace(finding, severity=severity)]))


def test_text_prints_the_spot_check_outputs_it_asks_the_reader_to_read() -> None:
    text = _spot_check_report()
    lines = text.splitlines()
    json_at = lines.index("       run-json (accepted):")
    answer = ('  "answer": "' + "Refund issued for order 8812. " * 6)[:89] + "…"
    assert lines[json_at + 1 : json_at + 3] == ["         {", "         " + answer]
    assert lines[json_at + 5] == "             1,…"  # 5 lines at most, the cut marked
    text_at = lines.index("       run-text:")
    prose = lines[text_at + 1 :]
    assert len(prose) == 5  # wrapped at 90 characters, not cut at the first line
    assert prose[0] == "         " + ("I cancelled the reservation. " * 4)[:88].rstrip()
    assert prose[-1].endswith(" I…")
    assert all(len(line) <= 100 for line in lines[json_at:])
    assert "       →" not in text  # ok: no response


def test_watch_spot_check_prints_outputs_instead_of_job_ids_and_then_the_response() -> None:
    lines = _spot_check_report(Severity.WATCH).splitlines()
    assert not any(line.strip().startswith("jobs:") for line in lines)
    assert lines.index("       run-text:") < next(
        i for i, line in enumerate(lines) if line.startswith("       →")
    )


# --- Markdown renders data as written ---------------------------------------------------

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
NASTY = "<str> | `a` ``b`` *c* _d_ [e](f) &amp; ~g~ $1 and $2 #3 \\ snake_case_name"


def _inline_text(children: list[Token] | None, ours: frozenset[str] = frozenset()) -> str:
    """The plain text a reader sees, failing on any markup but the report's own (``ours``)."""
    parts = []
    for token in children or []:
        if token.type in ours:
            continue
        assert token.type in {"text", "code_inline", "softbreak"}, (token.type, token.content)
        parts.append(" " if token.type == "softbreak" else token.content)
    return "".join(parts)


BOLD = frozenset({"strong_open", "strong_close"})


def _seen(source: str, ours: frozenset[str] = frozenset()) -> str:
    inline = next(t for t in MD.parse(source) if t.type == "inline")
    return _inline_text(inline.children, ours)


def _norm(text: str) -> str:
    return " ".join(text.split())


PRINTABLE = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@given(PRINTABLE)
def test_md_text_renders_as_written_in_paragraph_heading_list_and_table(text: str) -> None:
    expected = _norm(text.replace("\x00", "\ufffd"))
    escaped = md_text(text)
    assert "\n" not in escaped
    assert _norm(_seen("x " + escaped))[2:] == expected or _norm(_seen("x " + escaped)) == "x"
    assert _norm(_seen("## H: " + escaped))[3:] == expected or expected == ""
    assert _norm(_seen("- **k**: " + escaped, BOLD)).removeprefix("k:").strip() == expected
    table = f"| a | b |\n|---|---|\n| 1 | {escaped} |"
    cells = [t for t in MD.parse(table) if t.type == "inline"]
    assert len(cells) == 4  # the data added no column
    assert _norm(_inline_text(cells[3].children)) == expected


@given(PRINTABLE)
def test_md_code_shows_any_text_exactly_in_one_code_span(text: str) -> None:
    inline = next(t for t in MD.parse("x " + md_code(text)) if t.type == "inline")
    codes = [t for t in inline.children or [] if t.type == "code_inline"]
    assert len(codes) == 1
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    assert codes[0].content == (flat.replace("\x00", "\ufffd") or '""')


def test_md_escapes_examples() -> None:
    assert md_text("a <str> | b") == r"a \<str\> \| b"
    assert md_text("snake_case _x_") == r"snake_case \_x\_"
    assert md_code("plain") == "`plain`"
    assert md_code("a `b` c") == "``a `b` c``"
    assert md_code("`x``") == "``` `x`` ```"


def test_markdown_report_keeps_titles_and_evidence_as_written() -> None:
    finding = Finding(
        kind="failure_cluster",
        severity=Severity.ACT,
        title="lookup fails: " + NASTY,
        response="Read it.",
        evidence={
            "job_ids": ["a`b", "<c>"],
            "sample_error": NASTY,
            "gates": {"<g>|x": 2},
            "jobs": [{"job_id": "a`b", "error": "``x``"}],
        },
    )
    md = render_markdown(_report([finding, OK]))
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(rows) == 3  # header + 2 findings: the title's pipe split nothing
    inline = [t for t in MD.parse(md) if t.type == "inline"]
    seen = [_inline_text(t.children, BOLD) for t in inline]
    assert finding.title in seen  # table cell
    assert f"ACT — failure_cluster: {finding.title}" in seen  # heading
    assert "job_ids (2): a`b, <c>" in seen
    assert f"sample_error: {NASTY}" in seen
    assert "gates: <g>|x: 2" in seen
    assert '{"job_id": "a`b", "error": "``x``"}' in seen
    assert not any(t.type.startswith("html") for t in MD.parse(md))

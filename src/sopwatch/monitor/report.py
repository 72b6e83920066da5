"""Render a daily-check ``Report`` for people: plain text for the terminal, Markdown for
issues, chat and the post-incident record.

Both keep checklist order and show, per ``act``/``watch`` finding, at most
``MAX_JOB_IDS`` job ids ("+N more") and the seed's recommended response, so a person
reads the report in under a minute. The JSON form is ``Report.to_dict()``.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.daily_check import Report

#: Job ids shown per finding before "+N more" (our choice: a report read in under a minute).
MAX_JOB_IDS = 5
#: Rows shown of a list in Markdown evidence, and characters of one rendered value.
MAX_LIST_ROWS = 5
MAX_VALUE_CHARS = 300
TEXT_WIDTH = 100

_LABEL = {Severity.ACT: "ACT", Severity.WATCH: "WATCH", Severity.OK: "ok"}


def _when(moment: datetime) -> str:
    """``2025-01-02 00:00`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _window(report: Report) -> str:
    """``2025-01-02 00:00 → 2025-01-03 00:00 UTC (24 h)``."""
    hours = report.window.length.total_seconds() / 3600
    return f"{_when(report.window.start)} → {_when(report.window.end)} UTC ({hours:g} h)"


def _summary(report: Report) -> str:
    """``ACT: 2 act, 3 watch, 9 ok``."""
    counts = Counter(finding.severity for finding in report.findings)
    parts = ", ".join(
        f"{counts.get(s, 0)} {s}" for s in (Severity.ACT, Severity.WATCH, Severity.OK)
    )
    return f"{_LABEL[report.severity]}: {parts}"


def job_ids_line(job_ids: list[str], limit: int = MAX_JOB_IDS) -> str:
    """``a, b, c, d, e +12 more`` (empty string for no ids)."""
    shown = ", ".join(job_ids[:limit])
    rest = len(job_ids) - limit
    return f"{shown} +{rest} more" if rest > 0 else shown


def _act_now(report: Report) -> list[str]:
    """``Act now:`` and the act findings' titles (at most 5), so the headline comes first."""
    titles = [f.title for f in report.findings if f.severity == Severity.ACT]
    if not titles:
        return []
    lines = ["Act now:"] + [f"  - {t}" for t in titles[:MAX_JOB_IDS]]
    if len(titles) > MAX_JOB_IDS:
        lines.append(f"  - … and {len(titles) - MAX_JOB_IDS} more below")
    return lines


def render_text(report: Report) -> str:
    """Plain text: a header (assignment, window, baseline, result), then one line per
    finding ``ACT/WATCH/ok  kind  title``; under each act/watch finding its job ids (at most
    5, "+N more") and its response, wrapped at 100 columns (a response already printed for
    an earlier finding reads "same response as above")."""
    lines = [
        f"Daily check: {report.assignment}",
        f"Window:   {_window(report)}",
        f"Baseline: {report.baseline.describe()}",
        f"Result:   {_summary(report)}",
        *_act_now(report),
        "",
    ]
    kind_width = max((len(f.kind) for f in report.findings), default=0)
    indent = " " * 7
    shown: set[str] = set()
    for finding in report.findings:
        label = _LABEL[finding.severity]
        lines.append(f"{label:<6} {finding.kind:<{kind_width}}  {finding.title}")
        if finding.severity == Severity.OK:
            continue
        ids = _job_ids(finding)
        if ids:
            lines.append(f"{indent}jobs: {job_ids_line(ids)}")
        if finding.response in shown:
            lines.append(f"{indent}→ same response as above")
            continue
        shown.add(finding.response)
        lines.extend(
            textwrap.wrap(
                "→ " + finding.response,
                width=TEXT_WIDTH,
                initial_indent=indent,
                subsequent_indent=indent + "  ",
            )
        )
    return "\n".join(lines) + "\n"


def _job_ids(finding: Finding) -> list[str]:
    """The finding's ``job_ids`` evidence as strings."""
    return [str(job_id) for job_id in finding.evidence.get("job_ids", [])]


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no pipes, no newlines)."""
    return text.replace("|", "\\|").replace("\n", " ")


def _compact(value: Any) -> str:
    """A value as one line of compact JSON (strings as they are), ≤ 300 chars."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _evidence_lines(evidence: dict[str, Any]) -> list[str]:
    """Markdown bullets for one finding's evidence (job ids first, lists ≤ 5 rows)."""
    lines = [f"- **job_ids** ({len(evidence.get('job_ids', []))}): "]
    lines[0] += job_ids_line([f"`{j}`" for j in evidence.get("job_ids", [])]) or "none"
    for key, value in evidence.items():
        if key == "job_ids":
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"- **{key}** ({len(value)}):")
            lines += [f"  - `{_compact(row)}`" for row in value[:MAX_LIST_ROWS]]
            if len(value) > MAX_LIST_ROWS:
                lines.append(f"  - +{len(value) - MAX_LIST_ROWS} more")
        elif isinstance(value, dict):
            pairs = ", ".join(f"{k}: {v}" for k, v in value.items())
            lines.append(f"- **{key}**: {_compact(pairs)}")
        else:
            lines.append(f"- **{key}**: `{_compact(value)}`")
    return lines


def render_markdown(report: Report) -> str:
    """Markdown: a heading, window/baseline/result bullets, a table of all findings
    (severity, check, finding), then one section per act/watch finding with its evidence
    and the recommended response."""
    lines = [
        f"# Daily check: {report.assignment}",
        "",
        f"- **Window:** {_window(report)}",
        f"- **Baseline:** {report.baseline.describe()}",
        f"- **Result:** {_summary(report)}",
        "",
        "| Severity | Check | Finding |",
        "|---|---|---|",
    ]
    lines += [f"| {_LABEL[f.severity]} | {f.kind} | {_cell(f.title)} |" for f in report.findings]
    for finding in report.findings:
        if finding.severity == Severity.OK:
            continue
        lines += ["", f"## {_LABEL[finding.severity]} — {finding.kind}: {finding.title}", ""]
        lines += ["**Evidence**", ""]
        lines += _evidence_lines(finding.evidence)
        lines += ["", f"**Response:** {finding.response}"]
    return "\n".join(lines) + "\n"

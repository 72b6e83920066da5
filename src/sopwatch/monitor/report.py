"""Render a daily-check ``Report`` for people: plain text for the terminal, Markdown for
issues, chat and the post-incident record.

Both keep checklist order and show, per ``act``/``watch`` finding, at most
``MAX_JOB_IDS`` job ids ("+N more") and the seed's recommended response, so a person
reads the report in under a minute. The text report also prints, under ``spot_check``,
the start of each picked job's output (the check's ``output_lines``), since it asks the
reader to read them. The JSON form is ``Report.to_dict()``.

Markdown shows every text that comes from data (titles, error text, evidence, names)
as written: plain text is backslash-escaped (``md_text``) and values go in code spans
whose backtick fence is longer than any backtick run inside (``md_code``), so a report
pasted into GitHub neither loses ``<str>`` to HTML nor breaks its table on a ``|``.
"""

from __future__ import annotations

import json
import re
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
#: Indent of the lines under a finding in the text report, and of an output's lines.
INDENT = " " * 7
OUTPUT_INDENT = " " * 9


def _when(moment: datetime) -> str:
    """``2025-01-02 00:00`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _window(report: Report) -> str:
    """``2025-01-02 00:00 → 2025-01-03 00:00 UTC (24 h)``."""
    length = _length(report.window.length.total_seconds())
    return f"{_when(report.window.start)} → {_when(report.window.end)} UTC ({length})"


def _length(seconds: float) -> str:
    """A span in its largest whole unit, with thousands separators: ``24 h``, ``36 h``,
    ``2 d``, ``3,650 d``, ``90 min``, ``30 s``; days from 2 days on (a day is ``24 h``);
    a span of no whole second in seconds with up to 3 decimals (``0.5 s``)."""
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        if seconds % size == 0 and (unit != "d" or seconds >= 2 * size):
            return f"{int(seconds // size):,} {unit}"
    return f"{seconds:,.3f}".rstrip("0").rstrip(".") + " s"


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


def _skipped_lines(report: Report) -> list[str]:
    """``Skipped:  compared with nothing, …`` wrapped at 100 columns; ``[]`` when no
    finding skipped its baseline comparison (``Report.skipped_line``)."""
    line = report.skipped_line()
    if not line:
        return []
    return textwrap.wrap(f"Skipped:  {line}", width=TEXT_WIDTH, subsequent_indent=" " * 10)


def render_text(report: Report) -> str:
    """Plain text: a header (assignment, window, baseline, the comparisons skipped for want
    of a baseline when any, result), then one line per
    finding ``ACT/WATCH/ok  kind  title``; under each act/watch finding its job ids (at most
    5, "+N more") and its response, wrapped at 100 columns (a response already printed for
    an earlier finding reads "same response as above"). Under a finding whose ``jobs`` rows
    carry ``output_lines`` (the spot-check, whatever its severity) each job's label,
    verdict and output lines instead of the job ids."""
    lines = [
        f"Daily check: {report.assignment}",
        f"Window:   {_window(report)}",
        f"Baseline: {report.baseline.describe()}",
        *_skipped_lines(report),
        f"Result:   {_summary(report)}",
        *_act_now(report),
        "",
    ]
    kind_width = max((len(f.kind) for f in report.findings), default=0)
    shown: set[str] = set()
    for finding in report.findings:
        label = _LABEL[finding.severity]
        lines.append(f"{label:<6} {finding.kind:<{kind_width}}  {finding.title}")
        outputs = _output_lines(finding)
        lines += outputs
        if finding.severity == Severity.OK:
            continue
        ids = _job_ids(finding)
        if ids and not outputs:
            lines.append(f"{INDENT}jobs: {job_ids_line(ids)}")
        if finding.response in shown:
            lines.append(f"{INDENT}→ same response as above")
            continue
        shown.add(finding.response)
        lines.extend(
            textwrap.wrap(
                "→ " + finding.response,
                width=TEXT_WIDTH,
                initial_indent=INDENT,
                subsequent_indent=INDENT + "  ",
            )
        )
    return "\n".join(lines) + "\n"


def _output_lines(finding: Finding) -> list[str]:
    """``job (verdict):`` and its indented output lines per ``jobs`` row that has
    ``output_lines`` (``(no output)`` for an empty list); each line cut to 100 columns."""
    lines: list[str] = []
    rows = finding.evidence.get("jobs")
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or "output_lines" not in row:
            continue
        verdict = f" ({row['verdict']})" if row.get("verdict") else ""
        lines.append(_cut(f"{INDENT}{row.get('job_id')}{verdict}:"))
        output = [str(line) for line in row["output_lines"]] or ["(no output)"]
        lines += [_cut(OUTPUT_INDENT + line) for line in output]
    return lines


def _cut(line: str) -> str:
    """A line cut to ``TEXT_WIDTH`` columns, the cut marked with ``…``."""
    return line if len(line) <= TEXT_WIDTH else line[: TEXT_WIDTH - 1] + "…"


def _job_ids(finding: Finding) -> list[str]:
    """The finding's ``job_ids`` evidence as strings."""
    return [str(job_id) for job_id in finding.evidence.get("job_ids", [])]


# Characters that start Markdown syntax inline in CommonMark or on GitHub (code, emphasis,
# HTML, tables, links, entities, strikethrough, math, headings' closing #s), and an
# underscore not between two letters or digits (one inside a word is never emphasis).
_MD_SPECIAL = re.compile(r"[\\`*<>|\[\]&~$#]|(?<![^\W_])_|_(?![^\W_])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")


def _one_line(text: str) -> str:
    """``text`` on one line: line breaks become spaces, NUL the replacement character."""
    return _LINE_BREAK.sub(" ", text).replace("\x00", "\ufffd")


def md_text(text: str) -> str:
    """Data text as Markdown that renders as written, on one line: each character that
    could start Markdown syntax (``\\ ` * < > | [ ] & ~ $ #``, and ``_`` at a word's edge)
    is backslash-escaped (CommonMark: any ASCII punctuation may be), line breaks become
    spaces. Safe in paragraphs, headings, list items and table cells."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(), _one_line(text))


def md_code(text: str) -> str:
    """Data text as a Markdown code span that shows it as written, on one line.

    CommonMark: a code span ends at the first backtick run as long as its opening one, and
    one space is stripped from each end when both are spaces. So the fence is one backtick
    longer than the longest run inside, and text starting or ending with a backtick or a
    space is padded with one space on each side (stripped again when rendered). Empty
    text is shown as ``""``. Not for table cells (a ``|`` would still split the cell).
    """
    flat = _one_line(text)
    if not flat:
        return '`""`'
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(flat)), default=0) + 1)
    pad = " " if flat.strip(" ") and (flat[0] in "` " or flat[-1] in "` ") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _compact(value: Any) -> str:
    """A value as one line of compact JSON (strings as they are), ≤ 300 chars."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _evidence_lines(evidence: dict[str, Any]) -> list[str]:
    """Markdown bullets for one finding's evidence (job ids first, lists ≤ 5 rows); every
    value from data escaped (``md_text``) or in a code span (``md_code``)."""
    job_ids = [md_code(str(j)) for j in evidence.get("job_ids", [])]
    lines = [f"- **job_ids** ({len(job_ids)}): " + (job_ids_line(job_ids) or "none")]
    for key, value in evidence.items():
        if key == "job_ids":
            continue
        name = md_text(str(key))
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"- **{name}** ({len(value)}):")
            lines += [f"  - {md_code(_compact(row))}" for row in value[:MAX_LIST_ROWS]]
            if len(value) > MAX_LIST_ROWS:
                lines.append(f"  - +{len(value) - MAX_LIST_ROWS} more")
        elif isinstance(value, dict):
            pairs = ", ".join(f"{k}: {v}" for k, v in value.items())
            lines.append(f"- **{name}**: {md_text(_compact(pairs))}")
        else:
            lines.append(f"- **{name}**: {md_code(_compact(value))}")
    return lines


def render_markdown(report: Report) -> str:
    """Markdown: a heading, window/baseline/skipped/result bullets, a table of all findings
    (severity, check, finding), then one section per act/watch finding with its evidence
    and the recommended response. Text from data renders as written (``md_text``,
    ``md_code``)."""
    lines = [
        f"# Daily check: {md_text(report.assignment)}",
        "",
        f"- **Window:** {_window(report)}",
        f"- **Baseline:** {md_text(report.baseline.describe())}",
        *([f"- **Skipped:** {md_text(report.skipped_line())}"] if report.skipped else []),
        f"- **Result:** {_summary(report)}",
        "",
        "| Severity | Check | Finding |",
        "|---|---|---|",
    ]
    lines += [
        f"| {_LABEL[f.severity]} | {md_text(f.kind)} | {md_text(f.title)} |"
        for f in report.findings
    ]
    for finding in report.findings:
        if finding.severity == Severity.OK:
            continue
        heading = f"{_LABEL[finding.severity]} — {md_text(finding.kind)}: {md_text(finding.title)}"
        lines += ["", f"## {heading}", ""]
        lines += ["**Evidence**", ""]
        lines += _evidence_lines(finding.evidence)
        lines += ["", f"**Response:** {md_text(finding.response)}"]
    return "\n".join(lines) + "\n"

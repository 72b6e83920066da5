"""Output spot-check (seed daily check 5: "Pick three to five completed Jobs at random").

Finding ``spot_check``: a reproducible random pick of completed window jobs with their
output, for a person to read.
"""

from __future__ import annotations

import random
import re
import textwrap
from collections import Counter
from typing import Any

from sopwatch.domain.enums import JobStatus, Severity, Verdict
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job
from sopwatch.domain.payload import parse_json_text, pretty
from sopwatch.monitor.checks._common import fmt_count, plural, truncate
from sopwatch.monitor.context import CheckContext

#: Longest output kept per picked job (our choice: enough to judge, short enough to read).
OUTPUT_CHARS = 300
#: The output as the text report prints it: at most this many lines of at most this many
#: characters (our choice: a glance per job; 90 characters fit the report's 100 columns
#: under its indent).
PREVIEW_LINES = 5
PREVIEW_WIDTH = 90
CUT = "…"
# Control characters other than newline and tab would garble a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: Seed, Output spot-check.
RESPONSE_READ = (
    "Open these completed Jobs and read the output the assignment produced. Does it look "
    "correct? Would a human reviewer accept it? Are there patterns in what looks off?"
)
#: Seed, Output spot-check: "Edge cases cluster".
RESPONSE_REJECTED = (
    "A picked Job's output was rejected: would a human reviewer accept the others? Edge "
    "cases cluster — if you find one, look for others like it (same input shape, same step) "
    "and handle that case in the SOP."
)


def check_spot_check(ctx: CheckContext) -> list[Finding]:
    """``spot_check``: pick ``min(settings.spot_check_size, completed)`` completed window
    jobs with ``random.Random(settings.seed)`` from the jobs ordered by (created_at, id),
    so the same seed and window give the same pick (seed: "three to five"; the default
    size is 5). ok unless a picked job has verdict ``rejected`` (then watch). Evidence:
    ``job_ids``, ``jobs`` rows ``{"job_id", "verdict", "output", "output_lines"}`` (output
    ≤ 300 chars as stored; ``output_lines`` the ``output_preview`` the text report prints)
    and, when any window job has a verdict, ``verdicts`` ``{"accepted": n, "rejected": m}``
    over all window jobs."""
    completed = sorted(
        (job for job in ctx.jobs if job.status == JobStatus.COMPLETED),
        key=lambda job: (job.created_at, job.id),
    )
    verdicts = Counter(str(job.verdict) for job in ctx.jobs if job.verdict is not None)
    evidence: dict[str, Any] = {"job_ids": []}
    if verdicts:
        evidence["verdicts"] = {str(v): verdicts.get(str(v), 0) for v in Verdict}
    if not completed:
        title = "Spot-check: not applicable: no completed jobs in the window"
        return [_finding(Severity.OK, title, RESPONSE_READ, evidence)]
    size = max(0, min(ctx.settings.spot_check_size, len(completed)))
    picked = random.Random(ctx.settings.seed).sample(completed, size)
    rejected = [job.label for job in picked if job.verdict == Verdict.REJECTED]
    evidence["job_ids"] = [job.label for job in picked]
    evidence["jobs"] = _rows(picked)
    evidence["rejected"] = rejected
    title = (
        f"Spot-check: read the output of {fmt_count(size)} of "
        f"{plural(len(completed), 'completed job')}"
    )
    if rejected:
        title += f"; {fmt_count(len(rejected))} of them rejected"
    if verdicts:
        title += (
            f" (window verdicts: {fmt_count(verdicts.get('accepted', 0))} accepted, "
            f"{fmt_count(verdicts.get('rejected', 0))} rejected)"
        )
    severity = Severity.WATCH if rejected else Severity.OK
    response = RESPONSE_REJECTED if rejected else RESPONSE_READ
    return [_finding(severity, title, response, evidence)]


def _rows(picked: list[Job]) -> list[dict[str, Any]]:
    """``{"job_id", "verdict", "output", "output_lines"}`` per picked job."""
    return [
        {
            "job_id": job.label,
            "verdict": None if job.verdict is None else str(job.verdict),
            "output": truncate(job.output, OUTPUT_CHARS),
            "output_lines": output_preview(job.output, cut=job.output_bytes is not None),
        }
        for job in picked
    ]


def output_preview(
    text: str | None, *, lines: int = PREVIEW_LINES, width: int = PREVIEW_WIDTH, cut: bool = False
) -> list[str]:
    """A job's output as a person glances at it: at most ``lines`` lines of at most
    ``width`` characters, each cut marked with ``…``.

    A JSON object or array is pretty-printed (``payload.pretty``) and its long lines are
    cut; other text is wrapped at ``width``. Blank lines are dropped, tabs expanded and
    control characters shown as spaces. When lines are left out, or ``cut`` says the stored
    output was itself cut at the payload limit, the last line shown ends with ``…``.
    ``[]`` for no output.
    """
    if not text or not text.strip():
        return []
    is_json = parse_json_text(text) is not None
    shown: list[str] = []
    for raw in (pretty(text) or "").splitlines():
        line = _CONTROL.sub(" ", raw.expandtabs(4)).rstrip()
        if not line.strip():
            continue
        if is_json:
            shown.append(line if len(line) <= width else line[: width - 1] + CUT)
        else:
            shown += textwrap.wrap(line, width) or [line[:width]]
        if len(shown) > lines:
            break
    if len(shown) > lines or cut:
        shown = shown[:lines]
        last = shown[-1]
        if not last.endswith(CUT):
            shown[-1] = (last if len(last) < width else last[: width - 1]) + CUT
    return shown


def _finding(severity: Severity, title: str, response: str, evidence: dict[str, Any]) -> Finding:
    """A ``spot_check`` finding."""
    return Finding(
        kind="spot_check", severity=severity, title=title, response=response, evidence=evidence
    )

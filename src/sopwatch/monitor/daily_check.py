"""The daily check: run every check of the seed's checklist over one window.

``run_daily_check(ctx)`` runs ``checks.ALL_CHECKS`` in order, folds the views of one cause
into the finding naming it (``monitor.fold``: one cause, one finding) and returns a
``Report``;
``Report.to_dict()`` is the JSON the CLI (``--json``) and the API print, and
``Report.exit_code`` is what ``sopwatch check`` exits with.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding, worst
from sopwatch.monitor.checks import ALL_CHECKS, Check
from sopwatch.monitor.context import Baseline, CheckContext, Window
from sopwatch.monitor.fold import fold_causes

log = logging.getLogger(__name__)

#: What to do when a check itself crashed (our choice: ``act``, because the checklist is
#: incomplete and the missing item may have hidden an ``act`` finding).
RESPONSE_CHECK_ERROR = (
    "The daily check is incomplete: do this item of the checklist by hand, and report the "
    "error (the traceback is in the log) to the sopwatch maintainers."
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    """The result of one daily check of one assignment.

    ``assignment`` is the assignment's name; ``findings`` are in checklist order (each
    check's findings as it returned them).
    """

    assignment: str
    window: Window
    baseline: Baseline
    findings: list[Finding]

    @property
    def severity(self) -> Severity:
        """The worst severity among the findings (``ok`` when there are none)."""
        return worst([finding.severity for finding in self.findings])

    @property
    def skipped(self) -> dict[str, list[str]]:
        """Why → the kinds of the findings that skipped their baseline comparison
        (``evidence["skipped"]``, ``checks._skipped``), in checklist order, each kind once:
        ``{"no baseline jobs": ["needs_attention", "cost_spike"]}``; ``{}`` when none did."""
        found: dict[str, list[str]] = {}
        for finding in self.findings:
            reason = finding.evidence.get("skipped")
            if isinstance(reason, str) and finding.kind not in found.get(reason, []):
                found.setdefault(reason, []).append(finding.kind)
        return found

    def skipped_line(self) -> str:
        """The report's one line on skipped comparisons, ``""`` when none was skipped:
        ``compared with nothing, so judged on absolute rules only: needs_attention,
        cost_spike (no baseline jobs); step_latency (no baseline call durations)``."""
        parts = [f"{', '.join(kinds)} ({reason})" for reason, kinds in self.skipped.items()]
        if not parts:
            return ""
        return "compared with nothing, so judged on absolute rules only: " + "; ".join(parts)

    @property
    def exit_code(self) -> int:
        """1 when any finding is ``act``, else 0."""
        return 1 if self.severity == Severity.ACT else 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape, exactly::

        {"assignment": str,
         "window": {"start": iso, "end": iso},
         "baseline": {"kind": str, "start": iso, "end": iso, "jobs": int,
                      "description": str, "skipped": {reason: [kind, ...]}},
         "findings": [Finding.to_dict(), ...]}

        Timestamps are ISO 8601 with their UTC offset.
        """
        return {
            "assignment": self.assignment,
            "window": {"start": self.window.start.isoformat(), "end": self.window.end.isoformat()},
            "baseline": {
                "kind": self.baseline.kind,
                "start": self.baseline.start.isoformat(),
                "end": self.baseline.end.isoformat(),
                "jobs": len(self.baseline.jobs),
                "description": self.baseline.describe(),
                "skipped": self.skipped,
            },
            "findings": [finding.to_dict() for finding in self.findings],
        }


def run_daily_check(ctx: CheckContext, checks: Sequence[Check] = ALL_CHECKS) -> Report:
    """Run ``checks`` (default: the whole checklist, in the seed's order) over ``ctx``.

    A check that raises does not stop the others: it contributes one ``check_error``
    finding (``act``) naming the check and the exception, and the traceback is logged.
    Then views of the same failures fold into the finding naming their cause
    (``monitor.fold.fold_causes``).
    """
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check(ctx))
        except Exception as exc:  # a bug in one check must not hide the other items
            log.exception("daily check %s failed", _name(check))
            findings.append(_check_error(check, exc))
    return Report(
        assignment=ctx.assignment.name,
        window=ctx.window,
        baseline=ctx.baseline,
        findings=fold_causes(findings),
    )


def _name(check: Check) -> str:
    """The check's function name (``check_inbox``)."""
    return getattr(check, "__name__", repr(check))


def _check_error(check: Check, exc: Exception) -> Finding:
    """The finding standing in for a check that raised."""
    return Finding(
        kind="check_error",
        severity=Severity.ACT,
        title=f"Check {_name(check)} could not run: {type(exc).__name__}: {exc}"[:300],
        response=RESPONSE_CHECK_ERROR,
        evidence={"check": _name(check), "error": f"{type(exc).__name__}: {exc}"[:1000]},
    )

"""Findings: the results of a check, each with severity, evidence and the seed's response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sopwatch.domain.enums import Severity

_RANK = {Severity.OK: 0, Severity.WATCH: 1, Severity.ACT: 2}


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One item of a check report.

    ``kind`` names the check (e.g. ``tool_loop``); ``title`` is one line a person reads;
    ``evidence`` always has ``job_ids`` (external ids for imported jobs) and may name the
    ``step``, ``tool`` or ``connection`` involved plus counts; ``response`` is the
    recommended response from the seed's anomaly patterns.
    """

    kind: str
    severity: Severity
    title: str
    response: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.evidence.setdefault("job_ids", [])

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{"kind", "severity", "title", "evidence", "response"}``."""
        return {
            "kind": self.kind,
            "severity": str(self.severity),
            "title": self.title,
            "evidence": self.evidence,
            "response": self.response,
        }


def worst(severities: list[Severity]) -> Severity:
    """The most severe of ``severities`` (``ok`` for an empty list)."""
    return max(severities, key=_RANK.__getitem__, default=Severity.OK)

"""How a check says it skipped its baseline comparison (docs/daily-check.md "No baseline").

A finding whose comparison with the baseline could not be made carries
``evidence["skipped"]``: why, as ``no baseline jobs`` (the baseline period holds no job)
or ``no baseline <figure>`` (its jobs lack the figure compared, e.g. ``no baseline
cost``). Its severity then rests only on absolute rules (the seed's ranges, such as the
failed rate under 5%), never on a guess about the baseline. ``Report.skipped`` gathers
these into the one line the report prints under its baseline.
"""

from __future__ import annotations

from typing import Any

from sopwatch.monitor.context import CheckContext

#: The evidence key naming why a comparison was skipped.
SKIPPED = "skipped"
#: The reason when the baseline period holds no job at all.
NO_BASELINE_JOBS = "no baseline jobs"


def mark_skipped(evidence: dict[str, Any], ctx: CheckContext, figure: str) -> dict[str, Any]:
    """Set ``evidence["skipped"]``: ``no baseline jobs`` when the baseline holds none,
    else ``no baseline <figure>``; returns ``evidence``."""
    evidence[SKIPPED] = NO_BASELINE_JOBS if not ctx.baseline.jobs else f"no baseline {figure}"
    return evidence

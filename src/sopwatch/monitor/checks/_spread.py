"""How a window's cost or duration per job compares with the baseline: the shared judgement
of ``cost_spike`` and ``latency_drift``.

Two patterns, after the seed's "Latency drift" ("consistent across all Jobs or isolated to
specific runs") and docs/architecture.md "Monitoring" (median, MAD, share above baseline p95):

- **consistent**: the window median is above ``DRIFT_RATIO`` × the baseline median
  (watch), or ``ACT_RATIO`` × (act);
- **isolated**: more window jobs lie above the baseline p95 than chance explains (normally
  5% do): at least ``MIN_OUTLIERS`` of them and a one-sided binomial test against 5% with
  p < ``significance`` (watch).
"""

from __future__ import annotations

from enum import StrEnum

from sopwatch.domain.enums import Severity
from sopwatch.monitor.checks._common import fmt_num
from sopwatch.monitor.stats import SpreadComparison, binomial_high_p

#: Consistent drift: window median above this multiple of the baseline median (our choice).
DRIFT_RATIO = 1.5
#: … act from this multiple on (our choice).
ACT_RATIO = 2.0
#: Isolated outliers: at least this many jobs above the baseline p95 (our choice: one or two
#: expensive or slow jobs are not a pattern) …
MIN_OUTLIERS = 3
#: … where 5% are expected by definition of the 95th percentile.
P95_SHARE = 0.05


class Pattern(StrEnum):
    """Which way the window differs from its baseline."""

    NONE = "none"
    CONSISTENT = "consistent"
    ISOLATED = "isolated"


def judge(c: SpreadComparison, significance: float) -> tuple[Severity, Pattern]:
    """The severity and pattern of a comparison (see the module docstring)."""
    ratio = c.median_ratio
    if ratio is not None and ratio >= ACT_RATIO:
        return Severity.ACT, Pattern.CONSISTENT
    if ratio is not None and ratio > DRIFT_RATIO:
        return Severity.WATCH, Pattern.CONSISTENT
    if c.count_above_p95 >= MIN_OUTLIERS:
        p_value = binomial_high_p(c.count_above_p95, c.window_count, P95_SHARE)
        if p_value < significance:
            return Severity.WATCH, Pattern.ISOLATED
    return Severity.OK, Pattern.NONE


def ratio_note(c: SpreadComparison) -> str:
    """`` (2.4×)`` for a finite median ratio, else ``""``."""
    ratio = c.median_ratio
    return "" if ratio is None or ratio == float("inf") else f" ({fmt_num(ratio)}×)"

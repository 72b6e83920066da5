"""Honest concentration claims: "failures concentrate on X" only when a test supports it,
in words that match the data.

Private to ``sopwatch.monitor.checks``. The seed asks to look for a common thread among
failed Jobs ("the same input type, or the same time of day"). A value (an input type, a
UTC hour of day) is claimed for a set of jobs (the failed jobs, or one cluster's jobs)
when the share of those jobs having it is higher than among the window's other jobs by
**one-sided Fisher's exact test** on the 2×2 table (jobs with / without the value, in the
set / among the others), at level ``settings.significance`` after a **Bonferroni
correction** for the number of values the window holds (the value tested is the set's
most common one, picked after looking: with 24 hours to pick from, an uncorrected test
would find a "concentration" in one window in four). ``None`` values never concentrate;
a value every window job has cannot.

The words follow the counts: "5 of 6 failed jobs have input type pdf, against 31.2% of
the other 184 jobs"; "only" (the seed's "failures only on certain input types") is said
only when every job of the set has the value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sopwatch.monitor.checks._common import fmt_count, pct, plural
from sopwatch.monitor.stats import rate_higher_p

#: Seed, "Failure clusters": "failures only on certain input types → your SOP needs to
#: handle that input shape. Add a HITL gate to catch it while you refine."
RESPONSE_INPUT_TYPE = (
    "Failures only on input type {value}: your SOP needs to handle that input shape. Add a "
    "HITL gate to catch it while you refine the SOP."
)
#: The same, when not every failed job has the input type (the words match the data).
RESPONSE_INPUT_TYPE_MOSTLY = (
    "Failures concentrate on input type {value} ({count} of {total} jobs): your SOP "
    "likely needs to handle that input shape. Add a HITL gate to catch it while you refine "
    "the SOP."
)
#: Seed, "Spike in Failed Jobs": "the same time of day (an external service outage)".
RESPONSE_HOUR = (
    "Failures concentrated between {value}:00 and {end}:00 UTC may indicate an external "
    "service outage at that time: check the third-party service status pages and your "
    "infrastructure logs for that hour."
)


@dataclass(frozen=True, slots=True)
class Concentration:
    """A tested claim that ``count`` of ``total`` jobs share ``value``, against
    ``other_with`` of the ``other_total`` other window jobs; ``p_value`` is the one-sided
    Fisher p-value times ``values`` (the Bonferroni factor), capped at 1."""

    value: Hashable
    count: int
    total: int
    other_with: int
    other_total: int
    p_value: float
    values: int

    @property
    def every(self) -> bool:
        """Every job of the set has the value."""
        return self.count == self.total

    @property
    def other_share(self) -> float:
        """Share (0..1) of the other window jobs that have the value."""
        return self.other_with / self.other_total if self.other_total else 0.0

    def evidence(self) -> dict[str, object]:
        """The figures behind the claim, for a finding's evidence."""
        return {
            "count": self.count,
            "of": self.total,
            "other_jobs_with": self.other_with,
            "other_jobs": self.other_total,
            "p_value": round(self.p_value, 6),
            "test": f"one-sided Fisher exact, Bonferroni × {self.values}",
        }

    def against(self) -> str:
        """``against 31.2% of the other 184 jobs (p = 0.003)``."""
        jobs = plural(self.other_total, "job")
        return f"against {pct(self.other_share)} of the other {jobs} ({fmt_p(self.p_value)})"


def fmt_p(p_value: float) -> str:
    """``p < 0.001`` or ``p = 0.012`` (our choice: three decimals, like a paper)."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def concentration(
    values: Sequence[Hashable | None],
    window: Mapping[Any, int],
    window_size: int,
    significance: float,
) -> Concentration | None:
    """The tested concentration of ``values`` (one per job of the set) on their most common
    value, against the window's other jobs (``window``: value → count over all window
    jobs, the set's included); None when the test does not support it (module rules)."""
    known = Counter(v for v in values if v is not None)
    tested = sum(1 for v, n in window.items() if v is not None and n)
    if not known or tested < 2:
        return None
    value, count = known.most_common(1)[0]
    total = len(values)
    other_total = window_size - total
    other_with = max(window[value] - count, 0)
    p_value = min(1.0, rate_higher_p(count, total, other_with, other_total) * tested)
    if p_value >= significance:
        return None
    return Concentration(value, count, total, other_with, other_total, p_value, tested)


def input_type_response(hit: Concentration) -> str:
    """The seed's input-type response, "only" when every failed job has the type."""
    if hit.every:
        return RESPONSE_INPUT_TYPE.format(value=hit.value)
    return RESPONSE_INPUT_TYPE_MOSTLY.format(value=hit.value, count=hit.count, total=hit.total)


def hour_response(hour: int) -> str:
    """``RESPONSE_HOUR`` for one UTC hour of day."""
    return RESPONSE_HOUR.format(value=f"{hour:02d}", end=f"{(hour + 1) % 24:02d}")


def title(dimension: str, hit: Concentration) -> str:
    """``5 of 6 failed jobs have input type pdf, against 31.2% of the other 184 jobs
    (p = 0.003)``, or ``… started between 14:00 and 15:00 UTC, against …``."""
    of_failed = f"{fmt_count(hit.count)} of {plural(hit.total, 'failed job')}"
    if dimension == "input_type":
        return f"{of_failed} have input type {hit.value}, {hit.against()}"
    hour = int(str(hit.value))
    return (
        f"{of_failed} started between {hour:02d}:00 and {(hour + 1) % 24:02d}:00 UTC, "
        f"{hit.against()}"
    )

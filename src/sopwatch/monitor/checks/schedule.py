"""Missed scheduled runs: the scheduled source's part of ``run_volume``.

Seed, "Significantly fewer Jobs than expected": "the trigger may not be firing (check the
trigger configuration and the schedule)". A count over the whole window misses a schedule
that stopped for two hours, and manual runs in the meantime fill the count up; so jobs
with source ``scheduled`` are judged on their own, against the cadence they kept in the
baseline:

- **cadence**: the median gap between consecutive baseline scheduled jobs, when there are
  at least ``MIN_GAPS`` gaps and at least ``REGULAR_SHARE`` of them lie within
  ``REGULAR_BAND`` × the median (our choice: a cron schedule repeats one gap, with nights
  or weekends off at most; jobs arriving at random have exponential gaps, of which only
  about 35% fall in that band). Otherwise no cadence is inferred and no schedule finding
  is made.
- **silences**: the stretches between consecutive scheduled jobs of the window (the first
  from the last baseline scheduled job when the baseline ends where the window starts,
  else from the window start; the last to the window end). Other sources neither end nor
  split a silence. A silence of length L after a run misses
  ``floor(L / cadence − 0.5)`` runs (a run up to half a cadence late is late, not missed).
- **test**: the runs the baseline made at the same times of day, per baseline day
  (``expected``, over the silence less half a cadence at each end that is a run), and
  the Poisson probability of none, ``exp(−expected)``. Treating a schedule as a Poisson
  process errs towards calm: a schedule is more regular than that. So nights or weekends
  the schedule always skips count nothing, and one missed hourly run (expected 1, P =
  0.37) is not act.

Severity of the worst silence: ``act`` when P < ``settings.act_significance`` (0.001:
about 7 expected runs missed); ``watch`` when at least one run was missed where the
baseline ran at least ``WATCH_MIN_EXPECTED`` on average (our choice: a run the schedule
made on most days at that time is worth a look); else ``ok``.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sopwatch.domain.enums import Severity, Source
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import BaselineJob, Job
from sopwatch.monitor.checks._common import OK_RESPONSE, fmt_num, plural
from sopwatch.monitor.checks._time import clock, ms_between, p_text, span
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import median, poisson_low_p

#: Fewer baseline gaps than this show no cadence (our choice).
MIN_GAPS = 5
#: Share of baseline gaps that must lie within ``REGULAR_BAND`` × the median (our choice).
REGULAR_SHARE = 0.8
REGULAR_BAND = (0.5, 1.5)
#: A silence is ``watch`` when it missed a run where the baseline made at least this many
#: on average (our choice).
WATCH_MIN_EXPECTED = 0.5
_DAY_S = 86_400

#: Seed, "Significantly fewer Jobs than expected", for a schedule; the rest our choice.
RESPONSE_SCHEDULE_GAP = (
    "Scheduled runs were missed: the schedule may not be firing (check the schedule "
    "configuration, that it is enabled, and the scheduler's logs for that time), or Jobs fail "
    "before they start. Manual runs do not replace the missed scheduled ones: run the missed "
    "periods again if their work matters."
)
_RANK = {Severity.OK: 0, Severity.WATCH: 1, Severity.ACT: 2}


@dataclass(frozen=True, slots=True)
class Cadence:
    """A schedule's interval ``every_ms`` (the median baseline gap, ms), from ``gaps``
    gaps of which ``regular_share`` lie within ``REGULAR_BAND`` × it."""

    every_ms: float
    gaps: int
    regular_share: float


@dataclass(frozen=True, slots=True)
class Silence:
    """A stretch without scheduled runs: from ``start`` (the run ``after``, or the window
    start when None) to ``end`` (the run ``resumed``, or the window end when None);
    ``missed`` runs by the cadence, ``expected`` runs by the baseline, ``p_value`` =
    P(no run | Poisson(expected))."""

    start: datetime
    after: Job | BaselineJob | None
    end: datetime
    resumed: Job | BaselineJob | None
    missed: int
    expected: float
    p_value: float
    severity: Severity


def infer_cadence(times: Sequence[datetime]) -> Cadence | None:
    """The cadence of runs at ``times`` (ascending), or None (module rules)."""
    gaps = [ms_between(a, b) for a, b in itertools.pairwise(times)]
    if len(gaps) < MIN_GAPS:
        return None
    every = median([float(g) for g in gaps]) or 0.0
    if every <= 0:
        return None
    low, high = REGULAR_BAND
    share = sum(1 for g in gaps if low * every <= g <= high * every) / len(gaps)
    if share < REGULAR_SHARE:
        return None
    return Cadence(every_ms=every, gaps=len(gaps), regular_share=share)


class _Profile:
    """Baseline scheduled runs by second of the UTC day, to count them over a span."""

    def __init__(self, times: Sequence[datetime], days: float) -> None:
        self.seconds = sorted(t.hour * 3600 + t.minute * 60 + t.second for t in times)
        self.days = days

    def expected(self, start: datetime, end: datetime) -> float:
        """Runs the baseline made per day at the times of day in ``[start, end)``."""
        length = (end - start).total_seconds()
        if length <= 0 or self.days <= 0:
            return 0.0
        if length >= _DAY_S:
            return len(self.seconds) / self.days * length / _DAY_S
        first = start.hour * 3600 + start.minute * 60 + start.second
        last = first + length
        count = self._between(first, min(last, _DAY_S))
        if last > _DAY_S:
            count += self._between(0, last - _DAY_S)
        return count / self.days

    def _between(self, low: float, high: float) -> int:
        return bisect.bisect_left(self.seconds, high) - bisect.bisect_left(self.seconds, low)


def schedule_findings(ctx: CheckContext) -> list[Finding]:
    """``[run_volume]`` about the scheduled runs (``pattern`` ``schedule_gap``), or ``[]``
    when the baseline shows no cadence. Evidence: ``job_ids`` (the run before the worst
    silence and the one after it), ``cadence_minutes``, ``missed``, ``since``, ``until``,
    ``expected_in_silence``, ``p_value``, ``other_runs_in_silence`` (source → count),
    ``silences_missing_runs``."""
    base = [j.created_at for j in ctx.baseline.jobs if j.source == Source.SCHEDULED]
    cadence = infer_cadence(base)
    if cadence is None:
        return []
    profile = _Profile(base, ctx.baseline.days)
    adjacent = ctx.baseline.end == ctx.window.start
    previous = _last_before(ctx.baseline.jobs, ctx.window.start) if adjacent else None
    found = silences(ctx, cadence, profile, previous)
    missing = [s for s in found if s.missed > 0 and s.severity != Severity.OK]
    worst = max(found, key=lambda s: (_RANK[s.severity], s.expected, -s.start.timestamp()))
    return [_finding(ctx, cadence, worst, len(missing))]


def _last_before(jobs: Sequence[BaselineJob], at: datetime) -> BaselineJob | None:
    """The last scheduled job created before ``at``."""
    scheduled = [j for j in jobs if j.source == Source.SCHEDULED and j.created_at < at]
    return scheduled[-1] if scheduled else None


def silences(
    ctx: CheckContext, cadence: Cadence, profile: _Profile, previous: Job | BaselineJob | None
) -> list[Silence]:
    """Every stretch between scheduled runs that reaches into the window (module rules);
    ``previous`` is the last scheduled run before the window, when it counts."""
    runs = [j for j in ctx.jobs if j.source == Source.SCHEDULED]
    anchors: list[Job | BaselineJob | None] = [previous, *runs, None]
    found: list[Silence] = []
    for after, resumed in itertools.pairwise(anchors):
        start = ctx.window.start if after is None else after.created_at
        end = ctx.window.end if resumed is None else resumed.created_at
        found.append(_silence(ctx, cadence, profile, after, resumed, start, end))
    return found


def _silence(
    ctx: CheckContext,
    cadence: Cadence,
    profile: _Profile,
    after: Job | BaselineJob | None,
    resumed: Job | BaselineJob | None,
    start: datetime,
    end: datetime,
) -> Silence:
    """One silence, counted and tested."""
    every = cadence.every_ms
    missed = max(math.floor(ms_between(start, end) / every - 0.5), 0)
    half = timedelta(milliseconds=every / 2)
    expected = profile.expected(
        start + half if after is not None else start, end - half if resumed is not None else end
    )
    p_value = poisson_low_p(0, expected)
    if missed >= 1 and p_value < ctx.settings.act_significance:
        severity = Severity.ACT
    elif missed >= 1 and expected >= WATCH_MIN_EXPECTED:
        severity = Severity.WATCH
    else:
        severity = Severity.OK
    return Silence(start, after, end, resumed, missed, expected, p_value, severity)


def _finding(ctx: CheckContext, cadence: Cadence, worst: Silence, missing: int) -> Finding:
    """The ``run_volume`` finding of the worst silence."""
    end = ctx.window.end
    every = span(cadence.every_ms)
    others = [
        j
        for j in ctx.jobs
        if j.source != Source.SCHEDULED and worst.start < j.created_at < worst.end
    ]
    evidence: dict[str, Any] = {
        "job_ids": [j.label for j in (worst.after, worst.resumed) if j is not None],
        "pattern": "schedule_gap",
        "cadence_minutes": round(cadence.every_ms / 60_000, 2),
        "missed": worst.missed,
        "since": worst.start.isoformat(),
        "until": worst.end.isoformat(),
        "expected_in_silence": round(worst.expected, 2),
        "p_value": float(f"{worst.p_value:.3g}"),
        "other_runs_in_silence": dict(Counter(str(j.source) for j in others)),
        "silences_missing_runs": missing,
    }
    if worst.severity == Severity.OK:
        title = (
            f"Scheduled runs every {every} (baseline cadence): none missed where the "
            f"baseline ran (longest silence {span(ms_between(worst.start, worst.end))} "
            f"since {clock(worst.start, end)})"
        )
        return _volume(Severity.OK, title, OK_RESPONSE, evidence)
    title = _title(worst, every, end, len(others))
    return _volume(worst.severity, title, RESPONSE_SCHEDULE_GAP, evidence)


def _title(s: Silence, every: str, end: datetime, others: int) -> str:
    """``27 scheduled runs missed since 17:55 (the last scheduled run), until 20:15: …``."""
    anchor = "the last scheduled run" if s.after is not None else "the window start"
    until = f"until {clock(s.end, end)}" if s.resumed is not None else "none since"
    title = (
        f"{plural(s.missed, 'scheduled run')} missed since {clock(s.start, end)} ({anchor}), "
        f"{until}: the schedule runs every {every}; {fmt_num(s.expected)} runs expected then "
        f"by the baseline (Poisson P(none) = {p_text(s.p_value)})"
    )
    if others == 1:
        title += "; 1 run from another source in between does not count"
    elif others:
        title += f"; {plural(others, 'run')} from other sources in between do not count"
    return title


def _volume(severity: Severity, title: str, response: str, evidence: dict[str, Any]) -> Finding:
    return Finding(
        kind="run_volume", severity=severity, title=title, response=response, evidence=evidence
    )

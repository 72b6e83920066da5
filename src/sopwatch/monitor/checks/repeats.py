"""Repeated input: many jobs started by the same input or trigger key within minutes.

Finding ``repeated_input``: window jobs that share a ``trigger_key`` (what the trigger or
upstream system says started them: a record id, an event id) or the same input text
(compared whole; named by its short SHA-256), where at least ``settings.repeat_min_jobs``
(5) of them started within ``settings.repeat_interval_ms`` (10 minutes) of each other —
an event delivered again and again (a replay, a webhook retried), or a self-trigger chain
(the assignment's own write fires its trigger again).

A burst counts only when it is more than chance given the assignment's volume: Fisher's
exact test, one-sided (greater), on the key's share of the jobs started during the burst
against its share of the assignment's other jobs (the rest of the window, plus the
baseline's jobs for a trigger key — the baseline is loaded without inputs), at level
``settings.significance`` (0.05) divided by the number of keys tested (Bonferroni). So a
key shared by every job (a constant input of a scheduled job, a trigger that names
itself) is never a burst, while a record id that started six jobs in four minutes is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import Job
from sopwatch.domain.payload import short_digest
from sopwatch.monitor.checks._common import fmt_num, ok_finding, plural, truncate
from sopwatch.monitor.checks._digest import minutes
from sopwatch.monitor.checks.volume import RESPONSE_TOO_MANY
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.stats import rate_higher_p

#: At most this many findings, biggest first (our choice, as for tool loops).
MAX_REPEAT_FINDINGS = 10
INPUT_CHARS = 80

#: Seed, "Significantly more Jobs than expected", then our reading of one key's burst.
RESPONSE_REPEATED = (
    RESPONSE_TOO_MANY
    + " Many Jobs started by one key within minutes read as an event delivered again (a "
    "replay, a webhook retried) or a self-trigger chain (the assignment's own write fires "
    "its trigger again): make the trigger skip keys it has already run for, or filter out "
    "the assignment's own changes, and check what the repeated Jobs did twice."
)


@dataclass(frozen=True, slots=True)
class _Burst:
    """Jobs of one key started close together: ``kind`` is ``trigger_key`` or ``input``,
    ``key`` the trigger key or the input text; ``jobs`` in time order; ``p_value`` of
    Fisher's test; ``others`` the assignment's other jobs started during the burst."""

    kind: str
    key: str
    jobs: tuple[Job, ...]
    key_jobs: int
    others: int
    p_value: float

    @property
    def start(self) -> datetime:
        """When the burst's first job was created (UTC)."""
        return self.jobs[0].created_at

    @property
    def end(self) -> datetime:
        """When the burst's last job was created (UTC)."""
        return self.jobs[-1].created_at


def check_repeated_input(ctx: CheckContext) -> list[Finding]:
    """``repeated_input`` findings, biggest burst first; one ok finding when none.

    Trigger keys first; an input burst whose jobs all belong to a reported trigger-key
    burst is not reported again. Severity: ``act`` at ≥ ``settings.repeat_act_jobs``
    (10) jobs in the burst, else ``watch``.
    """
    candidates: list[tuple[str, str, list[Job], int]] = []
    for kind, groups in (("trigger_key", _by_trigger_key(ctx)), ("input", _by_input(ctx))):
        for key, jobs in groups.items():
            episode = _episode(jobs, ctx)
            if episode:
                candidates.append((kind, key, episode, len(jobs)))
    if not candidates:
        return [_ok(ctx)]
    level = ctx.settings.significance / len(candidates)
    times = [job.created_at for job in ctx.jobs]
    baseline_keys = Counter(job.trigger_key for job in ctx.baseline.jobs if job.trigger_key)
    bursts: list[_Burst] = []
    reported: set[int] = set()
    for kind, key, episode, key_jobs in candidates:
        in_baseline = baseline_keys[key] if kind == "trigger_key" else None
        burst = _test(kind, key, episode, key_jobs, times, in_baseline, len(ctx.baseline.jobs))
        if burst.p_value >= level:
            continue
        if kind == "input" and {job.id for job in episode} <= reported:
            continue
        reported.update(job.id for job in episode)
        bursts.append(burst)
    if not bursts:
        return [_ok(ctx)]
    bursts.sort(key=lambda b: (-len(b.jobs), b.start))
    shown = [_finding(ctx, burst) for burst in bursts[:MAX_REPEAT_FINDINGS]]
    return shown + _rest(ctx, bursts[MAX_REPEAT_FINDINGS:])


def _ok(ctx: CheckContext) -> Finding:
    """The ok finding: no burst."""
    title = (
        f"No input or trigger key started {ctx.settings.repeat_min_jobs} or more jobs "
        f"within {fmt_num(ctx.settings.repeat_interval_ms / 60_000, trim=True)} min"
    )
    return ok_finding("repeated_input", title)


def _by_trigger_key(ctx: CheckContext) -> dict[str, list[Job]]:
    """Trigger key → the window jobs it started, oldest first."""
    found: dict[str, list[Job]] = {}
    for job in ctx.jobs:
        if job.trigger_key:
            found.setdefault(job.trigger_key, []).append(job)
    return found


def _by_input(ctx: CheckContext) -> dict[str, list[Job]]:
    """Input text → the window jobs given it, oldest first (blank inputs and inputs cut
    at the payload limit left out: they cannot be told apart)."""
    found: dict[str, list[Job]] = {}
    for job in ctx.jobs:
        if job.input and job.input.strip() and job.input_bytes is None:
            found.setdefault(job.input, []).append(job)
    return found


def _episode(jobs: Sequence[Job], ctx: CheckContext) -> list[Job]:
    """The key's burst: around the densest ``repeat_interval_ms`` of its jobs when that
    holds ≥ ``repeat_min_jobs``, the jobs chained to it by gaps ≤ ``repeat_interval_ms``
    (a chain that runs on is reported whole); [] when no interval is that dense."""
    minimum = ctx.settings.repeat_min_jobs
    if len(jobs) < minimum:
        return []
    interval = timedelta(milliseconds=ctx.settings.repeat_interval_ms)
    best, best_start, low = 0, 0, 0
    for high, job in enumerate(jobs):  # jobs are sorted by created_at
        while job.created_at - jobs[low].created_at > interval:
            low += 1
        if high - low + 1 > best:
            best, best_start = high - low + 1, low
    if best < minimum:
        return []
    first = last = best_start
    while first > 0 and jobs[first].created_at - jobs[first - 1].created_at <= interval:
        first -= 1
    while last + 1 < len(jobs) and jobs[last + 1].created_at - jobs[last].created_at <= interval:
        last += 1
    return list(jobs[first : last + 1])


def _test(
    kind: str,
    key: str,
    episode: list[Job],
    key_jobs: int,
    times: list[datetime],
    in_baseline: int | None,
    baseline_jobs: int,
) -> _Burst:
    """Fisher's exact test (one-sided, greater) of the key's share of the jobs started
    during the burst (``times``: every window job's creation, sorted) against its share
    of the assignment's other jobs: the rest of the window, plus the baseline when the
    key's baseline count ``in_baseline`` is known (trigger keys)."""
    start, end = episode[0].created_at, episode[-1].created_at
    during = bisect_right(times, end) - bisect_left(times, start)
    outside = len(times) - during
    before = key_jobs - len(episode)  # every key job within the burst is in the episode
    if in_baseline is not None:
        outside += baseline_jobs
        before += in_baseline
    return _Burst(
        kind=kind,
        key=key,
        jobs=tuple(episode),
        key_jobs=key_jobs,
        others=during - len(episode),
        p_value=rate_higher_p(len(episode), during, before, outside),
    )


def _finding(ctx: CheckContext, burst: _Burst) -> Finding:
    """One finding for one burst.

    Evidence: ``key_kind`` (``trigger_key`` or ``input``), ``key`` (the trigger key, or
    the input's short SHA-256), ``input`` (the input's start, for an input), ``count``
    (jobs in the burst), ``minutes`` (first to last start), ``per_minute``, ``first_at``
    and ``last_at`` (ISO UTC), ``key_jobs`` (window jobs with the key), ``other_jobs``
    (the assignment's other jobs started during the burst), ``p_value``.
    """
    count = len(burst.jobs)
    span = minutes(burst.start, burst.end)
    per_minute = count / max(span, 1.0)
    evidence: dict[str, Any] = {
        "job_ids": [job.label for job in burst.jobs],
        "key_kind": burst.kind,
        "key": burst.key if burst.kind == "trigger_key" else short_digest(burst.key),
        "count": count,
        "minutes": round(span, 2),
        "per_minute": round(per_minute, 2),
        "first_at": burst.start.isoformat(),
        "last_at": burst.end.isoformat(),
        "key_jobs": burst.key_jobs,
        "other_jobs": burst.others,
        "p_value": burst.p_value,
    }
    if burst.kind == "trigger_key":
        named = f"Trigger key {burst.key!r}"
    else:
        evidence["input"] = truncate(burst.key, INPUT_CHARS)
        named = f"The same input (sha256 {evidence['key']}: {evidence['input']!r})"
    within = "under 1 min" if span < 1 else f"{fmt_num(span)} min"
    title = (
        f"{named} started {plural(count, 'job')} within {within} ({fmt_num(per_minute)} a minute)"
    )
    severity = Severity.ACT if count >= ctx.settings.repeat_act_jobs else Severity.WATCH
    return Finding(
        kind="repeated_input",
        severity=severity,
        title=title,
        response=RESPONSE_REPEATED,
        evidence=evidence,
    )


def _rest(ctx: CheckContext, rest: list[_Burst]) -> list[Finding]:
    """One finding naming the jobs of the bursts left out of the report, if any."""
    if not rest:
        return []
    jobs = [job.label for burst in rest for job in burst.jobs]
    big = any(len(burst.jobs) >= ctx.settings.repeat_act_jobs for burst in rest)
    return [
        Finding(
            kind="repeated_input",
            severity=Severity.ACT if big else Severity.WATCH,
            title=f"{plural(len(rest), 'more burst')} of repeated input not listed",
            response=RESPONSE_REPEATED,
            evidence={"job_ids": jobs},
        )
    ]

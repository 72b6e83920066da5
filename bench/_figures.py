"""Pure helpers of bench/limits.py: import rates from polled counts, and the table's cells.

Tested in tests/bench/test_bench_limits.py; no I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence


def tenth_rates(samples: Sequence[tuple[float, int]], total: int) -> tuple[float, float] | None:
    """(rate of the first tenth, rate of the last tenth) in jobs/s from ``samples`` of
    (seconds, jobs committed so far), in time order, of an import of ``total`` jobs.

    First tenth: from the last sample with no job committed (so the process's start-up is
    left out, to within a poll) to the first with at least total/10; last tenth: from the
    last sample with at most 9/10 of them to the first with all. Each rate is the jobs
    gained over the seconds between those two samples. None when the samples cannot tell
    (the import unfinished, or a stretch covering more than half of the jobs because
    batches came faster than the polls)."""
    if total <= 0:
        return None
    zero = [s for s in samples if s[1] == 0]
    tenth = next((s for s in samples if s[1] * 10 >= total), None)
    done = next((s for s in samples if s[1] >= total), None)
    before = [s for s in samples if s[1] * 10 <= total * 9]
    if not zero or tenth is None or done is None or not before:
        return None
    start, last = zero[-1], before[-1]
    if tenth[1] * 2 > total or last[1] * 2 < total:
        return None
    return tenth[1] / (tenth[0] - start[0]), (done[1] - last[1]) / (done[0] - last[0])


def seconds(value: float | None) -> str:
    """``0.065 s``, ``1.23 s``, ``12.3 s``, ``123 s``; ``—`` for None."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value:.3f} s"
    if value < 10:
        return f"{value:.2f} s"
    return f"{value:.1f} s" if value < 100 else f"{value:,.0f} s"


def ratio(ours: float | None, limit: float | None) -> str:
    """``4.6×`` (``ours / limit``); ``—`` when either is missing or the limit is 0."""
    if ours is None or not limit:
        return "—"
    return f"{ours / limit:.1f}×" if ours / limit < 100 else f"{ours / limit:,.0f}×"


def change(new: float | None, old: float | None) -> str:
    """``+12%`` (``new`` against ``old``); ``—`` when either is missing or ``old`` is 0."""
    if new is None or not old:
        return "—"
    return f"{(new / old - 1) * 100:+.0f}%"


def percent(part: float | None, whole: float | None) -> str:
    """``95%`` (``part / whole``); ``—`` when either is missing or ``whole`` is 0."""
    if part is None or not whole:
        return "—"
    return f"{part / whole * 100:.0f}%"


def size_label(jobs: int, days: int) -> str:
    """``100k jobs / 30 d`` (``1M`` for a million)."""
    name = f"{jobs // 1_000_000}M" if jobs % 1_000_000 == 0 else f"{jobs // 1000}k"
    return f"{name} jobs / {days} d" if jobs >= 1000 else f"{jobs} jobs / {days} d"


HEADER = ("work", "sopwatch", "plain", "ratio", "target")


def render(rows: Sequence[Sequence[str]], markdown: bool) -> str:
    """The table (``HEADER`` then ``rows``) as Markdown or as aligned text."""
    if markdown:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [HEADER, *rows]
    )

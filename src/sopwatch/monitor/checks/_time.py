"""How the checks of what is absent or too old show moments, spans and p-values in titles.

Private to ``sopwatch.monitor.checks``. Moments are UTC: ``17:55`` when on the same day
as the reference (the window end), else ``2026-03-08 17:55``. Spans are given in
milliseconds and shown in the largest fitting unit with one decimal (``3.2 s``,
``45.0 min``, ``2.3 h``, ``3.5 days``), after the report's number rules (docs/daily-check.md
"Reports").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sopwatch.monitor.checks._common import fmt_num


def clock(at: datetime, reference: datetime) -> str:
    """``HH:MM`` (UTC) when ``at`` falls on the UTC day of ``reference`` or of the moment
    just before it (a window ending at midnight), else ``YYYY-MM-DD HH:MM``."""
    day = (reference - timedelta(microseconds=1)).date()
    if at.date() in (day, reference.date()):
        return f"{at:%H:%M}"
    return f"{at:%Y-%m-%d %H:%M}"


def span(ms: float) -> str:
    """A span of ``ms`` milliseconds: seconds under a minute, minutes under 2 hours,
    hours under 2 days, else days (one decimal each)."""
    seconds = ms / 1000
    if seconds < 60:
        return f"{fmt_num(seconds)} s"
    if seconds < 7_200:
        return f"{fmt_num(seconds / 60)} min"
    if seconds < 172_800:
        return f"{fmt_num(seconds / 3_600)} h"
    return f"{fmt_num(seconds / 86_400)} days"


def ms_between(start: datetime, end: datetime) -> int:
    """``end − start`` in whole milliseconds (negative when ``end`` is earlier)."""
    return int((end - start) / timedelta(milliseconds=1))


#: p-values below this read as ``< 1e-15`` (our choice: beyond double precision's reach
#: for 1 − p, and nobody reads further digits).
P_FLOOR = 1e-15


def p_text(p_value: float) -> str:
    """A p-value with two significant digits (``0.37``, ``1.9e-12``), ``< 1e-15`` below
    ``P_FLOOR``."""
    return "< 1e-15" if p_value < P_FLOOR else f"{p_value:.2g}"

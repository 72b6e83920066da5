"""Short digests and times shared by the repeat checks (duplicate side effects, repeated
input). Private to ``sopwatch.monitor.checks``."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sopwatch.domain.job import Job, Step

#: Hex digits of SHA-256 a report shows (our choice: 48 bits, so two different texts of
#: one window share a digest with odds under one in a billion, short enough to read out).
DIGEST_CHARS = 12


def short_digest(text: str) -> str:
    """The first ``DIGEST_CHARS`` hex digits of the SHA-256 of ``text`` (UTF-8), e.g.
    ``short_digest("{}")`` == ``"44136fa355b3"``: it names a payload in a report without
    printing it, and a person can compute it to find the payload again."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]


def step_time(step: Step, job: Job) -> datetime:
    """When a step ran (UTC): its ``started_at``, else its job's start, else its job's
    creation."""
    return step.started_at or job.started_at or job.created_at


def minutes(start: datetime, end: datetime) -> float:
    """``end - start`` in minutes."""
    return (end - start).total_seconds() / 60

"""Status machines as transition tables. Every writer of a status goes through ``check``.

Source: docs/architecture.md "Status machines". An edge not in a table raises ``InvalidTransition``.

- job: pending → running → completed | failed | stopped; running ⇄ needs_input;
  pending | needs_input → stopped; needs_input → failed (request expired, no fallback).
- case: pending → in_progress → completed | failed | postponed | needs_input;
  postponed → pending at its time; needs_input → in_progress when answered;
  failed | completed → pending on retry.
- human request: pending → approved | denied | answered | expired.
- alert: open → acknowledged → resolved; open → resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from sopwatch.domain.enums import AlertStatus, CaseStatus, HumanRequestStatus, JobStatus
from sopwatch.domain.errors import InvalidTransition

J = JobStatus
C = CaseStatus
H = HumanRequestStatus
A = AlertStatus

JOB_TRANSITIONS: Mapping[JobStatus, frozenset[JobStatus]] = {
    J.PENDING: frozenset({J.RUNNING, J.STOPPED}),
    J.RUNNING: frozenset({J.COMPLETED, J.FAILED, J.STOPPED, J.NEEDS_INPUT}),
    J.NEEDS_INPUT: frozenset({J.RUNNING, J.STOPPED, J.FAILED}),
    J.COMPLETED: frozenset(),
    J.FAILED: frozenset(),
    J.STOPPED: frozenset(),
}

CASE_TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    C.PENDING: frozenset({C.IN_PROGRESS}),
    C.IN_PROGRESS: frozenset({C.COMPLETED, C.FAILED, C.POSTPONED, C.NEEDS_INPUT}),
    C.POSTPONED: frozenset({C.PENDING}),
    C.NEEDS_INPUT: frozenset({C.IN_PROGRESS}),
    C.FAILED: frozenset({C.PENDING}),
    C.COMPLETED: frozenset({C.PENDING}),
}

HUMAN_REQUEST_TRANSITIONS: Mapping[HumanRequestStatus, frozenset[HumanRequestStatus]] = {
    H.PENDING: frozenset({H.APPROVED, H.DENIED, H.ANSWERED, H.EXPIRED}),
    H.APPROVED: frozenset(),
    H.DENIED: frozenset(),
    H.ANSWERED: frozenset(),
    H.EXPIRED: frozenset(),
}

ALERT_TRANSITIONS: Mapping[AlertStatus, frozenset[AlertStatus]] = {
    A.OPEN: frozenset({A.ACKNOWLEDGED, A.RESOLVED}),
    A.ACKNOWLEDGED: frozenset({A.RESOLVED}),
    A.RESOLVED: frozenset(),
}

MACHINES: Mapping[str, Mapping[StrEnum, frozenset[StrEnum]]] = {
    "job": JOB_TRANSITIONS,  # type: ignore[dict-item]
    "case": CASE_TRANSITIONS,  # type: ignore[dict-item]
    "human_request": HUMAN_REQUEST_TRANSITIONS,  # type: ignore[dict-item]
    "alert": ALERT_TRANSITIONS,  # type: ignore[dict-item]
}

S = TypeVar("S", bound=StrEnum)


def check(machine: str, from_status: S, to_status: S) -> S:
    """Return ``to_status`` if ``machine`` allows ``from_status → to_status``.

    ``machine`` is one of ``job``, ``case``, ``human_request``, ``alert``.
    Raises ``InvalidTransition`` for any edge not in the table (including staying put)
    and ``KeyError`` for an unknown machine name.
    """
    table = MACHINES[machine]
    if to_status not in table.get(from_status, frozenset()):
        raise InvalidTransition(machine, str(from_status), str(to_status))
    return to_status


def reachable(machine: str, from_status: StrEnum, to_status: StrEnum) -> bool:
    """True when ``to_status`` can be reached from ``from_status`` through one or more
    edges of ``machine`` (e.g. job ``needs_input → running → completed``).

    For history recorded elsewhere (an imported run seen again later), where the statuses
    in between were never observed. Staying put counts only when a cycle leads back
    (job ``running → needs_input → running``). Raises ``KeyError`` for an unknown machine.
    """
    table = MACHINES[machine]
    seen: set[StrEnum] = set()
    frontier = list(table.get(from_status, frozenset()))
    while frontier:
        status = frontier.pop()
        if status == to_status:
            return True
        if status not in seen:
            seen.add(status)
            frontier.extend(table.get(status, frozenset()))
    return False


def is_terminal(machine: str, status: StrEnum) -> bool:
    """True when ``status`` has no outgoing edge in ``machine``."""
    return not MACHINES[machine].get(status)

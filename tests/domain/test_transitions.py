"""Every allowed and every refused edge of every status machine."""

from __future__ import annotations

import itertools
from enum import StrEnum

import pytest

from sopwatch.domain.enums import AlertStatus, CaseStatus, HumanRequestStatus, JobStatus
from sopwatch.domain.errors import InvalidTransition
from sopwatch.domain.transitions import MACHINES, check, is_terminal, reachable

J, C, H, A = JobStatus, CaseStatus, HumanRequestStatus, AlertStatus

# Written out from docs/architecture.md "Status machines", independently of the tables under test.
ALLOWED: dict[str, set[tuple[StrEnum, StrEnum]]] = {
    "job": {
        (J.PENDING, J.RUNNING), (J.RUNNING, J.COMPLETED), (J.RUNNING, J.FAILED),
        (J.RUNNING, J.STOPPED), (J.RUNNING, J.NEEDS_INPUT), (J.NEEDS_INPUT, J.RUNNING),
        (J.PENDING, J.STOPPED), (J.NEEDS_INPUT, J.STOPPED), (J.NEEDS_INPUT, J.FAILED),
    },
    "case": {
        (C.PENDING, C.IN_PROGRESS), (C.IN_PROGRESS, C.COMPLETED), (C.IN_PROGRESS, C.FAILED),
        (C.IN_PROGRESS, C.POSTPONED), (C.IN_PROGRESS, C.NEEDS_INPUT), (C.POSTPONED, C.PENDING),
        (C.NEEDS_INPUT, C.IN_PROGRESS), (C.FAILED, C.PENDING), (C.COMPLETED, C.PENDING),
    },
    "human_request": {
        (H.PENDING, H.APPROVED), (H.PENDING, H.DENIED), (H.PENDING, H.ANSWERED),
        (H.PENDING, H.EXPIRED),
    },
    "alert": {(A.OPEN, A.ACKNOWLEDGED), (A.ACKNOWLEDGED, A.RESOLVED), (A.OPEN, A.RESOLVED)},
}  # fmt: skip
ENUMS: dict[str, type[StrEnum]] = {
    "job": JobStatus,
    "case": CaseStatus,
    "human_request": HumanRequestStatus,
    "alert": AlertStatus,
}
ALL_EDGES = [
    (machine, a, b)
    for machine, enum in ENUMS.items()
    for a, b in itertools.product(list(enum), repeat=2)
]


@pytest.mark.parametrize(("machine", "src", "dst"), ALL_EDGES, ids=lambda v: str(v))
def test_every_edge(machine: str, src: StrEnum, dst: StrEnum) -> None:
    if (src, dst) in ALLOWED[machine]:
        assert check(machine, src, dst) == dst
    else:
        with pytest.raises(InvalidTransition) as info:
            check(machine, src, dst)
        assert info.value.from_status == src and info.value.to_status == dst
        assert machine in str(info.value)


def test_tables_cover_every_status() -> None:
    for machine, enum in ENUMS.items():
        assert set(MACHINES[machine]) == set(enum)


def test_terminal_states() -> None:
    assert {s for s in JobStatus if is_terminal("job", s)} == {J.COMPLETED, J.FAILED, J.STOPPED}
    assert {s for s in CaseStatus if is_terminal("case", s)} == set()
    assert is_terminal("alert", A.RESOLVED) and not is_terminal("alert", A.OPEN)


def _closure(edges: set[tuple[StrEnum, StrEnum]]) -> set[tuple[StrEnum, StrEnum]]:
    """Pairs joined by one or more edges (Warshall's algorithm over the written-out edges)."""
    found = set(edges)
    nodes = {n for edge in edges for n in edge}
    for mid in nodes:
        found |= {(a, d) for a, b in found if b == mid for c, d in found if c == mid}
    return found


@pytest.mark.parametrize(("machine", "src", "dst"), ALL_EDGES, ids=lambda v: str(v))
def test_reachable_is_the_closure_of_the_edges(machine: str, src: StrEnum, dst: StrEnum) -> None:
    assert reachable(machine, src, dst) == ((src, dst) in _closure(ALLOWED[machine]))


def test_reachable_job_history() -> None:
    """What a re-import may do: a paused run that finished, but never a finished one resumed."""
    assert reachable("job", J.NEEDS_INPUT, J.COMPLETED)  # through running
    assert reachable("job", J.PENDING, J.COMPLETED)
    assert reachable("job", J.RUNNING, J.RUNNING)  # running -> needs_input -> running
    assert not reachable("job", J.COMPLETED, J.RUNNING)
    assert not reachable("job", J.FAILED, J.COMPLETED)
    assert not reachable("job", J.PENDING, J.PENDING)

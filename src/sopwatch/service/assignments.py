"""Assignments: find one by name (with suggestions), list, set expectations, rename, delete.

Every change writes an audit event naming ``actor``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.assignment import Assignment
from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.limits import STEP_NAME_CHARS, name_problem, text_problem
from sopwatch.service.errors import UnknownName, close_names, did_you_mean
from sopwatch.service.store import Store
from sopwatch.store import assignments as store_assignments
from sopwatch.store.assignments import AssignmentRows
from sopwatch.store.audit import record_event

__all__ = [
    "MAX_READ_TOOLS",
    "MAX_RUNS_PER_DAY",
    "AssignmentRows",
    "Deletion",
    "delete_assignment",
    "list_assignments",
    "rename_assignment",
    "require_assignment",
    "set_assignment",
]

#: Upper bound of ``expected_runs_per_day`` (our choice: ten million a day is beyond any
#: assignment; it keeps the report's numbers readable).
MAX_RUNS_PER_DAY = 10_000_000
#: At most this many read tools per assignment (our choice: far more tools than any
#: agent has, and the list stays readable in `assignments list`).
MAX_READ_TOOLS = 500


def require_assignment(conn: sa.Connection, team_id: int, name: str) -> Assignment:
    """The team's assignment called ``name``.

    Raises ``UnknownName`` (a ``NotFound``) naming up to 3 close names ("did you mean"),
    or saying the team has no assignments yet and how to import some.
    """
    found = store_assignments.find_assignment(conn, team_id, name)
    if found is not None:
        return found
    names = store_assignments.assignment_names(conn, team_id)
    if not names:
        hint = (
            "there are no assignments yet: import runs with "
            f"`sopwatch import PATH --assignment {name}`"
        )
    elif suggestions := close_names(name, names):
        hint = did_you_mean(suggestions)
    else:
        count = f"{len(names):,} assignment{'' if len(names) == 1 else 's'}"
        hint = f"`sopwatch assignments list` shows the {count} there are"
    raise UnknownName("assignment", name, hint)


def list_assignments(store: Store) -> list[Assignment]:
    """The team's assignments, by name."""
    with store.engine.connect() as conn:
        return store_assignments.list_assignments(conn, store.team_id)


def set_assignment(
    store: Store,
    name: str,
    *,
    expected_runs_per_day: float | None = None,
    testing_from: datetime | None = None,
    testing_until: datetime | None = None,
    read_tools: Sequence[str] | None = None,
    actor: str,
) -> Assignment:
    """Set what the checks compare against: the jobs expected per day (0 to
    ``MAX_RUNS_PER_DAY``), the testing period ``[testing_from, testing_until)`` (UTC,
    both ends), and/or the tools that only read (``read_tools``: exact tool names, which
    replace the stored list; an empty list clears it; the duplicate side-effect check
    never counts their calls, see ``domain.tools``). Returns the assignment as now stored.

    Raises ``InvalidInput`` for a value out of range, one end of the period alone, an end
    not after its start, a tool name that cannot be a step's name (blank, over 200
    characters, NUL or a lone surrogate), more than ``MAX_READ_TOOLS`` names, or nothing
    to set; ``UnknownName`` for an unknown assignment.
    """
    values: dict[str, Any] = {}
    if read_tools is not None:
        values["read_tools"] = _read_tools(read_tools)
    if expected_runs_per_day is not None:
        in_range = 0 <= expected_runs_per_day <= MAX_RUNS_PER_DAY
        if not (math.isfinite(expected_runs_per_day) and in_range):
            raise InvalidInput(
                "--expected-runs-per-day", f"must be a number from 0 to {MAX_RUNS_PER_DAY:,}"
            )
        values["expected_runs_per_day"] = expected_runs_per_day
    if (testing_from is None) != (testing_until is None):
        raise InvalidInput("--testing-from/--testing-until", "give both ends of the period")
    if testing_from is not None and testing_until is not None:
        if testing_until <= testing_from:
            raise InvalidInput("--testing-until", "must be after --testing-from")
        values.update(testing_from=testing_from, testing_until=testing_until)
    if not values:
        raise InvalidInput(
            "options",
            "nothing to set: give --expected-runs-per-day, --testing-from/--testing-until "
            "or --read-tools",
        )
    with store.engine.begin() as conn:
        found = require_assignment(conn, store.team_id, name)
        store_assignments.update_assignment(conn, found.id, **values)
        details = {k: ", ".join(v) if k == "read_tools" else str(v) for k, v in values.items()}
        _audit(store, conn, actor, ("assignment.updated", "set"), found.id, details)
        return store_assignments.get_assignment(conn, store.team_id, name)


def _read_tools(names: Sequence[str]) -> list[str]:
    """The tool names to store: each as given (tool names are matched exactly), once, in
    order. Raises ``InvalidInput("--read-tools", ...)`` for a name a step could not have
    or too many names."""
    kept = list(dict.fromkeys(names))
    if len(kept) > MAX_READ_TOOLS:
        raise InvalidInput("--read-tools", f"{len(kept):,} names; at most {MAX_READ_TOOLS} fit")
    for name in kept:
        problem = text_problem(name, STEP_NAME_CHARS, blank_ok=False)
        if problem is not None:
            raise InvalidInput("--read-tools", f"tool name {name!r}: {problem}")
    return kept


def rename_assignment(store: Store, old: str, new: str, *, actor: str) -> Assignment:
    """Rename assignment ``old`` to ``new``; its jobs, revisions and history keep their
    links. Returns the renamed assignment.

    Raises ``UnknownName`` for an unknown ``old``; ``InvalidInput("NEW", ...)`` when
    ``new`` is the same name, is taken, or is no name (blank, over 200 characters, a
    control character, blanks around it: ``limits.name_problem``, the rule
    ``sopwatch import --assignment`` applies).
    """
    problem = name_problem(new)
    if problem is not None:
        raise InvalidInput("NEW", problem)
    if new == old:
        raise InvalidInput("NEW", f"{new!r} is already the assignment's name")
    taken = InvalidInput("NEW", f"assignment {new!r} already exists; choose a free name")
    try:
        with store.engine.begin() as conn:
            found = require_assignment(conn, store.team_id, old)
            if store_assignments.find_assignment(conn, store.team_id, new) is not None:
                raise taken
            store_assignments.rename_assignment(conn, found.id, new)
            details = {"from": old, "to": new}
            _audit(store, conn, actor, ("assignment.renamed", "rename"), found.id, details)
            return store_assignments.get_assignment(conn, store.team_id, new)
    except sa.exc.IntegrityError:  # taken by another session since we looked
        raise taken from None


@dataclass(frozen=True, kw_only=True, slots=True)
class Deletion:
    """What deleting an assignment removes (``rows``), and whether it was done: ``deleted``
    is False when the caller only asked what would go."""

    assignment: str
    rows: AssignmentRows
    deleted: bool


def delete_assignment(store: Store, name: str, *, confirm: bool, actor: str) -> Deletion:
    """Delete assignment ``name`` with its jobs, steps, human requests, revisions, alerts,
    schedules and triggers, when ``confirm``; else change nothing and say what would go.
    Cases stay in their queues. One transaction; an audit event records the counts.

    Raises ``UnknownName`` for an unknown assignment.
    """
    with store.engine.begin() as conn:
        found = require_assignment(conn, store.team_id, name)
        if not confirm:
            rows = store_assignments.count_assignment_rows(conn, found.id)
            return Deletion(assignment=name, rows=rows, deleted=False)
        rows = store_assignments.delete_assignment(conn, found.id)
        details = {"name": name} | asdict(rows)
        _audit(store, conn, actor, ("assignment.deleted", "delete"), found.id, details)
    return Deletion(assignment=name, rows=rows, deleted=True)


def _audit(
    store: Store,
    conn: sa.Connection,
    actor: str,
    action: tuple[str, str],
    assignment_id: int,
    details: dict[str, Any],
) -> None:
    """One audit event: ``action`` is (event action, the ``assignments`` subcommand)."""
    record_event(
        conn,
        team_id=store.team_id,
        actor=actor,
        action=action[0],
        entity="assignment",
        entity_id=assignment_id,
        reason=f"sopwatch assignments {action[1]}",
        details=details,
    )

"""Assignments through the service: lookup with suggestions, set, rename, delete."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sopwatch.domain.errors import InvalidInput, NotFound
from sopwatch.service import assignments as service
from sopwatch.service.jobs import list_jobs
from sopwatch.service.store import Store
from sopwatch.store.audit import audit_events
from sopwatch.store.cases import cases
from sopwatch.store.jobs import human_requests, jobs, steps
from tests.service.conftest import AT, load, run

PENDING = {"type": "question", "status": "pending", "question": "ok?", "step": 2}


def _lookup_error(store: Store, name: str) -> str:
    with store.engine.connect() as conn, pytest.raises(NotFound) as caught:
        service.require_assignment(conn, store.team_id, name)
    return str(caught.value)


def _events(store: Store, action: str) -> list[sa.Row]:
    query = sa.select(audit_events).where(audit_events.c.action == action)
    with store.engine.connect() as conn:
        return list(conn.execute(query))


def test_unknown_assignment_suggests_close_names(store: Store, tmp_path: Path) -> None:
    assert "there are no assignments yet" in _lookup_error(store, "triage")
    assert "sopwatch import PATH --assignment triage" in _lookup_error(store, "triage")
    load(store, tmp_path, "invoice-triage", [run(1)])
    load(store, tmp_path, "invoice-review", [run(2)])
    assert _lookup_error(store, "invoice-triag") == (
        "assignment: 'invoice-triag' not found; did you mean 'invoice-triage'?"
    )
    assert "did you mean 'invoice-review' or 'invoice-triage'?" in _lookup_error(store, "invoice")
    far = _lookup_error(store, "payroll")
    assert "did you mean" not in far and "shows the 2 assignments" in far


def test_delete_needs_confirmation_and_changes_nothing_without(
    store: Store, tmp_path: Path
) -> None:
    load(store, tmp_path, "doomed", [run(i, human_requests=[PENDING]) for i in range(3)])
    plan = service.delete_assignment(store, "doomed", confirm=False, actor="tester")
    assert not plan.deleted
    assert (plan.rows.jobs, plan.rows.steps, plan.rows.human_requests) == (3, 6, 3)
    assert (plan.rows.revisions, plan.rows.cases_linked) == (2, 3)
    assert len(list_jobs(store, "doomed")) == 3
    assert _events(store, "assignment.deleted") == []


def test_delete_removes_the_assignment_and_what_it_owns_only(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "doomed", [run(i, human_requests=[PENDING]) for i in range(3)])
    load(store, tmp_path, "kept", [run(i, human_requests=[PENDING]) for i in range(10, 12)])
    done = service.delete_assignment(store, "doomed", confirm=True, actor="tester")
    assert done.deleted
    assert (done.rows.jobs, done.rows.steps, done.rows.human_requests) == (3, 6, 3)
    assert done.rows.revisions == 2
    with pytest.raises(NotFound):
        list_jobs(store, "doomed")
    assert len(list_jobs(store, "kept")) == 2
    with store.engine.connect() as conn:
        count = {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (jobs, steps, human_requests, cases)
        }
    assert count == {"jobs": 2, "steps": 4, "human_requests": 2, "cases": 5}  # cases stay
    (event,) = _events(store, "assignment.deleted")
    assert (event.actor, event.entity) == ("tester", "assignment")
    assert event.details["name"] == "doomed" and event.details["jobs"] == 3


def test_delete_then_import_again_starts_fresh(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "again", [run(1)])
    service.delete_assignment(store, "again", confirm=True, actor="tester")
    load(store, tmp_path, "again", [run(1)])  # not "unchanged": the old job is gone
    assert [j.label for j in list_jobs(store, "again")] == ["r1"]


def test_rename_keeps_jobs_and_is_audited(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "old", [run(1), run(2)])
    renamed = service.rename_assignment(store, "old", "new", actor="tester")
    assert renamed.name == "new"
    assert len(list_jobs(store, "new")) == 2
    with pytest.raises(NotFound):
        list_jobs(store, "old")
    (event,) = _events(store, "assignment.renamed")
    assert event.details == {"from": "old", "to": "new"}


@pytest.mark.parametrize(
    ("new", "problem"),
    [("taken", "already exists"), ("", "must not be blank"), ("x" * 201, "at most 200"),
     ("a\x00b", "NUL"), ("old", "already the assignment's name")],
)  # fmt: skip
def test_rename_refuses_a_name_in_use_or_unstorable(
    store: Store, tmp_path: Path, new: str, problem: str
) -> None:
    load(store, tmp_path, "old", [run(1)])
    load(store, tmp_path, "taken", [run(2)])
    with pytest.raises(InvalidInput) as caught:
        service.rename_assignment(store, "old", new, actor="tester")
    assert caught.value.field == "NEW" and problem in caught.value.problem
    assert len(list_jobs(store, "old")) == 1


def test_set_validates_and_returns_the_stored_values(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "a", [run(1)])
    changed = service.set_assignment(
        store, "a", expected_runs_per_day=40, testing_from=AT, testing_until=AT + timedelta(1),
        actor="tester",
    )  # fmt: skip
    assert (changed.expected_runs_per_day, changed.testing_from) == (40, AT)
    for bad in ({"expected_runs_per_day": -1}, {"expected_runs_per_day": float("nan")},
                {"testing_from": AT}, {"testing_from": AT, "testing_until": AT}, {}):  # fmt: skip
        with pytest.raises(InvalidInput):
            service.set_assignment(store, "a", actor="tester", **bad)  # type: ignore[arg-type]
    assert service.list_assignments(store)[0].expected_runs_per_day == 40


def test_set_read_tools_replaces_clears_and_is_audited(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "a", [run(1)])
    changed = service.set_assignment(
        store, "a", read_tools=["ping", "lookupVendor", "ping"], actor="tester"
    )
    assert changed.read_tools == ("ping", "lookupVendor")
    assert service.list_assignments(store)[0].read_tools == ("ping", "lookupVendor")
    assert _events(store, "assignment.updated")[-1].details == {"read_tools": "ping, lookupVendor"}
    kept = service.set_assignment(store, "a", expected_runs_per_day=3, actor="tester")
    assert kept.read_tools == ("ping", "lookupVendor")  # not given: unchanged
    assert service.set_assignment(store, "a", read_tools=[], actor="tester").read_tools == ()


def test_set_read_tools_refuses_names_a_step_could_not_have(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "a", [run(1)])
    too_many = [f"t{i}" for i in range(service.MAX_READ_TOOLS + 1)]
    for bad, problem in (([" "], "must not be blank"), (["x" * 201], "at most 200 fit"),
                         (["a\x00b"], "NUL"), (too_many, "at most 500 fit")):  # fmt: skip
        with pytest.raises(InvalidInput) as caught:
            service.set_assignment(store, "a", read_tools=bad, actor="tester")
        assert caught.value.field == "--read-tools" and problem in caught.value.problem
    assert service.list_assignments(store)[0].read_tools == ()

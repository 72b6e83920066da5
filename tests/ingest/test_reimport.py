"""Importing again on both databases: changed runs update their job in place, unchanged
ones write nothing, refused status changes leave the stored run alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import BUNDLED_DATA

from sopwatch.ingest import writer
from sopwatch.ingest.importer import ImportOptions, ImportResult, import_paths
from sopwatch.store.assignments import revisions
from sopwatch.store.audit import audit_events
from sopwatch.store.jobs import human_requests, jobs, steps
from sopwatch.store.teams import ensure_team

AT = "2026-03-01T10:00:00Z"
ANSWERED = "2026-03-01T11:30:00Z"
TAU = BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"


def _options(engine: sa.Engine, **extra: Any) -> ImportOptions:
    with engine.begin() as conn:
        team = ensure_team(conn, "t")
    fields: dict[str, Any] = {
        "team_id": team.id,
        "assignment": "a",
        "fmt": None,
        "spread": timedelta(days=7),
        "end": datetime(2026, 3, 2, tzinfo=UTC),
    }
    fields.update(extra)
    return ImportOptions(**fields)


def _import(engine: sa.Engine, path: Path, *runs: dict[str, Any], **extra: Any) -> ImportResult:
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    return import_paths(engine, [path], _options(engine, **extra))


def _waiting(name: str, **extra: Any) -> dict[str, Any]:
    """A run paused on a refund approval at step 2."""
    return {
        "id": name,
        "status": "needs_input",
        "created_at": AT,
        "steps": [
            {"seq": 1, "kind": "model", "name": "plan", "cost_usd": 0.001},
            {"seq": 2, "kind": "gate", "name": "refund_over_500"},
        ],
        "human_requests": [
            {"step": 2, "gate": "refund_over_500", "type": "approval", "question": "Refund?"}
        ],
        **extra,
    }


def _answered(name: str) -> dict[str, Any]:
    """The same run, later: approved and finished."""
    run = _waiting(name, status="completed", output="refunded", finished_at=ANSWERED)
    run["steps"].append({"seq": 3, "kind": "tool", "name": "refund", "result": "ok"})
    run["human_requests"][0].update(status="approved", answered_at=ANSWERED)
    return run


def _job(engine: sa.Engine, external_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(jobs).where(jobs.c.external_id == external_id)).one()


def _requests(engine: sa.Engine) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(sa.select(human_requests).order_by(human_requests.c.id)).all()


def _events(engine: sa.Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        query = sa.select(audit_events).where(audit_events.c.action == action)
        return conn.execute(query.order_by(audit_events.c.id)).all()


def test_an_answered_request_and_a_finished_run_update_the_job(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "runs.jsonl"
    first = _import(engine, path, _waiting("r1"), _waiting("r2"))
    assert (first.imported, first.updated) == (2, 0)
    job = _job(engine, "r1")
    (request, _) = _requests(engine)

    result = _import(engine, path, _answered("r1"), _waiting("r2"), actor="ana")

    assert (result.imported, result.updated, result.unchanged, result.errors) == (0, 1, 1, [])
    assert result.steps == 3  # the updated job's steps, written anew
    now = _job(engine, "r1")
    assert now.id == job.id
    assert (now.status, now.output) == ("completed", "refunded")
    assert now.finished_at == datetime(2026, 3, 1, 11, 30, tzinfo=UTC)
    assert now.updated_at > job.updated_at
    again, other = _requests(engine)
    assert again.id == request.id  # the same request, answered
    assert (again.status, again.answered_at) == ("approved", now.finished_at)
    assert other.status == "pending"
    with engine.connect() as conn:
        seqs = conn.execute(sa.select(steps.c.seq).where(steps.c.job_id == job.id)).scalars()
        assert sorted(seqs) == [1, 2, 3]
    (event,) = _events(engine, "job.updated")
    assert (event.entity, event.entity_id, event.actor) == ("job", job.id, "ana")
    assert (event.from_status, event.to_status) == ("needs_input", "completed")
    assert event.details["status"] == {"from": "needs_input", "to": "completed"}
    assert event.details["steps"] == {"before": 2, "after": 3}
    assert event.details["requests"] == {"updated": 1, "added": 0, "removed": 0}
    assert {"status", "output", "finished_at"} <= set(event.details["changed"])
    summary = _events(engine, "jobs.imported")[-1]
    assert (summary.details["updated"], summary.details["unchanged"]) == (1, 1)


def test_the_same_content_again_writes_nothing(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    _import(engine, path, _waiting("r1"), _answered("r2"))
    with engine.connect() as conn:
        before = conn.execute(sa.select(jobs.c.id, jobs.c.updated_at).order_by(jobs.c.id)).all()
        step_ids = conn.execute(sa.select(steps.c.id).order_by(steps.c.id)).scalars().all()

    result = _import(engine, path, _answered("r2"), _waiting("r1"))  # order is not content

    assert (result.imported, result.updated, result.unchanged, result.steps) == (0, 0, 2, 0)
    with engine.connect() as conn:
        after = conn.execute(sa.select(jobs.c.id, jobs.c.updated_at).order_by(jobs.c.id)).all()
        assert conn.execute(sa.select(steps.c.id).order_by(steps.c.id)).scalars().all() == step_ids
    assert after == before
    assert _events(engine, "job.updated") == []
    assert len(_events(engine, "jobs.imported")) == 1  # the first import only


def test_a_refused_status_change_keeps_that_run_and_updates_the_others(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "runs.jsonl"
    _import(engine, path, _answered("done"), _waiting("waiting"))
    stored = _job(engine, "done")

    resumed = _waiting("done", status="running", output="again")
    result = _import(engine, path, resumed, _answered("waiting"))

    assert (result.updated, result.unchanged) == (1, 0)
    (error,) = result.errors
    assert error.where == f"{path}: line 1"
    assert error.problem == (
        "field 'status': the stored job is 'completed' and a job cannot go from "
        "'completed' to 'running'; the stored run was kept as it was"
    )
    assert _job(engine, "done") == stored
    assert _job(engine, "waiting").status == "completed"
    assert [r.status for r in _requests(engine)] == ["approved", "approved"]


def test_a_request_never_goes_back_to_pending(engine: sa.Engine, tmp_path: Path) -> None:
    """A stale log (the request still pending) cannot undo an answer; a failed job may
    keep failing with other details."""
    path = tmp_path / "runs.jsonl"
    answered = _waiting("r", status="failed")
    answered["human_requests"][0].update(status="denied", answered_at=ANSWERED)
    _import(engine, path, answered)
    result = _import(engine, path, _waiting("r", status="failed", error="late"))
    (error,) = result.errors
    assert error.problem.startswith(
        "field 'human_requests[0].status': the stored request is 'denied' and a request "
        "cannot go from 'denied' to 'pending'"
    )
    assert [r.status for r in _requests(engine)] == ["denied"]
    assert _job(engine, "r").error is None


def test_requests_that_vanish_are_deleted_and_new_ones_added(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "runs.jsonl"
    _import(engine, path, _waiting("r"))
    changed = _waiting("r")
    changed["human_requests"] = [{"step": 1, "type": "question", "question": "Which order?"}]
    result = _import(engine, path, changed)
    assert result.updated == 1
    (new,) = _requests(engine)  # the approval request is gone
    assert (new.type, new.step_seq, new.gate, new.question) == ("question", 1, None, "Which order?")
    (event,) = _events(engine, "job.updated")
    assert event.details["requests"] == {"updated": 0, "added": 1, "removed": 1}


def test_a_laid_out_run_is_unchanged_whatever_the_end(engine: sa.Engine) -> None:
    """tau-bench runs carry no time: the importer lays them out ending at --end. Another
    --end lays them out elsewhere, but they are the same runs."""
    first = import_paths(engine, [TAU], _options(engine, end=datetime(2026, 3, 2, tzinfo=UTC)))
    assert (first.imported, first.laid_out) == (200, 200)
    with engine.connect() as conn:
        created = conn.execute(sa.select(jobs.c.id, jobs.c.created_at).order_by(jobs.c.id)).all()
    later = import_paths(engine, [TAU], _options(engine, end=datetime(2026, 3, 9, tzinfo=UTC)))
    assert (later.imported, later.updated, later.unchanged, later.errors) == (0, 0, 200, [])
    with engine.connect() as conn:
        again = conn.execute(sa.select(jobs.c.id, jobs.c.created_at).order_by(jobs.c.id)).all()
    assert again == created


def test_a_changed_laid_out_run_keeps_its_stored_time(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    run = {"id": "t1", "status": "completed", "output": "a"}  # no time: laid out
    _import(engine, path, run, end=datetime(2026, 3, 2, tzinfo=UTC))
    created = _job(engine, "t1").created_at
    result = _import(engine, path, {**run, "output": "b"}, end=datetime(2026, 3, 9, tzinfo=UTC))
    assert result.updated == 1
    assert (_job(engine, "t1").output, _job(engine, "t1").created_at) == ("b", created)


def test_a_job_stored_before_content_hashes_is_updated_once(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "runs.jsonl"
    _import(engine, path, _waiting("old"))
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).values(content_hash=None))
    once = _import(engine, path, _waiting("old"))
    assert (once.updated, once.unchanged) == (1, 0)
    (event,) = _events(engine, "job.updated")
    assert event.details["changed"] == [] and event.from_status is None
    twice = _import(engine, path, _waiting("old"))
    assert (twice.updated, twice.unchanged) == (0, 1)


def test_completed_with_a_pending_request_is_stored_needs_input(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "runs.jsonl"
    result = _import(engine, path, _waiting("says-done", status="completed"), _answered("ok"))
    assert (result.imported, result.corrected) == (2, 1)
    assert _job(engine, "says-done").status == "needs_input"
    assert _job(engine, "ok").status == "completed"
    # and a re-import that says completed again cannot finish the still-pending request's job
    changed = _waiting("says-done", status="completed", output="x")
    again = _import(engine, path, changed, _answered("ok"))
    assert (again.updated, again.corrected, again.errors) == (1, 1, [])
    assert _job(engine, "says-done").status == "needs_input"


def test_an_update_survives_a_batch_the_database_refused(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction per batch; when the database refuses a record, the batch is
    retried record by record and the update is counted once."""
    path = tmp_path / "runs.jsonl"
    _import(engine, path, _waiting("r1"))
    monkeypatch.setattr(writer, "problems", lambda record, now: None)
    bad = {"id": "bad", "status": "completed", "created_at": AT, "duration_ms": 2**63}
    result = _import(engine, path, _answered("r1"), bad, {"id": "new", "status": "completed"})
    assert (result.imported, result.updated, len(result.errors)) == (1, 1, 1)
    assert result.errors[0].where == f"{path}: line 2"
    assert _job(engine, "r1").status == "completed"
    assert len(_events(engine, "job.updated")) == 1


def test_duplicates_in_one_import_are_still_errors(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    _import(engine, path, _waiting("r"))
    result = _import(engine, path, _answered("r"), _waiting("r"))
    assert result.updated == 1
    (error,) = result.errors
    assert error.problem == "field 'id': duplicate id 'r' in this import; the first one was kept"
    assert _job(engine, "r").status == "completed"


def _revision_of(engine: sa.Engine, external_id: str) -> int | None:
    query = (
        sa.select(revisions.c.number)
        .select_from(jobs.outerjoin(revisions, revisions.c.id == jobs.c.revision_id))
        .where(jobs.c.external_id == external_id)
    )
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_a_run_that_names_no_revision_keeps_the_stored_one(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "runs.jsonl"
    assert _import(engine, path, _waiting("r1"), revision=2).imported == 1
    again = _import(engine, path, _waiting("r1"))  # the README's form: no --revision
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)
    assert _revision_of(engine, "r1") == 2
    changed = _import(engine, path, _answered("r1"))
    assert changed.updated == 1 and _revision_of(engine, "r1") == 2
    named = _import(engine, path, _answered("r1"), revision=3)  # a revision given wins
    assert named.updated == 1 and _revision_of(engine, "r1") == 3
    own = _import(engine, path, _answered("r1") | {"revision": 4})
    assert own.updated == 1 and _revision_of(engine, "r1") == 4

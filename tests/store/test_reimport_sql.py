"""The re-import SQL on both databases: finding jobs by external id, updating columns of
many rows at once, and removing a job's steps and requests."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from sopwatch.domain.enums import HumanRequestStatus, JobStatus
from sopwatch.store import reimport
from sopwatch.store.assignments import ensure_assignment
from sopwatch.store.bulk import insert_returning_ids, insert_rows
from sopwatch.store.jobs import human_requests, jobs, steps
from sopwatch.store.teams import ensure_team

AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def _setup(conn: sa.Connection) -> tuple[int, list[int]]:
    team = ensure_team(conn, "t")
    a = ensure_assignment(conn, team.id, "a")
    rows = [
        {
            "team_id": team.id, "assignment_id": a.id, "external_id": f"x{i}",
            "status": "needs_input", "source": "api", "imported": True, "created_at": AT,
            "updated_at": AT, "content_hash": None if i == 0 else f"{i:064x}",
        }
        for i in range(3)
    ]  # fmt: skip
    ids = insert_returning_ids(conn, jobs, rows)
    insert_rows(conn, steps, [{"job_id": ids[1], "seq": s, "kind": "tool", "name": "t",
                               "status": "ok"} for s in (1, 2)])  # fmt: skip
    insert_rows(conn, human_requests, [{"job_id": ids[1], "type": "approval", "status": "pending",
                                        "escalations": 0, "created_at": AT}])  # fmt: skip
    return a.id, ids


def test_stored_jobs_by_external_id(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assignment_id, ids = _setup(conn)
        found = reimport.stored_jobs(conn, assignment_id, ["x0", "x1", "nope"])
        other = reimport.stored_jobs(conn, assignment_id + 1, ["x0"])
    assert set(found) == {"x0", "x1"} and other == {}
    assert found["x0"] == reimport.StoredJob(
        id=ids[0], status=JobStatus.NEEDS_INPUT, content_hash=None, created_at=AT
    )
    assert found["x1"].content_hash == f"{1:064x}"


def test_update_delete_and_counts(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        _, ids = _setup(conn)
        assert reimport.step_counts(conn, ids) == {ids[0]: 0, ids[1]: 2, ids[2]: 0}
        requests = reimport.requests_by_job(conn, ids)
        assert [len(requests[i]) for i in ids] == [0, 1, 0]
        (request,) = requests[ids[1]]
        reimport.update_jobs(
            conn,
            [
                {"id": ids[0], "status": "completed", "output": "done"},
                {"id": ids[1], "status": "failed"},  # another set of columns
            ],
        )
        reimport.update_requests(conn, [{"id": request.id, "status": "approved"}])
        reimport.delete_steps(conn, [ids[1]])
        rows = reimport.job_rows(conn, ids)
        again = reimport.requests_by_job(conn, [ids[1]])[ids[1]]
        reimport.delete_requests(conn, [request.id])
        left = reimport.requests_by_job(conn, [ids[1]])
    assert [rows[i]["status"] for i in ids] == ["completed", "failed", "needs_input"]
    assert (rows[ids[0]]["output"], rows[ids[1]]["output"]) == ("done", None)
    assert again[0].status is HumanRequestStatus.APPROVED and again[0].id == request.id
    assert left == {ids[1]: []}
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(steps)).scalar_one() == 0

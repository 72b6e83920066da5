"""Bulk inserts on both databases: ids come back in row order, rows land intact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from sopwatch.store.assignments import ensure_assignment
from sopwatch.store.bulk import insert_returning_ids, insert_rows
from sopwatch.store.jobs import jobs, steps
from sopwatch.store.teams import ensure_team

AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def _job(team_id: int, assignment_id: int, i: int) -> dict[str, object]:
    return {
        "team_id": team_id, "assignment_id": assignment_id, "external_id": f"x{i}",
        "status": "completed", "source": "api", "imported": True, "created_at": AT,
        "updated_at": AT, "cost_micros": 10**12 + i,
    }  # fmt: skip


def test_ids_in_row_order_and_rows_intact(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        team = ensure_team(conn, "bulk")
        a = ensure_assignment(conn, team.id, "bulk")
        ids = insert_returning_ids(conn, jobs, [_job(team.id, a.id, i) for i in range(50)])
        insert_rows(
            conn,
            steps,
            [{"job_id": ids[7], "seq": 1, "kind": "tool", "name": "é\u2603", "status": "ok"}],
        )
        more = insert_returning_ids(conn, jobs, [_job(team.id, a.id, 50)])
    assert len(set(ids)) == 50 and more[0] not in ids
    with engine.connect() as conn:
        rows = conn.execute(sa.select(jobs.c.id, jobs.c.external_id, jobs.c.created_at)).all()
        step = conn.execute(sa.select(steps)).one()
    by_id = {r.id: r for r in rows}
    assert [by_id[i].external_id for i in ids] == [f"x{i}" for i in range(50)]
    assert by_id[ids[0]].created_at == AT
    assert (step.job_id, step.name) == (ids[7], "é\u2603")


def test_nothing_to_insert_is_fine(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert insert_returning_ids(conn, jobs, []) == []
        insert_rows(conn, steps, [])


def test_a_refused_row_raises_a_sqlalchemy_error_on_both_databases(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.SQLAlchemyError), engine.begin() as conn:
        insert_rows(conn, steps, [{"job_id": 999_999, "seq": 1, "kind": "tool",
                                   "name": "x", "status": "ok"}])  # fmt: skip


def test_rows_with_different_keys_go_in_one_statement_per_key_set(engine: sa.Engine) -> None:
    """Steps without model-call details leave those columns out; they take NULL and the
    server default (``cost_estimated`` false) on both databases."""
    with engine.begin() as conn:
        team = ensure_team(conn, "bulk")
        a = ensure_assignment(conn, team.id, "bulk")
        (job_id,) = insert_returning_ids(conn, jobs, [_job(team.id, a.id, 1)])
        plain = {"job_id": job_id, "kind": "tool", "name": "t", "status": "ok"}
        detailed = {**plain, "kind": "model", "finish_reason": "length", "cost_estimated": True}
        insert_rows(conn, steps, [{**plain, "seq": 1}, {**detailed, "seq": 2}, {**plain, "seq": 3}])
    with engine.connect() as conn:
        query = sa.select(steps.c.seq, steps.c.finish_reason, steps.c.cost_estimated)
        found = conn.execute(query.order_by(steps.c.seq)).all()
    assert [tuple(r) for r in found] == [(1, None, False), (2, "length", True), (3, None, False)]

"""Bulk inserts on both databases: ids come back in row order, rows land intact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from sopwatch.store.assignments import ensure_assignment
from sopwatch.store.base import UtcDateTime
from sopwatch.store.bulk import (
    insert_returning_ids,
    insert_rows,
    insert_values,
    insert_values_returning_ids,
    sqlite_time,
)
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


def test_value_rows_land_as_dict_rows_do(engine: sa.Engine) -> None:
    """``insert_values_returning_ids`` / ``insert_values``: ids in row order, and the very
    values (timestamps included, stored as SQLAlchemy stores them) that dict rows give."""
    columns = list(_job(0, 0, 0))
    with engine.begin() as conn:
        team = ensure_team(conn, "bulk")
        a = ensure_assignment(conn, team.id, "bulk")
        by_dict = insert_returning_ids(conn, jobs, [_job(team.id, a.id, i) for i in range(3)])
        rows = [list(_job(team.id, a.id, i).values()) for i in range(3, 40)]
        plus_two = timezone(timedelta(hours=2))
        rows[5][columns.index("created_at")] = datetime(2026, 3, 1, 14, 30, tzinfo=plus_two)
        by_values = insert_values_returning_ids(conn, jobs, columns, rows)
        step_columns = ["job_id", "seq", "kind", "name", "status", "started_at"]
        job_id = by_values[9]
        step_rows = [
            (job_id, 1, "tool", "é\u2603", "ok", AT),
            (job_id, 2, "model", "m", "ok", None),
        ]
        insert_values(conn, steps, step_columns, step_rows)
    assert by_values == sorted(by_values) and len(set(by_dict + by_values)) == 40
    with engine.connect() as conn:
        found = conn.execute(sa.select(jobs.c.id, jobs.c.external_id, jobs.c.created_at)).all()
        stored = conn.execute(sa.select(steps.c.name, steps.c.started_at).order_by(steps.c.seq))
        assert [tuple(r) for r in stored] == [("é\u2603", AT), ("m", None)]
        if conn.dialect.name == "sqlite":  # the same text either way
            text = conn.exec_driver_sql("SELECT DISTINCT created_at FROM jobs").scalars().all()
            assert text == ["2026-03-01 12:30:00.000000"]
    by_id = {r.id: r for r in found}
    assert [by_id[i].external_id for i in by_values] == [f"x{i}" for i in range(3, 40)]
    assert {r.created_at for r in found} == {AT}


def test_sqlite_time_is_the_text_sqlalchemy_writes() -> None:
    processor = UtcDateTime().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    odd = timezone(timedelta(hours=-3, seconds=7))
    moments = [AT, AT.replace(microsecond=5), datetime(999, 1, 2, tzinfo=UTC)]
    for moment in [*moments, datetime(2026, 1, 1, 1, tzinfo=odd)]:
        assert sqlite_time(moment) == processor(moment)
    with pytest.raises(ValueError, match="naive"):
        sqlite_time(datetime(2026, 1, 1))


def test_value_rows_refuse_naive_times_and_unknown_columns(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        team = ensure_team(conn, "bulk")
        a = ensure_assignment(conn, team.id, "bulk")
        row = _job(team.id, a.id, 1)
        naive = {**row, "created_at": datetime(2026, 1, 1)}
        with pytest.raises(ValueError, match="naive"):
            insert_values(conn, jobs, list(naive), [list(naive.values())])
        with pytest.raises(ValueError, match="no column 'nope'"):
            insert_values(conn, jobs, ["nope"], [(1,)])
        assert insert_values_returning_ids(conn, jobs, list(row), []) == []


def test_a_refused_value_row_raises_a_sqlalchemy_error(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.SQLAlchemyError), engine.begin() as conn:
        insert_values(conn, steps, ["job_id", "seq", "kind", "name", "status"],
                      [(999_999, 1, "tool", "x", "ok")])  # fmt: skip

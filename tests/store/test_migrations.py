"""Migrating from empty gives exactly the declared metadata, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import (
    HEAD,
    alembic_config,
    current_revision,
    ensure_current,
    is_current,
    upgrade,
)
from sopwatch.store.schema import metadata


def test_migrations_match_metadata(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []
    assert is_current(engine)


def test_every_table_created(engine: sa.Engine) -> None:
    names = set(sa.inspect(engine).get_table_names())
    expected = {
        "teams", "assignments", "revisions", "jobs", "steps", "human_requests", "queues",
        "cases", "connections", "schedules", "triggers", "trigger_deliveries", "alerts",
        "audit_events",
    }  # fmt: skip
    assert expected <= names


def test_upgrade_twice_is_a_no_op(engine: sa.Engine) -> None:
    upgrade(engine)
    assert is_current(engine)


def test_single_head_and_it_is_HEAD() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD]


def test_empty_database_is_not_current(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    ensure_current(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()

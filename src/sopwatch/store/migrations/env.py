"""Alembic environment: runs on the connection handed over by ``sopwatch.store.migrate``."""

from __future__ import annotations

from alembic import context

from sopwatch.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached via the alembic CLI
    raise SystemExit("run migrations through sopwatch.store.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

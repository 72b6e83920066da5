"""human request expiry, job trigger key, an assignment's read-only tools

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sopwatch.store.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", sopwatch.store.base.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trigger_key", sa.String(length=200), nullable=True))
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_tools", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("read_tools")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("trigger_key")
    with op.batch_alter_table("human_requests", schema=None) as batch_op:
        batch_op.drop_column("expires_at")

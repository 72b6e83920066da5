"""model-call details on steps, estimated costs, content hash for re-import

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cost_estimated", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finish_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("max_tokens", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("cache_read_tokens", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("cache_write_tokens", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("cost_estimated", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_column("cost_estimated")
        batch_op.drop_column("cache_write_tokens")
        batch_op.drop_column("cache_read_tokens")
        batch_op.drop_column("max_tokens")
        batch_op.drop_column("finish_reason")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("content_hash")
        batch_op.drop_column("cost_estimated")

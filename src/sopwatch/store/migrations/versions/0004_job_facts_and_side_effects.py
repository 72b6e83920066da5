"""facts derived from a job's steps, and the side effects table

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sopwatch.store.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_INTEGERS = (
    "tool_calls",
    "model_calls",
    "failed_steps",
    "truncated_calls",
    "loop_calls",
    "loop_rounds",
    "first_failed_seq",
    "ending_seq",
)


def upgrade() -> None:
    op.create_table(
        "side_effects",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "assignment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("tool", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=12), nullable=False),
        sa.Column("at", sopwatch.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_side_effects_assignment_id_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_side_effects_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_side_effects")),
    )
    with op.batch_alter_table("side_effects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_side_effects_assignment_id"), ["assignment_id", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_side_effects_job_id"), ["job_id"], unique=False)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        for name in _INTEGERS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ending_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("error_class", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("error_fingerprint", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("connections", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("input_digest", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("facts_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        for name in (
            "facts_version",
            "input_digest",
            "connections",
            "error_fingerprint",
            "error_class",
            "ending_name",
            *reversed(_INTEGERS),
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("side_effects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_side_effects_job_id"))
        batch_op.drop_index(batch_op.f("ix_side_effects_assignment_id"))
    op.drop_table("side_effects")

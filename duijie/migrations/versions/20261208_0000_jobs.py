"""job: the record of every background job; Procrastinate's queue on PostgreSQL

Revision ID: 0005_jobs
Revises: 0004_deal_announced
Create Date: 2026-12-08 00:00:00

Jobs kept their state in event settings (`meetings.job`, `contest.assignment_job`, `matching.job`); the `job`
table replaces them, so those settings are removed (a job running during the upgrade is not carried over). On
PostgreSQL the upgrade also creates Procrastinate's tables and functions in a schema of their own,
`procrastinate`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from duijie.core.db import UTCDateTime
from duijie.core.queue import apply_schema, drop_schema

revision = "0005_jobs"
down_revision = "0004_deal_announced"
branch_labels = None
depends_on = None

OLD_SETTINGS = ("meetings.job", "contest.assignment_job", "matching.job")


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("lock", sa.String(120), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.String(500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_details", sa.JSON(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name="fk_job_event_id_event", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_job_account_id_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_job"),
        sa.UniqueConstraint("lock", name="uq_job_lock"),
    )
    op.create_index("ix_job_state_id", "job", ["state", "id"])
    op.create_index("ix_job_kind_event_id", "job", ["kind", "event_id"])
    setting = sa.table("event_setting", sa.column("key", sa.String(80)))
    op.execute(setting.delete().where(setting.c.key.in_(OLD_SETTINGS)))
    apply_schema(op.get_bind())


def downgrade() -> None:
    drop_schema(op.get_bind())
    op.drop_index("ix_job_kind_event_id", table_name="job")
    op.drop_index("ix_job_state_id", table_name="job")
    op.drop_table("job")

"""Mail: the outbox of messages to send, each person's notification choices

Revision ID: 0008_mail
Revises: 0007_event_setup
Create Date: 2026-12-09 01:00:00

`outbox_mail` holds every message with its rendered subject and body, its state (queued → sending → sent |
failed), attempts and the server's last answer; `notification_choice` an account's choice per topic and
channel (no row: on). `job.run_after` lets a job wait until a time (the mail drain that retries later).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from duijie.core.db import UTCDateTime

revision = "0008_mail"
down_revision = "0007_event_setup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("to", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("template", sa.String(80), nullable=False),
        sa.Column("topic", sa.String(40), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_outbox_mail_account_id_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_mail"),
        sa.UniqueConstraint("key", name="uq_outbox_mail_key"),
    )
    op.create_index("ix_outbox_mail_account_id", "outbox_mail", ["account_id"])
    op.create_index("ix_outbox_mail_state_next", "outbox_mail", ["state", "next_attempt_at"])
    op.create_table(
        "notification_choice",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_notification_choice_account_id_account", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", "topic", "channel", name="pk_notification_choice"),
    )
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("run_after", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.drop_column("run_after")
    op.drop_table("notification_choice")
    op.drop_index("ix_outbox_mail_state_next", table_name="outbox_mail")
    op.drop_index("ix_outbox_mail_account_id", table_name="outbox_mail")
    op.drop_table("outbox_mail")

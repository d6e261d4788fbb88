"""Calendar feeds: a secret feed key per account, meeting sequence numbers, cancelled meetings kept for feeds

Revision ID: 0009_calendar_feeds
Revises: 0008_mail
Create Date: 2026-12-09 02:00:00

`meeting.sequence` and `meeting.updated_at` give each meeting its iCalendar SEQUENCE and DTSTAMP; meetings stored
before this revision start at sequence 0, stamped with the time of the upgrade (nothing older is known).
`meeting_tombstone` keeps, per request, what a feed must still say of a meeting whose row was deleted;
`calendar_feed` holds the nonce from which an account's feed token is computed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from duijie.core.db import UTCDateTime, utcnow

revision = "0009_calendar_feeds"
down_revision = "0008_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
    op.execute(
        sa.text("UPDATE meeting SET updated_at = :now").bindparams(
            sa.bindparam("now", utcnow(), type_=UTCDateTime())
        )
    )
    with op.batch_alter_table("meeting") as batch:
        batch.alter_column("updated_at", existing_type=UTCDateTime(), nullable=False)
    op.create_table(
        "meeting_tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("table_number", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name="fk_meeting_tombstone_event_id_event", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["meeting_participant.id"],
            name="fk_meeting_tombstone_requester_id_meeting_participant",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["meeting_participant.id"],
            name="fk_meeting_tombstone_recipient_id_meeting_participant",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_tombstone"),
        sa.UniqueConstraint("request_id", name="uq_meeting_tombstone_request_id"),
    )
    op.create_index("ix_meeting_tombstone_event_id", "meeting_tombstone", ["event_id"])
    op.create_index("ix_meeting_tombstone_requester_id", "meeting_tombstone", ["requester_id"])
    op.create_index("ix_meeting_tombstone_recipient_id", "meeting_tombstone", ["recipient_id"])
    op.create_table(
        "calendar_feed",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("reset_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_calendar_feed_account_id_account", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", name="pk_calendar_feed"),
    )


def downgrade() -> None:
    op.drop_table("calendar_feed")
    op.drop_index("ix_meeting_tombstone_recipient_id", table_name="meeting_tombstone")
    op.drop_index("ix_meeting_tombstone_requester_id", table_name="meeting_tombstone")
    op.drop_index("ix_meeting_tombstone_event_id", table_name="meeting_tombstone")
    op.drop_table("meeting_tombstone")
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("sequence")

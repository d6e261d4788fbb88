"""Invitations and sign-ups: invitations to a role, accounts waiting for the organiser's approval

Revision ID: 0010_invitations
Revises: 0009_calendar_feeds
Create Date: 2026-12-09 03:00:00

Three tables, no change to existing ones: `invitation` (an e-mail invitation to a role and its scope; only the
link token's hash), `sign_up` (an enterprise or investor account waiting for approval) and `password_reset`
(every "forgot password" request, for the throttle; a token hash when the address had an account).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from duijie.core.db import UTCDateTime

revision = "0010_invitations"
down_revision = "0009_calendar_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("district", sa.String(40), nullable=True),
        sa.Column("name", sa.String(120), nullable=True),
        sa.Column("locale", sa.String(10), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_invitation_organisation_id_organisation",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name="fk_invitation_event_id_event", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["account.id"], name="fk_invitation_invited_by_id_account", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_invitation_account_id_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invitation"),
        sa.UniqueConstraint("token_hash", name="uq_invitation_token_hash"),
    )
    op.create_index("ix_invitation_email", "invitation", ["email"])
    op.create_index("ix_invitation_state", "invitation", ["state"])
    op.create_table(
        "sign_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name="fk_sign_up_account_id_account", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_sign_up_organisation_id_organisation",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["account.id"], name="fk_sign_up_decided_by_id_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sign_up"),
        sa.UniqueConstraint("account_id", name="uq_sign_up_account_id"),
    )
    op.create_index("ix_sign_up_state", "sign_up", ["state"])
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_password_reset_account_id_account", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_password_reset"),
        sa.UniqueConstraint("token_hash", name="uq_password_reset_token_hash"),
    )
    op.create_index("ix_password_reset_email_at", "password_reset", ["email", "created_at"])
    op.create_index("ix_password_reset_ip_at", "password_reset", ["ip", "created_at"])


def downgrade() -> None:
    op.drop_table("password_reset")
    op.drop_table("sign_up")
    op.drop_table("invitation")

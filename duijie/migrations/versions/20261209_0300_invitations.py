"""Invitations and sign-ups: invitations to a role, accounts waiting for the organiser's approval

Revision ID: 0010_invitations
Revises: 0009_calendar_feeds
Create Date: 2026-12-09 03:00:00

(Filled in by the change that needs it; kept empty so the revision chain is fixed in advance.)
"""

from __future__ import annotations

revision = "0010_invitations"
down_revision = "0009_calendar_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Calendar feeds: a secret feed key per account, meeting sequence numbers, cancelled meetings kept for feeds

Revision ID: 0009_calendar_feeds
Revises: 0008_mail
Create Date: 2026-12-09 02:00:00

(Filled in by the change that needs it; kept empty so the revision chain is fixed in advance.)
"""

from __future__ import annotations

revision = "0009_calendar_feeds"
down_revision = "0008_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

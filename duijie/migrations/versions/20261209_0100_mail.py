"""Mail: the outbox of messages to send, each person's notification choices

Revision ID: 0008_mail
Revises: 0007_event_setup
Create Date: 2026-12-09 01:00:00

(Filled in by the change that needs it; kept empty so the revision chain is fixed in advance.)
"""

from __future__ import annotations

revision = "0008_mail"
down_revision = "0007_event_setup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Event set-up: time zone, draft and published events, sources of published figures

Revision ID: 0007_event_setup
Revises: 0006_search_index
Create Date: 2026-12-09 00:00:00

(Filled in by the change that needs it; kept empty so the revision chain is fixed in advance.)
"""

from __future__ import annotations

revision = "0007_event_setup"
down_revision = "0006_search_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Registration: further changes to the registration tables

Revision ID: 0013_registration_flow
Revises: 0012_agenda_editing
Create Date: 2026-12-10 02:00:00

Reserved in the chain for the forum's registration; no change yet.
"""

from __future__ import annotations

revision = "0013_registration_flow"
down_revision = "0012_agenda_editing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Programme editing: further changes to the agenda tables

Revision ID: 0012_agenda_editing
Revises: 0011_forum
Create Date: 2026-12-10 01:00:00

Reserved in the chain for the forum's programme editing; no change yet.
"""

from __future__ import annotations

revision = "0012_agenda_editing"
down_revision = "0011_forum"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Badges and check-in: further changes to their tables

Revision ID: 0014_check_in
Revises: 0013_registration_flow
Create Date: 2026-12-10 03:00:00

Reserved in the chain for the forum's badges and check-in; no change yet.
"""

from __future__ import annotations

revision = "0014_check_in"
down_revision = "0013_registration_flow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

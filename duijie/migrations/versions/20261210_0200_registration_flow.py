"""Registration: one active registration per e-mail address and event

Revision ID: 0013_registration_flow
Revises: 0012_agenda_editing
Create Date: 2026-12-10 02:00:00

Addresses are stored in lower case, and a partial unique index on (event_id, email) over the active states
(pending, confirmed, waiting, offered) makes a second active registration of an address impossible even when
two arrive at once in different categories (each category's decisions are serialized, not the event's).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_registration_flow"
down_revision = "0012_agenda_editing"
branch_labels = None
depends_on = None

ACTIVE = "state IN ('pending', 'confirmed', 'waiting', 'offered')"


def upgrade() -> None:
    op.execute("UPDATE registration SET email = lower(email)")
    op.create_index(
        "uq_registration_active_email", "registration", ["event_id", "email"], unique=True,
        sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_registration_active_email", table_name="registration")

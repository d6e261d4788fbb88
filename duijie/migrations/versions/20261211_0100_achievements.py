"""Achievements: the institution as the release names it, the session where it was released, its media

Revision ID: 0016_achievements
Revises: 0015_deal_pipeline
Create Date: 2026-12-11 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_achievements"
down_revision = "0015_deal_pipeline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("achievement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("institution_zh", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("institution_en", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("media_url", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_achievement_session_id_agenda_session"),
            "agenda_session",
            ["session_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("achievement", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_achievement_session_id_agenda_session"), type_="foreignkey")
        for column in ("media_url", "session_id", "institution_en", "institution_zh"):
            batch_op.drop_column(column)

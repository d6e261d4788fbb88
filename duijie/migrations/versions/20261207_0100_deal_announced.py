"""deal.announced: a signed deal marked public by its organiser

Revision ID: 0004_deal_announced
Revises: 0003
Create Date: 2026-12-07 01:00:00

Existing signed and landed deals are announced: the summits published them (the signing ceremonies and their
lists). Every other deal, and every new one, starts unannounced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_deal_announced"
down_revision = "0003"
branch_labels = None
depends_on = None

SIGNED_STAGES = ("signed", "landed")


def upgrade() -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("announced", sa.Boolean(), nullable=False, server_default=sa.false()))
    deal = sa.table("deal", sa.column("stage", sa.String(16)), sa.column("announced", sa.Boolean()))
    op.execute(deal.update().where(deal.c.stage.in_(SIGNED_STAGES)).values(announced=True))


def downgrade() -> None:
    with op.batch_alter_table("deal") as batch:
        batch.drop_column("announced")

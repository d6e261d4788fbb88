"""Event set-up: time zone, draft and published events, sources of published figures

Revision ID: 0007_event_setup
Revises: 0006_search_index
Create Date: 2026-12-09 00:00:00

`event.timezone` holds the IANA zone an event is held in; existing events were all held in Beijing, so they get
"Asia/Shanghai". `published_figure.source` holds where a figure was published (a document's name or a URL);
existing figures keep their seed file in `provenance` and get no source until someone names it. Drafts need no
column: `event.is_published` exists, and the events already stored stay published.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_event_setup"
down_revision = "0006_search_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(
            sa.Column("timezone", sa.String(length=64), nullable=False, server_default="Asia/Shanghai")
        )
    with op.batch_alter_table("published_figure") as batch:
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("published_figure") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("timezone")

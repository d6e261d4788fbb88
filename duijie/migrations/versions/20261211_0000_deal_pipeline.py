"""Deals: a status beside the stage, the stages a bureau reports, verification with evidence, attribution

Revision ID: 0015_deal_pipeline
Revises: 0014_check_in
Create Date: 2026-12-11 00:00:00

The stage "agreed" becomes "intention". "Lost" stops being a stage: a lost deal takes the stage it was lost
from (read from its history; "lead" when the history does not say) and the status "lost", its reason kept as
the status reason. Every deal gets the day it was opened: the day it was created, or its earliest recorded
date if that is earlier (deals entered after the fact).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015_deal_pipeline"
down_revision = "0014_check_in"
branch_labels = None
depends_on = None

STAGES = ("lead", "contacted", "negotiating", "intention", "signed", "contract", "landed", "verified")


def upgrade() -> None:
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.alter_column("lost_reason", new_column_name="status_reason", existing_type=sa.String(300))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="ongoing", nullable=False)
        )
        batch_op.add_column(sa.Column("lost_to", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("contract_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("landed_site", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("verified_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_kind", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_label", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_deal_status"), ["status"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_deal_verified_by_id_account"),
            "account",
            ["verified_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "deal_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deal.id"], name=op.f("fk_deal_evidence_deal_id_deal"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["account.id"],
            name=op.f("fk_deal_evidence_uploaded_by_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_evidence")),
    )
    with op.batch_alter_table("deal_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_evidence_deal_id"), ["deal_id"], unique=False)
    _migrate_rows()
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.alter_column("opened_on", existing_type=sa.Date(), nullable=False)


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _migrate_rows() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE deal SET stage = 'intention' WHERE stage = 'agreed'"))
    rows = bind.execute(sa.text("SELECT id, stage, created_at, signed_on, landed_on FROM deal")).fetchall()
    for deal_id, stage, created, signed_on, landed_on in rows:
        days = [d for d in (_day(created), _day(signed_on), _day(landed_on)) if d is not None]
        values: dict[str, Any] = {"id": deal_id, "opened_on": min(days) if days else dt.date.today()}
        if stage == "lost":
            values["stage"] = _stage_before_lost(bind, deal_id)
            bind.execute(
                sa.text(
                    "UPDATE deal SET stage = :stage, status = 'lost', opened_on = :opened_on WHERE id = :id"
                ),
                values,
            )
        else:
            bind.execute(sa.text("UPDATE deal SET opened_on = :opened_on WHERE id = :id"), values)


def _stage_before_lost(bind: sa.engine.Connection, deal_id: int) -> str:
    """The stage a lost deal was at: the `before` of the history row that moved it to lost."""
    history = bind.execute(
        sa.text("SELECT before, after FROM deal_history WHERE deal_id = :id ORDER BY id DESC"),
        {"id": deal_id},
    ).fetchall()
    for before, after in history:
        before = json.loads(before) if isinstance(before, str) else before
        after = json.loads(after) if isinstance(after, str) else after
        if (after or {}).get("stage") == "lost" and (before or {}).get("stage") in (*STAGES, "agreed"):
            stage = str(before["stage"])
            return "intention" if stage == "agreed" else stage
    return "lead"


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE deal SET stage = 'lost' WHERE status IN ('lost', 'abandoned')"))
    bind.execute(sa.text("UPDATE deal SET stage = 'agreed' WHERE stage = 'intention'"))
    bind.execute(sa.text("UPDATE deal SET stage = 'signed' WHERE stage = 'contract'"))
    bind.execute(sa.text("UPDATE deal SET stage = 'landed' WHERE stage = 'verified'"))
    with op.batch_alter_table("deal_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_evidence_deal_id"))
    op.drop_table("deal_evidence")
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_deal_verified_by_id_account"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_deal_status"))
        for column in (
            "source_label",
            "source_id",
            "source_kind",
            "verified_by_id",
            "verified_on",
            "landed_site",
            "contract_on",
            "opened_on",
            "lost_to",
            "status",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column("status_reason", new_column_name="lost_reason", existing_type=sa.String(300))

"""Deals from lead to landing: parties, amounts, signing ceremony, follow-up tasks, append-only history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin, TimestampMixin, utcnow
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity


class Deal(ProvenanceMixin, TimestampMixin, Base):
    __tablename__ = "deal"
    __table_args__ = (UniqueConstraint("external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="SET NULL"))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_zh: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16), default="lead", index=True)
    lost_reason: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(24))
    industry: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(40))
    planned_amount: Mapped[Decimal | None] = mapped_column()
    signed_amount: Mapped[Decimal | None] = mapped_column()
    invested_amount: Mapped[Decimal | None] = mapped_column()
    # True when the amount is an estimate (the source printed only a total), shown as such on every page.
    amount_estimated: Mapped[bool] = mapped_column(default=False)
    signed_on: Mapped[dt.date | None] = mapped_column()
    landed_on: Mapped[dt.date | None] = mapped_column()
    on_stage: Mapped[bool] = mapped_column(default=False)
    # Marked public by the organiser once signed (as a summit publishes its signings): only announced deals are
    # seen by those who are neither its organiser, its district nor a party (see deals.permissions).
    announced: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event | None] = relationship()
    opportunity: Mapped[Opportunity | None] = relationship()
    parties: Mapped[list[DealParty]] = relationship(back_populates="deal", cascade="all, delete-orphan")
    history: Mapped[list[DealHistory]] = relationship(
        back_populates="deal", order_by="DealHistory.id", cascade="all, delete-orphan"
    )


class DealParty(Base):
    __tablename__ = "deal_party"
    __table_args__ = (UniqueConstraint("deal_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(24))

    deal: Mapped[Deal] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()


class DealHistory(Base):
    """One change of a deal (who, when, which fields, before and after); rows are never updated or deleted."""

    __tablename__ = "deal_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(24))
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(500))

    deal: Mapped[Deal] = relationship(back_populates="history")


class DealTask(Base):
    __tablename__ = "deal_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column()
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    done_at: Mapped[dt.datetime | None] = mapped_column()

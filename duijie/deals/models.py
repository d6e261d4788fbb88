"""Deals from lead to landing: parties, amounts, signing ceremony, follow-up tasks, append-only history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, LargeBinary, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin, TimestampMixin, utcnow
from duijie.deals.enums import CLOSED_STATUSES, SIGNED_STAGES
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
    # How the deal is going, beside how far it has come (deals.enums): a lost deal keeps its stage.
    status: Mapped[str] = mapped_column(String(16), default="ongoing", server_default="ongoing", index=True)
    status_reason: Mapped[str | None] = mapped_column(String(300))
    # Where a lost project went (a city or a country), for the bureau's loss report.
    lost_to: Mapped[str | None] = mapped_column(String(80))
    # The day the deal was opened (a lead first recorded): no date of the deal may be earlier.
    opened_on: Mapped[dt.date] = mapped_column(default=dt.date.today)
    category: Mapped[str | None] = mapped_column(String(24))
    industry: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(40))
    planned_amount: Mapped[Decimal | None] = mapped_column()
    signed_amount: Mapped[Decimal | None] = mapped_column()
    invested_amount: Mapped[Decimal | None] = mapped_column()
    # True when the amount is an estimate (the source printed only a total), shown as such on every page.
    amount_estimated: Mapped[bool] = mapped_column(default=False)
    signed_on: Mapped[dt.date | None] = mapped_column()
    contract_on: Mapped[dt.date | None] = mapped_column()
    landed_on: Mapped[dt.date | None] = mapped_column()
    landed_site: Mapped[str | None] = mapped_column(String(200))
    verified_on: Mapped[dt.date | None] = mapped_column()
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # What sourced the deal (deals.enums.SourceKind), the record it names where it has one, and how to cite it.
    source_kind: Mapped[str | None] = mapped_column(String(24))
    source_id: Mapped[int | None] = mapped_column()
    source_label: Mapped[str | None] = mapped_column(String(200))
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
    evidence: Mapped[list[DealEvidence]] = relationship(
        back_populates="deal", order_by="DealEvidence.id", cascade="all, delete-orphan"
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


class DealEvidence(Base):
    """A document that proves a deal's landing (a business licence, a lease, a tax record), kept in the database
    so that every web worker and a backup hold it. Read by the organiser, the district in charge and the
    verifiers only (`deals.permissions.can_see_evidence`), never by the public or the other parties."""

    __tablename__ = "deal_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    deal: Mapped[Deal] = relationship(back_populates="evidence")


class DealTask(Base):
    __tablename__ = "deal_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column()
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    done_at: Mapped[dt.datetime | None] = mapped_column()


def signed_clause() -> ColumnElement[bool]:
    """`deals.enums.counts_as_signed` as a WHERE clause: the one rule of every "signed" figure and filter."""
    return and_(Deal.stage.in_(sorted(SIGNED_STAGES)), Deal.status.not_in(sorted(CLOSED_STATUSES)))

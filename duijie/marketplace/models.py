"""Opportunities: investment projects, technology offers and demands, financing needs and space offers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin, TimestampMixin, utcnow
from duijie.directory.models import Organisation
from duijie.events.models import Event


class Opportunity(ProvenanceMixin, TimestampMixin, Base):
    """Anything offered or sought on the marketplace; `kind` says which, and the kind's fields apply."""

    __tablename__ = "opportunity"
    __table_args__ = (
        UniqueConstraint("external_id"),
        Index("ix_opportunity_event_kind_status", "event_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identifier from the office's own sheet (e.g. "IB2023-017"), used to match re-imported rows.
    external_id: Mapped[str | None] = mapped_column(String(80))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    summary_zh: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(24), index=True)
    industry: Mapped[str | None] = mapped_column(String(40), index=True)
    district: Mapped[str | None] = mapped_column(String(40), index=True)
    amount: Mapped[Decimal | None] = mapped_column()  # yuan
    # True when the amount is an estimate (the source printed only a total), shown as such on every page.
    amount_estimated: Mapped[bool] = mapped_column(default=False)
    land_area_mu: Mapped[Decimal | None] = mapped_column()
    floor_area_m2: Mapped[Decimal | None] = mapped_column()
    stage: Mapped[str | None] = mapped_column(String(24))
    trl: Mapped[int | None] = mapped_column()
    ip_status: Mapped[str | None] = mapped_column(String(40))
    licensing_terms: Mapped[str | None] = mapped_column(Text)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    contact_name: Mapped[str | None] = mapped_column(String(80))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[dt.datetime | None] = mapped_column()

    event: Mapped[Event | None] = relationship()
    owner: Mapped[Organisation | None] = relationship()


class OpportunityStateChange(Base):
    """Append-only lifecycle history of an opportunity."""

    __tablename__ = "opportunity_state_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))

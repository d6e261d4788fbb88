"""Registration categories and registrations (per event and per session), badge signing keys and check-ins.

A place is held by a registration in state `confirmed` (or `offered` until its claim deadline); the waiting
list is the registrations in state `waiting`, in arrival order (`id`, allocated while the category row is
locked, so ids follow the order in which the places were decided). Check-ins are kept one row per scan, even a
repeated one: the first admits, a later one of the same badge and day is flagged (`duplicate_of_id`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, utcnow

# The states in which a registration takes part (it holds, awaits or may be offered a place).
ACTIVE_STATES_SQL = "state IN ('pending', 'confirmed', 'waiting', 'offered')"


class RegistrationCategory(Base):
    """A category of attendee (guest, speaker, media, exhibitor, investor, government, vip) with its own
    capacity (None: unlimited), whether the organiser approves each registration, and whether the public form
    offers it (VIP and government places are given by invitation)."""

    __tablename__ = "registration_category"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str | None] = mapped_column(String(80))
    capacity: Mapped[int | None] = mapped_column()
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default="0")
    is_public: Mapped[bool] = mapped_column(default=True, server_default="1")
    claim_hours: Mapped[int] = mapped_column(default=48, server_default="48")
    opens_at: Mapped[dt.datetime | None] = mapped_column()
    closes_at: Mapped[dt.datetime | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class Registration(Base):
    """One person's registration for an event, in one category.

    States: pending (awaiting approval), confirmed, waiting, offered (a freed place, to claim before
    `offered_until`), cancelled, declined (by the organiser, with a reason), expired (an offer not claimed).
    `badge_nonce` is the random part of the signed badge token; a new one revokes the old badge.
    """

    __tablename__ = "registration"
    __table_args__ = (
        Index("ix_registration_event_state", "event_id", "state"),
        Index("ix_registration_category_state", "category_id", "state"),
        # One active registration per address and event, whatever the category (addresses are stored in lower
        # case): the service refuses a second one in words, this holds when two arrive at the same moment.
        Index(
            "uq_registration_active_email", "event_id", "email", unique=True,
            sqlite_where=text(ACTIVE_STATES_SQL), postgresql_where=text(ACTIVE_STATES_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("registration_category.id", ondelete="RESTRICT"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    organisation: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(80))
    locale: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20))
    offered_until: Mapped[dt.datetime | None] = mapped_column()
    consent_at: Mapped[dt.datetime | None] = mapped_column()
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    badge_nonce: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category: Mapped[RegistrationCategory] = relationship()


class SessionRegistration(Base):
    """A registered person's place in a session with its own capacity (`agenda_session.capacity`), with the
    same states and waiting list as the event's."""

    __tablename__ = "session_registration"
    __table_args__ = (
        UniqueConstraint("session_id", "registration_id"),
        Index("ix_session_registration_session_state", "session_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    offered_until: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BadgeKey(Base):
    """The key pair an event's badges are signed with (ECDSA P-256). The public key is what a door device
    needs to verify a badge without the server; a retired key still verifies badges it signed until the
    event ends, unless revoked."""

    __tablename__ = "badge_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(Text)
    private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column()


class CheckIn(Base):
    """One scan of a badge at a gate. `client_id` is the scan's id made on the device, so syncing the same
    offline scans twice stores them once; `admitted` is false for a repeated scan of the same badge on the
    same day (`duplicate_of_id` points at the admission), for a revoked badge, or a badge of another event."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("client_id"),
        Index("ix_check_in_event_day", "event_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(80))
    gate: Mapped[str] = mapped_column(String(80))
    day: Mapped[dt.date] = mapped_column()
    scanned_at: Mapped[dt.datetime] = mapped_column()
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    admitted: Mapped[bool] = mapped_column()
    reason: Mapped[str | None] = mapped_column(String(40))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("check_in.id", ondelete="SET NULL"))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

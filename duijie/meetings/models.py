"""The slot grid, tables, participants' availability, meeting requests and the scheduled meetings.

Double booking is impossible by construction: a meeting occupies one (slot, table) pair, unique; and each of
its two participants gets a row in `meeting_seat` whose (participant, slot) pair is unique too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin, utcnow


class MeetingSlot(Base):
    __tablename__ = "meeting_slot"
    __table_args__ = (UniqueConstraint("event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime] = mapped_column()
    session: Mapped[str] = mapped_column(String(20))  # e.g. "2024-04-25 am": gaps count within a session
    table_count: Mapped[int] = mapped_column()


class MeetingTable(Base):
    __tablename__ = "meeting_table"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    area: Mapped[str | None] = mapped_column(String(40))


class MeetingParticipant(ProvenanceMixin, Base):
    __tablename__ = "meeting_participant"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    max_meetings: Mapped[int | None] = mapped_column()


class Availability(Base):
    __tablename__ = "availability"
    __table_args__ = (UniqueConstraint("participant_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("meeting_participant.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slot.id", ondelete="CASCADE"))


class MeetingRequest(ProvenanceMixin, Base):
    __tablename__ = "meeting_request"
    __table_args__ = (
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
        UniqueConstraint("event_id", "requester_id", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("meeting_participant.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("meeting_participant.id", ondelete="CASCADE"))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="requested")
    priority: Mapped[int] = mapped_column(default=1)
    sessions: Mapped[list[str] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column()


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("slot_id", "table_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("meeting_request.id", ondelete="CASCADE"), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slot.id", ondelete="RESTRICT"))
    table_id: Mapped[int] = mapped_column(ForeignKey("meeting_table.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(16), default="planned")
    pinned: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(300))
    # The iCalendar SEQUENCE of the meeting, raised on every change of time, table or state (`feeds.touch`); a
    # meeting moved by deleting and re-adding its row continues its request's number (`feeds.retire`/`carry`).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the time, table or state last changed: DTSTAMP and LAST-MODIFIED in calendar feeds.
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    seats: Mapped[list[MeetingSeat]] = relationship(cascade="all, delete-orphan")


class MeetingSeat(Base):
    """One participant's place in one meeting; unique per (participant, slot) so nobody is double-booked."""

    __tablename__ = "meeting_seat"
    __table_args__ = (UniqueConstraint("participant_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("meeting_participant.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slot.id", ondelete="RESTRICT"))
    checked_in_at: Mapped[dt.datetime | None] = mapped_column()


# -- calendar feeds (`feeds.py`) ---------------------------------------------------------------------------


class MeetingTombstone(Base):
    """What calendar feeds keep of a meeting whose row was deleted (cancelled, taken off the grid by a run, or
    moved by deleting and re-adding its row), one per request: subscribers' calendars must be told
    `STATUS:CANCELLED` with a higher SEQUENCE, or the event they once received stays there forever.

    It holds its own copy of the time and place (the slot or table may be removed later) and both sides'
    participant ids (the request may be deleted with a removed participant; the other side still needs the
    cancellation). `published` says whether the meeting was ever on the published schedule: a draft that
    disappears was never in anyone's calendar. Feeds show a tombstone only while no published meeting of the
    same request exists and for `feeds.KEEP_CANCELLED` after its removal.
    """

    __tablename__ = "meeting_tombstone"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # Not a foreign key: the tombstone outlives a request deleted with its participant.
    request_id: Mapped[int] = mapped_column(unique=True)
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_participant.id", ondelete="SET NULL"), index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_participant.id", ondelete="SET NULL"), index=True
    )
    sequence: Mapped[int] = mapped_column()
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime] = mapped_column()
    table_number: Mapped[int | None] = mapped_column()
    area: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(16))  # cancelled, removed (by a run) or moved
    published: Mapped[bool] = mapped_column(default=False)
    removed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CalendarFeed(Base):
    """The nonce of an account's calendar feed: the feed's secret token is an HMAC of the account and this
    nonce under the installation's secret key (`feeds.feed_token`), so the token itself is never stored.
    Resetting draws a new nonce, and the old address stops working at once. An account without a row has
    not reset yet: its nonce is empty."""

    __tablename__ = "calendar_feed"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    reset_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

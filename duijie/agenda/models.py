"""The forum's programme: rooms and their hours, tracks, sessions of several types, speakers and moderators,
their availability, the sessions people star, and each published release of the programme.

Times are stored in UTC (`UTCDateTime`) and shown in the event's zone (`event.timezone`) or the viewer's. Every
public text has a Chinese and an English column; the completeness report lists the English ones left empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin, utcnow


class Room(Base):
    """A room of the venue: its capacity bounds a session's expected audience; `interpretation` says whether it
    has simultaneous interpretation booths (a foreign guest picks sessions by it)."""

    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("event_id", "name_zh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int | None] = mapped_column()
    interpretation: Mapped[bool] = mapped_column(default=False, server_default="0")
    floor_zh: Mapped[str | None] = mapped_column(String(120))
    floor_en: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    hours: Mapped[list[RoomHours]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by="RoomHours.starts_at"
    )


class RoomHours(Base):
    """A window in which a room may be used, half-open [starts_at, ends_at). A room without any is always open."""

    __tablename__ = "room_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime] = mapped_column()

    room: Mapped[Room] = relationship(back_populates="hours")


class Track(Base):
    """A thematic line of the programme (人工智能, 生命健康…): the topic a visitor filters by."""

    __tablename__ = "track"
    __table_args__ = (UniqueConstraint("event_id", "name_zh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class AgendaSession(ProvenanceMixin, Base):
    """A session of the forum.

    `kind` is its type (plenary, parallel_forum, keynote, panel, release, roadshow, signing, contest_final);
    `mode` offline, online or hybrid (then `stream_url`); `language` zh, en or zh+en; `industry` one of the
    marketplace's industry codes; `expected` the audience expected (checked against the room's capacity);
    `capacity` the places open to registration for this session (None: no per-session registration).
    `sequence` and `updated_at` let calendar feeds follow changes under a stable UID; `cancelled_at` keeps a
    cancelled session (feeds announce it) instead of deleting it once the programme was published.
    """

    __tablename__ = "agenda_session"
    __table_args__ = (Index("ix_agenda_session_event_start", "event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="parallel_forum")
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[dt.datetime | None] = mapped_column()
    ends_at: Mapped[dt.datetime | None] = mapped_column()
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"), index=True)
    mode: Mapped[str] = mapped_column(String(10), default="offline")
    stream_url: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(10), default="zh", server_default="zh")
    industry: Mapped[str | None] = mapped_column(String(40))
    expected: Mapped[int | None] = mapped_column()
    capacity: Mapped[int | None] = mapped_column()
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column()

    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    speakers: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionSpeaker.position"
    )


class SessionSpeaker(Base):
    """A person on a session: `role` speaker, moderator or host; `position` their order on the page."""

    __tablename__ = "session_speaker"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="speaker")
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    session: Mapped[AgendaSession] = relationship(back_populates="speakers")


class SpeakerProfile(Base):
    """What the programme shows of a person beyond the directory: English bio and job title, photo, and the
    windows in which they said they can speak (none: always)."""

    __tablename__ = "speaker_profile"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    title_zh: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    bio_zh: Mapped[str | None] = mapped_column(Text)
    bio_en: Mapped[str | None] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(300))
    # [[start ISO, end ISO], ...] in UTC; empty or None: always available.
    available: Mapped[list[Any] | None] = mapped_column(JSON)


class SessionStar(Base):
    """A session an account starred for its personal agenda."""

    __tablename__ = "session_star"
    __table_args__ = (UniqueConstraint("account_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProgrammeRelease(Base):
    """One publication of an event's programme: the snapshot it published, so the next publication can tell
    exactly which sessions changed and whom to notify (their speakers, and those who starred or registered)."""

    __tablename__ = "programme_release"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # session id (as text) -> the fields a reader sees (times, room, title, people), as published.
    snapshot: Mapped[dict[str, Any]] = mapped_column()

"""Forums, summits, contests and trading days; registrations with badges; per-event settings; published figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin

# The zone of an event unless its organiser names another: the platform's events are held in Beijing.
DEFAULT_TIMEZONE = "Asia/Shanghai"


class Event(ProvenanceMixin, Base):
    """An event; a summit or contest may sit inside a forum (parent)."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    theme_zh: Mapped[str | None] = mapped_column(String(200))
    theme_en: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column()
    ends_on: Mapped[dt.date] = mapped_column()
    city: Mapped[str] = mapped_column(String(40), default="北京")
    venue: Mapped[str | None] = mapped_column(String(200))
    format: Mapped[str | None] = mapped_column(String(300))
    # The IANA name of the zone the event's dates and times are read in (meeting slots, calendar feeds).
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE)
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    # Events made on the set-up pages, the API or the command line start as drafts (see `events.editing`), seen
    # only by their organisers until published; rows written directly (the demo, imports of past editions) are
    # published.
    is_published: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Event | None] = relationship(remote_side="Event.id", back_populates="children")
    children: Mapped[list[Event]] = relationship(back_populates="parent")
    figures: Mapped[list[PublishedFigure]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventSetting(Base):
    """A per-event setting (matching weights, meeting slot length ...); absent keys fall back to defaults."""

    __tablename__ = "event_setting"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)


class PublishedFigure(ProvenanceMixin, Base):
    """A figure the organiser published (e.g. 152 projects, 1434 亿元), kept to check it against the records."""

    __tablename__ = "published_figure"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[Decimal] = mapped_column()
    unit: Mapped[str] = mapped_column(String(20))
    qualifier: Mapped[str | None] = mapped_column(String(20))  # "超过", "余", "多" as printed
    label_zh: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    # Where the figure was published, as a reader can look it up: a document's name or a URL (not a file name).
    source: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship(back_populates="figures")

    @property
    def source_is_url(self) -> bool:
        """True when the source is a web address, which a page shows as a link."""
        return bool(self.source) and str(self.source).startswith(("https://", "http://"))

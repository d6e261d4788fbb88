"""Exhibitors with their booths and online showcase, and achievement releases (成果发布)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.agenda.models import AgendaSession
from duijie.core.db import Base, ProvenanceMixin
from duijie.directory.models import Organisation
from duijie.events.models import Event


class Exhibitor(ProvenanceMixin, Base):
    __tablename__ = "exhibitor"
    __table_args__ = (UniqueConstraint("event_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    hall: Mapped[str | None] = mapped_column(String(40))
    booth: Mapped[str | None] = mapped_column(String(40))
    showcase_zh: Mapped[str | None] = mapped_column(Text)
    showcase_en: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Achievement(ProvenanceMixin, Base):
    """A released scientific or technological achievement (e.g. 十项重大科技成果): who made it, in which field, and
    the forum session where it was released, with a link to its media (a video or the release's own page)."""

    __tablename__ = "achievement"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    # The institution as the release names it (several names, or one not in the directory), in both languages.
    institution_zh: Mapped[str | None] = mapped_column(String(200))
    institution_en: Mapped[str | None] = mapped_column(String(200))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_session.id", ondelete="SET NULL"))
    media_url: Mapped[str | None] = mapped_column(String(500))
    field: Mapped[str | None] = mapped_column(String(60))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    released_on: Mapped[dt.date | None] = mapped_column()
    rank: Mapped[int | None] = mapped_column()

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    session: Mapped[AgendaSession | None] = relationship()

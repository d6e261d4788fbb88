"""Contest structure (fields, regions, rounds), entries, judges, conflicts, assignments, scores and awards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin, utcnow
from duijie.directory.models import Organisation
from duijie.events.models import Event


class ContestField(Base):
    """A field (领域) or, with a parent, a sub-track of it."""

    __tablename__ = "contest_field"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("contest_field.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))

    event: Mapped[Event] = relationship()


class ContestRegion(Base):
    __tablename__ = "contest_region"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))

    event: Mapped[Event] = relationship()


class ContestRound(Base):
    """A round with its criteria and advancement rule; preliminary rounds belong to a field or a region."""

    __tablename__ = "contest_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("contest_field.id", ondelete="SET NULL"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("contest_region.id", ondelete="SET NULL"))
    sequence: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[dt.date | None] = mapped_column()
    ends_on: Mapped[dt.date | None] = mapped_column()
    advance_count: Mapped[int | None] = mapped_column()
    criteria: Mapped[list[Any]] = mapped_column(default=list)  # [{"code","name_zh","name_en","weight"}]
    judges_per_entry: Mapped[int] = mapped_column(default=5)
    max_per_judge: Mapped[int] = mapped_column(default=30)
    same_country_rule: Mapped[bool] = mapped_column(default=False)


class ContestEntry(ProvenanceMixin, Base):
    __tablename__ = "contest_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2), default="CN")
    field_id: Mapped[int | None] = mapped_column(
        ForeignKey("contest_field.id", ondelete="SET NULL"), index=True
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("contest_region.id", ondelete="SET NULL"))
    trl: Mapped[int | None] = mapped_column()
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(16), default="submitted")
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    field: Mapped[ContestField | None] = relationship()
    region: Mapped[ContestRegion | None] = relationship()


class Judge(ProvenanceMixin, Base):
    __tablename__ = "judge"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    expertise: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2), default="CN")
    languages: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # Dated employment and investment history checked for conflicts:
    # [{"kind": "employment"|"investment", "organisation", "start": "YYYY-MM-DD", "end": "YYYY-MM-DD"|None}]
    ties: Mapped[list[Any]] = mapped_column(default=list)


class Conflict(Base):
    __tablename__ = "conflict"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default="detected")


class ReviewAssignment(Base):
    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True)
    affinity: Mapped[float] = mapped_column()
    explanation: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Score(Base):
    """A judge's scores of one assigned entry; locked once submitted unless an organiser reopens it."""

    __tablename__ = "score"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignment.id", ondelete="CASCADE"), unique=True
    )
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)  # criterion code -> score
    total: Mapped[Decimal | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    locked: Mapped[bool] = mapped_column(default=False)


class Award(ProvenanceMixin, Base):
    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column()
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str | None] = mapped_column(String(60))
    prize_zh: Mapped[str | None] = mapped_column(String(120))
    support: Mapped[list[str]] = mapped_column(default=list)

    event: Mapped[Event] = relationship()
    entry: Mapped[ContestEntry] = relationship()

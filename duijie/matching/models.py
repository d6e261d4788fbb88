"""Stored match scores with their explanations, and the feedback people give on suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duijie.core.db import Base, utcnow


class MatchScore(Base):
    __tablename__ = "match_score"
    __table_args__ = (
        UniqueConstraint("event_id", "left_kind", "left_id", "right_kind", "right_id"),
        Index("ix_match_score_left", "event_id", "left_kind", "left_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    left_kind: Mapped[str] = mapped_column(String(24))
    left_id: Mapped[int] = mapped_column()
    right_kind: Mapped[str] = mapped_column(String(24))
    right_id: Mapped[int] = mapped_column()
    score: Mapped[float] = mapped_column()
    parts: Mapped[list[Any]] = mapped_column(default=list)
    input_hash: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MatchFeedback(Base):
    """A response to a suggestion ("not interested", declined, met); declined suggestions count against."""

    __tablename__ = "match_feedback"
    __table_args__ = (UniqueConstraint("account_id", "left_kind", "left_id", "right_kind", "right_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    left_kind: Mapped[str] = mapped_column(String(24))
    left_id: Mapped[int] = mapped_column()
    right_kind: Mapped[str] = mapped_column(String(24))
    right_id: Mapped[int] = mapped_column()
    response: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

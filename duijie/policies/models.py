"""Policy service packages, policies and their dated versions (rules and benefits as data), and decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duijie.core.db import Base, ProvenanceMixin, utcnow
from duijie.events.models import Event


class PolicyPackage(ProvenanceMixin, Base):
    __tablename__ = "policy_package"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event | None] = relationship()
    policies: Mapped[list[Policy]] = relationship(back_populates="package", order_by="Policy.id")


class Policy(ProvenanceMixin, Base):
    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("policy_package.id", ondelete="SET NULL"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    issuer_zh: Mapped[str | None] = mapped_column(String(120))
    issuer_en: Mapped[str | None] = mapped_column(String(200))
    benefit_kind: Mapped[str] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(40))

    package: Mapped[PolicyPackage | None] = relationship(back_populates="policies")
    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy", order_by="PolicyVersion.version", cascade="all, delete-orphan"
    )


class PolicyVersion(Base):
    """The rule, benefit and clauses of a policy in force from `valid_from` to `valid_to`; never edited in place."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    valid_from: Mapped[dt.date] = mapped_column()
    valid_to: Mapped[dt.date | None] = mapped_column()
    clauses_zh: Mapped[str | None] = mapped_column(Text)
    clauses_en: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[dict[str, Any]] = mapped_column()
    benefit: Mapped[dict[str, Any]] = mapped_column()
    test_cases: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    policy: Mapped[Policy] = relationship(back_populates="versions")


class EligibilityDecision(Base):
    """An evaluation kept for the record: which version decided what, for whom, on which date, and why."""

    __tablename__ = "eligibility_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id", ondelete="CASCADE"))
    evaluated_on: Mapped[dt.date] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(16))
    explanation: Mapped[dict[str, Any]] = mapped_column()
    facts: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

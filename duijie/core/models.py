"""Framework tables shared by every module: the audit log and in-app notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from duijie.core.db import Base, utcnow


class AuditEntry(Base):
    """Append-only record of a change: who, when, what entity, and the values before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(500))


class Notification(Base):
    """An in-app message to one account, written in the same transaction as the change it reports."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column()


class SiteSecret(Base):
    """A random secret of this installation (the session signing key when none is configured), made once on
    first start and shared by every web process and machine that uses the same database."""

    __tablename__ = "site_secret"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A background job and everything a page shows of it, whichever process runs it (see `core.jobs`).

    `lock` is `kind:event` while the job is unfinished and NULL afterwards: its unique index lets one job of a
    kind run per event at a time on both databases (NULLs never collide). `key` adds the hash of the job's
    inputs, so a request for the same work finds the job already queued.
    """

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_state_id", "state", "id"), Index("ix_job_kind_event_id", "kind", "event_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    key: Mapped[str] = mapped_column(String(200))
    lock: Mapped[str | None] = mapped_column(String(120), unique=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str] = mapped_column(String(500), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    queued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column()
    worker: Mapped[str | None] = mapped_column(String(120))
    result: Mapped[dict[str, Any] | None] = mapped_column()
    bound: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[list[str]] = mapped_column(default=list)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # Not before this time (UTC): a queued job waits until then (a mail retried later); NULL runs at once.
    run_after: Mapped[dt.datetime | None] = mapped_column()


class OutboxMail(Base):
    """One e-mail to send (`core.mail`): written, subject and body rendered, in the transaction of the change it
    tells about, sent by a job after that transaction commits. `state` is queued → sending → sent | failed; a
    message is claimed (queued → sending) by one conditional UPDATE, so two workers never send it twice, and
    `key` (unique) makes queueing it twice return the first row."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    # "email"; another channel (SMS, WeChat) names its sender in `core.mail.SENDERS`.
    channel: Mapped[str] = mapped_column(String(20), default="email")
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A transient failure puts the message back in the queue, not before this time (the backoff).
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column()
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    sent_at: Mapped[dt.datetime | None] = mapped_column()


class NotificationChoice(Base):
    """An account's choice for one topic of notifications on one channel ("email" today; SMS or WeChat
    senders add channels). No row means the default: the topic is on."""

    __tablename__ = "notification_choice"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True, default="email")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

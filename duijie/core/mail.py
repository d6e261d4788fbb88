"""Mail that leaves the building: the outbox, each person's notification choices, and the senders.

Queueing (`queue_mail`) renders a template `mail/<name>.txt` in the recipient's language and writes one
`OutboxMail` row in the caller's transaction, together with the job that will send it (`mail.drain`, through
`core.jobs.enqueue_waiting`). Nothing leaves before that transaction commits, and a rolled-back request sends
nothing, because the worker only ever reads committed rows. A template's first line is `Subject: ...`, then a
blank line, then the plain-text body; it may use `_()` as pages do. A `mail/<name>.html` beside it, if there is
one, is sent as the HTML alternative.

Never twice: `key` is unique, so queueing the same notification again returns the first row; and the drain
claims each message with one conditional UPDATE (queued → sending) before handing it to the sender, so of two
workers only one sends it. A message whose worker died while sending stays `sending`; after
`STUCK_AFTER` it is failed with a message saying it may or may not have arrived, never sent again blindly.

Retries: a transient failure (the server unreachable, a 4xx answer, a refused login) puts the message back
in the queue not before `BACKOFF[attempt]` seconds, and a drain is queued to run then; a permanent failure (a
5xx answer) or the last attempt fails the row with the server's answer in `last_error`, which the organiser
reads in `duijie mail outbox`.

Choices: each account may turn a topic off (`NotificationChoice`, no row = on); a topic is declared by the
package that sends it, in its `mails.py` (`topic(...)`), and `queue_mail(topic=...)` queues nothing for an
account that turned it off. Invitations and password resets pass no topic: they are always sent.

The seam for SMS or WeChat: a row carries its `channel` ("email"), choices are per channel, and the drain asks
`SENDERS` for the sender of a row's channel. A channel is a function `(settings) -> Sender | None` registered
under its name; a `Sender` has one method, `send(message) -> message id`, raising `TransientError` or
`PermanentError`. An SMS package would register "sms", write rows with `channel="sms"` and the phone number in
`to`, and offer its topics on the same page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, TemplateNotFound
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from duijie.config import Settings, get_settings
from duijie.core.db import unit_of_work, utcnow
from duijie.core.errors import DomainError
from duijie.core.hooks import Hook
from duijie.core.i18n import gettext as _
from duijie.core.i18n import normalize_locale, reset_locale, set_locale
from duijie.core.jobs import JobContext, enqueue_waiting, register, release_lock
from duijie.core.models import Job, NotificationChoice, OutboxMail
from duijie.core.templating import build_environment
from duijie.modules import import_all

log = logging.getLogger(__name__)

STATES = ("queued", "sending", "sent", "failed")
# Seconds before the 2nd, 3rd ... attempt; after the last one the message fails.
BACKOFF = (60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A message `sending` for this long lost its worker (SMTP calls time out well before).
STUCK_AFTER = dt.timedelta(minutes=15)
DRAIN_LOCK = "mail.drain"


# -- topics and choices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A kind of notification a person may turn off: its name, and its label and hint marked for translation
    (`_l`), shown in the reader's language."""

    name: str
    label: str
    hint: str = ""


TOPICS: Hook[Topic] = Hook("core.mail.topics")


def topic(name: str, label: str, hint: str = "", *, order: int = 100) -> Topic:
    """Declare a topic (in a package's `mails.py`, at import time)."""
    return TOPICS.register(Topic(name, label, hint), key=name, order=order)


def topics() -> list[Topic]:
    """Every declared topic, in order (importing each package's `mails.py`)."""
    import_all("mails")
    return list(TOPICS)


def choices(db: Session, *, account_id: int, channel: str = "email") -> dict[str, bool]:
    """topic -> on/off for every declared topic of the account (no row: on)."""
    stored = dict(
        db.execute(
            select(NotificationChoice.topic, NotificationChoice.enabled).where(
                NotificationChoice.account_id == account_id, NotificationChoice.channel == channel
            )
        ).all()
    )
    return {t.name: bool(stored.get(t.name, True)) for t in topics()}


def set_choices(
    db: Session, *, account_id: int, values: Mapping[str, bool], channel: str = "email"
) -> dict[str, bool]:
    """Store the account's choices for the topics given (unknown topics are refused, naming them)."""
    known = {t.name for t in topics()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise DomainError(
            _("No such kind of notification: %(name)s") % {"name": ", ".join(unknown)}, field=unknown[0]
        )
    for name, enabled in values.items():
        row = db.get(NotificationChoice, (account_id, name, channel))
        if row is None:
            db.add(NotificationChoice(account_id=account_id, topic=name, channel=channel, enabled=bool(enabled)))
        else:
            row.enabled, row.updated_at = bool(enabled), utcnow()
    db.flush()
    return choices(db, account_id=account_id, channel=channel)


def wants(db: Session, *, account_id: int, topic: str, channel: str = "email") -> bool:
    """Whether the account receives this topic on this channel (on unless they turned it off)."""
    enabled = db.scalar(
        select(NotificationChoice.enabled).where(
            NotificationChoice.account_id == account_id,
            NotificationChoice.topic == topic,
            NotificationChoice.channel == channel,
        )
    )
    return enabled is None or bool(enabled)


# -- rendering -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str | None


def _environment(db: Session) -> Environment:
    """The template environment (every package's `templates/`), built once per session, not per process."""
    env = db.info.get("mail.environment")
    if env is None:
        env = build_environment()
        db.info["mail.environment"] = env
    return env


def render(db: Session, *, template: str, locale: str, context: Mapping[str, Any]) -> Rendered:
    """Render `mail/<template>.txt` (and `.html` if present) in `locale`: the subject from its first line."""
    env = _environment(db)
    data = {"site_url": get_settings().base_url.rstrip("/"), "locale": locale, **context}
    token = set_locale(locale)
    try:
        text = env.get_template(f"mail/{template}.txt").render(**data)
        try:
            html: str | None = env.get_template(f"mail/{template}.html").render(**data)
        except TemplateNotFound:
            html = None
    finally:
        reset_locale(token)
    first, _sep, rest = text.lstrip("\n").partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail/{template}.txt must start with a 'Subject:' line")
    subject = " ".join(first[len("Subject:") :].split())
    return Rendered(subject=subject[:500], body=rest.lstrip("\n").rstrip() + "\n", html=html)


# -- queueing ------------------------------------------------------------------------------------------


def queue_mail(
    db: Session,
    *,
    to: str,
    template: str,
    locale: str | None,
    context: Mapping[str, Any],
    account_id: int | None = None,
    topic: str | None = None,
    key: str | None = None,
) -> OutboxMail | None:
    """Queue one e-mail in the caller's transaction; it is sent after the commit.

    None when the recipient turned `topic` off (or there is no address, or one under `.invalid`); the existing row when a message with
    this `key` was queued before (nothing more is sent). `locale` is the recipient's language (their
    `Account.locale`; None: the site's default).
    """
    address = (to or "").strip()
    if not address or address.lower().endswith(".invalid"):
        # `.invalid` (RFC 2606) can never be delivered: the demo's people and placeholders use it.
        return None
    if key is not None:
        existing = db.scalar(select(OutboxMail).where(OutboxMail.key == key))
        if existing is not None:
            return existing
    if topic is not None and account_id is not None and not wants(db, account_id=account_id, topic=topic):
        return None
    language = normalize_locale(locale or get_settings().default_locale)
    rendered = render(db, template=template, locale=language, context=context)
    mail = OutboxMail(
        key=key,
        account_id=account_id,
        channel="email",
        to=address,
        subject=rendered.subject,
        body=rendered.body,
        html=rendered.html,
        locale=language,
        template=template,
        topic=topic,
        state="queued",
        attempts=0,
        created_at=utcnow(),
    )
    db.add(mail)
    db.flush()
    enqueue_waiting(db, kind=DRAIN, lock=DRAIN_LOCK)
    return mail


def requeue(db: Session, *, mail: OutboxMail) -> OutboxMail:
    """Send a failed message again (the organiser's decision, after reading its error): back in the queue."""
    if mail.state != "failed":
        raise DomainError(_("Only a failed message can be sent again."), field="state")
    mail.state, mail.next_attempt_at, mail.attempts = "queued", None, 0
    db.flush()
    enqueue_waiting(db, kind=DRAIN, lock=DRAIN_LOCK)
    return mail


def outbox(db: Session, *, state: str | None = None, limit: int = 50) -> list[OutboxMail]:
    """The latest messages, newest first (optionally in one state)."""
    query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)
    if state:
        query = query.where(OutboxMail.state == state)
    return list(db.scalars(query))


def counts(db: Session) -> dict[str, int]:
    """How many messages are in each state."""
    found = dict(db.execute(select(OutboxMail.state, func.count()).group_by(OutboxMail.state)).all())
    return {state: int(found.get(state, 0)) for state in STATES}


# -- senders -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """What a sender sends: one message to one address, in its final words."""

    to: str
    subject: str
    body: str
    html: str | None
    locale: str
    message_id: str


class TransientError(Exception):
    """The message may go through later (the server is unreachable, busy, or answered 4xx)."""


class PermanentError(Exception):
    """The message will never go through as it is (the server answered 5xx): fail it, show why."""


class Sender(Protocol):
    """Delivers messages of one channel; returns the id the message went out under."""

    def send(self, message: Message) -> str: ...


SenderFactory = Callable[[Settings], "Sender | None"]
# channel name -> the sender for these settings (None: the channel is not configured).
SENDERS: Hook[tuple[str, SenderFactory]] = Hook("core.mail.senders")


@dataclass(frozen=True)
class SmtpSender:
    """Sends through an SMTP server: `smtp://host[:25]` (plain), `smtp+starttls://user:pass@host[:587]`,
    `smtps://user:pass@host[:465]` (TLS from the first byte)."""

    host: str
    port: int
    security: str  # "plain" | "starttls" | "tls"
    username: str | None
    password: str | None
    sender: str
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, sender: str, timeout: float = 30.0) -> SmtpSender:
        """The sender an `smtp://`, `smtp+starttls://` or `smtps://` URL describes."""
        parts = urlsplit(url)
        schemes = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(f"not an SMTP URL (smtp://, smtp+starttls://, smtps://): {parts.scheme}://…")
        security, port = schemes[parts.scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=sender,
            timeout=timeout,
        )

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = message.message_id
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        # After the content: setting it clears every Content-* header.
        mail["Content-Language"] = "zh-CN" if message.locale.startswith("zh") else "en"
        return mail

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: Message) -> str:
        email = self.compose(message)
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(email)
        except smtplib.SMTPAuthenticationError as exc:
            # A refused login is the operator's to fix, not the message's fault: try again later.
            raise TransientError(_smtp_text(exc)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            answers = list(exc.recipients.values())
            code, text = answers[0] if answers else (550, b"")
            error = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            raise (PermanentError(error) if 500 <= code < 600 else TransientError(error)) from exc
        except smtplib.SMTPResponseException as exc:
            error = _smtp_text(exc)
            raise (PermanentError(error) if 500 <= exc.smtp_code < 600 else TransientError(error)) from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, TLS
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        return message.message_id


def _smtp_text(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}"


def _smtp_from_settings(settings: Settings) -> Sender | None:
    if not settings.smtp_url:
        return None
    return SmtpSender.from_url(settings.smtp_url, sender=settings.mail_from, timeout=settings.smtp_timeout)


SENDERS.register(("email", _smtp_from_settings), key="email")


def sender_for(channel: str, settings: Settings | None = None) -> Sender | None:
    """The sender of a channel under the current settings (None: not configured)."""
    settings = settings or get_settings()
    for name, factory in SENDERS:
        if name == channel:
            return factory(settings)
    return None


def message_id(mail: OutboxMail, settings: Settings | None = None) -> str:
    """The Message-ID a row goes out under, the same on every attempt (so a receiving server can tell)."""
    settings = settings or get_settings()
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(f"{mail.id}:{mail.key}:{mail.created_at.isoformat()}".encode()).hexdigest()[:16]
    return f"<outbox.{mail.id}.{digest}@{domain}>"


# -- sending -------------------------------------------------------------------------------------------


def claim(factory: sessionmaker[Session], mail_id: int) -> bool:
    """Take a queued, due message for sending with one conditional UPDATE: of two workers, one gets it."""
    now = utcnow()
    with unit_of_work(factory) as db:
        taken = db.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.state == "queued",
                (OutboxMail.next_attempt_at.is_(None)) | (OutboxMail.next_attempt_at <= now),
            )
            .values(state="sending", attempts=OutboxMail.attempts + 1, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(taken, "rowcount", 0))


def _settle(factory: sessionmaker[Session], mail_id: int, **values: Any) -> None:
    with unit_of_work(factory) as db:
        db.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.state == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def deliver(factory: sessionmaker[Session], mail_id: int, *, settings: Settings | None = None) -> str:
    """Claim one message and send it: "sent", "retry" (back in the queue for later), "failed", or "taken"
    when another worker has it (or it is not due)."""
    settings = settings or get_settings()
    if not claim(factory, mail_id):
        return "taken"
    with unit_of_work(factory, write=False) as db:
        mail = db.get(OutboxMail, mail_id)
        assert mail is not None
        message = Message(
            to=mail.to,
            subject=mail.subject,
            body=mail.body,
            html=mail.html,
            locale=mail.locale,
            message_id=mail.message_id or message_id(mail, settings),
        )
        channel, attempts = mail.channel, mail.attempts
    sender = sender_for(channel, settings)
    try:
        if sender is None and channel == "email":
            raise PermanentError(_("No mail server is configured (DUIJIE_SMTP_URL); the message was not sent."))
        if sender is None:
            raise PermanentError(
                _("No sender is configured for the channel %(channel)s; the message was not sent.")
                % {"channel": channel}
            )
        sent_as = sender.send(message)
    except TransientError as exc:
        if attempts >= MAX_ATTEMPTS:
            log.warning("mail %s failed after %s attempts: %s", mail_id, attempts, exc)
            _settle(factory, mail_id, state="failed", last_error=str(exc)[:2000], message_id=message.message_id)
            return "failed"
        later = utcnow() + dt.timedelta(seconds=BACKOFF[attempts - 1])
        log.info("mail %s will be tried again at %s: %s", mail_id, later, exc)
        _settle(
            factory,
            mail_id,
            state="queued",
            next_attempt_at=later,
            last_error=str(exc)[:2000],
            message_id=message.message_id,
        )
        return "retry"
    except PermanentError as exc:
        log.warning("mail %s refused: %s", mail_id, exc)
        _settle(factory, mail_id, state="failed", last_error=str(exc)[:2000], message_id=message.message_id)
        return "failed"
    _settle(factory, mail_id, state="sent", sent_at=utcnow(), message_id=sent_as[:300], last_error=None)
    return "sent"


def fail_stuck(factory: sessionmaker[Session], *, older_than: dt.timedelta = STUCK_AFTER) -> int:
    """Messages left `sending` by a worker that died: failed, saying it is unknown whether they arrived (sending
    them again could deliver them twice; the organiser decides with `duijie mail retry`)."""
    cutoff = utcnow() - older_than
    with unit_of_work(factory) as db:
        done = db.execute(
            update(OutboxMail)
            .where(OutboxMail.state == "sending", OutboxMail.claimed_at < cutoff)
            .values(
                state="failed",
                last_error=_("The worker stopped while sending this message; it may or may not have arrived."),
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(done, "rowcount", 0) or 0)


def due(factory: sessionmaker[Session], *, limit: int = 100) -> list[int]:
    """The queued messages whose time has come, oldest first."""
    now = utcnow()
    with unit_of_work(factory, write=False) as db:
        return list(
            db.scalars(
                select(OutboxMail.id)
                .where(
                    OutboxMail.state == "queued",
                    (OutboxMail.next_attempt_at.is_(None)) | (OutboxMail.next_attempt_at <= now),
                )
                .order_by(OutboxMail.id)
                .limit(limit)
            )
        )


def schedule_retry(factory: sessionmaker[Session]) -> dt.datetime | None:
    """Queue a drain for when the earliest message waiting for a retry is due (None when none waits)."""
    with unit_of_work(factory) as db:
        soonest = db.scalar(
            select(func.min(OutboxMail.next_attempt_at)).where(
                OutboxMail.state == "queued", OutboxMail.next_attempt_at.is_not(None)
            )
        )
        if soonest is None:
            return None
        enqueue_waiting(db, kind=DRAIN, lock=DRAIN_LOCK, run_after=max(soonest, utcnow()))
        return soonest


def drain(ctx: JobContext) -> dict[str, Any]:
    """The `mail.drain` job: send every due message, then queue the next drain for the retries waiting.

    It first frees its lock, so mail queued from then on queues the next drain, and only then reads the
    outbox: nothing committed is left behind (see `core.jobs.enqueue_waiting`)."""
    release_lock(ctx.factory, ctx.job_id)
    settings = get_settings()
    outcome = {"sent": 0, "retry": 0, "failed": 0, "taken": 0}
    outcome["failed"] += fail_stuck(ctx.factory)
    while True:
        ids = due(ctx.factory)
        if not ids:
            break
        for mail_id in ids:
            outcome[deliver(ctx.factory, mail_id, settings=settings)] += 1
        ctx.step(_("%(n)s messages sent") % {"n": outcome["sent"]})
    schedule_retry(ctx.factory)
    return outcome


DRAIN = register("mail.drain", drain, max_attempts=3)


def drain_now(factory: sessionmaker[Session]) -> dict[str, int]:
    """Send what is due in this thread, without a job (the `duijie mail send-queued` command)."""
    settings = get_settings()
    outcome = {"sent": 0, "retry": 0, "failed": 0, "taken": 0}
    for mail_id in due(factory):
        outcome[deliver(factory, mail_id, settings=settings)] += 1
    schedule_retry(factory)
    return outcome


def pending_drain(db: Session) -> Job | None:
    """The drain waiting to run, if any (for the outbox command)."""
    return db.scalar(select(Job).where(Job.lock == DRAIN_LOCK))

"""The outbox: a message queued in a transaction leaves only after that transaction commits, once, through a real
SMTP server on loopback and the real job queue; transient refusals are retried later, permanent ones fail with
the server's answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from duijie.core import mail
from duijie.core.db import unit_of_work, utcnow
from duijie.core.jobs import run_queued
from duijie.core.models import Job, OutboxMail
from tests import factories
from tests.fixtures.smtp import SmtpServer


def _queue(db: Session, *, to: str = "ada@example.org", key: str | None = None, locale: str | None = "en") -> OutboxMail:
    row = mail.queue_mail(db, to=to, template="test", locale=locale, context={"note": "n-1"}, key=key)
    assert row is not None
    return row


def test_queued_mail_is_sent_after_commit_once(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        row = _queue(db, key="test:once")
        assert row.state == "queued"
        assert row.subject == "duijie: a test message"
    ran = run_queued(session_factory)
    assert ran
    received = mail_to.wait_for(1)
    assert [m.rcpt_tos for m in received] == [["ada@example.org"]]
    assert received[0].subject == "duijie: a test message"
    assert "n-1" in received[0].text
    with unit_of_work(session_factory, write=False) as db:
        sent = db.get(OutboxMail, row.id)
        assert sent is not None
        assert (sent.state, sent.attempts, sent.message_id) == ("sent", 1, received[0].message["Message-ID"])
    # Running the queue again, or queueing the same key again, sends nothing more.
    with unit_of_work(session_factory) as db:
        again = _queue(db, key="test:once")
        assert again.id == row.id
    run_queued(session_factory)
    assert len(mail_to.messages) == 1


def test_rolled_back_request_sends_nothing(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    class Refused(Exception):
        pass

    try:
        with unit_of_work(session_factory) as db:
            _queue(db, key="test:rollback")
            raise Refused
    except Refused:
        pass
    assert run_queued(session_factory) == []
    with unit_of_work(session_factory, write=False) as db:
        assert db.scalar(select(OutboxMail).where(OutboxMail.key == "test:rollback")) is None
    assert mail_to.messages == []


def test_chinese_by_default(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        row = _queue(db, locale=None)
        assert row.locale == "zh_CN"
    run_queued(session_factory)
    [received] = mail_to.wait_for(1)
    assert received.subject == "duijie：测试邮件"
    assert received.message["Content-Language"] == "zh-CN"


def test_transient_refusal_is_retried_later(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    mail_to.refuse("451 4.3.0 Try again later")
    with unit_of_work(session_factory) as db:
        row = _queue(db)
    run_queued(session_factory)
    with unit_of_work(session_factory, write=False) as db:
        waiting = db.get(OutboxMail, row.id)
        assert waiting is not None
        assert (waiting.state, waiting.attempts, waiting.last_error) == ("queued", 1, "451 4.3.0 Try again later")
        assert waiting.next_attempt_at is not None and waiting.next_attempt_at > utcnow()
        retry = db.scalar(select(Job).where(Job.lock == mail.DRAIN_LOCK))
        assert retry is not None and retry.run_after == waiting.next_attempt_at
    # Not before its time: the queue runs nothing.
    assert run_queued(session_factory) == []
    assert mail_to.messages == []
    # Its time comes.
    past = utcnow() - dt.timedelta(seconds=1)
    with unit_of_work(session_factory) as db:
        db.execute(update(OutboxMail).where(OutboxMail.id == row.id).values(next_attempt_at=past))
        db.execute(update(Job).where(Job.lock == mail.DRAIN_LOCK).values(run_after=past))
    assert run_queued(session_factory)
    assert len(mail_to.wait_for(1)) == 1
    with unit_of_work(session_factory, write=False) as db:
        sent = db.get(OutboxMail, row.id)
        assert sent is not None and (sent.state, sent.attempts, sent.last_error) == ("sent", 2, None)


def test_permanent_refusal_fails_with_the_answer(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    mail_to.refuse("550 5.1.1 No such user here")
    with unit_of_work(session_factory) as db:
        row = _queue(db, to="nobody@example.org")
    run_queued(session_factory)
    with unit_of_work(session_factory, write=False) as db:
        failed = db.get(OutboxMail, row.id)
        assert failed is not None
        assert (failed.state, failed.attempts, failed.last_error) == ("failed", 1, "550 5.1.1 No such user here")
        assert db.scalar(select(Job).where(Job.lock == mail.DRAIN_LOCK)) is None
    assert mail_to.messages == []


def test_unreachable_server_is_transient(session_factory: sessionmaker[Session], smtp_server: SmtpServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from duijie.config import get_settings
    from tests.fixtures.smtp import free_port

    monkeypatch.setenv("DUIJIE_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    try:
        with unit_of_work(session_factory) as db:
            row = _queue(db)
        run_queued(session_factory)
        with unit_of_work(session_factory, write=False) as db:
            waiting = db.get(OutboxMail, row.id)
            assert waiting is not None and waiting.state == "queued" and waiting.attempts == 1
            assert "ConnectionRefusedError" in (waiting.last_error or "")
    finally:
        get_settings.cache_clear()


def test_topic_turned_off_queues_nothing(db: Session) -> None:
    account = factories.account(db)
    mail.topic("test_topic", "Test topic")
    try:
        mail.set_choices(db, account_id=account.id, values={"test_topic": False})
        assert mail.queue_mail(db, to="a@example.org", template="test", locale="en", context={}, account_id=account.id, topic="test_topic") is None
        mail.set_choices(db, account_id=account.id, values={"test_topic": True})
        assert mail.queue_mail(db, to="a@example.org", template="test", locale="en", context={}, account_id=account.id, topic="test_topic") is not None
    finally:
        # The topic exists for this test only; other tests read the declared topics.
        mail.TOPICS.unregister("test_topic")


def test_new_mail_brings_a_waiting_retry_forward_without_sending_the_retry_early(
    session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    mail_to.refuse("421 4.7.0 Busy")
    with unit_of_work(session_factory) as db:
        first = _queue(db, to="first@example.org")
    run_queued(session_factory)
    with unit_of_work(session_factory) as db:
        second = _queue(db, to="second@example.org")
        drain = db.scalar(select(Job).where(Job.lock == mail.DRAIN_LOCK))
        assert drain is not None and drain.run_after is None  # the delayed drain now runs at once
    assert run_queued(session_factory)
    assert [m.rcpt_tos for m in mail_to.wait_for(1)] == [["second@example.org"]]
    with unit_of_work(session_factory, write=False) as db:
        waiting, sent = db.get(OutboxMail, first.id), db.get(OutboxMail, second.id)
        assert waiting is not None and sent is not None
        assert (waiting.state, sent.state) == ("queued", "sent")
        # The first one's retry is queued again for its own time.
        retry = db.scalar(select(Job).where(Job.lock == mail.DRAIN_LOCK))
        assert retry is not None and retry.run_after == waiting.next_attempt_at


def test_last_attempt_fails_with_the_answer(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    mail_to.refuse("451 4.3.0 Still busy")
    with unit_of_work(session_factory) as db:
        row = _queue(db)
        db.execute(update(OutboxMail).where(OutboxMail.id == row.id).values(attempts=mail.MAX_ATTEMPTS - 1))
    run_queued(session_factory)
    with unit_of_work(session_factory, write=False) as db:
        failed = db.get(OutboxMail, row.id)
        assert failed is not None
        assert (failed.state, failed.attempts, failed.last_error) == ("failed", mail.MAX_ATTEMPTS, "451 4.3.0 Still busy")


def test_message_left_sending_by_a_dead_worker_fails_and_is_not_sent_again(
    session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    with unit_of_work(session_factory) as db:
        row = _queue(db)
    assert mail.claim(session_factory, row.id)  # a worker took it, then died before it reported
    with unit_of_work(session_factory) as db:
        db.execute(
            update(OutboxMail)
            .where(OutboxMail.id == row.id)
            .values(claimed_at=utcnow() - mail.STUCK_AFTER - dt.timedelta(seconds=1))
        )
    run_queued(session_factory)
    with unit_of_work(session_factory, write=False) as db:
        stuck = db.get(OutboxMail, row.id)
        assert stuck is not None and stuck.state == "failed"
        assert stuck.last_error == "发送这封邮件时工作进程中断，无法确定邮件是否已送达。"  # the site's language
    assert mail_to.messages == []

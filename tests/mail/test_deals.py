"""Deal-task reminders: the owner of each open task due the next day gets one mail, whichever number of times the
daily command runs; done tasks, other days and owners who turned the topic off get none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from duijie.cli import main
from duijie.core import mail
from duijie.core.db import make_engine, make_sessionmaker, unit_of_work
from duijie.core.jobs import run_queued
from duijie.core.migrate import upgrade
from duijie.deals.mails import queue_tasks_due, tomorrow
from duijie.deals.models import DealTask
from duijie.directory.models import Account, Person
from tests import factories
from tests.deals import factories as df
from tests.fixtures.smtp import SmtpServer

DAY = dt.date(2026, 5, 2)


def _owner(db: Session, email: str, locale: str | None = None) -> Account:
    account = factories.account(db, locale=locale)
    person = db.get(Person, account.person_id)
    assert person is not None
    person.email = email
    db.flush()
    return account


def _tasks(db: Session) -> tuple[Account, Account]:
    event = factories.event(db)
    deal = df.deal(db, event)
    ada, bo = _owner(db, "ada@example.org", "en"), _owner(db, "bo@example.org")
    db.add_all(
        [
            DealTask(deal_id=deal.id, title="Send the term sheet", due_on=DAY, owner_id=ada.id),
            DealTask(deal_id=deal.id, title="Visit the site", due_on=DAY, owner_id=bo.id),
            DealTask(deal_id=deal.id, title="Done already", due_on=DAY, owner_id=ada.id, done_at=dt.datetime.now(dt.UTC)),
            DealTask(deal_id=deal.id, title="Later", due_on=DAY + dt.timedelta(days=1), owner_id=ada.id),
        ]
    )
    db.flush()
    return ada, bo


def test_owners_of_open_tasks_due_are_reminded_once(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        _tasks(db)
        assert queue_tasks_due(db, day=DAY) == 2
    with unit_of_work(session_factory) as db:
        assert queue_tasks_due(db, day=DAY) == 2  # the same rows, nothing new
    run_queued(session_factory)
    received = mail_to.wait_for(2)
    assert sorted((m.rcpt_tos[0], m.subject) for m in received) == [
        ("ada@example.org", "Due on 2026-05-02: Send the term sheet"),
        ("bo@example.org", "2026-05-02 到期：Visit the site"),
    ]
    assert "/deals/" in received[0].text and "2026-05-02" in received[0].text


def test_topic_turned_off_is_not_reminded(session_factory: sessionmaker[Session], mail_to: SmtpServer) -> None:
    with unit_of_work(session_factory) as db:
        ada, _bo = _tasks(db)
        mail.set_choices(db, account_id=ada.id, values={"deal_tasks": False})
        assert queue_tasks_due(db, day=DAY) == 1
    run_queued(session_factory)
    assert [m.rcpt_tos for m in mail_to.wait_for(1)] == [["bo@example.org"]]


def test_tomorrow_is_beijing_time() -> None:
    # 17:00 UTC on 1 May is already 2 May in Beijing: tomorrow is 3 May.
    assert tomorrow(dt.datetime(2026, 5, 1, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 5, 3)
    assert tomorrow(dt.datetime(2026, 5, 1, 15, 0, tzinfo=dt.UTC)) == dt.date(2026, 5, 2)


def test_daily_command_run_twice_mails_once(tmp_path: Path, mail_to: SmtpServer) -> None:
    url = f"sqlite:///{tmp_path / 'tasks.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as db:
        _tasks(db)
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(main, ["mail", "tasks-due", "--db", url, "--day", DAY.isoformat()])
        assert result.exit_code == 0, result.output
        assert result.output == "2 reminders queued for tasks due 2026-05-02\n"
    sent = runner.invoke(main, ["mail", "send-queued", "--db", url])
    assert sent.output.strip() == "sent 2  retry 0  failed 0  taken 0"
    assert len(mail_to.wait_for(2)) == 2
    engine.dispose()

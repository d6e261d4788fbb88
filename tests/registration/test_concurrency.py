"""Registrations arriving at once, each in its own connection and transaction, as the web serves them.

200 people register at the same moment for 50 places: exactly 50 are confirmed and 150 wait, and the places
went in the order the decisions were made (the ids): every confirmed id is below every waiting id, and each
waiting person's mail gives the position their id gives. One cancellation promotes exactly one person; two
at once promote exactly two, the first two waiting. The same burst on a SQLite file gives the same counts.
Then the offer mail goes through the real job queue to a loopback SMTP server, in the registrant's language.

These tests need committed rows seen by other connections, so they use a database of their own (a SQLite file,
or a PostgreSQL database next to the suite's), never the suite's rolled-back transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.auth import ANONYMOUS
from duijie.core.db import make_sessionmaker, unit_of_work, utcnow
from duijie.core.errors import DomainError
from duijie.core.jobs import run_queued
from duijie.core.models import Job, OutboxMail
from duijie.events.models import Event
from duijie.registration import service
from duijie.registration.models import Registration, RegistrationCategory
from tests import factories
from tests.conftest import own_database as a_database_of_its_own
from tests.fixtures.smtp import SmtpServer, mail_to, smtp_server
from tests.registration import factories as rf

__all__ = ["mail_to", "smtp_server"]

PEOPLE = 200
PLACES = 50


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated, empty database of the test's own (PostgreSQL: `<suite database>_registration`)."""
    with a_database_of_its_own(request.param, tmp_path, "registration", pool_size=40, pool_timeout=120) as (_, engine):
        yield request.param, engine


def _at_once(count: int, work: Callable[[int], Any]) -> list[BaseException]:
    """Run `work(i)` for i in 0..count-1 in as many threads, released together; the errors raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(i)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def _setup(factory: sessionmaker[Session], *, capacity: int) -> tuple[int, int]:
    with unit_of_work(factory) as db:
        event = factories.event(db, is_published=True)
        category = rf.category(db, event, capacity=capacity, claim_hours=24)
        return event.id, category.id


def _register_burst(factory: sessionmaker[Session], event_id: int, category_id: int) -> None:
    def register(i: int) -> None:
        with unit_of_work(factory) as db:
            event = db.get(Event, event_id)
            category = db.get(RegistrationCategory, category_id)
            assert event is not None and category is not None
            service.register(db, event, category, rf.form(100_000 + i, locale="en" if i % 2 else "zh_CN"))

    assert _at_once(PEOPLE, register) == []


def _rows(factory: sessionmaker[Session], category_id: int) -> list[Registration]:
    with unit_of_work(factory, write=False) as db:
        return list(db.scalars(select(Registration).where(Registration.category_id == category_id).order_by(Registration.id)))


def _cancel(factory: sessionmaker[Session], registration_ids: list[int]) -> None:
    def cancel(i: int) -> None:
        with unit_of_work(factory) as db:
            service.cancel(db, actor=ANONYMOUS, registration=service.get(db, id=registration_ids[i]))

    assert _at_once(len(registration_ids), cancel) == []


def test_simultaneous_registrations_fill_the_places_in_decision_order(own_database: tuple[str, Engine]) -> None:
    _backend, engine = own_database
    factory = make_sessionmaker(engine)
    event_id, category_id = _setup(factory, capacity=PLACES)
    _register_burst(factory, event_id, category_id)

    rows = _rows(factory, category_id)
    states = [r.state for r in rows]
    assert (states.count("confirmed"), states.count("waiting"), len(rows)) == (PLACES, PEOPLE - PLACES, PEOPLE)
    # Decided one after the other under the category's lock: the first 50 ids hold the places.
    assert states == ["confirmed"] * PLACES + ["waiting"] * (PEOPLE - PLACES)
    with unit_of_work(factory, write=False) as db:
        mailed = dict(db.execute(select(OutboxMail.to, OutboxMail.body).where(OutboxMail.template == "registration_waiting")).all())
        positions = [service.position(db, r) for r in rows[PLACES:]]
    assert positions == list(range(1, PEOPLE - PLACES + 1))
    for number, row in enumerate(rows[PLACES:], start=1):
        assert re.search(rf"(?<!\d){number}(?!\d)", mailed[row.email]), (number, mailed[row.email])

    # One cancellation promotes exactly one: the first waiting.
    _cancel(factory, [rows[0].id])
    after = _rows(factory, category_id)
    assert [r.id for r in after if r.state == "offered"] == [rows[PLACES].id]

    # Two at once promote exactly two: the next two waiting.
    _cancel(factory, [rows[1].id, rows[2].id])
    after = _rows(factory, category_id)
    assert [r.id for r in after if r.state == "offered"] == [rows[PLACES].id, rows[PLACES + 1].id, rows[PLACES + 2].id]
    assert sum(r.state in ("confirmed", "offered") for r in after) == PLACES
    assert sum(r.state == "waiting" for r in after) == PEOPLE - PLACES - 3


def test_offer_mail_reaches_the_smtp_server_in_the_registrants_language(
    own_database: tuple[str, Engine], mail_to: SmtpServer
) -> None:
    _backend, engine = own_database
    factory = make_sessionmaker(engine)
    event_id, category_id = _setup(factory, capacity=1)
    with unit_of_work(factory) as db:
        event, category = db.get(Event, event_id), db.get(RegistrationCategory, category_id)
        assert event is not None and category is not None
        first = service.register(db, event, category, rf.form(locale="zh_CN"))
        second = service.register(db, event, category, rf.form(email="investor@example.com", locale="en"))
        first_id = first.id
    with unit_of_work(factory) as db:
        service.cancel(db, actor=ANONYMOUS, registration=service.get(db, id=first_id))
    run_queued(factory)
    received = mail_to.wait_for(4)
    offers = [m for m in received if "investor@example.com" in m.rcpt_tos and m.subject.startswith("A place is free for you")]
    assert len(offers) == 1, [m.subject for m in received]
    assert "Claim your place here:" in offers[0].text and "(Asia/Shanghai)" in offers[0].text
    zh = [m for m in received if m.rcpt_tos == [first.email]]
    assert zh and all("嘉宾" in m.text for m in zh)
    assert second.state == "waiting"


def test_the_sweep_job_expires_an_offer_at_its_deadline_and_offers_the_next(own_database: tuple[str, Engine]) -> None:
    """The job queued with the offer runs at the deadline (not before), expires it and offers the place on."""
    _backend, engine = own_database
    factory = make_sessionmaker(engine)
    event_id, category_id = _setup(factory, capacity=1)
    with unit_of_work(factory) as db:
        event, category = db.get(Event, event_id), db.get(RegistrationCategory, category_id)
        assert event is not None and category is not None
        ids = [service.register(db, event, category, rf.form()).id for _ in range(3)]
    _cancel(factory, [ids[0]])
    with unit_of_work(factory, write=False) as db:
        job = db.scalar(select(Job).where(Job.kind == "registration.sweep", Job.state == "queued"))
        offered = service.get(db, id=ids[1])
        assert job is not None and job.run_after == offered.offered_until
    run_queued(factory)  # not due yet: nothing moves
    assert [r.state for r in _rows(factory, category_id)] == ["cancelled", "offered", "waiting"]
    with unit_of_work(factory) as db:
        past = utcnow() - dt.timedelta(minutes=1)
        db.execute(update(Registration).where(Registration.id == ids[1]).values(offered_until=past))
        db.execute(update(Job).where(Job.kind == "registration.sweep", Job.state == "queued").values(run_after=past, queued_at=past))
    run_queued(factory)
    assert [r.state for r in _rows(factory, category_id)] == ["cancelled", "expired", "offered"]
    with unit_of_work(factory, write=False) as db:
        done = db.scalar(select(Job).where(Job.kind == "registration.sweep", Job.state == "done"))
        assert done is not None and done.result is not None and done.result["expired"] == 1
        assert db.scalar(select(Job).where(Job.kind == "registration.sweep", Job.state == "queued")) is not None


def test_one_address_registering_in_two_categories_at_once_gets_one_registration(own_database: tuple[str, Engine]) -> None:
    """Decisions are serialized per category, so the same address in two categories at the same moment is held
    apart by the unique index; the loser is refused in words (409, naming the e-mail field)."""
    _backend, engine = own_database
    factory = make_sessionmaker(engine)
    event_id, first = _setup(factory, capacity=10)
    with unit_of_work(factory) as db:
        event = db.get(Event, event_id)
        assert event is not None
        second = rf.category(db, event, capacity=10).id
    refused: list[DomainError] = []

    def register(i: int) -> None:
        with unit_of_work(factory) as db:
            event = db.get(Event, event_id)
            category = db.get(RegistrationCategory, (first, second)[i])
            assert event is not None and category is not None
            try:
                service.register(db, event, category, rf.form(email="Twice@Example.org"))
            except DomainError as exc:
                refused.append(exc)

    for _round in range(5):
        refused.clear()
        with unit_of_work(factory) as db:
            for row in db.scalars(select(Registration).where(Registration.event_id == event_id)):
                db.delete(row)
        assert _at_once(2, register) == []
        with unit_of_work(factory, write=False) as db:
            emails = list(db.scalars(select(Registration.email).where(Registration.event_id == event_id)))
        assert emails == ["twice@example.org"]
        assert [(e.status_code, e.field) for e in refused] == [(409, "email")]

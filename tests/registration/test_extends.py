"""Registration's part of the programme's audience: those holding or awaiting a place in a changed session hear
of the change when the programme is published — by their address and language if they registered without an
account — and nobody whose place was cancelled, nor anyone registered for another session."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.hooks import PROGRAMME_AUDIENCE, Listener
from duijie.agenda.publishing import publish_programme
from duijie.core.auth import ANONYMOUS
from duijie.core.models import OutboxMail
from duijie.registration import extends, service
from tests import factories
from tests.registration import factories as rf


def test_the_hook_names_active_places_only(db: Session) -> None:
    assert extends.session_registrants in list(PROGRAMME_AUDIENCE)
    event = factories.event(db)
    cat = rf.category(db, event)
    talk, other = rf.session(db, event, capacity=1), rf.session(db, event, capacity=5)
    account = factories.account(db)
    holder = service.register(db, event, cat, rf.form(), account)
    waiting = service.register(db, event, cat, rf.form(email="wait@example.org", locale="en", name="Wai"))
    gone = service.register(db, event, cat, rf.form())
    elsewhere = service.register(db, event, cat, rf.form())
    for person in (holder, waiting, gone):
        service.register_session(db, actor=ANONYMOUS, registration=person, session=talk)
    service.register_session(db, actor=ANONYMOUS, registration=elsewhere, session=other)
    service.cancel(db, actor=ANONYMOUS, registration=gone)
    assert list(extends.session_registrants(db, [talk.id])) == [
        Listener(session_id=talk.id, account_id=account.id),
        Listener(session_id=talk.id, email="wait@example.org", locale="en", name="Wai"),
    ]


def test_publishing_a_changed_session_mails_its_registrants(db: Session) -> None:
    event = factories.event(db)
    organiser = factories.actor(db, role="organiser", event=event)
    cat = rf.category(db, event)
    talk, other = rf.session(db, event, capacity=10), rf.session(db, event, capacity=10)
    mine = service.register(db, event, cat, rf.form(email="listener@example.org", locale="en"))
    theirs = service.register(db, event, cat, rf.form(email="unaffected@example.org"))
    service.register_session(db, actor=ANONYMOUS, registration=mine, session=talk)
    service.register_session(db, actor=ANONYMOUS, registration=theirs, session=other)
    publish_programme(db, organiser, event)
    assert talk.starts_at is not None and talk.ends_at is not None
    talk.starts_at += dt.timedelta(hours=1)
    talk.ends_at += dt.timedelta(hours=1)
    db.flush()
    publish_programme(db, organiser, event)
    told = set(db.scalars(select(OutboxMail.to).where(OutboxMail.template != "registration_confirmed")))
    assert "listener@example.org" in told and "unaffected@example.org" not in told

"""Builders for the mail tests: accounts that take part in an event's meetings, with an address and a language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from duijie.directory.models import Account, Person
from duijie.events.models import Event
from duijie.meetings.models import MeetingParticipant
from tests import factories
from tests.meetings import factories as mf


def member(
    db: Session, event: Event, *, email: str, locale: str | None = None, name: tuple[str, str] | None = None
) -> tuple[Account, MeetingParticipant]:
    """An active account whose person (with this address) takes part in the event's meetings."""
    account = factories.account(db, locale=locale)
    person = db.get(Person, account.person_id)
    assert person is not None
    person.email = email
    if name:
        person.name_zh, person.name_en = name
    db.flush()
    return account, mf.participant(db, event, person=person)

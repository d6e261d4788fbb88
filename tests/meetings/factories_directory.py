"""Builders for the participant directory's tests: participants who can sign in, investors with stated
preferences, availability, and signing a test client in as one of them.

They write through the ORM to arrange the world (as `tests/factories.py` does); what a test exercises goes
through the directory's service and the web.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.directory.models import Account, Organisation
from duijie.events.models import Event
from duijie.meetings.models import Availability, MeetingParticipant, MeetingSlot
from tests import factories
from tests.conftest import login
from tests.factories import PASSWORD
from tests.meetings import factories as mf


@dataclass
class Member:
    """A participant of an event's meetings whose person has a login."""

    account: Account
    participant: MeetingParticipant
    organisation: Organisation


def investor(db: Session, **values: Any) -> Organisation:
    """An investor with stated preferences: 人工智能 and 集成电路, growth stage, tickets of 0.5–5亿元."""
    fields: dict[str, Any] = {
        "kind": "investor",
        "district": "朝阳区",
        "industries": ["人工智能"],
        "preferences": {
            "industries": ["人工智能", "集成电路"],
            "stages": ["growth"],
            "categories": ["enterprise_financing"],
            "districts": ["海淀区"],
            "ticket_min": "50000000",
            "ticket_max": "500000000",
        },
    }
    fields.update(values)
    return factories.organisation(db, **fields)


def member(
    db: Session, event: Event, *, role: str = "enterprise", organisation: Organisation | None = None, **org: Any
) -> Member:
    """A new organisation (or `organisation`) with an account of `role` whose person takes part in the event."""
    if organisation is None:
        org.setdefault("kind", role if role in ("enterprise", "investor") else "enterprise")
        organisation = factories.organisation(db, **org)
    account = factories.account(db, role=role, organisation=organisation)
    assert account.person is not None
    participant = mf.participant(db, event, person=account.person, organisation=organisation)
    return Member(account, participant, organisation)


def slots(
    db: Session, event: Event, *, session: str, first: dt.datetime, count: int, minutes: int = 30, tables: int = 2
) -> list[MeetingSlot]:
    """`count` back-to-back slots of another session (the tables come from `mf.grid`)."""
    rows = [
        MeetingSlot(
            event_id=event.id,
            starts_at=first + dt.timedelta(minutes=minutes * k),
            ends_at=first + dt.timedelta(minutes=minutes * (k + 1)),
            session=session,
            table_count=tables,
        )
        for k in range(count)
    ]
    db.add_all(rows)
    db.flush()
    return rows


def free_in(db: Session, participant: MeetingParticipant, slots: Iterable[MeetingSlot]) -> None:
    """Mark the participant available in exactly these slots (unmarked: free throughout)."""
    db.add_all([Availability(participant_id=participant.id, slot_id=s.id) for s in slots])
    db.flush()


def sign_in(client: TestClient, db: Session, account: Account) -> None:
    """Commit what the test arranged and sign the client in as `account`."""
    db.commit()
    client.cookies.clear()
    login(client, account.username, PASSWORD)

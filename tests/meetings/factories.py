"""Builders for meeting records: a small slot grid with tables, participants and requests of one event.

They write through the ORM to arrange the world a test starts from (as `tests/factories.py` does); what a test
exercises (answering, scheduling, placing) goes through the services and the web.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event
from duijie.meetings.models import (
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
)
from tests import factories

# 09:00 in Beijing on the factories' event day.
FIRST_SLOT = dt.datetime(2026, 4, 25, 1, 0, tzinfo=dt.UTC)


def grid(
    db: Session, event: Event, *, slots: int = 3, tables: int = 2, minutes: int = 30, session: str = "am"
) -> tuple[list[MeetingSlot], list[MeetingTable]]:
    """`slots` back-to-back slots in one session, each with `tables` tables, and the tables themselves."""
    rows = [
        MeetingSlot(
            event_id=event.id,
            starts_at=FIRST_SLOT + dt.timedelta(minutes=minutes * k),
            ends_at=FIRST_SLOT + dt.timedelta(minutes=minutes * (k + 1)),
            session=session,
            table_count=tables,
        )
        for k in range(slots)
    ]
    desks = [MeetingTable(event_id=event.id, number=n, area=None) for n in range(1, tables + 1)]
    db.add_all([*rows, *desks])
    db.flush()
    return rows, desks


def participant(
    db: Session,
    event: Event,
    *,
    person: Person | None = None,
    organisation: Organisation | None = None,
    max_meetings: int | None = None,
) -> MeetingParticipant:
    """A participant of the event's meetings (a new person of `organisation` unless one is given)."""
    who = person or factories.person(db, organisation_id=organisation.id if organisation else None)
    row = MeetingParticipant(
        event_id=event.id,
        person_id=who.id,
        organisation_id=organisation.id if organisation else who.organisation_id,
        max_meetings=max_meetings,
    )
    db.add(row)
    db.flush()
    return row


def request(
    db: Session,
    event: Event,
    requester: MeetingParticipant,
    recipient: MeetingParticipant,
    *,
    state: str = "requested",
    priority: int = 1,
) -> MeetingRequest:
    """A meeting request already in `state` (answered now when accepted or declined)."""
    row = MeetingRequest(
        event_id=event.id,
        requester_id=requester.id,
        recipient_id=recipient.id,
        state=state,
        priority=priority,
        answered_at=dt.datetime.now(dt.UTC) if state in ("accepted", "declined") else None,
    )
    db.add(row)
    db.flush()
    return row


def organiser(db: Session, event: Event) -> Actor:
    """The acting organiser of this one event (a scoped grant: another event's set-up is refused)."""
    return actor_for_account(factories.account(db, role="organiser", event=event))


def meeting(
    db: Session, event: Event, slot: MeetingSlot, table: MeetingTable, a: MeetingParticipant, b: MeetingParticipant,
    *, state: str = "confirmed",
) -> Meeting:
    """A meeting of `a` and `b` at (slot, table), with their accepted request and both seats."""
    req = request(db, event, a, b, state="accepted")
    row = Meeting(event_id=event.id, request_id=req.id, slot_id=slot.id, table_id=table.id, state=state)
    db.add(row)
    db.flush()
    db.add_all([MeetingSeat(meeting_id=row.id, participant_id=p.id, slot_id=slot.id) for p in (a, b)])
    db.flush()
    return row

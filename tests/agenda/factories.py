"""Builders for the programme's records: rooms (with hours), tracks, sessions, speakers on sessions, speaker
profiles and stars, so a test arranges exactly the programme it is about instead of leaning on the demo.

Like `tests/factories.py` they write through the ORM with sensible defaults (what a test exercises goes through
`duijie.agenda.editing` and the web). Times are given as aware datetimes or as wall-clock times of the event's
zone (`at(event, "2026-04-25 09:00")`); they are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from duijie.agenda.models import (
    AgendaSession,
    Room,
    RoomHours,
    SessionSpeaker,
    SessionStar,
    SpeakerProfile,
    Track,
)
from duijie.directory.models import Account, Person
from duijie.events.models import Event
from tests import factories

_serial = itertools.count(1)


def _n() -> int:
    return next(_serial)


def at(event: Event, text: str) -> dt.datetime:
    """A wall-clock time of the event's zone ("2026-04-25 09:00") as an aware UTC datetime."""
    local = dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(event.timezone or "Asia/Shanghai"))
    return local.astimezone(dt.UTC)


def _utc(event: Event, value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        return at(event, value)
    if value.tzinfo is None:
        raise ValueError("give aware datetimes, or wall-clock text of the event's zone")
    return value.astimezone(dt.UTC)


def room(
    db: Session,
    event: Event,
    *,
    hours: list[tuple[dt.datetime | str, dt.datetime | str]] | None = None,
    **values: Any,
) -> Room:
    """A room of `event` (capacity 200 unless given); `hours` its opening windows (none: always open)."""
    n = _n()
    fields: dict[str, Any] = {"name_zh": f"会议室{n}", "name_en": f"Room {n}", "capacity": 200, "position": n}
    fields.update(values)
    row = Room(event_id=event.id, **fields)
    for start, end in hours or []:
        row.hours.append(RoomHours(starts_at=_utc(event, start), ends_at=_utc(event, end)))
    db.add(row)
    db.flush()
    return row


def track(db: Session, event: Event, **values: Any) -> Track:
    n = _n()
    fields: dict[str, Any] = {"name_zh": f"专题{n}", "name_en": f"Track {n}", "position": n}
    fields.update(values)
    row = Track(event_id=event.id, **fields)
    db.add(row)
    db.flush()
    return row


def session(
    db: Session,
    event: Event,
    *,
    start: dt.datetime | str | None = "2026-04-25 09:00",
    end: dt.datetime | str | None = "2026-04-25 10:00",
    room: Room | None = None,
    track: Track | None = None,
    people: list[Person] | None = None,
    **values: Any,
) -> AgendaSession:
    """A session of `event` from `start` to `end` (wall-clock text of the event's zone, or aware datetimes);
    `people` are put on it as speakers in that order."""
    n = _n()
    fields: dict[str, Any] = {
        "kind": "panel",
        "title_zh": f"测试分论坛{n}",
        "title_en": f"Test session {n}",
        "provenance": "manual",
    }
    fields.update(values)
    row = AgendaSession(
        event_id=event.id,
        starts_at=_utc(event, start) if start is not None else None,
        ends_at=_utc(event, end) if end is not None else None,
        room_id=room.id if room else None,
        track_id=track.id if track else None,
        **fields,
    )
    for position, who in enumerate(people or []):
        row.speakers.append(SessionSpeaker(person_id=who.id, role="speaker", position=position))
    db.add(row)
    db.flush()
    return row


def speaker(
    db: Session, session: AgendaSession, person: Person | None = None, *, role: str = "speaker",
    position: int | None = None,
) -> SessionSpeaker:
    """Puts `person` (a new one if not given) on `session` with `role`, last unless `position` is given."""
    who = person or factories.person(db)
    row = SessionSpeaker(
        session_id=session.id, person_id=who.id, role=role,
        position=position if position is not None else len(session.speakers),
    )
    db.add(row)
    db.flush()
    db.refresh(session, ["speakers"])
    return row


def profile(
    db: Session,
    event: Event,
    person: Person,
    *,
    available: list[tuple[dt.datetime | str, dt.datetime | str]] | None = None,
    **values: Any,
) -> SpeakerProfile:
    """The speaker profile of `person` at `event`; `available` their windows (None: always available)."""
    fields: dict[str, Any] = {"title_zh": "首席科学家", "title_en": "Chief Scientist"}
    fields.update(values)
    windows = None
    if available is not None:
        windows = [[_utc(event, a).isoformat(), _utc(event, b).isoformat()] for a, b in available]
    row = SpeakerProfile(event_id=event.id, person_id=person.id, available=windows, **fields)
    db.add(row)
    db.flush()
    return row


def star(db: Session, account: Account, session: AgendaSession) -> SessionStar:
    row = SessionStar(account_id=account.id, session_id=session.id)
    db.add(row)
    db.flush()
    return row


def forum(db: Session, **values: Any) -> Event:
    """A published event in Asia/Shanghai on 2026-04-25..26, to hold a programme."""
    fields: dict[str, Any] = {"is_published": True, "timezone": "Asia/Shanghai"}
    fields.update(values)
    return factories.event(db, **fields)

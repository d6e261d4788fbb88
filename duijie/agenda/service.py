"""Reading an event's programme and checking it for conflicts: the one place the API, the command line and the
organisers' pages draw sessions, rooms, tracks and speakers from, and the bridge between the stored programme
and the pure conflict checker (`duijie.agenda.conflicts`).

Times are stored in UTC and read in the event's zone (`event_zone`); `to_utc` turns what a form, a file or the
API gives (an ISO time with an offset, or a wall-clock time of the event's zone) into the stored UTC time.

Conflicts: `checker_input` builds the checker's rooms (capacity, opening hours), people (stated availability
from their speaker profile) and sessions (those placed in time and not cancelled) from the database;
`event_conflicts` is the organiser's report, each conflict with its severity and a sentence naming both
sessions in the request's language. Severities per rule are an event setting (`SEVERITY`) merged over the
checker's defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda import conflicts
from duijie.agenda.conflicts import DEFAULT_SEVERITY, Conflict, Id, Rule, Severity
from duijie.agenda.models import AgendaSession, Room, SessionSpeaker, SpeakerProfile, Track
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.directory.models import Person
from duijie.events.models import DEFAULT_TIMEZONE, Event
from duijie.events.settings import setting

# {"rule": "refuse" | "warn" | "off"}; a rule left out keeps the checker's default.
SEVERITY = setting("agenda.conflict_severity", dict, {})

SESSION_KINDS: tuple[str, ...] = (
    "plenary", "parallel_forum", "keynote", "panel", "release", "roadshow", "signing", "contest_final",
)
MODES: tuple[str, ...] = ("offline", "online", "hybrid")
LANGUAGES: tuple[str, ...] = ("zh", "en", "zh+en")
ROLES: tuple[str, ...] = ("speaker", "moderator", "host")


# ------------------------------------------------------------------------------------------------------ time


def event_zone(event: Event) -> ZoneInfo:
    """The event's zone (Asia/Shanghai when unset or unknown, never an error on a page)."""
    try:
        return ZoneInfo(event.timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def to_utc(value: object, event: Event) -> dt.datetime:
    """A time as given (an aware datetime, an ISO 8601 text with or without offset) in UTC; a time without an
    offset is a wall-clock time of the event's zone. Raises ValueError for text that is not a time."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        moment = dt.datetime.fromisoformat(value.strip())
    else:
        raise ValueError(repr(value))
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=event_zone(event))
    return moment.astimezone(dt.UTC)


def local(value: dt.datetime | None, event: Event) -> dt.datetime | None:
    """A stored UTC time in the event's zone."""
    return value.astimezone(event_zone(event)) if value is not None else None


# ---------------------------------------------------------------------------------------------------- reads


def get_session(db: Session, event: Event, session_id: int) -> AgendaSession:
    """The session of this event with this id, or a translated 404 (a session of another event is not found)."""
    row = db.scalar(
        select(AgendaSession)
        .where(AgendaSession.id == session_id, AgendaSession.event_id == event.id)
        .options(selectinload(AgendaSession.speakers), selectinload(AgendaSession.room),
                 selectinload(AgendaSession.track))
    )
    if row is None:
        raise NotFound(_("There is no session %(id)s in this programme.") % {"id": session_id}, field="session")
    return row


def get_room(db: Session, event: Event, room_id: int) -> Room:
    row = db.scalar(select(Room).where(Room.id == room_id, Room.event_id == event.id))
    if row is None:
        raise NotFound(_("There is no room %(id)s in this programme.") % {"id": room_id}, field="room")
    return row


def get_track(db: Session, event: Event, track_id: int) -> Track:
    row = db.scalar(select(Track).where(Track.id == track_id, Track.event_id == event.id))
    if row is None:
        raise NotFound(_("There is no track %(id)s in this programme.") % {"id": track_id}, field="track")
    return row


def get_profile(db: Session, event: Event, person_id: int) -> SpeakerProfile | None:
    return db.scalar(
        select(SpeakerProfile).where(SpeakerProfile.event_id == event.id, SpeakerProfile.person_id == person_id)
    )


def rooms(db: Session, event: Event) -> list[Room]:
    return list(db.scalars(
        select(Room).where(Room.event_id == event.id).options(selectinload(Room.hours))
        .order_by(Room.position, Room.id)
    ))


def tracks(db: Session, event: Event) -> list[Track]:
    return list(db.scalars(select(Track).where(Track.event_id == event.id).order_by(Track.position, Track.id)))


@dataclass(frozen=True)
class SessionFilter:
    """The filters of the session list (as on the programme page): `day` is a date in the event's zone, `q`
    text in either title, `speaker` a person id; `cancelled` includes cancelled sessions."""

    day: dt.date | None = None
    track: int | None = None
    kind: str | None = None
    language: str | None = None
    industry: str | None = None
    room: int | None = None
    q: str | None = None
    speaker: int | None = None
    cancelled: bool = True
    # The zone `day` is a day of: the reader's on the public timetable, the event's own when None.
    zone: ZoneInfo | None = None


def _filtered(event: Event, f: SessionFilter) -> Select[Any]:
    stmt = select(AgendaSession).where(AgendaSession.event_id == event.id)
    if f.day is not None:
        zone = f.zone or event_zone(event)
        start = dt.datetime.combine(f.day, dt.time(), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(f.day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
        stmt = stmt.where(AgendaSession.starts_at >= start, AgendaSession.starts_at < end)
    if f.track is not None:
        stmt = stmt.where(AgendaSession.track_id == f.track)
    if f.kind:
        stmt = stmt.where(AgendaSession.kind == f.kind)
    if f.language:
        # A bilingual session serves readers of either language.
        stmt = stmt.where(AgendaSession.language.in_({f.language, "zh+en"} if f.language != "zh+en" else {"zh+en"}))
    if f.industry:
        stmt = stmt.where(AgendaSession.industry == f.industry)
    if f.room is not None:
        stmt = stmt.where(AgendaSession.room_id == f.room)
    if f.q and f.q.strip():
        pattern = "%" + f.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # Titles and descriptions in both languages: a reader looks for a topic, not only a session's name.
        stmt = stmt.where(or_(*(
            func.lower(func.coalesce(column, "")).like(pattern, escape="\\")
            for column in (AgendaSession.title_zh, AgendaSession.title_en,
                           AgendaSession.description_zh, AgendaSession.description_en)
        )))
    if f.speaker is not None:
        stmt = stmt.where(AgendaSession.id.in_(
            select(SessionSpeaker.session_id).where(SessionSpeaker.person_id == f.speaker)
        ))
    if not f.cancelled:
        stmt = stmt.where(AgendaSession.cancelled_at.is_(None))
    return stmt


def list_sessions(
    db: Session, event: Event, filters: SessionFilter | None = None, *, limit: int | None = None, offset: int = 0
) -> tuple[int, list[AgendaSession]]:
    """(total matching, one page of sessions) by start time (unscheduled last), then id."""
    stmt = _filtered(event, filters or SessionFilter())
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    ordered = stmt.order_by(AgendaSession.starts_at.is_(None), AgendaSession.starts_at, AgendaSession.id)
    ordered = ordered.options(selectinload(AgendaSession.speakers), selectinload(AgendaSession.room),
                              selectinload(AgendaSession.track)).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    return total, list(db.scalars(ordered))


def people_of(db: Session, person_ids: Iterable[int]) -> dict[int, Person]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = db.scalars(select(Person).where(Person.id.in_(ids)).options(selectinload(Person.organisation)))
    return {p.id: p for p in rows}


def profiles_of(db: Session, event: Event, person_ids: Iterable[int]) -> dict[int, SpeakerProfile]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = db.scalars(
        select(SpeakerProfile).where(SpeakerProfile.event_id == event.id, SpeakerProfile.person_id.in_(ids))
    )
    return {p.person_id: p for p in rows}


def list_speakers(
    db: Session, event: Event, *, limit: int | None = None, offset: int = 0, include_cancelled: bool = False
) -> tuple[int, list[tuple[Person, list[AgendaSession]]]]:
    """(total, page of (person, their sessions by time)) for everyone on a session of the event, by name."""
    on = and_(SessionSpeaker.session_id == AgendaSession.id, AgendaSession.event_id == event.id)
    if not include_cancelled:
        on = and_(on, AgendaSession.cancelled_at.is_(None))
    ids_stmt = select(SessionSpeaker.person_id).join(AgendaSession, on).distinct()
    total = db.scalar(select(func.count()).select_from(ids_stmt.subquery())) or 0
    page_stmt = (
        select(Person).where(Person.id.in_(ids_stmt)).order_by(Person.name_zh, Person.id)
        .options(selectinload(Person.organisation)).offset(offset)
    )
    if limit is not None:
        page_stmt = page_stmt.limit(limit)
    persons = list(db.scalars(page_stmt))
    by_person: dict[int, list[AgendaSession]] = {p.id: [] for p in persons}
    if persons:
        stmt = (
            select(SessionSpeaker.person_id, AgendaSession).join(AgendaSession, on)
            .where(SessionSpeaker.person_id.in_(list(by_person)))
            .order_by(AgendaSession.starts_at, AgendaSession.id)
        )
        for person_id, row in db.execute(stmt):
            by_person[person_id].append(row)
    return total, [(p, by_person[p.id]) for p in persons]


# ------------------------------------------------------------------------------------------------ conflicts


def severity(db: Session, event: Event) -> dict[Rule, Severity]:
    """The event's severity of every rule: its setting over the checker's defaults (a stored value that no
    longer reads, from an older version, falls back to the defaults rather than breaking every write)."""
    stored = SEVERITY.get(db, event_id=event.id)
    try:
        chosen = conflicts.parse_severity(stored)
    except DomainError:
        chosen = {}
    return {**DEFAULT_SEVERITY, **chosen}


def _windows(raw: object) -> tuple[tuple[dt.datetime, dt.datetime], ...] | None:
    """A profile's stored availability ([[startISO, endISO], ...]) as windows; None or [] means always."""
    if not isinstance(raw, list) or not raw:
        return None
    out = []
    for pair in raw:
        try:
            a, b = (dt.datetime.fromisoformat(str(x)) for x in pair)
        except (TypeError, ValueError):
            continue
        a = a if a.tzinfo else a.replace(tzinfo=dt.UTC)
        b = b if b.tzinfo else b.replace(tzinfo=dt.UTC)
        out.append((a, b))
    return tuple(out) if out else None


@dataclass
class CheckerInput:
    """The checker's input for one event, with the names its sentences use."""

    rooms: list[conflicts.Room]
    people: list[conflicts.Person]
    sessions: list[conflicts.ScheduledSession]
    titles: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    room_names: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    person_names: dict[int, tuple[str, str | None]] = field(default_factory=dict)


def checker_input(db: Session, event: Event) -> CheckerInput:
    """The event's rooms, people and sessions (placed in time, not cancelled) as the checker reads them."""
    room_rows = rooms(db, event)
    session_rows = list(db.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id, AgendaSession.cancelled_at.is_(None),
               AgendaSession.starts_at.is_not(None), AgendaSession.ends_at.is_not(None))
        .options(selectinload(AgendaSession.speakers)).order_by(AgendaSession.starts_at, AgendaSession.id)
    ))
    person_ids = {s.person_id for row in session_rows for s in row.speakers}
    profiles = profiles_of(db, event, person_ids)
    names = {pid: (p.name_zh, p.name_en) for pid, p in people_of(db, person_ids).items()}
    return CheckerInput(
        rooms=[
            conflicts.Room(r.id, r.capacity, tuple((h.starts_at, h.ends_at) for h in r.hours) or None)
            for r in room_rows
        ],
        people=[conflicts.Person(pid, _windows(profiles[pid].available) if pid in profiles else None)
                for pid in sorted(person_ids)],
        sessions=[
            conflicts.ScheduledSession(
                row.id, row.starts_at, row.ends_at, row.room_id,  # type: ignore[arg-type]
                tuple(s.person_id for s in row.speakers), row.expected,
            )
            for row in session_rows if row.ends_at > row.starts_at  # type: ignore[operator]
        ],
        titles={row.id: (row.title_zh, row.title_en) for row in session_rows},
        room_names={r.id: (r.name_zh, r.name_en) for r in room_rows},
        person_names=names,
    )


@dataclass(frozen=True)
class ConflictReport:
    """A conflict of the stored programme as the organiser reads it: its rule and severity, the sessions
    (ids), whom or what it is about, and a sentence naming them in the request's language."""

    rule: Rule
    severity: Severity
    sessions: tuple[int, ...]
    person: int | None
    room: int | None
    message: str
    conflict: Conflict


def _namer(names: Mapping[int, tuple[str, str | None]], fallback: str) -> Callable[[Id], str]:
    def name(ident: Id) -> str:
        pair = names.get(ident)  # type: ignore[call-overload]
        return bilingual(*pair) if pair else fallback % {"id": ident}
    return name


def sentence(data: CheckerInput, conflict: Conflict) -> str:
    """`conflicts.describe` with the programme's titles and names in the request's language."""
    return conflicts.describe(
        conflict,
        _namer(data.titles, _("session %(id)s")),
        _namer(data.person_names, _("person %(id)s")),
        _namer(data.room_names, _("room %(id)s")),
    )


def reports(db: Session, event: Event, data: CheckerInput, found: Sequence[Conflict]) -> list[ConflictReport]:
    chosen = severity(db, event)
    return [
        ConflictReport(
            rule=c.rule, severity=chosen[c.rule], sessions=tuple(int(s) for s in c.sessions),  # type: ignore[call-overload]
            person=c.person, room=c.room, message=sentence(data, c), conflict=c,  # type: ignore[arg-type]
        )
        for c in found
        if chosen[c.rule] is not Severity.OFF
    ]


def event_conflicts(db: Session, event: Event) -> list[ConflictReport]:
    """Every current conflict of the event's programme whose rule is not switched off (the organiser's
    conflict report), refusals and warnings alike, in the checker's order."""
    data = checker_input(db, event)
    return reports(db, event, data, conflicts.check(data.rooms, data.people, data.sessions))

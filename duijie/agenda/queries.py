"""The programme's reads for the public pages: the sessions of a day or a filtered page, the people on them, the
speakers of an event, an account's stars. Every read is scoped to one event (or, for the personal agenda, to
the events the reader may see) and loads what a page shows in a fixed number of statements.

The labels of the programme's coded values (type, mode, language, role) live here too: the pages, the
calendar files and the filters all name them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda import service
from duijie.agenda.models import AgendaSession, Room, SessionSpeaker, SessionStar, SpeakerProfile, Track
from duijie.agenda.timezones import Choice
from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.i18n import mark as _l
from duijie.directory.models import Person
from duijie.directory.reference import INDUSTRY_EN
from duijie.events.models import Event
from duijie.events.service import visible_event_ids

KINDS: dict[str, str] = {
    "plenary": _l("Plenary"),
    "parallel_forum": _l("Parallel forum"),
    "keynote": _l("Keynote"),
    "panel": _l("Panel"),
    "release": _l("Release"),
    "roadshow": _l("Roadshow"),
    "signing": _l("Signing ceremony"),
    "contest_final": _l("Contest final"),
}
MODES: dict[str, str] = {"offline": _l("On site"), "online": _l("Online"), "hybrid": _l("On site and online")}
LANGUAGES: dict[str, str] = {"zh": _l("Chinese"), "en": _l("English"), "zh+en": _l("Chinese and English")}
ROLES: dict[str, str] = {"speaker": _l("Speaker"), "moderator": _l("Moderator"), "host": _l("Host")}
PAGE_SIZE = 20


def label(table: Mapping[str, str], value: str | None) -> str:
    """The reader's word for a coded value; an unknown code is shown as it is."""
    if not value:
        return ""
    return _(table[value]) if value in table else value


def industry_label(code: str | None) -> str:
    if not code:
        return ""
    return code if is_zh() else INDUSTRY_EN.get(code, code)


def rooms(db: Session, event: Event) -> list[Room]:
    return list(db.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.id)))


def tracks(db: Session, event: Event) -> list[Track]:
    return list(db.scalars(select(Track).where(Track.event_id == event.id).order_by(Track.position, Track.id)))


def industries(db: Session, event: Event) -> list[str]:
    """The industries the event's sessions are about (what the filter offers)."""
    stmt = (
        select(AgendaSession.industry)
        .where(AgendaSession.event_id == event.id, AgendaSession.industry.is_not(None))
        .distinct()
    )
    return sorted(x for x in db.scalars(stmt) if x)


def _loaded() -> list[object]:
    return [
        selectinload(AgendaSession.room),
        selectinload(AgendaSession.track),
        selectinload(AgendaSession.speakers),
    ]


def sessions_between(db: Session, event: Event, start: dt.datetime, end: dt.datetime) -> list[AgendaSession]:
    """The event's sessions starting in [start, end), by time and room."""
    stmt = (
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id, AgendaSession.starts_at >= start, AgendaSession.starts_at < end)
        .options(*_loaded())  # type: ignore[arg-type]
        .order_by(AgendaSession.starts_at, AgendaSession.room_id, AgendaSession.id)
    )
    return list(db.scalars(stmt))


def session_days(db: Session, event: Event, choice: Choice) -> list[dt.date]:
    """The reader's days on which the event's sessions start."""
    starts = db.scalars(
        select(AgendaSession.starts_at).where(AgendaSession.event_id == event.id, AgendaSession.starts_at.is_not(None))
    )
    return sorted({choice.day(s) for s in starts if s is not None})


def unscheduled(db: Session, event: Event) -> list[AgendaSession]:
    """Sessions announced without a time yet."""
    stmt = (
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id, AgendaSession.starts_at.is_(None))
        .options(*_loaded())  # type: ignore[arg-type]
        .order_by(AgendaSession.id)
    )
    return list(db.scalars(stmt))


def day_bounds(choice: Choice, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The reader's day as a UTC interval [midnight, next midnight) (23 or 25 hours on a DST change)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=choice.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=choice.tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def get_session(db: Session, event: Event, session_id: int) -> AgendaSession | None:
    """The event's session with this id (None for another event's)."""
    stmt = (
        select(AgendaSession)
        .where(AgendaSession.id == session_id, AgendaSession.event_id == event.id)
        .options(*_loaded())  # type: ignore[arg-type]
    )
    return db.scalar(stmt)


# -- people ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Speaker:
    """A person as the programme shows them: directory record, the event's profile (may be None)."""

    person: Person
    profile: SpeakerProfile | None

    @property
    def name_zh(self) -> str:
        return self.person.name_zh

    @property
    def name_en(self) -> str | None:
        return self.person.name_en

    @property
    def title_zh(self) -> str | None:
        return (self.profile.title_zh if self.profile else None) or self.person.title

    @property
    def title_en(self) -> str | None:
        return self.profile.title_en if self.profile else None

    @property
    def bio_zh(self) -> str | None:
        return (self.profile.bio_zh if self.profile else None) or self.person.bio

    @property
    def bio_en(self) -> str | None:
        return self.profile.bio_en if self.profile else None

    @property
    def photo(self) -> str | None:
        """A photo's address only if it is one a page may show (a path on this site or https)."""
        value = self.profile.photo if self.profile else None
        if value and (value.startswith("https://") or (value.startswith("/") and not value.startswith("//"))):
            return value
        return None

    @property
    def initials(self) -> str:
        """What the photo placeholder shows: the family name's character, or the English initials."""
        if is_zh() or not self.person.name_en:
            return self.person.name_zh[:1]
        return "".join(part[:1] for part in self.person.name_en.split()[:2]).upper()

    @property
    def org_zh(self) -> str | None:
        return self.person.organisation.name_zh if self.person.organisation else None

    @property
    def org_en(self) -> str | None:
        return self.person.organisation.name_en if self.person.organisation else None


def speakers_by_id(db: Session, event: Event, person_ids: Iterable[int]) -> dict[int, Speaker]:
    """The people with these ids with their profile at this event (two statements, whatever the count)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    people = db.scalars(select(Person).where(Person.id.in_(ids)).options(selectinload(Person.organisation)))
    profiles = {
        p.person_id: p
        for p in db.scalars(
            select(SpeakerProfile).where(SpeakerProfile.event_id == event.id, SpeakerProfile.person_id.in_(ids))
        )
    }
    return {p.id: Speaker(p, profiles.get(p.id)) for p in people}


@dataclass(frozen=True)
class OnSession:
    """A person's place on a session."""

    speaker: Speaker
    role: str


def people_on(sessions: Iterable[AgendaSession], found: Mapping[int, Speaker]) -> dict[int, list[OnSession]]:
    """Session id → the people on it in their order."""
    return {
        s.id: [OnSession(found[x.person_id], x.role) for x in s.speakers if x.person_id in found] for s in sessions
    }


def speaker_ids(sessions: Iterable[AgendaSession]) -> set[int]:
    return {x.person_id for s in sessions for x in s.speakers}


def event_speakers(db: Session, event: Event) -> list[Speaker]:
    """Everyone on a session of the event that is not cancelled, by name (pinyin order is the reader's habit in
    Chinese; the stored Chinese name sorts well enough for a list, English pages sort by English name)."""
    ids = db.scalars(
        select(SessionSpeaker.person_id)
        .join(AgendaSession, AgendaSession.id == SessionSpeaker.session_id)
        .where(AgendaSession.event_id == event.id, AgendaSession.cancelled_at.is_(None))
        .distinct()
    )
    found = list(speakers_by_id(db, event, ids).values())
    if is_zh():
        return sorted(found, key=lambda s: (s.name_zh, s.person.id))
    return sorted(found, key=lambda s: ((s.name_en or s.name_zh).casefold(), s.person.id))


def sessions_of_person(db: Session, event: Event, person_id: int) -> list[AgendaSession]:
    """The event's sessions the person is on, by time."""
    stmt = (
        select(AgendaSession)
        .join(SessionSpeaker, SessionSpeaker.session_id == AgendaSession.id)
        .where(AgendaSession.event_id == event.id, SessionSpeaker.person_id == person_id)
        .options(*_loaded())  # type: ignore[arg-type]
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    return list(db.scalars(stmt))


# -- the filtered list ----------------------------------------------------------------------------------------


@dataclass
class Filters:
    """The list's filters as the reader gave them (`values`, shown back in the form) and as understood."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    track_id: int | None = None
    industry: str | None = None
    language: str | None = None
    kind: str | None = None
    day: dt.date | None = None
    room_id: int | None = None
    text: str | None = None
    page: int = 1


FILTER_NAMES = ("topic", "industry", "language", "type", "day", "room", "q")


def parse_filters(
    params: Mapping[str, str],
    *,
    room_ids: set[int],
    track_ids: set[int],
    industry_codes: set[str],
) -> Filters:
    """Reads the list's query: each value that names nothing of this event gets a message for its field, in the
    page's language, and is not applied."""
    f = Filters(values={name: str(params.get(name, "")).strip()[:200] for name in FILTER_NAMES})
    v = f.values

    def pick_id(name: str, known: set[int], message: str) -> int | None:
        if not v[name]:
            return None
        if v[name].isdigit() and len(v[name]) < 12 and int(v[name]) in known:
            return int(v[name])
        f.errors[name] = message
        return None

    f.track_id = pick_id("topic", track_ids, _("No such topic at this event; choose one from the list."))
    f.room_id = pick_id("room", room_ids, _("No such room at this event; choose one from the list."))
    if v["industry"]:
        if v["industry"] in industry_codes:
            f.industry = v["industry"]
        else:
            f.errors["industry"] = _("No session of this event is about “%(value)s”.") % {"value": v["industry"]}
    if v["language"]:
        if v["language"] in LANGUAGES:
            f.language = v["language"]
        else:
            f.errors["language"] = _("Choose Chinese, English or both.")
    if v["type"]:
        if v["type"] in KINDS:
            f.kind = v["type"]
        else:
            f.errors["type"] = _("No such session type; choose one from the list.")
    if v["day"]:
        try:
            f.day = dt.date.fromisoformat(v["day"])
        except ValueError:
            f.errors["day"] = _("Write the day as 2026-04-25.")
    f.text = v["q"] or None
    page = str(params.get("page", "1")).strip()
    f.page = int(page) if page.isdigit() and 0 < len(page) < 7 and int(page) > 0 else 1
    return f


def filtered_sessions(db: Session, event: Event, f: Filters, choice: Choice) -> tuple[list[AgendaSession], int]:
    """One page of the event's sessions matching the filters, by time, and how many match in all: the same
    filter as the API's and the organiser's lists (`service.list_sessions`), days taken in the reader's zone."""
    wanted = service.SessionFilter(
        day=f.day, track=f.track_id, kind=f.kind, language=f.language, industry=f.industry, room=f.room_id,
        q=f.text, zone=choice.tz,
    )  # fmt: skip
    total, rows = service.list_sessions(db, event, wanted, limit=PAGE_SIZE, offset=(f.page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if f.page > pages:  # a page past the end shows the last one
        f.page = pages
        total, rows = service.list_sessions(db, event, wanted, limit=PAGE_SIZE, offset=(pages - 1) * PAGE_SIZE)
    return rows, total


# -- stars ----------------------------------------------------------------------------------------------------


def starred_ids(db: Session, account_id: int | None, session_ids: Iterable[int]) -> set[int]:
    """Which of these sessions the account starred."""
    ids = sorted(set(session_ids))
    if account_id is None or not ids:
        return set()
    stmt = select(SessionStar.session_id).where(
        SessionStar.account_id == account_id, SessionStar.session_id.in_(ids)
    )
    return set(db.scalars(stmt))


def starred_sessions(db: Session, account_id: int, actor: Actor | None) -> list[AgendaSession]:
    """The sessions the account starred, of every event the reader may see, by time."""
    stmt = (
        select(AgendaSession)
        .join(SessionStar, SessionStar.session_id == AgendaSession.id)
        .where(SessionStar.account_id == account_id, AgendaSession.event_id.in_(visible_event_ids(actor)))
        .options(*_loaded())  # type: ignore[arg-type]
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    return list(db.scalars(stmt))


# -- the timetable grid ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A session placed on the grid: its room's column and the rows between its start and end lines."""

    session: AgendaSession
    column: int
    row_start: int
    row_end: int


@dataclass(frozen=True)
class Block:
    """The sessions starting at one time: a heading in the time column (a section of the list on a phone)."""

    starts_at: dt.datetime
    row: int
    row_end: int  # the next block's row: the time heading fills the time column down to it
    cells: list[Cell]


@dataclass(frozen=True)
class Timetable:
    """One day's grid: a column per room used that day (plus one for sessions without a room), a row between
    each two consecutive start or end times (so short and long sessions both stay readable), and the blocks
    in time order, which is also the order a phone lists them in."""

    columns: list[Room | None]
    rows: int
    blocks: list[Block]


def timetable(sessions: list[AgendaSession], rooms: list[Room]) -> Timetable:
    """Places the day's timed sessions; columns follow the rooms' order, grid line 1 is the header row."""
    timed = [s for s in sessions if s.starts_at is not None and s.ends_at is not None]
    used = {s.room_id for s in timed}
    columns: list[Room | None] = [r for r in rooms if r.id in used]
    if None in used:
        columns.append(None)
    column_of = {(c.id if c is not None else None): i + 2 for i, c in enumerate(columns)}
    lines = sorted({s.starts_at for s in timed if s.starts_at} | {s.ends_at for s in timed if s.ends_at})
    line_of = {moment: i + 2 for i, moment in enumerate(lines)}
    blocks: dict[dt.datetime, list[Cell]] = {}
    for s in timed:
        assert s.starts_at is not None and s.ends_at is not None
        end = max(line_of[s.ends_at], line_of[s.starts_at] + 1)
        blocks.setdefault(s.starts_at, []).append(Cell(s, column_of[s.room_id], line_of[s.starts_at], end))
    starts = sorted(blocks)
    last = max((c.row_end for cells in blocks.values() for c in cells), default=2)
    ordered = [
        Block(
            moment,
            line_of[moment],
            line_of[starts[i + 1]] if i + 1 < len(starts) else last,
            sorted(blocks[moment], key=lambda c: (c.column, c.session.id)),
        )
        for i, moment in enumerate(starts)
    ]
    return Timetable(columns=columns, rows=max(len(lines), 1), blocks=ordered)

"""Editing an event's programme: rooms (with opening hours), tracks, sessions, the people on a session and
their speaker profiles. The organisers' pages, the API and the command line all call these, so a rule is
written once and refuses in the same words everywhere.

Input arrives as text (a form, a command's options, a file) or as typed values (the API's models); each
`clean_*` turns either into column values and collects EVERY problem with the field it concerns, in the
request's language, raised together in one `DomainError`. Times are ISO 8601 with an offset, or wall-clock
times of the event's zone; they are stored in UTC.

Conflicts on every write: a write that could change the schedule runs inside a SAVEPOINT, then the conflict
checker runs on the event's whole programme. A conflict of a rule the event set to `refuse` that involves what
was written and did not exist before the write refuses it (the savepoint is rolled back, nothing is left half
written) with a sentence naming both sessions; `warn` conflicts (and refusals that were already there, so an
organiser can still fix a title of a session in an old clash) come back in `Outcome.warnings`. Conflicts
elsewhere in the programme never block a write.

Every write is audited (`core.audit`: entity types room, track, agenda_session, session_speaker,
speaker_profile); a change a reader of the programme sees (time, room, title, people, cancellation) bumps the
session's `sequence` and `updated_at`, so calendar feeds follow it under the same UID. Only organisers of the
event may write (`events.permissions.can_manage_event`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda import conflicts
from duijie.agenda.cleaning import Cleaner, blank, invalid
from duijie.agenda.conflicts import Conflict, Rule, Severity
from duijie.agenda.models import (
    AgendaSession,
    ProgrammeRelease,
    Room,
    RoomHours,
    SessionSpeaker,
    SpeakerProfile,
    Track,
)
from duijie.agenda.service import (
    LANGUAGES,
    MODES,
    ROLES,
    SESSION_KINDS,
    SEVERITY,
    ConflictReport,
    checker_input,
    event_zone,
    reports,
    severity,
)
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, ErrorDetail, PermissionDenied
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.core.validation import TEXT_MAX, text_problem
from duijie.directory.models import Person
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event

T = TypeVar("T")

# What a reader of the programme sees of a session: a change to one of these bumps its `sequence`.
VISIBLE: frozenset[str] = frozenset({"starts_at", "ends_at", "room_id", "title_zh", "title_en", "cancelled_at"})

SESSION_FIELDS: tuple[str, ...] = (
    "kind", "title_zh", "title_en", "description_zh", "description_en", "starts_at", "ends_at", "room_id",
    "track_id", "mode", "stream_url", "language", "industry", "expected", "capacity",
)
ROOM_FIELDS: tuple[str, ...] = ("name_zh", "name_en", "capacity", "interpretation", "floor_zh", "floor_en", "position")
TRACK_FIELDS: tuple[str, ...] = ("name_zh", "name_en", "position")
PROFILE_FIELDS: tuple[str, ...] = ("title_zh", "title_en", "bio_zh", "bio_en", "photo")


@dataclass
class Outcome(Generic[T]):
    """What a write made, and the conflicts it leaves that the event only warns about (sentences in the
    request's language), for the page or the API to show."""

    value: T
    warnings: list[str] = field(default_factory=list)
    conflicts: list[ConflictReport] = field(default_factory=list)


class ScheduleConflict(DomainError):
    """The write would put the programme in a conflict the event refuses; `conflicts` are the reports."""

    def __init__(self, found: list[ConflictReport], details: list[ErrorDetail]) -> None:
        super().__init__("；".join(d.message for d in details), field=details[0].field, details=details)
        self.conflicts = found


# ------------------------------------------------------------------------------------------------ helpers


def require_organiser(actor: Actor, event: Event) -> None:
    """Only the event's organisers (or the city-wide one) edit its programme."""
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the organisers of this event may change its programme."))


def _unique_name(db: Session, model: type[Room] | type[Track], event: Event, name: str | None,
                 own_id: int | None, cleaner: Cleaner) -> None:
    if not name:
        return
    other = db.scalar(select(model.id).where(model.event_id == event.id, model.name_zh == name))
    if other is not None and other != own_id:
        cleaner.problem("name_zh", _("“%(name)s” is already used in this programme.") % {"name": name})


# ------------------------------------------------------------------------------------------ conflict guard


_FIELD_OF_RULE: Mapping[Rule, str] = {
    Rule.PERSON_OVERLAP: "starts_at",
    Rule.ROOM_OVERLAP: "starts_at",
    Rule.ROOM_CLOSED: "starts_at",
    Rule.OVER_CAPACITY: "expected",
    Rule.PERSON_UNAVAILABLE: "starts_at",
}


def _guarded(
    db: Session,
    event: Event,
    write: Callable[[], T],
    involves: Callable[[T, Conflict], bool],
    *,
    current: T | None = None,
    field_of: Callable[[Rule], str] = _FIELD_OF_RULE.__getitem__,
) -> Outcome[T]:
    """Runs `write` in a savepoint and refuses it (rolling back) if it brings a new conflict that involves
    what it wrote and that the event refuses; returns the warnings it leaves."""
    before: set[Conflict] = set()
    if current is not None:
        data = checker_input(db, event)
        before = {c for c in conflicts.check(data.rooms, data.people, data.sessions) if involves(current, c)}
    with db.begin_nested():
        value = write()
        db.flush()
        data = checker_input(db, event)
        found = [c for c in conflicts.check(data.rooms, data.people, data.sessions) if involves(value, c)]
        shown = reports(db, event, data, found)
        refused = [r for r in shown if r.severity is Severity.REFUSE and r.conflict not in before]
        if refused:
            raise ScheduleConflict(refused, [ErrorDetail(
                _("Refused: %(conflict)s.") % {"conflict": r.message}, field=field_of(r.rule)) for r in refused])
    return Outcome(value, [r.message for r in shown], shown)


def _session_involved(session: AgendaSession, conflict: Conflict) -> bool:
    return session.id in conflict.sessions


# ------------------------------------------------------------------------------------------------- rooms


def clean_room(db: Session, event: Event, raw: Mapping[str, object], *, room: Room | None = None,
               prefix: str = "") -> tuple[dict[str, Any], list[tuple[dt.datetime, dt.datetime]] | None, list[ErrorDetail]]:
    """A room's column values, its opening hours (None: unchanged) and the problems."""
    c = Cleaner(raw, event, prefix=prefix)
    creating = room is None
    c.text("name_zh", 120, required=True, creating=creating)
    c.text("name_en", 120)
    c.integer("capacity", minimum=1)
    c.boolean("interpretation")
    c.text("floor_zh", 120)
    c.text("floor_en", 120)
    c.integer("position", minimum=0)
    hours = c.windows("hours")
    _unique_name(db, Room, event, c.values.get("name_zh"), room.id if room else None, c)
    return c.values, hours, c.errors


def _room_involved(room: Room, conflict: Conflict) -> bool:
    return conflict.room == room.id


def _hours_of(room: Room) -> list[list[str]]:
    return [[h.starts_at.isoformat(), h.ends_at.isoformat()] for h in room.hours]


def create_room(db: Session, *, actor: Actor, event: Event, data: Mapping[str, object]) -> Room:
    """A new room of the event (a room has no session yet, so no conflict). Side effects: the room and its
    hours; an audit entry "create". The caller commits."""
    require_organiser(actor, event)
    values, hours, errors = clean_room(db, event, data)
    if errors:
        raise invalid(errors)
    room = Room(event_id=event.id, **values)
    for start, end in hours or []:
        room.hours.append(RoomHours(starts_at=start, ends_at=end))
    db.add(room)
    db.flush()
    after = {**{k: getattr(room, k) for k in ROOM_FIELDS}, "hours": _hours_of(room)}
    audit.record(db, actor=actor, entity_type="room", entity_id=room.id, action="create", after=after,
                 event_id=event.id)
    return room


def update_room(db: Session, *, actor: Actor, event: Event, room: Room, data: Mapping[str, object]) -> Outcome[Room]:
    """The room with the given fields (and hours, when given) changed. A smaller capacity or shorter hours are
    checked against the sessions in the room. Side effects: the changed columns and hours; an audit entry
    "update"; the sequence of every session in the room bumps when its name changes (readers see it)."""
    require_organiser(actor, event)
    values, hours, errors = clean_room(db, event, data, room=room)
    if errors:
        raise invalid(errors)

    def write() -> Room:
        before_hours = _hours_of(room)
        before, after = audit.diff(room, values)
        for key, value in after.items():
            setattr(room, key, value)
        if hours is not None:
            room.hours.clear()
            db.flush()
            for start, end in hours:
                room.hours.append(RoomHours(starts_at=start, ends_at=end))
            db.flush()
            if _hours_of(room) != before_hours:
                before["hours"], after["hours"] = before_hours, _hours_of(room)
        if after:
            db.flush()
            audit.record(db, actor=actor, entity_type="room", entity_id=room.id, action="update", before=before,
                         after=after, event_id=event.id)
        if {"name_zh", "name_en"} & set(after):
            for session in db.scalars(select(AgendaSession).where(AgendaSession.room_id == room.id)):
                _bump(session)
        return room

    fields = {Rule.ROOM_CLOSED: "hours", Rule.OVER_CAPACITY: "capacity"}
    return _guarded(db, event, write, _room_involved, current=room,
                    field_of=lambda rule: fields.get(rule, "hours"))


def delete_room(db: Session, *, actor: Actor, event: Event, room: Room) -> None:
    """Remove a room no session uses (a session keeps its room: move or delete those sessions first)."""
    require_organiser(actor, event)
    used = list(db.scalars(select(AgendaSession).where(AgendaSession.room_id == room.id,
                                                       AgendaSession.cancelled_at.is_(None)).limit(5)))
    if used:
        names = "、".join(f"「{bilingual(s.title_zh, s.title_en)}」" for s in used)
        raise DomainError(_("The room holds sessions (%(names)s); move them to another room first.")
                          % {"names": names}, field="room")
    before = {**{k: getattr(room, k) for k in ROOM_FIELDS}, "hours": _hours_of(room)}
    room_id = room.id
    db.delete(room)
    db.flush()
    audit.record(db, actor=actor, entity_type="room", entity_id=room_id, action="delete", before=before,
                 event_id=event.id)


# ------------------------------------------------------------------------------------------------ tracks


def clean_track(db: Session, event: Event, raw: Mapping[str, object], *, track: Track | None = None,
                prefix: str = "") -> tuple[dict[str, Any], list[ErrorDetail]]:
    c = Cleaner(raw, event, prefix=prefix)
    c.text("name_zh", 120, required=True, creating=track is None)
    c.text("name_en", 120)
    c.integer("position", minimum=0)
    _unique_name(db, Track, event, c.values.get("name_zh"), track.id if track else None, c)
    return c.values, c.errors


def create_track(db: Session, *, actor: Actor, event: Event, data: Mapping[str, object]) -> Track:
    """A new track. Side effects: the row; an audit entry "create"."""
    require_organiser(actor, event)
    values, errors = clean_track(db, event, data)
    if errors:
        raise invalid(errors)
    track = Track(event_id=event.id, **values)
    db.add(track)
    db.flush()
    audit.record(db, actor=actor, entity_type="track", entity_id=track.id, action="create",
                 after={k: getattr(track, k) for k in TRACK_FIELDS}, event_id=event.id)
    return track


def update_track(db: Session, *, actor: Actor, event: Event, track: Track, data: Mapping[str, object]) -> Track:
    """The track with the given fields changed. Side effects: the columns; an audit entry "update"."""
    require_organiser(actor, event)
    values, errors = clean_track(db, event, data, track=track)
    if errors:
        raise invalid(errors)
    audit.apply(db, actor=actor, obj=track, changes=values, entity_type="track", action="update", event_id=event.id)
    return track


def delete_track(db: Session, *, actor: Actor, event: Event, track: Track) -> None:
    """Remove a track; its sessions stay, without a track. Side effects: an audit entry "delete"."""
    require_organiser(actor, event)
    before = {k: getattr(track, k) for k in TRACK_FIELDS}
    track_id = track.id
    for session in db.scalars(select(AgendaSession).where(AgendaSession.track_id == track_id)):
        session.track_id = None
    db.delete(track)
    db.flush()
    audit.record(db, actor=actor, entity_type="track", entity_id=track_id, action="delete", before=before,
                 event_id=event.id)


# ---------------------------------------------------------------------------------------------- sessions


def clean_session(db: Session, event: Event, raw: Mapping[str, object], *, session: AgendaSession | None = None,
                  prefix: str = "") -> tuple[dict[str, Any], list[ErrorDetail]]:
    """A session's column values (times in UTC) and every problem, the rules across fields included (an end
    after the start, within the event's days, a room and track of this event, a link for an online session)."""
    creating = session is None
    c = Cleaner(raw, event, prefix=prefix)
    c.choice("kind", SESSION_KINDS, default="parallel_forum", creating=creating)
    c.text("title_zh", 200, required=True, creating=creating)
    c.text("title_en", 200)
    c.text("description_zh", TEXT_MAX, multiline=True)
    c.text("description_en", TEXT_MAX, multiline=True)
    for name in ("starts_at", "ends_at"):
        if name in raw:
            c.values[name] = None if blank(raw[name]) else c.time(name)
    c.integer("room_id", minimum=1)
    c.integer("track_id", minimum=1)
    c.choice("mode", MODES, default="offline", creating=creating)
    c.text("stream_url", 500)
    c.choice("language", LANGUAGES, default="zh", creating=creating)
    c.text("industry", 40)
    c.integer("expected", minimum=0)
    c.integer("capacity", minimum=0)
    if c.errors and any(e.field in (prefix + "starts_at", prefix + "ends_at") for e in c.errors):
        return c.values, c.errors
    v = c.values

    def now(name: str) -> Any:
        return v[name] if name in v else (getattr(session, name) if session is not None else None)

    start, end = now("starts_at"), now("ends_at")
    if (start is None) != (end is None):
        c.problem("ends_at" if end is None else "starts_at",
                  _("Give both the start and the end, or neither (a session not yet placed in time)."))
    elif start is not None and end is not None:
        zone = event_zone(event)
        if end <= start:
            c.problem("ends_at", _("The session must end after it starts (%(start)s).") % {
                "start": start.astimezone(zone).strftime("%Y-%m-%d %H:%M")})
        elif {"starts_at", "ends_at"} & set(v):
            first, last = start.astimezone(zone).date(), (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
            if first < event.starts_on or last > event.ends_on:
                c.problem("starts_at" if first < event.starts_on or first > event.ends_on else "ends_at",
                          _("The event runs from %(start)s to %(end)s (%(zone)s); the session must lie within those "
                            "days.") % {"start": event.starts_on.isoformat(), "end": event.ends_on.isoformat(),
                                        "zone": zone.key})
    if v.get("room_id") is not None and db.scalar(
        select(Room.id).where(Room.id == v["room_id"], Room.event_id == event.id)
    ) is None:
        c.problem("room_id", _("There is no room %(id)s in this programme.") % {"id": v["room_id"]})
    if v.get("track_id") is not None and db.scalar(
        select(Track.id).where(Track.id == v["track_id"], Track.event_id == event.id)
    ) is None:
        c.problem("track_id", _("There is no track %(id)s in this programme.") % {"id": v["track_id"]})
    url = now("stream_url")
    if "stream_url" in v and url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            c.problem("stream_url", _("Give the stream's web address, starting with https://."))
    if now("mode") == "online" and not url and {"mode", "stream_url"} & set(v):
        c.problem("stream_url", _("An online session needs the address of its stream."))
    return v, c.errors


def _bump(session: AgendaSession) -> None:
    """A change a reader sees: calendar feeds announce it under the same UID with a higher SEQUENCE."""
    session.sequence = (session.sequence or 0) + 1
    session.updated_at = utcnow()


def session_state(session: AgendaSession) -> dict[str, Any]:
    """The session's columns and people as the history keeps them."""
    state = {name: getattr(session, name) for name in SESSION_FIELDS}
    state["cancelled_at"] = session.cancelled_at
    state["speakers"] = [[s.person_id, s.role] for s in session.speakers]
    return state


def clean_speakers(db: Session, raw: object, *, prefix: str = "speakers") -> tuple[list[tuple[int, str]], list[ErrorDetail]]:
    """[{"person_id", "role"}, ...] (or person ids) as (person id, role), in order, each person once."""
    errors: list[ErrorDetail] = []
    out: list[tuple[int, str]] = []
    if raw is None:
        return out, errors
    if not isinstance(raw, list | tuple):
        return out, [ErrorDetail(_("Expected a list of people."), field=prefix)]
    for n, item in enumerate(raw):
        where = f"{prefix}[{n}]"
        entry: Mapping[str, object] = item if isinstance(item, Mapping) else {"person_id": item}
        person_id = entry.get("person_id")
        role = str(entry.get("role") or "speaker")
        if not isinstance(person_id, int) or isinstance(person_id, bool) or db.get(Person, person_id) is None:
            errors.append(ErrorDetail(_("There is no person %(id)s.") % {"id": str(person_id)[:40]},
                                      field=f"{where}.person_id"))
            continue
        if role not in ROLES:
            errors.append(ErrorDetail(_("%(value)s is not one of: %(allowed)s.") % {
                "value": role[:40], "allowed": ", ".join(ROLES)}, field=f"{where}.role"))
            continue
        if any(p == person_id for p, _r in out):
            errors.append(ErrorDetail(_("This person is already on the session."), field=f"{where}.person_id"))
            continue
        out.append((person_id, role))
    return out, errors


def create_session(db: Session, *, actor: Actor, event: Event, data: Mapping[str, object]) -> Outcome[AgendaSession]:
    """A new session, with its people when `speakers` is given ([{"person_id", "role"}]).

    Side effects: the session and its speakers; an audit entry "create". Refused with every problem at once,
    or with the conflicts it would bring (see the module docstring). The caller commits."""
    require_organiser(actor, event)
    values, errors = clean_session(db, event, data)
    people, people_errors = clean_speakers(db, data.get("speakers"))
    if errors or people_errors:
        raise invalid(errors + people_errors)

    def write() -> AgendaSession:
        session = AgendaSession(event_id=event.id, provenance="manual", **values)
        for position, (person_id, role) in enumerate(people):
            session.speakers.append(SessionSpeaker(person_id=person_id, role=role, position=position))
        db.add(session)
        db.flush()
        audit.record(db, actor=actor, entity_type="agenda_session", entity_id=session.id, action="create",
                     after=session_state(session), event_id=event.id)
        return session

    return _guarded(db, event, write, _session_involved)


def update_session(db: Session, *, actor: Actor, event: Event, session: AgendaSession,
                   data: Mapping[str, object]) -> Outcome[AgendaSession]:
    """The session with the given fields changed; `speakers` replaces its people; `cancelled` (true/false)
    cancels it or brings it back.

    Side effects: the changed columns and people; an audit entry "update" (none when nothing changed); the
    sequence bumps when a reader sees the change. Refused as `create_session` is."""
    require_organiser(actor, event)
    values, errors = clean_session(db, event, data, session=session)
    people: list[tuple[int, str]] | None = None
    if "speakers" in data:
        people, people_errors = clean_speakers(db, data.get("speakers"))
        errors += people_errors
    if "cancelled" in data:
        c = Cleaner(data, event)
        c.boolean("cancelled")
        errors += c.errors
        if not c.errors:
            cancel = c.values["cancelled"]
            if cancel and session.cancelled_at is None:
                values["cancelled_at"] = utcnow()
            elif not cancel and session.cancelled_at is not None:
                values["cancelled_at"] = None
    if errors:
        raise invalid(errors)

    def write() -> AgendaSession:
        before_people = [[s.person_id, s.role] for s in session.speakers]
        before, after = audit.diff(session, values)
        for key, value in after.items():
            setattr(session, key, value)
        if people is not None and [list(p) for p in people] != before_people:
            _replace_speakers(db, session, people)
            before["speakers"], after["speakers"] = before_people, [list(p) for p in people]
        if after:
            if VISIBLE & set(after) or "speakers" in after:
                _bump(session)
            db.flush()
            audit.record(db, actor=actor, entity_type="agenda_session", entity_id=session.id,
                         action="cancel" if after.get("cancelled_at") else "update", before=before, after=after,
                         event_id=event.id)
        return session

    return _guarded(db, event, write, _session_involved, current=session)


def _replace_speakers(db: Session, session: AgendaSession, people: list[tuple[int, str]]) -> None:
    keep = {s.person_id: s for s in session.speakers}
    wanted = {person_id for person_id, _role in people}
    for row in list(session.speakers):
        if row.person_id not in wanted:
            session.speakers.remove(row)
    db.flush()
    for position, (person_id, role) in enumerate(people):
        kept = keep.get(person_id)
        if kept is None:
            session.speakers.append(SessionSpeaker(person_id=person_id, role=role, position=position))
        else:
            kept.role, kept.position = role, position
    db.flush()
    db.refresh(session, ["speakers"])


def was_published(db: Session, event: Event, session: AgendaSession) -> bool:
    """Whether readers may have seen the session: its event is public, or a release of the programme held it."""
    if event.is_published:
        return True
    key = str(session.id)
    return any(key in (snapshot or {}) for snapshot in db.scalars(
        select(ProgrammeRelease.snapshot).where(ProgrammeRelease.event_id == event.id)))


def delete_session(db: Session, *, actor: Actor, event: Event, session: AgendaSession) -> str:
    """Remove a session readers never saw; one they may have seen is cancelled instead (`cancelled_at`), so the
    next publication and the calendar feeds announce it. Returns "cancelled" or "deleted".

    Side effects: an audit entry "cancel" (with a bumped sequence) or "delete" keeping the session's last state."""
    require_organiser(actor, event)
    if was_published(db, event, session):
        if session.cancelled_at is None:
            before = {"cancelled_at": None}
            session.cancelled_at = utcnow()
            _bump(session)
            db.flush()
            audit.record(db, actor=actor, entity_type="agenda_session", entity_id=session.id, action="cancel",
                         before=before, after={"cancelled_at": session.cancelled_at}, event_id=event.id)
        return "cancelled"
    before = session_state(session)
    session_id = session.id
    db.delete(session)
    db.flush()
    audit.record(db, actor=actor, entity_type="agenda_session", entity_id=session_id, action="delete",
                 before=before, event_id=event.id)
    return "deleted"


# ------------------------------------------------------------------------------------ people on a session


def _speaker_fields(rule: Rule) -> str:
    return "person_id"


def add_speaker(db: Session, *, actor: Actor, event: Event, session: AgendaSession,
                data: Mapping[str, object]) -> Outcome[SessionSpeaker]:
    """Puts a person on the session (`person_id`, `role` speaker|moderator|host, `position`: last when not
    given). Refused if they are already on it, or if it puts them in two sessions at once (as the event's
    severity says). Side effects: the row; an audit entry "create"; the session's sequence bumps."""
    require_organiser(actor, event)
    c = Cleaner(data, event)
    c.integer("person_id", minimum=1, required=True, creating=True)
    c.choice("role", ROLES, default="speaker", creating=True)
    c.integer("position", minimum=0)
    person_id = c.values.get("person_id")
    if person_id is not None:
        if db.get(Person, person_id) is None:
            c.problem("person_id", _("There is no person %(id)s.") % {"id": person_id})
        elif any(s.person_id == person_id for s in session.speakers):
            c.problem("person_id", _("This person is already on the session."))
    if c.errors:
        raise invalid(c.errors)
    position = c.values.get("position")

    def write() -> SessionSpeaker:
        row = SessionSpeaker(session_id=session.id, person_id=person_id, role=c.values["role"],
                             position=position if position is not None else len(session.speakers))
        db.add(row)
        _bump(session)
        db.flush()
        db.refresh(session, ["speakers"])
        audit.record(db, actor=actor, entity_type="session_speaker", entity_id=row.id, action="create",
                     after={"session_id": session.id, "person_id": person_id, "role": row.role,
                            "position": row.position}, event_id=event.id)
        return row

    return _guarded(db, event, write, lambda row, conflict: session.id in conflict.sessions
                    and conflict.person in (None, row.person_id), field_of=_speaker_fields)


def get_speaker(db: Session, session: AgendaSession, person_id: int) -> SessionSpeaker:
    for row in session.speakers:
        if row.person_id == person_id:
            return row
    raise DomainError(_("This person is not on the session."), field="person_id")


def update_speaker(db: Session, *, actor: Actor, event: Event, speaker: SessionSpeaker,
                   data: Mapping[str, object]) -> SessionSpeaker:
    """Change the role or the order of a person on a session. Side effects: an audit entry "update"; the
    session's sequence bumps (readers see who moderates)."""
    require_organiser(actor, event)
    c = Cleaner(data, event)
    c.choice("role", ROLES)
    c.integer("position", minimum=0)
    if c.errors:
        raise invalid(c.errors)
    _before, after = audit.apply(db, actor=actor, obj=speaker, changes=c.values, entity_type="session_speaker",
                                 action="update", event_id=event.id)
    if after:
        _bump(speaker.session)
        db.flush()
        db.refresh(speaker.session, ["speakers"])
    return speaker


def remove_speaker(db: Session, *, actor: Actor, event: Event, speaker: SessionSpeaker) -> None:
    """Take a person off a session. Side effects: an audit entry "delete"; the session's sequence bumps."""
    require_organiser(actor, event)
    session = speaker.session
    before = {"session_id": session.id, "person_id": speaker.person_id, "role": speaker.role}
    speaker_id = speaker.id
    session.speakers.remove(speaker)
    _bump(session)
    db.flush()
    audit.record(db, actor=actor, entity_type="session_speaker", entity_id=speaker_id, action="delete",
                 before=before, event_id=event.id)


# -------------------------------------------------------------------------------------- speaker profiles


def clean_profile(event: Event, raw: Mapping[str, object], *, prefix: str = "") -> tuple[dict[str, Any], list[ErrorDetail]]:
    c = Cleaner(raw, event, prefix=prefix)
    c.text("title_zh", 200)
    c.text("title_en", 200)
    c.text("bio_zh", TEXT_MAX, multiline=True)
    c.text("bio_en", TEXT_MAX, multiline=True)
    c.text("photo", 300)
    photo = c.values.get("photo")
    if photo:
        parts = urlsplit(photo)
        remote = parts.scheme in ("http", "https") and bool(parts.netloc)
        on_site = not parts.scheme and not parts.netloc and ".." not in parts.path.split("/")
        if not (remote or on_site):
            c.problem("photo", _("Give the photo's path on this site (/media/...) or its https:// address."))
    windows = c.windows("available")
    if windows is not None:
        c.values["available"] = [[a.isoformat(), b.isoformat()] for a, b in windows] or None
    return c.values, c.errors


def _name_en(data: Mapping[str, object], errors: list[ErrorDetail]) -> str | None:
    """The person's English name if the data gives one ("" clears it), else None (left as it is)."""
    if "name_en" not in data or data["name_en"] is None:
        return None
    text = " ".join(str(data["name_en"]).split())
    if len(text) > 120:
        errors.append(ErrorDetail(_("The text is too long: %(n)s characters, at most %(max)s.")
                                  % {"n": len(text), "max": 120}, field="name_en"))
    elif trouble := text_problem(text, multiline=False):
        errors.append(ErrorDetail(trouble, field="name_en"))
    return text


def save_profile(db: Session, *, actor: Actor, event: Event, person_id: int,
                 data: Mapping[str, object]) -> Outcome[SpeakerProfile]:
    """Create or change the speaker profile of a person at the event (bilingual title and bio, photo,
    availability windows: none means always), and their English name when `data` gives `name_en`. Narrower
    availability is checked against their sessions.

    Side effects: the profile; the person's English name; an audit entry "create" or "update" for each."""
    require_organiser(actor, event)
    values, errors = clean_profile(event, data)
    person = db.get(Person, person_id)
    if person is None:
        errors.insert(0, ErrorDetail(_("There is no person %(id)s.") % {"id": person_id}, field="person_id"))
    name_en = _name_en(data, errors)
    if errors:
        raise invalid(errors)
    assert person is not None
    if name_en is not None and name_en != (person.name_en or ""):
        # The English name is the person's, shown wherever they appear; an organiser sets it for the people of
        # their own programme (a speaker or moderator of the event, or one with a profile there).
        on_programme = db.scalar(
            select(SessionSpeaker.id).join(AgendaSession, AgendaSession.id == SessionSpeaker.session_id)
            .where(AgendaSession.event_id == event.id, SessionSpeaker.person_id == person_id).limit(1)
        ) or db.scalar(select(SpeakerProfile.id).where(SpeakerProfile.event_id == event.id,
                                                       SpeakerProfile.person_id == person_id))
        if not on_programme:
            raise invalid([ErrorDetail(_("Only the name of a person on this event's programme can be changed here."),
                                       field="name_en")])
        audit.apply(db, actor=actor, obj=person, changes={"name_en": name_en or None}, entity_type="person",
                    action="update", event_id=event.id)
    current = db.scalar(select(SpeakerProfile).where(SpeakerProfile.event_id == event.id,
                                                     SpeakerProfile.person_id == person_id))

    def write() -> SpeakerProfile:
        if current is None:
            profile = SpeakerProfile(event_id=event.id, person_id=person_id, **values)
            db.add(profile)
            db.flush()
            audit.record(db, actor=actor, entity_type="speaker_profile", entity_id=profile.id, action="create",
                         after={k: getattr(profile, k) for k in (*PROFILE_FIELDS, "available")}, event_id=event.id)
            return profile
        audit.apply(db, actor=actor, obj=current, changes=values, entity_type="speaker_profile", action="update",
                    event_id=event.id)
        return current

    return _guarded(db, event, write, lambda p, conflict: conflict.person == person_id
                    and conflict.rule is Rule.PERSON_UNAVAILABLE, current=current, field_of=lambda _r: "available")


def delete_profile(db: Session, *, actor: Actor, event: Event, profile: SpeakerProfile) -> None:
    """Remove a speaker profile (the person stays on their sessions, always available)."""
    require_organiser(actor, event)
    before = {k: getattr(profile, k) for k in (*PROFILE_FIELDS, "available", "person_id")}
    profile_id = profile.id
    db.delete(profile)
    db.flush()
    audit.record(db, actor=actor, entity_type="speaker_profile", entity_id=profile_id, action="delete",
                 before=before, event_id=event.id)


# ------------------------------------------------------------------------------------------- severities


def set_severity(db: Session, *, actor: Actor, event: Event, data: Mapping[str, object]) -> dict[Rule, Severity]:
    """Store the event's severity of the rules given ({"person_overlap": "refuse" | "warn" | "off", ...}; a rule
    left out keeps the checker's default). Side effects: the setting; an audit entry "conflict_severity"."""
    require_organiser(actor, event)
    chosen = conflicts.parse_severity(data)
    before = SEVERITY.get(db, event_id=event.id)
    value = {rule.value: level.value for rule, level in chosen.items()}
    if value != before:
        SEVERITY.put(db, event_id=event.id, value=value)
        audit.record(db, actor=actor, entity_type="event", entity_id=event.id, action="conflict_severity",
                     before=before, after=value, event_id=event.id)
    return severity(db, event)

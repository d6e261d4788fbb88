"""`/api/v1/events/{slug}/...`: an event's programme as JSON.

Public on purpose for a published event (what the programme pages show): the sessions (paginated with
`limit`/`offset` and `total`, the page's filters), one session, the speakers with their sessions, the rooms and
the tracks. A draft event is the same 404 as a slug that names nothing, except for its organisers
(`event_from_slug`).

The organisers' writes: sessions, rooms, tracks, the people on a session and speaker profiles (POST, PATCH,
DELETE; a profile is PUT whole), the conflict report, the translation completeness report, publication (the
changes and how many were told) and the conflict severities. Refusals are 422 with every field at fault in
`ErrorBody`; a conflict the event refuses names both sessions; warned conflicts come back in `warnings`.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from duijie.agenda import editing, publishing, service
from duijie.agenda.completeness import completeness
from duijie.agenda.models import AgendaSession
from duijie.agenda.schemas import (
    CompletenessRead,
    ConflictRead,
    DeletedRead,
    ProfileRead,
    ProfileWrite,
    PublicationRead,
    RoomCreate,
    RoomRead,
    RoomWritten,
    SessionCreate,
    SessionPage,
    SessionRead,
    SessionUpdate,
    SessionWritten,
    SpeakerCreate,
    SpeakerPage,
    SpeakerRead,
    SpeakerUpdate,
    SpeakerWritten,
    TrackCreate,
    TrackRead,
)
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.schemas import ErrorBody
from duijie.core.web import allow, get_db
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event

router = APIRouter(
    prefix="/api/v1/events/{slug}",
    tags=["programme"],
    responses={404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)

organiser = allow(can_manage_event, on=event_from_slug)


def _sessions_read(db: Session, event: Event, rows: list[AgendaSession]) -> list[SessionRead]:
    ids = {s.person_id for row in rows for s in row.speakers}
    people, profiles = service.people_of(db, ids), service.profiles_of(db, event, ids)
    return [SessionRead.of(row, event, people, profiles) for row in rows]


def _written(db: Session, event: Event, outcome: editing.Outcome[AgendaSession]) -> SessionWritten:
    session = service.get_session(db, event, outcome.value.id)
    shown = _sessions_read(db, event, [session])[0]
    return SessionWritten(**shown.model_dump(), warnings=outcome.warnings)


# ------------------------------------------------------------------------------------------- public reads


@router.get("/sessions", response_model=SessionPage)
def list_sessions(
    day: dt.date | None = Query(None, description="A day in the event's zone, YYYY-MM-DD."),
    track: int | None = None,
    kind: str | None = None,
    language: str | None = Query(None, description="zh or en (bilingual sessions match both), or zh+en."),
    industry: str | None = None,
    room: int | None = None,
    q: str | None = Query(None, max_length=100, description="Text in either title."),
    speaker: int | None = Query(None, description="A person id: the sessions they are on."),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
) -> SessionPage:
    """The programme's sessions by start time, cancelled ones marked `cancelled`; `total` counts all matches."""
    filters = service.SessionFilter(day=day, track=track, kind=kind, language=language, industry=industry,
                                    room=room, q=q, speaker=speaker)
    total, rows = service.list_sessions(db, event, filters, limit=limit, offset=offset)
    return SessionPage(items=_sessions_read(db, event, rows), total=total, limit=limit, offset=offset)


@router.get("/sessions/{session_id}", response_model=SessionRead)
def get_session(session_id: int, event: Event = Depends(event_from_slug), db: Session = Depends(get_db)) -> SessionRead:
    """One session with its room, track and people."""
    return _sessions_read(db, event, [service.get_session(db, event, session_id)])[0]


@router.get("/speakers", response_model=SpeakerPage)
def list_speakers(
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
) -> SpeakerPage:
    """Everyone on a session that is not cancelled, by name, each with their profile and sessions."""
    total, rows = service.list_speakers(db, event, limit=limit, offset=offset)
    profiles = service.profiles_of(db, event, [p.id for p, _s in rows])
    items = [SpeakerRead.of(person, sessions, profiles.get(person.id), event) for person, sessions in rows]
    return SpeakerPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/rooms", response_model=list[RoomRead])
def list_rooms(event: Event = Depends(event_from_slug), db: Session = Depends(get_db)) -> list[RoomRead]:
    """The rooms with their capacity, interpretation and opening hours (in the event's zone)."""
    return [RoomRead.of(room, event) for room in service.rooms(db, event)]


@router.get("/tracks", response_model=list[TrackRead])
def list_tracks(event: Event = Depends(event_from_slug), db: Session = Depends(get_db)) -> list[TrackRead]:
    """The programme's tracks (topics)."""
    return [TrackRead.of(track) for track in service.tracks(db, event)]


# ------------------------------------------------------------------------------------------ organiser writes


@router.post("/sessions", response_model=SessionWritten, status_code=201)
def create_session(body: SessionCreate, event: Event = Depends(event_from_slug),
                   actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> SessionWritten:
    """A new session (with its people in `speakers`); refused naming every field at fault, or the conflict."""
    data = body.model_dump(exclude_unset=True)
    return _written(db, event, editing.create_session(db, actor=actor, event=event, data=data))


@router.patch("/sessions/{session_id}", response_model=SessionWritten)
def update_session(session_id: int, body: SessionUpdate, event: Event = Depends(event_from_slug),
                   actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> SessionWritten:
    """Change the fields given; `speakers` replaces the people, `cancelled` cancels or restores."""
    session = service.get_session(db, event, session_id)
    data = body.model_dump(exclude_unset=True)
    return _written(db, event, editing.update_session(db, actor=actor, event=event, session=session, data=data))


@router.delete("/sessions/{session_id}", response_model=DeletedRead)
def delete_session(session_id: int, event: Event = Depends(event_from_slug),
                   actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> DeletedRead:
    """Delete a session readers never saw; one they may have seen is cancelled (and announced)."""
    session = service.get_session(db, event, session_id)
    return DeletedRead(outcome=editing.delete_session(db, actor=actor, event=event, session=session))


@router.post("/sessions/{session_id}/speakers", response_model=SpeakerWritten, status_code=201)
def add_speaker(session_id: int, body: SpeakerCreate, event: Event = Depends(event_from_slug),
                actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> SpeakerWritten:
    """Put a person on the session as speaker, moderator or host."""
    session = service.get_session(db, event, session_id)
    out = editing.add_speaker(db, actor=actor, event=event, session=session, data=body.model_dump(exclude_unset=True))
    row = out.value
    return SpeakerWritten(session_id=session.id, person_id=row.person_id, role=row.role, position=row.position,
                          warnings=out.warnings)


@router.patch("/sessions/{session_id}/speakers/{person_id}", response_model=SpeakerWritten)
def update_speaker(session_id: int, person_id: int, body: SpeakerUpdate, event: Event = Depends(event_from_slug),
                   actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> SpeakerWritten:
    """Change a person's role or order on the session."""
    session = service.get_session(db, event, session_id)
    row = editing.get_speaker(db, session, person_id)
    editing.update_speaker(db, actor=actor, event=event, speaker=row, data=body.model_dump(exclude_unset=True))
    return SpeakerWritten(session_id=session.id, person_id=row.person_id, role=row.role, position=row.position)


@router.delete("/sessions/{session_id}/speakers/{person_id}", response_model=DeletedRead)
def remove_speaker(session_id: int, person_id: int, event: Event = Depends(event_from_slug),
                   actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> DeletedRead:
    """Take a person off the session."""
    session = service.get_session(db, event, session_id)
    editing.remove_speaker(db, actor=actor, event=event, speaker=editing.get_speaker(db, session, person_id))
    return DeletedRead(outcome="deleted")


@router.put("/speakers/{person_id}/profile", response_model=ProfileRead)
def save_profile(person_id: int, body: ProfileWrite, event: Event = Depends(event_from_slug),
                 actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> ProfileRead:
    """Create or change a person's speaker profile (bilingual title and bio, photo, availability windows)."""
    out = editing.save_profile(db, actor=actor, event=event, person_id=person_id,
                               data=body.model_dump(exclude_unset=True))
    return ProfileRead.of(out.value, event, out.warnings)


@router.delete("/speakers/{person_id}/profile", response_model=DeletedRead)
def delete_profile(person_id: int, event: Event = Depends(event_from_slug),
                   actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> DeletedRead:
    """Remove a person's speaker profile."""
    profile = service.get_profile(db, event, person_id)
    if profile is None:
        raise NotFound(_("This person has no speaker profile at this event."), field="person_id")
    editing.delete_profile(db, actor=actor, event=event, profile=profile)
    return DeletedRead(outcome="deleted")


@router.post("/rooms", response_model=RoomRead, status_code=201)
def create_room(body: RoomCreate, event: Event = Depends(event_from_slug),
                actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> RoomRead:
    """A new room with its capacity, interpretation and opening hours."""
    return RoomRead.of(editing.create_room(db, actor=actor, event=event, data=body.model_dump(exclude_unset=True)),
                       event)


@router.patch("/rooms/{room_id}", response_model=RoomWritten)
def update_room(room_id: int, body: RoomCreate, event: Event = Depends(event_from_slug),
                actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> RoomWritten:
    """Change the fields given (`hours` replaces the opening hours); checked against the room's sessions."""
    room = service.get_room(db, event, room_id)
    out = editing.update_room(db, actor=actor, event=event, room=room, data=body.model_dump(exclude_unset=True))
    db.refresh(out.value, ["hours"])
    return RoomWritten(**RoomRead.of(out.value, event).model_dump(), warnings=out.warnings)


@router.delete("/rooms/{room_id}", response_model=DeletedRead)
def delete_room(room_id: int, event: Event = Depends(event_from_slug),
                actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> DeletedRead:
    """Remove a room no session uses."""
    editing.delete_room(db, actor=actor, event=event, room=service.get_room(db, event, room_id))
    return DeletedRead(outcome="deleted")


@router.post("/tracks", response_model=TrackRead, status_code=201)
def create_track(body: TrackCreate, event: Event = Depends(event_from_slug),
                 actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> TrackRead:
    """A new track."""
    return TrackRead.of(editing.create_track(db, actor=actor, event=event, data=body.model_dump(exclude_unset=True)))


@router.patch("/tracks/{track_id}", response_model=TrackRead)
def update_track(track_id: int, body: TrackCreate, event: Event = Depends(event_from_slug),
                 actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> TrackRead:
    """Change the fields given."""
    track = service.get_track(db, event, track_id)
    return TrackRead.of(editing.update_track(db, actor=actor, event=event, track=track,
                                             data=body.model_dump(exclude_unset=True)))


@router.delete("/tracks/{track_id}", response_model=DeletedRead)
def delete_track(track_id: int, event: Event = Depends(event_from_slug),
                 actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> DeletedRead:
    """Remove a track; its sessions stay, without a track."""
    editing.delete_track(db, actor=actor, event=event, track=service.get_track(db, event, track_id))
    return DeletedRead(outcome="deleted")


# ------------------------------------------------------------------------------------- organiser reports


@router.get("/programme/conflicts", response_model=list[ConflictRead])
def conflicts(event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
              db: Session = Depends(get_db)) -> list[ConflictRead]:
    """Every current conflict of the programme (rules not switched off), with its severity and a sentence."""
    return [ConflictRead.of(r) for r in service.event_conflicts(db, event)]


@router.get("/programme/completeness", response_model=CompletenessRead)
def completeness_report(event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                        db: Session = Depends(get_db)) -> CompletenessRead:
    """Every public text of the programme that lacks its English, with where it is, and the counts."""
    return CompletenessRead.model_validate(completeness(db, event).as_dict())


@router.post("/programme/publish", response_model=PublicationRead)
def publish(event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
            db: Session = Depends(get_db)) -> PublicationRead:
    """Publish the programme: the changes since the previous release, and how many people were told."""
    return PublicationRead.model_validate(publishing.publish_programme(db, actor, event).as_dict())


@router.get("/programme/severity", response_model=dict[str, str])
def get_severity(event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                 db: Session = Depends(get_db)) -> dict[str, str]:
    """The severity of every conflict rule at this event (refuse, warn or off)."""
    return {rule.value: level.value for rule, level in service.severity(db, event).items()}


@router.put("/programme/severity", response_model=dict[str, str])
def put_severity(body: dict[str, str], event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                 db: Session = Depends(get_db)) -> dict[str, str]:
    """Set the severity of the rules given ({"over_capacity": "refuse", ...}); the others keep the default."""
    if not isinstance(body, dict):
        raise DomainError(_("Expected an object of rule → severity."), field="severity")
    chosen = editing.set_severity(db, actor=actor, event=event, data=body)
    return {rule.value: level.value for rule, level in chosen.items()}

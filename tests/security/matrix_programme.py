"""Permission-matrix entries for the organiser's programme pages (collected into `matrix.ENTRIES`): every page
and write under /events/{slug}/programme/manage is the event organiser's (the city-wide organiser and A's own;
B's organiser is refused), the list of programmes any organiser's, and a refused write changes nothing (the
probe reads A's sessions with their people, rooms with their hours, tracks, profiles, settings and releases)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.models import (
    AgendaSession,
    ProgrammeRelease,
    Room,
    RoomHours,
    SessionSpeaker,
    SpeakerProfile,
    Track,
)
from duijie.events.models import EventSetting
from tests.security.matrix import EVENT_ORGANISERS, ORGANISERS, Entry, empty, only
from tests.security.world import World

ORG = only(*EVENT_ORGANISERS)
BASE = "/events/{slug}/programme/manage"
AT_SESSION = {"session_id": "programme_session"}
AT_ROOM = {"room_id": "programme_room"}
AT_TRACK = {"track_id": "programme_track"}
AT_PERSON = {"person_id": "programme_person"}
AT_SESSION_PERSON = {"session_id": "programme_session", "person_id": "programme_person"}


def programme_state(db: Session, w: World) -> Any:
    """Everything a programme write of A (or, through A's pages, of B) would change."""
    sessions = db.execute(
        select(AgendaSession.id, AgendaSession.event_id, AgendaSession.title_zh, AgendaSession.starts_at,
               AgendaSession.ends_at, AgendaSession.room_id, AgendaSession.track_id, AgendaSession.cancelled_at,
               AgendaSession.sequence)
        .order_by(AgendaSession.id)
    ).all()
    people = db.execute(
        select(SessionSpeaker.session_id, SessionSpeaker.person_id, SessionSpeaker.role, SessionSpeaker.position)
        .order_by(SessionSpeaker.id)
    ).all()
    rooms = db.execute(select(Room.id, Room.name_zh, Room.capacity, Room.interpretation).order_by(Room.id)).all()
    hours = db.execute(select(RoomHours.room_id, RoomHours.starts_at, RoomHours.ends_at).order_by(RoomHours.id)).all()
    tracks = db.execute(select(Track.id, Track.name_zh, Track.position).order_by(Track.id)).all()
    profiles = db.execute(
        select(SpeakerProfile.person_id, SpeakerProfile.title_zh, SpeakerProfile.bio_en, SpeakerProfile.available)
        .order_by(SpeakerProfile.id)
    ).all()
    settings = db.execute(
        select(EventSetting.key, EventSetting.value).where(EventSetting.event_id == w.event_a_id)
        .order_by(EventSetting.key)
    ).all()
    releases = db.execute(select(ProgrammeRelease.event_id, ProgrammeRelease.number)).all()
    return (sessions, people, rooms, hours, tracks, [tuple(map(str, p)) for p in profiles],
            [(k, str(v)) for k, v in settings], releases)


def _session(w: World) -> dict[str, str]:
    return {"title_zh": "矩阵新场次", "kind": "panel", "day": "2026-04-25", "start": "14:00", "end": "15:00",
            "mode": "offline", "language": "zh"}


def _room(w: World) -> dict[str, str]:
    return {"name_zh": "矩阵新会场", "capacity": "80"}


def _profile(w: World) -> dict[str, str]:
    return {"title_zh": "矩阵教授", "title_en": "Professor", "bio_zh": "", "bio_en": "", "photo": ""}


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/organise/programme", only(*ORGANISERS)),
    Entry("GET", BASE, ORG),
    Entry("POST", BASE + "/publish", ORG, form=empty, probe=programme_state),
    Entry("GET", BASE + "/sessions/new", ORG),
    Entry("POST", BASE + "/sessions/new", ORG, form=_session, probe=programme_state),
    Entry("GET", BASE + "/sessions/{session_id}", ORG, at=AT_SESSION),
    Entry("POST", BASE + "/sessions/{session_id}", ORG, at=AT_SESSION, form=_session, probe=programme_state),
    Entry("POST", BASE + "/sessions/{session_id}/cancel", ORG, at=AT_SESSION, form=empty, probe=programme_state),
    Entry("POST", BASE + "/sessions/{session_id}/restore", ORG, at=AT_SESSION, form=empty, probe=programme_state),
    Entry("POST", BASE + "/sessions/{session_id}/delete", ORG, at=AT_SESSION, form=empty, probe=programme_state),
    Entry(
        "POST", BASE + "/sessions/{session_id}/people", ORG, at=AT_SESSION,
        form=lambda w: {"person_id": str(w.programme_other_person), "role": "moderator", "position": ""},
        probe=programme_state,
    ),
    Entry(
        "POST", BASE + "/sessions/{session_id}/people/{person_id}", ORG, at=AT_SESSION_PERSON,
        form=lambda w: {"role": "host", "position": "1"}, probe=programme_state,
    ),
    Entry(
        "POST", BASE + "/sessions/{session_id}/people/{person_id}/remove", ORG, at=AT_SESSION_PERSON, form=empty,
        probe=programme_state,
    ),
    Entry("GET", BASE + "/rooms", ORG),
    Entry("POST", BASE + "/rooms", ORG, form=_room, probe=programme_state),
    Entry("POST", BASE + "/rooms/{room_id}", ORG, at=AT_ROOM, form=lambda w: {"name_zh": "矩阵会场", "capacity": "150"},
          probe=programme_state),
    # The room holds A's session: the organiser meets the refusal naming it (422), others the 403.
    Entry("POST", BASE + "/rooms/{room_id}/delete", ORG, at=AT_ROOM, form=empty, probe=programme_state,
          also_ok=(422,)),
    Entry("GET", BASE + "/tracks", ORG),
    Entry("POST", BASE + "/tracks", ORG, form=lambda w: {"name_zh": "矩阵新专题"}, probe=programme_state),
    Entry("POST", BASE + "/tracks/{track_id}", ORG, at=AT_TRACK, form=lambda w: {"name_zh": "矩阵专题改"},
          probe=programme_state),
    Entry("POST", BASE + "/tracks/{track_id}/delete", ORG, at=AT_TRACK, form=empty, probe=programme_state),
    Entry("GET", BASE + "/speakers", ORG),
    Entry("GET", BASE + "/speakers/{person_id}", ORG, at=AT_PERSON),
    Entry("POST", BASE + "/speakers/{person_id}", ORG, at=AT_PERSON, form=_profile, probe=programme_state),
    Entry("GET", BASE + "/settings", ORG),
    Entry("POST", BASE + "/settings", ORG, form=lambda w: {"over_capacity": "refuse"}, probe=programme_state),
)

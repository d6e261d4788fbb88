"""API shapes of the programme: sessions, speakers, rooms and tracks as readers get them, and the bodies of the
organisers' writes.

Times are given twice: `starts_at` in the event's zone with its offset (what the programme prints) and
`starts_at_utc` (what a program compares). Write bodies take text where a form does (times as ISO 8601 with an
offset, or wall-clock times of the event's zone) and leave the checks to `agenda.editing`, so the API refuses in
the same words as the pages, in the request's language, naming each field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from duijie.agenda.models import AgendaSession, Room, SpeakerProfile, Track
from duijie.agenda.service import LANGUAGES, MODES, ROLES, SESSION_KINDS, ConflictReport, local
from duijie.directory.models import Person
from duijie.events.models import Event

TimeText = Annotated[
    str | dt.datetime | None,
    WithJsonSchema({"type": "string", "example": "2026-04-25T09:00:00+08:00",
                    "description": "ISO 8601; without an offset, a wall-clock time of the event's zone."}),
]
IdValue = Annotated[int | str | None, WithJsonSchema({"type": "integer", "minimum": 1})]
Count = Annotated[int | str | None, WithJsonSchema({"type": "integer", "minimum": 0})]
Windows = Annotated[
    list[Any] | None,
    WithJsonSchema({"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2,
                                               "maxItems": 2},
                    "example": [["2026-04-25T08:00:00+08:00", "2026-04-25T18:00:00+08:00"]]}),
]


def _enum(values: tuple[str, ...]) -> Any:
    return WithJsonSchema({"type": "string", "enum": list(values)})


# ------------------------------------------------------------------------------------------------- reads


class Named(BaseModel):
    id: int
    name_zh: str
    name_en: str | None


class Window(BaseModel):
    start: dt.datetime
    end: dt.datetime


class RoomRead(BaseModel):
    id: int
    name_zh: str
    name_en: str | None
    capacity: int | None
    interpretation: bool
    floor_zh: str | None
    floor_en: str | None
    position: int
    hours: list[Window] = Field(description="Opening windows in the event's zone; none: always open.")

    @classmethod
    def of(cls, room: Room, event: Event) -> RoomRead:
        return cls(
            id=room.id, name_zh=room.name_zh, name_en=room.name_en, capacity=room.capacity,
            interpretation=room.interpretation, floor_zh=room.floor_zh, floor_en=room.floor_en,
            position=room.position,
            hours=[Window(start=local(h.starts_at, event), end=local(h.ends_at, event))
                   for h in room.hours],
        )


class TrackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name_zh: str
    name_en: str | None
    position: int

    @classmethod
    def of(cls, track: Track) -> TrackRead:
        return cls.model_validate(track)


class PersonOnSession(BaseModel):
    person_id: int
    role: str
    position: int
    name_zh: str
    name_en: str | None
    organisation_zh: str | None = None
    organisation_en: str | None = None
    title_zh: str | None = None
    title_en: str | None = None
    photo: str | None = None


class SessionRead(BaseModel):
    id: int
    kind: str
    title_zh: str
    title_en: str | None
    description_zh: str | None
    description_en: str | None
    starts_at: dt.datetime | None = Field(description="In the event's zone, with its offset.")
    ends_at: dt.datetime | None
    starts_at_utc: dt.datetime | None
    ends_at_utc: dt.datetime | None
    timezone: str
    room: Named | None
    track: Named | None
    mode: str
    stream_url: str | None
    language: str
    industry: str | None
    expected: int | None
    capacity: int | None
    sequence: int
    updated_at: dt.datetime
    cancelled: bool
    cancelled_at: dt.datetime | None
    people: list[PersonOnSession]

    @classmethod
    def of(cls, session: AgendaSession, event: Event, people: dict[int, Person],
           profiles: dict[int, SpeakerProfile]) -> SessionRead:
        on = []
        for s in session.speakers:
            person = people.get(s.person_id)
            if person is None:
                continue
            profile = profiles.get(s.person_id)
            org = person.organisation
            on.append(PersonOnSession(
                person_id=person.id, role=s.role, position=s.position, name_zh=person.name_zh,
                name_en=person.name_en, organisation_zh=org.name_zh if org else None,
                organisation_en=org.name_en if org else None,
                title_zh=(profile.title_zh if profile else None) or person.title,
                title_en=profile.title_en if profile else None, photo=profile.photo if profile else None,
            ))
        room, track = session.room, session.track
        return cls(
            id=session.id, kind=session.kind, title_zh=session.title_zh, title_en=session.title_en,
            description_zh=session.description_zh, description_en=session.description_en,
            starts_at=local(session.starts_at, event), ends_at=local(session.ends_at, event),
            starts_at_utc=session.starts_at, ends_at_utc=session.ends_at, timezone=event.timezone,
            room=Named(id=room.id, name_zh=room.name_zh, name_en=room.name_en) if room else None,
            track=Named(id=track.id, name_zh=track.name_zh, name_en=track.name_en) if track else None,
            mode=session.mode, stream_url=session.stream_url, language=session.language, industry=session.industry,
            expected=session.expected, capacity=session.capacity, sequence=session.sequence,
            updated_at=session.updated_at, cancelled=session.cancelled_at is not None,
            cancelled_at=session.cancelled_at, people=on,
        )


class SessionWritten(SessionRead):
    warnings: list[str] = Field(default_factory=list, description="Conflicts the event only warns about.")


class SessionPage(BaseModel):
    items: list[SessionRead]
    total: int
    limit: int
    offset: int


class SessionOfSpeaker(BaseModel):
    id: int
    title_zh: str
    title_en: str | None
    role: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    cancelled: bool


class SpeakerRead(BaseModel):
    person_id: int
    name_zh: str
    name_en: str | None
    organisation_zh: str | None
    organisation_en: str | None
    title_zh: str | None
    title_en: str | None
    bio_zh: str | None
    bio_en: str | None
    photo: str | None
    sessions: list[SessionOfSpeaker]

    @classmethod
    def of(cls, person: Person, sessions: list[AgendaSession], profile: SpeakerProfile | None,
           event: Event) -> SpeakerRead:
        org = person.organisation
        return cls(
            person_id=person.id, name_zh=person.name_zh, name_en=person.name_en,
            organisation_zh=org.name_zh if org else None, organisation_en=org.name_en if org else None,
            title_zh=(profile.title_zh if profile else None) or person.title,
            title_en=profile.title_en if profile else None,
            bio_zh=(profile.bio_zh if profile else None) or person.bio, bio_en=profile.bio_en if profile else None,
            photo=profile.photo if profile else None,
            sessions=[
                SessionOfSpeaker(
                    id=s.id, title_zh=s.title_zh, title_en=s.title_en,
                    role=next((p.role for p in s.speakers if p.person_id == person.id), "speaker"),
                    starts_at=local(s.starts_at, event), ends_at=local(s.ends_at, event),
                    cancelled=s.cancelled_at is not None,
                )
                for s in sessions
            ],
        )


class SpeakerPage(BaseModel):
    items: list[SpeakerRead]
    total: int
    limit: int
    offset: int


class ProfileRead(BaseModel):
    person_id: int
    title_zh: str | None
    title_en: str | None
    bio_zh: str | None
    bio_en: str | None
    photo: str | None
    available: list[Window] | None = Field(description="In the event's zone; null: always available.")
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, profile: SpeakerProfile, event: Event, warnings: list[str] | None = None) -> ProfileRead:
        windows = None
        if profile.available:
            windows = [Window(start=local(dt.datetime.fromisoformat(a), event),
                              end=local(dt.datetime.fromisoformat(b), event)) for a, b in profile.available]
        return cls(person_id=profile.person_id, title_zh=profile.title_zh, title_en=profile.title_en,
                   bio_zh=profile.bio_zh, bio_en=profile.bio_en, photo=profile.photo, available=windows,
                   warnings=warnings or [])


class RoomWritten(RoomRead):
    warnings: list[str] = Field(default_factory=list)


class SpeakerWritten(BaseModel):
    session_id: int
    person_id: int
    role: str
    position: int
    warnings: list[str] = Field(default_factory=list)


class ConflictRead(BaseModel):
    rule: str
    severity: str
    sessions: list[int]
    person: int | None
    room: int | None
    message: str

    @classmethod
    def of(cls, report: ConflictReport) -> ConflictRead:
        return cls(rule=report.rule.value, severity=report.severity.value, sessions=list(report.sessions),
                   person=report.person, room=report.room, message=report.message)


class MissingRead(BaseModel):
    kind: str
    id: int
    field: str
    text_zh: str
    where: str | None


class CompletenessRead(BaseModel):
    checked: int
    missing: int
    by_kind: dict[str, int]
    items: list[MissingRead]


class ChangeRead(BaseModel):
    session_id: int
    kind: str = Field(description="added, changed, cancelled, restored or removed")
    fields: list[str]
    title_zh: str
    title_en: str | None


class PublicationRead(BaseModel):
    release: int
    published_at: dt.datetime
    changes: list[ChangeRead]
    notified: int = Field(description="People told (each once), by notification and/or e-mail.")
    mailed: int


class DeletedRead(BaseModel):
    outcome: str = Field(description="deleted, or cancelled for a session readers may have seen")


# ------------------------------------------------------------------------------------------------ writes


class SpeakerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int
    role: Annotated[str, _enum(ROLES)] = "speaker"


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str | None, _enum(SESSION_KINDS)] = None
    title_zh: str | None = None
    title_en: str | None = None
    description_zh: str | None = None
    description_en: str | None = None
    starts_at: TimeText = None
    ends_at: TimeText = None
    room_id: IdValue = None
    track_id: IdValue = None
    mode: Annotated[str | None, _enum(MODES)] = None
    stream_url: str | None = None
    language: Annotated[str | None, _enum(LANGUAGES)] = None
    industry: str | None = None
    expected: Count = None
    capacity: Count = None
    speakers: list[SpeakerIn] | None = None


class SessionUpdate(SessionCreate):
    cancelled: bool | None = Field(None, description="true cancels the session, false brings it back.")


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: str | None = None
    name_en: str | None = None
    capacity: Count = None
    interpretation: bool | None = None
    floor_zh: str | None = None
    floor_en: str | None = None
    position: Count = None
    hours: Windows = None


class TrackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: str | None = None
    name_en: str | None = None
    position: Count = None


class SpeakerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: IdValue = None
    role: Annotated[str | None, _enum(ROLES)] = None
    position: Count = None


class SpeakerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Annotated[str | None, _enum(ROLES)] = None
    position: Count = None


class ProfileWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_zh: str | None = None
    title_en: str | None = None
    bio_zh: str | None = None
    bio_en: str | None = None
    photo: str | None = None
    available: Windows = None

"""The translation completeness report of an event's programme: every public text that has its Chinese but
lacks its English, with what and where it is, so an organiser can hand a list to a translator before a foreign
investor opens the English programme.

Checked: the titles and descriptions of the sessions (cancelled ones left out: nobody reads them again), the
names and floors of rooms, the names of tracks, the names of the people on sessions, their speaker profiles'
titles and bios, and the names of their organisations. A text with no Chinese either is not counted (there is
nothing to translate). The same person or organisation is listed once, however many sessions they are on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda.models import AgendaSession
from duijie.agenda.service import people_of, profiles_of, rooms, tracks
from duijie.directory.models import Organisation
from duijie.events.models import Event

KINDS: tuple[str, ...] = ("session", "room", "track", "person", "speaker_profile", "organisation")


@dataclass(frozen=True)
class Missing:
    """One public text lacking its English: the record's kind and id, the English field to fill, the Chinese
    text it translates, and `where` it is shown (a session's title for a person, for instance)."""

    kind: str
    id: int
    field: str
    text_zh: str
    where: str | None = None


@dataclass
class Report:
    """The missing English texts and the counts: `checked` texts that have Chinese, `missing` of them lack
    English, `by_kind` the missing ones by record kind."""

    items: list[Missing] = field(default_factory=list)
    checked: int = 0

    @property
    def missing(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> bool:
        return not self.items

    @property
    def by_kind(self) -> dict[str, int]:
        counts = Counter(item.kind for item in self.items)
        return {kind: counts[kind] for kind in KINDS if counts[kind]}

    def add(self, kind: str, ident: int, english: str, zh: str | None, en: str | None, where: str | None = None) -> None:
        if not zh or not zh.strip():
            return
        self.checked += 1
        if not en or not en.strip():
            self.items.append(Missing(kind, ident, english, zh, where))

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "missing": self.missing,
            "by_kind": self.by_kind,
            "items": [asdict(item) for item in self.items],
        }


def completeness(db: Session, event: Event) -> Report:
    """Every public text of the event's programme lacking its English, in the order of the programme."""
    report = Report()
    sessions = list(db.scalars(
        select(AgendaSession).where(AgendaSession.event_id == event.id, AgendaSession.cancelled_at.is_(None))
        .options(selectinload(AgendaSession.speakers))
        .order_by(AgendaSession.starts_at.is_(None), AgendaSession.starts_at, AgendaSession.id)
    ))
    for s in sessions:
        report.add("session", s.id, "title_en", s.title_zh, s.title_en)
        report.add("session", s.id, "description_en", s.description_zh, s.description_en, s.title_zh)
    for room in rooms(db, event):
        report.add("room", room.id, "name_en", room.name_zh, room.name_en)
        report.add("room", room.id, "floor_en", room.floor_zh, room.floor_en, room.name_zh)
    for track in tracks(db, event):
        report.add("track", track.id, "name_en", track.name_zh, track.name_en)
    first_session: dict[int, str] = {}
    for s in sessions:
        for speaker in s.speakers:
            first_session.setdefault(speaker.person_id, s.title_zh)
    people = people_of(db, first_session)
    profiles = profiles_of(db, event, first_session)
    organisations: dict[int, tuple[Organisation, str]] = {}
    for person_id, where in first_session.items():
        person = people.get(person_id)
        if person is None:
            continue
        report.add("person", person.id, "name_en", person.name_zh, person.name_en, where)
        profile = profiles.get(person_id)
        if profile is not None:
            report.add("speaker_profile", profile.id, "title_en", profile.title_zh, profile.title_en, person.name_zh)
            report.add("speaker_profile", profile.id, "bio_en", profile.bio_zh, profile.bio_en, person.name_zh)
        if person.organisation is not None:
            organisations.setdefault(person.organisation.id, (person.organisation, person.name_zh))
    for organisation, where in organisations.values():
        report.add("organisation", organisation.id, "name_en", organisation.name_zh, organisation.name_en, where)
    return report

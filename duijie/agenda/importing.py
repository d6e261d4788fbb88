"""Importing a whole programme from one JSON document (`duijie agenda import`): rooms, tracks, sessions with
their people, and speaker profiles, written through `agenda.editing` so every rule (and every conflict check)
is the same as on the pages.

    {"rooms": [{"name_zh", "name_en", "capacity", "interpretation", "floor_zh", "floor_en",
                "hours": [[start, end], ...]}],
     "tracks": [{"name_zh", "name_en"}],
     "sessions": [{"id"?, "title_zh", "title_en", "kind", "start", "end", "room", "track", "mode", "language",
                   "people": [person | {"person", "role"}], ...}],
     "profiles": [{"person", "title_zh", "title_en", "bio_zh", "bio_en", "photo", "available": [[start, end]]}]}

Times are ISO 8601 with an offset, or wall-clock times of the event's zone. A room or track is named by its
Chinese or English name (one in the file or already in the programme) or its id; a person by id or exact name.
A room or track whose Chinese name is already in the programme is updated; a session with an `id` of the event
is updated, one without is added.

One transaction: every problem of every record is collected with its place (`sessions[3].start`) and, if there
is any, `ImportError` is raised and the caller rolls everything back; nothing is half imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from duijie.agenda import editing, service
from duijie.agenda.models import Room, Track
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.directory.models import Person
from duijie.events.models import Event

# Names the file may use for a field, and the field they stand for.
ALIASES: Mapping[str, str] = {"start": "starts_at", "end": "ends_at", "room": "room_id", "track": "track_id"}
_BACK = {v: k for k, v in ALIASES.items()}
MAX_PROBLEMS = 200
KNOWN: Mapping[str, frozenset[str]] = {
    "rooms": frozenset({*editing.ROOM_FIELDS, "hours"}),
    "tracks": frozenset(editing.TRACK_FIELDS),
    "sessions": frozenset({*editing.SESSION_FIELDS, *ALIASES, "id", "people", "cancelled"}),
    "profiles": frozenset({*editing.PROFILE_FIELDS, "available", "person", "person_id"}),
}


class ProgrammeImportError(DomainError):
    """The file cannot be imported; `details` name every place at fault."""


@dataclass
class ImportSummary:
    rooms: int = 0
    tracks: int = 0
    sessions: int = 0
    profiles: int = 0
    warnings: list[str] = field(default_factory=list)


class _Import:
    def __init__(self, db: Session, actor: Actor, event: Event) -> None:
        self.db, self.actor, self.event = db, actor, event
        self.problems: list[ErrorDetail] = []
        self.summary = ImportSummary()

    def problem(self, where: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ErrorDetail(message, field=where))

    def refused(self, where: str, error: DomainError) -> None:
        for detail in error.details:
            name = detail.field or ""
            head, dot, rest = name.partition("[")
            name = _BACK.get(head, head) + (dot + rest if dot else "")
            self.problem(f"{where}.{name}" if name else where, detail.message)

    def items(self, data: Mapping[str, Any], part: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The part's records with their places; a misspelt field is named (it would otherwise be dropped)."""
        known = KNOWN[part]
        value = data.get(part)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(part, _("Expected a list."))
            return []
        out = []
        for n, item in enumerate(value):
            if isinstance(item, Mapping):
                for key in item:
                    if key not in known:
                        self.problem(f"{part}[{n}].{key}", _("Unknown field; expected one of %(keys)s.")
                                     % {"keys": ", ".join(sorted(known))})
                out.append((f"{part}[{n}]", item))
            else:
                self.problem(f"{part}[{n}]", _("Expected an object."))
        return out

    def named(self, model: type[Room] | type[Track], value: object, where: str) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        found = list(self.db.scalars(select(model.id).where(
            model.event_id == self.event.id, or_(model.name_zh == text, model.name_en == text))))
        if len(found) == 1:
            return found[0]
        self.problem(where, _("There is no “%(name)s” in this programme or this file.") % {"name": text[:80]})
        return None

    def person(self, value: object, where: str) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value or "").strip()
        found = list(self.db.scalars(
            select(Person.id).where(or_(Person.name_zh == text, Person.name_en == text)).limit(6)))
        if len(found) == 1:
            return found[0]
        if found:
            self.problem(where, _("Several people are named “%(name)s” (ids %(ids)s); give the id.")
                         % {"name": text[:80], "ids": ", ".join(map(str, found[:5]))})
        else:
            self.problem(where, _("There is no person named “%(name)s”.") % {"name": text[:80]})
        return None

    def rooms(self, data: Mapping[str, Any]) -> None:
        for where, item in self.items(data, "rooms"):
            existing = self.db.scalar(select(Room).where(Room.event_id == self.event.id,
                                                         Room.name_zh == str(item.get("name_zh") or "").strip()))
            try:
                if existing is None:
                    editing.create_room(self.db, actor=self.actor, event=self.event, data=item)
                else:
                    out = editing.update_room(self.db, actor=self.actor, event=self.event, room=existing, data=item)
                    self.summary.warnings += [f"{where}: {w}" for w in out.warnings]
                self.summary.rooms += 1
            except DomainError as exc:
                self.refused(where, exc)

    def tracks(self, data: Mapping[str, Any]) -> None:
        for where, item in self.items(data, "tracks"):
            existing = self.db.scalar(select(Track).where(Track.event_id == self.event.id,
                                                          Track.name_zh == str(item.get("name_zh") or "").strip()))
            try:
                if existing is None:
                    editing.create_track(self.db, actor=self.actor, event=self.event, data=item)
                else:
                    editing.update_track(self.db, actor=self.actor, event=self.event, track=existing, data=item)
                self.summary.tracks += 1
            except DomainError as exc:
                self.refused(where, exc)

    def sessions(self, data: Mapping[str, Any]) -> None:
        for where, item in self.items(data, "sessions"):
            values: dict[str, Any] = {}
            for key, value in item.items():
                name = ALIASES.get(key, key)
                if name in ("room_id", "track_id") and value not in (None, ""):
                    model = Room if name == "room_id" else Track
                    value = self.named(model, value, f"{where}.{key}")
                    if value is None:
                        continue  # named above; the session's other fields are still checked
                elif key == "people":
                    value = self.people(value, f"{where}.people")
                    name = "speakers"
                elif key == "id":
                    continue
                values[name] = value
            try:
                if item.get("id") is not None:
                    session = service.get_session(self.db, self.event, int(item["id"]))
                    out = editing.update_session(self.db, actor=self.actor, event=self.event, session=session,
                                                 data=values)
                else:
                    out = editing.create_session(self.db, actor=self.actor, event=self.event, data=values)
                self.summary.sessions += 1
                self.summary.warnings += [f"{where}: {w}" for w in out.warnings]
            except (DomainError, ValueError, TypeError) as exc:
                if isinstance(exc, DomainError):
                    self.refused(where, exc)
                else:
                    self.problem(f"{where}.id", _("There is no session %(id)s in this programme.")
                                 % {"id": str(item.get("id"))[:20]})

    def people(self, value: object, where: str) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            self.problem(where, _("Expected a list of people."))
            return []
        out = []
        for n, entry in enumerate(value):
            spot = f"{where}[{n}]"
            raw: Mapping[str, Any] = entry if isinstance(entry, Mapping) else {"person": entry}
            who = self.person(raw.get("person", raw.get("person_id")), f"{spot}.person")
            if who is not None:
                out.append({"person_id": who, "role": raw.get("role") or "speaker"})
        return out

    def profiles(self, data: Mapping[str, Any]) -> None:
        for where, item in self.items(data, "profiles"):
            who = self.person(item.get("person", item.get("person_id")), f"{where}.person")
            if who is None:
                continue
            values = {k: v for k, v in item.items() if k not in ("person", "person_id")}
            try:
                out = editing.save_profile(self.db, actor=self.actor, event=self.event, person_id=who, data=values)
                self.summary.profiles += 1
                self.summary.warnings += [f"{where}: {w}" for w in out.warnings]
            except DomainError as exc:
                self.refused(where, exc)


def import_programme(db: Session, actor: Actor, event: Event, data: Any) -> ImportSummary:
    """Writes the file's programme (flushed; the caller commits), or raises `ProgrammeImportError` naming every
    place at fault, after which the caller must roll back."""
    editing.require_organiser(actor, event)
    if not isinstance(data, Mapping):
        raise ProgrammeImportError(_("Expected a JSON object with rooms, tracks, sessions and profiles."), field="$")
    job = _Import(db, actor, event)
    unknown = sorted(set(data) - {"rooms", "tracks", "sessions", "profiles"})
    for key in unknown:
        job.problem(key, _("Unknown part; expected rooms, tracks, sessions or profiles."))
    job.rooms(data)
    job.tracks(data)
    job.profiles(data)
    job.sessions(data)
    if job.problems:
        first = job.problems[0]
        raise ProgrammeImportError(f"{first.field}: {first.message}", field=first.field, details=job.problems)
    return job.summary

"""The organiser's programme set-up pages beside the sessions: rooms with their seats, interpretation and
opening hours, tracks, speaker profiles with the windows the speaker can speak in, and what each conflict rule
does to a change (refuse, warn, nothing).

Served with `views_manage` (same prefix, same organiser-only dependency). Every change goes through
`duijie.agenda.editing`; a refused form comes back open and filled in with the message beside its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.agenda import editing, service
from duijie.agenda.conflicts import RULE_LABELS
from duijie.agenda.models import AgendaSession, Room, SpeakerProfile, Track
from duijie.agenda.views_manage import (
    BASE,
    _back,
    _flash,
    _local,
    _page,
    _pairs,
    _person_name,
    _refused,
    _values,
    _wall_clock,
    organiser,
)
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.i18n import mark as _l
from duijie.core.web import csrf_form, get_db
from duijie.events.deps import event_from_slug
from duijie.events.models import Event

router: APIRouter = APIRouter(include_in_schema=False)

ROOM_FIELDS = ("name_zh", "name_en", "capacity", "position", "floor_zh", "floor_en")
TRACK_FIELDS = ("name_zh", "name_en", "position")
PROFILE_FIELDS = ("title_zh", "title_en", "bio_zh", "bio_en", "photo")
BLANK_WINDOWS = 2  # empty rows offered under a room's hours or a speaker's availability


# -- rooms and tracks --------------------------------------------------------------------------------------------


def _window_rows(event: Event, windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> list[dict[str, str]]:
    """Stored windows as form rows in the event's zone, plus empty rows to add more."""
    rows = []
    for a, b in windows:
        start, end = _local(event, a), _local(event, b)
        rows.append({"day": start.date().isoformat(), "start": f"{start:%H:%M}",
                     "end": "24:00" if end.date() > start.date() and end.time() == dt.time() else f"{end:%H:%M}"})
    return rows + [{"day": "", "start": "", "end": ""} for _n in range(BLANK_WINDOWS)]


def _posted_rows(form: FormData, name: str) -> list[dict[str, str]]:
    """The window rows as posted (day, start and end lists side by side), empty rows dropped."""
    days, starts, ends = (form.getlist(f"{name}_{part}") for part in ("day", "start", "end"))
    rows = []
    for i in range(max(len(days), len(starts), len(ends))):
        row = {part: str(values[i]).strip() if i < len(values) else ""
               for part, values in (("day", days), ("start", starts), ("end", ends))}
        if any(row.values()):
            rows.append(row)
    return rows


def _room_values(event: Event, room: Room) -> dict[str, Any]:
    values: dict[str, Any] = {name: "" if getattr(room, name) is None else str(getattr(room, name))
                              for name in ROOM_FIELDS}
    values["interpretation"] = "1" if room.interpretation else ""
    values["hours_rows"] = _window_rows(event, [(h.starts_at, h.ends_at) for h in room.hours])
    return values


def _rooms_page(request: Request, db: Session, event: Event, *, failed: str | None = None,
                values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None,
                warnings: Sequence[str] = (), status_code: int = 200) -> Response:
    rooms = service.rooms(db, event)
    form_values: dict[str, Any] = {str(r.id): _room_values(event, r) for r in rooms}
    form_values["new"] = {**dict.fromkeys(ROOM_FIELDS, ""), "interpretation": "",
                          "hours_rows": _window_rows(event, [])}
    if failed is not None and values is not None:
        form_values[failed] = values
    used = dict(db.execute(
        select(AgendaSession.room_id, func.count()).where(AgendaSession.event_id == event.id,
                                                          AgendaSession.room_id.is_not(None))
        .group_by(AgendaSession.room_id)
    ).all())
    context = {"rooms": rooms, "form_values": form_values, "failed": failed, "errors": dict(errors or {}),
               "used": used, "flash": _flash(request), "warnings": list(warnings)}
    return _page(request, event, "rooms.html", _("Rooms"), context, status_code)


@router.get(BASE + "/rooms")
def rooms_page(request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
               db: Session = Depends(get_db)) -> Response:
    """The rooms with their seats, interpretation and opening hours, each editable, and a form to add one."""
    return _rooms_page(request, db, event)


def _track_values(track: Track) -> dict[str, str]:
    return {name: "" if getattr(track, name) is None else str(getattr(track, name)) for name in TRACK_FIELDS}


def _tracks_page(request: Request, db: Session, event: Event, *, failed: str | None = None,
                 values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                 status_code: int = 200) -> Response:
    tracks = service.tracks(db, event)
    form_values: dict[str, Any] = {str(t.id): _track_values(t) for t in tracks}
    form_values["new"] = dict.fromkeys(TRACK_FIELDS, "")
    if failed is not None and values is not None:
        form_values[failed] = values
    used = dict(db.execute(
        select(AgendaSession.track_id, func.count()).where(AgendaSession.event_id == event.id,
                                                           AgendaSession.track_id.is_not(None))
        .group_by(AgendaSession.track_id)
    ).all())
    context = {"tracks": tracks, "form_values": form_values, "failed": failed, "errors": dict(errors or {}),
               "used": used, "flash": _flash(request)}
    return _page(request, event, "tracks.html", _("Tracks"), context, status_code)


@router.get(BASE + "/tracks")
def tracks_page(request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                db: Session = Depends(get_db)) -> Response:
    """The tracks, each editable, and a form to add one."""
    return _tracks_page(request, db, event)


# -- speakers ----------------------------------------------------------------------------------------------------


def _windows_text(event: Event, raw: object) -> str:
    windows = service._windows(raw)
    if windows is None:
        return _("Any time")
    parts = []
    for a, b in windows:
        start, end = _local(event, a), _local(event, b)
        parts.append(f"{start:%m-%d %H:%M}–{end:%H:%M}" if start.date() == end.date()
                     else f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}")
    return "；".join(parts) if is_zh() else "; ".join(parts)


@router.get(BASE + "/speakers")
def speakers_page(request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                  db: Session = Depends(get_db)) -> Response:
    """Everyone on a session, with their sessions, availability and what lacks English."""
    _total, rows = service.list_speakers(db, event, include_cancelled=True)
    profiles = service.profiles_of(db, event, [p.id for p, _s in rows])
    people = []
    for person, sessions in rows:
        profile = profiles.get(person.id)
        # As the completeness report counts: a text that has its Chinese and lacks its English.
        missing = []
        if person.name_zh and not person.name_en:
            missing.append(_("English name"))
        if profile is not None and profile.title_zh and not profile.title_en:
            missing.append(_("English job title"))
        if profile is not None and profile.bio_zh and not profile.bio_en:
            missing.append(_("English bio"))
        people.append({
            "person": person, "profile": profile, "missing": missing,
            "sessions": len([s for s in sessions if s.cancelled_at is None]),
            "available": _windows_text(event, profile.available if profile else None),
        })
    context = {"people": people, "flash": _flash(request)}
    return _page(request, event, "speakers.html", _("Speakers and moderators"), context)


def _profile_values(event: Event, profile: SpeakerProfile | None) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(getattr(profile, name) or "") if profile else "" for name in PROFILE_FIELDS}
    windows = service._windows(profile.available) if profile is not None else None
    values["available_rows"] = _window_rows(event, windows or ())
    return values


def _speaker_page(request: Request, db: Session, event: Event, person_id: int, *,
                  values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None,
                  warnings: Sequence[str] = (), status_code: int = 200) -> Response:
    person = service.people_of(db, [person_id]).get(person_id)
    if person is None:
        raise NotFound(_("There is no such person in the directory."))
    _total, sessions = service.list_sessions(db, event, service.SessionFilter(speaker=person_id))
    context = {
        "person": person,
        "sessions": sessions,
        "values": values if values is not None else {
            **_profile_values(event, service.get_profile(db, event, person_id)), "name_en": person.name_en or ""},
        "errors": dict(errors or {}),
        "flash": _flash(request),
        "warnings": list(warnings),
    }
    return _page(request, event, "speaker.html", _person_name(person), context, status_code)


@router.get(BASE + "/speakers/{person_id}")
def speaker_page(person_id: int, request: Request, event: Event = Depends(event_from_slug),
                 actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> Response:
    """A person's profile for this event: bilingual job title and bio, photo, the windows they can speak in."""
    return _speaker_page(request, db, event, person_id)


# -- conflict rules ----------------------------------------------------------------------------------------------

LEVELS: dict[str, str] = {"refuse": _l("Refuse the change"), "warn": _l("Warn"), "off": _l("Do not check")}


def _settings_page(request: Request, db: Session, event: Event, *, values: Mapping[str, str] | None = None,
                   errors: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    current = {rule.value: level.value for rule, level in service.severity(db, event).items()}
    context = {
        "rules": [(rule.value, _(text)) for rule, text in RULE_LABELS.items()],
        "levels": _pairs(LEVELS),
        "values": dict(values or current),
        "errors": dict(errors or {}),
        "flash": _flash(request),
    }
    return _page(request, event, "settings.html", _("Conflict rules"), context, status_code)


@router.get(BASE + "/settings")
def settings_page(request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                  db: Session = Depends(get_db)) -> Response:
    """Each conflict rule with what it does to a change: refuse, warn or nothing."""
    return _settings_page(request, db, event)




# -- writes ------------------------------------------------------------------------------------------------------


def _windows_data(rows: Sequence[Mapping[str, str]], name: str) -> tuple[list[list[str]], dict[str, str]]:
    """Form rows as the editing service's [[start, end], ...] in the event's zone; a row lacking its day or a
    clock is the form's own problem, named by its row."""
    out: list[list[str]] = []
    problems: dict[str, str] = {}
    for n, row in enumerate(rows):
        if not (row["day"] and row["start"] and row["end"]):
            problems[f"{name}[{n}]"] = _("Give the day, the start and the end of this window.")
            continue
        out.append([_wall_clock(row["day"], row["start"]), _wall_clock(row["day"], row["end"])])
    return out, problems


def _window_errors(errors: Mapping[str, str], name: str) -> dict[str, str]:
    """`hours[2].end` → `hours[2]`: the message shows beside its row."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        if key.startswith(name + "[") and "]" in key:
            key = key[: key.index("]") + 1]
        out.setdefault(key, message)
    return out


def _room_form(form: FormData) -> tuple[dict[str, Any], dict[str, object], dict[str, str]]:
    """(values to show again, data for the service, the form's own problems)."""
    values: dict[str, Any] = _values(form, ROOM_FIELDS)
    values["interpretation"] = "1" if form.get("interpretation") == "1" else ""
    rows = _posted_rows(form, "hours")
    windows, problems = _windows_data(rows, "hours")
    values["hours_rows"] = rows + [{"day": "", "start": "", "end": ""} for _n in range(BLANK_WINDOWS)]
    data: dict[str, object] = {**{k: values[k] for k in ROOM_FIELDS}, "interpretation": bool(values["interpretation"]),
                               "hours": windows}
    return values, _keep_order(data), problems


def _keep_order(data: dict[str, object]) -> dict[str, object]:
    """An order left empty keeps the stored one (new rows: the default), rather than erasing it."""
    if data.get("position") == "":
        del data["position"]
    return data


def _with_room_problems(db: Session, event: Event, data: Mapping[str, object], problems: dict[str, str],
                        room: Room | None) -> dict[str, str]:
    """The form's own problems and every other one the editing service finds, so one answer lists them all."""
    errors = editing.clean_room(db, event, data, room=room)[2]
    found = {**problems}
    for detail in errors:
        found.setdefault(detail.field or "form", detail.message)
    return _window_errors(found, "hours")


@router.post(BASE + "/rooms")
def create_room(request: Request, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
                actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> Response:
    """Add a room with its hours."""
    values, data, problems = _room_form(form)
    if problems:
        problems = _with_room_problems(db, event, data, problems, None)
        return _rooms_page(request, db, event, failed="new", values=values, errors=problems, status_code=422)
    try:
        editing.create_room(db, actor=actor, event=event, data=data)
    except DomainError as exc:
        errors = _window_errors(_refused(db, exc), "hours")
        return _rooms_page(request, db, event, failed="new", values=values, errors=errors,
                           status_code=exc.status_code)
    return _back(event, "/rooms?done=room")


@router.post(BASE + "/rooms/{room_id}")
def update_room(room_id: int, request: Request, form: FormData = Depends(csrf_form),
                event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                db: Session = Depends(get_db)) -> Response:
    """Save a room; fewer seats or shorter hours are checked against its sessions (refused or warned)."""
    room = service.get_room(db, event, room_id)
    values, data, problems = _room_form(form)
    key = str(room_id)
    if problems:
        problems = _with_room_problems(db, event, data, problems, room)
        return _rooms_page(request, db, event, failed=key, values=values, errors=problems, status_code=422)
    try:
        outcome = editing.update_room(db, actor=actor, event=event, room=room, data=data)
    except DomainError as exc:
        errors = _window_errors(_refused(db, exc), "hours")
        return _rooms_page(request, db, event, failed=key, values=values, errors=errors,
                           status_code=exc.status_code)
    if outcome.warnings:
        return _rooms_page(request, db, event, warnings=outcome.warnings)
    return _back(event, "/rooms?done=room")


@router.post(BASE + "/rooms/{room_id}/delete")
def delete_room(room_id: int, request: Request, form: FormData = Depends(csrf_form),
                event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                db: Session = Depends(get_db)) -> Response:
    """Delete a room no session uses (the page names those that do)."""
    room = service.get_room(db, event, room_id)
    try:
        editing.delete_room(db, actor=actor, event=event, room=room)
    except DomainError as exc:
        errors = _refused(db, exc)
        return _rooms_page(request, db, event, failed=str(room_id), errors={"form": " ".join(errors.values())},
                           status_code=exc.status_code)
    return _back(event, "/rooms?done=room_deleted")


@router.post(BASE + "/tracks")
def create_track(request: Request, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
                 actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> Response:
    """Add a track."""
    values = _values(form, TRACK_FIELDS)
    try:
        editing.create_track(db, actor=actor, event=event, data=_keep_order(dict(values)))
    except DomainError as exc:
        errors = _refused(db, exc)
        return _tracks_page(request, db, event, failed="new", values=values, errors=errors,
                            status_code=exc.status_code)
    return _back(event, "/tracks?done=track")


@router.post(BASE + "/tracks/{track_id}")
def update_track(track_id: int, request: Request, form: FormData = Depends(csrf_form),
                 event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                 db: Session = Depends(get_db)) -> Response:
    """Save a track."""
    track = service.get_track(db, event, track_id)
    values = _values(form, TRACK_FIELDS)
    try:
        editing.update_track(db, actor=actor, event=event, track=track, data=_keep_order(dict(values)))
    except DomainError as exc:
        errors = _refused(db, exc)
        return _tracks_page(request, db, event, failed=str(track_id), values=values, errors=errors,
                            status_code=exc.status_code)
    return _back(event, "/tracks?done=track")


@router.post(BASE + "/tracks/{track_id}/delete")
def delete_track(track_id: int, request: Request, form: FormData = Depends(csrf_form),
                 event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                 db: Session = Depends(get_db)) -> Response:
    """Delete a track; its sessions stay, without a track."""
    track = service.get_track(db, event, track_id)
    try:
        editing.delete_track(db, actor=actor, event=event, track=track)
    except DomainError as exc:
        errors = _refused(db, exc)
        return _tracks_page(request, db, event, failed=str(track_id), errors={"form": " ".join(errors.values())},
                            status_code=exc.status_code)
    return _back(event, "/tracks?done=track_deleted")


@router.post(BASE + "/speakers/{person_id}")
def save_profile(person_id: int, request: Request, form: FormData = Depends(csrf_form),
                 event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                 db: Session = Depends(get_db)) -> Response:
    """Save a person's profile; narrower availability is checked against their sessions (warned by default)."""
    values: dict[str, Any] = _values(form, PROFILE_FIELDS)
    rows = _posted_rows(form, "available")
    windows, problems = _windows_data(rows, "available")
    values["available_rows"] = rows + [{"day": "", "start": "", "end": ""} for _n in range(BLANK_WINDOWS)]
    if problems:
        return _speaker_page(request, db, event, person_id, values=values, errors=problems, status_code=422)
    data: dict[str, object] = {**{k: values[k] for k in PROFILE_FIELDS}, "available": windows}
    if "name_en" in form:  # the person's English name, when the form has the field
        values["name_en"] = data["name_en"] = str(form.get("name_en") or "")
    try:
        outcome = editing.save_profile(db, actor=actor, event=event, person_id=person_id, data=data)
    except DomainError as exc:
        errors = _window_errors(_refused(db, exc), "available")
        return _speaker_page(request, db, event, person_id, values=values, errors=errors,
                             status_code=exc.status_code)
    if outcome.warnings:
        return _speaker_page(request, db, event, person_id, warnings=outcome.warnings)
    return _back(event, f"/speakers/{person_id}?done=profile")


@router.post(BASE + "/settings")
def save_settings(request: Request, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
                  actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> Response:
    """Store what each conflict rule does; a rule left unanswered keeps its default."""
    values = {rule.value: str(form.get(rule.value, "") or "").strip() for rule in RULE_LABELS}
    data = {rule: level for rule, level in values.items() if level}
    try:
        editing.set_severity(db, actor=actor, event=event, data=data)
    except DomainError as exc:
        errors = _refused(db, exc)
        return _settings_page(request, db, event, values=values, errors=errors, status_code=exc.status_code)
    return _back(event, "/settings?done=settings")

"""The organiser's programme pages: the overview (sessions by day, conflicts, missing English, publication),
the session editor with its speakers and moderators, rooms with their hours, tracks, speaker profiles with
their availability, and the severity of each conflict rule.

Every route is the event organiser's (`allow(can_manage_event, on=event_from_slug)`: the city-wide organiser,
or one whose grant names the event or its forum). The pages only read and present; every change goes through
`duijie.agenda.editing` (validation, conflicts) and `duijie.agenda.publishing`, the same functions the API and
the command line call. A refused form comes back filled in, each message beside its field in the page's
language, and nothing is written (the failed change is rolled back before the page is drawn again). Times are
typed and shown in the event's zone, which every page labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from starlette.datastructures import FormData

from duijie.agenda import service
from duijie.agenda.conflicts import RULE_LABELS
from duijie.agenda.models import AgendaSession, ProgrammeRelease, Room, SpeakerProfile, Track
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import bilingual, is_zh
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.web import allow, get_db, render
from duijie.directory.models import Person
from duijie.directory.reference import INDUSTRY_EN
from duijie.events import editing as event_editing
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event, can_open_event_setup

router = APIRouter(include_in_schema=False)

BASE = "/events/{slug}/programme/manage"
organiser = allow(can_manage_event, on=event_from_slug)
any_organiser = allow(can_open_event_setup)

# Labels of the stored codes (the model's docstring lists them); translated when a page is drawn.
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

SESSION_FIELDS = (
    "title_zh", "title_en", "description_zh", "description_en", "kind", "day", "start", "end", "room_id",
    "track_id", "mode", "stream_url", "language", "industry", "expected", "capacity",
)
ROOM_FIELDS = ("name_zh", "name_en", "capacity", "position", "floor_zh", "floor_en")
TRACK_FIELDS = ("name_zh", "name_en", "position")
PROFILE_FIELDS = ("title_zh", "title_en", "bio_zh", "bio_en", "photo")
BLANK_WINDOWS = 2  # empty rows offered under a room's hours or a speaker's availability


# -- small helpers -----------------------------------------------------------------------------------------------


def _pairs(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(code, _(text)) for code, text in labels.items()]


def _values(form: FormData, names: Sequence[str]) -> dict[str, str]:
    return {name: str(form.get(name, "") or "").strip() for name in names}


def _errors(exc: DomainError) -> dict[str, str]:
    """Each field's first message (a refusal without a field shows above the form)."""
    out: dict[str, str] = {}
    for detail in exc.details:
        out.setdefault(detail.field or "form", detail.message)
    return out


def _refused(db: Session, exc: DomainError) -> dict[str, str]:
    """The messages of a refused change, after rolling back whatever it wrote; a refusal of permission is not a
    form error and goes on as 403."""
    if exc.status_code == 403:
        raise exc
    db.rollback()
    return _errors(exc)


def _base(event: Event) -> str:
    return BASE.format(slug=event.slug)


def _back(event: Event, rest: str = "") -> Response:
    return RedirectResponse(_base(event) + rest, status_code=303)


def _local(event: Event, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(service.event_zone(event))


def zone_label(event: Event) -> str:
    """The zone as the pages label it: its name and its offset on the event's first day (Asia/Shanghai, UTC+08:00)."""
    zone = service.event_zone(event)
    noon = dt.datetime.combine(event.starts_on, dt.time(12), tzinfo=zone)
    offset = noon.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{zone.key} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def _stamp(event: Event, moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{_local(event, moment):%Y-%m-%d %H:%M}"


def _session_time(event: Event, session: AgendaSession) -> str:
    if session.starts_at is None or session.ends_at is None:
        return _("No time yet")
    start, end = _local(event, session.starts_at), _local(event, session.ends_at)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M}"
    return f"{start:%H:%M}–{end:%m-%d %H:%M}"


def _page(request: Request, event: Event, template: str, title: str, context: dict[str, Any],
          status_code: int = 200) -> Response:
    base = {
        "event": event,
        "base": _base(event),
        "page_title": title,
        "zone_label": zone_label(event),
        "stamp": lambda moment: _stamp(event, moment),
        "errors": {},
        "warnings": [],
        "flash": None,
    }
    return render(request, f"agenda/manage/{template}", {**base, **context}, status_code=status_code)


def _person_name(person: Person | None) -> str:
    if person is None:
        return "?"
    return bilingual(person.name_zh, person.name_en)


# -- the list of programmes (the Manage menu's entry) ---------------------------------------------------------


@router.get("/organise/programme")
def programmes(request: Request, actor: Actor = Depends(any_organiser), db: Session = Depends(get_db)) -> Response:
    """The events the organiser may edit, each with its number of sessions and a link to its programme."""
    events = event_editing.manageable_events(db, actor)
    ids = [e.id for e in events]
    counts: dict[int, int] = {}
    if ids:
        counts = {
            event_id: n for event_id, n in db.execute(
                select(AgendaSession.event_id, func.count())
                .where(AgendaSession.event_id.in_(ids))
                .group_by(AgendaSession.event_id)
            )
        }
    return render(request, "agenda/manage/events.html", {"events": events, "counts": counts})


# -- the overview ------------------------------------------------------------------------------------------------


def _people_text(session: AgendaSession, people: Mapping[int, Person]) -> str:
    """The session's people in order, each with their role when not a plain speaker."""
    parts = []
    for sp in session.speakers:
        name = _person_name(people.get(sp.person_id))
        parts.append(name if sp.role == "speaker" else f"{name}（{_(ROLES.get(sp.role, sp.role))}）"
                     if is_zh() else f"{name} ({_(ROLES.get(sp.role, sp.role))})")
    return "、".join(parts) if is_zh() else ", ".join(parts)


def _days(event: Event, sessions: Sequence[AgendaSession], people: Mapping[int, Person],
          problems: Mapping[int, list[dict[str, str]]]) -> list[dict[str, Any]]:
    """The sessions grouped by their day in the event's zone (sessions without a time in a last group)."""
    groups: dict[dt.date | None, list[dict[str, Any]]] = {}
    for s in sessions:
        day = _local(event, s.starts_at).date() if s.starts_at is not None else None
        groups.setdefault(day, []).append({
            "session": s,
            "time": _session_time(event, s),
            "kind": _(KINDS.get(s.kind, s.kind)),
            "mode": _(MODES.get(s.mode, s.mode)),
            "people": _people_text(s, people),
            "problems": problems.get(s.id, []),
        })
    out = []
    for day, rows in groups.items():
        if day is None:
            label = _("Sessions without a time yet")
        else:
            label = day.isoformat() + " " + (("周一", "周二", "周三", "周四", "周五", "周六", "周日")[day.weekday()]
                                              if is_zh() else f"{day:%A}")
        out.append({"label": label, "rows": rows})
    return out


def _conflict_lines(event: Event, reports: Sequence[service.ConflictReport],
                    titles: Mapping[int, str]) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, str]]]]:
    """The report's sentences with links to the sessions they name, and each session's own problems."""
    lines: list[dict[str, Any]] = []
    by_session: dict[int, list[dict[str, str]]] = {}
    for r in reports:
        links = [(f"{_base(event)}/sessions/{sid}", titles.get(sid, str(sid))) for sid in r.sessions]
        lines.append({"text": r.message, "severity": r.severity.value, "links": links})
        for sid in r.sessions:
            by_session.setdefault(sid, []).append({"text": r.message, "severity": r.severity.value})
    return lines, by_session


def _overview(request: Request, db: Session, event: Event, extra: dict[str, Any] | None = None,
              status_code: int = 200) -> Response:
    _total, sessions = service.list_sessions(db, event)
    people = service.people_of(db, (sp.person_id for s in sessions for sp in s.speakers))
    titles = {s.id: bilingual(s.title_zh, s.title_en) for s in sessions}
    reports = service.event_conflicts(db, event)
    lines, problems = _conflict_lines(event, reports, titles)
    missing = _missing(db, event)
    release, changes = _publication(db, event)
    notified = request.query_params.get("notified")
    context = {
        "days": _days(event, sessions, people, problems),
        "counts": {
            "sessions": sum(1 for s in sessions if s.cancelled_at is None),
            "cancelled": sum(1 for s in sessions if s.cancelled_at is not None),
            "unscheduled": sum(1 for s in sessions if s.starts_at is None and s.cancelled_at is None),
            "rooms": len(service.rooms(db, event)),
            "tracks": len(service.tracks(db, event)),
            "people": len({sp.person_id for s in sessions if s.cancelled_at is None for sp in s.speakers}),
            "conflicts": len(lines),
            "missing": len(missing),
        },
        "conflicts": lines,
        "missing": missing,
        "release": release,
        "changes": changes,
        "notified": int(notified) if notified and notified.isdigit() else None,
        "published_number": request.query_params.get("release", ""),
        **(extra or {}),
    }
    return _page(request, event, "overview.html", _("Programme"), context, status_code)


@router.get(BASE)
def overview(request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
             db: Session = Depends(get_db)) -> Response:
    """The programme at a glance: sessions by day with their problems, the conflict and translation reports,
    and what publishing now would change."""
    return _overview(request, db, event, {"flash": _flash(request)})


def _flash(request: Request) -> str | None:
    """The sentence of a change just made (the redirect after a write names it)."""
    done = request.query_params.get("done")
    return {
        "deleted": _("The session was deleted."),
        "cancelled": _("The session was cancelled; it shows as cancelled once the programme is published again."),
        "restored": _("The session is back in the programme."),
        "room": _("The room is saved."),
        "room_deleted": _("The room was deleted; its sessions have no room now."),
        "track": _("The track is saved."),
        "track_deleted": _("The track was deleted; its sessions have no track now."),
        "profile": _("The profile is saved."),
        "settings": _("The conflict rules are saved."),
        "saved": _("Saved."),
        "person": _("Saved."),
    }.get(done or "")


# -- the session editor ------------------------------------------------------------------------------------------


def _session_values(event: Event, s: AgendaSession) -> dict[str, str]:
    values = {name: "" for name in SESSION_FIELDS}
    for name in ("title_zh", "title_en", "description_zh", "description_en", "kind", "mode", "stream_url",
                 "language", "industry"):
        values[name] = str(getattr(s, name) or "")
    for name in ("room_id", "track_id", "expected", "capacity"):
        value = getattr(s, name)
        values[name] = "" if value is None else str(value)
    if s.starts_at is not None and s.ends_at is not None:
        start, end = _local(event, s.starts_at), _local(event, s.ends_at)
        values.update(day=start.date().isoformat(), start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    return values


def _search_people(db: Session, q: str) -> list[tuple[str, str]]:
    """People of the directory whose Chinese or English name holds `q`, as (id, "name · organisation")."""
    text = q.strip().lower()[:80]
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.scalars(
        select(Person)
        .where(or_(func.lower(Person.name_zh).like(pattern, escape="\\"),
                   func.lower(func.coalesce(Person.name_en, "")).like(pattern, escape="\\")))
        .options(selectinload(Person.organisation))
        .order_by(Person.name_zh, Person.id)
        .limit(40)
    )
    out = []
    for p in rows:
        extra = [x for x in (p.title, bilingual(p.organisation.name_zh, p.organisation.name_en)
                             if p.organisation else None) if x]
        out.append((str(p.id), " · ".join([_person_name(p), *extra])))
    return out


def _session_problems(db: Session, event: Event, session_id: int) -> list[dict[str, str]]:
    return [
        {"text": r.message, "severity": r.severity.value}
        for r in service.event_conflicts(db, event) if session_id in r.sessions
    ]


def _was_published(db: Session, event: Event, session_id: int) -> bool:
    """Whether the latest release of the programme holds the session (then it is cancelled, not deleted)."""
    release = _latest_release(db, event)
    return release is not None and str(session_id) in (release.snapshot or {})


def _session_page(request: Request, db: Session, event: Event, session: AgendaSession | None, *,
                  values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                  person_values: Mapping[str, str] | None = None, warnings: Sequence[str] = (),
                  status_code: int = 200) -> Response:
    q = str(request.query_params.get("q", "") or "").strip()[:80]
    if person_values and person_values.get("q"):
        q = person_values["q"]
    problems: list[dict[str, str]] = []
    if session is not None and not warnings:
        problems = _session_problems(db, event, session.id)
    saved = request.query_params.get("saved") == "1"
    people = service.people_of(db, [sp.person_id for sp in session.speakers]) if session is not None else {}
    context = {
        "session": session,
        "values": values if values is not None else (
            _session_values(event, session) if session is not None
            else {**dict.fromkeys(SESSION_FIELDS, ""), "kind": "parallel_forum", "mode": "offline", "language": "zh",
                  "day": event.starts_on.isoformat()}
        ),
        "errors": dict(errors or {}),
        "kinds": _pairs(KINDS),
        "modes": _pairs(MODES),
        "languages": _pairs(LANGUAGES),
        "roles": _pairs(ROLES),
        "industries": [(code, code if is_zh() else en) for code, en in INDUSTRY_EN.items()],
        "rooms": [(str(r.id), bilingual(r.name_zh, r.name_en)) for r in service.rooms(db, event)],
        "tracks": [(str(t.id), bilingual(t.name_zh, t.name_en)) for t in service.tracks(db, event)],
        "person_label": lambda pid: _person_name(people.get(pid)),
        "q": q,
        "found": _search_people(db, q) if q and session is not None else [],
        "person_values": dict(person_values or {"role": "speaker"}),
        "warnings": list(warnings) or ([p["text"] for p in problems if p["severity"] == "warn"] if saved else []),
        "problems": [] if saved else problems,
        "flash": _("Saved.") if saved and not problems else _flash(request),
        "was_published": session is not None and _was_published(db, event, session.id),
    }
    title = bilingual(session.title_zh, session.title_en) if session is not None else _("New session")
    return _page(request, event, "session.html", title, context, status_code)


@router.get(BASE + "/sessions/new")
def new_session_form(request: Request, event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                     db: Session = Depends(get_db)) -> Response:
    """An empty session form, on the event's first day."""
    return _session_page(request, db, event, None)


@router.get(BASE + "/sessions/{session_id}")
def edit_session_form(session_id: int, request: Request, event: Event = Depends(event_from_slug),
                      actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> Response:
    """The session's fields, its people (with the directory search `?q=`), and how to cancel or delete it."""
    return _session_page(request, db, event, service.get_session(db, event, session_id))


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
                status_code: int = 200) -> Response:
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
               "used": used, "flash": _flash(request)}
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
        missing = []
        if not person.name_en:
            missing.append(_("English name"))
        if profile is None or (profile.title_zh and not profile.title_en):
            missing.append(_("English job title"))
        if profile is None or (profile.bio_zh and not profile.bio_en) or not (profile.bio_zh or profile.bio_en):
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
                  status_code: int = 200) -> Response:
    person = service.people_of(db, [person_id]).get(person_id)
    if person is None:
        raise NotFound(_("There is no such person in the directory."))
    _total, sessions = service.list_sessions(db, event, service.SessionFilter(speaker=person_id))
    context = {
        "person": person,
        "sessions": sessions,
        "values": values if values is not None else _profile_values(event, service.get_profile(db, event, person_id)),
        "errors": dict(errors or {}),
        "flash": _flash(request),
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


# -- publication (H2 pending) ------------------------------------------------------------------------------------


def _latest_release(db: Session, event: Event) -> ProgrammeRelease | None:
    return db.scalar(select(ProgrammeRelease).where(ProgrammeRelease.event_id == event.id)
                     .order_by(ProgrammeRelease.number.desc()).limit(1))


def _missing(db: Session, event: Event) -> list[dict[str, str]]:
    return []


def _publication(db: Session, event: Event) -> tuple[ProgrammeRelease | None, list[str]]:
    return _latest_release(db, event), []

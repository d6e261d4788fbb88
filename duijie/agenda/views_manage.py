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

from duijie.agenda import completeness, editing, publishing, service
from duijie.agenda.conflicts import Rule
from duijie.agenda.models import AgendaSession, ProgrammeRelease, SpeakerProfile
from duijie.agenda.queries import KINDS, LANGUAGES, MODES, ROLES
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import bilingual, is_zh
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.web import allow, csrf_form, get_db, render
from duijie.directory.models import Organisation, Person
from duijie.directory.reference import INDUSTRY_EN
from duijie.events import editing as event_editing
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event, can_open_event_setup

router = APIRouter(include_in_schema=False)

BASE = "/events/{slug}/programme/manage"
organiser = allow(can_manage_event, on=event_from_slug)
any_organiser = allow(can_open_event_setup)

# Labels of the stored codes: the public pages' tables, one for the whole programme.

SESSION_FIELDS = (
    "title_zh", "title_en", "description_zh", "description_en", "kind", "day", "start", "end", "room_id",
    "track_id", "mode", "stream_url", "language", "industry", "expected", "capacity",
)


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
        "room_deleted": _("The room was deleted."),
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
        "was_published": session is not None and editing.was_published(db, event, session),
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


# -- session writes ----------------------------------------------------------------------------------------------

# The editing service names times as the API does; the form splits them into a day and two clocks.
_FORM_FIELD = {"starts_at": "start", "ends_at": "end"}
# A refused clash is shown beside the field that causes it on the session form.
_CLASH_FIELD = {Rule.ROOM_OVERLAP: "room_id", Rule.ROOM_CLOSED: "room_id", Rule.OVER_CAPACITY: "expected"}


def _session_data(values: Mapping[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """The editing service's fields from the form's, with the form's own problems (a time without its day):
    the day and clocks become wall-clock times of the event's zone, `24:00` the next midnight."""
    data: dict[str, object] = {
        name: values[name] for name in SESSION_FIELDS if name not in ("day", "start", "end")
    }
    problems: dict[str, str] = {}
    day, start, end = values["day"], values["start"], values["end"]
    if not start and not end:
        data["starts_at"] = data["ends_at"] = None
    elif not day:
        problems["day"] = _("Choose the day of the session.")
    else:
        data["starts_at"] = _wall_clock(day, start)
        data["ends_at"] = _wall_clock(day, end)
    return data, problems


def _wall_clock(day: str, clock: str) -> str:
    """`day clock` as the editing service reads a time of the event's zone (an empty clock stays empty, so the
    service says which one is missing); 24:00 is midnight at the end of the day."""
    if not clock:
        return ""
    if clock.strip() in ("24:00", "24:00:00"):
        try:
            return f"{dt.date.fromisoformat(day) + dt.timedelta(days=1)} 00:00"
        except ValueError:
            pass
    return f"{day} {clock}"


def _session_errors(db: Session, exc: DomainError) -> dict[str, str]:
    """The refusal's messages keyed by the form's fields; a clash beside the room or the time that causes it."""
    if isinstance(exc, editing.ScheduleConflict):
        if exc.status_code == 403:
            raise exc
        db.rollback()
        out: dict[str, str] = {}
        for report, detail in zip(exc.conflicts, exc.details, strict=False):
            name = _CLASH_FIELD.get(report.rule) or _FORM_FIELD.get(detail.field or "", detail.field or "start")
            out[name] = f"{out[name]} {detail.message}" if name in out else detail.message
        return out
    errors = _refused(db, exc)
    return {_FORM_FIELD.get(name, name): message for name, message in errors.items()}


def _with_session_problems(db: Session, event: Event, data: Mapping[str, object], problems: dict[str, str],
                           session: AgendaSession | None) -> dict[str, str]:
    """The form's own problems and every other one the editing service finds, so one answer lists them all."""
    errors = editing.clean_session(db, event, data, session=session)[1]
    found = {**problems}
    for detail in errors:
        found.setdefault(_FORM_FIELD.get(detail.field or "", detail.field or "form"), detail.message)
    return found


@router.post(BASE + "/sessions/new")
def create_session(request: Request, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
                   actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> Response:
    """Create the session; its page opens with the warnings it leaves. A refusal (a clash the event refuses
    naming both sessions, or any field) brings the form back filled in."""
    values = _values(form, SESSION_FIELDS)
    data, problems = _session_data(values)
    if problems:
        problems = _with_session_problems(db, event, data, problems, None)
        return _session_page(request, db, event, None, values=values, errors=problems, status_code=422)
    try:
        outcome = editing.create_session(db, actor=actor, event=event, data=data)
    except DomainError as exc:
        errors = _session_errors(db, exc)
        return _session_page(request, db, event, None, values=values, errors=errors, status_code=exc.status_code)
    return _back(event, f"/sessions/{outcome.value.id}?saved=1")


@router.post(BASE + "/sessions/{session_id}")
def update_session(session_id: int, request: Request, form: FormData = Depends(csrf_form),
                   event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                   db: Session = Depends(get_db)) -> Response:
    """Save the session's fields; a refusal brings the form back filled in with the message beside its field."""
    session = service.get_session(db, event, session_id)
    values = _values(form, SESSION_FIELDS)
    data, problems = _session_data(values)
    if problems:
        problems = _with_session_problems(db, event, data, problems, session)
        return _session_page(request, db, event, session, values=values, errors=problems, status_code=422)
    try:
        editing.update_session(db, actor=actor, event=event, session=session, data=data)
    except DomainError as exc:
        errors = _session_errors(db, exc)
        session = service.get_session(db, event, session_id)
        return _session_page(request, db, event, session, values=values, errors=errors, status_code=exc.status_code)
    return _back(event, f"/sessions/{session_id}?saved=1")


def _session_action(request: Request, db: Session, event: Event, session_id: int, act: Any,
                    done: Any) -> Response:
    """A button on the session page (cancel, delete, restore): its refusal shows in the page's last card."""
    session = service.get_session(db, event, session_id)
    try:
        result = act(session)
    except DomainError as exc:
        errors = _refused(db, exc)
        session = service.get_session(db, event, session_id)
        return _session_page(request, db, event, session, errors={"remove": " ".join(errors.values())},
                             status_code=exc.status_code)
    return done(result)


@router.post(BASE + "/sessions/{session_id}/delete")
def delete_session(session_id: int, request: Request, form: FormData = Depends(csrf_form),
                   event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                   db: Session = Depends(get_db)) -> Response:
    """Delete a session readers never saw; one they may have seen is cancelled instead (the service decides)."""
    return _session_action(
        request, db, event, session_id,
        lambda s: editing.delete_session(db, actor=actor, event=event, session=s),
        lambda result: _back(event, "?done=deleted") if result == "deleted"
        else _back(event, f"/sessions/{session_id}?done=cancelled"),
    )


@router.post(BASE + "/sessions/{session_id}/cancel")
def cancel_session(session_id: int, request: Request, form: FormData = Depends(csrf_form),
                   event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                   db: Session = Depends(get_db)) -> Response:
    """Cancel a session: it stays in the programme marked cancelled, and the next publication announces it."""
    return _session_action(
        request, db, event, session_id,
        lambda s: editing.update_session(db, actor=actor, event=event, session=s, data={"cancelled": True}),
        lambda _result: _back(event, f"/sessions/{session_id}?done=cancelled"),
    )


@router.post(BASE + "/sessions/{session_id}/restore")
def restore_session(session_id: int, request: Request, form: FormData = Depends(csrf_form),
                    event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                    db: Session = Depends(get_db)) -> Response:
    """Bring a cancelled session back (refused like any change if its time now clashes)."""
    return _session_action(
        request, db, event, session_id,
        lambda s: editing.update_session(db, actor=actor, event=event, session=s, data={"cancelled": False}),
        lambda _result: _back(event, f"/sessions/{session_id}?done=restored"),
    )


# -- people on a session -----------------------------------------------------------------------------------------

PERSON_FIELDS = ("person_id", "role", "position")


def _ordered(session: AgendaSession, person_id: int, role: str | None, place: str) -> list[dict[str, object]] | None:
    """The session's people with `person_id` moved to `place` (counted from 1 as the page shows it) and given
    `role`, as the editing service's `speakers` list (its order is their order); None when `place` is empty."""
    if not place.strip():
        return None
    people = [{"person_id": sp.person_id, "role": sp.role} for sp in sorted(session.speakers, key=lambda sp: sp.position)]
    moved = next((p for p in people if p["person_id"] == person_id), None)
    if moved is None:
        return None
    people.remove(moved)
    if role:
        moved["role"] = role
    index = int(place) - 1 if place.strip().isdigit() else len(people)
    people.insert(max(0, min(index, len(people))), moved)
    return people


def _bad_place(text: str) -> str | None:
    """The form's own problem with a place in the order (the page counts from 1)."""
    if text and not (text.isdigit() and 1 <= int(text) <= 1000):
        return _("Give the place as a whole number from 1, such as 2 for second.")
    return None


@router.post(BASE + "/sessions/{session_id}/people")
def add_person(session_id: int, request: Request, form: FormData = Depends(csrf_form),
               event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
               db: Session = Depends(get_db)) -> Response:
    """Put a person found in the directory on the session, at the place asked (last when empty); a clash the
    event refuses comes back beside the person, naming both sessions."""
    session = service.get_session(db, event, session_id)
    values = _values(form, (*PERSON_FIELDS, "q"))
    bad_place = _bad_place(values["position"])
    if bad_place:
        return _session_page(request, db, event, session, errors={"position": bad_place}, person_values=values,
                             status_code=422)
    try:
        row = editing.add_speaker(db, actor=actor, event=event, session=session,
                                  data={"person_id": values["person_id"], "role": values["role"]}).value
        order = _ordered(session, row.person_id, None, values["position"])
        if order is not None:
            editing.update_session(db, actor=actor, event=event, session=session, data={"speakers": order})
    except DomainError as exc:
        errors = _refused(db, exc)
        session = service.get_session(db, event, session_id)
        return _session_page(request, db, event, session, errors=errors, person_values=values,
                             status_code=exc.status_code)
    return _back(event, f"/sessions/{session_id}?saved=1#people")


@router.post(BASE + "/sessions/{session_id}/people/{person_id}")
def update_person(session_id: int, person_id: int, request: Request, form: FormData = Depends(csrf_form),
                  event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                  db: Session = Depends(get_db)) -> Response:
    """Change a person's role and place in the order (the others move up or down to make room)."""
    session = service.get_session(db, event, session_id)
    values = _values(form, ("role", "position"))
    bad_place = _bad_place(values["position"])
    if bad_place:
        return _session_page(request, db, event, session, errors={"people": bad_place}, status_code=422)
    try:
        speaker = editing.get_speaker(db, session, person_id)
        order = _ordered(session, person_id, values["role"], values["position"])
        if order is None:
            editing.update_speaker(db, actor=actor, event=event, speaker=speaker, data={"role": values["role"]})
        else:
            editing.update_session(db, actor=actor, event=event, session=session, data={"speakers": order})
    except DomainError as exc:
        errors = _refused(db, exc)
        session = service.get_session(db, event, session_id)
        return _session_page(request, db, event, session, errors={"people": " ".join(errors.values())},
                             status_code=exc.status_code)
    return _back(event, f"/sessions/{session_id}?done=person#people")


@router.post(BASE + "/sessions/{session_id}/people/{person_id}/remove")
def remove_person(session_id: int, person_id: int, request: Request, form: FormData = Depends(csrf_form),
                  event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser),
                  db: Session = Depends(get_db)) -> Response:
    """Take a person off the session."""
    session = service.get_session(db, event, session_id)
    try:
        speaker = editing.get_speaker(db, session, person_id)
        editing.remove_speaker(db, actor=actor, event=event, speaker=speaker)
    except DomainError as exc:
        errors = _refused(db, exc)
        session = service.get_session(db, event, session_id)
        return _session_page(request, db, event, session, errors={"people": " ".join(errors.values())},
                             status_code=exc.status_code)
    return _back(event, f"/sessions/{session_id}?done=person#people")


# -- completeness and publication -------------------------------------------------------------------------------

_MISSING_FIELD: dict[str, str] = {
    "title_en": _l("English title"),
    "description_en": _l("English description"),
    "name_en": _l("English name"),
    "floor_en": _l("English location"),
    "bio_en": _l("English bio"),
}
_MISSING_KIND: dict[str, str] = {
    "session": _l("Session"),
    "room": _l("Room"),
    "track": _l("Track"),
    "person": _l("Person"),
    "speaker_profile": _l("Speaker"),
    "organisation": _l("Organisation"),
}


def _missing(db: Session, event: Event) -> list[dict[str, str]]:
    """The completeness report's items as sentences, each with the page where its English is written."""
    report = completeness.completeness(db, event)
    base = _base(event)
    org_ids = [m.id for m in report.items if m.kind == "organisation"]
    org_slugs = dict(db.execute(select(Organisation.id, Organisation.slug).where(Organisation.id.in_(org_ids))).all()
                     ) if org_ids else {}
    profile_people = dict(db.execute(
        select(SpeakerProfile.id, SpeakerProfile.person_id).where(SpeakerProfile.event_id == event.id)
    ).all()) if any(m.kind == "speaker_profile" for m in report.items) else {}
    out = []
    for m in report.items:
        what = _(_MISSING_FIELD.get(m.field, m.field))
        if m.field == "title_en" and m.kind == "speaker_profile":
            what = _("English job title")
        # A profile's text is a title or a bio: the person it belongs to names the line better.
        subject = m.where if m.kind == "speaker_profile" and m.where else m.text_zh
        text = f"{_(_MISSING_KIND.get(m.kind, m.kind))}「{subject}」：{what}" if is_zh() else \
            f"{_(_MISSING_KIND.get(m.kind, m.kind))} “{subject}”: {what}"
        if m.where and m.kind in ("person", "organisation"):
            text += _(" (on “%(where)s”)") % {"where": m.where}
        href = {
            "session": f"{base}/sessions/{m.id}",
            "room": f"{base}/rooms#room-{m.id}",
            "track": f"{base}/tracks#track-{m.id}",
            "person": f"{base}/speakers/{m.id}",
            "speaker_profile": f"{base}/speakers/{profile_people.get(m.id, 0)}",
            "organisation": f"/organisations/{org_slugs.get(m.id, '')}/edit",
        }.get(m.kind, base)
        out.append({"text": text, "href": href})
    return out


_CHANGE_KIND: dict[str, str] = {
    "added": _l("New"),
    "changed": _l("Changed"),
    "cancelled": _l("Cancelled"),
    "restored": _l("Back in the programme"),
    "removed": _l("Removed"),
}
_CHANGE_FIELD: dict[str, str] = {"time": _l("time"), "room": _l("room"), "title": _l("title"),
                                 "people": _l("speakers")}


def _publication(db: Session, event: Event) -> tuple[ProgrammeRelease | None, list[str]]:
    """The latest release and, as sentences, what publishing now would change for readers (the publishing
    service's own comparison of its snapshots)."""
    release = publishing.latest_release(db, event)
    _total, sessions = service.list_sessions(db, event)
    current = {str(s.id): publishing.snapshot_of(s) for s in sessions}
    lines = []
    for change in publishing.compare(release.snapshot if release is not None else None, current):
        title = bilingual(change.title_zh, change.title_en)
        line = f"{_(_CHANGE_KIND.get(change.kind, change.kind))}：「{title}」" if is_zh() else \
            f"{_(_CHANGE_KIND.get(change.kind, change.kind))}: “{title}”"
        if change.fields:
            sep = "、" if is_zh() else ", "
            fields = sep.join(_(_CHANGE_FIELD.get(f, f)) for f in change.fields)
            line += f"（{fields}）" if is_zh() else f" ({fields})"
        lines.append(line)
    return release, lines


@router.post(BASE + "/publish")
def publish(request: Request, form: FormData = Depends(csrf_form), event: Event = Depends(event_from_slug),
            actor: Actor = Depends(organiser), db: Session = Depends(get_db)) -> Response:
    """Publish the programme as it stands; the overview then says how many people were told of the changes."""
    try:
        publication = publishing.publish_programme(db, actor, event)
    except DomainError as exc:
        errors = _refused(db, exc)
        return _overview(request, db, event, {"errors": {"publish": " ".join(errors.values())}}, exc.status_code)
    return _back(event, f"?release={publication.release.number}&notified={publication.notified}#publish")


# The rooms, tracks, speakers and conflict-rule editors are written apart and served with these.
from duijie.agenda import views_manage_setup  # noqa: E402

router.include_router(views_manage_setup.router)

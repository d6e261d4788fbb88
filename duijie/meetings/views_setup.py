"""The organiser's meeting set-up pages: consultation sessions, time slots, areas and tables, participants and
their availability, participants imported from a sheet.

Every route is the event organiser's (`allow(can_run_grid, on=event_from_slug)`). A refused form comes back
filled in, with each message beside its field, in the page's language, and nothing written (the failed write is
rolled back before the page is drawn again)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.validation import parse_id
from duijie.core.web import allow, csrf_form, get_db, render
from duijie.deals import uploads
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.meetings import queries, service, setup, setup_people, setup_sheets
from duijie.meetings.markup import email_html
from duijie.meetings.models import MeetingParticipant
from duijie.meetings.permissions import can_run_grid
from duijie.meetings.setup import Problems

router = APIRouter(include_in_schema=False)
organiser = allow(can_run_grid, on=event_from_slug)
BASE = "/events/{slug}/meetings/setup"
MAX_UPLOAD = 20 * 1024 * 1024


def _values(form: FormData, *names: str) -> dict[str, str]:
    return {n: str(form.get(n, "") or "").strip() for n in names}


def _errors(exc: DomainError) -> dict[str, str]:
    """Each field's message (a refusal without a field shows above the form)."""
    out: dict[str, str] = {}
    for d in exc.details:
        out.setdefault(d.field or "form", d.message)
    return out


def _page(
    request: Request, db: Session, event: Event, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    base = {
        "event": event,
        "zone": setup.zone_name(event),
        "failed": None,
        "errors": {},
        "values": {},
        "slot_text": lambda s: setup.slot_text(event, s),
        "clock": lambda moment: f"{setup.local(event, moment):%H:%M}",
        "session_label": _session_label,
        "area_label": _area_label,
        "email": email_html,
        "done": request.query_params.get("done"),
    }
    return render(request, f"meetings/setup/{template}", {**base, **context}, status_code=status_code)


def _session_label(session: str) -> str:
    return queries.session_label(session, is_zh())


def _area_label(area: str | None) -> str:
    return queries.area_label(area, is_zh()) or _("(no area)")


def _refused(db: Session, exc: DomainError) -> dict[str, str]:
    if exc.status_code == 403:
        raise exc
    db.rollback()
    return _errors(exc)


def _back(event: Event, rest: str) -> Response:
    return RedirectResponse(BASE.format(slug=event.slug) + rest, status_code=303)


# -- sessions and slots ----------------------------------------------------------------------------------------


def _sessions_page(
    request: Request, db: Session, event: Event, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    context = {
        "sessions": setup.sessions(db, event=event),
        "tables": sum(len(a.tables) for a in setup.areas(db, event=event)),
        "summary": service.summary(db, event=event),
        **(extra or {}),
    }
    return _page(request, db, event, "sessions.html", context, status_code)


@router.get(BASE)
def setup_home(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _sessions_page(request, db, event)


@router.post(BASE + "/sessions")
def create_session(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    values = _values(form, "label", "day", "start", "end", "slot_minutes", "break_minutes")
    problems = Problems()
    try:
        setup.create_session(
            db,
            event=event,
            actor=actor,
            label=values["label"],
            day=setup.parse_day(values["day"], "day", problems),
            start=setup.parse_clock(values["start"], "start", problems),
            end=setup.parse_clock(values["end"], "end", problems),
            slot_minutes=setup.parse_whole(values["slot_minutes"], "slot_minutes", problems, low=5, high=240),
            break_minutes=setup.parse_whole(
                values["break_minutes"], "break_minutes", problems, low=0, high=120, required=False
            ),
            problems=problems,
        )
    except DomainError as exc:
        errors = _refused(db, exc)
        extra = {"failed": "session", "errors": errors, "values": values}
        return _sessions_page(request, db, event, extra, exc.status_code)
    return _back(event, "?done=session#sessions")


@router.post(BASE + "/sessions/remove")
def remove_session(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    session = str(form.get("session", "")).strip()
    try:
        setup.remove_session(db, event=event, actor=actor, session=session)
    except DomainError as exc:
        errors = _refused(db, exc)
        extra = {"failed": "remove", "errors": {"remove": errors.get("session") or next(iter(errors.values()))},
                 "values": {"session": session}}
        return _sessions_page(request, db, event, extra, exc.status_code)
    return _back(event, "?done=session_removed#sessions")


def _slot_values(form: FormData) -> dict[str, str]:
    return _values(form, "label", "day", "start", "end")


@router.post(BASE + "/slots")
def add_slot(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    values = _slot_values(form)
    problems = Problems()
    try:
        setup.add_slot(
            db,
            event=event,
            actor=actor,
            label=values["label"],
            day=setup.parse_day(values["day"], "day", problems),
            start=setup.parse_clock(values["start"], "start", problems),
            end=setup.parse_clock(values["end"], "end", problems),
            problems=problems,
        )
    except DomainError as exc:
        errors = _refused(db, exc)
        return _sessions_page(request, db, event, {"failed": "slot", "errors": errors, "values": values}, exc.status_code)
    return _back(event, "?done=slot#sessions")


def _slot_page(
    request: Request, db: Session, event: Event, slot_id: int, extra: dict[str, Any], status_code: int = 200
) -> Response:
    slot = setup.get_slot(db, event=event, id=slot_id)
    start, end = setup.local(event, slot.starts_at), setup.local(event, slot.ends_at)
    _day, label = setup.split_session(slot.session)
    values = {"label": label, "day": start.date().isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
    context = {
        "slot": slot,
        "meetings": setup.meetings_per_slot(db, event=event).get(slot.id, 0),
        "values": values,
        **extra,
    }
    return _page(request, db, event, "slot.html", context, status_code)


@router.get(BASE + "/slots/{slot_id}")
def slot_form(
    request: Request,
    slot_id: int,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _slot_page(request, db, event, slot_id, {})


@router.post(BASE + "/slots/{slot_id}")
def update_slot(
    request: Request,
    slot_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    values = _slot_values(form)
    problems = Problems()
    try:
        slot = setup.get_slot(db, event=event, id=slot_id)
        setup.update_slot(
            db,
            event=event,
            actor=actor,
            slot=slot,
            label=values["label"],
            day=setup.parse_day(values["day"], "day", problems),
            start=setup.parse_clock(values["start"], "start", problems),
            end=setup.parse_clock(values["end"], "end", problems),
            problems=problems,
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        errors = _refused(db, exc)
        extra = {"failed": "slot", "errors": errors, "values": values}
        return _slot_page(request, db, event, slot_id, extra, exc.status_code)
    return _back(event, "?done=slot_saved#sessions")


@router.post(BASE + "/slots/{slot_id}/remove")
def remove_slot(
    request: Request,
    slot_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    try:
        setup.remove_slot(db, event=event, actor=actor, slot=setup.get_slot(db, event=event, id=slot_id))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        errors = _refused(db, exc)
        return _slot_page(request, db, event, slot_id, {"failed": "remove", "errors": {"remove": next(iter(errors.values()))}}, exc.status_code)
    return _back(event, "?done=slot_removed#sessions")


# -- areas and tables ------------------------------------------------------------------------------------------


def _tables_page(
    request: Request, db: Session, event: Event, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    areas = setup.areas(db, event=event)
    highest = max((t.number for a in areas for t in a.tables), default=0)
    context = {"areas": areas, "next_number": highest + 1, **(extra or {})}
    return _page(request, db, event, "tables.html", context, status_code)


@router.get(BASE + "/tables")
def tables_page(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _tables_page(request, db, event)


@router.post(BASE + "/tables")
def add_tables(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    values = _values(form, "count", "first", "area")
    problems = Problems()
    try:
        setup.add_tables(
            db,
            event=event,
            actor=actor,
            count=setup.parse_whole(values["count"], "count", problems, low=1, high=setup.MAX_TABLES_AT_ONCE),
            first=setup.parse_whole(values["first"], "first", problems, low=1, high=setup.TABLE_NUMBERS[1]),
            area=values["area"],
            problems=problems,
        )
    except DomainError as exc:
        errors = _refused(db, exc)
        return _tables_page(request, db, event, {"failed": "tables", "errors": errors, "values": values}, exc.status_code)
    return _back(event, "/tables?done=tables")


@router.post(BASE + "/areas/rename")
def rename_area(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    values = _values(form, "old", "new")
    try:
        setup.rename_area(db, event=event, actor=actor, old=values["old"], new=values["new"])
    except DomainError as exc:
        errors = _refused(db, exc)
        extra = {"failed": f"rename:{values['old']}", "errors": errors, "values": values}
        return _tables_page(request, db, event, extra, exc.status_code)
    return _back(event, "/tables?done=renamed")


@router.post(BASE + "/tables/remove")
def remove_table(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    number = parse_id(str(form.get("number", "")).strip())
    try:
        if number is None:
            raise DomainError(_("Choose a table."), field="table")
        setup.remove_table(db, event=event, actor=actor, number=number)
    except DomainError as exc:
        errors = _refused(db, exc)
        extra = {"failed": "remove", "errors": {"remove": next(iter(errors.values()))}}
        return _tables_page(request, db, event, extra, exc.status_code)
    return _back(event, "/tables?done=removed")


# -- participants ----------------------------------------------------------------------------------------------


def _participants_page(
    request: Request, db: Session, event: Event, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    context = {
        "rows": setup_people.participants(db, event=event),
        "slots": len(service.slots_of(db, event=event)),
        "directory": setup_people.directory_choices(db, event=event),
        **(extra or {}),
    }
    return _page(request, db, event, "participants.html", context, status_code)


@router.get(BASE + "/participants")
def participants_page(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _participants_page(request, db, event)


@router.post(BASE + "/participants")
def add_participant(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    values = _values(form, "person", "max_meetings")
    problems = Problems()
    try:
        most = setup.parse_whole(
            values["max_meetings"], "max_meetings", problems, low=1, high=setup_people.MAX_MEETINGS[1], required=False
        )
        person = None
        try:
            person = setup_people.find_person(db, values["person"])
        except DomainError as exc:
            problems.add("person", exc.message)
        problems.check()
        assert person is not None
        row = setup_people.add_participant(db, event=event, actor=actor, person=person, max_meetings=most)
    except DomainError as exc:
        errors = _refused(db, exc)
        extra = {"failed": "add", "errors": errors, "values": values}
        return _participants_page(request, db, event, extra, exc.status_code)
    return _back(event, f"/participants/{row.id}?done=added")


def _participant_page(
    request: Request,
    db: Session,
    event: Event,
    participant: MeetingParticipant,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    info = next(i for i in setup_people.participants(db, event=event) if i.participant.id == participant.id)
    free = setup_people.free_slots(db, participant=participant)
    slots = service.slots_of(db, event=event)
    context = {
        "info": info,
        "sessions": queries.sessions_of(slots, free if free is not None else {s.id for s in slots}),
        "never_said": free is None,
        "values": {"max_meetings": "" if participant.max_meetings is None else str(participant.max_meetings)},
        **(extra or {}),
    }
    return _page(request, db, event, "participant.html", context, status_code)


@router.get(BASE + "/participants/{participant_id}")
def participant_page(
    request: Request,
    participant_id: int,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    participant = service.get_participant(db, event=event, id=participant_id)
    return _participant_page(request, db, event, participant)


@router.post(BASE + "/participants/{participant_id}")
def update_participant(
    request: Request,
    participant_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    participant = service.get_participant(db, event=event, id=participant_id)
    values = _values(form, "max_meetings")
    problems = Problems()
    try:
        most = setup.parse_whole(
            values["max_meetings"], "max_meetings", problems, low=1, high=setup_people.MAX_MEETINGS[1], required=False
        )
        problems.check()
        setup_people.update_participant(db, event=event, actor=actor, participant=participant, max_meetings=most)
    except DomainError as exc:
        errors = _refused(db, exc)
        participant = service.get_participant(db, event=event, id=participant_id)
        extra = {"failed": "edit", "errors": errors, "values": values}
        return _participant_page(request, db, event, participant, extra, exc.status_code)
    return _back(event, f"/participants/{participant_id}?done=saved")


@router.post(BASE + "/participants/{participant_id}/availability")
def participant_availability(
    request: Request,
    participant_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    participant = service.get_participant(db, event=event, id=participant_id)
    try:
        ids = [parse_id(str(v)) for v in form.getlist("slot")]
        if any(i is None for i in ids):
            raise DomainError(_("Choose the time slots from the list."), field="slots")
        setup_people.set_participant_availability(
            db, event=event, actor=actor, participant=participant, slot_ids=[i for i in ids if i is not None]
        )
    except DomainError as exc:
        errors = _refused(db, exc)
        participant = service.get_participant(db, event=event, id=participant_id)
        return _participant_page(request, db, event, participant, {"failed": "slots", "errors": errors}, exc.status_code)
    return _back(event, f"/participants/{participant_id}?done=availability#availability")


@router.post(BASE + "/participants/{participant_id}/remove")
def remove_participant(
    request: Request,
    participant_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    participant = service.get_participant(db, event=event, id=participant_id)
    try:
        setup_people.remove_participant(
            db, event=event, actor=actor, participant=participant, cancel_meetings=form.get("confirm") == "1"
        )
    except DomainError as exc:
        errors = _refused(db, exc)
        participant = service.get_participant(db, event=event, id=participant_id)
        extra = {
            "failed": "remove",
            "errors": {"remove": next(iter(errors.values()))},
            "needs_confirm": isinstance(exc, setup_people.ConfirmationNeeded),
        }
        return _participant_page(request, db, event, participant, extra, exc.status_code)
    return _back(event, "/participants?done=removed")


# -- import ----------------------------------------------------------------------------------------------------


def _import_page(request: Request, db: Session, event: Event, context: dict[str, Any], status_code: int = 200) -> Response:
    page = {"report": None, "token": None, "filename": None, "error": None, "applied": False, "label_of": setup_sheets.label_of}
    return _page(request, db, event, "import.html", {**page, **context}, status_code)


@router.get(BASE + "/import")
def import_form(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _import_page(request, db, event, {})


@router.get(BASE + "/import/template.xlsx")
def import_template(event: Event = Depends(event_from_slug), actor: Actor = Depends(organiser)) -> Response:
    return Response(
        setup_sheets.template_workbook(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="duijie-participants.xlsx"'},
    )


def _uploaded(form: FormData) -> tuple[str, bytes]:
    upload = form.get("file")
    data, name = b"", "upload.xlsx"
    if isinstance(upload, UploadFile):
        upload.file.seek(0)
        data = upload.file.read(MAX_UPLOAD + 1)
        name = str(upload.filename or name)
    if not data:
        raise DomainError(_("Choose an .xlsx or .csv file to import."), field="file")
    if len(data) > MAX_UPLOAD:
        raise DomainError(_("The file is larger than 20 MB; import it with the command line."), field="file")
    return name, data


@router.post(BASE + "/import")
def import_preview(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    """Check the file and show what importing it would change; nothing is written. The file waits on the server
    under a one-time token, which is all the confirm form sends back."""
    try:
        name, data = _uploaded(form)
        report = setup_sheets.import_participants(db, event=event, actor=actor, filename=name, data=data, dry_run=True)
    except DomainError as exc:
        _refused(db, exc)
        return _import_page(request, db, event, {"error": exc.message}, exc.status_code)
    token = None if report.refused else uploads.stage(account_id=actor.account_id, filename=name, data=data)
    status = 422 if report.refused else 200
    return _import_page(request, db, event, {"report": report, "token": token, "filename": name}, status)


@router.post(BASE + "/import/confirm")
def import_confirm(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    """Import the previewed file (taken once by its token), all rows or none."""
    try:
        staged = uploads.take(str(form.get("token", "")), account_id=actor.account_id)
        report = setup_sheets.import_participants(
            db, event=event, actor=actor, filename=staged.filename, data=staged.data
        )
    except DomainError as exc:
        _refused(db, exc)
        return _import_page(request, db, event, {"error": exc.message}, exc.status_code)
    if report.refused:
        db.rollback()
        return _import_page(request, db, event, {"report": report, "filename": staged.filename}, 422)
    return _import_page(request, db, event, {"report": report, "filename": staged.filename, "applied": True})

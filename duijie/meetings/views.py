"""Meeting pages: a participant's requests, availability and agenda (web, print, iCalendar), and the organiser's
grid with the scheduler, the unscheduled requests and why, publication, placements and the check-in desk.

Each route says who may use it at its definition: `require_login` for a participant's pages, `allow(can_run_grid,
on=event_from_slug)` for the organiser's; the services check again, because the command line and the demo call
them too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core import ics
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import bilingual, is_zh
from duijie.core.i18n import gettext as _
from duijie.core.models import Notification
from duijie.core.validation import parse_id
from duijie.core.web import allow, can, csrf_form, get_db, render, require_login, safe_next
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.meetings import availability, placement, queries, requests, runs
from duijie.meetings import service as meeting_service
from duijie.meetings.enums import MeetingState, RequestState
from duijie.meetings.jobs import job_status, start_job
from duijie.meetings.markup import email_html
from duijie.meetings.models import MeetingParticipant, MeetingSlot
from duijie.meetings.permissions import can_run_grid

router = APIRouter(include_in_schema=False)
organiser = allow(can_run_grid, on=event_from_slug)


def _slot_time(slot: MeetingSlot | None) -> str:
    if slot is None:
        return ""
    return f"{meeting_service.local(slot.starts_at):%m-%d %H:%M}–{meeting_service.local(slot.ends_at):%H:%M}"


def _reason_text(row: queries.Left) -> str:
    """Why an accepted request is not on the grid, in words."""
    if row.reason == "no_common_slot":
        return _("No common free slot: the two are never free at the same time.")
    if row.reason == "participant_full":
        names = "、".join(w.name for w in row.detail.get("who", []))
        return _("Participant full: %(who)s reached the maximum number of meetings.") % {"who": names}
    if row.reason == "no_table":
        return _("No table: every table is taken whenever both are free.")
    if row.reason == "participants_busy":
        return _("Both busy: whenever both are free, one of them already meets someone else.")
    return _("Not planned yet: accepted since the last run; re-plan to place it.")


def _note_text(note: Notification) -> str:
    """An in-app notification as a sentence."""
    p = note.payload or {}
    where = {"slot": p.get("slot") or "", "table": p.get("table") or ""}
    # The names are stored in both languages (`service.payload_names`); older notes carry the Chinese only.
    sides = {
        "a": bilingual(p.get("requester"), p.get("requester_en")),
        "b": bilingual(p.get("recipient"), p.get("recipient_en")),
    }
    texts = {
        "meeting_request_new": _("%(who)s asked you for a meeting.") % {"who": sides["a"]},
        "meeting_request_accepted": _("Meeting request accepted: %(a)s → %(b)s.") % sides,
        "meeting_request_declined": _("Meeting request declined: %(a)s → %(b)s.") % sides,
        "meeting_request_cancelled": _("Meeting request cancelled: %(a)s → %(b)s.") % sides,
        "meeting_scheduled": _("Meeting scheduled: %(slot)s, table %(table)s.") % where,
        "meeting_moved": _("Meeting moved to %(slot)s, table %(table)s.") % where,
        "meeting_confirmed": _("Meeting confirmed: %(slot)s, table %(table)s.") % where,
        "meeting_held": _("Meeting held: %(slot)s, table %(table)s.") % where,
        "meeting_no_show": _("Meeting recorded as a no-show: %(slot)s, table %(table)s.") % where,
        "meeting_cancelled": _("Meeting cancelled: %(slot)s, table %(table)s.") % where,
    }
    return texts.get(note.kind, note.kind)


# What every meeting template uses besides the shared globals: state labels, local times, sessions and areas.
TEMPLATE_FUNCTIONS: dict[str, Any] = {
    "RS": RequestState,
    "MS": MeetingState,
    "slot_time": _slot_time,
    "local_time": lambda moment: f"{meeting_service.local(moment):%m-%d %H:%M}",
    "session_label": lambda s: queries.session_label(s, is_zh()),
    "area_label": lambda a: queries.area_label(a, is_zh()),
    "reason_text": _reason_text,
    "note_text": _note_text,
    "email": email_html,
}


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return render(request, template, {**TEMPLATE_FUNCTIONS, **context}, status_code=status_code)


def _int(value: Any, field: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Choose a value."), field=field) from None


def _back(slug: str, rest: str = "") -> Response:
    return RedirectResponse(f"/events/{slug}/meetings{rest}", status_code=303)


def _participant(db: Session, event: Event, actor: Actor) -> MeetingParticipant:
    me = meeting_service.participant_for(db, event=event, actor=actor)
    if me is None:
        raise PermissionDenied(_("You are not a participant of this event's meetings."))
    return me


def _home_context(
    db: Session, event: Event, actor: Actor, errors: dict[str, str], values: dict[str, Any]
) -> dict[str, Any]:
    me = meeting_service.participant_for(db, event=event, actor=actor)
    context: dict[str, Any] = {
        "event": event,
        "me": me,
        "errors": errors,
        "values": values,
        "organiser": can(actor, can_run_grid, event),
        "summary": meeting_service.summary(db, event=event),
    }
    if me is None:
        return context
    rows = queries.requests_of(db, event=event, participant=me)
    free = availability.availability_of(db, participant=me)
    context.update(
        {
            "who": queries.people(db, [me.id])[me.id],
            "incoming": [r for r in rows if r.incoming],
            "outgoing": [r for r in rows if not r.incoming],
            "sessions": queries.sessions_of(meeting_service.slots_of(db, event=event), free),
            "agenda": queries.agenda(db, event=event, participant=me),
            "notifications": queries.notifications(db, event=event, account_id=actor.account_id),
        }
    )
    return context


@router.get("/events/{slug}/meetings")
def meetings_home(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    return _render(request, "meetings/home.html", _home_context(db, event, actor, {}, {}))


@router.post("/events/{slug}/meetings/requests")
def create_request(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    values = {k: str(form.get(k, "")).strip() for k in ("recipient", "message", "opportunity", "session")}
    # The directory's form may prefer several sessions (those where both sides are free).
    sessions = [str(s).strip() for s in form.getlist("session") if str(s).strip()]
    me = meeting_service.participant_for(db, event=event, actor=actor)
    try:
        requests.request_meeting(
            db,
            event=event,
            actor=actor,
            requester=me,
            recipient_id=_int(values["recipient"], "recipient"),
            message=values["message"],
            opportunity_id=_int(values["opportunity"], "opportunity") if values["opportunity"] else None,
            sessions=sessions or None,
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        if form.get("origin") == "people":
            again = views_directory.request_form_again(
                request, db, event, actor, values, sessions, {exc.field or "form": exc.message}
            )
            if again is not None:
                return again
        context = _home_context(db, event, actor, {exc.field or "form": exc.message}, values)
        return _render(request, "meetings/home.html", context, status_code=422)
    return _back(event.slug, "#outgoing")


def _after_request_action(event: Event, form: FormData, anchor: str) -> Response:
    """Back where the form was (a page of this event's meetings), or to the list it acted on."""
    target = safe_next(form.get("next"), "")
    if target.startswith(f"/events/{event.slug}/meetings"):
        return RedirectResponse(target, status_code=303)
    return _back(event.slug, anchor)


def _answer(db: Session, event: Event, actor: Actor, request_id: int, form: FormData, accept: bool) -> Response:
    req = meeting_service.get_request(db, event=event, id=request_id)
    me = meeting_service.participant_for(db, event=event, actor=actor)
    requests.answer(db, event=event, actor=actor, request=req, participant=me, accept=accept)
    return _after_request_action(event, form, "#incoming")


@router.post("/events/{slug}/meetings/requests/{request_id}/accept")
def accept_request(
    request_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    return _answer(db, event, actor, request_id, form, accept=True)


@router.post("/events/{slug}/meetings/requests/{request_id}/decline")
def decline_request(
    request_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    return _answer(db, event, actor, request_id, form, accept=False)


@router.post("/events/{slug}/meetings/requests/{request_id}/cancel")
def cancel_request(
    request_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    req = meeting_service.get_request(db, event=event, id=request_id)
    me = meeting_service.participant_for(db, event=event, actor=actor)
    requests.cancel(db, event=event, actor=actor, request=req, participant=me)
    return _after_request_action(event, form, "#outgoing")


@router.post("/events/{slug}/meetings/requests/{request_id}/priority")
def set_request_priority(
    request_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    req = meeting_service.get_request(db, event=event, id=request_id)
    requests.set_priority(
        db, event=event, actor=actor, request=req, priority=_int(form.get("priority"), "priority")
    )
    return _after_request_action(event, form, "#outgoing")


@router.post("/events/{slug}/meetings/availability")
def save_availability(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    me = meeting_service.participant_for(db, event=event, actor=actor)
    if me is None:
        raise PermissionDenied(_("Only participants of this event have availability to set."))
    try:
        availability.set_availability(
            db,
            event=event,
            actor=actor,
            participant=me,
            slot_ids=[_int(v, "slots") for v in form.getlist("slot")],
            own=me,
        )
    except DomainError as exc:
        context = _home_context(db, event, actor, {exc.field or "slots": exc.message}, {})
        return _render(request, "meetings/home.html", context, status_code=422)
    return _back(event.slug, "?saved=availability#availability")


@router.get("/events/{slug}/meetings/schedule")
def my_schedule(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    me = _participant(db, event, actor)
    context = {
        "event": event,
        "who": queries.people(db, [me.id])[me.id],
        "agenda": queries.agenda(db, event=event, participant=me),
        "printed_at": meeting_service.local(utcnow()).strftime("%Y-%m-%d %H:%M"),
    }
    printable = request.query_params.get("print") == "1"
    return _render(request, "meetings/print.html" if printable else "meetings/schedule.html", context)


@router.get("/events/{slug}/meetings/me.ics")
def my_calendar(
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> Response:
    me = _participant(db, event, actor)
    zh = is_zh()
    venue = event.venue or bilingual(event.name_zh, event.name_en)
    entries = []
    for item in queries.agenda(db, event=event, participant=me):
        place = _("Table %(n)s") % {"n": item.table.number}
        area = queries.area_label(item.table.area, zh)
        lines = [f"{item.other.name} · {item.other.title or ''}".rstrip(" ·")]
        if item.request.state == "accepted" and (item.other.phone or item.other.email):
            lines.append(" / ".join(x for x in (item.other.phone, item.other.email) if x))
        if item.opportunity:
            lines.append(bilingual(item.opportunity.title_zh, item.opportunity.title_en))
        entries.append(
            ics.CalendarEvent(
                uid=f"meeting-{item.request.id}@{event.slug}.duijie",
                starts_at=item.slot.starts_at,
                ends_at=item.slot.ends_at,
                summary=_("Meeting: %(who)s") % {"who": item.other.org or item.other.name},
                location=" · ".join(x for x in (venue, area, place) if x),
                description="\n".join(lines),
                status="TENTATIVE" if item.meeting.state == "planned" else "CONFIRMED",
            )
        )
    body = ics.calendar(entries, name=bilingual(event.name_zh, event.name_en), stamp=utcnow())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-meetings.ics"'},
    )


# -- the organiser ---------------------------------------------------------------------------------------


def _override(form: FormData) -> bool:
    """The organiser confirmed a placement outside someone's free time (the confirmation's hidden field)."""
    return form.get("override_availability") == "1"


def _confirmation(exc: placement.OutsideAvailability, action: str, form: FormData, back: str) -> dict[str, Any]:
    """What the page asks before placing a meeting outside someone's free time: who is not available then, and
    the same form again (its fields hidden) with the override, to send; or `back` to the page, to leave."""
    fields = [(k, str(v)) for k, v in form.multi_items() if k not in ("csrf", "override_availability")]
    return {"message": exc.message, "action": action, "fields": fields, "back": back}


def _grid_context(
    request: Request,
    db: Session,
    event: Event,
    error: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    slots = meeting_service.slots_of(db, event=event)
    return {
        "event": event,
        "job": job_status(db, event),
        "summary": meeting_service.summary(db, event=event),
        "grid": queries.grid(db, event=event),
        "left": queries.unscheduled(db, event=event),
        "run": runs.last_run(db, event=event),
        "published_at": meeting_service.published_at(db, event=event),
        "slots": slots,
        "participants": queries.candidates(db, event=event, exclude=None),
        "error": error,
        "confirm": confirm,
    }


@router.get("/events/{slug}/meetings/grid")
def meeting_grid(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _render(request, "meetings/grid.html", _grid_context(request, db, event))


def _on_grid(
    request: Request,
    db: Session,
    event: Event,
    done: str,
    write: Callable[[], object],
    form: FormData | None = None,
) -> Response:
    """Run one organiser's write on the grid; a refusal shows at the top of the grid, with nothing written. A
    placement outside someone's free time comes back as a question (`form` is sent again with the override)."""
    try:
        write()
    except placement.OutsideAvailability as exc:
        db.rollback()
        back = f"/events/{event.slug}/meetings/grid"
        confirm = _confirmation(exc, request.url.path, form, back) if form is not None else None
        context = _grid_context(request, db, event, None if confirm else exc.message, confirm)
        return _render(request, "meetings/grid.html", context, status_code=exc.status_code)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        # The failed write is rolled back with the request; the grid shows the refusal at the top.
        db.rollback()
        context = _grid_context(request, db, event, exc.message)
        return _render(request, "meetings/grid.html", context, status_code=exc.status_code)
    return _back(event.slug, f"/grid?done={done}")


def _time_limit(form: FormData) -> float:
    try:
        return float(str(form.get("time_limit", "10")))
    except ValueError:
        raise DomainError(_("The time limit must be a number of seconds."), field="time_limit") from None


@router.post("/events/{slug}/meetings/grid/run")
def run_scheduler(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    """Queue the scheduler; the run goes to a background job once this request commits, and the grid page
    follows it."""
    return _on_grid(
        request,
        db,
        event,
        "run",
        lambda: start_job(
            db,
            event=event,
            actor=actor,
            time_limit=_time_limit(form),
            allow_moves=form.get("allow_moves") == "1",
        ),
    )


@router.post("/events/{slug}/meetings/grid/publish")
def publish_schedule(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _on_grid(
        request, db, event, "publish", lambda: meeting_service.publish(db, event=event, actor=actor)
    )


@router.post("/events/{slug}/meetings/grid/pin")
def pin_meeting(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    def pin() -> object:
        req = meeting_service.get_request(db, event=event, id=_int(form.get("request"), "request"))
        return placement.pin_meeting(
            db,
            event=event,
            actor=actor,
            request=req,
            slot_id=_int(form.get("slot"), "slot"),
            table_number=_int(form.get("table"), "table"),
            override_availability=_override(form),
        )

    return _on_grid(request, db, event, "pin", pin, form)


@router.post("/events/{slug}/meetings/grid/arrange")
def arrange_meeting(
    request: Request,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    return _on_grid(
        request,
        db,
        event,
        "arrange",
        lambda: placement.create_meeting(
            db,
            event=event,
            actor=actor,
            requester_id=_int(form.get("a"), "a"),
            recipient_id=_int(form.get("b"), "b"),
            slot_id=_int(form.get("slot"), "slot"),
            table_number=_int(form.get("table"), "table"),
            override_availability=_override(form),
        ),
        form,
    )


@router.get("/events/{slug}/meetings/desk")
def checkin_desk(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    slots = meeting_service.slots_of(db, event=event)
    if not slots:
        raise DomainError(_("This event has no time slots or tables for meetings yet."), field="grid")
    wanted = request.query_params.get("slot")
    slot = next((s for s in slots if str(s.id) == wanted), slots[0])
    return _render(
        request,
        "meetings/desk.html",
        {
            "event": event,
            "slots": queries.sessions_of(slots),
            "slot": slot,
            "rows": queries.desk(db, event=event, slot=slot),
            "summary": meeting_service.summary(db, event=event),
        },
    )


@router.post("/events/{slug}/meetings/m/{meeting_id}/checkin")
def check_in(
    meeting_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    slot_id = meeting.slot_id
    who = str(form.get("participant", "")).strip()
    meeting_service.check_in(
        db, event=event, actor=actor, meeting=meeting, participant_id=parse_id(who)
    )
    return _back(event.slug, f"/desk?slot={slot_id}")


@router.post("/events/{slug}/meetings/m/{meeting_id}/noshow")
def record_no_show(
    meeting_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    slot_id = meeting.slot_id
    meeting_service.record_no_show(db, event=event, actor=actor, meeting=meeting)
    return _back(event.slug, f"/desk?slot={slot_id}")


@router.post("/events/{slug}/meetings/m/{meeting_id}/unpin")
def unpin_meeting(
    meeting_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    placement.unpin(db, event=event, actor=actor, meeting=meeting)
    return _back(event.slug, "/grid?done=unpin#grid")


def _move_page(
    request: Request,
    db: Session,
    event: Event,
    meeting_id: int,
    *,
    error: str | None = None,
    confirm: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    context = {
        "event": event,
        "view": queries.move_choices(db, event=event, meeting=meeting),
        "error": error,
        "confirm": confirm,
    }
    return _render(request, "meetings/move.html", context, status_code=status_code)


@router.get("/events/{slug}/meetings/m/{meeting_id}/move")
def move_form(
    request: Request,
    meeting_id: int,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    """Where a placed meeting can go: the slots where both sides are free first, each with its free tables;
    then those outside someone's free time; and the unpin, when it is pinned."""
    return _move_page(request, db, event, meeting_id)


@router.post("/events/{slug}/meetings/m/{meeting_id}/move")
def move_meeting(
    request: Request,
    meeting_id: int,
    event: Event = Depends(event_from_slug),
    form: FormData = Depends(csrf_form),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> Response:
    """Move the meeting to the slot and table chosen and pin it there (`placement.move_meeting`: audited, both
    sides notified, the calendars' SEQUENCE raised under the same UID). A place outside someone's free time
    asks first; any other refusal shows on the page, with nothing moved."""
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    try:
        placement.move_meeting(
            db,
            event=event,
            actor=actor,
            meeting=meeting,
            slot_id=_int(form.get("slot"), "slot"),
            table_number=_int(form.get("table"), "table"),
            override_availability=_override(form),
        )
    except placement.OutsideAvailability as exc:
        db.rollback()
        confirm = _confirmation(exc, request.url.path, form, request.url.path)
        return _move_page(request, db, event, meeting_id, confirm=confirm, status_code=exc.status_code)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        db.rollback()
        return _move_page(request, db, event, meeting_id, error=exc.message, status_code=exc.status_code)
    return _back(event.slug, "/grid?done=move#grid")


# The set-up pages and the calendar feeds live in their own files; their routes are served with these.
from duijie.meetings import views_directory, views_feeds, views_setup  # noqa: E402

router.include_router(views_setup.router)
router.include_router(views_feeds.router)
router.include_router(views_directory.router)
# The calendar API (`/api/v1/me/calendar`) is served by the app beside these pages, in the API's schema.
api_routers = (views_feeds.api,)

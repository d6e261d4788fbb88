"""`/api/v1/events/{slug}/meetings`: requests and answers, availability, one's schedule, and the organiser's
grid, unscheduled requests, scheduling run, publication and check-in, for other systems of the organiser.

The summary and the slot grid are public on purpose (an organiser publishes them); a participant's routes need a
login (401 without one), the organiser's `allow(can_run_grid)` (403 for anyone else)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.schemas import ErrorBody
from duijie.core.validation import PathId
from duijie.core.web import allow, get_db, require_login
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.meetings import availability, queries, requests
from duijie.meetings import service as meeting_service
from duijie.meetings.jobs import SchedulingJob, job_status, start_job
from duijie.meetings.models import Meeting, MeetingParticipant, MeetingTable
from duijie.meetings.permissions import can_run_grid
from duijie.meetings.schemas import (
    AgendaRead,
    AvailabilityRead,
    AvailabilityWrite,
    CheckInWrite,
    ConfirmedRead,
    GridMeetingRead,
    JobRead,
    MeetingSummary,
    MyRequestRead,
    PartyRead,
    RequestCreate,
    RequestRead,
    RunWrite,
    SlotRead,
    UnscheduledRead,
)

router = APIRouter(
    prefix="/api/v1/events/{slug}/meetings",
    tags=["meetings"],
    responses={
        401: {"model": ErrorBody},
        403: {"model": ErrorBody},
        404: {"model": ErrorBody},
        409: {"model": ErrorBody},
        422: {"model": ErrorBody},
    },
)
organiser = allow(can_run_grid, on=event_from_slug)


def _me(db: Session, event: Event, actor: Actor) -> MeetingParticipant:
    me = meeting_service.participant_for(db, event=event, actor=actor)
    if me is None:
        raise PermissionDenied(_("You are not a participant of this event's meetings."))
    return me


def _party(who: queries.Who, *, contact: bool) -> PartyRead:
    return PartyRead(
        participant_id=who.id,
        name=who.name,
        organisation=who.org or None,
        email=who.email if contact else None,
        phone=who.phone if contact else None,
    )


def _job(event: Event, job: SchedulingJob | None) -> JobRead:
    """The API form of a stored job (a never-run event has state null)."""
    if job is None:
        return JobRead(event=event.slug, state=None, running=False)
    # The stored fields the API shows (JobRead ignores the others: the account id, the language).
    return JobRead.model_validate(
        {**job.stored(), "event": event.slug, "running": job.running, "elapsed": job.elapsed}
    )


@router.get("/summary", response_model=MeetingSummary)
def meeting_summary(event: Event = Depends(event_from_slug), db: Session = Depends(get_db)) -> MeetingSummary:
    """Requests, accepted, scheduled, held: the counts an organiser publishes."""
    return meeting_service.summary(db, event=event)


@router.get("/slots", response_model=list[SlotRead])
def meeting_slots(event: Event = Depends(event_from_slug), db: Session = Depends(get_db)) -> list[SlotRead]:
    """The event's slot grid in time order."""
    return [
        SlotRead(
            id=s.id, starts_at=s.starts_at, ends_at=s.ends_at, session=s.session, table_count=s.table_count
        )
        for s in meeting_service.slots_of(db, event=event)
    ]


@router.get("/me/requests", response_model=list[MyRequestRead])
def my_requests(
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> list[MyRequestRead]:
    """My requests in and out; the other side's contacts only once accepted."""
    me = _me(db, event, actor)
    return [
        MyRequestRead(
            **RequestRead.of(row.request).model_dump(),
            incoming=row.incoming,
            other=_party(row.other, contact=row.show_contact),
            meeting_id=row.meeting.id if row.meeting else None,
            starts_at=row.slot.starts_at if row.slot else None,
            table=row.table.number if row.table else None,
        )
        for row in queries.requests_of(db, event=event, participant=me)
    ]


@router.post("/requests", response_model=RequestRead, status_code=201)
def create_request(
    body: RequestCreate,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> RequestRead:
    """Ask another participant for a meeting."""
    me = _me(db, event, actor)
    request = requests.request_meeting(
        db,
        event=event,
        actor=actor,
        requester=me,
        recipient_id=body.recipient_id,
        message=body.message,
        opportunity_id=body.opportunity_id,
        sessions=body.sessions,
    )
    return RequestRead.of(request)


def _answer(db: Session, event: Event, actor: Actor, request_id: int, *, accept: bool) -> RequestRead:
    request = meeting_service.get_request(db, event=event, id=request_id)
    me = meeting_service.participant_for(db, event=event, actor=actor)
    requests.answer(db, event=event, actor=actor, request=request, participant=me, accept=accept)
    return RequestRead.of(request)


@router.post("/requests/{request_id}/accept", response_model=RequestRead)
def accept_request(
    request_id: PathId,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> RequestRead:
    """Accept a request I received (or, as the organiser, any request of the event)."""
    return _answer(db, event, actor, request_id, accept=True)


@router.post("/requests/{request_id}/decline", response_model=RequestRead)
def decline_request(
    request_id: PathId,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> RequestRead:
    """Decline a request I received (or, as the organiser, any request of the event)."""
    return _answer(db, event, actor, request_id, accept=False)


@router.post("/requests/{request_id}/cancel", response_model=RequestRead)
def cancel_request(
    request_id: PathId,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> RequestRead:
    """Withdraw a request of mine, in either direction: the pair's requests and their meeting end."""
    request = meeting_service.get_request(db, event=event, id=request_id)
    me = meeting_service.participant_for(db, event=event, actor=actor)
    requests.cancel(db, event=event, actor=actor, request=request, participant=me)
    return RequestRead.of(request)


@router.get("/me/availability", response_model=AvailabilityRead)
def my_availability(
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> AvailabilityRead:
    """The slots I marked free (null: never set, free throughout)."""
    free = availability.availability_of(db, participant=_me(db, event, actor))
    return AvailabilityRead(slot_ids=sorted(free) if free is not None else None)


@router.put("/me/availability", response_model=AvailabilityRead)
def set_my_availability(
    body: AvailabilityWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> AvailabilityRead:
    """Replace the slots I am free in."""
    me = _me(db, event, actor)
    free = availability.set_availability(
        db, event=event, actor=actor, participant=me, slot_ids=body.slot_ids, own=me
    )
    return AvailabilityRead(slot_ids=sorted(free))


@router.get("/me/schedule", response_model=list[AgendaRead])
def my_schedule(
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> list[AgendaRead]:
    """My meetings in time order."""
    return [
        AgendaRead(
            meeting_id=item.meeting.id,
            request_id=item.request.id,
            state=item.meeting.state,
            starts_at=item.slot.starts_at,
            ends_at=item.slot.ends_at,
            table=item.table.number,
            area=item.table.area,
            other=_party(item.other, contact=item.request.state == "accepted"),
        )
        for item in queries.agenda(db, event=event, participant=_me(db, event, actor))
    ]


@router.get("/grid", response_model=list[GridMeetingRead])
def grid(
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> list[GridMeetingRead]:
    """Every meeting at its slot and table (organiser)."""
    view = queries.grid(db, event=event)
    numbers = {t.id: t.number for t in view.tables}
    return [
        GridMeetingRead(
            meeting_id=c.meeting.id,
            request_id=c.meeting.request_id,
            slot_id=slot_id,
            table=numbers[table_id],
            state=c.meeting.state,
            pinned=c.meeting.pinned,
            participant_ids=(c.a.id, c.b.id),
        )
        for (slot_id, table_id), c in sorted(view.cells.items())
    ]


@router.get("/unscheduled", response_model=list[UnscheduledRead])
def unscheduled(
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> list[UnscheduledRead]:
    """Accepted requests not on the grid, with the reason code (organiser)."""
    return [
        UnscheduledRead(request_id=row.request.id, participant_ids=(row.a.id, row.b.id), reason=row.reason)
        for row in queries.unscheduled(db, event=event)
    ]


@router.post("/schedule", response_model=JobRead, status_code=202)
def run_schedule(
    body: RunWrite,
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> JobRead:
    """Queue a scheduling run of the event's meetings (202); follow it at `GET .../meetings/job`. A second
    run while one is queued or running is refused (409)."""
    job = start_job(
        db,
        event=event,
        actor=actor,
        time_limit=body.time_limit,
        allow_moves=body.allow_moves,
    )
    job.running = True
    return _job(event, job)


@router.get("/job", response_model=JobRead)
def scheduling_job(
    request: Request,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> JobRead:
    """The event's last or current scheduling job: state, step, times, the run's report or the error."""
    return _job(event, job_status(db, event))


@router.post("/publish", response_model=ConfirmedRead)
def publish(
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> ConfirmedRead:
    """Confirm every planned meeting."""
    return ConfirmedRead(confirmed=meeting_service.publish(db, event=event, actor=actor))


@router.post("/meetings/{meeting_id}/check-in", response_model=GridMeetingRead)
def check_in(
    meeting_id: PathId,
    body: CheckInWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> GridMeetingRead:
    """Record an arrival (one participant, or both when none is named)."""
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    meeting_service.check_in(
        db, event=event, actor=actor, meeting=meeting, participant_id=body.participant_id
    )
    return _grid_meeting(db, meeting)


@router.post("/meetings/{meeting_id}/no-show", response_model=GridMeetingRead)
def no_show(
    meeting_id: PathId,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> GridMeetingRead:
    """Record that the meeting did not take place."""
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    meeting_service.record_no_show(db, event=event, actor=actor, meeting=meeting)
    return _grid_meeting(db, meeting)


def _grid_meeting(db: Session, meeting: Meeting) -> GridMeetingRead:
    table = db.get(MeetingTable, meeting.table_id)
    seats = sorted(s.participant_id for s in meeting.seats)
    return GridMeetingRead(
        meeting_id=meeting.id,
        request_id=meeting.request_id,
        slot_id=meeting.slot_id,
        table=table.number if table else 0,
        state=meeting.state,
        pinned=meeting.pinned,
        participant_ids=(seats[0], seats[1]),
    )


# The set-up routes (sessions, slots, tables, participants) live in their own file, under this prefix.
from duijie.meetings import api_setup  # noqa: E402

router.include_router(api_setup.router)

# The participant directory's routes (`/people`, a profile, common free slots) live with its pages.
from duijie.meetings import views_directory  # noqa: E402

router.include_router(views_directory.api)

# The organiser's hand on the grid (pin, move, arrange, unpin) lives in its own file, under this prefix.
from duijie.meetings import api_grid  # noqa: E402

router.include_router(api_grid.router)

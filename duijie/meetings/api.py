"""`/api/v1/events/{slug}/meetings`: requests and answers, availability, one's schedule, and the organiser's
grid, unscheduled requests, scheduling run, publication and check-in, for other systems of the organiser."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.jobs import start_thread
from duijie.core.schemas import ErrorBody
from duijie.core.web import get_actor, get_db
from duijie.events.models import Event
from duijie.meetings import queries
from duijie.meetings import service as meeting_service
from duijie.meetings.jobs import job_status, start_job
from duijie.meetings.models import Meeting, MeetingParticipant, MeetingRequest, MeetingTable
from duijie.meetings.permissions import can_run_grid

router = APIRouter(
    prefix="/api/v1/events/{slug}/meetings",
    tags=["meetings"],
    responses={
        403: {"model": ErrorBody},
        404: {"model": ErrorBody},
        409: {"model": ErrorBody},
        422: {"model": ErrorBody},
    },
)


class RequestCreate(BaseModel):
    recipient_id: int
    message: str | None = Field(default=None, max_length=meeting_service.MESSAGE_MAX)
    opportunity_id: int | None = None
    sessions: list[str] | None = None


class RequestRead(BaseModel):
    id: int
    requester_id: int
    recipient_id: int
    state: str
    priority: int
    message: str | None
    opportunity_id: int | None
    created_at: dt.datetime
    answered_at: dt.datetime | None

    @classmethod
    def of(cls, r: MeetingRequest) -> RequestRead:
        """The API form of a request row."""
        return cls(
            id=r.id,
            requester_id=r.requester_id,
            recipient_id=r.recipient_id,
            state=r.state,
            priority=r.priority,
            message=r.message,
            opportunity_id=r.opportunity_id,
            created_at=r.created_at,
            answered_at=r.answered_at,
        )


class PartyRead(BaseModel):
    participant_id: int
    name: str
    organisation: str | None
    email: str | None = None
    phone: str | None = None


class MyRequestRead(RequestRead):
    incoming: bool
    other: PartyRead
    meeting_id: int | None
    starts_at: dt.datetime | None
    table: int | None


class AgendaRead(BaseModel):
    meeting_id: int
    request_id: int
    state: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    table: int
    area: str | None
    other: PartyRead


class AvailabilityWrite(BaseModel):
    slot_ids: list[int]


class AvailabilityRead(BaseModel):
    slot_ids: list[int] | None


class SlotRead(BaseModel):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    session: str
    table_count: int


class GridMeetingRead(BaseModel):
    meeting_id: int
    request_id: int
    slot_id: int
    table: int
    state: str
    pinned: bool
    participant_ids: tuple[int, int]


class UnscheduledRead(BaseModel):
    request_id: int
    participant_ids: tuple[int, int]
    reason: str


class RunWrite(BaseModel):
    time_limit: float = Field(default=10.0, gt=0, le=meeting_service.TIME_LIMIT_MAX)
    allow_moves: bool = False


class RunRead(BaseModel):
    """A scheduling run's figures next to the first-come baseline on the same instance."""

    at: str
    seconds: float
    time_limit: float
    allow_moves: bool
    status: str
    requests: int
    meetings: int
    objective: float
    upper_bound: float
    gap: float
    idle_gaps: int
    idle_gaps_bound: int | None = None
    unscheduled: int
    greedy_meetings: int
    greedy_objective: float
    greedy_idle_gaps: int
    added: int
    moved: int
    removed: int
    kept: int
    attempts: int = 1


class JobRead(BaseModel):
    """The event's scheduling job: queued, running, done (with the run's report) or failed (with the error)."""

    event: str
    state: str | None
    running: bool
    queued: str | None = None
    started: str | None = None
    finished: str | None = None
    elapsed: int | None = None
    step: str | None = None
    time_limit: float | None = None
    allow_moves: bool | None = None
    by: str | None = None
    attempts: int = 0
    report: RunRead | None = None
    error: str | None = None

    @classmethod
    def of(cls, event: Event, job: dict[str, Any] | None) -> JobRead:
        """The API form of a stored job (a never-run event has state null)."""
        if job is None:
            return cls(event=event.slug, state=None, running=False)
        return cls(
            event=event.slug, **{k: v for k, v in job.items() if k in cls.model_fields and k != "event"}
        )


class CheckInWrite(BaseModel):
    participant_id: int | None = None


class SummaryRead(BaseModel):
    participants: int
    requests: int
    pending: int
    accepted: int
    declined: int
    cancelled: int
    scheduled: int
    planned: int
    confirmed: int
    held: int
    no_show: int


def _me(db: Session, event: Event, actor: Actor) -> MeetingParticipant:
    me = meeting_service.participant_for(db, event=event, actor=actor)
    if me is None:
        raise PermissionDenied(_("You are not a participant of this event's meetings."))
    return me


def _organiser(actor: Actor, event: Event) -> None:
    if not can_run_grid(actor, event):
        raise PermissionDenied(_("Only the organiser can see the meeting grid."))


def _party(who: queries.Who, *, contact: bool) -> PartyRead:
    return PartyRead(
        participant_id=who.id,
        name=who.name,
        organisation=who.org or None,
        email=who.email if contact else None,
        phone=who.phone if contact else None,
    )


@router.get("/summary", response_model=SummaryRead)
def meeting_summary(slug: str, db: Session = Depends(get_db)) -> SummaryRead:
    """Requests, accepted, scheduled, held: the counts an organiser publishes."""
    event = meeting_service.get_event(db, slug=slug)
    return SummaryRead(**meeting_service.summary(db, event=event).__dict__)


@router.get("/slots", response_model=list[SlotRead])
def meeting_slots(slug: str, db: Session = Depends(get_db)) -> list[SlotRead]:
    """The event's slot grid in time order."""
    event = meeting_service.get_event(db, slug=slug)
    return [
        SlotRead(
            id=s.id, starts_at=s.starts_at, ends_at=s.ends_at, session=s.session, table_count=s.table_count
        )
        for s in meeting_service.slots_of(db, event=event)
    ]


@router.get("/me/requests", response_model=list[MyRequestRead])
def my_requests(
    slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> list[MyRequestRead]:
    """My requests in and out; the other side's contacts only once accepted."""
    event = meeting_service.get_event(db, slug=slug)
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
    slug: str, body: RequestCreate, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> RequestRead:
    """Ask another participant for a meeting."""
    event = meeting_service.get_event(db, slug=slug)
    me = _me(db, event, actor)
    request = meeting_service.request_meeting(
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


@router.post("/requests/{request_id}/{action}", response_model=RequestRead)
def act_on_request(
    slug: str, request_id: int, action: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> RequestRead:
    """`accept`, `decline` or `cancel` a request."""
    event = meeting_service.get_event(db, slug=slug)
    request = meeting_service.get_request(db, event=event, id=request_id)
    me = meeting_service.participant_for(db, event=event, actor=actor)
    if action in ("accept", "decline"):
        meeting_service.answer(
            db, event=event, actor=actor, request=request, participant=me, accept=action == "accept"
        )
    elif action == "cancel":
        meeting_service.cancel(db, event=event, actor=actor, request=request, participant=me)
    else:
        raise DomainError(_("Unknown action: %(a)s") % {"a": action}, field="action")
    return RequestRead.of(request)


@router.get("/me/availability", response_model=AvailabilityRead)
def my_availability(
    slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> AvailabilityRead:
    """The slots I marked free (null: never set, free throughout)."""
    event = meeting_service.get_event(db, slug=slug)
    free = meeting_service.availability_of(db, participant=_me(db, event, actor))
    return AvailabilityRead(slot_ids=sorted(free) if free is not None else None)


@router.put("/me/availability", response_model=AvailabilityRead)
def set_my_availability(
    slug: str, body: AvailabilityWrite, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> AvailabilityRead:
    """Replace the slots I am free in."""
    event = meeting_service.get_event(db, slug=slug)
    me = _me(db, event, actor)
    free = meeting_service.set_availability(
        db, event=event, actor=actor, participant=me, slot_ids=body.slot_ids, own=me
    )
    return AvailabilityRead(slot_ids=sorted(free))


@router.get("/me/schedule", response_model=list[AgendaRead])
def my_schedule(
    slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> list[AgendaRead]:
    """My meetings in time order."""
    event = meeting_service.get_event(db, slug=slug)
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
    slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> list[GridMeetingRead]:
    """Every meeting at its slot and table (organiser)."""
    event = meeting_service.get_event(db, slug=slug)
    _organiser(actor, event)
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
    slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> list[UnscheduledRead]:
    """Accepted requests not on the grid, with the reason code (organiser)."""
    event = meeting_service.get_event(db, slug=slug)
    _organiser(actor, event)
    return [
        UnscheduledRead(request_id=row.request.id, participant_ids=(row.a.id, row.b.id), reason=row.reason)
        for row in queries.unscheduled(db, event=event)
    ]


@router.post("/schedule", response_model=JobRead, status_code=202)
def run_schedule(
    slug: str,
    body: RunWrite,
    request: Request,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> JobRead:
    """Queue a scheduling run of the event's meetings (202); follow it at `GET .../meetings/job`. A second
    run while one is queued or running is refused (409)."""
    event = meeting_service.get_event(db, slug=slug)
    job = start_job(
        db,
        event=event,
        actor=actor,
        factory=request.app.state.sessionmaker,
        time_limit=body.time_limit,
        allow_moves=body.allow_moves,
        launch=getattr(request.app.state, "job_launcher", start_thread),
    )
    return JobRead.of(event, {**job, "running": True})


@router.get("/job", response_model=JobRead)
def scheduling_job(
    slug: str, request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> JobRead:
    """The event's last or current scheduling job: state, step, times, the run's report or the error."""
    event = meeting_service.get_event(db, slug=slug)
    _organiser(actor, event)
    return JobRead.of(event, job_status(db, event, request.app.state.sessionmaker))


@router.post("/publish")
def publish(slug: str, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)) -> dict[str, int]:
    """Confirm every planned meeting."""
    event = meeting_service.get_event(db, slug=slug)
    return {"confirmed": meeting_service.publish(db, event=event, actor=actor)}


@router.post("/meetings/{meeting_id}/check-in", response_model=GridMeetingRead)
def check_in(
    slug: str,
    meeting_id: int,
    body: CheckInWrite,
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> GridMeetingRead:
    """Record an arrival (one participant, or both when none is named)."""
    event = meeting_service.get_event(db, slug=slug)
    meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    meeting_service.check_in(
        db, event=event, actor=actor, meeting=meeting, participant_id=body.participant_id
    )
    return _grid_meeting(db, meeting)


@router.post("/meetings/{meeting_id}/no-show", response_model=GridMeetingRead)
def no_show(
    slug: str, meeting_id: int, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)
) -> GridMeetingRead:
    """Record that the meeting did not take place."""
    event = meeting_service.get_event(db, slug=slug)
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

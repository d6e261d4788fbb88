"""`/api/v1/events/{slug}/meetings/...`: the organiser's hand on the grid through the API, the twin of the grid
page's forms: place (pin) an accepted request at a slot and table, move a meeting already on the grid, arrange
a meeting between two participants, unpin. Included by `meetings.api` under its prefix; every route is the
event organiser's (`allow(can_run_grid)`, the grid page's rule: 401 without a login, 403 for anyone else).

Every write goes through `meetings.placement`, as the page's do, so a move keeps the meeting's calendar UID and
raises its SEQUENCE exactly as on the page. A refusal is the placement's own, in the request's language: 422
naming what clashes (the table taken, the participant already meeting someone then, no such table), 409 for
a meeting that has already taken place, and 409 for a place outside the time a side marked free unless the body
says `"override_availability": true` (the page asks for the same confirmation); its `field` names the body's
field (`slot_id`, `table`, `a`, `b`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.validation import PathId
from duijie.core.web import allow, get_db
from duijie.events.deps import event_from_slug
from duijie.events.models import Event
from duijie.meetings import placement
from duijie.meetings import service as meeting_service
from duijie.meetings.models import Meeting, MeetingRequest, MeetingTable
from duijie.meetings.permissions import can_run_grid
from duijie.meetings.schemas import GridMeetingRead
from duijie.meetings.schemas_grid import ArrangeWrite, PlaceWrite

router = APIRouter()
organiser = allow(can_run_grid, on=event_from_slug)

# The placement's field names (those of the page's forms) -> the API body's.
API_FIELDS: Mapping[str, str] = MappingProxyType(
    {"slot": "slot_id", "request": "request_id", "recipient": "b", "meeting": "meeting_id"}
)


@contextmanager
def _as_api_fields(**more: str) -> Iterator[None]:
    """Let a placement refusal through with the API's field names (`more` adds some), its message and status
    untouched."""
    names = {**API_FIELDS, **more}
    try:
        yield
    except DomainError as exc:
        exc.field = names.get(exc.field or "", exc.field)
        for detail in exc.details:
            detail.field = names.get(detail.field or "", detail.field)
        raise


def _read(db: Session, meeting: Meeting) -> GridMeetingRead:
    """The meeting as the grid's API lists it."""
    table = db.get(MeetingTable, meeting.table_id)
    return GridMeetingRead(
        meeting_id=meeting.id,
        request_id=meeting.request_id,
        slot_id=meeting.slot_id,
        table=table.number if table else 0,
        state=meeting.state,
        pinned=meeting.pinned,
        participant_ids=sorted(s.participant_id for s in meeting.seats),
    )


def _pin(db: Session, event: Event, actor: Actor, request: MeetingRequest, body: PlaceWrite) -> GridMeetingRead:
    with _as_api_fields():
        meeting = placement.pin_meeting(
            db,
            event=event,
            actor=actor,
            request=request,
            slot_id=body.slot_id,
            table_number=body.table,
            override_availability=body.override_availability,
        )
    return _read(db, meeting)


@router.post("/requests/{request_id}/pin", response_model=GridMeetingRead)
def pin_request(
    request_id: PathId,
    body: PlaceWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> GridMeetingRead:
    """Place an accepted request's meeting at the slot and table and pin it there (the grid's "Pin here"); a
    meeting the pair already has is moved there."""
    with _as_api_fields():
        request = meeting_service.get_request(db, event=event, id=request_id)
    return _pin(db, event, actor, request, body)


@router.post("/meetings/{meeting_id}/move", response_model=GridMeetingRead)
def move_meeting(
    meeting_id: PathId,
    body: PlaceWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> GridMeetingRead:
    """Move a meeting on the grid to another slot and table and pin it there; it keeps its calendar UID and
    its SEQUENCE rises, so both sides' calendars update. The answer carries the meeting's new id."""
    with _as_api_fields():
        meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
        moved = placement.move_meeting(
            db,
            event=event,
            actor=actor,
            meeting=meeting,
            slot_id=body.slot_id,
            table_number=body.table,
            override_availability=body.override_availability,
        )
    return _read(db, moved)


@router.post("/arrange", response_model=GridMeetingRead, status_code=201)
def arrange_meeting(
    body: ArrangeWrite,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> GridMeetingRead:
    """Arrange a meeting between two participants (VIP, government): accepted on both sides' behalf and pinned
    at the slot and table; if the two already have a meeting, it is moved there."""
    # Each side named first, so an unknown participant is refused on its own field.
    for side, participant_id in (("a", body.a), ("b", body.b)):
        with _as_api_fields(participant=side):
            meeting_service.get_participant(db, event=event, id=participant_id)
    with _as_api_fields():
        meeting = placement.create_meeting(
            db,
            event=event,
            actor=actor,
            requester_id=body.a,
            recipient_id=body.b,
            slot_id=body.slot_id,
            table_number=body.table,
            override_availability=body.override_availability,
        )
    return _read(db, meeting)


@router.post("/meetings/{meeting_id}/unpin", response_model=GridMeetingRead)
def unpin_meeting(
    meeting_id: PathId,
    event: Event = Depends(event_from_slug),
    db: Session = Depends(get_db),
    actor: Actor = Depends(organiser),
) -> GridMeetingRead:
    """Let the scheduler move a pinned meeting again (it stays where it is until the next run)."""
    with _as_api_fields():
        meeting = meeting_service.get_meeting(db, event=event, id=meeting_id)
    return _read(db, placement.unpin(db, event=event, actor=actor, meeting=meeting))

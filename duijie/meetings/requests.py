"""A participant's meeting requests: asking, answering, withdrawing, and the organiser's priority on them.

Every state change goes through `service.set_request_state` (and `service.set_meeting_state` for the meeting a
withdrawal ends), so each write is audited and both sides are told.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, InvalidTransition, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.meetings import service
from duijie.meetings.enums import MeetingState, RequestState
from duijie.meetings.models import MeetingParticipant, MeetingRequest
from duijie.meetings.permissions import can_answer_request, can_cancel_request, can_run_grid
from duijie.meetings.schemas import MESSAGE_MAX


def request_meeting(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    requester: MeetingParticipant | None,
    recipient_id: int,
    message: str | None = None,
    opportunity_id: int | None = None,
    sessions: list[str] | None = None,
) -> MeetingRequest:
    """Ask another participant for a meeting; if they already asked for one with us, both are accepted."""
    if requester is None or requester.event_id != event.id:
        raise PermissionDenied(_("Only participants of this event can request meetings."))
    recipient = service.get_participant(db, event=event, id=recipient_id)
    if recipient.id == requester.id:
        raise DomainError(_("You cannot request a meeting with yourself."), field="recipient")
    message = (message or "").strip() or None
    if message and len(message) > MESSAGE_MAX:
        raise DomainError(
            _("The message is too long: at most %(n)s characters.") % {"n": MESSAGE_MAX}, field="message"
        )
    if opportunity_id is not None and db.get(Opportunity, opportunity_id) is None:
        raise DomainError(_("No such project: %(id)s") % {"id": opportunity_id}, field="opportunity")
    if sessions:
        known = {s.session for s in service.slots_of(db, event=event)}
        unknown = [s for s in sessions if s not in known]
        if unknown:
            raise DomainError(_("Unknown session: %(s)s") % {"s": unknown[0]}, field="sessions")
    existing = service.pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id)
    names = service.display_names(db, [recipient.id])
    own = next((r for r in existing if r.requester_id == requester.id), None)
    if own is not None:
        raise DomainError(
            _("You have already asked %(who)s for a meeting (%(state)s).")
            % {"who": names[recipient.id], "state": service.state_label(RequestState, own.state)},
            field="recipient",
        )
    reverse = next((r for r in existing if r.requester_id == recipient.id and r.state in service.ACTIVE), None)
    request = MeetingRequest(
        event_id=event.id,
        requester_id=requester.id,
        recipient_id=recipient.id,
        opportunity_id=opportunity_id,
        message=message,
        sessions=list(sessions) if sessions else None,
        state="requested",
    )
    db.add(request)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_request",
        entity_id=request.id,
        action="request_created",
        after={"requester_id": requester.id, "recipient_id": recipient.id, "opportunity_id": opportunity_id},
        event_id=event.id,
    )
    service.notify_participants(
        db,
        event_id=event.id,
        actor=actor,
        participant_ids=[recipient.id],
        kind="meeting_request_new",
        payload={
            "request_id": request.id,
            **service.payload_names(db, [requester.id], "requester")[requester.id],
        },
    )
    if reverse is not None:
        # Both sides asked: the interest is mutual, so neither needs to wait for the other's answer.
        if reverse.state == "requested":
            service.set_request_state(db, actor=actor, request=reverse, to="accepted", note="mutual")
        service.set_request_state(db, actor=actor, request=request, to="accepted", note="mutual")
    db.flush()
    return request


def answer(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    request: MeetingRequest,
    participant: MeetingParticipant | None,
    accept: bool,
) -> MeetingRequest:
    """The recipient (or the organiser) accepts or declines a request."""
    require(
        can_answer_request,
        actor,
        (request, participant),
        message=_("Only the participant who received this request can answer it."),
    )
    return service.set_request_state(db, actor=actor, request=request, to="accepted" if accept else "declined")


def cancel(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    request: MeetingRequest,
    participant: MeetingParticipant | None,
) -> MeetingRequest:
    """Either side (or the organiser) withdraws: the two participants' requests and their meeting end."""
    require(
        can_cancel_request,
        actor,
        (request, participant),
        message=_("Only the two participants of this request can cancel it."),
    )
    meeting = service.pair_meeting(db, event_id=event.id, a=request.requester_id, b=request.recipient_id)
    if meeting is not None and meeting.state in ("held", "no_show"):
        raise InvalidTransition(
            _("This meeting has already taken place (%(state)s) and cannot be cancelled.")
            % {"state": service.state_label(MeetingState, meeting.state)},
            field="state",
        )
    if request.state not in service.ACTIVE:
        service.set_request_state(db, actor=actor, request=request, to="cancelled")
    for r in service.pair_requests(db, event_id=event.id, a=request.requester_id, b=request.recipient_id):
        if r.state in service.ACTIVE:
            service.set_request_state(db, actor=actor, request=r, to="cancelled")
    if meeting is not None:
        service.set_meeting_state(db, actor=actor, meeting=meeting, to="cancelled", note="request cancelled")
    return request


def set_priority(
    db: Session, *, event: Event, actor: Actor, request: MeetingRequest, priority: int
) -> MeetingRequest:
    """The organiser weighs a request (1 normal, 2 important, 3 VIP) for the next scheduling run."""
    require(can_run_grid, actor, event, message=_("Only the organiser can set priorities."))
    if priority not in service.PRIORITIES:
        raise DomainError(_("Priority must be 1, 2 or 3."), field="priority")
    audit.apply(
        db,
        actor=actor,
        obj=request,
        changes={"priority": priority},
        entity_type="meeting_request",
        action="request_priority",
        event_id=event.id,
    )
    return request

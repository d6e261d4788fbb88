"""The organiser's hand on the grid: pinning an accepted request at a slot and table, arranging a meeting
between two participants directly, unpinning; and `place`, the one write of a meeting and its two seats."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, InvalidTransition
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.events.models import Event
from duijie.meetings import service
from duijie.meetings.feed_changes import carry, retire
from duijie.meetings.models import Meeting, MeetingRequest, MeetingSeat, MeetingSlot, MeetingTable
from duijie.meetings.permissions import can_run_grid


def _seat_conflict(
    db: Session, *, event: Event, request: MeetingRequest, slot: MeetingSlot, table: MeetingTable
) -> str | None:
    """Say what already occupies the place a meeting is asked to go, before the constraint says it bluntly."""
    holder = db.scalar(select(Meeting).where(Meeting.slot_id == slot.id, Meeting.table_id == table.id))
    if holder is not None and holder.request_id != request.id:
        return _("Table %(table)s is already taken at %(slot)s.") % {
            "table": table.number,
            "slot": service.slot_label(slot),
        }
    for pid in (request.requester_id, request.recipient_id):
        busy = db.scalar(
            select(MeetingSeat)
            .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
            .where(
                MeetingSeat.participant_id == pid,
                MeetingSeat.slot_id == slot.id,
                Meeting.request_id != request.id,
            )
        )
        if busy is not None:
            return _("%(who)s already has a meeting at %(slot)s.") % {
                "who": service.display_names(db, [pid])[pid],
                "slot": service.slot_label(slot),
            }
    return None


def new_meeting(
    event: Event,
    request: MeetingRequest,
    slot: MeetingSlot,
    table: MeetingTable,
    *,
    state: str,
    pinned: bool,
    note: str | None,
) -> Meeting:
    """A meeting with the seat of each side in its slot, the rows the unique constraints guard."""
    return Meeting(
        event_id=event.id,
        request_id=request.id,
        slot_id=slot.id,
        table_id=table.id,
        state=state,
        pinned=pinned,
        note=note,
        seats=[
            MeetingSeat(participant_id=request.requester_id, slot_id=slot.id),
            MeetingSeat(participant_id=request.recipient_id, slot_id=slot.id),
        ],
    )


def place(
    db: Session,
    *,
    event: Event,
    request: MeetingRequest,
    slot: MeetingSlot,
    table: MeetingTable,
    state: str = "planned",
    pinned: bool = False,
    note: str | None = None,
) -> Meeting:
    """Write one meeting and its two seats; the unique constraints refuse a double booking. The meeting
    continues the calendar SEQUENCE its request reached (`feed_changes.carry`)."""
    meeting = new_meeting(event, request, slot, table, state=state, pinned=pinned, note=note)
    carry(db, [meeting])
    conflict = _("This place on the grid was just taken by another change; reload the grid and try again.")
    with service.guarded(db, conflict):
        db.add(meeting)
    return meeting


def pin_meeting(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    request: MeetingRequest,
    slot_id: int,
    table_number: int,
) -> Meeting:
    """The organiser puts an accepted request at a slot and table and pins it there (VIP, government)."""
    require(can_run_grid, actor, event, message=_("Only the organiser can place meetings on the grid."))
    if request.state != "accepted":
        raise DomainError(_("Only an accepted request can be placed on the grid."), field="request")
    slot = db.get(MeetingSlot, slot_id)
    if slot is None or slot.event_id != event.id:
        raise DomainError(_("No such time slot in this event: %(id)s") % {"id": slot_id}, field="slot")
    table = db.scalar(
        select(MeetingTable).where(MeetingTable.event_id == event.id, MeetingTable.number == table_number)
    )
    if table is None or table_number > slot.table_count:
        raise DomainError(
            _("There is no table %(n)s at %(slot)s.") % {"n": table_number, "slot": service.slot_label(slot)},
            field="table",
        )
    current = service.pair_meeting(db, event_id=event.id, a=request.requester_id, b=request.recipient_id)
    if current is not None and current.state in ("held", "no_show"):
        raise InvalidTransition(_("This meeting has already taken place and cannot be moved."), field="slot")
    state = "planned"
    if current is not None:
        # The pair's meeting may hang on the other direction's request; the pin moves that meeting.
        request = db.get(MeetingRequest, current.request_id) or request
        state = current.state
    conflict = _seat_conflict(db, event=event, request=request, slot=slot, table=table)
    if conflict:
        raise DomainError(conflict, field="slot")
    if current is not None:
        retire(db, current, reason="moved")
        db.delete(current)
        db.flush()
    meeting = place(db, event=event, request=request, slot=slot, table=table, state=state, pinned=True)
    audit.record(
        db,
        actor=actor,
        entity_type="meeting",
        entity_id=meeting.id,
        action="meeting_pinned",
        after={"slot_id": slot.id, "table": table.number},
        event_id=event.id,
    )
    service.notify_participants(
        db,
        event_id=event.id,
        actor=actor,
        participant_ids=[request.requester_id, request.recipient_id],
        kind="meeting_scheduled",
        payload={
            "meeting_id": meeting.id,
            "request_id": request.id,
            "slot": service.slot_label(slot),
            "table": table.number,
            "state": state,
        },
    )
    return meeting


def create_meeting(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    requester_id: int,
    recipient_id: int,
    slot_id: int,
    table_number: int,
    priority: int = 3,
    message: str | None = None,
) -> Meeting:
    """The organiser arranges a meeting between two participants directly and pins it."""
    require(can_run_grid, actor, event, message=_("Only the organiser can arrange meetings."))
    requester = service.get_participant(db, event=event, id=requester_id)
    recipient = service.get_participant(db, event=event, id=recipient_id)
    if requester.id == recipient.id:
        raise DomainError(_("A meeting needs two different participants."), field="recipient")
    existing = [
        r
        for r in service.pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id)
        if r.state in service.ACTIVE
    ]
    if existing:
        request = existing[0]
        if request.state == "requested":
            service.set_request_state(
                db, actor=actor, request=request, to="accepted", note="arranged by the organiser"
            )
    else:
        if any(
            r.requester_id == requester.id
            for r in service.pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id)
        ):
            requester, recipient = recipient, requester
            if any(
                r.requester_id == requester.id
                for r in service.pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id)
            ):
                raise DomainError(
                    _("These two participants have closed both their requests; they cannot be paired again."),
                    field="recipient",
                )
        request = MeetingRequest(
            event_id=event.id,
            requester_id=requester.id,
            recipient_id=recipient.id,
            message=(message or "").strip() or None,
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
            after={"requester_id": requester.id, "recipient_id": recipient.id, "by": "organiser"},
            event_id=event.id,
        )
        service.set_request_state(
            db, actor=actor, request=request, to="accepted", note="arranged by the organiser"
        )
    if priority in service.PRIORITIES:
        audit.apply(
            db,
            actor=actor,
            obj=request,
            changes={"priority": max(request.priority, priority)},
            entity_type="meeting_request",
            action="request_priority",
            event_id=event.id,
        )
    return pin_meeting(
        db, event=event, actor=actor, request=request, slot_id=slot_id, table_number=table_number
    )


def unpin(db: Session, *, event: Event, actor: Actor, meeting: Meeting) -> Meeting:
    """Let the scheduler move a pinned meeting again."""
    require(can_run_grid, actor, event, message=_("Only the organiser can unpin meetings."))
    audit.apply(
        db,
        actor=actor,
        obj=meeting,
        changes={"pinned": False},
        entity_type="meeting",
        action="meeting_unpinned",
        event_id=event.id,
    )
    return meeting

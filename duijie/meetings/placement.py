"""The organiser's hand on the grid: pinning an accepted request at a slot and table, moving a meeting already
placed, arranging a meeting between two participants directly, unpinning; and `place`, the one write of a meeting
and its two seats.

The organiser may place a meeting outside the time a participant said they are free (a minister's slot is the
minister's), but never unknowingly: without `override_availability` such a placement is refused with
`OutsideAvailability`, which names who is not free then, so the page can ask and the API can answer 409."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail, InvalidTransition
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.events.models import Event
from duijie.meetings import availability, service
from duijie.meetings.feed_changes import carry, retire
from duijie.meetings.models import Meeting, MeetingRequest, MeetingSeat, MeetingSlot, MeetingTable
from duijie.meetings.permissions import can_run_grid


class OutsideAvailability(DomainError):
    """The place asked for lies outside the time one or both sides marked free; the organiser may insist
    (`override_availability`). `who` are the names of those not free, `slot` the time, as the message says."""

    status_code = 409

    def __init__(self, who: list[str], slot: str) -> None:
        lines = [_("%(who)s is not available at %(slot)s.") % {"who": name, "slot": slot} for name in who]
        super().__init__(" ".join(lines), field="slot", details=[ErrorDetail(line, field="slot") for line in lines])
        self.who = who
        self.slot = slot


def _outside_availability(db: Session, *, request: MeetingRequest, slot: MeetingSlot) -> list[int]:
    """The sides of the request who marked their free time and left this slot out."""
    return availability.unavailable_at(
        db, slot_id=slot.id, participant_ids=[request.requester_id, request.recipient_id]
    )


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
    override_availability: bool = False,
) -> Meeting:
    """The organiser puts an accepted request at a slot and table and pins it there (VIP, government); the
    meeting the pair already has moves there, keeping its calendar UID (the old row is retired, the new one
    carries the SEQUENCE on).

    Side effects: the audit entry `meeting_pinned` (where it was, where it is, who is placed outside their free
    time by the organiser's override); both sides' notifications (`meeting_moved` when the pair had a meeting,
    `meeting_scheduled` otherwise), which mail them once the schedule is published. Refused, nothing written:
    the slot or table unknown, the place or a side taken then, a meeting already held, and (without
    `override_availability`) a side not free then (`OutsideAvailability`)."""
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
    before: dict[str, int] | None = None
    if current is not None:
        # The pair's meeting may hang on the other direction's request; the pin moves that meeting.
        request = db.get(MeetingRequest, current.request_id) or request
        state = current.state
        was_table = db.get(MeetingTable, current.table_id)
        before = {"slot_id": current.slot_id, "table": was_table.number if was_table else 0}
    conflict = _seat_conflict(db, event=event, request=request, slot=slot, table=table)
    if conflict:
        raise DomainError(conflict, field="slot")
    outside = _outside_availability(db, request=request, slot=slot)
    if outside and not override_availability:
        names = service.display_names(db, outside)
        raise OutsideAvailability([names[pid] for pid in outside if pid in names], service.slot_label(slot))
    if current is not None:
        retire(db, current, reason="moved")
        db.delete(current)
        db.flush()
    meeting = place(db, event=event, request=request, slot=slot, table=table, state=state, pinned=True)
    after: dict[str, object] = {"slot_id": slot.id, "table": table.number}
    if outside:
        after["outside_availability"] = outside
    audit.record(
        db,
        actor=actor,
        entity_type="meeting",
        entity_id=meeting.id,
        action="meeting_pinned",
        before=before,
        after=after,
        event_id=event.id,
    )
    service.notify_participants(
        db,
        event_id=event.id,
        actor=actor,
        participant_ids=[request.requester_id, request.recipient_id],
        kind="meeting_moved" if current is not None else "meeting_scheduled",
        payload={
            "meeting_id": meeting.id,
            "request_id": request.id,
            "slot": service.slot_label(slot),
            "table": table.number,
            "state": state,
        },
    )
    return meeting


def move_meeting(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    meeting: Meeting,
    slot_id: int,
    table_number: int,
    override_availability: bool = False,
) -> Meeting:
    """The organiser moves a meeting on the grid to another slot and table (and pins it there): `pin_meeting`
    on the meeting's request, so a move is audited, notified and raises the calendars' SEQUENCE exactly as a
    pin. Returns the meeting's new row (a new id, the same calendar UID)."""
    request = service.get_request(db, event=event, id=meeting.request_id)
    return pin_meeting(
        db,
        event=event,
        actor=actor,
        request=request,
        slot_id=slot_id,
        table_number=table_number,
        override_availability=override_availability,
    )


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
    override_availability: bool = False,
) -> Meeting:
    """The organiser arranges a meeting between two participants directly and pins it (`pin_meeting`'s
    refusals and side effects, the request accepted on both sides' behalf first; a refusal writes nothing,
    as the request rolls back)."""
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
        db,
        event=event,
        actor=actor,
        request=request,
        slot_id=slot_id,
        table_number=table_number,
        override_availability=override_availability,
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

"""When each participant is free: the slots they mark, and what a change does to meetings already placed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.events.models import Event
from duijie.meetings import service
from duijie.meetings.models import Availability, Meeting, MeetingParticipant, MeetingSeat
from duijie.meetings.permissions import can_run_grid


def availability_of(db: Session, *, participant: MeetingParticipant) -> set[int] | None:
    """The slot ids a participant marked free, or None when they never said (free throughout)."""
    ids = set(db.scalars(select(Availability.slot_id).where(Availability.participant_id == participant.id)))
    return ids or None


def set_availability(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    participant: MeetingParticipant,
    slot_ids: Sequence[int],
    own: MeetingParticipant | None,
) -> set[int]:
    """Replace a participant's free slots; refuse to free a slot that holds a confirmed or pinned meeting."""
    if (own is None or own.id != participant.id) and not can_run_grid(actor, event):
        raise DomainError(_("You can only set your own availability."), field="slots")
    slots = {s.id: s for s in service.slots_of(db, event=event)}
    wanted = set(slot_ids)
    unknown = sorted(wanted - set(slots))
    if unknown:
        raise DomainError(_("No such time slot in this event: %(id)s") % {"id": unknown[0]}, field="slots")
    if not wanted:
        raise DomainError(_("Choose at least one time slot when you are free."), field="slots")
    seats = db.execute(
        select(MeetingSeat.slot_id, Meeting)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(MeetingSeat.participant_id == participant.id)
    ).all()
    for slot_id, meeting in seats:
        if slot_id in wanted:
            continue
        if meeting.pinned or meeting.state in service.KEPT:
            raise DomainError(
                _("You have a confirmed meeting at %(slot)s; cancel it before marking that time busy.")
                % {"slot": service.slot_label(slots[slot_id])},
                field="slots",
            )
        # A planned meeting in a slot now busy goes back to the scheduler.
        audit.record(
            db,
            actor=actor,
            entity_type="meeting",
            entity_id=meeting.id,
            action="meeting_unplanned",
            before={"slot_id": slot_id},
            note="participant no longer free",
            event_id=event.id,
        )
        db.delete(meeting)
    current = {
        a.slot_id: a
        for a in db.scalars(select(Availability).where(Availability.participant_id == participant.id))
    }
    for slot_id, row in current.items():
        if slot_id not in wanted:
            db.delete(row)
    for slot_id in sorted(wanted - set(current)):
        db.add(Availability(participant_id=participant.id, slot_id=slot_id))
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_participant",
        entity_id=participant.id,
        action="availability",
        before={"slots": sorted(current)},
        after={"slots": sorted(wanted)},
        event_id=event.id,
    )
    db.flush()
    return wanted


def unavailable_at(db: Session, *, slot_id: int, participant_ids: Sequence[int]) -> list[int]:
    """Those of the participants who marked the slots they are free and left this one out (one who never marked
    any is free throughout), in the order given: the people a placement there would put outside their time."""
    marked: dict[int, set[int]] = {pid: set() for pid in participant_ids}
    for pid, sid in db.execute(
        select(Availability.participant_id, Availability.slot_id).where(
            Availability.participant_id.in_(list(marked))
        )
    ):
        marked[pid].add(sid)
    return [pid for pid in participant_ids if marked[pid] and slot_id not in marked[pid]]

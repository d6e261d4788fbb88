"""The 1:1 meeting workflow on the database: requests and answers, availability, organiser placements, the
event-wide scheduling run, publication, check-in and no-shows.

`set_request_state` and `set_meeting_state` are the only places a request's or a meeting's state changes; each
writes the audit entry and the in-app notifications of both sides. Services flush; the caller commits. The grid's
integrity (nobody double-booked, one meeting per table and slot) is the database's: the unique constraints of
`meeting` and `meeting_seat` refuse a conflicting write, and `_guarded` turns that refusal into a DomainError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, InvalidTransition, NotFound
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.permissions import require
from duijie.directory.models import Account, Organisation, Person
from duijie.events.models import Event, EventSetting
from duijie.insight.queries import resolve_event
from duijie.marketplace.models import Opportunity
from duijie.meetings.enums import MEETING_TRANSITIONS, REQUEST_TRANSITIONS, MeetingState, RequestState
from duijie.meetings.instance import Instance, Participant, Request, Schedule, Slot
from duijie.meetings.models import (
    Availability,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
)
from duijie.meetings.permissions import can_answer_request, can_cancel_request, can_run_grid

# Chinese events run on Beijing time (no daylight saving), whatever the server's zone.
EVENT_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
# A meeting both sides asked for counts this much more than a one-sided one.
MUTUAL_BONUS = 1.5
PRIORITIES = (1, 2, 3)
ACTIVE = ("requested", "accepted")
# Meetings a scheduling run keeps where they are (confirmed ones may move only when the organiser allows it).
KEPT = ("confirmed", "held", "no_show")
MESSAGE_MAX = 1000
TIME_LIMIT_MAX = 300.0
LAST_RUN_KEY = "meetings.last_run"
PUBLISHED_KEY = "meetings.published_at"


# -- lookups -------------------------------------------------------------------------------------------


def get_event(db: Session, *, slug: str) -> Event:
    """The event by slug (404 when unknown)."""
    return resolve_event(db, slug)


def participant_for(db: Session, *, event: Event, actor: Actor) -> MeetingParticipant | None:
    """The acting account's participant record in this event, if it takes part in the meetings."""
    if actor.account_id is None:
        return None
    person_id = db.scalar(select(Account.person_id).where(Account.id == actor.account_id))
    if person_id is None:
        return None
    return db.scalar(
        select(MeetingParticipant).where(
            MeetingParticipant.event_id == event.id, MeetingParticipant.person_id == person_id
        )
    )


def get_participant(db: Session, *, event: Event, id: int) -> MeetingParticipant:
    """A participant of this event (404 for another event's)."""
    participant = db.get(MeetingParticipant, id)
    if participant is None or participant.event_id != event.id:
        raise NotFound(_("No such participant in this event: %(id)s") % {"id": id}, field="participant")
    return participant


def get_request(db: Session, *, event: Event, id: int) -> MeetingRequest:
    """A meeting request of this event (404 for another event's)."""
    request = db.get(MeetingRequest, id)
    if request is None or request.event_id != event.id:
        raise NotFound(_("No such meeting request: %(id)s") % {"id": id}, field="request")
    return request


def get_meeting(db: Session, *, event: Event, id: int) -> Meeting:
    """A scheduled meeting of this event (404 for another event's)."""
    meeting = db.get(Meeting, id)
    if meeting is None or meeting.event_id != event.id:
        raise NotFound(_("No such meeting: %(id)s") % {"id": id}, field="meeting")
    return meeting


def slots_of(db: Session, *, event: Event) -> list[MeetingSlot]:
    """The event's slot grid in time order."""
    return list(
        db.scalars(
            select(MeetingSlot).where(MeetingSlot.event_id == event.id).order_by(MeetingSlot.starts_at)
        )
    )


def tables_of(db: Session, *, event: Event) -> list[MeetingTable]:
    """The event's tables by number."""
    return list(
        db.scalars(
            select(MeetingTable).where(MeetingTable.event_id == event.id).order_by(MeetingTable.number)
        )
    )


def local(moment: dt.datetime) -> dt.datetime:
    """A stored UTC time as the event's wall-clock time."""
    return moment.astimezone(EVENT_TZ)


def slot_label(slot: MeetingSlot) -> str:
    """ "2024-04-25 09:00–09:30": how a slot is named on pages and in messages."""
    start, end = local(slot.starts_at), local(slot.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def display_names(db: Session, participant_ids: Sequence[int]) -> dict[int, str]:
    """Each participant's person and organisation in the current language, for messages and notifications."""
    if not participant_ids:
        return {}
    rows = db.execute(
        select(MeetingParticipant.id, Person.name_zh, Organisation.name_zh)
        .join(Person, Person.id == MeetingParticipant.person_id)
        .outerjoin(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .where(MeetingParticipant.id.in_(set(participant_ids)))
    )
    return {pid: f"{person}（{org}）" if org else person for pid, person, org in rows}


def accounts_of(db: Session, participant_ids: Sequence[int]) -> dict[int, list[int]]:
    """The login accounts behind each participant (generated participants have none)."""
    result: dict[int, list[int]] = defaultdict(list)
    if not participant_ids:
        return result
    rows = db.execute(
        select(MeetingParticipant.id, Account.id)
        .join(Account, Account.person_id == MeetingParticipant.person_id)
        .where(MeetingParticipant.id.in_(set(participant_ids)), Account.is_active.is_(True))
    )
    for pid, account_id in rows:
        result[pid].append(account_id)
    return result


def _notify(
    db: Session,
    *,
    event_id: int,
    actor: Actor,
    participant_ids: Sequence[int],
    kind: str,
    payload: dict[str, Any],
    accounts: dict[int, list[int]] | None = None,
) -> None:
    """Tell the accounts of these participants about a change, except the account that made it."""
    accounts = accounts if accounts is not None else accounts_of(db, participant_ids)
    seen: set[int] = set()
    for pid in participant_ids:
        for account_id in accounts.get(pid, []):
            if account_id == actor.account_id or account_id in seen:
                continue
            seen.add(account_id)
            audit.notify(db, account_id=account_id, kind=kind, payload=payload, event_id=event_id)


@contextmanager
def _guarded(db: Session, message: str) -> Iterator[None]:
    """Flush writes to the grid in a savepoint; a unique-constraint refusal becomes a DomainError."""
    try:
        with db.begin_nested():
            yield
            db.flush()
    except IntegrityError as exc:
        raise DomainError(message, field="grid") from exc


# -- the two transition functions ------------------------------------------------------------------------


def set_request_state(
    db: Session, *, actor: Actor, request: MeetingRequest, to: str, note: str | None = None
) -> MeetingRequest:
    """Move a request to `to` if the transition table allows it; audit it and tell both sides."""
    if to not in REQUEST_TRANSITIONS.get(request.state, set()):
        raise InvalidTransition(
            _("A meeting request cannot go from %(a)s to %(b)s.")
            % {"a": _label_of(request.state), "b": _label_of(to)},
            field="state",
        )
    before = request.state
    request.state = to
    if to in ("accepted", "declined"):
        request.answered_at = utcnow()
    audit.record(
        db,
        actor=actor,
        entity_type="meeting_request",
        entity_id=request.id,
        action=f"request_{to}",
        before={"state": before},
        after={"state": to},
        event_id=request.event_id,
        note=note,
    )
    names = display_names(db, [request.requester_id, request.recipient_id])
    _notify(
        db,
        event_id=request.event_id,
        actor=actor,
        participant_ids=[request.requester_id, request.recipient_id],
        kind=f"meeting_request_{to}",
        payload={
            "request_id": request.id,
            "requester": names.get(request.requester_id),
            "recipient": names.get(request.recipient_id),
            "state": to,
        },
    )
    db.flush()
    return request


def set_meeting_state(
    db: Session,
    *,
    actor: Actor,
    meeting: Meeting,
    to: str,
    note: str | None = None,
    accounts: dict[int, list[int]] | None = None,
) -> Meeting:
    """Move a meeting to `to` if allowed; audit it and tell both sides (`accounts`: their logins, when the
    caller already loaded them for many meetings). A cancelled meeting leaves the grid."""
    if to not in MEETING_TRANSITIONS.get(meeting.state, set()):
        raise InvalidTransition(
            _("A meeting cannot go from %(a)s to %(b)s.")
            % {"a": _meeting_label(meeting.state), "b": _meeting_label(to)},
            field="state",
        )
    before = meeting.state
    meeting.state = to
    slot = db.get(MeetingSlot, meeting.slot_id)
    table = db.get(MeetingTable, meeting.table_id)
    audit.record(
        db,
        actor=actor,
        entity_type="meeting",
        entity_id=meeting.id,
        action=f"meeting_{to}",
        before={"state": before},
        after={"state": to, "slot_id": meeting.slot_id, "table_id": meeting.table_id},
        event_id=meeting.event_id,
        note=note,
    )
    people = [s.participant_id for s in meeting.seats]
    _notify(
        db,
        event_id=meeting.event_id,
        actor=actor,
        participant_ids=people,
        kind=f"meeting_{to}",
        payload={
            "meeting_id": meeting.id,
            "request_id": meeting.request_id,
            "slot": slot_label(slot) if slot else None,
            "table": table.number if table else None,
            "state": to,
        },
        accounts=accounts,
    )
    if to == "cancelled":
        # The grid's unique constraints cover every row, so a cancelled meeting frees its table and seats by
        # leaving the grid; its history stays in the audit log.
        db.delete(meeting)
        db.flush()
    return meeting


def _label_of(state: str) -> str:
    try:
        return RequestState(state).label("zh_CN" if is_zh() else "en")
    except ValueError:
        return state


def _meeting_label(state: str) -> str:
    try:
        return MeetingState(state).label("zh_CN" if is_zh() else "en")
    except ValueError:
        return state


# -- requests ------------------------------------------------------------------------------------------


def _pair_requests(db: Session, *, event_id: int, a: int, b: int) -> list[MeetingRequest]:
    """Every request between two participants, in either direction."""
    return list(
        db.scalars(
            select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event_id,
                or_(
                    (MeetingRequest.requester_id == a) & (MeetingRequest.recipient_id == b),
                    (MeetingRequest.requester_id == b) & (MeetingRequest.recipient_id == a),
                ),
            )
            .order_by(MeetingRequest.id)
        )
    )


def pair_meeting(db: Session, *, event_id: int, a: int, b: int) -> Meeting | None:
    """The meeting two participants hold, whichever of their requests it was scheduled for."""
    ids = [r.id for r in _pair_requests(db, event_id=event_id, a=a, b=b)]
    if not ids:
        return None
    return db.scalar(select(Meeting).where(Meeting.request_id.in_(ids)))


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
        raise DomainError(_("Only participants of this event can request meetings."), field="requester")
    recipient = get_participant(db, event=event, id=recipient_id)
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
        known = {s.session for s in slots_of(db, event=event)}
        unknown = [s for s in sessions if s not in known]
        if unknown:
            raise DomainError(_("Unknown session: %(s)s") % {"s": unknown[0]}, field="sessions")
    existing = _pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id)
    names = display_names(db, [recipient.id])
    own = next((r for r in existing if r.requester_id == requester.id), None)
    if own is not None:
        raise DomainError(
            _("You have already asked %(who)s for a meeting (%(state)s).")
            % {"who": names[recipient.id], "state": _label_of(own.state)},
            field="recipient",
        )
    reverse = next((r for r in existing if r.requester_id == recipient.id and r.state in ACTIVE), None)
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
    _notify(
        db,
        event_id=event.id,
        actor=actor,
        participant_ids=[recipient.id],
        kind="meeting_request_new",
        payload={"request_id": request.id, "requester": display_names(db, [requester.id])[requester.id]},
    )
    if reverse is not None:
        # Both sides asked: the interest is mutual, so neither needs to wait for the other's answer.
        if reverse.state == "requested":
            set_request_state(db, actor=actor, request=reverse, to="accepted", note="mutual")
        set_request_state(db, actor=actor, request=request, to="accepted", note="mutual")
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
    return set_request_state(db, actor=actor, request=request, to="accepted" if accept else "declined")


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
    meeting = pair_meeting(db, event_id=event.id, a=request.requester_id, b=request.recipient_id)
    if meeting is not None and meeting.state in ("held", "no_show"):
        raise InvalidTransition(
            _("This meeting has already taken place (%(state)s) and cannot be cancelled.")
            % {"state": _meeting_label(meeting.state)},
            field="state",
        )
    if request.state not in ACTIVE:
        set_request_state(db, actor=actor, request=request, to="cancelled")
    for r in _pair_requests(db, event_id=event.id, a=request.requester_id, b=request.recipient_id):
        if r.state in ACTIVE:
            set_request_state(db, actor=actor, request=r, to="cancelled")
    if meeting is not None:
        set_meeting_state(db, actor=actor, meeting=meeting, to="cancelled", note="request cancelled")
    return request


def set_priority(
    db: Session, *, event: Event, actor: Actor, request: MeetingRequest, priority: int
) -> MeetingRequest:
    """The organiser weighs a request (1 normal, 2 important, 3 VIP) for the next scheduling run."""
    require(can_run_grid, actor, event, message=_("Only the organiser can set priorities."))
    if priority not in PRIORITIES:
        raise DomainError(_("Priority must be 1, 2 or 3."), field="priority")
    before, after = audit.diff(request, {"priority": priority})
    if after:
        request.priority = priority
        audit.record(
            db,
            actor=actor,
            entity_type="meeting_request",
            entity_id=request.id,
            action="request_priority",
            before=before,
            after=after,
            event_id=event.id,
        )
        db.flush()
    return request


# -- availability ----------------------------------------------------------------------------------------


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
    slots = {s.id: s for s in slots_of(db, event=event)}
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
        if meeting.pinned or meeting.state in KEPT:
            raise DomainError(
                _("You have a confirmed meeting at %(slot)s; cancel it before marking that time busy.")
                % {"slot": slot_label(slots[slot_id])},
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


# -- placing meetings on the grid --------------------------------------------------------------------------


def _seat_conflict(
    db: Session, *, event: Event, request: MeetingRequest, slot: MeetingSlot, table: MeetingTable
) -> str | None:
    """Say what already occupies the place a meeting is asked to go, before the constraint says it bluntly."""
    holder = db.scalar(select(Meeting).where(Meeting.slot_id == slot.id, Meeting.table_id == table.id))
    if holder is not None and holder.request_id != request.id:
        return _("Table %(table)s is already taken at %(slot)s.") % {
            "table": table.number,
            "slot": slot_label(slot),
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
                "who": display_names(db, [pid])[pid],
                "slot": slot_label(slot),
            }
    return None


def _new_meeting(
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
    """Write one meeting and its two seats; the unique constraints refuse a double booking."""
    meeting = _new_meeting(event, request, slot, table, state=state, pinned=pinned, note=note)
    conflict = _("This place on the grid was just taken by another change; reload the grid and try again.")
    with _guarded(db, conflict):
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
            _("There is no table %(n)s at %(slot)s.") % {"n": table_number, "slot": slot_label(slot)},
            field="table",
        )
    current = pair_meeting(db, event_id=event.id, a=request.requester_id, b=request.recipient_id)
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
    _notify(
        db,
        event_id=event.id,
        actor=actor,
        participant_ids=[request.requester_id, request.recipient_id],
        kind="meeting_scheduled",
        payload={
            "meeting_id": meeting.id,
            "request_id": request.id,
            "slot": slot_label(slot),
            "table": table.number,
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
    requester = get_participant(db, event=event, id=requester_id)
    recipient = get_participant(db, event=event, id=recipient_id)
    if requester.id == recipient.id:
        raise DomainError(_("A meeting needs two different participants."), field="recipient")
    existing = [
        r for r in _pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id) if r.state in ACTIVE
    ]
    if existing:
        request = existing[0]
        if request.state == "requested":
            set_request_state(
                db, actor=actor, request=request, to="accepted", note="arranged by the organiser"
            )
    else:
        if any(
            r.requester_id == requester.id
            for r in _pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id)
        ):
            requester, recipient = recipient, requester
            if any(
                r.requester_id == requester.id
                for r in _pair_requests(db, event_id=event.id, a=requester.id, b=recipient.id)
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
        set_request_state(db, actor=actor, request=request, to="accepted", note="arranged by the organiser")
    if priority in PRIORITIES:
        request.priority = max(request.priority, priority)
    return pin_meeting(
        db, event=event, actor=actor, request=request, slot_id=slot_id, table_number=table_number
    )


def unpin(db: Session, *, event: Event, actor: Actor, meeting: Meeting) -> Meeting:
    """Let the scheduler move a pinned meeting again."""
    require(can_run_grid, actor, event, message=_("Only the organiser can unpin meetings."))
    if meeting.pinned:
        meeting.pinned = False
        audit.record(
            db,
            actor=actor,
            entity_type="meeting",
            entity_id=meeting.id,
            action="meeting_unpinned",
            event_id=event.id,
        )
        db.flush()
    return meeting


# -- the scheduling run ------------------------------------------------------------------------------------


@dataclass
class InstanceBuild:
    """The solver's instance for an event, with the way back from its text ids to the rows."""

    instance: Instance
    fixed: dict[str, tuple[str, int]]
    slots: dict[str, MeetingSlot]
    tables: list[MeetingTable]
    requests: dict[str, MeetingRequest]
    meetings: dict[str, Meeting]
    folded: dict[int, int] = field(
        default_factory=dict
    )  # request id -> the request of its pair scheduled instead


def _sid(slot_id: int) -> str:
    return f"s{slot_id}"


def _pid(participant_id: int) -> str:
    return f"p{participant_id}"


def _rid(request_id: int) -> str:
    return f"r{request_id}"


def request_weight(priority: int, mutual: bool) -> float:
    """The value of holding a meeting: the organiser's priority, raised when both sides asked for it."""
    return float(priority) * (MUTUAL_BONUS if mutual else 1.0)


def build_instance(db: Session, *, event: Event) -> InstanceBuild:
    """The event as a scheduling instance: slots, tables, availability, accepted requests (one per pair) and
    the meetings that must stay (pinned, held or no-show as pinned; confirmed as fixed)."""
    slots = slots_of(db, event=event)
    tables = tables_of(db, event=event)
    participants = list(
        db.scalars(
            select(MeetingParticipant)
            .where(MeetingParticipant.event_id == event.id)
            .order_by(MeetingParticipant.id)
        )
    )
    free: dict[int, set[int]] = defaultdict(set)
    for pid, slot_id in db.execute(
        select(Availability.participant_id, Availability.slot_id)
        .join(MeetingParticipant, MeetingParticipant.id == Availability.participant_id)
        .where(MeetingParticipant.event_id == event.id)
    ):
        free[pid].add(slot_id)
    all_requests = list(
        db.scalars(
            select(MeetingRequest).where(MeetingRequest.event_id == event.id).order_by(MeetingRequest.id)
        )
    )
    meetings_by_request = {
        m.request_id: m for m in db.scalars(select(Meeting).where(Meeting.event_id == event.id))
    }
    # First come, first served is the baseline's order: requests in the order they were accepted.
    accepted = sorted(
        (r for r in all_requests if r.state == "accepted"),
        key=lambda r: (r.answered_at or r.created_at, r.id),
    )
    active_pairs: dict[frozenset[int], list[MeetingRequest]] = defaultdict(list)
    for r in all_requests:
        if r.state in ACTIVE:
            active_pairs[frozenset((r.requester_id, r.recipient_id))].append(r)
    session_names = {s.session for s in slots}
    slot_by_sid = {_sid(s.id): s for s in slots}
    table_number_of = {t.id: k + 1 for k, t in enumerate(tables)}
    requests: list[Request] = []
    by_rid: dict[str, MeetingRequest] = {}
    meetings: dict[str, Meeting] = {}
    fixed: dict[str, tuple[str, int]] = {}
    folded: dict[int, int] = {}
    chosen: dict[frozenset[int], MeetingRequest] = {}
    for r in accepted:
        pair = frozenset((r.requester_id, r.recipient_id))
        if pair in chosen:
            continue
        group = [x for x in active_pairs[pair] if x.state == "accepted"]
        primary = next((x for x in group if x.id in meetings_by_request), r)
        chosen[pair] = primary
        for x in group:
            if x.id != primary.id:
                folded[x.id] = primary.id
        mutual = len(active_pairs[pair]) > 1
        weight = request_weight(max(x.priority for x in group), mutual)
        sessions = [s for s in (primary.sessions or []) if s in session_names] or None
        rid = _rid(primary.id)
        pinned_slot = None
        meeting = meetings_by_request.get(primary.id)
        if meeting is not None:
            meetings[rid] = meeting
            sid = _sid(meeting.slot_id)
            if meeting.pinned or meeting.state in ("held", "no_show"):
                pinned_slot = sid
            if meeting.pinned or meeting.state in KEPT:
                fixed[rid] = (sid, table_number_of.get(meeting.table_id, 0))
                sessions = None
                # A participant who holds a kept meeting is free then, whatever the availability says.
                for pid in (primary.requester_id, primary.recipient_id):
                    if pid in free:
                        free[pid].add(meeting.slot_id)
        requests.append(
            Request(
                id=rid,
                a=_pid(primary.requester_id),
                b=_pid(primary.recipient_id),
                weight=weight,
                sessions=tuple(sessions) if sessions else None,
                pinned_slot=pinned_slot,
            )
        )
        by_rid[rid] = primary
    instance = Instance(
        slots=tuple(Slot(_sid(s.id), s.session) for s in slots),
        tables={_sid(s.id): min(s.table_count, len(tables)) for s in slots},
        participants=tuple(
            Participant(
                id=_pid(p.id),
                available=tuple(_sid(s) for s in sorted(free[p.id])) if p.id in free else None,
                max_meetings=p.max_meetings,
            )
            for p in participants
        ),
        requests=tuple(requests),
    )
    return InstanceBuild(
        instance=instance,
        fixed=fixed,
        slots=slot_by_sid,
        tables=tables,
        requests=by_rid,
        meetings=meetings,
        folded=folded,
    )


@dataclass(frozen=True)
class RunReport:
    """What a scheduling run achieved, next to the first-come baseline on the same instance."""

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
    unscheduled: int
    greedy_meetings: int
    greedy_objective: float
    greedy_idle_gaps: int
    added: int
    moved: int
    removed: int
    kept: int
    # A proven lower bound on the idle gaps, when the solver gives one.
    idle_gaps_bound: int | None = None
    # How many times the run read the grid and solved: 2 when the inputs changed while it solved.
    attempts: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The JSON form stored with the event and returned by the API."""
        return dict(self.__dict__)


def _write_schedule(
    db: Session, *, event: Event, actor: Actor, build: InstanceBuild, schedule: Schedule
) -> tuple[int, int, int, int]:
    """Bring the grid to the schedule: drop, move and add meetings; returns (added, moved, removed, kept)."""
    target = {m.request: (m.slot, m.table) for m in schedule.meetings}
    tables = build.tables
    number_of = {t.id: k + 1 for k, t in enumerate(tables)}
    removed: list[Meeting] = []
    moved: list[tuple[Meeting, tuple[str, int]]] = []
    kept = 0
    for rid, meeting in build.meetings.items():
        where = target.get(rid)
        if where is None:
            removed.append(meeting)
        elif where != (_sid(meeting.slot_id), number_of.get(meeting.table_id, 0)):
            moved.append((meeting, where))
        else:
            kept += 1
    # Planned meetings whose request left the instance (cancelled since) go too.
    in_instance = {m.id for m in build.meetings.values()}
    for meeting in db.scalars(select(Meeting).where(Meeting.event_id == event.id)):
        if meeting.id not in in_instance and meeting.state == "planned" and not meeting.pinned:
            removed.append(meeting)
    accounts = accounts_of(
        db,
        sorted(
            {build.requests[m.request].requester_id for m in schedule.meetings}
            | {build.requests[m.request].recipient_id for m in schedule.meetings}
        ),
    )
    before: dict[str, tuple[int, int]] = {}
    carry: dict[str, tuple[str, bool, str | None]] = {}
    conflict = _("The grid was changed by someone else while the scheduler ran; run it again.")
    with _guarded(db, conflict):
        for meeting in removed:
            audit.record(
                db,
                actor=actor,
                entity_type="meeting",
                entity_id=meeting.id,
                action="meeting_unplanned",
                before={"slot_id": meeting.slot_id, "table_id": meeting.table_id},
                event_id=event.id,
            )
            db.delete(meeting)
        for meeting, where in moved:
            rid = _rid(meeting.request_id)
            before[rid] = (meeting.slot_id, meeting.table_id)
            carry[rid] = (meeting.state, meeting.pinned, meeting.note)
            audit.record(
                db,
                actor=actor,
                entity_type="meeting",
                entity_id=meeting.id,
                action="meeting_moved",
                before={"slot_id": meeting.slot_id, "table_id": meeting.table_id, "state": meeting.state},
                after={"slot_id": build.slots[where[0]].id, "table_id": tables[where[1] - 1].id},
                event_id=event.id,
            )
            db.delete(meeting)
        db.flush()
        existing = {rid for rid in build.meetings} - {_rid(m.request_id) for m, _w in moved}
        for m in schedule.meetings:
            if m.request in existing:
                continue
            request = build.requests[m.request]
            slot = build.slots[m.slot]
            table = tables[m.table - 1]
            state, pinned, note = carry.get(m.request, ("planned", False, None))
            meeting = _new_meeting(event, request, slot, table, state=state, pinned=pinned, note=note)
            db.add(meeting)
            was = before.get(m.request)
            kind = "meeting_moved" if was is not None else "meeting_scheduled"
            _notify(
                db,
                event_id=event.id,
                actor=actor,
                participant_ids=[request.requester_id, request.recipient_id],
                kind=kind,
                payload={"request_id": request.id, "slot": slot_label(slot), "table": table.number},
                accounts=accounts,
            )
    return len(schedule.meetings) - kept - len(moved), len(moved), len(removed), kept


def check_run(db: Session, *, event: Event, actor: Actor, time_limit: float) -> None:
    """Refuse a scheduling run that cannot start: not the organiser, a time limit out of range, no grid."""
    require(can_run_grid, actor, event, message=_("Only the organiser can run the scheduler."))
    if not 0 < time_limit <= TIME_LIMIT_MAX:
        raise DomainError(
            _("The time limit must be between 1 and %(n)s seconds.") % {"n": int(TIME_LIMIT_MAX)},
            field="time_limit",
        )
    if not slots_of(db, event=event) or not tables_of(db, event=event):
        raise DomainError(_("This event has no time slots or tables for meetings yet."), field="grid")


def fingerprint(build: InstanceBuild) -> str:
    """A digest of everything the solver reads (the instance, the fixed meetings, the tables), so that a run
    that solved outside a transaction can tell whether the grid changed under it before writing."""
    inputs = {
        "instance": asdict(build.instance),
        "fixed": sorted(build.fixed.items()),
        "tables": [t.id for t in build.tables],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=list).encode()).hexdigest()


def record_run(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    build: InstanceBuild,
    schedule: Schedule,
    baseline: Schedule,
    seconds: float,
    time_limit: float,
    allow_moves: bool,
    attempts: int = 1,
) -> RunReport:
    """Write a computed schedule to the grid and record the run (last-run report, audit entry) as `actor`;
    `build` must be read in this transaction and be the instance the schedule was computed for."""
    added, moved, removed, kept = _write_schedule(
        db, event=event, actor=actor, build=build, schedule=schedule
    )
    bound = getattr(schedule, "idle_gaps_bound", None)
    report = RunReport(
        at=utcnow().isoformat(timespec="seconds"),
        seconds=round(seconds, 2),
        time_limit=time_limit,
        allow_moves=allow_moves,
        status=schedule.status,
        requests=len(build.instance.requests),
        meetings=len(schedule.meetings),
        objective=round(schedule.objective, 4),
        upper_bound=round(schedule.upper_bound, 4),
        gap=round(schedule.gap, 6),
        idle_gaps=schedule.idle_gaps,
        unscheduled=len(schedule.unscheduled),
        greedy_meetings=len(baseline.meetings),
        greedy_objective=round(baseline.objective, 4),
        greedy_idle_gaps=baseline.idle_gaps,
        added=added,
        moved=moved,
        removed=removed,
        kept=kept,
        idle_gaps_bound=int(bound) if bound is not None else None,
        attempts=attempts,
    )
    _set_setting(db, event=event, key=LAST_RUN_KEY, value=report.as_dict())
    audit.record(
        db,
        actor=actor,
        entity_type="event",
        entity_id=event.id,
        action="meetings_scheduled",
        after=report.as_dict(),
        event_id=event.id,
    )
    db.flush()
    return report


def schedule_event(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    time_limit: float = 10.0,
    allow_moves: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """Plan every accepted request at once, keeping pinned, confirmed and held meetings where they are (or
    moving the fewest confirmed ones when allowed), and write the result to the grid in this transaction.

    The command line, the demo and tests call this; the web runs the same steps as a background job
    (`duijie.meetings.jobs`) that solves outside any transaction."""
    from duijie.meetings.greedy import greedy
    from duijie.meetings.solver import solve

    check_run(db, event=event, actor=actor, time_limit=time_limit)
    started = time.monotonic()
    build = build_instance(db, event=event)
    schedule = solve(
        build.instance, time_limit=time_limit, fixed=build.fixed, allow_moves=allow_moves, progress=progress
    )
    baseline = greedy(build.instance)
    return record_run(
        db,
        event=event,
        actor=actor,
        build=build,
        schedule=schedule,
        baseline=baseline,
        seconds=time.monotonic() - started,
        time_limit=time_limit,
        allow_moves=allow_moves,
    )


def _set_setting(db: Session, *, event: Event, key: str, value: Any) -> None:
    row = db.scalar(select(EventSetting).where(EventSetting.event_id == event.id, EventSetting.key == key))
    if row is None:
        db.add(EventSetting(event_id=event.id, key=key, value=value))
    else:
        row.value = value


def setting(db: Session, *, event: Event, key: str) -> Any:
    """A stored per-event value of this module (the last run, the publication time), or None."""
    return db.scalar(
        select(EventSetting.value).where(EventSetting.event_id == event.id, EventSetting.key == key)
    )


def last_run(db: Session, *, event: Event) -> dict[str, Any] | None:
    """The report of the event's last scheduling run."""
    return setting(db, event=event, key=LAST_RUN_KEY)


def publish(db: Session, *, event: Event, actor: Actor) -> int:
    """Confirm every planned meeting and tell both sides; a later run will not move them unasked."""
    require(can_run_grid, actor, event, message=_("Only the organiser can publish the schedule."))
    planned = list(
        db.scalars(
            select(Meeting)
            .where(Meeting.event_id == event.id, Meeting.state == "planned")
            .options(selectinload(Meeting.seats))
            .order_by(Meeting.id)
        )
    )
    accounts = accounts_of(db, sorted({s.participant_id for m in planned for s in m.seats}))
    for meeting in planned:
        set_meeting_state(db, actor=actor, meeting=meeting, to="confirmed", accounts=accounts)
    _set_setting(db, event=event, key=PUBLISHED_KEY, value=utcnow().isoformat(timespec="seconds"))
    db.flush()
    return len(planned)


# -- on the day ----------------------------------------------------------------------------------------


def check_in(
    db: Session, *, event: Event, actor: Actor, meeting: Meeting, participant_id: int | None = None
) -> Meeting:
    """Record that a participant (or both) arrived at the table; the meeting is held once both are there."""
    require(can_run_grid, actor, event, message=_("Only the organiser's desk records check-ins."))
    if meeting.state not in ("confirmed", "no_show", "held"):
        raise InvalidTransition(
            _("Only a confirmed meeting can be checked in; publish the schedule first."), field="state"
        )
    seats = [s for s in meeting.seats if participant_id is None or s.participant_id == participant_id]
    if not seats:
        raise DomainError(_("This participant is not in this meeting."), field="participant")
    now = utcnow()
    for seat in seats:
        if seat.checked_in_at is None:
            seat.checked_in_at = now
    audit.record(
        db,
        actor=actor,
        entity_type="meeting",
        entity_id=meeting.id,
        action="check_in",
        after={"participants": [s.participant_id for s in seats]},
        event_id=event.id,
    )
    if meeting.state != "held" and all(s.checked_in_at is not None for s in meeting.seats):
        set_meeting_state(db, actor=actor, meeting=meeting, to="held")
    db.flush()
    return meeting


def record_no_show(db: Session, *, event: Event, actor: Actor, meeting: Meeting) -> Meeting:
    """Record that the meeting did not take place at its time."""
    require(can_run_grid, actor, event, message=_("Only the organiser's desk records no-shows."))
    return set_meeting_state(db, actor=actor, meeting=meeting, to="no_show")


# -- figures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingSummary:
    """The counts an organiser reports: requests, accepted, scheduled, held."""

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


def summary(db: Session, *, event: Event) -> MeetingSummary:
    """Count the event's requests by state and its meetings by state, straight from the records."""
    by_request = dict(
        db.execute(
            select(MeetingRequest.state, func.count())
            .where(MeetingRequest.event_id == event.id)
            .group_by(MeetingRequest.state)
        ).all()
    )
    by_meeting = dict(
        db.execute(
            select(Meeting.state, func.count()).where(Meeting.event_id == event.id).group_by(Meeting.state)
        ).all()
    )
    participants = db.scalar(
        select(func.count()).select_from(MeetingParticipant).where(MeetingParticipant.event_id == event.id)
    )
    return MeetingSummary(
        participants=int(participants or 0),
        requests=int(sum(by_request.values())),
        pending=int(by_request.get("requested", 0)),
        accepted=int(by_request.get("accepted", 0)),
        declined=int(by_request.get("declined", 0)),
        cancelled=int(by_request.get("cancelled", 0)),
        scheduled=int(sum(by_meeting.values())),
        planned=int(by_meeting.get("planned", 0)),
        confirmed=int(by_meeting.get("confirmed", 0)),
        held=int(by_meeting.get("held", 0)),
        no_show=int(by_meeting.get("no_show", 0)),
    )

"""The core of the 1:1 meeting workflow: lookups, the two transition functions, publication, check-in and
no-shows, and the organiser's figures. The writes of each other part live beside it: `requests.py` (asking,
answering, cancelling, priorities), `availability.py`, `placement.py` (the organiser's pins and arrangements)
and `runs.py` (the event-wide scheduling run).

`set_request_state` and `set_meeting_state` are the only places a request's or a meeting's state changes; each
writes the audit entry and the in-app notifications of both sides. Services flush; the caller commits. The grid's
integrity (nobody double-booked, one meeting per table and slot) is the database's: the unique constraints of
`meeting` and `meeting_seat` refuse a conflicting write, and `guarded` turns that refusal into a DomainError.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, InvalidTransition, NotFound
from duijie.core.i18n import bilingual, get_locale, is_zh
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.core.transitions import check
from duijie.directory.models import Account, Organisation, Person
from duijie.events.models import Event
from duijie.events.settings import setting
from duijie.meetings import mails
from duijie.meetings.enums import MEETING_TRANSITIONS, REQUEST_TRANSITIONS, MeetingState, RequestState
from duijie.meetings.feed_changes import retire, touch
from duijie.meetings.models import (
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
)
from duijie.meetings.permissions import can_run_grid
from duijie.meetings.schemas import MeetingSummary

# Chinese events run on Beijing time (no daylight saving), whatever the server's zone.
EVENT_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
PRIORITIES = (1, 2, 3)
ACTIVE = ("requested", "accepted")
# Meetings a scheduling run keeps where they are (confirmed ones may move only when the organiser allows it).
KEPT = ("confirmed", "held", "no_show")
# When the organiser last published the schedule (ISO time, UTC); empty until then.
PUBLISHED_AT = setting("meetings.published_at", str, "")


# -- lookups -------------------------------------------------------------------------------------------


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


def display_names(db: Session, participant_ids: Sequence[int], locale: str | None = None) -> dict[int, str]:
    """Each participant's person and organisation in the reader's language (`locale`, by default the request's):
    the English names on an English page where the records have them, the Chinese ones otherwise, for messages
    and notifications ("张伟（北辰创投）", "Zhang Wei (Beichen Ventures)")."""
    if not participant_ids:
        return {}
    rows = db.execute(
        select(
            MeetingParticipant.id, Person.name_zh, Person.name_en, Organisation.name_zh, Organisation.name_en
        )
        .join(Person, Person.id == MeetingParticipant.person_id)
        .outerjoin(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .where(MeetingParticipant.id.in_(set(participant_ids)))
    )
    names: dict[int, str] = {}
    for pid, person_zh, person_en, org_zh, org_en in rows:
        person = bilingual(person_zh, person_en, locale)
        org = bilingual(org_zh, org_en, locale) if (org_zh or org_en) else ""
        if not org:
            names[pid] = person
        elif is_zh(locale):
            names[pid] = f"{person}（{org}）"
        else:
            names[pid] = f"{person} ({org})"
    return names


def payload_names(db: Session, participant_ids: Sequence[int], key: str) -> dict[int, dict[str, str]]:
    """The names a stored notification carries, in both languages (`key` and `key_en`), because it is read
    later by someone whose language is not the writer's; `views._note_text` picks the reader's."""
    zh = display_names(db, participant_ids, "zh_CN")
    en = display_names(db, participant_ids, "en")
    return {pid: {key: zh[pid], f"{key}_en": en.get(pid, zh[pid])} for pid in zh}


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


def notify_participants(
    db: Session,
    *,
    event_id: int,
    actor: Actor,
    participant_ids: Sequence[int],
    kind: str,
    payload: dict[str, Any],
    accounts: dict[int, list[int]] | None = None,
) -> None:
    """Tell the accounts of these participants about a change, except the account that made it; the notices
    that call for an e-mail queue it too (`mails.notify`: requests, answers, published meetings moved or
    cancelled)."""
    accounts = accounts if accounts is not None else accounts_of(db, participant_ids)
    seen: set[int] = set()
    for pid in participant_ids:
        for account_id in accounts.get(pid, []):
            if account_id == actor.account_id or account_id in seen:
                continue
            seen.add(account_id)
            audit.notify(db, account_id=account_id, kind=kind, payload=payload, event_id=event_id)
    mails.notify(db, event_id=event_id, account_ids=sorted(seen), kind=kind, payload=payload)


@contextmanager
def guarded(db: Session, message: str) -> Iterator[None]:
    """Flush writes to the grid in a savepoint; a unique-constraint refusal becomes a DomainError."""
    try:
        with db.begin_nested():
            yield
            db.flush()
    except IntegrityError as exc:
        raise DomainError(message, field="grid") from exc


# -- the two transition functions ------------------------------------------------------------------------


def state_label(states: type[RequestState] | type[MeetingState], state: str) -> str:
    """A request's or a meeting's state in the language of the request (the code itself if unknown)."""
    try:
        return states(state).label(get_locale())
    except ValueError:
        return state


def set_request_state(
    db: Session, *, actor: Actor, request: MeetingRequest, to: str, note: str | None = None
) -> MeetingRequest:
    """Move a request to `to`; the only place a request's state changes.

    Side effects: refuses a move the transition table does not allow (InvalidTransition naming both states in
    the request's language); sets `answered_at` when the request is accepted or declined; flushes; records
    the audit entry `request_<to>` (before and after, with `note`); notifies the accounts of both sides except
    the actor's (`meeting_request_<to>`). It never touches the meeting: `requests.cancel` ends it too.
    """
    check(
        REQUEST_TRANSITIONS,
        request.state,
        to,
        states=RequestState,
        message=_("A meeting request cannot go from %(a)s to %(b)s."),
        field="state",
    )
    changes: dict[str, Any] = {"state": to}
    if to in ("accepted", "declined"):
        changes["answered_at"] = utcnow()
    audit.apply(
        db,
        actor=actor,
        obj=request,
        changes=changes,
        entity_type="meeting_request",
        action=f"request_{to}",
        event_id=request.event_id,
        note=note,
    )
    requester = payload_names(db, [request.requester_id], "requester").get(request.requester_id, {})
    recipient = payload_names(db, [request.recipient_id], "recipient").get(request.recipient_id, {})
    notify_participants(
        db,
        event_id=request.event_id,
        actor=actor,
        participant_ids=[request.requester_id, request.recipient_id],
        kind=f"meeting_request_{to}",
        payload={
            "request_id": request.id,
            "requester": requester.get("requester"),
            "recipient": recipient.get("recipient"),
            "requester_en": requester.get("requester_en"),
            "recipient_en": recipient.get("recipient_en"),
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
    """Move a meeting to `to`; the only place a meeting's state changes.

    Side effects: refuses a move the transition table does not allow (InvalidTransition naming both states in
    the request's language); records the audit entry `meeting_<to>` with the slot and table the meeting held
    (kept in the history because a cancelled meeting leaves the grid); notifies the accounts of both sides
    except the actor's (`meeting_<to>`; `accounts`: their logins, when the caller already loaded them for many
    meetings); raises the meeting's calendar SEQUENCE (`feed_changes.touch`); a cancelled meeting is deleted,
    which frees its table and seats, and leaves a tombstone so subscribed calendars show it cancelled.
    """
    check(
        MEETING_TRANSITIONS,
        meeting.state,
        to,
        states=MeetingState,
        message=_("A meeting cannot go from %(a)s to %(b)s."),
        field="state",
    )
    before = meeting.state
    meeting.state = to
    touch(meeting)
    slot = db.get(MeetingSlot, meeting.slot_id)
    table = db.get(MeetingTable, meeting.table_id)
    # Not audit.apply: the entry keeps where the meeting was, beyond the field that changed.
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
    notify_participants(
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
        retire(db, meeting, reason="cancelled", was=before)
        db.delete(meeting)
        db.flush()
    return meeting


# -- the two sides of a pair -----------------------------------------------------------------------------


def pair_requests(db: Session, *, event_id: int, a: int, b: int) -> list[MeetingRequest]:
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
    ids = [r.id for r in pair_requests(db, event_id=event_id, a=a, b=b)]
    if not ids:
        return None
    return db.scalar(select(Meeting).where(Meeting.request_id.in_(ids)))


# -- publication and the day -------------------------------------------------------------------------------


def published_at(db: Session, *, event: Event) -> str | None:
    """When the organiser last published the event's schedule (ISO time, UTC), or None."""
    return PUBLISHED_AT.get(db, event_id=event.id) or None


def publish(db: Session, *, event: Event, actor: Actor) -> int:
    """Confirm every planned meeting and tell both sides; a later run will not move them unasked.

    Side effects: each planned meeting goes to confirmed through `set_meeting_state` (its audit entry and
    notifications); the publication time is stored in the event setting `meetings.published_at`; each
    participant with a meeting confirmed now gets one e-mail listing all their meetings (`mails`).
    """
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
    moment = utcnow().isoformat(timespec="seconds")
    PUBLISHED_AT.put(db, event_id=event.id, value=moment)
    mails.schedule_published(db, event=event, confirmed=planned, published_at=moment)
    return len(planned)


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

"""The e-mails of the meetings module: a request received, a request answered, the schedule published (one
message per participant with all their meetings), a published meeting moved or cancelled.

`service.notify_participants`, through which every in-app notice of this module passes, hands each notice to
`notify`, which decides whether it is also a mail and to whom; publication calls `schedule_published` once
for the whole schedule instead of one mail per meeting. Every mail is queued with `core.mail.queue_mail` in the
transaction of the change, so it leaves only once the change is committed, in each recipient's language, and
only to those who did not turn its topic off. Meetings that are only planned (not yet published) send no mail:
participants hear of them when the organiser publishes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from duijie.core import mail
from duijie.core.i18n import bilingual
from duijie.core.i18n import mark as _l
from duijie.directory.models import Account, Organisation, Person
from duijie.events.models import Event
from duijie.events.settings import raw
from duijie.meetings.models import (
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
)

REQUESTS = mail.topic(
    "meeting_requests",
    _l("Meeting requests"),
    _l("Someone asks to meet you at an event."),
    order=10,
)
ANSWERS = mail.topic(
    "meeting_answers",
    _l("Answers to my meeting requests"),
    _l("The other side accepted or declined a meeting you asked for."),
    order=20,
)
SCHEDULE = mail.topic(
    "meeting_schedule",
    _l("My meeting schedule"),
    _l("The organiser published the schedule, or moved or cancelled one of your meetings."),
    order=30,
)


@dataclass(frozen=True)
class Recipient:
    """An active account behind a participant: where to write, in which language."""

    account_id: int
    email: str
    locale: str | None
    person_id: int


def recipients(db: Session, account_ids: Iterable[int]) -> dict[int, Recipient]:
    """The accounts with an e-mail address (their person's), by id."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = db.execute(
        select(Account.id, Person.email, Account.locale, Person.id)
        .join(Person, Person.id == Account.person_id)
        .where(Account.id.in_(ids), Account.is_active.is_(True), Person.email.is_not(None), Person.email != "")
    )
    return {aid: Recipient(aid, email or "", locale, pid) for aid, email, locale, pid in rows}


@dataclass(frozen=True)
class Side:
    """A participant as a mail names them, in both languages."""

    participant_id: int
    person_id: int
    person_zh: str
    person_en: str | None
    org_zh: str | None
    org_en: str | None

    def name(self, locale: str | None) -> str:
        person = bilingual(self.person_zh, self.person_en, locale)
        org = bilingual(self.org_zh, self.org_en, locale) if self.org_zh else None
        if not org:
            return person
        return f"{person}（{org}）" if (locale or "zh_CN").startswith("zh") else f"{person} ({org})"


def sides(db: Session, participant_ids: Iterable[int]) -> dict[int, Side]:
    ids = sorted(set(participant_ids))
    if not ids:
        return {}
    rows = db.execute(
        select(
            MeetingParticipant.id,
            Person.id,
            Person.name_zh,
            Person.name_en,
            Organisation.name_zh,
            Organisation.name_en,
        )
        .join(Person, Person.id == MeetingParticipant.person_id)
        .outerjoin(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .where(MeetingParticipant.id.in_(ids))
    )
    return {row[0]: Side(*row) for row in rows}


def _event(db: Session, event_id: int) -> Event | None:
    return db.get(Event, event_id)


def _base(event: Event, locale: str | None) -> dict[str, Any]:
    return {
        "event_name": bilingual(event.name_zh, event.name_en, locale),
        "event_slug": event.slug,
        "meetings_path": f"/events/{event.slug}/meetings",
    }


def _counterpart(
    request: MeetingRequest, person_id: int, people: Mapping[int, Side]
) -> tuple[Side | None, Side | None]:
    """(the recipient's own side, the other side) of a request, for the account whose person is `person_id`."""
    a, b = people.get(request.requester_id), people.get(request.recipient_id)
    if a is not None and a.person_id == person_id:
        return a, b
    if b is not None and b.person_id == person_id:
        return b, a
    return None, None


def published(db: Session, *, event_id: int) -> bool:
    """Whether the organiser has published the event's schedule (participants know their meetings)."""
    return bool(raw(db, event_id=event_id, name="meetings.published_at"))


def notify(db: Session, *, event_id: int, account_ids: Sequence[int], kind: str, payload: Mapping[str, Any]) -> None:
    """Queue the mails an in-app notice of this module calls for (most notices are in-app only)."""
    if not account_ids:
        return
    if kind == "meeting_request_new":
        _request_mails(db, event_id, account_ids, payload, template="meeting_request_new", topic=REQUESTS.name)
    elif kind in ("meeting_request_accepted", "meeting_request_declined"):
        _request_mails(db, event_id, account_ids, payload, template="meeting_request_answered", topic=ANSWERS.name)
    elif kind in ("meeting_moved", "meeting_scheduled") and payload.get("state") == "confirmed":
        # A published meeting that the organiser pinned elsewhere or a re-planning moved.
        _meeting_mails(db, event_id, account_ids, payload, template="meeting_moved")
    elif kind == "meeting_cancelled" and published(db, event_id=event_id):
        _meeting_mails(db, event_id, account_ids, payload, template="meeting_cancelled")


def _request_mails(
    db: Session, event_id: int, account_ids: Sequence[int], payload: Mapping[str, Any], *, template: str, topic: str
) -> None:
    request = db.get(MeetingRequest, payload.get("request_id"))
    event = _event(db, event_id)
    if request is None or event is None:
        return
    people = sides(db, [request.requester_id, request.recipient_id])
    for recipient in recipients(db, account_ids).values():
        own, other = _counterpart(request, recipient.person_id, people)
        if other is None:
            continue
        mail.queue_mail(
            db,
            to=recipient.email,
            template=template,
            locale=recipient.locale,
            account_id=recipient.account_id,
            topic=topic,
            key=f"meetings.{template}.{request.state}:{request.id}:{recipient.account_id}",
            context={
                **_base(event, recipient.locale),
                "other": other.name(recipient.locale),
                "asked_by_me": own is not None and own.participant_id == request.requester_id,
                "state": request.state,
                "message": request.message or "",
            },
        )


def _meeting_mails(
    db: Session, event_id: int, account_ids: Sequence[int], payload: Mapping[str, Any], *, template: str
) -> None:
    request = db.get(MeetingRequest, payload.get("request_id"))
    event = _event(db, event_id)
    if request is None or event is None:
        return
    people = sides(db, [request.requester_id, request.recipient_id])
    for recipient in recipients(db, account_ids).values():
        _own, other = _counterpart(request, recipient.person_id, people)
        mail.queue_mail(
            db,
            to=recipient.email,
            template=template,
            locale=recipient.locale,
            account_id=recipient.account_id,
            topic=SCHEDULE.name,
            context={
                **_base(event, recipient.locale),
                "other": other.name(recipient.locale) if other else "",
                "slot": payload.get("slot") or "",
                "table": payload.get("table"),
            },
        )


def slot_text(slot: MeetingSlot, zone: dt.tzinfo) -> str:
    """ "2024-04-25 09:00–09:30" in the event's time zone."""
    start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _zone(event: Event) -> dt.tzinfo:
    try:
        return ZoneInfo(event.timezone or "Asia/Shanghai")
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def schedule_published(db: Session, *, event: Event, confirmed: Sequence[Meeting], published_at: str) -> int:
    """One mail to each participant with a meeting confirmed by this publication, listing all their confirmed
    meetings of the event in time order; the number of mails queued. Idempotent per publication."""
    touched = {seat.participant_id for meeting in confirmed for seat in meeting.seats}
    if not touched:
        return 0
    other_seat = aliased(MeetingSeat)
    rows = db.execute(
        select(MeetingSeat.participant_id, other_seat.participant_id, MeetingSlot, MeetingTable.number)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .join(
            other_seat,
            (other_seat.meeting_id == Meeting.id) & (other_seat.participant_id != MeetingSeat.participant_id),
        )
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .join(MeetingTable, MeetingTable.id == Meeting.table_id)
        .where(Meeting.event_id == event.id, Meeting.state == "confirmed", MeetingSeat.participant_id.in_(touched))
        .order_by(MeetingSlot.starts_at)
    ).all()
    agenda: dict[int, list[tuple[int, MeetingSlot, int]]] = defaultdict(list)
    for pid, other_pid, slot, table in rows:
        agenda[pid].append((other_pid, slot, table))
    people = sides(db, {pid for pid in agenda} | {o for items in agenda.values() for o, _s, _t in items})
    person_of = {pid: side.person_id for pid, side in people.items()}
    accounts = db.execute(
        select(Account.id, Account.person_id).where(
            Account.person_id.in_({person_of[pid] for pid in agenda if pid in person_of}), Account.is_active.is_(True)
        )
    ).all()
    by_person: dict[int, list[int]] = defaultdict(list)
    for aid, person_id in accounts:
        if person_id is not None:
            by_person[person_id].append(aid)
    found = recipients(db, [aid for aid, _p in accounts])
    zone = _zone(event)
    queued = 0
    for pid, items in sorted(agenda.items()):
        for aid in by_person.get(person_of.get(pid, -1), []):
            recipient = found.get(aid)
            if recipient is None:
                continue
            meetings = [
                {
                    "slot": slot_text(slot, zone),
                    "table": table,
                    "other": people[o].name(recipient.locale) if o in people else "",
                }
                for o, slot, table in items
            ]
            row = mail.queue_mail(
                db,
                to=recipient.email,
                template="meeting_schedule",
                locale=recipient.locale,
                account_id=aid,
                topic=SCHEDULE.name,
                key=f"meetings.schedule:{event.id}:{published_at}:{aid}",
                context={**_base(event, recipient.locale), "meetings": meetings, "zone": str(zone)},
            )
            queued += row is not None
    return queued

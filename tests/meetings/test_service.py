"""The meeting workflow on the database: requests and answers, the scheduling run, the grid's integrity,
check-in, availability, the reasons given for what stays unscheduled, and the iCalendar file."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from duijie.core import ics
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, InvalidTransition, PermissionDenied
from duijie.core.models import AuditEntry, Notification
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account, Person
from duijie.events import service as event_service
from duijie.events.models import Event
from duijie.meetings import availability, placement, queries, requests, runs, service
from duijie.meetings.models import (
    Availability,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
)

SUMMIT = "invest-beijing-2024"


def _actor(db: Session, username: str) -> Actor:
    account_id = db.scalar(select(Account.id).where(Account.username == username))
    return load_actor(db, account_id)


def _me(db: Session, event: Event, username: str) -> MeetingParticipant:
    participant = service.participant_for(db, event=event, actor=_actor(db, username))
    assert participant is not None
    return participant


def _forget_pair(db: Session, a: MeetingParticipant, b: MeetingParticipant) -> None:
    """Start from no request between the two (the demo may have drawn one)."""
    ids = [r.id for r in service.pair_requests(db, event_id=a.event_id, a=a.id, b=b.id)]
    if ids:
        db.execute(delete(Meeting).where(Meeting.request_id.in_(ids)))
        db.execute(delete(MeetingRequest).where(MeetingRequest.id.in_(ids)))
        db.flush()
        db.expire_all()


def _notes(db: Session, username: str, kind: str) -> int:
    account_id = db.scalar(select(Account.id).where(Account.username == username))
    return (
        db.scalar(
            select(func.count()).where(Notification.account_id == account_id, Notification.kind == kind)
        )
        or 0
    )


@pytest.fixture
def summit(db: Session) -> Event:
    return event_service.get_event(db, slug=SUMMIT)


def test_request_then_accept_notifies_each_side_and_only_the_recipient_may_answer(
    db: Session, summit: Event
) -> None:
    haidian, xinghe = _me(db, summit, "haidian"), _me(db, summit, "enterprise")
    _forget_pair(db, haidian, xinghe)
    new_before = _notes(db, "enterprise", "meeting_request_new")
    request = requests.request_meeting(
        db,
        event=summit,
        actor=_actor(db, "haidian"),
        requester=haidian,
        recipient_id=xinghe.id,
        message="空间对接",
    )
    assert (request.state, request.message) == ("requested", "空间对接")
    assert _notes(db, "enterprise", "meeting_request_new") == new_before + 1
    with pytest.raises(PermissionDenied):
        requests.answer(
            db,
            event=summit,
            actor=_actor(db, "investor"),
            request=request,
            participant=_me(db, summit, "investor"),
            accept=True,
        )
    accepted_before = _notes(db, "haidian", "meeting_request_accepted")
    requests.answer(
        db, event=summit, actor=_actor(db, "enterprise"), request=request, participant=xinghe, accept=True
    )
    assert request.state == "accepted"
    assert request.answered_at is not None
    assert _notes(db, "haidian", "meeting_request_accepted") == accepted_before + 1
    row = next(
        r for r in queries.requests_of(db, event=summit, participant=haidian) if r.request.id == request.id
    )
    assert row.show_contact is True
    assert row.other.email == "enterprise@demo.duijie.invalid"


def test_request_with_oneself_or_twice_is_refused_naming_the_field(db: Session, summit: Event) -> None:
    haidian, xinghe = _me(db, summit, "haidian"), _me(db, summit, "enterprise")
    _forget_pair(db, haidian, xinghe)
    actor = _actor(db, "haidian")
    with pytest.raises(DomainError) as own:
        requests.request_meeting(db, event=summit, actor=actor, requester=haidian, recipient_id=haidian.id)
    assert own.value.field == "recipient"
    requests.request_meeting(db, event=summit, actor=actor, requester=haidian, recipient_id=xinghe.id)
    with pytest.raises(DomainError) as twice:
        requests.request_meeting(db, event=summit, actor=actor, requester=haidian, recipient_id=xinghe.id)
    assert twice.value.field == "recipient"
    assert "待回复" in twice.value.message or "Requested" in twice.value.message


def test_asking_back_makes_the_meeting_mutual_and_one_request_of_the_pair_is_planned(
    db: Session, summit: Event
) -> None:
    haidian, xinghe = _me(db, summit, "haidian"), _me(db, summit, "enterprise")
    _forget_pair(db, haidian, xinghe)
    first = requests.request_meeting(
        db, event=summit, actor=_actor(db, "haidian"), requester=haidian, recipient_id=xinghe.id
    )
    second = requests.request_meeting(
        db, event=summit, actor=_actor(db, "enterprise"), requester=xinghe, recipient_id=haidian.id
    )
    assert (first.state, second.state) == ("accepted", "accepted")
    build = runs.build_instance(db, event=summit)
    pair = [r for r in build.instance.requests if {r.a, r.b} == {f"p{haidian.id}", f"p{xinghe.id}"}]
    assert len(pair) == 1
    assert pair[0].weight == runs.request_weight(1, True) == 1.5
    assert build.folded[max(first.id, second.id)] == min(first.id, second.id)


def test_rescheduling_after_publication_places_new_requests_and_moves_no_confirmed_meeting(
    db: Session, summit: Event
) -> None:
    kept = {
        m.request_id: (m.slot_id, m.table_id, m.state)
        for m in db.scalars(select(Meeting).where(Meeting.event_id == summit.id, Meeting.state != "planned"))
    }
    waiting = [row.request.id for row in queries.unscheduled(db, event=summit) if row.reason == "not_planned"]
    assert len(waiting) >= 1
    report = runs.schedule_event(db, event=summit, actor=_actor(db, "organiser"), time_limit=3)
    after = {
        m.request_id: (m.slot_id, m.table_id, m.state)
        for m in db.scalars(select(Meeting).where(Meeting.event_id == summit.id))
    }
    assert {rid: after[rid] for rid in kept} == kept
    assert report.moved == 0 and report.removed == 0 and report.kept == len(kept)
    assert report.objective <= report.upper_bound
    assert report.idle_gaps <= report.greedy_idle_gaps
    assert report.meetings == len(after) == len(kept) + report.added
    double = db.execute(
        select(MeetingSeat.participant_id, MeetingSeat.slot_id)
        .group_by(MeetingSeat.participant_id, MeetingSeat.slot_id)
        .having(func.count() > 1)
    ).all()
    assert double == []
    assert runs.last_run(db, event=summit).added == report.added
    still = {row.request.id: row.reason for row in queries.unscheduled(db, event=summit)}
    assert [rid for rid in waiting if still.get(rid) == "not_planned"] == []
    assert report.added >= 1


def test_the_fingerprint_follows_the_solvers_inputs_and_nothing_else(db: Session, summit: Event) -> None:
    def fingerprint() -> str:
        db.flush()
        db.expire_all()
        return runs.fingerprint(runs.build_instance(db, event=summit))

    first = fingerprint()
    assert fingerprint() == first
    confirmed = db.scalars(
        select(Meeting)
        .where(Meeting.event_id == summit.id, Meeting.state == "confirmed", Meeting.pinned.is_(False))
        .order_by(Meeting.id)
    ).first()
    assert confirmed is not None
    confirmed.note = "VIP"
    assert fingerprint() == first
    confirmed.pinned = True
    pinned = fingerprint()
    assert pinned != first
    seats = {(s.participant_id, s.slot_id) for s in db.scalars(select(MeetingSeat))}
    free = db.scalars(
        select(Availability)
        .join(MeetingParticipant, MeetingParticipant.id == Availability.participant_id)
        .where(MeetingParticipant.event_id == summit.id)
        .order_by(Availability.id)
    ).all()
    dropped = next(a for a in free if (a.participant_id, a.slot_id) not in seats)
    db.delete(dropped)
    assert fingerprint() not in (first, pinned)


def test_a_run_reports_the_solvers_idle_gap_bound_when_it_gives_one(db: Session, summit: Event) -> None:
    from duijie.meetings.solver import solve

    report = runs.schedule_event(db, event=summit, actor=_actor(db, "organiser"), time_limit=2)
    build = runs.build_instance(db, event=summit)
    schedule = solve(build.instance, time_limit=2, fixed=build.fixed)
    assert report.idle_gaps_bound == getattr(schedule, "idle_gaps_bound", None)
    assert runs.last_run(db, event=summit).idle_gaps_bound == report.idle_gaps_bound
    assert report.attempts == 1


def test_a_double_booking_is_refused_by_the_database_with_a_clear_error(db: Session, summit: Event) -> None:
    meeting = db.scalar(select(Meeting).where(Meeting.event_id == summit.id).order_by(Meeting.id))
    assert meeting is not None
    taken = db.get(MeetingRequest, meeting.request_id)
    assert taken is not None
    person = Person(name_zh="新参会人")
    db.add(person)
    db.flush()
    newcomer = MeetingParticipant(event_id=summit.id, person_id=person.id)
    db.add(newcomer)
    db.flush()
    other = MeetingRequest(
        event_id=summit.id, requester_id=taken.requester_id, recipient_id=newcomer.id, state="accepted"
    )
    db.add(other)
    db.flush()
    slot = db.get(MeetingSlot, meeting.slot_id)
    free_table = db.scalar(
        select(MeetingTable)
        .where(
            MeetingTable.event_id == summit.id,
            ~MeetingTable.id.in_(select(Meeting.table_id).where(Meeting.slot_id == slot.id)),
        )
        .order_by(MeetingTable.number)
    )
    with pytest.raises(DomainError) as refused:
        placement.place(db, event=summit, request=other, slot=slot, table=free_table)
    assert refused.value.field == "grid"
    assert db.scalar(select(func.count()).where(Meeting.request_id == other.id)) == 0
    with pytest.raises(DomainError) as pinned:
        placement.pin_meeting(
            db,
            event=summit,
            actor=_actor(db, "organiser"),
            request=other,
            slot_id=slot.id,
            table_number=free_table.number,
        )
    assert "已有" in pinned.value.message or "already has a meeting" in pinned.value.message


def test_cancelling_an_accepted_request_frees_the_seats_and_tells_both(db: Session, summit: Event) -> None:
    # The demo's schedule depends on the solver's run, so the test arranges its own planned meeting.
    xinghe, jinghua = _me(db, summit, "enterprise"), _me(db, summit, "investor")
    _forget_pair(db, xinghe, jinghua)
    request = requests.request_meeting(
        db, event=summit, actor=_actor(db, "enterprise"), requester=xinghe, recipient_id=jinghua.id
    )
    requests.answer(
        db, event=summit, actor=_actor(db, "investor"), request=request, participant=jinghua, accept=True
    )
    busy = select(MeetingSeat.slot_id).where(MeetingSeat.participant_id.in_((xinghe.id, jinghua.id)))
    slot = db.scalar(
        select(MeetingSlot)
        .where(MeetingSlot.event_id == summit.id, ~MeetingSlot.id.in_(busy))
        .order_by(MeetingSlot.starts_at)
    )
    assert slot is not None
    table = db.scalar(
        select(MeetingTable)
        .where(
            MeetingTable.event_id == summit.id,
            ~MeetingTable.id.in_(select(Meeting.table_id).where(Meeting.slot_id == slot.id)),
        )
        .order_by(MeetingTable.number)
    )
    assert table is not None
    meeting = placement.place(db, event=summit, request=request, slot=slot, table=table)
    meeting_id = meeting.id
    cancelled_before = _notes(db, "investor", "meeting_cancelled")
    requests.cancel(db, event=summit, actor=_actor(db, "enterprise"), request=request, participant=xinghe)
    assert request.state == "cancelled"
    assert db.get(Meeting, meeting_id) is None
    seats = db.scalar(
        select(func.count()).where(MeetingSeat.participant_id == xinghe.id, MeetingSeat.slot_id == slot.id)
    )
    assert seats == 0
    assert _notes(db, "investor", "meeting_cancelled") == cancelled_before + 1


def test_check_in_of_both_holds_the_meeting_and_planned_ones_cannot_be_checked_in(
    db: Session, summit: Event
) -> None:
    organiser = _actor(db, "organiser")
    meeting = db.scalar(
        select(Meeting)
        .where(Meeting.event_id == summit.id, Meeting.state == "confirmed")
        .order_by(Meeting.id)
    )
    assert meeting is not None
    first = meeting.seats[0].participant_id
    service.check_in(db, event=summit, actor=organiser, meeting=meeting, participant_id=first)
    assert meeting.state == "confirmed"
    service.check_in(db, event=summit, actor=organiser, meeting=meeting)
    assert meeting.state == "held"
    assert all(s.checked_in_at is not None for s in meeting.seats)
    other = db.scalar(
        select(Meeting)
        .where(Meeting.event_id == summit.id, Meeting.state == "confirmed")
        .order_by(Meeting.id)
    )
    service.record_no_show(db, event=summit, actor=organiser, meeting=other)
    assert other.state == "no_show"
    with pytest.raises(PermissionDenied):
        service.record_no_show(db, event=summit, actor=_actor(db, "enterprise"), meeting=other)
    runs.schedule_event(db, event=summit, actor=organiser, time_limit=2)
    planned = db.scalar(select(Meeting).where(Meeting.event_id == summit.id, Meeting.state == "planned"))
    assert planned is not None
    with pytest.raises(InvalidTransition):
        service.check_in(db, event=summit, actor=organiser, meeting=planned)


def test_availability_cannot_drop_a_slot_holding_a_confirmed_meeting_nor_be_empty(
    db: Session, summit: Event
) -> None:
    xinghe = _me(db, summit, "enterprise")
    actor = _actor(db, "enterprise")
    busy = {item.slot.id for item in queries.agenda(db, event=summit, participant=xinghe)}
    slots = [s.id for s in service.slots_of(db, event=summit)]
    assert busy
    with pytest.raises(DomainError) as kept:
        availability.set_availability(
            db,
            event=summit,
            actor=actor,
            participant=xinghe,
            slot_ids=[s for s in slots if s not in busy][:3],
            own=xinghe,
        )
    assert kept.value.field == "slots"
    with pytest.raises(DomainError):
        availability.set_availability(db, event=summit, actor=actor, participant=xinghe, slot_ids=[], own=xinghe)
    chosen = sorted(busy | set(slots[-2:]))
    assert availability.set_availability(
        db, event=summit, actor=actor, participant=xinghe, slot_ids=chosen, own=xinghe
    ) == set(chosen)
    assert availability.availability_of(db, participant=xinghe) == set(chosen)


def _tiny_event(db: Session) -> tuple[Event, list[MeetingParticipant], list[MeetingSlot]]:
    """Two slots with one table each and seven participants: every reason can occur once."""
    event = Event(
        slug="tiny-brokerage",
        kind="trading_day",
        name_zh="小型对接会",
        starts_on=dt.date(2025, 1, 6),
        ends_on=dt.date(2025, 1, 6),
    )
    db.add(event)
    db.flush()
    start = dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.UTC)
    slots = [
        MeetingSlot(
            event_id=event.id,
            starts_at=start + dt.timedelta(minutes=30 * k),
            ends_at=start + dt.timedelta(minutes=30 * (k + 1)),
            session="2025-01-06 am",
            table_count=1,
        )
        for k in range(2)
    ]
    db.add_all(slots)
    db.add(MeetingTable(event_id=event.id, number=1, area="A"))
    people = []
    for k in range(7):
        person = Person(name_zh=f"参会人{k + 1}")
        db.add(person)
        db.flush()
        people.append(
            MeetingParticipant(event_id=event.id, person_id=person.id, max_meetings=0 if k == 5 else None)
        )
    db.add_all(people)
    db.flush()
    only = {0: [0], 1: [0], 2: [0], 3: [0], 4: [1]}
    for k, idx in only.items():
        db.add_all(Availability(participant_id=people[k].id, slot_id=slots[i].id) for i in idx)
    db.flush()
    return event, people, slots


def test_unscheduled_requests_say_why_and_stay_within_their_event(db: Session, summit: Event) -> None:
    event, p, _slots = _tiny_event(db)
    organiser = _actor(db, "organiser")
    demo_before = queries.grid(db, event=summit).cells.keys()
    pairs = {"r1": (0, 1, 3), "r2": (2, 3, 1), "r3": (0, 2, 1), "r4": (1, 4, 1), "r5": (5, 6, 1)}
    ids = {}
    for name, (a, b, priority) in pairs.items():
        r = MeetingRequest(event_id=event.id, requester_id=p[a].id, recipient_id=p[b].id, priority=priority)
        db.add(r)
        db.flush()
        service.set_request_state(db, actor=organiser, request=r, to="accepted")
        ids[r.id] = name
    report = runs.schedule_event(db, event=event, actor=organiser, time_limit=2)
    assert (report.meetings, report.objective, report.upper_bound, report.status) == (1, 3.0, 3.0, "optimal")
    reasons = {ids[row.request.id]: row.reason for row in queries.unscheduled(db, event=event)}
    assert reasons == {
        "r2": "no_table",
        "r3": "participants_busy",
        "r4": "no_common_slot",
        "r5": "participant_full",
    }
    assert queries.grid(db, event=summit).cells.keys() == demo_before
    assert service.summary(db, event=event).scheduled == 1


def test_summary_counts_are_the_records(db: Session, summit: Event) -> None:
    s = service.summary(db, event=summit)
    total = db.scalar(select(func.count()).where(MeetingRequest.event_id == summit.id))
    meetings = db.scalar(select(func.count()).where(Meeting.event_id == summit.id))
    assert s.requests == total == s.pending + s.accepted + s.declined + s.cancelled
    assert s.scheduled == meetings == s.planned + s.confirmed + s.held + s.no_show
    assert s.held > 0 and s.no_show > 0 and s.confirmed > 0


def test_ics_folds_at_75_octets_escapes_text_and_uses_utc() -> None:
    start = dt.datetime(2024, 4, 25, 9, 0, tzinfo=service.EVENT_TZ)
    text = ics.calendar(
        [
            ics.CalendarEvent(
                uid="meeting-1@x.duijie",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=30),
                summary="会见：京华创新投资（示例）, 第一轮; 洽谈",
                location="投资咨询洽谈区 · 第12桌" * 4,
                description="第一行\n第二行",
            )
        ],
        name="2024年投资北京大会",
        stamp=dt.datetime(2024, 4, 1, tzinfo=dt.UTC),
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert max(len(line.encode("utf-8")) for line in lines) <= 75
    assert "DTSTART:20240425T010000Z" in lines and "DTEND:20240425T013000Z" in lines
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:会见：京华创新投资（示例）\\, 第一轮\\; 洽谈\r\n" in unfolded
    assert "DESCRIPTION:第一行\\n第二行\r\n" in unfolded
    assert "LOCATION:" + "投资咨询洽谈区 · 第12桌" * 4 + "\r\n" in unfolded


def test_an_arranged_meeting_is_pinned_and_stays_put_when_moves_are_allowed(
    db: Session, summit: Event
) -> None:
    organiser = _actor(db, "organiser")
    people = []
    for name in ("贵宾甲", "贵宾乙"):
        person = Person(name_zh=name)
        db.add(person)
        db.flush()
        people.append(MeetingParticipant(event_id=summit.id, person_id=person.id))
    db.add_all(people)
    db.flush()
    slot = service.slots_of(db, event=summit)[-1]
    taken = select(Meeting.table_id).where(Meeting.slot_id == slot.id)
    table = db.scalar(
        select(MeetingTable)
        .where(MeetingTable.event_id == summit.id, ~MeetingTable.id.in_(taken))
        .order_by(MeetingTable.number)
    )
    meeting = placement.create_meeting(
        db,
        event=summit,
        actor=organiser,
        requester_id=people[0].id,
        recipient_id=people[1].id,
        slot_id=slot.id,
        table_number=table.number,
    )
    request = db.get(MeetingRequest, meeting.request_id)
    assert (meeting.pinned, meeting.state, request.state, request.priority) == (
        True,
        "planned",
        "accepted",
        3,
    )
    report = runs.schedule_event(db, event=summit, actor=organiser, time_limit=2, allow_moves=True)
    placed = db.scalar(select(Meeting).where(Meeting.request_id == request.id))
    assert (placed.slot_id, placed.table_id, placed.pinned) == (slot.id, table.id, True)
    assert report.removed == 0
    occupied = db.scalar(
        select(MeetingTable)
        .join(Meeting, Meeting.table_id == MeetingTable.id)
        .where(Meeting.slot_id == slot.id, Meeting.id != placed.id)
        .order_by(MeetingTable.number)
    )
    with pytest.raises(DomainError) as busy:
        placement.pin_meeting(
            db, event=summit, actor=organiser, request=request, slot_id=slot.id, table_number=occupied.number
        )
    assert busy.value.field == "slot"
    assert f"{occupied.number} 号桌" in busy.value.message or f"Table {occupied.number}" in busy.value.message


def test_replanning_moves_a_confirmed_meeting_only_when_allowed(db: Session) -> None:
    event, _p, slots = _tiny_event(db)
    organiser = _actor(db, "organiser")
    q = []
    for name in ("甲", "乙", "丙"):
        person = Person(name_zh=name)
        db.add(person)
        db.flush()
        q.append(MeetingParticipant(event_id=event.id, person_id=person.id))
    db.add_all(q)
    db.flush()
    db.add_all([Availability(participant_id=q[1].id, slot_id=slots[0].id)])
    db.add_all([Availability(participant_id=q[2].id, slot_id=slots[0].id)])
    first = MeetingRequest(event_id=event.id, requester_id=q[0].id, recipient_id=q[1].id)
    db.add(first)
    db.flush()
    service.set_request_state(db, actor=organiser, request=first, to="accepted")
    runs.schedule_event(db, event=event, actor=organiser, time_limit=1)
    assert service.publish(db, event=event, actor=organiser) == 1
    availability.set_availability(
        db, event=event, actor=organiser, participant=q[1], slot_ids=[s.id for s in slots], own=None
    )
    second = MeetingRequest(event_id=event.id, requester_id=q[0].id, recipient_id=q[2].id)
    db.add(second)
    db.flush()
    service.set_request_state(db, actor=organiser, request=second, to="accepted")
    kept = runs.schedule_event(db, event=event, actor=organiser, time_limit=1)
    assert (kept.meetings, kept.moved, kept.added) == (1, 0, 0)
    assert [row.reason for row in queries.unscheduled(db, event=event)] == ["participants_busy"]
    moved = runs.schedule_event(db, event=event, actor=organiser, time_limit=1, allow_moves=True)
    assert (moved.meetings, moved.moved, moved.added) == (2, 1, 1)
    placed = {
        m.request_id: (m.slot_id, m.state)
        for m in db.scalars(select(Meeting).where(Meeting.event_id == event.id))
    }
    assert placed == {first.id: (slots[1].id, "confirmed"), second.id: (slots[0].id, "planned")}
    trail = db.scalar(
        select(func.count()).where(AuditEntry.event_id == event.id, AuditEntry.action == "meeting_moved")
    )
    assert trail == 1


def test_a_request_limited_to_one_session_is_planned_only_there(db: Session, summit: Event) -> None:
    haidian, xinghe = _me(db, summit, "haidian"), _me(db, summit, "enterprise")
    _forget_pair(db, haidian, xinghe)
    actor = _actor(db, "haidian")
    with pytest.raises(DomainError) as unknown:
        requests.request_meeting(
            db, event=summit, actor=actor, requester=haidian, recipient_id=xinghe.id, sessions=["evening"]
        )
    assert unknown.value.field == "sessions"
    request = requests.request_meeting(
        db, event=summit, actor=actor, requester=haidian, recipient_id=xinghe.id, sessions=["2024-04-25 pm"]
    )
    requests.answer(
        db, event=summit, actor=_actor(db, "enterprise"), request=request, participant=xinghe, accept=True
    )
    build = runs.build_instance(db, event=summit)
    assert build.requests[f"r{request.id}"].id == request.id
    assert next(r for r in build.instance.requests if r.id == f"r{request.id}").sessions == ("2024-04-25 pm",)
    requests.set_priority(db, event=summit, actor=_actor(db, "organiser"), request=request, priority=3)
    runs.schedule_event(db, event=summit, actor=_actor(db, "organiser"), time_limit=2)
    meeting = db.scalar(select(Meeting).where(Meeting.request_id == request.id))
    assert meeting is not None
    assert db.get(MeetingSlot, meeting.slot_id).session == "2024-04-25 pm"

"""The organiser's meeting set-up services: sessions and slots in the event's time, overlaps and dates refused
naming both times, tables numbered and kept open in every slot, and removals refused while meetings use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import reset_locale, set_locale
from duijie.core.models import AuditEntry
from duijie.meetings import setup, setup_people
from duijie.meetings.models import Availability, Meeting, MeetingParticipant, MeetingRequest, MeetingSlot
from duijie.meetings.runs import build_instance
from tests import factories
from tests.meetings import factories as mf

T = dt.time


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages below are checked in English; one test checks the Chinese."""
    token = set_locale("en")
    yield
    reset_locale(token)


def _session(db: Session, event, actor, **over):  # type: ignore[no-untyped-def]
    values = {
        "label": "上午场",
        "day": dt.date(2026, 4, 25),
        "start": T(9),
        "end": T(12),
        "slot_minutes": 20,
        "break_minutes": 10,
    }
    values.update(over)
    return setup.create_session(db, event=event, actor=actor, **values)


def test_session_generates_slots_in_the_events_local_time(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    slots = _session(db, event, actor)
    # 09:00–09:20, 09:30–09:50 … the last one ending by 12:00: six slots, stored in UTC (Beijing is UTC+8).
    assert [setup.slot_text(event, s) for s in slots] == [
        "2026-04-25 09:00–09:20",
        "2026-04-25 09:30–09:50",
        "2026-04-25 10:00–10:20",
        "2026-04-25 10:30–10:50",
        "2026-04-25 11:00–11:20",
        "2026-04-25 11:30–11:50",
    ]
    assert slots[0].starts_at == dt.datetime(2026, 4, 25, 1, 0, tzinfo=dt.UTC)
    assert {s.session for s in slots} == {"2026-04-25 上午场"}
    assert db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "session_created")
    ) == 1


def test_overlapping_session_is_refused_naming_both_times_and_writes_nothing(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    _session(db, event, actor)
    with pytest.raises(DomainError) as refused:
        _session(db, event, actor, label="加场", start=T(11, 40), end=T(13), break_minutes=0)
    assert refused.value.field == "start"
    assert refused.value.message == (
        "The slot 2026-04-25 11:40–12:00 overlaps the existing slot 2026-04-25 11:30–11:50."
    )
    assert db.scalar(select(func.count()).select_from(MeetingSlot).where(MeetingSlot.event_id == event.id)) == 6


def test_overlap_refusal_reads_natively_in_chinese(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    _session(db, event, actor)
    token = set_locale("zh_CN")
    try:
        with pytest.raises(DomainError) as refused:
            setup.add_slot(db, event=event, actor=actor, label="加场", day=dt.date(2026, 4, 25), start=T(9, 10), end=T(9, 40))
    finally:
        reset_locale(token)
    assert refused.value.message == "新时段 2026-04-25 09:10–09:40 与已有时段 2026-04-25 09:00–09:20 重叠。"


def test_session_errors_name_each_field_together(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    with pytest.raises(DomainError) as refused:
        _session(db, event, actor, label="", day=dt.date(2026, 5, 1), start=T(12), end=T(9), slot_minutes=2)
    fields = {d.field: d.message for d in refused.value.details}
    assert fields == {
        "label": "Name the session, e.g. 上午场 or am.",
        "day": "2026-05-01 is outside the event's dates (2026-04-25 to 2026-04-26).",
        "slot_minutes": "A slot lasts from 5 to 240 minutes.",
        "end": "The end (09:00) must be after the start (12:00).",
    }


def test_a_session_where_no_slot_fits_is_refused(db: Session) -> None:
    event = factories.event(db)
    with pytest.raises(DomainError, match="No 45-minute slot fits between 09:00 and 09:30"):
        _session(db, event, mf.organiser(db, event), start=T(9), end=T(9, 30), slot_minutes=45)


def test_event_timezone_decides_the_stored_moment(db: Session) -> None:
    event = factories.event(db)
    # Until the event has its own column, an attribute of that name is what the set-up reads.
    event.timezone = "Europe/Berlin"  # type: ignore[attr-defined]
    slots = _session(db, event, mf.organiser(db, event), end=T(9, 20))
    assert slots[0].starts_at == dt.datetime(2026, 4, 25, 7, 0, tzinfo=dt.UTC)  # CEST is UTC+2


def test_another_events_organiser_is_refused(db: Session) -> None:
    event, other = factories.event(db), factories.event(db)
    with pytest.raises(PermissionDenied):
        _session(db, event, mf.organiser(db, other))


def test_slot_edit_moves_a_free_slot_and_keeps_one_holding_meetings(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    slots, tables = mf.grid(db, event, slots=2, tables=1)
    a, b = mf.participant(db, event), mf.participant(db, event)
    mf.meeting(db, event, slots[0], tables[0], a, b)
    setup.update_slot(db, event=event, actor=actor, slot=slots[1], label="pm", day=dt.date(2026, 4, 26), start=T(14), end=T(14, 30))
    assert setup.slot_text(event, slots[1]) == "2026-04-26 14:00–14:30"
    assert slots[1].session == "2026-04-26 pm"
    with pytest.raises(setup.InUse) as refused:
        setup.update_slot(db, event=event, actor=actor, slot=slots[0], label="am", day=dt.date(2026, 4, 25), start=T(10), end=T(10, 30))
    assert refused.value.message == (
        "The slot 2026-04-25 09:00–09:30 holds 1 meeting; move or cancel it on the meeting grid first."
    )


def test_removing_a_slot_or_session_holding_meetings_is_refused_with_the_count(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    slots, tables = mf.grid(db, event, slots=3, tables=2)
    people = [mf.participant(db, event) for _ in range(4)]
    mf.meeting(db, event, slots[0], tables[0], people[0], people[1])
    mf.meeting(db, event, slots[0], tables[1], people[2], people[3])
    with pytest.raises(setup.InUse) as refused:
        setup.remove_slot(db, event=event, actor=actor, slot=slots[0])
    assert refused.value.status_code == 409
    assert "holds 2 meetings" in refused.value.message
    with pytest.raises(setup.InUse, match="The session am holds 2 meetings"):
        setup.remove_session(db, event=event, actor=actor, session="am")
    db.add(Availability(participant_id=people[0].id, slot_id=slots[2].id))
    db.flush()
    setup.remove_slot(db, event=event, actor=actor, slot=slots[2])
    assert db.get(MeetingSlot, slots[0].id) is not None
    assert db.scalar(select(func.count()).select_from(Availability).where(Availability.slot_id == slots[2].id)) == 0


def test_tables_are_numbered_in_their_area_and_open_in_every_slot(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    slots = _session(db, event, actor)
    assert {s.table_count for s in slots} == {0}
    setup.add_tables(db, event=event, actor=actor, count=4, first=1, area="项目对接区")
    setup.add_tables(db, event=event, actor=actor, count=2, first=101, area="投资咨询洽谈区")
    assert [(a.area, [t.number for t in a.tables]) for a in setup.areas(db, event=event)] == [
        ("项目对接区", [1, 2, 3, 4]),
        ("投资咨询洽谈区", [101, 102]),
    ]
    # The scheduler caps a slot's count by the number of tables; placement reads it as the highest number.
    assert {s.table_count for s in slots} == {102}
    assert set(build_instance(db, event=event).instance.tables.values()) == {6}
    with pytest.raises(DomainError) as refused:
        setup.add_tables(db, event=event, actor=actor, count=3, first=3, area="x")
    assert refused.value.message == "Table 3 already exists; start the numbering at 103."
    assert refused.value.field == "first"


def test_rename_area_and_remove_table(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    slots, tables = mf.grid(db, event, slots=1, tables=3)
    assert setup.rename_area(db, event=event, actor=actor, old=None, new="A区") == 3
    a, b = mf.participant(db, event), mf.participant(db, event)
    mf.meeting(db, event, slots[0], tables[2], a, b)
    with pytest.raises(setup.InUse) as refused:
        setup.remove_table(db, event=event, actor=actor, number=3)
    assert refused.value.message == "Table 3 holds 1 meeting; move or cancel it on the meeting grid first."
    setup.remove_table(db, event=event, actor=actor, number=2)
    assert [t.number for a in setup.areas(db, event=event) for t in a.tables] == [1, 3]
    assert slots[0].table_count == 3
    with pytest.raises(DomainError, match="No table is in the area B区"):
        setup.rename_area(db, event=event, actor=actor, old="B区", new="C区")


def test_participant_removal_needs_confirmation_to_cancel_meetings(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    slots, tables = mf.grid(db, event, slots=2, tables=1)
    org = factories.organisation(db, name_zh="星河资本")
    a = mf.participant(db, event, organisation=org)
    b, c = mf.participant(db, event), mf.participant(db, event)
    meeting = mf.meeting(db, event, slots[0], tables[0], a, b)
    waiting = mf.request(db, event, c, a)
    with pytest.raises(setup_people.ConfirmationNeeded) as refused:
        setup_people.remove_participant(db, event=event, actor=actor, participant=a)
    assert refused.value.status_code == 409
    assert refused.value.message.endswith("has 1 scheduled meeting; confirm to cancel it and remove them.")
    assert db.get(MeetingParticipant, a.id) is not None
    cancelled = setup_people.remove_participant(db, event=event, actor=actor, participant=a, cancel_meetings=True)
    assert cancelled == 1
    db.expire_all()
    assert db.get(MeetingParticipant, a.id) is None
    assert db.get(Meeting, meeting.id) is None
    assert db.get(MeetingRequest, waiting.id) is None
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id)))
    assert {"meeting_cancelled", "request_cancelled", "participant_removed"} <= actions


def test_participant_with_a_held_meeting_stays(db: Session) -> None:
    event = factories.event(db)
    slots, tables = mf.grid(db, event, slots=1, tables=1)
    a, b = mf.participant(db, event), mf.participant(db, event)
    mf.meeting(db, event, slots[0], tables[0], a, b, state="held")
    with pytest.raises(DomainError, match="took part in 1 meeting already"):
        setup_people.remove_participant(db, event=event, actor=mf.organiser(db, event), participant=a, cancel_meetings=True)


def test_add_participant_from_the_directory_and_limit_meetings(db: Session) -> None:
    event = factories.event(db)
    actor = mf.organiser(db, event)
    org = factories.organisation(db)
    person = factories.person(db, organisation_id=org.id, email="li.na@example.com")
    found = setup_people.find_person(db, "测试 · x · LI.NA@example.com")
    assert found.id == person.id
    row = setup_people.add_participant(db, event=event, actor=actor, person=person, max_meetings=5)
    assert (row.organisation_id, row.max_meetings) == (org.id, 5)
    with pytest.raises(DomainError, match="already takes part"):
        setup_people.add_participant(db, event=event, actor=actor, person=person)
    slots, tables = mf.grid(db, event, slots=2, tables=1)
    mf.meeting(db, event, slots[0], tables[0], row, mf.participant(db, event))
    mf.meeting(db, event, slots[1], tables[0], row, mf.participant(db, event))
    with pytest.raises(DomainError) as refused:
        setup_people.update_participant(db, event=event, actor=actor, participant=row, max_meetings=1)
    assert refused.value.field == "max_meetings"
    assert "already has 2 meetings" in refused.value.message


def test_organiser_sets_a_participants_availability_with_the_participants_service(db: Session) -> None:
    event = factories.event(db)
    slots, _tables = mf.grid(db, event, slots=3, tables=1)
    p = mf.participant(db, event)
    free = setup_people.set_participant_availability(
        db, event=event, actor=mf.organiser(db, event), participant=p, slot_ids=[slots[0].id, slots[2].id]
    )
    assert free == {slots[0].id, slots[2].id}
    assert setup_people.free_slots(db, participant=p) == {slots[0].id, slots[2].id}
    with pytest.raises(PermissionDenied):
        setup_people.set_participant_availability(
            db, event=event, actor=mf.organiser(db, factories.event(db)), participant=p, slot_ids=[slots[0].id]
        )

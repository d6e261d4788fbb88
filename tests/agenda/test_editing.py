"""Editing the programme through `agenda.editing`: every problem at once naming its field, times in the event's
zone stored in UTC, conflicts refused (naming both sessions) or warned as the event's severity says, only
conflicts of the written session blocking it, sequence bumps, cancelling a published session, audit, and
organisers only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda import editing, service
from duijie.agenda.models import AgendaSession
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import reset_locale, set_locale
from duijie.core.models import AuditEntry
from duijie.directory.accounts import actor_for_account
from tests import factories
from tests.agenda import factories as af


def _organiser(db: Session, event=None):  # type: ignore[no-untyped-def]
    return factories.actor(db, role="organiser", event=event)


def test_every_problem_is_named_at_once(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    with pytest.raises(DomainError) as caught:
        editing.create_session(db, actor=actor, event=event, data={
            "kind": "concert", "starts_at": "tomorrow", "ends_at": "2026-04-25 10:00", "mode": "online",
            "expected": -3, "room_id": 999999, "speakers": [{"person_id": 999999}],
        })
    fields = {d.field for d in caught.value.details}
    assert {"kind", "title_zh", "starts_at", "expected", "speakers[0].person_id"} <= fields


def test_times_in_the_event_zone_are_stored_in_utc_and_end_after_start(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    out = editing.create_session(db, actor=actor, event=event, data={
        "title_zh": "开幕式", "starts_at": "2026-04-25 09:00", "ends_at": "2026-04-25T10:30:00+08:00"})
    assert out.value.starts_at == dt.datetime(2026, 4, 25, 1, 0, tzinfo=dt.UTC)
    assert out.value.ends_at == dt.datetime(2026, 4, 25, 2, 30, tzinfo=dt.UTC)
    with pytest.raises(DomainError) as caught:
        editing.update_session(db, actor=actor, event=event, session=out.value, data={"ends_at": "2026-04-25 08:00"})
    assert caught.value.details[0].field == "ends_at"
    with pytest.raises(DomainError) as caught:
        editing.update_session(db, actor=actor, event=event, session=out.value,
                               data={"starts_at": "2026-05-01 09:00", "ends_at": "2026-05-01 10:00"})
    assert caught.value.details[0].field == "starts_at"


def test_a_double_booked_speaker_is_refused_naming_both_sessions(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    speaker = factories.person(db, name_zh="王芳", name_en="Wang Fang")
    af.session(db, event, title_zh="人工智能论坛", title_en="AI Forum", people=[speaker])
    token = set_locale("en")
    try:
        with pytest.raises(editing.ScheduleConflict) as caught:
            editing.create_session(db, actor=actor, event=event, data={
                "title_zh": "生命健康论坛", "title_en": "Health Forum", "starts_at": "2026-04-25 09:30",
                "ends_at": "2026-04-25 11:00", "speakers": [{"person_id": speaker.id, "role": "moderator"}]})
    finally:
        reset_locale(token)
    message = caught.value.details[0].message
    assert "Wang Fang" in message and "AI Forum" in message and "Health Forum" in message
    # Nothing was left half written.
    assert db.scalar(select(AgendaSession).where(AgendaSession.title_zh == "生命健康论坛")) is None
    # Back to back is fine: half-open intervals.
    ok = editing.create_session(db, actor=actor, event=event, data={
        "title_zh": "生命健康论坛", "starts_at": "2026-04-25 10:00", "ends_at": "2026-04-25 11:00",
        "speakers": [speaker.id]})
    assert ok.warnings == []


def test_a_warned_rule_lets_the_write_through_with_the_sentence(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    room = af.room(db, event, capacity=50, name_zh="小会议室")
    out = editing.create_session(db, actor=actor, event=event, data={
        "title_zh": "路演", "starts_at": "2026-04-25 09:00", "ends_at": "2026-04-25 10:00", "room_id": room.id,
        "expected": 80})
    assert len(out.warnings) == 1 and "小会议室" in out.warnings[0] and "80" in out.warnings[0]
    # The organiser makes capacity a refusal: a new over-capacity session is refused.
    editing.set_severity(db, actor=actor, event=event, data={"over_capacity": "refuse", "room_overlap": "off"})
    with pytest.raises(editing.ScheduleConflict):
        editing.create_session(db, actor=actor, event=event, data={
            "title_zh": "路演二", "starts_at": "2026-04-25 11:00", "ends_at": "2026-04-25 12:00",
            "room_id": room.id, "expected": 90})
    # Room overlap switched off: the same room at the same time passes without a word.
    again = editing.create_session(db, actor=actor, event=event, data={
        "title_zh": "签约仪式", "starts_at": "2026-04-25 09:00", "ends_at": "2026-04-25 10:00", "room_id": room.id})
    assert again.warnings == []


def test_an_unrelated_existing_clash_does_not_block_another_write(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    room = af.room(db, event)
    af.session(db, event, room=room)
    af.session(db, event, room=room)  # a clash imported earlier
    assert [r.rule.value for r in service.event_conflicts(db, event)] == ["room_overlap"]
    out = editing.create_session(db, actor=actor, event=event, data={
        "title_zh": "另一场", "starts_at": "2026-04-25 09:00", "ends_at": "2026-04-25 10:00"})
    assert out.value.id


def test_room_hours_refuse_a_session_outside_them_and_shorter_hours_are_checked(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    room = editing.create_room(db, actor=actor, event=event, data={
        "name_zh": "主会场", "name_en": "Main Hall", "capacity": "800",
        "hours": [["2026-04-25 08:00", "2026-04-25 18:00"]]})
    assert room.hours[0].starts_at == dt.datetime(2026, 4, 25, 0, 0, tzinfo=dt.UTC)
    with pytest.raises(editing.ScheduleConflict) as caught:
        editing.create_session(db, actor=actor, event=event, data={
            "title_zh": "晚宴", "starts_at": "2026-04-25 19:00", "ends_at": "2026-04-25 21:00", "room_id": room.id})
    assert "主会场" in caught.value.message
    session = editing.create_session(db, actor=actor, event=event, data={
        "title_zh": "下午场", "starts_at": "2026-04-25 15:00", "ends_at": "2026-04-25 17:00",
        "room_id": room.id}).value
    with pytest.raises(editing.ScheduleConflict) as caught:
        editing.update_room(db, actor=actor, event=event, room=room,
                            data={"hours": [["2026-04-25 08:00", "2026-04-25 12:00"]]})
    assert caught.value.details[0].field == "hours" and "下午场" in caught.value.message
    db.refresh(room)
    assert len(room.hours) == 1 and room.hours[0].ends_at.hour == 10  # 18:00 +08:00 kept
    with pytest.raises(DomainError):
        editing.delete_room(db, actor=actor, event=event, room=room)
    assert session.room_id == room.id


def test_visible_changes_bump_the_sequence_and_are_audited(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    session = af.session(db, event)
    editing.update_session(db, actor=actor, event=event, session=session, data={"industry": "人工智能"})
    assert session.sequence == 0
    editing.update_session(db, actor=actor, event=event, session=session, data={"title_en": "New title"})
    assert session.sequence == 1
    editing.add_speaker(db, actor=actor, event=event, session=session,
                        data={"person_id": factories.person(db).id, "role": "host"})
    assert session.sequence == 2 and session.speakers[0].role == "host"
    actions = list(db.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type.in_(["agenda_session", "session_speaker"]), AuditEntry.event_id == event.id)
        .order_by(AuditEntry.id)))
    assert actions == ["update", "update", "create"]


def test_deleting_a_published_session_cancels_it_and_a_draft_one_is_removed(db: Session) -> None:
    public = af.forum(db)
    actor = _organiser(db)
    session = af.session(db, public)
    assert editing.delete_session(db, actor=actor, event=public, session=session) == "cancelled"
    assert session.cancelled_at is not None and session.sequence == 1
    draft = af.forum(db, is_published=False)
    other = af.session(db, draft)
    other_id = other.id
    assert editing.delete_session(db, actor=actor, event=draft, session=other) == "deleted"
    assert db.get(AgendaSession, other_id) is None


def test_only_the_events_organisers_write(db: Session) -> None:
    event = af.forum(db)
    elsewhere = af.forum(db)
    for actor in (_organiser(db, elsewhere), actor_for_account(factories.account(db, role="investor"))):
        with pytest.raises(PermissionDenied):
            editing.create_track(db, actor=actor, event=event, data={"name_zh": "人工智能"})
    track = editing.create_track(db, actor=_organiser(db, event), event=event, data={"name_zh": "人工智能"})
    with pytest.raises(DomainError) as caught:
        editing.create_track(db, actor=_organiser(db, event), event=event, data={"name_zh": "人工智能"})
    assert caught.value.details[0].field == "name_zh"
    assert track.id


def test_a_speakers_availability_warns_by_default(db: Session) -> None:
    event = af.forum(db)
    actor = _organiser(db, event)
    person = factories.person(db, name_zh="李雷")
    session = af.session(db, event, start="2026-04-25 14:00", end="2026-04-25 15:00", people=[person])
    out = editing.save_profile(db, actor=actor, event=event, person_id=person.id, data={
        "title_zh": "教授", "title_en": "Professor",
        "available": [{"start": "2026-04-25 08:00", "end": "2026-04-25 12:00"}]})
    assert out.value.available == [["2026-04-25T00:00:00+00:00", "2026-04-25T04:00:00+00:00"]]
    assert len(out.warnings) == 1 and "李雷" in out.warnings[0] and session.title_zh in out.warnings[0]

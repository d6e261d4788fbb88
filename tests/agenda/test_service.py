"""The programme's reads and the conflict report: times turned into UTC from either form, the severities read from
the event's setting (a value an older version stored falls back to the defaults), the report's sentences."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from duijie.agenda import service
from duijie.agenda.conflicts import Rule, Severity
from duijie.core.i18n import reset_locale, set_locale
from tests import factories
from tests.agenda import factories as af


def test_times_without_an_offset_are_the_events_wall_clock(db: Session) -> None:
    event = af.forum(db, timezone="Europe/London")
    summer = service.to_utc("2026-07-01 09:00", event)
    assert summer == dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert service.to_utc("2026-07-01T09:00:00+08:00", event) == dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        service.to_utc("nine o'clock", event)


def test_the_conflict_report_names_both_sessions_with_the_events_severities(db: Session) -> None:
    event = af.forum(db)
    person = factories.person(db, name_zh="郑和", name_en="Zheng He")
    first = af.session(db, event, title_zh="航海论坛", title_en="Navigation", people=[person])
    second = af.session(db, event, title_zh="贸易论坛", title_en="Trade", people=[person])
    service.SEVERITY.put(db, event_id=event.id, value={"person_overlap": "warn"})
    token = set_locale("en")
    try:
        (report,) = service.event_conflicts(db, event)
    finally:
        reset_locale(token)
    assert report.rule is Rule.PERSON_OVERLAP and report.severity is Severity.WARN
    assert set(report.sessions) == {first.id, second.id} and report.person == person.id
    assert "Zheng He" in report.message and "Navigation" in report.message and "Trade" in report.message
    service.SEVERITY.put(db, event_id=event.id, value={"person_overlap": "loud"})  # an older version's value
    assert service.severity(db, event)[Rule.PERSON_OVERLAP] is Severity.REFUSE
    service.SEVERITY.put(db, event_id=event.id, value={"person_overlap": "off"})
    assert service.event_conflicts(db, event) == []


def test_cancelled_and_unscheduled_sessions_are_not_checked(db: Session) -> None:
    event = af.forum(db)
    room = af.room(db, event)
    af.session(db, event, room=room)
    af.session(db, event, room=room, cancelled_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    af.session(db, event, room=room, start=None, end=None)
    assert service.event_conflicts(db, event) == []


def test_the_session_filter_finds_words_of_a_description_and_takes_days_in_the_zone_given(db: Session) -> None:
    from zoneinfo import ZoneInfo

    event = af.forum(db)
    late = af.session(db, event, start="2026-04-25 23:30", end="2026-04-26 00:30",
                      description_en="Solid-state batteries for heavy trucks")  # fmt: skip
    af.session(db, event, start="2026-04-25 10:00", end="2026-04-25 11:00", description_zh="低空经济与无人机")
    assert [s.id for s in service.list_sessions(db, event, service.SessionFilter(q="SOLID-STATE"))[1]] == [late.id]
    assert service.list_sessions(db, event, service.SessionFilter(q="无人机"))[0] == 1
    # 23:30 in Beijing is 16:30 in London: the same day there; in Tokyo it is 00:30 the next day.
    day = dt.date(2026, 4, 25)
    london = service.SessionFilter(day=day, zone=ZoneInfo("Europe/London"))
    tokyo = service.SessionFilter(day=day, zone=ZoneInfo("Asia/Tokyo"))
    assert late.id in [s.id for s in service.list_sessions(db, event, london)[1]]
    assert late.id not in [s.id for s in service.list_sessions(db, event, tokyo)[1]]

"""Times of the programme in the event's zone and in the reader's: Los Angeles, London and Sydney, a session that
crosses the reader's midnight, and the days on which clocks change."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.agenda import queries, timezones
from duijie.core import i18n
from tests.agenda import factories as af
from tests.conftest import in_english


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Seen:
    """What a reader sees of a span, read in their language."""

    day: dt.date
    times: str
    zone: str
    days_later: int


def _span(zone: str, start: str, end: str, locale: str = "en") -> Seen:
    token = i18n.set_locale(locale)
    try:
        choice = timezones.choose(zone, None, event_timezone="Asia/Shanghai")
        assert choice.error is None
        s = timezones.span(choice, _utc(start), _utc(end))
        return Seen(s.day, s.times, s.zone, s.days_later)
    finally:
        i18n.reset_locale(token)


def _text(zone: str, start: str, end: str, locale: str = "en") -> str:
    seen = _span(zone, start, end, locale)
    return f"{seen.times} {seen.zone}"


# 09:00–10:30 Beijing time on 25 April 2026 is 01:00–02:30 UTC.
OPENING = ("2026-04-25 01:00", "2026-04-25 02:30")
# 14:30–16:00 Beijing time: 23:30–01:00 in Los Angeles (PDT), across its midnight.
AFTERNOON = ("2026-04-25 06:30", "2026-04-25 08:00")
# 21:30–23:00 Beijing time: 23:30–01:00 in Sydney (AEST, UTC+10 since 5 April).
EVENING = ("2026-04-25 13:30", "2026-04-25 15:00")


def test_event_zone_is_the_default_and_labelled() -> None:
    choice = timezones.choose(None, None, event_timezone="Asia/Shanghai")
    assert choice.is_event_zone and choice.name == "Asia/Shanghai"
    assert _text("Asia/Shanghai", *OPENING) == "09:00–10:30 Beijing time (UTC+8)"
    assert _text("Asia/Shanghai", *OPENING, locale="zh_CN") == "09:00–10:30 北京时间 (UTC+8)"


def test_los_angeles_reader_sees_the_previous_day_and_a_session_crossing_midnight() -> None:
    opening = _span("America/Los_Angeles", *OPENING)
    assert (opening.day, opening.times) == (dt.date(2026, 4, 24), "18:00–19:30")
    assert opening.zone == "US Pacific time (Los Angeles) (UTC−7)"
    crossing = _span("America/Los_Angeles", *AFTERNOON)
    assert crossing.day == dt.date(2026, 4, 24) and crossing.days_later == 1
    assert crossing.times == "23:30–01:00 +1"
    assert _span("America/Los_Angeles", *AFTERNOON, locale="zh_CN").times == "23:30–次日 01:00"


def test_london_reader_in_summer_time() -> None:
    assert _text("Europe/London", *OPENING) == "02:00–03:30 UK time (London) (UTC+1)"
    assert _span("Europe/London", *AFTERNOON).days_later == 0


def test_sydney_reader_after_daylight_saving_ended() -> None:
    assert _text("Australia/Sydney", *OPENING) == "11:00–12:30 Sydney time (UTC+10)"
    evening = _span("Australia/Sydney", *EVENING)
    assert (evening.day, evening.times) == (dt.date(2026, 4, 25), "23:30–01:00 +1")


def test_offset_follows_the_daylight_saving_change_between_two_days() -> None:
    # London moves to BST at 01:00 UTC on 29 March 2026: the same 08:00 UTC reads 08:00 then 09:00.
    assert _text("Europe/London", "2026-03-28 08:00", "2026-03-28 09:00") == "08:00–09:00 UK time (London) (UTC±0)"
    assert _text("Europe/London", "2026-03-29 08:00", "2026-03-29 09:00") == "09:00–10:00 UK time (London) (UTC+1)"
    # Sydney leaves AEDT at 16:00 UTC on 4 April 2026.
    assert _span("Australia/Sydney", "2026-04-04 12:00", "2026-04-04 13:00").zone.endswith("(UTC+11)")
    assert _span("Australia/Sydney", "2026-04-04 17:00", "2026-04-04 18:00").zone.endswith("(UTC+10)")


def test_the_day_of_a_clock_change_is_23_hours_long_for_the_reader() -> None:
    choice = timezones.choose("Europe/London", None, event_timezone="Asia/Shanghai")
    start, end = queries.day_bounds(choice, dt.date(2026, 3, 29))
    assert (start, end) == (_utc("2026-03-29 00:00"), _utc("2026-03-29 23:00"))
    # 00:30 GMT and 23:30 BST are both on the 29th in London.
    assert choice.day(_utc("2026-03-29 00:30")) == dt.date(2026, 3, 29)
    assert choice.day(_utc("2026-03-29 22:30")) == dt.date(2026, 3, 29)
    assert choice.day(_utc("2026-03-29 23:00")) == dt.date(2026, 3, 30)


def test_unknown_zone_is_refused_with_a_message_and_a_bad_cookie_is_ignored() -> None:
    asked = timezones.choose("Mars/Olympus", None, event_timezone="Asia/Shanghai")
    assert asked.name == "Asia/Shanghai" and asked.error is not None and "Mars/Olympus" in asked.error
    remembered = timezones.choose(None, "../../etc/passwd", event_timezone="Asia/Shanghai")
    assert remembered.name == "Asia/Shanghai" and remembered.error is None
    assert timezones.choose(None, "Europe/London", event_timezone="Asia/Shanghai").name == "Europe/London"
    assert timezones.choose("event", "Europe/London", event_timezone="Asia/Shanghai").name == "Asia/Shanghai"


def test_offsets_with_minutes_and_unnamed_zones() -> None:
    assert timezones.offset_text(_utc("2026-04-25 01:00"), timezones.zone("Asia/Kolkata")) == "UTC+5:30"  # type: ignore[arg-type]
    token = i18n.set_locale("en")
    try:
        assert timezones.zone_label("America/Denver", _utc("2026-04-25 01:00")) == "Denver (UTC−6)"
    finally:
        i18n.reset_locale(token)


# -- the pages ------------------------------------------------------------------------------------------------


def _forum(db: Session) -> None:
    event = af.forum(db, slug="tz-forum")
    hall = af.room(db, event, name_zh="主会场", name_en="Main Hall")
    af.session(db, event, room=hall, start="2026-04-25 09:00", end="2026-04-25 10:30", title_zh="开幕", title_en="Opening")
    af.session(db, event, room=hall, start="2026-04-25 14:30", end="2026-04-25 16:00", title_zh="午后", title_en="Afternoon")
    af.session(db, event, room=hall, start="2026-04-25 21:30", end="2026-04-25 23:00", title_zh="夜场", title_en="Evening")


def _tabs(html: str) -> list[str]:
    nav = html.split('data-testid="day-tabs"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="\?day=([0-9-]+)"', nav)


def test_timetable_regroups_days_in_the_readers_zone(client: TestClient, db: Session) -> None:
    _forum(db)
    assert _tabs(client.get("/events/tz-forum/agenda").text) == ["2026-04-25"]
    with in_english(client):
        la = client.get("/events/tz-forum/agenda?tz=America/Los_Angeles&day=2026-04-24")
        assert _tabs(la.text) == ["2026-04-24", "2026-04-25"]
        assert "Opening" in la.text and "Afternoon" in la.text and "Evening" not in la.text
        assert "23:30–01:00 +1" in la.text
        assert "US Pacific time (Los Angeles) (UTC−7)" in la.text
        # The choice is remembered for the next page.
        assert la.cookies.get("tz") == "America%2FLos_Angeles"
        nxt = client.get("/events/tz-forum/agenda?day=2026-04-25")
        assert "Evening" in nxt.text and "06:30–08:00" in nxt.text
        sydney = client.get("/events/tz-forum/agenda?tz=Australia/Sydney&day=2026-04-25")
        assert "23:30–01:00 +1" in sydney.text and "Sydney time (UTC+10)" in sydney.text
        london = client.get("/events/tz-forum/sessions?tz=Europe/London")
        assert "02:00–03:30" in london.text and "UK time (London) (UTC+1)" in london.text
        back = client.get("/events/tz-forum/agenda?tz=event")
        assert "09:00–10:30" in back.text and "Max-Age=0" in back.headers["set-cookie"]  # forgotten
    client.cookies.delete("tz")


def test_session_page_in_another_zone_also_shows_the_event_time(client: TestClient, db: Session) -> None:
    _forum(db)
    sid = re.findall(r"/events/tz-forum/sessions/(\d+)\"", client.get("/events/tz-forum/sessions").text)[1]
    page = client.get(f"/events/tz-forum/sessions/{sid}?tz=America/Los_Angeles").text
    assert "23:30–次日 01:00" in page
    assert "14:30–16:00" in page  # the event's own clock, for the venue
    client.cookies.delete("tz")


def test_switch_lists_the_common_zones_and_the_browser_zone_slot(client: TestClient, db: Session) -> None:
    _forum(db)
    page = client.get("/events/tz-forum/agenda").text
    switch = page.split('data-testid="zone-switch"', 1)[1].split("</form>", 1)[0]
    for name in ("event", "America/Los_Angeles", "Europe/London", "Australia/Sydney"):
        assert f'<option value="{name}"' in switch
    assert "data-my-zone" in switch and '<script src="/static/agenda.js"></script>' in page

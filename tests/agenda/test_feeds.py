"""Calendar files of the programme: one session's .ics and the starred-sessions feed, with stable UIDs, SEQUENCE
and DTSTAMP that follow changes, cancelled sessions kept as CANCELLED, and the feed opened by the meetings
feed's token (a reset closes both)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.directory.accounts import actor_for_account
from duijie.meetings import feeds as meeting_feeds
from tests import factories
from tests.agenda import factories as af
from tests.conftest import login
from tests.factories import PASSWORD
from tests.meetings.test_feeds_ics import Component, parse


def _events(body: str) -> dict[str, Component]:
    calendar = parse(body)
    found = {e.one("UID"): e for e in calendar.children}
    assert len(found) == len(calendar.children), "a UID twice"
    return found


def _forum(db: Session) -> dict[str, object]:
    event = af.forum(db, slug="ics-forum", venue="中关村国际创新中心")
    hall = af.room(db, event, name_zh="主会场", name_en="Main Hall", floor_zh="一层", floor_en="Level 1")
    s = af.session(
        db, event, room=hall, start="2026-04-25 09:00", end="2026-04-25 10:30",
        title_zh="开幕式，全体大会；第一场", title_en="Opening", description_zh="论坛开幕。",
    )  # fmt: skip
    return {"event": event, "hall": hall, "session": s}


def test_session_ics_has_a_stable_uid_sequence_and_stamp(client: TestClient, db: Session) -> None:
    p = _forum(db)
    s = p["session"]
    url = f"/events/ics-forum/sessions/{s.id}.ics"  # type: ignore[attr-defined]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = parse(response.text)
    assert calendar.one("METHOD") == "PUBLISH"
    (vevent,) = calendar.children
    assert vevent.one("UID") == f"session-{s.id}@testserver"  # type: ignore[attr-defined]
    assert vevent.one("DTSTART") == "20260425T010000Z" and vevent.one("DTEND") == "20260425T023000Z"
    assert vevent.text("SUMMARY") == "开幕式，全体大会；第一场"
    assert vevent.text("LOCATION") == "主会场 · 一层 · 中关村国际创新中心"
    assert vevent.one("SEQUENCE") == "0" and vevent.one("STATUS") == "CONFIRMED"
    assert vevent.one("DTSTAMP") == s.updated_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")  # type: ignore[attr-defined]
    assert vevent.one("URL") == f"http://testserver/events/ics-forum/sessions/{s.id}"  # type: ignore[attr-defined]


def test_a_moved_then_cancelled_session_keeps_its_uid_with_a_higher_sequence(client: TestClient, db: Session) -> None:
    p = _forum(db)
    s = p["session"]
    url = f"/events/ics-forum/sessions/{s.id}.ics"  # type: ignore[attr-defined]
    before = _events(client.get(url).text)
    s.starts_at = s.starts_at + dt.timedelta(hours=1)  # type: ignore[attr-defined]
    s.ends_at = s.ends_at + dt.timedelta(hours=1)  # type: ignore[attr-defined]
    s.sequence = 1  # type: ignore[attr-defined]
    s.updated_at = dt.datetime(2026, 4, 20, 8, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    db.flush()
    moved = _events(client.get(url).text)
    assert moved.keys() == before.keys()
    (uid,) = moved
    assert moved[uid].one("DTSTART") == "20260425T020000Z"
    assert moved[uid].one("SEQUENCE") == "1" and moved[uid].one("DTSTAMP") == "20260420T080000Z"
    s.cancelled_at = dt.datetime(2026, 4, 21, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    s.sequence = 2  # type: ignore[attr-defined]
    db.flush()
    cancelled = _events(client.get(url).text)[uid]
    assert cancelled.one("STATUS") == "CANCELLED" and cancelled.one("SEQUENCE") == "2"
    assert cancelled.text("SUMMARY") == "已取消：开幕式，全体大会；第一场"


def test_a_session_without_a_time_has_no_calendar_file(client: TestClient, db: Session) -> None:
    event = af.forum(db, slug="ics-forum")
    s = af.session(db, event, start=None, end=None)
    assert client.get(f"/events/ics-forum/sessions/{s.id}.ics").status_code == 404


def test_the_personal_feed_carries_the_starred_sessions_under_the_same_uids(client: TestClient, db: Session) -> None:
    p = _forum(db)
    s = p["session"]
    other = af.session(db, p["event"], title_zh="另一场", start="2026-04-26 09:00", end="2026-04-26 10:00")  # type: ignore[arg-type]
    untimed = af.session(db, p["event"], title_zh="待定场", start=None, end=None)  # type: ignore[arg-type]
    account = factories.account(db, locale="en")
    for row in (s, other, untimed):
        af.star(db, account, row)  # type: ignore[arg-type]
    other.cancelled_at = dt.datetime(2026, 4, 21, tzinfo=dt.UTC)
    db.flush()
    login(client, account.username, PASSWORD)
    page = client.get("/me/agenda").text
    feed_url = page.split('id="ag-feed-url" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert feed_url.startswith("http://testserver/agenda/calendar/")
    client.cookies.clear()
    response = client.get(feed_url)
    assert response.status_code == 200
    calendar = parse(response.text)
    assert not calendar.has("METHOD") and calendar.has("REFRESH-INTERVAL")
    found = _events(response.text)
    assert sorted(found) == sorted([f"session-{s.id}@testserver", f"session-{other.id}@testserver"])  # type: ignore[attr-defined]
    assert found[f"session-{other.id}@testserver"].one("STATUS") == "CANCELLED"
    # The account reads English.
    assert found[f"session-{s.id}@testserver"].text("SUMMARY") == "Opening"  # type: ignore[attr-defined]
    etag = response.headers["etag"]
    assert client.get(feed_url, headers={"If-None-Match": etag}).status_code == 304


def test_the_personal_feed_token_is_the_meetings_one_and_a_reset_closes_it(client: TestClient, db: Session) -> None:
    account = factories.account(db)
    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    token = meeting_feeds.feed_token(db, account_id=account.id, secret=meeting_feeds.site_key(db, secret))
    assert client.get(f"/agenda/calendar/{token}.ics").status_code == 200
    assert client.get(f"/agenda/calendar/{token[:-2]}xx.ics").status_code == 404
    assert client.get("/agenda/calendar/1-nothing.ics").status_code == 404
    meeting_feeds.reset(db, actor=actor_for_account(account), secret=meeting_feeds.site_key(db, secret))
    db.flush()
    assert client.get(f"/agenda/calendar/{token}.ics").status_code == 404

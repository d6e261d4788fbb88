"""Calendar feeds through the real meeting writes and the real app: what a subscriber's calendar receives when the
organiser schedules, publishes, moves and cancels, and who can read a feed (only its token's holder, until the
token is reset). Every feed is read back with the strict parser of `test_feeds_ics`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account, Person
from duijie.events.models import Event
from duijie.meetings import feeds, placement, requests, runs, setup
from duijie.meetings import service as meeting_service
from duijie.meetings.models import Meeting, MeetingRequest, MeetingSlot, MeetingTombstone
from tests import factories
from tests.conftest import csrf_of, login
from tests.meetings import factories as mf
from tests.meetings.test_feeds_ics import Component, parse

SECRET = "a-test-secret-of-the-installation-0123456789"


@dataclass
class Pair:
    """An investor and an enterprise of one event with an accepted request, and the event's organiser."""

    event: Event
    slots: list[MeetingSlot]
    investor: Account
    enterprise: Account
    organiser: Actor
    request: MeetingRequest


def _pair(db: Session, *, investor: Account | None = None, venue: str = "国家会议中心") -> Pair:
    event = factories.event(db, venue=venue)
    slots, tables = mf.grid(db, event, slots=3, tables=2)
    tables[0].area = "A区"
    ventures = factories.organisation(db, kind="investor", name_zh="北辰创投", name_en="Beichen Ventures")
    tech = factories.organisation(db, name_zh="南山科技", name_en="Nanshan Tech")
    investor = investor or factories.account(db, organisation=ventures)
    enterprise = factories.account(db, organisation=tech)
    a = mf.participant(db, event, person=db.get(Person, investor.person_id), organisation=ventures)
    b = mf.participant(db, event, person=db.get(Person, enterprise.person_id), organisation=tech)
    request = mf.request(db, event, a, b, state="accepted")
    organiser = actor_for_account(factories.account(db, role="organiser", event=event))
    return Pair(event, slots, investor, enterprise, organiser, request)


def _pin(db: Session, pair: Pair, slot: int, table: int = 1) -> Meeting:
    return placement.pin_meeting(
        db,
        event=pair.event,
        actor=pair.organiser,
        request=pair.request,
        slot_id=pair.slots[slot].id,
        table_number=table,
    )


def _feed(db: Session, account: Account, locale: str = "zh_CN") -> dict[str, Component]:
    """The account's feed, parsed strictly, by UID."""
    calendar = parse(feeds.render_feed(db, account=account, locale=locale).body)
    assert not calendar.has("METHOD")
    events = {e.one("UID"): e for e in calendar.children}
    assert len(events) == len(calendar.children), "a UID twice"
    return events


def _uid(pair: Pair) -> str:
    return f"meeting-{pair.request.id}@{pair.event.slug}.duijie"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_a_published_meeting_is_in_both_feeds_and_a_draft_is_in_none(db: Session) -> None:
    pair = _pair(db)
    _pin(db, pair, slot=1)
    assert _feed(db, pair.investor) == {} and _feed(db, pair.enterprise) == {}
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    for account, other in ((pair.investor, "南山科技"), (pair.enterprise, "北辰创投")):
        event = _feed(db, account)[_uid(pair)]
        assert event.one("STATUS") == "CONFIRMED"
        assert event.one("DTSTART") == _utc(pair.slots[1].starts_at)
        assert event.one("DTEND") == _utc(pair.slots[1].ends_at)
        assert event.text("SUMMARY") == f"洽谈：{other}"
        assert event.text("LOCATION") == "国家会议中心 · A区 · 1 号桌"
        assert other in event.text("DESCRIPTION")


def test_moving_a_published_meeting_keeps_its_uid_and_raises_its_sequence(db: Session) -> None:
    pair = _pair(db)
    _pin(db, pair, slot=0)
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    before = _feed(db, pair.investor)[_uid(pair)]
    _pin(db, pair, slot=2, table=2)
    after = _feed(db, pair.investor)[_uid(pair)]
    assert int(after.one("SEQUENCE")) == int(before.one("SEQUENCE")) + 1
    assert after.one("DTSTART") == _utc(pair.slots[2].starts_at)
    assert after.text("LOCATION") == "国家会议中心 · 2 号桌"
    assert after.one("STATUS") == "CONFIRMED"
    assert after.one("DTSTAMP") >= before.one("DTSTAMP")
    assert list(_feed(db, pair.enterprise)) == [_uid(pair)]


def test_renaming_the_area_of_a_meetings_table_reaches_the_feed_as_a_change(db: Session) -> None:
    pair = _pair(db)
    _pin(db, pair, slot=0)
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    before = _feed(db, pair.investor)[_uid(pair)]
    setup.rename_area(db, event=pair.event, actor=pair.organiser, old="A区", new="东厅")
    after = _feed(db, pair.investor)[_uid(pair)]
    assert after.text("LOCATION") == "国家会议中心 · 东厅 · 1 号桌"
    assert int(after.one("SEQUENCE")) == int(before.one("SEQUENCE")) + 1


def test_cancelling_a_published_meeting_sends_it_cancelled_with_a_higher_sequence(db: Session) -> None:
    pair = _pair(db)
    _pin(db, pair, slot=1)
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    before = _feed(db, pair.enterprise)[_uid(pair)]
    participant = meeting_service.participant_for(
        db, event=pair.event, actor=actor_for_account(pair.investor)
    )
    requests.cancel(
        db, event=pair.event, actor=actor_for_account(pair.investor), request=pair.request, participant=participant
    )
    assert db.scalar(select(Meeting).where(Meeting.request_id == pair.request.id)) is None
    for account in (pair.enterprise, pair.investor):
        event = _feed(db, account)[_uid(pair)]
        assert event.one("STATUS") == "CANCELLED"
        assert int(event.one("SEQUENCE")) > int(before.one("SEQUENCE"))
        assert event.one("DTSTART") == before.one("DTSTART")
        assert event.text("SUMMARY").startswith("已取消")


def test_a_cancelled_draft_never_reaches_a_feed_and_old_cancellations_leave_it(db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=1)
    meeting_service.set_meeting_state(db, actor=pair.organiser, meeting=meeting, to="cancelled")
    tomb = db.scalar(select(MeetingTombstone).where(MeetingTombstone.request_id == pair.request.id))
    assert tomb is not None and tomb.published is False
    assert _feed(db, pair.investor) == {}
    # A published one, cancelled longer ago than feeds keep cancellations, is gone from the feed.
    tomb.published = True
    db.flush()
    assert _feed(db, pair.investor)[_uid(pair)].one("STATUS") == "CANCELLED"
    tomb.removed_at = tomb.removed_at - feeds.KEEP_CANCELLED - dt.timedelta(minutes=1)
    db.flush()
    assert _feed(db, pair.investor) == {}


def test_a_scheduling_run_writes_drafts_and_a_rerun_leaves_published_meetings_as_they_were(db: Session) -> None:
    pair = _pair(db)
    runs.schedule_event(db, event=pair.event, actor=pair.organiser, time_limit=5)
    assert db.scalar(select(Meeting.state).where(Meeting.request_id == pair.request.id)) == "planned"
    assert _feed(db, pair.investor) == {}
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    published = _feed(db, pair.investor)[_uid(pair)]
    runs.schedule_event(db, event=pair.event, actor=pair.organiser, time_limit=5)
    again = _feed(db, pair.investor)[_uid(pair)]
    assert again.one("SEQUENCE") == published.one("SEQUENCE")
    assert again.one("DTSTART") == published.one("DTSTART")


def test_a_feed_holds_every_event_the_person_meets_in_and_nobody_elses_meetings(db: Session) -> None:
    first = _pair(db)
    second = _pair(db, investor=first.investor, venue="首钢园")
    stranger = _pair(db)
    for pair in (first, second, stranger):
        _pin(db, pair, slot=0)
        meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    assert set(_feed(db, first.investor)) == {_uid(first), _uid(second)}
    assert set(_feed(db, first.enterprise)) == {_uid(first)}
    assert set(_feed(db, stranger.investor)) == {_uid(stranger)}


def test_the_feed_speaks_the_accounts_language(db: Session) -> None:
    pair = _pair(db)
    _pin(db, pair, slot=1)
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    pair.enterprise.locale = "en"
    db.flush()
    english = _feed(db, pair.enterprise, feeds.account_locale(pair.enterprise, "zh_CN"))[_uid(pair)]
    assert english.text("SUMMARY") == "Meeting: Beichen Ventures"
    assert english.text("LOCATION") == "国家会议中心 · A区 · Table 1"
    chinese = _feed(db, pair.investor, feeds.account_locale(pair.investor, "zh_CN"))[_uid(pair)]
    assert chinese.text("SUMMARY") == "洽谈：南山科技"


def test_a_token_opens_only_its_own_account_and_a_reset_closes_the_old_one(db: Session) -> None:
    pair = _pair(db)
    mine = feeds.feed_token(db, account_id=pair.investor.id, secret=SECRET)
    theirs = feeds.feed_token(db, account_id=pair.enterprise.id, secret=SECRET)
    assert feeds.account_for_token(db, token=mine, secret=SECRET) == pair.investor
    assert feeds.account_for_token(db, token=theirs, secret=SECRET) == pair.enterprise
    # Their MAC under my account id, my token under another key, a cut token: nothing.
    forged = f"{pair.investor.id}-{theirs.split('-', 1)[1]}"
    for token in (forged, mine[:-1], mine + "A", "x-" + mine, str(pair.investor.id)):
        assert feeds.account_for_token(db, token=token, secret=SECRET) is None
    assert feeds.account_for_token(db, token=mine, secret=SECRET + "x") is None
    new = feeds.reset(db, actor=actor_for_account(pair.investor), secret=SECRET)
    assert new != mine
    assert feeds.account_for_token(db, token=mine, secret=SECRET) is None
    assert feeds.account_for_token(db, token=new, secret=SECRET) == pair.investor
    pair.investor.is_active = False
    db.flush()
    assert feeds.account_for_token(db, token=new, secret=SECRET) is None


# -- through the application ---------------------------------------------------------------------------------


@pytest.fixture
def published(db: Session) -> Pair:
    pair = _pair(db)
    _pin(db, pair, slot=1)
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    db.commit()
    return pair


def _path(url: str) -> str:
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics"), url
    return url.removeprefix("http://testserver")


def test_the_feed_url_works_without_a_session_and_revalidates_cheaply(
    client: TestClient, db: Session, published: Pair
) -> None:
    login(client, published.investor.username, factories.PASSWORD)
    address = client.get("/api/v1/me/calendar").json()
    assert address["webcal"] == "webcal://" + address["url"].removeprefix("http://")
    assert address["reset_at"] is None
    client.cookies.clear()
    feed = client.get(_path(address["url"]))
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.headers["cache-control"] == "private, no-cache"
    assert parse(feed.content).children[0].one("UID") == _uid(published)
    etag, modified = feed.headers["etag"], feed.headers["last-modified"]
    assert client.get(_path(address["url"]), headers={"If-None-Match": etag}).status_code == 304
    assert client.get(_path(address["url"]), headers={"If-Modified-Since": modified}).status_code == 304
    # The organiser moves the meeting: the same address now answers with the new version.
    _pin(db, published, slot=2)
    db.commit()
    changed = client.get(_path(address["url"]), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    event = parse(changed.content).children[0]
    assert event.one("UID") == _uid(published)
    assert event.one("DTSTART") == _utc(published.slots[2].starts_at)


def test_resetting_through_the_api_makes_the_old_url_answer_404(client: TestClient, published: Pair) -> None:
    login(client, published.investor.username, factories.PASSWORD)
    old = client.get("/api/v1/me/calendar").json()["url"]
    new = client.post("/api/v1/me/calendar/reset").json()
    assert new["url"] != old and new["reset_at"] is not None
    assert client.get("/api/v1/me/calendar").json()["url"] == new["url"]
    client.cookies.clear()
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new["url"])).status_code == 200
    assert client.get("/calendar/1-nonsense.ics").status_code == 404
    assert client.get("/api/v1/me/calendar").status_code == 401


def test_my_calendar_page_shows_the_address_and_resets_it(client: TestClient, published: Pair) -> None:
    login(client, published.enterprise.username, factories.PASSWORD)
    page = client.get("/me/calendar")
    assert page.status_code == 200
    assert "我的日程" in page.text and "北辰创投" in page.text
    old = page.text.split('data-testid="feed-url" spellcheck="false"', 1)[0].rsplit('value="', 1)[1].split('"')[0]
    assert old == client.get("/api/v1/me/calendar").json()["url"]
    assert f'href="/events/{published.event.slug}/meetings/me.ics"' in page.text
    schedule = client.get(f"/events/{published.event.slug}/meetings/schedule").text
    assert '<a href="/me/calendar" data-testid="feed-link">订阅日程（随安排自动更新）</a>' in schedule
    english = client.get("/me/calendar?lang=en")
    assert "My calendar" in english.text and "Reset the address" in english.text
    reset = client.post(
        "/me/calendar/reset", data={"csrf": csrf_of(client, "/me/calendar")}, follow_redirects=False
    )
    assert reset.status_code == 303 and reset.headers["location"] == "/me/calendar?done=reset#address"
    after = client.get("/me/calendar?done=reset")
    assert 'data-testid="reset-done"' in after.text and old not in after.text
    forged = client.post("/me/calendar/reset", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code in (400, 403, 422)
    client.cookies.clear()
    assert client.get(_path(old)).status_code == 404
    anonymous = client.get("/me/calendar", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/me/calendar"

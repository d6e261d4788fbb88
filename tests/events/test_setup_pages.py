"""The organisers' set-up pages (`/organise/events`): forms that come back filled in with each message beside
its field in the page's language, the scoped organiser's reach, publishing and deleting from the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.events.models import Event, PublishedFigure
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.events import factories as ev

FORM = {
    "slug": "spring-summit",
    "kind": "summit",
    "parent": "",
    "name_zh": "春季峰会",
    "name_en": "Spring Summit",
    "starts_on": "2027-06-01",
    "ends_on": "2027-06-02",
    "city": "北京",
    "venue": "",
    "timezone": "Asia/Shanghai",
}


def _sign_in(client: TestClient, db: Session, event: Event | None = None) -> None:
    account = ev.organiser(db, event)
    db.commit()
    login(client, account.username, factories.PASSWORD)


def _beside(html: str, field: str) -> str:
    """The message shown beside the field `field` of the page's form."""
    found = re.search(rf'id="f-{field}-error" role="alert">([^<]*)<', html)
    assert found, f"no message beside {field}"
    return found.group(1)


def _value(html: str, field: str) -> str:
    found = re.search(rf'id="f-{field}" type="[a-z]+" name="{field}" value="([^"]*)"', html)
    assert found, f"no input {field}"
    return found.group(1)


def test_a_refused_form_comes_back_filled_in_with_chinese_messages_beside_the_fields(
    client: TestClient, db: Session
) -> None:
    _sign_in(client, db)
    form = {**FORM, "name_en": "", "ends_on": "2027-05-01", "timezone": "Beijing", "csrf": csrf_of(client, "/organise/events/new")}
    page = client.post("/organise/events/new", data=form)
    assert page.status_code == 422
    assert _beside(page.text, "name_en") == "请填写此项。"
    assert _beside(page.text, "ends_on") == "活动的结束日期（2027-05-01）不能早于开始日期（2027-06-01）。"
    assert _beside(page.text, "timezone").startswith("Beijing 不是有效的时区")
    assert (_value(page.text, "name_zh"), _value(page.text, "timezone"), _value(page.text, "ends_on")) == (
        "春季峰会", "Beijing", "2027-05-01",
    )  # fmt: skip
    assert db.scalar(select(Event).where(Event.slug == "spring-summit")) is None


def test_the_same_form_speaks_english_on_an_english_page(client: TestClient, db: Session) -> None:
    _sign_in(client, db)
    with in_english(client):
        form = {**FORM, "slug": "Spring Summit", "csrf": csrf_of(client, "/organise/events/new")}
        page = client.post("/organise/events/new", data=form)
    assert page.status_code == 422
    assert _beside(page.text, "slug") == (
        "Use lower-case letters, digits and hyphens (such as invest-beijing-2025), at most 80."
    )
    assert "请" not in _beside(page.text, "slug") and "<h1>New event" in page.text


def test_an_organiser_creates_a_draft_and_publishes_it_from_its_page(client: TestClient, db: Session) -> None:
    _sign_in(client, db)
    created = client.post(
        "/organise/events/new", data={**FORM, "csrf": csrf_of(client, "/organise/events/new")}, follow_redirects=False
    )
    assert (created.status_code, created.headers["location"]) == (303, "/organise/events/spring-summit?saved=1")
    event = db.scalar(select(Event).where(Event.slug == "spring-summit"))
    assert event is not None and not event.is_published
    listing = client.get("/organise/events").text
    assert "春季峰会" in listing and "state-draft" in listing
    page = client.get("/organise/events/spring-summit")
    assert "草稿：只有本活动的主办方可以看到" in page.text
    client.post("/organise/events/spring-summit/publish", data={"csrf": csrf_of(client, "/organise/events")})
    db.refresh(event)
    assert event.is_published


def test_an_edit_saves_the_fields_and_a_refused_edit_changes_nothing(client: TestClient, db: Session) -> None:
    forum = ev.forum(db)
    _sign_in(client, db)
    token = csrf_of(client, "/organise/events")
    values = {**FORM, "slug": forum.slug, "kind": "forum", "name_zh": "改名论坛", "name_en": "Renamed",
              "starts_on": "2027-05-10", "ends_on": "2027-05-14", "venue": "国家会议中心", "csrf": token}  # fmt: skip
    saved = client.post(f"/organise/events/{forum.slug}", data=values, follow_redirects=False)
    assert saved.status_code == 303
    db.refresh(forum)
    assert (forum.name_zh, forum.venue) == ("改名论坛", "国家会议中心")
    refused = client.post(f"/organise/events/{forum.slug}", data={**values, "name_zh": "再改", "kind": "contest",
                                                                    "parent": forum.slug})
    assert refused.status_code == 422
    assert _beside(refused.text, "parent") == "活动不能设在其自身之下。"
    db.refresh(forum)
    assert (forum.name_zh, forum.kind) == ("改名论坛", "forum")


def test_an_organiser_of_one_forum_sets_up_its_events_only(client: TestClient, db: Session) -> None:
    forum = ev.forum(db)
    summit = ev.inside(db, forum)
    other = factories.event(db, name_zh="别人的活动")
    _sign_in(client, db, forum)
    listing = client.get("/organise/events").text
    assert forum.name_zh in listing and summit.name_zh in listing and "别人的活动" not in listing
    assert client.get(f"/organise/events/{summit.slug}").status_code == 200
    assert client.get(f"/organise/events/{other.slug}").status_code == 403
    token = csrf_of(client, "/organise/events")
    top = client.post("/organise/events/new", data={**FORM, "csrf": token})
    assert top.status_code == 403
    assert _beside(top.text, "parent") == "只有全市活动的主办方才能创建顶层活动。"
    inner = client.post(
        "/organise/events/new",
        data={**FORM, "parent": forum.slug, "starts_on": "2027-05-12", "ends_on": "2027-05-12", "csrf": token},
        follow_redirects=False,
    )
    assert inner.status_code == 303
    created = db.scalar(select(Event).where(Event.slug == "spring-summit"))
    assert created is not None and created.parent_id == forum.id


def test_deleting_a_draft_that_holds_an_event_says_what_holds_it(client: TestClient, db: Session) -> None:
    forum = ev.forum(db, is_published=False)
    ev.inside(db, forum, is_published=False)
    _sign_in(client, db)
    page = client.post(f"/organise/events/{forum.slug}/delete", data={"csrf": csrf_of(client, "/organise/events")})
    assert page.status_code == 409
    assert "无法删除该活动：其下还有下设活动 1。" in page.text
    lone = ev.draft(db)
    db.commit()
    gone = client.post(f"/organise/events/{lone.slug}/delete", data={"csrf": csrf_of(client, "/organise/events")},
                       follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303 and db.scalar(select(Event.id).where(Event.slug == lone.slug)) is None


def test_figures_are_added_edited_and_removed_with_messages_beside_their_fields(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _sign_in(client, db)
    token = csrf_of(client, "/organise/events")
    figure = {"key": "signed_count", "label_zh": "签约项目", "label_en": "Projects signed", "qualifier": "",
              "value": "39", "unit": "个", "source": "000_41e0bd28c136a3b5.txt", "csrf": token}  # fmt: skip
    refused = client.post(f"/organise/events/{event.slug}/figures", data=figure)
    assert refused.status_code == 422
    assert re.search(r'id="fig--source-error" role="alert">请填写读者可以查到的出处', refused.text)
    assert 'value="000_41e0bd28c136a3b5.txt"' in refused.text
    client.post(f"/organise/events/{event.slug}/figures", data={**figure, "source": "《北京释放投资新商机》"})
    row = db.scalar(select(PublishedFigure).where(PublishedFigure.event_id == event.id))
    assert row is not None and (row.value, row.source) == (39, "《北京释放投资新商机》")
    client.post(f"/organise/events/{event.slug}/figures/signed_count", data={**figure, "value": "40", "source": ""})
    db.refresh(row)
    assert (row.value, row.source) == (40, None)
    client.post(f"/organise/events/{event.slug}/figures/signed_count/delete", data={"csrf": token})
    assert db.scalar(select(PublishedFigure).where(PublishedFigure.event_id == event.id)) is None


def test_the_navigation_offers_the_set_up_to_organisers_only(client: TestClient, db: Session) -> None:
    assert 'href="/organise/events"' not in client.get("/").text
    assert client.get("/organise/events", follow_redirects=False).status_code == 303
    _sign_in(client, db)
    assert 'href="/organise/events"' in client.get("/").text

"""`/api/v1/events`: the published events and one event by its slug."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.events.models import Event
from tests import factories


def test_an_event_is_read_by_its_slug(client: TestClient) -> None:
    body = client.get("/api/v1/events/invest-beijing-2024").json()
    assert (body["slug"], body["kind"], body["name_en"]) == (
        "invest-beijing-2024",
        "summit",
        "Invest Beijing Conference 2024",
    )


def test_a_slug_of_digits_is_never_read_as_an_id(client: TestClient, db: Session) -> None:
    first = db.scalars(select(Event).order_by(Event.id)).first()
    assert first is not None
    missing = client.get(f"/api/v1/events/{first.id}")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    named = factories.event(db, slug=str(first.id))
    db.commit()
    assert client.get(f"/api/v1/events/{first.id}").json()["id"] == named.id != first.id


def test_an_unknown_event_is_a_404_in_the_request_language(client: TestClient) -> None:
    zh = client.get("/api/v1/events/no-such-event").json()["error"]
    assert zh == {"status": 404, "message": "没有名为“no-such-event”的活动。", "details": zh["details"]}
    client.cookies.set("lang", "en")
    en = client.get("/api/v1/events/no-such-event").json()["error"]
    assert en["message"] == "There is no event “no-such-event”."


def test_the_list_holds_published_events_only(client: TestClient, db: Session) -> None:
    hidden = factories.event(db, slug="hidden-summit", is_published=False)
    shown = factories.event(db, slug="shown-summit")
    db.commit()
    total = client.get("/api/v1/events", params={"page_size": 200}).json()
    slugs = [e["slug"] for e in total["items"]]
    assert shown.slug in slugs and hidden.slug not in slugs
    summits = client.get("/api/v1/events", params={"kind": "summit", "page_size": 200}).json()["items"]
    assert {e["kind"] for e in summits} == {"summit"}


# -- setting events up through the API ----------------------------------------------------------------------------


def _organiser(client: TestClient, db: Session, event: Event | None = None) -> None:
    from tests.conftest import login
    from tests.events import factories as ev

    account = ev.organiser(db, event)
    db.commit()
    login(client, account.username, factories.PASSWORD)


FORUM = {
    "slug": "api-forum",
    "kind": "forum",
    "name_zh": "接口论坛",
    "name_en": "API Forum",
    "starts_on": "2027-09-01",
    "ends_on": "2027-09-05",
}


def test_an_organiser_sets_up_a_forum_and_a_summit_through_the_api(client: TestClient, db: Session) -> None:
    _organiser(client, db)
    forum = client.post("/api/v1/events", json=FORUM)
    assert forum.status_code == 201 and forum.json()["state"] == "draft"
    summit = client.post(
        "/api/v1/events",
        json={**FORUM, "slug": "api-summit", "kind": "summit", "parent": "api-forum", "starts_on": "2027-09-02",
              "ends_on": "2027-09-02", "timezone": "Asia/Hong_Kong", "venue": "国家会议中心", "publish": False},
    )  # fmt: skip
    assert summit.status_code == 201
    assert {k: summit.json()[k] for k in ("parent", "timezone", "venue", "city")} == {
        "parent": "api-forum", "timezone": "Asia/Hong_Kong", "venue": "国家会议中心", "city": "北京",
    }  # fmt: skip
    edited = client.patch("/api/v1/events/api-summit", json={"theme_en": "Invest in the future", "venue": None})
    assert (edited.json()["theme_en"], edited.json()["venue"]) == ("Invest in the future", None)
    assert client.post("/api/v1/events/api-forum/publish").json()["state"] == "published"
    assert client.post("/api/v1/events/api-summit/publish").json()["state"] == "published"
    refused = client.post("/api/v1/events/api-forum/unpublish")
    assert refused.status_code == 409 and refused.json()["error"]["details"][0]["field"] == "state"
    assert client.post("/api/v1/events/api-summit/unpublish").json()["state"] == "draft"
    assert client.delete("/api/v1/events/api-summit").status_code == 204
    assert client.get("/api/v1/events/api-summit").status_code == 404


def test_api_refusals_name_each_field_in_the_request_language(client: TestClient, db: Session) -> None:
    _organiser(client, db)
    body = {**FORUM, "ends_on": "2027-08-01", "timezone": "Asia/Peking", "name_en": ""}
    zh = client.post("/api/v1/events", json=body).json()["error"]
    assert {d["field"]: d["message"] for d in zh["details"]} == {
        "name_en": "请填写此项。",
        "timezone": "Asia/Peking 不是有效的时区，请填写 IANA 时区名称，如 Asia/Shanghai 或 Europe/Berlin。",
        "ends_on": "活动的结束日期（2027-08-01）不能早于开始日期（2027-09-01）。",
    }
    client.cookies.set("lang", "en")
    en = client.post("/api/v1/events", json={k: v for k, v in FORUM.items() if k != "starts_on"}).json()["error"]
    assert en["details"] == [{"field": "starts_on", "message": "Fill in this field."}]


def test_an_organiser_of_one_event_cannot_create_a_top_level_one(client: TestClient, db: Session) -> None:
    mine = factories.event(db)
    _organiser(client, db, mine)
    refused = client.post("/api/v1/events", json=FORUM)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "只有全市活动的主办方才能创建顶层活动。"
    assert db.scalar(select(Event).where(Event.slug == "api-forum")) is None
    other = factories.event(db)
    db.commit()
    assert client.patch(f"/api/v1/events/{other.slug}", json={"venue": "别处"}).status_code == 403
    assert client.patch(f"/api/v1/events/{mine.slug}", json={"venue": "国家会议中心"}).json()["venue"] == "国家会议中心"


def test_published_figures_are_added_edited_and_removed_through_the_api(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser(client, db)
    figure = {"key": "signed_amount", "label_zh": "签约金额", "label_en": "Amount signed", "value": 613.5,
              "unit": "亿元", "qualifier": "超", "source": "《北京邀约世界共享机遇》"}  # fmt: skip
    added = client.post(f"/api/v1/events/{event.slug}/figures", json=figure)
    assert added.status_code == 201 and added.json()["value"] == "613.50"
    twice = client.post(f"/api/v1/events/{event.slug}/figures", json=figure).json()["error"]
    assert twice["details"] == [{"field": "key", "message": "本活动已有标识为“signed_amount”的公布数字。"}]
    changed = client.patch(f"/api/v1/events/{event.slug}/figures/signed_amount", json={"source": "https://example.org/a"})
    assert changed.json()["source"] == "https://example.org/a"
    listed = client.get(f"/api/v1/events/{event.slug}/figures").json()
    assert [f["key"] for f in listed] == ["signed_amount"]
    assert client.delete(f"/api/v1/events/{event.slug}/figures/signed_amount").status_code == 204
    assert client.get(f"/api/v1/events/{event.slug}/figures").json() == []
    assert client.delete(f"/api/v1/events/{event.slug}/figures/signed_amount").status_code == 404


def test_anonymous_writes_are_asked_to_log_in(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    db.commit()
    assert client.post("/api/v1/events", json=FORUM).status_code == 401
    assert client.delete(f"/api/v1/events/{event.slug}").status_code == 401

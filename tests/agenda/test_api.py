"""The programme API: public reads of a published programme (pagination, filters, times in the event's zone and
UTC), drafts hidden from everyone but their organisers, the organisers' writes with 422 naming each field and
each conflict, the reports and publication."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.agenda import factories as af
from tests.conftest import in_english, login


def _as_organiser(client: TestClient, db: Session, event) -> None:  # type: ignore[no-untyped-def]
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, account.username, factories.PASSWORD)


def test_sessions_are_paginated_filtered_and_timed_in_the_events_zone(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    track = af.track(db, event)
    speaker = factories.person(db, name_zh="赵敏", name_en="Zhao Min")
    room = af.room(db, event)
    af.session(db, event, title_zh="开幕式", title_en="Opening", kind="plenary", room=room, people=[speaker])
    for hour in (10, 11, 12):
        af.session(db, event, start=f"2026-04-25 {hour}:00", end=f"2026-04-25 {hour}:45", track=track,
                   language="en")
    af.session(db, event, start="2026-04-26 00:30", end="2026-04-26 01:30", title_zh="深夜场", language="zh+en")
    db.commit()

    page = client.get(f"/api/v1/events/{event.slug}/sessions", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 5 and page["limit"] == 2 and len(page["items"]) == 2
    first = client.get(f"/api/v1/events/{event.slug}/sessions", params={"limit": 1}).json()["items"][0]
    assert first["title_en"] == "Opening" and first["starts_at"] == "2026-04-25T09:00:00+08:00"
    assert first["starts_at_utc"].startswith("2026-04-25T01:00:00") and first["people"][0]["name_en"] == "Zhao Min"
    assert first["room"]["id"] == room.id
    base = f"/api/v1/events/{event.slug}/sessions"
    assert client.get(base, params={"track": track.id}).json()["total"] == 3
    assert client.get(base, params={"day": "2026-04-26"}).json()["total"] == 1  # 00:30 Beijing time is the 26th
    assert client.get(base, params={"language": "en"}).json()["total"] == 4  # zh+en serves English readers
    assert client.get(base, params={"kind": "plenary", "q": "open"}).json()["total"] == 1
    assert client.get(base, params={"speaker": speaker.id}).json()["total"] == 1
    one = client.get(f"{base}/{first['id']}").json()
    assert one["id"] == first["id"]
    speakers = client.get(f"/api/v1/events/{event.slug}/speakers").json()
    assert speakers["total"] == 1 and speakers["items"][0]["sessions"][0]["title_zh"] == "开幕式"
    assert client.get(f"/api/v1/events/{event.slug}/rooms").json()[0]["id"] == room.id
    assert client.get(f"/api/v1/events/{event.slug}/tracks").json()[0]["id"] == track.id


def test_a_draft_programme_is_a_404_except_for_its_organisers(client: TestClient, db: Session) -> None:
    draft = af.forum(db, is_published=False)
    session = af.session(db, draft)
    db.commit()
    for path in ("sessions", f"sessions/{session.id}", "speakers", "rooms", "tracks"):
        assert client.get(f"/api/v1/events/{draft.slug}/{path}").status_code == 404
    _as_organiser(client, db, draft)
    assert client.get(f"/api/v1/events/{draft.slug}/sessions").json()["total"] == 1


def test_a_session_of_another_event_is_not_found(client: TestClient, db: Session) -> None:
    event, other = af.forum(db), af.forum(db)
    session = af.session(db, other)
    db.commit()
    assert client.get(f"/api/v1/events/{event.slug}/sessions/{session.id}").status_code == 404


def test_organiser_writes_refuse_with_every_field_and_name_both_sessions(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    speaker = factories.person(db, name_zh="钱学", name_en="Qian Xue")
    af.session(db, event, title_zh="主论坛", title_en="Main Forum", people=[speaker])
    _as_organiser(client, db, event)
    base = f"/api/v1/events/{event.slug}"

    bad = client.post(f"{base}/sessions", json={"kind": "party", "starts_at": "noon", "expected": -1})
    assert bad.status_code == 422
    fields = {d["field"] for d in bad.json()["error"]["details"]}
    assert {"kind", "title_zh", "starts_at", "expected"} <= fields

    with in_english(client):
        clash = client.post(f"{base}/sessions", json={
            "title_zh": "圆桌", "title_en": "Round table", "starts_at": "2026-04-25T09:15:00+08:00",
            "ends_at": "2026-04-25T10:15:00+08:00", "speakers": [{"person_id": speaker.id, "role": "moderator"}]})
    assert clash.status_code == 422
    message = clash.json()["error"]["message"]
    assert "Main Forum" in message and "Round table" in message and "Qian Xue" in message

    room = client.post(f"{base}/rooms", json={"name_zh": "报告厅", "capacity": 30,
                                              "hours": [["2026-04-25 08:00", "2026-04-25 18:00"]]})
    assert room.status_code == 201 and room.json()["hours"][0]["start"] == "2026-04-25T08:00:00+08:00"
    made = client.post(f"{base}/sessions", json={
        "title_zh": "路演", "starts_at": "2026-04-25 14:00", "ends_at": "2026-04-25 15:00",
        "room_id": room.json()["id"], "expected": 60})
    assert made.status_code == 201 and len(made.json()["warnings"]) == 1
    session_id = made.json()["id"]
    added = client.post(f"{base}/sessions/{session_id}/speakers", json={"person_id": speaker.id, "role": "host"})
    assert added.status_code == 201
    assert client.patch(f"{base}/sessions/{session_id}", json={"title_en": "Roadshow"}).json()["sequence"] == 2
    assert client.patch(f"{base}/sessions/{session_id}/speakers/{speaker.id}",
                        json={"role": "moderator"}).json()["role"] == "moderator"
    profile = client.put(f"{base}/speakers/{speaker.id}/profile",
                         json={"title_zh": "院长", "title_en": "Dean", "available": [["2026-04-25 08:00",
                                                                                     "2026-04-25 12:00"]]})
    assert profile.status_code == 200 and len(profile.json()["warnings"]) == 1
    track = client.post(f"{base}/tracks", json={"name_zh": "低空经济"})
    assert track.status_code == 201
    assert client.patch(f"{base}/tracks/{track.json()['id']}", json={"name_en": "Low-altitude"}).status_code == 200

    severity = client.put(f"{base}/programme/severity", json={"over_capacity": "refuse"})
    assert severity.json()["over_capacity"] == "refuse"
    assert client.put(f"{base}/programme/severity", json={"over_capacity": "loud"}).status_code == 422
    conflicts = client.get(f"{base}/programme/conflicts").json()
    assert {c["rule"] for c in conflicts} == {"over_capacity", "person_unavailable"}
    completeness = client.get(f"{base}/programme/completeness").json()
    assert completeness["by_kind"]["room"] == 1

    first = client.post(f"{base}/programme/publish").json()
    assert first["release"] == 1 and first["notified"] == 0
    assert client.delete(f"{base}/sessions/{session_id}").json() == {"outcome": "cancelled"}
    second = client.post(f"{base}/programme/publish").json()
    assert [c["kind"] for c in second["changes"]] == ["cancelled"]


def test_writes_need_an_organiser_of_the_event(client: TestClient, db: Session) -> None:
    event, elsewhere = af.forum(db), af.forum(db)
    base = f"/api/v1/events/{event.slug}"
    assert client.post(f"{base}/tracks", json={"name_zh": "人工智能"}).status_code == 401
    _as_organiser(client, db, elsewhere)
    assert client.post(f"{base}/tracks", json={"name_zh": "人工智能"}).status_code == 403
    assert client.get(f"{base}/programme/conflicts").status_code == 403

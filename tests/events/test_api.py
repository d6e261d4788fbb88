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

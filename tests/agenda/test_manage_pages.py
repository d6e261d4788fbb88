"""The organiser's programme pages through the real app: the overview with its reports, the session editor with
its people, rooms, tracks, speaker profiles and conflict rules; a refused change comes back filled in with the
message beside its field (naming both sessions for a clash) in the page's language, and writes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.events.models import Event
from tests import factories
from tests.agenda import factories as af
from tests.conftest import in_english, login
from tests.factories import PASSWORD


def _organiser_of(client: TestClient, db: Session, event: Event) -> None:
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, account.username, PASSWORD)


def _base(event: Event) -> str:
    return f"/events/{event.slug}/programme/manage"


def test_every_page_draws_for_the_events_organiser(client: TestClient, db: Session) -> None:
    event = af.forum(db)
    room = af.room(db, event, hours=[("2026-04-25 08:00", "2026-04-25 18:00")])
    track = af.track(db, event)
    who = factories.person(db, name_zh="张三", name_en="Zhang San")
    session = af.session(db, event, room=room, track=track, people=[who])
    af.profile(db, event, who, available=[("2026-04-25 08:00", "2026-04-25 12:00")])
    _organiser_of(client, db, event)
    base = _base(event)
    for path in ("", "/sessions/new", f"/sessions/{session.id}", "/rooms", "/tracks", "/speakers",
                 f"/speakers/{who.id}", "/settings"):
        page = client.get(base + path)
        assert page.status_code == 200, (path, page.text[-2000:])
        assert "Asia/Shanghai (UTC+08:00)" in page.text
    with in_english(client):
        for path in ("", f"/sessions/{session.id}?q=Zhang", "/rooms", "/speakers", "/settings"):
            page = client.get(base + path)
            assert page.status_code == 200, (path, page.text[-2000:])
    assert client.get("/organise/programme").status_code == 200

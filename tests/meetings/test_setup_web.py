"""The meeting set-up through the real app: pages for the event's organiser only, forms that come back filled in
with the message beside the field (Chinese and English), and the same work through the JSON API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.events.models import Event
from duijie.meetings.models import MeetingParticipant, MeetingSlot, MeetingTable
from tests import factories
from tests.conftest import csrf_of
from tests.factories import PASSWORD
from tests.meetings import factories as mf


def _organiser_of(client: TestClient, db: Session, event: Event) -> None:
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    page = client.get("/login")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login", data={"username": account.username, "password": PASSWORD, "csrf": token}, follow_redirects=False
    )
    assert response.status_code == 303


def _slots(db: Session, event: Event) -> int:
    return db.scalar(select(func.count()).select_from(MeetingSlot).where(MeetingSlot.event_id == event.id)) or 0


def test_setup_pages_are_the_event_organisers(client: TestClient, db: Session) -> None:
    event, other = factories.event(db), factories.event(db)
    db.commit()
    base = f"/events/{event.slug}/meetings/setup"
    assert client.get(base, follow_redirects=False).status_code == 303
    _organiser_of(client, db, other)
    assert client.get(base).status_code == 403
    assert client.get(f"/api/v1/events/{event.slug}/meetings/setup").status_code == 403


def test_session_form_generates_slots_and_a_bad_form_comes_back_filled_in(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser_of(client, db, event)
    base = f"/events/{event.slug}/meetings/setup"
    form = {"label": "上午场", "day": "2026-04-25", "start": "09:00", "end": "10:00", "slot_minutes": "20"}
    done = client.post(base + "/sessions", data={**form, "csrf": csrf_of(client, base)}, follow_redirects=False)
    assert done.status_code == 303
    assert _slots(db, event) == 3
    page = client.get(base).text
    assert "2026-04-25 上午场" in page and "09:40–10:00" in page

    bad = {**form, "label": "加场", "start": "09:50", "end": "9点", "slot_minutes": "20", "day": "2026-04-25"}
    refused = client.post(base + "/sessions", data={**bad, "csrf": csrf_of(client, base)})
    assert refused.status_code == 422
    # The end 9点 is read as 09:00: before the start, said beside the end field, in Chinese.
    assert '<span class="field-error" id="err-end" role="alert" data-testid="error-end">结束时间（09:00）须晚于开始时间（09:50）。</span>' in refused.text
    assert 'name="label" value="加场"' in refused.text and 'name="end" value="9点"' in refused.text
    overlap = client.post(
        base + "/sessions?lang=en",
        data={**form, "label": "extra", "start": "09:30", "end": "10:30", "csrf": csrf_of(client, base)},
    )
    assert overlap.status_code == 422
    assert "The slot 2026-04-25 09:30–09:50 overlaps the existing slot 2026-04-25 09:20–09:40." in overlap.text
    assert _slots(db, event) == 3


def test_table_removal_holding_a_meeting_is_refused_on_the_page(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    slots, tables = mf.grid(db, event, slots=1, tables=2)
    mf.meeting(db, event, slots[0], tables[1], mf.participant(db, event), mf.participant(db, event))
    _organiser_of(client, db, event)
    base = f"/events/{event.slug}/meetings/setup"
    refused = client.post(base + "/tables/remove", data={"number": "2", "csrf": csrf_of(client, base + "/tables")})
    assert refused.status_code == 409
    assert "2 号桌已安排 1 场洽谈，请先在洽谈排期表中调整或取消。" in refused.text
    added = client.post(
        base + "/tables",
        data={"count": "3", "first": "10", "area": "项目对接区", "csrf": csrf_of(client, base + "/tables")},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert db.scalar(select(func.count()).select_from(MeetingTable).where(MeetingTable.event_id == event.id)) == 5
    db.expire_all()
    assert db.get(MeetingSlot, slots[0].id).table_count == 12  # type: ignore[union-attr]


def test_participant_add_availability_and_confirmed_removal(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    slots, tables = mf.grid(db, event, slots=3, tables=1)
    person = factories.person(db, email="wang.fang@example.com")
    other = mf.participant(db, event)
    db.commit()
    _organiser_of(client, db, event)
    base = f"/events/{event.slug}/meetings/setup/participants"
    unknown = client.post(base, data={"person": "nobody@example.com", "csrf": csrf_of(client, base)})
    assert unknown.status_code == 422 and 'data-testid="error-person"' in unknown.text
    added = client.post(base, data={"person": "wang.fang@example.com", "max_meetings": "4", "csrf": csrf_of(client, base)}, follow_redirects=False)
    assert added.status_code == 303
    pid = int(re.search(r"/participants/(\d+)", added.headers["location"])[1])  # type: ignore[index]
    saved = client.post(
        f"{base}/{pid}/availability",
        data={"slot": [str(slots[0].id), str(slots[1].id)], "csrf": csrf_of(client, f"{base}/{pid}")},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    participant = db.get(MeetingParticipant, pid)
    assert participant is not None and participant.person_id == person.id
    mf.meeting(db, event, slots[0], tables[0], participant, other)
    db.commit()
    refused = client.post(f"{base}/{pid}/remove?lang=en", data={"csrf": csrf_of(client, f"{base}/{pid}")})
    assert refused.status_code == 409
    assert "has 1 scheduled meeting; confirm to cancel it and remove them." in refused.text
    assert 'data-testid="confirm"' in refused.text
    removed = client.post(
        f"{base}/{pid}/remove", data={"confirm": "1", "csrf": csrf_of(client, f"{base}/{pid}")}, follow_redirects=False
    )
    assert removed.status_code == 303
    db.expire_all()
    assert db.get(MeetingParticipant, pid) is None


def test_api_sets_up_sessions_tables_and_participants(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    person = factories.person(db, email="api.person@example.com")
    _organiser_of(client, db, event)
    api = f"/api/v1/events/{event.slug}/meetings/setup"
    made = client.post(
        api + "/sessions",
        json={"label": "pm", "day": "2026-04-26", "start": "14:00", "end": "15:00", "slot_minutes": 30},
    )
    assert made.status_code == 201, made.text
    assert [(s["start"], s["end"], s["session"]) for s in made.json()] == [
        ("14:00", "14:30", "2026-04-26 pm"),
        ("14:30", "15:00", "2026-04-26 pm"),
    ]
    overlap = client.post(api + "/slots?lang=en", json={"label": "pm", "day": "2026-04-26", "start": "14:15", "end": "14:45"})
    assert overlap.status_code == 422
    assert overlap.json()["error"]["details"][0] == {
        "field": "start",
        "message": "The slot 2026-04-26 14:15–14:45 overlaps the existing slot 2026-04-26 14:00–14:30.",
    }
    tables = client.post(api + "/tables", json={"count": 2, "first": 1, "area": "A"})
    assert [t["number"] for t in tables.json()] == [1, 2]
    added = client.post(api + "/participants", json={"email": "api.person@example.com", "max_meetings": 3})
    assert added.status_code == 201, added.text
    assert (added.json()["person_id"], added.json()["free_slots"]) == (person.id, None)
    slot_id = made.json()[0]["id"]
    put = client.put(f"{api}/participants/{added.json()['id']}/availability", json={"slot_ids": [slot_id]})
    assert put.json()["free_slots"] == [slot_id]
    whole = client.get(api).json()
    assert (whole["timezone"], whole["participants"], len(whole["tables"])) == ("Asia/Shanghai", 1, 2)
    assert client.delete(api + "/sessions", params={"session": "2026-04-26 pm"}).json() == {"removed": 2}

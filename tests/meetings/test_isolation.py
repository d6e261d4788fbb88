"""Two events side by side: nothing of the second event's meetings (requests, slots, schedule) shows in the first
event's grid, pages, API or calendar, and the second event's ids are not found through the first."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account, Person
from duijie.events.models import Event
from duijie.meetings import runs
from duijie.meetings.models import Meeting, MeetingRequest
from tests import factories
from tests.conftest import login
from tests.meetings import factories as mf


@dataclass
class Side:
    """One event's meetings as the test arranged and scheduled them."""

    event: Event
    organiser: Account
    partner_org: str
    slots: list[int]
    requests: list[int]
    meetings: list[int]


def _side(db: Session, traveller: Account, partner_org: str) -> Side:
    """An event with a grid, the shared participant `traveller` meeting a partner of this event (accepted) and
    asked by another (pending), scheduled by the event's own organiser."""
    event = factories.event(db)
    slots, _tables = mf.grid(db, event)
    org = factories.organisation(db, name_zh=partner_org, name_en=partner_org)
    person = db.get(Person, traveller.person_id)
    assert person is not None
    me = mf.participant(db, event, person=person)
    partner = mf.participant(db, event, organisation=org)
    asker = mf.participant(db, event, organisation=org)
    accepted = mf.request(db, event, me, partner, state="accepted")
    pending = mf.request(db, event, asker, me)
    organiser = factories.account(db, role="organiser", event=event)
    runs.schedule_event(db, event=event, actor=actor_for_account(organiser), time_limit=5)
    meetings = list(db.scalars(select(Meeting.id).where(Meeting.event_id == event.id)))
    assert len(meetings) == 1
    return Side(event, organiser, partner_org, [s.id for s in slots], [accepted.id, pending.id], meetings)


@pytest.fixture
def sides(db: Session) -> tuple[Account, Side, Side]:
    traveller = factories.account(db)
    first = _side(db, traveller, "甲方北辰测试科技")
    second = _side(db, traveller, "乙方南山测试资本")
    db.commit()
    return traveller, first, second


def test_grid_and_its_api_show_only_their_own_event(
    client: TestClient, sides: tuple[Account, Side, Side]
) -> None:
    _traveller, first, second = sides
    login(client, first.organiser.username, factories.PASSWORD)
    base = f"/events/{first.event.slug}/meetings"
    page = client.get(base + "/grid")
    assert page.status_code == 200
    assert first.partner_org in page.text and second.partner_org not in page.text
    api = f"/api/v1/events/{first.event.slug}/meetings"
    grid = client.get(api + "/grid").json()
    assert [row["meeting_id"] for row in grid] == first.meetings
    assert {row["slot_id"] for row in grid} <= set(first.slots)
    assert [row["request_id"] for row in client.get(api + "/unscheduled").json()] == []
    assert [row["id"] for row in client.get(api + "/slots").json()] == first.slots
    summary = client.get(api + "/summary").json()
    assert (summary["participants"], summary["requests"], summary["scheduled"]) == (3, 2, 1)
    desk = client.get(base + "/desk")
    assert desk.status_code == 200 and second.partner_org not in desk.text
    # The organiser of the first event is nobody on the second's grid.
    assert client.get(f"/events/{second.event.slug}/meetings/grid").status_code == 403
    assert client.get(f"/api/v1/events/{second.event.slug}/meetings/grid").status_code == 403


def test_participant_pages_api_and_calendar_show_only_the_events_own_meetings(
    client: TestClient, sides: tuple[Account, Side, Side]
) -> None:
    traveller, first, second = sides
    login(client, traveller.username, factories.PASSWORD)
    base = f"/events/{first.event.slug}/meetings"
    home = client.get(base)
    assert home.status_code == 200
    assert first.partner_org in home.text and second.partner_org not in home.text
    api = f"/api/v1/events/{first.event.slug}/meetings"
    assert sorted(r["id"] for r in client.get(api + "/me/requests").json()) == sorted(first.requests)
    assert [m["meeting_id"] for m in client.get(api + "/me/schedule").json()] == first.meetings
    schedule = client.get(base + "/schedule")
    assert first.partner_org in schedule.text and second.partner_org not in schedule.text
    calendar = client.get(base + "/me.ics").text
    uids = re.findall(r"UID:meeting-(\d+)@([\w-]+)\.duijie", calendar)
    assert uids == [(str(first.requests[0]), first.event.slug)]
    assert second.partner_org not in calendar


def test_ids_of_another_event_are_not_found_through_this_one(
    client: TestClient, db: Session, sides: tuple[Account, Side, Side]
) -> None:
    traveller, first, second = sides
    login(client, traveller.username, factories.PASSWORD)
    base = f"/events/{first.event.slug}/meetings"
    token = client.get(base).text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    foreign = second.requests[1]  # addressed to the traveller, in the second event
    refused = client.post(f"{base}/requests/{foreign}/accept", data={"csrf": token}, follow_redirects=False)
    assert refused.status_code == 404
    api = f"/api/v1/events/{first.event.slug}/meetings"
    assert client.post(f"{api}/requests/{foreign}/accept").status_code == 404
    db.expire_all()
    request = db.get(MeetingRequest, foreign)
    assert request is not None and request.state == "requested"

"""The organiser's hand on the grid through the API (`meetings/api_grid.py`): pinning an accepted request, moving a
meeting (its calendar UID kept, its SEQUENCE raised), arranging a meeting between two participants, unpinning,
and every refusal with what clashes named in the request's language and nothing moved."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.directory.models import Account, Person
from duijie.meetings import service as meeting_service
from duijie.meetings.models import Availability, Meeting, MeetingParticipant, MeetingRequest, MeetingTable
from tests import factories
from tests.conftest import login
from tests.meetings import factories as mf
from tests.meetings.test_feeds import Pair, _feed, _pair, _pin, _uid, _utc


def _organiser(client: TestClient, db: Session, pair: Pair) -> Account:
    """The event's organiser, signed in on `client`."""
    account = factories.account(db, role="organiser", event=pair.event)
    db.commit()
    login(client, account.username, factories.PASSWORD)
    return account


def _api(pair: Pair) -> str:
    return f"/api/v1/events/{pair.event.slug}/meetings"


def _refusal(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def _table(db: Session, meeting: Meeting) -> MeetingTable:
    table = db.get(MeetingTable, meeting.table_id)
    assert table is not None
    return table


def _placed(db: Session, pair: Pair) -> tuple[int, int, bool]:
    """Where the pair's meeting is: (slot id, table number, pinned)."""
    db.expire_all()
    meeting = db.scalar(select(Meeting).where(Meeting.request_id == pair.request.id))
    assert meeting is not None
    table = db.get(MeetingTable, meeting.table_id)
    assert table is not None
    return meeting.slot_id, table.number, meeting.pinned


def test_moving_a_published_meeting_keeps_its_uid_and_raises_its_sequence(
    client: TestClient, db: Session
) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    meeting_service.publish(db, event=pair.event, actor=pair.organiser)
    before = _feed(db, pair.enterprise)[_uid(pair)]
    _organiser(client, db, pair)
    moved = client.post(
        f"{_api(pair)}/meetings/{meeting.id}/move", json={"slot_id": pair.slots[2].id, "table": 2}
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["request_id"], body["slot_id"], body["table"], body["pinned"]) == (
        pair.request.id, pair.slots[2].id, 2, True,
    )  # fmt: skip
    assert body["state"] == "confirmed"
    db.expire_all()
    for account in (pair.enterprise, pair.investor):
        after = _feed(db, account)[_uid(pair)]
        assert after.one("DTSTART") == _utc(pair.slots[2].starts_at) != before.one("DTSTART")
        assert int(after.one("SEQUENCE")) == int(before.one("SEQUENCE")) + 1
    # The grid lists it at its new place, under the id the answer gave.
    grid = client.get(f"{_api(pair)}/grid").json()
    assert [(m["meeting_id"], m["slot_id"], m["table"]) for m in grid] == [(body["meeting_id"], pair.slots[2].id, 2)]


def test_pinning_an_accepted_request_puts_it_on_the_grid(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    _organiser(client, db, pair)
    pinned = client.post(f"{_api(pair)}/requests/{pair.request.id}/pin", json={"slot_id": pair.slots[1].id, "table": 1})
    assert pinned.status_code == 200, pinned.text
    assert _placed(db, pair) == (pair.slots[1].id, 1, True)
    assert sorted(pinned.json()["participant_ids"]) == sorted((pair.request.requester_id, pair.request.recipient_id))
    assert pinned.json()["state"] == "planned"


def test_a_request_not_yet_accepted_cannot_be_pinned(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    pair.request.state = "requested"
    db.flush()
    _organiser(client, db, pair)
    error = _refusal(
        client.post(f"{_api(pair)}/requests/{pair.request.id}/pin?lang=en", json={"slot_id": pair.slots[0].id, "table": 1}),
        422,
    )
    assert error["message"] == "Only an accepted request can be placed on the grid."
    assert error["details"] == [{"message": error["message"], "field": "request_id"}]
    assert db.scalar(select(Meeting).where(Meeting.request_id == pair.request.id)) is None


def test_a_taken_table_is_refused_naming_the_table_and_slot_and_nothing_moves(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    third, fourth = mf.participant(db, pair.event), mf.participant(db, pair.event)
    mf.meeting(db, pair.event, pair.slots[1], _table(db, meeting), third, fourth)
    _organiser(client, db, pair)
    error = _refusal(
        client.post(f"{_api(pair)}/meetings/{meeting.id}/move", json={"slot_id": pair.slots[1].id, "table": 1}), 422
    )
    label = meeting_service.slot_label(pair.slots[1])
    assert error["message"] == f"{label} 的 1 号桌已被占用。"
    assert error["details"] == [{"message": error["message"], "field": "slot_id"}]
    assert _placed(db, pair) == (pair.slots[0].id, 1, True)


def test_a_participant_busy_at_that_time_is_named_in_english(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    investor = db.get(MeetingParticipant, pair.request.requester_id)
    assert investor is not None
    mf.meeting(db, pair.event, pair.slots[2], _table(db, meeting), investor, mf.participant(db, pair.event))
    _organiser(client, db, pair)
    error = _refusal(
        client.post(f"{_api(pair)}/meetings/{meeting.id}/move?lang=en", json={"slot_id": pair.slots[2].id, "table": 2}),
        422,
    )
    # The participant as the grid's messages name them (person and organisation), in English on an English
    # request: the records' English names.
    person = db.get(Person, investor.person_id)
    assert person is not None and person.name_en
    who = f"{person.name_en} (Beichen Ventures)"
    assert error["message"] == f"{who} already has a meeting at {meeting_service.slot_label(pair.slots[2])}."
    assert error["details"] == [{"message": error["message"], "field": "slot_id"}]
    assert _placed(db, pair) == (pair.slots[0].id, 1, True)


def test_a_table_the_slot_does_not_have_is_refused_on_the_table_field(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    _organiser(client, db, pair)
    error = _refusal(
        client.post(f"{_api(pair)}/meetings/{meeting.id}/move?lang=en", json={"slot_id": pair.slots[1].id, "table": 9}),
        422,
    )
    assert error["message"] == f"There is no table 9 at {meeting_service.slot_label(pair.slots[1])}."
    assert error["details"] == [{"message": error["message"], "field": "table"}]
    assert _placed(db, pair) == (pair.slots[0].id, 1, True)


def test_a_meeting_that_took_place_cannot_be_moved(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    meeting.state = "held"
    db.flush()
    _organiser(client, db, pair)
    error = _refusal(
        client.post(f"{_api(pair)}/meetings/{meeting.id}/move", json={"slot_id": pair.slots[1].id, "table": 1}), 409
    )
    assert error["message"] == "该洽谈已结束，无法调整。"
    assert error["details"][0]["field"] == "slot_id"
    assert _placed(db, pair) == (pair.slots[0].id, 1, True)


def test_a_slot_of_another_event_is_refused(client: TestClient, db: Session) -> None:
    pair, other = _pair(db), _pair(db)
    meeting = _pin(db, pair, slot=0)
    _organiser(client, db, pair)
    error = _refusal(
        client.post(f"{_api(pair)}/meetings/{meeting.id}/move?lang=en", json={"slot_id": other.slots[1].id, "table": 1}),
        422,
    )
    assert error["message"] == f"No such time slot in this event: {other.slots[1].id}"
    assert error["details"][0]["field"] == "slot_id"
    # Another event's meeting is not found through this event's address.
    theirs = _pin(db, other, slot=0)
    db.commit()
    assert client.post(f"{_api(pair)}/meetings/{theirs.id}/move", json={"slot_id": pair.slots[1].id, "table": 1}).status_code == 404


def test_arranging_a_meeting_accepts_it_for_both_and_pins_it(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    a, b = mf.participant(db, pair.event), mf.participant(db, pair.event)
    _organiser(client, db, pair)
    made = client.post(f"{_api(pair)}/arrange", json={"a": a.id, "b": b.id, "slot_id": pair.slots[1].id, "table": 2})
    assert made.status_code == 201, made.text
    body = made.json()
    assert (sorted(body["participant_ids"]), body["slot_id"], body["table"], body["pinned"]) == (
        sorted((a.id, b.id)), pair.slots[1].id, 2, True,
    )  # fmt: skip
    db.expire_all()
    request = db.get(MeetingRequest, body["request_id"])
    assert request is not None and request.state == "accepted"


def test_arranging_refuses_one_participant_twice_and_an_unknown_one_on_its_field(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    a = mf.participant(db, pair.event)
    stranger = mf.participant(db, _pair(db).event)
    _organiser(client, db, pair)
    place = {"slot_id": pair.slots[1].id, "table": 2}
    twice = _refusal(client.post(f"{_api(pair)}/arrange?lang=en", json={"a": a.id, "b": a.id, **place}), 422)
    assert twice["message"] == "A meeting needs two different participants."
    assert twice["details"][0]["field"] == "b"
    unknown = _refusal(client.post(f"{_api(pair)}/arrange", json={"a": a.id, "b": stranger.id, **place}), 404)
    assert unknown["message"] == f"本活动中没有该参会方：{stranger.id}"
    assert unknown["details"][0]["field"] == "b"
    missing = _refusal(client.post(f"{_api(pair)}/arrange", json={"a": a.id, **place}), 422)
    assert [d["field"] for d in missing["details"]] == ["b"]
    assert db.scalar(select(Meeting).where(Meeting.event_id == pair.event.id)) is None


def test_unpinning_lets_the_scheduler_move_the_meeting_again(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=1)
    _organiser(client, db, pair)
    unpinned = client.post(f"{_api(pair)}/meetings/{meeting.id}/unpin")
    assert unpinned.status_code == 200, unpinned.text
    assert unpinned.json()["pinned"] is False
    assert _placed(db, pair) == (pair.slots[1].id, 1, False)


def test_only_the_events_organiser_places_meetings(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    db.commit()
    move = f"{_api(pair)}/meetings/{meeting.id}/move"
    place = {"slot_id": pair.slots[2].id, "table": 2}
    assert _refusal(client.post(move, json=place), 401)
    login(client, pair.investor.username, factories.PASSWORD)
    assert _refusal(client.post(move, json=place), 403)
    other_organiser = factories.account(db, role="organiser", event=_pair(db).event)
    db.commit()
    client.cookies.clear()
    login(client, other_organiser.username, factories.PASSWORD)
    assert _refusal(client.post(move, json=place), 403)
    assert _placed(db, pair) == (pair.slots[0].id, 1, True)


def _free_only(db: Session, pair: Pair, participant_id: int, *slots: int) -> None:
    """The participant marks only these slots (by index) free."""
    db.add_all([Availability(participant_id=participant_id, slot_id=pair.slots[k].id) for k in slots])
    db.flush()


def test_a_move_outside_someones_time_is_refused_with_409_unless_overridden(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    meeting = _pin(db, pair, slot=0)
    _free_only(db, pair, pair.request.requester_id, 0, 1)
    _organiser(client, db, pair)
    move = f"{_api(pair)}/meetings/{meeting.id}/move?lang=en"
    error = _refusal(client.post(move, json={"slot_id": pair.slots[2].id, "table": 2}), 409)
    who = meeting_service.display_names(db, [pair.request.requester_id], "en")[pair.request.requester_id]
    assert who.endswith("(Beichen Ventures)")
    assert error["message"] == f"{who} is not available at {meeting_service.slot_label(pair.slots[2])}."
    assert error["details"] == [{"message": error["message"], "field": "slot_id"}]
    assert _placed(db, pair) == (pair.slots[0].id, 1, True)
    # Inside both sides' time no confirmation is needed; outside it, the override places it.
    inside = client.post(move, json={"slot_id": pair.slots[1].id, "table": 1})
    assert inside.status_code == 200, inside.text
    forced = client.post(
        f"{_api(pair)}/meetings/{inside.json()['meeting_id']}/move",
        json={"slot_id": pair.slots[2].id, "table": 2, "override_availability": True},
    )
    assert forced.status_code == 200, forced.text
    assert _placed(db, pair) == (pair.slots[2].id, 2, True)


def test_pinning_and_arranging_outside_someones_time_need_the_override(client: TestClient, db: Session) -> None:
    pair = _pair(db)
    _free_only(db, pair, pair.request.recipient_id, 2)
    _organiser(client, db, pair)
    pin = f"{_api(pair)}/requests/{pair.request.id}/pin"
    error = _refusal(client.post(pin, json={"slot_id": pair.slots[0].id, "table": 1}), 409)
    assert "南山科技" in error["message"] and error["details"][0]["field"] == "slot_id"
    assert db.scalar(select(Meeting).where(Meeting.event_id == pair.event.id)) is None
    placed = client.post(pin, json={"slot_id": pair.slots[0].id, "table": 1, "override_availability": True})
    assert placed.status_code == 200, placed.text
    # Two others: the refusal writes no request; the override arranges and pins the meeting.
    a, b = mf.participant(db, pair.event), mf.participant(db, pair.event)
    _free_only(db, pair, b.id, 0)
    db.commit()
    body = {"a": a.id, "b": b.id, "slot_id": pair.slots[1].id, "table": 1}
    assert _refusal(client.post(f"{_api(pair)}/arrange", json=body), 409)
    assert db.scalar(select(MeetingRequest).where(MeetingRequest.requester_id == a.id)) is None
    made = client.post(f"{_api(pair)}/arrange", json={**body, "override_availability": True})
    assert made.status_code == 201, made.text

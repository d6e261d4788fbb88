"""The server's check-in rules: one admission per badge and day whatever the devices, idempotent syncs, refused
badges kept with their reason, counts per day and per gate; the door data a device takes offline."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.events.models import Event
from duijie.registration import badges, checkin
from duijie.registration.checkin import Scan
from duijie.registration.models import CheckIn
from tests import factories
from tests.conftest import login
from tests.factories import PASSWORD
from tests.registration import factories_checkin as f

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=BEIJING)


def _scan(token: str, at: dt.datetime, gate: str = "东门") -> Scan:
    return Scan(client_id=str(uuid.uuid4()), token=token, gate=gate, scanned_at=at)


def _setup(db: Session) -> tuple[Event, Actor]:
    event = factories.event(db, starts_on=dt.date(2026, 4, 25), ends_on=dt.date(2026, 4, 26))
    return event, factories.actor(db, role="organiser", event=event)


def test_two_devices_scanning_one_badge_give_one_admission_and_one_flag(db: Session) -> None:
    event, door = _setup(db)
    reg = f.registration(db, event, name="李华")
    token = badges.badge_token(db, reg)
    first = checkin.record_scans(db, event=event, actor=door, device="phone-1", scans=[_scan(token, _at(25, 9))])
    second = checkin.record_scans(
        db, event=event, actor=door, device="phone-2", scans=[_scan(token, _at(25, 9, 5), gate="西门")]
    )
    assert (first[0].admitted, first[0].reason, first[0].name) == (True, None, "李华")
    assert (second[0].admitted, second[0].reason, second[0].duplicate_of) == (False, "duplicate", first[0].client_id)
    rows = db.scalars(select(CheckIn).where(CheckIn.event_id == event.id).order_by(CheckIn.id)).all()
    assert [(r.device, r.admitted, r.reason) for r in rows] == [
        ("phone-1", True, None),
        ("phone-2", False, "duplicate"),
    ]
    assert rows[1].duplicate_of_id == rows[0].id
    assert rows[0].checked_by_id == door.account_id


def test_the_admission_already_recorded_stands_against_an_earlier_offline_scan(db: Session) -> None:
    """The device offline longer learns that its admission was the second to arrive."""
    event, door = _setup(db)
    token = badges.badge_token(db, f.registration(db, event))
    online = checkin.record_scans(db, event=event, actor=door, device="b", scans=[_scan(token, _at(25, 9, 30))])
    late = checkin.record_scans(db, event=event, actor=door, device="a", scans=[_scan(token, _at(25, 9, 0))])
    assert online[0].admitted and not late[0].admitted and late[0].reason == "duplicate"


def test_syncing_the_same_scans_again_stores_nothing_twice(db: Session) -> None:
    event, door = _setup(db)
    token = badges.badge_token(db, f.registration(db, event))
    batch = [_scan(token, _at(25, 9)), _scan(token, _at(25, 9, 1)), _scan("garbage", _at(25, 9, 2))]
    once = checkin.record_scans(db, event=event, actor=door, device="p", scans=batch)
    again = checkin.record_scans(db, event=event, actor=door, device="p", scans=batch)
    assert [(o.admitted, o.reason) for o in once] == [(True, None), (False, "duplicate"), (False, "malformed")]
    assert [(o.admitted, o.reason, o.replayed) for o in again] == [
        (True, None, True),
        (False, "duplicate", True),
        (False, "malformed", True),
    ]
    assert len(db.scalars(select(CheckIn).where(CheckIn.event_id == event.id)).all()) == 3


def test_a_batch_is_judged_in_scan_order(db: Session) -> None:
    event, door = _setup(db)
    token = badges.badge_token(db, f.registration(db, event))
    later, earlier = _scan(token, _at(25, 10)), _scan(token, _at(25, 9))
    outcomes = checkin.record_scans(db, event=event, actor=door, device="p", scans=[later, earlier])
    assert [(o.client_id, o.admitted) for o in outcomes] == [(later.client_id, False), (earlier.client_id, True)]


def test_each_day_admits_again_in_the_events_time_zone(db: Session) -> None:
    event, door = _setup(db)
    token = badges.badge_token(db, f.registration(db, event))
    # 00:30 on the 26th in Beijing is still the 25th in UTC: a new day at the door.
    scans = [_scan(token, _at(25, 9)), _scan(token, _at(26, 0, 30))]
    outcomes = checkin.record_scans(db, event=event, actor=door, device="p", scans=scans)
    assert [(o.day, o.admitted) for o in outcomes] == [(dt.date(2026, 4, 25), True), (dt.date(2026, 4, 26), True)]


def test_refused_badges_are_kept_with_their_reason(db: Session) -> None:
    event, door = _setup(db)
    other_event = factories.event(db)
    revoked = f.registration(db, event)
    old = badges.badge_token(db, revoked)
    badges.reissue(db, registration=revoked, actor=door)
    cancelled = f.registration(db, event, state="cancelled")
    scans = [
        _scan(old, _at(25, 9)),
        _scan(badges.badge_token(db, cancelled), _at(25, 9)),
        _scan(badges.badge_token(db, f.registration(db, other_event)), _at(25, 9)),
    ]
    outcomes = checkin.record_scans(db, event=event, actor=door, device="p", scans=scans)
    assert [(o.admitted, o.reason, o.registration_id) for o in outcomes] == [
        (False, "revoked", revoked.id),
        (False, "not_confirmed", cancelled.id),
        (False, "other_event", None),
    ]


def test_a_device_clock_in_the_future_is_not_believed(db: Session) -> None:
    event, door = _setup(db)
    token = badges.badge_token(db, f.registration(db, event))
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    checkin.record_scans(db, event=event, actor=door, device="p", scans=[_scan(token, future)])
    row = db.scalars(select(CheckIn).where(CheckIn.event_id == event.id)).one()
    assert row.scanned_at < dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)


def test_counts_per_day_and_per_gate(db: Session) -> None:
    event, door = _setup(db)
    a, b = (badges.badge_token(db, f.registration(db, event)) for _ in range(2))
    scans = [
        _scan(a, _at(25, 9), "东门"),
        _scan(b, _at(25, 9, 1), "西门"),
        _scan(a, _at(25, 9, 2), "西门"),  # repeated
        _scan("DJ1.x.y.z", _at(25, 9, 3), "东门"),  # refused
        _scan(a, _at(26, 9), "东门"),
    ]
    checkin.record_scans(db, event=event, actor=door, device="p", scans=scans)
    days, gates = checkin.counts(db, event=event)
    d25, d26 = dt.date(2026, 4, 25), dt.date(2026, 4, 26)
    assert [(c.day, c.admitted, c.duplicates, c.refused) for c in days] == [(d25, 2, 1, 1), (d26, 1, 0, 0)]
    assert [(c.day, c.gate, c.admitted, c.duplicates, c.refused) for c in gates] == [
        (d25, "东门", 1, 0, 1),
        (d25, "西门", 1, 1, 0),
        (d26, "东门", 1, 0, 0),
    ]


def test_door_data_holds_public_keys_and_confirmed_registrations_only(db: Session) -> None:
    event, _door = _setup(db)
    confirmed = f.registration(db, event, name="张三")
    f.registration(db, event, state="waiting")
    badges.badge_token(db, confirmed)
    badges.rotate_key(db, event_id=event.id)
    data = checkin.door_data(db, event=event)
    assert [r["id"] for r in data["registrations"]] == [confirmed.id]
    assert data["registrations"][0]["badge"] == badges.nonce_digest(confirmed.badge_nonce)
    assert [k["retired"] for k in data["keys"]] == [True, False]
    text = str(data)
    assert "PRIVATE" not in text and confirmed.badge_nonce not in text


def test_sync_api_records_and_replays(client: TestClient, db: Session) -> None:
    event, _door = _setup(db)
    organiser = factories.account(db, role="organiser", event=event)
    reg = f.registration(db, event, name="王五")
    token = badges.badge_token(db, reg)
    db.commit()
    login(client, organiser.username, PASSWORD)
    scans = [
        {"client_id": str(uuid.uuid4()), "token": token, "gate": "A", "scanned_at": "2026-04-25T09:00:00+08:00"},
        {"client_id": str(uuid.uuid4()), "token": token, "gate": "A", "scanned_at": "2026-04-25T09:01:00+08:00"},
    ]
    url = f"/api/v1/events/{event.slug}/checkins"
    first = client.post(url, json={"device": "phone-1", "scans": scans})
    assert first.status_code == 200, first.text
    body = first.json()
    assert [(r["admitted"], r["reason"], r["name"]) for r in body["results"]] == [
        (True, None, "王五"),
        (False, "duplicate", "王五"),
    ]
    assert body["results"][1]["duplicate_of"] == scans[0]["client_id"]
    again = client.post(url, json={"device": "phone-1", "scans": scans}).json()
    assert [r["replayed"] for r in again["results"]] == [True, True]
    counts = client.get(f"/api/v1/events/{event.slug}/checkins/counts").json()
    assert counts["days"] == [{"day": "2026-04-25", "admitted": 1, "duplicates": 1, "refused": 0, "scans": 2}]
    listed = client.get(f"/api/v1/events/{event.slug}/checkins?day=2026-04-25").json()
    assert listed["total"] == 2
    bundle = client.get(f"/api/v1/events/{event.slug}/checkin/door-data").json()
    assert [r["id"] for r in bundle["registrations"]] == [reg.id]


def test_sync_api_refuses_a_bad_scan_beside_its_field(client: TestClient, db: Session) -> None:
    event, _door = _setup(db)
    organiser = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, organiser.username, PASSWORD)
    bad = {"device": "p", "scans": [{"client_id": "", "token": "x", "gate": "A", "scanned_at": "yesterday"}]}
    response = client.post(f"/api/v1/events/{event.slug}/checkins", json=bad)
    assert response.status_code == 422
    assert not db.scalars(select(CheckIn).where(CheckIn.event_id == event.id)).all()

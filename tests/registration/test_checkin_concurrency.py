"""Devices syncing the same badge at the same moment, each in its own connection and transaction: exactly one
admission is recorded and every other scan is flagged as its duplicate (PostgreSQL: the registration row lock;
SQLite: the single writer)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from duijie.core.db import make_sessionmaker, unit_of_work
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account
from duijie.events.models import Event
from duijie.registration import badges, checkin
from duijie.registration.models import CheckIn
from tests import factories
from tests.conftest import own_database
from tests.registration import factories_checkin as f

DEVICES = 8


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database of the test's own (PostgreSQL: `<suite database>_checkin`)."""
    options = {"pool_size": DEVICES + 2} if request.param == "postgresql" else {}
    with own_database(request.param, tmp_path, "checkin", **options) as (_, engine):
        yield engine


def test_simultaneous_syncs_of_one_badge_admit_once(own_engine: Engine) -> None:
    factory = make_sessionmaker(own_engine)
    with unit_of_work(factory) as db:
        event = factories.event(db)
        organiser = factories.account(db, role="organiser", event=event)
        token = badges.badge_token(db, f.registration(db, event))
        event_id, account_id = event.id, organiser.id

    barrier = threading.Barrier(DEVICES)
    errors: list[BaseException] = []

    def sync(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            with unit_of_work(factory) as db:
                event = db.get(Event, event_id)
                assert event is not None
                account = db.get(Account, account_id)
                assert account is not None
                actor = actor_for_account(account)
                scan = checkin.Scan(str(uuid.uuid4()), token, f"gate-{i}", dt.datetime(2026, 4, 25, 1, tzinfo=dt.UTC))
                checkin.record_scans(db, event=event, actor=actor, device=f"phone-{i}", scans=[scan])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sync, args=(i,)) for i in range(DEVICES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []

    with Session(own_engine) as db:
        rows = db.scalars(select(CheckIn).where(CheckIn.event_id == event_id)).all()
    admitted = [r for r in rows if r.admitted]
    assert len(rows) == DEVICES and len(admitted) == 1
    assert sorted((r.reason, r.duplicate_of_id) for r in rows if not r.admitted) == [
        ("duplicate", admitted[0].id)
    ] * (DEVICES - 1)

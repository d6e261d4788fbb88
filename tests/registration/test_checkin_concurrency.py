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
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from duijie.core.db import make_engine, make_sessionmaker, unit_of_work
from duijie.core.migrate import upgrade
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account
from duijie.events.models import Event
from duijie.registration import badges, checkin
from duijie.registration.models import CheckIn
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.registration import factories_checkin as f

DEVICES = 8


def _admin() -> Engine:
    assert POSTGRES_URL
    return make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database of the test's own (PostgreSQL: `<suite database>_checkin`)."""
    name = ""
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("DUIJIE_TEST_POSTGRES_URL is not set")
        url = make_url(POSTGRES_URL)
        name = f"{url.database}_checkin"
        admin = _admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = make_engine(url.set(database=name).render_as_string(hide_password=False), pool_size=DEVICES + 2)
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'checkin.db'}")
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        if name:
            admin = _admin()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


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

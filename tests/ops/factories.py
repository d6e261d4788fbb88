"""Builders for the operations tests: a small database made with the suite's factories plus a few rows of other
tables (audit entries, notifications, a site secret), and a snapshot of every table's rows to compare with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.models import AuditEntry, Notification, SiteSecret
from tests import factories

Snapshot = dict[str, list[tuple[Any, ...]]]


def small_database(engine: Engine) -> dict[str, int]:
    """Two events, three organisations, four accounts with roles, and rows of the framework tables; returns
    the ids the tests change afterwards."""
    with sessionmaker(bind=engine)() as db:
        summit = factories.event(db, name_zh="投资峰会", kind="summit")
        forum = factories.event(db, name_zh="创新论坛", kind="forum")
        enterprise = factories.organisation(db, industries=["ai", "biotech"], facts={"staff": 120})
        investor = factories.organisation(db, kind="investor", preferences={"stages": ["A", "B"]})
        factories.organisation(db, kind="government", district="朝阳区")
        organiser = factories.account(db, role="organiser", event=summit)
        founder = factories.account(db, role="enterprise", organisation=enterprise)
        factories.account(db, role="investor", organisation=investor)
        factories.account(db, role="district", district="海淀区", event=forum)
        _framework_rows(db, organiser.id, founder.id, summit.id)
        db.commit()
        return {"organisation": enterprise.id, "account": founder.id, "event": forum.id}


def _framework_rows(db: Session, organiser_id: int, founder_id: int, event_id: int) -> None:
    at = dt.datetime(2026, 4, 25, 9, 30, tzinfo=dt.UTC)
    db.add_all(
        [
            AuditEntry(at=at, actor_id=organiser_id, event_id=event_id, entity_type="event", entity_id=event_id,
                       action="update", before={"name_zh": "旧名"}, after={"name_zh": "投资峰会"}, note="改名"),
            AuditEntry(at=at, actor_id=None, event_id=None, entity_type="account", entity_id=founder_id,
                       action="create", before=None, after={"username": "founder"}, note=None),
            Notification(account_id=founder_id, event_id=event_id, kind="meeting.requested",
                         payload={"with": "投资人", "slot": 3}, created_at=at, read_at=None),
            Notification(account_id=organiser_id, event_id=None, kind="deal.signed",
                         payload={"amount_yi": "12.5"}, created_at=at, read_at=at),
            SiteSecret(name="ops-test", value="not-a-real-secret", created_at=at),
        ]
    )
    db.flush()


def snapshot(engine: Engine) -> Snapshot:
    """Every table's rows, all columns, in a stable order (the database as it is, read by reflection)."""
    meta = MetaData()
    meta.reflect(bind=engine)
    found: Snapshot = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            rows = [tuple(row) for row in conn.execute(select(table))]
            found[table.name] = sorted(rows, key=repr)
    return found

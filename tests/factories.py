"""Small builders for the records tests need, so a test says what it arranges instead of leaning on the demo.

Each builder adds and flushes one record with sensible defaults and unique slugs; pass only what the test is
about. They write through the ORM (not the services) because they arrange the world a test starts from;
what a test exercises goes through the services and the web as a user would.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from duijie.core.auth import Actor, hash_password
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account, Organisation, Person, RoleAssignment
from duijie.events.models import Event

_serial = itertools.count(1)

# Hashing with argon2's defaults costs ~50 ms; tests log in with this one pre-computed hash instead.
PASSWORD = "factory-password-1"
_PASSWORD_HASH = hash_password(PASSWORD)


def _n() -> int:
    return next(_serial)


def event(db: Session, **values: Any) -> Event:
    n = _n()
    fields: dict[str, Any] = {
        "slug": f"event-{n}",
        "kind": "summit",
        "name_zh": f"测试活动{n}",
        "name_en": f"Test event {n}",
        "starts_on": dt.date(2026, 4, 25),
        "ends_on": dt.date(2026, 4, 26),
        "provenance": "manual",
    }
    fields.update(values)
    row = Event(**fields)
    db.add(row)
    db.flush()
    return row


def organisation(db: Session, **values: Any) -> Organisation:
    n = _n()
    fields: dict[str, Any] = {
        "slug": f"org-{n}",
        "kind": "enterprise",
        "name_zh": f"测试机构{n}",
        "name_en": f"Test organisation {n}",
        "district": "海淀区",
        "industries": [],
        "flags": [],
        "facts": {},
        "preferences": {},
    }
    fields.update(values)
    row = Organisation(**fields)
    db.add(row)
    db.flush()
    return row


def person(db: Session, **values: Any) -> Person:
    n = _n()
    fields: dict[str, Any] = {"name_zh": f"测试{n}", "name_en": f"Tester {n}", "email": f"tester{n}@example.org"}
    fields.update(values)
    row = Person(**fields)
    db.add(row)
    db.flush()
    return row


def account(
    db: Session,
    *,
    role: str | None = None,
    organisation: Organisation | None = None,
    district: str | None = None,
    event: Event | None = None,
    username: str | None = None,
    **values: Any,
) -> Account:
    """An active account with one role (if given), scoped as asked; its password is `PASSWORD`."""
    n = _n()
    who = person(db, organisation_id=organisation.id if organisation else None)
    row = Account(
        username=username or f"user{n}", password_hash=_PASSWORD_HASH, person_id=who.id, **values
    )
    db.add(row)
    db.flush()
    if role:
        db.add(
            RoleAssignment(
                account_id=row.id,
                role=role,
                organisation_id=organisation.id if organisation else None,
                district=district,
                event_id=event.id if event else None,
            )
        )
        db.flush()
    db.refresh(row)
    return row


def actor(db: Session, **grant: Any) -> Actor:
    """The acting user of a new account with the given role and scope (see `account`)."""
    return actor_for_account(account(db, **grant))

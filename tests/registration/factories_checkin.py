"""Builders for the badge and check-in tests: a registration category and registrations in a given state,
written through the ORM (what the tests arrange, not what they exercise)."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from sqlalchemy.orm import Session

from duijie.events.models import Event
from duijie.registration.models import Registration, RegistrationCategory

_serial = itertools.count(1)


def category(db: Session, event: Event, **values: Any) -> RegistrationCategory:
    n = next(_serial)
    fields: dict[str, Any] = {
        "event_id": event.id,
        "code": f"guest{n}" if values.get("code") is None else values.pop("code"),
        "name_zh": "嘉宾",
        "name_en": "Guest",
    }
    fields.update(values)
    row = RegistrationCategory(**fields)
    db.add(row)
    db.flush()
    return row


def registration(
    db: Session, event: Event, *, category_row: RegistrationCategory | None = None, **values: Any
) -> Registration:
    """A confirmed registration of `event` (in a new guest category unless one is given)."""
    n = next(_serial)
    cat = category_row or category(db, event)
    fields: dict[str, Any] = {
        "event_id": event.id,
        "category_id": cat.id,
        "name": f"参会者{n}",
        "name_en": f"Attendee {n}",
        "email": f"attendee{n}@example.org",
        "organisation": "测试机构",
        "state": "confirmed",
        "answers": {},
        "badge_nonce": secrets.token_urlsafe(16),
    }
    fields.update(values)
    row = Registration(**fields)
    db.add(row)
    db.flush()
    return row

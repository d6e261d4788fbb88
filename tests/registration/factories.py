"""Builders for the registration tests: categories, the form data a person types, sessions with places.

Categories are written through the ORM (what a test arranges); registrations go through the service (what the
tests exercise), so `form(...)` gives the data of one person, unique unless told otherwise.
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.events.models import Event
from duijie.registration.models import RegistrationCategory
from tests.agenda import factories as agenda_factories

_serial = itertools.count(1)


def category(db: Session, event: Event, **values: Any) -> RegistrationCategory:
    """A public, open category of `event` (capacity unlimited unless given)."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "event_id": event.id,
        "code": f"guest{n}",
        "name_zh": "嘉宾",
        "name_en": "Guest",
        "claim_hours": 48,
        "is_public": True,
        "requires_approval": False,
    }
    fields.update(values)
    row = RegistrationCategory(**fields)
    db.add(row)
    db.flush()
    return row


def form(n: int | None = None, **values: Any) -> dict[str, Any]:
    """What a person types into the form: name, e-mail (unique per call), consent ticked."""
    k = next(_serial) if n is None else n
    data: dict[str, Any] = {
        "name": f"参会者{k}",
        "name_en": f"Attendee {k}",
        "email": f"attendee{k}@example.org",
        "organisation": "测试机构",
        "consent": "on",
        "locale": "zh_CN",
    }
    data.update(values)
    return data


def session(db: Session, event: Event, *, capacity: int | None, **values: Any) -> AgendaSession:
    """A session of `event` with `capacity` places open to registration."""
    return agenda_factories.session(db, event, capacity=capacity, **values)

"""Builders for the events tests: a forum with an event inside it, drafts, published figures, organisers."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from duijie.directory.models import Account
from duijie.events.models import Event, PublishedFigure
from tests import factories

_serial = itertools.count(1)


def forum(db: Session, **values: Any) -> Event:
    """A published forum from 2027-05-10 to 2027-05-14."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "slug": f"forum-{n}",
        "kind": "forum",
        "name_zh": f"测试论坛{n}",
        "name_en": f"Test forum {n}",
        "starts_on": dt.date(2027, 5, 10),
        "ends_on": dt.date(2027, 5, 14),
    }
    fields.update(values)
    return factories.event(db, **fields)


def inside(db: Session, parent: Event, **values: Any) -> Event:
    """A summit held on the forum's second day."""
    day = parent.starts_on + dt.timedelta(days=1)
    fields: dict[str, Any] = {"kind": "summit", "parent_id": parent.id, "starts_on": day, "ends_on": day}
    fields.update(values)
    row = factories.event(db, **fields)
    db.refresh(parent, ["children"])
    return row


def draft(db: Session, **values: Any) -> Event:
    """An event nobody published yet."""
    return factories.event(db, is_published=False, **values)


def figure(db: Session, event: Event, **values: Any) -> PublishedFigure:
    n = next(_serial)
    fields: dict[str, Any] = {
        "event_id": event.id,
        "key": f"figure_{n}",
        "value": Decimal("152"),
        "unit": "个",
        "label_zh": "发布项目",
        "label_en": "Projects released",
        "source": "《北京释放投资新商机》",
    }
    fields.update(values)
    row = PublishedFigure(**fields)
    db.add(row)
    db.flush()
    return row


def organiser(db: Session, event: Event | None = None) -> Account:
    """An organiser account: of the whole programme, or limited to `event` (and the events inside it)."""
    return factories.account(db, role="organiser", event=event)

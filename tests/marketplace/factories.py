"""Builders for opportunity records: a project (or technology offer or demand) of one event.

They write through the ORM to arrange the world a test starts from (as `tests/factories.py` does); what a test
exercises (editing, state changes, lists, exports) goes through the services and the web.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from duijie.core.db import utcnow
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity

_serial = itertools.count(1)


def project(db: Session, event: Event | None, **values: Any) -> Opportunity:
    """A published investment project of `event` in 海淀区 (100 million yuan), unique external id and title."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "external_id": f"factory-project-{n}",
        "event_id": event.id if event else None,
        "kind": "investment_project",
        "title_zh": f"测试项目{n}",
        "title_en": f"Test project {n}",
        "category": "park_cooperation",
        "industry": "人工智能",
        "district": "海淀区",
        "amount": Decimal("100000000.00"),
        "status": "published",
        "published_at": utcnow(),
        "provenance": "manual",
    }
    fields.update(values)
    row = Opportunity(**fields)
    db.add(row)
    db.flush()
    return row
